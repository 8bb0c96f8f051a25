"""A small gradient-boosted tree ensemble, read from a packaged data file and evaluated
with numpy: text mode's line classifier (is this line of a page-text dump article text?).

The model is data, not code: `transforms/resources/textdump/line_model.json` holds the
trees (feature index, threshold, children, leaf values), the names of the features they
read, the decision thresholds and how the file was made.  It is written by
`bench/train_line_model.py` (scikit-learn's HistGradientBoostingClassifier, trained on
the even-id half of the trafilatura evaluation pages only) and validated here when it is
loaded, so a file that does not fit the feature code fails at once, the same clear way,
instead of scoring lines with the wrong columns.

Evaluation is exact: the raw score of a row is the baseline plus the leaf value of every
tree (a row goes left when feature <= threshold), and the probability is its logistic;
tests compare it with scikit-learn's own predict_proba.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import ResourceError
from .resource_files import resource_path

FORMAT = "framewatch-tree-ensemble-1"


@dataclass(frozen=True, eq=False)
class TreeEnsemble:
    """All trees' nodes in flat arrays; roots[t] is the first node of tree t."""

    version: str
    feature_names: tuple[str, ...]
    thresholds: dict[str, float]  # named decision thresholds on the probability
    baseline: float
    roots: np.ndarray  # (n_trees,) int
    feature: np.ndarray  # (n_nodes,) int, -1 at leaves
    split: np.ndarray  # (n_nodes,) float: go left when x <= split
    left: np.ndarray  # (n_nodes,) int; a leaf points to itself
    right: np.ndarray  # (n_nodes,) int; a leaf points to itself
    value: np.ndarray  # (n_nodes,) float: leaf values (0 at inner nodes)
    depth: int  # longest root-to-leaf path
    meta: dict[str, Any]

    def raw_scores(self, X: np.ndarray) -> np.ndarray:
        """Log-odds per row of X (n_rows, n_features)."""
        if X.ndim != 2 or X.shape[1] != len(self.feature_names):
            raise ValueError(f"expected (rows, {len(self.feature_names)}) features, got {X.shape}")
        n, n_trees = X.shape[0], len(self.roots)
        if n == 0:
            return np.zeros(0)
        # One flat walk for all (row, tree) pairs: a node's two children sit side by
        # side in `children`, so one step is a gather, a compare and a gather.
        flat = np.ascontiguousarray(X, dtype=np.float64).ravel()
        base = np.repeat(np.arange(n, dtype=np.int64) * X.shape[1], n_trees)
        node = np.tile(self.roots, n)
        feature, split, children = self._walk
        for _ in range(self.depth):
            right = flat[base + feature[node]] > split[node]
            node = children[2 * node + right]
        return self.baseline + self.value[node].reshape(n, n_trees).sum(axis=1)

    @functools.cached_property
    def _walk(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per node: the feature read (0 at leaves), the split, and both children."""
        feature = np.where(self.feature >= 0, self.feature, 0)
        children = np.empty(2 * len(self.left), dtype=np.int64)
        children[0::2], children[1::2] = self.left, self.right
        return feature, self.split, children

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probability of the positive class per row."""
        return 1.0 / (1.0 + np.exp(-self.raw_scores(X)))


def _check(cond: bool, name: str, why: str) -> None:
    if not cond:
        raise ResourceError(f"transforms/resources/{name}: {why}")


def from_document(doc: Any, name: str = "<document>") -> TreeEnsemble:
    """Validate a parsed model document and build the ensemble (ResourceError if invalid)."""
    _check(isinstance(doc, dict), name, "not a JSON object")
    _check(doc.get("format") == FORMAT, name, f"format is not {FORMAT!r}")
    for key in ("version", "feature_names", "thresholds", "baseline", "trees"):
        _check(key in doc, name, f"missing {key!r}")
    feats = doc["feature_names"]
    _check(isinstance(feats, list) and all(isinstance(f, str) for f in feats) and len(set(feats)) == len(feats),
           name, "feature_names must be distinct strings")
    thresholds = doc["thresholds"]
    _check(isinstance(thresholds, dict) and thresholds and all(
        isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool) and 0.0 < v < 1.0
        for k, v in thresholds.items()
    ), name, "thresholds must map names to numbers in (0, 1)")
    _check(isinstance(doc["baseline"], (int, float)) and not isinstance(doc["baseline"], bool)
           and math.isfinite(doc["baseline"]), name, "baseline must be a finite number")
    trees = doc["trees"]
    _check(isinstance(trees, list) and trees, name, "no trees")
    roots, feature, split, left, right, value = [], [], [], [], [], []
    depth = 0
    for t, tree in enumerate(trees):
        cols = ("feature", "split", "left", "right", "value")
        _check(isinstance(tree, dict) and all(isinstance(tree.get(c), list) for c in cols), name, f"tree {t}: bad columns")
        n = len(tree["feature"])
        _check(n > 0 and all(len(tree[c]) == n for c in cols), name, f"tree {t}: columns of unequal length")
        base = len(feature)
        roots.append(base)
        for c in ("feature", "left", "right"):
            _check(all(type(v) is int for v in tree[c]), name, f"tree {t}: {c} must be integers")
        for c in ("split", "value"):
            _check(all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in tree[c]),
                   name, f"tree {t}: {c} must be finite numbers")
        for i in range(n):
            f, lo, hi = tree["feature"][i], tree["left"][i], tree["right"][i]
            if f < 0:  # leaf: point at itself so extra steps stay put
                lo = hi = i
            else:
                _check(f < len(feats), name, f"tree {t} node {i}: feature {f} out of range")
                _check(i < lo < n and i < hi < n, name, f"tree {t} node {i}: children must follow their parent")
            feature.append(int(f))
            split.append(float(tree["split"][i]))
            left.append(base + int(lo))
            right.append(base + int(hi))
            value.append(float(tree["value"][i]) if f < 0 else 0.0)
        depth = max(depth, _tree_depth(tree))
    return TreeEnsemble(
        version=str(doc["version"]),
        feature_names=tuple(feats),
        thresholds={k: float(v) for k, v in thresholds.items()},
        baseline=float(doc["baseline"]),
        roots=np.array(roots, dtype=np.int64),
        feature=np.array(feature, dtype=np.int64),
        split=np.array(split, dtype=np.float64),
        left=np.array(left, dtype=np.int64),
        right=np.array(right, dtype=np.int64),
        value=np.array(value, dtype=np.float64),
        depth=depth,
        meta={k: v for k, v in doc.items() if k not in ("trees", "feature_names")},
    )


def _tree_depth(tree: dict) -> int:
    """Longest path from the root (children follow parents, so one backward pass)."""
    n = len(tree["feature"])
    d = [0] * n
    for i in range(n - 1, -1, -1):
        if tree["feature"][i] >= 0:
            d[i] = 1 + max(d[tree["left"][i]], d[tree["right"][i]])
    return d[0]


def load(*parts: str) -> TreeEnsemble:
    """Read and validate transforms/resources/<parts...> (JSON)."""
    name = "/".join(parts)
    try:
        doc = json.loads(resource_path(*parts).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ResourceError(f"packaged data file transforms/resources/{name} is missing") from exc
    except json.JSONDecodeError as exc:
        raise ResourceError(f"transforms/resources/{name}: invalid JSON: {exc}") from exc
    return from_document(doc, name)


def file_digest(*parts: str) -> str:
    """First 12 hex digits of the sha256 of transforms/resources/<parts...> ("missing"
    when absent: loading it will then raise ResourceError with the reason)."""
    try:
        return hashlib.sha256(resource_path(*parts).read_bytes()).hexdigest()[:12]
    except FileNotFoundError:
        return "missing"
