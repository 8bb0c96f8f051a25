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

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from span_changes import allsides_bodies, arguments, compare  # noqa: E402


def child(start: int, n: int) -> None:
    from transforms.figures import find_figures

    out = [[i, f.start, f.end, f.kind, f.value, f.low, f.high, f.subject]
           for i, body in enumerate(allsides_bodies(start, n)) for f in find_figures(body)]
    print(json.dumps(out))


def main() -> None:
    args = arguments(__doc__, start=0)
    if args.child:
        return child(args.start, args.n)
    compare("figure_changes.py", "figures", args, lambda f: f"{f[3]} {f[4]} [{f[5]}, {f[6]}] {f[7]}", "read otherwise")


if __name__ == "__main__":
    main()
