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
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = [
    "JIT_OPTIONS",
    "MAX_FAST_WIDTH",
    "cast_kernel",
    "quantize_kernel",
    "overflow_kernel",
]

#: jit options of every kernel in this package (numba.njit is nopython already)
JIT_OPTIONS = {"nogil": True, "cache": True}

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


@numba.njit(**JIT_OPTIONS)
def cast_kernel(raw, k, frac, width, signed, qmode, omode, nsat, lo, hi, out):
    """``out[i]`` = target raw of ``raw[i] * 2**k`` (1-D arrays)."""
    for i in range(raw.shape[0]):
        out[i] = _convert_one(raw[i], k, frac, width, signed, qmode, omode, nsat, lo, hi)


@numba.njit(**JIT_OPTIONS)
def quantize_kernel(x, frac, width, signed, qmode, omode, nsat, lo, hi, out):
    """``out[i]`` = target raw of the double ``x[i]`` (1-D; no NaN; +-inf read as +-2**1024)."""
    for i in range(x.shape[0]):
        v = x[i]
        if math.isinf(v):
            m = np.int64(1) if v > 0 else np.int64(-1)
            k = 1024
        else:
            f, e = math.frexp(v)
            m = np.int64(f * _TWO53)
            k = e - 53
        out[i] = _convert_one(m, k, frac, width, signed, qmode, omode, nsat, lo, hi)


@numba.njit(**JIT_OPTIONS)
def overflow_kernel(values, width, signed, omode, nsat, lo, hi, out):
    """``out[i]`` = ``values[i]`` (already at the target LSB) after the overflow mode."""
    mask = (np.int64(1) << width) - 1
    for i in range(values.shape[0]):
        v = values[i]
        if v >= lo and v <= hi:
            out[i] = v
        else:
            out[i] = _out_of_range(v & mask, v < 0, width, signed, lo, hi, omode, nsat)
