#!/usr/bin/env python3
"""Whose text the pipeline says each AllSides article is: provenance and the rule that set the
origin, on the first N articles, for a baseline revision beside the working tree.

    .venv/bin/python bench/provenance_shares.py [--n 2000] [--baseline REV]

Every AllSides record names its publisher (`source`), and the articles are that outlet's own
reporting, with the odd wire story: an origin other than the publisher needs a source line,
a wire dateline or the like. A share of `republished` well above the wire stories' says that
a rule credits articles to outlets they only quote. Each changed article is listed with its
publisher, origin and provenance before and after.
"""
from __future__ import annotations

import argparse
import collections
import gzip
import itertools
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpora" / "allsides" / "articles.jsonl.gz"


def child(n: int) -> None:
    from transforms.pipeline import default_context, process_file

    lines = list(itertools.islice(gzip.open(CORPUS, "rb"), n))
    out = {}
    for item in process_file("allsides.jsonl", b"".join(lines), default_context()):
        r = getattr(item, "resolution", None)
        if r is not None:
            rule = next((e.rule for e in r.evidence if e.field == "origin"), None)
            out[str(item.article.record)] = [r.publisher, r.origin, r.provenance, rule]
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--baseline", default="HEAD")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.n)
    sys.path.insert(0, str(REPO / "bench"))
    from abtest import alternate

    runs = alternate(args.baseline, lambda name, i: [str(REPO / "bench" / "provenance_shares.py"), "--child",
                                                     "--n", str(args.n)], 1)
    base, cur = runs["baseline"][0], runs["current"][0]
    print(f"# provenance of the first {args.n} AllSides articles: baseline {args.baseline} beside the working tree")
    print(f"command: python bench/provenance_shares.py --n {args.n} --baseline {args.baseline}\n")
    print("| | baseline | current |\n|---|---:|---:|")
    for label, col in (("provenance", 2), ("origin rule", 3)):
        b = collections.Counter(v[col] for v in base.values())
        c = collections.Counter(v[col] for v in cur.values())
        for key in sorted(set(b) | set(c), key=lambda k: -(b[k] + c[k])):
            print(f"| {label}: {key} | {b[key]} ({b[key] / len(base):.1%}) | {c[key]} ({c[key] / len(cur):.1%}) |")
    changed = [k for k in base if base[k] != cur.get(k)]
    print(f"\n{len(changed)} of {len(base)} articles changed (record: publisher, origin, provenance, rule):")
    for k in changed[:40]:
        print(f"- {k}: {base[k]} -> {cur.get(k)}")


if __name__ == "__main__":
    main()
