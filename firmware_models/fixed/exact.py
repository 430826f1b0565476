"""Exact fixed-point conversion on Python integers: the slow path and the reference twin.

One function does all of ap_fixed assignment: :func:`convert_exact` takes a
value ``m * 2**k`` (Python ints, any size) and a :class:`FixedType` and returns
the raw integer the target holds, following :data:`~firmware_models.fixed.types.CONVENTIONS`
(quantization, then overflow). :func:`overflow_exact` is the overflow half alone.

These serve (a) as the computation for widths the int64 kernels of
:mod:`firmware_models.fixed._kernels` cannot hold, over object arrays of Python
ints, and (b) as the plain reference twin those kernels are property-tested
against. Floats enter through :func:`split_double` (exact: ``float.as_integer_ratio``).
"""

from __future__ import annotations

import math

from firmware_models.errors import UnsupportedTypeError
from firmware_models.fixed.types import FixedType

__all__ = ["convert_exact", "overflow_exact", "split_double", "round_increment"]

#: The exponent ap_fixed's double constructor gives infinity (biased exponent 2047, mantissa 1.0).
INF_EXPONENT = 1024


def split_double(x: float) -> tuple[int, int]:
    """``(m, k)`` with ``x == m * 2**k`` exactly; ``+-inf`` -> ``(+-1, 1024)`` as ap_fixed reads it."""
    if math.isnan(x):
        msg = "cannot convert NaN to a fixed-point value (ap_fixed has no NaN); clean the input first"
        raise UnsupportedTypeError(msg)
    if math.isinf(x):
        return (1 if x > 0 else -1), INF_EXPONENT
    num, den = float(x).as_integer_ratio()
    return num, -(den.bit_length() - 1)  # den is a power of two


def round_increment(mode: str, floor_odd: bool, qb: bool, sticky: bool, negative: bool) -> int:
    """0 or 1 added to the floored value (``quantization_adjust`` of ap_fixed_base.h).

    ``qb`` is the dropped bit just below the new LSB (the half), ``sticky`` whether
    any dropped bit below it is set, ``negative`` the sign of the source value.
    """
    if mode == "TRN":
        return 0
    if mode == "TRN_ZERO":
        return int(negative and (qb or sticky))
    if mode == "RND":
        return int(qb)
    if mode == "RND_ZERO":
        return int(qb and (negative or sticky))
    if mode == "RND_MIN_INF":
        return int(qb and sticky)
    if mode == "RND_INF":
        return int(qb and (not negative or sticky))
    if mode == "RND_CONV":
        return int(qb and (floor_odd or sticky))
    msg = f"unknown rounding mode {mode!r}"
    raise UnsupportedTypeError(msg)


def overflow_exact(value: int, t: FixedType) -> int:
    """Apply ``t``'s overflow mode to ``value``, an exact integer already at ``t``'s LSB."""
    lo, hi = t.sat_min_raw, t.max_raw
    if lo <= value <= hi:
        return value
    if t.overflow in ("SAT", "SAT_SYM"):
        return hi if value > hi else lo
    if t.overflow == "SAT_ZERO":
        return 0
    # WRAP (sat_min_raw == min_raw here)
    width = t.width
    bits = value & ((1 << width) - 1)
    n = t.sat_bits
    if n > 0:
        if t.signed:
            negative = value < 0
            sign_bit = 1 << (width - 1)
            bits = (bits | sign_bit) if negative else (bits & ~sign_bit)
            if n > 1:
                field = ((1 << (n - 1)) - 1) << (width - n)
                bits = (bits & ~field) if negative else (bits | field)
        else:
            bits |= ((1 << n) - 1) << (width - n)
    if t.signed and bits >> (width - 1):
        bits -= 1 << width
    return bits


def convert_exact(m: int, k: int, t: FixedType) -> int:
    """Raw integer of ``t`` holding ``m * 2**k`` after ap_fixed quantization and overflow."""
    shift = k + t.fractional
    if shift >= 0:
        return overflow_exact(m << shift, t)
    d = -shift
    floor = m >> d
    rem = m - (floor << d)
    half = 1 << (d - 1)
    qb = rem >= half
    sticky = (rem & (half - 1)) != 0
    inc = round_increment(t.rounding, bool(floor & 1), qb, sticky, m < 0)
    return overflow_exact(floor + inc, t)
