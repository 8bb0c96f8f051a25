"""JSON / JSONL article records: configurable field mapping, no guessing of text.

A record's body is the mapped field's text unchanged except for newline
normalisation; title, subtitle, outlet, url, date, authors, section and language come
from the record's own fields where present, and each says which field it came from
("record:headline").
"""
from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from dataclasses import dataclass, replace
from typing import Any, Iterator

from .decode import normalize_newlines

RECORDS_VERSION = "records-2"  # 2: subtitle, section and per-field *_source


@dataclass(frozen=True)
class FieldMap:
    """Which record fields hold what; the first present, non-empty one wins."""

    body: tuple[str, ...] = (
        "content_original", "content", "text", "body", "articleBody", "article_body",
        "maintext", "full_text", "fulltext",
    )
    title: tuple[str, ...] = ("title", "headline", "name")
    subtitle: tuple[str, ...] = ("subtitle", "standfirst", "dek", "subheadline", "alternativeHeadline", "description")
    section: tuple[str, ...] = ("section", "category", "categories", "articleSection", "section_name", "rubric")
    outlet: tuple[str, ...] = ("source", "outlet", "publisher", "site_name", "source_name", "sitename")
    url: tuple[str, ...] = ("url", "link", "canonical_url", "source_url")
    published: tuple[str, ...] = ("date", "published", "published_at", "publish_date", "datePublished", "pubDate", "date_publish")
    byline: tuple[str, ...] = ("authors", "author", "byline")
    language: tuple[str, ...] = ("language", "lang")
    record_id: tuple[str, ...] = ("ID", "id", "_id", "uuid")

    def with_overrides(self, overrides: dict[str, str]) -> "FieldMap":
        """`{"body": "my_text"}` puts my_text first for body. Unknown keys raise."""
        changes: dict[str, tuple[str, ...]] = {}
        for key, name in overrides.items():
            if key not in self.__dataclass_fields__:
                raise ValueError(f"unknown field-map key {key!r}; use one of {sorted(self.__dataclass_fields__)}")
            changes[key] = (name,) + tuple(n for n in getattr(self, key) if n != name)
        return replace(self, **changes)


DEFAULT_FIELD_MAP = FieldMap()


@dataclass(frozen=True)
class RecordFields:
    body: str | None
    title: str | None
    outlet: str | None
    url: str | None
    published: dt.date | None
    date_source: str | None
    byline: str | None
    language: str | None
    record_id: str | None
    title_source: str | None = None
    subtitle: str | None = None
    subtitle_source: str | None = None
    byline_source: str | None = None
    url_source: str | None = None
    section: str | None = None
    section_source: str | None = None


@dataclass(frozen=True)
class BadRecord:
    reason: str
    detail: str = ""


def _first(record: dict[str, Any], names: tuple[str, ...]) -> tuple[str | None, Any]:
    for name in names:
        value = record.get(name)
        if value not in (None, "", [], {}):
            return name, value
    return None, None


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):  # {"name": "Reuters", ...} as schema.org does
        for key in ("name", "title", "@value"):
            if isinstance(value.get(key), str):
                return value[key].strip() or None
        return None
    if isinstance(value, list):
        parts = [t for t in (_as_text(v) for v in value) if t]
        return ", ".join(parts) or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _mapped(record: dict[str, Any], names: tuple[str, ...], first_item: bool = False) -> tuple[str | None, str | None]:
    """The text of the first mapped field that has some, and its source "record:<field>".
    With `first_item`, a list gives its first item (a section, not a list of them)."""
    for name in names:
        value = record.get(name)
        if first_item and isinstance(value, list):
            value = next((v for v in value if _as_text(v)), None)
        text = _as_text(value)
        if text:
            return text, f"record:{name}"
    return None, None


_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


def parse_date(value: Any) -> dt.date | None:
    """ISO dates/datetimes, RFC 2822 dates, unix seconds; None when unsure."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            return dt.datetime.fromtimestamp(float(value), tz=dt.timezone.utc).date()
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    m = _ISO_DATE.match(value)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.date() if parsed else None


def read_record(record: Any, fmap: FieldMap = DEFAULT_FIELD_MAP) -> RecordFields | BadRecord:
    if not isinstance(record, dict):
        return BadRecord("not_an_object", f"record is a JSON {type(record).__name__}, not an object")
    body_key, body = _first(record, fmap.body)
    if body_key is None:
        return BadRecord("no_text_field", f"none of the text fields {list(fmap.body)} is present and non-empty")
    if not isinstance(body, str):
        return BadRecord("wrong_type", f"text field {body_key!r} is {type(body).__name__}, not a string")
    body = normalize_newlines(body)
    if not body.strip():
        return BadRecord("empty", f"text field {body_key!r} is blank")
    date_key, date_value = _first(record, fmap.published)
    published = parse_date(date_value)
    title, title_source = _mapped(record, fmap.title)
    subtitle, subtitle_source = _mapped(record, fmap.subtitle)
    if subtitle and title and subtitle.casefold() == title.casefold():
        subtitle = subtitle_source = None
    url, url_source = _mapped(record, fmap.url)
    byline, byline_source = _mapped(record, fmap.byline)
    section, section_source = _mapped(record, fmap.section, first_item=True)
    return RecordFields(
        body=body,
        title=title,
        outlet=_as_text(_first(record, fmap.outlet)[1]),
        url=url,
        published=published,
        date_source=f"record:{date_key}" if published else None,
        byline=byline,
        language=_as_text(_first(record, fmap.language)[1]),
        record_id=_as_text(_first(record, fmap.record_id)[1]),
        title_source=title_source,
        subtitle=subtitle,
        subtitle_source=subtitle_source,
        byline_source=byline_source,
        url_source=url_source,
        section=section,
        section_source=section_source,
    )


MAX_LINE_CHARS = 20 * 1024 * 1024


def iter_json_records(text: str, jsonl: bool) -> Iterator[tuple[int | None, Any | BadRecord]]:
    """Yield (record index, parsed object or BadRecord). A JSON file holding an
    array yields one record per element; a single object yields index None."""
    if not jsonl:
        try:
            obj = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield None, BadRecord("bad_json", str(exc)[:200])
            return
        if isinstance(obj, list):
            for i, item in enumerate(obj):
                yield i, item
        else:
            yield None, obj
        return
    for i, line in enumerate(text.split("\n")):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            yield i, BadRecord("too_large", f"line {i + 1} has {len(line)} characters")
            continue
        try:
            yield i, json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield i, BadRecord("bad_json", f"line {i + 1}: {str(exc)[:200]}")
