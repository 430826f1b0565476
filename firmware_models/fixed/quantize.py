"""Conversions into a fixed-point type: double -> raw, raw -> raw, raw -> double.

- :func:`quantize` is C++ ``ap_fixed<...> y = (double)x`` over an array;
- :func:`cast` is ``ap_fixed<dst> y = (ap_fixed<src>)x`` (raw integers in and out);
- :func:`apply_overflow` applies only a type's overflow mode to integers that are
  already at its LSB (e.g. an exact sum of products in ``accum_t`` units);
- :func:`to_float` gives the value of raw integers as doubles (the edge of the model).

Raw values are int64 arrays. Types up to :data:`~firmware_models.fixed._kernels.MAX_FAST_WIDTH`
bits run through the numba kernels; wider ones through the exact Python-int path of
:mod:`firmware_models.fixed.exact` (slow; pass ``exact_fallback=False`` to get an
:class:`~firmware_models.errors.UnsupportedTypeError` instead). A target type that
does not fit int64 (``W > 64`` signed, ``W > 63`` unsigned) yields an object array
of Python ints. ``context`` (e.g. ``"layer dense_1"``) is named in error messages.
"""

from __future__ import annotations

import math

import numpy as np

from firmware_models.errors import ModelError, UnsupportedTypeError
from firmware_models.fixed import _kernels as _k
from firmware_models.fixed.exact import convert_exact, overflow_exact, split_double
from firmware_models.fixed.types import OVERFLOW_MODES, ROUNDING_MODES, FixedType

__all__ = ["quantize", "cast", "apply_overflow", "to_float", "RawRangeError", "as_type"]


class RawRangeError(ModelError, ValueError):
    """Raw integers passed as values of a type lie outside that type's range."""


def as_type(t: FixedType | str) -> FixedType:
    """A :class:`FixedType` from a type or its string."""
    return t if isinstance(t, FixedType) else FixedType.parse(t)


def _where(context: str | None) -> str:
    return f"{context}: " if context else ""


def _fast(*types: FixedType) -> bool:
    return all(t.width <= _k.MAX_FAST_WIDTH for t in types)


def _refuse(t: FixedType, context: str | None, why: str) -> UnsupportedTypeError:
    msg = (
        f"{_where(context)}type {t} ({why}) is wider than the int64 fast path "
        f"(<= {_k.MAX_FAST_WIDTH} bits); narrow the type, or allow the exact slow path (exact_fallback=True)"
    )
    return UnsupportedTypeError(msg)


def _params(t: FixedType) -> tuple:
    return (
        t.fractional,
        t.width,
        t.signed,
        ROUNDING_MODES.index(t.rounding),
        OVERFLOW_MODES.index(t.overflow),
        t.sat_bits,
        t.sat_min_raw,
        t.max_raw,
    )


def _out_dtype(t: FixedType):
    return np.int64 if t.fits_int64 else object


def _exact_map(values: np.ndarray, func, t: FixedType) -> np.ndarray:
    flat = [func(v) for v in values.reshape(-1).tolist()]
    return np.array(flat, dtype=_out_dtype(t)).reshape(values.shape)


def _as_int_array(raw, what: str, context: str | None) -> np.ndarray:
    arr = np.asarray(raw)
    if arr.dtype == object:
        if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in arr.reshape(-1).tolist()):
            msg = f"{_where(context)}{what} must hold integers (raw mantissas), found other objects"
            raise RawRangeError(msg)
        return arr
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iu":
        msg = f"{_where(context)}{what} must be an integer array of raw mantissas, got dtype {arr.dtype}"
        raise RawRangeError(msg)
    if arr.dtype == np.uint64 and arr.size and int(arr.max()) >= 2**63:
        return arr.astype(object)
    return arr.astype(np.int64, copy=False)


def _check_range(arr: np.ndarray, t: FixedType, what: str, context: str | None) -> None:
    if arr.size == 0:
        return
    lo, hi = int(arr.min()), int(arr.max())
    if lo < t.min_raw or hi > t.max_raw:
        msg = (
            f"{_where(context)}{what} spans raw values [{lo}, {hi}], outside the range of {t} "
            f"[{t.min_raw}, {t.max_raw}]; pass the source type the values really have"
        )
        raise RawRangeError(msg)


def quantize(x, t: FixedType | str, *, context: str | None = None, exact_fallback: bool = True) -> np.ndarray:
    """Raw integers of ``t`` holding the doubles ``x`` (C++ assignment ``ap_fixed y = x``).

    Float input is converted to float64 first (exact). Integer input is taken as
    exact integer values (as assigning a C++ integer). NaN is refused.
    """
    t = as_type(t)
    arr = np.asarray(x)
    if arr.dtype.kind in "iub" or arr.dtype == object and arr.size and isinstance(arr.flat[0], int):
        ints = _as_int_array(arr.astype(np.int64) if arr.dtype.kind == "b" else arr, "input", context)
        return _convert_ints(ints, 0, None, t, context, exact_fallback)
    if arr.dtype.kind != "f":
        if arr.dtype == object:
            arr = arr.astype(np.float64)
        else:
            msg = f"{_where(context)}cannot quantize an array of dtype {arr.dtype}; pass floats or integers"
            raise RawRangeError(msg)
    arr = arr.astype(np.float64, copy=False)
    if np.isnan(arr).any():
        msg = f"{_where(context)}input holds NaN, which has no fixed-point value ({t}); clean the input first"
        raise UnsupportedTypeError(msg)
    if _fast(t):
        flat = np.ascontiguousarray(arr).reshape(-1)
        out = np.empty(flat.shape[0], dtype=np.int64)
        _k.quantize_kernel(flat, *_params(t), out)
        out = out.reshape(arr.shape)
    elif not exact_fallback:
        raise _refuse(t, context, "target")
    else:
        out = _exact_map(arr, lambda v: convert_exact(*split_double(v), t), t)
    if t.is_int:  # CONVENTIONS["ap_int"]: ap_int_base(double) maps (-0.5, 0) to +1
        quirk = (arr < 0.0) & (arr > -0.5)
        if quirk.any():
            out[quirk] = overflow_exact(1, t)
    return out


def _convert_ints(ints, k: int, src: FixedType | None, dst: FixedType, context, exact_fallback) -> np.ndarray:
    # the kernel needs |mantissa| < 2**62: true for any source type of width <= 62, else checked on the values
    fast_src = ints.dtype == np.int64 and (
        (src is not None and src.width <= _k.MAX_FAST_WIDTH)
        or ints.size == 0
        or (int(ints.min()) > -(2**62) and int(ints.max()) < 2**62)
    )
    if fast_src and _fast(dst):
        flat = np.ascontiguousarray(ints).reshape(-1)
        out = np.empty(flat.shape[0], dtype=np.int64)
        _k.cast_kernel(flat, k, *_params(dst), out)
        return out.reshape(ints.shape)
    if not exact_fallback:
        if not _fast(dst):
            raise _refuse(dst, context, "target")
        raise _refuse(src if src is not None else FixedType(64, 64), context, "source")
    return _exact_map(ints, lambda v: convert_exact(int(v), k, dst), dst)


def cast(raw, src: FixedType | str, dst: FixedType | str, *, context: str | None = None,
         exact_fallback: bool = True, check: bool = True) -> np.ndarray:
    """Raw integers of ``dst`` from raw integers of ``src`` (``ap_fixed<dst> y = x``).

    With ``check`` (default) raw values outside ``src``'s range raise
    :class:`RawRangeError` rather than being silently reinterpreted.
    """
    src, dst = as_type(src), as_type(dst)
    ints = _as_int_array(raw, "raw input", context)
    if check:
        _check_range(ints, src, "raw input", context)
    return _convert_ints(ints, -src.fractional, src, dst, context, exact_fallback)


def apply_overflow(values, t: FixedType | str, *, context: str | None = None,
                   exact_fallback: bool = True) -> np.ndarray:
    """``t``'s overflow mode (WRAP/N, SAT, SAT_ZERO, SAT_SYM) on integers already at ``t``'s LSB."""
    t = as_type(t)
    ints = _as_int_array(values, "values", context)
    if ints.dtype == np.int64 and _fast(t):
        flat = np.ascontiguousarray(ints).reshape(-1)
        out = np.empty(flat.shape[0], dtype=np.int64)
        _k.overflow_kernel(flat, t.width, t.signed, OVERFLOW_MODES.index(t.overflow), t.sat_bits,
                           t.sat_min_raw, t.max_raw, out)
        return out.reshape(ints.shape)
    if not exact_fallback and not _fast(t):
        raise _refuse(t, context, "target")
    return _exact_map(ints, lambda v: overflow_exact(int(v), t), t)


def to_float(raw, t: FixedType | str) -> np.ndarray:
    """Doubles of raw integers (exact while ``|raw| < 2**53``, else rounded to nearest)."""
    t = as_type(t)
    arr = _as_int_array(raw, "raw input", None)
    if arr.dtype == object:
        flat = [math.ldexp(float(int(v)), -t.fractional) for v in arr.reshape(-1).tolist()]
        return np.array(flat, dtype=np.float64).reshape(arr.shape)
    return np.ldexp(arr.astype(np.float64), -t.fractional)
