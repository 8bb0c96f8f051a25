"""Framing hits: lexicon terms found in a body, with offsets, the sentence they sit
in, and whether they are inside a quotation (the outlet's words vs a source's)."""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from .lexicon import Lexicon, finditer_spans

FRAMING_VERSION = "framing-2"   # 2: the title's hits are term_hits rows (field "title")


@dataclass(frozen=True)
class Hit:
    category: str
    frame: str
    term: str          # the text as it appears in the body
    canonical: str
    start: int         # character offsets into the body
    end: int
    in_quote: bool
    sentence: str

    def as_dict(self) -> dict:
        return {
            "category": self.category, "frame": self.frame, "term": self.term,
            "canonical": self.canonical, "start": self.start, "end": self.end,
            "in_quote": self.in_quote,
        }


# Paired quotation marks. Straight double quotes pair up in order; ‘single’ quotes
# only when they open after a non-letter and close before one (’ is also an apostrophe).
_PAIRS = re.compile(
    r"“[^“”]{1,3000}”"            # curly double
    r"|«[^«»]{1,3000}»"           # guillemets
    r"|„[^„“”]{1,3000}[“”]"       # German/Russian low-high
    r'|"[^"\n]{1,3000}"'          # straight double, within a paragraph
    r"|‘(?<![\w’']‘)[^‘’\n]{1,600}’(?![\w])"  # single, not after [\w’']
)
# (The single-quote branch checks the char before ‘ with a look-behind placed after the
# mark, not before it: when every branch starts with a literal, the regex engine skips
# ahead to those characters instead of trying each branch at every position; 4x faster.)


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of quotations (quote marks included), in order, non-overlapping."""
    return [(m.start(), m.end()) for m in _PAIRS.finditer(text)]


# Whitespace after end punctuation (+ a closing mark) before a capital, digit or opening
# mark, or a run of newlines. Written so that every match starts by consuming one \s
# char: the regex engine then skips to whitespace instead of trying look-behinds at
# every position (3.5x faster, same matches as
# (?:(?<=[.!?…])|(?<=[.!?…]["”’»)]))\s+(?=["“‘«(]?[A-Z0-9А-ЯЁ])|\n+ ).
_SENTENCE_END = re.compile(
    r"\s(?:(?<=[.!?…]\s)\s*(?=[\"“‘«(]?[A-Z0-9А-ЯЁ])"
    r"|(?<=[.!?…][\"”’»)]\s)\s*(?=[\"“‘«(]?[A-Z0-9А-ЯЁ])"
    r"|(?<=\n)\n*)")


# Where a _SENTENCE_END match can start: the whitespace after end punctuation (+ a
# closing mark), found by a scan that skips to the rare punctuation characters; and
# every newline (by str.find).
_AFTER_END_PUNCT = re.compile(r"[.!?…][\"”’»)]?(?=\s)")


def _sentence_ends(text: str) -> list[re.Match[str]]:
    """list(_SENTENCE_END.finditer(text)), trying the pattern only where a match can
    start (_AFTER_END_PUNCT's ends and newlines), in order, each at or after the end of
    the previous match, as finditer does: 1.4x faster than the scan over every space."""
    starts = [m.end() for m in _AFTER_END_PUNCT.finditer(text)]
    i = text.find("\n")
    if i >= 0:
        newlines = []
        while i >= 0:
            newlines.append(i)
            i = text.find("\n", i + 1)
        starts = sorted(set(starts).union(newlines))
    out, last = [], 0
    match = _SENTENCE_END.match
    for c in starts:
        if c >= last:
            m = match(text, c)
            if m:
                out.append(m)
                last = m.end()
    return out


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans by a conservative punctuation/newline rule."""
    spans, start = [], 0
    for m in _sentence_ends(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def span_at(spans: list[tuple[int, int]], starts: list[int], pos: int) -> tuple[int, int] | None:
    """The span (from sorted, non-overlapping `spans` with their `starts`) that holds `pos`."""
    i = bisect.bisect_right(starts, pos) - 1
    if i >= 0 and spans[i][0] <= pos < spans[i][1]:
        return spans[i]
    return None


@functools.lru_cache(maxsize=8)
def lowered(text: str) -> str:
    """text.lower() with the same length (offsets stay valid: a character whose
    lowercase is longer, like "İ", stays as it is); cached, so that find_hits and the
    attribution functions (hedges, quotes, figures) called on one body lowercase it once."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _whole_tokens(low: str, start: int, end: int) -> bool:
    """A match must not start or end inside a token (see lexicon.TOKEN); a possessive
    "'s" after it is fine ("protester's" counts as "protester")."""
    if start > 0:
        prev = low[start - 1]
        if prev.isalnum() or prev in "_-" or (prev in "'’" and start > 1 and low[start - 2].isalnum()):
            return False
    if end < len(low):
        nxt = low[end]
        after = low[end + 1] if end + 1 < len(low) else " "
        if nxt.isalnum() or nxt == "_":
            return False
        if nxt in "-'’" and (after.isalnum() or after == "_"):
            return nxt != "-" and after == "s" and not (low[end + 2:end + 3].isalnum())
    return True


@functools.cache
def _shared_scan():
    """hedges.phrase_scans and the lexicon whose matches it finds too (hedges imports
    this module: imported at the first call)."""
    from .hedges import phrase_scans, scanned_lexicon

    return phrase_scans, scanned_lexicon()


def find_hits(body: str, lexicon: Lexicon, sentences: list[tuple[int, int]] | None = None,
              quotes: list[tuple[int, int]] | None = None) -> list[Hit]:
    """Every lexicon form in `body` on whole tokens, longest form first, never overlapping.
    A possessive ("protester's") counts as its base form. Pass `sentences`/`quotes`
    spans when the caller has them already."""
    if not body:
        return []
    low = lowered(body)
    matches = []
    phrase_scans, scanned = _shared_scan()
    if lexicon is scanned:       # the packaged English lexicon: its matches come with hedges.phrase_scans'
        spans = [(m.start(), m.end(), m.group(0)) for m in phrase_scans(body)[4]]
    else:
        spans = finditer_spans(lexicon, low)
    for start, end, text in spans:
        if _whole_tokens(low, start, end):
            matches.append((start, end, lexicon.by_form[" ".join(text.split())]))
    if not matches:
        return []
    quotes = quote_spans(body) if quotes is None else quotes
    qstarts = [s for s, _ in quotes]
    sentences = sentence_spans(body) if sentences is None else sentences
    sstarts = [s for s, _ in sentences]
    hits = []
    for start, end, term in matches:
        sent = span_at(sentences, sstarts, start)
        hits.append(
            Hit(
                category=term.category, frame=term.frame, term=body[start:end],
                canonical=term.canonical, start=start, end=end,
                in_quote=span_at(quotes, qstarts, start) is not None,
                sentence=body[sent[0]:sent[1]].strip() if sent else "",
            )
        )
    return hits


def quote_share(body: str, quotes: list[tuple[int, int]] | None = None) -> float | None:
    """Share of the body's characters inside quotations; None for an empty body."""
    if not body.strip():
        return None
    quotes = quote_spans(body) if quotes is None else quotes
    return round(sum(e - s for s, e in quotes) / len(body), 4)


# Tone is compared between sentences about these groups (category -> group name).
TONE_GROUPS = {
    "actor_label": "protesters",
    "security_label": "security",
    "foreign_force_label": "foreign_force",
    "government_label": "government",
}


def group_sentences(hits: list[Hit], sentences: list[tuple[int, int]]) -> dict[str, list[int]]:
    """Sentence indices that mention each tone group (see TONE_GROUPS)."""
    starts = [s for s, _ in sentences]
    out: dict[str, list[int]] = {g: [] for g in TONE_GROUPS.values()}
    for h in hits:
        group = TONE_GROUPS.get(h.category)
        if group:
            i = bisect.bisect_right(starts, h.start) - 1
            if i >= 0 and (not out[group] or out[group][-1] != i):
                out[group].append(i)
    return out


def hit_counts(hits: list[Hit]) -> dict[str, int]:
    """Per-article totals by frame for the label categories (what the marts compare)."""
    counts = {"hits_total": len(hits), "hits_legitimising": 0, "hits_neutral": 0,
              "hits_delegitimising": 0, "hits_in_quote": 0, "hits_loaded": 0}
    for h in hits:
        key = f"hits_{h.frame}"
        if key in counts:
            counts[key] += 1
        counts["hits_in_quote"] += h.in_quote
        counts["hits_loaded"] += h.category == "loaded_language"
    return counts
