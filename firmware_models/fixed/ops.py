"""Arithmetic on raw fixed-point integers with ap_fixed's full-precision result types.

``add``/``sub``/``mul`` take raw arrays with their types and return ``(raw,
result_type)`` exactly as C++ ``a + b`` / ``a - b`` / ``a * b`` on ``ap_fixed``
operands (no rounding or overflow can happen: the result type holds every
result; see :func:`~firmware_models.fixed.types.add_type`). Assigning the result
to a narrower variable is :func:`firmware_models.fixed.quantize.cast`.

``wrap`` and ``saturate`` reduce integers already at a type's LSB into its range
(two's-complement wrap modulo ``2**W``; clamp to ``[sat_min_raw, max_raw]``).

int64 in and out when the result type fits int64; otherwise (e.g. a product of
two 40-bit types) object arrays of Python ints, computed exactly.
"""

from __future__ import annotations

import numpy as np

from firmware_models.fixed.quantize import _as_int_array, as_type
from firmware_models.fixed.types import FixedType, add_type, mul_type, sub_type

__all__ = ["add", "sub", "mul", "wrap", "saturate"]


def _align(raw: np.ndarray, t: FixedType, frac: int, exact: bool) -> np.ndarray:
    shift = frac - t.fractional
    if exact:
        return np.array([int(v) << shift for v in raw.reshape(-1).tolist()], dtype=object).reshape(raw.shape)
    return np.left_shift(raw, np.int64(shift)) if shift else raw


def _needs_exact(rt: FixedType, *arrays: np.ndarray) -> bool:
    return not rt.fits_int64 or any(a.dtype == object for a in arrays)


def _finish(out: np.ndarray, rt: FixedType) -> np.ndarray:
    if out.dtype == object and rt.fits_int64:
        return out.astype(np.int64)
    return out


def add(a, ta: FixedType | str, b, tb: FixedType | str) -> tuple[np.ndarray, FixedType]:
    """``a + b`` in the full-precision sum type."""
    ta, tb = as_type(ta), as_type(tb)
    a, b = _as_int_array(a, "a", None), _as_int_array(b, "b", None)
    rt = add_type(ta, tb)
    exact = _needs_exact(rt, a, b)
    out = _align(a, ta, rt.fractional, exact) + _align(b, tb, rt.fractional, exact)
    return _finish(np.asarray(out), rt), rt


def sub(a, ta: FixedType | str, b, tb: FixedType | str) -> tuple[np.ndarray, FixedType]:
    """``a - b`` in the full-precision (signed) difference type."""
    ta, tb = as_type(ta), as_type(tb)
    a, b = _as_int_array(a, "a", None), _as_int_array(b, "b", None)
    rt = sub_type(ta, tb)
    exact = _needs_exact(rt, a, b)
    out = _align(a, ta, rt.fractional, exact) - _align(b, tb, rt.fractional, exact)
    return _finish(np.asarray(out), rt), rt


def mul(a, ta: FixedType | str, b, tb: FixedType | str) -> tuple[np.ndarray, FixedType]:
    """``a * b`` in the full-precision product type ``ap_fixed<Wa+Wb, Ia+Ib>``."""
    ta, tb = as_type(ta), as_type(tb)
    a, b = _as_int_array(a, "a", None), _as_int_array(b, "b", None)
    rt = mul_type(ta, tb)
    if _needs_exact(rt, a, b):
        out = np.asarray(a).astype(object) * np.asarray(b).astype(object)
    else:
        out = np.multiply(a, b)
    return _finish(np.asarray(out), rt), rt


def wrap(raw, t: FixedType | str) -> np.ndarray:
    """Integers reduced modulo ``2**W`` into ``t``'s two's-complement range."""
    t = as_type(t)
    arr = _as_int_array(raw, "raw", None)
    w = t.width
    if arr.dtype == object or w >= 63:
        half = 1 << (w - 1)
        def one(v: int) -> int:
            bits = int(v) & ((1 << w) - 1)
            return bits - (1 << w) if t.signed and bits >= half else bits
        vals = [one(v) for v in arr.reshape(-1).tolist()]
        return np.array(vals, dtype=np.int64 if t.fits_int64 else object).reshape(arr.shape)
    bits = arr & np.int64((1 << w) - 1)
    if t.signed:
        bits = bits - (((bits >> np.int64(w - 1)) & np.int64(1)) << np.int64(w))
    return bits


def saturate(raw, t: FixedType | str) -> np.ndarray:
    """Integers clamped to ``[t.sat_min_raw, t.max_raw]`` (``-max_raw`` as minimum under SAT_SYM)."""
    t = as_type(t)
    arr = _as_int_array(raw, "raw", None)
    lo, hi = t.sat_min_raw, t.max_raw
    if arr.dtype == object:
        vals = [min(max(int(v), lo), hi) for v in arr.reshape(-1).tolist()]
        return np.array(vals, dtype=np.int64 if t.fits_int64 else object).reshape(arr.shape)
    return np.clip(arr, max(lo, -(2**63)), min(hi, 2**63 - 1))
