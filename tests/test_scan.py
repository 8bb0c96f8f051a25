"""transforms.scan: scans run only where a literal occurs find what the full regex scan finds."""

import random
import re

import pytest

from transforms import outlets
from transforms.scan import finditer_at_literals

from .conftest import SEEDS, seed_bytes

PATTERNS = [
    (outlets._SELF_REF, outlets._SELF_REF_STARTS),
    (outlets._ATTRIBUTION, outlets._ATTRIBUTION_STARTS),
]

# pieces that make matches, near-matches, overlapping and word-internal triggers
PIECES = ["told", "telling", "speaking to", "spoke to", "speaking with", "talking to", "said to",
          "in an interview with", "advised", "informed", "confirmed to", "wrote to", "According to",
          "according to", "reported by", "citing", "cited by", "Reuters", "The", "the", "CNN", "of", "and", "&",
          "A-told", "Foxtold", "retold", "Xsaid to", "Ministry", "U.S.", "’s", "2022", ",", ".", " ", " ", "\n",
          "\u00a0", "ToldX", "x", "Told", "-"]


def _spans(matches):
    return [(m.span(), m.groupdict()) for m in matches]


@pytest.mark.parametrize("pattern, literals", PATTERNS)
def test_same_matches_as_finditer_on_random_text(pattern, literals):
    rnd = random.Random(5)
    for _ in range(3000):
        text = "".join(rnd.choice(PIECES) + rnd.choice(["", " ", " "]) for _ in range(rnd.randint(0, 25)))
        assert _spans(finditer_at_literals(pattern, literals, text)) == _spans(pattern.finditer(text)), text


@pytest.mark.parametrize("pattern, literals", PATTERNS)
def test_same_matches_on_the_seeds(pattern, literals):
    for key in SEEDS:
        text = seed_bytes(key).decode("utf-8")
        assert _spans(finditer_at_literals(pattern, literals, text)) == _spans(pattern.finditer(text))


def test_a_match_inside_the_previous_one_is_skipped():
    rx = re.compile(r"ab\w*|b\w")
    text = "abbx bx abz"
    assert _spans(finditer_at_literals(rx, ["ab", "b"], text)) == _spans(rx.finditer(text))


def test_word_start_scan_equals_each_finditer():
    from transforms.hedges import _phrase_scan_patterns, lowered, phrase_scans
    from transforms.scan import word_start_scan

    patterns, probe, lexicon = _phrase_scan_patterns()
    assert lexicon is not None and lexicon.pattern is patterns[4]    # the English lexicon's pattern is scanned too
    forms = ["said", "says", "according to", "told", "reportedly", "allegedly", "may", "could not be verified",
             "spokesman", "minister", "foreign minister", "press secretary", "President", "Jen", "Psaki", "it",
             "claimed", "denied", "warned", "sources say", "was", "the", "re-said", "said-", "’said", "'may",
             "x-may", "_told", "Said", "MAY", "\n", ",", ".", "“", "”", "-", " ", "  ", "2022", "$5", "5", "12.5",
             "1,200", "hundreds", "about", "at least", "two", "thousand", "dozens of", "killed", "protesters",
             "€3", "-4", "é5", "_9", "3%", "one", "1.", "4/5", "more than", "a dozen", "in excess of", "up to",
             "tens of thousands", "several hundred", "overall", "someone", "chief", "secretary", "cited by", "a",
             "riot", "rioters", "patriot", "anti-protest", "militants", "regime", "terrorists", "Thugs", "mob's",
             "police", "security forces", "ж", "ß", "é", "a source said", "at least 5", "more than 3"]
    rnd = random.Random(7)
    texts = [seed_bytes(k).decode("utf-8") for k in SEEDS]
    texts += ["".join(rnd.choice(forms) + rnd.choice(["", " ", " ", "\n"]) for _ in range(rnd.randint(0, 30)))
              for _ in range(3000)]
    for text in texts:
        low = lowered(text)
        want = [[m.span() for m in p.finditer(low)] for p in patterns]
        assert [[m.span() for m in found] for found in word_start_scan(low, patterns, probe)] == want, text
        assert [[m.span() for m in found] for found in phrase_scans(text)] == want


def test_word_start_probe_tries_the_patterns_of_every_prefix_form():
    """Forms that are prefixes of other patterns' forms, a \\b pattern and digits: the
    probe names, at each position, every pattern that can match there."""
    from transforms.scan import WORD_START, word_start_probe, word_start_scan

    forms = [["ab"], ["abcd", "ab x"], ["abc", "b"], ["ab", "x"]]
    patterns = [re.compile(WORD_START + r"(?:ab)(?![\w-])"), re.compile(WORD_START + r"(?:abcd|ab\s+x)(?![\w-])"),
                re.compile(r"\b(?:abc|b)"), re.compile(WORD_START + r"(?:\d+|ab|x)")]
    probe = word_start_probe(patterns, [WORD_START, WORD_START, r"\b", WORD_START], forms, digits=[3])
    assert probe.tries["abcd"] == (0, 1, 2, 3) and probe.tries["b"] == (2,)
    rnd = random.Random(11)
    parts = ["ab", "abc", "abcd", "abcde", "b", "x", "ab x", "ab\n x", "12", "a1", "1ab", " ", " ", "-", "’", "é", "_"]
    for _ in range(3000):
        text = "".join(rnd.choice(parts) for _ in range(rnd.randint(0, 20)))
        assert [[m.span() for m in found] for found in word_start_scan(text, patterns, probe)] == \
            [[m.span() for m in p.finditer(text)] for p in patterns], text
