"""Train text mode's line model (transforms/resources/textdump/line_model.json).

    python bench/train_line_model.py [--limit N] [--out PATH]

Needs scikit-learn (a dev extra: `pip install -e '.[dev]'`); the pipeline itself only
reads the JSON it writes, with numpy (transforms/linemodel.py).

Data: the trafilatura evaluation pages (../shared/corpora/trafilatura-eval), EVEN file
ids only: odd ids are the held-out half that bench/extraction_quality.py reports.  Each
page is flattened to a page-text dump exactly as the quality bench does
(transforms.htmlpage.page_text), and text mode's rules read it
(transforms.textdump._layout); every line of that reading is one example, its features
`textdump.line_features`.

Labels: a line is article text when HTML mode's body of the same page holds it (as a
whole line, or for lines of 8+ words as a word-aligned part of a paragraph: `in_body`)
(transforms.htmlpage.extract_html: trafilatura plus our furniture filter, F 0.92 on
these pages; without its text-mode fallback, so the labels do not depend on the model
being trained), except where the page's own snippets say otherwise: a line holding a
`without` snippet is furniture, else a line holding a `with` snippet is article text.
So the model learns to read from text alone what HTML mode reads from the DOM.

Model selection: two folds inside the even half (ids = 0 mod 4 vs 2 mod 4); for each
setting in GRID and each pair of decision thresholds (THRESHOLDS), the snippet F (the quality bench's score)
of the fold not trained on, averaged over both folds.  The best setting and threshold
are then trained on the whole even half and written out with how they were chosen.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "trafilatura-eval"
OUT = ROOT / "transforms" / "resources" / "textdump" / "line_model.json"
sys.path.insert(0, str(ROOT))

from transforms import linemodel, textdump  # noqa: E402
from transforms.htmlpage import extract_html, page_text  # noqa: E402

# (trees, max depth, min samples per leaf); learning rate 0.1.  Deeper/larger ensembles
# (300 trees, depth 6) fitted the even half better and the folds worse.
GRID = ((60, 3, 100), (60, 4, 20), (150, 3, 100))
# (rules_kept, rules_dropped): a line the rules kept stays at p >= the first, a line they
# dropped comes back at p >= the second.
_LEVELS = (0.2, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8)
THRESHOLDS = tuple((a, b) for a in _LEVELS for b in _LEVELS if a <= b)


def _norm(s: str) -> str:
    return " ".join(s.split())


LONG_LINE_WORDS = 8  # a line this long may match inside a body paragraph


def in_body(line: str, body_lines: set[str], body: str) -> bool:
    """Is this (normalised) dump line article text by HTML mode's body?  A whole body
    line, or, for a line of LONG_LINE_WORDS words or more, a word-aligned part of the
    body (a dump may split or join paragraphs differently).  Short lines must match a
    whole body line: "Su", "Twitter" or "2" inside a paragraph are not article lines."""
    if not line:
        return False
    if line in body_lines:
        return True
    return len(line.split()) >= LONG_LINE_WORDS and f" {line} " in body


def page_examples(html: str, url: str | None, with_: list[str], without: list[str]):
    """(features, labels, line texts, layout) of one page, or None if no lines."""
    dump = page_text(html)
    raw = textdump.split_lines(dump)
    if not raw:
        return None
    lay = textdump._layout(raw)
    X = textdump.line_features(lay)
    body_text = extract_html(html, url=url, text_fallback=False).body
    body_lines = {_norm(b) for b in body_text.split("\n")} - {""}
    body = " " + _norm(body_text) + " "
    wo, wi = [_norm(s) for s in without], [_norm(s) for s in with_]
    y = np.zeros(len(lay.lines))
    for i, ln in enumerate(lay.lines):
        t = _norm(ln.text)
        if any(s in t for s in wo):
            y[i] = 0.0
        elif any(s in t for s in wi):
            y[i] = 1.0
        else:
            y[i] = float(in_body(t, body_lines, body))
    return X, y, [ln.text for ln in lay.lines], lay


def load_pages(limit: int | None):
    from trafilatura.utils import decode_file

    evaldata = json.loads((CORPUS / "evaldata.json").read_text(encoding="utf-8"))
    names = [n for n in sorted(evaldata) if int(n.split(".")[0]) % 2 == 0]
    names = names[:limit] if limit else names
    pages = {}
    for name in names:
        html = decode_file(gzip.open(CORPUS / "html" / name, "rb").read())
        if isinstance(html, bytes):
            html = html.decode("utf-8", "replace")
        meta = evaldata[name]
        ex = page_examples(html, meta.get("url"), meta.get("with", []), meta.get("without", []))
        pages[name] = (ex, meta.get("with", []), meta.get("without", []))
    return pages


def snippet_f(bodies: dict[str, str], pages) -> float:
    """The quality bench's F over these pages."""
    found = total_with = absent = total_without = 0
    for name, body in bodies.items():
        _, with_, without = pages[name]
        nb = _norm(body)
        found += sum(_norm(s) in nb for s in with_)
        absent += sum(_norm(s) not in nb for s in without)
        total_with += len(with_)
        total_without += len(without)
    r, p = found / max(total_with, 1), absent / max(total_without, 1)
    return 2 * r * p / (r + p) if r + p else 0.0


def fit(pages, names, setting):
    from sklearn.ensemble import HistGradientBoostingClassifier

    trees, depth, leaf = setting
    X = np.vstack([pages[n][0][0] for n in names if pages[n][0] is not None])
    y = np.concatenate([pages[n][0][1] for n in names if pages[n][0] is not None])
    return HistGradientBoostingClassifier(
        max_iter=trees, max_depth=depth, min_samples_leaf=leaf, learning_rate=0.1, random_state=0
    ).fit(X, y)


def bodies_at(model, pages, names, thresholds):
    """Bodies per threshold pair, decided by textdump.keep_lines itself (with the page's
    policy mask computed once), as the pipeline decides them."""
    out = {t: {} for t in thresholds}
    for n in names:
        ex = pages[n][0]
        if ex is None:
            for t in thresholds:
                out[t][n] = ""
            continue
        X, _, texts, lay = ex
        big = len(texts) > textdump.MODEL_MAX_LINES
        p = model.predict_proba(X)[:, 1] if not big else None
        allowed = textdump.policy_mask(lay)
        for t in thresholds:
            keep = lay.rule_keep if big else textdump.keep_lines(lay, p, t[0], t[1], allowed)
            out[t][n] = "\n\n".join(text for text, k in zip(texts, keep) if k)
    return out


def export(model, thresholds: dict[str, float], meta: dict) -> dict:
    """A fitted binary HistGradientBoostingClassifier as a linemodel document."""
    trees = []
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        if np.any(nodes["is_categorical"]):
            raise ValueError("categorical splits are not supported")
        leaf = nodes["is_leaf"].astype(bool)
        trees.append({
            "feature": [(-1 if lf else int(f)) for f, lf in zip(nodes["feature_idx"], leaf)],
            "split": [(0.0 if lf else float(t)) for t, lf in zip(nodes["num_threshold"], leaf)],
            "left": [(0 if lf else int(c)) for c, lf in zip(nodes["left"], leaf)],
            "right": [(0 if lf else int(c)) for c, lf in zip(nodes["right"], leaf)],
            "value": [(float(v) if lf else 0.0) for v, lf in zip(nodes["value"], leaf)],
        })
    baseline = float(np.asarray(model._baseline_prediction).ravel()[0])
    return {"format": linemodel.FORMAT, **meta, "thresholds": thresholds, "baseline": baseline, "trees": trees}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="only the first N even pages")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    if not (CORPUS / "evaldata.json").exists():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 2
    import sklearn

    t0 = time.perf_counter()
    pages = load_pages(args.limit)
    names = sorted(pages)
    folds = ([n for n in names if int(n[:4]) % 4 == 0], [n for n in names if int(n[:4]) % 4 == 2])
    print(f"{len(names)} even pages, {sum(len(p[0][1]) for p in pages.values() if p[0])} lines "
          f"({time.perf_counter() - t0:.0f} s)")
    results = []
    for setting in GRID:
        cv = {t: 0.0 for t in THRESHOLDS}
        for train, test in ((folds[0], folds[1]), (folds[1], folds[0])):
            model = fit(pages, train, setting)
            for t, bodies in bodies_at(model, pages, test, THRESHOLDS).items():
                cv[t] += snippet_f(bodies, pages) / 2
        best_t = max(THRESHOLDS, key=lambda t: cv[t])
        results.append((cv[best_t], setting, best_t))
        top = sorted(cv.items(), key=lambda kv: -kv[1])[:5]
        print(f"setting {setting}: two-fold F, best thresholds (rules_kept, rules_dropped): "
              + ", ".join(f"{t}: {v:.4f}" for t, v in top), flush=True)
    cv_f, setting, threshold = max(results)
    model = fit(pages, names, setting)
    meta = {
        "version": textdump.LINE_MODEL_VERSION,
        "feature_names": list(textdump.line_feature_names()),
        "made_by": "bench/train_line_model.py",
        "made_on": datetime.date.today().isoformat(),
        "rules": textdump.TEXTDUMP_RULES_VERSION,
        "trained_on": f"trafilatura-eval, {len(names)} even-id pages (odd ids held out)",
        "labels": "HTML mode body lines; pages' without/with snippets override",
        "learner": f"scikit-learn {sklearn.__version__} HistGradientBoostingClassifier",
        "params": {"max_iter": setting[0], "max_depth": setting[1], "min_samples_leaf": setting[2], "learning_rate": 0.1,
                   "early_stopping": "auto (10% validation split, random_state 0)"},
        "two_fold_f": round(cv_f, 4),
    }
    doc = export(model, {"rules_kept": threshold[0], "rules_dropped": threshold[1]}, meta)
    args.out.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"chose {setting} at threshold {threshold} (two-fold F {cv_f:.4f}); wrote {args.out} "
          f"({len(doc['trees'])} trees, {time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
