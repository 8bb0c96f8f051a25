#!/usr/bin/env python3
"""Who holds a full run's peak memory, and at which step.

    .venv/bin/python bench/memory_profile.py [--limit N] [--replicas 1] [--workers 2]

Runs the real run steps (throughput.pipeline's: plan, the process pool, staging unit by
unit, commit) on the AllSides corpus (or `--replicas` copies of it) with a lean parent,
while a sampler process reads every 50 ms the PSS (and anonymous PSS) of the parent and
of each of its children from /proc/<pid>/smaps_rollup. The parent marks its steps (the
functions wrapped below, for this measurement only) with CLOCK_MONOTONIC times, which
the sampler's times share; each step's row is the peak seen while it ran: the parent's,
the workers' (summed) and both together. Arrow's allocated bytes in the parent are read at
each step's start and end.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import throughput  # noqa: E402

_SAMPLER = r"""
import os, select, sys, time
parent, me = int(sys.argv[1]), os.getpid()
out = open(sys.argv[2], "w")

def fields(pid):
    out = {}
    try:
        for line in open(f"/proc/{pid}/smaps_rollup"):
            k, _, rest = line.partition(":")
            if k in ("Rss", "Pss", "Pss_Anon"):
                out[k] = int(rest.split()[0])
    except OSError:
        pass
    return out

while not select.select([sys.stdin], [], [], 0.05)[0]:
    try:
        kids = [int(p) for p in open(f"/proc/{parent}/task/{parent}/children").read().split()]
    except OSError:
        kids = []
    t = time.monotonic()
    for p in [parent] + [k for k in kids if k != me]:
        f = fields(p)
        if f:
            out.write(f"{t:.3f} {p} {f.get('Rss', 0)} {f.get('Pss', 0)} {f.get('Pss_Anon', 0)}\n")
out.close()
"""


class Marks:
    def __init__(self) -> None:
        self.spans: list[tuple[str, float, float, int, int]] = []   # label, start, end, arrow bytes at start/end

    def wrap(self, owner: object, attr: str, label: str) -> None:
        import pyarrow as pa

        fn = getattr(owner, attr)

        def marked(*args, **kwargs):
            t, a = time.monotonic(), pa.total_allocated_bytes()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spans.append((label, t, time.monotonic(), a, pa.total_allocated_bytes()))

        setattr(owner, attr, marked)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--replicas", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeline", type=Path, default=None, help="write the raw samples here")
    args = ap.parse_args()
    from flows import lineage_store, runs, storage, warehouse

    marks = Marks()
    marks.wrap(runs, "plan_run", "plan")
    marks.wrap(runs, "process_and_stage", "process + stage (a batch)")
    marks.wrap(runs.RunWriter, "flush", "stage: write buffered Parquet")
    marks.wrap(lineage_store, "_refresh_index", "lineage: refresh index")
    marks.wrap(lineage_store, "_stories", "lineage: stories")
    marks.wrap(lineage_store, "_candidates", "lineage: candidate pairs (DuckDB)")
    marks.wrap(lineage_store, "_links", "lineage: links (all)")
    marks.wrap(lineage_store, "update", "lineage: update (all)")
    marks.wrap(storage.Transaction, "compact", "commit: compact a table")
    marks.wrap(storage.Transaction, "commit", "commit: compact + publish (all)")
    marks.wrap(runs, "write_db_file", "commit: DuckDB file")
    marks.wrap(runs.RunWriter, "finish", "finish (all)")

    tmp = Path(tempfile.mkdtemp(prefix="fw-mem-"))
    try:
        n = throughput.make_corpus(tmp / "raw", args.limit, args.replicas)
        log = tmp / "samples.txt"   # a file, not a pipe: a full pipe would stop the sampler
        sampler = subprocess.Popen([sys.executable, "-c", _SAMPLER, str(os.getpid()), str(log)],
                                   stdin=subprocess.PIPE, text=True)
        t0 = time.monotonic()
        timings = throughput.pipeline(tmp / "raw", tmp / "wh", args.workers)
        t1 = time.monotonic()
        sampler.communicate("stop\n")
        out = log.read_text()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    me = os.getpid()
    samples = []   # (t, pid, rss, pss, pss_anon) in kB
    for line in out.splitlines():
        t, p, r, s, a = line.split()
        samples.append((float(t), int(p), int(r), int(s), int(a)))
    if args.timeline:
        args.timeline.write_text(out)
    by_time: dict[float, dict[int, tuple[int, int, int]]] = {}
    for t, p, r, s, a in samples:
        by_time.setdefault(t, {})[p] = (r, s, a)
    ticks = sorted(by_time)

    def peaks(lo: float, hi: float) -> tuple[float, float, float, float]:
        best = (0.0, 0.0, 0.0, 0.0)
        for t in ticks:
            if lo <= t <= hi:
                procs = by_time[t]
                par = procs.get(me, (0, 0, 0))
                work = [v for p, v in procs.items() if p != me]
                tot = (par[1] + sum(v[1] for v in work)) / 1024
                if tot > best[2]:
                    best = (par[1] / 1024, sum(v[1] for v in work) / 1024, tot, par[2] / 1024)
        return best

    mb = 2 ** 20
    print(f"# memory by step: {n} articles ({args.replicas}x), {args.workers} workers, python {sys.version.split()[0]}")
    print(f"command: python bench/memory_profile.py {' '.join(sys.argv[1:])}\n")
    print(f"{n / timings['total']:.0f} articles/s; peak {timings['peak_rss_mb']:.0f} MB RSS / "
          f"{timings['peak_pss_mb']:.0f} MB PSS (throughput's sampler)\n")
    print("| step | calls | seconds | at the step's peak: parent PSS | workers PSS | total PSS | parent anon PSS | "
          "parent Arrow MB (max at start/end) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    labels = list(dict.fromkeys(s[0] for s in marks.spans))
    rows = [("whole run", 1, t1 - t0, *peaks(t0, t1), 0.0)]
    for label in labels:
        spans = [s for s in marks.spans if s[0] == label]
        best = (0.0, 0.0, 0.0, 0.0)
        for _, lo, hi, _, _ in spans:
            p = peaks(lo, hi)
            if p[2] > best[2]:
                best = p
        arrow = max(max(a, b) for *_, a, b in spans) / mb
        rows.append((label, len(spans), sum(hi - lo for _, lo, hi, _, _ in spans), *best, arrow))
    for label, calls, secs, par, work, tot, anon, arrow in rows:
        print(f"| {label} | {calls} | {secs:.1f} | {par:.0f} | {work:.0f} | {tot:.0f} | {anon:.0f} | {arrow:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
