"""Plain (NumPy / pure Python) twins of the numba kernels in :mod:`firmware_models.acam._kernels`.

Slow and obvious on purpose: the property tests (``tests/test_acam_kernels.py``)
check that the fast paths -- the compiled walk, the nested-slice scan, the
library-order float sum -- give exactly what these give.

- :func:`scan_reference`: every row against every event with NumPy interval
  compares (ideal) or the pure-Python slice rule (nested / physical levels);
  policies and statistics as :func:`firmware_models.acam.evaluate.evaluate`.
- :func:`nested_ge` / :func:`nested_lt`: the slice rule on Python ints.
- :func:`float_sum_reference`: the library-order float sums in Python.
"""

from __future__ import annotations

import numpy as np

from firmware_models.acam.physical import cell_arrays, slice_layout
from firmware_models.acam.table import MatchStats

__all__ = ["nested_ge", "nested_lt", "ideal_matches", "scan_reference", "float_sum_reference"]


def nested_ge(x: int, lv, shifts, masks) -> bool:
    """x >= bound from per-slice (above-low, above-high) levels, most significant slice first."""
    s_last = len(shifts) - 1
    r = ((x >> int(shifts[s_last])) & int(masks[s_last])) >= lv[s_last][0]
    for s in range(s_last - 1, -1, -1):
        xs = (x >> int(shifts[s])) & int(masks[s])
        gt = xs >= lv[s][1]
        eq = xs >= lv[s][0] and not gt
        r = gt or (eq and r)
    return bool(r)


def nested_lt(x: int, lv, shifts, masks) -> bool:
    """x < bound from per-slice levels."""
    s_last = len(shifts) - 1
    r = not (((x >> int(shifts[s_last])) & int(masks[s_last])) >= lv[s_last][0])
    for s in range(s_last - 1, -1, -1):
        xs = (x >> int(shifts[s])) & int(masks[s])
        above = xs >= lv[s][0]
        eq = above and not (xs >= lv[s][1])
        r = (not above) or (eq and r)
    return bool(r)


def ideal_matches(table, x) -> np.ndarray:
    """(n_events, n_rows) bool: ``lo <= x < hi`` on every cared feature."""
    x = np.asarray(x, dtype=np.int64)
    ok = (x[:, None, :] >= table.lo[None]) & (x[:, None, :] < table.hi[None])
    return np.all(ok | ~table.care[None], axis=2)


def scan_reference(table, x, *, levels=None, multi_match="sum"):
    """(raw sum before base/cast (n, n_classes) int64, first rows (n, n_trees), MatchStats)."""
    x = np.asarray(x, dtype=np.int64)
    n = x.shape[0]
    ideal = ideal_matches(table, x)
    if levels is None:
        phys = ideal
    else:
        cells = cell_arrays(table)
        shifts, masks = slice_layout(table.n_bits)
        phys = np.zeros_like(ideal)
        for i in range(n):
            for r in range(table.n_rows):
                ok = True
                for j in range(int(cells.ptr[r]), int(cells.ptr[r + 1])):
                    v = int(x[i, cells.feature[j]])
                    if not cells.lo_open[j] and not nested_ge(v, levels[0][j].tolist(), shifts, masks):
                        ok = False
                        break
                    if not cells.hi_open[j] and not nested_lt(v, levels[1][j].tolist(), shifts, masks):
                        ok = False
                        break
                phys[i, r] = ok
    start = table.tree_start
    acc = np.zeros((n, table.n_classes), dtype=np.int64)
    rows = np.full((n, table.n_trees), -1, dtype=np.int32)
    stats = MatchStats.zeros(table.n_trees, n)
    for t in range(table.n_trees):
        c = int(table.class_id[start[t]])
        sl = slice(int(start[t]), int(start[t + 1]))
        p, q = phys[:, sl], ideal[:, sl]
        count = p.sum(axis=1)
        stats.false_matches[t] += int((p & ~q).sum())
        stats.misses[t] += int((q.any(axis=1) & ~(p & q).any(axis=1)).sum())
        stats.multiple_matches[t] += int((count > 1).sum())
        stats.no_match[t] += int((count == 0).sum())
        for i in range(n):
            hits = np.nonzero(p[i])[0]
            if hits.size:
                rows[i, t] = start[t] + hits[0]
                vals = table.leaf_raw[start[t] + hits]
                acc[i, c] += int(vals[0]) if multi_match == "first" else int(vals.sum())
    return acc, rows, stats


def float_sum_reference(table, rows) -> np.ndarray:
    """Library-order float sums from matched rows (n, n_trees), -1 skipped; (n, n_classes)."""
    n = rows.shape[0]
    tclass = table.tree_class
    out = np.zeros((n, table.n_classes), dtype=np.float64)
    per_class = np.bincount(tclass, minlength=table.n_classes)
    for i in range(n):
        if table.float_sum == "float32_sequential":
            acc = [np.float32(b) for b in table.base_float]
            for t in range(table.n_trees):
                if rows[i, t] >= 0:
                    acc[tclass[t]] = np.float32(acc[tclass[t]] + np.float32(table.leaf_float[rows[i, t]]))
        else:
            acc = [float(b) for b in table.base_float]
            for t in range(table.n_trees):
                if rows[i, t] >= 0:
                    acc[tclass[t]] = acc[tclass[t]] + float(table.leaf_float[rows[i, t]])
            if table.float_sum == "float64_mean":
                acc = [a / float(per_class[c]) for c, a in enumerate(acc)]
        out[i] = [float(a) for a in acc]
    return out
