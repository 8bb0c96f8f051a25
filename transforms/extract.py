"""One input file (name + bytes) -> articles or rejections.

Dispatches on the file name: .txt page-text dumps, .html/.htm pages, .json
records, .jsonl records; each optionally .gz. Pure: the caller reads the bytes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from dataclasses import dataclass

from . import htmlpage, textdump
from .decode import DECODE_VERSION, MAX_RECORDS_BYTES, MAX_TEXT_BYTES, Decoded, Rejected, decode_bytes, gunzip
from .records import (
    DEFAULT_FIELD_MAP, MAX_LINE_CHARS, RECORDS_VERSION, BadRecord, FieldMap, iter_json_records, read_record,
)

EXTRACTOR_VERSION = "+".join(
    ["extract-1", DECODE_VERSION, textdump.TEXTDUMP_VERSION, htmlpage.HTMLPAGE_VERSION, RECORDS_VERSION]
)

FORMATS = {
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".json": "json",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
}


@dataclass
class Article:
    """One extracted article, before outlet resolution and framing."""

    source: str
    record: int | None
    raw_sha256: str
    input_format: str
    title: str | None
    body: str
    published: dt.date | None = None
    date_source: str | None = None
    language: str | None = None
    byline: str | None = None
    url: str | None = None
    site_name: str | None = None
    outlet_hint: str | None = None      # outlet named by a record field or manifest
    outlet_hint_source: str | None = None
    raw_text: str = ""                   # whole decoded text: credits and copyright lines live outside the body
    removed: tuple[str, ...] = ()
    # Where each metadata field came from ("text:breadcrumb", "html:meta", "record:headline",
    # "manifest"); None exactly when the field is None.
    title_source: str | None = None
    subtitle: str | None = None          # standfirst / dek / description
    subtitle_source: str | None = None
    byline_source: str | None = None
    url_source: str | None = None
    section: str | None = None           # section / category ("World", "Politics")
    section_source: str | None = None

    @property
    def article_id(self) -> str:
        return article_id(self.body)


@dataclass(frozen=True)
class Reject:
    source: str
    record: int | None
    raw_sha256: str | None
    reason: str
    detail: str = ""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalise_for_id(body: str) -> str:
    # str.split() splits on exactly the characters re's \s matches (checked over every
    # code point), and is faster than re.sub
    return " ".join(unicodedata.normalize("NFKC", body).split()).casefold()


def article_id(body: str, pieces: list[str] | None = None) -> str:
    """Stable id from the normalised body: the same text from two files is one article.
    `pieces`: body.split() when the caller has it (transforms.pieces); used when NFKC
    leaves the body as it is, since then normalise_for_id is " ".join(pieces).casefold()."""
    if pieces is not None and unicodedata.is_normalized("NFKC", body):
        norm = " ".join(pieces).casefold()
    else:
        norm = normalise_for_id(body)
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:20]


def input_format(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith(".gz"):
        lower = lower[:-3]
    for suffix, fmt in FORMATS.items():
        if lower.endswith(suffix):
            return fmt
    return None


MAX_BODY_CHARS = 1_000_000   # far above any news article (a long one is ~50,000 characters)


def _body_too_long(name: str, index: int | None, digest: str, body: str) -> Reject:
    return Reject(name, index, digest, "too_large",
                  f"article body of {len(body)} characters exceeds the {MAX_BODY_CHARS}-character limit")


def extract_file(name: str, data: bytes, fmap: FieldMap = DEFAULT_FIELD_MAP) -> list[Article | Reject]:
    """Extract every article in one file. Bad data becomes `Reject`s, never an exception."""
    digest = sha256(data)
    fmt = input_format(name)
    if fmt is None:
        return [Reject(name, None, digest, "unsupported_format", "expected .txt, .html, .htm, .json or .jsonl (optionally .gz)")]
    limit = MAX_RECORDS_BYTES if fmt == "jsonl" else MAX_TEXT_BYTES
    if name.lower().endswith(".gz"):
        unpacked = gunzip(data, limit)
        if isinstance(unpacked, Rejected):
            return [Reject(name, None, digest, unpacked.reason, unpacked.detail)]
        data = unpacked
    if fmt == "jsonl" and _mostly_utf8_lines(data):
        # a UTF-8 JSONL file with a few broken lines: those lines are rejected, the
        # rest read as UTF-8 (decoding the whole file in a guessed codepage would
        # garble every record), exactly as a streamed file is
        return extract_record_lines(name, digest, 0, data.split(b"\n"), fmap) or [
            Reject(name, None, digest, "no_records", "the file holds no JSON records")]
    decoded = decode_bytes(data, limit, repair=fmt not in ("json", "jsonl"))
    if isinstance(decoded, Rejected):
        return [Reject(name, None, digest, decoded.reason, decoded.detail)]
    if fmt in ("json", "jsonl"):
        return _from_records(name, digest, decoded, fmt, fmap)
    if fmt == "html":
        ext = htmlpage.extract_html(decoded.text)
    else:
        ext = textdump.extract_text_dump(decoded.text)
    if not ext.body.strip():
        return [Reject(name, None, digest, "no_article_text", f"{fmt} page has no main text after removing page furniture")]
    if len(ext.body) > MAX_BODY_CHARS:
        return [_body_too_long(name, None, digest, ext.body)]
    return [
        Article(
            source=name, record=None, raw_sha256=digest, input_format=fmt,
            title=ext.title, body=ext.body, published=ext.published, date_source=ext.date_source,
            language=ext.language, byline=ext.byline, url=ext.url, site_name=ext.site_name,
            raw_text=decoded.text, removed=tuple(ext.removed),
            title_source=ext.title_source, subtitle=ext.subtitle, subtitle_source=ext.subtitle_source,
            byline_source=ext.byline_source, url_source=ext.url_source,
            section=ext.section, section_source=ext.section_source,
        )
    ]


def extract_record_lines(name: str, digest: str, first_index: int, lines: list[bytes],
                         fmap: FieldMap = DEFAULT_FIELD_MAP) -> list[Article | Reject]:
    """Articles from a chunk of JSONL lines (UTF-8), line `first_index` first. Lets a
    caller stream a large JSONL file in chunks instead of decoding it whole."""
    out: list[Article | Reject] = []
    for offset, raw in enumerate(lines):
        index = first_index + offset
        if index == 0 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        raw = raw.rstrip(b"\r\n")
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_CHARS:
            out.append(Reject(name, index, digest, "too_large", f"line {index + 1} has {len(raw)} bytes"))
            continue
        try:
            obj = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            out.append(Reject(name, index, digest, "undecodable", f"line {index + 1}: not UTF-8 at byte {exc.start}"))
            continue
        except (json.JSONDecodeError, RecursionError) as exc:
            out.append(Reject(name, index, digest, "bad_json", f"line {index + 1}: {str(exc)[:200]}"))
            continue
        out.extend(_record_article(name, digest, index, obj, "jsonl", fmap))
    return out


def _mostly_utf8_lines(data: bytes) -> bool:
    """Not UTF-8 as a whole, but more of its non-ASCII lines are UTF-8 than not (and not
    UTF-16/32): decoding such a file whole in a guessed codepage would garble its good
    UTF-8 records, so its few broken lines are rejected one by one instead. A file in a
    legacy codepage (cp1251, cp1252 curly quotes) has hardly any valid UTF-8 non-ASCII
    line and is still decoded whole."""
    if b"\x00" in data[:65536] or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    try:
        data.decode("utf-8")
        return False
    except UnicodeDecodeError:
        pass
    good = bad = 0
    for line in data.split(b"\n"):
        if not line.isascii():
            try:
                line.decode("utf-8")
                good += 1
            except UnicodeDecodeError:
                bad += 1
    return good > bad


def _record_article(name: str, digest: str, index: int | None, obj: object, fmt: str, fmap: FieldMap) -> list[Article | Reject]:
    fields = read_record(obj, fmap)
    if isinstance(fields, BadRecord):
        return [Reject(name, index, digest, fields.reason, fields.detail)]
    if fields.body and len(fields.body) > MAX_BODY_CHARS:
        return [_body_too_long(name, index, digest, fields.body)]
    return [
        Article(
            source=name, record=index, raw_sha256=digest, input_format=fmt,
            title=fields.title, body=fields.body or "", published=fields.published,
            date_source=fields.date_source, language=fields.language, byline=fields.byline,
            url=fields.url, outlet_hint=fields.outlet,
            outlet_hint_source="record:outlet" if fields.outlet else None,
            raw_text=fields.body or "",
            title_source=fields.title_source, subtitle=fields.subtitle, subtitle_source=fields.subtitle_source,
            byline_source=fields.byline_source, url_source=fields.url_source,
            section=fields.section, section_source=fields.section_source,
        )
    ]


def _from_records(name: str, digest: str, decoded: Decoded, fmt: str, fmap: FieldMap) -> list[Article | Reject]:
    out: list[Article | Reject] = []
    for index, obj in iter_json_records(decoded.text, jsonl=(fmt == "jsonl")):
        if isinstance(obj, BadRecord):
            out.append(Reject(name, index, digest, obj.reason, obj.detail))
            continue
        out.extend(_record_article(name, digest, index, obj, fmt, fmap))
    if not out:
        out.append(Reject(name, None, digest, "no_records", "the file holds no JSON records"))
    return out
