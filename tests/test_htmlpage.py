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


# --- subtitle, section and per-field sources (issue 3) ---------------------------------

_PARAS = "".join(
    f"<p>{t}</p>" for t in (
        "Residents of the small river town were told to leave their homes on Tuesday night after "
        "temporary flood barriers gave way under the pressure of the swollen river.",
        "The council said that more than two hundred households had been affected and that emergency "
        "shelters had been opened in the school and in the church hall.",
        "The Environment Agency said it expected river levels to peak on Wednesday afternoon and urged "
        "people living downstream to check the flood warnings for their area.",
    )
)


def _page(head: str, before: str = "") -> str:
    return (f'<html lang="en"><head><title>Flood defences fail in river town | Courier</title>{head}</head>'
            f"<body>{before}<article><h1>Flood defences fail in river town</h1>{_PARAS}</article></body></html>")


def test_fixture_sources() -> None:
    got = extract_html(page("news_article.html"))
    assert got.title_source == "html:meta"          # og:title
    assert got.byline_source == "html:meta"         # <meta name="author">
    assert got.url_source == "html:meta"            # <link rel="canonical">
    # the fixture has no description and no section: both null with their sources
    assert got.subtitle is None and got.subtitle_source is None
    assert got.section is None and got.section_source is None


def test_description_is_the_subtitle() -> None:
    got = extract_html(_page(
        '<meta property="og:title" content="Flood defences fail in river town">'
        '<meta property="og:description" content="Hundreds of homes were evacuated as barriers gave way on the swollen river.">'))
    assert got.subtitle == "Hundreds of homes were evacuated as barriers gave way on the swollen river."
    assert got.subtitle_source == "html:meta"


@pytest.mark.parametrize(
    "description",
    [
        "Flood defences fail in river town",  # only the headline again
        "Residents of the small river town were told to leave their homes on Tuesday night after…",  # an excerpt
        "Residents of the small river town were told to leave their homes on Tuesday night after "
        "temporary flood barriers gave way under the pressure of the swollen river.",  # the first paragraph
    ],
)
def test_description_repeating_title_or_body_is_not_a_subtitle(description: str) -> None:
    got = extract_html(_page(f'<meta name="description" content="{description}">'))
    assert got.subtitle is None and got.subtitle_source is None
    assert got.body.startswith("Residents of the small river town")


@pytest.mark.parametrize(
    "head, before, expected",
    [
        ('<meta property="article:section" content="UK News">', "", ("UK News", "html:meta")),
        ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
         '"articleSection": ["Environment", "UK"]}</script>', "", ("Environment", "html:json-ld")),
        ('<meta property="article:section" content="UK News">'
         '<script type="application/ld+json">{"articleSection": "Environment"}</script>', "", ("UK News", "html:meta")),
        ("", '<span class="cat-links"><a href="/category/environment/">Environment</a></span>',
         ("Environment", "html:trafilatura")),  # a blog's post-meta category link
        # must not: keywords and menu links (even to a category) are not a section
        ('<meta name="keywords" content="flood, river, council">',
         '<nav><a href="/category/sport/">Sport</a> <a href="/news/">News</a></nav>', (None, None)),
    ],
)
def test_section_sources(head: str, before: str, expected: tuple[str | None, str | None]) -> None:
    got = extract_html(_page(head, before))
    assert (got.section, got.section_source) == expected
    assert "Residents of the small river town" in got.body


def test_title_without_meta_comes_from_trafilatura() -> None:
    got = extract_html(_page(""))
    assert got.title == "Flood defences fail in river town"
    assert got.title_source == "html:trafilatura"
    assert got.url is None and got.url_source is None


def test_url_from_the_caller_says_so() -> None:
    got = extract_html(_page(""), url="https://example.org/flood")
    assert (got.url, got.url_source) == ("https://example.org/flood", "caller")
