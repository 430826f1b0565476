"""hls4ml's activation lookup tables (sigmoid, tanh, exp) and their index rule, as raw integers.

hls4ml 1.3.0 ``nnet_utils/nnet_activation.h`` builds each table in C++ single
precision and assigns it to ``table_t`` (``ap_fixed<18,8>`` by default):
``init_sigmoid_table`` evaluates ``1.0 / (1 + std::exp(-(float)v))`` for
``v = 2*8.0*(i - N/2.0)/N`` (so [-8, 8)), ``init_tanh_table`` evaluates
``tanh(v)`` for ``v = 2*4.0*(i - N/2.0)/N`` ([-4, 4)), ``init_exp_table_legacy``
``std::exp((float)v)`` over [-8, 8). The lookup index is
``int(x * N / span) + N/2`` with C++ truncation toward zero (``span`` 16 for
sigmoid/exp, 8 for tanh), clamped to ``[0, N-1]``.

Used by the loaders (to build ``params["table"]``) and by both the fast
kernels and the reference twin (:func:`table_index`).
"""

from __future__ import annotations

import math

import numpy as np

from firmware_models.fixed import FixedType, quantize

__all__ = ["sigmoid_table", "tanh_table", "exp_table", "table_index", "TABLE_SPAN"]

#: x range covered by each table is [-span/2, span/2)
TABLE_SPAN = {"sigmoid": 16, "tanh": 8, "exp": 16}


def _grid(n: int, half_range: float) -> np.ndarray:
    # float in_val = 2 * half_range * (ii - float(N) / 2.0) / float(N): computed in double, stored in float
    ii = np.arange(n, dtype=np.float64)
    return (2 * half_range * (ii - n / 2.0) / n).astype(np.float32)


def _expf(x: np.ndarray) -> np.ndarray:
    # correctly rounded single-precision exp (glibc expf), via double then one rounding
    return np.array([math.exp(float(v)) for v in x], dtype=np.float64).astype(np.float32)


def sigmoid_table(n: int, table_t: FixedType) -> np.ndarray:
    """Raw ``table_t`` entries of hls4ml's sigmoid table of size ``n``."""
    v = _grid(n, 8.0)
    e = _expf(-v)
    denom = (np.float32(1) + e).astype(np.float32)
    val = (1.0 / denom.astype(np.float64)).astype(np.float32)  # double division, returned as float
    return quantize(val.astype(np.float64), table_t, context="sigmoid table")


def tanh_table(n: int, table_t: FixedType) -> np.ndarray:
    """Raw ``table_t`` entries of hls4ml's tanh table (``tanh`` of the float grid, in double)."""
    v = _grid(n, 4.0)
    val = np.array([math.tanh(float(x)) for x in v], dtype=np.float64)
    return quantize(val, table_t, context="tanh table")


def exp_table(n: int, table_t: FixedType) -> np.ndarray:
    """Raw ``table_t`` entries of an exp table over [-8, 8) (hls4ml's legacy softmax construction)."""
    return quantize(_expf(_grid(n, 8.0)).astype(np.float64), table_t, context="exp table")


def table_index(raw: np.ndarray, frac: int, n: int, span: int) -> np.ndarray:
    """hls4ml's table index for raw inputs with ``frac`` fractional bits (vectorized, exact)."""
    raw = np.asarray(raw, dtype=np.int64)
    mag = np.abs(raw)
    if frac >= 0:
        num_bound = int(mag.max(initial=0)) * n
        den = span << frac
        if num_bound < 2**62:
            q = (mag * n) // den
        else:  # exact in Python ints for very wide inputs
            q = np.array([(int(m) * n) // den for m in mag.ravel()], dtype=object).reshape(mag.shape)
    else:
        q = np.array([(int(m) * n << -frac) // span for m in mag.ravel()], dtype=object).reshape(mag.shape)
    q = np.where(raw < 0, -q, q)
    # int data_round = <ap_fixed>: to_int() keeps the low 32 bits
    q = ((np.asarray(q, dtype=object) + 2**31) % 2**32 - 2**31).astype(np.int64) if q.dtype == object else \
        ((q + 2**31) % 2**32 - 2**31)
    return np.clip(q + n // 2, 0, n - 1).astype(np.int64)
