#!/usr/bin/env python3
"""Language id: how often CLD2 (pycld2) agrees with py3langid, and who is right where not.

    .venv/bin/python bench/langid_agreement.py [--n 12000] [--show 15]

Corpora: the AllSides articles (English news; every body as the pipeline extracts it
from the JSONL) and the pages of trafilatura-eval (many languages; body extracted with
transforms.htmlpage, the page's declared language - <html lang>, content-language,
og:locale - is the reference). Both detectors see what the pipeline gives them: the
first LANGID_CHARS characters of the body. Printed: agreement of the raw detectors,
agreement of transforms.pipeline.detect_language (CLD2 with the py3langid fallback)
with py3langid, accuracy of each against the declared language, and the disagreements.
"""
from __future__ import annotations

import argparse
import collections
import gzip
import itertools
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CORPORA = REPO.parent / "shared" / "corpora"


def detectors():
    import py3langid

    from transforms import pipeline

    def langid(text: str) -> str | None:
        sample = text[: pipeline.LANGID_CHARS]
        return py3langid.classify(sample)[0] if len(sample.strip()) >= 20 else None

    def cld2(text: str) -> str | None:
        sample = text[: pipeline.LANGID_CHARS]
        return pipeline._cld2(sample) if len(sample.strip()) >= 20 else None

    return langid, cld2, pipeline.detect_language


def allsides(n: int) -> list[tuple[str, str, None]]:
    from transforms.extract import extract_file

    path = CORPORA / "allsides" / "articles.jsonl.gz"
    lines = list(itertools.islice(gzip.open(path, "rb"), n))
    out = []
    for i in range(0, len(lines), 500):
        for a in extract_file("allsides.jsonl", b"".join(lines[i:i + 500])):
            if hasattr(a, "body"):
                out.append((f"allsides:{a.record + i}", a.body, None))
    return out


def trafilatura_pages() -> list[tuple[str, str, str | None]]:
    from transforms.htmlpage import extract_html

    out = []
    for p in sorted((CORPORA / "trafilatura-eval" / "html").glob("*.html.gz")):
        html = gzip.open(p, "rb").read().decode("utf-8", "replace")
        ex = extract_html(html)
        if ex.body:
            out.append((f"trafilatura:{p.name}", ex.body, ex.language))
    return out


def report(name: str, items, langid, cld2, ours, show: int) -> None:
    raw_same = final_same = 0
    declared = {"langid": 0, "cld2": 0, "ours": 0, "n": 0}
    unknown = fallback = 0
    diffs = []
    t_l = t_c = 0.0
    for key, body, lang in items:
        t = time.perf_counter()
        a = langid(body)
        t_l += time.perf_counter() - t
        t = time.perf_counter()
        b = cld2(body)
        t_c += time.perf_counter() - t
        c = ours(body)
        raw_same += a == b
        final_same += a == c
        unknown += b is None and a is not None
        fallback += b is None and len(body[: 600].strip()) >= 20
        if lang:
            declared["n"] += 1
            declared["langid"] += a == lang
            declared["cld2"] += b == lang
            declared["ours"] += c == lang
        if a != c:
            diffs.append((key, lang, a, b, c, body[:90].replace("\n", " ")))
    n = len(items)
    print(f"\n## {name}: {n} texts")
    print(f"py3langid {1000 * t_l / n:.3f} ms/text, CLD2 {1000 * t_c / n:.3f} ms/text (wall, first {n} texts)")
    print(f"CLD2 alone (None where not sure) == py3langid: {raw_same}/{n} = {100 * raw_same / n:.2f}% "
          f"(CLD2 unknown/unreliable/mixed where py3langid answers: {unknown})")
    print(f"py3langid fallback used (CLD2 not sure, or a mixed text): {fallback}/{n}")
    print(f"detect_language (CLD2, py3langid fallback) == py3langid: {final_same}/{n} = {100 * final_same / n:.2f}%")
    if declared["n"]:
        d = declared["n"]
        print(f"against the declared page language ({d} pages that declare one): "
              f"py3langid {declared['langid']}/{d} = {100 * declared['langid'] / d:.1f}%, "
              f"CLD2 alone {declared['cld2']}/{d} = {100 * declared['cld2'] / d:.1f}%, "
              f"detect_language {declared['ours']}/{d} = {100 * declared['ours'] / d:.1f}%")
        wins = collections.Counter()
        for _, lang, a, _, c, _ in diffs:
            if lang:
                wins["new right, py3langid wrong" if c == lang and a != lang else
                     "py3langid right, new wrong" if a == lang and c != lang else "both wrong"] += 1
            else:
                wins["no declared language"] += 1
        print("where detect_language and py3langid disagree:", dict(wins))
    pairs = collections.Counter((a, c) for _, _, a, _, c, _ in diffs)
    print("disagreements (py3langid -> detect_language):", dict(pairs.most_common(20)))
    for row in diffs[:show]:
        print("  ", json.dumps(row, ensure_ascii=False))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=12000, help="AllSides articles")
    ap.add_argument("--show", type=int, default=15, help="disagreements printed per corpus")
    args = ap.parse_args()
    langid, cld2, ours = detectors()
    print(f"# language id agreement; command: python bench/langid_agreement.py --n {args.n}")
    report("AllSides", allsides(args.n), langid, cld2, ours, args.show)
    report("trafilatura-eval", trafilatura_pages(), langid, cld2, ours, args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
