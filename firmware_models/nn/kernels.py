"""Shared int64 kernels of the NN encoder, and :func:`run_layer`, one node through its registered kernel.

The layer families (:mod:`firmware_models.nn.layers`) build on these: :func:`fast_cast`
(an ap_fixed assignment of int64 raw values, one numba pass for the common widths, the
general :func:`firmware_models.fixed.cast` otherwise), :func:`requant_one` (its scalar
form, for other numba kernels), :func:`dense_floor_kernel` (sum of floored products) and
:func:`blas_limit` (the BLAS thread pin of the exact float matrix products).
``NNModel.predict_raw`` runs the fused path (:mod:`firmware_models.nn.fused`) first; nodes
it cannot prove exact there run one at a time through :func:`run_layer`. The slow twins are
the kinds' ``reference`` functions (:mod:`firmware_models.nn.reference` runs them).
"""

from __future__ import annotations

import numba
import numpy as np

from firmware_models.fixed import FixedType, cast
from firmware_models.jit import JIT_OPTIONS

__all__ = ["run_layer", "dense_floor_kernel", "requant_kernel", "requant_one", "requant_args", "fast_cast",
           "blas_limit", "JIT_OPTIONS", "BLAS_THREADS"]

#: BLAS threads for the exact float matrix products. One thread measured 4x faster than two
#: on the 2-core reference machine (65536 x 57 x 32 sgemm: 14 ms vs 57 ms); None leaves BLAS alone.
BLAS_THREADS: int | None = 1


_CONTROLLER: list = []


def blas_limit():
    """A context limiting BLAS threads to :data:`BLAS_THREADS` (threadpoolctl), else a no-op.

    The library scan of threadpoolctl is done once (a ``ThreadpoolController`` kept here):
    ``threadpool_limits()`` rescans on every call, which measured 18 ms -- longer than the
    whole 65536-event encoder.
    """
    import contextlib

    if BLAS_THREADS is None:
        return contextlib.nullcontext()
    if not _CONTROLLER:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            return contextlib.nullcontext()
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0].limit(limits=BLAS_THREADS, user_api="blas")


@numba.njit(**JIT_OPTIONS)
def dense_floor_kernel(x, w, shift, out):  # pragma: no cover - compiled
    """out[n, o] = sum_i floor(x[n, i] * w[i, o] / 2**shift) in int64 (caller proves no overflow)."""
    n_ev, n_in = x.shape
    n_out = w.shape[1]
    for n in range(n_ev):
        for o in range(n_out):
            out[n, o] = 0
        for i in range(n_in):
            xi = x[n, i]
            if xi == 0:
                continue
            for o in range(n_out):
                out[n, o] += (xi * w[i, o]) >> shift


_QMODES = ("TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_MIN_INF", "RND_INF", "RND_CONV")
_OMODES = ("WRAP", "SAT", "SAT_ZERO", "SAT_SYM")


@numba.njit(inline="always", **JIT_OPTIONS)
def requant_one(v, d, qmode, omode, width, signed, lo, hi):  # pragma: no cover - compiled
    """v * 2**-d assigned to a type (rounding qmode, overflow omode), one int64 value.

    d > 0 drops d fraction bits with the ap_fixed rounding mode (index into _QMODES);
    d <= 0 shifts left (caller proves it cannot overflow int64). omode indexes _OMODES;
    lo/hi are the in-range raw limits (lo = -hi for SAT_SYM).
    """
    if d > 0:
        half = 1 << (d - 1)
        q = v >> d
        rem = v & ((1 << d) - 1)
        if qmode == 1:
            q += 1 if (rem != 0 and v < 0) else 0
        elif qmode == 2:
            q += 1 if rem >= half else 0
        elif qmode == 3:
            q += 1 if (rem > half or (rem == half and v < 0)) else 0
        elif qmode == 4:
            q += 1 if rem > half else 0
        elif qmode == 5:
            q += 1 if (rem > half or (rem == half and v > 0)) else 0
        elif qmode == 6:
            q += 1 if (rem > half or (rem == half and (q & 1) == 1)) else 0
    else:
        q = v << (-d)
    if q < lo or q > hi:
        if omode == 0:
            span = 1 << width
            q = q & (span - 1)
            if signed and q >= (1 << (width - 1)):
                q -= span
        elif omode == 2:
            q = 0
        else:
            q = hi if q > hi else lo
    return q


@numba.njit(**JIT_OPTIONS)
def requant_kernel(raw, d, qmode, omode, width, signed, lo, hi, out):  # pragma: no cover - compiled
    """out[k] = :func:`requant_one` (raw[k], ...) over flat int64 arrays."""
    for k in range(raw.shape[0]):
        out[k] = requant_one(raw[k], d, qmode, omode, width, signed, lo, hi)


def requant_args(dst: FixedType) -> tuple:
    """(qmode, omode, width, signed, lo, hi) of :func:`requant_one` for a target type (sat_bits 0)."""
    lo = dst.sat_min_raw if dst.overflow == "SAT_SYM" else dst.min_raw
    return _QMODES.index(dst.rounding), _OMODES.index(dst.overflow), dst.width, dst.signed, lo, dst.max_raw


def fast_cast(raw: np.ndarray, src: FixedType, dst: FixedType, where: str) -> np.ndarray:
    """``cast`` for the common case (widths <= 62, no saturation bits), else the general fixed.cast."""
    d = src.fractional - dst.fractional
    src_max = max(abs(src.min_raw), abs(src.max_raw))
    ok = (dst.width <= 62 and src.width <= 62 and dst.sat_bits == 0 and raw.dtype == np.int64
          and (d > 0 and d < 63 or d <= 0 and src_max.bit_length() - d < 62))
    if not ok:
        return cast(raw, src, dst, context=where, check=False)
    flat = np.ascontiguousarray(raw).reshape(-1)
    out = np.empty_like(flat)
    requant_kernel(flat, d, *requant_args(dst), out)
    return out.reshape(raw.shape)


def run_layer(layer, x) -> np.ndarray:
    """Raw results of one node: ``x`` its input (n_events, n_in) int64, or a list, one per input."""
    from firmware_models.nn import registry

    xs = list(x) if isinstance(x, (list, tuple)) else [x]
    xs = [np.ascontiguousarray(np.asarray(a, dtype=np.int64)) for a in xs]
    return registry.get(layer.kind, layer=layer.name).kernel(layer, xs)
