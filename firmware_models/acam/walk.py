"""Compile the rows of each tree back into a binary search structure (the fast ideal path).

Matching an input against the rows ``[lo, hi)`` of one tree is, when the rows
are disjoint, the same as walking a binary tree whose nodes ask "code < cut?".
:func:`compile_walk` rebuilds such a tree from the rows alone (so it works for
any table: imported from a library, from X-TIME rows, or loaded from disk), by
recursive *guillotine cuts*: a feature and cut that put every row of the group
entirely on one side. Each region remembers its box; a single row that does not
cover its whole region gets extra cuts whose other side is a "no match" leaf,
so the walk returns exactly the row the row-scan would match, or -1 where no row
matches. A group of two or more rows that no cut separates (overlapping rows,
or a non-guillotine tiling) marks the tree "scan": the evaluator searches its
rows one by one (:func:`firmware_models.acam._kernels.scan_rows`), with the
multiple-match policy.

The result, :class:`WalkPlan`, is flat node arrays over all trees laid out for
a branch-free walk (siblings adjacent, leaves pointing to themselves); leaves
hold their row index (-1: no match) and their leaf value, and ``root[t] = -1``
marks a scan tree. :func:`firmware_models.acam.heap.compile_fast` lays these
trees out for the kernels (padded perfect trees with implicit children, or the
child pointers of deep trees). The property tests ``tests/test_acam_kernels.py``
check walk == row scan on random tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["WalkPlan", "compile_walk"]


@dataclass(frozen=True)
class WalkPlan:
    """Flat node arrays over all trees, siblings adjacent: the right child of ``n`` is
    ``child[n] + 1``. A leaf points to itself (``child[n] = n``) with ``cut[n] = 2**62``
    and ``feature[n] = 0``, so a walk of exactly ``depth[t]`` branch-free steps
    ``n = child[n] + (x[feature[n]] >= cut[n])`` ends on the leaf."""

    feature: np.ndarray  # (n_nodes,) int32 (0 at leaves)
    cut: np.ndarray  # (n_nodes,) int64 (code < cut -> left); 2**62 at leaves
    child: np.ndarray  # (n_nodes,) int32 left child (right = left + 1); self at leaves
    value: np.ndarray  # (n_nodes,) int64 leaf_raw of the leaf's row (0 for no match / inner nodes)
    row: np.ndarray  # (n_nodes,) int32 matched row at leaves (-1: no match / inner nodes)
    root: np.ndarray  # (n_trees,) int32, -1: tree evaluated by row scan
    depth: np.ndarray  # (n_trees,) int32 steps to reach every leaf
    has_gap: np.ndarray  # (n_trees,) bool: some region of the walk matches no row

    @property
    def all_walk(self) -> bool:
        return bool(np.all(self.root >= 0))

    @property
    def max_depth(self) -> int:
        return int(self.depth.max()) if self.depth.size else 0


LEAF_CUT = 1 << 62


class _Builder:
    def __init__(self, lo, hi, care, leaf_raw, top):
        self.lo, self.hi, self.care, self.leaf_raw, self.top = lo, hi, care, leaf_raw, top
        self.feature: list[int] = []
        self.cut: list[int] = []
        self.left: list[int] = []
        self.right: list[int] = []
        self.value: list[int] = []
        self.gap = False
        self.depth = 0

    def _node(self, f, c, left, right, value=0) -> int:
        self.feature.append(f)
        self.cut.append(c)
        self.left.append(left)
        self.right.append(right)
        self.value.append(value)
        return len(self.feature) - 1

    def _leaf(self, row: int) -> int:
        if row < 0:
            self.gap = True
            return self._node(-1, 0, -1, -1, 0)
        return self._node(-1, 0, row, -1, int(self.leaf_raw[row]))

    def _patch(self, node: int, left: int, right: int) -> None:
        self.left[node] = left
        self.right[node] = right

    def build(self, rows: np.ndarray, rlo: np.ndarray, rhi: np.ndarray, depth: int) -> int | None:
        self.depth = max(self.depth, depth)
        if rows.size == 0:
            return self._leaf(-1)
        if rows.size == 1:
            r = int(rows[0])
            below = np.nonzero(self.lo[r] > rlo)[0]
            if below.size:
                f = int(below[0])
                node = self._node(f, int(self.lo[r, f]), -1, -1)
                empty = self._leaf(-1)
                nlo = rlo.copy()
                nlo[f] = self.lo[r, f]
                sub = self.build(rows, nlo, rhi, depth + 1)
                self._patch(node, empty, sub)
                return node
            above = np.nonzero(self.hi[r] < rhi)[0]
            if above.size:
                f = int(above[0])
                node = self._node(f, int(self.hi[r, f]), -1, -1)
                nhi = rhi.copy()
                nhi[f] = self.hi[r, f]
                sub = self.build(rows, rlo, nhi, depth + 1)
                empty = self._leaf(-1)
                self._patch(node, sub, empty)
                return node
            return self._leaf(r)
        feats = np.nonzero(self.care[rows].any(axis=0))[0]
        if feats.size == 0:
            return None  # identical full-range rows: overlap
        los = self.lo[np.ix_(rows, feats)]
        his = self.hi[np.ix_(rows, feats)]
        order = np.argsort(los, axis=0, kind="stable")
        slo = np.take_along_axis(los, order, axis=0)
        shi = np.take_along_axis(his, order, axis=0)
        pmax = np.maximum.accumulate(shi, axis=0)
        valid = pmax[:-1] <= slo[1:]  # (n-1, k): split after position k
        if not valid.any():
            return None
        n = rows.size
        k_idx, f_idx = np.nonzero(valid)
        balance = np.abs(2 * (k_idx + 1) - n)
        best = int(np.argmin(balance))
        k, j = int(k_idx[best]), int(f_idx[best])
        f = int(feats[j])
        c = int(slo[k + 1, j])
        left_rows = np.sort(rows[order[: k + 1, j]])
        right_rows = np.sort(rows[order[k + 1 :, j]])
        node = self._node(f, c, -1, -1)
        lhi = rhi.copy()
        lhi[f] = min(rhi[f], c)
        rlo2 = rlo.copy()
        rlo2[f] = max(rlo[f], c)
        lsub = self.build(left_rows, rlo, lhi, depth + 1)
        if lsub is None:
            return None
        rsub = self.build(right_rows, rlo2, rhi, depth + 1)
        if rsub is None:
            return None
        self._patch(node, lsub, rsub)
        return node


def _renumber(b: _Builder, root: int, offset: int, out: dict) -> tuple[int, int]:
    """Breadth-first renumbering with siblings adjacent; appends to ``out``; returns (root id, depth)."""
    order = [root]
    new_id = {root: offset}
    depth = {root: 0}
    k = 0
    while k < len(order):
        n = order[k]
        k += 1
        if b.feature[n] >= 0:
            for j, ch in enumerate((b.left[n], b.right[n])):
                new_id[ch] = offset + len(order)
                depth[ch] = depth[n] + 1
                order.append(ch)
    for n in order:
        leaf = b.feature[n] < 0
        out["feature"].append(0 if leaf else b.feature[n])
        out["cut"].append(LEAF_CUT if leaf else b.cut[n])
        out["child"].append(new_id[n] if leaf else new_id[b.left[n]])
        out["value"].append(b.value[n] if leaf else 0)
        out["row"].append(b.left[n] if leaf else -1)
    return offset, max(depth.values())


def compile_walk(table) -> WalkPlan:
    """Build the :class:`WalkPlan` of an :class:`~firmware_models.acam.table.AcamTable`."""
    top = 1 << table.n_bits
    start = table.tree_start
    out = {"feature": [], "cut": [], "child": [], "value": [], "row": []}
    roots = np.full(table.n_trees, -1, dtype=np.int32)
    depths = np.zeros(table.n_trees, dtype=np.int32)
    gaps = np.zeros(table.n_trees, dtype=bool)
    full_lo = np.zeros(table.n_features, dtype=np.int64)
    full_hi = np.full(table.n_features, top, dtype=np.int64)
    for t in range(table.n_trees):
        rows = np.arange(start[t], start[t + 1])
        b = _Builder(table.lo, table.hi, table.care, table.leaf_raw, top)
        root = b.build(rows, full_lo, full_hi, 0)
        if root is None:
            continue
        roots[t], depths[t] = _renumber(b, root, len(out["feature"]), out)
        gaps[t] = b.gap
    return WalkPlan(
        feature=np.array(out["feature"], dtype=np.int32),
        cut=np.array(out["cut"], dtype=np.int64),
        child=np.array(out["child"], dtype=np.int32),
        value=np.array(out["value"], dtype=np.int64),
        row=np.array(out["row"], dtype=np.int32),
        root=roots,
        depth=depths,
        has_gap=gaps,
    )
