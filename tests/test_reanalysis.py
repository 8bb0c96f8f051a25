"""Rows made by other versions of the code or lexicons are re-analysed by the next run,
so the warehouse never compares outlets across two lexicons or extractors."""
from __future__ import annotations

import csv
import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from flows import runs
from flows.storage import Warehouse
from flows.warehouse import connect
from transforms.errors import ManifestError, VersionMismatchError
from transforms.pipeline import default_context

from .conftest import SEEDS, run_once

OLD = "en:actor_label@0+an-older-release"


def _age_rows_of(wh_dir, source: str) -> None:
    """Make the committed rows of one source look written by an older release."""
    wh = Warehouse(wh_dir)
    for path in wh.paths("articles")[1:]:
        t = pq.read_table(path)
        i = t.schema.get_field_index("lexicon_version")
        col = pc.if_else(pc.equal(t["source"], source), pa.scalar(OLD), t["lexicon_version"])
        pq.write_table(t.set_column(i, t.schema.field(i), col), path)


def test_mart_versions_and_the_html_report_show_a_warehouse_that_mixes_versions(raw_copy, tmp_path):
    """Rows of one file made by an older release (a raw file gone, say, whose rows are kept):
    mart_versions has a row for each combination, and report.html says the numbers mix them."""
    from flows.reports import write_reports

    run_once(raw_copy, tmp_path / "wh")
    _age_rows_of(tmp_path / "wh", SEEDS["rt"])
    con = connect(tmp_path / "wh")
    got = con.execute("select lexicon_version, articles from mart_versions").fetchall()
    assert got == [(default_context().versions["lexicon_version"], 4), (OLD, 1)]
    html = write_reports(tmp_path / "wh", tmp_path / "rep")["report_html"].read_text(encoding="utf-8")
    assert "The warehouse mixes 2 combinations of versions" in html and OLD in html


def test_current_warehouse_has_no_stale_sources(raw_copy, tmp_path):
    run_once(raw_copy, tmp_path / "wh")
    wh = Warehouse(tmp_path / "wh")
    current = default_context().versions
    assert runs.stale_pairs(wh, current) == []
    # decided from the files' footer statistics, without reading their columns
    assert all(runs._current_by_statistics(pq.ParquetFile(p), current) for p in wh.paths("articles")[1:])
    other = {**current, "lexicon_version": current["lexicon_version"] + "+changed"}
    assert {s for _, s in runs.stale_pairs(wh, other)} == set(SEEDS.values())
    assert runs.plan_run(raw_copy, wh).todo == []


def test_rows_of_an_older_release_are_reanalysed(raw_copy, tmp_path):
    first = run_once(raw_copy, tmp_path / "wh")
    con = connect(tmp_path / "wh")
    hits_before = con.execute("select count(*) from term_hits").fetchone()[0]
    con.close()
    _age_rows_of(tmp_path / "wh", SEEDS["rt"])

    plan = runs.plan_run(raw_copy, Warehouse(tmp_path / "wh"))
    assert [f.rel for f in plan.todo] == [SEEDS["rt"]]
    assert plan.reanalysed == {SEEDS["rt"]} and plan.stale_without_raw == 0

    s = run_once(raw_copy, tmp_path / "wh")
    assert (s.files_processed, s.reanalysed_files, s.articles_written, s.articles_total) == (1, 1, 1, 5)
    con = connect(tmp_path / "wh")
    versions = con.execute("select distinct lexicon_version from articles").fetchall()
    assert versions == [(default_context().versions["lexicon_version"],)]
    assert con.execute("select count(*) from term_hits").fetchone()[0] == hits_before
    assert con.execute("select count(*) from article_sources").fetchone()[0] == first.articles_total
    # the runs table keeps what each run read again, beside what it read
    got = con.execute("select files_processed, reanalysed_files, manifest_changed_files, stale_without_raw, "
                      "lineage from runs order by started_at").fetchall()
    assert got == [(5, 0, 0, 0, "full"), (1, 1, 0, 0, "incremental")]
    con.close()
    assert run_once(raw_copy, tmp_path / "wh").files_processed == 0


def test_a_file_whose_batch_failed_keeps_its_rows_and_is_not_counted_as_reanalysed(raw_copy, tmp_path):
    """A re-read that fails for a reason that says nothing about the file (its batch failed)
    takes no article out of the warehouse: the old rows stay until a run reads it."""
    run_once(raw_copy, tmp_path / "wh")
    _age_rows_of(tmp_path / "wh", SEEDS["rt"])
    wh = Warehouse(tmp_path / "wh")
    with wh.lock():
        plan = runs.plan_run(raw_copy, wh)
        assert plan.reanalysed == {SEEDS["rt"]}
        writer = runs.RunWriter(wh, plan, dt.datetime.now(dt.timezone.utc))
        writer.add(runs.failed_batch_tables(plan.todo, plan.run_id, "the task failed"))
        s = writer.finish()
    assert (s.reanalysed_files, s.reject_reasons) == (0, {"batch_failed": 1})
    con = connect(tmp_path / "wh")
    assert con.execute("select reanalysed_files from runs order by started_at desc limit 1").fetchone() == (0,)
    assert con.execute("select count(*) from articles where lexicon_version = ?", [OLD]).fetchone()[0] == 1
    counts = "select (select count(*) from {0}), (select count(distinct article_id) from {0} where article_id in " \
             "(select article_id from article_sources where source = ?))"
    for table in ("articles", "article_sources", "term_hits", "features", "stories", "lineage_index"):
        assert con.execute(counts.format(table), [SEEDS["rt"]]).fetchone()[1] == 1, table
    assert con.execute("select count(*) from articles").fetchone()[0] == 5
    con.close()
    again = run_once(raw_copy, tmp_path / "wh")       # the reject is tried again: read, and replaced
    assert (again.files_processed, again.rejected, again.articles_total) == (1, 0, 5)
    con = connect(tmp_path / "wh")
    assert con.execute("select count(*) from articles where lexicon_version = ?", [OLD]).fetchone()[0] == 0
    assert con.execute("select count(*) from rejects").fetchone()[0] == 0
    con.close()


def test_a_changed_file_whose_batch_failed_keeps_its_previous_rows(raw_copy, tmp_path):
    run_once(raw_copy, tmp_path / "wh")
    path = raw_copy / SEEDS["rt"]
    path.write_bytes(path.read_bytes() + b"\nAn added closing line about the protests.\n")
    wh = Warehouse(tmp_path / "wh")
    with wh.lock():
        plan = runs.plan_run(raw_copy, wh)
        assert [f.rel for f in plan.todo] == [SEEDS["rt"]] and not plan.reanalysed
        writer = runs.RunWriter(wh, plan, dt.datetime.now(dt.timezone.utc))
        writer.add(runs.failed_batch_tables(plan.todo, plan.run_id, "the task failed"))
        s = writer.finish()
    assert (s.articles_total, s.reject_reasons) == (5, {"batch_failed": 1})
    con = connect(tmp_path / "wh")
    assert con.execute("select count(*) from article_sources where source = ?", [SEEDS["rt"]]).fetchone() == (1,)
    con.close()
    again = run_once(raw_copy, tmp_path / "wh")
    assert (again.files_processed, again.articles_written, again.articles_total, again.rejected) == (1, 1, 5, 0)


def test_a_record_whose_worker_died_on_its_reread_keeps_its_rows(tmp_path):
    """A re-read JSONL file whose one record kills its worker (a reject tried again next
    run): that record's article keeps its old rows; the other records are made anew."""
    import json

    raw = tmp_path / "raw"
    raw.mkdir()
    recs = [{"content": f"Article {i}: protesters and police met in Almaty on Tuesday. It was calm.",
             "source": "Reuters", "title": f"T{i}", "date": "2022-01-05"} for i in range(3)]
    (raw / "recs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs))
    wh_dir = tmp_path / "wh"
    run_once(raw, wh_dir)
    _age_rows_of(wh_dir, "recs.jsonl")
    wh = Warehouse(wh_dir)
    with wh.lock():
        plan = runs.plan_run(raw, wh)
        assert plan.reanalysed == {"recs.jsonl"}
        tables = runs.process_batch(str(raw), plan.todo, plan.run_id)
        # what _isolate gives when record 1 kills its worker: its rows are missing, a reject says why
        crashed = pc.equal(tables["article_sources"]["record"], 1)
        gone = set(tables["article_sources"].filter(crashed)["article_id"].to_pylist())
        for name, t in tables.items():
            if "article_id" in t.column_names:
                tables[name] = t.filter(pc.invert(pc.is_in(t["article_id"], value_set=pa.array(sorted(gone)))))
        tables["rejects"] = pa.concat_tables([tables["rejects"], runs.table_from_rows("rejects", [{
            "source": "recs.jsonl", "record": 1, "raw_sha256": plan.todo[0].sha256, "reason": "worker_crashed",
            "detail": "the worker process died", "run_id": plan.run_id,
            "extractor_version": default_context().versions["extractor_version"]}])])
        writer = runs.RunWriter(wh, plan, dt.datetime.now(dt.timezone.utc))
        writer.add(tables)
        s = writer.finish()
    assert (s.articles_written, s.articles_total, s.reanalysed_files) == (2, 3, 1)
    con = connect(wh_dir)
    got = con.execute("select s.record, a.lexicon_version = ? from article_sources s join articles a "
                      "using (article_id) order by s.record", [OLD]).fetchall()
    assert got == [(0, False), (1, True), (2, False)]
    assert con.execute("select count(*) from stories").fetchone()[0] == 3
    con.close()


def test_stale_rows_whose_raw_file_is_gone_are_kept_and_counted(raw_copy, tmp_path):
    run_once(raw_copy, tmp_path / "wh")
    _age_rows_of(tmp_path / "wh", SEEDS["rt"])
    (raw_copy / SEEDS["rt"]).unlink()
    s = run_once(raw_copy, tmp_path / "wh")
    assert (s.files_processed, s.reanalysed_files, s.stale_without_raw, s.articles_total) == (0, 0, 1, 5)
    con = connect(tmp_path / "wh")
    assert con.execute("select count(*) from articles where lexicon_version = ?", [OLD]).fetchone()[0] == 1


def _write_manifest(raw, rows: list[dict[str, str]]) -> None:
    with (raw / "framewatch-manifest.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["file", "url", "publisher", "origin", "provenance"])
        w.writeheader()
        w.writerows(rows)


def _publisher_rule(wh_dir, source: str) -> tuple:
    con = connect(wh_dir)
    return con.execute(
        "select a.publisher, e.rule from articles a left join evidence e "
        "on e.article_id = a.article_id and e.field = 'publisher' where a.source = ?", [source]).fetchone()


def test_a_changed_manifest_entry_reanalyses_only_its_file(raw_copy, tmp_path):
    wh = tmp_path / "wh"
    run_once(raw_copy, wh)
    assert _publisher_rule(wh, SEEDS["izv"]) == (None, None)    # not found in the text

    _write_manifest(raw_copy, [{"file": SEEDS["izv"], "publisher": "Izvestiya"}])
    s = run_once(raw_copy, wh)
    assert (s.files_processed, s.manifest_changed_files, s.reanalysed_files, s.articles_total) == (1, 1, 0, 5)
    assert _publisher_rule(wh, SEEDS["izv"]) == ("izvestiya", "manifest:publisher")
    assert run_once(raw_copy, wh).files_processed == 0          # the same manifest: nothing to do

    _write_manifest(raw_copy, [])                               # the entry removed: back to inference
    s = run_once(raw_copy, wh)
    assert (s.files_processed, s.manifest_changed_files) == (1, 1)
    assert _publisher_rule(wh, SEEDS["izv"]) == (None, None)


def test_article_sources_of_a_warehouse_without_manifest_column_are_not_reread(raw_copy, tmp_path):
    """Rows written before manifest_entry existed read as null = no entry applied."""
    wh_dir = tmp_path / "wh"
    run_once(raw_copy, wh_dir)
    wh = Warehouse(wh_dir)
    for path in wh.paths("article_sources")[1:]:
        t = pq.read_table(path)
        pq.write_table(t.drop_columns(["manifest_entry"]), path)
    assert runs.plan_run(raw_copy, wh).todo == []


def _age_rejects(wh_dir) -> None:
    wh = Warehouse(wh_dir)
    for path in wh.paths("rejects")[1:]:
        t = pq.read_table(path)
        i = t.schema.get_field_index("extractor_version")
        pq.write_table(t.set_column(i, t.schema.field(i), pa.array([OLD] * t.num_rows, pa.string())), path)


def test_a_file_rejected_by_an_older_extractor_is_read_again(raw_copy, tmp_path):
    (raw_copy / "no-text.json").write_text('{"title": "only a title"}', encoding="utf-8")
    (raw_copy / "notes.docx").write_bytes(b"PK\x03\x04 not an article format")
    wh = tmp_path / "wh"
    first = run_once(raw_copy, wh)
    assert first.reject_reasons == {"no_text_field": 1, "unsupported_format": 1}
    assert run_once(raw_copy, wh).files_processed == 0
    _age_rejects(wh)
    plan = runs.plan_run(raw_copy, Warehouse(wh))
    # read and rejected: read again; rejected before reading (by its name): not
    assert [f.rel for f in plan.todo] == ["no-text.json"] and plan.reanalysed == {"no-text.json"}
    s = run_once(raw_copy, wh)
    assert (s.files_processed, s.reanalysed_files, s.reject_reasons) == (1, 1, {"no_text_field": 1})
    con = connect(wh)
    assert con.execute("select count(*), count(distinct source) from rejects").fetchone() == (2, 2)
    assert con.execute("select extractor_version from rejects where source = 'no-text.json'").fetchone()[0] \
        == default_context().versions["extractor_version"]


def test_an_old_article_also_held_by_a_file_gone_from_raw_is_made_again(raw_copy, tmp_path):
    """The copy's file left the raw folder: the article is made again from the file that
    is still there, the copy's article_sources row stays, and the next run has nothing to do."""
    wh = tmp_path / "wh"
    (raw_copy / "zz_copy_of_rt.txt").write_bytes((raw_copy / SEEDS["rt"]).read_bytes())
    run_once(raw_copy, wh)
    _age_rows_of(wh, SEEDS["rt"])
    (raw_copy / "zz_copy_of_rt.txt").unlink()
    s = run_once(raw_copy, wh)
    assert (s.files_processed, s.reanalysed_files, s.stale_without_raw, s.articles_written) == (1, 1, 0, 1)
    con = connect(wh)
    assert con.execute("select count(*) from articles where lexicon_version = ?", [OLD]).fetchone()[0] == 0
    assert sorted(r[0] for r in con.execute(
        "select s.source from article_sources s join articles a using (article_id) "
        "where a.source = ?", [SEEDS["rt"]]).fetchall()) == [SEEDS["rt"], "zz_copy_of_rt.txt"]
    con.close()
    assert run_once(raw_copy, wh).files_processed == 0


def test_an_old_article_whose_file_now_reads_differently_is_kept_for_its_other_file(raw_copy, tmp_path):
    """Made again, but the re-read file no longer gives that text: the old rows go back for
    the file (gone from the raw folder) that still holds the article. Nothing is lost."""
    wh = tmp_path / "wh"
    (raw_copy / "zz_copy_of_rt.txt").write_bytes((raw_copy / SEEDS["rt"]).read_bytes())
    run_once(raw_copy, wh)
    con = connect(wh)
    old_id, hits = con.execute("select article_id, (select count(*) from term_hits t where t.article_id = a.article_id) "
                               "from articles a where source = ?", [SEEDS["rt"]]).fetchone()
    con.close()
    _age_rows_of(wh, SEEDS["rt"])
    (raw_copy / "zz_copy_of_rt.txt").unlink()
    text = (raw_copy / SEEDS["rt"]).read_text(encoding="utf-8")
    (raw_copy / SEEDS["rt"]).write_text(text.replace("voluntary departure", "ordered departure"), encoding="utf-8")
    s = run_once(raw_copy, wh)
    assert (s.files_processed, s.articles_written, s.articles_total) == (1, 1, 6)
    con = connect(wh)
    assert con.execute("select s.source, a.lexicon_version from article_sources s join articles a using (article_id) "
                       "where article_id = ?", [old_id]).fetchall() == [("zz_copy_of_rt.txt", OLD)]
    # the row points at the file that holds the article, not at the re-read one that no longer does
    assert con.execute("select source from articles where article_id = ?", [old_id]).fetchone() == ("zz_copy_of_rt.txt",)
    assert con.execute("select count(*) from term_hits where article_id = ?", [old_id]).fetchone()[0] == hits
    assert con.execute("select count(*) from stories where article_id = ?", [old_id]).fetchone()[0] == 1
    con.close()
    again = run_once(raw_copy, wh)
    assert (again.files_processed, again.stale_without_raw) == (0, 1)


def test_a_manifest_entry_for_a_file_whose_article_another_file_also_holds(raw_copy, tmp_path):
    wh = tmp_path / "wh"
    (raw_copy / "zz_copy_of_izv.txt").write_bytes((raw_copy / SEEDS["izv"]).read_bytes())
    run_once(raw_copy, wh)
    _write_manifest(raw_copy, [{"file": SEEDS["izv"], "publisher": "Izvestiya"}])
    s = run_once(raw_copy, wh)
    assert (s.files_processed, s.manifest_changed_files, s.articles_total) == (1, 1, 5)
    assert _publisher_rule(wh, SEEDS["izv"]) == ("izvestiya", "manifest:publisher")
    con = connect(wh)
    assert con.execute("select count(*) from article_sources").fetchone()[0] == 6
    con.close()
    assert run_once(raw_copy, wh).files_processed == 0


def test_a_manifest_published_date_is_applied_and_a_bad_one_is_refused(raw_copy, tmp_path):
    wh = tmp_path / "wh"
    with (raw_copy / "framewatch-manifest.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerows([["file", "published"], [SEEDS["izv"], "2022-01-09"]])
    run_once(raw_copy, wh)
    con = connect(wh)
    assert con.execute("select published, date_source from articles where source = ?",
                       [SEEDS["izv"]]).fetchone() == (dt.date(2022, 1, 9), "manifest")
    con.close()
    (raw_copy / "framewatch-manifest.csv").write_text(f"file,published\n{SEEDS['izv']},next tuesday\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="not a date"):
        runs.read_manifest(raw_copy)


def test_rows_made_by_another_installation_stop_the_run(raw_copy, tmp_path):
    wh = Warehouse(tmp_path / "wh")
    with wh.lock():
        plan = runs.plan_run(raw_copy, wh)
        tables = runs.process_batch(str(raw_copy), plan.todo, plan.run_id)
        arts = tables["articles"]
        i = arts.schema.get_field_index("lexicon_version")
        tables["articles"] = arts.set_column(i, arts.schema.field(i), pa.array([OLD] * arts.num_rows, pa.string()))
        writer = runs.RunWriter(wh, plan, dt.datetime.now(dt.timezone.utc))
        with pytest.raises(VersionMismatchError, match="same framewatch installation"):
            writer.add(tables)
        writer.abort()
    assert not wh.exists() or run_once(raw_copy, tmp_path / "wh").articles_written == 5


def test_the_summary_says_what_was_read_again(raw_copy, tmp_path):
    from flows.nightly import summary_markdown

    wh = tmp_path / "wh"
    run_once(raw_copy, wh)
    _age_rows_of(wh, SEEDS["rt"])
    s = run_once(raw_copy, wh)
    assert runs.reanalysis_notes(s.as_dict()) == [
        "re-analysed 1 unchanged files: their rows were made by other versions of framewatch's code or lexicons"]
    assert "- re-analysed 1 unchanged files" in summary_markdown(s, {})
    assert runs.reanalysis_notes(run_once(raw_copy, wh).as_dict()) == []


def test_an_article_whose_row_came_from_a_changed_file_is_made_from_a_file_that_holds_it(tmp_path):
    """Two files hold one article (bodies equal but for whitespace), its row made from the
    first (its record, its outlet). The first file is rewritten without it: the row is made
    again from the other file's record, instead of pointing at a record of the rewritten file
    that now holds another article, with the outlet of a record that no longer exists."""
    import json

    def line(body: str, source: str) -> str:
        return json.dumps({"title": "A vote", "source": source, "date": "2022-01-05", "content": body}) + "\n"

    body = ("The senate voted on Tuesday to extend the program. Senators from both parties said they "
            "expected a close result, and the measure passed by two votes after a long debate.")
    other = "Protesters gathered outside the parliament on Wednesday. Police said the crowd was peaceful."
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    raw.mkdir()
    (raw / "a.jsonl").write_text(line(body, "New York Times") + line(other, "Reuters"), encoding="utf-8")
    (raw / "b.jsonl").write_text(line(body.replace(". ", ".  "), "CNN (Web News)"), encoding="utf-8")
    run_once(raw, wh)
    con = connect(wh)
    (shared,) = con.execute("select article_id from article_sources group by 1 having count(*) = 2").fetchone()
    assert con.execute("select source, record, publisher from articles where article_id = ?",
                       [shared]).fetchone() == ("a.jsonl", 0, "nytimes")
    con.close()

    newer = "Ministers met on Thursday to discuss the budget. The talks ended without a deal, officials said."
    (raw / "a.jsonl").write_text(line(newer, "Reuters") + line(other, "Reuters"), encoding="utf-8")
    s = run_once(raw, wh)
    assert (s.files_processed, s.shared_changed_files, s.articles_total) == (2, 1, 3)
    assert "re-read 1 unchanged files: they hold an article whose row came from a changed file" in \
        runs.reanalysis_notes(s.as_dict())
    con = connect(wh)
    assert con.execute("select source, record, publisher from articles where article_id = ?",
                       [shared]).fetchone() == ("b.jsonl", 0, "cnn")
    assert con.execute("select source, record from article_sources where article_id = ?",
                       [shared]).fetchall() == [("b.jsonl", 0)]
    assert con.execute("select shared_changed_files from runs order by started_at desc limit 1").fetchone() == (1,)
    con.close()
    assert run_once(raw, wh).files_processed == 0
