#!/usr/bin/env python3
"""The reports step (every mart as CSV, and report.html) on a real warehouse: seconds and
peak memory, beside a baseline revision, alternating, each call in a fresh process.

    .venv/bin/python bench/report_cost.py [--warehouse DIR] [--baseline REV] [--repeat 3]

Without `--warehouse`, one is built from the AllSides corpus (12,000 articles, the real run
in-process, ~1 min). Each measurement is `flows.reports.write_reports` in a fresh process
with the revision's flows/ and transforms/ first on the path: its wall time and the
process' peak resident size (VmHWM) after imports and at the end, so the step's own peak
is the difference. The CSV files of the two revisions are compared byte for byte.
"""
from __future__ import annotations

import argparse
import csv
import filecmp
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

_CHILD = r"""
import json, sys, time
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
from flows.reports import write_reports
base = hwm()
t = time.perf_counter()
write_reports(sys.argv[1], sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - t, "peak_over_imports": hwm() - base, "hwm": hwm()}))
"""


def main() -> int:
    import throughput
    from abtest import alternate, rows

    ap = argparse.ArgumentParser()
    ap.add_argument("--warehouse", type=Path)
    ap.add_argument("--baseline", default="HEAD~1")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="framewatch-reports-") as tmp:
        work = Path(tmp)
        wh = args.warehouse
        if wh is None:
            throughput.make_corpus(work / "raw", None, 1)
            wh = work / "wh"
            throughput.pipeline(work / "raw", wh, 2)
        got = alternate(args.baseline, lambda name, i: ["-c", _CHILD, str(wh), str(work / f"out-{name}-{i}")],
                        args.repeat, swap=True)
        day = next((work / "out-current-0").iterdir()).name
        csvs = sorted(p.name for p in (work / "out-current-0" / day).glob("*.csv"))
        theirs = {p.name for p in (work / "out-baseline-0" / day).glob("*.csv")}
        only = sorted(set(csvs) ^ theirs)         # a mart one revision has and the other not
        csvs = [n for n in csvs if n in theirs]
        same = [n for n in csvs if filecmp.cmp(work / "out-current-0" / day / n, work / "out-baseline-0" / day / n,
                                               shallow=False)]
        with open(work / "out-current-0" / day / "mart_articles.csv", newline="", encoding="utf-8") as fh:
            articles = sum(1 for _ in csv.reader(fh)) - 1
    print(f"\ncommand: python bench/report_cost.py --baseline {args.baseline} --repeat {args.repeat}"
          f"{' --warehouse ' + str(args.warehouse) if args.warehouse else ''} ({articles} articles)\n")
    print(f"| reports step: median (each run) | baseline {args.baseline} | current | ratio |")
    print("|---|---:|---:|---:|")
    print("\n".join(rows(got, [("seconds", "seconds", ""), ("peak_over_imports", "the step's peak over its imports", " MB"),
                               ("hwm", "process peak RSS", " MB")])))
    print(f"\nCSV files byte-identical to the baseline's: {len(same)} of {len(csvs)}"
          + (f" (differ: {', '.join(sorted(set(csvs) - set(same)))})" if len(same) < len(csvs) else "")
          + (f"; in one revision only: {', '.join(only)}" if only else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
