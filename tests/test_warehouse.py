"""SQL layer data tests (dbt style: unique, not_null, accepted_values) and CSV reports."""
import csv
import datetime as dt
import json
import re

import duckdb
import pytest

from flows.reports import safe_cell, write_reports
from flows.warehouse import connect, mart_names, sql_models
from transforms.schema import PROVENANCES, TABLES

from .conftest import copy_seeds, run_once


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    raw = copy_seeds(tmp_path_factory.mktemp("raw"))
    (raw / "hostile.jsonl").write_text(json.dumps({
        "title": "=HYPERLINK(\"http://evil.example\",\"click\")", "source": "Reuters",
        "content": "+1 protesters said the riot police were @ fault.\n\n-2 more rioters came.",
    }) + "\n", encoding="utf-8")
    (raw / "broken.json").write_text("{not json", encoding="utf-8")     # a reject
    wh_dir = tmp_path_factory.mktemp("wh")
    run_once(raw, wh_dir)
    return wh_dir


UNIQUE = [("articles", "article_id"), ("features", "article_id"), ("stories", "article_id"),
          ("mart_articles", "article_id"), ("outlets", "outlet_id"), ("runs", "run_id"),
          ("article_sources", "source, record"), ("term_hits", "article_id, start"),
          ("mart_term_rates", "story_id, voice, category, canonical, term"), ("mart_story_outlets", "story_id, voice"),
          ("mart_label_rates", "story_id, voice, category, label"), ("mart_label_divergence", "story_id, voice, category, label"),
          ("mart_figure_disagreement", "story_id, kind, subject"), ("mart_quoted_sides", "story_id, voice, side"),
          ("mart_actor_labels", "story_id, voice"), ("mart_outlet_profiles", "voice, month"),
          ("mart_outlet_terms", "voice, category, frame, label"), ("mart_figures", "article_id, start_offset"),
          ("quotes", "article_id, start, kind"), ("figures", "article_id, start"),
          ("mart_versions", "extractor_version, lexicon_version, registry_version, lineage_version")]
NOT_NULL = [("articles", "body"), ("articles", "provenance"), ("articles", "raw_sha256"), ("term_hits", "frame"),
            ("stories", "story_id"), ("mart_articles", "story_id"), ("mart_articles", "voice"), ("mart_articles", "provenance"),
            ("mart_term_rates", "per_1000_words"), ("features", "lexicon_version")]
ACCEPTED = [("articles", "provenance", PROVENANCES),
            ("mart_articles", "provenance", PROVENANCES),
            ("term_hits", "category", ("actor_label", "event_label", "foreign_force_label", "government_label", "place_name",
                                       "person_name", "loaded_language", "security_label", "actor_modifier", "hedge")),
            ("quotes", "kind", ("direct", "indirect")),
            ("figures", "kind", ("killed", "wounded", "detained", "deployed", "evacuated", "displaced", "missing")),
            ("evidence", "field", ("publisher", "origin", "provenance", "credit"))]


@pytest.mark.parametrize("view, key", UNIQUE)
def test_unique(warehouse, view, key):
    con = connect(warehouse)
    dupes = con.execute(f"select {key}, count(*) from {view} group by all having count(*) > 1").fetchall()
    assert dupes == []
    assert con.execute(f"select count(*) from {view}").fetchone()[0] > 0


def _order_columns(sql: str) -> set[str]:
    """The columns of a model's final `order by` (prefixes and desc dropped)."""
    clause = re.findall(r"^order by (.+)$", sql, re.M)[-1]
    return {c.strip().split()[0].split(".")[-1] for c in clause.split(",")}


# the seeds hold no copy links: mart_copies' key is tested on test_copy_origin's warehouse
MART_KEYS = [(v, k) for v, k in UNIQUE if v.startswith("mart_")] + [("mart_copies", "original_id, copy_id")]


@pytest.mark.parametrize("view, key", MART_KEYS)
def test_a_mart_is_ordered_down_to_a_unique_key(view, key):
    """A mart's rows come in one order every time: rows tied on its order came out in any
    order (mart_quoted_sides' sides quoted as often: the CSV reports differed between runs
    on the same warehouse)."""
    models = {name.split("/")[-1].split("_", 1)[1][:-4]: sql for name, sql in sql_models()}
    assert {c.strip() for c in key.split(",")} <= _order_columns(models[view])


@pytest.mark.parametrize("view, column", NOT_NULL)
def test_not_null(warehouse, view, column):
    assert connect(warehouse).execute(f"select count(*) from {view} where {column} is null").fetchone()[0] == 0


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_row_records_the_versions_that_made_it(warehouse, table):
    """Each version column a table has is set in every row, to the versions of the run that
    wrote the row (its `runs` row)."""
    versions = [c for c in ("extractor_version", "lexicon_version", "registry_version")
                if c in TABLES[table].names]
    if table == "runs" or "run_id" not in TABLES[table].names:
        assert table in ("runs", "outlets") or not versions
        return
    assert versions or table in ("stories", "links", "lineage_index"), table   # these: lineage_version
    con = connect(warehouse)
    same = " and ".join(f"t.{c} = r.{c}" for c in versions) or "true"
    rows, matching = con.execute(f"select count(*), count(r.run_id) from {table} t "
                                 f"left join runs r on t.run_id = r.run_id and {same}").fetchone()
    assert (rows > 0 or table == "links") and matching == rows, (table, rows, matching)   # seeds: no copies


@pytest.mark.parametrize("view, column, values", ACCEPTED)
def test_accepted_values(warehouse, view, column, values):
    got = {r[0] for r in connect(warehouse).execute(f"select distinct {column} from {view}").fetchall()}
    assert got and got <= set(values)


def test_seed_figures_side_by_side(warehouse):
    con = connect(warehouse)
    got = set(con.execute("select voice, kind, subject, value from mart_figures").fetchall())
    for row in [("globalhappenings", "killed", "protesters", 26), ("globalhappenings", "detained", "people", 3211),
                ("globalhappenings", "wounded", "police_security", 740), ("izvestiya", "detained", "protesters", 4266),
                ("izvestiya", "killed", "police_security", 18), ("rt", "detained", "people", 4000)]:
        assert row in got, row
    spread = con.execute("select min_value, max_value from mart_figure_disagreement "
                         "where kind = 'detained' and subject = 'people'").fetchone()
    assert spread == (3211, 4000)
    # a vague amount is no number: "dozens" (low end 24) and "Hundreds" (200) were the minimum
    vague = dict(((k, s), r) for k, s, *r in con.execute(
        "select kind, subject, voices, voices_with_number, min_value, max_value, spread "
        "from mart_figure_disagreement").fetchall())
    assert vague[("killed", "protesters")] == [2, 1, 26, 26, 0]
    assert vague[("wounded", "police_security")] == [2, 1, 740, 740, 0]
    assert vague[("killed", "unknown")] == [1, 0, None, None, None]       # rt: "dozens"


def test_each_outlet_label_for_the_same_actor(warehouse):
    con = connect(warehouse)
    labels = dict(con.execute("select voice, all_labels from mart_actor_labels").fetchall())
    assert "militant" in labels["izvestiya"] and "rioter" in labels["rt"] and "rioter" not in labels["afp"]
    mods = dict(con.execute("select voice, modified_as from mart_actor_labels").fetchall())
    assert "radical protesters" in mods["izvestiya"]


def test_quoted_sides(warehouse):
    con = connect(warehouse)
    sides = {(v, s) for v, s in con.execute("select voice, side from mart_quoted_sides").fetchall()}
    assert ("afp", "us_government") in sides and ("izvestiya", "kazakh_government") in sides
    speakers = " ".join(r[0] for r in con.execute("select speakers from mart_quoted_sides where voice = 'politico'").fetchall())
    assert "Psaki" in speakers


def test_hit_offsets_point_at_the_term(warehouse):
    con = connect(warehouse)
    bad = con.execute("select count(*) from term_hits h join articles a using (article_id) "
                      "where lower(substr(case h.field when 'title' then a.title else a.body end, h.start + 1, "
                      "h.\"end\" - h.start)) <> lower(h.term)").fetchone()[0]
    assert bad == 0
    assert con.execute("select count(*) from term_hits where field = 'title'").fetchone()[0] > 0


def test_the_headline_counts_are_the_title_rows(warehouse):
    """title_hits and its frame and loaded-language counts are counts of term_hits rows (field
    'title'), and the title's hits count in no body rate."""
    con = connect(warehouse)
    got = con.execute("""
        select f.article_id, f.title_hits, f.title_hits_delegitimising, f.title_hits_loaded,
               count(h.article_id), count(h.article_id) filter (where h.frame = 'delegitimising'),
               count(h.article_id) filter (where h.category = 'loaded_language')
        from features f left join term_hits h on h.article_id = f.article_id and h.field = 'title'
        where f.title_hits is not null group by all""").fetchall()
    assert got and all(r[1:4] == r[4:7] for r in got), got
    assert con.execute("select count(*) from stg_term_hits").fetchone()[0] == con.execute(
        "select count(*) from term_hits where field = 'body'").fetchone()[0]


def test_a_mart_figure_points_at_its_number_in_the_body(warehouse):
    """mart_figures carries the offsets it was read at: the body there is the figure."""
    con = connect(warehouse)
    rows = con.execute("select f.value_text, substr(a.body, f.start_offset + 1, f.end_offset - f.start_offset) "
                       "from mart_figures f join articles a using (article_id)").fetchall()
    assert rows and all(text == got for text, got in rows)


def test_models_run_in_order_and_marts_are_listed():
    names = [n for n, _ in sql_models()]
    assert names == sorted(names) and names[0].startswith("10_staging/")
    assert {"articles", "term_rates", "label_rates", "story_outlets", "label_divergence", "figures",
            "figure_disagreement", "quoted_sides", "actor_labels", "outlet_profiles"} <= {m.removeprefix("mart_") for m in mart_names()}


def test_query_connection_is_read_only(warehouse, tmp_path):
    con = connect(warehouse)
    with pytest.raises(duckdb.Error):
        con.execute(f"copy (select 1) to '{tmp_path}/x.csv'")
    with pytest.raises(duckdb.Error):
        con.execute("set enable_external_access = true")
    with pytest.raises(duckdb.Error):
        con.execute("select * from read_csv('/etc/passwd')")


def test_duckdb_file_for_the_cli(warehouse):
    con = duckdb.connect(str(warehouse / "framewatch.duckdb"), read_only=True)
    assert con.execute("select count(*) from mart_articles").fetchone()[0] == 6


@pytest.mark.parametrize(
    "value, expected",
    [("", ""), ("=1+1", "'=1+1"), ("+1", "'+1"), ("-2 more", "'-2 more"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), (-3, -3), (None, None), (["a", "=b"], "a; =b")],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_csv_reports_are_formula_safe_rfc4180(warehouse, tmp_path):
    paths = write_reports(warehouse, tmp_path / "reports", dt.date(2022, 1, 9))
    assert set(paths) == set(mart_names()) | {"report_html"}
    assert all(p.parent.name == "2022-01-09" for p in paths.values())
    raw = paths["mart_articles"].read_bytes()
    assert b"\r\n" in raw and raw.decode("utf-8")
    rows = list(csv.DictReader(paths["mart_articles"].open(encoding="utf-8", newline="")))
    titles = [r["title"] for r in rows]
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in titles
    for r in rows:
        for v in r.values():
            assert not (v or " ")[0] in "=+@\t\r" and not (v.startswith("-") and not _is_number(v))


def _is_number(v):
    try:
        float(v)
        return True
    except ValueError:
        return False


def _db_contents(path):
    """Every view of a DuckDB file (outside framewatch_meta) with its columns and rows."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        views = [v for (v,) in con.execute("select view_name from duckdb_views() "
                                           "where not internal and schema_name = 'main' order by 1").fetchall()]
        out = {}
        for v in views:
            cols = con.execute(f"select column_name, data_type from duckdb_columns() where table_name = '{v}' "
                               "order by column_index").fetchall()
            rows = con.execute(f"select * exclude (run_id) from {v}" if ("run_id", "VARCHAR") in cols
                               else f"select * from {v}").fetchall()
            out[v] = (cols, sorted(map(repr, rows)))
        return out
    finally:
        con.close()


def test_duckdb_file_reused_across_commits_equals_a_fresh_one(tmp_path):
    """A commit copies the last commit's DuckDB file and points its table views at the new
    files (the models' views stay): the file reads exactly like one built afresh. A file
    whose models came from other SQL (its fingerprint), or whose table views' columns
    change, is built afresh."""
    from flows.storage import Warehouse
    from flows.warehouse import DB_FILE, create_views, models_fingerprint, write_db_file

    raw = copy_seeds(tmp_path / "raw")
    wh_dir = tmp_path / "wh"
    run_once(raw, wh_dir)
    (raw / "more.jsonl").write_text(json.dumps({"title": "More", "source": "Reuters", "date": "2022-01-05",
                                                "content": "Protesters and riot police met again."}) + "\n")
    con = duckdb.connect(str(wh_dir / DB_FILE))
    con.execute("create view framewatch_meta.marker as select 1 as x")   # survives only in a copy
    con.close()
    run_once(raw, wh_dir)                       # the second commit reuses the first one's file
    wh = Warehouse(wh_dir)
    fresh = tmp_path / "fresh.duckdb"
    con = duckdb.connect(str(fresh))
    create_views(con, wh)
    con.close()
    reused = _db_contents(wh_dir / DB_FILE)
    assert reused == _db_contents(fresh)
    assert reused["articles"][1] and len(reused["runs"][1]) == 2
    con = duckdb.connect(str(wh_dir / DB_FILE), read_only=True)
    assert con.execute("select fingerprint from framewatch_meta.models").fetchall() == [(models_fingerprint(),)]
    assert con.execute("select x from framewatch_meta.marker").fetchall() == [(1,)]
    con.close()

    # other models' file, and a table view whose columns differ: built afresh
    for spoil in ("create or replace view framewatch_meta.models as select 'other' as fingerprint",
                  "create or replace view runs as select 1 as x"):
        con = duckdb.connect(str(wh_dir / DB_FILE))
        con.execute(spoil)
        con.execute("drop view mart_articles")
        con.close()
        write_db_file(wh, wh.current())
        assert _db_contents(wh_dir / DB_FILE) == _db_contents(fresh)
        con = duckdb.connect(str(wh_dir / DB_FILE), read_only=True)
        assert not con.execute("select * from duckdb_views() where view_name = 'marker'").fetchall()
        con.close()


def test_mart_versions_says_what_made_the_numbers(warehouse):
    """One run of one installation: one combination of versions, every article, that run."""
    from transforms.lineage import LINEAGE_VERSION

    con = connect(warehouse)
    got = con.execute("select extractor_version, lexicon_version, registry_version, lineage_version, articles, runs, "
                      "first_run_id, last_run_id from mart_versions").fetchall()
    run = con.execute("select extractor_version, lexicon_version, registry_version, run_id from runs").fetchall()
    (n,) = con.execute("select count(*) from articles").fetchone()
    assert len(run) == 1
    assert got == [(*run[0][:3], LINEAGE_VERSION, n, 1, run[0][3], run[0][3])]


def test_a_duckdb_file_left_behind_by_failed_rebuilds_still_reads(tmp_path, monkeypatch):
    """framewatch.duckdb could not be rebuilt for more runs in a row than old commits are kept
    (a disk full at that moment, the failpoint's ENOSPC): the commits' garbage collection
    keeps the commit that file reads, so it still shows that run instead of failing on
    deleted Parquet files; the commit after its next rebuild lets that commit go."""
    from flows import failpoints
    from flows.storage import KEEP_MANIFESTS
    from flows.warehouse import DB_FILE
    from transforms.errors import DbFileNotRebuilt

    from .conftest import RAW, SEEDS

    raw, wh_dir = tmp_path / "raw", tmp_path / "wh"
    raw.mkdir()
    names = list(SEEDS.values())
    (raw / names[0]).write_bytes((RAW / names[0]).read_bytes())
    run_once(raw, wh_dir)

    def in_db_file() -> int:
        """Its articles, after reading every table and mart it has (each reads its files)."""
        con = duckdb.connect(str(wh_dir / DB_FILE), read_only=True)
        try:
            for view in [*TABLES, *mart_names()]:
                con.execute(f"select count(*) from {view}").fetchall()
            return con.execute("select count(*) from articles").fetchone()[0]
        finally:
            con.close()

    monkeypatch.setenv(failpoints.ENV, "db-file/enospc")
    for name in names[1:1 + KEEP_MANIFESTS]:                  # more failed rebuilds than commits kept
        (raw / name).write_bytes((RAW / name).read_bytes())
        failpoints._counts.clear()                            # it fires at its first hit
        with pytest.raises(DbFileNotRebuilt):
            run_once(raw, wh_dir)
        assert in_db_file() == 1                              # the first run's, still readable
    monkeypatch.delenv(failpoints.ENV)
    assert len(list((wh_dir / "_manifests").glob("*.json"))) == KEEP_MANIFESTS + 1
    con = connect(wh_dir)
    assert con.execute("select count(*) from articles").fetchone()[0] == 1 + KEEP_MANIFESTS
    con.close()
    (raw / names[4]).write_bytes((RAW / names[4]).read_bytes())
    run_once(raw, wh_dir)                                     # rebuilt
    assert in_db_file() == 5
    assert (wh_dir / "_DUCKDB").read_text().strip() == (wh_dir / "_CURRENT").read_text().strip()
    run_once(raw, wh_dir)                                     # the next commit lets the first one go
    assert len(list((wh_dir / "_manifests").glob("*.json"))) == KEEP_MANIFESTS


def test_a_warehouse_of_an_older_release_is_queried_before_a_run_of_this_one(tmp_path):
    """The staging views read term_hits.field, a column that a warehouse written before it
    has in no file: queried (framewatch query, reports) before the first run of this release,
    the views give it as null (= body) instead of failing every mart."""
    import pyarrow.parquet as pq

    from flows.storage import Warehouse

    raw, wh_dir = copy_seeds(tmp_path / "raw"), tmp_path / "wh"
    run_once(raw, wh_dir)
    wh = Warehouse(wh_dir)
    for path in wh.paths("term_hits"):                       # as an older release wrote them
        pq.write_table(pq.read_table(path).drop_columns(["field"]), path)
    con = connect(wh_dir)
    assert con.execute("select count(*) from term_hits where field is null").fetchone()[0] > 0
    assert con.execute("select count(*) from stg_term_hits").fetchone()[0] == \
        con.execute("select count(*) from term_hits").fetchone()[0]
    assert con.execute("select count(*) from mart_term_rates").fetchone()[0] > 0
    con.close()
