"""Validate transforms/resources/outlets.yaml and measure how well it covers the data we have.

    python bench/outlet_coverage.py [--registry PATH] [--shared PATH]

1. Validates the registry on its own terms (no project imports): unique ids; every
   id/name/alias key (case-insensitive, whitespace-normalised) belongs to one outlet only;
   unique domains; enum values; ISO-shaped country/state_affiliation/language codes; domain shape; lean and
   lean_source set together; signature regexes compile (re.MULTILINE) and weights in (0, 1].
2. Streams ../shared/corpora/allsides/articles.jsonl.gz and reports the share of articles whose
   `source` matches an outlet key (must be 100%), listing any unmatched sources.
3. Runs every signature over the five seeds in ../shared/seeds and prints a signature x seed
   matrix (expected: rt hits only 000_*, trt_world only 002_*), then counts signature hits in
   the AllSides corpus as a false-positive check.

Exit status: 0 when all is well, 1 on a validation error, 2 when corpus coverage is below
100%, 3 when a signature matches a seed it should not.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

TYPES = {"outlet", "wire", "aggregator", "republisher", "content_farm", "broadcaster", "author"}
OWNERSHIP = {"state", "public_service", "private", "unknown"}
LEANS = {"left", "lean_left", "center", "lean_right", "right", "mixed"}
FIELDS = {
    "id", "name", "aliases", "domains", "country", "languages", "type", "ownership",
    "state_affiliation", "lean", "lean_source", "signatures",
}
REQUIRED = FIELDS - {"signatures"}
ID_RE = re.compile(r"^[a-z0-9_]+$")
CC_RE = re.compile(r"^[A-Z]{2}$")
LANG_RE = re.compile(r"^[a-z]{2}$")
DOMAIN_RE = re.compile(r"^(?!www\.)(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")

# Which seed each outlet's signatures are expected to hit (by file-name prefix).
EXPECTED_SEED = {"rt": "000_", "trt_world": "002_"}


def norm(s: str) -> str:
    """The matching key: whitespace collapsed, case folded."""
    return " ".join(s.split()).casefold()


def validate(reg: object) -> tuple[list[str], dict[str, str]]:
    """Return (errors, key -> outlet id)."""
    errors: list[str] = []
    keys: dict[str, str] = {}
    if not isinstance(reg, dict):
        return ["top level must be a mapping with 'version' and 'outlets'"], keys
    extra = set(reg) - {"version", "outlets"}
    if extra:
        errors.append(f"unknown top-level keys: {sorted(extra)}")
    if not isinstance(reg.get("version"), str) or not reg["version"].strip():
        errors.append("version must be a non-empty string (quote it in YAML)")
    outlets = reg.get("outlets")
    if not isinstance(outlets, list) or not outlets:
        return errors + ["outlets must be a non-empty list"], keys

    ids: set[str] = set()
    domain_owner: dict[str, str] = {}
    for i, o in enumerate(outlets):
        where = f"outlets[{i}]"
        if not isinstance(o, dict):
            errors.append(f"{where}: must be a mapping")
            continue
        oid = o.get("id")
        where = f"outlets[{i}] ({oid!r})"
        missing = REQUIRED - set(o)
        if missing:
            errors.append(f"{where}: missing fields {sorted(missing)}")
        unknown = set(o) - FIELDS
        if unknown:
            errors.append(f"{where}: unknown fields {sorted(unknown)}")
        if not isinstance(oid, str) or not ID_RE.match(oid):
            errors.append(f"{where}: id must match [a-z0-9_]+")
            continue
        if oid in ids:
            errors.append(f"{where}: duplicate id")
        ids.add(oid)

        name = o.get("name")
        if not isinstance(name, str) or not name.strip():
            errors.append(f"{where}: name must be a non-empty string")
            name = None
        aliases = o.get("aliases")
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            errors.append(f"{where}: aliases must be a list of non-empty strings")
            aliases = []
        for a in aliases:
            if a != a.strip():
                errors.append(f"{where}: alias {a!r} has leading/trailing whitespace")
            if name and norm(a) == norm(name):
                errors.append(f"{where}: alias {a!r} repeats the name")
        seen_here = [norm(a) for a in aliases]
        dups = {a for a in seen_here if seen_here.count(a) > 1}
        if dups:
            errors.append(f"{where}: repeated aliases {sorted(dups)}")
        # Global key uniqueness: id, name and aliases of one outlet may coincide (id rt, name RT),
        # but no key may belong to two outlets.
        for k in {norm(oid), *(norm(x) for x in [name, *aliases] if x)}:
            other = keys.get(k)
            if other is not None and other != oid:
                errors.append(f"{where}: key {k!r} already belongs to {other!r}")
            keys.setdefault(k, oid)

        domains = o.get("domains")
        if not isinstance(domains, list):
            errors.append(f"{where}: domains must be a list")
        else:
            for d in domains:
                if not isinstance(d, str) or not DOMAIN_RE.match(d):
                    errors.append(f"{where}: bad domain {d!r} (lowercase, no scheme, no www)")
                elif domain_owner.setdefault(d, oid) != oid:
                    errors.append(f"{where}: domain {d!r} already belongs to {domain_owner[d]!r}")
        for fld in ("country", "state_affiliation"):
            v = o.get(fld)
            if v is not None and not (isinstance(v, str) and CC_RE.match(v)):
                errors.append(f"{where}: {fld} must be an ISO 3166-1 alpha-2 code or null, got {v!r}")
        langs = o.get("languages")
        if not isinstance(langs, list) or not langs or not all(
            isinstance(x, str) and LANG_RE.match(x) for x in langs
        ):
            errors.append(f"{where}: languages must be a non-empty list of ISO 639-1 codes, got {langs!r}")
        if o.get("type") not in TYPES:
            errors.append(f"{where}: type {o.get('type')!r} not in {sorted(TYPES)}")
        if o.get("ownership") not in OWNERSHIP:
            errors.append(f"{where}: ownership {o.get('ownership')!r} not in {sorted(OWNERSHIP)}")
        lean, lean_source = o.get("lean"), o.get("lean_source")
        if lean is not None and lean not in LEANS:
            errors.append(f"{where}: lean {lean!r} not in {sorted(LEANS)} or null")
        if (lean is None) != (lean_source is None):
            errors.append(f"{where}: lean and lean_source must be set together")
        if lean_source is not None and not (isinstance(lean_source, str) and lean_source.strip()):
            errors.append(f"{where}: lean_source must be a non-empty string or null")

        sigs = o.get("signatures", [])
        if not isinstance(sigs, list):
            errors.append(f"{where}: signatures must be a list")
            continue
        for j, s in enumerate(sigs):
            sw = f"{where} signatures[{j}]"
            if not isinstance(s, dict) or set(s) - {"pattern", "weight", "note"} or "pattern" not in s:
                errors.append(f"{sw}: must be a mapping with pattern, weight, note")
                continue
            try:
                re.compile(s["pattern"], re.MULTILINE)
            except (re.error, TypeError) as exc:
                errors.append(f"{sw}: pattern does not compile: {exc}")
            w = s.get("weight")
            if isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 < w <= 1:
                errors.append(f"{sw}: weight must be a number in (0, 1], got {w!r}")
            if not isinstance(s.get("note"), str) or not s["note"].strip():
                errors.append(f"{sw}: note must be a non-empty string")
    return errors, keys


def corpus_coverage(path: Path, keys: dict[str, str], sigs: list[tuple[str, int, re.Pattern]]):
    by_source: collections.Counter[str] = collections.Counter()
    sig_hits: dict[tuple[str, int], collections.Counter[str]] = collections.defaultdict(collections.Counter)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            src = rec.get("source") or ""
            by_source[src] += 1
            text = rec.get("content_original") or ""
            for oid, j, rx in sigs:
                if rx.search(text):
                    sig_hits[(oid, j)][src] += 1
    total = sum(by_source.values())
    unmatched = {s: n for s, n in by_source.items() if norm(s) not in keys}
    matched = total - sum(unmatched.values())
    return total, matched, by_source, unmatched, sig_hits


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--registry", type=Path, default=REPO / "transforms" / "resources" / "outlets.yaml")
    ap.add_argument("--shared", type=Path, default=SHARED)
    args = ap.parse_args(argv)

    reg = yaml.safe_load(args.registry.read_text(encoding="utf-8"))
    errors, keys = validate(reg)
    if errors:
        print(f"VALIDATION FAILED ({len(errors)} errors) in {args.registry}:")
        for e in errors:
            print("  -", e)
        return 1
    outlets = reg["outlets"]
    types = collections.Counter(o["type"] for o in outlets)
    print(f"registry {args.registry.relative_to(REPO) if args.registry.is_relative_to(REPO) else args.registry}"
          f" version {reg['version']}: {len(outlets)} entries, {len(keys)} match keys; valid")
    print("  by type: " + ", ".join(f"{k} {v}" for k, v in types.most_common()))
    print(f"  person_*/guest-writer entries (not outlets): "
          f"{sum(o['id'].startswith(('person_', 'allsides_guest_writer')) for o in outlets)}")

    sigs = [
        (o["id"], j, re.compile(s["pattern"], re.MULTILINE))
        for o in outlets for j, s in enumerate(o.get("signatures") or [])
    ]
    status = 0

    # --- corpus coverage ---
    corpus = args.shared / "corpora" / "allsides" / "articles.jsonl.gz"
    sig_hits = {}
    if corpus.exists():
        total, matched, by_source, unmatched, sig_hits = corpus_coverage(corpus, keys, sigs)
        print(f"\nAllSides coverage: {matched}/{total} articles = {100 * matched / total:.2f}%; "
              f"{len(by_source) - len(unmatched)}/{len(by_source)} distinct sources matched")
        for s, n in sorted(unmatched.items(), key=lambda kv: -kv[1]):
            print(f"  UNMATCHED {s!r} ({n} articles)")
        if unmatched:
            status = status or 2
    else:
        print(f"\n(no corpus at {corpus}; coverage not measured)")

    # --- signatures vs seeds ---
    seeds = sorted((args.shared / "seeds").glob("*.txt"))
    if seeds:
        texts = {p.name: p.read_text(encoding="utf-8") for p in seeds}
        cols = [p.name[:3] for p in seeds]
        print("\nSignature x seed matrix (X = matches):")
        print(f"  {'outlet[#]':<14} {'weight':>6}  " + " ".join(f"{c:>4}" for c in cols) + "   pattern")
        for oid, j, rx in sigs:
            row = []
            for name, text in texts.items():
                hit = bool(rx.search(text))
                row.append("X" if hit else ".")
                want = EXPECTED_SEED.get(oid)
                if hit and want is not None and not name.startswith(want):
                    status = status or 3
                    print(f"  !! {oid}[{j}] matches seed {name}, expected only {want}*")
            w = next(o for o in outlets if o["id"] == oid)["signatures"][j]["weight"]
            print(f"  {oid + f'[{j}]':<14} {w:>6}  " + " ".join(f"{c:>4}" for c in row) + f"   {rx.pattern[:60]}")
        # Combined evidence per outlet per seed: the sum of matching weights (capped at 1), as
        # transforms.outlets does (it accepts a template match at >= 0.5).
        print("\nCombined (sum of matching weights, capped at 1) per outlet per seed:")
        for oid in dict.fromkeys(o for o, _, _ in sigs):
            o = next(x for x in outlets if x["id"] == oid)
            row = []
            for text in texts.values():
                score = sum(s["weight"] for s in o["signatures"] if re.search(s["pattern"], text, re.MULTILINE))
                row.append(f"{min(score, 1.0):.2f}")
            print(f"  {oid:<14} " + " ".join(f"{c:>5}" for c in row))

    if sigs and corpus.exists():
        print(f"\nSignature hits in the AllSides corpus ({total} articles): hits on another outlet's"
              " articles are false positives")
        for oid, j, _ in sigs:
            c = sig_hits.get((oid, j), collections.Counter())
            own = sum(n for s, n in c.items() if keys.get(norm(s)) == oid)
            other = sum(c.values()) - own
            top = ", ".join(f"{s} {n}" for s, n in c.most_common(5) if keys.get(norm(s)) != oid)
            print(f"  {oid + f'[{j}]':<14} own {own:>4}  other {other:>4}  {top}")

    print("\nOK" if status == 0 else f"\nFAILED (exit {status})")
    return status


if __name__ == "__main__":
    sys.exit(main())
