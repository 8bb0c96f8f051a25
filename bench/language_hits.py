#!/usr/bin/env python3
"""What the word lists find in texts that are not English: hits by category and language on
the trafilatura-eval pages (~900 articles in 20 languages, most of them German), for a
baseline revision beside the working tree.

    .venv/bin/python bench/language_hits.py [--baseline REV]

The lexicons and attribution lists are words of one language. Read in another, the same
letters are other words (German "Gang" is a walk, French "tout" is "all"), so every hit
they make there is to be read: the most frequent terms of each language are listed.
"""
from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGES = REPO.parent / "shared" / "corpora" / "trafilatura-eval" / "html"


def child() -> None:
    from transforms.pipeline import default_context, process_file

    ctx = default_context()
    out: dict[str, dict] = {}
    for page in sorted(PAGES.iterdir()):
        for item in process_file(page.name, page.read_bytes(), ctx):
            if not hasattr(item, "hits"):
                continue
            lang = out.setdefault(item.language or "unknown", {"articles": 0, "categories": {}, "terms": {}})
            lang["articles"] += 1
            for h in item.hits + item.title_hits:
                lang["categories"][h.category] = lang["categories"].get(h.category, 0) + 1
                key = f"{h.category}:{h.term.lower()}"
                lang["terms"][key] = lang["terms"].get(key, 0) + 1
            lang["categories"]["figure"] = lang["categories"].get("figure", 0) + len(item.figures)
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--baseline", default="HEAD")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child()
    sys.path.insert(0, str(REPO / "bench"))
    from abtest import alternate

    runs = alternate(args.baseline, lambda name, i: [str(REPO / "bench" / "language_hits.py"), "--child"], 1)
    base, cur = runs["baseline"][0], runs["current"][0]
    print(f"\n# hits by language on the trafilatura-eval pages: baseline {args.baseline} beside the working tree")
    print(f"command: python bench/language_hits.py --baseline {args.baseline}\n")
    print("| language | articles | hits baseline | hits current | by category (baseline -> current) |")
    print("|---|---:|---:|---:|---|")
    for lang in sorted(base, key=lambda k: -base[k]["articles"]):
        b, c = base[lang], cur.get(lang, {"articles": 0, "categories": {}, "terms": {}})
        cats = sorted(set(b["categories"]) | set(c["categories"]))
        detail = ", ".join(f"{k} {b['categories'].get(k, 0)} -> {c['categories'].get(k, 0)}" for k in cats
                           if b["categories"].get(k, 0) or c["categories"].get(k, 0))
        print(f"| {lang} | {b['articles']} | {sum(b['categories'].values())} | {sum(c['categories'].values())} | {detail} |")
    for lang in sorted(base, key=lambda k: -base[k]["articles"]):
        if lang == "en":
            continue
        for label, run in (("baseline", base[lang]), ("current", cur.get(lang, {"terms": {}}))):
            top = collections.Counter(run["terms"]).most_common(15)
            if top:
                print(f"- {lang} {label}: " + ", ".join(f"{t} {n}" for t, n in top))


if __name__ == "__main__":
    main()
