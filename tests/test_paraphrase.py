"""Spun-copy score: the seeds, short text, and a small run of the bench spinner on real news."""
import importlib.util
import random
from pathlib import Path

import pytest

from transforms.paraphrase import PARAPHRASE_VERSION, ParaphraseResult, paraphrase_score

from .conftest import SEEDS, corpus, seed_bytes

BENCH = Path(__file__).resolve().parents[1] / "bench" / "paraphrase_eval.py"


def test_empty_and_short_text_has_no_score():
    for text in ("", "A short note about Kazakhstan, spun or not: White Home."):
        assert paraphrase_score(text) == ParaphraseResult(None, False, (), None)


@pytest.mark.parametrize("key, flagged", [(k, k == "spun") for k in SEEDS])
def test_seed_flags(key, flagged):
    r = paraphrase_score(seed_bytes(key).decode("utf-8"))
    assert r.flagged is flagged and r.score is not None and 0 <= r.score <= 1
    assert r.rare_word_rate is not None and 0 <= r.rare_word_rate < 1


def test_spun_seed_evidence():
    r = paraphrase_score(seed_bytes("spun").decode("utf-8"))
    assert "White Home (for White House)" in r.artefacts
    assert "Overseas Minister (for Foreign Minister)" in r.artefacts
    assert "as nicely (for as well)" in r.artefacts       # paraphrase.yaml phrase
    assert "despatched (for sent)" in r.artefacts         # rare synonym among common words
    assert PARAPHRASE_VERSION


@pytest.mark.corpus
def test_bench_spinner_on_30_real_articles():
    path = corpus("allsides", "articles.jsonl.gz")
    spec = importlib.util.spec_from_file_location("paraphrase_eval", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.CORPUS == path
    bodies = random.Random(3).sample(bench.load_bodies()[1::2], 30)
    assert sum(paraphrase_score(b).flagged for b in bodies) <= 1
    synonyms, fixed = bench.load_spinner()
    spun = [bench.spin(b, synonyms, fixed, 1.0, True, random.Random(k))[0] for k, b in enumerate(bodies)]
    # The frequency signal is weak at a <=1% false-positive point (bench: ~30% on 500 such
    # texts); this guards against regressions, it does not claim good recall.
    assert sum(paraphrase_score(s).flagged for s in spun) >= 6


def test_spinner_scan_at_anchors_finds_what_the_full_scan_finds():
    """spinner_artefacts runs the forms' pattern only where an anchor occurs."""
    import random

    from transforms.paraphrase import load_spinner
    from transforms.scan import finditer_at_anchors

    sp = load_spinner()
    pieces = list(sp.fixed_for) + [w for f in sp.fixed_for for w in f.split(" ")] + [
        "x", "X", "'", "’", "-", "_", "(", ".", ",", "\n", " ", " ", "2", "é", "the", "White House"]
    rnd = random.Random(3)
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) + rnd.choice(["", " ", " ", " "]) for _ in range(rnd.randint(0, 20)))
        assert [m.span() for m in finditer_at_anchors(sp.pattern, sp.anchors, text)] == \
            [m.span() for m in sp.pattern.finditer(text)], text


def test_phrases_from_head_codes_equal_the_joined_text_scan():
    """_phrases over the body's head codes (transforms.pieces) finds what the scan of the
    lowercased joined tokens finds, including overlapping and case-changed phrases."""
    import random

    from transforms.paraphrase import _WORD, _phrases, head_codes, load_config

    cfg = load_config()
    words = [w for spun in cfg.phrase_for for w in spun.split()] + ["As", "NICELY", "The", "x", "said", "it's"]
    rnd = random.Random(9)
    found = 0
    for _ in range(3000):
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(0, 25)))
        toks = _WORD.findall(text)
        want = _phrases(toks, cfg)
        found += len(want)
        assert _phrases(toks, cfg, head_codes(tuple(toks))) == want, text
    assert found > 100


def test_body_tokens_from_pieces_equal_findall():
    """The tokens paraphrase_score reads from the shared pieces are _WORD.findall(body)."""
    import random

    from transforms.paraphrase import _WORD, _BodyTokens
    from transforms.pieces import body_pieces

    from .conftest import SEEDS, seed_bytes

    rnd = random.Random(5)
    parts = ["it's", "x", "’s", "'", "--", "U.S.", "don't", "rock'n'roll", "é", "3", "a-b", "\n", " ", "  ", "\t"]
    texts = [seed_bytes(k).decode("utf-8") for k in SEEDS]
    texts += ["".join(rnd.choice(parts) for _ in range(rnd.randint(0, 30))) for _ in range(2000)]
    for text in texts:
        _, facts = body_pieces(text)
        want = _WORD.findall(text)
        toks = _BodyTokens(facts, sum(len(f[4]) for f in facts))
        assert len(toks) == len(want)
        assert [toks[i] for i in range(len(toks))] == want
        assert toks[1:4] == want[1:4] and (not want or toks[-1] == want[-1])


def test_english_zipf_equals_zipf_frequency_on_every_ascii_word_of_the_list():
    """english_zipf reads wordfreq's English list directly for ASCII lowercase words:
    the same value as zipf_frequency (its tokeniser, rounding and log) on every such
    word of the list, on absent ones, and on words that take the fallback."""
    import random
    import string

    from wordfreq import get_frequency_dict, zipf_frequency

    from transforms.paraphrase import english_zipf

    words = [w for w in get_frequency_dict("en") if w.isascii() and w.isalpha() and w.islower()]
    assert len(words) > 200_000
    for w in words:
        assert english_zipf(w) == zipf_frequency(w, "en"), w
    rnd = random.Random(11)
    letters = string.ascii_lowercase + "'’é"
    for _ in range(5000):
        w = "".join(rnd.choice(letters) for _ in range(rnd.randint(1, 14)))
        z = english_zipf(w)
        assert repr(z) == repr(zipf_frequency(w, "en")), w     # 0.0 for an absent word, not -0.0


@pytest.mark.corpus
def test_english_zipf_equals_zipf_frequency_on_every_corpus_token():
    """Every lowercased _WORD token of every text field of the AllSides corpus."""
    import gzip
    import json

    from wordfreq import zipf_frequency

    from transforms.paraphrase import english_zipf, word_tokens

    toks: set[str] = set()
    with gzip.open(corpus("allsides", "articles.jsonl.gz"), "rt", encoding="utf-8") as f:
        for line in f:
            for value in json.loads(line).values():
                if isinstance(value, str):
                    toks.update(t.lower() for t in word_tokens(value))
    assert len(toks) > 100_000
    assert [t for t in toks if repr(english_zipf(t)) != repr(zipf_frequency(t, "en"))] == []


def _spinner_artefacts_by_full_scan(body):
    """spinner_artefacts as it was: the forms' pattern over the whole body."""
    from transforms.paraphrase import load_spinner

    sp = load_spinner()
    seen = {}
    for m in sp.pattern.finditer(body):
        seen.setdefault(m.group(0), sp.fixed_for[m.group(0)])
    return list(seen.items())


def test_spinner_artefacts_from_the_pieces_anchors_equal_the_full_scan():
    """spinner_artefacts looks only for the anchors the body's pieces hold: the same
    artefacts as the forms' pattern over the whole body, on random texts made of the
    forms, their words and anchors glued to punctuation, quotes and unicode whitespace;
    spinner_anchors(piece) lists the anchors in the piece."""
    import random

    from transforms.paraphrase import _anchor_search, load_spinner, spinner_anchors, spinner_artefacts

    sp = load_spinner()
    assert _anchor_search() is not None          # no anchor holds whitespace: the shortcut is on
    words = list(sp.fixed_for) + [w for f in sp.fixed_for for w in f.split(" ")] + list(sp.anchors)
    glue = ["", " ", " ", "  ", "\n", "\u00a0", "\u2009", "\t", "“", "”", "\"", "(", ")", ",", ".", "'s", "’", "-", "x"]
    rnd = random.Random(21)
    found = 0
    for _ in range(4000):
        text = "".join(rnd.choice(glue) + rnd.choice(words) + rnd.choice(glue) for _ in range(rnd.randint(0, 12)))
        want = _spinner_artefacts_by_full_scan(text)
        found += len(want)
        assert spinner_artefacts(text) == want, text
        for piece in text.split():
            assert spinner_anchors(piece) == tuple(a for a in sp.anchors if a in piece), piece
    assert found > 1000


@pytest.mark.corpus
def test_spinner_artefacts_equal_the_full_scan_on_allsides():
    """Every AllSides body (and the seeds): the same artefacts as the full scan."""
    import gzip

    from transforms.extract import extract_file
    from transforms.paraphrase import spinner_artefacts

    with gzip.open(corpus("allsides", "articles.jsonl.gz"), "rb") as f:
        bodies = [a.body for a in extract_file("allsides.jsonl", f.read()) if hasattr(a, "body")]
    bodies += [seed_bytes(k).decode("utf-8") for k in SEEDS]
    assert len(bodies) > 12_000
    found = 0
    for body in bodies:
        want = _spinner_artefacts_by_full_scan(body)
        found += len(want)
        assert spinner_artefacts(body) == want
    assert found > 0
