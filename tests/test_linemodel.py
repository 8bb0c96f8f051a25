"""Text mode's line model: the packaged file, its validation, exact evaluation against
scikit-learn, and the feature columns it reads."""
from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from transforms import linemodel, textdump
from transforms.errors import ResourceError
from transforms.resource_files import resource_path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "raw"  # the five seeds, in the repo (no ../shared needed)


def _trainer():
    """bench/train_line_model.py as a module (its export function is what wrote the file)."""
    spec = importlib.util.spec_from_file_location("train_line_model", ROOT / "bench" / "train_line_model.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _packaged_doc() -> dict:
    return json.loads(resource_path(*textdump.LINE_MODEL_FILE).read_text(encoding="utf-8"))


def test_packaged_model_loads_and_matches_the_feature_code():
    model = textdump.load_line_model()
    meta = model.meta
    assert model.version == textdump.LINE_MODEL_VERSION
    # rows record the feature-code version and the file's own hash
    assert textdump.TEXTDUMP_VERSION == (
        f"{textdump.TEXTDUMP_RULES_VERSION}+{textdump.LINE_MODEL_VERSION}@{linemodel.file_digest(*textdump.LINE_MODEL_FILE)}"
    )
    assert len(linemodel.file_digest(*textdump.LINE_MODEL_FILE)) == 12
    assert meta["rules"] == textdump.TEXTDUMP_RULES_VERSION
    assert model.feature_names == textdump.line_feature_names()
    assert set(model.thresholds) == {"rules_kept", "rules_dropped"}
    assert all(0.0 < t < 1.0 for t in model.thresholds.values())
    assert len(model.roots) >= 10 and 1 <= model.depth <= 8
    meta = model.meta
    assert meta["made_by"] == "bench/train_line_model.py"
    assert "even-id pages" in meta["trained_on"]  # the odd half stays held out


def test_evaluation_equals_scikit_learn():
    sklearn = pytest.importorskip("sklearn.ensemble")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 6))
    y = ((X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(scale=0.3, size=3000)) > 0).astype(float)
    clf = sklearn.HistGradientBoostingClassifier(max_iter=25, max_depth=4, random_state=0).fit(X, y)
    meta = {"version": "t", "feature_names": [f"f{i}" for i in range(6)]}
    model = linemodel.from_document(json.loads(json.dumps(_trainer().export(clf, {"x": 0.5}, meta))))
    Xt = rng.normal(size=(500, 6))
    np.testing.assert_allclose(model.predict_proba(Xt), clf.predict_proba(Xt)[:, 1], rtol=1e-9, atol=1e-12)


def test_wrong_feature_count_is_a_programmer_error():
    model = textdump.load_line_model()
    with pytest.raises(ValueError):
        model.predict_proba(np.zeros((3, len(model.feature_names) - 1)))
    assert model.predict_proba(np.zeros((0, len(model.feature_names)))).shape == (0,)


@pytest.mark.parametrize(
    "mangle, message",
    [
        (lambda d: d.pop("trees"), "missing 'trees'"),
        (lambda d: d.update(format="other"), "format"),
        (lambda d: d["thresholds"].update(rules_kept=1.5), "thresholds"),
        (lambda d: d.update(thresholds={}), "thresholds"),
        (lambda d: d["feature_names"].append(d["feature_names"][0]), "distinct"),
        (lambda d: d["trees"][0]["left"].__setitem__(0, 10_000), "children"),
        (lambda d: d["trees"][0]["feature"].__setitem__(0, 10_000), "out of range"),
        (lambda d: d["trees"][0]["value"].pop(), "unequal length"),
        (lambda d: d["trees"][0]["feature"].__setitem__(0, 2.7), "integers"),
        (lambda d: d["trees"][0]["split"].__setitem__(0, float("nan")), "finite"),
        (lambda d: d["trees"][0]["value"].__setitem__(-1, "0.1"), "finite"),
        (lambda d: d.update(baseline="0"), "baseline"),
    ],
)
def test_invalid_model_documents_are_refused(mangle, message):
    doc = copy.deepcopy(_packaged_doc())
    mangle(doc)
    with pytest.raises(ResourceError, match=message):
        linemodel.from_document(doc, "textdump/line_model.json")


def test_missing_model_file_raises_instead_of_emptying_bodies(monkeypatch):
    """A missing model is a broken install, not bad input: extract_text_dump (which
    never raises on odd input) and extract_html must not turn it into empty bodies."""
    from transforms.htmlpage import extract_html

    monkeypatch.setattr(textdump, "LINE_MODEL_FILE", ("textdump", "no_such_model.json"))
    textdump.load_line_model.cache_clear()
    try:
        with pytest.raises(ResourceError, match="no_such_model.json"):
            textdump.extract_text_dump("A line.\nAnother line of text that is long enough.")
        with pytest.raises(ResourceError):
            extract_html("<html><body><nav><a href=\"/\">Home</a></nav></body></html>")  # trafilatura: only furniture, text mode next
    finally:
        monkeypatch.undo()
        textdump.load_line_model.cache_clear()
    assert textdump.load_line_model().version == textdump.LINE_MODEL_VERSION


def test_feature_columns_and_neighbours():
    text = (SEEDS / "002_7734b39174987ceb.txt").read_text(encoding="utf-8")
    lay = textdump._layout(textdump.split_lines(text))
    X = textdump.line_features(lay)
    names = textdump.line_feature_names()
    assert X.shape == (len(lay.lines), len(names))
    assert np.isfinite(X).all()
    col = {n: i for i, n in enumerate(names)}
    n = len(lay.lines)
    # a neighbour column is the line's own column shifted; off the page it is 0 and flagged
    np.testing.assert_array_equal(X[1:, col["log_chars@-1"]], X[:-1, col["log_chars"]])
    np.testing.assert_array_equal(X[:-3, col["rule_keep@+3"]], X[3:, col["rule_keep"]])
    assert X[0, col["exists@-1"]] == 0 and X[1, col["exists@-1"]] == 1
    assert X[n - 1, col["exists@+1"]] == 0 and X[n - 1, col["log_chars@+1"]] == 0
    assert list(X[:, col["rule_keep"]]) == [float(k) for k in lay.rule_keep]
    # the "READ MORE:" link is furniture by phrase prefix; a date has digits
    read_more = next(i for i, ln in enumerate(lay.lines) if ln.text.startswith("READ MORE:"))
    assert X[read_more, col["reason_prefix"]] == 1 and X[read_more, col["furniture"]] == 1
    date = next(i for i, ln in enumerate(lay.lines) if ln.text == "January 8, 2022")
    assert X[date, col["digit_share"]] == pytest.approx(5 / 15)


def test_char_shares_count_digits_and_upper_case():
    digits, upper = textdump._char_shares(["AB cd 12", "ÉTÉ été", "İstanbul 2024"])
    assert digits[0] == pytest.approx(2 / 8) and upper[0] == pytest.approx(2 / 6)
    assert digits[1] == 0 and upper[1] == pytest.approx(3 / 6)
    assert digits[2] == pytest.approx(4 / 13) and upper[2] == pytest.approx(1 / 12)  # lower() lengthens "İ"


def test_body_policy_applies_to_the_model_call():
    """Whatever the model says, the headline, its repeats and date lines stay out."""
    text = (SEEDS / "002_7734b39174987ceb.txt").read_text(encoding="utf-8")
    lay = textdump._layout(textdump.split_lines(text))
    keep = textdump.keep_lines(lay, np.ones(len(lay.lines)), 0.5, 0.5)
    kept = [ln.text for ln, k in zip(lay.lines, keep) if k]
    assert "US warns Kazakhstan that Russians may not go" not in kept
    assert "January 8, 2022" not in kept
    assert any(t.startswith("US Secretary of State Antony Blinken warned") for t in kept)
    # a model that keeps nothing does not empty the body: the rules' lines stand
    assert textdump.keep_lines(lay, np.zeros(len(lay.lines)), 0.5, 0.5) == lay.rule_keep
    # the precomputed policy mask (the trainer's path) decides the same
    p = np.linspace(0, 1, len(lay.lines))
    assert textdump.keep_lines(lay, p, 0.4, 0.7) == textdump.keep_lines(lay, p, 0.4, 0.7, textdump.policy_mask(lay))
    # the two thresholds: rule-kept lines stay at 0.3, rule-dropped ones need 0.9
    p = np.full(len(lay.lines), 0.5)
    keep = textdump.keep_lines(lay, p, 0.3, 0.9)
    assert keep == [k and not textdump._date_line(ln) for k, ln in zip(lay.rule_keep, lay.lines)]


def test_the_model_never_empties_a_body_the_rules_found():
    """A short clean text (no page around it) is outside what the model learnt from:
    the rules' body stands when the model would keep nothing."""
    text = "A new article about protesters in Almaty.\n\nIt has two paragraphs of text."
    lay = textdump._layout(textdump.split_lines(text))
    assert any(lay.rule_keep)
    got = textdump.extract_text_dump(text)
    assert got.body and got.body == textdump.extract_text_dump(text, line_model=False).body


def test_rules_only_mode_keeps_exactly_the_rules_lines():
    text = (SEEDS / "000_e2871853cefa5749.txt").read_text(encoding="utf-8")
    lay = textdump._layout(textdump.split_lines(text))
    rules = textdump.extract_text_dump(text, line_model=False)
    assert rules.body == "\n\n".join(ln.text for ln, k in zip(lay.lines, lay.rule_keep) if k)
    assert rules.title == textdump.extract_text_dump(text).title  # metadata does not depend on the model


def test_model_built_for_other_rules_is_refused(monkeypatch):
    doc = _packaged_doc()
    doc["rules"] = "textdump-9"
    model = linemodel.from_document(doc)
    assert model.meta["rules"] == "textdump-9"  # the generic loader keeps it; textdump refuses it:
    monkeypatch.setattr(linemodel, "load", lambda *parts: model)
    textdump.load_line_model.cache_clear()
    try:
        with pytest.raises(ResourceError, match="textdump-9"):
            textdump.load_line_model()
    finally:
        monkeypatch.undo()
        textdump.load_line_model.cache_clear()


def test_article_less_and_huge_pages_are_left_to_the_rules():
    """Where the rules find no article the model does not invent one (menus, tables);
    a dump with more lines than MODEL_MAX_LINES is not scored at all (memory bound)."""
    menu = "\n".join(f"Item {i} of the list, and the" for i in range(3000))
    lay = textdump._layout(textdump.split_lines(menu))
    assert lay.start is None
    assert textdump.keep_lines(lay, np.ones(len(lay.lines)), 0.1, 0.1) == [False] * len(lay.lines)
    assert textdump.extract_text_dump(menu).body == ""
    article = (SEEDS / "002_7734b39174987ceb.txt").read_text(encoding="utf-8")
    huge = article + "\n" + "\n".join(f"Menu {i}" for i in range(textdump.MODEL_MAX_LINES))
    lay = textdump._layout(textdump.split_lines(huge))
    assert len(lay.lines) > textdump.MODEL_MAX_LINES
    assert textdump._model_keep(lay) == lay.rule_keep
    assert textdump.extract_text_dump(huge).body == textdump.extract_text_dump(huge, line_model=False).body


def test_empty_layout_has_an_empty_feature_matrix():
    lay = textdump._Layout(raw_lines=[], lines=[], has_stoplist=False)
    assert textdump.line_features(lay).shape == (0, len(textdump.line_feature_names()))


def test_lone_surrogates_do_not_empty_the_body():
    text = "\ud800 lone surrogate line. " + (SEEDS / "000_e2871853cefa5749.txt").read_text(encoding="utf-8")
    assert "Washington has stopped just short" in textdump.extract_text_dump(text).body


def test_training_labels_need_whole_lines_for_short_text():
    in_body = _trainer().in_body
    body_text = "Sunday was calm.\nThe council met on Monday and voted for the plan after a long debate."
    lines = {" ".join(b.split()) for b in body_text.split("\n")}
    body = " " + " ".join(body_text.split()) + " "
    assert in_body("Sunday was calm.", lines, body)
    assert not in_body("Su", lines, body) and not in_body("Monday", lines, body)
    assert in_body("The council met on Monday and voted for the plan", lines, body)  # 8+ words, word-aligned
    assert not in_body("he council met on Monday and voted for the plan", lines, body)


def test_broken_furniture_lists_raise_instead_of_emptying_bodies(monkeypatch):
    from transforms.htmlpage import extract_html

    def broken(path):
        raise ValueError(f"{path}: expected a mapping with a 'version' key")

    monkeypatch.setattr(textdump, "_read_furniture_doc", broken)
    textdump.load_furniture.cache_clear()
    textdump.load_text_furniture.cache_clear()
    try:
        with pytest.raises(ValueError, match="version"):
            textdump.extract_text_dump((SEEDS / "000_e2871853cefa5749.txt").read_text(encoding="utf-8"))
        with pytest.raises(ValueError, match="version"):
            extract_html("<html><body><p>Some article text here.</p></body></html>")
    finally:
        monkeypatch.undo()
        textdump.load_furniture.cache_clear()
        textdump.load_text_furniture.cache_clear()
    assert textdump.extract_text_dump("Some article text, long enough to be one.").body is not None
