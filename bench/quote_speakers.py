#!/usr/bin/env python3
"""Who the quotes are attributed to: the quotes of AllSides articles found by a baseline
revision and by the working tree, and every quote added, removed or attributed otherwise,
with its context, for reading.

    .venv/bin/python bench/quote_speakers.py [--start 1000] [--n 2000] [--baseline REV] [--show 40] [--seed 1]

There are no labelled quotes in ../shared: a change to the attribution rules is judged by
reading what it changes. The counts are printed, then a random sample (--show, --seed) of
each kind of change.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from span_changes import allsides_bodies, arguments, compare  # noqa: E402


def child(start: int, n: int) -> None:
    from transforms.quotes import find_quotes

    out = [[i, q.start, q.end, q.kind, q.speaker, q.speaker_role, q.verb, q.side]
           for i, body in enumerate(allsides_bodies(start, n)) for q in find_quotes(body)]
    print(json.dumps(out))


def main() -> None:
    args = arguments(__doc__, start=1000)
    if args.child:
        return child(args.start, args.n)
    _, _, changed = compare("quote_speakers.py", "quotes", args, lambda q: f"{q[3]} {q[4]!r} ({q[5]}, {q[6]}, {q[7]})",
                            "attributed otherwise")
    print(f"\n(of the {len(changed)} attributed otherwise, {sum(b[4] is not None for b, _ in changed)} "
          "had a speaker before)")


if __name__ == "__main__":
    main()
