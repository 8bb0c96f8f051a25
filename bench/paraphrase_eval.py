"""Spun-copy detector: false positives on real news, detection on spun real news.

Corpus: ../shared/corpora/allsides/articles.jsonl.gz (12,000 original US news articles).
* Calibration: rare-word-rate median and 99.5th percentile on the even-numbered articles
  (the values in transforms/resources/paraphrase.yaml come from this line of output).
* False positives: share of the odd-numbered (held-out) originals that get flagged.
* Detection: N held-out articles run through a bench-only spinner (bench/spin_synonyms.yaml,
  disjoint from the detector's lists): synonym swaps at two strengths, broken fixed names
  only, and both. Reported per variant, with the share of words actually swapped.

Run: .venv/bin/python bench/paraphrase_eval.py [--n 500]
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from transforms import paraphrase  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "allsides" / "articles.jsonl.gz"
SPIN = Path(__file__).resolve().parent / "spin_synonyms.yaml"
_WORD = re.compile(r"[A-Za-z]+")


def load_bodies() -> list[str]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        return [json.loads(line)["content_original"] for line in fh]


def load_spinner() -> tuple[dict[str, str], dict[str, str]]:
    doc = yaml.safe_load(SPIN.read_text(encoding="utf-8"))
    return doc["synonyms"], doc["fixed_names"]


def spin(text: str, synonyms: dict[str, str], fixed: dict[str, str], p_word: float,
         break_names: bool, rng: random.Random) -> tuple[str, float]:
    """A thesaurus spinner: each lowercase word found in the table is swapped with
    probability p_word; fixed names are broken word by word. Returns (text, share of
    lowercase words swapped)."""
    if break_names:
        for name, spun in fixed.items():
            text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", spun, text)
    swapped = total = 0

    def swap(m: re.Match[str]) -> str:
        nonlocal swapped, total
        w = m.group(0)
        if not w.islower():
            return w
        total += 1
        if w in synonyms and rng.random() < p_word:
            swapped += 1
            return synonyms[w]
        return w
    out = _WORD.sub(swap, text) if p_word > 0 else text
    if p_word == 0:
        total = sum(1 for w in _WORD.findall(text) if w.islower())
    return out, swapped / max(total, 1)


def make_spun(bodies: list[str], synonyms: dict[str, str], fixed: dict[str, str], seed: int = 7) -> dict[str, list[tuple[str, float]]]:
    rng = random.Random(seed)
    variants = {
        "synonyms, half of table words swapped": (0.5, False),
        "synonyms, every table word swapped": (1.0, False),
        "broken fixed names only": (0.0, True),
        "synonyms (half) + broken fixed names": (0.5, True),
    }
    return {name: [spin(b, synonyms, fixed, p, names, rng) for b in bodies] for name, (p, names) in variants.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500)
    args = ap.parse_args()
    bodies = load_bodies()
    even, odd = bodies[0::2], bodies[1::2]
    cfg = paraphrase.load_config()
    print(f"Command: `.venv/bin/python bench/paraphrase_eval.py --n {args.n}`  ({paraphrase.PARAPHRASE_VERSION}, paraphrase.yaml v{cfg.version})\n")
    rates = np.array([r.rare_word_rate for r in map(paraphrase.paraphrase_score, even) if r.rare_word_rate is not None])
    print(f"Calibration on {len(rates)} even-numbered originals: rare-word rate median {np.median(rates):.4f}, "
          f"p99 {np.percentile(rates, 99):.4f}, p99.5 {np.percentile(rates, 99.5):.4f} "
          f"(yaml: rate_median {cfg.rate_median}, rate_flag {cfg.rate_flag})\n")
    t0 = time.perf_counter()
    res = [paraphrase.paraphrase_score(b) for b in odd]
    secs = time.perf_counter() - t0
    kb = sum(len(b.encode()) for b in odd) / 1024
    flagged = [r for r in res if r.flagged]
    by_art = sum(1 for r in flagged if any(" (for " in a and not a.split(" (for ")[0].islower() or " " in a.split(" (for ")[0] for a in r.artefacts))
    print("| set | articles | flagged | rate | mean score | ms per article | ms per 6 KB |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print(f"| held-out originals (odd-numbered) | {len(odd)} | {len(flagged)} | {len(flagged) / len(odd):.2%} | "
          f"{np.mean([r.score or 0 for r in res]):.3f} | {1000 * secs / len(odd):.3f} | {1000 * secs / kb * 6:.3f} |")
    print(f"\nFalse positives with an artefact among the evidence: {by_art}; examples: "
          + "; ".join(", ".join(r.artefacts[:3]) for r in flagged[:5] if r.artefacts))
    synonyms, fixed = load_spinner()
    sample = random.Random(1).sample(odd, args.n)
    print("\n| spun variant (bench spinner, unseen lists) | articles | share of lowercase words swapped (mean) | detected | detection rate | mean score | mean rare-word rate |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, spun in make_spun(sample, synonyms, fixed).items():
        rs = [paraphrase.paraphrase_score(t) for t, _ in spun]
        det = sum(r.flagged for r in rs)
        print(f"| {name} | {len(rs)} | {np.mean([s for _, s in spun]):.1%} | {det} | {det / len(rs):.1%} | "
              f"{np.mean([r.score or 0 for r in rs]):.3f} | {np.mean([r.rare_word_rate or 0 for r in rs]):.4f} |")


if __name__ == "__main__":
    main()
