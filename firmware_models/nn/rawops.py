"""Small exact helpers on raw fixed-point integers shared by the activation, softmax and score modules.

A raw value ``m`` with ``f`` fractional bits is the number ``m * 2**-f``. These helpers
keep every intermediate exact: products fall back to Python-int object arrays when an
int64 could overflow, assignments go through :func:`firmware_models.fixed.cast` (the
ap_fixed quantization and overflow of the target), comparisons align the two LSBs.
"""

from __future__ import annotations

import numpy as np

from firmware_models.fixed import FixedType, RawRangeError, as_type, cast

__all__ = ["carrier", "assign", "mul", "add", "gt_const", "lt_const", "check_raw", "raw_one"]


def carrier(frac: int) -> FixedType:
    """A 64-bit type with ``frac`` fractional bits: the source type of an exact intermediate."""
    return FixedType(64, 64 - int(frac), True)


def assign(raw, frac: int, dst, *, context: str | None = None) -> np.ndarray:
    """``dst y = v`` for the exact value ``v = raw * 2**-frac`` (ap_fixed rounding and overflow of ``dst``)."""
    return cast(raw, carrier(frac), as_type(dst), check=False, context=context)


def _bound(a: np.ndarray) -> int:
    return int(np.abs(a).max(initial=0)) if a.size else 0


def mul(a, b) -> np.ndarray:
    """Exact elementwise product (int64 when it fits below 2**62, else Python ints)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != object and b.dtype != object and _bound(a) * _bound(b) < 2**62:
        return a.astype(np.int64) * b.astype(np.int64)
    return a.astype(object) * b.astype(object)


def add(a, b) -> np.ndarray:
    """Exact elementwise sum (int64 when it fits below 2**62, else Python ints)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != object and b.dtype != object and _bound(a) + _bound(b) < 2**62:
        return a.astype(np.int64) + b.astype(np.int64)
    return a.astype(object) + b.astype(object)


def _cmp(x: np.ndarray, rhs: int, op) -> np.ndarray:
    if x.dtype != object and not -(2**63) <= rhs < 2**63:  # beyond int64: the answer is the same everywhere
        return np.full(x.shape, bool(op(0, rhs)))
    return op(x, rhs)


def gt_const(x: np.ndarray, fx: int, c: int, fc: int) -> np.ndarray:
    """Exact ``x * 2**-fx > c * 2**-fc`` (``x`` raw array, ``c`` one raw integer)."""
    x = np.asarray(x)
    if fx >= fc:
        return _cmp(x, int(c) << (fx - fc), np.greater)
    return _cmp(x, int(c) >> (fc - fx), np.greater)  # x integer: x > c/2^k <=> x > floor(c/2^k)


def lt_const(x: np.ndarray, fx: int, c: int, fc: int) -> np.ndarray:
    """Exact ``x * 2**-fx < c * 2**-fc``."""
    x = np.asarray(x)
    if fx >= fc:
        return _cmp(x, int(c) << (fx - fc), np.less)
    return _cmp(x, -((-int(c)) >> (fc - fx)), np.less)  # x < c/2^k <=> x < ceil(c/2^k)


def check_raw(x, t: FixedType, what: str) -> np.ndarray:
    """``x`` as an int64 array of raw ``t`` values, or :class:`RawRangeError` naming ``what``."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "iu" and not (arr.dtype == object and arr.size == 0):
        msg = f"{what}: expected an integer array of raw {t} mantissas, got dtype {arr.dtype}"
        raise RawRangeError(msg)
    if arr.size:
        lo, hi = int(arr.min()), int(arr.max())
        if lo < t.min_raw or hi > t.max_raw:
            msg = (f"{what}: raw values span [{lo}, {hi}], outside {t} [{t.min_raw}, {t.max_raw}]; "
                   "pass the type the values really have")
            raise RawRangeError(msg)
    return arr.astype(np.int64)


def raw_one(value: int, dst) -> int:
    """Raw ``dst`` holding the C++ int ``value`` (``dst y = value``)."""
    return int(assign(np.array([int(value)], dtype=np.int64), 0, dst)[0])
