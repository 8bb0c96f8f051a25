"""Sentence tone: VADER compound scores (vaderSentiment, lexicon shipped in the package).

`compound(text)` returns exactly `SentimentIntensityAnalyzer().polarity_scores(text)["compound"]`
(tests/test_tone.py compares them), but faster:
- one analyzer per process (building it parses the 7,500-word lexicon: ~20 ms);
- the per-character emoji rewrite is skipped when the text has no emoji character
  (then VADER's rewrite returns the text unchanged);
- a sentence with no lexicon word scores 0.0 without running the rules;
- VADER lower-cases the whole sentence again for every lexicon word and every look-back
  step (`_negation_check`, `_special_idioms_check`); here each distinct whitespace piece
  is stripped and lower-cased once per process (a bounded dict), and the same rules run
  on that list;
- in `sentence_tones` the emoji check is made once per distinct whitespace piece (a
  transforms.pieces fact), not over every character of every body;
- `_special_idioms_check` (ten string joins) only runs when a word pair around the
  scored word starts one of its multi-word keys (otherwise none can match);
- repeated sentences (boilerplate) hit a bounded cache.
Anything with an emoji goes through VADER's own `polarity_scores`.
"""
from __future__ import annotations

import functools
import itertools
import math
import operator
from importlib.metadata import version as _pkg_version

from vaderSentiment import vaderSentiment as _vs

from .pieces import body_pieces

# 2: null for a text without words or in another language than English (transforms.pipeline)
TONE_VERSION = f"tone-2+vaderSentiment-{_pkg_version('vaderSentiment')}"
NEG_THRESHOLD = -0.05   # VADER's conventional cut-off for a negative sentence


@functools.cache
def _analyzer() -> _vs.SentimentIntensityAnalyzer:
    return _vs.SentimentIntensityAnalyzer()


@functools.cache
def _emoji_chars() -> frozenset[str]:
    return frozenset(_analyzer().emojis)


def _negation_check(valence: float, lower: list[str], start_i: int, i: int) -> float:
    # vaderSentiment.SentimentIntensityAnalyzer._negation_check on a pre-lowered list
    if start_i == 0:
        if _negated(lower[i - 1]):
            valence = valence * _vs.N_SCALAR
    if start_i == 1:
        if lower[i - 2] == "never" and (lower[i - 1] == "so" or lower[i - 1] == "this"):
            valence = valence * 1.25
        elif lower[i - 2] == "without" and lower[i - 1] == "doubt":
            valence = valence
        elif _negated(lower[i - 2]):
            valence = valence * _vs.N_SCALAR
    if start_i == 2:
        if lower[i - 3] == "never" and (lower[i - 2] == "so" or lower[i - 2] == "this") or \
                (lower[i - 1] == "so" or lower[i - 1] == "this"):
            valence = valence * 1.25
        elif lower[i - 3] == "without" and (lower[i - 2] == "doubt" or lower[i - 1] == "doubt"):
            valence = valence
        elif _negated(lower[i - 3]):
            valence = valence * _vs.N_SCALAR
    return valence


def _special_idioms_check(valence: float, lower: list[str], i: int) -> float:
    # vaderSentiment.SentimentIntensityAnalyzer._special_idioms_check on a pre-lowered list
    onezero = f"{lower[i - 1]} {lower[i]}"
    twoonezero = f"{lower[i - 2]} {lower[i - 1]} {lower[i]}"
    twoone = f"{lower[i - 2]} {lower[i - 1]}"
    threetwoone = f"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}"
    threetwo = f"{lower[i - 3]} {lower[i - 2]}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in _vs.SPECIAL_CASES:
            valence = _vs.SPECIAL_CASES[seq]
            break
    if len(lower) - 1 > i:
        zeroone = f"{lower[i]} {lower[i + 1]}"
        if zeroone in _vs.SPECIAL_CASES:
            valence = _vs.SPECIAL_CASES[zeroone]
    if len(lower) - 1 > i + 1:
        zeroonetwo = f"{lower[i]} {lower[i + 1]} {lower[i + 2]}"
        if zeroonetwo in _vs.SPECIAL_CASES:
            valence = _vs.SPECIAL_CASES[zeroonetwo]
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in _vs.BOOSTER_DICT:
            valence = valence + _vs.BOOSTER_DICT[n_gram]
    return valence


def _least_check(valence: float, lower: list[str], lexicon: dict, i: int) -> float:
    if i > 1 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
        if lower[i - 2] != "at" and lower[i - 2] != "very":
            valence = valence * _vs.N_SCALAR
    elif i > 0 and lower[i - 1] not in lexicon and lower[i - 1] == "least":
        valence = valence * _vs.N_SCALAR
    return valence


_PUNCT = _vs.string.punctuation
_NEGATE = frozenset(_vs.NEGATE)


def _negated(word: str) -> bool:
    # vaderSentiment.negated([word]) for an already lower-cased word
    return word in _NEGATE or "n't" in word


# VADER's token for each raw whitespace piece (punctuation stripped unless that leaves
# <= 2 chars), lowercased: computed once per distinct piece, not per occurrence.
class _TokenCache(dict):
    """piece -> VADER token lowercased; a miss computes it (lookups stay C-level)."""

    def __missing__(self, piece: str) -> str:
        if len(self) >= _LOWER_MAX:
            self.clear()
        self[piece] = low = _plain_token(piece)
        return low


def vader_token(piece: str) -> str | None:
    """VADER's lowercased token for a whitespace piece (cached here and in transforms.pieces);
    None when the piece holds an emoji character (a text with one goes through VADER's
    own polarity_scores, which rewrites emoji)."""
    if not _emoji_chars().isdisjoint(piece):
        return None
    return _plain_token(piece)


def _plain_token(piece: str) -> str:
    low = _vader_token(piece).lower()
    if "n't" in low:
        _RULE_WORDS.add(low)    # _negated(low): every token reaches the rules through here
    return low


_LOWER = _TokenCache()
_LOWER_MAX = 300_000     # cleared and refilled when full (memory stays bounded)
# First two words of every multi-word key _special_idioms_check looks up: when no word
# pair around the scored word starts one, none of its sequences can match.
_IDIOM_PAIRS = frozenset(tuple(k.split()[:2]) for k in list(_vs.SPECIAL_CASES) + list(_vs.BOOSTER_DICT) if " " in k)


# Every token whose presence at the scored word or one of the three before it can change
# the valence VADER gives it (boosters, negations, "no", "never so/this", "without doubt",
# "least"); tokens containing "n't" are added as they are first lowered. A scored word
# with none of them there keeps its lexicon valence (+ the caps bonus), adds 0.0 for each
# look-back step the rules take (x + 0.0 + 0.0 == x + 0.0), and only the idiom check can
# still apply: the fast path below.
_RULE_WORDS: set[str] = set(_NEGATE) | set(_vs.BOOSTER_DICT) | {"no", "never", "so", "this", "without", "doubt",
                                                                 "least"}


_SCORABLE: frozenset[str] | None = None   # _scorable(), once computed
_LEXICON: dict | None = None             # VADER's lexicon, once the analyzer is built


def _scorable() -> frozenset[str]:
    """Lexicon words that get a valence (boosters never do)."""
    global _SCORABLE, _LEXICON
    if _SCORABLE is None:
        _LEXICON = _analyzer().lexicon
        _SCORABLE = frozenset(_LEXICON.keys() - _vs.BOOSTER_DICT.keys())
    return _SCORABLE


def _vader_token(piece: str) -> str:
    # SentiText._strip_punc_if_word
    stripped = piece.strip(_PUNCT)
    return stripped if len(stripped) > 2 else piece


def _lowered_tokens(pieces: list[str]) -> list[str]:
    return list(map(_LOWER.__getitem__, pieces))


@functools.lru_cache(maxsize=8192)
def compound(text: str) -> float:
    """VADER's compound score of `text`, identical to polarity_scores(text)["compound"]."""
    if not _emoji_chars().isdisjoint(text):
        return _analyzer().polarity_scores(text)["compound"]
    return _compound_plain(text)


def _compound_plain(text: str) -> float:
    """compound() of a text without any emoji character."""
    # SentiText: text.strip().split(), each piece stripped of punctuation (see
    # _vader_token). Only lowercase forms are needed, except for isupper(), which is the
    # same on the raw piece (stripping removes ASCII punctuation, no cased character).
    pieces = text.split()
    return _compound_tokens(text, pieces, _lowered_tokens(pieces))


def _compound_tokens(text: str, pieces: list[str], lower: list[str], marks: bool = True) -> float:
    """_compound_plain(text) given text.split() and their VADER tokens; marks=False
    promises that the text has no "!" and no "?"."""
    scorable = _SCORABLE or _scorable()
    if scorable.isdisjoint(lower):
        return 0.0                       # every valence is 0 -> normalize(0) == 0.0
    return _score_tokens(text, pieces, lower, marks)


def _score_tokens(text: str, pieces: list[str], lower: list[str], marks: bool) -> float:
    """_compound_tokens for tokens of which at least one is a scorable lexicon word."""
    scorable = _SCORABLE or _scorable()
    lexicon = _LEXICON or _analyzer().lexicon
    n = len(pieces)
    scored = list(itertools.compress(itertools.count(), map(scorable.__contains__, lower)))
    plain = _RULE_WORDS.isdisjoint(lower)
    but = "but" in lower
    # VADER's list of sentiments holds the int 0 for every unscored word; only the scored
    # words' valences are kept, in order: sum() starts at the int 0, so its running float
    # total is never -0.0, and adding 0 (0.0) to it changes nothing: the same sum, bit
    # for bit ("but": see _but_check).
    sentiments: list[float] = []
    where: list[int] = []                # with "but": the position of each valence
    is_cap_diff = None                   # allcap_differential, computed when first needed
    for i in scored:
        il = lower[i]
        if il == "kind" and i < n - 1 and lower[i + 1] == "of":
            continue                     # "kind of" is a booster, not the lexicon's "kind"
        valence = lexicon[il]
        if plain or _RULE_WORDS.isdisjoint(lower[i - 3 if i > 3 else 0:i + 1]):
            # the rules below without a booster, negation or "least" in reach: same result
            if pieces[i].isupper():
                if is_cap_diff is None:
                    is_cap_diff = 0 < n - sum(map(str.isupper, pieces)) < n
                if is_cap_diff:
                    if valence > 0:
                        valence += _vs.C_INCR
                    else:
                        valence -= _vs.C_INCR
            # VADER then adds 0.0 for each earlier word not in the lexicon: no change, as
            # valence is not -0.0 here (no lexicon valence is 0, and the caps bonus moves
            # it away from 0; tests/test_tone.py checks the lexicon)
            if i > 2 and lower[i - 3] not in lexicon and ((lower[i - 3], lower[i - 2]) in _IDIOM_PAIRS
                                                        or (lower[i - 2], lower[i - 1]) in _IDIOM_PAIRS
                                                        or (lower[i - 1], il) in _IDIOM_PAIRS
                                                        or (i < n - 1 and (il, lower[i + 1]) in _IDIOM_PAIRS)):
                valence = _special_idioms_check(valence, lower, i)
        else:
            if is_cap_diff is None:
                is_cap_diff = 0 < n - sum(map(str.isupper, pieces)) < n
            valence = _rules(valence, il, lower, pieces, lexicon, i, n, is_cap_diff)
        sentiments.append(valence)
        if but:
            where.append(i)
    if not scored:
        return 0.0
    if but:
        sentiments = _but_check(lower, sentiments, where)
    sum_s = float(sum(sentiments))
    # without "!" and with at most one "?" both amplifiers are 0 (0.0 + 0) and sum_s (not
    # 0 when it is used) stays the same
    if marks and ("!" in text or "?" in text):
        amp = _vs.SentimentIntensityAnalyzer._amplify_ep(text) + _vs.SentimentIntensityAnalyzer._amplify_qm(text)
        if sum_s > 0:
            sum_s += amp
        elif sum_s < 0:
            sum_s -= amp
    # vaderSentiment.normalize(sum_s), alpha 15, the same operations
    norm = sum_s / math.sqrt((sum_s * sum_s) + 15)
    if norm < -1.0:
        norm = -1.0
    elif norm > 1.0:
        norm = 1.0
    return round(norm, 4)


def _but_check(lower: list[str], values: list[float], where: list[int]) -> list[float]:
    """VADER's _but_check over the whole sentence's list of sentiments (the int 0 for each
    unscored word), reduced to its non-zero values `values` at positions `where`: the
    sum of what it returns is the same, bit for bit.

    VADER's loop, for each element in turn, takes the first element equal to it
    (list.index) and halves it before the "but", multiplies it by 1.5 after. A zero
    (0, 0.0 or -0.0) only ever finds and rewrites a zero, which stays a zero; a non-zero
    value never equals a zero and stays non-zero (x 0.5 or x 1.5), so the non-zero
    elements, in their order, go through the same steps among themselves, and the zeros
    add nothing to the sum (its running total, from the int 0, is never -0.0)."""
    bi = lower.index("but")
    sub = [v for v in values if v != 0]
    pos = [p for v, p in zip(values, where) if v != 0]
    for k in range(len(sub)):
        v = sub[k]
        si = sub.index(v)
        if pos[si] < bi:
            sub[si] = v * 0.5
        elif pos[si] > bi:
            sub[si] = v * 1.5
    return sub


def _rules(valence: float, il: str, lower: list[str], pieces: list[str], lexicon: dict, i: int, n: int,
           is_cap_diff: bool) -> float:
    """VADER's sentiment_valence for the scored word i (a booster, negation, "no" or
    "least" in reach)."""
    boosters = _vs.BOOSTER_DICT
    if il == "no" and i != n - 1 and lower[i + 1] in lexicon:
        valence = 0.0
    if (i > 0 and lower[i - 1] == "no") or (i > 1 and lower[i - 2] == "no") \
            or (i > 2 and lower[i - 3] == "no" and lower[i - 1] in ["or", "nor"]):
        valence = lexicon[il] * _vs.N_SCALAR
    if is_cap_diff and pieces[i].isupper():
        if valence > 0:
            valence += _vs.C_INCR
        else:
            valence -= _vs.C_INCR
    for start_i in range(0, 3):
        if i > start_i and lower[i - (start_i + 1)] not in lexicon:
            prev = lower[i - (start_i + 1)]
            s = 0.0
            if prev in boosters:             # scalar_inc_dec
                s = boosters[prev]
                if valence < 0:
                    s *= -1
                if is_cap_diff and pieces[i - (start_i + 1)].isupper():
                    if valence > 0:
                        s += _vs.C_INCR
                    else:
                        s -= _vs.C_INCR
            if start_i == 1 and s != 0:
                s = s * 0.95
            if start_i == 2 and s != 0:
                s = s * 0.9
            valence = valence + s
            valence = _negation_check(valence, lower, start_i, i)
            if start_i == 2 and ((lower[i - 3], lower[i - 2]) in _IDIOM_PAIRS
                                 or (lower[i - 2], lower[i - 1]) in _IDIOM_PAIRS
                                 or (lower[i - 1], il) in _IDIOM_PAIRS
                                 or (i < n - 1 and (il, lower[i + 1]) in _IDIOM_PAIRS)):
                valence = _special_idioms_check(valence, lower, i)
    return _least_check(valence, lower, lexicon, i)


_plain_cached = functools.lru_cache(maxsize=8192)(_compound_plain)


_SENTENCE_CACHE: dict[str, float] = {}    # repeated sentences (boilerplate); cleared when full
_SENTENCE_CACHE_MAX = 8192
_LOW = operator.itemgetter(1)             # of transforms.pieces' facts


def sentence_tones(body: str, spans: list[tuple[int, int]]) -> list[float]:
    """VADER compound per sentence span (spans from transforms.framing.sentence_spans).

    The VADER tokens come from the body's shared pieces (transforms.pieces): when the
    spans are in order, start and end at whitespace (or the text's ends) and only
    whitespace lies between them, a span's `split()` is the next `len(split())` pieces
    of the body's. Other spans are scored one by one. A sentence with an emoji
    character in one of its pieces (whitespace never is one) goes through compound(),
    VADER's own way; the other sentences of its body do not need to (~10% of news
    bodies hold one, mostly "©", usually in one sentence)."""
    pieces, facts = body_pieces(body)
    lows = list(map(_LOW, facts))
    emoji = None in lows
    one = compound if emoji else _plain_cached     # a span scored on its own
    size = len(body)
    marks = "!" in body or "?" in body
    out: list[float] = []
    c = prev = 0
    cache = _SENTENCE_CACHE
    scorable = _SCORABLE or _scorable()
    for s, e in spans:
        # a whitespace gap before the span, or (adjacent spans) whitespace on one side
        if (s < prev or not body[prev:s].isspace()) if s != prev else \
                (0 < s < size and not body[s - 1].isspace() and not body[s].isspace()):
            return [one(body[s:e]) for s, e in spans]
        text = body[s:e]
        n = len(text.split())
        low = lows[c:c + n]
        if emoji and None in low:
            out.append(compound(text))
            c += n
            prev = e
            continue
        if scorable.isdisjoint(low):
            out.append(0.0)              # what _compound_tokens returns first for it
            c += n
            prev = e
            continue
        tone = cache.get(text)
        if tone is None:
            tone = _score_tokens(text, pieces[c:c + n], low, marks)
            if len(cache) >= _SENTENCE_CACHE_MAX:
                cache.clear()
            cache[text] = tone
        out.append(tone)
        c += n
        prev = e
    if 0 < prev < size and not body[prev - 1].isspace() and not body[prev].isspace():
        return [one(body[s:e]) for s, e in spans]     # the last span ends inside a piece
    return out


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def tone_features(body: str, sentence_spans: list[tuple[int, int]],
                  actor_sentences: dict[str, list[int]]) -> dict[str, float | None]:
    """Article tone: mean/min/max compound, share of negative sentences (compound <= -0.05),
    and per actor group `tone_<group>`: the mean compound of the sentences whose index is
    listed for that group. None where there is no sentence to average."""
    tones = sentence_tones(body, sentence_spans) if body else []
    out: dict[str, float | None] = {
        "tone_mean": _mean(tones),
        "tone_min": min(tones) if tones else None,
        "tone_max": max(tones) if tones else None,
        "tone_neg_share": round(sum(t <= NEG_THRESHOLD for t in tones) / len(tones), 4) if tones else None,
    }
    for group, idx in actor_sentences.items():
        out[f"tone_{group}"] = _mean([tones[i] for i in sorted(set(idx)) if 0 <= i < len(tones)])
    return out
