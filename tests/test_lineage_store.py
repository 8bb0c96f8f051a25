"""Stories and copy links kept up to date incrementally from the warehouse's lineage index
(flows/lineage_store.py): real runs over files on disk, read back through DuckDB, compared
with a full recomputation."""
import contextlib

import pyarrow as pa

from flows import lineage_store
from flows.storage import Warehouse
from flows.warehouse import connect
from transforms import lineage
from transforms.schema import TABLES

from .conftest import copy_seeds, run_once
from .test_copy_origin import FLOOD, WIRE, _article


def _copy_of_wire(raw):
    _article(raw / "hill_copy.json", "The Hill", "2023-03-02", "Valdoria dock workers strike over pay",
             WIRE.replace("on Wednesday", "this week").replace("twelve vessels", "a dozen vessels"))


def _first_run(tmp_path):
    raw = copy_seeds(tmp_path / "raw")
    _article(raw / "wire_original.json", "Reuters", "2023-03-01", "Valdoria dock workers strike over pay", WIRE)
    _article(raw / "flood.json", "BBC News", "2023-06-10", "Floods force hundreds from homes in Kestwick", FLOOD)
    s = run_once(raw, tmp_path / "wh")
    assert s.lineage == "full" and s.articles_total == 7
    return raw, tmp_path / "wh"


def _two_copies_of_wire(tmp_path):
    """The first run's warehouse, after a run that adds two copies of the wire story."""
    raw, wh = _first_run(tmp_path)
    _copy_of_wire(raw)
    _article(raw / "wire_copy2.json", "Yahoo News", "2023-03-02", "Valdoria dock workers strike over pay",
             WIRE.replace("on Wednesday", "on Wednesday morning"))
    run_once(raw, wh)
    return raw, wh


@contextlib.contextmanager
def _uncommitted_tables(wh, *views):
    """lineage_store's DuckDB views over the warehouse, in a transaction that is not committed."""
    w = Warehouse(wh)
    with w.lock():
        tx = w.begin("check")
        t = lineage_store._Tables(tx)
        try:
            for table in views:
                t.view(table)
            yield t
        finally:
            t.con.close()
            tx.abort()


def _tables(wh):
    con = connect(wh)
    stories = {a: (s, r) for a, s, r in con.execute("select article_id, story_id, run_id from stories").fetchall()}
    links = con.execute("select article_a, article_b, kind, original_id, copy_id, run_id from links").fetchall()
    ids = dict(con.execute("select source, article_id from article_sources").fetchall())
    n_index = con.execute("select count(*) from lineage_index").fetchone()[0]
    con.close()
    return stories, links, ids, n_index


def _full_recompute(wh):
    w = Warehouse(wh)
    with w.lock():
        tx = w.begin("check")
        lineage_store.update(tx, "check", set(), set(), True)
        stories = tx.read("stories", ["article_id", "story_id"]).to_pylist()
        links = tx.read("links", ["article_a", "article_b", "kind", "original_id", "copy_id"]).to_pylist()
        tx.abort()
    return {r["article_id"]: r["story_id"] for r in stories}, sorted(tuple(r.values()) for r in links)


def test_increment_links_a_new_copy_and_leaves_far_stories_alone(tmp_path):
    raw, wh = _first_run(tmp_path)
    before, links_before, _, _ = _tables(wh)
    assert links_before == []
    _copy_of_wire(raw)
    s = run_once(raw, wh)
    assert (s.lineage, s.articles_written) == ("incremental", 1)
    stories, links, ids, n_index = _tables(wh)
    assert n_index == len(stories) == 8
    wire, copy, flood = ids["wire_original.json"], ids["hill_copy.json"], ids["flood.json"]
    # the copy is found against an article of the earlier run, and the earlier one is the original
    assert [(l[3], l[4]) for l in links] == [(wire, copy)] and links[0][2] == "near_duplicate"
    assert stories[wire][0] == stories[copy][0] and stories[copy][1] == s.run_id
    # the flood (June 2023, dated, in no story with the rest) was not re-clustered; the undated
    # seeds were (undated articles can meet an article of any date), and with them the dated
    # seed of their story (a story is re-made whole)
    for source, aid in ids.items():
        if source not in ("wire_original.json", "hill_copy.json"):
            assert stories[aid][0] == before[aid][0], source
    assert stories[flood] == before[flood]
    assert s.lineage_window == 7
    assert stories[flood][0] != stories[wire][0]


def test_increment_agrees_with_a_full_recomputation(tmp_path):
    raw, wh = _first_run(tmp_path)
    _copy_of_wire(raw)
    run_once(raw, wh)
    stories, links, _, _ = _tables(wh)
    full_stories, full_links = _full_recompute(wh)
    assert {a: s for a, (s, _) in stories.items()} == full_stories
    assert sorted(l[:5] for l in links) == full_links


def test_removed_article_takes_its_link_and_story_place_with_it(tmp_path):
    raw, wh = _first_run(tmp_path)
    _copy_of_wire(raw)
    run_once(raw, wh)
    _, links, ids, _ = _tables(wh)
    assert len(links) == 1
    old_copy = ids["hill_copy.json"]
    # the copy's file is rewritten as an unrelated article: its old article, link and story row go
    _article(raw / "hill_copy.json", "The Hill", "2023-03-02", "Council approves new budget",
             "The city council approved a budget of 12 million for road repairs and two new libraries. "
             "Members voted seven to two after a debate that lasted most of the evening.")
    s = run_once(raw, wh)
    assert s.lineage == "incremental"
    stories, links, ids, n_index = _tables(wh)
    assert links == [] and old_copy not in stories and n_index == len(stories) == 8
    assert ids["hill_copy.json"] != old_copy


def test_warehouse_from_before_the_index_is_indexed_once_and_recomputed(tmp_path):
    """An older warehouse: no lineage index, stories of an older lineage version."""
    raw, wh = _first_run(tmp_path)
    w = Warehouse(wh)
    with w.lock():   # what a warehouse written before lineage_index existed looks like
        tx = w.begin("strip")
        tx.replace_table("lineage_index", TABLES["lineage_index"].empty_table())
        old = tx.read("stories")
        tx.replace_table("stories", old.set_column(old.schema.get_field_index("lineage_version"), "lineage_version",
                                                   pa.array(["stories-3"] * old.num_rows, pa.string())).cast(TABLES["stories"]))
        tx.commit()
    _copy_of_wire(raw)
    s = run_once(raw, wh)
    assert s.lineage == "full"
    stories, links, _, n_index = _tables(wh)
    assert n_index == len(stories) == 8 and len(links) == 1
    con = connect(wh)
    assert con.execute("select count(distinct lineage_version) from lineage_index").fetchone()[0] == 1
    con.close()


def test_index_rows_are_the_transform_of_the_stored_text(tmp_path):
    raw, wh = _first_run(tmp_path)
    con = connect(wh)
    got = con.execute("select i.terms, i.weights, i.shingles, i.n_tokens, a.title, a.body from lineage_index i "
                      "join articles a using (article_id)").fetchall()
    con.close()
    assert len(got) == 7
    for terms, weights, shingles, n_tokens, title, body in got:
        want_terms, want_shingles, want_n = lineage.index_entry(title, body)
        assert dict(zip(terms, weights)) == dict(want_terms)
        assert shingles == want_shingles.tolist() and n_tokens == want_n > 0


def test_incremental_candidates_are_the_full_ones_that_have_a_new_article(tmp_path, monkeypatch):
    """The increment's copy candidates, made from the postings of the new articles' shingles
    only, are exactly the pairs of the whole index that contain a new article, also when
    a shingle's postings pass MAX_POSTINGS (then it is left out in both)."""
    raw, wh = _two_copies_of_wire(tmp_path)
    _, _, ids, _ = _tables(wh)
    new = {ids["hill_copy.json"], ids["wire_copy2.json"]}
    with _uncommitted_tables(wh, "articles", "lineage_index") as t:
        t.ids("new_ids", new)
        for cap in (50, 2):      # 2: the shingles the three texts share are boilerplate
            monkeypatch.setattr(lineage, "MAX_POSTINGS", cap)
            full = [p for p in lineage_store._candidates(t, False) if new & set(p)]
            assert lineage_store._candidates(t, True) == full
            assert (cap == 50) == bool(full)


def test_copy_links_are_verified_a_bounded_chunk_of_pairs_at_a_time(tmp_path, monkeypatch):
    """The full recomputation's links, verified LINK_PAIRS candidate pairs at a time (the
    leads read and shingled for a chunk's articles only), are the same links as in one go;
    no chunk holds more pairs, or the leads of more articles, than its bound."""
    raw, wh = _two_copies_of_wire(tmp_path)
    with _uncommitted_tables(wh, "articles", "lineage_index") as t:
        pairs = lineage_store._candidates(t, False)
        assert len(pairs) == 4        # the three copies of the wire story, and one more
        whole, n = lineage_store._links(t, False, "check")
        assert n == whole.num_rows >= 3
        monkeypatch.setattr(lineage_store, "LINK_PAIRS", 2)
        parts = []
        for part in lineage_store._link_tables(t, pairs, "check"):
            held = t.rows("select count(*) from pair_ids")[0][0]
            assert part.num_rows <= 2 and 2 <= held <= 4   # a chunk's articles only
            parts.append(part)
        assert len(parts) == 2
        assert pa.concat_tables(parts).to_pylist() == whole.to_pylist()
        assert lineage_store._links(t, False, "check")[0].to_pylist() == whole.to_pylist()


def test_a_released_connection_keeps_the_views_and_registered_ids(tmp_path):
    """_Tables.release (a new DuckDB connection, so that the old one's memory goes) keeps
    every view and registered table: the queries after it read the same rows."""
    raw, wh = _first_run(tmp_path)
    with _uncommitted_tables(wh, "articles", "lineage_index", "stories", "links") as t:
        some = {r[0] for r in t.rows("select article_id from articles order by article_id limit 3")}
        t.ids("window_ids", some)
        sql = ("select (select count(*) from articles), (select count(*) from lineage_index semi join "
               "window_ids using (article_id)), (select count(*) from stories), (select count(*) from links)")
        before, old = t.rows(sql), t.con
        t.release()
        assert t.con is not old and t.rows(sql) == before == [(7, 3, 7, 0)]


def test_stories_clustered_in_chunks_of_two_are_the_stories_of_one_go(tmp_path, monkeypatch):
    """The full recomputation's and a window's stories, with the clustering's chunks at 2
    articles, rows and pairs (transforms/lineage.py), are the ones made in one go."""
    raw, wh = _two_copies_of_wire(tmp_path)
    with _uncommitted_tables(wh, "articles", "lineage_index", "stories", "links") as t:
        ids = {r[0] for r in t.rows("select article_id from lineage_index")}
        window = set(sorted(ids)[:5])
        whole = lineage_store._stories(t, None, set(), "check").to_pylist()
        part = lineage_store._stories(t, window, ids - window, "check").to_pylist()
        assert len(whole) == len(part) == 9 and len({r["story_id"] for r in whole}) < 9   # copies share a story
        for name in ("_QUERY_CHUNK", "_CANDIDATE_ROWS", "_PAIR_CHUNK"):
            monkeypatch.setattr(lineage, name, 2)
        assert lineage_store._stories(t, None, set(), "check").to_pylist() == whole
        assert lineage_store._stories(t, window, ids - window, "check").to_pylist() == part
