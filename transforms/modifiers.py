"""Actor modifiers: the adjectives an outlet puts in front of the people it describes.

"radical protesters", "peaceful protesters" and "hungry and frustrated demonstrators"
share a head noun but not a frame; the head's own frame (lexicon actor_label) misses
that. find_modifiers looks at the words right before each head span the lexicon found,
and (for listed adjectives only) at a predicate after it ("the demonstrators ... are
simply annoyed and hungry"). Adjectives and their frames live in
resources/attribution/<lang>/modifiers.yaml.

Heads are whatever spans the caller passes: actor labels ("protesters") as intended,
but event labels work the same way ("peaceful protests"), so a caller who wants event
modifiers passes event-label spans too; the Modifier does not say which it was.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from .errors import ResourceError
from .hedges import check_attribution_doc, need_list, read_attribution_file

MODIFIERS_VERSION = "modifiers-2"   # 2: English texts only (transforms.pipeline.ENGLISH)


@dataclass(frozen=True)
class Modifier:
    modifier: str      # as written, coordination kept: "hungry and frustrated"
    head: str          # the head span's text: "protesters"
    frame: str         # legitimising | neutral | delegitimising (coordinated: most loaded)
    start: int         # span of the modifier words only
    end: int
    head_start: int
    head_end: int


@dataclass(frozen=True)
class _ModifierData:
    version: str
    frame_by_word: dict[str, str]
    priority: dict[str, int]
    stop: frozenset[str]
    suffixes: tuple[str, ...]
    max_words: int
    predicate: re.Pattern[str]


def build_modifier_data(doc: Any, language: str = "en") -> _ModifierData:
    """Validate a parsed modifiers.yaml and compile it."""
    where = f"attribution/{language}/modifiers.yaml"
    doc = check_attribution_doc(where, doc, language)
    frames = need_list(f"{where} frames", doc.get("frames"))
    priority = need_list(f"{where} frame_priority", doc.get("frame_priority"))
    if sorted(priority) != sorted(frames):
        raise ResourceError(f"{where}: frame_priority must list each of {frames} once")
    table = doc.get("adjectives")
    if not isinstance(table, dict) or not table:
        raise ResourceError(f"{where} adjectives: must be a non-empty mapping")
    frame_by_word: dict[str, str] = {}
    for frame, words in table.items():
        if frame not in frames:
            raise ResourceError(f"{where} adjectives: frame {frame!r} not in {frames}")
        for word in need_list(f"{where} adjectives.{frame}", words):
            key = word.lower().strip()
            if key in frame_by_word:
                raise ResourceError(f"{where}: {word!r} is listed under {frame_by_word[key]!r} and {frame!r}")
            frame_by_word[key] = frame
    stop = frozenset(w.lower() for w in need_list(f"{where} not_modifiers", doc.get("not_modifiers")))
    clash = stop & set(frame_by_word)
    if clash:
        raise ResourceError(f"{where}: {sorted(clash)} are both adjectives and not_modifiers")
    max_words = doc.get("max_words")
    if not isinstance(max_words, int) or not 1 <= max_words <= 6:
        raise ResourceError(f"{where}: max_words must be an integer 1..6")
    linking = need_list(f"{where} linking_verbs", doc.get("linking_verbs"))
    intens = need_list(f"{where} intensifiers", doc.get("intensifiers"))
    adj = "|".join(re.escape(w) for w in sorted(frame_by_word, key=len, reverse=True))
    word = rf"(?:{adj})(?![\w-])"
    predicate = re.compile(
        rf"(?:\s*,[^,.;:\n]{{1,30}},)?\s*[“\"]?(?:{'|'.join(map(re.escape, linking))})\s+"
        rf"(?:(?:{'|'.join(map(re.escape, intens))})\s+)?"
        rf"(?P<adj>{word}(?:(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+){word}){{0,{max_words - 1}}})",
        re.IGNORECASE)
    return _ModifierData(
        version=str(doc["version"]), frame_by_word=frame_by_word,
        priority={f: i for i, f in enumerate(priority)}, stop=stop,
        suffixes=tuple(need_list(f"{where} adjective_suffixes", doc.get("adjective_suffixes"))),
        max_words=max_words, predicate=predicate,
    )


@functools.cache
def modifier_data(language: str = "en") -> _ModifierData:
    """The packaged modifier vocabulary, loaded on first use."""
    return build_modifier_data(read_attribution_file("modifiers", language), language)


_PIECE = re.compile(r"[\w’'-]+|,")
_JOIN = frozenset({"and", ","})


def _frame_of(word: str, data: _ModifierData) -> str | None:
    """Frame of a listed adjective; "neutral" for an unlisted lowercase word that looks
    like an adjective by its ending; None for anything else (stops the phrase)."""
    low = word.lower()
    if low in data.frame_by_word:
        return data.frame_by_word[low]
    if low in data.stop or not word.isalpha() or not word.islower() or len(word) < 4:
        return None
    return "neutral" if low.endswith(data.suffixes) else None


def _most_loaded(frames: list[str], data: _ModifierData) -> str:
    return min(frames, key=lambda f: data.priority.get(f, len(data.priority)))


def _before(body: str, start: int, data: _ModifierData) -> tuple[int, int, list[str]] | None:
    """Adjectives right before a head at `start`: (span start, span end, frames)."""
    lo = max(0, start - 80)
    pieces = [(m.group(0), m.start(), m.end()) for m in _PIECE.finditer(body, lo, start)]
    frames: list[str] = []
    first = last_end = None
    expect_end = start
    pending_join = False
    for text, s, e in reversed(pieces):
        gap = body[e:expect_end]
        if gap.strip() or "\n" in gap:
            break
        if text.lower() in _JOIN:
            if not frames or pending_join:
                break
            pending_join = True
            expect_end = s
            continue
        frame = _frame_of(text, data)
        if frame is None or len(frames) >= data.max_words:
            break
        frames.append(frame)
        first = s
        last_end = last_end or e
        pending_join = False
        expect_end = s
    if not frames or first is None or last_end is None:
        return None
    return first, last_end, frames


def _after(body: str, end: int, data: _ModifierData) -> tuple[int, int, list[str]] | None:
    """Predicative adjectives after a head: "the demonstrators ... are simply frustrated"."""
    m = data.predicate.match(body, end, min(len(body), end + 120))
    if not m:
        return None
    words = [w for w in re.findall(r"[\w’'-]+", m.group("adj")) if w.lower() != "and"]
    return m.start("adj"), m.end("adj"), [data.frame_by_word[w.lower()] for w in words]


def find_modifiers(body: str, actor_spans: list[tuple[int, int]]) -> list[Modifier]:
    """Modifiers of each head span (attributive before it, predicative after it), in
    order of head position; spans that do not fit the body are ignored."""
    if not body or not isinstance(body, str) or not actor_spans:
        return []
    data = modifier_data()
    out: list[Modifier] = []
    seen: set[tuple[int, int]] = set()
    for span in sorted({tuple(s) for s in actor_spans if _valid(s, len(body))}):
        head_start, head_end = span
        if (head_start, head_end) in seen:
            continue
        seen.add((head_start, head_end))
        head = body[head_start:head_end]
        for found in (_before(body, head_start, data), _after(body, head_end, data)):
            if found:
                start, end, frames = found
                out.append(Modifier(modifier=body[start:end], head=head, frame=_most_loaded(frames, data),
                                    start=start, end=end, head_start=head_start, head_end=head_end))
    return out


def _valid(span: Any, size: int) -> bool:
    try:
        start, end = span
    except (TypeError, ValueError):
        return False
    return isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= size
