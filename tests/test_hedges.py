"""Hedges and evidentials: terms, kinds, offsets, in-quote flag; the shared loader."""
import pytest

from transforms.errors import ResourceError
from transforms.hedges import build_hedge_data, find_hedges, sentence_bounds

from .conftest import seed_bytes


def _seed(key: str) -> str:
    return seed_bytes(key).decode("utf-8")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", []),
        ("Over 4,000 people were reportedly detained.", [("reportedly", "hedge", False)]),
        ("dozens were killed after allegedly confronting police", [("allegedly", "hedge", False)]),
        ("according to President Tokayev, order is restored", [("according to", "evidential", False)]),
        ("It is noted that there are foreign nationals. It is not specified which.",
         [("It is noted that", "evidential", False), ("It is not specified", "hedge", False)]),
        ("This became known on Saturday.", [("became known", "evidential", False)]),
        ("numbers that could grow", [("could", "hedge", False)]),
        ("The claim could not be verified.", [("could not be verified", "hedge", False)]),   # longest form
        ("May 5 was calm; it may rain", [("may", "hedge", False)]),                         # month is not a hedge
        ("“violent protests may severely impact” the Embassy", [("may", "hedge", True)]),
        ("reportedlyX and unreportedly", []),                                                # whole words only
        ("Apparently\nthey left", [("Apparently", "hedge", False)]),
    ],
)
def test_find_hedges(text, expected):
    hedges = find_hedges(text)
    assert [(h.term, h.kind, h.in_quote) for h in hedges] == expected
    for h in hedges:
        assert text[h.start:h.end] == h.term


def test_odd_input_never_raises():
    assert find_hedges(None) == []          # type: ignore[arg-type]
    assert find_hedges("   \n") == []


@pytest.mark.parametrize(
    "key, must, must_not",
    [
        ("rt", {"reportedly", "allegedly", "according to"}, set()),
        ("izv", {"It is noted that", "It is not specified", "became known"}, set()),
        ("spun", {"reportedly", "apparently", "according to"}, {"May"}),
    ],
)
def test_seed_hedges(key, must, must_not):
    terms = {h.term for h in find_hedges(_seed(key))}
    assert must <= terms
    assert not (must_not & terms)


@pytest.mark.parametrize(
    "doc, message",
    [
        ([], "mapping"),
        ({"language": "en", "kinds": ["hedge"], "terms": []}, "version"),
        ({"version": "1", "language": "de", "kinds": ["hedge"], "terms": [{"kind": "hedge", "forms": ["x"]}]}, "language"),
        ({"version": "1", "language": "en", "kinds": ["hedge"], "terms": [{"kind": "vague", "forms": ["x"]}]}, "kind"),
        ({"version": "1", "language": "en", "kinds": ["hedge"], "terms": [{"kind": "hedge", "forms": []}]}, "forms"),
        ({"version": "1", "language": "en", "kinds": ["hedge"],
          "terms": [{"kind": "hedge", "forms": ["x"]}, {"kind": "hedge", "forms": ["X"]}]}, "twice"),
    ],
)
def test_invalid_hedge_file(doc, message):
    with pytest.raises(ResourceError, match=message):
        build_hedge_data(doc)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", []),
        ("One. Two", ["One.", "Two"]),
        ("The U.S. Embassy closed. On Jan. 5, they met.", ["The U.S. Embassy closed.", "On Jan. 5, they met."]),
        ("“Yes,” he said. “No.” Fine", ["“Yes,” he said.", "“No.”", "Fine"]),
        ("a\n\nb", ["a", "b"]),
        ("3.5 million people. ok then", ["3.5 million people. ok then"]),
    ],
)
def test_sentence_bounds(text, expected):
    assert [text[s:e] for s, e in sentence_bounds(text)] == expected


def test_last_run_by_rsplit_equals_the_regex():
    """sentence_bounds reads the word before a sentence end with rsplit(None, 1): the
    same run as re's (\\S+)\\s*$ searched in the window (unicode whitespace included)."""
    import random
    import re

    last_token = re.compile(r"(\S+)\s*$")
    rnd = random.Random(1)
    for _ in range(5000):
        w = "".join(rnd.choice(["a", "U.S.", "Jan.", ".", "x", "Mr."]) + rnd.choice([" ", "\n", "\t", "\u00a0",
                                                                                     "\u2003", "", "  "])
                    for _ in range(rnd.randint(0, 6)))
        for lo in range(len(w) + 1):
            m = last_token.search(w, lo, len(w))
            r = w[lo:].rsplit(None, 1)
            assert (m.group(1) if m else None) == (r[-1] if r else None)


def _sentence_bounds_reference(body):
    """sentence_bounds as it was before its loop was inlined (the original rule)."""
    from transforms.hedges import _SENT_END, _strip_span, abbreviations

    abbr = abbreviations()
    spans = []
    start = 0
    for m in _SENT_END.finditer(body):
        if m.group(0) != "\n":
            last = body[max(start, m.start() - 12):m.end()].rsplit(None, 1)
            if last and last[-1] in abbr:
                continue
        end = m.start() if m.group(0) == "\n" else m.end()
        if end > start:
            spans.append(_strip_span(body, start, end))
        start = m.end()
    if start < len(body):
        spans.append(_strip_span(body, start, len(body)))
    return tuple(sp for sp in spans if sp[1] > sp[0])


def test_sentence_bounds_equal_the_reference_on_real_and_random_text():
    import gzip
    import itertools
    import random

    from transforms.extract import extract_file

    from .conftest import SEEDS, corpus, seed_bytes

    with gzip.open(corpus("allsides", "articles.jsonl.gz"), "rb") as f:
        data = b"".join(itertools.islice(f, 300))
    texts = [a.body for a in extract_file("allsides.jsonl", data) if hasattr(a, "body")]
    texts += [seed_bytes(k).decode("utf-8") for k in SEEDS]
    rnd = random.Random(5)
    parts = ["a", "Mr.", "U.S.", "Jan.", "It", "3", ".", "!", "?", "…", "”", "\"", "’", ")", " ", "  ", "\n", "\n\n",
             "\t", "\u00a0", " \n ", "x.", "Yes.", "B"]
    texts += ["".join(rnd.choice(parts) for _ in range(rnd.randint(0, 40))) for _ in range(5000)]
    for text in texts:
        assert sentence_bounds.__wrapped__(text) == _sentence_bounds_reference(text), text[:80]
