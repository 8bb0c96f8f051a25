"""Kill a real run with SIGKILL at 20 points and rerun it (issue 8): every named
failpoint in staging and commit (flows/failpoints.py) plus kills at random moments,
each on a fresh warehouse, each followed by a rerun; the warehouse is then compared with
a clean run's.

    python bench/crash_points.py [--random 7] [--records 300] [--seed 7]

Prints one row per kill and the totals: kills, runs that really died, committed before
the kill, equal to the clean run after the rerun, duplicates, missing, stray files.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import crashkit  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--random", type=int, default=20 - len(crashkit.POINTS), help="kills at random moments")
    ap.add_argument("--records", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fw-crash-"))
    raw = crashkit.make_raw(work / "raw", records=args.records)
    seconds = crashkit.timed_clean_run(raw, work / "clean")
    clean = crashkit.content(work / "clean")
    print(f"clean run: {len(clean['articles'])} articles, {len(clean['rejects'])} reject, "
          f"{seconds:.1f} s of work after the lock is taken (random kills fall in its first 90%)\n")
    print("| # | kill at | died | committed before kill | equal after kill | equal after rerun | duplicates | missing | stray files |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    kills = []
    for i, (point, delay) in enumerate(crashkit.plan(args.random, seconds, args.seed), 1):
        k = crashkit.kill_and_rerun(raw, work / f"wh{i:02d}", clean, point=point, delay=delay)
        kills.append(k)
        print(f"| {i} | {k.point} | {k.died} | {k.committed} | {'-' if k.equal_after_kill is None else k.equal_after_kill} | "
              f"{k.equal_after_rerun} | {k.duplicates} | {k.missing} | {k.strays} |", flush=True)
    print()
    print(f"kills {len(kills)}; died {sum(k.died for k in kills)}; committed before the kill "
          f"{sum(k.committed for k in kills)}; equal to the clean run after the rerun "
          f"{sum(k.equal_after_rerun for k in kills)}/{len(kills)}; duplicates {sum(k.duplicates for k in kills)}; "
          f"missing {sum(k.missing for k in kills)}; stray files {sum(k.strays for k in kills)}")


if __name__ == "__main__":
    main()
