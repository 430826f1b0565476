"""Numba kernels of the fused encoder path: fixed-point casts done exactly in floating point.

A raw fixed-point value is an integer; while every intermediate stays below 2**24
(float32) or 2**53 (float64) in magnitude, float arithmetic on it is exact: sums of
integers, scaling by powers of two, ``floor``, ``min``/``max``. The fused path
(:mod:`firmware_models.nn.fused`) keeps activations as such exact floats between the
matrix products, so the next product needs no conversion, and does everything after a
product in one pass of these kernels (8 float32 lanes per AVX2 instruction, where int64
has 4 and no arithmetic right shift).

One *cast step* assigns a raw value ``v`` (``d`` more fraction bits than the target) to a
fixed-point type with ap_fixed's rounding and overflow (``quantization_adjust`` /
``overflow_adjust`` of ``ap_fixed_base.h``, see :data:`firmware_models.fixed.types.CONVENTIONS`):
every rounding mode is ``q = floor((v + c0 + cneg*[v<0] + codd*odd(floor(v/2^d))) / 2^d)``
with per-mode constants (:data:`ROUND_CONSTANTS`), then WRAP / SAT / SAT_ZERO. A step is
one row of a float table (columns :data:`STEP_COLUMNS`, built by :func:`step_row`); the
planner proves the exactness bound for each row. The plain twin is
:func:`firmware_models.fixed.exact.convert_exact`; the property tests check they agree.
"""

from __future__ import annotations

import numba
import numpy as np

from firmware_models.fixed import FixedType
from firmware_models.nn.kernels import JIT_OPTIONS

__all__ = ["STEP_COLUMNS", "OMODE_CODES", "ROUND_CONSTANTS", "step_row", "apply_steps", "dense_post",
           "ints_to_float"]

#: columns of a step row; one row per cast, all in the compute float type
STEP_COLUMNS = ("relu", "inv", "c0", "cneg", "codd", "omode", "lo", "hi", "wbase", "span", "inv_span", "half",
                "two", "clo", "chi")

#: overflow handling of a step: 0 = proven in range (nothing to do), 1 = WRAP, 2 = clamp (SAT, SAT_SYM),
#: 3 = SAT_ZERO
OMODE_CODES = {"none": 0, "WRAP": 1, "SAT": 2, "SAT_SYM": 2, "SAT_ZERO": 3}


def _round_constants(mode: str, d: int) -> tuple[int, int, int]:
    half, mask = 1 << (d - 1), (1 << d) - 1
    return {
        "TRN": (0, 0, 0),
        "TRN_ZERO": (0, mask, 0),           # negative with dropped bits: one up
        "RND": (half, 0, 0),                # ties up
        "RND_ZERO": (half - 1, 1, 0),       # ties toward zero
        "RND_MIN_INF": (half - 1, 0, 0),    # ties down
        "RND_INF": (half, -1, 0),           # ties away from zero
        "RND_CONV": (half - 1, 0, 1),       # ties to even
    }[mode]


#: (c0, cneg, codd) of each rounding mode for d >= 1 dropped bits, from ``round_increment`` in
#: :mod:`firmware_models.fixed.exact` (ap_fixed_base.h quantization_adjust); shown for d = 3
ROUND_CONSTANTS = {mode: _round_constants(mode, 3) for mode in
                   ("TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_MIN_INF", "RND_INF", "RND_CONV")}


#: clamp bound that never binds (exact intermediates stay below 2**53; a float32 holds 2**100)
_NO_CLAMP = 2.0 ** 100


def step_row(d: int, dst: FixedType, *, relu: bool, check_overflow: bool) -> list[float]:
    """One step: optional ReLU, assign a value with ``d`` extra fraction bits to ``dst``.

    ``check_overflow=False`` when the caller proved the result lies in ``dst``'s range.
    ``dst.sat_bits`` must be 0 (the planner falls back otherwise).
    """
    c0, cneg, codd = _round_constants(dst.rounding, d) if d > 0 else (0, 0, 0)
    omode = OMODE_CODES[dst.overflow] if check_overflow else 0
    row = dict(relu=float(relu), inv=2.0 ** -d, c0=c0, cneg=cneg, codd=codd, omode=omode, lo=dst.sat_min_raw,
               hi=dst.max_raw, wbase=dst.min_raw, span=2.0 ** dst.width, inv_span=2.0 ** -dst.width, half=0.5, two=2,
               clo=-_NO_CLAMP, chi=_NO_CLAMP)
    if omode in (0, OMODE_CODES["SAT"]):  # the clamp is the overflow (SAT, SAT_SYM) or changes nothing
        row["clo"], row["chi"] = row["lo"], row["hi"]
    return [float(row[name]) for name in STEP_COLUMNS]


@numba.njit(**JIT_OPTIONS)
def apply_steps(buf, steps):  # pragma: no cover - compiled
    """Apply each step (row of ``steps``) to every element of the flat array ``buf``, in place.

    Each step is one or two branch-free loops picked once per step, so each vectorizes
    without computing the modes it does not need: ReLU + rounding + clamp to [clo, chi]
    (the overflow for SAT and SAT_SYM, a no-op otherwise), then for WRAP and SAT_ZERO a
    second loop.
    """
    m = buf.shape[0]
    for s in range(steps.shape[0]):
        relu = steps[s, 0] != 0
        inv, c0, cneg, codd = steps[s, 1], steps[s, 2], steps[s, 3], steps[s, 4]
        omode = int(steps[s, 5])
        lo, hi, wbase, span, inv_span = steps[s, 6], steps[s, 7], steps[s, 8], steps[s, 9], steps[s, 10]
        half, two = steps[s, 11], steps[s, 12]
        clo, chi = steps[s, 13], steps[s, 14]
        zero = inv - inv
        one = inv / inv
        if codd != zero:  # RND_CONV: the parity of the floored value decides ties
            for k in range(m):
                v = max(buf[k], zero) if relu else buf[k]
                f = np.floor(v * inv)
                odd = f - two * np.floor(f * half)
                q = np.floor((v + c0 + codd * odd + (cneg if v < zero else zero)) * inv)
                buf[k] = min(max(q, clo), chi)
        elif cneg != zero:
            for k in range(m):
                v = max(buf[k], zero) if relu else buf[k]
                q = np.floor((v + c0 + (cneg if v < zero else zero)) * inv)
                buf[k] = min(max(q, clo), chi)
        elif c0 != zero or inv < one:
            for k in range(m):
                v = max(buf[k], zero) if relu else buf[k]
                buf[k] = min(max(np.floor((v + c0) * inv), clo), chi)
        elif relu or inv != one or omode == 2:
            for k in range(m):
                v = max(buf[k], zero) if relu else buf[k]
                buf[k] = min(max(v * inv, clo), chi)
        if omode == 1:
            for k in range(m):
                v = buf[k]
                buf[k] = v - span * np.floor((v - wbase) * inv_span)
        elif omode == 3:
            for k in range(m):
                v = buf[k]
                buf[k] = v if (v >= lo) & (v <= hi) else zero


#: elements per block of :func:`dense_post` (float32: 16 KiB, stays in L1 across the steps)
POST_BLOCK = 4096


@numba.njit(**JIT_OPTIONS)
def dense_post(acc, bias, steps, narrow, out):  # pragma: no cover - compiled
    """acc (m, n) += bias (n,) per column, then ``apply_steps``, then ``out = acc`` (any dtype).

    Done in blocks of rows so that the block stays in L1 cache across the passes.
    ``narrow`` (for an integer ``out`` only): every result fits int32 (the caller proved
    it), so ``out`` is filled through a packed float -> int32 conversion (AVX2 has none to
    int64).
    """
    m, n = acc.shape
    if steps.shape[0] == 0:  # one pass: out = acc + bias
        for r in range(m):
            if narrow:
                for o in range(n):
                    out[r, o] = np.int32(acc[r, o] + bias[o])
            else:
                for o in range(n):
                    out[r, o] = acc[r, o] + bias[o]
        return
    flat = acc.reshape(m * n)
    rows = max(1, POST_BLOCK // max(n, 1))
    for r0 in range(0, m, rows):
        r1 = min(r0 + rows, m)
        for r in range(r0, r1):
            for o in range(n):
                acc[r, o] += bias[o]
        apply_steps(flat[r0 * n:r1 * n], steps)
        if narrow:
            for r in range(r0, r1):
                for o in range(n):
                    out[r, o] = np.int32(acc[r, o])
        else:
            for r in range(r0, r1):
                for o in range(n):
                    out[r, o] = acc[r, o]


@numba.njit(**JIT_OPTIONS)
def ints_to_float(x, lo, hi, narrow, out):  # pragma: no cover - compiled
    """out = x as floats; returns how many values lie outside [lo, hi] (the caller raises).

    ``narrow``: [lo, hi] lies within int32, so valid values go through a packed int32 ->
    float conversion (AVX2 has none from int64); out-of-range values are only counted.
    """
    m, n = x.shape
    bad = 0
    for r in range(m):
        if narrow:
            for c in range(n):
                v = x[r, c]
                bad += (v < lo) | (v > hi)
                out[r, c] = np.int32(v)
        else:
            for c in range(n):
                v = x[r, c]
                bad += (v < lo) | (v > hi)
                out[r, c] = v
    return bad
