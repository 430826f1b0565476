"""Property tests: the fast NN kernels equal the Python-int reference twin.

Random small layers with random fixed-point types (every rounding and overflow
mode, narrow and wide accumulators, latency and resource orders) and random raw
inputs over the full input range; fast == reference, exactly.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_models.fixed import FixedType
from firmware_models.nn import LayerRecord, NNModel
from firmware_models.nn.hls4ml_project import resource_order
from firmware_models.nn.tables import sigmoid_table, tanh_table

ROUND = ["TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_INF", "RND_MIN_INF", "RND_CONV"]
OVER = ["WRAP", "SAT", "SAT_ZERO", "SAT_SYM"]


@st.composite
def fixed_types(draw, min_w=2, max_w=24, modes=True):
    w = draw(st.integers(min_w, max_w))
    i = draw(st.integers(-2, w + 2))
    signed = draw(st.booleans())
    if not modes:
        return FixedType(w, i, signed)
    return FixedType(w, i, signed, draw(st.sampled_from(ROUND)), draw(st.sampled_from(OVER)))


def _raw(draw, t: FixedType, shape):
    return np.array(draw(st.lists(st.integers(t.min_raw, t.max_raw), min_size=int(np.prod(shape)),
                                  max_size=int(np.prod(shape))))).reshape(shape).astype(np.int64)


@st.composite
def dense_models(draw):
    tx = draw(fixed_types(max_w=16))
    tw = draw(fixed_types(max_w=10, modes=False))
    tb = draw(fixed_types(max_w=12, modes=False))
    ta = draw(fixed_types(min_w=4, max_w=40))
    tr = draw(fixed_types(max_w=20))
    n_in, n_out = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    w, b = _raw(draw, tw, (n_in, n_out)), _raw(draw, tb, (n_out,))
    order, strategy, rf = None, "latency", 1
    if draw(st.booleans()):
        from firmware_models.nn.onnx_config import valid_reuse_factors

        rf = draw(st.sampled_from(valid_reuse_factors(n_in, n_out)))
        kernel = "DenseResource_rf_leq_nin" if rf <= n_in else "DenseResource_rf_gt_nin_rem0"
        order, _ = resource_order(kernel, n_in, n_out, rf)
        strategy = "resource"
    dense = LayerRecord("d", "dense", n_in, n_out, {"input": tx, "weight": tw, "bias": tb, "accum": ta,
                                                    "result": tr}, {"weight": w, "bias": b},
                        reuse_factor=rf, strategy=strategy, order=order)
    x = _raw(draw, tx, (draw(st.integers(1, 12)), n_in))
    return NNModel(tx, [dense]), x


@st.composite
def activation_models(draw):
    tx = draw(fixed_types(max_w=20))
    tr = draw(fixed_types(max_w=20))
    n = draw(st.integers(1, 5))
    kind = draw(st.sampled_from(["relu", "leaky_relu", "linear", "sigmoid", "tanh", "batchnorm"]))
    types, params, extra = {"input": tx, "result": tr}, {}, {}
    if kind == "leaky_relu":
        types["param"] = draw(fixed_types(max_w=8, modes=False))
        params["alpha"] = _raw(draw, types["param"], ())
    elif kind in ("sigmoid", "tanh"):
        types["table"] = FixedType(18, 8)
        size = draw(st.sampled_from([64, 256, 1024]))
        params["table"] = (sigmoid_table if kind == "sigmoid" else tanh_table)(size, types["table"])
        extra["table_size"] = size
    elif kind == "batchnorm":
        types["scale"], types["bias"] = draw(fixed_types(max_w=12, modes=False)), draw(fixed_types(max_w=12, modes=False))
        params["scale"], params["bias"] = _raw(draw, types["scale"], (n,)), _raw(draw, types["bias"], (n,))
    layer = LayerRecord("a", kind, n, n, types, params, **extra)
    x = _raw(draw, tx, (draw(st.integers(1, 12)), n))
    return NNModel(tx, [layer]), x


@settings(max_examples=60, deadline=None)
@given(dense_models())
def test_dense_fast_equals_reference(case):
    model, x = case
    fast = model.predict_raw(x)[model.output_name]
    ref = model.predict_raw(x, reference=True)[model.output_name]
    np.testing.assert_array_equal(fast, ref)


@settings(max_examples=60, deadline=None)
@given(activation_models())
def test_activation_fast_equals_reference(case):
    model, x = case
    np.testing.assert_array_equal(model.predict_raw(x)[model.output_name],
                                  model.predict_raw(x, reference=True)[model.output_name])
