#!/usr/bin/env python3
"""Peak memory of the commit's stories step alone (a full recomputation), on a kept warehouse.

    .venv/bin/python bench/stories_memory.py --warehouse /tmp/wh4 [--replicas 4] [--workers 2]

The first call builds the warehouse in `--warehouse` from the AllSides corpus replicated
`--replicas` times (throughput.pipeline, as bench/memory_profile.py runs it: ~10 min at 4x);
later calls reuse it, so the stories step (flows/lineage_store._stories over every article,
transforms/lineage.cluster_stories) is measured in a minute instead of a whole run. In a
fresh process, after its imports and the DuckDB views: the peak resident size during
`_stories` (VmHWM, reset just before it), the peak seen inside each clustering step (a
thread reads VmRSS every 5 ms), and a digest of the (article_id, story_id) rows, so that
two versions of the code can be checked for identical stories. Run it from the worktree
whose code is to be measured (it imports `flows` and `transforms` from the current directory).
"""
from __future__ import annotations

import argparse
import hashlib
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, os.getcwd())
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _status(key: str) -> int:
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) // 1024
    return 0


def build(root: Path, replicas: int, workers: int) -> None:
    import throughput

    n = throughput.make_corpus(root / "raw", None, replicas)
    t = throughput.pipeline(root / "raw", root / "wh", workers)
    print(f"built {n} articles in {t['total']:.0f} s ({root / 'wh'})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--warehouse", type=Path, required=True, help="folder: built here if it has no warehouse yet")
    ap.add_argument("--replicas", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    if not (args.warehouse / "wh" / "_CURRENT").exists():
        build(args.warehouse, args.replicas, args.workers)
    from flows import lineage_store
    from flows.storage import Warehouse
    from transforms import lineage

    stage, peaks, done = ["_stories"], {}, threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss, where = _status("VmRSS"), stage[-1]
            peaks[where] = max(peaks.get(where, 0), rss)
            time.sleep(0.005)

    def marked(fn, name):
        def run(*a, **k):
            stage.append(name)
            try:
                return fn(*a, **k)
            finally:
                stage.pop()
        return run

    for name in ("_vectors", "_similar_pairs", "_relative", "_average_linkage"):
        setattr(lineage, name, marked(getattr(lineage, name), name))
    wh = Warehouse(args.warehouse / "wh")
    with wh.lock():
        tx = wh.begin("stories-memory")
        t = lineage_store._Tables(tx)
        try:
            for table in ("articles", "lineage_index", "stories", "links"):
                t.view(table)
            base = _status("VmRSS")
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")   # resets VmHWM
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            t0 = time.perf_counter()
            stories = lineage_store._stories(t, None, set(), "stories-memory")
            seconds = time.perf_counter() - t0
            done.set()
            sampler.join()
            hwm = _status("VmHWM")
        finally:
            t.con.close()
            tx.abort()
    rows = stories.select(["article_id", "story_id"]).to_pylist()
    digest = hashlib.sha1(repr(rows).encode()).hexdigest()[:16]
    print(f"{len(rows)} articles, {len({r['story_id'] for r in rows})} stories, digest {digest}, {seconds:.1f} s")
    print(f"VmRSS before {base} MB; VmHWM during _stories {hwm} MB (+{hwm - base})")
    for name, mb in peaks.items():
        print(f"  peak VmRSS in {name}: {mb} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
