"""Tabularize trees into CAM rows, with exact integer thresholds.

Importers describe each tree as a :class:`SourceTree` (node arrays, as sklearn,
XGBoost and conifer store them) whose split thresholds have already been turned
into integer cuts by :func:`integer_cuts`; :func:`tabularize` then walks every
root-to-leaf path and writes one row per reachable leaf: per feature the
interval ``[lo, hi)`` of input codes that reach it. A node "x goes left iff
code < cut" narrows ``hi`` on the left branch and raises ``lo`` on the right.
Leaves that no integer code reaches (two cuts on the same feature inside one
code step) give an empty interval and are not written; their number is recorded
in ``source["unreachable_leaves"]``.

The integer cut of a threshold is *defined by the library's own comparison*:
``cut = min{code in [0, 2**n] : not goes_left(value(code), t)}``, found by a
vectorized binary search. The comparison is monotone in the code, so this is
exact for any quantizer and any float casting the library does; for the
identity quantizer it reduces to ``floor(t) + 1`` for ``x <= t`` and ``ceil(t)``
for ``x < t`` (docs/design.md "ACAM").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
import warnings
from dataclasses import dataclass

import numpy as np

from firmware_models.acam.quantize import InputQuantizer
from firmware_models.acam.table import AcamTable
from firmware_models.errors import ModelFormatError
from firmware_models.fixed.exact import convert_exact, split_double
from firmware_models.fixed.types import FixedType

__all__ = ["SourceTree", "integer_cuts", "tabularize", "to_raw", "GOES_LEFT"]


def _sklearn_left(values: np.ndarray, thr: np.ndarray) -> np.ndarray:
    # sklearn casts X to float32 (DTYPE) and compares with float64 thresholds:
    # sklearn/tree/_tree.pyx L989 ``X_i_node_feature <= node.threshold``.
    return values.astype(np.float32).astype(np.float64) <= thr


def _xgboost_left(values: np.ndarray, thr: np.ndarray) -> np.ndarray:
    # XGBoost: float32 feature value < float32 split condition (conifer's reference:
    # dmlc/xgboost plugin/sycl/predictor/predictor.cc L131-147).
    return values.astype(np.float32) < thr.astype(np.float32)


def _le_left(values: np.ndarray, thr: np.ndarray) -> np.ndarray:
    return values <= thr


def _lt_left(values: np.ndarray, thr: np.ndarray) -> np.ndarray:
    return values < thr


#: The comparison each source library makes at a split, on float64 arrays.
GOES_LEFT: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "sklearn": _sklearn_left,
    "xgboost": _xgboost_left,
    "<=": _le_left,
    "<": _lt_left,
}


@dataclass
class SourceTree:
    """One tree as node arrays. ``feature[i] < 0`` marks a leaf; ``cut`` holds integer cuts
    (code < cut goes left); ``value`` the leaf's float term as the library adds it."""

    feature: np.ndarray
    cut: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    class_id: int = 0


def integer_cuts(
    feature: np.ndarray, threshold: np.ndarray, quantizer: InputQuantizer, goes_left: Callable
) -> np.ndarray:
    """Exact integer cut per split node (see module docstring); -1 where ``feature < 0``."""
    feature = np.asarray(feature, dtype=np.int64)
    threshold = np.asarray(threshold, dtype=np.float64)
    split = feature >= 0
    f = feature[split]
    t = threshold[split]
    if f.size and (f.max() >= quantizer.n_features):
        msg = f"a split uses feature {int(f.max())} but the quantizer has {quantizer.n_features} features"
        raise ModelFormatError(msg)
    if np.isnan(t).any():
        msg = "a split threshold is NaN; the model cannot be tabularized"
        raise ModelFormatError(msg)
    lo = np.zeros(f.size, dtype=np.int64)
    hi = np.full(f.size, 1 << quantizer.n_bits, dtype=np.int64)
    while True:
        active = lo < hi
        if not active.any():
            break
        mid = (lo + hi) // 2
        left = goes_left(quantizer.value_of(f, mid), t)
        lo = np.where(active & left, mid + 1, lo)
        hi = np.where(active & ~left, mid, hi)
    out = np.full(feature.shape, -1, dtype=np.int64)
    out[split] = lo
    return out


def to_raw(values: Sequence[float] | np.ndarray, t: FixedType) -> np.ndarray:
    """Float64 values -> int64 mantissas of ``t``, exactly as ``(t) double`` in ap_fixed."""
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    out = np.fromiter((convert_exact(*split_double(float(v)), t) for v in flat), dtype=np.int64, count=flat.size)
    return out.reshape(np.shape(values))


def _warn_out_of_range(values: np.ndarray, t: FixedType) -> None:
    lsb = 2.0 ** -t.fractional
    lo, hi = t.min_raw * lsb, (t.max_raw + 1) * lsb
    bad = (values < lo) | (values >= hi)
    if bad.any():
        msg = (
            f"{int(bad.sum())} leaf/base values lie outside the range [{lo}, {hi}) of leaf_type {t} "
            f"(e.g. {float(values[bad][0])!r}); they {'wrap' if t.overflow == 'WRAP' else 'saturate'}: "
            "choose a wider leaf_type"
        )
        warnings.warn(msg, stacklevel=3)


def _tree_rows(tree: SourceTree, n_features: int, n_bits: int):
    """Yield (leaf_node, lo, hi) for every reachable leaf, depth first, left before right."""
    top = 1 << n_bits
    lo0 = np.zeros(n_features, dtype=np.int64)
    hi0 = np.full(n_features, top, dtype=np.int64)
    stack = [(0, lo0, hi0)]
    n_nodes = len(tree.feature)
    seen = 0
    while stack:
        node, lo, hi = stack.pop()
        seen += 1
        if seen > n_nodes:
            msg = "tree node arrays contain a cycle; children must form a tree rooted at node 0"
            raise ModelFormatError(msg)
        f = int(tree.feature[node])
        if f < 0:
            yield node, lo, hi
            continue
        c = int(tree.cut[node])
        l_hi = hi.copy()
        l_hi[f] = min(hi[f], c)
        r_lo = lo.copy()
        r_lo[f] = max(lo[f], c)
        left, right = int(tree.left[node]), int(tree.right[node])
        if not (0 <= left < n_nodes and 0 <= right < n_nodes):
            msg = f"tree node {node} has children ({left}, {right}) outside 0..{n_nodes - 1}"
            raise ModelFormatError(msg)
        stack.append((right, r_lo, hi))
        stack.append((left, lo, l_hi))


def tabularize(
    trees: Sequence[SourceTree],
    *,
    quantizer: InputQuantizer,
    leaf_type: FixedType | str,
    n_classes: int,
    base_float: Sequence[float],
    split_convention: str,
    float_sum: str = "float64_sequential",
    fixed_leaf_scale: float = 1.0,
    norm: float = 1.0,
    score_sum: str = "exact",
    source: dict | None = None,
) -> AcamTable:
    """Rows of all trees, in tree order. ``fixed_leaf_scale`` multiplies each leaf (in float64)
    before it is converted to ``leaf_type`` (1 / n_trees for a random forest's mean)."""
    leaf_type = FixedType.parse(leaf_type)
    n_features, n_bits = quantizer.n_features, quantizer.n_bits
    top = 1 << n_bits
    los, his, vals, tids, cids, nodes = [], [], [], [], [], []
    unreachable = 0
    tid = 0
    for tree in trees:
        n_rows_tree = 0
        for node, lo, hi in _tree_rows(tree, n_features, n_bits):
            if np.any(lo >= hi):
                unreachable += 1
                continue
            los.append(lo)
            his.append(hi)
            vals.append(float(tree.value[node]))
            nodes.append(node)
            n_rows_tree += 1
        if n_rows_tree == 0:  # impossible for a tree over [0, 2**n): the root box is never empty
            msg = f"tree {tid} has no reachable leaf"
            raise ModelFormatError(msg)
        tids.extend([tid] * n_rows_tree)
        cids.extend([int(tree.class_id)] * n_rows_tree)
        tid += 1
    lo = np.array(los, dtype=np.int64).reshape(-1, n_features)
    hi = np.array(his, dtype=np.int64).reshape(-1, n_features)
    care = (lo > 0) | (hi < top)
    leaf_float = np.array(vals, dtype=np.float64)
    fixed_leaves = leaf_float * fixed_leaf_scale if fixed_leaf_scale != 1.0 else leaf_float
    leaf_raw = to_raw(fixed_leaves, leaf_type)
    base_float = np.asarray(base_float, dtype=np.float64)
    _warn_out_of_range(np.concatenate([fixed_leaves, base_float]), leaf_type)
    src = dict(source or {})
    src["unreachable_leaves"] = unreachable
    return AcamTable(
        n_bits=n_bits,
        lo=lo,
        hi=hi,
        care=care,
        leaf_raw=leaf_raw,
        leaf_float=leaf_float,
        tree_id=np.array(tids, dtype=np.int32),
        class_id=np.array(cids, dtype=np.int32),
        n_classes=n_classes,
        base_raw=to_raw(base_float, leaf_type),
        base_float=base_float,
        leaf_type=leaf_type,
        quantizer=quantizer,
        split_convention=split_convention,
        float_sum=float_sum,
        norm=norm,
        score_sum=score_sum,
        leaf_node=np.array(nodes, dtype=np.int64),
        source=src,
    )
