"""Article extraction from HTML pages (HTML mode).

trafilatura does the heavy lifting (it has the DOM: link density, tag semantics,
metadata).  This wrapper adds what the pipeline needs on top of it:

* the same `Extracted` record as text mode, with paragraphs joined by blank lines and
  the headline (the `title`) not repeated as the first paragraph;
* article text only: comments are left out (`include_comments=False`, unlike
  `trafilatura.extract`'s default), since readers' comments are not the outlet's framing;
* page language from the markup (`<html lang>`, `content-language`, `og:locale`);
* a furniture post-filter with the multilingual phrase list text mode uses
  ("READ MORE: …", "Advertisements", "Share this article" left inside the main text);
* subtitle (trafilatura's `description`, unless it only repeats the headline or is an
  excerpt of the body's start), section (`article:section` meta, JSON-LD
  `articleSection`, else trafilatura's `categories`) and, for every metadata field, where
  it came from: "html:meta" (a <meta> tag or the canonical link), "html:json-ld", or
  "html:trafilatura" (trafilatura found it elsewhere in the page: <title>, <h1>, links);
* a text-mode fallback when trafilatura finds nothing: the page is flattened with
  `page_text` and handed to `extract_text_dump`;
* hardening: oversized input is cut, parsing resolves no entities and fetches nothing,
  and no exception escapes (odd input gives body "").
"""

from __future__ import annotations

import datetime
import re
from dataclasses import replace

from lxml import etree
from lxml import html as lxml_html

from transforms.errors import ResourceError
from transforms.textdump import (
    EMPTY,
    Extracted,
    extract_text_dump,
    is_furniture_line,
    load_furniture,
)

HTMLPAGE_VERSION = "htmlpage-2"

# Pages above this size are cut: real article pages are far smaller, and it bounds
# the time and memory an adversarial page can cost.
MAX_HTML_CHARS = 5_000_000
# Below this many characters trafilatura's result is treated as a miss and text mode
# gets a chance on the flattened page.
MIN_BODY_CHARS = 1

# Elements whose boundaries are line breaks in a page-text dump.
_BLOCK_TAGS = frozenset(
    """address article aside blockquote body br caption center dd details dialog dir div dl dt
    fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li
    main menu nav ol option p pre section summary table tbody td tfoot th thead tr ul""".split()
)
# Elements whose text is never page text.  <head> is not skipped as a whole: broken
# pages make lxml put the whole body inside it; <noscript> is kept, because unclosed
# <noscript> tags swallow whole articles and a plain text conversion keeps them too.
_SKIP_TAGS = frozenset("script style template title svg math".split())

_SAFE_PARSER_KW = dict(
    remove_comments=True,
    remove_pis=True,
    no_network=True,
    collect_ids=False,
    default_doctype=False,
    huge_tree=False,
    encoding="utf-8",  # we always hand lxml UTF-8 bytes; never trust <meta charset> here
)


def _parser() -> lxml_html.HTMLParser:
    """A fresh lxml HTML parser that never touches the network or expands entities."""
    return lxml_html.HTMLParser(**_SAFE_PARSER_KW)


def _parse(html: str) -> lxml_html.HtmlElement | None:
    """Parse untrusted HTML safely; None when there is nothing parseable."""
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", html[:MAX_HTML_CHARS])
    try:
        tree = lxml_html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError, TypeError):
        return None
    return tree


def page_text(html: str) -> str:
    """Flatten a page to its whole visible text, one block element per line.

    This is a plain conversion (like a browser's "save as text"): navigation, footers
    and comments stay in.  Text mode is measured on exactly this kind of dump.
    """
    if not isinstance(html, str) or not html.strip():
        return ""
    tree = _parse(html)
    if tree is None:
        return ""
    return _flatten(tree)


def _flatten(tree: lxml_html.HtmlElement) -> str:
    """Walk the tree iteratively (deep nesting cannot overflow the stack)."""
    parts: list[str] = []
    skipping = 0
    for event, el in etree.iterwalk(tree, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if event == "start":
            if tag in _SKIP_TAGS:
                skipping += 1
            if skipping:
                continue
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if el.text and tag:
                parts.append(el.text)
        else:
            if tag in _SKIP_TAGS:
                skipping -= 1
            if skipping:
                continue
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if el.tail:
                parts.append(el.tail)
    lines = (re.sub(r"\s+", " ", ln).strip() for ln in "".join(parts).split("\n"))
    return "\n".join(ln for ln in lines if ln)


def _language(tree: lxml_html.HtmlElement) -> str | None:
    """Declared page language: <html lang>, http-equiv content-language, og:locale."""
    candidates = [tree.get("lang"), tree.get("xml:lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for meta in tree.iter("meta"):
        key = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if key in ("content-language", "og:locale", "language", "dc.language"):
            candidates.append(meta.get("content"))
    for value in candidates:
        if value and (m := re.match(r"\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?\s*$", value)):
            return m.group(1).lower()
    return None


def _key(text: str) -> str:
    """Comparison key for headline repeats: case- and whitespace-insensitive."""
    return re.sub(r"\W+", " ", text).strip().lower()


def _parse_iso_date(value: object) -> datetime.date | None:
    """trafilatura returns dates as 'YYYY-MM-DD' strings."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _clean_body(text: str, title: str | None) -> tuple[str, tuple[str, ...]]:
    """Join trafilatura's lines as paragraphs and drop furniture lines left in them,
    and the headline when trafilatura repeats it as the first line (it is `title`)."""
    kept: list[str] = []
    removed: list[str] = []
    title_key = _key(title) if title else None
    for line in text.split("\n"):
        line = re.sub(r"\s+", " ", line).strip()
        if not line:
            continue
        if not kept and title_key and _key(line) == title_key:
            continue
        (removed if is_furniture_line(line) else kept).append(line)
    return "\n\n".join(kept), tuple(removed)


# JSON-LD "articleSection": "World" or ["World", ...] (read as text: JSON-LD on real
# pages is often not valid JSON)
_LD_SECTION = re.compile(r'"articleSection"\s*:\s*(?:\[\s*)?"([^"\\]{1,80})"')
_SECTION_META = frozenset({"article:section", "section", "parsely-section", "sailthru.section", "og:section"})


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


class _PageMeta:
    """The page's own metadata markup, to tell where trafilatura's values came from."""

    def __init__(self, tree: lxml_html.HtmlElement) -> None:
        self.contents: set[str] = set()
        self.section: str | None = None
        for meta in tree.iter("meta"):
            content = (meta.get("content") or "").strip()
            if not content:
                continue
            self.contents.add(_norm(content))
            key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
            if key in _SECTION_META and self.section is None:
                self.section = content
        for link in tree.iter("link"):
            if (link.get("rel") or "").strip().lower() == "canonical" and link.get("href"):
                self.contents.add(_norm(link.get("href")))
        raw_ld = " ".join(
            s.text or "" for s in tree.iter("script") if (s.get("type") or "").strip().lower() == "application/ld+json"
        )
        self.json_ld = _norm(raw_ld)
        found = _LD_SECTION.search(raw_ld)
        self.ld_section: str | None = (found.group(1).strip() or None) if found else None

    def source(self, value: str | None) -> str | None:
        """Where a value trafilatura returned was found: a <meta>/canonical tag, JSON-LD,
        else somewhere else in the page (title element, headings, links)."""
        if not value:
            return None
        key = _norm(value)
        if key in self.contents:
            return "html:meta"
        if self.json_ld and key in self.json_ld:
            return "html:json-ld"
        return "html:trafilatura"


def _subtitle(description: object, title: str | None, body: str) -> str | None:
    """trafilatura's description as the standfirst, unless it is no more than the
    headline or an excerpt of the body's start (auto-generated descriptions)."""
    if not isinstance(description, str):
        return None
    desc = re.sub(r"\s+", " ", description).strip()
    if len(_WORDS.findall(desc)) < 4 or len(desc) > 600:
        return None
    key = _key(re.sub(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\])\s*$", "", desc))
    if not key or (title and key == _key(title)):
        return None
    if _key(body[: len(desc) + 200]).startswith(key):
        return None
    return desc


_WORDS = re.compile(r"[^\W_]+")


def _section(meta: _PageMeta, categories: object) -> tuple[str | None, str | None]:
    """Section from `article:section` (and similar) meta, JSON-LD `articleSection`,
    else the first of trafilatura's categories (category links, subject meta)."""
    if meta.section:
        return meta.section, "html:meta"
    if meta.ld_section:
        return meta.ld_section, "html:json-ld"
    if isinstance(categories, list):
        first = next((c.strip() for c in categories if isinstance(c, str) and c.strip()), None)
        if first and len(first) <= 80:
            return first, "html:trafilatura"
    return None, None


def extract_html(html: str, url: str | None = None, text_fallback: bool = True) -> Extracted:
    """Extract title, body and metadata from an HTML page; never raises on bad input.

    Empty or unparseable input gives an Extracted with body "".  When trafilatura finds
    no body, text mode reads the page's text instead, unless `text_fallback` is False
    (bench/train_line_model.py labels text mode's lines with HTML mode's own result).
    A broken packaged resource (ResourceError) is not bad input: it raises.
    """
    if not isinstance(html, str) or not html.strip():
        return EMPTY
    load_furniture()  # broken packaged data raises here, not inside the guard below
    try:
        return _extract(html, url, text_fallback)
    except ResourceError:
        raise
    except Exception:  # noqa: BLE001 - trafilatura/lxml can fail in many ways on junk
        return EMPTY


def _extract(html: str, url: str | None, text_fallback: bool = True) -> Extracted:
    """The work behind extract_html (may raise; the caller guards)."""
    import trafilatura  # local: heavy import, only HTML mode needs it

    from trafilatura.utils import load_html

    # trafilatura's own loader (lxml HTMLParser: no network, no DTD entities) keeps its
    # results identical to trafilatura.extract; our stricter parser is the fallback.
    tree = load_html(html[:MAX_HTML_CHARS])
    if tree is None:
        tree = _parse(html)
    if tree is None:
        return EMPTY
    language = _language(tree)
    dump = _flatten(tree)
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
    )
    if doc is None:
        fallback = extract_text_dump(dump) if dump and text_fallback else EMPTY
        return replace(fallback, url=url or fallback.url, language=language,
                       url_source="caller" if url else fallback.url_source)
    meta = _PageMeta(tree)
    title = getattr(doc, "title", None) or None
    title_source = meta.source(title)
    body, removed = _clean_body(getattr(doc, "text", None) or "", title)
    published = _parse_iso_date(getattr(doc, "date", None))
    if len(body) < MIN_BODY_CHARS and dump and text_fallback:
        fb = extract_text_dump(dump)
        body, removed = fb.body, fb.removed
        if not title:
            title, title_source = fb.title, fb.title_source
    byline = getattr(doc, "author", None) or None
    page_url = getattr(doc, "url", None) or url
    url_source = meta.source(page_url)
    if page_url and url_source == "html:trafilatura" and page_url == url:
        url_source = "caller"
    subtitle = _subtitle(getattr(doc, "description", None), title, body)
    section, section_source = _section(meta, getattr(doc, "categories", None))
    return Extracted(
        title=title,
        body=body,
        published=published,
        date_source="html:meta" if published else None,
        byline=byline,
        site_name=getattr(doc, "sitename", None) or None,
        url=page_url,
        language=language or (getattr(doc, "language", None) or None),
        removed=removed,
        title_source=title_source if title else None,
        subtitle=subtitle,
        subtitle_source=meta.source(subtitle),
        byline_source=meta.source(byline),
        url_source=url_source if page_url else None,
        section=section,
        section_source=section_source,
    )
