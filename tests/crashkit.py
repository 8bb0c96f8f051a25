"""Kill a real run with SIGKILL, rerun it, and compare the warehouse with a clean run's.

Used by tests/test_crash.py (a few points, in make test) and bench/crash_points.py
(20 points, figures in BENCHMARKS.md). A kill lands either at a named failpoint
(flows/failpoints.py: the moments inside staging and the commit that random timing
rarely hits) or after a random delay (mostly during extraction)."""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"

RUN = """
import datetime as dt, sys
from flows import runs
from flows.storage import Warehouse
wh = Warehouse(sys.argv[2])
with wh.lock(wait=sys.argv[3] == "wait"):
    wh.recover()
    plan = runs.plan_run(sys.argv[1], wh)
    writer = runs.RunWriter(wh, plan, dt.datetime.now(dt.timezone.utc))
    for batch in plan.batches(2):
        runs.process_and_stage(writer, sys.argv[1], batch)
    writer.finish()
"""

# named points (flows/failpoints.py), in the order a run passes them
POINTS = ["unit@2", "stage@1", "stage@4", "unit@4", "stage@9", "lineage", "stage@12", "commit:moved@1",
          "commit:moved@6", "commit:manifest", "commit:current", "commit:gc", "db-file"]
AFTER_COMMIT = {"commit:current", "commit:gc", "db-file"}   # the killed run's work is already published


def make_raw(path: Path, records: int = 300) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for p in sorted(RAW.glob("*.txt")):
        (path / p.name).write_bytes(p.read_bytes())
    with open(path / "records.jsonl", "w", encoding="utf-8") as fh:
        for i in range(records):
            fh.write(json.dumps({"content": f"Report {i}: protesters and police clashed in Almaty; "
                                            f"{i + 3} people were detained, officials said.", "source": "Reuters",
                                 "date": "2022-01-07"}) + "\n")
    (path / "empty.txt").write_bytes(b"")
    return path


def env() -> dict[str, str]:
    """This environment, with the repo importable and no failpoint set."""
    out = dict(os.environ, PYTHONPATH=str(REPO))
    out.pop("FRAMEWATCH_FAILPOINT", None)
    return out


def start(raw: Path, wh: Path, failpoint: str | None = None, wait: bool = True, **popen) -> subprocess.Popen:
    environ = env()
    if failpoint:
        environ["FRAMEWATCH_FAILPOINT"] = failpoint
    return subprocess.Popen([sys.executable, "-c", RUN, str(raw), str(wh), "wait" if wait else "nowait"],
                            cwd=REPO, env=environ, **popen)


def content(wh: Path) -> dict[str, list]:
    from flows.warehouse import connect

    con = connect(wh)
    out = {}
    for table, cols in {"articles": "article_id, source, publisher, provenance", "article_sources": "article_id, source, record",
                        "term_hits": "article_id, start, term", "features": "article_id, word_count",
                        "figures": "article_id, start, value", "stories": "article_id, story_id",
                        "links": "article_a, article_b, kind", "rejects": "source, record, reason"}.items():
        out[table] = con.execute(f"select {cols} from {table} order by all").fetchall()
    return out


def stray_files(wh: Path) -> list[str]:
    """Files no kept manifest accounts for: staging left-overs, unreferenced data files,
    half-written temporaries (the raw files' hash cache, `_cache/`, is no table's)."""
    live = set()    # files of the kept manifests (readers of an older one get a grace period)
    for m in (wh / "_manifests").glob("*.json"):
        live.update(p for files in json.loads(m.read_text(encoding="utf-8"))["files"].values() for p in files)
    out = [str(p.relative_to(wh)) for p in (wh / "_staging").rglob("*") if p.is_file()]
    out += [str(p.relative_to(wh)) for p in wh.rglob("*.parquet")
            if p.name != "_empty.parquet" and not {"_staging", "_cache"} & set(p.parts)
            and str(p.relative_to(wh)) not in live]
    out += [str(p.relative_to(wh)) for p in wh.rglob(".*.tmp-*")]
    return out


@dataclass
class Kill:
    point: str                 # failpoint name or "t+<seconds>"
    died: bool                 # the run really died by SIGKILL (not finished before it)
    committed: bool            # the killed run had passed the commit point
    equal_after_kill: bool | None   # committed state right after the kill equals the clean run (if committed)
    equal_after_rerun: bool
    duplicates: int            # article ids stored twice after the rerun
    missing: int               # clean-run articles missing after the rerun
    strays: int                # left-over files after the rerun


def kill_and_rerun(raw: Path, wh: Path, clean: dict[str, list], point: str | None = None,
                   delay: float | None = None) -> Kill:
    proc = start(raw, wh, point)
    if point is None:
        started_work(proc, wh)
        time.sleep(delay or 0.0)
        proc.send_signal(signal.SIGKILL)
    code = proc.wait(timeout=600)
    died = code == -signal.SIGKILL
    committed = (wh / "_CURRENT").exists()
    after_kill = content(wh) == clean if committed else None
    assert start(raw, wh).wait(timeout=600) == 0
    got = content(wh)
    ids = [r[0] for r in got["articles"]]
    return Kill(point or f"t+{delay:.1f}s", died, committed, after_kill, got == clean, len(ids) - len(set(ids)),
                len({r[0] for r in clean["articles"]} - set(ids)), len(stray_files(wh)))


def started_work(proc: subprocess.Popen, wh: Path, timeout: float = 300) -> None:
    """Wait until the run holds the warehouse lock (its imports are done: a kill before
    that would test nothing)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        try:
            if f"pid {proc.pid} " in (wh / "_lock").read_text(encoding="utf-8"):
                return
        except OSError:
            pass
        time.sleep(0.02)


def timed_clean_run(raw: Path, wh: Path) -> float:
    """A clean run; returns the seconds of its work (from taking the lock to the end)."""
    proc = start(raw, wh)
    started_work(proc, wh)
    t = time.monotonic()
    assert proc.wait(timeout=900) == 0
    return time.monotonic() - t


def plan(n_random: int, clean_seconds: float, seed: int = 7) -> list[tuple[str | None, float | None]]:
    """Every named point, then kills at random moments of the work of a run as long as
    the clean one (`clean_seconds` from taking the lock)."""
    rng = random.Random(seed)
    return [(p, None) for p in POINTS] + [(None, rng.uniform(0.0, 0.9 * clean_seconds)) for _ in range(n_random)]
