import pytest

from transforms.schema import ARTICLE_KEY, TABLES, SchemaError, empty_table, table_from_rows


@pytest.mark.parametrize("name", sorted(TABLES))
def test_tables_have_unique_columns_and_a_key_rule(name):
    schema = TABLES[name]
    assert len(set(schema.names)) == len(schema.names)
    assert name in ARTICLE_KEY
    if ARTICLE_KEY[name]:
        assert ARTICLE_KEY[name] in schema.names
    assert empty_table(name).num_rows == 0


def test_per_article_tables_carry_run_and_versions():
    for name, key in ARTICLE_KEY.items():
        if key and name not in ("article_sources", "evidence", "stories", "lineage_index"):
            assert {"run_id", "extractor_version", "lexicon_version", "registry_version"} <= set(TABLES[name].names)
    for name in ("stories", "links", "lineage_index"):   # derived by transforms.lineage: its version and the run
        assert {"run_id", "lineage_version"} <= set(TABLES[name].names)
    assert {"run_id", "extractor_version"} <= set(TABLES["article_sources"].names)
    assert {"run_id", "extractor_version", "registry_version"} <= set(TABLES["evidence"].names)


@pytest.mark.parametrize(
    "rows, message",
    [
        ([{"nope": 1}], "unknown columns"),
        ([{"article_id": "a"}], "missing columns"),
    ],
)
def test_rows_must_match_schema(rows, message):
    with pytest.raises(SchemaError, match=message):
        table_from_rows("stories", rows)


def test_empty_rows_make_an_empty_table():
    assert table_from_rows("rejects", []).num_rows == 0
