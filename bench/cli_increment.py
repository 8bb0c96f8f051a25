#!/usr/bin/env python3
"""A nightly increment as users run it, `framewatch run` (the CLI, with its temporary
Prefect server), beside the same command on a baseline revision, alternating.

    .venv/bin/python bench/cli_increment.py [--baseline REV] [--repeat 4] [--limit N]

The AllSides corpus is split as bench/incremental_lineage.py's "nightly" increment: the
newest 1% of the dated articles are the night's new file, the rest the archive. The
archive's warehouse is built once (in-process, the current code); then, `--repeat` times,
for the baseline and the current code in turn, a copy of it gets the new file and one
`framewatch run` (a fresh process: `python -m flows.cli run` with the revision's flows/
and transforms/ first on the path). From Prefect's log lines (INFO) each run gives:
  process   the plan task's end to the last process-batch task's end (the increment's work)
  commit    that to the commit task's end (stories, links, the atomic commit)
  wall      the whole command, Prefect's start and stop included
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

_LINE = re.compile(r"^(\d\d):(\d\d):(\d\d\.\d+) \| INFO +\| Task run '([a-z-]+)-[0-9a-f]+' - Finished in state Completed")


def checkout(rev: str, into: Path) -> Path:
    """flows/ and transforms/ of `rev` (git archive) in `into`."""
    data = subprocess.run(["git", "-C", str(REPO), "archive", rev, "flows", "transforms"],
                          check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def spans(log: str) -> dict[str, float]:
    ends: dict[str, float] = {}
    for line in log.splitlines():
        m = _LINE.match(line)
        if m:
            h, mi, s, task = m.groups()
            ends[task] = int(h) * 3600 + int(mi) * 60 + float(s)   # the last one of each task name
    return {"process": ends["process-batch"] - ends["plan"], "commit": ends["commit"] - ends["process-batch"]}


def cli_run(code: Path, raw: Path, wh: Path, home: Path) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(PREFECT_HOME=str(home), PREFECT_LOGGING_LEVEL="INFO", PREFECT_SERVER_ANALYTICS_ENABLED="false",
               DO_NOT_TRACK="1", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
               PYTHONPATH=str(code), COLUMNS="200")
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "flows.cli", "run", "--raw", str(raw), "--warehouse", str(wh),
                           "--reports", str(wh.parent / "reports"), "--workers", "2"],
                          cwd=code, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode:
        raise RuntimeError(f"framewatch run failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return {**spans(proc.stdout + proc.stderr), "wall": wall}


def main() -> int:
    import incremental_lineage as inc

    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="HEAD~1")
    ap.add_argument("--repeat", type=int, default=4)
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args()
    with gzip.open(inc.CORPUS, "rt") as fh:
        records = [json.loads(line) for _, line in zip(range(args.limit or 10**9), fh)]
    extra = max(1, len(records) // 100)
    dated = sorted((r for r in records if r.get("date")), key=lambda r: (r["date"], r["ID"]))
    newest = {id(r) for r in dated[-extra:]}
    with tempfile.TemporaryDirectory(prefix="framewatch-cli-inc-") as tmp:
        work = Path(tmp)
        codes = {"baseline": checkout(args.baseline, work / "baseline"), "current": REPO}
        archive = work / "archive"
        (archive / "raw").mkdir(parents=True)
        inc.write(archive / "raw" / "archive.jsonl.gz", [r for r in records if id(r) not in newest])
        inc.run(archive / "raw", archive / "wh", 2)
        inc.write(work / "increment.jsonl.gz", [r for r in records if id(r) in newest])
        got: dict[str, list[dict[str, float]]] = {name: [] for name in codes}
        for i in range(args.repeat):
            for name, code in (codes.items() if i % 2 == 0 else reversed(codes.items())):
                run_dir = work / f"{name}-{i}"
                shutil.copytree(archive, run_dir)
                shutil.copy(work / "increment.jsonl.gz", run_dir / "raw" / "increment.jsonl.gz")
                got[name].append(cli_run(code, run_dir / "raw", run_dir / "wh", work / "home"))
                shutil.rmtree(run_dir)
                print(name, i, got[name][-1], flush=True)

    print(f"\n# framewatch run on a nightly increment: {len(records) - extra} archived + {extra} new AllSides "
          f"articles, 2 workers, {os.cpu_count()} cores, python {sys.version.split()[0]}, {dt.date.today()}")
    print(f"command: python bench/cli_increment.py --baseline {args.baseline} --repeat {args.repeat}\n")
    print("| seconds (median of runs; each run) | baseline " + args.baseline + " | current | ratio |")
    print("|---|---:|---:|---:|")
    for key in ("process", "commit", "wall"):
        b = [r[key] for r in got["baseline"]]
        c = [r[key] for r in got["current"]]
        each = lambda xs: ", ".join(f"{x:.2f}" for x in xs)
        print(f"| {key} | {statistics.median(b):.2f} ({each(b)}) | {statistics.median(c):.2f} ({each(c)}) | "
              f"{statistics.median(b) / statistics.median(c):.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
