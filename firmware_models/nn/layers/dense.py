"""``dense``: hls4ml's fully-connected layer in every strategy and reuse factor it writes.

Arithmetic (every nnet_utils variant in hls4ml 1.3.0 and the cms-hls4ml folders):
``acc[o] = (accum_t)bias[o]``; each product ``x[i]*w`` (full precision) is assigned to
``accum_t``; products are added to ``acc`` (``+=``: exact sum, then accum_t's overflow);
``res[o] = (res_t)acc[o]``. The strategies differ in the weight order and in the order and
grouping of the additions, which matter only for a rounding or saturating accumulator:

- latency (``nnet_dense_latency.h`` ``dense_latency``, any reuse factor): weights
  ``(n_in, n_out)`` row-major, products added in input order;
- resource (``nnet_dense_resource.h``): weights stored transposed (``w[o*n_in + i]``),
  ``dense_resource_rf_leq_nin`` (RF <= n_in) and ``dense_resource_rf_gt_nin_rem0``
  (RF % n_in == 0) add one product at a time in their loop order; ``dense_resource_rf_gt_nin``
  first sums, per reuse step, the products of each output into a partial ``mult[o]``
  (starting at 0, in accum_t) and then adds the partials (``acc[o] += mult[o]``).

:func:`resource_schedule` simulates those loops: per output, the groups of input indices in
addition order. The kernel picks the fastest exact route a static bound allows
(:func:`dense_plan`: BLAS float32/float64, the numba int64 floor kernel, or the
step-by-step schedule); the twin follows the schedule literally in Python ints.
"""

from __future__ import annotations

import numpy as np

from firmware_models.errors import ModelFormatError, UnsupportedTypeError
from firmware_models.fixed import FixedType, apply_overflow, cast, mul_type
from firmware_models.fixed.exact import convert_exact, overflow_exact
from firmware_models.fixed.ops import mul
from firmware_models.nn.kernels import blas_limit, dense_floor_kernel, fast_cast
from firmware_models.nn.layers._common import node_from_call
from firmware_models.nn.registry import KindSpec, register

__all__ = ["resource_schedule", "resource_order", "dense_plan", "cached_dense_plan", "DENSE_KERNELS"]

_CHUNK = 8192
#: the kernels hls4ml names in a config struct (``using kernel = nnet::<name><...>``)
DENSE_KERNELS = ("DenseLatency", "DenseResource_rf_leq_nin", "DenseResource_rf_gt_nin_rem0",
                 "DenseResource_rf_gt_nin")


def resource_schedule(kernel: str, n_in: int, n_out: int, rf: int) -> list[list[list[int]]]:
    """Per output, the groups of input indices in the order the kernel adds them.

    Each group is summed from 0 in accum_t, then added to the accumulator; single-product
    groups are the plain ``acc += product``. Raises ModelFormatError when the loops would read
    outside the weights or miss a product (a reuse factor hls4ml does not allow).
    """
    groups: list[list[list[int]]] = [[] for _ in range(n_out)]
    total = n_in * n_out
    block = -(-total // rf)

    def product(w_index: int) -> tuple[int, int]:
        if not 0 <= w_index < total:
            msg = (f"{kernel} with n_in={n_in}, n_out={n_out}, reuse_factor={rf} reads weight {w_index} of {total} "
                   "(undefined in the firmware); use a reuse factor hls4ml validates")
            raise ModelFormatError(msg)
        return w_index // n_in, w_index % n_in   # transposed storage: w[o*n_in + i]

    if kernel == "DenseLatency":
        groups = [[[i] for i in range(n_in)] for _ in range(n_out)]
    elif kernel == "DenseResource_rf_leq_nin":
        multscale = -(-total // min(n_in, rf)) // n_out
        for ir in range(rf):
            w_index, in_index, out_index, acc_step = ir, ir, 0, 0
            for _ in range(block):
                o, i = product(w_index)
                if i != in_index or o != out_index:
                    msg = f"{kernel}: n_in={n_in}, n_out={n_out}, reuse_factor={rf} pairs weights and inputs unevenly"
                    raise ModelFormatError(msg)
                groups[out_index].append([in_index])
                w_index += rf
                in_index = ir if in_index + rf >= n_in else in_index + rf
                if acc_step + 1 >= multscale:
                    acc_step, out_index = 0, out_index + 1
                else:
                    acc_step += 1
    elif kernel == "DenseResource_rf_gt_nin_rem0":
        rufactor = min(rf, total)
        outscale = rufactor // n_in
        outidx, outstep = [], 0
        for ir in range(rufactor):
            outidx.append(outstep)
            if (ir + 1) % n_in == 0:
                outstep += 1
        in_index = 0
        for ir in range(rufactor):
            w_index, out_index = ir, outidx[ir]
            for _ in range(block):
                o, i = product(w_index)
                if o != out_index or i != in_index:
                    msg = f"{kernel}: n_in={n_in}, n_out={n_out}, reuse_factor={rf} pairs weights and inputs unevenly"
                    raise ModelFormatError(msg)
                groups[out_index].append([in_index])
                w_index += rufactor
                if w_index >= total:
                    break
                out_index += outscale
            in_index = 0 if in_index + 1 >= n_in else in_index + 1
    elif kernel == "DenseResource_rf_gt_nin":
        for ir in range(rf):
            partial: dict[int, list[int]] = {}
            for im in range(block):
                w_index = ir + rf * im
                if w_index >= total:
                    continue
                o, i = product(w_index)
                partial.setdefault(o, []).append(i)
            for o in range(n_out):  # acc[o] += mult[o] for every o (an empty partial adds 0)
                if o in partial:
                    groups[o].append(partial[o])
    else:
        msg = f"dense kernel {kernel} is not supported; supported: {', '.join(DENSE_KERNELS)}"
        raise ModelFormatError(msg)
    for o, g in enumerate(groups):
        if sorted(i for grp in g for i in grp) != list(range(n_in)):
            msg = f"{kernel} with n_in={n_in}, n_out={n_out}, reuse_factor={rf} does not add every product once"
            raise ModelFormatError(msg)
    return groups


def resource_order(kernel: str, n_in: int, n_out: int, rf: int) -> tuple[np.ndarray | None, str]:
    """Flat product order (n_out, n_in) of a kernel that adds one product at a time, or (None, note)."""
    if kernel == "DenseLatency":
        return None, ""
    try:
        sched = resource_schedule(kernel, n_in, n_out, rf)
    except ModelFormatError as exc:
        return None, str(exc)
    if any(len(grp) != 1 for g in sched for grp in g):
        return None, f"{kernel} sums partial products per reuse step"
    return np.array([[grp[0] for grp in g] for g in sched], dtype=np.int64), ""


def _schedule(node) -> list[list[list[int]]]:
    sched = node.attrs.get("schedule")
    if sched is not None:
        return sched
    ta = node.types["accum"]
    if node.order_note and not (ta.overflow == "WRAP" and ta.sat_bits == 0):
        msg = (f"layer {node.name}: {node.order_note} with the non-wrapping accumulator {ta} "
               "is not modelled (summation order unknown); use a wrapping accum_t or the latency strategy")
        raise UnsupportedTypeError(msg)
    if node.order is not None:
        return [[[int(i)] for i in row] for row in node.order]
    return [[[i] for i in range(node.n_in)] for _ in range(node.n_out)]


# ----------------------------------------------------------------------------- planning
def _max_abs(t: FixedType) -> int:
    return max(abs(t.min_raw), abs(t.max_raw))


def dense_plan(node) -> dict:
    """The route a dense layer takes and the static bounds that justify it (also for reports).

    1. products exact in ``accum_t`` (its fraction bits >= input + weight fraction bits) and
       ``accum_t`` wraps (or the bound proves it never overflows): the sum is order-free
       modulo 2^W, so a BLAS matrix product does the integer arithmetic -- float32 when every
       partial sum is < 2^24, float64 when < 2^53, else the numba int64 kernel with shift 0;
    2. products floored into ``accum_t`` (AP_TRN, fewer fraction bits) with the same overflow
       condition: the numba floor kernel (per-product shift);
    3. anything else (rounding or saturating accumulators that may overflow): the products
       cast one by one and added in the firmware's schedule, each sum through accum_t.
    """
    tx, tw, ta = node.types["input"], node.types["weight"], node.types["accum"]
    w = node.params["weight"]
    shift = tx.fractional + tw.fractional - ta.fractional  # > 0: products lose fraction bits in accum_t
    col_abs = np.abs(w).astype(object).sum(axis=0) if w.size else np.zeros(1, dtype=object)
    bound_xw = _max_abs(tx) * int(max(col_abs, default=0))
    bias_a = cast(node.params["bias"], node.types["bias"], ta, context=f"layer {node.name}")
    bound_acc = (bound_xw >> max(shift, 0)) << max(-shift, 0)
    bound_acc += int(np.abs(bias_a).max(initial=0)) + node.n_in  # + n_in: floor can add one LSB per product
    no_overflow = bound_acc <= ta.max_raw and -bound_acc >= ta.sat_min_raw
    wraps = ta.overflow == "WRAP" and ta.sat_bits == 0
    order_free = wraps or no_overflow
    if order_free and shift <= 0:
        route = "blas32" if bound_xw < 2**24 else "blas64" if bound_xw < 2**53 else "int64" if bound_xw < 2**62 \
            else "stepwise"
    elif order_free and ta.rounding == "TRN" and _max_abs(tx) * int(np.abs(w).max(initial=0)) < 2**62 \
            and (bound_xw >> shift) + node.n_in < 2**62:
        route = "floor"
    else:
        route = "stepwise"
    return {"route": route, "shift": shift, "bound_xw": bound_xw, "bias_accum": bias_a, "wraps": wraps,
            "no_overflow": no_overflow}


def cached_dense_plan(node) -> dict:
    """:func:`dense_plan`, memoized on the node."""
    plan = node.cache.get("plan")
    if plan is None:
        plan = node.cache["plan"] = dense_plan(node)
    return plan


# ----------------------------------------------------------------------------- kernels
def _kernel(node, xs):
    x = xs[0]
    plan = cached_dense_plan(node)
    ta = node.types["accum"]
    w = node.params["weight"]
    route, shift = plan["route"], plan["shift"]
    if route == "stepwise":
        acc = _stepwise(node, x)
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
            acc = apply_overflow(acc, ta, context=f"layer {node.name}")
    return fast_cast(acc, ta, node.types["result"], f"layer {node.name}")


def _stepwise(node, x: np.ndarray) -> np.ndarray:
    """Products cast one by one to accum_t and added in the firmware's schedule, any modes."""
    tx, tw, ta = node.types["input"], node.types["weight"], node.types["accum"]
    w = node.params["weight"]
    tp = mul_type(tx, tw)
    ctx = f"layer {node.name}"
    bias_a = cast(node.params["bias"], node.types["bias"], ta, context=ctx)
    sched = _schedule(node)
    out = np.empty((x.shape[0], node.n_out), dtype=np.int64)
    for start in range(0, x.shape[0], _CHUNK):
        xc = x[start:start + _CHUNK]
        prod, _ = mul(xc[:, :, None], tx, w[None, :, :], tw)
        pc = cast(prod, tp, ta, context=ctx, check=False)
        for o in range(node.n_out):
            acc = np.full(xc.shape[0], bias_a[o], dtype=pc.dtype)
            for grp in sched[o]:
                if len(grp) == 1:
                    part = pc[:, grp[0], o]
                else:
                    part = pc[:, grp[0], o]
                    for i in grp[1:]:
                        part = apply_overflow(part + pc[:, i, o], ta, context=ctx)
                acc = apply_overflow(acc + part, ta, context=ctx)
            out[start:start + _CHUNK, o] = acc
    return out


def _reference(node, xs):
    x = xs[0]
    t = node.types
    tx, tw, ta, tb, tr = t["input"], t["weight"], t["accum"], t["bias"], t["result"]
    w, b = node.params["weight"], node.params["bias"]
    f_prod = tx.fractional + tw.fractional
    out = []
    for o, groups in enumerate(_schedule(node)):
        acc = convert_exact(int(b[o]), -tb.fractional, ta)                       # acc = (accum_t)bias
        for grp in groups:
            part = 0
            for i in grp:
                p = convert_exact(int(x[i]) * int(w[i, o]), -f_prod, ta)          # (accum_t)(x * w)
                part = overflow_exact(part + p, ta)                               # mult[o] += ...
            acc = overflow_exact(acc + part, ta)                                  # acc += mult
        out.append(convert_exact(acc, -ta.fractional, tr))                        # res = (res_t)acc
    return out


# ----------------------------------------------------------------------------- builder
def kernel_of(cfg, variant: str, n_in: int, rf: int, layer: str) -> str:
    """The dense kernel a config selects: its ``using kernel`` (hls4ml >= 0.8 dense.h), else the
    ``strategy`` field dispatched on the reuse factor as the folder's older ``nnet::dense`` does."""
    kernel = cfg.using("kernel")
    if variant == "kernel_template" and kernel is not None:
        if kernel not in DENSE_KERNELS:
            msg = f"layer {layer}: dense kernel {kernel} is not supported; supported: {', '.join(DENSE_KERNELS)}"
            raise ModelFormatError(msg)
        return kernel
    strategy = (cfg.text("strategy") or "nnet::latency").split("::")[-1]
    if strategy == "latency":
        return "DenseLatency"
    if strategy != "resource":
        msg = f"layer {layer}: dense strategy {strategy} is not supported; supported: latency, resource"
        raise ModelFormatError(msg)
    if rf <= n_in:
        return "DenseResource_rf_leq_nin"
    return "DenseResource_rf_gt_nin_rem0" if rf % n_in == 0 else "DenseResource_rf_gt_nin"


def weight_matrix(flat: np.ndarray, kernel: str, n_in: int, n_out: int) -> np.ndarray:
    """(n_in, n_out) weights from the firmware's flat array (resource kernels store them transposed)."""
    if kernel == "DenseLatency":
        return flat.reshape(n_in, n_out)
    return np.ascontiguousarray(flat.reshape(n_out, n_in).T)


def _build(call, ctx):
    cfg = ctx.config(call.targs[-1], call.name)
    n_in, n_out = cfg.int("n_in"), cfg.int("n_out")
    product = cfg.using("product") or "mult"
    if product != "mult":
        msg = f"layer {call.name}: product nnet::product::{product} is not supported (only mult)"
        raise ModelFormatError(msg)
    tx = ctx.type(call.targs[0], call.name)
    if tx.width == 1 and not tx.signed and tx.integer == 1:
        msg = f"layer {call.name}: binary (ap_uint<1>) dense inputs are not supported"
        raise ModelFormatError(msg)
    w, tw = ctx.weights(call.args[2], call.name)
    b, tb = ctx.weights(call.args[3], call.name)
    rf = cfg.int("reuse_factor", 1)
    kernel = kernel_of(cfg, ctx.variant("dense", call.name), n_in, rf, call.name)
    if w.size != n_in * n_out or b.size != n_out:
        msg = f"layer {call.name}: {w.size} weights and {b.size} biases for n_in={n_in}, n_out={n_out}"
        raise ModelFormatError(msg)
    types = {"input": tx, "result": ctx.type(call.targs[1], call.name), "weight": tw, "bias": tb,
             "accum": cfg.type("accum_t")}
    try:
        sched = resource_schedule(kernel, n_in, n_out, rf)
    except ModelFormatError as exc:
        msg = f"layer {call.name}: {exc}"
        raise ModelFormatError(msg) from exc
    attrs = {"reuse_factor": rf, "strategy": "latency" if kernel == "DenseLatency" else "resource",
             "kernel": kernel, "schedule": None if kernel == "DenseLatency" else sched}
    return node_from_call(call, "dense", inputs=(0,), output=1, types=types, in_shapes=[(n_in,)], out_shape=(n_out,),
                          params={"weight": weight_matrix(w, kernel, n_in, n_out), "bias": b}, attrs=attrs, cfg=cfg)


def _timing(desc) -> tuple[int, int]:
    rf = desc.get("reuse_factor", 1)
    if isinstance(rf, bool) or not isinstance(rf, int) or rf < 1:
        msg = f"layer {desc.get('name', '?')!r} (dense): reuse_factor must be a positive integer, got {rf!r}"
        raise ModelFormatError(msg)
    if desc.get("strategy", "latency") != "latency":
        return rf + 2, rf   # dense_resource: the ReuseLoop (RF iterations at II 1) and the accumulation
    return rf, rf


register(KindSpec(
    kind="dense", kernel=_kernel, reference=_reference, timing=_timing,
    timing_rule="Latency strategy: R cycles, II R (R = reuse factor; jet tagger dense_latency instances: R=1, "
                "1 cycle) + 1 output register in 'pipeline'; Resource: R + 2 cycles, II R (the ReuseLoop's R "
                "iterations and its accumulation; uncalibrated)",
    convention="hls4ml 1.3.0 nnet_utils/nnet_dense_latency.h dense_latency: each product x*w (full precision) is "
               "assigned to accum_t, acc starts at (accum_t)bias and adds the products in input order (acc += mult: "
               "exact sum, then accum_t's overflow), res = (res_t)acc; nnet_dense_resource.h: same arithmetic, "
               "weights stored transposed (n_out x n_in), products added in the loop order of "
               "dense_resource_rf_leq_nin / _rf_gt_nin_rem0, or summed per reuse step into partials first "
               "(_rf_gt_nin)",
    nnet_functions=("dense",), build_hls4ml=_build, onnx_ops=("Gemm", "MatMul"),
    extra={"output_register": True}))
