#!/usr/bin/env python3
"""Where a full run's time goes, and how far it is from the floor.

    .venv/bin/python bench/profile_run.py [--limit 12000] [--workers 2] [--split 2000]

Two measurements of the same code on ../shared/corpora/allsides/articles.jsonl.gz:

1. The real run (plan, the process pool of `--workers`, staging unit by unit, commit: the
   nightly flow's steps without Prefect's fixed start) on the first `--limit` articles,
   with the CPU time of the parent (all its threads) and of every child process (read
   from /proc/<pid>/stat every 50 ms until it exits, by the memory sampler's process). Busy = CPU / (wall x cores): what is
   not busy is a core waiting (a worker starting, the parent's commit running alone, the
   pool's queue empty).
2. The same steps in one process on `--split` articles (after 200 warm-up ones), each
   step's CPU time (time.process_time around the functions the worker and the parent
   call: the functions are wrapped for this measurement only), beside the floor: read +
   gunzip + JSON decode + one regex tokenising pass over the same articles.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import itertools
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import throughput  # noqa: E402  (same folder: make_corpus, floor, PeakRSS)



def real_run(raw: Path, wh_dir: Path, workers: int) -> dict:
    """throughput.pipeline, with this process's CPU; its memory sampler (a process of its own,
    so that this one stays single-threaded and its pool forks as `framewatch run`'s does)
    also reads each child's CPU time until it exits."""
    t0, c0 = time.perf_counter(), os.times()
    timings = throughput.pipeline(raw, wh_dir, workers)
    t1, c1 = time.perf_counter(), os.times()
    from flows import runs
    runs.shutdown_pools(wait=True)
    return {**timings, "wall": t1 - t0, "parent_cpu": (c1.user - c0.user) + (c1.system - c0.system),
            "worker_cpu": timings["child_cpu"]}


class Steps:
    """process_time per wrapped function (exclusive of wrapped functions called inside)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self._stack: list[list[float]] = []

    def wrap(self, module: object, attr: str, label: str) -> None:
        fn = getattr(module, attr)

        def timed(*args, **kwargs):
            self._stack.append([0.0])
            t = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent = time.process_time() - t
                inner = self._stack.pop()[0]
                self.cpu[label] += spent - inner
                if self._stack:
                    self._stack[-1][0] += spent

        setattr(module, attr, timed)


def split_run(lines: list[bytes], warmup: int, tmp: Path) -> tuple[dict[str, float], int]:
    from flows import lineage_store, runs
    from flows.storage import Warehouse
    from transforms import pipeline

    steps = Steps()
    steps.wrap(runs, "extract_record_lines", "worker: read records (JSON, field mapping)")
    steps.wrap(runs, "analyze_article", "worker: analyze_article (all features)")
    steps.wrap(runs, "rows", "worker: rows (Python dicts per table)")
    steps.wrap(runs, "table_from_rows", "worker: Arrow tables")
    steps.wrap(lineage_store, "index_table", "worker: lineage index (story terms, shingles)")
    steps.wrap(runs.RunWriter, "add", "parent: stage (dedupe, buffer)")
    steps.wrap(runs.RunWriter, "flush", "parent: write staged Parquet")
    steps.wrap(lineage_store, "update", "parent commit: stories and copy links")
    steps.wrap(runs, "write_db_file", "parent commit: DuckDB views")
    steps.wrap(runs.RunWriter, "finish", "parent commit: the rest (runs row, manifest, rename)")
    pipeline.default_context()

    def units(ls: list[bytes], first: int):
        for i in range(0, len(ls), runs.LINES_PER_UNIT):
            yield runs.Unit("articles.jsonl", lines=ls[i:i + runs.LINES_PER_UNIT], first_index=first + i, digest="d")

    for u in units(lines[:warmup], 0):                 # warm-up: lazy loads, word caches
        runs.process_unit(u, "warm")
    steps.cpu.clear()
    raw = tmp / "split-raw"
    raw.mkdir()
    wh = Warehouse(tmp / "split-wh")
    with wh.lock():
        plan = runs.plan_run(raw, wh)
        writer = runs.RunWriter(wh, plan, dt.datetime.now(dt.timezone.utc))
        for u in units(lines[warmup:], warmup):
            writer.add(runs.process_unit(u, plan.run_id))
        writer.finish()
    return dict(steps.cpu), len(lines) - warmup


def floor_cpu(lines: list[bytes]) -> float:
    import json

    t = time.process_time()
    n = 0
    for line in gzip.decompress(gzip.compress(b"".join(lines), 3)).splitlines():
        n += len(throughput.TOKEN.findall(json.loads(line)["content_original"]))
    return time.process_time() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=12000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--split", type=int, default=2000)
    args = ap.parse_args()
    if not throughput.CORPUS.exists():
        print(f"corpus not found: {throughput.CORPUS}")
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="fw-profile-"))
    try:
        n = throughput.make_corpus(tmp / "raw", args.limit, 1)
        r = real_run(tmp / "raw", tmp / "wh", args.workers)
        warm = 200
        with gzip.open(throughput.CORPUS, "rb") as fh:
            lines = list(itertools.islice(fh, warm + args.split))
        cpu, m = split_run(lines, warm, tmp)
        fl = floor_cpu(lines[warm:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    cores = min(args.workers, os.cpu_count() or 1)
    total_cpu = r["parent_cpu"] + sum(r["worker_cpu"])
    print(f"# profile of a full run: {n} AllSides articles, {args.workers} workers, {os.cpu_count()} cores, "
          f"python {sys.version.split()[0]}")
    print(f"command: python bench/profile_run.py --limit {args.limit} --workers {args.workers} --split {args.split}\n")
    print("| real run | seconds | per article (ms) |")
    print("|---|---:|---:|")
    print(f"| wall (plan {r['plan']:.1f} + process {r['process']:.1f} + commit {r['commit']:.1f}) | {r['wall']:.1f} | "
          f"{r['wall'] / n * 1000:.2f} |")
    print(f"| parent CPU (all threads) | {r['parent_cpu']:.1f} | {r['parent_cpu'] / n * 1000:.2f} |")
    workers = [c for c in r["worker_cpu"] if c >= 0.1]
    for i, c in enumerate(workers):
        print(f"| worker {i + 1} CPU | {c:.1f} | {c / n * 1000:.2f} |")
    rest = sum(r["worker_cpu"]) - sum(workers)
    print(f"| other child processes (resource tracker, sampler) | {rest:.1f} | {rest / n * 1000:.2f} |")
    print(f"| all CPU | {total_cpu:.1f} | {total_cpu / n * 1000:.2f} |")
    print(f"| cores busy: CPU / (wall x {cores}) | {total_cpu / (r['wall'] * cores):.0%} | |")
    print(f"\n{n / r['wall']:.0f} articles/s; peak {r['peak_rss_mb']:.0f} MB RSS / {r['peak_pss_mb']:.0f} MB PSS\n")

    steps_total = sum(cpu.values())
    print(f"| step, one process, {m} articles after {warm} warm-up | CPU ms/article | share | vs floor |")
    print("|---|---:|---:|---:|")
    for label, c in sorted(cpu.items(), key=lambda kv: -kv[1]):
        print(f"| {label} | {c / m * 1000:.3f} | {c / steps_total:.1%} | {c / fl:.1f}x |")
    print(f"| **all steps** | **{steps_total / m * 1000:.3f}** | 100% | {steps_total / fl:.1f}x |")
    print(f"| floor: gunzip + JSON + one tokenising pass | {fl / m * 1000:.3f} | | 1.0x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
