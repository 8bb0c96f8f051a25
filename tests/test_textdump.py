"""Text mode: the five seed dumps (must / must-not), metadata parsing, odd input."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from transforms.textdump import (
    TEXTDUMP_VERSION,
    Extracted,
    extract_text_dump,
    find_date,
    is_furniture_line,
    load_furniture,
)

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def seed(prefix: str) -> str:
    """Read a seed dump by its number ('000' .. '004')."""
    (path,) = RAW.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


# (seed, title, must appear in body, must not appear in body)
SEEDS = [
    (
        "000",
        "US approves ‘voluntary departure’ of diplomats from Kazakhstan",
        ["Washington has stopped just short", "at least 18 were killed amid the chaos",
         "calling the move a “voluntary departure.”", "Demonstrations, protests, and strikes may occur"],
        ["READ MORE", "Recent Posts", "Drone raid", "ATACMS", "hours ago", "All rights reserved",
         "Published by", "Categories", "voluntary departure’ of diplomats", "Share"],
    ),
    (
        "001",
        "The US authorizes the staff of its consulate in Almaty to leave Kazakhstan",
        ["The government of U.S has authorized non-essential employees",
         "The number of uniformed deaths remains at 18",
         "The Kazakh authorities maintain their pulse with the protesters"],
        ["Skip to content", "RECOMMENDED VIDEO", "IT MAY INTEREST YOU", "Share this article",
         "most popular", "globalhappenings news.jpg"],
    ),
    (
        "002",
        "US warns Kazakhstan that Russians may not go",
        ["once Russians are in your house", "US citizens in Kazakhstan should be aware",
         "US Secretary of State Antony Blinken warned", "Kazakhstan invited the Russian-dominated",
         "We're watching the situation with real concern"],
        ["READ MORE", "3 MIN READ", "Explore", "Gaza", "Nobel", "Recommended",
         "Approval for departure of US employees", "SOURCE:AFP", "/ Reuters",
         "Russians may not go", "2022-01-08"],
    ),
    (
        "003",
        "Employees of the U.S. Embassy in Alma-Ata allowed to leave Kazakhstan",
        ["The U.S. Department of State has allowed to leave part of the staff",
         "Protests in Kazakhstan began on January 2.",
         "Their number rose to 18, two of them were beheaded.",
         "among the militants who were operating in Alma-Ata."],
        ["allowed to leave Kazakhstan"],
    ),
    (
        "004",
        "U.S. Embassy ramps up security as officials urge calm in Kazakhstan",
        ["Secretary of State Antony Blinken spoke Thursday",
         "On Thursday, White Home press secretary Jen Psaki raised doubts",
         "Clashes continued on Thursday", "All the elites dwell in an oil and fuel bubble."],
        ["Advertisements", "Show More", "Related Articles", "Leave a Reply", "Back to top button",
         "Your email address", "ramps up security as officials urge calm"],
    ),
]


@pytest.mark.parametrize("prefix,title,must,must_not", SEEDS, ids=[s[0] for s in SEEDS])
def test_seed_title_and_body(prefix: str, title: str, must: list[str], must_not: list[str]) -> None:
    got = extract_text_dump(seed(prefix))
    assert got.title == title
    for snippet in must:
        assert snippet in got.body, snippet
    for snippet in must_not:
        assert snippet not in got.body, snippet


@pytest.mark.parametrize("prefix", [s[0] for s in SEEDS])
def test_seed_keeps_every_article_paragraph(prefix: str) -> None:
    """Every long prose line of a seed that is not a teaser/caption ends up in the body."""
    raw = seed(prefix)
    got = extract_text_dump(raw)
    body_paras = set(got.body.split("\n\n"))
    # Article paragraphs in the seeds: >= 90 chars, end like a sentence, not a teaser
    # ('…'), not a caption ('/ Reuters'), not in the 'Recent Posts' block of seed 000.
    recent = raw.find("Recent Posts")
    for raw_line in raw.splitlines():
        line = " ".join(raw_line.split())
        if len(line) < 90 or not line.endswith((".", "?", "!", '"', "”", "’")):
            continue  # headlines, link lists, teasers ('…'), captions ('/ Reuters')
        if "READ MORE" in line or (recent >= 0 and raw.find(raw_line) > recent):
            continue
        assert line in body_paras, line[:60]


def test_standfirst_is_kept_as_first_body_paragraph() -> None:
    """Policy: a standfirst between headline and article is part of the body."""
    got = extract_text_dump(seed("002"))
    assert got.body.startswith("Secretary Blinken has said Kazakhstan has the capacity")
    assert got.body.count("US warns Kazakhstan that Russians may not go") == 0


def test_seed_metadata() -> None:
    s000 = extract_text_dump(seed("000"))
    assert s000.site_name == "paradox"
    assert s000.published is None and s000.date_source is None
    s002 = extract_text_dump(seed("002"))
    assert s002.published == datetime.date(2022, 1, 8)
    assert s002.date_source == "text:date-line"
    assert "SOURCE:AFP" in s002.removed
    for prefix in ("001", "003", "004"):
        got = extract_text_dump(seed(prefix))
        assert got.published is None
        assert got.language is None


def test_seed_removed_holds_the_furniture() -> None:
    got = extract_text_dump(seed("004"))
    assert got.removed.count("Advertisements") == 3
    assert "Leave a Reply" in got.removed
    assert got.title not in got.removed


ODD_INPUTS = [
    "",
    "   \n\t\n  ",
    "\x00\x01\x02\ufeff",
    "x" * 300_000,
    ("word " * 50_000).strip(),
    "\n" * 100_000,
    "é" * 10 + "\ud800" + "abc",  # lone surrogate
    "<html><body><p>not a dump</p></body></html>",
    "…" * 5000,
    "1\n2\n3\n4\n5\n",
]


@pytest.mark.parametrize("text", ODD_INPUTS, ids=range(len(ODD_INPUTS)))
def test_odd_input_never_raises(text: str) -> None:
    got = extract_text_dump(text)
    assert isinstance(got, Extracted)
    assert isinstance(got.body, str)


def test_empty_input_is_empty_record() -> None:
    got = extract_text_dump("")
    assert got == Extracted(None, "", None, None, None, None, None, None, ())


def test_non_string_input_is_empty_record() -> None:
    assert extract_text_dump(None).body == ""  # type: ignore[arg-type]


FURNITURE_ONLY = """Skip to content
Home
World
Politics
Advertisements
Share this article:
Recent Posts
Drone raid on energy infrastructure repelled
7 hours ago
Leave a Reply
Your email address will not be published. Required fields are marked *
© 2022, paradox. All rights reserved.
Back to top button
"""


def test_furniture_only_dump_has_empty_body() -> None:
    got = extract_text_dump(FURNITURE_ONLY)
    assert got.body == ""
    assert got.site_name == "paradox"


GERMAN_DUMP = """Zum Inhalt springen
Startseite
Politik
Wirtschaft
Stadtrat beschließt neuen Radweg entlang der Elbe
Von Anna Schmidt
12. März 2023
Der Stadtrat hat am Dienstagabend mit großer Mehrheit beschlossen, einen neuen Radweg entlang der Elbe zu bauen, der die Altstadt mit den östlichen Stadtteilen verbinden soll.
Anzeige
Die Kosten für das Projekt werden auf rund vier Millionen Euro geschätzt. Ein großer Teil davon soll nach Angaben der Verwaltung aus Fördermitteln des Landes bezahlt werden.
Lesen Sie auch: Neue Buslinie startet im Sommer
Kritik kam vor allem von Anwohnern, die sich über den Wegfall von Parkplätzen beschwerten und eine bessere Beteiligung der Bürger an der Planung forderten.
Teilen
Kommentare
Ihre E-Mail-Adresse wird nicht veröffentlicht. Erforderliche Felder sind mit * markiert
© 2023 Elbe-Kurier. Alle Rechte vorbehalten.
Impressum
Datenschutz
"""


def test_german_dump() -> None:
    got = extract_text_dump(GERMAN_DUMP)
    assert got.title == "Stadtrat beschließt neuen Radweg entlang der Elbe"
    assert got.published == datetime.date(2023, 3, 12)
    assert got.date_source == "text:day-month-year"
    assert got.byline == "Anna Schmidt"
    assert got.site_name == "Elbe-Kurier"
    assert "Der Stadtrat hat am Dienstagabend" in got.body
    assert "Kritik kam vor allem von Anwohnern" in got.body
    for bad in ("Anzeige", "Lesen Sie auch", "Impressum", "E-Mail-Adresse", "Teilen"):
        assert bad not in got.body, bad


DATES = [
    ("", None),
    ("date 2022-01-08 WORLD", (datetime.date(2022, 1, 8), "text:date-line")),
    ("January 8, 2022", (datetime.date(2022, 1, 8), "text:month-day-year")),
    ("Jan. 8, 2022", (datetime.date(2022, 1, 8), "text:month-day-year")),
    ("8 January 2022", (datetime.date(2022, 1, 8), "text:day-month-year")),
    ("Published 8th January, 2022", (datetime.date(2022, 1, 8), "text:day-month-year")),
    ("12. März 2023", (datetime.date(2023, 3, 12), "text:day-month-year")),
    ("08.01.2022 10:30", (datetime.date(2022, 1, 8), "text:day-month-year")),
    ("2022-02-30", None),
    ("January 8", None),
    ("call 555-2022-01", None),
]


@pytest.mark.parametrize("line,expected", DATES, ids=range(len(DATES)))
def test_find_date(line: str, expected: tuple[datetime.date, str] | None) -> None:
    found = find_date(line)
    assert (found[:2] if found else None) == expected


SITE_NAMES = [
    ("", None),
    ("Article text here.\n© 2022, paradox. All rights reserved.", "paradox"),
    ("Article text here.\nShare\nPublished by\nparadox", "paradox"),
    ("Article text here.\nCopyright 2021 Foo Media Ltd | Privacy", "Foo Media Ltd"),
    ("Article text here.\n© Elbe-Kurier 2023", "Elbe-Kurier"),
    ("Article text here.\n(c) 2019-2023 Example News Network. Alle Rechte vorbehalten.", "Example News Network"),
]


@pytest.mark.parametrize("text,expected", SITE_NAMES, ids=range(len(SITE_NAMES)))
def test_site_name(text: str, expected: str | None) -> None:
    assert extract_text_dump(text).site_name == expected


FURNITURE_LINES = [
    ("", False),
    ("Advertisements", True),
    ("READ MORE: Moscow hits back at Blinken’s ‘history lesson’", True),
    ("READ MORE:Kazakh leader authorises forces", True),
    ("Share this article:", True),
    ("7 hours ago", True),
    ("3 MIN READ", True),
    ("Lesen Sie auch: Neue Buslinie startet", True),
    ("À lire aussi", True),
    ("Kazakhstan has asked help from a defence pact. / Reuters", True),
    ("Back to school season starts with higher prices for families.", False),
    ("Copyright law was changed by parliament on Tuesday.", False),
    ("The minister said the decision was final.", False),
]


@pytest.mark.parametrize("line,expected", FURNITURE_LINES, ids=range(len(FURNITURE_LINES)))
def test_is_furniture_line(line: str, expected: bool) -> None:
    assert is_furniture_line(line) is expected


def test_furniture_resource_is_versioned_and_normalised() -> None:
    furn = load_furniture()
    assert furn.version
    assert "advertisements" in furn.exact
    assert all(p == p.lower() for p in furn.prefix)
    assert load_furniture() is furn  # loaded once


def test_version_string() -> None:
    assert TEXTDUMP_VERSION.startswith("textdump-")


TITLE_CASE_MENU = """Home
World News
Business And Markets
Culture And Style
Council Votes To Close Old Bridge
The town council voted on Monday evening to close the old stone bridge to cars after engineers found cracks in two of its arches during a routine inspection.
Drivers will be diverted through the industrial estate, which the council said would add about ten minutes to most journeys into the centre of town.
Bridge Repairs Expected To Take Two Years
Mayor Promises New Cycle Lanes In Spring
"""


def test_title_case_link_lists_are_not_body() -> None:
    got = extract_text_dump(TITLE_CASE_MENU)
    assert got.title == "Council Votes To Close Old Bridge"
    assert "The town council voted on Monday evening" in got.body
    assert "Drivers will be diverted" in got.body
    for bad in ("World News", "Bridge Repairs Expected", "Mayor Promises"):
        assert bad not in got.body, bad


COMMENTS = """Library opens new reading room
The city library opened a new reading room on Saturday, with space for two hundred readers and a collection of local newspapers going back more than a century.
Librarians said that the room had been funded by a bequest from a former teacher who had spent most of her evenings in the old reading room as a child.
The room will be open every day except Sunday, and visitors will be able to request digitised copies of the newspapers free of charge from next month.
3 Comments
Anna says: I have been waiting for this for years and I am so happy that the library finally has a proper place to read the old papers again.
Tom says: The opening hours are far too short for people who work during the day, and I hope the council will reconsider them before the summer.
"""


def test_comment_section_is_cut_off() -> None:
    got = extract_text_dump(COMMENTS)
    assert got.title == "Library opens new reading room"
    assert "visitors will be able to request digitised copies" in got.body
    assert "Comments" not in got.body
    assert "Anna says" not in got.body
    assert "Tom says" not in got.body


def test_phrase_validation_rejects_malformed_lists() -> None:
    from transforms.textdump import _validated_phrases

    assert _validated_phrases({"exact": ["a", "b"]}, "exact") == ["a", "b"]
    for bad in ({}, {"exact": "advertisement"}, {"exact": ["ok", ""]}, {"exact": [1, 2]}):
        with pytest.raises(ValueError):
            _validated_phrases(bad, "exact")


HARD_WRAPPED = """Home
News
Harbour fire brigade trains new boat crews
The training of boat crews in the fire brigade is very practical and
ends with the official examination for the boat licence. The theory is
taught in a separate course, and the examination is taken before an
official board.
Practical training is part of the weekly duty and takes place all year:
the aim is to handle the boat safely, not fast, when the crews are sent
out with a rescue boat.
Contact
Imprint
"""


def test_hard_wrapped_paragraphs_are_rejoined() -> None:
    got = extract_text_dump(HARD_WRAPPED)
    assert got.title == "Harbour fire brigade trains new boat crews"
    paras = got.body.split("\n\n")
    assert len(paras) == 2, paras
    assert paras[0].startswith("The training of boat crews") and paras[0].endswith("official board.")
    assert "part of the weekly duty and takes place all year: the aim is" in paras[1]
    assert "Contact" not in got.body and "Imprint" not in got.body


UNWRAP_CASES = [
    ([], []),
    (["One line only."], ["One line only."]),
    (["This sentence is broken in the middle of", "the line by a wrap."], ["This sentence is broken in the middle of the line by a wrap."]),
    (["Council Votes To Close Old Bridge", "The town council voted."], ["Council Votes To Close Old Bridge", "The town council voted."]),
    (["Short", "lower case start"], ["Short", "lower case start"]),
]


@pytest.mark.parametrize("lines,expected", UNWRAP_CASES, ids=range(len(UNWRAP_CASES)))
def test_unwrap_lines(lines: list[str], expected: list[str]) -> None:
    from transforms.textdump import _stoplists, unwrap_lines

    assert unwrap_lines(lines, _stoplists()["English"]) == expected


LONG_TRAILING_ELLIPSIS = """Home
Opinion
Why the night trains came back
Ten years ago almost every night train in the country had been cancelled, and the few that were left ran with old carriages and no dining car.
Then the numbers changed. Travellers who did not want to fly started to ask for sleeper tickets, and the operators found that a full train at night pays for itself, because the carriages would otherwise stand in a depot until the morning. The new timetable has four routes, and two more are planned for next year, although the operators have not yet said which cities they will serve or when tickets will go on sale...
The railway union welcomed the plans but warned that the staff for the new routes still has to be found and trained before the first train leaves.
More from Opinion
The case for slower roads in our villages...
"""


def test_long_paragraph_ending_in_ellipsis_is_not_a_teaser() -> None:
    got = extract_text_dump(LONG_TRAILING_ELLIPSIS)
    assert "the operators found that a full train at night pays for itself" in got.body
    assert "The railway union welcomed the plans" in got.body
    assert "The case for slower roads" not in got.body  # a short teaser still is one


HEADLINE_STANDFIRST_BULLETS = """Home
Politics
Council approves budget after a night of talks
The city council has approved next year's budget after eleven hours of talks. The opposition calls it a budget of missed chances.
Spending on schools rises by four per cent
Bus fares stay frozen for another year
Two swimming pools will close in the autumn
The vote came shortly after three in the morning, when the last amendments had been withdrawn and the chairwoman asked the members to decide on the plan as a whole.
Twenty-eight members voted for the budget and nineteen against it, with two abstentions from the small liberal group, which had asked for deeper cuts.
"""


def test_headline_is_the_line_before_the_standfirst() -> None:
    got = extract_text_dump(HEADLINE_STANDFIRST_BULLETS)
    assert got.title == "Council approves budget after a night of talks"
    assert got.body.startswith("The city council has approved next year's budget")
    assert "The vote came shortly after three in the morning" in got.body
    # The rules alone take the key-point bullets for a link list; the line model (as
    # HTML mode, which keeps an article's <ul>) keeps them: the outlet's own words.
    assert "Bus fares stay frozen" not in extract_text_dump(HEADLINE_STANDFIRST_BULLETS, line_model=False).body
    assert "Bus fares stay frozen for another year" in got.body


BLOG_TEMPLATE_DE = """Gartenblog
Startseite
Über mich
Tomaten im Kübel ziehen
Wer keinen Garten hat, muss auf eigene Tomaten nicht verzichten: ein großer Kübel auf dem Balkon reicht, wenn er genug Sonne bekommt und regelmäßig gegossen wird.
Wichtig ist eine gute Erde mit viel Kompost, denn die Pflanzen brauchen über den Sommer sehr viele Nährstoffe und wachsen in einem kleinen Topf schnell an ihre Grenzen.
Ab Juli trage ich die Früchte fast jeden Tag ab, und die Pflanzen tragen bis in den Oktober, wenn die Nächte nicht zu kalt werden und der Balkon geschützt liegt.
Dieser Eintrag wurde veröffentlicht in Balkon und verschlagwortet mit Tomaten, Kübel von Anna. Lesezeichen für den Permanentlink.
Kommentar verfassen Antwort abbrechen
Du kommentierst mit Deinem WordPress.com-Konto. ( Abmelden / Ändern )
Benachrichtigung bei weiteren Kommentaren per E-Mail senden.
Informiere mich über neue Beiträge per E-Mail.
Gib deine E-Mail-Adresse ein, um diesem Blog zu folgen und per E-Mail Benachrichtigungen über neue Beiträge zu erhalten.
Die Texte und Bilder in diesem Blog stehen unter einer Creative Commons Namensnennung 4.0 International Lizenz.
Bloggen auf WordPress.com.
"""


def test_blog_platform_templates_are_furniture_in_text_mode() -> None:
    got = extract_text_dump(BLOG_TEMPLATE_DE)
    assert got.title == "Tomaten im Kübel ziehen"
    assert "Wer keinen Garten hat" in got.body
    assert "Ab Juli trage ich die Früchte" in got.body
    for bad in ("verschlagwortet", "Du kommentierst", "Benachrichtigung", "Informiere mich", "diesem Blog zu folgen",
                "Creative Commons", "WordPress.com"):
        assert bad not in got.body, bad


def test_text_mode_phrase_list_extends_the_shared_one() -> None:
    from transforms.textdump import load_text_furniture

    text, shared = load_text_furniture(), load_furniture()
    assert shared.exact <= text.exact and set(shared.contains) <= set(text.contains)
    assert "kommentierst mit deinem" in text.contains
    assert "kommentierst mit deinem" not in shared.contains  # HTML mode's post-filter is unchanged
    assert not is_furniture_line("Du kommentierst mit Deinem WordPress.com-Konto.")


CAPTIONED_REPORT = """Lawinenbulletin
Wochenbericht: viel Neuschnee im Westen
In der vergangenen Woche fiel in den westlichen Alpen verbreitet mehr als ein Meter Neuschnee, und die Lawinengefahr stieg an mehreren Tagen auf die Stufe vier.
Abbildung 4: Die grösste Lawine dieser Berichtsperiode wurde am Mittwoch an einem Nordhang ausgelöst.
Am Wochenende beruhigte sich das Wetter, und die Schneedecke setzte sich bei milden Temperaturen rasch, so dass die Gefahr bis Sonntag auf die Stufe zwei sank.
Ein Pistenfahrzeug räumt am Sonntag die Passstrasse frei. (Foto: Jana Beispiel)
Für die kommende Woche erwarten die Prognostiker wieder Schneefall, vor allem am Alpennordhang, und raten zu Vorsicht abseits der gesicherten Pisten.
"""


def test_figure_captions_and_photo_credits_are_not_body() -> None:
    got = extract_text_dump(CAPTIONED_REPORT)
    assert "In der vergangenen Woche fiel" in got.body
    assert "Am Wochenende beruhigte sich das Wetter" in got.body
    assert "Für die kommende Woche erwarten" in got.body
    assert "Abbildung 4" not in got.body
    assert "Pistenfahrzeug" not in got.body
    # HTML mode's post-filter keeps its own, narrower rules
    assert not is_furniture_line("Ein Pistenfahrzeug räumt am Sonntag die Passstrasse frei. (Foto: Jana Beispiel)")


READER_PROMPTS = """News
Harbour authority buys two electric ferries
The harbour authority has ordered two electric ferries for the crossing to the island, replacing the diesel boats that have served the route since the nineties.
The new boats will carry up to three hundred passengers and forty cars, and they will be charged at both piers during the ten-minute stop at each end.
Comments are moderated and it is not always possible to publish all that have been submitted.
For the latest stories download our apps for iOS and Android.
MIRA: Island festival moves to August
"""


def test_reader_prompts_and_read_also_labels_are_not_body() -> None:
    got = extract_text_dump(READER_PROMPTS)
    assert "ordered two electric ferries" in got.body
    assert "charged at both piers" in got.body
    for bad in ("moderated", "iOS and Android", "Island festival"):
        assert bad not in got.body, bad


# --- subtitle, section and per-field sources (issue 3) ---------------------------------


def test_seed_sources_subtitle_and_section() -> None:
    """What the seeds really show: 000 a 'Categories: WORLD' line, 002 a standfirst and
    'WORLD' on its dateline, 004 a 'Politics' label above the headline; 001 and 003
    carry neither a section nor a standfirst."""
    s000 = extract_text_dump(seed("000"))
    assert (s000.section, s000.section_source) == ("WORLD", "text:label")
    assert s000.subtitle is None and s000.subtitle_source is None  # the lead runs on into the article
    s002 = extract_text_dump(seed("002"))
    assert s002.subtitle == ('Secretary Blinken has said Kazakhstan has the capacity to deal with the protests '
                             'which is why it "is not clear" of a need for foreign troops coming in for help.')
    assert s002.subtitle_source == "text:standfirst"
    assert s002.body.startswith(s002.subtitle)  # policy: the standfirst stays the first body paragraph
    assert (s002.section, s002.section_source) == ("WORLD", "text:date-line")
    assert s002.title_source == "text:before-standfirst"
    s004 = extract_text_dump(seed("004"))
    assert (s004.section, s004.section_source) == ("Politics", "text:above-title")
    assert s004.subtitle is None
    for prefix in ("001", "003"):
        got = extract_text_dump(seed(prefix))
        assert got.section is None and got.section_source is None
        assert got.subtitle is None and got.subtitle_source is None
    for prefix in ("000", "001", "002", "003", "004"):
        got = extract_text_dump(seed(prefix))
        assert got.title_source is not None and got.title_source.startswith("text:")
        # no seed has a byline or a url line: both null, and their sources too
        assert got.byline is None and got.byline_source is None
        assert got.url is None and got.url_source is None


_BUDGET_BODY = (
    "The city council has approved next year's budget after a session that lasted through the night, "
    "with the ruling coalition holding together on every vote.\n"
    "The vote came shortly after three in the morning, when the last amendments had been withdrawn and "
    "the chairwoman asked the members to decide on the plan as a whole.\n"
    "Twenty-eight members voted for the budget and nineteen against it, with two abstentions from the "
    "small liberal group, which had asked for deeper cuts.\n"
)
_BUDGET_TITLE = "Council approves budget after a night of talks\n"


@pytest.mark.parametrize(
    "header, trailer, expected",
    [
        # must: labelled lines, breadcrumbs, a label right under page furniture
        ("Valley Courier\nSection: Local politics\n", "", ("Local politics", "text:label")),
        ("Valley Courier\nKategorie: Kommunalpolitik\n", "", ("Kommunalpolitik", "text:label")),
        ("Valley Courier\n", "Posted in Local politics, Budget\nLeave a Reply\n", ("Local politics", "text:label")),
        ("Valley Courier\nHome › World › Asia\n", "", ("World", "text:breadcrumb")),
        ("Valley Courier\nHome > Politics > " + _BUDGET_TITLE, "", ("Politics", "text:breadcrumb")),  # ends in the headline
        ("Valley Courier\nNews | Politics\n", "", ("Politics", "text:breadcrumb")),
        ("Valley Courier\nAdvertisement\nPolitics\n", "", ("Politics", "text:above-title")),
        ("Valley Courier\nPublished 2023-03-14 POLITICS\n", "", ("POLITICS", "text:date-line")),
        # must not: a menu is not a breadcrumb, the last menu entry or the site name
        # above a headline is not a section, a time zone on a dateline is not one
        ("Valley Courier\nHome | World | Business | Sport\n", "", (None, None)),
        ("Valley Courier\nHome\nWorld\nSport\n", "", (None, None)),
        ("Valley Courier\nImpressum\nKontakt\nAbout\n", "", (None, None)),
        ("Valley Courier\n", "", (None, None)),
        ("Valley Courier\nPublished 2023-03-14 10:30 GMT\n", "", (None, None)),
        ("Valley Courier\nCategories:\n", "", (None, None)),
    ],
)
def test_section_rules(header: str, trailer: str, expected: tuple[str | None, str | None]) -> None:
    text = header + _BUDGET_TITLE + _BUDGET_BODY + trailer
    got = extract_text_dump(text)
    assert got.title == _BUDGET_TITLE.strip()
    assert (got.section, got.section_source) == expected
    assert "The vote came shortly after three" in got.body


def test_standfirst_set_apart_by_byline_and_date_is_the_subtitle() -> None:
    standfirst = ("The coalition held together through a long night of votes, and the plan now goes "
                  "to the regional government.")
    got = extract_text_dump(_BUDGET_TITLE + standfirst + "\nBy Jane Marsh\n14 March 2023\n" + _BUDGET_BODY)
    assert (got.subtitle, got.subtitle_source) == (standfirst, "text:standfirst")
    assert got.body.startswith(standfirst)
    assert (got.byline, got.byline_source) == ("Jane Marsh", "text:byline")
    assert got.published == datetime.date(2023, 3, 14)


def test_lead_paragraph_running_on_is_not_a_subtitle() -> None:
    """Must not: a first paragraph followed directly by the next one, or by a
    'READ MORE' link, is the article's lead."""
    got = extract_text_dump(_BUDGET_TITLE + _BUDGET_BODY)
    assert got.subtitle is None and got.subtitle_source is None
    lines = _BUDGET_BODY.splitlines()
    got = extract_text_dump(_BUDGET_TITLE + lines[0] + "\nREAD MORE: Bus fares stay frozen\n" + "\n".join(lines[1:]))
    assert got.subtitle is None


def test_url_line_has_a_source() -> None:
    got = extract_text_dump("https://valleycourier.example/budget\n" + _BUDGET_TITLE + _BUDGET_BODY)
    assert (got.url, got.url_source) == ("https://valleycourier.example/budget", "text:url-line")
