#!/usr/bin/env python3
"""What a run's plan costs on an archive of many files: every file read and hashed, or
only the files whose status changed (flows/hashcache.py).

    .venv/bin/python bench/plan_cost.py [--files 20000] [--kb 5] [--rounds 3] [--baseline REV]

Writes `--files` page-text files of about `--kb` KB (1,000 to a folder, as a crawl's dump
would be); no warehouse is committed (plan_run discovers and hashes every file all the
same). Timed, each plan in a fresh process as a run's, alternating, `--rounds` times: the
baseline revision's plan (every file resolved, read and hashed, as every run did), the
current plan with `--full` (every file read and hashed) and the current plan of a nightly
run on the unchanged archive (files' statuses unchanged: no file read). Then 1% of the
files are rewritten and the nightly plan is timed again. The files sit in the OS page
cache throughout, the best case for reading them; from a cold disk, or a network
file system, every read costs more.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


_CHILD = r"""
import json, sys, time
from pathlib import Path
from flows import runs
from flows.storage import Warehouse
raw, wh, full = Path(sys.argv[1]), Warehouse(Path(sys.argv[2])), sys.argv[3] == "full"
with wh.lock():
    t = time.perf_counter()
    p = runs.plan_run(raw, wh, full=full)
    s = time.perf_counter() - t
print(json.dumps({"seconds": s, "hashed": getattr(p, "files_hashed", None)}))
"""


def plan(code: Path, raw: Path, wh: Path, full: bool) -> dict:
    """One plan in a fresh process (the revision's flows/ first on the path), as a run's."""
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(raw), str(wh), "full" if full else "nightly"],
                          cwd=code, env={**os.environ, "PYTHONPATH": str(code)}, capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout.splitlines()[-1])


def cache_memory(n: int) -> int:
    """A cache of `n` synthetic entries (one raw folder), written, then loaded with
    tracemalloc on: what the run's parent holds for it during a plan."""
    import hashlib
    import tracemalloc

    import pyarrow as pa
    import pyarrow.parquet as pq

    from flows.hashcache import HashCache
    from transforms.schema import RAW_HASH_CACHE

    with tempfile.TemporaryDirectory(prefix="framewatch-cache-") as tmp:
        path = Path(tmp) / "raw_hashes.parquet"
        rels = [f"{i // 1000:04d}/page-{i}.txt" for i in range(n)]
        cols = [pa.array(["/data/raw"] * n), pa.array(rels), pa.array(range(5000, 5000 + n), pa.int64()),
                pa.array(range(n), pa.int64()), pa.array(range(n), pa.int64()), pa.array(range(n), pa.uint64()),
                pa.array([2049] * n, pa.uint64()),
                pa.array([hashlib.sha256(r.encode()).hexdigest() for r in rels])]
        pq.write_table(pa.Table.from_arrays(cols, schema=RAW_HASH_CACHE), path)
        del cols, rels
        cache = HashCache(path, "/data/raw")   # /data/raw need not exist: _load is called directly
        t = time.perf_counter()
        cache.known = cache._load()
        seconds = time.perf_counter() - t       # untraced
        cache.known = None
        tracemalloc.start()
        cache.known = cache._load()
        held, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert len(cache.known) == n
        size = path.stat().st_size
    print(f"command: python bench/plan_cost.py --cache-entries {n}\n")
    print("| cache entries | file | load | held after loading | peak while loading |")
    print("|---:|---:|---:|---:|---:|")
    print(f"| {n:,} | {size / 2**20:.0f} MB | {seconds:.2f} s | {held / 2**20:.0f} MB ({held / n:.0f} B a file) | "
          f"{peak / 2**20:.0f} MB |")
    return 0


def main() -> int:
    sys.path.insert(0, str(REPO / "bench"))
    import cli_increment
    from flows import hashcache

    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=20000)
    ap.add_argument("--kb", type=float, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baseline", default="7be8526")
    ap.add_argument("--cache-entries", type=int, default=0,
                    help="instead: the memory and load time of a hash cache of this many files")
    args = ap.parse_args()
    if args.cache_entries:
        return cache_memory(args.cache_entries)
    sentence = "Protesters gathered in the square on Monday, officials said, and police detained dozens. "
    body = (sentence * int(args.kb * 1024 / len(sentence) + 1)).encode()
    with tempfile.TemporaryDirectory(prefix="framewatch-plan-") as tmp:
        raw, wh = Path(tmp) / "raw", Path(tmp) / "wh"
        for i in range(args.files):
            folder = raw / f"{i // 1000:04d}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"page-{i}.txt").write_bytes(f"Title {i}\n\n".encode() + body)
        time.sleep(hashcache.RACY_SECONDS + 0.5)   # settled files: their hashes are kept
        base = cli_increment.checkout(args.baseline, Path(tmp) / "baseline")
        plan(REPO, raw, wh, True)   # the first plan: hashes every file and keeps the hashes
        got: dict[str, list[float]] = {"baseline": [], "full": [], "nightly": []}
        for _ in range(args.rounds):
            got["baseline"].append(plan(base, raw, wh, False)["seconds"])
            r = plan(REPO, raw, wh, True)
            assert r["hashed"] == args.files
            got["full"].append(r["seconds"])
            r = plan(REPO, raw, wh, False)
            assert r["hashed"] == 0
            got["nightly"].append(r["seconds"])
        changed = sorted(raw.rglob("*.txt"))[:: 100]
        for f in changed:
            f.write_bytes(f.read_bytes().replace(b"Title", b"Story", 1))
        r = plan(REPO, raw, wh, False)
        assert r["hashed"] == len(changed), (r["hashed"], len(changed))
        one_percent = r["seconds"]
    mb = args.files * len(body) / 2**20
    print(f"command: python bench/plan_cost.py --files {args.files} --kb {args.kb} --rounds {args.rounds} "
          f"--baseline {args.baseline}")
    print(f"{args.files} files, {mb:.0f} MB, {os.cpu_count()} cores, python {sys.version.split()[0]}\n")
    print("| plan of a nightly run over the archive (a fresh process each) | seconds: median (each) | per file | ratio |")
    print("|---|---:|---:|---:|")
    b = statistics.median(got["baseline"])
    each = lambda xs: ", ".join(f"{x:.2f}" for x in xs)
    rows = [(f"baseline {args.baseline}: every file resolved, read and hashed", got["baseline"]),
            ("current, `--full`: every file read and hashed", got["full"]),
            ("current, nothing changed: no file read", got["nightly"]),
            (f"current, 1% of the files rewritten ({len(changed)} read)", [one_percent])]
    for label, xs in rows:
        m = statistics.median(xs)
        print(f"| {label} | {m:.2f} ({each(xs)}) | {1e6 * m / args.files:.0f} us | {b / m:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
