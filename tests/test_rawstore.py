"""Raw input from an fsspec URL (issue 7): the same run reads a memory:// or file://
location as it reads a folder, and gives the same warehouse."""
import fsspec

from flows import runs
from flows.rawstore import RawStore

from . import crashkit
from .conftest import copy_seeds, run_once


def _rows(wh):
    return {t: sorted((r[0], r[2]) if t == "rejects" else (r[0],) for r in rows) for t, rows in crashkit.content(wh).items()
            if t in ("articles", "rejects", "term_hits")}


def test_memory_url_gives_the_same_warehouse_as_a_folder(tmp_path):
    raw = copy_seeds(tmp_path / "raw")
    (raw / "sub").mkdir()
    (raw / "sub" / "records.jsonl").write_text('{"content": "Police detained 40 protesters in Almaty, officials said."}\n'
                                              '{"content": "broken\n', encoding="utf-8")
    (raw / "notes.pdf").write_bytes(b"%PDF")
    (raw / ".hidden.txt").write_text("skip me", encoding="utf-8")
    fs = fsspec.filesystem("memory")
    for p in raw.rglob("*"):
        if p.is_file():
            fs.pipe(f"/fwraw/{p.relative_to(raw).as_posix()}", p.read_bytes())
    run_once(raw, tmp_path / "local")
    run_once("memory://fwraw", tmp_path / "remote")
    assert _rows(tmp_path / "remote") == _rows(tmp_path / "local")
    assert [f.rel for f in runs.discover("memory://fwraw")] == [f.rel for f in runs.discover(raw)]
    wh = runs.Warehouse(tmp_path / "remote")
    with wh.lock():
        # incremental by hash, as for a folder (a file rejected unread keeps its row while
        # its problem is the same)
        assert runs.plan_run("memory://fwraw", wh).todo == []
    fs.pipe("/fwraw/sub/records.jsonl", b'{"content": "Now 41 protesters were detained in Almaty."}\n')
    with wh.lock():
        assert [f.rel for f in runs.plan_run("memory://fwraw", wh).todo] == ["sub/records.jsonl"]


def test_file_url_is_the_folder(tmp_path):
    raw = copy_seeds(tmp_path / "raw")
    assert RawStore(f"file://{raw}").local == raw.resolve()
    assert runs.discover(f"file://{raw}") == runs.discover(raw)


def test_a_raw_location_that_does_not_exist_is_an_error_not_an_empty_folder(tmp_path):
    import pytest

    from transforms.errors import RawInputError

    for location in ("memory://no-such-folder", f"file://{tmp_path}/typo", str(tmp_path / "typo")):
        with pytest.raises(RawInputError):
            runs.discover(location)
