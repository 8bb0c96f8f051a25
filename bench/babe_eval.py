"""Measure the loaded-language lexicon on BABE (expert word- and sentence-level bias labels).

    .venv/bin/python bench/babe_eval.py [--babe PATH] [--k K] [--old-rev REV]

Method (all choices are fixed here, before looking at the held-out half):
- Data: ../shared/corpora/babe/final_labels_SG2.csv; the one "No agreement" sentence is dropped.
- Split: a sentence is in the tuning half when int(sha256(text)) is even, else held-out.
  The lexicon (transforms/resources/lexicons/en/loaded_language.yaml) was built from the
  tuning half only (its hand-built terms and the veto of its VADER-generated block, see
  bench/build_loaded_lexicon.py); the held-out numbers are the ones to quote.
- Prediction: transforms.framing.find_hits on the sentence with the full English lexicon.
  "loaded only" = hits of category loaded_language; "all framing" = hits of any category
  whose frame is evaluative (loaded_*, legitimising, delegitimising), e.g. also "mob",
  "thugs", "chaos", "regime". A hit's predicted words are its lowercased tokens.
- Word level, per sentence, on sets of lowercased word types (BABE gives words, not
  positions): TP = predicted words in the experts' biased_words, FP = the rest of the
  predicted words, FN = gold words not predicted. Sentences without gold words count too
  (every prediction there is a FP). "exact": equal lowercased tokens. "lemma-lenient":
  equal after a crude suffix-stripping stem (possessive, -ies/-ied->y, -ing, -ed, -es, -s,
  -ly), so "radicals" matches "radical" and "slamming" matches "slammed".
- Sentence level: predicted Biased when the sentence has >= k hits; k is chosen on the
  tuning half (best F1 of the Biased class) unless --k is given. Gold: label_bias.
- --old-rev REV: also measure, in the same run, the lexicon with loaded_language.yaml as
  it was at git revision REV (`git show`), the rest of the lexicon files as now.
- Reference: Spinde et al. (2021) word-level detector on the related MBIC data
  (different sentences, crowd labels): P 0.29, R 0.77, F1 0.43. Not the same data set.
"""
from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transforms.framing import find_hits  # noqa: E402
from transforms.lexicon import TOKEN, load_lexicon  # noqa: E402

DEFAULT_BABE = ROOT.parent / "shared" / "corpora" / "babe" / "final_labels_SG2.csv"
EVALUATIVE = {"loaded_negative", "loaded_positive", "legitimising", "delegitimising"}


def half_of(text: str) -> str:
    return "tuning" if int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "held-out"


def stem(word: str) -> str:
    w = word.casefold()
    for p in ("'s", "’s"):
        if w.endswith(p):
            w = w[:-2]
    for suf, rep in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("ly", "")):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            w = w[: len(w) - len(suf)] + rep
            break
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":  # slamm -> slam
        w = w[:-1]
    if len(w) > 3 and w.endswith("e"):                                # 'claime' -> 'claim'
        w = w[:-1]
    return w


@dataclass
class Row:
    text: str
    half: str
    biased: bool
    gold: set[str]


def load_babe(path: Path) -> list[Row]:
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f, delimiter=";"):
            if r["label_bias"] not in ("Biased", "Non-biased"):
                continue
            gold = {w.casefold() for w in ast.literal_eval(r["biased_words"] or "[]")}
            rows.append(Row(r["text"], half_of(r["text"]), r["label_bias"] == "Biased", gold))
    return rows


def lexicon_at(rev: str):
    """The English lexicon with loaded_language.yaml as it was at git revision `rev`."""
    import subprocess

    from transforms.lexicon import build_lexicon
    from transforms.resource_files import load_yaml, parse_yaml, resource_path

    rel = "transforms/resources/lexicons/en/loaded_language.yaml"
    text = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{rel}"], check=True,
                          capture_output=True, text=True).stdout
    folder = resource_path("lexicons", "en")
    docs = {e.name: load_yaml("lexicons", "en", e.name) for e in folder.iterdir() if e.name.endswith(".yaml")}
    docs["loaded_language.yaml"] = parse_yaml(text)
    return build_lexicon("en", docs)


def predictions(rows: list[Row], lex=None) -> dict[str, list[list[tuple[str, ...]]]]:
    """mode -> per row, the token tuples of its hits."""
    lex = lex or load_lexicon("en")
    out: dict[str, list] = {"loaded only": [], "all framing": []}
    for row in rows:
        hits = find_hits(row.text, lex)
        toks = lambda hs: [tuple(t.casefold() for t in TOKEN.findall(h.term)) for h in hs]  # noqa: E731
        out["loaded only"].append(toks([h for h in hits if h.category == "loaded_language"]))
        out["all framing"].append(toks([h for h in hits if h.frame in EVALUATIVE]))
    return out


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def word_level(rows, preds, lenient: bool) -> tuple[float, float, float]:
    tp = fp = fn = 0
    norm = stem if lenient else (lambda w: w)
    for row, hits in zip(rows, preds):
        pred = {norm(t) for h in hits for t in h}
        gold = {norm(g) for g in row.gold}
        tp += len(pred & gold)
        fp += len(pred - gold)
        fn += len(gold - pred)
    return prf(tp, fp, fn)


def sentence_level(rows, preds, k: int) -> tuple[float, float, float, float]:
    tp = fp = fn = tn = 0
    for row, hits in zip(rows, preds):
        p = len(hits) >= k
        tp += p and row.biased
        fp += p and not row.biased
        fn += (not p) and row.biased
        tn += (not p) and not row.biased
    acc = (tp + tn) / max(1, tp + fp + fn + tn)
    return (acc, *prf(tp, fp, fn))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--babe", type=Path, default=DEFAULT_BABE)
    ap.add_argument("--k", type=int, default=None, help="sentence threshold (default: best F1 on the tuning half)")
    ap.add_argument("--old-rev", default=None, help="also measure loaded_language.yaml as at this git revision")
    args = ap.parse_args(argv)
    rows = load_babe(args.babe)
    halves = {h: [i for i, r in enumerate(rows) if r.half == h] for h in ("held-out", "tuning")}
    cmd = "python bench/babe_eval.py" + (f" --k {args.k}" if args.k else "") + (f" --old-rev {args.old_rev}" if args.old_rev else "")
    lexes = [("", load_lexicon("en"))] + ([(f"{args.old_rev}: ", lexicon_at(args.old_rev))] if args.old_rev else [])
    print(f"BABE SG2, `{cmd}`; " + "; ".join(
        f"{tag or 'current: '}lexicon {lx.version} ({sum(1 for t in lx.terms if t.category == 'loaded_language')} "
        "loaded_language forms)" for tag, lx in lexes) + "\n")
    print("| half | sentences | predictions | word P | word R | word F1 | word P (lenient) | word R (lenient) | word F1 (lenient) "
          "| k | sent. acc | sent. P | sent. R | sent. F1 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    preds_of = {tag: predictions(rows, lx) for tag, lx in lexes}
    for mode in ("loaded only", "all framing"):
        for tag, lx in lexes:
            preds = preds_of[tag]
            tune_idx = halves["tuning"]
            k = args.k or max(range(1, 5), key=lambda k: sentence_level(
                [rows[i] for i in tune_idx], [preds[mode][i] for i in tune_idx], k)[3])
            for half in ("held-out", "tuning"):
                idx = halves[half]
                rs, ps = [rows[i] for i in idx], [preds[mode][i] for i in idx]
                w = word_level(rs, ps, lenient=False)
                wl = word_level(rs, ps, lenient=True)
                s = sentence_level(rs, ps, k)
                label = f"{tag}{half}" + (" (tuned on)" if half == "tuning" else "")
                print(f"| {label} | {len(rs)} | {mode} | " + " | ".join(f"{x:.2f}" for x in (*w, *wl))
                      + f" | {k} | " + " | ".join(f"{x:.2f}" for x in s) + " |")
    print("| reference: MBIC word-level detector (Spinde et al. 2021), other data | 1,700 | model "
          "| 0.29 | 0.77 | 0.43 | | | | | | | | |")
    split = hashlib.sha256("\n".join(sorted(rows[i].text for i in halves["held-out"])).encode("utf-8")).hexdigest()
    print(f"\nSplit: {len(halves['tuning'])} tuning / {len(halves['held-out'])} held-out sentences; "
          f"sha256 of the sorted held-out texts {split[:16]}.")
    base = [rows[i].biased for i in halves["held-out"]]
    print(f"\nHeld-out majority class (Biased share): {sum(base) / len(base):.2f}. "
          "Exact = lowercased token equality; lenient = crude stem equality.")


if __name__ == "__main__":
    main()
