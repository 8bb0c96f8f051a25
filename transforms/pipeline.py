"""The pure per-batch pipeline: files (name, bytes) -> warehouse rows.

Flows read bytes and write Parquet; everything between lives here so it can be
tested and run without Prefect (the `extract` and `analyze` CLI commands use it).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Iterable

import py3langid

from . import framing, readability, tone
from .extract import EXTRACTOR_VERSION, Article, Reject, article_id, extract_file
from .framing import Hit
from .lexicon import Lexicon, load_lexicon
from .outlets import RESOLVER_VERSION, Resolution, resolve
from .records import DEFAULT_FIELD_MAP, FieldMap
from .registry import Registry, load_registry
from .schema import FEATURE_COLUMNS

LANGID_CHARS = 600   # enough for a reliable guess on news prose; langid cost grows with length


@dataclass(frozen=True)
class Context:
    """What a run needs besides the input: resources and their versions."""

    lexicon: Lexicon
    registry: Registry
    fmap: FieldMap = DEFAULT_FIELD_MAP
    manifest: dict[str, dict[str, str]] = field(default_factory=dict)  # source -> overrides

    @property
    def versions(self) -> dict[str, str]:
        return {
            "extractor_version": f"{EXTRACTOR_VERSION}+{RESOLVER_VERSION}",
            "lexicon_version": "+".join([self.lexicon.version, framing.FRAMING_VERSION,
                                         readability.READABILITY_VERSION, tone.TONE_VERSION]),
            "registry_version": self.registry.version,
        }


@functools.cache
def default_context() -> Context:
    return Context(load_lexicon("en"), load_registry())


@dataclass
class Analyzed:
    article: Article
    article_id: str
    language: str | None
    resolution: Resolution
    hits: list[Hit]
    features: dict[str, Any]


def detect_language(text: str) -> str | None:
    sample = text[:LANGID_CHARS]
    if len(sample.strip()) < 20:
        return None
    lang, _ = py3langid.classify(sample)
    return lang


def analyze_article(art: Article, ctx: Context) -> Analyzed:
    language = (art.language or "").split("-")[0].lower() or detect_language(art.body)
    lexicon = ctx.lexicon
    sentences = framing.sentence_spans(art.body)
    quotes = framing.quote_spans(art.body)
    hits = framing.find_hits(art.body, lexicon, sentences, quotes)
    overrides = ctx.manifest.get(art.source, {})
    if overrides.get("url") and not art.url:
        art.url = overrides["url"]
    res = resolve(art, hits, ctx.registry, language=language, manifest=overrides)
    feats: dict[str, Any] = dict(readability.readability(art.body))
    if feats["text_standard"] is not None:  # textstat returns the int 1 or 18 at its clamps
        feats["text_standard"] = float(feats["text_standard"])
    feats["quote_share"] = framing.quote_share(art.body, quotes)
    feats.update(framing.hit_counts(hits))
    feats.update(tone.tone_features(art.body, sentences, framing.group_sentences(hits, sentences)))
    feats["paraphrase_score"] = res.paraphrase_score
    feats = {name: feats.get(name) for name, _ in FEATURE_COLUMNS}
    return Analyzed(art, article_id(art.body), language, res, hits, feats)


def process_file(name: str, data: bytes, ctx: Context) -> list[Analyzed | Reject]:
    out: list[Analyzed | Reject] = []
    for item in extract_file(name, data, ctx.fmap):
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
            obj.update(features={}, hits=[], evidence=[])
        return obj
    a, r = item.article, item.resolution
    obj = {
        "source": a.source, "record": a.record, "status": "ok", "reason": None, "detail": None,
        "article_id": item.article_id, "title": a.title, "body": a.body,
        "published": a.published.isoformat() if a.published else None,
        "date_source": a.date_source, "language": item.language, "byline": a.byline, "url": a.url,
        "publisher": r.publisher, "origin": r.origin, "provenance": r.provenance, "credits": r.credits,
    }
    if with_analysis:
        obj["features"] = item.features
        obj["hits"] = [h.as_dict() for h in item.hits]
        obj["evidence"] = [e.__dict__ for e in r.evidence]
    return obj


def rows(
    results: Iterable[Analyzed | Reject], run_id: str, versions: dict[str, str], known_ids: set[str] | frozenset = frozenset()
) -> dict[str, list[dict[str, Any]]]:
    """Warehouse rows for a batch. An article already stored (same normalised body,
    in `known_ids` or earlier in this batch) only adds an `article_sources` row."""
    out: dict[str, list[dict[str, Any]]] = {
        "articles": [], "article_sources": [], "term_hits": [], "features": [], "evidence": [], "rejects": []
    }
    seen = set(known_ids)
    for item in results:
        if isinstance(item, Reject):
            out["rejects"].append({
                "source": item.source, "record": item.record, "raw_sha256": item.raw_sha256,
                "reason": item.reason, "detail": item.detail or None, "run_id": run_id,
            })
            continue
        a, aid, r = item.article, item.article_id, item.resolution
        out["article_sources"].append(
            {"article_id": aid, "source": a.source, "record": a.record, "raw_sha256": a.raw_sha256, "run_id": run_id}
        )
        if aid in seen:
            continue
        seen.add(aid)
        out["articles"].append({
            "article_id": aid, "source": a.source, "record": a.record, "raw_sha256": a.raw_sha256,
            "input_format": a.input_format, "title": a.title, "body": a.body, "published": a.published,
            "date_source": a.date_source, "language": item.language, "byline": a.byline, "url": a.url,
            "site_name": a.site_name, "publisher": r.publisher, "origin": r.origin,
            "provenance": r.provenance, "credits": r.credits, "word_count": item.features["word_count"],
            "run_id": run_id, **versions,
        })
        for h in item.hits:
            out["term_hits"].append({
                "article_id": aid, "category": h.category, "frame": h.frame, "term": h.term,
                "canonical": h.canonical, "start": h.start, "end": h.end, "in_quote": h.in_quote,
                "sentence": h.sentence, "run_id": run_id, **versions,
            })
        out["features"].append({"article_id": aid, **item.features, "run_id": run_id, **versions})
        for e in r.evidence:
            out["evidence"].append({
                "article_id": aid, "field": e.field, "value": e.value, "rule": e.rule,
                "span": e.span or None, "weight": e.weight, "run_id": run_id,
            })
    return out
