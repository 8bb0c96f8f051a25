#!/usr/bin/env python3
"""What a nightly increment costs beside the full run, and how close its incremental
stories and copy links are to a full recomputation.

    .venv/bin/python bench/incremental_lineage.py [--limit N] [--workers 2]

Two increments of 1% of the AllSides corpus (../shared/corpora/allsides/articles.jsonl.gz):
  nightly    the newest 1% of the dated articles (what a nightly run adds to an archive)
  scattered  1% drawn at random over every date, undated ones included (a backfill)
The nightly increment is timed twice, on copies of the same warehouse: with the pool the
first run's finish() left (none: its workers start cold and load everything on their first
articles), and with the pool started warm first, as `framewatch run` starts it (during
Prefect's start, which these timings leave out) and a deployment's fork server warms once.
For each: a full run on the other 99% (the baseline, timed), then the run that adds the
1% (timed: plan + process + commit, as the nightly flow does them, without Prefect's
fixed start), then stories and links recomputed from scratch over the same warehouse
(`flows.lineage_store.update(full=True)` in a transaction that is not committed) and
compared with the incremental ones:
  story pairs  pairwise precision/recall of "same story" (incremental vs full)
  same story   share of articles whose story has exactly the same members in both
  links        links in one and not the other
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.append(str(REPO))   # appended: a revision's code on PYTHONPATH (bench/commit_cost.py) comes first
CORPUS = REPO.parent / "shared" / "corpora" / "allsides" / "articles.jsonl.gz"


def warm_pool(workers: int) -> None:
    """Start the pool as `framewatch run` does before Prefect's start (runs.start_pool: each
    worker warms up in its initializer) and wait until every worker is warm."""
    import time as _time

    from flows import runs

    runs.start_pool(workers)
    pool = runs._pool(workers)
    for f in [pool.submit(_time.sleep, 0.05) for _ in range(2 * workers)]:
        f.result()   # a worker takes work only after its initializer (the warm-up) returned


def run(raw: Path, wh_dir: Path, workers: int) -> dict:
    from flows import runs
    from flows.storage import Warehouse

    wh = Warehouse(wh_dir)
    with wh.lock():
        t0 = time.perf_counter()
        plan = runs.plan_run(raw, wh)
        writer = runs.RunWriter(wh, plan, dt.datetime.now(dt.timezone.utc))
        for b in plan.batches(250):
            runs.process_and_stage(writer, str(raw), b, workers)
        t1 = time.perf_counter()
        writer.finish()
        t2 = time.perf_counter()
    return {"process": t1 - t0, "commit": t2 - t1, "total": t2 - t0, "lineage": writer.lineage}


def same_story_pairs(stories: dict[str, str]) -> set[tuple[str, str]]:
    groups = defaultdict(list)
    for a, s in stories.items():
        groups[s].append(a)
    return {(x, y) for g in groups.values() for x in g for y in g if x < y}


def compare(wh_dir: Path) -> dict:
    from flows import lineage_store
    from flows.storage import Warehouse

    wh = Warehouse(wh_dir)
    with wh.lock():
        tx = wh.begin("compare")
        inc_st = dict(zip(*[tx.read("stories")[c].to_pylist() for c in ("article_id", "story_id")]))
        inc_ln = {(a, b, k) for a, b, k in zip(*[tx.read("links")[c].to_pylist() for c in ("article_a", "article_b", "kind")])}
        lineage_store.update(tx, "compare", set(), set(), True)
        full_st = dict(zip(*[tx.read("stories")[c].to_pylist() for c in ("article_id", "story_id")]))
        full_ln = {(a, b, k) for a, b, k in zip(*[tx.read("links")[c].to_pylist() for c in ("article_a", "article_b", "kind")])}
        tx.abort()
    assert inc_st.keys() == full_st.keys(), "every article has one story in both"
    pi, pf = same_story_pairs(inc_st), same_story_pairs(full_st)
    members_i, members_f = defaultdict(set), defaultdict(set)
    for a, s in inc_st.items():
        members_i[s].add(a)
    for a, s in full_st.items():
        members_f[s].add(a)
    same = sum(members_i[inc_st[a]] == members_f[full_st[a]] for a in inc_st)
    return {"articles": len(inc_st), "pairs_inc": len(pi), "pairs_full": len(pf),
            "precision": len(pi & pf) / len(pi) if pi else 1.0, "recall": len(pi & pf) / len(pf) if pf else 1.0,
            "same_story": same / len(inc_st), "links_inc": len(inc_ln), "links_full": len(full_ln),
            "links_only_inc": len(inc_ln - full_ln), "links_only_full": len(full_ln - inc_ln)}


def write(path: Path, records: list[dict]) -> None:
    with gzip.open(path, "wt") as out:
        for r in records:
            out.write(json.dumps(r) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--keep", type=Path, default=None)
    args = ap.parse_args()
    if not CORPUS.exists():
        print(f"corpus missing: {CORPUS}")
        return 1
    with gzip.open(CORPUS, "rt") as fh:
        records = [json.loads(line) for _, line in zip(range(args.limit or 10**9), fh)]
    extra = max(1, len(records) // 100)
    dated = sorted((r for r in records if r.get("date")), key=lambda r: (r["date"], r["ID"]))
    newest = {id(r) for r in dated[-extra:]}
    scattered = {id(r) for r in random.Random(7).sample(records, extra)}
    work = args.keep or Path(tempfile.mkdtemp(prefix="framewatch-inc-"))
    shutil.rmtree(work, ignore_errors=True)
    results, warm_results = [], []
    try:
        for name, chosen in (("nightly", newest), ("scattered", scattered)):
            raw, wh = work / name / "raw", work / name / "wh"
            raw.mkdir(parents=True)
            write(raw / "archive.jsonl.gz", [r for r in records if id(r) not in chosen])
            full = run(raw, wh, args.workers)
            if name == "nightly":
                shutil.copytree(wh, work / name / "wh-warm")
            write(raw / "increment.jsonl.gz", [r for r in records if id(r) in chosen])
            inc = run(raw, wh, args.workers)
            results.append((name, full, inc, compare(wh)))
            if name == "nightly":
                # the same increment with the pool started warm, as framewatch run starts it
                # (during Prefect's start, which these timings leave out) and as a deployment's
                # fork server does once: the cold pool above loads everything on its first articles
                warm_pool(args.workers)
                warm_results.append((name, full, run(raw, work / name / "wh-warm", args.workers)))
            print(name, "done", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print(f"\n# incremental lineage: {len(records)} AllSides articles, +{extra} (1%), {args.workers} workers, "
          f"{os.cpu_count()} cores, python {sys.version.split()[0]}")
    print(f"command: python bench/incremental_lineage.py {' '.join(sys.argv[1:])}\n")
    print("| increment | full run on 99% (s) | increment run (s): process + commit | ratio | lineage | articles re-clustered |")
    print("|---|---:|---:|---:|---|---:|")
    for name, full, inc, _ in results:
        lin = inc["lineage"]
        print(f"| {name} | {full['total']:.1f} | {inc['total']:.1f} = {inc['process']:.1f} + {inc['commit']:.1f} | "
              f"{inc['total'] / full['total']:.3f}x | {lin.mode} | {lin.window} |")
    for name, full, inc in warm_results:
        lin = inc["lineage"]
        print(f"| {name}, pool started warm (as framewatch run starts it) | {full['total']:.1f} | "
              f"{inc['total']:.1f} = {inc['process']:.1f} + {inc['commit']:.1f} | "
              f"{inc['total'] / full['total']:.3f}x | {lin.mode} | {lin.window} |")
    print("\n| increment | articles | same-story pairs: incremental / full | pair precision | pair recall | "
          "articles whose story is identical | links: incremental / full | only incremental | only full |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, _, _, c in results:
        print(f"| {name} | {c['articles']} | {c['pairs_inc']} / {c['pairs_full']} | {c['precision']:.4f} | "
              f"{c['recall']:.4f} | {c['same_story']:.4f} | {c['links_inc']} / {c['links_full']} | "
              f"{c['links_only_inc']} | {c['links_only_full']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
