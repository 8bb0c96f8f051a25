"""Rows made by other versions of the code or lexicons are re-analysed by the next run,
so the warehouse never compares outlets across two lexicons or extractors."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flows import runs
from flows.storage import Warehouse
from flows.warehouse import connect
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


def test_current_warehouse_has_no_stale_sources(raw_copy, tmp_path):
    run_once(raw_copy, tmp_path / "wh")
    wh = Warehouse(tmp_path / "wh")
    current = default_context().versions
    assert runs.stale_sources(wh, current) == set()
    # decided from the files' footer statistics, without reading their columns
    assert all(runs._current_by_statistics(pq.ParquetFile(p), current) for p in wh.paths("articles")[1:])
    other = {**current, "lexicon_version": current["lexicon_version"] + "+changed"}
    assert runs.stale_sources(wh, other) == set(SEEDS.values())
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
    assert run_once(raw_copy, tmp_path / "wh").files_processed == 0


def test_stale_rows_whose_raw_file_is_gone_are_kept_and_counted(raw_copy, tmp_path):
    run_once(raw_copy, tmp_path / "wh")
    _age_rows_of(tmp_path / "wh", SEEDS["rt"])
    (raw_copy / SEEDS["rt"]).unlink()
    s = run_once(raw_copy, tmp_path / "wh")
    assert (s.files_processed, s.reanalysed_files, s.stale_without_raw, s.articles_total) == (0, 0, 1, 5)
    con = connect(tmp_path / "wh")
    assert con.execute("select count(*) from articles where lexicon_version = ?", [OLD]).fetchone()[0] == 1
