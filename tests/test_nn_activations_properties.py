"""Property tests: every fast activation equals its Python-int twin (:mod:`firmware_models.nn.activations_ref`).

Random fixed-point types (every rounding and overflow mode, negative fractional bits,
ap_int results), random raw inputs over the whole range (also wide inputs whose table
index wraps the 32-bit ``int``), random parameters and random tables, every variant.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType
from firmware_models.nn import activations as fast
from firmware_models.nn import activations_ref as ref
from firmware_models.nn import table_activations as tfast
from firmware_models.nn.nnet_variants import VARIANTS, detect_variant, param_type
from firmware_models.nn.tables import int_of_scaled, neg_index, table_index

ROUND = ["TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_INF", "RND_MIN_INF", "RND_CONV"]
OVER = ["WRAP", "SAT", "SAT_ZERO", "SAT_SYM"]
VNAMES = sorted(VARIANTS)


@st.composite
def fixed_types(draw, min_w=1, max_w=24, modes=True, ints=True):
    if ints and draw(st.integers(0, 7)) == 0:
        return FixedType.ap_int(draw(st.integers(max(min_w, 1), min(max_w, 12))), signed=draw(st.booleans()))
    w = draw(st.integers(min_w, max_w))
    i = draw(st.integers(-3, w + 4))
    signed = draw(st.booleans())
    if not modes:
        return FixedType(w, i, signed)
    return FixedType(w, i, signed, draw(st.sampled_from(ROUND)), draw(st.sampled_from(OVER)))


def _raws(draw, t: FixedType, n: int):
    return np.array(draw(st.lists(st.integers(t.min_raw, t.max_raw), min_size=n, max_size=n)), dtype=np.int64)


@st.composite
def inputs(draw, max_w=24):
    t = draw(fixed_types(min_w=2, max_w=max_w))
    return t, _raws(draw, t, draw(st.integers(1, 40)))


@given(inputs(), fixed_types(), st.sampled_from(["linear", "relu", "ternary_tanh"]))
def test_plain(xi, rt, name):
    t, x = xi
    np.testing.assert_array_equal(getattr(fast, name)(x, in_t=t, res_t=rt), getattr(ref, name)(x, in_t=t, res_t=rt))


@given(inputs(), fixed_types(), st.integers(-3, 9))
def test_relu_max(xi, rt, m):
    t, x = xi
    np.testing.assert_array_equal(fast.relu_max(x, max_int=m, in_t=t, res_t=rt),
                                  ref.relu_max(x, max_int=m, in_t=t, res_t=rt))


@given(inputs(), fixed_types(), fixed_types(min_w=2, max_w=16, ints=False), st.data())
def test_parametrised(xi, rt, pt, data):
    t, x = xi
    a = int(_raws(data.draw, pt, 1)[0])
    for name, key in (("leaky_relu", "alpha_t"), ("thresholded_relu", "theta_t")):
        kw = {"in_t": t, "res_t": rt, key: pt}
        np.testing.assert_array_equal(getattr(fast, name)(x, a, **kw), getattr(ref, name)(x, a, **kw), err_msg=name)
    alphas = _raws(data.draw, pt, x.size)
    np.testing.assert_array_equal(fast.prelu(x, alphas, in_t=t, alpha_t=pt, res_t=rt),
                                  ref.prelu(x, alphas, in_t=t, alpha_t=pt, res_t=rt))


@given(inputs(), fixed_types(), fixed_types(min_w=1, max_w=16, ints=False), fixed_types(min_w=1, max_w=8, ints=False),
       st.sampled_from(VNAMES), st.data())
def test_hard(xi, rt, slt, sht, v, data):
    t, x = xi
    kw = dict(in_t=t, res_t=rt, slope=int(_raws(data.draw, slt, 1)[0]), slope_t=slt,
              shift=int(_raws(data.draw, sht, 1)[0]), shift_t=sht, variant=v)
    np.testing.assert_array_equal(fast.hard_sigmoid(x, **kw), ref.hard_sigmoid(x, **kw))
    if VARIANTS[v].hard_activation == "config":
        np.testing.assert_array_equal(fast.hard_tanh(x, **kw), ref.hard_tanh(x, **kw))
    else:
        with pytest.raises(ModelFormatError, match="hard_tanh does not exist"):
            fast.hard_tanh(x, **kw)


@given(inputs(), fixed_types(), st.sampled_from(VNAMES))
def test_binary_tanh(xi, rt, v):
    t, x = xi
    np.testing.assert_array_equal(fast.binary_tanh(x, in_t=t, res_t=rt, variant=v),
                                  ref.binary_tanh(x, in_t=t, res_t=rt, variant=v))


@st.composite
def tables(draw, max_n=300):
    tt = draw(fixed_types(min_w=2, max_w=20, ints=False))
    return tt, _raws(draw, tt, draw(st.integers(1, max_n)))


@given(inputs(max_w=44), fixed_types(), tables(), st.sampled_from(["sigmoid", "tanh", "softplus", "softsign"]))
def test_span_tables(xi, rt, tab, name):
    t, x = xi
    tt, table = tab
    kw = dict(table=table, in_t=t, table_t=tt, res_t=rt)
    np.testing.assert_array_equal(getattr(tfast, name)(x, **kw), getattr(ref, name)(x, **kw))


@given(inputs(max_w=44), fixed_types(), tables(), fixed_types(min_w=1, max_w=12, ints=True), st.sampled_from(VNAMES),
       st.data())
def test_elu_selu(xi, rt, tab, at, v, data):
    t, x = xi
    tt, table = tab
    a = int(_raws(data.draw, at, 1)[0])
    kw = dict(table=table, in_t=t, table_t=tt, res_t=rt)
    np.testing.assert_array_equal(tfast.elu(x, a, alpha_t=at, **kw), ref.elu(x, a, alpha_t=at, **kw))
    np.testing.assert_array_equal(tfast.selu(x, variant=v, **kw), ref.selu(x, variant=v, **kw))


@given(fixed_types(min_w=1, max_w=10), fixed_types(), fixed_types(min_w=2, max_w=16, ints=False), st.data())
def test_unary_lut(t, rt, tt, data):
    table = _raws(data.draw, tt, 1 << t.width)
    x = _raws(data.draw, t, data.draw(st.integers(1, 30)))
    kw = dict(table=table, in_t=t, table_t=tt, res_t=rt)
    np.testing.assert_array_equal(tfast.unary_lut(x, **kw), ref.unary_lut(x, **kw))


@given(st.integers(-(2**60), 2**60), st.integers(-8, 30), st.sampled_from([1024, 1000, 64, 4096, 7]),
       st.sampled_from([16, 8, 64, -8, 1, 3]))
def test_index_rules(raw, frac, n, div):
    """The vectorised C++ ``int`` index arithmetic equals its two-step twin, 32-bit wrap included."""
    r = np.array([raw, -raw, raw // 3])
    want = [ref.int_of_scaled_one(int(v), frac, n, div) for v in r]
    np.testing.assert_array_equal(int_of_scaled(r, frac, n, div), want)
    if div in (16, 8):
        np.testing.assert_array_equal(table_index(r, frac, n, div), [ref.span_index_one(int(v), frac, n, div) for v in r])
    for z in (True, False):
        np.testing.assert_array_equal(neg_index(r, frac, n, negative_to_zero=z),
                                      [ref.neg_index_one(int(v), frac, n, negative_to_zero=z) for v in r])


def test_param_type_per_generation():
    """Older headers put alpha/theta in data_T (ELU's in res_T); hls4ml >= 1.0 in the param_t template argument."""
    assert param_type("leaky_relu", "hls4ml-0.7", in_t="ap_fixed<8,3>", res_t="ap_fixed<6,2>") == \
        FixedType.parse("ap_fixed<8,3>")
    assert param_type("elu", "hls4ml-0.6", in_t="ap_fixed<8,3>", res_t="ap_fixed<6,2>") == FixedType.parse("ap_fixed<6,2>")
    assert param_type("prelu", "hls4ml-1.2", in_t="ap_fixed<8,3>", res_t="ap_fixed<6,2>", param_t="ap_fixed<4,1>") == \
        FixedType.parse("ap_fixed<4,1>")
    with pytest.raises(ModelFormatError, match="needs its param_t"):
        param_type("leaky_relu", "hls4ml-1.0", in_t="ap_fixed<8,3>", res_t="ap_fixed<6,2>")


def test_detect_variant_refuses_other_headers():
    with pytest.raises(ModelFormatError, match="not an hls4ml nnet_activation.h"):
        detect_variant("int main() { return 0; }")
