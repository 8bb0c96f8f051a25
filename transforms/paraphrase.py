"""Machine paraphrase ("spun copy") score for one article body.

A content farm runs someone else's article through a spinner: a program that swaps words
for thesaurus synonyms. Two traces survive, and we combine them:

1. Artefacts: fixed names and idioms broken word by word ("White Home" for White House,
   spinner.yaml via transforms.outlets) and spinner renderings of ordinary phrases ("as
   nicely" for as well, resources/paraphrase.yaml). Each distinct one is strong evidence.
2. Rare words in common company (wordfreq): spinners replace common words with rarer
   "synonyms" (cupboard for cabinet, metropolis for city). We count lowercase words with
   zipf < rare_zipf whose two neighbours are common words, per eligible word. Jargon and
   names cluster (and names are capitalised), so this rate stays low in human news.

score = 1 - (1 - a)(1 - r), with a = 1 - 0.7**artefacts (2 artefacts -> 0.51) and r the
rare-word rate mapped to 0 at the corpus median and 0.5 at `rate_flag`; flagged at >= 0.5.
"""
from __future__ import annotations

import bisect
import functools
import itertools
import math
import operator
import re
from dataclasses import dataclass

from wordfreq import get_frequency_dict, zipf_frequency

from .errors import ResourceError
from .lexicon import trie_regex
from .pieces import body_pieces
from .resource_files import load_yaml
from .scan import finditer_at_anchors

PARAPHRASE_VERSION = "paraphrase-1"
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")


@dataclass(frozen=True)
class Spinner:
    version: str
    min_distinct: int
    pattern: re.Pattern[str]
    fixed_for: dict[str, str]
    anchors: dict[str, tuple[int, ...]]   # a word of every form -> its offsets in the forms


@functools.cache
def load_spinner() -> Spinner:
    doc = load_yaml("spinner.yaml")
    try:
        fixed_for = {s: a["fixed"] for a in doc["artefacts"] for s in a["spun"]}
        min_distinct = int(doc["min_distinct"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ResourceError(f"spinner.yaml: each artefact needs 'fixed' and 'spun'; {exc}") from exc
    if not fixed_for or min_distinct < 1:
        raise ResourceError("spinner.yaml: no artefacts, or min_distinct < 1")
    return Spinner(str(doc["version"]), min_distinct, re.compile(_longest_form_regex(fixed_for)), fixed_for,
                   _anchors(list(fixed_for)))


def _anchors(forms: list[str]) -> dict[str, tuple[int, ...]]:
    """Few strings that between them occur in every form, with their offsets in the
    forms ("Minist" at 7, 9 and 14): a match of the forms' pattern holds one at one of
    its offsets, so the scan runs only where str.find finds one (scan.finditer_at_anchors).
    Chosen greedily among word beginnings of 5+ characters (whole words of 4) of words
    that are not common (wordfreq zipf < 5): the one in most forms not yet covered, then
    the rarest, then the longest; a form with no such word falls back to its first word."""
    def places(form: str) -> dict[str, set[int]]:
        out: dict[str, set[int]] = {}
        at = 0
        for word in form.split(" "):
            if zipf_frequency(word.lower(), "en") < 5 and len(word) >= 4:
                for k in range(min(5, len(word)), len(word) + 1):
                    out.setdefault(word[:k], set()).add(at)
            at += len(word) + 1
        return out or {form.split(" ")[0]: {0}}

    left = {form: places(form) for form in forms}
    anchors: dict[str, set[int]] = {}
    while left:
        counts: dict[str, int] = {}
        for where in left.values():
            for a in where:
                counts[a] = counts.get(a, 0) + 1
        best = min(counts, key=lambda a: (-counts[a], zipf_frequency(a.lower(), "en"), -len(a), a))
        for form in [f for f, where in left.items() if best in where]:
            anchors.setdefault(best, set()).update(left.pop(form)[best])
    return {a: tuple(sorted(offs)) for a, offs in sorted(anchors.items())}


def _longest_form_regex(forms) -> str:
    r"""Any of `forms` (spaces literal, case-sensitive), the longest one at a position, not
    inside a word: the same matches as (?<!\w)(?:f1|f2|...)(?!\w) with the forms sorted
    longest first, written as a trie whose branches start with their first character and
    check the character before it after that (so the regex engine skips to the possible
    first characters instead of trying every form at every position)."""
    by_first: dict[str, list[str]] = {}
    for form in forms:
        by_first.setdefault(form[0], []).append(form[1:])
    branches = [re.escape(c) + r"(?<!\w[\s\S])" + trie_regex(sorted(rest), space=" ")
                for c, rest in sorted(by_first.items())]
    return "(?:" + "|".join(branches) + r")(?!\w)"


@functools.cache
def _anchor_search() -> re.Pattern[str] | None:
    """A regex that finds any spinner anchor, when no anchor holds whitespace (each
    then lies inside one whitespace piece of a text); else None."""
    anchors = load_spinner().anchors
    if any(not a or any(c.isspace() for c in a) for a in anchors):
        return None
    return re.compile("|".join(map(re.escape, sorted(anchors))))


def spinner_anchors(piece: str) -> tuple[str, ...]:
    """The spinner anchors that occur in a whitespace piece (for transforms.pieces;
    one regex search, and the anchors listed only when it finds one)."""
    search = _anchor_search()
    if search is None or search.search(piece) is None:
        return ()
    return tuple(a for a in load_spinner().anchors if a in piece)


_ANCHORS = operator.itemgetter(5)   # of transforms.pieces' facts: spinner_anchors(piece)


def spinner_artefacts(body: str) -> list[tuple[str, str]]:
    """(spun form, the fixed phrase it broke), distinct, in order of appearance.

    The forms' pattern is tried only where an anchor occurs (scan.finditer_at_anchors),
    and only the anchors the body holds are looked for: an anchor without whitespace
    lies inside one whitespace piece, so the body holds it iff one of its pieces does
    (a fact of each piece, transforms.pieces): ~2 str.find scans of the body instead of
    22."""
    sp = load_spinner()
    anchors = sp.anchors
    if _anchor_search() is not None:
        present = set().union(*filter(None, map(_ANCHORS, body_pieces(body)[1])))
        anchors = {a: offsets for a, offsets in anchors.items() if a in present}
    seen: dict[str, str] = {}
    for m in finditer_at_anchors(sp.pattern, anchors, body):   # = sp.pattern.finditer(body)
        seen.setdefault(m.group(0), sp.fixed_for[m.group(0)])
    return list(seen.items())


@dataclass(frozen=True)
class ParaphraseResult:
    score: float | None            # 0..1; None when the text is too short to judge
    flagged: bool
    artefacts: tuple[str, ...]     # "White Home (for White House)", "cupboard (for cabinet)"
    rare_word_rate: float | None   # rare-in-common-company words per eligible word


@dataclass(frozen=True)
class _Config:
    version: str
    rare_zipf: float
    common_zipf: float
    rate_median: float
    rate_flag: float
    min_words: int
    phrase_heads: dict[tuple[str, str], tuple[tuple[tuple[str, ...], str], ...]]
    phrase_for: dict[str, str]
    synonyms: dict[str, str]


@functools.cache
def load_config() -> _Config:
    doc = load_yaml("paraphrase.yaml")
    try:
        phrase_for = {p["spun"].lower(): p["for"] for p in doc.get("phrases") or []}
        cfg = dict(version=str(doc["version"]), rare_zipf=float(doc["rare_zipf"]),
                   common_zipf=float(doc["common_zipf"]), rate_median=float(doc["rate_median"]),
                   rate_flag=float(doc["rate_flag"]), min_words=int(doc["min_words"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ResourceError(f"paraphrase.yaml: {exc}") from exc
    if cfg["rate_flag"] <= cfg["rate_median"]:
        raise ResourceError("paraphrase.yaml: rate_flag must exceed rate_median")
    heads: dict[tuple[str, str], list[tuple[tuple[str, ...], str]]] = {}
    for spun in sorted(phrase_for, key=len, reverse=True):
        words = tuple(_WORD.findall(spun))
        if len(words) < 2:
            raise ResourceError(f"paraphrase.yaml: phrase {spun!r} needs two words or more")
        heads.setdefault(words[:2], []).append((words, spun))
    return _Config(**cfg, phrase_heads={k: tuple(v) for k, v in heads.items()}, phrase_for=phrase_for,
                   synonyms={str(k): str(v) for k, v in (doc.get("synonyms") or {}).items()})


_ELIGIBLE, _RARE, _COMMON = 1, 2, 4
# language -> token -> its bit mask as one character, chr(48 + mask): the masks of a
# text then form a string that C-level str.count and one regex scan read.
_CLASSES: dict[str, dict[str, str]] = {}
_ELIGIBLE_CODES = [chr(48 + m) for m in range(8) if m & _ELIGIBLE]
_RARE_IN_COMMON = re.compile("(?<=[{c}])[{r}](?=[{c}])".format(
    c="".join(chr(48 + m) for m in range(8) if m & _COMMON), r="".join(chr(48 + m) for m in range(8) if m & _RARE)))


@functools.cache
def _english_frequencies() -> dict[str, float]:
    """wordfreq's English 'best' list as word -> frequency: the dict zipf_frequency reads
    (wordfreq caches it; this is the same object)."""
    return get_frequency_dict("en", "best")


@functools.cache
def _zipf_of_frequency(freq: float) -> float:
    """zipf_frequency's value for a word of one token whose list frequency is `freq`:
    wordfreq 3.1's word_frequency rounds it to 3 significant digits, zipf_frequency takes
    log10 + 9 rounded to 2 places (the same operations; one value per frequency band)."""
    rounded = round(freq, math.floor(-math.log(freq, 10)) + 3)
    return round(math.log(rounded, 10) + 9, 2)


def english_zipf(word: str) -> float:
    """zipf_frequency(word, "en") for a lowercase word, by a direct look-up in wordfreq's
    frequency list when the word is ASCII letters only (~0.3 instead of ~20 us).

    wordfreq looks a word up after its tokeniser: NFC, case folding, splitting at
    non-word characters, curly quotes made straight, digits smashed. A word of ASCII
    lowercase letters comes out of all that as itself, one token, so its frequency is
    the list's entry, or none (zipf 0.0 at the default minimum). Anything else (an
    apostrophe: "don't") goes through zipf_frequency. tests/test_paraphrase.py checks
    this against zipf_frequency on every such word of the list and every token of the
    AllSides corpus."""
    if word.isascii() and word.isalpha() and word.islower():
        freq = _english_frequencies().get(word)
        return 0.0 if freq is None else _zipf_of_frequency(freq)
    return zipf_frequency(word, "en")


def _classify(tok: str, language: str, cfg: _Config) -> str:
    """Bit mask for one token (eligible lowercase word, rare, common) as a character,
    cached per language: a wordfreq lookup costs microseconds, a dict hit tens of
    nanoseconds."""
    eligible = tok.islower() and 3 <= len(tok) <= 12 and tok.isalpha()
    z = english_zipf(tok.lower()) if language == "en" else zipf_frequency(tok.lower(), language)
    mask = (_ELIGIBLE if eligible else 0) | (_RARE if eligible and 0 < z < cfg.rare_zipf else 0) \
        | (_COMMON if z >= cfg.common_zipf else 0)
    cache = _CLASSES.setdefault(language, {})
    if len(cache) > 500_000:
        cache.clear()
    cache[tok] = code = chr(48 + mask)
    return code


def english_codes(toks: tuple[str, ...]) -> str:
    """The English class characters of `toks` (for transforms.pieces; most pieces hold
    one token: its character, without a join)."""
    cache = _CLASSES.setdefault("en", {})
    if len(toks) == 1:
        return cache.get(toks[0]) or _classify(toks[0], "en", load_config())
    cfg = load_config()
    return "".join([cache.get(t) or _classify(t, "en", cfg) for t in toks])


def word_tokens(text: str) -> list[str]:
    """The words the paraphrase signals read (letters with inner apostrophes); a text of
    ASCII letters only is one such word (_WORD's findall then returns it whole)."""
    if text.isascii() and text.isalpha():
        return [text]
    return _WORD.findall(text)


def _rare_in_context(toks: list[str], language: str, cfg: _Config, text: str | None = None) -> tuple[int, list[str]]:
    """(eligible words, rare words whose neighbouring words are both common); `text`:
    the class characters of `toks` when the caller has them."""
    if text is None:
        cache = _CLASSES.setdefault(language, {})
        try:
            text = "".join(map(cache.get, toks))      # one character per token
        except TypeError:                             # a token not classified yet (None)
            codes = list(map(cache.get, toks))
            for k, c in enumerate(codes):
                if c is None:
                    codes[k] = _classify(toks[k], language, cfg)
            text = "".join(codes)
    eligible = sum(text.count(c) for c in _ELIGIBLE_CODES)
    return eligible, [toks[m.start()] for m in _RARE_IN_COMMON.finditer(text)]


# Word pairs that start a spinner phrase, as text: "as nicely" (see _phrases).
@functools.cache
def _phrase_starts() -> re.Pattern[str]:
    heads = load_config().phrase_heads
    return re.compile(r" (?=(?:" + trie_regex(sorted(" ".join(h) for h in heads), space=" ") + r")(?![^ ]))")


@functools.cache
def _head_words() -> dict[str, str]:
    """Each (lowercase) word of a phrase's first word pair -> a private-use character."""
    words = sorted({w for head in load_config().phrase_heads for w in head})
    return {w: chr(0xE000 + i) for i, w in enumerate(words)}


def head_codes(toks: tuple[str, ...]) -> str:
    """One character per token: its _head_words code, "." for any other word (for
    transforms.pieces: joined over a body, character k is token k's)."""
    codes = _head_words()
    if len(toks) == 1:
        return codes.get(toks[0].lower(), ".")
    return "".join([codes.get(t.lower(), ".") for t in toks])


@functools.cache
def _head_pairs() -> re.Pattern[str]:
    """Over a body's head codes: every position k whose tokens k, k + 1 are a phrase's
    first word pair (one character consumed, so overlapping pairs are all found)."""
    codes = _head_words()
    return re.compile("|".join(f"{re.escape(codes[a])}(?={re.escape(codes[b])})"
                               for a, b in sorted(load_config().phrase_heads)))


def _phrases(toks: list[str], cfg: _Config, codes: str | None = None) -> dict[str, str]:
    """Spinner phrases found, by a lookup on each word pair that starts one (a regex
    alternation over the body is 4x slower). Phrases are word sequences: "as nicely" ->
    ("as", "nicely"). The pairs are found by one regex scan over the lowercased tokens
    joined by spaces (tokens are ASCII letters and apostrophes, so lower() keeps their
    lengths), not by a Python loop over every pair."""
    seen: dict[str, str] = {}
    if len(toks) < 2:
        return seen
    if codes is not None:                      # head_codes of toks: the same pairs, found in codes
        for m in _head_pairs().finditer(codes):
            k = m.start()
            for words, spun in cfg.phrase_heads[(toks[k].lower(), toks[k + 1].lower())]:
                if tuple(t.lower() for t in toks[k:k + len(words)]) == words:
                    seen.setdefault(" ".join(toks[k:k + len(words)]), cfg.phrase_for[spun])
        return seen
    joined = " " + " ".join(toks).lower()      # a space before every token
    starts = None
    for m in _phrase_starts().finditer(joined):
        if starts is None:
            starts = list(itertools.accumulate((len(t) + 1 for t in toks), initial=0))
            low = joined[1:].split(" ")
        k = bisect.bisect_left(starts, m.start())     # the space before token k is at starts[k]
        for words, spun in cfg.phrase_heads.get((low[k], low[k + 1]), ()):
            if tuple(low[k:k + len(words)]) == words:
                seen.setdefault(" ".join(toks[k:k + len(words)]), cfg.phrase_for[spun])
    return seen


_CODES, _HEADS = map(operator.itemgetter, (3, 4))   # of transforms.pieces' facts


class _BodyTokens:
    """A body's _WORD tokens read from its pieces' facts (transforms.pieces) without
    building the list (few are ever looked at: rare words, phrase candidates): token k
    is in the first piece whose cumulative token count exceeds k."""

    def __init__(self, facts: list[tuple], count: int) -> None:
        self._facts, self._count, self._cum = facts, count, None

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(self._count))]
        if k < 0:
            k += self._count
        if not 0 <= k < self._count:
            raise IndexError(k)
        if self._cum is None:
            self._cum = list(itertools.accumulate(map(len, map(_HEADS, self._facts))))
        i = bisect.bisect_right(self._cum, k)
        return self._facts[i][2][k - self._cum[i - 1] if i else k]


def paraphrase_score(body: str, language: str = "en") -> ParaphraseResult:
    """Spun-copy score with its evidence. Only English has the frequency signal (wordfreq
    has other languages, but the calibration is English); other languages get artefacts only."""
    cfg = load_config()
    pieces, facts = body_pieces(body)
    if len(pieces) < cfg.min_words and body.count(" ") + 1 < cfg.min_words:
        return ParaphraseResult(None, False, (), None)
    heads = "".join(map(_HEADS, facts))                  # one character per token
    toks = _BodyTokens(facts, len(heads))                # = _WORD.findall(body), read lazily
    arts = [f"{s} (for {f})" for s, f in spinner_artefacts(body)]
    arts += [f"{s} (for {f})" for s, f in _phrases(toks, cfg, heads).items()]
    rate = None
    r = 0.0
    evidence_words: list[str] = []
    if language == "en":
        eligible, words = _rare_in_context(toks, language, cfg, "".join(map(_CODES, facts)))
        rate = len(words) / eligible if eligible else 0.0
        r = min(1.0, max(0.0, 0.5 * (rate - cfg.rate_median) / (cfg.rate_flag - cfg.rate_median)))
        for w in dict.fromkeys(words):
            if w in cfg.synonyms:
                evidence_words.append(f"{w} (for {cfg.synonyms[w]})")
    a = 1.0 - 0.7 ** len(arts)
    score = 1.0 - (1.0 - a) * (1.0 - r)
    return ParaphraseResult(round(score, 4), score >= 0.5, tuple(arts + evidence_words),
                            None if rate is None else round(rate, 5))
