"""A fast form of the AXOL1TL ``sum mu^2`` score head: one numba pass per event.

:func:`sum_mu2_fast` returns ``compute(out_raw) -> raw score`` with the arithmetic of
:func:`firmware_models.nn.scores.sum_mu2_head` (AXOL1TL ``_computeLoss``:
``squares[i] = (score_t)(mu[i]*mu[i])``, then hls4ml ``nnet::reduce<score_t, N, Op_add>``,
a balanced tree of ``score_t`` additions split at ``pow2(floorlog2(N - 1))``,
``nnet_common.h``), but as one numba kernel (:func:`sum_sq_tree_kernel`) over the batch
instead of eight NumPy casts and seven overflow passes. Squares and sums are exact float64
integers (bound checked), cast with the steps of :mod:`firmware_models.nn.fused_kernels`.
The tree is a schedule of (dst, a, b) slot additions built once by
:func:`tree_schedule`. The plain twin is the head's ``compute_reference`` (Python ints);
the property tests check they agree.
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np

from firmware_models.fixed import as_type
from firmware_models.nn.fused_kernels import STEP_COLUMNS, apply_steps
from firmware_models.nn.kernels import JIT_OPTIONS

__all__ = ["tree_schedule", "sum_sq_tree_kernel", "sum_mu2_fast", "SCORE_BLOCK"]


def _split(n: int) -> int:
    # nnet_common.h reduce: leftN = pow2(floorlog2(N - 1))
    return 1 << ((n - 1).bit_length() - 1)


def tree_schedule(n: int) -> np.ndarray:
    """(k, 3) int64 rows ``slot[dst] = slot[a] + slot[b]`` of ``nnet::reduce`` over slots 0..n-1.

    The result is in the last row's ``dst`` (slot 0 when n == 1: no rows).
    """
    ops: list[tuple[int, int, int]] = []
    nxt = [n]

    def node(lo: int, hi: int) -> int:
        if hi - lo == 1:
            return lo
        k = _split(hi - lo)  # 1 for two terms
        a, b = node(lo, lo + k), node(lo + k, hi)
        ops.append((nxt[0], a, b))
        nxt[0] += 1
        return ops[-1][0]

    if n:
        node(0, n)
    return np.array(ops, dtype=np.int64).reshape(-1, 3)


@numba.njit(**JIT_OPTIONS)
def sum_sq_tree_kernel(mu, cols, sq_steps, sched, add_steps, block, out):  # pragma: no cover - compiled
    """out[r] = tree sum (``sched``) of (score_t)(mu[r, c]**2) for c in cols, each add through score_t.

    Exact float64 arithmetic (the caller proved every intermediate < 2**53), ``block`` events
    at a time, each slot a contiguous row so every loop vectorizes; ``sq_steps`` casts the
    square to score_t, ``add_steps`` applies score_t's overflow after each addition
    (:func:`firmware_models.nn.fused_kernels.apply_steps`).
    """
    n = cols.shape[0]
    m = mu.shape[0]
    slots = np.empty((n + sched.shape[0], block), dtype=np.float64)
    for r0 in range(0, m, block):
        b = min(block, m - r0)
        for j in range(n):
            c = cols[j]
            row = slots[j]
            for i in range(b):
                v = np.float64(mu[r0 + i, c])
                row[i] = v * v
            apply_steps(row[:b], sq_steps)
        res = 0
        for k in range(sched.shape[0]):
            res = sched[k, 0]
            row, ra, rb = slots[res], slots[sched[k, 1]], slots[sched[k, 2]]
            for i in range(b):
                row[i] = ra[i] + rb[i]
            apply_steps(row[:b], add_steps)
        if n == 0:
            for i in range(b):
                out[r0 + i] = 0
        else:
            row = slots[res]
            for i in range(b):
                out[r0 + i] = np.int64(row[i])


#: events per block of :func:`sum_sq_tree_kernel` (15 slots x 1024 x 8 B = 120 KiB)
SCORE_BLOCK = 1024


def sum_mu2_fast(mu_type, score_type, columns: slice | None = None) -> Callable[[np.ndarray], np.ndarray] | None:
    """``compute(out_raw)`` of the sum mu^2 head, or None when float64 cannot hold it exactly.

    Needs mu squares and score sums below 2**53 (mu width <= 27, score width <= 51) and a
    score type with no saturation bits (N); otherwise keep the NumPy path of
    :mod:`firmware_models.nn.scores`.
    """
    from firmware_models.nn.fused import plan_cast

    mt, st = as_type(mu_type), as_type(score_type)
    sq_hi = max(mt.min_raw ** 2, mt.max_raw ** 2)
    sq = plan_cast((0, sq_hi), 2 * mt.fractional - st.fractional, st, False)
    add = plan_cast((2 * st.sat_min_raw, 2 * st.max_raw), 0, st, False)
    if sq is None or add is None or max(sq_hi, sq[2], add[2], 2 * abs(st.sat_min_raw), 2 * st.max_raw) >= 1 << 53:
        return None
    sq_steps = np.array([r for r in (sq[0],) if r is not None], dtype=np.float64).reshape(-1, len(STEP_COLUMNS))
    add_steps = np.array([r for r in (add[0],) if r is not None], dtype=np.float64).reshape(-1, len(STEP_COLUMNS))
    cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def compute(out: np.ndarray) -> np.ndarray:
        arr = np.ascontiguousarray(out)
        n_cols = arr.shape[1]
        if n_cols not in cache:
            cols = np.arange(n_cols, dtype=np.int64)[columns or slice(None)]
            cache[n_cols] = (cols, tree_schedule(len(cols)))
        cols, sched = cache[n_cols]
        res = np.empty(arr.shape[0], dtype=np.int64)
        sum_sq_tree_kernel(arr, cols, sq_steps, sched, add_steps, SCORE_BLOCK, res)
        return res

    return compute
