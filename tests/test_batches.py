"""Batches: large JSONL files are streamed in chunks, work can run in a process pool,
and both give exactly the rows of the simple path."""
import gzip
import json

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
