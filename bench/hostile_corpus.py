"""The heavy hostile-input run (issue 8): tests/hostile.py's corpus with its heavy
extras (a 200 MB text file, a 4 GB gzip bomb, a JSONL file of a million records, 10 MB
lines) through a real run with a process pool, then every file checked against what it
must become.

    python bench/hostile_corpus.py [--workdir /tmp/fw-hostile] [--workers 2] [--keep]

Prints: files tried, good files processed, bad files rejected by reason, lost (good
input missing from the warehouse), unexpected outcomes, crashes, wall time and peak
memory (the run's process and its largest worker).
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flows import runs  # noqa: E402
from flows.storage import Warehouse  # noqa: E402
from tests import hostile  # noqa: E402
from tests.test_hostile import check, outcomes  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/fw-hostile"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="keep the generated corpus and warehouse")
    args = ap.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    t0 = time.monotonic()
    expect = hostile.build(args.workdir, heavy=True)
    expect[hostile.bad_name(args.workdir / "raw")] = hostile.reject("bad_filename")
    size = sum(p.stat().st_size for p in (args.workdir / "raw").rglob("*") if p.is_file() and not p.is_symlink())
    print(f"generated {len(expect)} files, {size / 2**20:.0f} MB on disk, in {time.monotonic() - t0:.0f} s", flush=True)

    crashes, t1 = 0, time.monotonic()
    wh = Warehouse(args.workdir / "wh")
    try:
        with wh.lock():
            wh.recover()
            plan = runs.plan_run(args.workdir / "raw", wh)
            writer = runs.RunWriter(wh, plan, dt.datetime.now(dt.timezone.utc))
            for batch in plan.batches(400):
                runs.process_and_stage(writer, str(args.workdir / "raw"), batch, workers=args.workers)
            summary = writer.finish()
    except Exception as exc:  # noqa: BLE001 - a crash is what this bench counts
        crashes += 1
        print(f"CRASH: {type(exc).__name__}: {exc}")
        raise
    finally:
        runs.shutdown_pools()
    wall = time.monotonic() - t1
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    rejects, sources = outcomes(args.workdir / "wh")
    errors = check(expect, rejects, sources)
    good = [r for r, e in expect.items() if e.ok or e.records]
    lost = [r for r in good if not sources[r]]
    bad_files = [r for r, e in expect.items() if not e.ok and e.records is None]
    reasons = collections.Counter(rs[0] for (src, rec), rs in rejects.items() if rec is None)
    line_reasons = collections.Counter(rs[0] for (src, rec), rs in rejects.items() if rec is not None)

    print()
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| files tried | {summary.files_seen} |")
    print(f"| good files (and JSONL files with good records) processed | {len(good) - len(lost)} / {len(good)} |")
    print(f"| records stored from the million-record file | {sources['big/million.jsonl']:,} |")
    print(f"| bad files rejected with one row each | {sum(1 for r in bad_files if len(rejects.get((r, None), [])) == 1)} / {len(bad_files)} |")
    print(f"| bad JSONL lines rejected | {sum(line_reasons.values())} |")
    print(f"| lost (good input missing) | {len(lost)} |")
    print(f"| outcomes other than expected | {len(errors)} |")
    print(f"| crashes | {crashes} |")
    print(f"| run wall time | {wall:.0f} s ({summary.articles_written:,} articles written) |")
    print(f"| peak RSS, run process | {self_mb:.0f} MB |")
    print(f"| peak RSS, largest worker | {child_mb:.0f} MB |")
    print()
    print("file-level reject reasons: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
    print("line-level reject reasons: " + ", ".join(f"{k} {v}" for k, v in sorted(line_reasons.items())))
    for e in errors[:20]:
        print("UNEXPECTED", e)
    if not args.keep:
        shutil.rmtree(args.workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
