"""The English loaded-language lexicon: the hand-built terms and the block that
bench/build_loaded_lexicon.py generates from VADER (terms marked `source: vader`)."""
import sys
from pathlib import Path

import pytest

from transforms.framing import find_hits
from transforms.lexicon import load_lexicon
from transforms.resource_files import load_yaml

ROOT = Path(__file__).resolve().parents[1]
BABE = ROOT.parent / "shared" / "corpora" / "babe" / "final_labels_SG2.csv"


def _doc():
    return load_yaml("lexicons", "en", "loaded_language.yaml")


def _generated_forms() -> set[str]:
    return {f for t in _doc()["terms"] if t.get("source") == "vader" for f in t["forms"]}


def _loaded(text: str) -> list[tuple[str, str]]:
    return [(h.term.lower(), h.canonical) for h in find_hits(text, load_lexicon("en")) if h.category == "loaded_language"]


def test_generated_block_is_marked_and_follows_the_hand_built_terms():
    terms = _doc()["terms"]
    sources = [t.get("source") for t in terms]
    first = sources.index("vader")
    assert first > 200 and set(sources[:first]) == {None} and set(sources[first:]) == {"vader"}
    assert all(t["frame"] == "loaded_negative" for t in terms[first:])
    assert len(_generated_forms()) > 300


def test_generated_forms_are_not_words_the_project_reads_as_facts_or_attribution():
    fig = load_yaml("attribution", "en", "figures.yaml")
    quotes = load_yaml("attribution", "en", "quotes.yaml")
    mods = load_yaml("attribution", "en", "modifiers.yaml")
    project = {w for ws in fig["kinds"].values() for w in ws}
    project |= {f for v in quotes["verbs"] if v["class"] in ("neutral", "assertive") for f in v["forms"]}
    project |= {w for ws in mods["adjectives"].values() for w in ws}
    generated = _generated_forms()
    assert not generated & project
    assert not generated & set(_doc()["generated_excludes"])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The senator's hateful, dishonest tirade was appalling.",
         [("hateful", "hateful"), ("dishonest", "dishonest"), ("tirade", "tirade"), ("appalling", "appalling")]),
        ("Critics slammed the bill as a travesty.", [("slammed", "slam"), ("travesty", "travesty")]),
        ("Three people were killed and 20 injured; police said 12 were arrested.", []),
        ("The poorest regions were severely affected, officials said on Tuesday.", []),
        ("He said the council would vote next week.", []),
    ],
)
def test_loaded_hits(text, expected):
    assert _loaded(text) == expected


@pytest.mark.corpus
def test_generated_block_is_current():
    """The block is the build script's output, not hand-edited (needs lemminflect and BABE)."""
    pytest.importorskip("lemminflect")
    if not BABE.exists():
        pytest.skip("BABE corpus not present")
    sys.path.insert(0, str(ROOT / "bench"))
    import build_loaded_lexicon

    assert build_loaded_lexicon.main(["--check"]) == 0
