"""hls4ml's element-wise activation tables and their index rules, as raw integers.

Every builder returns the raw ``table_t`` entries the ``init_*_table<CONFIG_T, N>``
function of ``nnet_utils/nnet_activation.h`` writes (the same in every header generation
of :mod:`~firmware_models.nn.nnet_variants`), computing in float or double exactly where
the C++ does. ``nnet_common.h`` includes ``<math.h>``, so ``std::exp(float)`` and the
unqualified ``tanh(float)`` are glibc's ``expf``/``tanhf`` -- not correctly rounded,
so they are called through ctypes (:func:`expf`, :func:`tanhf`); ``std::log(double)`` is
``math.log`` (the same glibc ``log``).

==================  ============================  ===============================================
builder             grid ``in_val`` (float)       entry (then ``table_t real_val = ...``)
==================  ============================  ===============================================
sigmoid_table       ``16*(i - N/2.0)/N``           ``(float)(1.0 / (1 + expf(-v)))``
tanh_table          ``8*(i - N/2.0)/N``            ``tanhf(v)``
softplus_table      ``16*(i - N/2.0)/N``           ``(float)log((double)expf(v) + 1.)``
softsign_table      ``16*(i - N/2.0)/N``           ``(float)(v / ((double)fabsf(v) + 1.))``
elu_table           ``-8.0*i/N``                   ``(float)((double)expf(v) - 1.)``
selu_table          ``-8.0*i/N``                   ``(float)(1.0507.. * (1.6732.. * (expf(v) - 1.)))``
exp_table           ``16*(i - N/2.0)/N``           ``expf(v)`` (``init_exp_table_legacy``)
invert_table_legacy ``64.0*i/N``                   ``1.0 / v`` in double (0 for ``v == 0``)
==================  ============================  ===============================================

Index rules (C++ ``int`` arithmetic: ``x * N / d`` is ap_fixed times ``unsigned``, then an
ap_fixed division by an ``int`` -- the quotient truncates toward zero at the input's LSB
-- then ``to_int()`` truncates toward zero and keeps the low 32 bits; see
:func:`int_of_scaled`):

- :func:`table_index` (sigmoid, softplus, softsign, ``span`` 16; tanh, ``span`` 8):
  ``index = int(x * N / span) + (span/2) * N / span`` (unsigned add, wraps to int),
  clamped to ``[0, N-1]``;
- :func:`neg_index` (ELU, SELU, only for ``x < 0``): ``index = int(x * N / -8)``; ELU and
  the older SELU clamp only ``index > N - 1`` in an unsigned comparison (a negative
  index becomes ``N - 1``), 1.2's SELU clamps a negative index to 0 first.

Used by :mod:`~firmware_models.nn.activations` (fast), its twin
:mod:`~firmware_models.nn.activations_ref`, the loaders and the KL score head.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
from functools import lru_cache

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType, as_type, quantize

__all__ = ["sigmoid_table", "tanh_table", "softplus_table", "softsign_table", "elu_table", "selu_table",
           "exp_table", "invert_table_legacy", "table_index", "neg_index", "int_of_scaled", "wrap_int32",
           "expf", "tanhf", "TABLE_SPAN", "TABLE_BUILDERS"]

#: x range covered by each span-indexed table is [-span/2, span/2)
TABLE_SPAN = {"sigmoid": 16, "tanh": 8, "softplus": 16, "softsign": 16, "exp": 16}

_SELU_LAMBDA = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717


@lru_cache(maxsize=1)
def _libm():
    name = ctypes.util.find_library("m") or "libm.so.6"
    try:
        lib = ctypes.CDLL(name)
    except OSError:  # pragma: no cover - no C math library (not Linux/macOS)
        return None
    for fn in ("expf", "tanhf"):
        f = getattr(lib, fn)
        f.restype, f.argtypes = ctypes.c_float, [ctypes.c_float]
    return lib


def _f32(x: float) -> float:
    return float(np.float32(x))


def expf(v: float) -> float:
    """The C library's single-precision ``expf`` (what ``std::exp(float)`` calls)."""
    lib = _libm()
    if lib is None:  # pragma: no cover - correctly rounded fallback
        return _f32(math.exp(v))
    return float(lib.expf(v))


def tanhf(v: float) -> float:
    """The C library's single-precision ``tanhf``."""
    lib = _libm()
    if lib is None:  # pragma: no cover
        return _f32(math.tanh(v))
    return float(lib.tanhf(v))


def _grid(n: int, half_range: float) -> list[float]:
    # float in_val = 2 * half_range * (ii - float(N) / 2.0) / float(N): double arithmetic, stored as float
    return [_f32(2 * half_range * (i - n / 2.0) / n) for i in range(n)]


def _neg_grid(n: int) -> list[float]:
    # float in_val = -8.0 * ii / float(N)
    return [_f32(-8.0 * i / n) for i in range(n)]


def _check_n(n: int, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        msg = f"{what}: table_size must be a positive integer, got {n!r}"
        raise ModelFormatError(msg)
    return int(n)


def _table(values: list[float], table_t, what: str) -> np.ndarray:
    return quantize(np.array(values, dtype=np.float64), as_type(table_t), context=what)


def sigmoid_table(n: int, table_t: FixedType | str) -> np.ndarray:
    """``init_sigmoid_table``: ``(float)(1.0 / (1 + expf(-v)))`` (the ``1 +`` in float, the division in double)."""
    n = _check_n(n, "sigmoid table")
    vals = [_f32(1.0 / _f32(1.0 + expf(-v))) for v in _grid(n, 8.0)]
    return _table(vals, table_t, "sigmoid table")


def tanh_table(n: int, table_t: FixedType | str) -> np.ndarray:
    """``init_tanh_table``: ``tanhf`` of the float grid over [-4, 4)."""
    n = _check_n(n, "tanh table")
    return _table([tanhf(v) for v in _grid(n, 4.0)], table_t, "tanh table")


def softplus_table(n: int, table_t: FixedType | str) -> np.ndarray:
    """``init_softplus_table``: ``(float)std::log((double)expf(v) + 1.)``."""
    n = _check_n(n, "softplus table")
    return _table([_f32(math.log(expf(v) + 1.0)) for v in _grid(n, 8.0)], table_t, "softplus table")


def softsign_table(n: int, table_t: FixedType | str) -> np.ndarray:
    """``init_softsign_table``: ``(float)(v / (fabsf(v) + 1.))`` in double."""
    n = _check_n(n, "softsign table")
    return _table([_f32(v / (abs(v) + 1.0)) for v in _grid(n, 8.0)], table_t, "softsign table")


def elu_table(n: int, table_t: FixedType | str) -> np.ndarray:
    """``init_elu_table``: ``(float)(expf(v) - 1.)`` for ``v = -8.0*i/N``."""
    n = _check_n(n, "elu table")
    return _table([_f32(expf(v) - 1.0) for v in _neg_grid(n)], table_t, "elu table")


def selu_table(n: int, table_t: FixedType | str) -> np.ndarray:
    """``init_selu_table``: ``(float)(lambda * (alpha * (expf(v) - 1.)))`` in double."""
    n = _check_n(n, "selu table")
    vals = [_f32(_SELU_LAMBDA * (_SELU_ALPHA * (expf(v) - 1.0))) for v in _neg_grid(n)]
    return _table(vals, table_t, "selu table")


def exp_table(n: int, table_t: FixedType | str) -> np.ndarray:
    """``init_exp_table_legacy``: ``expf`` of the float grid over [-8, 8) (also the KL head's exp table)."""
    n = _check_n(n, "exp table")
    return _table([expf(v) for v in _grid(n, 8.0)], table_t, "exp table")


def invert_table_legacy(n: int, table_t: FixedType | str) -> np.ndarray:
    """``init_invert_table_legacy``: ``1.0 / v`` in double for ``v = (float)(64.0*i/N) > 0``, else 0."""
    n = _check_n(n, "invert table")
    vals = []
    for i in range(n):
        v = _f32(64.0 * i / n)
        vals.append(1.0 / v if v > 0.0 else 0.0)
    return _table(vals, table_t, "invert table")


#: name -> builder(n, table_t) of the element-wise tables
TABLE_BUILDERS = {"sigmoid": sigmoid_table, "tanh": tanh_table, "softplus": softplus_table,
                  "softsign": softsign_table, "elu": elu_table, "selu": selu_table, "exp": exp_table,
                  "invert_legacy": invert_table_legacy}


def wrap_int32(v) -> np.ndarray:
    """Low 32 bits as a signed ``int`` (what ``int`` assignment / unsigned arithmetic keep)."""
    v = np.asarray(v)
    if v.dtype == object:
        return ((v + 2**31) % 2**32 - 2**31).astype(np.int64)
    return ((v.astype(np.int64) + 2**31) & 0xFFFFFFFF) - 2**31


def _trunc_div(num: np.ndarray, den: int) -> np.ndarray:
    """C/APInt sdiv by ``den > 0``: truncation toward zero (a shift when ``den`` is a power of two)."""
    if num.dtype != object and den & (den - 1) == 0:
        k = den.bit_length() - 1
        return (num + ((num >> 63) & (den - 1))) >> k
    q = np.abs(num) // den
    return np.where(num < 0, -q, q)


def int_of_scaled(raw, frac: int, mul: int, div: int) -> np.ndarray:
    """C++ ``int v = x * mul / div`` for raw ``x`` with ``frac`` fractional bits (``mul`` unsigned, ``div`` int).

    ``x * mul`` is exact; the ap_fixed division by the int ``div`` truncates the raw
    quotient toward zero at the input's LSB; ``to_int()`` then truncates toward zero
    (``frac >= 0``) or shifts left (``frac < 0``) and keeps the low 32 bits.
    """
    raw = np.asarray(raw)
    if div == 0:
        msg = "int_of_scaled: division by zero"
        raise ModelFormatError(msg)
    bound = int(np.abs(raw).max(initial=0)) * abs(mul) if raw.size else 0
    big = raw.dtype == object or bound >= 2**62 or (frac < 0 and bound << -frac >= 2**62)
    num = raw.astype(object) * mul if big else raw.astype(np.int64) * mul
    if div < 0:
        num = -num
    if frac >= 0:
        q = _trunc_div(num, abs(div) << frac)
    else:
        q = _trunc_div(num, abs(div)) * (1 << -frac)
    return wrap_int32(q)


def table_index(raw, frac: int, n: int, span: int) -> np.ndarray:
    """hls4ml's span-indexed table index (sigmoid/softplus/softsign ``span`` 16, tanh 8)."""
    half = (span // 2) * n // span  # unsigned: 8 * table_size / 16
    idx = wrap_int32(int_of_scaled(raw, frac, n, span) + half)
    return np.clip(idx, 0, n - 1).astype(np.int64)


def neg_index(raw, frac: int, n: int, *, negative_to_zero: bool) -> np.ndarray:
    """ELU/SELU index ``int(x * N / -8)`` for ``x < 0``; a negative index becomes 0 or ``N - 1``.

    ``negative_to_zero`` is 1.2's SELU (``if (index < 0) index = 0``); ELU and the older SELU
    compare ``index > table_size - 1`` unsigned, so a negative index clamps to ``N - 1``.
    """
    idx = int_of_scaled(raw, frac, n, -8)
    idx = np.where(idx < 0, 0 if negative_to_zero else n - 1, idx)
    return np.minimum(idx, n - 1).astype(np.int64)
