"""Fast bit-exact layer kernels over batches of raw integers (int64).

``NNModel.predict_raw`` first tries the fused path (:mod:`firmware_models.nn.fused`:
dense + activations as one exact float matrix product and one fused pass); the layers it
cannot prove exact there run here, one at a time.

:func:`run_layer` computes one :class:`~firmware_models.nn.model.LayerRecord` on
an (n_events, n_in) int64 array of raw inputs and returns raw results, with the
hls4ml semantics recorded in :data:`firmware_models.nn.model.CONVENTIONS`. The
slow twin is :mod:`firmware_models.nn.reference`; a property test checks they agree.

Dense layers take the fastest exact route a static bound allows:

1. products exact in ``accum_t`` (its fraction bits >= input + weight fraction
   bits) and ``accum_t`` wraps (or the bound proves it never overflows): the sum
   is order-free modulo 2^W, so a BLAS matrix product does the integer arithmetic
   -- float32 when every partial sum is < 2^24, float64 when < 2^53, else the
   numba int64 kernel :func:`dense_floor_kernel` with shift 0;
2. products floored into ``accum_t`` (AP_TRN, fewer fraction bits) with the same
   overflow condition: :func:`dense_floor_kernel` (numba, per-product shift);
3. anything else (rounding or saturating accumulators that may overflow):
   :func:`_dense_stepwise`, the products cast with :func:`firmware_models.fixed.cast`
   and added one input at a time in the firmware's order, each sum through
   ``accum_t``'s overflow mode.
"""

from __future__ import annotations

import numba
import numpy as np

from firmware_models.errors import UnsupportedTypeError
from firmware_models.fixed import FixedType, apply_overflow, cast, mul_type
from firmware_models.fixed.ops import add, mul
from firmware_models.jit import JIT_OPTIONS
from firmware_models.nn.tables import TABLE_SPAN, table_index

__all__ = ["run_layer", "dense_floor_kernel", "requant_kernel", "requant_one", "requant_args", "fast_cast",
           "dense_plan", "cached_dense_plan", "blas_limit", "JIT_OPTIONS", "BLAS_THREADS"]

_CHUNK = 8192

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


@numba.njit(**JIT_OPTIONS)
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


def _max_abs(t: FixedType) -> int:
    return max(abs(t.min_raw), abs(t.max_raw))


def dense_plan(layer) -> dict:
    """The route a dense layer takes and the static bounds that justify it (also for reports)."""
    tx, tw, ta = layer.types["input"], layer.types["weight"], layer.types["accum"]
    w = layer.params["weight"]
    f_prod = tx.fractional + tw.fractional
    shift = f_prod - ta.fractional  # > 0: products lose fraction bits in accum_t
    col_abs = np.abs(w).astype(object).sum(axis=0) if w.size else np.zeros(1, dtype=object)
    bound_xw = _max_abs(tx) * int(max(col_abs, default=0))
    bias_a = cast(layer.params["bias"], layer.types["bias"], ta, context=f"layer {layer.name}")
    bound_acc = (bound_xw >> max(shift, 0)) << max(-shift, 0)
    bound_acc += int(np.abs(bias_a).max(initial=0)) + layer.n_in  # + n_in: floor can add one LSB per product
    no_overflow = bound_acc <= ta.max_raw and -bound_acc >= ta.sat_min_raw
    wraps = ta.overflow == "WRAP" and ta.sat_bits == 0
    order_free = wraps or no_overflow
    if order_free and shift <= 0:
        if bound_xw < 2**24:
            route = "blas32"
        elif bound_xw < 2**53:
            route = "blas64"
        elif bound_xw < 2**62:
            route = "int64"
        else:
            route = "stepwise"
    elif order_free and ta.rounding == "TRN" and _max_abs(tx) * int(np.abs(w).max(initial=0)) < 2**62 \
            and (bound_xw >> shift) + layer.n_in < 2**62:
        route = "floor"
    else:
        route = "stepwise"
    return {"route": route, "shift": shift, "bound_xw": bound_xw, "bias_accum": bias_a, "wraps": wraps,
            "no_overflow": no_overflow}


def cached_dense_plan(layer) -> dict:
    """:func:`dense_plan`, memoized on the layer."""
    plan = layer.cache.get("plan")
    if plan is None:
        plan = layer.cache["plan"] = dense_plan(layer)
    return plan


def _wrap_raw(acc: np.ndarray, t: FixedType, layer) -> np.ndarray:
    return apply_overflow(acc, t, context=f"layer {layer.name}")


def _dense(layer, x: np.ndarray) -> np.ndarray:
    plan = cached_dense_plan(layer)
    ta = layer.types["accum"]
    w = layer.params["weight"]
    route, shift = plan["route"], plan["shift"]
    if route == "stepwise":
        acc = _dense_stepwise(layer, x)
    else:
        if route in ("blas32", "blas64"):
            ft = np.float32 if route == "blas32" else np.float64
            with blas_limit():
                s = (x.astype(ft) @ w.astype(ft)).astype(np.int64)
        else:
            s = np.empty((x.shape[0], w.shape[1]), dtype=np.int64)
            dense_floor_kernel(x, np.ascontiguousarray(w), max(shift, 0), s)
        if shift < 0:
            up = -shift
            if plan["wraps"] and not plan["no_overflow"]:
                # reduce modulo 2^(W-up) first so the left shift cannot overflow int64; exact only
                # because accum_t's wrap below follows (without it, s & mask would lose the sign)
                keep = max(ta.width - up, 0)
                s = (s & ((1 << keep) - 1)) if keep else np.zeros_like(s)
            s = s << up
        acc = s + plan["bias_accum"]
        if not plan["no_overflow"]:  # the static bound cannot rule out overflow: apply accum_t's mode
            acc = _wrap_raw(acc, ta, layer)
    return fast_cast(acc, ta, layer.types["result"], f"layer {layer.name}")


def _dense_stepwise(layer, x: np.ndarray) -> np.ndarray:
    """Products cast one by one to accum_t and added in the firmware's order, any modes."""
    tx, tw, ta = layer.types["input"], layer.types["weight"], layer.types["accum"]
    if layer.order_note and not (ta.overflow == "WRAP" and ta.sat_bits == 0):
        msg = (f"layer {layer.name}: {layer.order_note} with the non-wrapping accumulator {ta} "
               "is not modelled (summation order unknown); use a wrapping accum_t or the latency strategy")
        raise UnsupportedTypeError(msg)
    w = layer.params["weight"]
    tp = mul_type(tx, tw)
    bias_a = cast(layer.params["bias"], layer.types["bias"], ta, context=f"layer {layer.name}")
    order = layer.order if layer.order is not None else np.tile(np.arange(layer.n_in), (layer.n_out, 1))
    cols = np.arange(layer.n_out)
    out = np.empty((x.shape[0], layer.n_out), dtype=np.int64)
    for start in range(0, x.shape[0], _CHUNK):
        xc = x[start:start + _CHUNK]
        prod, _ = mul(xc[:, :, None], tx, w[None, :, :], tw)
        pc = cast(prod, tp, ta, context=f"layer {layer.name}", check=False)
        acc = np.broadcast_to(bias_a, (xc.shape[0], layer.n_out)).astype(pc.dtype)
        for k in range(layer.n_in):
            acc = apply_overflow(acc + pc[:, order[:, k], cols], ta, context=f"layer {layer.name}")
        out[start:start + _CHUNK] = acc
    return out


def _batchnorm(layer, x: np.ndarray) -> np.ndarray:
    t = layer.types
    prod, tp = mul(x, t["input"], layer.params["scale"][None, :], t["scale"])
    s, ts = add(prod, tp, layer.params["bias"][None, :], t["bias"])
    return cast(s, ts, t["result"], context=f"layer {layer.name}", check=False)


def _leaky(layer, x: np.ndarray) -> np.ndarray:
    t = layer.types
    pos = cast(x, t["input"], t["result"], context=f"layer {layer.name}", check=False)
    prod, tp = mul(x, t["input"], layer.params["alpha"], t["param"])
    neg = cast(prod, tp, t["result"], context=f"layer {layer.name}", check=False)
    return np.where(x > 0, pos, neg)


def _table(layer, x: np.ndarray) -> np.ndarray:
    t = layer.types
    idx = table_index(x, t["input"].fractional, layer.table_size, TABLE_SPAN[layer.kind])
    return cast(layer.params["table"][idx], t["table"], t["result"], context=f"layer {layer.name}", check=False)


def run_layer(layer, x: np.ndarray) -> np.ndarray:
    """Raw results of one layer for raw inputs ``x`` (n_events, n_in) int64."""
    t = layer.types
    if layer.kind == "dense":
        return _dense(layer, x)
    if layer.kind == "batchnorm":
        return _batchnorm(layer, x)
    if layer.kind == "relu":
        return fast_cast(np.maximum(x, 0), t["input"], t["result"], f"layer {layer.name}")
    if layer.kind == "leaky_relu":
        return _leaky(layer, x)
    if layer.kind == "linear":
        return fast_cast(x, t["input"], t["result"], f"layer {layer.name}")
    return _table(layer, x)
