"""The pure per-batch pipeline: files (name, bytes) -> warehouse rows.

Flows read bytes and write Parquet; everything between lives here so it can be
tested and run without Prefect (the `extract` and `analyze` CLI commands use it).
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import asdict, dataclass, field
from importlib.metadata import version as _pkg_version
from typing import Any, Iterable

import py3langid
import pycld2

from . import figures, framing, hedges, modifiers, quotes, readability, tone
from .extract import EXTRACTOR_VERSION, Article, Reject, article_id, extract_file
from .framing import Hit
from .lexicon import Lexicon, lexicon_languages, load_lexicon, load_names_lexicon
from .outlets import RESOLVER_VERSION, Resolution, resolve
from .paraphrase import PARAPHRASE_VERSION, load_config, load_spinner
from .pieces import body_pieces
from .records import DEFAULT_FIELD_MAP, FieldMap, parse_date
from .registry import Registry, load_registry
from .resource_files import resources_digest
from .schema import FEATURE_COLUMNS

LANGID_CHARS = 600   # enough for a reliable guess on news prose; langid cost grows with length
# recorded in extractor_version: the `language` column depends on it (langid-1 was py3langid alone)
LANGID_VERSION = f"langid-2+pycld2-{_pkg_version('pycld2')}+py3langid-{_pkg_version('py3langid')}"


@dataclass(frozen=True)
class Context:
    """What a run needs besides the input: resources and their versions."""

    lexicon: Lexicon                 # English, and the lexicon of a text whose language is unknown
    registry: Registry
    fmap: FieldMap = DEFAULT_FIELD_MAP
    manifest: dict[str, dict[str, str]] = field(default_factory=dict)  # source -> overrides
    lexicons: dict[str, Lexicon] = field(default_factory=dict)         # language -> its own lexicon
    names: Lexicon = field(default_factory=load_names_lexicon)         # a language without its own lexicon

    def lexicon_for(self, language: str | None) -> Lexicon:
        """The lexicon an article in `language` is read with: its language's own; English's
        when the language is English or unknown; else English's place and person names only
        (lexicon.load_names_lexicon: English words are other words in German or French)."""
        own = self.lexicons.get(language or "")
        if own is not None:
            return own
        return self.lexicon if language in ENGLISH else self.names

    @functools.cached_property
    def versions(self) -> dict[str, str]:
        """What made a row, recorded in it; a run re-analyses rows made by other versions.
        lexicon_version names every lexicon file's version (all languages), the analysis
        code's versions and a digest of every packaged data file (attribution lists,
        paraphrase and spinner lists, furniture: edited data is new data even when its
        `version` was not raised)."""
        lexicons = [self.lexicon] + [lx for lang, lx in sorted(self.lexicons.items()) if lx is not self.lexicon] \
            + [self.names]
        return {
            "extractor_version": f"{EXTRACTOR_VERSION}+{RESOLVER_VERSION}+{LANGID_VERSION}",
            "lexicon_version": "+".join([
                *(lx.version for lx in lexicons), framing.FRAMING_VERSION, modifiers.MODIFIERS_VERSION,
                hedges.HEDGES_VERSION, quotes.QUOTES_VERSION, figures.FIGURES_VERSION, readability.READABILITY_VERSION,
                tone.TONE_VERSION, PARAPHRASE_VERSION, f"data@{resources_digest()}",
            ]),
            "registry_version": self.registry.version,
        }


@functools.cache
def default_context() -> Context:
    """The packaged resources, all loaded and validated here (a broken data file fails the
    run before any article is read, not at the first article that needs it)."""
    lexicons = {lang: load_lexicon(lang) for lang in lexicon_languages()}
    for load in (hedges.hedge_data, hedges.abbreviations, quotes.quote_data, figures.figure_data,
                 modifiers.modifier_data):
        load("en")   # the attribution lists exist for English only
    load_config()
    load_spinner()
    return Context(lexicons["en"], load_registry(), lexicons=lexicons)


@dataclass
class Analyzed:
    article: Article
    article_id: str
    language: str | None
    resolution: Resolution
    hits: list[Hit]                 # lexicon terms, actor modifiers and hedges
    features: dict[str, Any]
    quotes: list[quotes.Quote] = field(default_factory=list)
    figures: list[figures.Figure] = field(default_factory=list)
    title_hits: list[Hit] = field(default_factory=list)   # lexicon terms in the title (offsets into it)


def _extra_hits(body: str, hits: list[Hit], sentences: list[tuple[int, int]], qspans: list[tuple[int, int]]) -> list[Hit]:
    """Actor modifiers ("radical protesters") and hedges ("reportedly") as hits of their own."""
    starts, qstarts = [s for s, _ in sentences], [s for s, _ in qspans]

    def sentence(pos: int) -> str:
        span = framing.span_at(sentences, starts, pos)
        return body[span[0]:span[1]].strip() if span else ""

    def in_quote(pos: int) -> bool:
        return framing.span_at(qspans, qstarts, pos) is not None

    actor = [(h.start, h.end) for h in hits if h.category in ("actor_label", "event_label")]
    out = [
        Hit("actor_modifier", m.frame, m.modifier, f"{m.modifier.lower()} {m.head.lower()}", m.start, m.end,
            in_quote(m.start), sentence(m.start))
        for m in modifiers.find_modifiers(body, actor)
    ]
    out += [Hit("hedge", h.kind, h.term, h.term.lower(), h.start, h.end, h.in_quote, sentence(h.start))
            for h in hedges.find_hedges(body)]
    return out


def style_features(body: str, sentences: int) -> dict[str, float | None]:
    """Exclamation and question marks per sentence (None without sentences: the caller
    passes 0 for a body without words, "!!!" say)."""
    if not sentences:
        return {"exclamation_rate": None, "question_rate": None}
    return {"exclamation_rate": round(body.count("!") / sentences, 4),
            "question_rate": round(body.count("?") / sentences, 4)}


def headline_features(title: str | None, hits: list[Hit], english: bool = True) -> dict[str, float | int | None]:
    """The headline framed on its own: words, label hits (`hits`: framing.find_hits of the
    title), loaded words, tone (None without a title; tone None too for a title without words
    or not in English)."""
    if not title or not title.strip():
        return {"title_word_count": None, "title_hits": None, "title_hits_delegitimising": None,
                "title_hits_loaded": None, "title_tone": None}
    return {
        "title_word_count": len(title.split()),
        "title_hits": len(hits),
        "title_hits_delegitimising": sum(h.frame == "delegitimising" for h in hits),
        "title_hits_loaded": sum(h.category == "loaded_language" for h in hits),
        "title_tone": tone.compound(title) if english and any(map(str.isalpha, title)) else None,
    }


# CLD2's codes that are not the ISO 639-1 ones py3langid (and the lexicons) use
_CLD2_CODES = {"iw": "he", "jw": "jv", "zh-Hant": "zh", "sr-ME": "sr"}
# what pycld2 rejects as "invalid UTF-8" (measured over every code point): C0/C1 controls
# but tab, LF, FF and CR; non-characters; surrogates. Read as spaces (mojibake like "Qaeda\x92s"
# is common in scraped news: 8 of 12,000 AllSides bodies).
_CLD2_INVALID_IN_BMP = "\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
_CLD2_INVALID = re.compile("[" + _CLD2_INVALID_IN_BMP
                           + "".join(f"{chr(p << 16 | 0xfffe)}{chr(p << 16 | 0xffff)}" for p in range(1, 17)) + "]")
# the same class without its code points above U+FFFF: sre tests a character against a
# class of BMP ranges with one table look-up, against one with astral literals item by
# item (~30 ns per character: 19 instead of 1.7 us per 600-character sample)
_CLD2_INVALID_BMP = re.compile("[" + _CLD2_INVALID_IN_BMP + "]")
CLD2_MIN_PERCENT = 70  # below: a mixed text (CLD2 reports 2-3 languages), py3langid decides
# languages read as English (None: a text too short to tell, read as English as the lexicon
# does). Figures (resources/attribution/ holds English triggers only), tone (VADER's lexicon is
# English) and the readability formulas (English syllables and word lists) are measured in
# these only: another language's values are null (not measured), not numbers that look real.
ENGLISH = frozenset({"en", "", None})


def _cld2_valid(sample: str) -> str:
    """_CLD2_INVALID.sub(" ", sample), by the BMP-only class when the sample has no
    character above U+FFFF (UTF-16 then takes 2 bytes for each character, a lone
    surrogate included with surrogatepass): it then finds the same characters."""
    if sample.isascii() or len(sample.encode("utf-16-le", "surrogatepass")) == 2 * len(sample):
        return _CLD2_INVALID_BMP.sub(" ", sample)
    return _CLD2_INVALID.sub(" ", sample)


def _cld2(sample: str) -> str | None:
    """CLD2's language for `sample` when it calls it reliable and it covers at least
    CLD2_MIN_PERCENT of the text, else None (also for text with U+FFFD replacement
    characters, and for any text pycld2 would still reject)."""
    if "\ufffd" in sample:    # broken decoding: CLD2 skips the damaged words (trafilatura-eval 0128: de as en)
        return None
    try:
        reliable, _, ((_, code, percent, _), *_) = pycld2.detect(_cld2_valid(sample), isPlainText=True)
    except (pycld2.error, UnicodeEncodeError):
        return None
    code = _CLD2_CODES.get(code, code)
    if not reliable or percent < CLD2_MIN_PERCENT or code == "un" or code.startswith(("xx", "zz")) or len(code) > 3:
        return None
    return code


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the first LANGID_CHARS characters; None for (nearly) empty text.

    CLD2 (compiled, its model inside the pycld2 wheel: ~25 us) answers what it is sure
    of; py3langid (~0.7 ms, ~73 MB of model loaded on first use) only what CLD2 is not.
    """
    sample = text[:LANGID_CHARS]
    if len(sample.strip()) < 20:
        return None
    lang = _cld2(sample)
    if lang is None:
        lang, _ = py3langid.classify(sample)
    return lang


def analyze_article(art: Article, ctx: Context) -> Analyzed:
    language = (art.language or "").split("-")[0].lower() or detect_language(art.body)
    lexicon = ctx.lexicon_for(language)
    sentences = framing.sentence_spans(art.body)
    qspans = hedges.quotation_spans(art.body)   # framing.quote_spans, cached: find_hedges reuses it
    hits = framing.find_hits(art.body, lexicon, sentences, qspans)
    overrides = ctx.manifest.get(art.source, {})
    if overrides.get("url") and not art.url:
        art.url, art.url_source = overrides["url"], "manifest"
    if overrides.get("published"):
        art.published, art.date_source = parse_date(overrides["published"]), "manifest"
    res = resolve(art, hits, ctx.registry, language=language, manifest=overrides)
    english = language in ENGLISH
    feats: dict[str, Any] = dict(readability.readability(art.body))
    if not english:
        feats.update(dict.fromkeys(readability.ENGLISH_METRICS))
    elif feats["text_standard"] is not None:  # textstat returns the int 1 or 18 at its clamps
        feats["text_standard"] = float(feats["text_standard"])
    words = feats["word_count"]               # None: the body has no word
    feats["quote_share"] = framing.quote_share(art.body, qspans)
    feats.update(framing.hit_counts(hits))
    if english and words:                     # else every tone_ column is null
        feats.update(tone.tone_features(art.body, sentences, framing.group_sentences(hits, sentences)))
    # the attribution lists are English words (figure triggers "die", "dies", "toll" are
    # German ones too; the hedge "may", the modifier "eventual" are French and Spanish
    # words): in another language their counts are null, not 0
    extra = _extra_hits(art.body, hits, sentences, qspans) if english else []
    found_quotes = quotes.find_quotes(art.body)
    found_figures = figures.find_figures(art.body) if english else []
    feats.update(quotes.quote_stats(found_quotes, art.body))
    if not english:   # quotation marks are read in any language; verbs, speakers and sides in English
        feats.update(dict.fromkeys(quotes.ENGLISH_STATS))
    feats["hedges"] = sum(h.category == "hedge" for h in extra) if english else None
    feats["modifiers"] = sum(h.category == "actor_modifier" for h in extra) if english else None
    feats["figures"] = len(found_figures) if english else None
    feats.update(style_features(art.body, len(sentences) if words else 0))
    title_hits = framing.find_hits(art.title or "", lexicon)
    feats.update(headline_features(art.title, title_hits, english))
    feats["paraphrase_score"] = res.paraphrase_score
    feats = {name: feats.get(name) for name, _ in FEATURE_COLUMNS}
    all_hits = sorted(hits + extra, key=lambda h: (h.start, h.category))
    return Analyzed(art, article_id(art.body, body_pieces(art.body)[0]), language, res, all_hits, feats, found_quotes,
                    found_figures, title_hits)


def process_file(name: str, data: bytes, ctx: Context, part: int = 0, parts: int = 1) -> list[Analyzed | Reject]:
    """Every article of one file analysed (bad data as Rejects). With parts > 1 only part
    `part` of what the file holds: the file is extracted whole (the same decoding decision
    for every part) and the parts' slices, in order, are exactly the whole file's items."""
    items = extract_file(name, data, ctx.fmap)
    if parts > 1:
        items = items[part * len(items) // parts:(part + 1) * len(items) // parts]
    out: list[Analyzed | Reject] = []
    for item in items:
        out.append(item if isinstance(item, Reject) else analyze_article(item, ctx))
    return out


def to_json(item: Analyzed | Reject, with_analysis: bool) -> dict[str, Any]:
    """The stable JSON contract of `framewatch extract` / `framewatch analyze`."""
    if isinstance(item, Reject):
        obj: dict[str, Any] = {
            "source": item.source, "record": item.record, "status": "rejected",
            "reason": item.reason, "detail": item.detail, "article_id": None, "title": None,
            "body": None, "published": None, "language": None, "publisher": None,
            "origin": None, "provenance": None, "credits": [],
        }
        if with_analysis:
            obj.update(features={}, hits=[], title_hits=[], quotes=[], figures=[], evidence=[])
        return obj
    a, r = item.article, item.resolution
    obj = {
        "source": a.source, "record": a.record, "status": "ok", "reason": None, "detail": None,
        "article_id": item.article_id, "title": a.title, "body": a.body,
        "published": a.published.isoformat() if a.published else None,
        "date_source": a.date_source, "language": item.language, "byline": a.byline, "url": a.url,
        "title_source": a.title_source, "subtitle": a.subtitle, "subtitle_source": a.subtitle_source,
        "byline_source": a.byline_source, "url_source": a.url_source, "section": a.section,
        "section_source": a.section_source,
        "publisher": r.publisher, "origin": r.origin, "provenance": r.provenance, "credits": r.credits,
    }
    if with_analysis:
        obj["features"] = item.features
        obj["hits"] = [h.as_dict() for h in item.hits]
        obj["title_hits"] = [h.as_dict() for h in item.title_hits]
        obj["quotes"] = [asdict(q) for q in item.quotes]
        obj["figures"] = [asdict(f) for f in item.figures]
        obj["evidence"] = [e.__dict__ for e in r.evidence]
    return obj


def manifest_entry(overrides: dict[str, str] | None) -> str | None:
    """A manifest entry as stored in `article_sources.manifest_entry` (null: no entry)."""
    return json.dumps(overrides, sort_keys=True, ensure_ascii=False) if overrides else None


def rows(
    results: Iterable[Analyzed | Reject], run_id: str, versions: dict[str, str], known_ids: set[str] | frozenset = frozenset(),
    manifest: dict[str, dict[str, str]] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Warehouse rows for a batch. An article already stored (same normalised body,
    in `known_ids` or earlier in this batch) only adds an `article_sources` row.
    `manifest`: the sidecar manifest the batch was analysed with (recorded per source)."""
    manifest = manifest or {}
    out: dict[str, list[dict[str, Any]]] = {
        "articles": [], "article_sources": [], "term_hits": [], "quotes": [], "figures": [], "features": [],
        "evidence": [], "rejects": [],
    }
    seen = set(known_ids)
    for item in results:
        if isinstance(item, Reject):
            out["rejects"].append({
                "source": item.source, "record": item.record, "raw_sha256": item.raw_sha256,
                "reason": item.reason, "detail": item.detail or None, "run_id": run_id,
                "extractor_version": versions["extractor_version"],
            })
            continue
        a, aid, r = item.article, item.article_id, item.resolution
        out["article_sources"].append(
            {"article_id": aid, "source": a.source, "record": a.record, "raw_sha256": a.raw_sha256, "run_id": run_id,
             "manifest_entry": manifest_entry(manifest.get(a.source)), "extractor_version": versions["extractor_version"]}
        )
        if aid in seen:
            continue
        seen.add(aid)
        out["articles"].append({
            "article_id": aid, "source": a.source, "record": a.record, "raw_sha256": a.raw_sha256,
            "input_format": a.input_format, "title": a.title, "body": a.body, "published": a.published,
            "date_source": a.date_source, "language": item.language, "byline": a.byline, "url": a.url,
            "site_name": a.site_name, "title_source": a.title_source, "subtitle": a.subtitle,
            "subtitle_source": a.subtitle_source, "byline_source": a.byline_source, "url_source": a.url_source,
            "section": a.section, "section_source": a.section_source, "publisher": r.publisher, "origin": r.origin,
            "provenance": r.provenance, "credits": r.credits, "word_count": item.features["word_count"],
            "run_id": run_id, **versions,
        })
        for where, hits in (("body", item.hits), ("title", item.title_hits)):
            for h in hits:
                out["term_hits"].append({
                    "article_id": aid, "category": h.category, "frame": h.frame, "term": h.term,
                    "canonical": h.canonical, "start": h.start, "end": h.end, "in_quote": h.in_quote,
                    "sentence": h.sentence, "run_id": run_id, **versions, "field": where,
                })
        # Quote and Figure hold scalars only, so their __dict__ is what asdict() gives
        # (asdict deep-copies field by field: half the cost of building these rows)
        for q in item.quotes:
            out["quotes"].append({"article_id": aid, **q.__dict__, "run_id": run_id, **versions})
        for f in item.figures:
            out["figures"].append({"article_id": aid, **f.__dict__, "run_id": run_id, **versions})
        out["features"].append({"article_id": aid, **item.features, "run_id": run_id, **versions})
        for e in r.evidence:
            out["evidence"].append({
                "article_id": aid, "field": e.field, "value": e.value, "rule": e.rule,
                "span": e.span or None, "weight": e.weight, "run_id": run_id,
                "extractor_version": versions["extractor_version"], "registry_version": versions["registry_version"],
            })
    return out
