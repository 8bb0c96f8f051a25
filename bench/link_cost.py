#!/usr/bin/env python3
"""The commit's copy-link verification over a whole warehouse (every candidate pair, as a
full run verifies them) beside the same step on a baseline revision, alternating, each
in a fresh process.

    .venv/bin/python bench/link_cost.py --warehouse W [--baseline REV] [--repeat 3]

W: a committed warehouse (e.g. `bench/throughput.py --keep DIR`'s, or any `framewatch run`
on the AllSides corpus). Each child, with the revision's flows/ and transforms/ first on
the path, opens a transaction on W (aborted at the end: W is not changed), finds the
candidate pairs over the whole index, and times `lineage_store._link_tables` over them
(leads read, shingles made, copy_kind on every pair) twice, reporting the second. Printed:
the median and each run's seconds per revision, and whether every revision found the same
links (all columns but run_id).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def child(wh_dir: Path) -> None:
    from flows import lineage_store as ls   # the revision's: PYTHONPATH puts its code first
    from flows.storage import Warehouse

    wh = Warehouse(wh_dir)
    with wh.lock():
        tx = wh.begin("link-cost")
        try:
            t = ls._Tables(tx)
            for table in ("articles", "lineage_index", "stories", "links"):
                t.view(table)
            pairs = ls._candidates(t, False)
            for _ in range(2):   # the first pass warms the caches (token hashes, page cache)
                t0 = time.perf_counter()
                parts = list(ls._link_tables(t, pairs, "link-cost"))
                seconds = time.perf_counter() - t0
            rows = [r for p in parts for r in p.drop_columns(["run_id"]).to_pylist()]
        finally:
            tx.abort()
    digest = hashlib.sha256(repr(sorted(rows, key=lambda r: (r["article_a"], r["article_b"]))).encode())
    print(json.dumps({"seconds": seconds, "pairs": len(pairs), "links": len(rows), "digest": digest.hexdigest()[:16]}))


def main() -> int:
    sys.path.insert(0, str(REPO / "bench"))
    from abtest import add_arguments, alternate, rows

    ap = argparse.ArgumentParser()
    ap.add_argument("--warehouse", type=Path, required=True)
    add_arguments(ap)
    ap.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return 0
    results = alternate(args.baseline, lambda name, i: [str(REPO / "bench" / "link_cost.py"), "--warehouse",
                                                        str(args.warehouse), "--child", str(args.warehouse)],
                        args.repeat, current=args.current)
    first = results["current"][0]
    print(f"\n# copy-link verification: {first['pairs']} candidate pairs, {first['links']} links, "
          f"{os.cpu_count()} cores, python {sys.version.split()[0]}")
    print(f"command: python bench/link_cost.py {' '.join(sys.argv[1:])}\n")
    print(f"| seconds: median (each run) | baseline {args.baseline} | {args.current or 'current'} | ratio |")
    print("|---|---:|---:|---:|")
    print("\n".join(rows(results, [("seconds", "_link_tables, all candidate pairs", "")])))
    digests = {r["digest"] for rs in results.values() for r in rs}
    print(f"\nlinks: {'identical' if len(digests) == 1 else 'DIFFER'} ({', '.join(sorted(digests))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
