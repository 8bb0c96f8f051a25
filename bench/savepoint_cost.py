#!/usr/bin/env python3
"""What a batch's savepoint costs as the warehouse grows (issue 7: the parent's work per
batch should follow the batch, not the archive).

    .venv/bin/python bench/savepoint_cost.py [--sizes 12000,100000,1000000] [--batches 20]

RunWriter.mark() is taken once per batch of 250 files (flows/runs.process_and_stage), and
the writer knows every stored article id. For each size, a real RunWriter on an empty
warehouse is given that many synthetic ids (20-hex-character, as article ids are) as its
committed state; then `--batches` rounds of mark(), 250 new ids added as add() adds a
batch's fresh ids, and rollback() are timed. Baseline in the same run: the copy of the id set that mark()
made before (`set(known)`), timed on the same set.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.getcwd())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="12000,100000,1000000")
    ap.add_argument("--batches", type=int, default=20)
    args = ap.parse_args()

    from flows import runs
    from flows.storage import Warehouse

    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        (raw / "one.txt").write_text("Title\n\nA body of one article.\n", encoding="utf-8")
        wh = Warehouse(Path(tmp) / "wh")
        print("| stored ids | mark + 250 ids + rollback (ms) | the old mark's copy of the ids (ms) | ratio |")
        print("|---:|---:|---:|---:|")
        with wh.lock():
            plan = runs.plan_run(raw, wh)
            writer = runs.RunWriter(wh, plan, dt.datetime.now(dt.timezone.utc))
            try:
                for size in (int(s) for s in args.sizes.split(",")):
                    writer.known = {hashlib.sha256(str(i).encode()).hexdigest()[:20] for i in range(size)}
                    new, copy = 0.0, 0.0
                    for b in range(args.batches):
                        ids = [hashlib.sha256(f"new{b}-{i}".encode()).hexdigest()[:20] for i in range(250)]
                        t0 = time.perf_counter()
                        mark = writer.mark()
                        writer.known.update(ids)          # what add() does with a batch's fresh ids
                        writer._added.extend(ids)
                        writer.rollback(mark)
                        t1 = time.perf_counter()
                        _ = set(writer.known)
                        t2 = time.perf_counter()
                        new += t1 - t0
                        copy += t2 - t1
                    assert len(writer.known) == size
                    n = args.batches
                    print(f"| {size:,} | {1000 * new / n:.3f} | {1000 * copy / n:.3f} | {copy / new:.0f}x |")
            finally:
                writer.abort()


if __name__ == "__main__":
    main()
