"""A run killed with SIGKILL at random moments (reading, processing, writing Parquet,
committing) leaves the last committed state readable, and the next run completes the
work: the warehouse then equals a clean run's, with no duplicates and nothing missing."""
import json
import os
import random
import signal
import subprocess
import sys
import time


from flows.warehouse import connect

from .conftest import REPO, copy_seeds

RUN = """
import datetime as dt, sys
from flows import runs
from flows.storage import Warehouse
wh = Warehouse(sys.argv[2])
with wh.lock(wait=True):
    wh.recover()
    plan = runs.plan_run(sys.argv[1], wh)
    writer = runs.RunWriter(wh, plan, dt.datetime.now(dt.timezone.utc))
    for batch in plan.batches(2):
        runs.process_and_stage(writer, sys.argv[1], batch)
    writer.finish()
"""


def _make_raw(path):
    copy_seeds(path)
    with open(path / "records.jsonl", "w", encoding="utf-8") as fh:
        for i in range(300):
            fh.write(json.dumps({"content": f"Report {i}: protesters and police clashed in Almaty; "
                                            f"{i + 3} people were detained, officials said.", "source": "Reuters",
                                 "date": "2022-01-07"}) + "\n")


def _run(raw, wh):
    return subprocess.Popen([sys.executable, "-c", RUN, str(raw), str(wh)], cwd=REPO,
                            env=dict(os.environ, PYTHONPATH=str(REPO)))


def _content(wh):
    con = connect(wh)
    out = {}
    for table, cols in {"articles": "article_id, source, publisher, provenance", "article_sources": "article_id, source, record",
                        "term_hits": "article_id, start, term", "features": "article_id, word_count",
                        "figures": "article_id, start, value", "rejects": "source, record, reason"}.items():
        out[table] = con.execute(f"select {cols} from {table} order by all").fetchall()
    return out


def test_sigkill_at_random_points_then_rerun_equals_clean_run(tmp_path):
    raw = tmp_path / "raw"
    _make_raw(raw)
    assert _run(raw, tmp_path / "clean").wait(timeout=300) == 0
    clean = _content(tmp_path / "clean")
    assert len(clean["articles"]) == 305 and not clean["rejects"]
    rng = random.Random(7)
    for i in range(4):
        wh = tmp_path / f"wh{i}"
        proc = _run(raw, wh)
        time.sleep(rng.uniform(1.0, 6.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        if (wh / "_CURRENT").exists():          # killed after the commit point: complete
            assert _content(wh) == clean
        assert _run(raw, wh).wait(timeout=300) == 0
        assert _content(wh) == clean, f"kill {i}"
        leftovers = [p for p in (wh / "_staging").iterdir()]
        assert leftovers == []
