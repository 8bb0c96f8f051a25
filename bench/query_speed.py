#!/usr/bin/env python3
"""Query time of every mart on the 12,000-article warehouse and on a 4x replicated one,
beside a plain scan of the articles table measured in the same run.

    .venv/bin/python bench/query_speed.py [--limit N] [--replicas 4] [--repeat 3]

Builds both warehouses with the real run steps (bench/throughput.py's helpers), then
for each view runs `select * from <view>` to an Arrow table, best of --repeat, through
the same read-only connection `framewatch query` uses. Goals: <= 0.5 s per mart at
12,000 articles, <= 1.5 s at 48,000.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from throughput import CORPUS, make_corpus, pipeline  # noqa: E402


def time_views(wh: Path, repeat: int) -> dict[str, float]:
    from flows.warehouse import connect, mart_names

    con = connect(wh)
    out = {}
    for view in ["articles", *mart_names()]:
        best = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            con.execute(f"select * from {view}").to_arrow_table()
            best = min(best, time.perf_counter() - t)
        out[view] = best
    con.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--replicas", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--workdir", type=Path, default=None,
                    help="reuse the warehouses wh1/ and whN/ in this folder (bench/throughput.py --keep DIR makes them)")
    args = ap.parse_args()
    if not CORPUS.exists():
        print(f"corpus missing: {CORPUS}")
        return 1
    from flows.warehouse import connect

    work = args.workdir or Path(tempfile.mkdtemp(prefix="framewatch-query-"))
    try:
        if not (work / "wh1" / "_CURRENT").exists():
            make_corpus(work / "raw1", args.limit, 1)
            pipeline(work / "raw1", work / "wh1", args.workers)
        if not (work / "whN" / "_CURRENT").exists():
            make_corpus(work / "rawN", args.limit, args.replicas)
            pipeline(work / "rawN", work / "whN", args.workers)
        n1, nN = (connect(work / w).execute("select count(*) from articles").fetchone()[0] for w in ("wh1", "whN"))
        t1, tN = time_views(work / "wh1", args.repeat), time_views(work / "whN", args.repeat)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    print(f"# mart query time (best of {args.repeat}), `python bench/query_speed.py {' '.join(sys.argv[1:])}`\n")
    print(f"| view | {n1} articles (s) | vs articles scan | {nN} articles (s) | vs articles scan | goal met |")
    print("|---|---:|---:|---:|---:|---|")
    for view in t1:
        ok = "baseline" if view == "articles" else ("yes" if t1[view] <= 0.5 and tN[view] <= 1.5 else "NO")
        print(f"| {view} | {t1[view]:.3f} | {t1[view] / t1['articles']:.2f}x | {tN[view]:.3f} | "
              f"{tN[view] / tN['articles']:.2f}x | {ok} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
