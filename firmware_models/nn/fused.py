"""The fused prediction path of :class:`~firmware_models.nn.model.NNModel`: plan and runner.

:func:`fused_plan` splits the layer list into segments. A *fused* segment is a dense layer
whose integer sum is order-free and exact in a float matrix product (the ``blas32`` /
``blas64`` routes of :func:`firmware_models.nn.kernels.dense_plan`), followed by the
element-wise layers (ReLU, linear) after it. Its weights are pre-scaled by ``2**up`` (the
shift from product to ``accum_t`` fraction bits), so one BLAS product gives the
accumulator in raw ``accum_t`` units; then :func:`~firmware_models.nn.fused_kernels.dense_post`
adds ``(accum_t)bias``, applies ``accum_t``'s overflow, casts to ``res_t`` and through every
following activation in one pass, writing exact floats for the next product (or int64 at
the end). Each step is admitted only when interval arithmetic on raw integers (Python ints)
proves every intermediate below ``2**24`` (float32) or ``2**53`` (float64); overflow
handling is dropped where the interval proves it cannot trigger. Anything else is a
*layers* segment run by :func:`firmware_models.nn.kernels.run_layer` on int64.

:func:`predict_fused` runs the batch in chunks of :data:`CHUNK_ROWS` rows (intermediates
stay in cache), optionally on several threads (BLAS pinned to one thread each; the kernels
release the GIL). The slow twin is :mod:`firmware_models.nn.reference`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType
from firmware_models.nn import kernels
from firmware_models.nn.fused_kernels import STEP_COLUMNS, dense_post, ints_to_float, step_row

__all__ = ["FusedSegment", "LayersSegment", "fused_plan", "predict_fused", "plan_cast", "CHUNK_ROWS",
           "PREDICT_THREADS", "FLOAT_BITS"]

#: rows per chunk: intermediates of one chunk stay in the 1 MiB L2 (2048 x 57 float32 = 456 KiB in)
CHUNK_ROWS = 2048
#: default worker threads of ``predict_raw`` (1: a trigger pipeline runs one model per worker process)
PREDICT_THREADS = 1
#: integers below 2**bits are exact in each float type (the significand, with the implicit bit)
FLOAT_BITS = {np.dtype(np.float32): 24, np.dtype(np.float64): 53}
_INPUT_DTYPES = frozenset(np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
                                                 np.uint32))


@dataclass(frozen=True)
class FusedSegment:
    """Dense layer + following activations, as a float matrix product and one post-kernel pass."""

    names: tuple[str, ...]
    weight: np.ndarray          # (n_in, n_out), raw weights * 2**up, in ``dtype``
    bias: np.ndarray            # (n_out,), raw (accum_t)bias, in ``dtype``
    steps: np.ndarray           # (n_steps, len(STEP_COLUMNS)) in ``dtype``
    dtype: np.dtype
    out_interval: tuple[int, int]
    peak: int                   # largest intermediate magnitude proven, < 2**FLOAT_BITS[dtype]
    fused: bool = field(default=True, init=False)

    @property
    def n_out(self) -> int:
        return self.weight.shape[1]

    @property
    def narrow(self) -> bool:
        """Every output fits int32 (a faster float -> integer conversion)."""
        return -(1 << 31) <= self.out_interval[0] and self.out_interval[1] < 1 << 31


@dataclass(frozen=True)
class LayersSegment:
    """Layers run one by one on int64 by :func:`firmware_models.nn.kernels.run_layer`."""

    layers: tuple
    fused: bool = field(default=False, init=False)


def plan_cast(interval: tuple[int, int], d: int, dst: FixedType, relu: bool):
    """``(row, out_interval, peak)`` of one cast step on raw values in ``interval``, or None.

    ``row`` is the :func:`~firmware_models.nn.fused_kernels.step_row` (None: the step changes
    nothing), ``out_interval`` bounds the results, ``peak`` the largest intermediate magnitude
    (the caller picks float32 below 2**24, float64 below 2**53). None when the float form
    cannot model it: WRAP with saturation bits that may trigger, or more than 60 bits of shift.
    """
    if abs(d) > 60:
        return None
    a, b = interval
    if relu:
        a, b = max(a, 0), max(b, 0)
    if d > 0:
        peak = max(abs(a), abs(b)) + (1 << d)
        qa, qb = a >> d, -((-b) >> d)          # rounding lands between floor and ceil
    else:
        qa, qb = a << -d, b << -d
        peak = max(abs(qa), abs(qb))
    lo, hi = dst.sat_min_raw, dst.max_raw
    check = qa < lo or qb > hi
    if check:
        if dst.overflow == "WRAP":
            if dst.sat_bits:
                return None
            peak = max(peak, max(abs(qa), abs(qb)) + abs(dst.min_raw) + (1 << dst.width))
            qa, qb = dst.min_raw, dst.max_raw
        else:
            qa, qb = min(max(qa, lo), hi), min(max(qb, lo), hi)
            if dst.overflow == "SAT_ZERO":
                qa, qb = min(qa, 0), max(qb, 0)
    noop = d == 0 and not check and not (relu and interval[0] < 0)
    row = None if noop else step_row(d, dst, relu=relu, check_overflow=check)
    return row, (qa, qb), peak


def _dense_segment(layer, interval: tuple[int, int], following: list):
    """A fused segment for ``layer`` (+ as many of ``following`` as fit), or None."""
    plan = kernels.cached_dense_plan(layer)
    if plan["route"] not in ("blas32", "blas64") or plan["shift"] > 0:
        return None
    ta, tr = layer.types["accum"], layer.types["result"]
    up = -plan["shift"]
    w = layer.params["weight"].astype(object) * (1 << up)
    bias = [int(v) for v in plan["bias_accum"]]
    xa, xb = interval
    xmax = max(abs(xa), abs(xb))
    col_abs = [int(v) for v in np.abs(w).sum(axis=0)] if w.size else [0]
    peak = max(xmax * max(col_abs, default=0), xmax, int(np.abs(w).max(initial=0)))
    lo_s = [sum(min(int(wi) * xa, int(wi) * xb) for wi in w[:, o]) + bias[o] for o in range(layer.n_out)]
    hi_s = [sum(max(int(wi) * xa, int(wi) * xb) for wi in w[:, o]) + bias[o] for o in range(layer.n_out)]
    acc = (min(lo_s), max(hi_s))
    peak = max(peak, xmax * max(col_abs, default=0) + max((abs(b) for b in bias), default=0))
    rows = []
    if acc[0] < ta.sat_min_raw or acc[1] > ta.max_raw:
        if not plan["wraps"]:  # dense_plan admits a saturating accumulator only when it cannot overflow
            return None
        step = plan_cast(acc, 0, ta, False)
        rows.append(step[0])
        acc, peak = step[1], max(peak, step[2])
    step = plan_cast(acc, ta.fractional - tr.fractional, tr, False)
    if step is None:
        return None
    rows.append(step[0])
    cur, peak = step[1], max(peak, step[2])
    names = [layer.name]
    for act in following:
        if act.kind not in ("relu", "linear"):
            break
        step = plan_cast(cur, act.types["input"].fractional - act.types["result"].fractional, act.types["result"],
                     act.kind == "relu")
        if step is None or max(peak, step[2]) >= 1 << 53:
            break
        rows.append(step[0])
        cur, peak = step[1], max(peak, step[2])
        names.append(act.name)
    if peak >= 1 << 53:
        return None
    dt = np.dtype(np.float32 if peak < 1 << 24 else np.float64)
    steps = np.array([r for r in rows if r is not None], dtype=dt).reshape(-1, len(STEP_COLUMNS))
    return FusedSegment(tuple(names), np.ascontiguousarray(w.astype(dt)), np.array(bias, dtype=dt), steps, dt, cur,
                        peak)


def fused_plan(model) -> list:
    """Segments of ``model.layers`` (memoized on the model for the current layer list)."""
    key = (model.input_type, *model.layers)
    memo = getattr(model, "_fused_memo", None)  # holds the layers themselves: compared by identity
    if memo is not None and len(memo[0]) == len(key) and all(a is b for a, b in zip(memo[0], key)):
        return memo[1]
    segs: list = []
    t = model.input_type
    interval = (t.min_raw, t.max_raw)
    k = 0
    layers = model.layers
    while k < len(layers):
        layer = layers[k]
        seg = _dense_segment(layer, interval, layers[k + 1:]) if layer.kind == "dense" else None
        if seg is None:
            if segs and not segs[-1].fused:
                segs[-1] = LayersSegment(segs[-1].layers + (layer,))
            else:
                segs.append(LayersSegment((layer,)))
            rt = layer.types["result"]
            interval = (rt.min_raw, rt.max_raw)
            k += 1
        else:
            segs.append(seg)
            interval = seg.out_interval
            k += len(seg.names)
    model._fused_memo = (key, segs)
    return segs


def _out_dtype(seg, nxt):
    """Where a segment writes: the next fused segment's float type when exact there, else int64."""
    if nxt is not None and nxt.fused and seg.fused and \
            max(abs(v) for v in seg.out_interval) < 1 << FLOAT_BITS[nxt.dtype]:
        return nxt.dtype
    return np.dtype(np.int64)


def _run_rows(segs, x, lo: int, hi: int, out: np.ndarray, start: int, stop: int, chunk: int) -> int:
    """Rows [start, stop) of x -> out; returns the count of inputs outside [lo, hi]."""
    bad = 0
    first = segs[0]
    chunk = max(1, min(chunk, stop - start))
    inp = np.empty((chunk, x.shape[1]), dtype=first.dtype) if first.fused else None
    accs = [np.empty((chunk, s.n_out), dtype=s.dtype) if s.fused else None for s in segs]
    nxts = segs[1:] + [None]
    dsts = [np.empty((chunk, s.n_out), dtype=_out_dtype(s, nx)) if s.fused and nx is not None else None
            for s, nx in zip(segs, nxts)]
    for s0 in range(start, stop, chunk):
        s1 = min(s0 + chunk, stop)
        m = s1 - s0
        if first.fused:
            cur = inp[:m]
            bad += ints_to_float(x[s0:s1], lo, hi, -(1 << 31) <= lo and hi < 1 << 31, cur)
        else:
            cur = x[s0:s1]
        for seg, nxt, acc, dst in zip(segs, nxts, accs, dsts):
            if seg.fused:
                if cur.dtype != seg.dtype:  # from an int64 layers segment
                    cur = cur.astype(seg.dtype)
                acc = acc[:m]
                np.matmul(cur, seg.weight, out=acc)
                cur = out[s0:s1] if dst is None else dst[:m]
                dense_post(acc, seg.bias, seg.steps, seg.narrow and cur.dtype.kind == "i", cur)
            else:
                cur = cur.astype(np.int64, copy=False)
                for layer in seg.layers:
                    cur = kernels.run_layer(layer, cur)
                if nxt is None:
                    out[s0:s1] = cur
    return bad


def predict_fused(model, x: np.ndarray, *, threads: int | None = None) -> np.ndarray:
    """Raw int64 outputs of the layer chain for raw integer inputs (validated like ``check_input``)."""
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        msg = f"threads must be a positive int (or None for PREDICT_THREADS={PREDICT_THREADS}), got {threads!r}"
        raise ModelFormatError(msg)
    segs = fused_plan(model)
    arr = np.asarray(x)
    if not (segs[0].fused and arr.ndim == 2 and arr.shape[1] == model.n_inputs and arr.dtype in _INPUT_DTYPES):
        arr = model.check_input(arr)        # raises on shape, dtype, range; int64 from here
    arr = np.ascontiguousarray(arr)
    n = arr.shape[0]
    out = np.empty((n, model.layers[-1].n_out), dtype=np.int64)
    t = model.input_type
    n_threads = max(1, min(threads or PREDICT_THREADS, -(-n // CHUNK_ROWS)))
    with kernels.blas_limit():
        if n_threads == 1:
            bad = _run_rows(segs, arr, t.min_raw, t.max_raw, out, 0, n, CHUNK_ROWS)
        else:
            per = -(-(-(-n // CHUNK_ROWS)) // n_threads) * CHUNK_ROWS
            with ThreadPoolExecutor(n_threads) as pool:
                futs = [pool.submit(_run_rows, segs, arr, t.min_raw, t.max_raw, out, a, min(a + per, n), CHUNK_ROWS)
                        for a in range(0, n, per)]
                bad = sum(f.result() for f in futs)
    if bad:
        model.check_input(arr)  # raises RawRangeError naming the span and the fix
    return out
