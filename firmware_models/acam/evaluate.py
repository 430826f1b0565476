"""Evaluate an :class:`~firmware_models.acam.table.AcamTable` on integer input codes.

Three modes (``predict_raw``):

- ``"ideal"``: integer interval compare. Trees whose rows tile the input space
  run as a compiled walk (:mod:`~firmware_models.acam.walk`, laid out by
  :mod:`~firmware_models.acam.heap`, kernels in :mod:`~firmware_models.acam._walk_kernels`:
  the ``parallel=False`` one with one numba thread, else one event chunk per
  thread), the others by row scan; both give the row-scan result.
- ``"nested"``: every compare done on 4-bit analog slices, most significant
  first, equality carried (:mod:`~firmware_models.acam.physical`); equal to ideal.
- ``"physical"``: nested with seeded static per-cell threshold variation
  ``sigma`` (cell LSB); rows may falsely match or miss.

Per tree, the matched rows' leaves (``leaf_raw``) are added: all of them
(``multi_match="sum"``) or the first (``"first"``); a tree with no match adds
nothing (``no_match="zero"``). The sum is exact (int64, order-independent), then
the class base is added and the total is cast once to ``leaf_type`` with its
overflow mode (WRAP equals conifer's wrapping accumulation in ``score_t`` in any
order). A saturating ``leaf_type`` with ``score_sum`` "sequential" or "tree"
instead casts after every add, in conifer's order (:data:`~firmware_models.acam.table.SCORE_SUMS`),
from per-tree leaves found by row scan. A ``norm`` other than 1 is then applied as conifer does
(``values *= (U) norm``: multiply by the ``leaf_type`` value of ``norm``,
quantize back with the type's rounding and overflow;
conifer/backends/cpp/include/conifer.h ``BDT::decision_function``).
"""

from __future__ import annotations

import numba
import numpy as np

from firmware_models.acam import _kernels as K
from firmware_models.acam import _walk_kernels as W
from firmware_models.acam.errors import AcamInputError
from firmware_models.acam.heap import compile_fast
from firmware_models.acam.physical import cell_arrays, ideal_levels, physical_levels, slice_layout
from firmware_models.acam.table import FLOAT_SUMS, MatchStats
from firmware_models.acam.walk import compile_walk
from firmware_models.fixed.exact import convert_exact, split_double
from firmware_models.fixed.types import FixedType

__all__ = ["evaluate", "match_rows", "float_like", "check_inputs", "cast_to_type", "MODES", "MULTI_MATCH", "NO_MATCH"]

MODES = ("ideal", "nested", "physical")
MULTI_MATCH = ("sum", "first")
NO_MATCH = ("zero",)


def check_inputs(table, x_int) -> np.ndarray:
    """Validate integer codes (n_events, n_features) in [0, 2**n_bits); return them C-contiguous in
    the narrowest unsigned dtype that holds n_bits (uint8 / uint16 / uint32)."""
    x = np.asarray(x_int)
    if x.ndim != 2 or x.shape[1] != table.n_features:
        msg = f"ACAM inputs must have shape (n_events, {table.n_features}), got {x.shape}"
        raise AcamInputError(msg)
    if not np.issubdtype(x.dtype, np.integer):
        msg = (
            f"ACAM inputs must be integer codes, got dtype {x.dtype}; quantize floats first with "
            "table.quantize_inputs(x)"
        )
        raise AcamInputError(msg)
    if x.size:
        lo, hi = int(x.min()), int(x.max())
        if lo < 0 or hi >= (1 << table.n_bits):
            msg = (
                f"ACAM input codes must lie in [0, 2**{table.n_bits}) = [0, {1 << table.n_bits}), got min {lo}, "
                f"max {hi}; quantize with table.quantize_inputs(x) or rebuild the table with more n_bits"
            )
            raise AcamInputError(msg)
    # the narrowest unsigned dtype holding the codes: smaller rows, fewer cache misses in the walk
    dt = np.uint8 if table.n_bits <= 8 else np.uint16 if table.n_bits <= 16 else np.uint32
    return np.ascontiguousarray(x, dtype=dt)


def _plan(table):
    if "walk" not in table._cache:
        table._cache["walk"] = compile_walk(table)
    return table._cache["walk"]


def _fast(table):
    if "fast" not in table._cache:
        table._cache["fast"] = compile_fast(_plan(table), table.n_bits, table.tree_class)
    return table._cache["fast"]


def _n_chunks(n: int) -> int:
    """Event chunks for the walk kernels: one per numba thread (1: the serial ``parallel=False`` kernel)."""
    threads = numba.get_num_threads()
    return max(1, min(threads, n // (2 * W.BLOCK)))


def _walk(fast, x, acc, no_match, rows=None) -> None:
    """Walk trees of ``fast`` (heap and pointer layouts): leaves into ``acc``, no-match counts
    into ``no_match`` (per source tree), matched rows into ``rows`` when given."""
    xs = x.reshape(-1)
    nf = x.shape[1]
    want = rows is not None
    rows_arg = rows if want else np.empty((0, 0), dtype=np.int32)
    chunks = _n_chunks(x.shape[0])
    if fast.n_heap:
        nm = np.zeros((chunks, fast.n_heap), dtype=np.int64)
        kern = W.heap_eval_parallel if chunks > 1 else W.heap_eval
        kern(xs, nf, fast.h_feature, fast.h_cut, fast.h_value, fast.h_row, fast.h_offset, fast.h_depth, fast.h_class,
             fast.h_gap, fast.h_tree, acc, nm, rows_arg, want)  # fmt: skip
        no_match[fast.h_tree] += nm.sum(axis=0)
    if fast.n_pointer:
        nm = np.zeros((chunks, fast.n_pointer), dtype=np.int64)
        kern = W.pointer_eval_parallel if chunks > 1 else W.pointer_eval
        kern(xs, nf, fast.p_feature, fast.p_cut, fast.p_child, fast.p_value, fast.p_row, fast.p_root, fast.p_depth,
             fast.p_class, fast.p_gap, fast.p_tree, acc, nm, rows_arg, want)  # fmt: skip
        no_match[fast.p_tree] += nm.sum(axis=0)


def _cells(table):
    if "cells" not in table._cache:
        table._cache["cells"] = cell_arrays(table)
    return table._cache["cells"]


def _levels(table, mode: str, sigma: float, seed: int):
    cells = _cells(table)
    if mode == "nested" or sigma == 0.0:
        key = ("levels", 0.0, 0)
        if key not in table._cache:
            table._cache[key] = ideal_levels(cells, table.n_bits)
        return table._cache[key]
    key = ("levels", float(sigma), int(seed))
    if key not in table._cache:
        # keep one physical chip cached at a time (arrays can be large)
        for k in [k for k in table._cache if isinstance(k, tuple) and k[0] == "levels" and k[1] != 0.0]:
            del table._cache[k]
        table._cache[key] = physical_levels(cells, table.n_bits, sigma, seed)
    return table._cache[key]


def cast_to_type(values: np.ndarray, t: FixedType) -> np.ndarray:
    """Exact int64 values already at ``t``'s LSB -> ``t``'s overflow mode applied (vectorized)."""
    v = np.asarray(values, dtype=np.int64)
    lo, hi = t.sat_min_raw, t.max_raw
    if t.overflow == "WRAP":
        span = np.int64(1) << np.int64(t.width)
        return ((v - t.min_raw) % span) + t.min_raw
    if t.overflow in ("SAT", "SAT_SYM"):
        return np.clip(v, lo, hi)
    return np.where((v < lo) | (v > hi), 0, v)  # SAT_ZERO


def _apply_norm(total: np.ndarray, table) -> np.ndarray:
    t = table.leaf_type
    if table.norm == 1.0 and t.fractional >= 0 and t.max_raw >= (1 << t.fractional):
        return total  # (U) 1.0 is exactly one: the multiplication is the identity
    norm_raw = convert_exact(*split_double(float(table.norm)), t)
    prod = total.astype(object) * norm_raw  # exact; value prod * 2**(-2F)
    f = t.fractional
    out = np.fromiter((convert_exact(int(p), -2 * f, t) for p in prod.reshape(-1)), dtype=np.int64, count=prod.size)
    return out.reshape(total.shape)


def evaluate(table, x_int, *, mode="ideal", sigma=0.0, seed=0, multi_match="sum", no_match="zero"):
    """(raw outputs (n_events, n_classes) int64 in ``leaf_type``, :class:`MatchStats`)."""
    if mode not in MODES:
        msg = f"ACAM mode must be one of {MODES}, got {mode!r}"
        raise AcamInputError(msg)
    if multi_match not in MULTI_MATCH:
        msg = f"multi_match policy must be one of {MULTI_MATCH}, got {multi_match!r}"
        raise AcamInputError(msg)
    if no_match not in NO_MATCH:
        msg = f"no_match policy must be one of {NO_MATCH}, got {no_match!r}"
        raise AcamInputError(msg)
    if mode != "physical" and sigma != 0.0:
        msg = f"sigma = {sigma} only applies to mode='physical' (got mode={mode!r})"
        raise AcamInputError(msg)
    x = check_inputs(table, x_int)
    n = x.shape[0]
    stats = MatchStats.zeros(table.n_trees, n)
    if table.score_sum != "exact" and table.leaf_type.overflow != "WRAP":
        return _apply_norm(_ordered_sum(table, x, mode, sigma, seed, multi_match, stats), table), stats
    acc = np.zeros((n, table.n_classes), dtype=np.int64)
    tree_class = np.ascontiguousarray(table.tree_class, dtype=np.int32)
    if mode == "ideal":
        plan = _plan(table)
        _walk(_fast(table), x, acc, stats.no_match)
        scan = np.nonzero(plan.root < 0)[0].astype(np.int64)
        if scan.size:
            _scan(table, x, scan, False, None, multi_match, tree_class, acc, stats)
    else:
        levels = _levels(table, mode, sigma, seed)
        _scan(table, x, np.arange(table.n_trees, dtype=np.int64), True, levels, multi_match, tree_class, acc, stats)
    total = cast_to_type(acc + table.base_raw[None, :], table.leaf_type)
    return _apply_norm(total, table), stats


def _reduce(cols: list, t: FixedType) -> np.ndarray:
    """conifer's balanced ``reduce``: left part the largest power of two below n, each add cast to t."""
    if len(cols) == 1:
        return cols[0]
    left_n = 1 << ((len(cols) - 1).bit_length() - 1)
    return cast_to_type(_reduce(cols[:left_n], t) + _reduce(cols[left_n:], t), t)


def _ordered_sum(table, x, mode, sigma, seed, multi_match, stats) -> np.ndarray:
    """Saturating score sum in the order ``table.score_sum`` names (per-tree leaves by row scan)."""
    per_tree = np.zeros((x.shape[0], table.n_trees), dtype=np.int64)
    own = np.arange(table.n_trees, dtype=np.int32)  # each tree accumulates into its own column
    levels = None if mode == "ideal" else _levels(table, mode, sigma, seed)
    _scan(table, x, own.astype(np.int64), mode != "ideal", levels, multi_match, own, per_tree, stats)
    t = table.leaf_type
    per_tree = cast_to_type(per_tree, t)  # one tree's output is a score_t (several matches: their sum, cast)
    out = np.empty((x.shape[0], table.n_classes), dtype=np.int64)
    tree_class = table.tree_class
    for c in range(table.n_classes):
        cols = [per_tree[:, i] for i in np.nonzero(tree_class == c)[0]]
        base = np.full(x.shape[0], table.base_raw[c], dtype=np.int64)
        if not cols:
            out[:, c] = base
        elif table.score_sum == "sequential":
            acc = base
            for col in cols:
                acc = cast_to_type(acc + col, t)
            out[:, c] = acc
        else:
            out[:, c] = cast_to_type(base + _reduce(cols, t), t)
    return out


def _scan(table, x, trees, nested, levels, multi_match, tree_class, acc, stats, rows=None):
    cells = _cells(table)
    shifts, masks = slice_layout(table.n_bits)
    if levels is None:
        levels = _levels(table, "nested", 0.0, 0)
    if rows is None:
        rows = np.full((x.shape[0], table.n_trees), -1, dtype=np.int32)
    K.scan_rows(
        x,
        trees,
        table.tree_start,
        cells.ptr,
        cells.feature,
        cells.lo,
        cells.hi,
        cells.lo_open,
        cells.hi_open,
        levels[0],
        levels[1],
        shifts,
        masks,
        nested,
        multi_match == "first",
        table.leaf_raw,
        tree_class,
        acc,
        rows,
        stats.false_matches,
        stats.misses,
        stats.multiple_matches,
        stats.no_match,
    )
    return rows


def match_rows(table, x_int) -> np.ndarray:
    """(n_events, n_trees) int32: the row each tree matches in ideal mode (first one if several), -1 none."""
    x = check_inputs(table, x_int)
    plan = _plan(table)
    rows = np.full((x.shape[0], table.n_trees), -1, dtype=np.int32)
    acc = np.zeros((x.shape[0], table.n_classes), dtype=np.int64)
    _walk(_fast(table), x, acc, np.zeros(table.n_trees, dtype=np.int64), rows)
    scan = np.nonzero(plan.root < 0)[0].astype(np.int64)
    if scan.size:
        acc[:] = 0
        stats = MatchStats.zeros(table.n_trees, x.shape[0])
        tree_class = np.ascontiguousarray(table.tree_class, dtype=np.int32)
        _scan(table, x, scan, False, None, "first", tree_class, acc, stats, rows=rows)
    return rows


def float_like(table, x_int) -> np.ndarray:
    """The library-order float sum (see :data:`~firmware_models.acam.table.FLOAT_SUMS`)."""
    rows = match_rows(table, x_int)
    mode = FLOAT_SUMS.index(table.float_sum)
    out = np.empty((rows.shape[0], table.n_classes), dtype=np.float64)
    per_class = np.bincount(table.tree_class, minlength=table.n_classes).astype(np.float64)
    tree_class = np.ascontiguousarray(table.tree_class, dtype=np.int32)
    K.float_sum(rows, table.leaf_float, tree_class, table.base_float, mode, per_class, out)
    if mode == 2:
        out = out.astype(np.float32)
    return out[:, 0] if table.n_classes == 1 else out

