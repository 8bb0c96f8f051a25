"""Framing lexicons: versioned YAML files under resources/lexicons/<lang>/, validated on load.

Each file is one category (actor_label, event_label, ...) with its allowed frames and
its terms; every term lists the inflected forms that count as it. All forms of a
language compile into one trie-shaped regex run over the lowercased body (0.2 ms for
a 6 KB article, ~10x faster than a plain alternation); framing.find_hits then checks
that each match covers whole tokens (see TOKEN).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any


from .errors import ResourceError
from .resource_files import load_yaml, resource_path


@dataclass(frozen=True)
class Term:
    category: str
    canonical: str
    frame: str
    form: str


# A token: letters/digits, with inner hyphens and apostrophes ("Russian-led", "Alma-Ata",
# "d'etat"). A form matches whole tokens only, so "riot" never matches in "patriot" and
# "protest" does not match the compound "anti-protest".
TOKEN = re.compile(r"\w+(?:[-'’]\w+)*")


def form_tokens(form: str) -> tuple[str, ...]:
    return tuple(t.casefold() for t in TOKEN.findall(form))


@dataclass(frozen=True)
class Lexicon:
    language: str
    version: str                     # "en:actor_label@1+event_label@1+..."
    categories: tuple[str, ...]
    frames: dict[str, tuple[str, ...]]  # category -> allowed frames
    by_form: dict[str, Term]          # lowercased form (tokens joined by one space) -> term
    pattern: re.Pattern[str]          # trie regex over every form, for lowercased text

    @property
    def terms(self) -> list[Term]:
        return list(self.by_form.values())

    @functools.cached_property
    def probe(self) -> re.Pattern[str] | None:
        """`pattern`'s matches found faster (see word_start_probe), built once per
        Lexicon; None when `pattern` is not the one build_lexicon makes."""
        return word_start_probe(self)


_REQUIRED = ("version", "category", "language", "frames", "terms")
_TERM_KEYS = {"canonical", "frame", "forms", "source"}   # source: which generated block made it
_WORD_LISTS = ("generated_excludes",)                    # read by bench/build_loaded_lexicon.py only
# An English file with `any_language: true` (place and person names) is also read in texts
# of other languages: beside a language's own files when it has none of that category
# (load_lexicon), and alone when the language has no lexicon folder (load_names_lexicon).
ANY_LANGUAGE = "any_language"


def _validate_file(name: str, doc: Any, language: str) -> list[Term]:
    if not isinstance(doc, dict):
        raise ResourceError(f"lexicon {name}: top level must be a mapping")
    missing = [k for k in _REQUIRED if k not in doc]
    if missing:
        raise ResourceError(f"lexicon {name}: missing keys {missing}")
    if doc["language"] != language:
        raise ResourceError(f"lexicon {name}: language {doc['language']!r} in the folder for {language!r}")
    if not isinstance(doc.get(ANY_LANGUAGE, False), bool):
        raise ResourceError(f"lexicon {name}: {ANY_LANGUAGE} must be true or false")
    frames = doc["frames"]
    if not (isinstance(frames, list) and frames and all(isinstance(f, str) for f in frames)):
        raise ResourceError(f"lexicon {name}: frames must be a non-empty list of strings")
    for key in _WORD_LISTS:
        words = doc.get(key, [])
        if not (isinstance(words, list) and all(isinstance(w, str) and w.strip() for w in words)):
            raise ResourceError(f"lexicon {name}: {key} must be a list of words")
    out: list[Term] = []
    for i, term in enumerate(doc["terms"] or []):
        where = f"lexicon {name} term {i + 1}"
        if not isinstance(term, dict) or not {"canonical", "frame", "forms"} <= set(term):
            raise ResourceError(f"{where}: needs canonical, frame and forms")
        if set(term) - _TERM_KEYS:
            raise ResourceError(f"{where} ({term['canonical']}): unknown keys {sorted(set(term) - _TERM_KEYS)}")
        if "source" in term and not (isinstance(term["source"], str) and term["source"].strip()):
            raise ResourceError(f"{where} ({term['canonical']}): source must be a non-empty string")
        if term["frame"] not in frames:
            raise ResourceError(f"{where} ({term['canonical']}): frame {term['frame']!r} not in {frames}")
        forms = term["forms"]
        if not (isinstance(forms, list) and forms and all(isinstance(f, str) and f.strip() for f in forms)):
            raise ResourceError(f"{where} ({term['canonical']}): forms must be non-empty strings")
        for form in forms:
            out.append(Term(doc["category"], str(term["canonical"]), term["frame"], form.strip()))
    return out


def build_lexicon(language: str, docs: dict[str, Any], shared: dict[str, Any] | None = None) -> Lexicon:
    """Validate parsed YAML documents (file name -> document) and compile them. `shared`:
    English files (`any_language: true`) read in this language too, validated as English's;
    their versions are recorded as "en.<category>@<version>"."""
    by_form: dict[str, Term] = {}
    versions: list[str] = []
    frames: dict[str, tuple[str, ...]] = {}
    files = [(name, docs[name], language, "") for name in sorted(docs)]
    files += [(name, doc, "en", "en.") for name, doc in sorted((shared or {}).items())]
    for name, doc, doc_language, prefix in files:
        terms = _validate_file(name, doc, doc_language)
        category = doc["category"]
        if category in frames:
            raise ResourceError(f"lexicon {name}: category {category!r} defined twice")
        frames[category] = tuple(doc["frames"])
        versions.append(f"{prefix}{category}@{doc['version']}")
        for term in terms:
            key = " ".join(form_tokens(term.form))
            if key != " ".join(term.form.lower().split()):
                raise ResourceError(
                    f"lexicon {name}: form {term.form!r} must be words (letters, digits, inner - or ') "
                    "separated by spaces"
                )
            if key in by_form:
                other = by_form[key]
                raise ResourceError(
                    f"lexicon {name}: form {term.form!r} already belongs to "
                    f"{other.category}/{other.canonical}; a form may count for one term only"
                )
            by_form[key] = term
    if not by_form:
        raise ResourceError(f"no lexicon terms for language {language!r}")
    pattern = re.compile(r"\b" + trie_regex(list(by_form)))
    return Lexicon(language, f"{language}:" + "+".join(versions), tuple(frames), frames, by_form, pattern)


def trie_regex(forms: list[str], space: str = r"\s+") -> str:
    """A regex matching any of `forms` (longest first at each position), with common
    prefixes merged; spaces inside a form match `space` (any run of whitespace)."""
    trie: dict[str, dict] = {}
    for form in forms:
        node = trie
        for ch in form:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        alts = [(space if ch == " " else re.escape(ch)) + build(child)
                for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


# A character that is not one of these word characters (checked: tests/test_framing.py):
# every non-word character and some word characters. sre skips quickly through text
# to a character of a class made of ranges (faster than the category \W).
WORD_SEPARATOR = "[^0-9a-zß-öø-ÿа-яё]"


def word_start_probe(lexicon: Lexicon) -> re.Pattern[str] | None:
    """A regex whose group 1 finds `lexicon.pattern`'s matches after the first
    character: WORD_SEPARATOR + the pattern (\\b + trie). Every form starts and ends with
    a word character, so a match of the pattern at s > 0 has a non-word character, one
    of WORD_SEPARATOR, at s - 1 (its \\b), and the probe, consuming that character
    first, skips through words instead of trying the pattern at every position; the
    probe's \\b then rejects separators that are word characters. A match never ends
    where the next one starts (its last character is a word character, the next one's
    \\b needs a non-word one before it), so the probe's finditer, which goes on after
    each match, finds the pattern's matches from 1 on, in order. None when the pattern
    is not `\\b` + trie_regex of the forms, or a form does not start and end with a word
    character."""
    forms = list(lexicon.by_form)
    if lexicon.pattern.flags != re.UNICODE or lexicon.pattern.pattern != r"\b" + trie_regex(forms) \
            or not all(_WORD_CHAR.match(f[0]) and _WORD_CHAR.match(f[-1]) for f in forms):
        return None
    probe = re.compile(WORD_SEPARATOR + lexicon.pattern.pattern[:2] + "(" + lexicon.pattern.pattern[2:] + ")")
    return probe if probe.groups == 1 else None


_WORD_CHAR = re.compile(r"\w")


def finditer_spans(lexicon: Lexicon, low: str) -> list[tuple[int, int, str]]:
    """[(m.start(), m.end(), m.group(0)) for m in lexicon.pattern.finditer(low)], by
    the lexicon's probe (1.4x faster on English news) when it has one."""
    probe = lexicon.probe
    if probe is None:
        return [(m.start(), m.end(), m.group(0)) for m in lexicon.pattern.finditer(low)]
    out = []
    pos = 0
    m = lexicon.pattern.match(low)
    if m:
        pos = m.end()
        out.append((0, pos, m.group(0)))
    for m in probe.finditer(low, pos):
        out.append((m.start(1), m.end(1), m.group(1)))
    return out


def lexicon_languages() -> list[str]:
    """The languages with a packaged lexicon folder, English first."""
    names = [d.name for d in resource_path("lexicons").iterdir() if d.is_dir() and not d.name.startswith((".", "_"))]
    return sorted(names, key=lambda n: (n != "en", n))


def _lexicon_docs(language: str) -> dict[str, Any]:
    folder = resource_path("lexicons", language) if language else None
    if folder is None or not folder.is_dir():
        raise ResourceError(f"no lexicon folder for language {language!r}")
    return {e.name: load_yaml("lexicons", language, e.name) for e in folder.iterdir() if e.name.endswith(".yaml")}


@functools.cache
def _any_language_docs() -> dict[str, Any]:
    """English's files marked `any_language: true`, parsed once per process (every other
    language's lexicon and the names-only one read them; callers do not change them)."""
    return {name: doc for name, doc in _lexicon_docs("en").items()
            if isinstance(doc, dict) and doc.get(ANY_LANGUAGE) is True}


def _shared_docs(categories: set[str]) -> dict[str, Any]:
    """English's files marked `any_language: true` whose category is not in `categories`."""
    return {name: doc for name, doc in _any_language_docs().items() if doc.get("category") not in categories}


@functools.cache
def load_lexicon(language: str = "en") -> Lexicon:
    """Load the packaged lexicon for `language` (cached): its own files, and for another
    language than English, English's `any_language` files (place and person names, spelt
    alike in the languages that write in Latin script) of the categories it has no file of."""
    docs = _lexicon_docs(language)
    if not docs:
        raise ResourceError(f"no lexicon files for language {language!r}")
    if language == "en":
        return build_lexicon(language, docs)
    own = {d.get("category") for d in docs.values() if isinstance(d, dict)}
    return build_lexicon(language, docs, _shared_docs(own))


NAMES_ONLY = "*"    # Lexicon.language of load_names_lexicon's lexicon; its version starts "*:"


@functools.cache
def load_names_lexicon() -> Lexicon:
    """The lexicon of a text whose language has no lexicon folder: English's `any_language`
    files only. The rest of the English lexicon is English words, and in other languages
    those letters are other words: German "Gang" (a walk), "gross" (big), "Lied" (a song);
    French "tout" (all), "dire" (to say), "coup" (a blow). No marked file: a lexicon that
    matches nothing."""
    shared = _shared_docs(set())
    if not shared:
        return Lexicon(NAMES_ONLY, f"{NAMES_ONLY}:none", (), {}, {}, re.compile(r"(?!)"))
    return build_lexicon(NAMES_ONLY, {}, shared)
