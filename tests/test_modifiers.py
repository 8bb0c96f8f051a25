"""Actor modifiers: adjectives before (and predicates after) actor-label spans."""
import re

import pytest

from transforms.errors import ResourceError
from transforms.framing import find_hits
from transforms.lexicon import load_lexicon
from transforms.modifiers import build_modifier_data, find_modifiers

from .conftest import seed_bytes

HEADS = re.compile(r"protesters|demonstrators|rioters|protests|militants")


def _spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in HEADS.finditer(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", []),
        ("the radical protesters armed themselves", [("radical", "protesters", "delegitimising")]),
        ("hungry and frustrated demonstrators", [("hungry and frustrated", "demonstrators", "legitimising")]),
        ("peaceful, unarmed protesters", [("peaceful, unarmed", "protesters", "legitimising")]),
        ("peaceful but armed protesters", [("armed", "protesters", "delegitimising")]),   # "but" is not a coordinator here
        ("angry and violent rioters", [("angry and violent", "rioters", "delegitimising")]),  # most loaded wins
        ("among the detained protesters", [("detained", "protesters", "neutral")]),
        ("the protesters and 26 demonstrators and some militants", []),                  # determiners, numbers
        ("heated protests", [("heated", "protests", "neutral")]),                        # unlisted, adjective-like
        ("Almaty protesters", []),                                                       # unlisted capitalised word
        ("Many of the demonstrators, nevertheless, “are simply annoyed and hungry and wish jobs",
         [("annoyed and hungry", "demonstrators", "legitimising")]),                      # predicative
        ("the protesters were detained", [("detained", "protesters", "neutral")]),     # listed word, predicative
    ],
)
def test_find_modifiers(text, expected):
    mods = find_modifiers(text, _spans(text))
    assert [(m.modifier, m.head, m.frame) for m in mods] == expected
    for m in mods:
        assert text[m.start:m.end] == m.modifier and text[m.head_start:m.head_end] == m.head


@pytest.mark.parametrize("spans", [[], [(5, 2)], [(0, 999)], [(-1, 3)], [("a", "b")], [None], [(1, 2, 3)]])
def test_bad_spans_are_ignored(spans):
    assert find_modifiers("radical protesters", spans) == []


def test_odd_input_never_raises():
    assert find_modifiers("", [(0, 1)]) == []
    assert find_modifiers(None, [(0, 1)]) == []          # type: ignore[arg-type]
    assert find_modifiers("and , and protesters", [(10, 20)]) == []


@pytest.fixture(scope="module")
def lex():
    return load_lexicon("en")


def _seed_mods(key, lex, categories=("actor_label",)):
    body = seed_bytes(key).decode("utf-8")
    spans = [(h.start, h.end) for h in find_hits(body, lex) if h.category in categories]
    return {(m.modifier, m.head, m.frame) for m in find_modifiers(body, spans)}


def test_seed_izv(lex):
    mods = _seed_mods("izv", lex)
    assert ("radical", "protesters", "delegitimising") in mods
    assert ("detained", "protesters", "neutral") in mods


def test_seed_event_spans_work_too(lex):
    mods = _seed_mods("trt", lex, ("actor_label", "event_label"))
    assert ("peaceful", "protests", "legitimising") in mods
    assert not any(m[0].lower() in {"the", "rare", "some"} for m in mods)


def test_seed_spun_predicate(lex):
    assert ("annoyed and hungry", "demonstrators", "legitimising") in _seed_mods("spun", lex)


def test_invalid_modifier_file():
    base = {"version": "1", "language": "en", "frames": ["neutral"], "frame_priority": ["neutral"],
            "adjectives": {"neutral": ["local"]}, "not_modifiers": ["the"], "adjective_suffixes": ["al"],
            "max_words": 3, "linking_verbs": ["are"], "intensifiers": ["very"]}
    assert build_modifier_data(base).frame_by_word == {"local": "neutral"}
    with pytest.raises(ResourceError, match="frame"):
        build_modifier_data({**base, "adjectives": {"loaded": ["x"]}})
    with pytest.raises(ResourceError, match="both"):
        build_modifier_data({**base, "not_modifiers": ["local"]})
    with pytest.raises(ResourceError, match="max_words"):
        build_modifier_data({**base, "max_words": 0})
