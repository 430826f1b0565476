"""Activations: every ``nnet_activation.h`` function hls4ml emits, as layer kinds.

``relu``, ``leaky_relu``, ``linear``, ``sigmoid``, ``tanh`` have their own kernels here
(hls4ml 1.3.0 and every cms-hls4ml folder's copy compute them alike: ``relu`` res = x > 0 ?
(res_t)x : 0; ``leaky_relu`` res = x > 0 ? (res_t)x : (res_t)(alpha*x) with ``alpha`` the
call's literal assigned to the parameter type; ``linear`` res = (res_t)x; ``sigmoid`` /
``tanh`` read a ``table_t`` table at ``int(x*N/span) + N/2``, C++ truncation, clamped).

The others run the pure functions of :mod:`firmware_models.nn.activations`,
:mod:`~firmware_models.nn.table_activations` and :mod:`~firmware_models.nn.softmax` (twins in
:mod:`~firmware_models.nn.activations_ref` / :mod:`~firmware_models.nn.softmax_ref`), with the
arguments those modules document read from the call and its config struct: ``relu_max``
(``relu6``, ``relu1``, ``relu_max<..., MAX_INT, ...>``), ``thresholded_relu``, ``prelu``,
``hard_sigmoid``, ``hard_tanh``, ``binary_tanh``, ``ternary_tanh``, ``softplus``,
``softsign``, ``elu``, ``selu``, ``softmax`` (latency, stable, legacy, argmax;
``softmax_multidim``). Where header generations differ the folder's own
``nnet_activation.h`` decides (:func:`firmware_models.nn.nnet_variants.detect_variant`).
"""

from __future__ import annotations

import math

import numpy as np

from firmware_models.fixed import FixedType, cast, quantize
from firmware_models.fixed.exact import convert_exact
from firmware_models.fixed.ops import mul
from firmware_models.nn.kernels import fast_cast
from firmware_models.nn.layers._common import fixed_latency, node_from_call
from firmware_models.nn.registry import KindSpec, register
from firmware_models.nn.tables import TABLE_SPAN, sigmoid_table, table_index, tanh_table

_NNET = "hls4ml 1.3.0 nnet_utils/nnet_activation.h "
_DEFAULT_TABLE = "ap_fixed<18,8>"


def _conv(m: int, frac: int, t) -> int:
    return convert_exact(int(m), -int(frac), t)


# ----------------------------------------------------------------------------- kernels
def _relu(node, xs):
    t = node.types
    return fast_cast(np.maximum(xs[0], 0), t["input"], t["result"], f"layer {node.name}")


def _relu_ref(node, xs):
    fin, tr = node.types["input"].fractional, node.types["result"]
    return [_conv(v, fin, tr) if v > 0 else 0 for v in xs[0]]


def _linear(node, xs):
    return fast_cast(xs[0], node.types["input"], node.types["result"], f"layer {node.name}")


def _linear_ref(node, xs):
    fin, tr = node.types["input"].fractional, node.types["result"]
    return [_conv(v, fin, tr) for v in xs[0]]


def _leaky(node, xs):
    t, x = node.types, xs[0]
    pos = cast(x, t["input"], t["result"], context=f"layer {node.name}", check=False)
    prod, tp = mul(x, t["input"], node.params["alpha"], t["param"])
    neg = cast(prod, tp, t["result"], context=f"layer {node.name}", check=False)
    return np.where(x > 0, pos, neg)


def _leaky_ref(node, xs):
    t = node.types
    fin, tr = t["input"].fractional, t["result"]
    a, fa = int(node.params["alpha"]), t["param"].fractional
    return [_conv(v, fin, tr) if v > 0 else _conv(int(v) * a, fin + fa, tr) for v in xs[0]]


def _table(node, xs):
    t = node.types
    idx = table_index(xs[0], t["input"].fractional, node.table_size, TABLE_SPAN[node.kind])
    return cast(node.params["table"][idx], t["table"], t["result"], context=f"layer {node.name}", check=False)


def _table_ref(node, xs):
    from firmware_models.nn.reference import table_index_one

    t = node.types
    tab, tt, fin = node.params["table"], t["table"], t["input"].fractional
    span = TABLE_SPAN[node.kind]
    return [_conv(tab[table_index_one(v, fin, node.table_size, span)], tt.fractional, t["result"]) for v in xs[0]]


# ----------------------------------------------------------------------------- builders
def _build(kind: str):
    def build(call, ctx):
        cfg = ctx.config(call.targs[-1], call.name)
        n = cfg.int("n_in")
        types = {"input": ctx.type(call.targs[0], call.name), "result": ctx.type(call.targs[-2], call.name)}
        params, attrs = {}, {}
        if kind == "leaky_relu":
            from firmware_models.nn.nnet_variants import param_type

            variant = ctx.activation_variant()
            param_t = ctx.type(call.targs[1], call.name) if len(call.targs) == 4 else None
            types["param"] = param_type("leaky_relu", variant, in_t=types["input"], res_t=types["result"],
                                        param_t=param_t)
            alpha = ctx.number(call.args[1], call.name, "leaky_relu alpha")
            params["alpha"] = quantize(np.array(alpha), types["param"], context=f"layer {call.name} alpha")
        elif kind in ("sigmoid", "tanh"):
            types["table"] = cfg.type("table_t", _DEFAULT_TABLE)
            size = cfg.int("table_size", 1024)
            params["table"] = (sigmoid_table if kind == "sigmoid" else tanh_table)(size, types["table"])
            attrs["table_size"] = size
        return node_from_call(call, kind, inputs=(0,), output=len(call.args) - 1, types=types, in_shapes=[(n,)],
                              out_shape=(n,), params=params, attrs=attrs, cfg=cfg)

    return build


def table_params(kind: str, table_t: FixedType, size: int) -> np.ndarray:
    """The raw table of a sigmoid/tanh layer (for the ONNX route)."""
    return (sigmoid_table if kind == "sigmoid" else tanh_table)(size, table_t)


_SPECS = [
    ("relu", _relu, _relu_ref, 0, "0 cycles (comparator; jet tagger relu instances: 0)",
     "relu: res = x > 0 ? (res_t)x : 0", ("Relu",)),
    ("leaky_relu", _leaky, _leaky_ref, 0, "0 cycles (a shift-and-select, as relu)",
     "leaky_relu: res = x > 0 ? (res_t)x : (res_t)(alpha*x), alpha a (param_t) constant, floored", ("LeakyRelu",)),
    ("linear", _linear, _linear_ref, 0, "0 cycles", "linear: res = (res_t)x", ()),
    ("sigmoid", _table, _table_ref, 1, "1 cycle (one table read; L1JetTagger sigmoid instance: 1)",
     "sigmoid: table[i] = (table_t)(float)1/(1+expf(-v)), v = 16*(i - N/2)/N; index = int(x*N/16) + N/2 "
     "(C++ truncation toward zero), clamped to [0, N-1]", ("Sigmoid",)),
    ("tanh", _table, _table_ref, 1, "1 cycle (one table read)",
     "tanh: table[i] = (table_t)tanh(v), v = 8*(i - N/2)/N; index = int(x*N/8) + N/2, clamped", ("Tanh",)),
]

for _kind, _k, _r, _lat, _rule, _conv_text, _ops in _SPECS:
    register(KindSpec(kind=_kind, kernel=_k, reference=_r, timing=fixed_latency(_lat), timing_rule=_rule,
                      convention=_NNET + _conv_text, nnet_functions=(_kind,), build_hls4ml=_build(_kind),
                      onnx_ops=_ops, elementwise=True))


# ----------------------------------------------------------------------------- the generic kinds
def _generic(fast_fn, ref_fn):
    """Kernel and twin that call ``fn(x, **node.attrs["call"])`` (the nnact functions' convention)."""

    def kernel(node, xs):
        return np.asarray(fast_fn(xs[0], **node.attrs["call"]), dtype=np.int64)

    def reference(node, xs):
        return [int(v) for v in np.asarray(ref_fn(np.array([xs[0]], dtype=np.int64), **node.attrs["call"]))[0]]

    return kernel, reference


def _literal_raw(ctx, call, k: int, t, what: str) -> int:
    return int(quantize(np.array(ctx.number(call.args[k], call.name, what)), t, context=f"layer {call.name} {what}"))


def _node(call, kind, cfg, n, types, call_kw, *, inputs=(0,), params=None, attrs=None):
    a = {"call": call_kw, **(attrs or {})}
    return node_from_call(call, kind, inputs=inputs, output=len(call.args) - 1, types=types, in_shapes=[(n,)],
                          out_shape=(n,), params=params, attrs=a, cfg=cfg)


def _base(call, ctx):
    cfg = ctx.config(call.targs[-1], call.name)
    return cfg, cfg.int("n_in"), ctx.type(call.targs[0], call.name), ctx.type(call.targs[-2], call.name)


def _build_relu_max(call, ctx):
    cfg = ctx.config(call.targs[-1], call.name)
    n, it, rt = cfg.int("n_in"), ctx.type(call.targs[0], call.name), ctx.type(call.targs[1], call.name)
    if call.function == "relu_max":
        from firmware_models.nn.cpp_reader import eval_int, tokenize

        max_int = eval_int(tokenize(call.targs[2], "<targ>"), ctx.decls.const, f"layer {call.name}: MAX_INT")
    else:
        max_int = 6 if call.function == "relu6" else 1
    return _node(call, "relu_max", cfg, n, {"input": it, "result": rt},
                 {"max_int": int(max_int), "in_t": it, "res_t": rt}, attrs={"max_int": int(max_int)})


def _param_t(kind, call, ctx, it, rt):
    from firmware_models.nn.nnet_variants import param_type

    p = ctx.type(call.targs[1], call.name) if len(call.targs) == 4 else None
    return param_type(kind, ctx.activation_variant(), in_t=it, res_t=rt, param_t=p)


def _build_thresholded(call, ctx):
    cfg, n, it, rt = _base(call, ctx)
    tt = _param_t("thresholded_relu", call, ctx, it, rt)
    theta = _literal_raw(ctx, call, 1, tt, "theta")
    return _node(call, "thresholded_relu", cfg, n, {"input": it, "result": rt, "param": tt},
                 {"theta": theta, "in_t": it, "theta_t": tt, "res_t": rt})


def _build_prelu(call, ctx):
    cfg, n, it, rt = _base(call, ctx)
    alpha, at = ctx.weights(call.args[1], call.name)
    return _node(call, "prelu", cfg, n, {"input": it, "result": rt, "param": at},
                 {"alpha": alpha, "in_t": it, "alpha_t": at, "res_t": rt}, params={"alpha": alpha})


def _build_hard(kind):
    def build(call, ctx):
        cfg, n, it, rt = _base(call, ctx)
        v = ctx.activation_variant()
        kw = {"in_t": it, "res_t": rt, "variant": v}
        types = {"input": it, "result": rt}
        if v.hard_activation == "config":
            # hls4ml writes 'static const slope_t slope;' in the struct and 'const slope_t cfg::slope = 0.2;' after it
            st = cfg.member_type("slope") or cfg.type("slope_t", "ap_ufixed<16,0>")
            ht = cfg.member_type("shift") or cfg.type("shift_t", "ap_ufixed<2,0>")
            kw.update(slope=int(quantize(np.array(cfg.number("slope", 0.2)), st)), slope_t=st,
                      shift=int(quantize(np.array(cfg.number("shift", 0.5)), ht)), shift_t=ht)
            types.update(slope=st, shift=ht)
        return _node(call, kind, cfg, n, types, kw)

    return build


def _build_simple(kind, variant_kw: bool):
    def build(call, ctx):
        cfg, n, it, rt = _base(call, ctx)
        kw = {"in_t": it, "res_t": rt}
        if variant_kw:
            kw["variant"] = ctx.activation_variant()
        return _node(call, kind, cfg, n, {"input": it, "result": rt}, kw)

    return build


def _build_table(kind):
    def build(call, ctx):
        from firmware_models.nn import tables

        cfg, n, it, rt = _base(call, ctx)
        tt = cfg.type("table_t", _DEFAULT_TABLE)
        size = cfg.int("table_size", 1024)
        table = getattr(tables, f"{kind}_table")(size, tt)
        kw = {"table": table, "in_t": it, "table_t": tt, "res_t": rt}
        types = {"input": it, "result": rt, "table": tt}
        if kind == "elu":
            has_alpha = len(call.args) == 3
            v = ctx.activation_variant()
            if has_alpha:
                at = _param_t("elu", call, ctx, it, rt)
                kw.update(alpha=_literal_raw(ctx, call, 1, at, "alpha"), alpha_t=at)
            elif v.param_type == "param_t":
                kw.update(alpha=1, alpha_t=FixedType.parse("ap_uint<1>"))
            else:
                kw.update(alpha=int(quantize(np.array(1.0), rt)), alpha_t=rt)
            types["param"] = kw["alpha_t"]
        if kind == "selu":
            kw["variant"] = ctx.activation_variant()
        return _node(call, kind, cfg, n, types, kw, params={"table": table}, attrs={"table_size": size})

    return build


def _build_softmax(call, ctx):
    from firmware_models.nn.softmax_tables import softmax_tables

    cfg, n, it, rt = _base(call, ctx)
    v = ctx.activation_variant()
    impl = (cfg.text("implementation") or "nnet::softmax_implementation::latency").split("::")[-1]
    shared = v.softmax_tables == "shared"
    size_e = cfg.int("table_size", 1024) if shared else cfg.int("exp_table_size", 1024)
    size_i = cfg.int("table_size", 1024) if shared else cfg.int("inv_table_size", 1024)
    opt = {k: cfg.type(k, None) if k in cfg.struct.typedefs else None
           for k in ("accum_t", "inv_inp_t", "inp_norm_t")}
    et = cfg.type("exp_table_t", "ap_fixed<18,8,AP_RND,AP_SAT>")
    nt = cfg.type("inv_table_t", "ap_fixed<18,8,AP_RND,AP_SAT>")
    tt = cfg.type("table_t", "ap_fixed<18,8>")
    kw = {"implementation": impl, "in_t": it, "res_t": rt, "variant": v}
    if impl != "argmax":
        exp_tab, inv_tab = softmax_tables(v, impl, in_t=it, exp_table_t=et, inv_table_t=nt, exp_table_size=size_e,
                                          inv_table_size=size_i, inv_inp_t=None if shared else opt["inv_inp_t"],
                                          inp_norm_t=None if shared else opt["inp_norm_t"],
                                          exp_scale=cfg.number("exp_scale", 1.0), table_t=tt)
        kw.update(exp_table=exp_tab, inv_table=inv_tab, exp_table_t=et, inv_table_t=nt, table_t=tt)
        if not shared:
            kw.update(accum_t=opt["accum_t"], inv_inp_t=opt["inv_inp_t"], inp_norm_t=opt["inp_norm_t"])
    n_outer, n_inner = cfg.int("n_outer", 1), cfg.int("n_inner", 1)
    attrs = {"implementation": impl}
    if call.function == "softmax_multidim" or n_outer > 1 or n_inner > 1:
        kw = {"n_outer": n_outer, "n_inner": n_inner, **kw}
        attrs["multidim"] = True
    types = {"input": it, "result": rt, "exp_table": et, "inv_table": nt}
    return _node(call, "softmax", cfg, n, types, kw, attrs=attrs)


def _softmax_fns():
    from firmware_models.nn import softmax as fast
    from firmware_models.nn import softmax_ref as ref

    def kernel(node, xs):
        fn = fast.softmax_multidim if node.attrs.get("multidim") else fast.softmax
        return np.asarray(fn(xs[0], **node.attrs["call"]), dtype=np.int64)

    def reference(node, xs):
        fn = ref.softmax_multidim if node.attrs.get("multidim") else ref.softmax
        return [int(v) for v in np.asarray(fn(np.array([xs[0]], dtype=np.int64), **node.attrs["call"]))[0]]

    return kernel, reference


def _softmax_timing(desc) -> tuple[int, int]:
    n = max(int(desc.get("n_in", 2)), 2)
    tree = math.ceil(math.log2(n) / 3)
    impl = str(desc.get("implementation", "stable"))
    return {"argmax": tree, "stable": 3 + tree}.get(impl, 2 + tree), 1


def _register_generic() -> None:
    from firmware_models.nn import activations as fa
    from firmware_models.nn import activations_ref as ra
    from firmware_models.nn import table_activations as ft

    one = fixed_latency(1)
    zero = fixed_latency(0)
    specs = [
        ("relu_max", fa.relu_max, ra.relu_max, zero, "0 cycles (two comparators and a select)",
         "relu_max<..., MAX_INT, ...> / relu6 / relu1: 0 below 0, (res_t)MAX_INT above, else (res_t)x",
         ("relu_max", "relu6", "relu1"), _build_relu_max),
        ("thresholded_relu", fa.thresholded_relu, ra.thresholded_relu, zero, "0 cycles (a comparator)",
         "thresholded_relu: x > theta ? (res_t)x : 0", ("thresholded_relu",), _build_thresholded),
        ("prelu", fa.prelu, ra.prelu, one, "1 cycle (a multiplier per element)",
         "prelu: x > 0 ? (res_t)x : (res_t)(alpha[i]*x)", ("prelu",), _build_prelu),
        ("hard_sigmoid", fa.hard_sigmoid, ra.hard_sigmoid, one, "1 cycle (a multiply-add and a clip)",
         "hard_sigmoid: (res_t)clip(slope*x + shift, 0, 1)", ("hard_sigmoid",), _build_hard("hard_sigmoid")),
        ("hard_tanh", fa.hard_tanh, ra.hard_tanh, one, "1 cycle (a multiply-add and a clip)",
         "hard_tanh: (res_t)(2*clip(slope*x + shift, 0, 1) - 1)", ("hard_tanh",), _build_hard("hard_tanh")),
        ("binary_tanh", fa.binary_tanh, ra.binary_tanh, zero, "0 cycles (a sign)",
         "binary_tanh: +-1", ("binary_tanh",), _build_simple("binary_tanh", True)),
        ("ternary_tanh", fa.ternary_tanh, ra.ternary_tanh, zero, "0 cycles (two comparators)",
         "ternary_tanh: -1, 0, 1 of (data_t)(2*x)", ("ternary_tanh",), _build_simple("ternary_tanh", False)),
        ("softplus", ft.softplus, ra.softplus, one, "1 cycle (one table read)",
         "softplus: (res_t)table[int(x*N/16) + N/2]", ("softplus",), _build_table("softplus")),
        ("softsign", ft.softsign, ra.softsign, one, "1 cycle (one table read)",
         "softsign: (res_t)table[int(x*N/16) + N/2]", ("softsign",), _build_table("softsign")),
        ("elu", ft.elu, ra.elu, one, "1 cycle (one table read and a multiplier)",
         "elu: x >= 0 ? (res_t)x : (res_t)(alpha*table[index])", ("elu",), _build_table("elu")),
        ("selu", ft.selu, ra.selu, one, "1 cycle (one table read and a multiplier)",
         "selu: x >= 0 ? (res_t)(lambda*x) : (res_t)table[index]", ("selu",), _build_table("selu")),
    ]
    for kind, fast_fn, ref_fn, timing, rule, text, names, build in specs:
        kernel, reference = _generic(fast_fn, ref_fn)
        register(KindSpec(kind=kind, kernel=kernel, reference=reference, timing=timing, timing_rule=rule,
                          convention=_NNET + text, nnet_functions=names, build_hls4ml=build, elementwise=False))
    kernel, reference = _softmax_fns()
    register(KindSpec(
        kind="softmax", kernel=kernel, reference=reference, timing=_softmax_timing,
        timing_rule="stable: 3 + ceil(log2(N) / 3) cycles (max tree, exp table read, sum tree, inverse table read, "
                    "products; the jet tagger's softmax_stable instance, N = 5: 4); latency and legacy: one stage "
                    "less (no max subtraction); argmax: ceil(log2(N) / 3) (a comparator tree); II 1 -- one "
                    "calibration point (N = 5); the log2(N) growth is the adder/comparator-tree depth, 3 per 5 ns",
        convention=_NNET + "softmax latency / stable / legacy / argmax (and softmax_multidim), tables and types as "
                   "firmware_models.nn.softmax documents them", nnet_functions=("softmax", "softmax_multidim"),
        build_hls4ml=_build_softmax))


_register_generic()
