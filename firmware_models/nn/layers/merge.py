"""Two-input layers: add, subtract, multiply, average, maximum, minimum, concatenate, dot.

hls4ml ``nnet_utils/nnet_merge.h`` (1.3.0, and the older copies the cms-hls4ml folders
carry; :mod:`firmware_models.nn.nnet_headers` tells them apart, the ``variant`` attr):

- ``add`` / ``subtract`` / ``multiply``: ``res[ii] = data1[i1] OP data2[i2]``, the exact
  (full-precision) result assigned once to ``res_T``; 1.3.0 broadcasts
  (``i1 = ii % n_elem1``, ``i2 = ii % n_elem2``), older copies index element-wise;
- ``average``: ``(data1 + data2) * ap_ufixed<1,0>(0.5)`` (exact, then one assignment) in
  1.3.0 and AXOL1TL v6; ``(data1 + data2) / (res_T)2`` in older copies: ap_fixed division
  (``ap_fixed_base.h operator/``: the dividend's raw value shifted left by the divisor's
  fraction bits, integer division truncating toward zero, the quotient in the ``div``
  type ``ap_fixed<S2 + W + max(F2,0), S2 + I + F2>``), then assigned to ``res_T``;
- ``maximum`` / ``minimum``: ``data1 > data2 ? (res_T)data1 : (res_T)data2`` (the older
  copies select the operands, which compiles only when both share a type: the same bits);
- ``concatenate``: ``concatenate1d/2d/3d`` copy each input into its place along ``axis``
  (Keras numbering, batch = 0; -1 the last), each value assigned to ``res_T``; the older
  ``concatenate3d_2`` bounds the second input's inner loop by ``n_elem1_2``, which is only
  defined when both inner sizes agree (else refused);
- ``dot`` (``dot1d``): ``mult[i] = (accum_t)(data1[i] * data2[i])``, ``acc = 0``,
  ``acc += mult[i]`` in order (accum_t's overflow each time), ``res[0] = (res_T)acc``.
"""

from __future__ import annotations

import numba
import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType, apply_overflow, cast, quantize
from firmware_models.fixed.exact import convert_exact, overflow_exact
from firmware_models.fixed.ops import add, mul, sub
from firmware_models.fixed.types import add_type, mul_type, sub_type
from firmware_models.jit import JIT_OPTIONS
from firmware_models.nn.kernels import fast_cast, requant_args, requant_one
from firmware_models.nn.layers._common import node_from_call
from firmware_models.nn.registry import KindSpec, register

__all__ = ["average_divide", "concat_map"]

_NNET = "hls4ml 1.3.0 nnet_utils/nnet_merge.h "
_ELEMENTWISE = ("add", "subtract", "multiply", "average", "maximum", "minimum")


def _conv(m: int, frac: int, t: FixedType) -> int:
    return convert_exact(int(m), -int(frac), t)


def _index(node) -> tuple[np.ndarray, np.ndarray]:
    """The operand indices of each output element (broadcast modulo each input size)."""
    n = node.n_out
    n1, n2 = node.input_sizes
    ii = np.arange(n)
    return ii % n1, ii % n2


# ----------------------------------------------------------------------------- average by division
def average_divide(sum_raw, sum_t: FixedType, res_t: FixedType, where: str):
    """(raw quotient, its div type) of ``(a + b) / (res_T)2`` for raw sums of type ``sum_t``."""
    two = int(quantize(np.array(2.0), res_t, context=f"{where} (res_T)2"))
    if two == 0:
        msg = f"{where}: (res_T)2 is 0 in {res_t}: the older nnet_merge.h average divides by zero (undefined)"
        raise ModelFormatError(msg)
    f2 = res_t.width - res_t.integer
    s2 = int(res_t.signed)
    div_t = FixedType(s2 + sum_t.width + max(f2, 0), s2 + sum_t.integer + f2, sum_t.signed or res_t.signed)
    shift = max(f2, 0)
    if isinstance(sum_raw, np.ndarray) and sum_raw.dtype != object:
        a = sum_raw.astype(object) << shift if sum_t.width + shift > 62 else sum_raw << shift
        q = np.abs(a) // abs(two)
        q = np.where((a < 0) != (two < 0), -q, q)
    else:
        a = int(sum_raw) << shift
        q = abs(a) // abs(two)
        q = -q if (a < 0) != (two < 0) else q
    return q, div_t


# ----------------------------------------------------------------------------- numba forms
@numba.njit(**JIT_OPTIONS)
def _addsub_kernel(a, b, i1, i2, ident, sa, sb, sign, d, qm, om, wd, sg, lo, hi, out):  # pragma: no cover
    """out[e, k] = (res_t)((a[e, i1[k]] << sa) + sign * (b[e, i2[k]] << sb)) (the caller bounds int64);
    ``ident``: both index maps are the identity (no gather)."""
    for e in range(a.shape[0]):
        if ident:
            for k in range(out.shape[1]):
                out[e, k] = requant_one((a[e, k] << sa) + sign * (b[e, k] << sb), d, qm, om, wd, sg, lo, hi)
        else:
            for k in range(i1.shape[0]):
                v = (a[e, i1[k]] << sa) + sign * (b[e, i2[k]] << sb)
                out[e, k] = requant_one(v, d, qm, om, wd, sg, lo, hi)


@numba.njit(**JIT_OPTIONS)
def _dot_kernel(a, b, wrap_sum, dp, qa, oa, wa, sa, loa, hia, dr, qr, orr, wr, sr, lor, hir, out):  # pragma: no cover
    """out[e] = (res_t) sum_i (accum_t)(a[e, i] * b[e, i]), each += through accum_t's overflow.

    ``wrap_sum``: accum_t wraps and holds every product exactly (dp <= 0), so the sum is
    taken in int64 and wrapped once (the caller bounds it below 2**62).
    """
    for e in range(a.shape[0]):
        acc = 0
        if wrap_sum:
            for i in range(a.shape[1]):
                acc += (a[e, i] * b[e, i]) << (-dp)
            acc = requant_one(acc, 0, qa, oa, wa, sa, loa, hia)
        else:
            for i in range(a.shape[1]):
                p = requant_one(a[e, i] * b[e, i], dp, qa, oa, wa, sa, loa, hia)
                acc = requant_one(acc + p, 0, qa, oa, wa, sa, loa, hia)
        out[e, 0] = requant_one(acc, dr, qr, orr, wr, sr, lor, hir)


def _int64_ok(*types: FixedType) -> bool:
    return all(t.width <= 62 and t.sat_bits == 0 for t in types)


def _addsub_fast(node, xs):
    """The numba form of add/subtract, or None when the exact sum may not fit int64."""
    t = node.types
    t1, t2, tr = t["input"], t["input2"], t["result"]
    f = max(t1.fractional, t2.fractional)
    sa, sb = f - t1.fractional, f - t2.fractional
    bound = (max(abs(t1.min_raw), abs(t1.max_raw)) << sa) + (max(abs(t2.min_raw), abs(t2.max_raw)) << sb)
    d = f - tr.fractional
    if not _int64_ok(t1, t2, tr) or bound >= 2**62 or abs(d) > 62 or (d < 0 and bound << -d >= 2**62):
        return None
    i1, i2 = _index(node)
    out = np.empty((xs[0].shape[0], node.n_out), dtype=np.int64)
    n = node.n_out
    ident = xs[0].shape[1] == n and xs[1].shape[1] == n
    _addsub_kernel(xs[0], xs[1], i1.astype(np.int64), i2.astype(np.int64), ident, sa, sb,
                   1 if node.kind == "add" else -1, d, *requant_args(tr), out)
    return out


# ----------------------------------------------------------------------------- element-wise kernels
def _elementwise(node, xs):
    t = node.types
    t1, t2, tr = t["input"], t["input2"], t["result"]
    if node.kind in ("add", "subtract"):
        fast = _addsub_fast(node, xs)
        if fast is not None:
            return fast
    i1, i2 = _index(node)
    a = xs[0][:, i1] if len(i1) != xs[0].shape[1] or (i1 != np.arange(len(i1))).any() else xs[0]
    b = xs[1][:, i2] if len(i2) != xs[1].shape[1] or (i2 != np.arange(len(i2))).any() else xs[1]
    where = f"layer {node.name}"
    kind = node.kind
    if kind in ("maximum", "minimum"):
        tc = add_type(t1, t2)   # compare at a common LSB (exact)
        fa, fb = tc.fractional - t1.fractional, tc.fractional - t2.fractional
        ca, cb = (a.astype(object) << fa, b.astype(object) << fb) if not tc.fits_int64 else (a << fa, b << fb)
        pick = ca > cb if kind == "maximum" else ca < cb
        ra = cast(a, t1, tr, context=where, check=False)
        rb = cast(b, t2, tr, context=where, check=False)
        return np.where(pick, ra, rb).astype(np.int64)
    if kind == "add":
        v, tv = add(a, t1, b, t2)
    elif kind == "subtract":
        v, tv = sub(a, t1, b, t2)
    elif kind == "multiply":
        v, tv = mul(a, t1, b, t2)
    else:  # average
        v, tv = add(a, t1, b, t2)
        if node.attrs.get("variant", "broadcast_half").endswith("_divide"):
            v, tv = average_divide(v, tv, tr, where)
            v = apply_overflow(v, tv, context=where)    # the quotient is held in the div type
        else:
            tv = FixedType(tv.width + 1, tv.integer, tv.signed)   # * ap_ufixed<1,0>(0.5): one more fraction bit
    if isinstance(v, np.ndarray) and v.dtype == object:
        return np.asarray(cast(v, tv, tr, context=where, check=False), dtype=np.int64)
    return fast_cast(np.ascontiguousarray(v, dtype=np.int64), tv, tr, where)


def _elementwise_ref(node, xs):
    t = node.types
    t1, t2, tr = t["input"], t["input2"], t["result"]
    i1, i2 = _index(node)
    f1, f2 = t1.fractional, t2.fractional
    out = []
    for k in range(node.n_out):
        a, b = int(xs[0][i1[k]]), int(xs[1][i2[k]])
        f = max(f1, f2)
        av, bv = a << (f - f1), b << (f - f2)           # both at the finer LSB: exact
        if node.kind == "maximum":
            out.append(_conv(a, f1, tr) if av > bv else _conv(b, f2, tr))
        elif node.kind == "minimum":
            out.append(_conv(a, f1, tr) if av < bv else _conv(b, f2, tr))
        elif node.kind == "add":
            out.append(_conv(av + bv, f, tr))
        elif node.kind == "subtract":
            out.append(_conv(av - bv, f, tr))
        elif node.kind == "multiply":
            out.append(_conv(a * b, f1 + f2, tr))
        elif node.attrs.get("variant", "broadcast_half").endswith("_divide"):
            st = add_type(t1, t2)
            q, dt = average_divide(av + bv, st, tr, f"layer {node.name}")
            out.append(_conv(overflow_exact(int(q), dt), dt.fractional, tr))
        else:
            out.append(_conv(av + bv, f + 1, tr))          # (a + b) * 0.5
    return out


# ----------------------------------------------------------------------------- concatenate
def concat_map(shape1, shape2, axis: int) -> np.ndarray:
    """Output flat index -> index into [input1 | input2] (flattened), hls4ml's concatenate loops."""
    n1 = int(np.prod(shape1))
    a = np.arange(n1).reshape(shape1)
    b = np.arange(n1, n1 + int(np.prod(shape2))).reshape(shape2)
    return np.concatenate([a, b], axis=axis).reshape(-1)


def _concat(node, xs):
    t = node.types
    where = f"layer {node.name}"
    a = fast_cast(np.ascontiguousarray(xs[0]), t["input"], t["result"], where)
    b = fast_cast(np.ascontiguousarray(xs[1]), t["input2"], t["result"], where)
    return np.concatenate([a, b], axis=1)[:, node.attrs["map"]]


def _concat_ref(node, xs):
    t = node.types
    vals = [_conv(v, t["input"].fractional, t["result"]) for v in xs[0]] + \
        [_conv(v, t["input2"].fractional, t["result"]) for v in xs[1]]
    return [vals[int(k)] for k in node.attrs["map"]]


# ----------------------------------------------------------------------------- dot1d
def _dot(node, xs):
    t = node.types
    t1, t2, ta, tr = t["input"], t["input2"], t["accum"], t["result"]
    where = f"layer {node.name}"
    pmax = max(abs(t1.min_raw), abs(t1.max_raw)) * max(abs(t2.min_raw), abs(t2.max_raw))
    dp, dr = t1.fractional + t2.fractional - ta.fractional, ta.fractional - tr.fractional
    amax = max(abs(ta.min_raw), abs(ta.max_raw))
    if _int64_ok(t1, t2, ta, tr) and pmax < 2**62 and 2 * amax < 2**62 and abs(dp) <= 62 and abs(dr) <= 62 and \
            (dp >= 0 or pmax << -dp < 2**62) and (dr >= 0 or amax << -dr < 2**62):
        wrap_sum = ta.overflow == "WRAP" and dp <= 0 and (pmax << -dp) * node.n_in < 2**62
        out = np.empty((xs[0].shape[0], 1), dtype=np.int64)
        _dot_kernel(xs[0], xs[1], wrap_sum, dp, *requant_args(ta), dr, *requant_args(tr), out)
        return out
    tp = mul_type(t1, t2)
    prod, _ = mul(xs[0], t1, xs[1], t2)
    pc = cast(prod, tp, ta, context=where, check=False)
    wraps = ta.overflow == "WRAP" and ta.sat_bits == 0
    bound = max(abs(ta.min_raw), abs(ta.max_raw)) * node.n_in
    if wraps and pc.dtype != object and bound < 2**62:
        acc = apply_overflow(pc.sum(axis=1), ta, context=where)   # wrapping: the order does not matter
    else:
        acc = np.zeros(pc.shape[0], dtype=pc.dtype)
        for i in range(node.n_in):
            acc = apply_overflow(acc + pc[:, i], ta, context=where)
    res = cast(acc, ta, tr, context=where, check=False)
    return np.asarray(res, dtype=np.int64).reshape(-1, 1)


def _dot_ref(node, xs):
    t = node.types
    t1, t2, ta, tr = t["input"], t["input2"], t["accum"], t["result"]
    acc = 0
    for a, b in zip(xs[0], xs[1]):
        acc = overflow_exact(acc + _conv(int(a) * int(b), t1.fractional + t2.fractional, ta), ta)
    return [_conv(acc, ta.fractional, tr)]


# ----------------------------------------------------------------------------- builders
def _types(call, ctx) -> dict:
    return {"input": ctx.type(call.targs[0], call.name), "input2": ctx.type(call.targs[1], call.name),
            "result": ctx.type(call.targs[2], call.name)}


def _build_elementwise(kind: str):
    def build(call, ctx):
        cfg = ctx.config(call.targs[-1], call.name)
        variant = ctx.variant(kind, call.name)
        if variant.startswith("broadcast"):
            n = cfg.int("n_elem")
            n1, n2 = cfg.int("n_elem1", n), cfg.int("n_elem2", n)
        else:
            n = n1 = n2 = cfg.int("n_elem")
        types = _types(call, ctx)
        if variant.endswith("_select") and types["input"] != types["input2"]:
            msg = (f"layer {call.name}: this folder's nnet_merge.h {kind} selects between operands of different types "
                   f"({types['input']}, {types['input2']}), which does not compile")
            raise ModelFormatError(msg)
        if n1 < 1 or n2 < 1 or n % n1 or n % n2:
            msg = f"layer {call.name}: {kind} of {n1} and {n2} values into {n} does not broadcast"
            raise ModelFormatError(msg)
        return node_from_call(call, kind, inputs=(0, 1), output=2, types=types, in_shapes=[(n1,), (n2,)],
                              out_shape=(n,), attrs={"variant": variant}, cfg=cfg)

    return build


def _build_concat(call, ctx):
    cfg = ctx.config(call.targs[-1], call.name)
    rank = {"concatenate1d": 1, "concatenate2d": 2, "concatenate3d": 3}[call.function]
    s1 = tuple(cfg.int(f"n_elem1_{k}") for k in range(rank))
    s2 = tuple(cfg.int(f"n_elem2_{k}") for k in range(rank))
    axis_cfg = cfg.int("axis", -1) if cfg.has("axis") else -1
    if axis_cfg >= 2**31:      # 'static const unsigned axis = -1' wraps
        axis_cfg -= 2**32
    # the C++ dispatch (concatenate2d / 3d): Keras axis numbering, batch = axis 0
    if rank == 1:
        axis = 0
    elif rank == 2:
        axis = 1 if axis_cfg in (2, -1) else 0
    else:
        axis = 2 if axis_cfg in (3, -1) else 1 if axis_cfg in (2, -2) else 0
    others = [k for k in range(rank) if k != axis]
    if any(s1[k] != s2[k] for k in others):
        msg = f"layer {call.name}: concatenate of shapes {s1} and {s2} along axis {axis} (other sizes differ)"
        raise ModelFormatError(msg)
    if rank == 3 and axis == 2 and ctx.variant("concatenate3d", call.name) == "inner_n_elem1_2" and s1[2] != s2[2]:
        msg = (f"layer {call.name}: this folder's nnet_merge.h concatenate3d_2 bounds the second input by n_elem1_2; "
               f"with inner sizes {s1[2]} != {s2[2]} its output is undefined")
        raise ModelFormatError(msg)
    out_shape = tuple(s1[k] + s2[k] if k == axis else s1[k] for k in range(rank))
    return node_from_call(call, "concatenate", inputs=(0, 1), output=2, types=_types(call, ctx), in_shapes=[s1, s2],
                          out_shape=out_shape, attrs={"axis": axis, "map": concat_map(s1, s2, axis)}, cfg=None)


def _build_dot(call, ctx):
    cfg = ctx.config(call.targs[-1], call.name)
    n = cfg.int("n_in")
    if cfg.int("n_out", 1) != 1:
        msg = f"layer {call.name}: dot1d with n_out={cfg.int('n_out')} (hls4ml writes n_out = 1)"
        raise ModelFormatError(msg)
    product = cfg.using("product") or "mult"
    if product != "mult":
        msg = f"layer {call.name}: product nnet::product::{product} is not supported (only mult)"
        raise ModelFormatError(msg)
    types = _types(call, ctx)
    types["accum"] = cfg.type("accum_t")
    return node_from_call(call, "dot", inputs=(0, 1), output=2, types=types, in_shapes=[(n,), (n,)], out_shape=(1,),
                          cfg=cfg, attrs={"io_type": "io_parallel"})


def _tree(desc) -> tuple[int, int]:
    import math

    n = desc.get("n_in", 1)
    return 1 + (math.ceil(math.log2(n) / 3) if n > 1 else 0), 1


def _fixed(cycles: int):
    def rule(desc) -> tuple[int, int]:
        return cycles, 1

    return rule


_ELEM_TEXT = {
    "add": ("res = (res_t)(a + b)", 0, "0 cycles (one adder level, as relu; uncalibrated)", ("Add",)),
    "subtract": ("res = (res_t)(a - b)", 0, "0 cycles (one adder level; uncalibrated)", ("Sub",)),
    "multiply": ("res = (res_t)(a * b)", 1, "1 cycle (a multiplier, registered) + 1 output register in 'pipeline'",
                 ("Mul",)),
    "average": ("res = (res_t)((a + b) * 0.5) (1.3.0) or (res_t)((a + b) / (res_t)2) (older copies)", 0,
                "0 cycles (an adder and a shift; uncalibrated)", ()),
    "maximum": ("res = a > b ? (res_t)a : (res_t)b", 0, "0 cycles (a comparator and a select)", ("Max",)),
    "minimum": ("res = a < b ? (res_t)a : (res_t)b", 0, "0 cycles (a comparator and a select)", ("Min",)),
}

for _kind, (_text, _lat, _rule, _ops) in _ELEM_TEXT.items():
    register(KindSpec(kind=_kind, kernel=_elementwise, reference=_elementwise_ref, timing=_fixed(_lat),
                      timing_rule=_rule, convention=_NNET + _kind + ": " + _text + "; broadcast a[ii % n_elem1], "
                      "b[ii % n_elem2] (1.3.0) or element-wise (older copies)",
                      nnet_functions=(_kind,), build_hls4ml=_build_elementwise(_kind), onnx_ops=_ops, arity=(2, 2),
                      extra={"output_register": _kind == "multiply"}))

register(KindSpec(
    kind="concatenate", kernel=_concat, reference=_concat_ref, timing=_fixed(0),
    timing_rule="0 cycles (wiring: each value copied, and cast, into its place)",
    convention=_NNET + "concatenate1d/2d/3d: each input copied into its place along axis, res = (res_t)x",
    nnet_functions=("concatenate1d", "concatenate2d", "concatenate3d"), build_hls4ml=_build_concat,
    onnx_ops=("Concat",), arity=(2, 2)))

register(KindSpec(
    kind="dot", kernel=_dot, reference=_dot_ref, timing=_tree,
    timing_rule="1 + ceil(log2(n_in) / 3) cycles (products, then an adder tree, 3 adds per 5 ns; as the sum of "
                "squares) + 1 output register in 'pipeline'",
    convention=_NNET + "dot1d: mult[i] = (accum_t)(a[i]*b[i]); acc = 0; acc += mult[i] in order; "
               "res[0] = (res_t)acc", nnet_functions=("dot1d",), build_hls4ml=_build_dot, arity=(2, 2),
    extra={"output_register": True}))
