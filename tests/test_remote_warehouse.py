"""A warehouse at an fsspec URL (issue 7): runs work on a local copy and publish to the
URL (flows/remote.py). memory:// stands in for an object store: the same fsspec calls
(cat, get, put, pipe, find, rm) an s3:// or gs:// driver serves."""
import json
import uuid

import fsspec
import pytest

from flows.remote import RemoteWarehouse, local_copy, open_warehouse
from flows.storage import Warehouse
from transforms.errors import WarehouseError

from . import crashkit
from .conftest import copy_seeds, run_once

MEM = fsspec.filesystem("memory")


@pytest.fixture
def url():
    name = f"fw-wh-{uuid.uuid4().hex[:8]}"
    yield f"memory://{name}"
    if MEM.exists(f"/{name}"):
        MEM.rm(f"/{name}", recursive=True)


def _run(raw, url, cache):
    """One run as the flow does it: pull under the copy's lock, run, publish."""
    remote = RemoteWarehouse(url, cache)
    with remote.local.lock():
        pulled = remote.pull()
    summary = run_once(raw, remote.local.root)
    return summary, remote.push(pulled)


def _rows(wh):
    return {t: sorted(map(str, rows)) for t, rows in crashkit.content(wh).items()
            if t in ("articles", "article_sources", "term_hits", "figures", "rejects")}


def _published(url):
    """The URL's committed state read back from the URL alone, as a local folder."""
    root = url.split("://", 1)[1]
    name = MEM.cat_file(f"/{root}/_CURRENT").decode().strip()
    doc = json.loads(MEM.cat_file(f"/{root}/_manifests/{name}"))
    return name, doc["files"]


def test_a_run_publishes_what_it_committed_and_a_fresh_copy_pulls_it(tmp_path, url):
    raw = copy_seeds(tmp_path / "raw")
    summary, uploaded = _run(raw, url, tmp_path / "copy1")
    assert summary.articles_written == 5
    name, files = _published(url)
    local = Warehouse(tmp_path / "copy1")
    assert name == (local.root / "_CURRENT").read_text().strip()
    assert files == local.current().files
    assert uploaded == sum(map(len, files.values())) > 0
    for rel in (r for rels in files.values() for r in rels):      # the bytes, not just the names
        assert MEM.cat_file(f"/{url.split('://')[1]}/{rel}") == (local.root / rel).read_bytes()

    # another machine (a fresh copy) pulls the same warehouse, and has nothing to do
    again, uploaded = _run(raw, url, tmp_path / "copy2")
    assert (again.files_processed, again.articles_total) == (0, 5)
    assert _rows(tmp_path / "copy2") == _rows(tmp_path / "copy1")
    now = _published(url)[1]
    assert uploaded == 1 and now["runs"][:-1] == files["runs"]     # only its own runs row is new
    assert {t: f for t, f in now.items() if t != "runs"} == {t: f for t, f in files.items() if t != "runs"}


def test_an_increment_uploads_only_new_files_and_old_manifests_are_collected(tmp_path, url):
    raw = copy_seeds(tmp_path / "raw")
    _run(raw, url, tmp_path / "copy")
    before = set(MEM.find(f"/{url.split('://')[1]}"))
    (raw / "extra.txt").write_text("Police detained 40 protesters in Almaty on Monday, officials said. " * 5,
                                   encoding="utf-8")
    summary, uploaded = _run(raw, url, tmp_path / "copy")
    assert summary.articles_written == 1
    _, files = _published(url)
    assert 0 < uploaded < sum(map(len, files.values()))             # the earlier files stay where they are
    for _ in range(4):                                             # runs that add nothing still publish
        _run(raw, url, tmp_path / "copy")
    root = url.split("://")[1]
    assert len(MEM.ls(f"/{root}/_manifests", detail=False)) == 3   # KEEP_MANIFESTS
    referenced = {r for m in MEM.ls(f"/{root}/_manifests", detail=False)
                  for rels in json.loads(MEM.cat_file(m))["files"].values() for r in rels}
    data = {p.split(f"/{root}/", 1)[1] for p in MEM.find(f"/{root}") if p.endswith(".parquet")}
    assert data == referenced and before - set(MEM.find(f"/{root}"))   # unreferenced files deleted


def test_a_second_writer_is_refused_at_publish_and_the_url_keeps_the_first(tmp_path, url):
    raw = copy_seeds(tmp_path / "raw")
    _run(raw, url, tmp_path / "a")
    first = _published(url)
    slow = RemoteWarehouse(url, tmp_path / "b")
    with slow.local.lock():
        pulled = slow.pull()
    (raw / "extra.txt").write_text("Police detained 40 protesters in Almaty on Monday, officials said. " * 5,
                                   encoding="utf-8")
    _run(raw, url, tmp_path / "a")                  # publishes while "b" is still running
    second = _published(url)
    assert second != first
    run_once(raw, slow.local.root)
    with pytest.raises(WarehouseError, match="published by another run"):
        slow.push(pulled)
    assert _published(url) == second
    # b's next run pulls the URL's state: its unpublished commit is dropped, nothing is lost
    summary, _ = _run(raw, url, tmp_path / "b")
    assert summary.articles_total == 6
    assert _rows(tmp_path / "b")["articles"] == _rows(tmp_path / "a")["articles"]


class _PublishDuringUpload:
    """The URL's filesystem, unchanged, except that `during` (another writer's whole run)
    happens right after this writer's first upload: two writers interleaved at the moment
    a real race would hit."""

    def __init__(self, fs, during):
        self._fs, self._during = fs, during

    def put_file(self, *args, **kwargs):
        self._fs.put_file(*args, **kwargs)
        during, self._during = self._during, None
        if during:
            during()

    def __getattr__(self, name):
        return getattr(self._fs, name)


def test_a_writer_that_another_one_published_under_while_it_uploaded_publishes_nothing(tmp_path, url):
    raw = copy_seeds(tmp_path / "raw")
    _run(raw, url, tmp_path / "a")
    slow = RemoteWarehouse(url, tmp_path / "b")
    with slow.local.lock():
        pulled = slow.pull()
    (raw / "extra.txt").write_text("Police detained 40 protesters in Almaty on Monday, officials said. " * 5,
                                   encoding="utf-8")
    run_once(raw, slow.local.root)
    # "a" publishes while "b" uploads: a's collection deletes b's first upload (no manifest lists it yet)
    slow.fs = _PublishDuringUpload(slow.fs, lambda: _run(raw, url, tmp_path / "a"))
    with pytest.raises(WarehouseError, match="published by another run"):
        slow.push(pulled)
    name, files = _published(url)
    assert name == (tmp_path / "a" / "_CURRENT").read_text().strip()      # a's state, not b's
    root = url.split("://")[1]
    assert all(MEM.exists(f"/{root}/{rel}") for rels in files.values() for rel in rels)
    summary, _ = _run(raw, url, tmp_path / "b")                           # b's next run: nothing lost
    assert summary.articles_total == 6


class _PublishDuringDownload:
    """The URL's filesystem, unchanged, except that `during` (other writers' runs) happens
    right before this copy's first download: a pull interleaved with publications."""

    def __init__(self, fs, during):
        self._fs, self._during = fs, during

    def get_file(self, *args, **kwargs):
        during, self._during = self._during, None
        if during:
            during()
        return self._fs.get_file(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._fs, name)


def test_a_pull_that_writers_publish_and_collect_under_starts_again_from_their_state(tmp_path, url):
    raw = copy_seeds(tmp_path / "raw")
    _run(raw, url, tmp_path / "a")
    first_name, first_files = _published(url)

    def three_runs():       # KEEP_MANIFESTS publications: the first state's manifest and stories go
        for i in range(3):
            (raw / f"extra{i}.txt").write_text(f"Police detained {40 + i} protesters in Almaty on Monday, "
                                               "officials said. " * 5, encoding="utf-8")
            _run(raw, url, tmp_path / "a")

    reader = RemoteWarehouse(url, tmp_path / "reader")
    reader.fs = _PublishDuringDownload(reader.fs, three_runs)
    with reader.local.lock():
        name = reader.pull()
    root = url.split("://")[1]
    gone = [rel for rels in first_files.values() for rel in rels if not MEM.exists(f"/{root}/{rel}")]
    assert gone and not MEM.exists(f"/{root}/_manifests/{first_name}")    # the race did hit
    assert name == _published(url)[0] == (tmp_path / "a" / "_CURRENT").read_text().strip()
    assert _rows(tmp_path / "reader") == _rows(tmp_path / "a")
    assert _rows(tmp_path / "reader")["articles"] and len(_rows(tmp_path / "reader")["articles"]) == 8


def test_a_committed_file_missing_at_the_url_is_a_warehouse_error(tmp_path, url):
    raw = copy_seeds(tmp_path / "raw")
    _run(raw, url, tmp_path / "a")
    _, files = _published(url)
    MEM.rm_file(f"/{url.split('://')[1]}/{files['articles'][0]}")   # lost by the store, nothing published
    reader = RemoteWarehouse(url, tmp_path / "reader")
    with reader.local.lock(), pytest.raises(WarehouseError, match="cannot be fetched"):
        reader.pull()


def test_a_local_commit_never_published_is_dropped_when_the_url_is_empty(tmp_path, url):
    raw = copy_seeds(tmp_path / "raw")
    remote = RemoteWarehouse(url, tmp_path / "copy")
    run_once(raw, remote.local.root)                # committed locally, the publish never happened
    with remote.local.lock():
        assert remote.pull() is None
    assert remote.local.current().files == {t: [] for t in remote.local.current().files}
    summary, _ = _run(raw, url, tmp_path / "copy")
    assert summary.articles_written == 5            # redone from raw, and published this time
    assert _published(url)[1] == remote.local.current().files


def test_local_locations_are_not_copied(tmp_path):
    for location in (tmp_path / "wh", f"file://{tmp_path}/wh"):
        wh, remote = open_warehouse(location)
        assert remote is None and wh.root == (tmp_path / "wh").resolve()
    assert local_copy(tmp_path / "wh") == (tmp_path / "wh").resolve()


def test_pull_fetches_what_the_copy_lost_and_only_that(tmp_path, url):
    raw = copy_seeds(tmp_path / "raw")
    _run(raw, url, tmp_path / "copy")
    remote = RemoteWarehouse(url, tmp_path / "copy")
    lost = remote.local.root / remote.local.current().files["articles"][0]
    kept = remote.local.root / remote.local.current().files["term_hits"][0]
    good = lost.read_bytes()
    lost.unlink()
    stamp = kept.stat().st_mtime_ns
    with remote.local.lock():
        remote.pull()
    assert lost.read_bytes() == good and kept.stat().st_mtime_ns == stamp


def test_a_retried_publish_after_the_publish_point_is_not_taken_for_another_writer(tmp_path, url):
    raw = copy_seeds(tmp_path / "raw")
    remote = RemoteWarehouse(url, tmp_path / "copy")
    with remote.local.lock():
        pulled = remote.pull()
    run_once(raw, remote.local.root)
    assert remote.push(pulled) > 0
    published = _published(url)
    assert remote.push(pulled) == 0 and _published(url) == published   # the task's retry: a no-op


def test_reading_a_url_pulls_it_and_an_empty_url_says_what_to_do(tmp_path, url):
    with pytest.raises(WarehouseError, match=f"nothing published at {url} yet"):
        local_copy(url, tmp_path / "reader")
    _run(copy_seeds(tmp_path / "raw"), url, tmp_path / "writer")
    assert _rows(local_copy(url, tmp_path / "reader")) == _rows(tmp_path / "writer")


def _db_counts(root):
    import duckdb

    con = duckdb.connect(str(root / "framewatch.duckdb"), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("articles", "stories")}
    finally:
        con.close()


def test_a_pull_of_another_copys_commit_rebuilds_the_copys_duckdb_file(tmp_path, url):
    raw = copy_seeds(tmp_path / "raw")
    _run(raw, url, tmp_path / "a")
    a = tmp_path / "a"
    assert _db_counts(a)["articles"] == 5
    (raw / "extra.txt").write_text("Police detained 40 protesters in Almaty on Monday, officials said. " * 5,
                                   encoding="utf-8")
    _run(raw, url, tmp_path / "b")                  # another machine publishes a new stories table
    remote = RemoteWarehouse(url, a)
    before = set(remote.local.current().files["stories"])
    with remote.local.lock():
        remote.pull()                               # a's own manifest goes, its stories file is swept
    assert before - set(remote.local.current().files["stories"])
    assert not any((a / rel).exists() for rel in before - set(remote.local.current().files["stories"]))
    assert _db_counts(a) == _db_counts(tmp_path / "b") and _db_counts(a)["articles"] == 6


def test_a_pull_of_an_empty_url_removes_the_duckdb_file_of_a_commit_never_published(tmp_path, url):
    remote = RemoteWarehouse(url, tmp_path / "copy")
    run_once(copy_seeds(tmp_path / "raw"), remote.local.root)
    assert (remote.local.root / "framewatch.duckdb").exists()
    with remote.local.lock():
        assert remote.pull() is None
    assert not (remote.local.root / "framewatch.duckdb").exists()
