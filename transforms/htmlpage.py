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

from transforms.textdump import (
    EMPTY,
    Extracted,
    extract_text_dump,
    is_furniture_line,
)

HTMLPAGE_VERSION = "htmlpage-1"

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


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Extract title, body and metadata from an HTML page; never raises.

    Empty or unparseable input gives an Extracted with body "".
    """
    if not isinstance(html, str) or not html.strip():
        return EMPTY
    try:
        return _extract(html, url)
    except Exception:  # noqa: BLE001 - trafilatura/lxml can fail in many ways on junk
        return EMPTY


def _extract(html: str, url: str | None) -> Extracted:
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
        fallback = extract_text_dump(dump) if dump else EMPTY
        return replace(fallback, url=url or fallback.url, language=language)
    title = getattr(doc, "title", None) or None
    body, removed = _clean_body(getattr(doc, "text", None) or "", title)
    published = _parse_iso_date(getattr(doc, "date", None))
    if len(body) < MIN_BODY_CHARS and dump:
        fb = extract_text_dump(dump)
        body, removed = fb.body, fb.removed
        title = title or fb.title
    return Extracted(
        title=title,
        body=body,
        published=published,
        date_source="html:meta" if published else None,
        byline=getattr(doc, "author", None) or None,
        site_name=getattr(doc, "sitename", None) or None,
        url=getattr(doc, "url", None) or url,
        language=language or (getattr(doc, "language", None) or None),
        removed=removed,
    )
