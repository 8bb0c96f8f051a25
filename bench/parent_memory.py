#!/usr/bin/env python3
"""Does the run's parent process grow with the corpus? (issue 7: memory bounded by the
batch, not the corpus.)

    .venv/bin/python bench/parent_memory.py [--replicas 1,2] [--workers 2]

For each replica count, the AllSides corpus replicated that many times (as
bench/memory_profile.py makes it) is processed into a fresh warehouse by the real run
(plan, the pool, staging unit by unit; no commit), in a fresh process with tracemalloc on
in the parent. After processing: the parent's resident size, what tracemalloc sees of
Python's allocations, and its largest sources (the stored-id set of RunWriter among
them). Workers are separate processes and are not counted here.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import shutil
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))


def _rss_mb() -> int:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return 0


def measure(raw: Path, wh_dir: Path, workers: int) -> dict:
    from flows import runs
    from flows.storage import Warehouse

    wh = Warehouse(wh_dir)
    tracemalloc.start(1)
    with wh.lock():
        plan = runs.plan_run(raw, wh)
        writer = runs.RunWriter(wh, plan, dt.datetime.now(dt.timezone.utc))
        start = _rss_mb()
        for b in plan.batches(250):
            runs.process_and_stage(writer, str(raw), b, workers)
        gc.collect()
        traced, _ = tracemalloc.get_traced_memory()
        top = tracemalloc.take_snapshot().statistics("lineno")[:6]
        out = {"articles": len(writer.known), "rss_start_mb": start, "rss_after_mb": _rss_mb(),
               "traced_mb": round(traced / 2**20, 1),
               "top": [f"{'/'.join(s.traceback[0].filename.split('/')[-2:])}:{s.traceback[0].lineno} "
                       f"{s.size / 2**20:.1f} MB" for s in top]}
        writer.abort()
    runs.shutdown_pools()
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicas", default="1,2")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)   # raw wh: one measurement, in this process
    args = ap.parse_args()
    if args.one:
        print(json.dumps(measure(Path(args.one[0]), Path(args.one[1]), args.workers)))
        return 0
    import throughput

    rows = []
    with tempfile.TemporaryDirectory(prefix="framewatch-parent-") as tmp:
        for reps in (int(r) for r in args.replicas.split(",")):
            raw, wh = Path(tmp) / f"raw{reps}", Path(tmp) / f"wh{reps}"
            throughput.make_corpus(raw, None, reps)
            proc = subprocess.run([sys.executable, __file__, "--one", str(raw), str(wh), "--workers",
                                   str(args.workers)], capture_output=True, text=True, check=True)
            rows.append(json.loads(proc.stdout.splitlines()[-1]))
            shutil.rmtree(raw)
            shutil.rmtree(wh, ignore_errors=True)
    print(f"command: python bench/parent_memory.py --replicas {args.replicas} --workers {args.workers}\n")
    print("| articles | parent RSS before processing | after | Python objects (tracemalloc) | largest sources |")
    print("|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['articles']:,} | {r['rss_start_mb']} MB | {r['rss_after_mb']} MB | {r['traced_mb']} MB | "
              f"{'; '.join(r['top'])} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
