"""Lexicon loading/validation and term matching: inflections, boundaries, quotes."""
import pytest

from transforms.errors import ResourceError
from transforms.framing import find_hits, hit_counts, quote_share, quote_spans, sentence_spans
from transforms.lexicon import build_lexicon, load_lexicon


def _doc(**over):
    doc = {"version": "1", "category": "actor_label", "language": "en",
           "frames": ["neutral", "delegitimising"],
           "terms": [{"canonical": "rioter", "frame": "delegitimising", "forms": ["rioter", "rioters"]}]}
    doc.update(over)
    return doc


@pytest.fixture(scope="module")
def lex():
    return load_lexicon("en")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", []),
        ("Rioters looted shops.", [("actor_label", "rioter", "Rioters")]),
        ("The riot, the riots and the rioting.", [("event_label", "riot", "riot"), ("event_label", "riot", "riots"), ("event_label", "riot", "rioting")]),
        ("Patriotism is not rioting", [("event_label", "riot", "rioting")]),          # no match inside 'Patriotism'
        ("protesters and protestors", [("actor_label", "protester", "protesters"), ("actor_label", "protester", "protestors")]),
        ("the Russian-led bloc", [("foreign_force_label", "russian-led", "Russian-led")]),
        ("in Alma-Ata, not Almaty", [("place_name", "Almaty", "Alma-Ata"), ("place_name", "Almaty", "Almaty")]),
        ("Alma\nAta", [("place_name", "Almaty", "Alma\nAta")]),                          # multiword across a line break
        ("peacekeeping peacekeepers", [("foreign_force_label", "peacekeeping", "peacekeeping"), ("foreign_force_label", "peacekeeper", "peacekeepers")]),
        ("President Tokáyev", [("person_name", "Tokayev", "Tokáyev")]),
        ("anti-protest laws", []),                                                        # hyphenated compound is not the label
        ("The protester's sign", [("actor_label", "protester", "protester")]),          # possessive counts as the base
        ("They rioted; rioter-free", []),                                                 # not a listed form / compound
        ("a failed coup d'etat", [("event_label", "coup", "coup d'etat")]),              # longest form wins
        ("TERRORISTS and Militants", [("actor_label", "terrorist", "TERRORISTS"), ("actor_label", "militant", "Militants")]),
    ],
)
def test_matches(lex, text, expected):
    assert [(h.category, h.canonical, h.term) for h in find_hits(text, lex)] == expected


def test_offsets_point_into_body(lex):
    body = "Soon the protests turned into riots. The criminals vandalized offices."
    for h in find_hits(body, lex):
        assert body[h.start:h.end] == h.term
        assert h.term in h.sentence


@pytest.mark.parametrize(
    "text, in_quote",
    [
        ("", []),
        ('He said: "the rioters must stop" today. Rioters ran.', [True, False]),
        ("“Terrorists attacked,” he said of the terrorists.", [True, False]),
        ("It is «terrorism» by terrorists", [False]),
        ("the State Department’s ‘rioters’ claim", [True]),
        ("the rioters’ demands", [False]),                      # apostrophe, not a quote
    ],
)
def test_in_quote(lex, text, in_quote):
    assert [h.in_quote for h in find_hits(text, lex) if h.category == "actor_label"] == in_quote


def test_quote_share_and_spans():
    assert quote_share("") is None
    assert quote_share("   ") is None
    assert quote_share("no quotes here") == 0.0
    text = '“abcd” efgh'
    assert quote_spans(text) == [(0, 6)]
    assert quote_share(text) == round(6 / len(text), 4)


def test_sentence_spans():
    assert sentence_spans("") == []
    text = "One sentence. Two “quoted.” Three?\nFour"
    assert [text[s:e] for s, e in sentence_spans(text)] == ["One sentence.", "Two “quoted.”", "Three?", "Four"]


def test_hit_counts_empty_and_frames(lex):
    assert hit_counts([]) == {"hits_total": 0, "hits_legitimising": 0, "hits_neutral": 0, "hits_delegitimising": 0,
                              "hits_in_quote": 0, "hits_loaded": 0}
    c = hit_counts(find_hits("protesters, rioters and peacekeepers", lex))
    assert c["hits_neutral"] == 1 and c["hits_delegitimising"] == 1 and c["hits_legitimising"] == 1


def test_lexicon_version_names_every_category(lex):
    for cat in ("actor_label", "event_label", "foreign_force_label", "place_name", "person_name"):
        assert f"{cat}@" in lex.version


@pytest.mark.parametrize(
    "doc, message",
    [
        ({}, "missing keys"),
        (_doc(terms=[{"canonical": "x", "frame": "loaded", "forms": ["x"]}]), "frame 'loaded'"),
        (_doc(terms=[{"canonical": "x", "frame": "neutral", "forms": []}]), "forms must be"),
        (_doc(terms=[{"canonical": "x", "frame": "neutral"}]), "needs canonical"),
        (_doc(language="ru"), "language"),
        (_doc(terms=[{"canonical": "x", "frame": "neutral", "forms": ["x"], "tier": "weak"}]), "unknown keys"),
        (_doc(terms=[{"canonical": "x", "frame": "neutral", "forms": ["x"], "source": ""}]), "source must be"),
        (_doc(generated_excludes="kill"), "generated_excludes must be a list"),
    ],
)
def test_invalid_lexicon_files_raise(doc, message):
    with pytest.raises(ResourceError, match=message):
        build_lexicon("en", {"bad.yaml": doc})


def test_form_in_two_terms_raises():
    other = _doc(category="event_label", terms=[{"canonical": "r", "frame": "neutral", "forms": ["Rioters"]}])
    with pytest.raises(ResourceError, match="already belongs"):
        build_lexicon("en", {"a.yaml": _doc(), "b.yaml": other})


def test_sentence_ends_equal_the_full_scan():
    """sentence_spans tries _SENTENCE_END only after end punctuation and at newlines."""
    import random

    from transforms.framing import _SENTENCE_END, _sentence_ends

    parts = ["Word", "word", ".", "!", "?", "…", '"', "”", "’", "»", ")", "(", "“", "‘", "«", " ", "  ", "\n", "\n\n",
             "\t", "\u00a0", "\u2003", "A", "9", "Я", "U.S.", "?!", "...", ". \n "]
    rnd = random.Random(8)
    for _ in range(5000):
        text = "".join(rnd.choice(parts) for _ in range(rnd.randint(0, 40)))
        assert [m.span() for m in _sentence_ends(text)] == [m.span() for m in _SENTENCE_END.finditer(text)], text


@pytest.mark.parametrize("language", ["en", "ru", "es"])
def test_lexicon_probe_finds_what_finditer_finds(language):
    """lexicon.finditer_spans (the probe + the match at 0) against the plain finditer of
    the lexicon's own pattern, on random texts made of its forms, pieces of them, word
    characters beside them and separators (unicode whitespace, punctuation, ÷, _)."""
    import random

    from transforms.lexicon import finditer_spans

    lexicon = load_lexicon(language)
    assert lexicon.probe is not None and lexicon.probe is lexicon.probe      # built once per Lexicon
    forms = sorted(lexicon.by_form)
    rnd = random.Random(11)
    glue = [" ", "  ", "\n", "\t", "\u00a0", "\u2003", ",", ".", "-", "'", "’", "_", "÷", "«", "»", '"', "(", "",
            "a", "s", "é", "ß", "ё", "я", "9", "x", "'s", "-s", "ü"]
    for _ in range(4000):
        parts = []
        for _ in range(rnd.randint(0, 12)):
            form = rnd.choice(forms)
            r = rnd.random()
            if r < 0.15:
                form = form[:rnd.randint(1, len(form))]
            elif r < 0.25:
                form = form[rnd.randint(0, len(form) - 1):]
            elif r < 0.35:
                form = form.replace(" ", rnd.choice(["  ", "\n", " \u00a0", "-"]))
            elif r < 0.4:
                form = form.upper()
            parts.append(form)
            parts.append("".join(rnd.choice(glue) for _ in range(rnd.randint(0, 3))))
        text = "".join(parts)
        expected = [(m.start(), m.end(), m.group(0)) for m in lexicon.pattern.finditer(text)]
        assert finditer_spans(lexicon, text) == expected, text


def test_lexicon_probe_separator_class():
    """WORD_SEPARATOR excludes only word characters (so it holds every non-word one),
    and a lexicon whose pattern is not build_lexicon's gets no probe (plain finditer)."""
    import dataclasses
    import re
    import sys

    from transforms.lexicon import WORD_SEPARATOR, finditer_spans

    sep, word = re.compile(WORD_SEPARATOR), re.compile(r"\w")
    assert all(word.match(c) for c in map(chr, range(sys.maxunicode + 1)) if not sep.match(c))
    lexicon = load_lexicon("en")
    other = dataclasses.replace(lexicon, pattern=re.compile(r"\b(?:rioters?|riot)"))
    assert other.probe is None
    assert finditer_spans(other, "rioters riot") == [(0, 7, "rioters"), (8, 12, "riot")]


def test_lowered_is_what_find_hits_and_the_attribution_functions_lowercased():
    """framing.lowered (cached, shared by find_hits and hedges/quotes/figures) equals
    both former copies: find_hits' _lower_same_length and hedges.lowered, on random
    texts with characters whose lowercase is longer ("İ") or that have none."""
    import random

    from transforms import hedges
    from transforms.framing import lowered

    def find_hits_copy(text):
        low = text.lower()
        if len(low) == len(text):
            return low
        return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)

    def hedges_copy(body):
        low = body.lower()
        if len(low) == len(body):
            return low
        return "".join(c.lower() if len(c.lower()) == 1 else c for c in body)

    assert hedges.lowered is lowered
    alphabet = "aZİıßẞΣσςÅ ǅǄ\u0130\u1e9e1-’"
    rnd = random.Random(6)
    for _ in range(3000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
        assert lowered(text) == find_hits_copy(text) == hedges_copy(text), text
        assert len(lowered(text)) == len(text)
