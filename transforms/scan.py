"""Whole-text regex scans made cheaper without changing what they find.

A pattern whose every match starts with one of a few literal strings (`\\b(?:told|said
to|...)...`) can be run only where one of the literals occurs: `str.find` skips through
a 6 KB body in microseconds, while the regex engine tries the pattern at every position
(~0.1 ms per body for the attribution patterns of transforms.outlets).
"""
from __future__ import annotations

import re
from typing import Iterable


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


def word_start_probe(patterns: list[re.Pattern[str]], starts: list[str] | None, rest: str) -> re.Pattern[str]:
    """One regex that finds, in a single pass, every position where one of `patterns`
    can match, for `word_start_scan`. Each pattern is a look-behind (`starts[i]`, by
    default WORD_START, as hedges.phrase_regex builds them) that excludes at least every
    ASCII letter and digit before the match, + the rest; `rest` is one regex without
    capturing groups that matches wherever any pattern's rest does (the caller's
    promise: e.g. one trie of all the patterns' forms, then (?!\\w)). One trie is ~2x
    cheaper to try at every word start than a group per pattern (sre tries each group's
    trie in turn), for a few more positions where the patterns are tried."""
    for i, p in enumerate(patterns):
        start = starts[i] if starts else WORD_START
        if not (start.startswith("(?<![") and start.endswith("])") and "\\w" in start) \
                or not p.pattern.startswith(start) or p.flags & ~re.UNICODE or "(?P=" in p.pattern:
            raise ValueError(f"not a pattern word_start_scan can run: {p.pattern[:40]!r}")
    probe = re.compile(r"[^a-z0-9](?=" + rest + ")")
    if probe.groups:
        raise ValueError("the probe's rest has a capturing group")
    return probe


def word_start_scan(text: str, patterns: list[re.Pattern[str]], probe: re.Pattern[str]) -> list[list[re.Match[str]]]:
    """`[list(p.finditer(text)) for p in patterns]` in one pass of `probe`
    (word_start_probe(patterns, ...)), for patterns that never match empty.

    The probe runs over " " + text and consumes the character before each position it
    reports, one that is not an ASCII lowercase letter or digit: a cheap character class,
    so the engine skips through words (a look-behind first is tried at every position),
    and a superset of what each pattern's look-behind allows. A match of pattern I at s
    has such a character before s (or s is 0: the space put before the text) and pattern
    I's rest matching at s, so the probe's rest matches there too and it stops at s.
    Each pattern is then tried with `match` at s (which sees the text before s,
    look-behind included, as finditer does), keeping finditer's rule: the next match of
    a pattern starts at or after the end of its previous one."""
    n = len(patterns)
    out: list[list[re.Match[str]]] = [[] for _ in range(n)]
    last = [0] * n
    tries = range(n)
    for m in probe.finditer(" " + text):
        s = m.start()                      # the separator at s in " " + text: a match at s in text
        for j in tries:
            if s < last[j]:
                continue
            mm = patterns[j].match(text, s)
            if mm:
                out[j].append(mm)
                last[j] = mm.end()
    return out
