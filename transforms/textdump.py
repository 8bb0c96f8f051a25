"""Article extraction from page-text dumps (text mode).

A page-text dump is the whole visible text of a web page, one block per line: the
article, but also navigation, cookie banners, share bars, related-article teasers,
comment forms and copyright footers.  There is no DOM left, so boilerplate has to be
recognised from the text alone:

* unwrapping   -- hard-wrapped paragraphs (<br> breaks, fixed-width text) are re-joined
                  when a line ends mid-sentence;
* line shape   -- length, stopword density (jusText stoplists), terminal punctuation,
                  truncated teasers ("…"), caption credits ("/ Reuters"),
                  relative times ("7 hours ago"), runs of headline-shaped lines;
* known phrases -- furniture phrases in several languages (resources/furniture.yaml,
                  plus text-mode-only blog templates, licence footers and newsletter
                  prompts in resources/textdump/furniture_extra.yaml);
* context      -- jusText's neighbour rules: short or borderline lines take the class
                  of the content around them;
* position     -- the article is one contiguous stretch of the page: a maximum-sum
                  segment over per-line scores drops good-looking islands far away
                  from it (footer legal text, comment threads, teaser lists); a second
                  strong segment is kept too, and the segment is cut at a comment or
                  related-articles heading ("Leave a Reply", "Ähnliche Beiträge");
* line model   -- the final keep/drop call per line is made by a small tree ensemble
                  (resources/textdump/line_model.json, see transforms/linemodel.py)
                  that reads the rules' decisions above and the shape of each line and
                  of its neighbours; it learnt, from HTML mode's bodies of real pages,
                  where the rules go wrong.  `extract_text_dump(text, line_model=False)`
                  gives the rules' bodies alone.

Metadata (title, subtitle, date, byline, section, site name, url) is read from the
lines around that stretch, each with a `*_source` tag saying which rule found it.  Policy: the headline is the title and never part of the body (repeats of it
are dropped); a standfirst (sentence lines between headline and article) is kept as
the first body paragraph; date lines, bylines, captions and credits ("SOURCE:AFP",
"/ Reuters") go to `removed`.

Everything is a pure function of the input string; the only I/O is reading packaged
resources (the furniture lists and jusText's stoplists) once, lazily.  Measured on the
trafilatura evaluation pages by bench/extraction_quality.py.
"""

from __future__ import annotations

import datetime
import functools
import importlib.resources
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from . import linemodel
from .errors import ResourceError
from .resource_files import parse_yaml

# The rules' version and the line model's (resources/textdump/line_model.json): both
# decide what a body holds, so rows record both.
# LINE_MODEL_VERSION names the feature code (bump it when line_features changes: the
# loader refuses a file made for another); the file's own hash tells retrained models apart.
TEXTDUMP_RULES_VERSION = "textdump-4"
LINE_MODEL_VERSION = "line-model-1"
LINE_MODEL_FILE = ("textdump", "line_model.json")
TEXTDUMP_VERSION = (
    f"{TEXTDUMP_RULES_VERSION}+{LINE_MODEL_VERSION}@{linemodel.file_digest(*LINE_MODEL_FILE)}"
)

# Inputs are truncated to this many characters: no article needs more, and it bounds
# the work done on hostile input.
MAX_INPUT_CHARS = 2_000_000
# Lines longer than this are cut before analysis (keeps regexes cheap on junk).
MAX_LINE_CHARS = 20_000


@dataclass(frozen=True)
class Extracted:
    """What an extractor found in one page (shared by text and HTML mode)."""

    title: str | None
    body: str  # paragraphs joined by "\n\n", furniture removed; "" if nothing usable
    published: datetime.date | None
    date_source: str | None  # "text:date-line", "text:month-day-year", "html:meta", ...
    byline: str | None
    site_name: str | None
    url: str | None
    language: str | None
    removed: tuple[str, ...]  # lines/blocks dropped as furniture (evidence/debugging)
    # Where each field came from ("text:breadcrumb", "html:meta", ...); None when the
    # field itself is None.  A subtitle (standfirst) found in text mode stays the first
    # body paragraph too (see the policy above).
    title_source: str | None = None
    subtitle: str | None = None
    subtitle_source: str | None = None
    byline_source: str | None = None
    url_source: str | None = None
    section: str | None = None
    section_source: str | None = None


EMPTY = Extracted(
    title=None,
    body="",
    published=None,
    date_source=None,
    byline=None,
    site_name=None,
    url=None,
    language=None,
    removed=(),
)


# --------------------------------------------------------------------------------------
# Packaged resources (loaded once, lazily)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Furniture:
    """Validated furniture phrase lists, normalised the same way lines are."""

    version: str
    exact: frozenset[str]
    prefix: tuple[str, ...]
    contains: tuple[str, ...]
    contains_max_chars: int
    prefix_re: dict[str, re.Pattern[str]]  # first character -> alternation of prefixes
    contains_re: re.Pattern[str]
    end_markers: frozenset[str]
    contains_triggers: frozenset[str]  # first words of `contains` phrases (cheap pre-check)


def _validated_phrases(doc: dict, key: str) -> list[str]:
    """Return the phrase list under `key`, raising on a malformed resource file."""
    items = doc.get(key)
    if not isinstance(items, list) or not all(isinstance(x, str) and x.strip() for x in items):
        raise ValueError(f"furniture.yaml: '{key}' must be a list of non-empty strings")
    return items


def _read_furniture_doc(path: str) -> dict:
    """Parse one packaged furniture file; a broken file is a packaging bug, so raise."""
    raw = importlib.resources.files("transforms").joinpath(path).read_text("utf-8")
    doc = parse_yaml(raw)
    if not isinstance(doc, dict) or "version" not in doc:
        raise ValueError(f"{path}: expected a mapping with a 'version' key")
    return doc


def _build_furniture(docs: list[dict]) -> Furniture:
    """Merge phrase lists (the first document sets contains_max_chars)."""
    max_chars = docs[0].get("contains_max_chars", 400)
    if not isinstance(max_chars, int) or max_chars <= 0:
        raise ValueError("furniture.yaml: 'contains_max_chars' must be a positive integer")
    exact = frozenset(_match_key(p) for doc in docs for p in _validated_phrases(doc, "exact"))
    prefix = tuple(sorted({_fold(p).strip() for doc in docs for p in _validated_phrases(doc, "prefix")}))
    contains = tuple(sorted({_fold(p).strip() for doc in docs for p in _validated_phrases(doc, "contains")}))
    end_markers = frozenset(_match_key(p) for doc in docs for p in _validated_phrases(doc, "end_markers"))
    return Furniture(
        "+".join(str(doc["version"]) for doc in docs),
        exact,
        prefix,
        contains,
        max_chars,
        {c: _alternation(tuple(p for p in prefix if p[0] == c), True) for c in {p[0] for p in prefix}},
        _alternation(contains, False),
        end_markers,
        frozenset(_WORD.findall(p)[0] for p in contains if _WORD.findall(p)),
    )


@functools.cache
def load_furniture() -> Furniture:
    """resources/furniture.yaml, loaded once (shared with HTML mode's post-filter)."""
    return _build_furniture([_read_furniture_doc("resources/furniture.yaml")])


@functools.cache
def load_text_furniture() -> Furniture:
    """Text mode's phrase lists: furniture.yaml plus resources/textdump/furniture_extra.yaml
    (blog templates, licence footers, newsletter prompts a page-text dump keeps in full)."""
    return _build_furniture(
        [
            _read_furniture_doc("resources/furniture.yaml"),
            _read_furniture_doc("resources/textdump/furniture_extra.yaml"),
        ]
    )


def _alternation(phrases: tuple[str, ...], word_end: bool) -> re.Pattern[str]:
    """One compiled regex for a phrase list (a Python loop over hundreds of phrases per
    line was most of text mode's run time).  With `word_end`, a phrase ending in a
    letter or digit must not be followed by one ("share" must not match "shared")."""
    alts = []
    for p in sorted(phrases, key=len, reverse=True):
        alt = re.escape(p)
        if word_end and p[-1].isalnum():
            alt += r"(?![^\W_])"
        alts.append(alt)
    return re.compile("(?:" + "|".join(alts) + ")")


@functools.cache
def _stoplists() -> dict[str, frozenset[str]]:
    """All jusText stoplists (they ship inside the justext package), by language name."""
    import justext  # local import: only text mode needs it, and it is not tiny

    return {name: frozenset(justext.get_stoplist(name)) for name in sorted(justext.get_stoplists())}


@functools.cache
def _stopword_index() -> dict[str, tuple[int, ...]]:
    """Map each stopword to the indexes of the languages listing it (for detection)."""
    index: dict[str, list[int]] = {}
    for i, words in enumerate(_stoplists().values()):
        for w in words:
            index.setdefault(w, []).append(i)
    return {w: tuple(ix) for w, ix in index.items()}


# --------------------------------------------------------------------------------------
# Normalisation helpers
# --------------------------------------------------------------------------------------

_FOLD_TABLE = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u200b": "", "\ufeff": "", "\u00ad": "",
    }
)
_WS = re.compile(r"\s+")
_LEAD_DECOR = re.compile(r"^[\s\W_]+", re.UNICODE)
_TRAIL_DECOR = " \t\n:»›>|…·.!?-–—/\\*•●▪►▶#_"
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


_FOLD_CHARS = re.compile("[" + "".join(re.escape(chr(c)) for c in _FOLD_TABLE) + "]")


def _fold(s: str) -> str:
    """Lower-case and fold typographic variants so phrase lists match real pages."""
    if not s.isascii():
        s = _FOLD_CHARS.sub(_fold_char, s)  # str.translate with a dict is slow here
    return _WS.sub(" ", s).lower() if _WS_RUN.search(s) else s.lower()


def _fold_char(m: re.Match[str]) -> str:
    return _FOLD_MAP[m.group()]


_FOLD_MAP = {chr(k): (v if isinstance(v, str) else "" if v is None else chr(v)) for k, v in _FOLD_TABLE.items()}
_WS_RUN = re.compile(r"\s\s|[^\S ]")  # only collapse when there is something to collapse


def _match_key(s: str, folded: str | None = None) -> str:
    """Key for whole-line phrase matching: folded, edge punctuation stripped."""
    text = _fold(s) if folded is None else folded
    return _LEAD_DECOR.sub("", text, count=1).rstrip(_TRAIL_DECOR).strip()


_HAS_CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def _clean_line(line: str) -> str:
    """Collapse whitespace and drop control/format characters that break matching."""
    line = line[:MAX_LINE_CHARS]
    if _HAS_CTRL.search(line):
        line = "".join(ch for ch in line if ch == "\t" or unicodedata.category(ch)[0] != "C")
    return _WS.sub(" ", line.replace("\u00a0", " ")).strip()




# --------------------------------------------------------------------------------------
# Line shape patterns
# --------------------------------------------------------------------------------------

_TERMINAL = re.compile(r"""[.!?。！？;:"'”’»)\]]\s*$""")
_SENTENCE_START = re.compile(r"""^[\"'“‘«„(\[]?[^\W_a-z]""")
_SENTENCE_END = re.compile(r"""[.!?。！？]["'”’»)\]]?\s*$""")
_TEASER_END = re.compile(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\])\s*$")
# Teaser excerpts in link lists are cut at a few hundred characters; a longer line that
# trails off ("...") is a paragraph of the article itself.
TEASER_MAX_CHARS = 400
# Figure captions: "Abbildung 4: ...", "Fig. 2. ...", or a line that ends in a photo
# credit "(Foto: Jane Doe)" / "- Photo: Reuters".  Longer lines are prose that happens
# to cite a picture.
CAPTION_MAX_CHARS = 250
_FIGURE_LABEL = re.compile(
    r"(?:abbildung|abb\.|figure|fig\.|figura|grafik|schaubild|illustration)\s*\d+\s*[:.]\s", re.IGNORECASE
)
_PHOTO_CREDIT_END = re.compile(
    r"[(\[]\s*(?:foto|fotos|photo|photos|bild|bildquelle|image|credit|crédit|crédito|quelle)s?\s*:\s*[^()\[\]]{1,60}[)\]]\s*$",
    re.IGNORECASE,
)
_TIME_AGO = re.compile(
    r"^(?:(?:about|over|updated|posted)\s+)?(?:\d+|an?|one)\s*"
    r"(?:s|sec|secs|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?|months?|y|yrs?|years?)"
    r"\s+ago$"
    r"|^vor\s+\d+\s+(?:sekunden|minuten|stunden?|tagen?|wochen|monaten?|jahren?)$"
    r"|^il y a\s+\d+\s+\w+$|^hace\s+\d+\s+\w+$|^h[aá]\s+\d+\s+\w+$"
    r"|^\d+\s+(?:saniye|dakika|saat|gün|hafta|ay|yıl)\s+önce$"
    r"|^\d+\s+\w+\s+назад$"
    r"|^(?:just now|yesterday|today|gestern|heute|hier|aujourd'hui|ayer|hoy)$",
    re.IGNORECASE,
)
_READ_TIME = re.compile(
    r"^(?:\d+\s*(?:-\s*\d+\s*)?(?:min(?:ute)?s?|mins?\.?|minuten?|minutos?)\.?\s*"
    r"(?:read|reading|read time|de lecture|lesezeit|de lectura|di lettura|de leitura|okuma)?"
    r"|(?:reading time|lesezeit|temps de lecture)\s*:?\s*\d+\s*\w*)$",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"^\d{1,2}[:.]\d{2}(?:\s*(?:am|pm|a\.m\.|p\.m\.|uhr|h|gmt|utc|cet|est|et|msk|ist)\.?)?$", re.I)
_COUNTER = re.compile(r"^[\d\s.,:/+%()kmKM-]*$")  # "12", "1.2K", "3 / 10", "(4)"
_CAPTION_CREDIT = re.compile(
    r"(?:[/|©]\s*|\(\s*|-\s+|photo:?\s+|foto:?\s+|image:?\s+)"
    r"(?:reuters|ap|ap photo|afp|getty images?|epa(?:-efe)?|efe|anadolu(?: agency)?|aa|xinhua|tass|"
    r"ria novosti|sputnik|shutterstock|istock(?:photo)?|dpa|ansa|bloomberg|pa|pa wire|"
    r"associated press|file photo|archive|[\w.-]*shutterstock\.com|[\w.-]*adobe ?stock|unsplash|pixabay|fotolia|imago|picture alliance)"
    r"(?:\s*(?:photo|images|/[^/]{0,40}))?\s*\)?\s*$",
    re.IGNORECASE,
)
_URL_LINE = re.compile(r"^(?:(?:url|link|source url|canonical)\s*:\s*)?(https?://\S+)$", re.IGNORECASE)

# --- dates
_MONTHS: dict[str, int] = {}
for _i, _names in enumerate(
    (
        "january jan januar janvier enero gennaio janeiro januari ocak",
        "february feb februar février fevrier febrero febbraio fevereiro februari şubat",
        "march mar märz maerz mars marzo março maart mart",
        "april apr avril abril aprile nisan",
        "may mai mayo maggio maio mei mayıs",
        "june jun juni juin junio giugno junho haziran",
        "july jul juli juillet julio luglio julho temmuz",
        "august aug août aout agosto augustus ağustos",
        "september sep sept septembre septiembre settembre setembro eylül",
        "october oct oktober octobre octubre ottobre outubro ekim",
        "november nov novembre noviembre novembro kasım",
        "december dec dezember décembre decembre diciembre dicembre dezembro aralık",
    ),
    start=1,
):
    for _n in _names.split():
        _MONTHS[_n] = _i
_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_MDY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE)
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+(?:de\s+)?({_MONTH_RE})\.?,?\s+(?:de\s+)?(\d{{4}})\b", re.IGNORECASE)
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\d.])")
_DATE_LABEL = re.compile(
    r"^(?:date|dated|published|posted|updated|last updated|publication date|"
    r"veröffentlicht|aktualisiert|publié|mis à jour|publicado|actualizado|pubblicato|"
    r"опубликовано|yayınlanma|yayın tarihi)\b",
    re.IGNORECASE,
)

# --- people and publishers
_BYLINE = re.compile(
    r"^(?:by|written by|words by|author|autor|auteur|von|par|por|di|door|автор)\s*:?\s+"
    r"(?P<name>[^\W\d_][\w.'’\- ]{1,80}?(?:\s*(?:,|&|and|und|et|y|e)\s+[^\W\d_][\w.'’\- ]{1,60}?)*)"
    r"\s*(?:[,|·•-]\s*.{0,60})?$",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*[,.]?\s*"
    r"(?P<name>[^\W\d_][^.|©]{0,60}?)\s*(?:[.|,]|all rights reserved|alle rechte|tous droits|todos los derechos|$)",
    re.IGNORECASE,
)
_PUBLISHED_BY = re.compile(r"^(?:published|posted)\s+by\s*:?\s*(?P<name>.{0,60})$", re.IGNORECASE)


# --------------------------------------------------------------------------------------
# Line classification
# --------------------------------------------------------------------------------------

GOOD, BAD, SHORT, NEAR = "good", "bad", "short", "neargood"

# jusText's defaults, found by its authors on a large web sample; stopword density here
# is measured on words stripped of punctuation, which reads a little higher than
# jusText's whitespace tokens, so the thresholds sit slightly higher.
LENGTH_LOW = 70
LENGTH_HIGH = 200
STOP_LOW = 0.30
STOP_HIGH = 0.32
STOP_SENTENCE = 0.12  # floor for "sentence-shaped" lines to be judged by context
MIN_STOP_COVERAGE = 0.08  # below this, no stoplist fits the text: judge by shape only


@dataclass
class _Line:
    """One non-empty line of the dump with the features the classifier needs."""

    idx: int
    text: str
    key: str  # folded, edge punctuation stripped, for phrase matching
    n_words: int
    stop_density: float
    furniture: bool = False
    reason: str = ""
    cls: str = SHORT
    cf: str = SHORT  # context-free class, before neighbours are consulted
    headline_like: bool = False  # _headline_shaped, computed once in _make_lines


def _is_furniture(
    line: str, key: str, furn: Furniture, folded: str | None = None, text_mode: bool = False
) -> str:
    """Return a reason string if the line is page furniture, else ''.

    `text_mode` adds the rules that need a whole-page dump to be safe (figure captions,
    long trailing-off paragraphs kept); HTML mode's post-filter calls without it."""
    if not key:
        return "punctuation"
    if key in furn.exact:
        return "phrase"
    folded = (_fold(line) if folded is None else folded).lstrip(" \t*•-–—>»|#")
    prefix_re = furn.prefix_re.get(folded[:1])
    if prefix_re is not None and prefix_re.match(folded):
        return "prefix"
    if (
        len(line) <= furn.contains_max_chars
        and not furn.contains_triggers.isdisjoint(_WORD.findall(folded))
        and furn.contains_re.search(folded)
    ):
        return "contains"
    if _TIME_AGO.match(key) or _READ_TIME.match(key) or _CLOCK.match(key):
        return "time"
    if _COUNTER.match(line):
        return "counter"
    if _CAPTION_CREDIT.search(line[-80:]):  # end-anchored: the tail is enough
        return "caption"
    if (
        (not text_mode or len(line) < TEASER_MAX_CHARS)
        and _TEASER_END.search(line)
        and not line.rstrip().endswith(('"', "”", "»"))
    ):
        return "teaser"
    if text_mode and len(line) <= CAPTION_MAX_CHARS and (_FIGURE_LABEL.match(line) or _PHOTO_CREDIT_END.search(line)):
        return "caption"
    return ""


def is_furniture_line(line: str) -> bool:
    """True when a single line is furniture by phrase list or shape (no context used).

    HTML mode uses this to clean trafilatura's output; text mode uses the richer
    classifier below.
    """
    text = _clean_line(line)
    return bool(text) and bool(_is_furniture(text, _match_key(text), load_furniture()))


def _detect_stoplist(lines: list[str]) -> frozenset[str]:
    """Pick the jusText stoplist that covers most words of the longest lines."""
    sample: list[str] = []
    for line in sorted(lines, key=len, reverse=True)[:20]:
        sample.extend(w.lower() for w in _WORD.findall(line[:1000]))
        if len(sample) > 400:
            break
    if not sample:
        return frozenset()
    index = _stopword_index()
    names = list(_stoplists())
    counts = [0] * len(names)
    for w, c in Counter(sample).items():  # frequent words ("the") are looked up once
        for i in index.get(w, ()):
            counts[i] += c
    best = max(range(len(names)), key=counts.__getitem__)
    if counts[best] < MIN_STOP_COVERAGE * len(sample):
        return frozenset()
    return _stoplists()[names[best]]


UNWRAP_MIN_CHARS = 30  # a wrapped line is at least this long
_LAST_WORD = re.compile(r"([^\W\d_]+)[,]?$")


def unwrap_lines(lines: list[str], stoplist: frozenset[str]) -> list[str]:
    """Re-join paragraphs that the dump hard-wrapped (<br> line breaks, fixed-width
    text): a line that ends mid-sentence -- no closing punctuation and either a
    stopword as last word ("... auf dem") or a next line starting in lower case -- is
    continued by the next line."""
    out: list[str] = []
    for line in lines:
        if out and _continues(out[-1], line, stoplist):
            out[-1] = out[-1] + " " + line
        else:
            out.append(line)
    return out


def _continues(prev: str, line: str, stoplist: frozenset[str]) -> bool:
    """Is `line` the continuation of a hard-wrapped `prev`?"""
    if len(prev) < UNWRAP_MIN_CHARS or _SENTENCE_END.search(prev) or prev.endswith(("…", "|")):
        return False
    if line[:1].islower():
        return True
    # Ending on a stopword ("... auf dem") is only trusted between wrapped-width lines:
    # "... Accept all" followed by a short headline is a button, then the title.
    if len(prev) < UNWRAP_WIDTH or not (len(line) >= UNWRAP_WIDTH or _SENTENCE_END.search(line)):
        return False
    m = _LAST_WORD.search(prev)
    return bool(m) and m.group(1).islower() and m.group(1) in stoplist


UNWRAP_WIDTH = 50  # shortest line length treated as "wrapped at the text width"


def _make_lines(raw_lines: list[str], stoplist: frozenset[str]) -> list[_Line]:
    """Compute per-line features and the context-free class (jusText + text rules)."""
    furn = load_text_furniture()
    out: list[_Line] = []
    for i, text in enumerate(raw_lines):
        words = [w.lower() for w in _WORD.findall(text)]
        n = len(words)
        sd = (sum(map(stoplist.__contains__, words)) / n) if n and stoplist else 0.0
        folded = _fold(text)
        line = _Line(i, text, _match_key(text, folded), n, sd)
        reason = _is_furniture(text, line.key, furn, folded, text_mode=True)
        if reason:
            line.furniture, line.reason, line.cls = True, reason, BAD
        else:
            line.cls = _shape_class(line, bool(stoplist))
        line.headline_like = _headline_shaped(line)
        out.append(line)
    _mark_headline_runs(out)
    for line in out:
        line.cf = line.cls
    return out


def _shape_class(line: _Line, have_stoplist: bool) -> str:
    """jusText's context-free rule on length and stopword density."""
    length = len(line.text)
    if "©" in line.text:
        return BAD
    if length < LENGTH_LOW:
        return SHORT
    if not have_stoplist:  # unknown language: fall back to length and punctuation
        if length > LENGTH_HIGH and _TERMINAL.search(line.text):
            return GOOD
        return NEAR if _TERMINAL.search(line.text) else BAD
    if line.stop_density >= STOP_HIGH:
        return GOOD if length > LENGTH_HIGH else NEAR
    if line.stop_density >= STOP_LOW:
        return NEAR
    if line.stop_density >= STOP_SENTENCE and _sentence_shaped(line.text):
        # News prose dense with names ("the Russian-dominated Collective Security Treaty
        # Organization (CSTO)") falls under jusText's threshold; in a text dump a real
        # sentence is rarely navigation, so let the context decide instead.
        return NEAR
    return BAD


def _sentence_shaped(text: str) -> bool:
    """Starts like a sentence and ends with sentence punctuation."""
    return bool(_SENTENCE_START.match(text)) and bool(_SENTENCE_END.search(text))


HEADLINE_MIN_WORDS = 6
HEADLINE_MIN_RUN = 2
TITLE_CASE_MIN_WORDS = 2
TITLE_CASE_SHARE = 0.75
_CAPITALISED = re.compile(r"(?<![^\s\"'“‘«„(\[])[^\W\d_a-z]", re.UNICODE)


def _headline_shaped(line: _Line) -> bool:
    """A line that looks like a link to another article: several words, no full stop,
    or a Title Case Line Like Most Menu Entries And Teaser Headlines."""
    if _TERMINAL.search(line.text) or len(line.text) >= 220 or line.n_words > 30:
        return False
    if line.n_words >= HEADLINE_MIN_WORDS:
        return True
    if line.n_words >= TITLE_CASE_MIN_WORDS:
        caps = len(_CAPITALISED.findall(line.text))
        return caps >= TITLE_CASE_SHARE * line.n_words
    return False


def _mark_headline_runs(lines: list[_Line], min_run: int | None = None) -> None:
    """Runs of headline-shaped lines are link lists ('Explore', 'Most read'): bad."""
    min_run = HEADLINE_MIN_RUN if min_run is None else min_run
    i = 0
    while i < len(lines):
        if lines[i].furniture or not lines[i].headline_like:
            i += 1
            continue
        j = i
        while j < len(lines) and not lines[j].furniture and lines[j].headline_like:
            j += 1
        if j - i >= min_run:
            for k in range(i, j):
                lines[k].cls, lines[k].reason = BAD, "headline-list"
        i = j


# Furniture that sits *inside* articles (ad labels, "READ MORE:" links, share bars):
# when judging a borderline sentence these lines are looked through, not treated as
# the end of the article.
_INLINE_FURNITURE = frozenset({"phrase", "prefix"})


def _promote_prose_runs(lines: list[_Line], min_lines: int = 2, min_chars: int = 300) -> None:
    """Runs of borderline prose lines are an article written in short paragraphs.

    jusText needs at least one long 'good' paragraph as an anchor; blogs and wire
    copy often have none, so a run of near-good sentences (inline furniture such as
    an ad label may sit between them) is promoted to good as a whole.
    """
    run: list[int] = []

    def flush() -> None:
        if len(run) >= min_lines and sum(len(lines[k].text) for k in run) >= min_chars:
            for k in run:
                lines[k].cls = GOOD
        run.clear()

    for k, line in enumerate(lines):
        if line.cls == NEAR and _sentence_shaped(line.text):
            run.append(k)
        elif line.cls == GOOD and run:
            run.append(k)
        elif line.reason in _INLINE_FURNITURE or (line.cls == GOOD and not run):
            continue
        else:
            flush()
    flush()


def _neighbour(
    lines: list[_Line], i: int, step: int, ignore_near: bool, see_through: bool = False
) -> str:
    """jusText's neighbour lookup: the nearest good/bad class, 'bad' at the edges."""
    i += step
    while 0 <= i < len(lines):
        if see_through and lines[i].reason in _INLINE_FURNITURE:
            i += step
            continue
        c = lines[i].cls
        if c in (GOOD, BAD):
            return c
        if c == NEAR and not ignore_near:
            return c
        i += step
    return BAD


def _revise(lines: list[_Line]) -> None:
    """jusText's context-sensitive pass: short and near-good lines follow their neighbours."""
    j = 0
    while j < len(lines):
        if lines[j].cls != SHORT:
            j += 1
            continue
        start = j
        while j < len(lines) and lines[j].cls == SHORT:
            j += 1
        prev_n = _neighbour(lines, start, -1, True)
        next_n = _neighbour(lines, j - 1, 1, True)
        if prev_n == GOOD and next_n == GOOD:
            new = GOOD
        elif prev_n == BAD and next_n == BAD:
            new = BAD
        elif (prev_n == BAD and _neighbour(lines, start, -1, False) == NEAR) or (
            next_n == BAD and _neighbour(lines, j - 1, 1, False) == NEAR
        ):
            new = GOOD
        else:
            new = BAD
        for k in range(start, j):
            lines[k].cls = new
    near = [k for k, ln in enumerate(lines) if ln.cls == NEAR]
    decided = {k: (_neighbour(lines, k, -1, True, True), _neighbour(lines, k, 1, True, True)) for k in near}
    for k, (p, n) in decided.items():
        lines[k].cls = BAD if (p, n) == (BAD, BAD) else GOOD


# --------------------------------------------------------------------------------------
# Main region
# --------------------------------------------------------------------------------------


# Segment weights and cut-offs.  jusText's thresholds above are its authors' defaults;
# these were tuned on the even-id half of the trafilatura evaluation pages only (the odd
# half is held out; see bench/extraction_quality.py).
GOOD_WEIGHT = 1.0  # per character of a good line
FURNITURE_COST = 20.0  # per furniture line
SHORT_COST = 10.0  # per short plain line (label, list item, subheading)
BAD_COST_MIN = 20.0  # other bad lines cost their length, clipped to [min, max]
BAD_COST_MAX = 40.0
SECOND_FRAC = 0.3  # a second segment is kept when it scores >= this share of the main one
END_MARKER_MIN_CHARS = 400  # article text needed before an end marker may cut


def _score(line: _Line) -> float:
    """Per-line evidence for the max-sum segment: content earns its length, noise costs."""
    if line.cls == GOOD:
        return GOOD_WEIGHT * len(line.text)
    if line.furniture:
        return -FURNITURE_COST
    if line.cf == SHORT:
        return -SHORT_COST
    return -min(max(float(len(line.text)), BAD_COST_MIN), BAD_COST_MAX)


def _fallback_region(lines: list[_Line]) -> tuple[int, int] | None:
    """No good line at all (short-paragraph pages): let sentence-shaped, non-furniture
    lines of at least LENGTH_LOW/2 characters count as good and search again."""
    changed = False
    for ln in lines:
        if not ln.furniture and ln.reason == "" and len(ln.text) >= LENGTH_LOW // 2 and _sentence_shaped(ln.text):
            ln.cls, changed = GOOD, True
    return _main_region(lines) if changed else None


def _cut_at_end_marker(lines: list[_Line], start: int, end: int) -> int:
    """Cut the segment before a comment-section / author-box / related-list heading
    once enough article text precedes it (long comments look just like prose)."""
    markers = load_text_furniture().end_markers
    seen = 0
    for k in range(start, end + 1):
        ln = lines[k]
        key = _LEADING_COUNT.sub("", ln.key)  # "12 Kommentare" -> "kommentare"
        if seen >= END_MARKER_MIN_CHARS and (ln.key in markers or (key in markers and len(ln.text) < 40)):
            return max(start, k - 1)
        if ln.cls == GOOD:
            seen += len(ln.text)
    return end


_LEADING_COUNT = re.compile(r"^\d+\s+")


def _segment_sum(lines: list[_Line], a: int, b: int) -> float:
    """Total score of lines a..b (inclusive)."""
    return sum(_score(lines[k]) for k in range(a, b + 1))


def _secondary_segments(lines: list[_Line], region: tuple[int, int]) -> list[tuple[int, int]]:
    """Other strong segments (the rest of an article after a gallery or a fact box): the
    best segment before and after the main one, kept when its sum reaches SECOND_FRAC
    of the main segment's."""
    main = _segment_sum(lines, *region)
    out = []
    for lo, hi in ((0, region[0] - 1), (region[1] + 1, len(lines) - 1)):
        if hi < lo:
            continue
        seg = _main_region(lines[lo : hi + 1])
        if seg and _segment_sum(lines, seg[0] + lo, seg[1] + lo) >= SECOND_FRAC * main:
            out.append((seg[0] + lo, seg[1] + lo))
    return out


def _main_region(lines: list[_Line]) -> tuple[int, int] | None:
    """Maximum-sum contiguous segment of line scores (Kadane); None if nothing positive."""
    best, best_span = 0.0, None
    run, run_start = 0.0, 0
    for k, line in enumerate(lines):
        s = _score(line)
        if run <= 0:
            run, run_start = s, k
        else:
            run += s
        if run > best:
            best, best_span = run, (run_start, k)
    return best_span


# --------------------------------------------------------------------------------------
# Metadata
# --------------------------------------------------------------------------------------


def _safe_date(y: int, m: int, d: int) -> datetime.date | None:
    """A date, or None when the numbers do not form one (or are implausible)."""
    if not 1990 <= y <= 2100:
        return None
    try:
        return datetime.date(y, m, d)
    except ValueError:
        return None


def find_date(line: str) -> tuple[datetime.date, str, int] | None:
    """Parse the first date in a line; also return its source tag and the span length."""
    m = _ISO_DATE.search(line)
    if m:
        d = _safe_date(int(m[1]), int(m[2]), int(m[3]))
        if d:
            return d, "text:date-line", len(m[0])
    m = _MDY.search(line)
    if m:
        d = _safe_date(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
        if d:
            return d, "text:month-day-year", len(m[0])
    m = _DMY.search(line)
    if m:
        d = _safe_date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
        if d:
            return d, "text:day-month-year", len(m[0])
    m = _DOTTED.search(line)
    if m:
        d = _safe_date(int(m[3]), int(m[2]), int(m[1]))
        if d:
            return d, "text:day-month-year", len(m[0])
    return None


def _date_line(line: _Line) -> tuple[datetime.date, str] | None:
    """A date when the line is essentially a dateline (date plus a few label words)."""
    if len(line.text) > 120:
        return None
    found = find_date(line.text)
    if not found:
        return None
    d, src, _span = found
    rest_words = len(_WORD.findall(line.text)) - 3  # every date form is three word tokens
    if rest_words <= 5 or _DATE_LABEL.match(line.text):
        return d, src
    return None


def _byline(line: _Line) -> str | None:
    """Author name from a 'By Jane Doe' line (short lines only)."""
    if line.n_words > 12 or len(line.text) > 120:
        return None
    m = _BYLINE.match(line.text)
    if not m:
        return None
    name = m["name"].strip(" ,.-")
    return name or None


def _site_name(lines: list[str]) -> str | None:
    """Publisher from 'Published by\\n<name>' or a copyright line ('© 2022, paradox.')."""
    for i, text in enumerate(lines):
        m = _PUBLISHED_BY.match(text)
        if m:
            name = m["name"].strip(" :.,")
            if not name and i + 1 < len(lines):
                name = lines[i + 1].strip(" :.,")
            if name and len(name) <= 60 and len(name.split()) <= 6:
                return name
    for text in reversed(lines):
        if len(text) > 200:
            continue
        m = _COPYRIGHT.search(text)
        if m:
            name = re.sub(r"[\s,]+\d{4}(?:\s*[-–]\s*\d{4})?$", "", m["name"]).strip(" :.,-")
            if name and not re.match(r"(?i)all rights|alle rechte|tous droits", name):
                return name
    return None


def _title_candidate(line: _Line) -> bool:
    """Could this line be the headline? (substantive, not furniture, not a sentence run-on)."""
    if line.furniture or line.n_words < 3 or line.n_words > 30 or len(line.text) > 250:
        return False
    if line.text.endswith(".") and not line.text.endswith("..") and line.n_words > 12:
        return False
    if line.text.isupper() and line.n_words <= 4:
        return False
    if _date_line(line) or _byline(line):
        return False
    return True


TITLE_LOOKBACK = 12


def _pick_title(lines: list[_Line], start: int) -> int | None:
    """Index of the headline (see `_pick_title_rule`)."""
    return _pick_title_rule(lines, start)[0]


def _pick_title_rule(lines: list[_Line], start: int) -> tuple[int | None, str | None]:
    """Index of the headline and the rule that chose it, looking back over at most TITLE_LOOKBACK non-furniture
    lines before the article starts (nav menus sit further up): the last candidate that
    is followed by a standfirst-like sentence, else a repeated candidate, else the last
    one (bullet subheadings and captions between headline and text are not headlines)."""
    window: list[int] = []
    seen_plain = 0
    for k in range(start - 1, -1, -1):
        if lines[k].furniture:
            continue  # share bars and ad labels between headline and text do not count
        seen_plain += 1
        if seen_plain > TITLE_LOOKBACK:
            break
        if _title_candidate(lines[k]):
            window.insert(0, k)
    if not window:
        return None, None
    window_keys = {lines[k].key for k in window}
    seen: dict[str, int] = {}
    for ln in lines:
        if ln.key in window_keys:
            seen[ln.key] = seen.get(ln.key, 0) + 1
    for k in reversed(window):
        nxt = next((j for j in range(k + 1, start) if not lines[j].furniture), None)
        if nxt is not None and _standfirst_like(lines[nxt]):
            return k, "text:before-standfirst"
    for k in window:
        if seen[lines[k].key] > 1:
            return k, "text:repeated-line"
    return window[-1], "text:before-body"


STANDFIRST_MIN_WORDS = 8


def _standfirst_like(line: _Line) -> bool:
    """A sentence line of some length that may follow a headline (the lead/standfirst)."""
    return (
        not line.furniture
        and line.reason != "headline-list"
        and line.n_words >= STANDFIRST_MIN_WORDS
        and bool(_TERMINAL.search(line.text))
        and not _date_line(line)
        and not _byline(line)
    )


# --------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------


def split_lines(text: str) -> list[str]:
    """Non-empty, whitespace-normalised lines of a dump."""
    text = text[:MAX_INPUT_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for raw in text.split("\n"):
        line = _clean_line(raw)
        if line:
            out.append(line)
    return out


def extract_text_dump(text: str, line_model: bool = True) -> Extracted:
    """Split a page-text dump into title, article body, metadata and removed furniture.

    `line_model=False` keeps the lines the rules alone keep (textdump-3's bodies; the
    quality bench's same-run baseline).  Never raises on odd input: anything unusable
    yields body "".
    """
    if not isinstance(text, str) or not text.strip():
        return EMPTY
    # Broken packaged data is not odd input: load it here, outside the guard, so that a
    # missing or invalid file raises instead of turning every body into "".
    load_text_furniture()
    _stoplists()
    if line_model:
        load_line_model()
    try:
        return _extract(text, line_model)
    except Exception:  # noqa: BLE001 - the contract is "never raise on odd input"
        return EMPTY


@dataclass
class _Layout:
    """The rules' reading of a dump: classified lines, the article stretch they chose and
    the headline.  The line model (below) makes the final keep/drop call from it."""

    raw_lines: list[str]
    lines: list[_Line]
    has_stoplist: bool
    start: int | None = None  # article stretch (None: the rules found no article)
    end: int | None = None
    extra: list[tuple[int, int]] = field(default_factory=list)
    title_idx: int | None = None
    title_source: str | None = None
    rule_keep: list[bool] = field(default_factory=list)  # the rules' own keep decision
    in_segment: list[bool] = field(default_factory=list)
    headline: list[bool] = field(default_factory=list)  # the headline and its repeats: never body
    # lines of the stretch after a comment-section / related-list heading ("3 Comments"):
    # cut off by the rules, never brought back
    cut_off: tuple[int, int] | None = None


def _layout(raw_lines: list[str]) -> _Layout:
    """Run the rules: stoplist, unwrapping, line classes, neighbours, segment, headline."""
    stoplist = _detect_stoplist(raw_lines)
    raw_lines = unwrap_lines(raw_lines, stoplist)
    lines = _make_lines(raw_lines, stoplist)
    _promote_prose_runs(lines)
    _revise(lines)
    lay = _Layout(raw_lines, lines, bool(stoplist))
    region = _main_region(lines) or _fallback_region(lines)
    if region is None:
        n = len(lines)
        lay.rule_keep, lay.in_segment, lay.headline = [False] * n, [False] * n, [False] * n
        return lay
    start, end = region
    cut = _cut_at_end_marker(lines, start, end)
    lay.cut_off = (cut + 1, end) if cut < end else None
    end = cut
    title_idx, title_source = _pick_title_rule(lines, start)
    if title_idx is None and _title_candidate(lines[start]) and not _TERMINAL.search(lines[start].text):
        title_idx, start, title_source = start, start + 1, "text:first-body-line"
    if title_idx is not None:
        start = _extend_start(lines, title_idx, start)
    lay.start, lay.end, lay.extra = start, end, _secondary_segments(lines, region)
    lay.title_idx, lay.title_source = title_idx, title_source
    title_key = lines[title_idx].key if title_idx is not None else None
    for k, line in enumerate(lines):
        in_segment = start <= k <= end or any(a <= k <= b for a, b in lay.extra)
        headline = k == title_idx or line.key == title_key
        keep = in_segment and not line.furniture and line.cls == GOOD and not headline
        if keep and _policy_drops(line, k, start):
            keep = False
        lay.rule_keep.append(keep)
        lay.in_segment.append(in_segment)
        lay.headline.append(headline)
    return lay


def _extract(text: str, line_model: bool = True) -> Extracted:
    """The pipeline behind extract_text_dump (may raise; the caller guards)."""
    raw_lines = split_lines(text)
    if not raw_lines:
        return EMPTY
    lay = _layout(raw_lines)
    lines, raw_lines = lay.lines, lay.raw_lines
    site = _site_name(raw_lines)
    url = next((m[1] for t in raw_lines[:5] if (m := _URL_LINE.match(t))), None)
    keep = _model_keep(lay) if line_model else lay.rule_keep
    title_idx = lay.title_idx
    body: list[str] = []
    kept: list[int] = []
    removed: list[str] = []
    for k, line in enumerate(lines):
        if k == title_idx:
            continue
        if lay.headline[k]:  # a repeat of the headline is neither body nor evidence
            continue
        (body if keep[k] else removed).append(line.text)
        if keep[k]:
            kept.append(k)
    if lay.start is None:  # no article stretch: no headline or header metadata to read
        return Extracted(None, "\n\n".join(body), None, None, None, site, url, None, tuple(removed),
                         url_source="text:url-line" if url else None)
    start, end = lay.start, lay.end
    title = lines[title_idx].text if title_idx is not None else None
    header = lines[max(0, start - 15) : start] + lines[start : start + 3]
    published, date_source = _find_published(header, lines)
    byline = next((b for ln in header if (b := _byline(ln))), None)
    section, section_source = _find_section(lines, title_idx, start, end, site)
    subtitle = _standfirst(lines, title_idx, kept)
    return Extracted(
        title=title,
        body="\n\n".join(body),
        published=published,
        date_source=date_source,
        byline=byline,
        site_name=site,
        url=url,
        language=None,
        removed=tuple(removed),
        title_source=lay.title_source if title is not None else None,
        subtitle=subtitle,
        subtitle_source="text:standfirst" if subtitle else None,
        byline_source="text:byline" if byline else None,
        url_source="text:url-line" if url else None,
        section=section,
        section_source=section_source,
    )


# --------------------------------------------------------------------------------------
# Line model: the final keep/drop call
# --------------------------------------------------------------------------------------
#
# The rules above read a dump the way jusText does and pick one article stretch; on
# unseen pages they keep too little of short-paragraph articles and let some furniture
# through.  A small tree ensemble (resources/textdump/line_model.json, made by
# bench/train_line_model.py on the even-id half of the trafilatura evaluation pages,
# with HTML mode's bodies and the pages' must/must-not snippets as labels) makes the
# final call per line from the rules' own decisions and the shape of the line and of
# its neighbours: it learns where the rules go wrong, it does not replace them.

_REASONS = ("phrase", "prefix", "contains", "time", "counter", "caption", "teaser", "headline-list", "punctuation")
_CLASSES = (GOOD, BAD, SHORT, NEAR)
NEIGHBOUR_OFFSETS = (-3, -2, -1, 1, 2, 3)
SHAPE_CHARS = 300  # character shares are read on a line's first 300 characters
_BULLET_START = "•*-–—·>»#"
_URLISH = re.compile(r"https?://|www\.|@|\.com\b")
LINE_BASE_FEATURES = (
    ("log_chars", "log_words", "stop_density", "rule_keep", "in_segment", "furniture")
    + tuple(f"cls_{c}" for c in _CLASSES)
    + tuple(f"cf_{c}" for c in _CLASSES)
    + tuple(f"reason_{r}" for r in _REASONS)
    + ("sentence_end", "terminal", "sentence_start", "headline_shaped", "digit_share", "has_bar",
       "has_copyright", "log_repeats", "upper_share", "chars_per_word", "commas_per_word",
       "bullet_start", "digit_start", "urlish", "caps_per_word")
)
LINE_PAGE_FEATURES = (
    "position", "is_title", "from_start", "from_end", "before_start", "after_end", "log_lines",
    "rule_keep_share", "has_stoplist", "kept_chars_before", "lines_since_kept", "lines_to_kept",
    "log_kept_chars", "from_title",
)


def line_feature_names() -> tuple[str, ...]:
    """Column names of `line_features`, in order (the model file must list the same)."""
    names = list(LINE_BASE_FEATURES)
    for d in NEIGHBOUR_OFFSETS:
        names += [f"{b}@{d:+d}" for b in LINE_BASE_FEATURES] + [f"exists@{d:+d}"]
    return tuple(names) + LINE_PAGE_FEATURES


_N_FEATURES = len(line_feature_names())


def _char_shares(heads: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per line: share of ASCII digits among its characters, and of cased capitals --
    characters that str.lower() changes -- among its non-space characters (one numpy
    pass over all lines' heads)."""
    joined = "\n".join(heads)
    cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    lowered = joined.lower()
    if len(lowered) == len(joined):
        upper = cps != np.frombuffer(lowered.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    else:  # lower() changed a length ("İ" -> "i̇"): the same test, character by character
        upper = np.fromiter((c.lower() != c for c in joined), dtype=bool, count=len(joined))
    digit = (cps - 48) < 10  # unsigned: only '0'..'9'
    starts = np.cumsum([0] + [len(h) + 1 for h in heads[:-1]])
    digits = np.add.reduceat(digit, starts) if len(cps) else np.zeros(len(heads))
    uppers = np.add.reduceat(upper, starts) if len(cps) else np.zeros(len(heads))
    lengths = np.array([len(h) for h in heads], dtype=np.float64)
    spaces = np.array([h.count(" ") for h in heads], dtype=np.float64)
    # reduceat gives the element itself for an empty slice: lines are never empty here
    return digits / np.maximum(lengths, 1.0), uppers / np.maximum(lengths - spaces, 1.0)


_REASON_CODE = {r: i for i, r in enumerate(_REASONS)}
_CLASS_CODE = {c: i for i, c in enumerate(_CLASSES)}


def _line_flags(ln: _Line) -> tuple:
    """The per-line tests of LINE_BASE_FEATURES that need Python (one call per line)."""
    t = ln.text
    tail = t[-3:]  # lines are stripped: the end-anchored patterns need only the tail
    head = t[:SHAPE_CHARS]
    return (
        _SENTENCE_END.search(tail) is not None,
        _TERMINAL.search(tail) is not None,
        _SENTENCE_START.match(t) is not None,
        ln.reason == "headline-list" or ln.headline_like,
        "|" in t,
        "©" in t,
        t[:1] in _BULLET_START,
        t[:1].isdigit(),
        _URLISH.search(head) is not None,
        len(_CAPITALISED.findall(head)),
        t.count(","),
        len(head.split()) or 1,
        len(head) - head.count(" "),
    )


def _base_columns(lay: _Layout) -> np.ndarray:
    """LINE_BASE_FEATURES for every line of the layout (columns in that order)."""
    lines = lay.lines
    n = len(lines)
    heads = [ln.text[:SHAPE_CHARS] for ln in lines]
    flags = np.array([_line_flags(ln) for ln in lines], dtype=np.float64).reshape(n, 13)
    head_words = flags[:, 11]
    words = np.array([ln.n_words or 1 for ln in lines], dtype=np.float64)
    repeats = Counter(ln.key for ln in lines)
    digit_share, upper_share = _char_shares(heads)
    eye_cls, eye_reason = np.eye(len(_CLASSES)), np.vstack([np.eye(len(_REASONS)), np.zeros(len(_REASONS))])
    cols = np.column_stack([
        np.log1p([len(ln.text) for ln in lines]),
        np.log1p([ln.n_words for ln in lines]),
        [ln.stop_density for ln in lines],
        lay.rule_keep,
        lay.in_segment,
        [ln.furniture for ln in lines],
        eye_cls[[_CLASS_CODE[ln.cls] for ln in lines]].reshape(n, -1),
        eye_cls[[_CLASS_CODE[ln.cf] for ln in lines]].reshape(n, -1),
        eye_reason[[_REASON_CODE.get(ln.reason, -1) for ln in lines]].reshape(n, -1),
        flags[:, 0:4],
        digit_share,
        flags[:, 4:6],
        np.log1p([repeats[ln.key] - 1 for ln in lines]),
        upper_share,
        flags[:, 12] / head_words,
        flags[:, 10] / words,
        flags[:, 6:9],
        flags[:, 9] / head_words,
    ]).astype(np.float64)
    return cols.reshape(n, len(LINE_BASE_FEATURES))


def line_features(lay: _Layout) -> np.ndarray:
    """One row of `line_feature_names()` per line of the layout."""
    lines = lay.lines
    n = len(lines)
    out = np.zeros((n, _N_FEATURES))
    if n == 0:
        return out
    B = _base_columns(lay)
    width = B.shape[1]
    out[:, :width] = B
    col = width
    for d in NEIGHBOUR_OFFSETS:  # line i's neighbour i+d, zeros (and exists 0) off the page
        lo, hi = max(0, -d), min(n, n - d)
        if lo < hi:
            out[lo:hi, col : col + width] = B[lo + d : hi + d]
            out[lo:hi, col + width] = 1.0
        col += width + 1
    idx = np.arange(n)
    keep = np.array(lay.rule_keep, dtype=np.float64)
    kept_chars = np.cumsum(keep * np.array([len(ln.text) for ln in lines], dtype=np.float64))
    total = kept_chars[-1] if n else 0.0
    kept_idx = np.flatnonzero(keep)
    far = 50.0
    if len(kept_idx):
        before = np.searchsorted(kept_idx, idx)
        since = np.where(before > 0, idx - kept_idx[np.maximum(before - 1, 0)], far)
        after = np.searchsorted(kept_idx, idx, side="right")
        until = np.where(after < len(kept_idx), kept_idx[np.minimum(after, len(kept_idx) - 1)] - idx, far)
    else:
        since = until = np.full(n, far)
    zeros = np.zeros(n)
    s, e, ti = lay.start, lay.end, lay.title_idx
    page = np.column_stack([
        idx / max(n - 1, 1),
        (idx == ti).astype(np.float64) if ti is not None else zeros,
        (idx - s) / n if s is not None else zeros,
        (idx - e) / n if e is not None else zeros,
        (idx < s).astype(np.float64) if s is not None else zeros,
        (idx > e).astype(np.float64) if e is not None else zeros,
        np.full(n, math.log1p(n)),
        np.full(n, keep.sum() / max(n, 1)),
        np.full(n, float(lay.has_stoplist)),
        kept_chars / max(total, 1.0),
        np.minimum(since, far),
        np.minimum(until, far),
        np.full(n, math.log1p(total)),
        (idx - ti) / n if ti is not None else zeros,
    ])
    out[:, col:] = page
    return out


@functools.lru_cache(maxsize=1)
def load_line_model() -> linemodel.TreeEnsemble:
    """The packaged line model, checked against this module's feature columns."""
    model = linemodel.load(*LINE_MODEL_FILE)
    if model.version != LINE_MODEL_VERSION:
        raise ResourceError(
            "transforms/resources/" + "/".join(LINE_MODEL_FILE)
            + f": version {model.version!r}, but transforms.textdump expects {LINE_MODEL_VERSION!r}"
        )
    if model.meta.get("rules") != TEXTDUMP_RULES_VERSION:
        raise ResourceError(
            "transforms/resources/" + "/".join(LINE_MODEL_FILE)
            + f": trained on the rules {model.meta.get('rules')!r}, these are {TEXTDUMP_RULES_VERSION!r}; retrain it"
        )
    if set(model.thresholds) != {"rules_kept", "rules_dropped"}:
        raise ResourceError(
            "transforms/resources/" + "/".join(LINE_MODEL_FILE) + ": thresholds must be rules_kept and rules_dropped"
        )
    if model.feature_names != line_feature_names():
        raise ResourceError(
            "transforms/resources/" + "/".join(LINE_MODEL_FILE)
            + ": its feature columns do not match transforms.textdump.line_feature_names(); retrain it "
            "with bench/train_line_model.py"
        )
    return model


def line_keep_probability(lay: _Layout) -> np.ndarray:
    """The line model's probability that each line is article text."""
    if not lay.lines:
        return np.zeros(0)
    return load_line_model().predict_proba(line_features(lay))


def _policy_drops(line: _Line, k: int, start: int, cut_off: tuple[int, int] | None = None) -> bool:
    """The body policy's own drops: a date line, a byline at the head of the article
    (within 3 lines of its start), a line the end-marker cut removed."""
    if cut_off is not None and cut_off[0] <= k <= cut_off[1]:
        return True
    return bool(_date_line(line)) or (k - start < 3 and bool(_byline(line)))


# Pages with more lines than this are left to the rules alone: the feature matrix is
# lines x ~280 floats, and real pages have far fewer (the largest of the 990 evaluation
# dumps has 6,574 lines); a hostile dump of a million one-word lines must not cost GBs.
MODEL_MAX_LINES = 10_000


def policy_mask(lay: _Layout) -> np.ndarray:
    """Lines the body policy allows at all (see keep_lines): not the headline or a
    repeat of it, not a date line, not a byline at the article's head, not a line the
    rules cut off at a comment-section or related-list heading."""
    if lay.start is None:
        return np.zeros(len(lay.lines), dtype=bool)
    return np.array([not lay.headline[k] and not _policy_drops(ln, k, lay.start, lay.cut_off)
                     for k, ln in enumerate(lay.lines)], dtype=bool)


def keep_lines(
    lay: _Layout, p: np.ndarray, kept: float, dropped: float, allowed: np.ndarray | None = None
) -> list[bool]:
    """Final keep decision per line, given the model's probabilities `p`.

    * No article stretch found by the rules (`lay.start is None`): nothing is kept; the
      model only corrects the rules' reading of an article, it does not find one where
      the rules saw none (on such pages it keeps menus and result tables).
    * Otherwise a line the rules kept stays when its probability reaches `kept`, a line
      they dropped comes back when it reaches `dropped` (the model file's two
      thresholds, chosen by bench/train_line_model.py); then the body policy
      (`policy_mask`; pass it as `allowed` when deciding one page many times).
    * The model never empties a body the rules found: it learnt from whole web pages,
      and a short clean text (two paragraphs, no page around them) is outside that.
    """
    if lay.start is None:
        return [False] * len(lay.lines)
    rule_keep = np.array(lay.rule_keep, dtype=bool)
    candidate = np.asarray(p) >= np.where(rule_keep, kept, dropped)
    if allowed is None:  # the policy only for the candidates: most lines are not
        keep = [bool(c) and not lay.headline[k] and not _policy_drops(ln, k, lay.start, lay.cut_off)
                for k, (c, ln) in enumerate(zip(candidate, lay.lines))]
    else:
        keep = (candidate & allowed).tolist()
    return keep if any(keep) or not rule_keep.any() else list(lay.rule_keep)


def _model_keep(lay: _Layout) -> list[bool]:
    """keep_lines with the packaged model; the rules alone for huge or article-less pages."""
    if lay.start is None or len(lay.lines) > MODEL_MAX_LINES:
        return list(lay.rule_keep)
    t = load_line_model().thresholds
    return keep_lines(lay, line_keep_probability(lay), t["rules_kept"], t["rules_dropped"])


def _extend_start(lines: list[_Line], title_idx: int, start: int) -> int:
    """Pull a standfirst into the body: sentence-like, non-furniture lines between the
    headline and the segment belong to the article, so the body starts at the first."""
    for k in range(title_idx + 1, start):
        ln = lines[k]
        if ln.furniture or ln.key == lines[title_idx].key or _date_line(ln) or _byline(ln):
            continue
        if _standfirst_like(ln):
            for j in range(k, start):
                if lines[j].cls != BAD and not lines[j].furniture:
                    lines[j].cls = GOOD
            lines[k].cls = GOOD
            return k
    return start


def _find_published(header: Iterable[_Line], lines: list[_Line]) -> tuple[datetime.date | None, str | None]:
    """First dateline in the header zone, else a labelled date line anywhere."""
    for ln in header:
        found = _date_line(ln)
        if found:
            return found
    for ln in lines:
        if _DATE_LABEL.match(ln.text):
            found = _date_line(ln)
            if found:
                return found
    return None, None


# --------------------------------------------------------------------------------------
# Subtitle (standfirst) and section
# --------------------------------------------------------------------------------------

STANDFIRST_MAX_CHARS = 400


def _header_line(line: _Line, title_key: str | None) -> bool:
    """Page furniture that separates a standfirst from the article: a repeat of the
    headline, a dateline, a byline, a photo caption or a reading-time label."""
    return (
        (title_key is not None and line.key == title_key)
        or line.reason in ("caption", "time")
        or bool(_date_line(line))
        or bool(_byline(line))
    )


def _standfirst(lines: list[_Line], title_idx: int | None, kept: list[int]) -> str | None:
    """The standfirst: the first body paragraph when it directly follows the headline
    and is set apart from the rest of the article by header furniture (a repeated
    headline, dateline, byline or caption), as on most news pages.  A first paragraph
    that runs straight on into the second is the lead, not a standfirst: None."""
    if title_idx is None or len(kept) < 2 or kept[0] < title_idx:
        return None
    first, second = kept[0], kept[1]
    line = lines[first]
    if len(line.text) > STANDFIRST_MAX_CHARS or not _standfirst_like(line):
        return None
    title_key = lines[title_idx].key
    if not all(lines[k].furniture or _header_line(lines[k], title_key) for k in range(title_idx + 1, first)):
        return None
    between = range(first + 1, second)
    if not between or not all(_header_line(lines[k], title_key) for k in between):
        return None
    return line.text


# "Categories: WORLD", "Section: Politics", "Rubrik: Ausland", "Posted in Business"
_SECTION_LABEL = re.compile(
    r"^(?:(?:categor(?:y|ies)|sections?|rubri(?:k|que|ca)|kategorie[n]?|ressort|catégories?|"
    r"categor[ií]as?|secci[oó]n|sezione|seção|kategori|bölüm|рубрик[аи]|раздел)\s*:"
    r"|(?:posted|filed)\s+(?:in|under)\s*:?|veröffentlicht in|publié dans)\s*"
    r"(?P<value>[^\W\d_].{0,80})$",
    re.IGNORECASE,
)
# Breadcrumb separators: hierarchical ones may chain several levels; "|" and "/" also
# separate menu entries, so with them only "<root> | <section>" counts.
_CRUMB_HIER = re.compile(r"\s+(?:›|»|>|→|/\s*>)\s+|\s*[›»→]\s*")
_CRUMB_FLAT = re.compile(r"\s+[|/]\s+")
_CRUMB_ROOTS = frozenset(
    "home homepage start startseite accueil inicio portada home page news nachrichten "
    "noticias actualités actualites notizie notícias главная новости anasayfa haberler "
    "front page frontpage index".split()
)
SECTION_MAX_CHARS = 40
SECTION_MAX_WORDS = 4
# Words left on a dateline that are not a section label ("2022-01-08 10:00 GMT").
_DATELINE_WORDS = frozenset(
    "am pm gmt utc cet cest est edt pst pdt msk ist bst et pt uhr updated published date dated".split()
)
_WEEKDAYS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun".split()
)


def _section_value(text: str) -> str | None:
    """A plausible section name: a short label, not a sentence; the first of a list."""
    value = re.split(r"\s*[,;|]\s*|\s+[/·•]\s+", text.strip())[0].strip(" :.-–—|»›>")
    words = _WORD.findall(value)
    if not words or len(value) > SECTION_MAX_CHARS or len(words) > SECTION_MAX_WORDS:
        return None
    if _TERMINAL.search(value) or not value[0].isalpha():
        return None
    return value


def _breadcrumb(line: _Line, title_key: str | None) -> str | None:
    """The section in a breadcrumb line: 'Home › World › Asia' -> 'World' (the first
    level below the site root), 'News | Politics' -> 'Politics'."""
    text = line.text
    if len(text) > 120 or _TERMINAL.search(text.rstrip("›»>→")):
        return None
    parts = [p.strip() for p in _CRUMB_HIER.split(text)]
    if len(parts) < 2:
        flat = [p.strip() for p in _CRUMB_FLAT.split(text)]
        if len(flat) != 2 or _fold(flat[0]) not in _CRUMB_ROOTS:
            return None
        parts = flat
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return None
    if title_key is not None and parts and _match_key(parts[-1]) == title_key:
        parts = parts[:-1]  # the crumb trail ends with the headline itself
    if len(parts) > 6 or not parts or any(len(_WORD.findall(p)) > SECTION_MAX_WORDS for p in parts):
        return None
    if _fold(parts[0]) not in _CRUMB_ROOTS and len(parts) < 3 and not _CRUMB_HIER.search(text):
        return None
    rest = [p for p in parts if _fold(p) not in _CRUMB_ROOTS]
    return _section_value(rest[0]) if rest else None


def _dateline_label(line: _Line) -> str | None:
    """An upper-case section label sharing the dateline: 'date 2022-01-08 WORLD'."""
    if not _date_line(line):
        return None
    rest = line.text
    for pattern in (_ISO_DATE, _MDY, _DMY, _DOTTED):
        rest = pattern.sub(" ", rest)
    rest = re.sub(r"\b\d{1,2}[:.]\d{2}\b", " ", rest)
    words = [w for w in _WORD.findall(rest) if w.lower() not in _DATELINE_WORDS and not w.isdigit()]
    if not 1 <= len(words) <= 2 or not all(w.isupper() and len(w) >= 3 and w.isalpha() for w in words):
        return None
    if any(w.lower() in _WEEKDAYS or w.lower() in _MONTHS for w in words):
        return None
    return " ".join(words)


# Ad labels: a short line between one of these and the headline is a section label
# ("Advertisements / Politics / <headline>").  Under other furniture ("Home",
# "Kontakt", "Impressum") it is most often the last entry of a menu: on the
# trafilatura evaluation pages that looser rule was wrong more often than right.
_AD_LABELS = frozenset(
    "advertisement advertisements anzeige werbung publicité publicite publicidad pubblicità "
    "pubblicita sponsored реклама reklama".split()
)


def _label_above_title(lines: list[_Line], title_idx: int, site: str | None) -> str | None:
    """A section label on the line right above the headline ('Politics'), when the line
    above that is an ad label."""
    k = title_idx - 1
    if k < 1:
        return None  # a page's first line is its logo or site name more often than not
    label, above = lines[k], lines[k - 1]
    if label.furniture or label.n_words > 3 or len(label.text) > 30 or not label.text[:1].isupper():
        return None
    if _date_line(label) or _byline(label) or _fold(label.text) in _CRUMB_ROOTS:
        return None
    if site and _match_key(site) == label.key:
        return None
    if not (above.furniture and above.key in _AD_LABELS):
        return None
    return _section_value(label.text)


SECTION_HEADER_LINES = 15  # how far above the headline/article a section label is looked for
SECTION_TRAILER_LINES = 10  # how far below the article "Posted in ..." is looked for


def _find_section(
    lines: list[_Line], title_idx: int | None, start: int, end: int, site: str | None
) -> tuple[str | None, str | None]:
    """Section/category from the page text: a labelled line ('Categories: WORLD') above
    the article or just below it, a breadcrumb above it, an upper-case label on the
    dateline, else a label line right above the headline."""
    top = title_idx if title_idx is not None else start
    header = range(top - 1, max(-1, top - 1 - SECTION_HEADER_LINES), -1)  # nearest first
    trailer = range(end + 1, min(len(lines), end + 1 + SECTION_TRAILER_LINES))
    for k in [*header, *trailer]:
        m = _SECTION_LABEL.match(lines[k].text)
        if m and (value := _section_value(m["value"])):
            return value, "text:label"
    title_key = lines[title_idx].key if title_idx is not None else None
    for k in header:
        if value := _breadcrumb(lines[k], title_key):
            return value, "text:breadcrumb"
    for k in [*header, *range(top + 1, min(len(lines), start + 3))]:
        if value := _dateline_label(lines[k]):
            return value, "text:date-line"
    if title_idx is not None and (value := _label_above_title(lines, title_idx, site)):
        return value, "text:above-title"
    return None, None
