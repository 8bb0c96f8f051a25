"""The single source of every warehouse table's columns and types.

Nothing else in framewatch names a column type. Flows build Arrow tables with
`table_from_rows(name, rows)`, which fails loudly on an unknown or missing column,
so a typo cannot silently create a new column in Parquet.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import pyarrow as pa

# Provenance values an article can carry (see transforms.outlets).
PROVENANCES = ("original", "republished", "wire", "translated", "paraphrased")
STATUSES = ("ok", "rejected")

_VERSION_FIELDS = [
    pa.field("extractor_version", pa.string(), nullable=False),
    pa.field("lexicon_version", pa.string(), nullable=False),
    pa.field("registry_version", pa.string(), nullable=False),
]
# Every per-article row says which run and which versions of the code and data made it.
_VERSIONS = [pa.field("run_id", pa.string(), nullable=False), *_VERSION_FIELDS]

ARTICLES = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("record", pa.int64()),
        pa.field("raw_sha256", pa.string(), nullable=False),
        pa.field("input_format", pa.string(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("body", pa.string(), nullable=False),
        pa.field("published", pa.date32()),
        pa.field("date_source", pa.string()),
        pa.field("language", pa.string()),
        pa.field("byline", pa.string()),
        pa.field("url", pa.string()),
        pa.field("site_name", pa.string()),
        # Metadata added with issue 3 (null in warehouses written before it): the
        # standfirst, the section, and where each field came from ("text:breadcrumb",
        # "html:meta", "record:headline", "manifest"; null when the field is null).
        pa.field("title_source", pa.string()),
        pa.field("subtitle", pa.string()),
        pa.field("subtitle_source", pa.string()),
        pa.field("byline_source", pa.string()),
        pa.field("url_source", pa.string()),
        pa.field("section", pa.string()),
        pa.field("section_source", pa.string()),
        pa.field("publisher", pa.string()),
        pa.field("origin", pa.string()),
        pa.field("provenance", pa.string(), nullable=False),
        pa.field("credits", pa.list_(pa.string())),
        pa.field("word_count", pa.int64()),
        *_VERSIONS,
    ]
)

# Every file/record an article was seen in (exact duplicates are stored once in
# `articles`, with all their sources here).
ARTICLE_SOURCES = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("record", pa.int64()),
        pa.field("raw_sha256", pa.string(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
        # the sidecar manifest's entry applied to this file (JSON, keys sorted), null if none:
        # a run re-reads a file whose entry changed since
        pa.field("manifest_entry", pa.string()),
        # the extractor that read the file (null in rows written before it was recorded)
        pa.field("extractor_version", pa.string()),
    ]
)

TERM_HITS = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("category", pa.string(), nullable=False),
        pa.field("frame", pa.string(), nullable=False),
        pa.field("term", pa.string(), nullable=False),
        pa.field("canonical", pa.string(), nullable=False),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("in_quote", pa.bool_(), nullable=False),
        pa.field("sentence", pa.string()),
        *_VERSIONS,
        # where start and end point: "body", or "title" (the headline's hits, behind the title_*
        # features); null in rows written before it: body
        pa.field("field", pa.string()),
    ]
)

# Quotations and reported speech, with who speaks and how they are introduced.
QUOTES = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),          # direct | indirect
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("speaker", pa.string()),
        pa.field("speaker_role", pa.string()),
        pa.field("verb", pa.string()),
        pa.field("verb_class", pa.string()),                    # neutral | doubt | assertive
        pa.field("side", pa.string()),
        *_VERSIONS,
    ]
)

# Numbers attached to events: killed, wounded, detained, deployed...
FIGURES = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("value", pa.int64()),                          # null for vague amounts ("dozens")
        pa.field("value_text", pa.string(), nullable=False),
        pa.field("low", pa.int64()),
        pa.field("high", pa.int64()),
        pa.field("approximate", pa.bool_(), nullable=False),
        pa.field("subject", pa.string()),
        pa.field("hedged", pa.bool_(), nullable=False),
        pa.field("as_of", pa.string()),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("sentence", pa.string()),
        *_VERSIONS,
    ]
)

# Wide per-article features. Readability values are null (not 0) for an empty body.
FEATURE_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("word_count", pa.int64()),
    ("sentence_count", pa.int64()),
    ("syllable_count", pa.int64()),
    ("flesch_reading_ease", pa.float64()),
    ("flesch_kincaid_grade", pa.float64()),
    ("gunning_fog", pa.float64()),
    ("smog_index", pa.float64()),
    ("dale_chall", pa.float64()),
    ("text_standard", pa.float64()),
    ("quote_share", pa.float64()),
    ("hits_total", pa.int64()),
    ("hits_legitimising", pa.int64()),
    ("hits_neutral", pa.int64()),
    ("hits_delegitimising", pa.int64()),
    ("hits_in_quote", pa.int64()),
    ("hits_loaded", pa.int64()),
    ("paraphrase_score", pa.float64()),
    ("tone_mean", pa.float64()),
    ("tone_min", pa.float64()),
    ("tone_max", pa.float64()),
    ("tone_neg_share", pa.float64()),
    ("tone_protesters", pa.float64()),
    ("tone_security", pa.float64()),
    ("tone_foreign_force", pa.float64()),
    ("tone_government", pa.float64()),
    ("quotes_direct", pa.int64()),
    ("quotes_indirect", pa.int64()),
    ("quoted_share", pa.float64()),
    ("doubt_verbs", pa.int64()),
    ("neutral_verbs", pa.int64()),
    ("assertive_verbs", pa.int64()),
    ("speakers_distinct", pa.int64()),
    ("sides_distinct", pa.int64()),
    ("hedges", pa.int64()),
    ("figures", pa.int64()),
    ("modifiers", pa.int64()),
    ("exclamation_rate", pa.float64()),      # "!" per sentence
    ("question_rate", pa.float64()),         # "?" per sentence
    ("title_word_count", pa.int64()),        # headline features: the title on its own
    ("title_hits", pa.int64()),
    ("title_hits_delegitimising", pa.int64()),
    ("title_hits_loaded", pa.int64()),
    ("title_tone", pa.float64()),
)
FEATURES = pa.schema(
    [pa.field("article_id", pa.string(), nullable=False)]
    + [pa.field(name, typ) for name, typ in FEATURE_COLUMNS]
    + _VERSIONS
)

# Why each publisher/origin/provenance decision was taken.
EVIDENCE = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("field", pa.string(), nullable=False),
        pa.field("value", pa.string()),
        pa.field("rule", pa.string(), nullable=False),
        pa.field("span", pa.string()),
        pa.field("weight", pa.float64()),
        pa.field("run_id", pa.string(), nullable=False),
        # what decided: the extractor and resolver, and the outlet registry (null in rows
        # written before they were recorded)
        pa.field("extractor_version", pa.string()),
        pa.field("registry_version", pa.string()),
    ]
)

# Story membership, recomputed over the whole warehouse on every run (a new article
# can join an old story).
STORIES = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("story_id", pa.string(), nullable=False),
        pa.field("lineage_version", pa.string(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
    ]
)

# What later runs need of each article to place new ones in stories and find their copies
# without reading every body again (transforms.lineage.index_entry).
LINEAGE_INDEX = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("published", pa.date32()),
        pa.field("terms", pa.list_(pa.string()), nullable=False),       # story terms of title + lead
        pa.field("weights", pa.list_(pa.float64()), nullable=False),    # their weighted counts
        pa.field("shingles", pa.list_(pa.uint64()), nullable=False),    # sampled word 5-shingle hashes
        pa.field("n_tokens", pa.int32(), nullable=False),
        pa.field("lineage_version", pa.string(), nullable=False),   # transforms.lineage.INDEX_VERSION
        pa.field("run_id", pa.string(), nullable=False),
    ]
)

# Copy lineage: pairs of articles with the same wording (recomputed with the stories).
LINKS = pa.schema(
    [
        pa.field("article_a", pa.string(), nullable=False),
        pa.field("article_b", pa.string(), nullable=False),
        pa.field("similarity", pa.float64(), nullable=False),    # Jaccard of word 5-shingles
        pa.field("kind", pa.string(), nullable=False),           # duplicate | near_duplicate | paraphrase
        pa.field("original_id", pa.string(), nullable=False),    # which side is the original (see flows.runs)
        pa.field("copy_id", pa.string(), nullable=False),
        pa.field("changes", pa.list_(pa.string())),              # "label_swapped: protesters -> rioters", ...
        pa.field("lineage_version", pa.string(), nullable=False),
        pa.field("run_id", pa.string(), nullable=False),
    ]
)

# The outlet registry as it was for the run (replaced every run).
OUTLETS = pa.schema(
    [
        pa.field("outlet_id", pa.string(), nullable=False),
        pa.field("name", pa.string(), nullable=False),
        pa.field("type", pa.string(), nullable=False),
        pa.field("country", pa.string()),
        pa.field("languages", pa.string()),
        pa.field("ownership", pa.string(), nullable=False),
        pa.field("state_affiliation", pa.string()),
        pa.field("lean", pa.string()),
        pa.field("domains", pa.string()),
        pa.field("aliases", pa.string()),
        pa.field("registry_version", pa.string(), nullable=False),
    ]
)

REJECTS = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("record", pa.int64()),
        pa.field("raw_sha256", pa.string()),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("detail", pa.string()),
        pa.field("run_id", pa.string(), nullable=False),
        # the extractor that decided (null in rows written before it was recorded): a run
        # with another extractor reads the file again
        pa.field("extractor_version", pa.string()),
    ]
)

RUNS = pa.schema(
    [
        pa.field("run_id", pa.string(), nullable=False),
        pa.field("started_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("finished_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("raw_dir", pa.string(), nullable=False),
        pa.field("mode", pa.string(), nullable=False),
        pa.field("files_seen", pa.int64(), nullable=False),
        pa.field("files_processed", pa.int64(), nullable=False),
        pa.field("articles_written", pa.int64(), nullable=False),
        pa.field("duplicates", pa.int64(), nullable=False),
        pa.field("rejected", pa.int64(), nullable=False),
        # what the run did besides new and changed files (null: a run recorded before these columns)
        pa.field("reanalysed_files", pa.int64()),        # unchanged files re-read: rows of other versions
        pa.field("manifest_changed_files", pa.int64()),  # unchanged files re-read: manifest entry changed
        pa.field("stale_without_raw", pa.int64()),       # files with such rows gone from the raw folder
        pa.field("shared_changed_files", pa.int64()),    # unchanged files re-read: an article shared with a changed file
        pa.field("lineage", pa.string()),                # full | incremental | unchanged
        pa.field("lineage_window", pa.int64()),          # articles whose story was re-computed
        *_VERSION_FIELDS,
    ]
)

TABLES: dict[str, pa.Schema] = {  # name -> schema; every table is a folder of Parquet files
    "articles": ARTICLES,
    "article_sources": ARTICLE_SOURCES,
    "term_hits": TERM_HITS,
    "quotes": QUOTES,
    "figures": FIGURES,
    "features": FEATURES,
    "evidence": EVIDENCE,
    "stories": STORIES,
    "links": LINKS,
    "lineage_index": LINEAGE_INDEX,
    "outlets": OUTLETS,
    "rejects": REJECTS,
    "runs": RUNS,
}

# Not a warehouse table: the warehouse folder's cache of raw files' hashes by their file
# status (flows/hashcache.py), so that unchanged files are not read again each run.
RAW_HASH_CACHE = pa.schema([
    pa.field("raw_root", pa.string(), nullable=False),   # the raw folder, resolved
    pa.field("rel", pa.string(), nullable=False),        # path in it, as RawFile.rel
    pa.field("size", pa.int64(), nullable=False),
    pa.field("mtime_ns", pa.int64(), nullable=False),
    pa.field("ctime_ns", pa.int64(), nullable=False),
    pa.field("inode", pa.uint64(), nullable=False),
    pa.field("device", pa.uint64(), nullable=False),
    pa.field("sha256", pa.string(), nullable=False),
])

# The column that ties each row to the article it describes (None: not per article).
ARTICLE_KEY: dict[str, str | None] = {
    "articles": "article_id",
    "article_sources": "article_id",
    "term_hits": "article_id",
    "quotes": "article_id",
    "figures": "article_id",
    "features": "article_id",
    "evidence": "article_id",
    "stories": "article_id",
    "links": None,
    "lineage_index": "article_id",
    "outlets": None,
    "rejects": None,
    "runs": None,
}


class SchemaError(ValueError):
    """Rows do not fit a table's schema (a programmer error, not bad input)."""


def table_from_rows(name: str, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Build an Arrow table for `name` from row dicts, checking the column names."""
    schema = TABLES[name]
    rows = list(rows)
    expected = set(schema.names)
    for i, row in enumerate(rows):
        if row.keys() != expected:   # a keys view compares as a set, without building one
            keys = set(row)
            raise SchemaError(
                f"{name} row {i}: unknown columns {sorted(keys - expected)}, "
                f"missing columns {sorted(expected - keys)}; fix the row or transforms/schema.py"
            )
    return pa.Table.from_pylist(rows, schema=schema)


def empty_table(name: str) -> pa.Table:
    return TABLES[name].empty_table()
