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

import functools
import re
from dataclasses import dataclass

import numpy as np
from wordfreq import zipf_frequency

from .errors import ResourceError
from .resource_files import load_yaml

PARAPHRASE_VERSION = "paraphrase-1"
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")


@dataclass(frozen=True)
class Spinner:
    version: str
    min_distinct: int
    pattern: re.Pattern[str]
    fixed_for: dict[str, str]


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
    alternation = "|".join(re.escape(s) for s in sorted(fixed_for, key=len, reverse=True))
    return Spinner(str(doc["version"]), min_distinct, re.compile(rf"(?<!\w)(?:{alternation})(?!\w)"), fixed_for)


def spinner_artefacts(body: str) -> list[tuple[str, str]]:
    """(spun form, the fixed phrase it broke), distinct, in order of appearance."""
    sp = load_spinner()
    seen: dict[str, str] = {}
    for m in sp.pattern.finditer(body):
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
_CLASSES: dict[str, dict[str, int]] = {}   # language -> token -> bit mask


def _classify(tok: str, language: str, cfg: _Config) -> int:
    """Bit mask for one token (eligible lowercase word, rare, common), cached per language:
    a wordfreq lookup costs microseconds, a dict hit tens of nanoseconds."""
    eligible = tok.islower() and 3 <= len(tok) <= 12 and tok.isalpha()
    z = zipf_frequency(tok.lower(), language)
    mask = (_ELIGIBLE if eligible else 0) | (_RARE if eligible and 0 < z < cfg.rare_zipf else 0) \
        | (_COMMON if z >= cfg.common_zipf else 0)
    cache = _CLASSES.setdefault(language, {})
    if len(cache) > 500_000:
        cache.clear()
    cache[tok] = mask
    return mask


def _rare_in_context(toks: list[str], language: str, cfg: _Config) -> tuple[int, list[str]]:
    """(eligible words, rare words whose neighbouring words are both common), vectorised."""
    cache = _CLASSES.setdefault(language, {})
    masks = [cache.get(t) for t in toks]
    for k, m in enumerate(masks):
        if m is None:
            masks[k] = _classify(toks[k], language, cfg)
    arr = np.fromiter(masks, dtype=np.int8, count=len(masks))
    eligible = int(np.count_nonzero(arr & _ELIGIBLE))
    if len(arr) < 3:
        return eligible, []
    hit = ((arr[1:-1] & _RARE) != 0) & ((arr[:-2] & _COMMON) != 0) & ((arr[2:] & _COMMON) != 0)
    return eligible, [toks[k + 1] for k in np.flatnonzero(hit)]


def _phrases(toks: list[str], cfg: _Config) -> dict[str, str]:
    """Spinner phrases found, by a lookup on each word pair (a regex alternation over the
    body is 4x slower). Phrases are word sequences: "as nicely" -> ("as", "nicely")."""
    low = [t.lower() for t in toks]
    seen: dict[str, str] = {}
    for k in range(len(low) - 1):
        for words, spun in cfg.phrase_heads.get((low[k], low[k + 1]), ()):
            if tuple(low[k:k + len(words)]) == words:
                seen.setdefault(" ".join(toks[k:k + len(words)]), cfg.phrase_for[spun])
    return seen


def paraphrase_score(body: str, language: str = "en") -> ParaphraseResult:
    """Spun-copy score with its evidence. Only English has the frequency signal (wordfreq
    has other languages, but the calibration is English); other languages get artefacts only."""
    cfg = load_config()
    if body.count(" ") + 1 < cfg.min_words and len(body.split()) < cfg.min_words:
        return ParaphraseResult(None, False, (), None)
    toks = _WORD.findall(body)
    arts = [f"{s} (for {f})" for s, f in spinner_artefacts(body)]
    arts += [f"{s} (for {f})" for s, f in _phrases(toks, cfg).items()]
    rate = None
    r = 0.0
    evidence_words: list[str] = []
    if language == "en":
        eligible, words = _rare_in_context(toks, language, cfg)
        rate = len(words) / eligible if eligible else 0.0
        r = min(1.0, max(0.0, 0.5 * (rate - cfg.rate_median) / (cfg.rate_flag - cfg.rate_median)))
        for w in dict.fromkeys(words):
            if w in cfg.synonyms:
                evidence_words.append(f"{w} (for {cfg.synonyms[w]})")
    a = 1.0 - 0.7 ** len(arts)
    score = 1.0 - (1.0 - a) * (1.0 - r)
    return ParaphraseResult(round(score, 4), score >= 0.5, tuple(arts + evidence_words),
                            None if rate is None else round(rate, 5))
