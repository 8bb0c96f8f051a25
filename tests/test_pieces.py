"""transforms/pieces.py: the shared per-piece facts. Equal strings are held once (memory),
and the cache's bound (the later half dropped when full) never changes what is computed."""
import pytest

from transforms import paraphrase, pieces, readability, tone
from transforms.pipeline import default_context, process_file

from .conftest import SEEDS, seed_bytes

PIECES = ["said", "said.", "Biden", "Biden's", "(AP)", "U.S.-led", "don't", "“We", "42", "3,211", "—", "ok👍"]


def _facts_made_apart(piece: str) -> tuple:
    tokens = tuple(paraphrase.word_tokens(piece))
    return (readability.piece_facts(piece), tone.vader_token(piece), tokens,
            paraphrase.english_codes(tokens), paraphrase.head_codes(tokens), paraphrase.spinner_anchors(piece))


@pytest.mark.parametrize("piece", PIECES)
def test_facts_are_those_of_each_module(piece):
    pieces.FACTS.clear()
    assert pieces.FACTS[piece] == _facts_made_apart(piece)


def test_a_word_in_punctuation_has_the_facts_of_its_piece():
    """A piece of ASCII punctuation around a word gets the word's facts (shared): always
    the facts computed for the piece itself, whether the word was met before or not,
    also around the cases that must not share (2-character words, which VADER leaves
    unstripped; apostrophes; "_"; non-ASCII; an anchor holding punctuation: "Dept.")."""
    import random
    import string

    rng = random.Random(5)
    words = ["said", "Biden", "US", "AP", "ok", "don", "Dept", "Home", "2016", "COVID19", "Almaty", "ÉTAT",
             "the", "hope", "Minist", "Ministy", "abc_d", "naïve", "A1", "x"]
    marks = list(string.punctuation) + list("“”‘’«»—–…„´")
    made = set()
    for _ in range(3000):
        piece = "".join(rng.choices(marks, k=rng.choice([0, 1, 1, 2, 3]))) + rng.choice(words) \
            + "".join(rng.choices(marks, k=rng.choice([0, 1, 1, 2, 3])))
        if piece in made:
            continue
        made.add(piece)
        if rng.random() < 0.5:
            pieces.FACTS.clear()
        assert pieces.FACTS[piece] == _facts_made_apart(piece), piece


def test_equal_strings_of_an_entry_are_one_object():
    pieces.FACTS.clear()
    word = "".join(["sa", "id"])               # not an interned literal
    _, low, tokens, _, _, _ = pieces.FACTS[word]
    assert low is word and tokens[0] is word
    _, low, tokens, _, _, _ = pieces.FACTS["said."]
    assert low == "said" and tokens[0] is low
    _, low, tokens, _, _, _ = pieces.FACTS["Biden"]
    assert low == "biden" and tokens[0] == "Biden" and tokens[0] is not low


def test_a_tiny_cache_gives_the_same_articles(monkeypatch):
    """The seeds analysed with the facts cache bounded at 3 pieces: the same features, hits
    and quotes as with the default bound."""
    ctx = default_context()

    def analysed():
        pieces.FACTS.clear()
        pieces.body_pieces.cache_clear()
        out = []
        for key in SEEDS:
            a = process_file(SEEDS[key], seed_bytes(key), ctx)[0]
            out.append((a.features, a.hits, a.quotes))
        return out

    want = analysed()
    monkeypatch.setattr(pieces, "CACHE_MAX_ENTRIES", 3)
    got = analysed()
    assert len(pieces.FACTS) <= 3
    assert got == want


def test_a_full_cache_keeps_the_pieces_met_first(monkeypatch):
    """Full, the cache drops the later half and keeps the pieces met first (the frequent
    words, met early in any stream, are not computed again)."""
    monkeypatch.setattr(pieces, "CACHE_MAX_ENTRIES", 6)
    pieces.FACTS.clear()
    for piece in ["the", "said", "of", "rioters", "Almaty", "Alma-Ata"]:
        pieces.FACTS[piece]
    pieces.FACTS["Tokayev"]
    assert list(pieces.FACTS) == ["the", "said", "of", "Tokayev"]
    assert pieces.FACTS["Tokayev"] == _facts_made_apart("Tokayev")


def test_threads_sharing_a_full_cache_never_fail(monkeypatch):
    """A Dask worker runs batches in threads that share the cache: evictions racing each
    other raise nothing and every lookup gets the piece's facts (deleting the later half
    key by key raised KeyError when two threads evicted at once; an islice over the items,
    made one bytecode before its dict() drained it, "dictionary changed size during
    iteration" when a thread inserted in between: 7 of 8 runs)."""
    import sys
    import threading

    monkeypatch.setattr(pieces, "CACHE_MAX_ENTRIES", 200)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)                 # switch threads as often as possible
    pieces.FACTS.clear()
    errors, wrong = [], []

    def look_up(seed: int) -> None:
        try:
            for k in range(10000):
                piece = "".join(chr(97 + int(d)) for d in f"{seed}{k:05d}")   # letters: one token
                if pieces.FACTS[piece][2] != (piece,):
                    wrong.append(piece)
        except Exception as exc:                # noqa: BLE001 (the failure under test)
            errors.append(exc)

    threads = [threading.Thread(target=look_up, args=(i,)) for i in range(4)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == [] and wrong == []
    assert len(pieces.FACTS) <= 200
