"""Whole-text regex scans made cheaper without changing what they find.

A pattern whose every match starts with one of a few literal strings (`\\b(?:told|said
to|...)...`) can be run only where one of the literals occurs: `str.find` skips through
a 6 KB body in microseconds, while the regex engine tries the pattern at every position
(~0.1 ms per body for the attribution patterns of transforms.outlets).
"""
from __future__ import annotations

import re
from typing import Iterable, NamedTuple

from .lexicon import trie_regex


def finditer_at_literals(pattern: re.Pattern[str], literals: Iterable[str], text: str) -> list[re.Match[str]]:
    """`list(pattern.finditer(text))`, for a pattern each of whose matches starts with
    one of `literals` (the caller's promise; tests check it) and is never empty.

    finditer returns the leftmost match at or after the end of the previous one; every
    match starts where a literal occurs, so trying `pattern.match` at those positions in
    order, skipping the ones inside the previous match, finds the same matches (match
    with a start position sees the text before it, as search does: look-behinds and \\b
    behave the same)."""
    return finditer_at_anchors(pattern, {lit: (0,) for lit in literals}, text)


def finditer_at_anchors(pattern: re.Pattern[str], anchors: dict[str, tuple[int, ...]],
                        text: str) -> list[re.Match[str]]:
    """`list(pattern.finditer(text))`, for a pattern each of whose matches holds one of
    the `anchors` strings at one of its offsets from the match start (the caller's
    promise), and is never empty: the match starts are among the anchor positions minus
    their offsets (see finditer_at_literals, the case of offset 0)."""
    starts: set[int] = set()
    for lit, offsets in anchors.items():
        i = text.find(lit)
        while i >= 0:
            for off in offsets:
                if i >= off:
                    starts.add(i - off)
            i = text.find(lit, i + 1)
    out: list[re.Match[str]] = []
    pos = 0
    match = pattern.match
    for s in sorted(starts):
        if s < pos:
            continue
        m = match(text, s)
        if m:
            out.append(m)
            pos = m.end()
    return out


# The look-behind every whole-word phrase pattern starts with (hedges.phrase_regex).
WORD_START = r"(?<![\w’'-])"
_DIGIT = re.compile(r"\d")


class WordStartProbe(NamedTuple):
    """A probe for `word_start_scan` (made by word_start_probe)."""

    regex: re.Pattern[str]                  # group 1: the longest form at the position (None: a digit there)
    tries: dict[str, tuple[int, ...]]       # form -> the patterns that may match where it is the longest
    digit_tries: tuple[int, ...]            # the patterns that may match at a digit no form starts


def word_start_probe(patterns: list[re.Pattern[str]], starts: list[str] | None, forms: list[Iterable[str]],
                     digits: Iterable[int] = ()) -> WordStartProbe:
    """What `word_start_scan` runs to find, in a single pass, every position where one
    of `patterns` can match, and which of them. Each pattern is a look-behind
    (`starts[i]`, by default WORD_START, as hedges.phrase_regex builds them) that
    excludes at least every ASCII letter and digit before the match, or \\b when every
    match starts with a word character (the caller's promise: the character before is
    then not one), + the rest. The caller promises that pattern I's rest matches only
    where one of `forms[I]` does (each a string whose spaces stand for any whitespace
    run), or, for I in `digits`, at a digit.

    The probe is one trie of all the forms (one trie is ~2x cheaper to try at every
    word start than one per pattern: sre tries each in turn); its group 1 is the
    longest form there, F. Every form that matches there too is a prefix of F, so the
    patterns worth trying there are those of F's prefixes (and those of `digits` when F
    starts with a digit), found once per form: ~1 pattern per position instead of all."""
    for i, p in enumerate(patterns):
        start = starts[i] if starts else WORD_START
        if not (start.startswith("(?<![") and start.endswith("])") and "\\w" in start or start == r"\b") \
                or not p.pattern.startswith(start) or p.flags & ~re.UNICODE or "(?P=" in p.pattern:
            raise ValueError(f"not a pattern word_start_scan can run: {p.pattern[:40]!r}")
    digits = tuple(sorted(set(digits)))
    of: dict[str, set[int]] = {}
    for i, fs in enumerate(forms):
        for f in fs:
            of.setdefault(f, set()).add(i)
    tries = {}
    for f in of:
        found = set(digits) if _DIGIT.match(f) else set()
        for k in range(1, len(f) + 1):
            found |= of.get(f[:k], set())
        tries[f] = tuple(sorted(found))
    regex = re.compile(r"[^a-z0-9](?=(" + trie_regex(sorted(of)) + r")" + (r"|\d" if digits else "") + ")")
    if regex.groups != 1:
        raise ValueError("a form made a capturing group")
    return WordStartProbe(regex, tries, digits)


def word_start_scan(text: str, patterns: list[re.Pattern[str]], probe: WordStartProbe) -> list[list[re.Match[str]]]:
    """`[list(p.finditer(text)) for p in patterns]` in one pass of `probe`
    (word_start_probe(patterns, ...)), for patterns that never match empty.

    The probe runs over " " + text and consumes the character before each position it
    reports, one that is not an ASCII lowercase letter or digit: a cheap character class,
    so the engine skips through words (a look-behind first is tried at every position),
    and a superset of what each pattern's look-behind allows. A match of pattern I at s
    has such a character before s (or s is 0: the space put before the text) and pattern
    I's rest matching at s, so one of its forms (or a digit) is there: the probe stops
    at s, and pattern I is among the ones it names. Each of those is then tried with
    `match` at s (which sees the text before s, look-behind included, as finditer
    does), keeping finditer's rule: the next match of a pattern starts at or after the
    end of its previous one."""
    n = len(patterns)
    out: list[list[re.Match[str]]] = [[] for _ in range(n)]
    last = [0] * n
    tries_of, digit_tries = probe.tries, probe.digit_tries
    for m in probe.regex.finditer(" " + text):
        s = m.start()                      # the separator at s in " " + text: a match at s in text
        form = m.group(1)
        if form is None:
            tries = digit_tries
        else:
            tries = tries_of.get(form) or tries_of[" ".join(form.split())]
        for j in tries:
            if s < last[j]:
                continue
            mm = patterns[j].match(text, s)
            if mm:
                out[j].append(mm)
                last[j] = mm.end()
    return out
