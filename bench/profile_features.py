#!/usr/bin/env python3
"""Where the per-article time goes: cProfile of analyze_article on warm caches.

    .venv/bin/python bench/profile_features.py [--n 1000]

Reads AllSides articles, warms every cache on the first 200, then profiles the next N in
one process and prints per-article ms (profiled, so ~2x slower than real) and the
cumulative time of each transforms/ function.
"""
from __future__ import annotations

import argparse
import cProfile
import gzip
import itertools
import pstats
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CORPUS = REPO.parent / "shared" / "corpora" / "allsides" / "articles.jsonl.gz"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    args = ap.parse_args()
    from transforms.extract import extract_file
    from transforms.pipeline import analyze_article, default_context

    ctx = default_context()
    lines = list(itertools.islice(gzip.open(CORPUS, "rb"), args.n + 200))
    arts = extract_file("x.jsonl", b"".join(lines))
    for a in arts[:200]:
        analyze_article(a, ctx)
    arts = arts[200:]
    prof = cProfile.Profile()
    prof.enable()
    t = time.perf_counter()
    for a in arts:
        analyze_article(a, ctx)
    elapsed = time.perf_counter() - t
    prof.disable()
    print(f"analyze_article: {1000 * elapsed / len(arts):.2f} ms/article (profiled), {len(arts)} articles")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(r"transforms/|py3langid|vader|wordfreq", 25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
