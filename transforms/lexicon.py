"""Framing lexicons: versioned YAML files under resources/lexicons/<lang>/, validated on load.

Each file is one category (actor_label, event_label, ...) with its allowed frames and
its terms; every term lists the inflected forms that count as it. All forms of a
language compile into one regex (longest form first), so a body is scanned once.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from .errors import ResourceError


@dataclass(frozen=True)
class Term:
    category: str
    canonical: str
    frame: str
    form: str


@dataclass(frozen=True)
class Lexicon:
    language: str
    version: str                     # "en:actor_label@1+event_label@1+..."
    categories: tuple[str, ...]
    frames: dict[str, tuple[str, ...]]  # category -> allowed frames
    by_form: dict[str, Term]          # casefolded form -> term
    pattern: re.Pattern[str]

    @property
    def terms(self) -> list[Term]:
        return list(self.by_form.values())


_REQUIRED = ("version", "category", "language", "frames", "terms")


def _validate_file(name: str, doc: Any, language: str) -> list[Term]:
    if not isinstance(doc, dict):
        raise ResourceError(f"lexicon {name}: top level must be a mapping")
    missing = [k for k in _REQUIRED if k not in doc]
    if missing:
        raise ResourceError(f"lexicon {name}: missing keys {missing}")
    if doc["language"] != language:
        raise ResourceError(f"lexicon {name}: language {doc['language']!r} in the folder for {language!r}")
    frames = doc["frames"]
    if not (isinstance(frames, list) and frames and all(isinstance(f, str) for f in frames)):
        raise ResourceError(f"lexicon {name}: frames must be a non-empty list of strings")
    out: list[Term] = []
    for i, term in enumerate(doc["terms"] or []):
        where = f"lexicon {name} term {i + 1}"
        if not isinstance(term, dict) or not {"canonical", "frame", "forms"} <= set(term):
            raise ResourceError(f"{where}: needs canonical, frame and forms")
        if term["frame"] not in frames:
            raise ResourceError(f"{where} ({term['canonical']}): frame {term['frame']!r} not in {frames}")
        forms = term["forms"]
        if not (isinstance(forms, list) and forms and all(isinstance(f, str) and f.strip() for f in forms)):
            raise ResourceError(f"{where} ({term['canonical']}): forms must be non-empty strings")
        for form in forms:
            out.append(Term(doc["category"], str(term["canonical"]), term["frame"], form.strip()))
    return out


def build_lexicon(language: str, docs: dict[str, Any]) -> Lexicon:
    """Validate parsed YAML documents (file name -> document) and compile them."""
    by_form: dict[str, Term] = {}
    versions: list[str] = []
    frames: dict[str, tuple[str, ...]] = {}
    for name in sorted(docs):
        doc = docs[name]
        terms = _validate_file(name, doc, language)
        category = doc["category"]
        if category in frames:
            raise ResourceError(f"lexicon {name}: category {category!r} defined twice")
        frames[category] = tuple(doc["frames"])
        versions.append(f"{category}@{doc['version']}")
        for term in terms:
            key = term.form.casefold()
            if key in by_form:
                other = by_form[key]
                raise ResourceError(
                    f"lexicon {name}: form {term.form!r} already belongs to "
                    f"{other.category}/{other.canonical}; a form may count for one term only"
                )
            by_form[key] = term
    if not by_form:
        raise ResourceError(f"no lexicon terms for language {language!r}")
    forms = sorted(by_form, key=len, reverse=True)
    alternation = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms)
    pattern = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])", re.IGNORECASE)
    return Lexicon(language, f"{language}:" + "+".join(versions), tuple(frames), frames, by_form, pattern)


@functools.cache
def load_lexicon(language: str = "en") -> Lexicon:
    """Load the packaged lexicon for `language` (cached)."""
    folder = resources.files("transforms") / "resources" / "lexicons" / language
    if not folder.is_dir():
        raise ResourceError(f"no lexicon folder for language {language!r}")
    docs = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".yaml"):
            try:
                docs[entry.name] = yaml.safe_load(entry.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise ResourceError(f"lexicon {entry.name}: invalid YAML: {exc}") from exc
    return build_lexicon(language, docs)
