"""Benchmark transforms.readability against calling textstat's functions directly.

    python bench/bench_readability.py [--n 1000]

Reads N distinct articles (field ``content_original``) from
../shared/corpora/allsides/articles.jsonl.gz (relative to the repo root) and, in the
same process, times

  (a) textstat baseline: the 9 textstat 0.7.13 functions per article, after
      ``use_offline_cmudict()``;
  (b) ``readability()``: first pass with empty word caches (steady state for a new
      worker process), and a second pass over the same articles (warm word caches;
      no result is cached per text).

Loading the cmudict dictionary (~0.7 s, shared by both) is done before timing.
Prints a markdown table for BENCHMARKS.md and the number of articles whose outputs
differ (must be 0).
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpora" / "allsides" / "articles.jsonl.gz"
sys.path.insert(0, str(REPO))

import textstat  # noqa: E402

from transforms import pieces  # noqa: E402
from transforms import readability as rd  # noqa: E402
from transforms.readability import METRICS, readability, textstat_reference, use_offline_cmudict  # noqa: E402





def load_articles(n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            text = json.loads(line).get("content_original") or ""
            if not text.strip() or text in seen:
                continue
            seen.add(text)
            out.append(text)
            if len(out) == n:
                break
    return out


def same(a: dict, b: dict) -> bool:
    if a["word_count"] == 0:  # textstat scores a word-less text 0; we return None
        return all(b[k] is None for k in METRICS)
    return all(a[k] == b[k] and type(a[k]) is type(b[k]) for k in METRICS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="number of distinct articles")
    args = ap.parse_args()
    if not CORPUS.exists():
        sys.exit(f"corpus not found: {CORPUS}")

    texts = load_articles(args.n)
    n = len(texts)
    mean_kb = sum(len(t.encode("utf-8")) for t in texts) / n / 1024

    use_offline_cmudict()
    warm = "Warm-up sentence, not part of the sample. It loads the dictionaries."
    textstat_reference(warm)
    readability(warm)
    pieces.FACTS.clear()
    pieces.body_pieces.cache_clear()
    rd._SYLLABLE_CACHE.clear()

    t0 = time.perf_counter()
    base = [textstat_reference(t) for t in texts]
    t_base = (time.perf_counter() - t0) / n * 1000

    t0 = time.perf_counter()
    ours = [readability(t) for t in texts]
    t_cold = (time.perf_counter() - t0) / n * 1000

    t0 = time.perf_counter()
    ours_warm = [readability(t) for t in texts]
    t_warm = (time.perf_counter() - t0) / n * 1000

    mismatches = sum(not same(a, b) for a, b in zip(base, ours))
    mismatches += sum(a != b for a, b in zip(ours, ours_warm))

    per6 = 6 / mean_kb
    print(
        f"readability benchmark: {n} distinct allsides articles, mean {mean_kb:.2f} KB, "
        f"python {platform.python_version()}, textstat {'.'.join(map(str, textstat.__version__))}, "
        f"{rd.READABILITY_VERSION}"
    )
    print()
    print("| implementation | ms / article | ms / 6 KB article | speed-up |")
    print("|---|---:|---:|---:|")
    rows = [
        ("textstat 0.7.13, 9 functions (baseline)", t_base),
        ("readability(), cold word caches", t_cold),
        ("readability(), warm word caches", t_warm),
    ]
    for name, ms in rows:
        print(f"| {name} | {ms:.3f} | {ms * per6:.3f} | {t_base / ms:.1f}x |")
    print()
    print(f"ratio baseline / readability (cold): {t_base / t_cold:.1f}")
    print(f"mismatching articles: {mismatches} of {n}")
    if mismatches:
        sys.exit(1)


if __name__ == "__main__":
    main()
