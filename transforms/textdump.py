"""Article extraction from page-text dumps (text mode).

A page-text dump is the whole visible text of a web page, one block per line: the
article, but also navigation, cookie banners, share bars, related-article teasers,
comment forms and copyright footers.  There is no DOM left, so boilerplate has to be
recognised from the text alone:

* line shape   -- length, stopword density (jusText stoplists), terminal punctuation,
                  truncated teasers ("…"), caption credits ("/ Reuters"),
                  relative times ("7 hours ago"), runs of headline-shaped lines;
* known phrases -- furniture phrases in several languages (resources/furniture.yaml);
* context      -- jusText's neighbour rules: short or borderline lines take the class
                  of the content around them;
* position     -- the article is one contiguous stretch of the page: a maximum-sum
                  segment over per-line scores drops good-looking islands far away
                  from it (footer legal text, comment threads, teaser lists).

Metadata (title, date, byline, site name) is read from the lines around that
stretch.  Everything is a pure function of the input string; the only I/O is reading
packaged resources (the furniture list and jusText's stoplists) once, lazily.
"""

from __future__ import annotations

import datetime
import functools
import importlib.resources
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

import yaml

TEXTDUMP_VERSION = "textdump-1"

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
    prefix_re: re.Pattern[str]
    contains_re: re.Pattern[str]


def _validated_phrases(doc: dict, key: str) -> list[str]:
    """Return the phrase list under `key`, raising on a malformed resource file."""
    items = doc.get(key)
    if not isinstance(items, list) or not all(isinstance(x, str) and x.strip() for x in items):
        raise ValueError(f"furniture.yaml: '{key}' must be a list of non-empty strings")
    return items


@functools.cache
def load_furniture() -> Furniture:
    """Load resources/furniture.yaml once; a broken file is a packaging bug, so raise."""
    raw = importlib.resources.files("transforms").joinpath("resources/furniture.yaml").read_text("utf-8")
    doc = yaml.safe_load(raw)
    if not isinstance(doc, dict) or "version" not in doc:
        raise ValueError("furniture.yaml: expected a mapping with a 'version' key")
    max_chars = doc.get("contains_max_chars", 400)
    if not isinstance(max_chars, int) or max_chars <= 0:
        raise ValueError("furniture.yaml: 'contains_max_chars' must be a positive integer")
    exact = frozenset(_match_key(p) for p in _validated_phrases(doc, "exact"))
    prefix = tuple(sorted({_fold(p).strip() for p in _validated_phrases(doc, "prefix")}))
    contains = tuple(sorted({_fold(p).strip() for p in _validated_phrases(doc, "contains")}))
    return Furniture(
        str(doc["version"]), exact, prefix, contains, max_chars, _alternation(prefix, True), _alternation(contains, False)
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
_EDGE_DECOR = re.compile(r"^[\s\W_]+|[\s:»›>|…·.!?\-–—/\\*•●▪►▶#_]+$", re.UNICODE)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


def _fold(s: str) -> str:
    """Lower-case and fold typographic variants so phrase lists match real pages."""
    if not s.isascii():
        s = s.translate(_FOLD_TABLE)
    return _WS.sub(" ", s).lower()


def _match_key(s: str, folded: str | None = None) -> str:
    """Key for whole-line phrase matching: folded, edge punctuation stripped."""
    return _EDGE_DECOR.sub("", _fold(s) if folded is None else folded).strip()


def _clean_line(line: str) -> str:
    """Collapse whitespace and drop control/format characters that break matching."""
    line = line[:MAX_LINE_CHARS]
    line = "".join(ch for ch in line if ch in "\t" or unicodedata.category(ch)[0] != "C") if _HAS_CTRL.search(line) else line
    return _WS.sub(" ", line.replace("\u00a0", " ")).strip()


_HAS_CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


# --------------------------------------------------------------------------------------
# Line shape patterns
# --------------------------------------------------------------------------------------

_TERMINAL = re.compile(r"""[.!?。！？;:"'”’»)\]]\s*$""")
_SENTENCE_START = re.compile(r"""^[\"'“‘«„(\[]?[^\W_a-z]""")
_SENTENCE_END = re.compile(r"""[.!?。！？]["'”’»)\]]?\s*$""")
_TEASER_END = re.compile(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\])\s*$")
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


def _is_furniture(line: str, key: str, furn: Furniture, folded: str | None = None) -> str:
    """Return a reason string if the line is page furniture, else ''."""
    if not key:
        return "punctuation"
    if key in furn.exact:
        return "phrase"
    folded = (_fold(line) if folded is None else folded).lstrip(" \t*•-–—>»|#")
    if furn.prefix_re.match(folded):
        return "prefix"
    if len(line) <= furn.contains_max_chars and furn.contains_re.search(folded):
        return "contains"
    if _TIME_AGO.match(key) or _READ_TIME.match(key) or _CLOCK.match(key):
        return "time"
    if _COUNTER.match(line):
        return "counter"
    if _CAPTION_CREDIT.search(line):
        return "caption"
    if _TEASER_END.search(line) and not line.rstrip().endswith(('"', "”", "»")):
        return "teaser"
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
    for w in sample:
        for i in index.get(w, ()):
            counts[i] += 1
    best = max(range(len(names)), key=counts.__getitem__)
    if counts[best] < MIN_STOP_COVERAGE * len(sample):
        return frozenset()
    return _stoplists()[names[best]]


def _make_lines(raw_lines: list[str], stoplist: frozenset[str]) -> list[_Line]:
    """Compute per-line features and the context-free class (jusText + text rules)."""
    furn = load_furniture()
    out: list[_Line] = []
    for i, text in enumerate(raw_lines):
        words = [w.lower() for w in _WORD.findall(text)]
        n = len(words)
        sd = (sum(w in stoplist for w in words) / n) if n and stoplist else 0.0
        folded = _fold(text)
        line = _Line(i, text, _match_key(text, folded), n, sd)
        reason = _is_furniture(text, line.key, furn, folded)
        if reason:
            line.furniture, line.reason, line.cls = True, reason, BAD
        else:
            line.cls = _shape_class(line, bool(stoplist))
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


def _headline_shaped(line: _Line) -> bool:
    """A line that looks like a link to another article: several words, no full stop."""
    return 4 <= line.n_words <= 30 and not _TERMINAL.search(line.text) and len(line.text) < 220


def _mark_headline_runs(lines: list[_Line], min_run: int = 3) -> None:
    """Runs of headline-shaped lines are link lists ('Explore', 'Most read'): bad."""
    i = 0
    while i < len(lines):
        if lines[i].furniture or not _headline_shaped(lines[i]):
            i += 1
            continue
        j = i
        while j < len(lines) and not lines[j].furniture and _headline_shaped(lines[j]):
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


# Max-sum segment weights (tuned on even-id pages of the trafilatura eval set only).
GOOD_WEIGHT = 1.0      # per character of a good line
FURNITURE_COST = 20.0  # per furniture line
BAD_COST_MIN = 20.0    # other bad lines cost their length, clipped to [min, max]
BAD_COST_MAX = 40.0
NEAR_WEIGHT = 0.0  # per character of a line that was near-good before context
SHORT_COST = 10.0  # a short plain line (label, list item, subheading)
KEEP_IN_REGION = "good"  # "good": only good lines; "plain": any non-furniture line


def _score(line: _Line) -> float:
    """Per-line evidence for the max-sum segment: content earns its length, noise costs."""
    if line.cls == GOOD:
        return GOOD_WEIGHT * len(line.text)
    if NEAR_WEIGHT and line.cf == NEAR and line.reason == "":
        return NEAR_WEIGHT * len(line.text)
    if line.furniture:
        return -FURNITURE_COST
    if line.cf == SHORT:
        return -SHORT_COST
    return -min(max(float(len(line.text)), BAD_COST_MIN), BAD_COST_MAX)


NO_GOOD_FALLBACK = True


def _fallback_region(lines: list[_Line]) -> tuple[int, int] | None:
    """No good line at all (short-paragraph pages): let sentence-shaped, non-furniture
    lines of at least LENGTH_LOW/2 characters count as good and search again."""
    changed = False
    for ln in lines:
        if not ln.furniture and ln.reason == "" and len(ln.text) >= LENGTH_LOW // 2 and _sentence_shaped(ln.text):
            ln.cls, changed = GOOD, True
    return _main_region(lines) if changed else None


def _keep_in_region(line: _Line) -> bool:
    """Inside the article segment: good lines, or (policy "plain") any plain line."""
    if line.cls == GOOD:
        return True
    return KEEP_IN_REGION == "plain" and line.reason == ""


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
    d, src, span = found
    rest_words = len(_WORD.findall(line.text)) - (3 if src != "text:date-line" else 3)
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
    """Index of the headline: a repeated candidate near the top, else the last one before
    the article starts, looking back over at most TITLE_LOOKBACK non-furniture lines
    (nav menus sit further up)."""
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
        return None
    window_keys = {lines[k].key for k in window}
    seen: dict[str, int] = {}
    for ln in lines:
        if ln.key in window_keys:
            seen[ln.key] = seen.get(ln.key, 0) + 1
    for k in window:
        if seen[lines[k].key] > 1:
            return k
    return window[-1]


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


def extract_text_dump(text: str) -> Extracted:
    """Split a page-text dump into title, article body, metadata and removed furniture.

    Never raises on odd input: anything unusable yields body "".
    """
    if not isinstance(text, str) or not text.strip():
        return EMPTY
    try:
        return _extract(text)
    except (RecursionError, MemoryError, ValueError, IndexError, KeyError, TypeError):
        return EMPTY


def _extract(text: str) -> Extracted:
    """The pipeline behind extract_text_dump (may raise; the caller guards)."""
    raw_lines = split_lines(text)
    if not raw_lines:
        return EMPTY
    stoplist = _detect_stoplist(raw_lines)
    lines = _make_lines(raw_lines, stoplist)
    _promote_prose_runs(lines)
    _revise(lines)
    region = _main_region(lines)
    if region is None and NO_GOOD_FALLBACK:
        region = _fallback_region(lines)
    site = _site_name(raw_lines)
    url = next((m[1] for t in raw_lines[:5] if (m := _URL_LINE.match(t))), None)
    if region is None:
        return Extracted(None, "", None, None, None, site, url, None, tuple(raw_lines))
    start, end = region
    title_idx = _pick_title(lines, start)
    if title_idx is None and _title_candidate(lines[start]) and not _TERMINAL.search(lines[start].text):
        title_idx, start = start, start + 1
    if title_idx is not None:
        start = _extend_start(lines, title_idx, start)
    title = lines[title_idx].text if title_idx is not None else None
    title_key = lines[title_idx].key if title_idx is not None else None
    header = lines[max(0, start - 15) : start] + lines[start : start + 3]
    published, date_source = _find_published(header, lines)
    byline = next((b for ln in header if (b := _byline(ln))), None)

    body: list[str] = []
    removed: list[str] = []
    for k, line in enumerate(lines):
        if k == title_idx:
            continue
        keep = start <= k <= end and not line.furniture and _keep_in_region(line)
        if line.key == title_key:
            keep = False
            if k != title_idx:
                continue
        if keep and (_date_line(line) or (_byline(line) and k - start < 3)):
            keep = False
        (body if keep else removed).append(line.text)
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
    )


def _extend_start(lines: list[_Line], title_idx: int, start: int) -> int:
    """Pull a standfirst into the body: sentence-like, non-furniture lines between the
    headline and the segment belong to the article, so the body starts at the first."""
    for k in range(title_idx + 1, start):
        ln = lines[k]
        if ln.furniture or ln.key == lines[title_idx].key or _date_line(ln) or _byline(ln):
            continue
        if _TERMINAL.search(ln.text) and ln.n_words >= 8 and ln.reason != "headline-list":
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
