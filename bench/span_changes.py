"""What a change to one extractor adds, removes or reads otherwise, item by item, on AllSides
articles: the shared part of bench/quote_speakers.py and bench/figure_changes.py. Each
script's child prints its items as JSON lists [article, start, end, fields...]; an item is
the same item in both runs when its first three values are."""
from __future__ import annotations

import argparse
import gzip
import itertools
import random
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpora" / "allsides" / "articles.jsonl.gz"


def allsides_bodies(start: int, n: int) -> list[str]:
    """The bodies of AllSides records start .. start + n - 1 (rejects skipped)."""
    from transforms.extract import extract_file

    lines = list(itertools.islice(gzip.open(CORPUS, "rb"), start + n))[start:]
    return [a.body for a in extract_file("allsides.jsonl", b"".join(lines)) if hasattr(a, "body")]


def arguments(doc: str, start: int) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--start", type=int, default=start)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--baseline", default="HEAD")
    ap.add_argument("--show", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return ap.parse_args()


def compare(script: str, what: str, args: argparse.Namespace, item: Callable[[list], str],
            otherwise: str) -> tuple[list, list, list[tuple[list, list]]]:
    """Run `script --child` on the baseline and the working tree, print the counts and a
    random sample of each kind of change (`item` formats one item's fields, after its
    span); returns (added, removed, changed)."""
    from abtest import alternate

    runs = alternate(args.baseline, lambda name, i: [str(REPO / "bench" / script), "--child",
                                                     "--start", str(args.start), "--n", str(args.n)], 1)
    base = {tuple(x[:3]): x for x in runs["baseline"][0]}
    cur = {tuple(x[:3]): x for x in runs["current"][0]}
    removed = [base[k] for k in base if k not in cur]
    added = [cur[k] for k in cur if k not in base]
    changed = [(base[k], cur[k]) for k in base if k in cur and base[k] != cur[k]]
    bodies = allsides_bodies(args.start, args.n)
    print(f"\n# {what} of AllSides articles {args.start}-{args.start + args.n - 1}: baseline {args.baseline} "
          "beside the working tree")
    print(f"command: python bench/{script} --start {args.start} --n {args.n} --baseline {args.baseline}\n")
    print(f"{what}: {len(base)} -> {len(cur)}; added {len(added)}, removed {len(removed)}, {otherwise} {len(changed)}")

    def context(x: list) -> str:
        return bodies[x[0]][max(0, x[1] - 150):x[2] + 60].replace("\n", " ")

    rnd = random.Random(args.seed)
    for label, items in (("added", added), ("removed", removed), (otherwise, changed)):
        print(f"\n## {label}: a sample of {min(args.show, len(items))}")
        for x in rnd.sample(items, min(args.show, len(items))):
            if label == otherwise:
                print(f"- {item(x[0])} -> {item(x[1])} | {context(x[1])}")
            else:
                print(f"- {item(x)} | {context(x)}")
    return added, removed, changed
