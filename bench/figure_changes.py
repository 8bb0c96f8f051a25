#!/usr/bin/env python3
"""Which event figures are read: the figures of AllSides articles found by a baseline
revision and by the working tree, and every figure added, removed or read otherwise (kind,
value, bounds, subject), with its context, for reading.

    .venv/bin/python bench/figure_changes.py [--start 0] [--n 2000] [--baseline REV] [--show 40] [--seed 1]

There are no labelled figures in ../shared besides the seeds (tests pin those): a change to
the figure rules is judged by reading what it changes. The counts are printed, then a
random sample (--show, --seed) of each kind of change.
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpora" / "allsides" / "articles.jsonl.gz"


def _bodies(start: int, n: int) -> list[str]:
    from transforms.extract import extract_file

    lines = list(itertools.islice(gzip.open(CORPUS, "rb"), start + n))[start:]
    return [a.body for a in extract_file("allsides.jsonl", b"".join(lines)) if hasattr(a, "body")]


def child(start: int, n: int) -> None:
    from transforms.figures import find_figures

    out = [[i, f.start, f.end, f.kind, f.value, f.low, f.high, f.subject]
           for i, body in enumerate(_bodies(start, n)) for f in find_figures(body)]
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--baseline", default="HEAD")
    ap.add_argument("--show", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.start, args.n)
    sys.path.insert(0, str(REPO / "bench"))
    from abtest import alternate

    runs = alternate(args.baseline, lambda name, i: [str(REPO / "bench" / "figure_changes.py"), "--child",
                                                     "--start", str(args.start), "--n", str(args.n)], 1)
    base = {tuple(q[:3]): q for q in runs["baseline"][0]}
    cur = {tuple(q[:3]): q for q in runs["current"][0]}
    removed = [base[k] for k in base if k not in cur]
    added = [cur[k] for k in cur if k not in base]
    changed = [(base[k], cur[k]) for k in base if k in cur and base[k] != cur[k]]
    bodies = _bodies(args.start, args.n)
    print(f"\n# figures of AllSides articles {args.start}-{args.start + args.n - 1}: baseline {args.baseline} "
          "beside the working tree")
    print(f"command: python bench/figure_changes.py --start {args.start} --n {args.n} --baseline {args.baseline}\n")
    print(f"figures: {len(base)} -> {len(cur)}; added {len(added)}, removed {len(removed)}, read otherwise "
          f"{len(changed)}")

    def context(q: list) -> str:
        body = bodies[q[0]]
        return body[max(0, q[1] - 150):q[2] + 60].replace("\n", " ")

    rnd = random.Random(args.seed)
    for label, items in (("added", added), ("removed", removed), ("read otherwise", changed)):
        print(f"\n## {label}: a sample of {min(args.show, len(items))}")
        for item in rnd.sample(items, min(args.show, len(items))):
            if label == "read otherwise":
                b, c = item
                print(f"- {b[3]} {b[4]} [{b[5]}, {b[6]}] {b[7]} -> {c[3]} {c[4]} [{c[5]}, {c[6]}] {c[7]} | {context(c)}")
            else:
                print(f"- {item[3]} {item[4]} [{item[5]}, {item[6]}] {item[7]} | {context(item)}")


if __name__ == "__main__":
    main()
