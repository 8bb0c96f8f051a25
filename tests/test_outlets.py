"""Outlet registry validation and per-article resolution on the five seeds."""

import pytest

from transforms.errors import ResourceError
from transforms.pipeline import default_context, process_file
from transforms.registry import build_registry, load_registry

from .conftest import SEEDS, seed_bytes

# What a person concludes by reading the seeds (../shared/README.md).
EXPECTED = {
    "rt": ("paradox", "rt", "republished"),
    "es": ("globalhappenings", None, "translated"),
    "trt": ("trt_world", "afp", "wire"),
    "izv": (None, "izvestiya", "translated"),
    "spun": (None, "politico", "paraphrased"),
}


@pytest.fixture(scope="module")
def analyzed():
    ctx = default_context()
    return {k: process_file(SEEDS[k], seed_bytes(k), ctx)[0] for k in SEEDS}


@pytest.mark.parametrize("key", list(EXPECTED))
def test_seed_resolution(analyzed, key):
    r = analyzed[key].resolution
    assert (r.publisher, r.origin, r.provenance) == EXPECTED[key]


def test_only_the_spun_seed_is_paraphrased(analyzed):
    assert [k for k, a in analyzed.items() if a.resolution.provenance == "paraphrased"] == ["spun"]


@pytest.mark.parametrize(
    "key, field, rule, span_part",
    [
        ("rt", "publisher", ("text:copyright", "page:site-name"), "paradox"),
        ("rt", "origin", "signature:house-style", "READ MORE"),
        ("trt", "origin", "text:source-line", "SOURCE:AFP"),
        ("trt", "publisher", "signature:page-template", "MIN READ"),
        ("izv", "origin", "text:self-reference", "speaking to Izvestiya"),
        ("spun", "origin", "text:self-reference", "POLITICO"),
        ("spun", "provenance", "spinner:artefacts", "White Home"),
        ("es", "provenance", "text:es-transliteration", "Tokáyev"),
    ],
)
def test_every_decision_has_evidence(analyzed, key, field, rule, span_part):
    ev = [e for e in analyzed[key].resolution.evidence if e.field == field]
    assert ev, f"no evidence for {field}"
    assert ev[0].rule in ((rule,) if isinstance(rule, str) else rule) and span_part in ev[0].span


def test_attribution_is_a_credit_not_the_origin(analyzed):
    spun = analyzed["spun"].resolution
    assert "ap" in spun.credits and spun.origin == "politico"


def test_manifest_overrides_inference():
    base = default_context()
    from transforms.pipeline import Context

    ctx = Context(base.lexicon, base.registry, base.fmap,
                  {SEEDS["es"]: {"publisher": "Reuters", "origin": "EFE", "provenance": "translated"}})
    a = process_file(SEEDS["es"], seed_bytes("es"), ctx)[0]
    assert (a.resolution.publisher, a.resolution.origin) == ("reuters", "efe")
    assert a.resolution.evidence[0].rule == "manifest:publisher"


def test_record_source_field_resolves(tmp_path):
    import json

    out = process_file("r.jsonl", (json.dumps({"content": "Some text about a vote.", "source": "CNN (Web News)",
                                               "url": "https://www.cnn.com/x"}) + "\n").encode(), default_context())
    assert out[0].resolution.publisher == "cnn" and out[0].resolution.provenance == "original"


def test_told_another_outlet_is_its_interview_not_the_texts_origin():
    """"X told The New York Times" in CNN's article is CNN quoting the Times' interview: the
    origin stays CNN's and the article is original, the Times a credit with its evidence (9% of
    AllSides' articles, each one of CNN, Fox News, the BBC..., were counted as another outlet's
    republished text). From a publisher that reposts others' texts, or an unknown one, "told X"
    still names X as the origin (the Izvestiya seed: publisher unknown)."""
    import json

    body = ("McConnell told The New York Times on Tuesday that the vote would be held next week. "
            "Senators from both parties said they expected a close result.")
    records = [{"content": body, "source": "CNN (Web News)"}, {"content": body, "source": "globalhappenings"},
               {"content": body}]
    data = "\n".join(json.dumps(r) for r in records).encode()
    cnn, aggregator, unknown = (a.resolution for a in process_file("r.jsonl", data, default_context()))
    assert (cnn.publisher, cnn.origin, cnn.provenance) == ("cnn", "cnn", "original")
    assert "nytimes" in cnn.credits
    assert [(e.rule, e.span) for e in cnn.evidence if e.field == "credit"] == [
        ("text:self-reference", "told The New York Times")]
    assert (aggregator.publisher, aggregator.origin, aggregator.provenance) == (
        "globalhappenings", "nytimes", "republished")
    assert (unknown.publisher, unknown.origin, unknown.provenance) == (None, "nytimes", "republished")


def test_registry_lookups():
    reg = load_registry()
    assert reg.by_name("Agence France-Presse").id == "afp"
    assert reg.by_name("  agence   france-presse ").id == "afp"
    assert reg.by_url("https://www.rt.com/news/1234").id == "rt"
    assert reg.by_url("not a url") is None
    assert reg.by_name(None) is None
    ids = {o.id for o in reg.outlets}
    for must in ("afp", "reuters", "ap", "efe", "tass", "interfax", "xinhua", "rt", "sputnik", "trt_world",
                 "cgtn", "aljazeera", "bbc", "dw", "france24", "voa", "rferl", "izvestiya", "kommersant", "politico"):
        assert must in ids, must


def _reg_doc():
    return {"version": "t", "outlets": [
        {"id": "a", "name": "A News", "aliases": ["AN"], "domains": ["a.com"], "country": "US", "languages": ["en"],
         "type": "outlet", "ownership": "private", "state_affiliation": None, "lean": None, "lean_source": None}]}


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("version"), "needs a 'version'"),
        (lambda d: d["outlets"][0].update(id="Bad Id"), "must match"),
        (lambda d: d["outlets"][0].update(type="blog"), "type 'blog'"),
        (lambda d: d["outlets"][0].update(ownership="mixed"), "ownership"),
        (lambda d: d["outlets"][0].update(country="USA"), "ISO 3166"),
        (lambda d: d["outlets"].append(dict(d["outlets"][0], id="b", name="B")), "used by both"),
        (lambda d: d["outlets"][0].update(signatures=[{"pattern": "(", "weight": 0.5}]), "bad signature"),
    ],
)
def test_invalid_registry_raises(mutate, message):
    doc = _reg_doc()
    mutate(doc)
    with pytest.raises(ResourceError, match=message):
        build_registry(doc)


def test_packaged_registry_is_valid_and_versioned():
    reg = load_registry()
    assert reg.version and len(reg.outlets) > 200


@pytest.mark.corpus
def test_signatures_equal_the_loop_over_every_outlet():
    """_signatures walks only the outlets that have signatures, with each required
    literal found once per registry: the same result as the loop over every outlet
    (required_literal asked per signature), on 2,000 AllSides raw texts, the seeds and
    texts made of the signatures' own literals."""
    import gzip
    import itertools
    import random

    from transforms.extract import extract_file
    from transforms.outlets import _signatures, required_literal

    from .conftest import corpus

    def loop(registry, raw):
        out = []
        for o in registry.outlets:
            if not o.signatures:
                continue
            total, spans = 0.0, []
            for sig in o.signatures:
                lit = required_literal(sig.pattern)
                m = sig.pattern.search(raw) if lit is None or lit in raw else None
                if m:
                    total += sig.weight
                    spans.append(m.group(0).strip()[:80])
            if total >= 0.5:
                out.append((o, min(total, 1.0), " | ".join(spans)))
        return sorted(out, key=lambda t: -t[1])

    registry = load_registry()
    with gzip.open(corpus("allsides", "articles.jsonl.gz"), "rb") as f:
        arts = extract_file("allsides.jsonl", b"".join(itertools.islice(f, 2000)))
    texts = [a.raw_text for a in arts if hasattr(a, "raw_text")]
    texts += [seed_bytes(k).decode("utf-8") for k in SEEDS]
    lits = [required_literal(s.pattern) or "" for o in registry.outlets for s in o.signatures]
    rnd = random.Random(2)
    texts += ["\n".join(rnd.choice(lits) + rnd.choice(["", "X", "Abc Def", "2020-01-01", "\n"]) for _ in range(8))
              for _ in range(500)]
    found = 0
    for raw in texts:
        want = loop(registry, raw)
        found += len(want)
        assert _signatures(registry, raw) == want
    assert found > 10
