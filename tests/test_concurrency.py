"""Two runs on one warehouse, and queries during a run (issue 8): the second run exits
with a clear message (or, with --wait, waits and then completes); a query during a run
sees the last committed state; nothing is corrupted."""
import subprocess
import time

from flows.warehouse import connect

from . import crashkit


def _wait_for(path, seconds=120):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if path():
            return True
        time.sleep(0.2)
    return False


def test_second_run_exits_or_waits_queries_see_last_commit(tmp_path):
    raw = crashkit.make_raw(tmp_path / "raw", records=60)
    clean = tmp_path / "clean"
    assert crashkit.start(raw, clean).wait(timeout=600) == 0
    wh = tmp_path / "wh"
    (tmp_path / "later").mkdir()
    (raw / "records.jsonl").rename(tmp_path / "later" / "records.jsonl")
    assert crashkit.start(raw, wh).wait(timeout=600) == 0          # committed: the seeds only
    before = crashkit.content(wh)
    (tmp_path / "later" / "records.jsonl").rename(raw / "records.jsonl")

    first = crashkit.start(raw, wh, failpoint="lineage/hang")       # holds the lock, work staged, not committed
    try:
        assert _wait_for(lambda: any((wh / "_staging").rglob("*.parquet")))
        time.sleep(1.0)
        assert crashkit.content(wh) == before                      # a query sees the last committed state
        assert connect(wh).execute("select count(*) from articles").fetchone()[0] == 5

        second = crashkit.start(raw, wh, wait=False, stderr=subprocess.PIPE, text=True)
        _, err = second.communicate(timeout=300)
        assert second.returncode != 0
        assert "another framewatch run is writing to" in err and "--wait" in err

        third = crashkit.start(raw, wh, wait=True)                  # waits for the lock
        time.sleep(3.0)
        assert third.poll() is None
    finally:
        first.kill()
        first.wait(timeout=60)
    assert third.wait(timeout=600) == 0                             # then recovers and completes
    assert crashkit.content(wh) == crashkit.content(clean)
    assert crashkit.stray_files(wh) == []
