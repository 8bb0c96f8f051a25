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
    starts: set[int] = set()
    for lit in literals:
        i = text.find(lit)
        while i >= 0:
            starts.add(i)
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
