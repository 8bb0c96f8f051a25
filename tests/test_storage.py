"""The warehouse: atomic commit, incremental runs, changed files, crash recovery, lock.

These run the real run steps (flows/runs.py) on real files without Prefect."""
import datetime as dt
import os
import shutil

import pyarrow as pa
import pytest

from flows import runs
from flows.storage import Warehouse
from flows.warehouse import connect
from transforms.errors import WarehouseError
from transforms.schema import TABLES

from .conftest import SEEDS, run_once


def snapshot(wh_dir):
    con = connect(wh_dir)
    out = {t: sorted(map(repr, con.execute(f"select * exclude (run_id) from {t}").fetchall()))
           for t in ("articles", "term_hits", "features", "article_sources", "evidence")}
    con.close()
    return out


def data_files(wh_dir):
    return sorted(p.relative_to(wh_dir).as_posix() for p in wh_dir.rglob("*.parquet"))


def test_first_run_writes_every_table(raw_copy, tmp_path):
    s = run_once(raw_copy, tmp_path / "wh")
    assert (s.files_seen, s.articles_written, s.rejected, s.articles_total) == (5, 5, 0, 5)
    con = connect(tmp_path / "wh")
    for table in TABLES:
        con.execute(f"select * from {table}").fetchall()
    assert con.execute("select count(*) from articles").fetchone()[0] == 5
    assert con.execute("select count(distinct run_id) from term_hits").fetchone()[0] == 1
    versions = con.execute("select distinct extractor_version, lexicon_version, registry_version from features").fetchall()
    assert len(versions) == 1 and all(versions[0])


def test_rerun_on_unchanged_input_changes_nothing(raw_copy, tmp_path):
    wh = tmp_path / "wh"
    run_once(raw_copy, wh)
    before, files_before = snapshot(wh), data_files(wh)
    s = run_once(raw_copy, wh)
    assert (s.files_processed, s.articles_written) == (0, 0)
    assert snapshot(wh) == before
    # the only new file is the run's own row in `runs`
    new = set(data_files(wh)) - set(files_before)
    assert {p.split("/")[0] for p in new} == {"runs"} and len(new) == 1


def test_changed_file_replaces_only_its_rows(raw_copy, tmp_path):
    wh = tmp_path / "wh"
    run_once(raw_copy, wh)
    con = connect(wh)
    before = dict(con.execute("select source, article_id from articles").fetchall())
    con.close()
    target = raw_copy / SEEDS["trt"]
    target.write_text(target.read_text(encoding="utf-8").replace("rare protests", "rare riots"), encoding="utf-8")
    s = run_once(raw_copy, wh)
    assert (s.files_processed, s.articles_written) == (1, 1)
    con = connect(wh)
    after = dict(con.execute("select source, article_id from articles").fetchall())
    assert len(after) == 5
    assert {k for k in after if after[k] != before[k]} == {SEEDS["trt"]}
    assert con.execute("select count(*) from term_hits where article_id = ?", [before[SEEDS["trt"]]]).fetchone()[0] == 0
    assert con.execute("select count(*) from article_sources").fetchone()[0] == 5
    assert con.execute("select count(*) from stg_term_hits h join articles a using (article_id) "
                       "where a.source = ? and h.term = 'riots'", [SEEDS["trt"]]).fetchone()[0] == 1


def test_exact_duplicate_is_stored_once_with_both_sources(raw_copy, tmp_path):
    shutil.copy(raw_copy / SEEDS["izv"], raw_copy / "copy_of_izvestiya.txt")
    s = run_once(raw_copy, tmp_path / "wh")
    assert (s.articles_written, s.duplicates) == (5, 1)
    con = connect(tmp_path / "wh")
    assert con.execute("select count(*) from article_sources").fetchone()[0] == 6
    assert con.execute("select count(distinct article_id) from article_sources").fetchone()[0] == 5


def test_bad_files_become_rejects_and_the_rest_goes_on(raw_copy, tmp_path):
    (raw_copy / "empty.txt").write_bytes(b"")
    (raw_copy / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (raw_copy / "notes.docx").write_bytes(b"PK\x03\x04")
    (raw_copy / "broken.jsonl").write_text('{"content": "ok text here."}\n{nope\n', encoding="utf-8")
    os.symlink("/etc/passwd", raw_copy / "escape.txt")
    s = run_once(raw_copy, tmp_path / "wh")
    assert s.articles_written == 6
    con = connect(tmp_path / "wh")
    reasons = dict(con.execute("select source, reason from rejects").fetchall())
    assert reasons == {"empty.txt": "empty", "binary.txt": "binary", "notes.docx": "unsupported_format",
                       "broken.jsonl": "bad_json", "escape.txt": "outside_raw_dir"}


def test_crash_before_commit_leaves_previous_state(raw_copy, tmp_path, monkeypatch):
    wh_dir = tmp_path / "wh"
    run_once(raw_copy, wh_dir)
    before = snapshot(wh_dir)
    (raw_copy / "new.txt").write_text("A new article about protesters in Almaty.\n\nIt has two paragraphs of text.", encoding="utf-8")

    from flows import storage

    def boom(*a, **k):
        raise KeyboardInterrupt("killed between data files and commit")

    monkeypatch.setattr(storage, "_write_atomic", boom)
    with pytest.raises(KeyboardInterrupt):
        run_once(raw_copy, wh_dir)
    monkeypatch.undo()
    assert snapshot(wh_dir) == before          # readers still see the last committed state
    s = run_once(raw_copy, wh_dir)             # the next run completes the work
    assert s.files_processed == 1 and s.articles_total == 6
    assert not any((wh_dir / "_staging").iterdir())


def test_orphan_files_of_a_killed_run_are_swept(raw_copy, tmp_path):
    wh_dir = tmp_path / "wh"
    run_once(raw_copy, wh_dir)
    orphan = wh_dir / "articles" / "19990101T000000Z-dead00-0001.parquet"
    orphan.write_bytes(b"half a parquet file")
    (wh_dir / "_staging" / "dead").mkdir(parents=True)
    assert connect(wh_dir).execute("select count(*) from articles").fetchone()[0] == 5  # not referenced
    wh = Warehouse(wh_dir)
    with wh.lock():
        swept = wh.recover()
    assert "articles/19990101T000000Z-dead00-0001.parquet" in swept and not orphan.exists()


def test_second_writer_gets_a_clear_message(tmp_path):
    wh = Warehouse(tmp_path / "wh")
    with wh.lock():
        with pytest.raises(WarehouseError, match="another framewatch run"):
            with Warehouse(tmp_path / "wh").lock():
                pass


def test_full_rebuild_keeps_run_history(raw_copy, tmp_path):
    wh = tmp_path / "wh"
    run_once(raw_copy, wh)
    s = run_once(raw_copy, wh, full=True)
    assert s.articles_written == 5 and s.articles_total == 5
    con = connect(wh)
    assert con.execute("select count(*) from runs").fetchone()[0] == 2
    assert con.execute("select count(*) from articles").fetchone()[0] == 5


def test_old_files_without_a_new_column_still_read(tmp_path):
    """Schema evolution: a Parquet file written before a column existed reads as null."""
    import pyarrow.parquet as pq

    from flows.storage import read_files

    old = TABLES["features"].empty_table().drop_columns(["paraphrase_score"])
    row = {n: None for n in old.schema.names} | {"article_id": "x", "run_id": "r", "extractor_version": "e",
                                                   "lexicon_version": "l", "registry_version": "g"}
    pq.write_table(pa.Table.from_pylist([row], schema=old.schema), tmp_path / "old.parquet")
    t = read_files("features", [tmp_path / "old.parquet"])
    assert t.num_rows == 1 and t["paraphrase_score"].to_pylist() == [None]


def test_small_files_are_compacted(raw_copy, tmp_path):
    from flows.storage import COMPACT_OVER_FILES

    wh = tmp_path / "wh"
    run_once(raw_copy, wh)
    for i in range(COMPACT_OVER_FILES + 3):
        (raw_copy / f"extra{i}.txt").write_text(f"Extra article {i}.\n\nProtesters gathered in Almaty on day {i} of the week.", encoding="utf-8")
        run_once(raw_copy, wh)
    current = Warehouse(wh).current()
    assert len(current.files["articles"]) <= COMPACT_OVER_FILES
    assert len(current.files["runs"]) <= COMPACT_OVER_FILES
    con = connect(wh)
    assert con.execute("select count(*) from articles").fetchone()[0] == 5 + COMPACT_OVER_FILES + 3
    assert con.execute("select count(*) from runs").fetchone()[0] == COMPACT_OVER_FILES + 4
    assert con.execute("select count(*) from (select article_id from term_hits group by article_id, start having count(*) > 1)").fetchone()[0] == 0


def test_files_of_a_failed_batch_are_rejected_then_retried(raw_copy, tmp_path):
    wh = Warehouse(tmp_path / "wh")
    files = runs.discover(raw_copy)
    with wh.lock():
        plan = runs.plan_run(raw_copy, wh)
        ok = runs.process_batch(str(raw_copy), files[:3], plan.run_id)
        bad = runs.failed_batch_tables(files[3:], plan.run_id, "worker died")
        s = runs.commit_run(wh, plan, [ok, bad], dt.datetime.now(dt.timezone.utc))
    assert (s.articles_written, s.rejected, s.reject_reasons) == (3, 2, {"batch_failed": 2})
    s2 = run_once(raw_copy, tmp_path / "wh")
    assert (s2.files_processed, s2.articles_written, s2.articles_total) == (2, 2, 5)
    assert connect(tmp_path / "wh").execute("select count(*) from rejects").fetchone()[0] == 0


def test_syndicated_copy_is_linked_with_what_changed(raw_copy, tmp_path):
    text = (raw_copy / SEEDS["izv"]).read_text(encoding="utf-8")
    edited = text.replace("the radical protesters armed themselves", "the radical rioters armed themselves")
    edited = edited.replace("4,266 demonstrators", "4,366 demonstrators")
    assert edited != text
    (raw_copy / "copy.txt").write_text(edited, encoding="utf-8")
    run_once(raw_copy, tmp_path / "wh")
    con = connect(tmp_path / "wh")
    rows = con.execute("select kind, changes from links").fetchall()
    assert len(rows) == 1 and rows[0][0] in ("near_duplicate", "duplicate")
    changes = " | ".join(rows[0][1])
    assert "protesters -> rioters" in changes and "4,266 -> 4,366" in changes
    assert con.execute("select count(*) from mart_copies").fetchone()[0] == 1
    stories = con.execute("select count(distinct story_id) from stories").fetchone()[0]
    assert stories == 1


def test_rollback_to_a_mark_forgets_a_failed_attempt(raw_copy, tmp_path):
    wh = Warehouse(tmp_path / "wh")
    files = runs.discover(raw_copy)
    with wh.lock():
        plan = runs.plan_run(raw_copy, wh)
        writer = runs.RunWriter(wh, plan, dt.datetime.now(dt.timezone.utc))
        assert runs.process_and_stage(writer, str(raw_copy), files[:2]) == 2
        before = set(writer.known)
        mark = writer.mark()
        writer.add(runs.process_batch(str(raw_copy), files[2:], plan.run_id))   # an attempt that then fails
        assert len(writer.known) == len(before) + len(files[2:])
        writer.rollback(mark)
        assert writer.known == before
        assert runs.process_and_stage(writer, str(raw_copy), files[2:4]) == 2     # the retry
        with pytest.raises(ValueError, match="not the latest"):
            writer.rollback(mark)   # process_and_stage's own mark came after it
        s = writer.finish()
    assert (s.articles_written, s.articles_total) == (4, 4)
    con = connect(tmp_path / "wh")
    assert con.execute("select count(*) from articles").fetchone()[0] == 4
    assert con.execute("select count(*) from article_sources").fetchone()[0] == 4
