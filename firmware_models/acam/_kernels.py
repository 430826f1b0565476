"""Numba kernels of the ACAM evaluator: module-level functions writing into preallocated outputs.

- the ideal-mode fast path (walks over the compiled trees) lives in
  :mod:`firmware_models.acam._walk_kernels`, with the jit options from here.
- :func:`scan_rows`: the row-by-row search of a set of trees, in integer
  (ideal) or nested-slice comparison with per-cell integer levels (nested /
  physical), with the multiple-match policy and per-tree statistics.
- :func:`float_sum`: the library-order float reference sum over matched rows.

Each has a plain twin in :mod:`firmware_models.acam.reference`; the property
tests in ``tests/test_acam_kernels.py`` check they agree. Public callers
(:mod:`firmware_models.acam.evaluate`) validate dtypes and contiguity first.
"""

from __future__ import annotations

import numba
import numpy as np

from firmware_models.jit import JIT_OPTIONS as _JIT

__all__ = ["scan_rows", "float_sum", "set_threads"]
_jit = numba.njit(**_JIT)


def set_threads(n: int | None) -> None:
    """Limit numba's worker threads (``None``: all cores)."""
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS if n is None else int(n))


@_jit
def _nested_ge(x, lv, shifts, masks):  # pragma: no cover - jitted
    """x >= bound, slice by slice (most significant first), from levels lv[s] = (L_above_low, L_above_high)."""
    s_last = shifts.shape[0] - 1
    xs = (x >> shifts[s_last]) & masks[s_last]
    r = xs >= lv[s_last, 0]
    for s in range(s_last - 1, -1, -1):
        xs = (x >> shifts[s]) & masks[s]
        gt = xs >= lv[s, 1]
        eq = (xs >= lv[s, 0]) and not gt
        r = gt or (eq and r)
    return r


@_jit
def _nested_lt(x, lv, shifts, masks):  # pragma: no cover - jitted
    """x < bound, slice by slice (most significant first)."""
    s_last = shifts.shape[0] - 1
    xs = (x >> shifts[s_last]) & masks[s_last]
    r = not (xs >= lv[s_last, 0])
    for s in range(s_last - 1, -1, -1):
        xs = (x >> shifts[s]) & masks[s]
        above_low = xs >= lv[s, 0]
        lt = not above_low
        eq = above_low and not (xs >= lv[s, 1])
        r = lt or (eq and r)
    return r


@_jit
def scan_rows(
    x,
    trees,
    row_start,
    cell_ptr,
    cell_feature,
    cell_lo,
    cell_hi,
    cell_lo_open,
    cell_hi_open,
    lo_levels,
    hi_levels,
    shifts,
    masks,
    nested,
    first_only,
    leaf_raw,
    tree_class,
    out,
    out_rows,
    false_matches,
    misses,
    multiple,
    no_match,
):  # pragma: no cover - jitted
    """Search the rows of each tree in ``trees`` one by one.

    A row matches when every cared cell matches: ideal (``nested`` False) ``lo <= x < hi``;
    nested, from the integer levels of each 4-bit slice. Contribution per tree: the sum of
    all matching rows' leaves (``first_only`` False) or the first matching row's leaf;
    nothing when none matches. ``out_rows[i, t]``: first matching row or -1.
    ``false_matches``/``misses`` compare with the ideal integer match of the same row.
    """
    n = x.shape[0]
    for k in range(trees.shape[0]):
        t = trees[k]
        c = tree_class[t]
        for i in range(n):
            count = 0
            first = -1
            acc = 0
            ideal_hit = False
            phys_hit_of_ideal = False
            for r in range(row_start[t], row_start[t + 1]):
                m_ideal = True
                m = True
                for j in range(cell_ptr[r], cell_ptr[r + 1]):
                    v = x[i, cell_feature[j]]
                    if m_ideal and not (cell_lo[j] <= v and v < cell_hi[j]):
                        m_ideal = False
                    if nested:
                        if m and not cell_lo_open[j] and not _nested_ge(v, lo_levels[j], shifts, masks):
                            m = False
                        if m and not cell_hi_open[j] and not _nested_lt(v, hi_levels[j], shifts, masks):
                            m = False
                    else:
                        m = m_ideal
                    if not m and not m_ideal:
                        break
                if m_ideal:
                    ideal_hit = True
                    if m:
                        phys_hit_of_ideal = True
                if m:
                    if not m_ideal:
                        false_matches[t] += 1
                    if count == 0:
                        first = r
                        acc = leaf_raw[r]
                    elif not first_only:
                        acc += leaf_raw[r]
                    count += 1
            if ideal_hit and not phys_hit_of_ideal:
                misses[t] += 1
            if count == 0:
                no_match[t] += 1
            elif count > 1:
                multiple[t] += 1
            out[i, c] += acc
            out_rows[i, t] = first


@_jit
def float_sum(rows, leaf_float, tree_class, base, mode, n_per_class, out):  # pragma: no cover - jitted
    """Library-order float sum over matched rows (mode 0: float64 sequential, 1: float64 mean,
    2: float32 sequential); rows[i, t] = -1 adds nothing."""
    n, n_trees = rows.shape
    n_classes = base.shape[0]
    for i in range(n):
        if mode == 2:
            acc32 = np.empty(n_classes, dtype=np.float32)
            for c in range(n_classes):
                acc32[c] = np.float32(base[c])
            for t in range(n_trees):
                r = rows[i, t]
                if r >= 0:
                    c = tree_class[t]
                    acc32[c] = np.float32(acc32[c] + np.float32(leaf_float[r]))
            for c in range(n_classes):
                out[i, c] = acc32[c]
        else:
            for c in range(n_classes):
                out[i, c] = base[c]
            for t in range(n_trees):
                r = rows[i, t]
                if r >= 0:
                    c = tree_class[t]
                    out[i, c] = out[i, c] + leaf_float[r]
            if mode == 1:
                for c in range(n_classes):
                    out[i, c] = out[i, c] / n_per_class[c]
