"""A full disk, for real: a small tmpfs mounted as the warehouse's file system, filled.

A run on a full disk fails at once with one line (it retried each batch twice, 2 and 15 s
apart, and ended in a 300-line traceback), the warehouse keeps its last committed run, and
the run after space is freed takes up what the failed one did not commit. Mounting needs
root (as here and in CI); elsewhere the tmpfs tests are skipped.

Never point these at /dev/full: pyarrow's write_table deletes the file it failed to write,
and as root that is the device node.
"""
from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.nightly import lasting_error
from flows.warehouse import connect
from transforms.errors import PublishRefused

from .conftest import RAW, SEEDS, copy_seeds, run_once

EXE = str(Path(sys.executable).with_name("framewatch"))


def _as_users_run_it() -> dict[str, str]:
    """This environment without what changes how the CLI ends (buffered stdout, as users
    run it; no traceback switch)."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONUNBUFFERED", "FRAMEWATCH_TRACEBACK")}


def _failed_cli_run(raw: Path, wh: Path, rep: Path, **env: str) -> str:
    """`framewatch run` as a user runs it, on this session's Prefect server, with `env` added:
    it must exit 1; its standard error."""
    from prefect.settings import PREFECT_API_URL

    proc = subprocess.run([EXE, "run", "--raw", str(raw), "--warehouse", str(wh), "--reports", str(rep),
                           "--workers", "1"], capture_output=True, text=True, timeout=300,
                          env={**_as_users_run_it(), "PREFECT_API_URL": PREFECT_API_URL.value(), **env})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return proc.stderr


def _full_device_error() -> OSError:
    """The kernel's own ENOSPC: a write to /dev/full (os.write deletes nothing)."""
    fd = os.open("/dev/full", os.O_WRONLY)
    try:
        os.write(fd, b"x")
    except OSError as exc:
        return exc
    finally:
        os.close(fd)
    pytest.skip("/dev/full accepted a write")


def test_errors_a_retry_cannot_mend_are_told_from_the_others():
    enospc = _full_device_error()
    assert enospc.errno == errno.ENOSPC and lasting_error(enospc)
    try:
        try:
            raise enospc
        except OSError as inner:
            raise RuntimeError("staging a batch failed") from inner
    except RuntimeError as outer:
        assert lasting_error(outer)                                     # found through the chain
    try:
        try:
            raise enospc
        except OSError:
            raise ValueError("a bug's own error") from None
    except ValueError as hidden:
        assert not lasting_error(hidden)                                # `from None`: not its cause
    assert lasting_error(OSError("fetching: No space left on device"))  # no errno: its text
    assert lasting_error(OSError(errno.EDQUOT, os.strerror(errno.EDQUOT)))
    assert lasting_error(OSError(errno.EROFS, os.strerror(errno.EROFS)))
    assert lasting_error(PublishRefused("another run published"))
    # may pass on a retry: a dropped connection, a vanished file, a timeout, a bug's error
    for passing in (ConnectionResetError(errno.ECONNRESET, "reset"), FileNotFoundError(errno.ENOENT, "gone"),
                    TimeoutError("slow"), ValueError("a bug"), None):
        assert not lasting_error(passing), passing


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB tmpfs at tmp_path/disk, unmounted after the test."""
    disk = tmp_path / "disk"
    disk.mkdir()
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], capture_output=True)
    except FileNotFoundError:
        pytest.skip("no mount command")
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def _fill(disk: Path) -> Path:
    """Write zeros until the file system refuses: the kernel's ENOSPC, as a real disk gives
    it (in 64 KB writes, then 4 KB and single bytes for the last blocks)."""
    for size in (65536, 4096, 1):
        with open(disk / ("filler" if size == 65536 else f"filler{size}"), "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    return disk / "filler"


@needs_root
def test_duckdb_on_a_full_disk_is_a_lasting_error(small_disk):
    _fill(small_disk)
    with pytest.raises(duckdb.IOException) as raised:
        duckdb.sql(f"copy (select range from range(200000)) to '{small_disk / 'out.csv'}' (format csv)")
    assert lasting_error(raised.value), raised.value                    # its message, not an errno


@needs_root
@pytest.mark.e2e
def test_a_run_on_a_full_disk_fails_at_once_and_the_next_run_recovers(prefect_harness, small_disk, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import FlowRunSort

    from flows.nightly import nightly

    raw, wh, rep = tmp_path / "raw", small_disk / "wh", small_disk / "rep"
    raw.mkdir()
    for key in ("rt", "es", "trt", "izv"):
        (raw / SEEDS[key]).write_bytes((RAW / SEEDS[key]).read_bytes())
    first = nightly(str(raw), str(wh), str(rep), workers=1)
    assert first["articles_total"] == 4
    filler = _fill(small_disk)
    (raw / SEEDS["spun"]).write_bytes((RAW / SEEDS["spun"]).read_bytes())

    stderr = _failed_cli_run(raw, wh, rep)
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("framewatch: the run failed: OSError: [Errno 28]") and "No space left on device" in last
    assert f"Nothing is lost: the warehouse holds its last committed run, {first['run_id']} (" in last
    assert "╭" not in stderr                                           # no rich traceback

    with get_client(sync_client=True) as client:
        runs = [r for r in client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=50)
                if r.parameters.get("warehouse_dir") == str(wh)]
        failed = [r for r in runs if r.state.is_failed()]
        assert len(failed) == 1, [(r.name, r.state.type) for r in runs]
        tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[failed[0].id])))
        artifact = _artifact(client, failed[0].id, "framewatch-run-failure")
    assert "# framewatch run failed" in artifact and "No space left on device" in artifact
    assert "Nothing of this run was committed" in artifact
    batches = [t for t in tasks if t.name.startswith("process-batch")]
    assert batches and all(t.run_count == 1 and t.state.is_failed() for t in batches), \
        [(t.name, t.run_count, t.state.type) for t in batches]          # failed once: no retries

    con = connect(wh)                                                  # the last committed run, intact
    assert con.execute("select count(*) from articles").fetchone()[0] == 4
    con.close()

    for f in small_disk.glob("filler*"):
        f.unlink()
    again = nightly(str(raw), str(wh), str(rep), workers=1)
    assert (again["files_processed"], again["articles_total"], again["rejected"]) == (1, 5, 0)
    assert not filler.exists()


def _artifact(client, flow_run_id, key: str) -> str:
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, FlowRunFilter, FlowRunFilterId

    found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                                  flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
    assert len(found) == 1, found
    return found[0].data


@pytest.mark.e2e
def test_a_full_disk_after_the_commit_point_says_the_run_is_in(prefect_harness, tmp_path, monkeypatch):
    """The disk fills while framewatch.duckdb is rebuilt, after the commit point (the
    failpoint raises there the ENOSPC a real disk gives; a real one cannot be timed to that
    moment): the run still writes its reports (and would publish), then ends Failed saying
    that it is committed and what is not, as its summary artifact does (not "nothing
    committed"); no half-written copy is left; the tables hold the run, the DuckDB file the
    previous one, until the next run rebuilds it."""
    from prefect.client.orchestration import get_client

    from flows import failpoints
    from flows.nightly import nightly
    from transforms.errors import DbFileNotRebuilt

    raw, wh = tmp_path / "raw", tmp_path / "wh"
    raw.mkdir()
    for key in ("rt", "es", "trt", "izv"):
        (raw / SEEDS[key]).write_bytes((RAW / SEEDS[key]).read_bytes())
    nightly(str(raw), str(wh), str(tmp_path / "rep"), workers=1)
    (raw / SEEDS["spun"]).write_bytes((RAW / SEEDS["spun"]).read_bytes())
    monkeypatch.setenv(failpoints.ENV, "db-file/enospc")
    failpoints._counts.clear()
    state = nightly(str(raw), str(wh), str(tmp_path / "rep"), workers=1, return_state=True)
    monkeypatch.delenv(failpoints.ENV)
    assert state.is_failed()
    error = state.result(raise_on_failure=False)
    assert isinstance(error, DbFileNotRebuilt), error
    assert "is committed (articles: 1 new, 5 in the warehouse)" in str(error) and "No space left on device" in str(error)
    assert error.summary.articles_total == 5
    with get_client(sync_client=True) as client:
        artifact = _artifact(client, state.state_details.flow_run_id, "framewatch-run-summary")
    assert "The DuckDB file was not rebuilt" in artifact and "| 5 |" in artifact
    (articles_csv,) = (tmp_path / "rep").rglob("mart_articles.csv")      # rewritten by the failed run: 5 rows
    assert len(articles_csv.read_text(encoding="utf-8").splitlines()) == 1 + 5
    assert [p.name for p in wh.iterdir() if p.name.startswith(".framewatch.duckdb")] == []

    def counts() -> tuple[int, int]:
        con = connect(wh)
        tables = con.execute("select count(*) from articles").fetchone()[0]
        con.close()
        db = duckdb.connect(str(wh / "framewatch.duckdb"), read_only=True)
        in_db = db.execute("select count(*) from articles").fetchone()[0]
        db.close()
        return tables, in_db

    assert counts() == (5, 4)                           # the tables hold the run, the DuckDB file the one before
    again = nightly(str(raw), str(wh), str(tmp_path / "rep"), workers=1)
    assert (again["files_processed"], again["articles_total"]) == (0, 5)
    assert counts() == (5, 5)


@pytest.mark.e2e
def test_a_run_that_fails_after_its_commit_says_it_is_in(prefect_harness, tmp_path):
    """The CLI's one line tells which run the warehouse holds: here the run's own, since the
    disk filled (the failpoint raises the ENOSPC a real disk gives) only after its commit point,
    as old files were deleted; and before any commit, that nothing was."""
    from flows import failpoints
    from flows.storage import Warehouse

    raw, wh, rep = copy_seeds(tmp_path / "raw"), tmp_path / "wh", tmp_path / "rep"

    def run(failpoint: str) -> str:
        return _failed_cli_run(raw, wh, rep, **{failpoints.ENV: failpoint}).strip().splitlines()[-1]

    line = run("commit:manifest/enospc")                # before the commit point
    assert line.startswith("framewatch: the run failed: OSError: [Errno 28]"), line
    assert line.endswith("Nothing was committed: the warehouse is still empty, and the next run takes up every file.")
    line = run("commit:gc/enospc")                      # after it
    committed = Warehouse(wh).current()
    assert committed.run_id is not None
    assert f"This run was committed (run {committed.run_id}, {committed.created_at[:10]} " in line, line


@needs_root
def test_every_command_on_a_full_disk_says_so_in_one_line(small_disk, tmp_path):
    """report, query and extract writing onto a full disk: exit 1 and one line naming the
    command and the error (each ended in a rich traceback of 13-35 lines). Small outputs
    too, which fail only at the last flush (buffered stdout, as users run it: the old code
    and a first version of main() ended those in "Exception ignored" and exit 120)."""
    raw = copy_seeds(tmp_path / "raw")
    run_once(raw, tmp_path / "wh")                     # the warehouse is elsewhere: only the output is full
    _fill(small_disk)
    one = str(raw / SEEDS["rt"])
    calls = [
        ("report", ["--warehouse", str(tmp_path / "wh"), "--reports", str(small_disk / "rep")], None),
        ("query", ["--warehouse", str(tmp_path / "wh"), "--format", "csv", "select * from articles, range(50)"],
         small_disk / "q.csv"),
        ("query", ["--warehouse", str(tmp_path / "wh"), "--format", "csv", "select 1 as one"], small_disk / "q1.csv"),
        ("extract", [str(raw)], small_disk / "x.jsonl"),
        ("extract", [one], small_disk / "x1.jsonl"),
    ]
    env = _as_users_run_it()
    for command, args, out in calls:
        with open(out or os.devnull, "w") as sink:
            proc = subprocess.run([EXE, command, *args], stdout=sink, stderr=subprocess.PIPE, text=True,
                                  timeout=120, env=env)
        assert (proc.returncode, proc.stderr.splitlines()) == (
            1, [f"framewatch {command}: OSError: [Errno 28] No space left on device"]), (command, args, proc.stderr[-2000:])


def test_a_closed_pipe_ends_quietly(tmp_path):
    """`framewatch extract ... | head` with head gone: exit 1, nothing on stderr (a first
    version of main() said BrokenPipeError, then "Exception ignored", exit 120)."""
    read, write = os.pipe()
    os.close(read)                                      # the reader has gone before anything is written
    env = _as_users_run_it()
    try:
        proc = subprocess.run([EXE, "extract", str(RAW / SEEDS["rt"])], stdout=write, stderr=subprocess.PIPE,
                              text=True, timeout=120, env=env)
    finally:
        os.close(write)
    assert (proc.returncode, proc.stderr) == (1, "")


@pytest.mark.e2e
def test_a_warehouse_url_gets_the_commit_whose_duckdb_file_failed(prefect_harness, tmp_path, monkeypatch):
    """With a warehouse URL the commit is published all the same (a later pull, from another
    copy, has it): a DuckDB file that could not be rebuilt does not throw the run away."""
    import fsspec

    from flows import failpoints
    from flows.nightly import nightly
    from transforms.errors import DbFileNotRebuilt

    url = f"memory://fw-dbfile-{tmp_path.name}"
    raw = copy_seeds(tmp_path / "raw")
    monkeypatch.setenv(failpoints.ENV, "db-file/enospc")
    failpoints._counts.clear()
    state = nightly(str(raw), url, str(tmp_path / "rep"), warehouse_cache=str(tmp_path / "copy1"), workers=1,
                    return_state=True)
    monkeypatch.delenv(failpoints.ENV)
    assert isinstance(state.result(raise_on_failure=False), DbFileNotRebuilt)
    again = nightly(str(raw), url, str(tmp_path / "rep2"), warehouse_cache=str(tmp_path / "copy2"), workers=1)
    assert (again["files_processed"], again["articles_total"]) == (0, 5)
    fsspec.filesystem("memory").rm(f"/{url.split('://')[1]}", recursive=True)
