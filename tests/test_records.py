import datetime as dt
import gzip
import json

import pytest

from transforms.extract import Article, extract_file
from transforms.records import DEFAULT_FIELD_MAP, BadRecord, parse_date, read_record

from .conftest import corpus


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, None),
        ("", None),
        ("2022-01-08", dt.date(2022, 1, 8)),
        ("2022-01-08T10:00:00Z", dt.date(2022, 1, 8)),
        ("Sat, 08 Jan 2022 10:00:00 +0000", dt.date(2022, 1, 8)),
        ("2022-13-45", None),
        ("yesterday", None),
        (1641600000, dt.date(2022, 1, 8)),
        (True, None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "record, reason",
    [
        ({}, "no_text_field"),
        ([], "not_an_object"),
        ({"content": ""}, "no_text_field"),
        ({"content": "   "}, "empty"),
        ({"content": 42}, "wrong_type"),
        ({"text": ["a", "b"]}, "wrong_type"),
    ],
)
def test_bad_records(record, reason):
    result = read_record(record)
    assert isinstance(result, BadRecord) and result.reason == reason


def test_body_is_field_text_unchanged_but_newlines():
    rec = {"content_original": "  First line.\r\nSecond   line.  ", "title": "T", "source": {"name": "Reuters"},
           "date": "2020-05-01", "authors": ["A. B.", "C. D."]}
    r = read_record(rec)
    assert r.body == "  First line.\nSecond   line.  "
    assert r.title == "T" and r.outlet == "Reuters" and r.published == dt.date(2020, 5, 1)
    assert r.date_source == "record:date" and r.byline == "A. B., C. D."


def test_field_map_override():
    fmap = DEFAULT_FIELD_MAP.with_overrides({"body": "my_text"})
    assert read_record({"my_text": "x y z", "content": "other"}, fmap).body == "x y z"
    with pytest.raises(ValueError):
        DEFAULT_FIELD_MAP.with_overrides({"nonsense": "x"})


def test_jsonl_mixed_good_and_bad_lines():
    lines = [json.dumps({"content": "Good one. It has words.", "source": "Reuters"}), "{broken", "",
             json.dumps({"title": "no body"}), json.dumps({"content": "Second good."})]
    data = gzip.compress("\n".join(lines).encode())
    out = extract_file("batch.jsonl.gz", data)
    kinds = [(type(o).__name__, o.record) for o in out]
    assert kinds == [("Article", 0), ("Reject", 1), ("Reject", 3), ("Article", 4)]
    assert out[1].reason == "bad_json" and out[2].reason == "no_text_field"
    assert out[0].outlet_hint == "Reuters"


def test_json_array_and_single_object():
    arr = extract_file("a.json", json.dumps([{"text": "One."}, {"text": "Two."}]).encode())
    assert [o.record for o in arr] == [0, 1]
    one = extract_file("b.json", json.dumps({"text": "One."}).encode())
    assert len(one) == 1 and one[0].record is None and one[0].body == "One."


def test_allsides_corpus_loads():
    path = corpus("allsides", "articles.jsonl.gz")
    out = extract_file(path.name, path.read_bytes())
    articles = [o for o in out if isinstance(o, Article)]
    assert len(out) == 12000
    assert len(articles) >= 11900
    first = articles[0]
    assert first.title and first.outlet_hint and first.published and first.url
    assert (first.title_source, first.url_source, first.byline_source) == ("record:title", "record:url", "record:authors")
    assert first.section is None  # AllSides' "topic" is its own label, not the outlet's section


# --- subtitle, section and per-field sources (issue 3) ---------------------------------


def test_record_fields_say_which_field_they_came_from():
    rec = {"headline": "Kazakhstan lifts state of emergency", "dek": "The president says order is restored.",
           "articleBody": "The state of emergency ended on Wednesday.", "link": "https://example.org/kz",
           "author": "Jane Doe", "articleSection": ["World", "Asia"], "datePublished": "2022-01-19"}
    r = read_record(rec)
    assert (r.title, r.title_source) == ("Kazakhstan lifts state of emergency", "record:headline")
    assert (r.subtitle, r.subtitle_source) == ("The president says order is restored.", "record:dek")
    assert (r.url, r.url_source) == ("https://example.org/kz", "record:link")
    assert (r.byline, r.byline_source) == ("Jane Doe", "record:author")
    assert (r.section, r.section_source) == ("World", "record:articleSection")  # the first of a list
    assert r.date_source == "record:datePublished"


def test_record_without_metadata_has_null_sources():
    r = read_record({"content": "Only text. Nothing else.", "topic": "elections", "tags": ["a", "b"]})
    assert r.title is None and r.title_source is None
    assert r.subtitle is None and r.subtitle_source is None
    assert r.byline is None and r.byline_source is None
    assert r.url is None and r.url_source is None
    # must not: an aggregator's topic or a tag list is not the outlet's section
    assert r.section is None and r.section_source is None


def test_subtitle_repeating_the_title_is_dropped_and_blank_fields_fall_through():
    r = read_record({"text": "Body. More.", "title": "Same words", "description": "same words",
                     "category": "  ", "section": "Politics"})
    assert r.subtitle is None and r.subtitle_source is None
    assert (r.section, r.section_source) == ("Politics", "record:section")


def test_section_field_mapping_override():
    fmap = DEFAULT_FIELD_MAP.with_overrides({"section": "desk", "subtitle": "summary"})
    r = read_record({"text": "Body.", "desk": "Metro", "category": "News", "summary": "Short."}, fmap)
    assert (r.section, r.section_source) == ("Metro", "record:desk")
    assert (r.subtitle, r.subtitle_source) == ("Short.", "record:summary")


def test_record_article_carries_the_new_fields():
    out = extract_file("r.json", json.dumps({"text": "Body text.", "title": "T", "category": "Business",
                                            "subtitle": "A standfirst here."}).encode())
    (a,) = out
    assert (a.title_source, a.section, a.section_source) == ("record:title", "Business", "record:category")
    assert (a.subtitle, a.subtitle_source) == ("A standfirst here.", "record:subtitle")


def test_article_id_from_pieces_equals_article_id():
    """article_id given body.split() (the pipeline's shared pieces) is the same id."""
    from transforms.extract import article_id

    for body in ["A  b\n\nc", " x ", "", "Ｆｕｌｌ\u00a0width\u2003 ﬁ ligature", "Straße ΣΑΣ", "tab\tand\rcr", "é é"]:
        assert article_id(body, body.split()) == article_id(body)
