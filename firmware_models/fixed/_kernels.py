"""Numba kernels for fixed-point conversion on int64 raw values (the fast path).

Module-level free functions writing into preallocated outputs; :data:`JIT_OPTIONS`
is the one place holding the jit options. They compute what
:func:`firmware_models.fixed.exact.convert_exact` computes on Python ints (the
reference twin; a Hypothesis test says they agree) under these preconditions,
checked by the callers in :mod:`firmware_models.fixed.quantize`:

- target width <= :data:`MAX_FAST_WIDTH` (62), so ``lo``/``hi``/``2**W`` fit int64;
- source mantissas ``|m| < 2**62`` (a raw value of a type of width <= 62, or a
  double's 53-bit mantissa).

Modes are passed as indices into ``ROUNDING_MODES`` / ``OVERFLOW_MODES``.

Structure (for speed): each public kernel runs small call-free loops -- floor plus
rounding increment (``_narrow_loop``, ``_float_loop``, ``_widen_loop``), then one
overflow pass (``_overflow_pass``) -- and sends only the rare values those loops
cannot do exactly (|value| >= 2**62, inf, subnormal products) through the scalar
``_convert_one``. A loop that merely *contains* a call to the scalar helper ran
about 10x slower (no if-conversion or vectorization), hence the split.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from firmware_models.jit import JIT_OPTIONS

__all__ = [
    "JIT_OPTIONS",
    "MAX_FAST_WIDTH",
    "cast_kernel",
    "quantize_kernel",
    "overflow_kernel",
]

#: widest type (source or target) the int64 kernels handle
MAX_FAST_WIDTH = 62

# indices into types.ROUNDING_MODES / types.OVERFLOW_MODES (checked in quantize.py)
_TRN, _TRN_ZERO, _RND, _RND_ZERO, _RND_INF, _RND_MIN_INF, _RND_CONV = range(7)
_WRAP, _SAT, _SAT_ZERO, _SAT_SYM = range(4)

_TWO53 = 9007199254740992.0


@numba.njit(**JIT_OPTIONS)
def _round_increment(qmode, floor_odd, qb, sticky, negative):
    if qmode == _TRN:
        return 0
    if qmode == _TRN_ZERO:
        return 1 if negative and (qb or sticky) else 0
    if not qb:
        return 0
    if qmode == _RND:
        return 1
    if qmode == _RND_ZERO:
        return 1 if negative or sticky else 0
    if qmode == _RND_MIN_INF:
        return 1 if sticky else 0
    if qmode == _RND_INF:
        return 1 if (not negative) or sticky else 0
    # _RND_CONV
    return 1 if floor_odd or sticky else 0


@numba.njit(**JIT_OPTIONS)
def _out_of_range(bits, negative, width, signed, lo, hi, omode, nsat):
    """Result for a value outside [lo, hi]; ``bits`` = the value mod 2**width."""
    if omode == _SAT or omode == _SAT_SYM:
        return lo if negative else hi
    if omode == _SAT_ZERO:
        return 0
    if nsat > 0:
        if signed:
            sign_bit = np.int64(1) << (width - 1)
            if negative:
                bits = bits | sign_bit
            else:
                bits = bits & ~sign_bit
            if nsat > 1:
                field = ((np.int64(1) << (nsat - 1)) - 1) << (width - nsat)
                if negative:
                    bits = bits & ~field
                else:
                    bits = bits | field
        else:
            bits = bits | (((np.int64(1) << nsat) - 1) << (width - nsat))
    if signed and (bits >> (width - 1)) & 1:
        bits -= np.int64(1) << width
    return bits


@numba.njit(**JIT_OPTIONS)
def _convert_one(m, k, frac, width, signed, qmode, omode, nsat, lo, hi):
    """Raw value of the target holding ``m * 2**k`` (``|m| < 2**62``)."""
    shift = k + frac
    mask = (np.int64(1) << width) - 1
    if shift >= 0:
        if m == 0:
            return np.int64(0)
        if shift < MAX_FAST_WIDTH:
            if m <= (hi >> shift) and m >= -((-lo) >> shift):
                return m << shift
            bits = np.int64(0)
            if shift < width:
                bits = (m & ((np.int64(1) << (width - shift)) - 1)) << shift
            return _out_of_range(bits, m < 0, width, signed, lo, hi, omode, nsat)
        # |m * 2**shift| >= 2**62 > hi, and the low `width` bits are zero
        return _out_of_range(np.int64(0), m < 0, width, signed, lo, hi, omode, nsat)
    d = -shift
    if d >= 63:
        floor = np.int64(-1) if m < 0 else np.int64(0)
        qb = m < 0
        sticky = m != 0
    else:
        floor = m >> d
        rem = m & ((np.int64(1) << d) - 1)
        qb = ((rem >> (d - 1)) & 1) == 1
        sticky = (rem & ((np.int64(1) << (d - 1)) - 1)) != 0
    value = floor + _round_increment(qmode, (floor & 1) == 1, qb, sticky, m < 0)
    if value >= lo and value <= hi:
        return value
    return _out_of_range(value & mask, value < 0, width, signed, lo, hi, omode, nsat)


@numba.njit(inline="always", **JIT_OPTIONS)
def _increment_from_remainder(qmode, floor, rem, half, negative):
    """``_round_increment`` with qb/sticky read off the remainder ``rem`` in [0, 2*half)."""
    if qmode == _TRN:
        return 0
    if qmode == _TRN_ZERO:
        return 1 if negative and rem != 0 else 0
    if rem < half:
        return 0
    if rem > half:  # qb and sticky: every RND mode rounds up
        return 1
    # exact tie
    if qmode == _RND:
        return 1
    if qmode == _RND_ZERO:
        return 1 if negative else 0
    if qmode == _RND_INF:
        return 0 if negative else 1
    if qmode == _RND_MIN_INF:
        return 0
    return 1 if (floor & 1) == 1 else 0  # _RND_CONV


@numba.njit(inline="always", **JIT_OPTIONS)
def _increment_from_float(qmode, t, fl, negative):
    """The increment for the exact double ``t`` with ``fl = floor(t)`` (|t| < 2**62)."""
    if qmode == _TRN or t == fl:
        return 0
    if qmode == _TRN_ZERO:
        return 1 if negative else 0
    h = fl + 0.5  # exact: here |t| < 2**52 because t is not an integer
    if t < h:
        return 0
    if t > h:
        return 1
    if qmode == _RND:
        return 1
    if qmode == _RND_ZERO:
        return 1 if negative else 0
    if qmode == _RND_INF:
        return 0 if negative else 1
    if qmode == _RND_MIN_INF:
        return 0
    return 1 if (np.int64(fl) & 1) == 1 else 0  # _RND_CONV


@numba.njit(**JIT_OPTIONS)
def _overflow_pass(out, width, signed, omode, nsat, lo, hi):
    """Apply the overflow mode in place to exact values at the target LSB (|v| < 2**63).

    Hot loops stay free of calls (so LLVM can if-convert and vectorize them); only
    WRAP with N > 0 saturation bits calls the bit-level helper, on out-of-range values.
    """
    n = out.shape[0]
    if omode == _SAT or omode == _SAT_SYM:
        for i in range(n):
            v = out[i]
            out[i] = lo if v < lo else (hi if v > hi else v)
    elif omode == _SAT_ZERO:
        for i in range(n):
            v = out[i]
            out[i] = 0 if (v < lo or v > hi) else v
    elif nsat == 0:
        mask = (np.int64(1) << width) - 1
        if signed:
            top = np.int64(1) << (width - 1)
            for i in range(n):
                bits = out[i] & mask
                out[i] = bits - ((bits & top) << 1)
        else:
            for i in range(n):
                out[i] = out[i] & mask
    else:
        mask = (np.int64(1) << width) - 1
        for i in range(n):
            v = out[i]
            if v < lo or v > hi:
                out[i] = _out_of_range(v & mask, v < 0, width, signed, lo, hi, omode, nsat)


@numba.njit(**JIT_OPTIONS)
def _narrow_loop(raw, d, qmode, out):
    """Floor by ``d`` bits (0 < d < 63) plus the rounding increment; no overflow yet."""
    mask_d = (np.int64(1) << d) - 1
    half = np.int64(1) << (d - 1)
    for i in range(raw.shape[0]):
        m = raw[i]
        floor = m >> d
        out[i] = floor + _increment_from_remainder(qmode, floor, m & mask_d, half, m < 0)


@numba.njit(**JIT_OPTIONS)
def _widen_loop(raw, shift, out):
    """Exact left shift of values below 2**(62 - shift) in magnitude; returns how many are not."""
    bound = np.int64(1) << (MAX_FAST_WIDTH - shift)
    bad = 0
    for i in range(raw.shape[0]):
        m = raw[i]
        out[i] = m << shift
        bad += (m >= bound) | (m <= -bound)
    return bad


@numba.njit(**JIT_OPTIONS)
def _widen_fixup(raw, k, frac, width, signed, qmode, omode, nsat, lo, hi, out):
    bound = np.int64(1) << (MAX_FAST_WIDTH - (k + frac))
    for i in range(raw.shape[0]):
        m = raw[i]
        if m >= bound or m <= -bound:
            out[i] = _convert_one(m, k, frac, width, signed, qmode, omode, nsat, lo, hi)


@numba.njit(**JIT_OPTIONS)
def _generic_loop(raw, k, frac, width, signed, qmode, omode, nsat, lo, hi, out):
    for i in range(raw.shape[0]):
        out[i] = _convert_one(raw[i], k, frac, width, signed, qmode, omode, nsat, lo, hi)


@numba.njit(**JIT_OPTIONS)
def cast_kernel(raw, k, frac, width, signed, qmode, omode, nsat, lo, hi, out):
    """``out[i]`` = target raw of ``raw[i] * 2**k`` (1-D arrays)."""
    shift = k + frac
    if 0 < -shift < 63:  # narrowing: floor + rounding increment, then the overflow pass
        _narrow_loop(raw, -shift, qmode, out)
        _overflow_pass(out, width, signed, omode, nsat, lo, hi)
    elif 0 <= shift < MAX_FAST_WIDTH:  # widening: exact shift, overflow pass, huge values apart
        bad = _widen_loop(raw, shift, out)
        _overflow_pass(out, width, signed, omode, nsat, lo, hi)
        if bad:
            _widen_fixup(raw, k, frac, width, signed, qmode, omode, nsat, lo, hi, out)
    else:
        _generic_loop(raw, k, frac, width, signed, qmode, omode, nsat, lo, hi, out)


_FLOAT_MAX = 4.611686018427388e18  # 2**62
_FLOAT_MIN_NORMAL = 2.2250738585072014e-308


@numba.njit(**JIT_OPTIONS)
def _float_loop(x, scale, qmode, out):
    """Floor and round ``x * scale`` in float64 where that is exact; returns the count of other values."""
    bad = 0
    for i in range(x.shape[0]):
        v = x[i]
        t = v * scale
        at = abs(t)
        ok = at < _FLOAT_MAX and (at >= _FLOAT_MIN_NORMAL or v == 0.0)
        fl = math.floor(t) if ok else 0.0
        out[i] = np.int64(fl) + _increment_from_float(qmode, t, fl, v < 0.0) if ok else 0
        bad += not ok
    return bad


@numba.njit(**JIT_OPTIONS)
def _float_fixup(x, scale, frac, width, signed, qmode, omode, nsat, lo, hi, out):
    for i in range(x.shape[0]):
        v = x[i]
        at = abs(v * scale)
        if scale == 0.0 or not (at < _FLOAT_MAX and (at >= _FLOAT_MIN_NORMAL or v == 0.0)):
            if math.isinf(v):
                m = np.int64(1) if v > 0 else np.int64(-1)
                kk = 1024
            else:
                f, e = math.frexp(v)
                m = np.int64(f * _TWO53)
                kk = e - 53
            out[i] = _convert_one(m, kk, frac, width, signed, qmode, omode, nsat, lo, hi)


@numba.njit(**JIT_OPTIONS)
def quantize_kernel(x, frac, width, signed, qmode, omode, nsat, lo, hi, out):
    """``out[i]`` = target raw of the double ``x[i]`` (1-D; no NaN; +-inf read as +-2**1024).

    Fast path: ``t = x * 2**frac`` is exact while it is a normal double (or zero) below
    2**62, so floor and the tie tests run in float64; other values (huge, inf, results
    that would be subnormal) go through the mantissa/exponent path of ``_convert_one``.
    """
    if -1000 <= frac <= 1000:
        scale = math.ldexp(1.0, frac)
        bad = _float_loop(x, scale, qmode, out)
        _overflow_pass(out, width, signed, omode, nsat, lo, hi)
    else:
        scale = 0.0
        bad = 1
    if bad:
        _float_fixup(x, scale, frac, width, signed, qmode, omode, nsat, lo, hi, out)


@numba.njit(**JIT_OPTIONS)
def overflow_kernel(values, width, signed, omode, nsat, lo, hi, out):
    """``out[i]`` = ``values[i]`` (already at the target LSB) after the overflow mode."""
    for i in range(values.shape[0]):
        out[i] = values[i]
    _overflow_pass(out, width, signed, omode, nsat, lo, hi)
