#!/usr/bin/env python3
"""Same outputs as a baseline revision on a wider sample than profile_features' 1,000.

    .venv/bin/python bench/identical_outputs.py [--baseline REV]

Analyses 1,906 articles with the current transforms/ and with transforms/ of REV
(extracted with `git archive`, see profile_features.baseline_package), in one process:
the AllSides head, middle and tail (634 + 634 + 633 lines) and the five seeds. Every
field of the baseline's `to_json(..., with_analysis=True)` must be equal (fields added
since the baseline are not compared). Exit status 1 if any article differs.
"""
from __future__ import annotations

import argparse
import gzip
import importlib
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
SHARED = REPO.parent / "shared"


def sample(pkg: str) -> list:
    extract = importlib.import_module(f"{pkg}.extract")
    lines = gzip.open(SHARED / "corpora" / "allsides" / "articles.jsonl.gz", "rb").read().splitlines(keepends=True)
    n = len(lines)
    picked = lines[:634] + lines[n // 2 - 317:n // 2 + 317] + lines[-633:]
    items = list(extract.extract_file("allsides.jsonl", b"".join(picked)))
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        items += extract.extract_file(path.name, path.read_bytes())
    return items


def outputs(pkg: str) -> list[dict]:
    pipeline = importlib.import_module(f"{pkg}.pipeline")
    ctx = pipeline.default_context()
    out = []
    for item in sample(pkg):
        result = pipeline.analyze_article(item, ctx) if hasattr(item, "body") else item
        out.append(json.loads(json.dumps(pipeline.to_json(result, True), default=str)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="main")
    args = ap.parse_args()
    from profile_features import baseline_package

    with tempfile.TemporaryDirectory() as tmp:
        base = outputs(baseline_package(args.baseline, Path(tmp)))
    cur = outputs("transforms")
    if len(cur) != len(base):
        print(f"different article counts: {len(cur)} vs {len(base)}")
        return 1
    same = 0
    for i, (c, b) in enumerate(zip(cur, base)):
        differ = [k for k in b if json.dumps(c.get(k), sort_keys=True) != json.dumps(b[k], sort_keys=True)]
        if differ:
            print(f"article {i} ({b.get('source')} record {b.get('record')}): {', '.join(differ)} differ")
        else:
            same += 1
    print(f"identical outputs (to_json with analysis, every field of the baseline's JSON): {same} of {len(base)} "
          f"(AllSides head, middle, tail and the seeds; baseline {args.baseline})")
    return 0 if same == len(base) else 1


if __name__ == "__main__":
    sys.exit(main())
