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
