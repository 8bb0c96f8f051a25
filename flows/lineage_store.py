"""Stories and copy links, kept up to date at each commit from the warehouse's lineage index.

Every article has a row in `lineage_index` (its story terms, sampled shingles and token
count: `transforms.lineage.index_entry`, made by the worker that analysed it), so a
commit never reads or tokenises the bodies of the whole warehouse again.

A run that adds or removes articles updates lineage incrementally:

* links: the stored links between articles that are still there stay as they are; copies
  are looked for only in pairs with a new article (candidates share >= MIN_SHARED sampled
  shingles, each in 2..MAX_POSTINGS articles of the warehouse), verified on the two texts.
* stories: a window is re-clustered: the articles dated within two date buckets of a new
  article (an article meets others only within one bucket, so the articles one bucket
  further still see their whole neighbourhood), every undated article (undated articles
  meet articles of any date), and every member of a stored story that one of those, or a
  removed article, belongs to (a story is re-made whole, never cut at the window's edge).
  The dated articles one bucket further are context: their similarities count in the
  window's articles' neighbourhoods (local scales), but they keep their stories. idf comes
  from the whole index. Articles outside the window keep their story.

A full run (`--full`), a warehouse whose stories were made by another lineage version, or
one without stories recomputes everything from the index. The incremental result is not
always identical to a full recomputation (idf moves with every article; an article at the
window's edge sees only part of its neighbourhood): `bench/incremental_lineage.py`
measures how close it is.
"""
from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np
import pyarrow as pa

from transforms import lineage
from transforms.schema import TABLES, table_from_rows

from .storage import Transaction

COPY_PROVENANCES = {"republished", "paraphrased", "translated"}
WINDOW_BUCKETS = 2        # buckets on each side of a new article's own that are re-clustered
INDEX_BATCH = 2000
RELEASE_OVER = 10_000     # articles clustered (or candidate pairs) from which the DuckDB connection is renewed after
                          # its reads (~0.1 s: not for a nightly increment's window of a few thousand)


def index_table(articles: pa.Table, run_id: str) -> pa.Table:
    """lineage_index rows for articles (article_id, title, body, published)."""
    cols = [articles[c].to_pylist() for c in ("article_id", "title", "body", "published")]
    rows = []
    for aid, title, body, published in zip(*cols):
        terms, shingles, n_tokens = lineage.index_entry(title, body or "")
        rows.append({"article_id": aid, "published": published, "terms": list(terms),
                     "weights": list(terms.values()), "shingles": shingles.tolist(), "n_tokens": n_tokens,
                     "lineage_version": lineage.INDEX_VERSION, "run_id": run_id})
    return table_from_rows("lineage_index", rows)


@dataclass
class LineageUpdate:
    mode: str               # full | incremental | none
    window: int = 0         # articles re-clustered
    indexed: int = 0        # index rows made at commit (warehouses from before the index)
    new_links: int = 0


def _sql_paths(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


class _Tables:
    """DuckDB views over the transaction's current files of the tables lineage needs."""

    def __init__(self, tx: Transaction):
        import duckdb   # here, not at the top: pool workers import this module and never need DuckDB

        self.tx, self.con = tx, duckdb.connect()
        self._views: dict[str, None] = {}              # the views made, in order
        self._registered: dict[str, pa.Table] = {}     # the Arrow tables registered, by name

    def release(self) -> None:
        """A new connection with the same views and registered tables: DuckDB's allocator
        keeps the memory of the queries run so far until its database closes (the full
        recomputation's reads of 8,000 articles' terms left ~100 MB held while the stories
        were clustered, and through the copy links after them)."""
        import duckdb

        self.con.close()
        self.con = duckdb.connect()
        for table in list(self._views):
            self.view(table)
        for name, data in self._registered.items():
            self.con.register(name, data)

    def register(self, name: str, data: pa.Table) -> None:
        self._registered[name] = data
        self.con.register(name, data)

    def view(self, table: str) -> None:
        self._views[table] = None
        paths = self.tx.paths(table)
        if paths:
            self.con.execute(f"create or replace view {table} as select * from "
                             f"read_parquet({_sql_paths(paths)}, union_by_name = true)")
        else:
            self.con.execute(f"drop view if exists {table}")
            self.con.register(table, TABLES[table].empty_table())

    def ids(self, name: str, ids: set[str]) -> None:
        self.register(name, pa.table({"article_id": pa.array(sorted(ids), pa.string())}))

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()


def _refresh_index(t: _Tables) -> int:
    """Index rows of another version are remade, and articles without one (a warehouse
    from before the index) get theirs: read and tokenised once, here."""
    tx = t.tx
    stale = {r[0] for r in t.rows("select article_id from lineage_index where lineage_version <> ?",
                                  [lineage.INDEX_VERSION])}
    if stale:
        tx.delete_where("lineage_index", "article_id", stale)
        t.view("lineage_index")
    # the ids first: reading the bodies to find that none is missing cost 0.13 s per commit
    (n_missing,) = t.rows("select count(*) from articles anti join lineage_index using (article_id)")[0]
    if not n_missing:
        return 0
    missing = t.con.sql(
        "select a.article_id, a.title, a.body, a.published from articles a "
        "anti join lineage_index i using (article_id)").to_arrow_reader(INDEX_BATCH)
    made = 0
    for batch in missing:
        tx.append("lineage_index", index_table(pa.Table.from_batches([batch]), tx.run_id))
        made += batch.num_rows
    if made:
        t.view("lineage_index")
    return made


_BUCKET = f"((date_diff('day', DATE '0001-01-01', published) + 1) // {lineage.MAX_DAYS + 1})"


def _window(t: _Tables, removed_stories: set[str]) -> tuple[set[str], set[str]]:
    """The articles to re-cluster (see the module doc), and the ring of context around them
    (their neighbours one bucket further, which keep their stories); new ids are in the view
    `new_ids`."""
    new_buckets = [b for (b,) in t.rows(f"select distinct {_BUCKET} from lineage_index "
                                        "semi join new_ids using (article_id) where published is not null")]

    def dated_within(reach: int) -> set[str]:
        near = {b + d for b in new_buckets for d in range(-reach, reach + 1)}
        t.register("near_buckets", pa.table({"b": pa.array(sorted(near), pa.int64())}))
        return {r[0] for r in t.rows(f"select article_id from lineage_index where {_BUCKET} in "
                                     "(select b from near_buckets)")}

    window = dated_within(WINDOW_BUCKETS) | {r[0] for r in t.rows(
        "select article_id from lineage_index where published is null")}
    t.ids("window_ids", window)
    t.register("removed_stories", pa.table({"story_id": pa.array(sorted(removed_stories), pa.string())}))
    whole = {r[0] for r in t.rows(
        "select s.article_id from stories s semi join lineage_index i using (article_id) "
        "where s.story_id in (select story_id from stories semi join window_ids using (article_id)) "
        "or s.story_id in (select story_id from removed_stories)")}
    window |= whole
    return window, dated_within(WINDOW_BUCKETS + 1) - window


def _stories(t: _Tables, window: set[str] | None, ring: set[str], run_id: str) -> pa.Table:
    """Stories of the window (None: every article), idf over the whole index; the ring's
    articles are neighbours only (see cluster_stories' `context`)."""
    (n_docs,) = t.rows("select count(*) from lineage_index")[0]
    where = ""
    if window is not None:
        t.ids("window_ids", window)
        t.ids("clustered_ids", window | ring)
        where = "semi join clustered_ids using (article_id)"
    got = t.con.sql(f"select article_id, published, terms, weights from lineage_index {where} "
                    "order by article_id").to_arrow_table()
    ids = got["article_id"].to_pylist()
    terms = lineage.TermCounts.from_arrow(got["terms"], got["weights"])
    # document frequencies over the whole index, of the terms the clustered articles use
    vocab = ""
    if window is not None:
        t.register("vocab", pa.table({"term": pa.array(terms.vocab, pa.string())}))
        vocab = "semi join vocab using (term)"
    df = Counter(dict(t.rows(f"select term, count(*) from (select unnest(terms) as term from lineage_index) {vocab} "
                             "group by term")))
    published = got["published"].to_pylist()
    del got
    if len(ids) >= RELEASE_OVER:
        t.release()   # what DuckDB holds of the reads above goes before the clustering's peak
    assigned = lineage.cluster_stories(ids, published, terms, df, n_docs, [a in ring for a in ids])
    fresh = table_from_rows("stories", [
        {"article_id": a, "story_id": s, "lineage_version": lineage.LINEAGE_VERSION, "run_id": run_id}
        for a, s in sorted(assigned.items())])
    if window is None:
        return fresh
    kept = t.con.sql("select * from stories semi join lineage_index using (article_id) "
                     "anti join window_ids using (article_id) order by article_id").to_arrow_table()
    return pa.concat_tables([kept.cast(TABLES["stories"]), fresh])


def _candidates(t: _Tables, incremental: bool) -> list[tuple[str, str]]:
    """Pairs (a < b) sharing >= MIN_SHARED sampled shingles that are each in 2..MAX_POSTINGS
    articles; with `incremental`, only pairs with a new article (view `new_ids`)."""
    if not incremental:
        return _all_candidates(t)
    # only the postings of the new articles' shingles: a pair with a new article shares
    # no other, and a kept shingle keeps all its postings (the same counts), so the pairs
    # are those of the whole table (its posting counts over the index cost 0.3 s a commit)
    t.con.execute("create or replace temp table new_h as select distinct unnest(shingles) as h "
                  "from lineage_index semi join new_ids using (article_id)")
    t.con.execute("create or replace temp table sh as select * from (select article_id, unnest(shingles) as h "
                  "from lineage_index) semi join new_h using (h)")
    t.con.execute("create or replace temp table pop as select h from sh group by h "
                  f"having count(*) between 2 and {lineage.MAX_POSTINGS}")
    got = t.rows("select least(x.article_id, y.article_id), greatest(x.article_id, y.article_id) "
                 "from (select * from sh semi join new_ids using (article_id)) x join sh y on x.h = y.h "
                 "and x.article_id <> y.article_id "
                 "where (y.article_id not in (select article_id from new_ids) or x.article_id < y.article_id) "
                 f"and x.h in (select h from pop) group by all having count(*) >= {lineage.MIN_SHARED} order by all")
    return [(a, b) for a, b in got]


def _all_candidates(t: _Tables) -> list[tuple[str, str]]:
    """_candidates over the whole index, with each article as an integer (its rank by id, so
    that least, greatest and the order are the ids'): the postings and the self-join carry
    4-byte keys, not 20-character ids (the 4x replicated corpus' shingles each have four or
    more postings: its joins were the commit's peak)."""
    t.con.execute("create or replace temp table aid as select article_id, "
                  "(row_number() over (order by article_id))::integer as k from (select distinct article_id "
                  "from lineage_index)")
    t.con.execute("create or replace temp table sh as select k, unnest(shingles) as h "
                  "from lineage_index join aid using (article_id)")
    t.con.execute("create or replace temp table pop as select h from sh group by h "
                  f"having count(*) between 2 and {lineage.MAX_POSTINGS}")
    got = t.rows("select a.article_id, b.article_id from (select x.k as ka, y.k as kb from sh x join sh y "
                 "on x.h = y.h and x.k < y.k where x.h in (select h from pop) group by all "
                 f"having count(*) >= {lineage.MIN_SHARED}) p join aid a on a.k = p.ka join aid b on b.k = p.kb "
                 "order by all")
    for table in ("aid", "sh", "pop"):
        t.con.execute(f"drop table {table}")
    return [(a, b) for a, b in got]


LINK_PAIRS = 5000   # candidate pairs verified at once: the leads and shingles held follow it, not the warehouse


def _link_tables(t: _Tables, pairs: list[tuple[str, str]], run_id: str) -> Iterator[pa.Table]:
    """The copy links among candidate `pairs`, LINK_PAIRS pairs at a time, one table per
    chunk: only a chunk's articles' leads and shingles are held (the 4x replicated corpus'
    72,806 pairs held the leads and shingles of all its 48,000 articles at once, and a dict
    per link)."""
    for lo in range(0, len(pairs), LINK_PAIRS):
        chunk = pairs[lo:lo + LINK_PAIRS]
        t.ids("pair_ids", {a for p in chunk for a in p})
        # only the leads: copies are told apart on title and lead (memory bounded by the lead, not the body)
        art = {r[0]: r[1:] for r in t.rows(
            "select article_id, title, substr(body, 1, ?), published, provenance from articles "
            "semi join pair_ids using (article_id)", [lineage.LEAD_CHARS])}
        yield table_from_rows("links", _link_rows(chunk, art, run_id))


def _link_rows(pairs: list[tuple[str, str]], art: dict[str, tuple], run_id: str) -> list[dict[str, Any]]:
    rows = []
    cut: dict[str, tuple[np.ndarray, int]] = {}   # each article's shingles, made once (it is in many pairs)

    def shingled(a: str, text: str) -> tuple[np.ndarray, int]:
        if a not in cut:
            cut[a] = lineage.shingle_count(text)
        return cut[a]

    for x, y in pairs:
        (tx_, bx, px, vx), (ty, by, py, vy) = art[x], art[y]
        text_x, text_y = lineage.link_text(tx_, bx or ""), lineage.link_text(ty, by or "")
        (sx, nx), (sy, ny) = shingled(x, text_x), shingled(y, text_y)
        got = lineage.copy_kind(text_x, text_y, shingles=(sx, sy), n_tokens=(nx, ny))
        if got is None:
            continue
        kind, similarity = got
        # the copy is the side whose provenance says so, else the later one
        if (vx in COPY_PROVENANCES) != (vy in COPY_PROVENANCES):
            orig, copy = (y, x) if vx in COPY_PROVENANCES else (x, y)
        else:
            orig, copy = (y, x) if (px and py and py < px) else (x, y)
        changes = [f"{c.kind}: {c.original or ''} -> {c.copy or ''}".strip()
                   for c in lineage.diff_copy(art[orig][1] or "", art[copy][1] or "")][:200]
        rows.append({"article_a": x, "article_b": y, "similarity": similarity, "kind": kind,
                     "original_id": orig, "copy_id": copy, "changes": changes,
                     "lineage_version": lineage.LINEAGE_VERSION, "run_id": run_id})
    return rows


def _links(t: _Tables, incremental: bool, run_id: str) -> tuple[pa.Table, int]:
    pairs = _candidates(t, incremental)
    if len(pairs) >= RELEASE_OVER:
        t.release()   # the candidate joins' memory goes before the pairs are verified
    parts = list(_link_tables(t, pairs, run_id))
    fresh = pa.concat_tables(parts) if parts else table_from_rows("links", [])
    n_new = fresh.num_rows
    if not incremental:
        return fresh, n_new
    kept = t.con.sql(
        "select l.* from links l where l.article_a in (select article_id from lineage_index) "
        "and l.article_b in (select article_id from lineage_index)").to_arrow_table()
    both = pa.concat_tables([kept.cast(TABLES["links"]), fresh])
    return both.sort_by([("article_a", "ascending"), ("article_b", "ascending")]), n_new


def _incremental_links(tx: Transaction, new_ids: set[str], run_id: str) -> tuple[pa.Table, int]:
    t = _Tables(tx)
    try:
        for table in ("articles", "lineage_index", "links"):
            t.view(table)
        t.ids("new_ids", new_ids)
        return _links(t, True, run_id)
    finally:
        t.con.close()


def update(tx: Transaction, run_id: str, new_ids: set[str], removed_stories: set[str], full: bool) -> LineageUpdate:
    """Bring the transaction's stories and links up to date with its articles."""
    t = _Tables(tx)
    for table in ("articles", "lineage_index", "stories", "links"):
        t.view(table)
    made = _refresh_index(t)
    versions = {r[0] for r in t.rows("select distinct lineage_version from stories")}
    versions |= {r[0] for r in t.rows("select distinct lineage_version from links")}
    t.ids("new_ids", new_ids)
    # every old article has its story: else (no stories yet, or a past run's gap) recompute all
    (unplaced,) = t.rows("select count(*) from lineage_index anti join stories using (article_id) "
                         "anti join new_ids using (article_id)")[0]
    (old,) = t.rows("select count(*) from stories")[0]
    if full or versions - {lineage.LINEAGE_VERSION} or unplaced or not old:
        stories = _stories(t, None, set(), run_id)
        links, n_links = _links(t, False, run_id)
        out = LineageUpdate("full", stories.num_rows, made, n_links)
    else:
        # links in a thread on a connection of its own, while the window is re-clustered:
        # DuckDB and most of numpy release the GIL, so the two overlap on two cores
        with ThreadPoolExecutor(1) as pool:
            linked = pool.submit(_incremental_links, tx, new_ids, run_id)
            window, ring = _window(t, removed_stories)
            stories = _stories(t, window, ring, run_id)
            links, n_links = linked.result()
        out = LineageUpdate("incremental", len(window), made, n_links)
    tx.replace_table("stories", stories)
    tx.replace_table("links", links)
    t.con.close()
    return out
