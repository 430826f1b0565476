"""The fast prediction path of :class:`~firmware_models.nn.model.NNModel`: plan and runner over the graph.

:func:`fused_plan` splits the graph into steps in a topological order. A *fused* step
(:class:`FusedSegment`) is a dense node whose integer sum is order-free and exact in a float
matrix product (the ``blas32`` / ``blas64`` routes of
:func:`firmware_models.nn.layers.dense.dense_plan`), followed by the ReLU / linear nodes
that alone read its output. Its weights are pre-scaled by ``2**up`` (the shift from
product to ``accum_t`` fraction bits), so one BLAS product gives the accumulator in raw
``accum_t`` units; then :func:`~firmware_models.nn.fused_kernels.dense_post` adds
``(accum_t)bias``, applies ``accum_t``'s overflow, casts to ``res_t`` and through every
absorbed activation in one pass, writing exact floats for the next product (or int64).
Each step is admitted only when interval arithmetic on raw integers (Python ints) proves
every intermediate below ``2**24`` (float32) or ``2**53`` (float64); overflow handling is
dropped where the interval proves it cannot trigger. Every other node is a
:class:`LayersSegment` run by its registered kernel on int64.

:func:`predict_graph` runs the batch in chunks of :data:`CHUNK_ROWS` rows (intermediates
stay in cache), optionally on several threads (BLAS pinned to one thread each; the kernels
release the GIL). A tensor stays an exact float between steps when every reader is a fused
step of the same float type; output ports are written as int64. The slow twin is
:mod:`firmware_models.nn.reference`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType
from firmware_models.nn import kernels
from firmware_models.nn.fused_kernels import STEP_COLUMNS, dense_post, ints_to_float, step_row
from firmware_models.nn.layers.dense import cached_dense_plan

__all__ = ["FusedSegment", "LayersSegment", "fused_plan", "predict_graph", "predict_fused", "plan_cast",
           "CHUNK_ROWS", "PREDICT_THREADS", "FLOAT_BITS"]

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
    """Dense node + the activations after it, as a float matrix product and one post-kernel pass."""

    names: tuple[str, ...]
    input: str                  # tensor read
    output: str                 # tensor written (the last absorbed node's output)
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
    """Nodes run one by one on int64 by their registered kernels."""

    layers: tuple
    fused: bool = field(default=False, init=False)

    @property
    def output(self) -> str:
        return self.layers[-1].output


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


_ABSORB = ("relu", "linear")


def _dense_segment(node, interval: tuple[int, int], following: list):
    """A fused segment for ``node`` (+ as many of ``following`` as fit), or None."""
    plan = cached_dense_plan(node)
    if plan["route"] not in ("blas32", "blas64") or plan["shift"] > 0:
        return None
    ta, tr = node.types["accum"], node.types["result"]
    up = -plan["shift"]
    w = node.params["weight"].astype(object) * (1 << up)
    bias = [int(v) for v in plan["bias_accum"]]
    xa, xb = interval
    xmax = max(abs(xa), abs(xb))
    col_abs = [int(v) for v in np.abs(w).sum(axis=0)] if w.size else [0]
    peak = max(xmax * max(col_abs, default=0), xmax, int(np.abs(w).max(initial=0)))
    lo_s = [sum(min(int(wi) * xa, int(wi) * xb) for wi in w[:, o]) + bias[o] for o in range(node.n_out)]
    hi_s = [sum(max(int(wi) * xa, int(wi) * xb) for wi in w[:, o]) + bias[o] for o in range(node.n_out)]
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
    names, out = [node.name], node.output
    for act in following:
        step = plan_cast(cur, act.types["input"].fractional - act.types["result"].fractional, act.types["result"],
                         act.kind == "relu")
        if step is None or max(peak, step[2]) >= 1 << 53:
            break
        rows.append(step[0])
        cur, peak = step[1], max(peak, step[2])
        names.append(act.name)
        out = act.output
    if peak >= 1 << 53:
        return None
    dt = np.dtype(np.float32 if peak < 1 << 24 else np.float64)
    steps = np.array([r for r in rows if r is not None], dtype=dt).reshape(-1, len(STEP_COLUMNS))
    return FusedSegment(tuple(names), node.inputs[0], out, np.ascontiguousarray(w.astype(dt)),
                        np.array(bias, dtype=dt), steps, dt, cur, peak)


def fused_plan(model) -> list:
    """Steps of ``model``'s graph in execution order (memoized on the model for its node list)."""
    graph = model.graph
    key = tuple(graph.nodes)
    memo = getattr(model, "_fused_memo", None)  # holds the nodes themselves: compared by identity
    if memo is not None and len(memo[0]) == len(key) and all(a is b for a, b in zip(memo[0], key)):
        return memo[1]
    consumers = graph.consumers()
    ports_out = {p.arg for p in graph.outputs}
    intervals = {p.arg: (p.type.min_raw, p.type.max_raw) for p in graph.inputs}
    done: set[str] = set()
    steps: list = []
    for node in graph.nodes:
        if node.name in done:
            continue
        seg = None
        if node.kind == "dense":
            following, cur = [], node.output
            while cur not in ports_out and len(consumers[cur]) == 1 and consumers[cur][0].kind in _ABSORB:
                nxt = consumers[cur][0]
                following.append(nxt)
                cur = nxt.output
            rt = node.types["input"]
            interval = intervals.get(node.inputs[0], (rt.min_raw, rt.max_raw))
            seg = _dense_segment(node, interval, following)
        if seg is None:
            steps.append(LayersSegment((node,)))
            rt = node.types["result"]
            intervals[node.output] = (rt.min_raw, rt.max_raw)
            done.add(node.name)
        else:
            steps.append(seg)
            intervals[seg.output] = seg.out_interval
            done.update(seg.names)
    model._fused_memo = (key, steps)
    return steps


def _tensor_dtypes(model, steps) -> dict[str, np.dtype]:
    """Where each tensor lives between steps: a float type when every reader is a fused step of it."""
    readers: dict[str, list] = {}
    for st in steps:
        for t in ([st.input] if st.fused else [t for n in st.layers for t in n.inputs]):
            readers.setdefault(t, []).append(st)
    ports_out = {p.arg for p in model.graph.outputs}
    producers = {st.output: st for st in steps}
    out = {}
    for t, rs in readers.items():
        dts = {r.dtype for r in rs if r.fused}
        prod = producers.get(t)
        floatable = len(dts) == 1 and all(r.fused for r in rs) and t not in ports_out
        if floatable and prod is not None and prod.fused:
            dt = next(iter(dts))
            floatable = max(abs(v) for v in prod.out_interval) < 1 << FLOAT_BITS[dt]
        elif floatable and prod is not None:
            floatable = False
        out[t] = next(iter(dts)) if floatable else np.dtype(np.int64)
    return out


def _run_rows(model, steps, dtypes, inputs, float_ports, out, start: int, stop: int, chunk: int) -> int:
    """Rows [start, stop) of the input ports -> out (port tensor -> array); returns the out-of-range count."""
    bad = 0
    chunk = max(1, min(chunk, stop - start))
    bufs = {t: np.empty((chunk, size), dtype=dtypes[t]) for t, size in float_ports.items()}
    accs = [np.empty((chunk, st.n_out), dtype=st.dtype) if st.fused else None for st in steps]
    mids = [np.empty((chunk, st.n_out), dtype=dtypes[st.output]) if st.fused and st.output not in out else None
            for st in steps]
    ports = model.graph.inputs
    for s0 in range(start, stop, chunk):
        s1 = min(s0 + chunk, stop)
        m = s1 - s0
        env = {}
        for p, arr in zip(ports, inputs):
            if p.arg in float_ports:
                cur = bufs[p.arg][:m]
                lo, hi = p.type.min_raw, p.type.max_raw
                bad += ints_to_float(arr[s0:s1], lo, hi, -(1 << 31) <= lo and hi < 1 << 31, cur)
                env[p.arg] = cur
            else:
                env[p.arg] = arr[s0:s1]
        for st, acc, mid in zip(steps, accs, mids):
            if st.fused:
                cur = env[st.input]
                if cur.dtype != st.dtype:
                    cur = cur.astype(st.dtype)
                acc = acc[:m]
                np.matmul(cur, st.weight, out=acc)
                dst = out[st.output][s0:s1] if st.output in out else mid[:m]
                dense_post(acc, st.bias, st.steps, st.narrow and dst.dtype.kind == "i", dst)
                env[st.output] = dst
            else:
                for node in st.layers:
                    xs = [np.ascontiguousarray(env[t].astype(np.int64, copy=False)) for t in node.inputs]
                    y = kernels.run_layer(node, xs)
                    if node.output in out:
                        out[node.output][s0:s1] = y
                    env[node.output] = y
    return bad


def predict_graph(model, x, *, threads: int | None = None) -> dict[str, np.ndarray]:
    """Raw int64 outputs of every output port for raw integer inputs (any form ``split_inputs`` takes)."""
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        msg = f"threads must be a positive int (or None for PREDICT_THREADS={PREDICT_THREADS}), got {threads!r}"
        raise ModelFormatError(msg)
    steps = fused_plan(model)
    dtypes = _tensor_dtypes(model, steps)
    inputs = model.split_inputs(x, check=False)
    float_ports = {}
    for k, (p, arr) in enumerate(zip(model.graph.inputs, inputs)):
        if dtypes.get(p.arg, np.dtype(np.int64)).kind == "f" and arr.dtype in _INPUT_DTYPES:
            float_ports[p.arg] = p.size
            inputs[k] = np.ascontiguousarray(arr)
        else:
            inputs[k] = model._port_array(p, arr, check=True)
            dtypes[p.arg] = np.dtype(np.int64)
    n = inputs[0].shape[0]
    out = {p.arg: np.empty((n, p.size), dtype=np.int64) for p in model.graph.outputs}
    n_threads = max(1, min(threads or PREDICT_THREADS, -(-n // CHUNK_ROWS)))
    args = (model, steps, dtypes, inputs, float_ports, out)
    with kernels.blas_limit():
        if n_threads == 1:
            bad = _run_rows(*args, 0, n, CHUNK_ROWS)
        else:
            per = -(-(-(-n // CHUNK_ROWS)) // n_threads) * CHUNK_ROWS
            with ThreadPoolExecutor(n_threads) as pool:
                futs = [pool.submit(_run_rows, *args, a, min(a + per, n), CHUNK_ROWS) for a in range(0, n, per)]
                bad = sum(f.result() for f in futs)
    if bad:
        model.split_inputs(x)  # raises RawRangeError naming the span and the fix
    return {p.name: out[p.arg] for p in model.graph.outputs}


def predict_fused(model, x, *, threads: int | None = None) -> np.ndarray:
    """The first output port of :func:`predict_graph` (the sequential model's single output)."""
    return predict_graph(model, x, threads=threads)[model.output_name]
