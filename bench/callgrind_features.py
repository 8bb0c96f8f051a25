#!/usr/bin/env python3
"""Instructions per article of analyze_article (warm caches), current code beside a
baseline revision, counted by callgrind (repeatable where wall time is not).

    .venv/bin/python bench/callgrind_features.py [--n 100] [--warmup 200] [--baseline REV]

For each version, valgrind --tool=callgrind runs this script twice in child mode: once
analysing the warm-up articles and the N measured ones (each cache filled), once doing
the same and then the N measured ones again. The difference of the two totals, over N,
is the instructions of one warm article (process start, imports and model loading
cancel out).
"""
from __future__ import annotations

import argparse
import gzip
import importlib
import itertools
import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CORPUS = REPO.parent / "shared" / "corpora" / "allsides" / "articles.jsonl.gz"


def child(pkg: str, path: str | None, warmup: int, n: int, again: bool) -> None:
    if path:
        sys.path.insert(0, path)
    extract = importlib.import_module(f"{pkg}.extract")
    pipeline = importlib.import_module(f"{pkg}.pipeline")
    lines = list(itertools.islice(gzip.open(CORPUS, "rb"), warmup + n))
    arts = extract.extract_file("x.jsonl", b"".join(lines))
    ctx = pipeline.default_context()
    for a in arts:
        pipeline.analyze_article(a, ctx)
    if again:
        for a in arts[warmup:]:
            pipeline.analyze_article(a, ctx)


def instructions(pkg: str, path: str | None, warmup: int, n: int, again: bool) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cg.out"
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, __file__,
               "--child", pkg, "--path", path or "", "--warmup", str(warmup), "--n", str(n)] + (["--again"] if again else [])
        subprocess.run(cmd, check=True, capture_output=True)
        text = out.read_text()
    m = re.search(r"^summary:\s+(\d+)", text, re.M) or re.search(r"^totals:\s+(\d+)", text, re.M)
    return int(m.group(1))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--baseline", default="main")
    ap.add_argument("--child")
    ap.add_argument("--path", default="")
    ap.add_argument("--again", action="store_true")
    args = ap.parse_args()
    if args.child:
        child(args.child, args.path or None, args.warmup, args.n, args.again)
        return 0
    sys.path.insert(0, str(REPO / "bench"))
    from profile_features import baseline_package

    rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", args.baseline],
                         check=True, capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        base_pkg = baseline_package(rev, Path(tmp))
        per = {}
        for label, pkg, path in ((f"baseline {rev}", base_pkg, tmp), ("current", "transforms", None)):
            once = instructions(pkg, path, args.warmup, args.n, False)
            twice = instructions(pkg, path, args.warmup, args.n, True)
            per[label] = (twice - once) / args.n
            print(f"{label}: {per[label] / 1e6:.2f}M instructions per article "
                  f"(runs: {once:,} and {twice:,})", flush=True)
    (b, bv), (c, cv) = per.items()
    print(f"# callgrind, analyze_article, {args.n} AllSides articles after {args.warmup} warm-up, warm caches")
    print(f"command: python bench/callgrind_features.py --n {args.n} --warmup {args.warmup} --baseline {args.baseline}")
    print(f"{b}: {bv / 1e6:.2f}M, current: {cv / 1e6:.2f}M instructions per article ({bv / cv:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
