"""HTML mode: trafilatura wrapper, page flattening, hostile input."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from transforms.htmlpage import HTMLPAGE_VERSION, extract_html, page_text
from transforms.textdump import Extracted, extract_text_dump

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_news_article_fixture() -> None:
    got = extract_html(page("news_article.html"))
    assert got.title == "Flood defences fail in river town"
    assert got.body.startswith("Residents of the small river town")
    assert "The Environment Agency said it expected river levels" in got.body
    for bad in ("READ MORE", "Most read", "All rights reserved", "cookies", "Share this",
                "Skip to content", "Advertisement", "Flood defences fail"):
        assert bad not in got.body, bad
    assert got.published == datetime.date(2023, 3, 14)
    assert got.date_source == "html:meta"
    assert got.byline == "Jane Marsh"
    assert got.site_name == "The Valley Courier"
    assert got.url == "https://valleycourier.example/news/flood-defences-fail"
    assert got.language == "en"
    assert "\n\n" in got.body


def test_url_argument_is_used_when_page_has_none() -> None:
    html = "<html><body><article>" + "<p>The committee met on Monday and agreed on the plan for the next year.</p>" * 5 + "</article></body></html>"
    got = extract_html(html, url="https://example.org/a")
    assert got.url == "https://example.org/a"
    assert "The committee met on Monday" in got.body


def test_page_text_keeps_all_visible_text_one_block_per_line() -> None:
    dump = page_text(page("news_article.html"))
    lines = dump.splitlines()
    assert "Skip to content" in lines
    assert "Home" in lines and "Weather" in lines  # nav kept
    assert "© 2023 The Valley Courier. All rights reserved." in lines  # footer kept
    assert "Flood defences fail in river town" in lines
    assert "dataLayer" not in dump and "font-family" not in dump  # script/style dropped
    assert "| The Valley Courier" not in dump  # <head><title> is not page text


def test_text_mode_on_flattened_fixture() -> None:
    got = extract_text_dump(page_text(page("news_article.html")))
    assert got.title == "Flood defences fail in river town"
    assert got.byline == "Jane Marsh"
    assert got.published == datetime.date(2023, 3, 14)
    assert "Residents of the small river town" in got.body
    assert "The Environment Agency said it expected" in got.body
    for bad in ("READ MORE", "Most read", "Council approves", "All rights reserved", "cookies"):
        assert bad not in got.body, bad


XXE = """<?xml version="1.0"?>
<!DOCTYPE html [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<html><body><article>
<p>Secret: &xxe; end of secret line that is long enough to count as text in the article.</p>
<p>Laughs: &lol3; and a sentence that makes this paragraph look like real prose text.</p>
<p>The third paragraph is ordinary prose written only so that the extractor has an article.</p>
</article></body></html>"""


def test_no_external_or_expanded_entities() -> None:
    got = extract_html(XXE)
    assert "root:" not in got.body
    assert "lollollol" not in got.body
    dump = page_text(XXE)
    assert "root:" not in dump
    assert "lollollol" not in dump


ODD_HTML = [
    "",
    "   ",
    "<",
    "<html>",
    "<<<>>>&&&;;;",
    "\x00\x01\x02 binary \xff\xfe",
    "<div>" * 5000 + "deep text" + "</div>" * 5000,
    "<p>" + "x" * 500_000 + "</p>",
    "<html><body>" + "<p>para</p>" * 20_000 + "</body></html>",
    "<?xml version='1.0' encoding='latin-1'?><html><body><p>declared</p></body></html>",
    "<html><body><script>" + "var a=1;" * 1000 + "</script></body></html>",
    "plain text, no markup at all, just words.",
]


@pytest.mark.parametrize("html", ODD_HTML, ids=range(len(ODD_HTML)))
def test_odd_html_never_raises(html: str) -> None:
    got = extract_html(html)
    assert isinstance(got, Extracted)
    assert isinstance(got.body, str)
    assert isinstance(page_text(html), str)


def test_empty_html_is_empty_record() -> None:
    assert extract_html("") == Extracted(None, "", None, None, None, None, None, None, ())
    assert extract_html(None) == extract_html("")  # type: ignore[arg-type]
    assert page_text("") == ""


def test_language_from_meta_when_no_lang_attribute() -> None:
    html = (
        '<html><head><meta http-equiv="content-language" content="de-DE"></head><body><article>'
        + "<p>Der Stadtrat hat am Dienstag mit großer Mehrheit einen neuen Radweg beschlossen.</p>" * 4
        + "</article></body></html>"
    )
    assert extract_html(html).language == "de"


def test_version_string() -> None:
    assert HTMLPAGE_VERSION.startswith("htmlpage-")


def test_page_text_ignores_a_wrong_meta_charset_on_decoded_text() -> None:
    """Input is already text: a <meta charset> must not make lxml re-decode it (mojibake)."""
    html = (
        '<html><head><meta charset="iso-8859-1"></head><body>'
        "<p>Größere Straßen führen über die Brücke.</p><p>Ça coûte très cher.</p></body></html>"
    )
    dump = page_text(html)
    assert "Größere Straßen führen über die Brücke." in dump
    assert "Ça coûte très cher." in dump
    assert "Ã" not in dump
