#!/usr/bin/env python3
"""A full run's commit (stories, copy links, compaction, the atomic swap, the DuckDB file)
beside the same run on a baseline revision, alternating, each in a fresh process.

    .venv/bin/python bench/commit_cost.py [--baseline REV] [--repeat 3] [--limit N] [--workers 2]

Raw: the AllSides corpus (../shared/corpora/allsides/articles.jsonl.gz), or its first
`--limit` articles. Each run builds a new warehouse with the revision's flows/ and
transforms/ first on the path (git archive of REV; the working tree for "current"), as
bench/incremental_lineage.py's run() does: plan, process (a pool of `--workers`), commit
(RunWriter.finish). Printed per revision: the median and each run's process and commit
seconds, and a digest of every committed table's rows (all columns but run_id and the
runs table's times, in sorted order): equal digests mean the same warehouse contents
(within one invocation: the runs table keeps the raw folder's path, a new temporary one).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpora" / "allsides" / "articles.jsonl.gz"
VOLATILE = {"run_id", "started_at", "finished_at", "seconds"}


def child(raw: Path, wh_dir: Path, workers: int) -> None:
    """In the revision's process: one full run, then its timings and digest as JSON."""
    import datetime as dt
    import time

    import duckdb

    from flows import runs   # the revision's: PYTHONPATH puts its code first
    from flows.storage import Warehouse
    from transforms.schema import TABLES

    wh = Warehouse(wh_dir)
    with wh.lock():
        t0 = time.perf_counter()
        plan = runs.plan_run(raw, wh)
        writer = runs.RunWriter(wh, plan, dt.datetime.now(dt.timezone.utc))
        for b in plan.batches(250):
            runs.process_and_stage(writer, str(raw), b, workers)
        t1 = time.perf_counter()
        writer.finish()
        t2 = time.perf_counter()
    got = {"process": t1 - t0, "commit": t2 - t1}
    con = duckdb.connect()
    digest = hashlib.sha256()
    for table, schema in TABLES.items():
        cols = [f.name for f in schema if f.name not in VOLATILE]
        paths = [str(p) for p in wh.paths(table, wh.current())]
        rows = con.execute(f"select {', '.join(chr(34) + c + chr(34) for c in cols)} from read_parquet({paths!r}, union_by_name = true) "
                           "order by all").fetchall() if paths else []
        digest.update(f"{table}:{len(rows)}:{rows!r}".encode())
    print(json.dumps({"process": got["process"], "commit": got["commit"], "digest": digest.hexdigest()[:16]}))


def main() -> int:
    sys.path.insert(0, str(REPO / "bench"))
    from cli_increment import checkout

    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="HEAD")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--child", nargs=2, type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child, args.workers)
        return 0
    if not CORPUS.exists():
        print(f"corpus missing: {CORPUS}")
        return 1
    work = Path(tempfile.mkdtemp(prefix="framewatch-commit-"))
    try:
        raw = work / "raw"
        raw.mkdir()
        n = 0
        with gzip.open(CORPUS, "rt") as src, gzip.open(raw / "articles.jsonl.gz", "wt") as out:
            for _, line in zip(range(args.limit or 10**9), src):
                out.write(line)
                n += 1
        codes = {"baseline": checkout(args.baseline, work / "baseline"), "current": REPO}
        results: dict[str, list[dict]] = {name: [] for name in codes}
        for i in range(args.repeat):
            for name, code in codes.items():
                wh = work / f"wh-{name}-{i}"
                env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(code), str(REPO / "bench")]))
                proc = subprocess.run([sys.executable, str(REPO / "bench" / "commit_cost.py"), "--workers",
                                       str(args.workers), "--child", str(raw), str(wh)],
                                      cwd=code, env=env, capture_output=True, text=True)
                if proc.returncode:
                    raise RuntimeError(f"{name} run failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
                results[name].append(json.loads(proc.stdout.strip().splitlines()[-1]))
                shutil.rmtree(wh, ignore_errors=True)
                print(name, i, results[name][-1], flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"\n# commit cost: {n} AllSides articles, {args.workers} workers, {os.cpu_count()} cores, "
          f"python {sys.version.split()[0]}")
    print(f"command: python bench/commit_cost.py {' '.join(sys.argv[1:])}\n")
    print(f"| seconds: median (each run) | baseline {args.baseline} | current | ratio |")
    print("|---|---:|---:|---:|")
    for key in ("process", "commit"):
        b, c = ([r[key] for r in results[name]] for name in ("baseline", "current"))
        each = lambda xs: ", ".join(f"{x:.2f}" for x in xs)   # noqa: E731
        print(f"| {key} | {statistics.median(b):.2f} ({each(b)}) | {statistics.median(c):.2f} ({each(c)}) | "
              f"{statistics.median(b) / statistics.median(c):.2f}x |")
    digests = {name: {r["digest"] for r in rs} for name, rs in results.items()}
    print(f"\ndigests: baseline {sorted(digests['baseline'])}, current {sorted(digests['current'])}: "
          f"{'identical' if digests['baseline'] == digests['current'] and len(digests['current']) == 1 else 'DIFFER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
