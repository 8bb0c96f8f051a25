"""Batches: large JSONL files are streamed in chunks, work can run in a process pool,
and both give exactly the rows of the simple path."""
import gzip
import json
import os
import time

import pyarrow.compute as pc
import pytest

from flows import runs

from .conftest import copy_seeds


def _records(n):
    return [{"content": f"Article {i}: protesters and police met in Almaty. It was calm.", "source": "Reuters",
             "title": f"T{i}", "date": "2022-01-0%d" % (1 + i % 9)} for i in range(n)]


def _write(path, recs, extra=b""):
    data = ("\n".join(json.dumps(r) for r in recs) + "\n").encode() + extra
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)


def _tables(raw, workers=1):
    files = runs.discover(raw)
    return runs.process_batch(str(raw), files, "r1", workers=workers)


def _rows(tables, name, drop=()):
    return sorted(map(repr, tables[name].drop_columns(list(drop)).to_pylist()))


@pytest.mark.parametrize("name", ["recs.jsonl", "recs.jsonl.gz"])
def test_streamed_jsonl_equals_whole_file(tmp_path, monkeypatch, name):
    raw = tmp_path / "raw"
    raw.mkdir()
    _write(raw / name, _records(23), extra=b"{broken\n")
    whole = _tables(raw)
    monkeypatch.setattr(runs, "STREAM_JSONL_OVER", 0)
    monkeypatch.setattr(runs, "LINES_PER_UNIT", 5)
    streamed = _tables(raw)
    for table in ("articles", "term_hits", "features", "rejects", "article_sources"):
        assert _rows(streamed, table) == _rows(whole, table), table
    assert streamed["articles"].num_rows == 23
    assert streamed["rejects"]["record"].to_pylist() == [23]


def test_truncated_gzip_keeps_what_was_read_and_rejects_the_rest(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    data = gzip.compress(("\n".join(json.dumps(r) for r in _records(400)) + "\n").encode())
    (raw / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    monkeypatch.setattr(runs, "STREAM_JSONL_OVER", 0)
    monkeypatch.setattr(runs, "LINES_PER_UNIT", 50)
    t = _tables(raw)
    assert 0 < t["articles"].num_rows < 400
    (reason,) = t["rejects"]["reason"].to_pylist()
    assert reason == "truncated"
    assert t["rejects"]["record"].to_pylist()[0] >= t["articles"].num_rows


def test_process_pool_gives_the_same_rows(tmp_path, monkeypatch):
    raw = copy_seeds(tmp_path / "raw")
    _write(raw / "recs.jsonl", _records(30))
    monkeypatch.setattr(runs, "FILES_PER_UNIT", 2)
    one = _tables(raw, workers=1)
    two = _tables(raw, workers=2)
    for table in ("articles", "term_hits", "features", "evidence", "rejects"):
        assert one[table].to_pylist() == two[table].to_pylist(), table
    runs.shutdown_pools()


def _lazy_loads_done() -> bool:
    """In a pool worker: are a first article's lazy loads already done?"""
    from transforms import readability, tone

    return bool(readability._cmu_syllables.cache_info().currsize and tone._analyzer.cache_info().currsize)


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_forked_and_spawned_workers_give_the_same_rows(tmp_path, monkeypatch, method):
    """Forked workers (which start with the parent's imports and resources), workers forked
    from a warm fork server and spawned ones (which load their own) give exactly the rows of
    the in-process path; those of the fork server start warm."""
    raw = copy_seeds(tmp_path / "raw")
    _write(raw / "recs.jsonl", _records(30))
    monkeypatch.setattr(runs, "FILES_PER_UNIT", 2)
    one = _tables(raw, workers=1)
    runs.shutdown_pools()
    monkeypatch.setattr(runs, "START_METHOD", method)
    if method == "forkserver":
        assert runs._pool(2).submit(_lazy_loads_done).result() is True
    two = _tables(raw, workers=2)
    assert runs._POOLS[2]._mp_context.get_start_method() == method
    runs.shutdown_pools()
    for table in ("articles", "article_sources", "term_hits", "quotes", "figures", "features", "evidence",
                  "lineage_index", "rejects"):
        assert one[table].to_pylist() == two[table].to_pylist(), table


def _pid_and_warm() -> tuple[int, bool]:
    time.sleep(0.05)   # the probes spread over the workers
    return os.getpid(), runs.WARM


def test_a_started_pool_warms_its_workers_up_before_their_first_articles(monkeypatch):
    """start_pool (the CLI calls it before Prefect's start) hands each worker a warm-up at
    once: their lazy loads happen while the parent goes on, not on their first articles."""
    runs.shutdown_pools()
    monkeypatch.setattr(runs, "START_METHOD", "fork")
    monkeypatch.setattr(runs, "WARM", False)   # what forks from this process is not warm
    try:
        runs.start_pool(2)
        pool = runs._pool(2)
        got = [f.result() for f in [pool.submit(_pid_and_warm) for _ in range(8)]]
    finally:
        runs.shutdown_pools()
    assert len({pid for pid, _ in got}) == 2
    assert all(warm for _, warm in got)


def test_forked_workers_inherit_pandas_from_the_parent():
    """pyarrow imports pandas at its first conversion of Python objects: the parent does it
    before forking, so a worker does not import it on its first unit (0.2-0.4 s each). In a
    fresh process: pytest's own has pandas already."""
    import subprocess
    import sys

    from .conftest import REPO

    probe = ("import sys; from flows import runs; pool = runs._pool(2); "
             "print(pool.submit(eval, \"'pandas' in __import__('sys').modules\").result()); runs.shutdown_pools()")
    got = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    assert got.stdout.strip() == "True"


def test_warm_up_loads_what_a_first_article_needs():
    """The warm-up unit (run by the fork server before its first fork) is read as articles of
    every input kind and lexicon language, and leaves loaded what a first article would load
    lazily: the workers forked from the server start with it."""
    from transforms import paraphrase, readability, tone
    from transforms.pipeline import default_context

    runs.warm_up()
    t = runs.process_unit(runs._WARM_UNIT, "warm-up")
    assert t["rejects"].num_rows == 0
    got = sorted(zip(t["articles"]["input_format"].to_pylist(), t["articles"]["language"].to_pylist()))
    assert got == [("html", "en"), ("jsonl", "es"), ("jsonl", "ru"), ("text", "en")]
    assert t["quotes"].num_rows and t["figures"].num_rows and t["lineage_index"].num_rows == 4
    for lazy in (readability._cmu_syllables, readability._hyphen_trie, readability._easy_words, tone._analyzer,
                 paraphrase._head_pairs):
        assert lazy.cache_info().currsize == 1, lazy.__name__
    assert tone._SCORABLE is not None
    ctx = default_context()
    assert set(ctx.lexicons) >= {"en", "es", "ru"}
    for lang, lx in ctx.lexicons.items():
        assert "probe" in vars(lx), lang


def test_workers_fork_only_from_a_process_without_other_threads():
    """A process running other Python threads (a Prefect flow run) forks its workers from
    a fork server (a fork copies locks those threads may hold). Without them, workers are
    forked from the process itself."""
    import threading

    assert runs.START_METHOD is None
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert runs.start_method() == "forkserver"
    finally:
        stop.set()
        t.join()
    if threading.active_count() == 1:   # (a session-wide Prefect harness runs threads of its own)
        assert runs.start_method() == "fork"


def _lock_fds():
    """Descriptors of this process open on a warehouse `_lock` file."""
    import os

    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").endswith("/_lock"):
                out.append(fd)
        except OSError:
            pass
    return out


def test_forked_workers_do_not_hold_the_warehouse_lock(tmp_path, monkeypatch):
    """A worker forked while the run holds the lock closes its copy of the lock file (an
    flock belongs to the open file, which a fork shares): the lock ends with the run even
    while workers are still exiting, or after the parent was killed and left them behind."""
    from flows.storage import Warehouse

    monkeypatch.setattr(runs, "START_METHOD", "fork")
    wh = Warehouse(tmp_path / "wh")
    try:
        with wh.lock():
            assert _lock_fds()
            pool = runs._pool(2)
            assert pool.submit(_lock_fds).result() == []
        with wh.lock():          # free at once, the forked workers still running
            assert pool.submit(_lock_fds).result() == []
    finally:
        runs.shutdown_pools()


def _ru_records(n):
    return [{"content": f"Статья {i}: протестующие и полиция встретились в Алма-Ате. Было спокойно.",
             "source": "Известия", "title": f"Заголовок {i}", "date": "2022-01-0%d" % (1 + i % 9)} for i in range(n)]


def _jsonl(recs, encoding="utf-8", extra=b""):
    return ("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n").encode(encoding) + extra


SPLIT_CASES = {
    # a bad line and a record without text: rejects of their own, once
    "recs.jsonl": _jsonl(_records(31), extra=b"{broken\n" + json.dumps({"title": "no text"}).encode() + b"\n"),
    "recs.jsonl.gz": gzip.compress(_jsonl(_records(17))),
    # a legacy codepage: the whole file is decoded as cp1251 (the file-level decision)
    "ru.jsonl": _jsonl(_ru_records(9), "cp1251"),
    # UTF-8 with one line in another codepage: that line is rejected, the rest kept as UTF-8
    "mixed.jsonl": _jsonl(_ru_records(6)) + json.dumps({"content": "Привет"}, ensure_ascii=False).encode("cp1251") + b"\n",
    # nothing usable: one file-level reject, from one part only
    "empty.jsonl": b"\n\n",
    "bad.jsonl.gz": b"\x1f\x8b\x08\x00" + b"not gzip at all" * 10 + (100).to_bytes(4, "little"),
}


@pytest.mark.parametrize("name", sorted(SPLIT_CASES))
def test_whole_read_jsonl_split_over_workers_gives_the_rows_of_one_unit(tmp_path, monkeypatch, name):
    """A whole-read JSONL file cut into one part per worker (every part decodes the whole
    file, then analyses its share of the records) gives exactly the rows of one unit: no
    record lost or doubled at the parts' boundaries, bad lines rejected once."""
    raw = copy_seeds(tmp_path / "raw")
    (raw / name).write_bytes(SPLIT_CASES[name])
    one = _tables(raw, workers=1)
    monkeypatch.setattr(runs, "SPLIT_JSONL_OVER", 0)
    units = list(runs.iter_units(str(raw), runs.discover(raw), split=2))
    assert [(u.part, u.parts) for u in units if u.source == name] == [(0, 2), (1, 2)]
    two = _tables(raw, workers=2)
    runs.shutdown_pools()
    for table in ("articles", "article_sources", "term_hits", "features", "evidence", "lineage_index", "rejects"):
        assert two[table].to_pylist() == one[table].to_pylist(), table
    src = two["article_sources"].filter(pc.equal(two["article_sources"]["source"], name))["record"].to_pylist()
    assert len(src) == len(set(src))
    rej = [r for r in two["rejects"].to_pylist() if r["source"] == name]
    assert len({r["record"] for r in rej}) == len(rej)


def test_parts_of_a_file_are_its_items_in_order():
    """process_file's parts, concatenated, are the whole file's items, for any part count
    (including more parts than records)."""
    from transforms.pipeline import default_context, process_file

    ctx = default_context()
    data = SPLIT_CASES["recs.jsonl"]
    whole = [(type(i).__name__, getattr(i, "article_id", None), getattr(i, "record", None)) for i in
             process_file("recs.jsonl", data, ctx)]
    for parts in (1, 2, 3, 7, 40):
        got = [(type(i).__name__, getattr(i, "article_id", None), getattr(i, "record", None))
               for k in range(parts) for i in process_file("recs.jsonl", data, ctx, k, parts)]
        assert got == whole, parts


def test_only_mid_sized_jsonl_is_split(tmp_path):
    assert runs._parts("a.jsonl", b"x" * runs.SPLIT_JSONL_OVER, 2) == 2
    assert runs._parts("a.jsonl", b"x" * (runs.SPLIT_JSONL_OVER - 1), 2) == 1
    assert runs._parts("a.jsonl", b"x" * runs.SPLIT_JSONL_OVER, 1) == 1
    assert runs._parts("a.json", b"x" * runs.SPLIT_JSONL_OVER, 2) == 1
    big = gzip.compress(b"{}\n" * (runs.SPLIT_JSONL_OVER // 3 + 1))
    assert runs._parts("a.jsonl.gz", big, 2) == 2 and len(big) < runs.SPLIT_JSONL_OVER


def test_batches_by_files_and_by_bytes():
    """Every file to do in exactly one batch, in order; a batch holds `size` files and,
    with min_bytes (the Dask runner's batches), an equal share of the bytes, at least
    min_bytes (the last batch: what is left)."""
    files = [runs.RawFile(f"{i:03d}.txt", size, f"h{i}") for i, size in enumerate([5, 1, 1, 9, 2, 2, 2, 30, 1, 1])]
    plan = runs.Plan("r1", "raw", False, files, files)
    by_files = plan.batches(4)
    assert [len(b) for b in by_files] == [4, 4, 2]
    by_bytes = plan.batches(2, min_bytes=6)
    assert [[f.rel[:3] for f in b] for b in by_bytes] == [["000", "001"], ["002", "003"], ["004", "005", "006"],
                                                           ["007", "008"], ["009"]]
    ten = [runs.RawFile(f"{i}.txt", 100, f"h{i}") for i in range(10)]
    even = runs.Plan("r1", "raw", False, ten, ten).batches(1, min_bytes=400)    # two shares of 500, not 400 + 400 + 200
    assert [len(b) for b in even] == [5, 5]
    assert [f for b in even for f in b] == ten
    for batches in (by_files, by_bytes, plan.batches(1, 10**9), plan.batches(100)):
        assert [f for b in batches for f in b] == files and all(batches)
    assert runs.Plan("r1", "raw", False, [], []).batches(3, 10) == []
