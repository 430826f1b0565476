"""Element-wise activations: ``relu``, ``leaky_relu``, ``linear``, ``sigmoid``, ``tanh``.

hls4ml 1.3.0 ``nnet_utils/nnet_activation.h`` (the same bodies in every cms-hls4ml
folder's copy): ``relu`` res = x > 0 ? (res_t)x : 0; ``leaky_relu`` res = x > 0 ? (res_t)x
: (res_t)(alpha*x) with ``alpha`` a literal assigned to the parameter type (floored);
``linear`` res = (res_t)x; ``sigmoid`` / ``tanh`` read a ``table_t`` table of
``table_size`` entries at index ``int(x*N/span) + N/2`` (C++ truncation, clamped), see
:mod:`firmware_models.nn.tables`.
"""

from __future__ import annotations

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
            types["param"] = ctx.type(call.targs[1], call.name)
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
