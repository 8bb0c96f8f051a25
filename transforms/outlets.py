"""Who published an article, whose text it is, and how it got there.

`resolve(article, hits)` returns publisher and origin (registry ids or None), a
provenance (original, republished, wire, translated, paraphrased), the credits
found in the text, and the evidence for every decision (rule + text span), so a
user can see why. Rules are ordered by strength; the first that fires wins.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from .extract import Article
from .framing import Hit
from .paraphrase import paraphrase_score
from .registry import Outlet, Registry, Signature
from .scan import finditer_at_literals

RESOLVER_VERSION = "outlets-2"   # 2: "told X" names the origin only when the publisher is unknown or reposts others' texts
# outlets that publish others' texts: their own is never the origin by default
REPOSTERS = ("aggregator", "republisher", "content_farm")


@dataclass(frozen=True)
class Evidence:
    field: str          # publisher | origin | provenance | credit
    value: str | None
    rule: str           # e.g. "text:source-line", "record:outlet", "signature"
    span: str           # the text that triggered it
    weight: float = 1.0


@dataclass
class Resolution:
    publisher: str | None = None
    origin: str | None = None
    provenance: str = "original"
    credits: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    paraphrase_score: float | None = None


# ---------------------------------------------------------------- name matching

# A trigger phrase followed by a capitalised name of up to six words; the name is then
# looked up in the registry, longest prefix first. Much cheaper than one regex over
# every alias, and the registry decides what is an outlet.
_NAME_AFTER = r"\s+(?:the\s+)?(?P<name>[A-Z0-9][\w.&'’-]*(?:\s+(?:of\s+|and\s+|&\s+)?[A-Z0-9][\w.&'’-]*){0,5})"
_SELF_REF = re.compile(
    r"\b(?:told|telling|speaking to|spoke to|speaking with|talking to|said to|in an interview with|"
    r"advised|informed|confirmed to|wrote to)" + _NAME_AFTER
)
_ATTRIBUTION = re.compile(r"\b(?:[Aa]ccording to|reported by|citing|cited by)" + _NAME_AFTER)
# what every match of each starts with: the scans run only where one occurs (transforms.scan)
_SELF_REF_STARTS = ("told", "telling", "speaking to", "spoke to", "speaking with", "talking to", "said to",
                    "in an interview with", "advised", "informed", "confirmed to", "wrote to")
_ATTRIBUTION_STARTS = ("According to", "according to", "reported by", "citing", "cited by")


def _name_prefix(registry: Registry, name: str) -> tuple[Outlet, str] | None:
    """The longest word prefix of `name` that is an outlet name or alias (not an author)."""
    words = name.split()
    for k in range(len(words), 0, -1):
        cand = " ".join(words[:k]).rstrip(".,;:’'")
        o = registry.by_name(cand)
        if o and o.type != "author" and (len(cand) > 4 or cand.isupper() or cand == o.name):
            return o, cand
    return None


_SOURCE_LINE = re.compile(r"^\s*(?:SOURCE|Source|Sources|SOURCES)\s*:\s*(?P<name>[^\n]{2,60}?)\s*$", re.M)
_DATELINE = re.compile(r"\((?P<name>[A-Z][A-Za-z .&-]{1,40})\)\s*[-—–]")
_COPYRIGHT = re.compile(r"^\s*(?:©|\(c\)|Copyright(?:\s+©)?)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?[,.]?\s*)?(?P<name>[^.\n]{2,60}?)[.,]?\s*(?:All rights reserved\.?)?\s*$", re.M | re.I)
_PUBLISHED_BY = re.compile(r"^\s*Published by\s*\n?\s*(?P<name>[^\n]{2,60}?)\s*$", re.M)
_BRAND_LINE = re.compile(r"^\s*(?P<name>[\w .&'-]{2,40}?)(?:\s+(?:news|logo))?(?:\.(?:jpe?g|png|svg|gif|webp))?\s*$", re.I)


def _find_credits(registry: Registry, raw: str, body: str) -> tuple[list[tuple[Outlet, str, str, float]], list[str]]:
    """Credits in the page: (outlet, rule, span, weight) strongest first, and credit names."""
    found: list[tuple[Outlet, str, str, float]] = []
    for m in (_SOURCE_LINE.finditer(raw) if "SOURCE" in raw or "Source" in raw else ()):
        for piece in re.split(r"\s*(?:,|/|;|\band\b)\s*", m["name"]):
            o = registry.by_name(piece)
            if o:
                found.append((o, "text:source-line", m.group(0).strip(), 1.0))
    for m in _DATELINE.finditer(body[:600]):
        o = registry.by_name(m["name"])
        if o and o.type == "wire":
            found.append((o, "text:dateline", m.group(0).strip(), 0.9))
    for rx, starts, rule, weight in ((_SELF_REF, _SELF_REF_STARTS, "text:self-reference", 0.8),
                                     (_ATTRIBUTION, _ATTRIBUTION_STARTS, "text:attribution", 0.3)):
        for m in finditer_at_literals(rx, starts, body):
            hit = _name_prefix(registry, m["name"])
            if hit and not (rule == "text:self-reference" and hit[0].type == "wire"):
                span = body[m.start():m.start("name") + len(hit[1])]
                found.append((hit[0], rule, span, weight))
    credit_names = []
    for o, *_ in found:
        if o.id not in credit_names:
            credit_names.append(o.id)
    return found, credit_names


def _publisher_from_page(registry: Registry, art: Article) -> tuple[Outlet, str, str] | None:
    if art.outlet_hint:
        o = registry.by_name(art.outlet_hint)
        if o:
            return o, art.outlet_hint_source or "record:outlet", art.outlet_hint
    o = registry.by_url(art.url)
    if o:
        return o, "url:domain", art.url or ""
    if art.site_name:
        o = registry.by_name(art.site_name)
        if o:
            return o, "page:site-name", art.site_name
    for rx, rule in ((_COPYRIGHT, "text:copyright"), (_PUBLISHED_BY, "text:published-by")):
        for m in rx.finditer(art.raw_text):
            o = registry.by_name(m["name"].strip(" ,"))
            if o:
                return o, rule, m.group(0).strip()
    body_lines = set(art.body.splitlines())
    for line in art.raw_text.splitlines():
        if line in body_lines or len(line) > 60:
            continue
        m = _BRAND_LINE.match(line)
        if m:
            o = registry.by_name(m["name"])
            if o:
                return o, "text:brand-line", line.strip()
    return None


@functools.lru_cache(maxsize=None)
def required_literal(pattern: re.Pattern[str]) -> str | None:
    """The longest run of plain characters every match of `pattern` contains (from the
    top level of the parsed pattern), or None. `literal not in text` then proves that
    the pattern cannot match, for a substring test instead of a regex scan (a pattern
    anchored with ^ under re.MULTILINE is tried at every position of the text)."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        from re import _constants, _parser   # the parser re itself uses (Python 3.11+)
        items = list(_parser.parse(pattern.pattern, pattern.flags))
    except Exception:   # noqa: BLE001 - no shortcut, the regex still decides
        return None
    best, run = "", []
    for op, av in items + [(None, None)]:
        if op is _constants.LITERAL:
            run.append(chr(av))
            continue
        if len(run) > len(best):
            best = "".join(run)
        run = []
    return best or None


@functools.lru_cache(maxsize=8)
def _signed_outlets(registry: Registry) -> tuple[tuple[Outlet, tuple[tuple[Signature, str | None], ...]], ...]:
    """The outlets that have signatures, in registry order, each signature with its
    required_literal: what _signatures reads for every article, found once per registry
    (the loop over the ~280 outlets, most without a signature, cost ~30 us per article)."""
    return tuple((o, tuple((sig, required_literal(sig.pattern)) for sig in o.signatures))
                 for o in registry.outlets if o.signatures)


def _signatures(registry: Registry, raw: str) -> list[tuple[Outlet, float, str]]:
    """Outlets whose house style/page template the text shows (summed weight >= 0.5)."""
    out = []
    for o, sigs in _signed_outlets(registry):
        total, spans = 0.0, []
        for sig, lit in sigs:
            m = sig.pattern.search(raw) if lit is None or lit in raw else None
            if m:
                total += sig.weight
                spans.append(m.group(0).strip()[:80])
        if total >= 0.5:
            out.append((o, min(total, 1.0), " | ".join(spans)))
    return sorted(out, key=lambda t: -t[1])


def resolve(
    art: Article,
    hits: list[Hit],
    registry: Registry,
    language: str | None = None,
    manifest: dict[str, str] | None = None,
) -> Resolution:
    """Publisher, origin, provenance and credits for one article, with evidence."""
    res = Resolution()
    ev = res.evidence
    manifest = manifest or {}

    # publisher: manifest > record/url/site/copyright/brand line > page-template signature
    sigs = _signatures(registry, art.raw_text)
    pub: Outlet | None = None
    if manifest.get("publisher"):
        pub = registry.by_name(manifest["publisher"])
        ev.append(Evidence("publisher", pub.id if pub else None, "manifest:publisher", manifest["publisher"]))
    else:
        found = _publisher_from_page(registry, art)
        if found:
            pub = found[0]
            ev.append(Evidence("publisher", pub.id, found[1], found[2]))
        elif sigs:
            pub = sigs[0][0]
            ev.append(Evidence("publisher", pub.id, "signature:page-template", sigs[0][2], sigs[0][1]))
    res.publisher = pub.id if pub else None

    # origin: manifest > explicit credit > self-reference > another outlet's house style > publisher
    credits, res.credits = _find_credits(registry, art.raw_text, art.body)
    for o, rule, span, w in credits:
        ev.append(Evidence("credit", o.id, rule, span, w))
    origin: Outlet | None = None
    if manifest.get("origin"):
        origin = registry.by_name(manifest["origin"])
        ev.append(Evidence("origin", origin.id if origin else None, "manifest:origin", manifest["origin"]))
    else:
        # a source line or a wire's dateline credits the text to another outlet whoever published
        # it; "told X" says that X did the interview: X's text when the publisher is unknown or
        # reposts, but from an outlet that writes its own it is a quote of X's reporting
        # (CNN's "McConnell told The New York Times" is CNN's article)
        reposted = pub is None or pub.type in REPOSTERS
        strong = [c for c in credits if c[3] >= 0.8 and (pub is None or c[0].id != pub.id)
                  and (reposted or c[1] != "text:self-reference")]
        style = [s for s in sigs if pub is None or s[0].id != pub.id]
        if strong:
            origin = strong[0][0]
            ev.append(Evidence("origin", origin.id, strong[0][1], strong[0][2], strong[0][3]))
        elif style:
            origin = style[0][0]
            ev.append(Evidence("origin", origin.id, "signature:house-style", style[0][2], style[0][1]))
        elif pub is not None and pub.type not in REPOSTERS:
            origin = pub
            ev.append(Evidence("origin", pub.id, "default:publisher", "", 0.5))
    res.origin = origin.id if origin else None

    # provenance: paraphrased > translated > wire > republished > original
    spun = paraphrase_score(art.body, language or "en")
    res.paraphrase_score = spun.score
    # Spanish spellings of names ("Tokáyev") say "translated from Spanish" in a text in
    # another language; in a Spanish text they are its own spelling
    translit = [h for h in hits if h.frame == "es_transliteration"] if language != "es" else []
    origin_langs = set(origin.languages) if origin else set()
    if manifest.get("provenance"):
        res.provenance = manifest["provenance"]
        ev.append(Evidence("provenance", res.provenance, "manifest:provenance", manifest["provenance"]))
    elif spun.flagged:
        res.provenance = "paraphrased"
        ev.append(Evidence("provenance", "paraphrased", "spinner:artefacts",
                           "; ".join(spun.artefacts[:12]) + (f" (rare-word rate {spun.rare_word_rate})"
                                                              if spun.rare_word_rate is not None else ""),
                           spun.score or 0.0))
    elif translit:
        res.provenance = "translated"
        ev.append(Evidence("provenance", "translated", "text:es-transliteration",
                           ", ".join(sorted({h.term for h in translit}))))
    elif language and origin_langs and language not in origin_langs:
        res.provenance = "translated"
        ev.append(Evidence("provenance", "translated", "origin-language",
                           f"text in {language}; {origin.id} publishes in {'/'.join(sorted(origin_langs))}"))
    elif origin is not None and origin.type == "wire" and (pub is None or pub.id != origin.id):
        res.provenance = "wire"
        ev.append(Evidence("provenance", "wire", "origin-is-wire", origin.id))
    elif origin is not None and (pub is None or pub.id != origin.id):
        res.provenance = "republished"
        ev.append(Evidence("provenance", "republished", "origin-differs-from-publisher",
                           f"{pub.id if pub else '?'} <- {origin.id}"))
    elif pub is not None and pub.type in REPOSTERS:
        res.provenance = "republished"
        ev.append(Evidence("provenance", "republished", "publisher-type", pub.type))
    else:
        ev.append(Evidence("provenance", "original", "default", ""))
    return res
