"""Hedges and evidentials: where the writer distances itself from a claim.

"Over 4,000 people were reportedly detained" and "according to President Tokayev"
frame a fact as unconfirmed or as someone else's; counting them per article (and
whether they sit in the outlet's voice or inside a quotation) is a framing feature.
The terms live in resources/attribution/<lang>/hedges.yaml.

This module also holds the small loader shared by quotes, figures and modifiers:
each of those reads one YAML file from the same folder, lazily and once.
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from .errors import ResourceError
from .framing import lowered, quote_spans
from .lexicon import Lexicon, load_lexicon, trie_regex
from .resource_files import parse_yaml
from .scan import WORD_START, WordStartProbe, word_start_probe, word_start_scan

HEDGES_VERSION = "hedges-2"   # 2: English texts only (transforms.pipeline.ENGLISH)


# --------------------------------------------------------------------------- loading

def read_attribution_file(name: str, language: str = "en") -> dict[str, Any]:
    """Parse resources/attribution/<language>/<name>.yaml and check the keys every
    attribution file shares (a mapping with `version` and a matching `language`).
    Raises ResourceError so a broken data file stops the run instead of silently
    producing empty features."""
    path = resources.files("transforms") / "resources" / "attribution" / language / f"{name}.yaml"
    try:
        doc = parse_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ResourceError(f"attribution/{language}/{name}.yaml is missing") from exc
    except yaml.YAMLError as exc:
        raise ResourceError(f"attribution/{language}/{name}.yaml: invalid YAML: {exc}") from exc
    return check_attribution_doc(f"attribution/{language}/{name}.yaml", doc, language)


def check_attribution_doc(where: str, doc: Any, language: str = "en") -> dict[str, Any]:
    """The common header: a mapping with a non-empty `version` and the right language."""
    if not isinstance(doc, dict):
        raise ResourceError(f"{where}: top level must be a mapping")
    if not str(doc.get("version") or "").strip():
        raise ResourceError(f"{where}: missing `version`")
    if doc.get("language") != language:
        raise ResourceError(f"{where}: language {doc.get('language')!r}, expected {language!r}")
    return doc


def need_list(where: str, value: Any, *, of: type = str, allow_empty: bool = False) -> list:
    """A list whose items are all of type `of` (strings must be non-blank)."""
    if not isinstance(value, list) or (not value and not allow_empty):
        raise ResourceError(f"{where}: must be a {'list' if allow_empty else 'non-empty list'}")
    for item in value:
        if not isinstance(item, of) or (of is str and not item.strip()):
            raise ResourceError(f"{where}: item {item!r} must be a non-blank {of.__name__}")
    return value


def norm_form(form: str) -> str:
    """Lookup key of a matched phrase: lowercased, inner whitespace collapsed."""
    return " ".join(form.lower().split())


def phrase_regex(forms: list[str], *, lower: bool = True) -> str:
    """A regex matching any of `forms` on whole words, longest first; a space inside a
    form matches any whitespace run. The alternation is a trie (lexicon.trie_regex):
    Python's re tries every branch of a flat alternation at every position, which is
    ~10x slower. With lower=True the forms are lowercased and the pattern is meant for
    lowered(body), without re.IGNORECASE (which is itself ~3x slower)."""
    keys = sorted({norm_form(f) if lower else " ".join(f.split()) for f in forms})
    return r"(?<![\w’'-])(?:" + trie_regex(keys) + r")(?![\w-])"


@functools.lru_cache(maxsize=8)
def quotation_spans(body: str) -> tuple[tuple[int, int], ...]:
    """framing.quote_spans, computed once per body."""
    return tuple(quote_spans(body))


# --------------------------------------------------------------------------- sentences

@functools.cache
def abbreviations(language: str = "en") -> frozenset[str]:
    """Tokens after which a sentence does not end (resources/attribution/<lang>/text.yaml)."""
    where = f"attribution/{language}/text.yaml"
    doc = read_attribution_file("text", language)
    return frozenset(need_list(f"{where} abbreviations", doc.get("abbreviations")))


# A newline, or end punctuation (+ closing quotes) and spaces before a capital, digit or
# opening quote (anything but a lowercase ASCII letter or closing punctuation).
_SENT_END = re.compile(r"[\n.!?…](?:(?<=\n)|[.!?…]*[\"”’»)]*[ \t]+(?=[^\sa-z,;:)\]”’»]))")


@functools.lru_cache(maxsize=8)
def sentence_bounds(body: str) -> tuple[tuple[int, int], ...]:
    """Sentence spans: cut at a newline, or after . ! ? … (and closing quotes) before a
    capital, digit or opening quote, unless the word before is an abbreviation ("the
    U.S. Embassy", "On Jan. 5" stay whole). framing.sentence_spans' rule plus the
    abbreviation check, at a fraction of its cost; cached per body for the four
    attribution functions."""
    abbr = abbreviations()
    spans: list[tuple[int, int]] = []
    append = spans.append
    isspace = str.isspace
    start = 0
    for m in _SENT_END.finditer(body):
        ms, me = m.span()
        if body[ms] == "\n":              # the match is "\n" (the other branch starts with . ! ? …)
            end = ms
        else:
            # the last whitespace-separated run of the window: what a search for (\S+)\s*$
            # finds there (str.split's whitespace is exactly re's \s; tests check it)
            last = body[max(start, ms - 12):me].rsplit(None, 1)
            if last and last[-1] in abbr:
                continue
            end = me
        if end > start:
            # _strip_span, inline; an empty span is dropped
            s0 = start
            while s0 < end and isspace(body[s0]):
                s0 += 1
            while end > s0 and isspace(body[end - 1]):
                end -= 1
            if end > s0:
                append((s0, end))
        start = me
    if start < len(body):
        sp = _strip_span(body, start, len(body))
        if sp[1] > sp[0]:
            append(sp)
    return tuple(spans)


def _strip_span(body: str, start: int, end: int) -> tuple[int, int]:
    while start < end and body[start].isspace():
        start += 1
    while end > start and body[end - 1].isspace():
        end -= 1
    return start, end


def span_index(spans: list[tuple[int, int]], starts: list[int], pos: int) -> int:
    """Index of the span containing `pos` (or the last span starting before it; -1 if none)."""
    return bisect.bisect_right(starts, pos) - 1


# --------------------------------------------------------------------------- hedges

@dataclass(frozen=True)
class Hedge:
    term: str        # as written in the body
    kind: str        # hedge | evidential
    start: int
    end: int
    in_quote: bool   # inside quotation marks: a source's hedge, not the outlet's


@dataclass(frozen=True)
class _HedgeData:
    version: str
    pattern: re.Pattern[str]          # over lowered(body)
    kind_by_form: dict[str, str]
    exact: frozenset[str]             # forms that must match in lowercase ("may", not "May")


def build_hedge_data(doc: Any, language: str = "en") -> _HedgeData:
    """Validate a parsed hedges.yaml and compile it (separate from I/O so tests can
    feed broken documents)."""
    where = f"attribution/{language}/hedges.yaml"
    doc = check_attribution_doc(where, doc, language)
    kinds = need_list(f"{where} kinds", doc.get("kinds"))
    kind_by_form: dict[str, str] = {}
    exact: set[str] = set()
    for i, term in enumerate(need_list(f"{where} terms", doc.get("terms"), of=dict)):
        at = f"{where} term {i + 1}"
        if term.get("kind") not in kinds:
            raise ResourceError(f"{at}: kind {term.get('kind')!r} not in {kinds}")
        for form in need_list(f"{at} forms", term.get("forms")):
            key = norm_form(form)
            if key in kind_by_form:
                raise ResourceError(f"{at}: form {form!r} listed twice")
            kind_by_form[key] = term["kind"]
            if term.get("case_sensitive"):
                exact.add(key)
    pattern = re.compile(phrase_regex(list(kind_by_form)))
    return _HedgeData(str(doc["version"]), pattern, kind_by_form, frozenset(exact))


@functools.cache
def hedge_data(language: str = "en") -> _HedgeData:
    """The packaged hedge terms, loaded on first use."""
    return build_hedge_data(read_attribution_file("hedges", language), language)


@functools.cache
def _phrase_scan_patterns() -> tuple[list[re.Pattern[str]], WordStartProbe, Lexicon | None]:
    """The patterns phrase_scans runs in one pass, its probe, and the packaged English
    lexicon when its pattern is the fifth (framing.find_hits reads that one's matches)."""
    from .figures import NUMBER_START, figure_data    # both import this module
    from .quotes import quote_data
    h = hedge_data()
    q = quote_data()
    f = figure_data()
    patterns = [h.pattern, q.verb, q.title, f.number]
    starts = [WORD_START] * 3 + [NUMBER_START]
    # the forms each pattern's part after its look-behind starts with: phrase_regex's
    # trie of its norm_form'ed forms for the first three; for the number pattern its
    # qualifier, vague, number-word, multiplier and fraction forms and "a" + a multiplier
    # (figures' start_forms), or a digit; the lexicon's
    # forms after its \b
    forms = [set(h.kind_by_form), set(q.verb_by_form), set(q.title_forms),
             set(f.start_forms)]
    lexicon = load_lexicon("en")
    if lexicon.probe is not None:      # its pattern is \b + the trie of its forms, each starting with a word character
        patterns.append(lexicon.pattern)
        starts.append(r"\b")
        forms.append(set(lexicon.by_form))
    else:
        lexicon = None
    return patterns, word_start_probe(patterns, starts, forms, digits=[3]), lexicon


@functools.lru_cache(maxsize=8)
def phrase_scans(body: str) -> tuple[tuple[re.Match[str], ...], ...]:
    """The matches over lowered(body) of the packaged (English) hedge terms, reporting
    verbs and titles (quotes.py), figure numbers (figures.py) and the English lexicon's
    forms (framing.find_hits), found in one pass (scan.word_start_scan: the same as each
    pattern's finditer, ~0.19 ms per 6 KB where the lexicon's probe and the four others'
    finditer take ~0.65). Cached per body: find_hits, find_hedges, find_quotes and
    find_figures share it."""
    patterns, probe, _ = _phrase_scan_patterns()
    return tuple(tuple(found) for found in word_start_scan(lowered(body), patterns, probe))


def scanned_lexicon() -> Lexicon | None:
    """The lexicon whose matches phrase_scans(body)[4] holds (None: it holds none)."""
    return _phrase_scan_patterns()[2]


def inside_any(spans: list[tuple[int, int]], starts: list[int], pos: int) -> bool:
    """Is `pos` inside one of the sorted, non-overlapping `spans`?"""
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def find_hedges(body: str) -> list[Hedge]:
    """Every hedge/evidential term in `body`, in order, with offsets; longest form wins
    ("could not be verified" over "could")."""
    if not body or not isinstance(body, str):
        return []
    data = hedge_data()
    quotes = quotation_spans(body)
    qstarts = [s for s, _ in quotes]
    out = []
    for m in phrase_scans(body)[0]:
        start, end = m.span()
        text = body[start:end]
        key = norm_form(text)
        if key in data.exact and text != key:
            continue
        out.append(Hedge(term=text, kind=data.kind_by_form.get(key, "hedge"), start=start, end=end,
                         in_quote=inside_any(quotes, qstarts, start)))
    return out


def hedged(body: str, start: int, end: int) -> bool:
    """Is there a hedge or evidential term in body[start:end]?"""
    data = hedge_data()
    low = lowered(body)
    for m in data.pattern.finditer(low, start, end):
        key = norm_form(m.group(0))
        if key not in data.exact or body[m.start():m.end()] == m.group(0):
            return True
    return False
