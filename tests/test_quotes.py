"""Attribution: direct and indirect quotes, speakers, roles, verb classes, sides."""
import pytest

from transforms.errors import ResourceError
from transforms.quotes import build_quote_data, find_quotes, quote_stats

from .conftest import seed_bytes


def _seed(key: str) -> str:
    return seed_bytes(key).decode("utf-8")


def _rows(text: str):
    return [(q.kind, q.text, q.speaker, q.speaker_role, q.verb, q.verb_class, q.side) for q in find_quotes(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", []),
        ("“We will not leave the country now,” Blinken told reporters.",
         [("direct", "We will not leave the country now,", "Blinken", "government_official", "told", "neutral",
           "us_government")]),                 # a name listed as a US cue in quotes.yaml
        ('"Order has been fully restored today," said President Tokayev.',
         [("direct", "Order has been fully restored today,", "President Tokayev", "government_official", "said",
           "neutral", "kazakh_government")]),
        ("The Kremlin claimed that the troops would leave within days.",
         [("indirect", "the troops would leave within days", "The Kremlin", "government_official", "claimed",
           "doubt", "russia")]),
        ("Police warned that more arrests would follow soon.",
         [("indirect", "more arrests would follow soon", "Police", "police_security", "warned", "assertive",
           "police_security")]),
        ("A U.S. official familiar with the matter said the situation was calmer.",
         [("indirect", "the situation was calmer", "A U.S. official", "anonymous", "said", "neutral", "us_government")]),
        ("Protests spread to five cities, according to local media.",
         [("indirect", "Protests spread to five cities", "local media", "media", "according to", "neutral", "media")]),
        ("“The State Department has approved the departure of staff,” reads the statement.",
         [("direct", "The State Department has approved the departure of staff,", "the statement", "other", "reads",
           "neutral", "unknown")]),
        ("It is noted that there are foreign nationals among the detained.", []),      # passive: no speaker
        ("It was a ‘voluntary departure’ for staff.", []),                               # scare quotes
        ("Tokayev declared a two-week state of emergency.", []),                         # not speech
    ],
)
def test_find_quotes(text, expected):
    quotes = find_quotes(text)
    assert _rows(text) == expected
    for q in quotes:
        assert text[q.start:q.end] == q.text


def test_pronoun_resolves_to_named_speaker():
    text = ("On Thursday, White House press secretary Jen Psaki raised doubts about the mission.\n\n"
            "“Now we have questions about the nature of this request,” she stated at the briefing. "
            "“We don’t know at this point.”")
    rows = _rows(text)
    assert [r[2] for r in rows] == ["Jen Psaki", "Jen Psaki"]
    assert {r[6] for r in rows} == {"us_government"}
    assert rows[0][4] == "stated"


def test_definite_speaker_inherits_side():
    text = ("A U.S. official said the security situation appeared more under control. "
            "The request was premature, the official stated, and could cost him politically.")
    rows = _rows(text)
    assert [(r[2], r[3], r[6]) for r in rows] == [("A U.S. official", "anonymous", "us_government"),
                                                  ("the official", "anonymous", "us_government")]
    assert rows[1][1] == "The request was premature"


def test_odd_input_never_raises():
    assert find_quotes(None) == []          # type: ignore[arg-type]
    for text in ["“", "”,” said", "said said said", "according to", "“a” “b” “c”", "\n\n“x y z w v u”\n"]:
        find_quotes(text)


def _by_text(quotes, fragment):
    return next(q for q in quotes if fragment in q.text)


def test_seed_trt_blinken():
    quotes = find_quotes(_seed("trt"))
    q = _by_text(quotes, "I think one lesson in recent history is")
    assert (q.kind, q.speaker, q.verb, q.verb_class, q.speaker_role, q.side) == (
        "direct", "Blinken", "told", "neutral", "government_official", "us_government")
    assert _by_text(quotes, "We're watching the situation").speaker == "Blinken"        # "he said"
    warned = _by_text(quotes, "Kazakhstan will find it difficult")
    assert (warned.kind, warned.verb_class) == ("indirect", "assertive")


def test_seed_spun_psaki_and_anonymous_official():
    quotes = find_quotes(_seed("spun"))
    q = _by_text(quotes, "Now we have questions")
    assert "Psaki" in q.speaker and q.verb == "stated" and q.verb_class == "neutral" and q.side == "us_government"
    assert "Psaki" in _by_text(quotes, "We don’t know at this level").speaker
    anon = _by_text(quotes, "the security state of affairs appeared")
    assert (anon.speaker, anon.speaker_role, anon.side) == ("A U.S. official", "anonymous", "us_government")
    later = _by_text(quotes, "are simply annoyed and hungry")
    assert (later.speaker, later.speaker_role, later.verb) == ("the official", "anonymous", "stated")
    assert _by_text(quotes, "reiterated the USA").verb == "according to"
    media = _by_text(quotes, "these forces included airborne Russian troops")
    assert (media.speaker_role, media.side) == ("media", "russia")


def test_seed_es_according_to_statement():
    quotes = find_quotes(_seed("es"))
    q = _by_text(quotes, "has authorized non-essential employees")
    assert (q.kind, q.verb, q.side) == ("indirect", "according to", "us_government")
    assert "State Department" in q.speaker
    ministry = _by_text(quotes, "26 protesters killed")
    assert (ministry.speaker, ministry.side) == ("The Kazakh Interior Ministry", "kazakh_government")


def test_seed_izv_reads_the_statement():
    quotes = find_quotes(_seed("izv"))
    q = _by_text(quotes, "The State Department has approved")
    assert (q.kind, q.speaker, q.verb) == ("direct", "the statement", "reads")
    smad = _by_text(quotes, "received no complaints")
    assert smad.speaker.endswith("Aibek Smadiyarov") and smad.side == "kazakh_government"
    assert _by_text(quotes, "brutal actions of the attackers").side == "kazakh_government"


def test_seed_rt_state_department():
    quotes = find_quotes(_seed("rt"))
    q = _by_text(quotes, "US citizens in Kazakhstan should be aware")
    assert (q.speaker, q.verb, q.side) == ("the State Department", "said", "us_government")
    assert not any("voluntary departure" == q.text.strip(".") for q in quotes)   # scare quote


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", {"quotes_direct": 0, "quotes_indirect": 0, "quoted_share": None, "doubt_verbs": 0,
              "neutral_verbs": 0, "assertive_verbs": 0, "speakers_distinct": 0, "sides_distinct": 0}),
        ("“We will stay here for a long while,” Blinken said. The Kremlin claimed that troops would go.",
         {"quotes_direct": 1, "quotes_indirect": 1, "quoted_share": round(35 / 93, 4), "doubt_verbs": 1,
          "neutral_verbs": 1, "assertive_verbs": 0, "speakers_distinct": 2, "sides_distinct": 2}),
    ],
)
def test_quote_stats(text, expected):
    assert quote_stats(find_quotes(text), text) == expected


def test_invalid_quote_file():
    with pytest.raises(ResourceError, match="verbs"):
        build_quote_data({"version": "1", "language": "en", "verb_classes": ["neutral"]})
    with pytest.raises(ResourceError, match="class"):
        build_quote_data({"version": "1", "language": "en", "verb_classes": ["neutral"],
                          "verbs": [{"forms": ["said"], "class": "loud"}]})


def test_last_left_cut_equals_the_last_finditer_match():
    """_speaker_before finds the last clause cut by a search of the window reversed."""
    import random

    from transforms.quotes import _LEFT_CUT, _last_left_cut

    pieces = ["that", "although", "though", "but", "and", "while", "as", "because", "since", "when", "if",
              "whereas", "where", "which", "who", "after", "before", "thatx", "xand", "and-", "-as", "as’",
              "’as", "'if", "whereas", "official", "said", ",", ";", ":", "“", "”", '"', "(", ")", "[", "]", "—",
              "–", "\n", " ", " ", "x", "_", "9"]
    rnd = random.Random(2)
    for _ in range(4000):
        text = "".join(rnd.choice(pieces) + rnd.choice(["", " ", " "]) for _ in range(rnd.randint(0, 15)))
        for lo in range(0, len(text) + 1, 3):
            for hi in range(lo, len(text) + 1, 4):
                last = None
                for last in _LEFT_CUT.finditer(text, lo, hi):
                    pass
                assert _last_left_cut(text, lo, hi) == (last.end() if last else None), (text, lo, hi)


@pytest.mark.parametrize("text, speaker, verb", [
    # the name before an apposition speaks, not who was told
    ("John Pistole, the former FBI deputy director, told Fox News last summer that the FBI lacked the resources.",
     "John Pistole", "told"),
    ("Ty Cobb, a White House lawyer, told the New York Times last month that Trump “likes Gen Flynn personally.”",
     "Ty Cobb", "told"),
    ("Ty Cobb, a White House lawyer, said last month that Trump likes Flynn personally and will not pardon him.",
     "Ty Cobb", "said"),
    # a chain of appositions: an age, a town, a state; a party tag and a title
    ("Quentin Howell, 37, of Milledgeville, Ga., says he was diagnosed with diabetes two years ago.",
     "Quentin Howell", "says"),
    ("Rep. Buck McKeon, R-Calif., the chairman of the House Armed Services Committee, said Friday that he has long "
     "been concerned.", "Rep. Buck McKeon", "said"),
    # the inversion after a comma still reads "said X"
    ("The talks will go on next week, said a spokesman for the ministry.", "a spokesman for the ministry", "said"),
    ('"Why would anyone do this to a child in our town?" asks Esha Bhandari.', "Esha Bhandari", "asks"),
])
def test_the_speaker_before_an_apposition(text, speaker, verb):
    assert [(q.speaker, q.verb) for q in find_quotes(text)] == [(speaker, verb)]


def test_told_never_names_who_was_told_as_the_speaker():
    # no speaker before "told": the quote is not attributed to the listener
    quotes = find_quotes("Andy Smith, a professor at UNH who conducted the poll, told The Daily Beast that it shows "
                         "the limits of name recognition.")
    assert all(q.speaker != "The Daily Beast" for q in quotes)


def test_inverts_must_be_a_boolean():
    with pytest.raises(ResourceError, match="inverts must be true or false"):
        build_quote_data({"version": "1", "language": "en", "verb_classes": ["neutral"],
                          "verbs": [{"forms": ["told"], "class": "neutral", "inverts": "no"}]})


@pytest.mark.parametrize("text, speaker, side", [
    ("Sen. Jim Inhofe, an Oklahoma Republican, said that Trump was wrong to call for a ban.", "Sen. Jim Inhofe",
     "us_government"),
    ("Rep. Raul Labrador, R-Idaho, said on Saturday that the president rejected our deal outright.",
     "Rep. Raul Labrador", "us_government"),
    # governors: not only American ones
    ("Gov. Mike DeWine said that the only thing he asked was distancing.", "Gov. Mike DeWine", "government"),
    ("The congressman said Monday that the White House is engaged in stonewalling.", "The congressman",
     "us_government"),
])
def test_us_legislators_and_governors_are_officials(text, speaker, side):
    assert [(q.speaker, q.speaker_role, q.side) for q in find_quotes(text)] == [(speaker, "government_official", side)]


def test_an_abbreviated_title_is_no_speaker_on_its_own():
    quotes = find_quotes("Christie, Rubio and Ohio Gov. John Kasich all said that the U.S. has the highest "
                         "corporate tax rate in the world.")
    assert all(not (q.speaker or "").endswith("Gov.") for q in quotes)
