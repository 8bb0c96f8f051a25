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
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpora" / "allsides" / "articles.jsonl.gz"
VOLATILE = {"run_id", "started_at", "finished_at", "seconds"}


def child(raw: Path, wh_dir: Path, workers: int) -> None:
    """In the revision's process: one full run, then its timings and digest as JSON."""
    import duckdb

    from incremental_lineage import run   # it imports the revision's flows: PYTHONPATH puts them first
    from flows.storage import Warehouse
    from transforms.schema import TABLES

    got = run(raw, wh_dir, workers)
    wh = Warehouse(wh_dir)
    con = duckdb.connect()
    digest = hashlib.sha256()
    for table, schema in TABLES.items():
        cols = ", ".join(f'"{f.name}"' for f in schema if f.name not in VOLATILE)
        paths = [str(p) for p in wh.paths(table, wh.current())]
        rows = con.execute(f"select {cols} from read_parquet({paths!r}, union_by_name = true) "
                           "order by all").fetchall() if paths else []
        digest.update(f"{table}:{len(rows)}:{rows!r}".encode())
    print(json.dumps({"process": got["process"], "commit": got["commit"], "digest": digest.hexdigest()[:16]}))


def main() -> int:
    sys.path.insert(0, str(REPO / "bench"))
    from abtest import add_arguments, alternate, rows

    ap = argparse.ArgumentParser()
    add_arguments(ap)
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
        results = alternate(args.baseline, lambda name, i: [
            str(REPO / "bench" / "commit_cost.py"), "--workers", str(args.workers), "--child", str(raw),
            str(work / f"wh-{name}-{i}")], args.repeat, current=args.current,
            after=lambda name, i: shutil.rmtree(work / f"wh-{name}-{i}", ignore_errors=True))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"\n# commit cost: {n} AllSides articles, {args.workers} workers, {os.cpu_count()} cores, "
          f"python {sys.version.split()[0]}")
    print(f"command: python bench/commit_cost.py {' '.join(sys.argv[1:])}\n")
    print(f"| seconds: median (each run) | baseline {args.baseline} | {args.current or 'current'} | ratio |")
    print("|---|---:|---:|---:|")
    print("\n".join(rows(results, [("process", "process", ""), ("commit", "commit", "")])))
    digests = {name: {r["digest"] for r in rs} for name, rs in results.items()}
    print(f"\ndigests: baseline {sorted(digests['baseline'])}, current {sorted(digests['current'])}: "
          f"{'identical' if digests['baseline'] == digests['current'] and len(digests['current']) == 1 else 'DIFFER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
