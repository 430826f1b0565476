"""Property tests: the vectorised softmax equals its Python-int twin (:mod:`firmware_models.nn.softmax_ref`).

Random types for every intermediate (input, exp/inv tables, accumulator, inversion
index, normalised input, result), random power-of-two table sizes within the address
widths, random table contents, rows of 1 to 12, every implementation and generation,
and the multi-dimensional form.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType
from firmware_models.nn import softmax as fast
from firmware_models.nn import softmax_ref as ref
from firmware_models.nn.nnet_variants import VARIANTS
from firmware_models.nn.softmax_tables import ceillog2, slice_index, softmax_tables

ROUND = ["TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_INF", "RND_MIN_INF", "RND_CONV"]
OVER = ["WRAP", "SAT", "SAT_ZERO", "SAT_SYM"]


@st.composite
def ftype(draw, min_w=2, max_w=20):
    w = draw(st.integers(min_w, max_w))
    return FixedType(w, draw(st.integers(-2, w + 3)), draw(st.booleans()), draw(st.sampled_from(ROUND)),
                     draw(st.sampled_from(OVER)))


def _raws(draw, t, shape):
    n = int(np.prod(shape))
    return np.array(draw(st.lists(st.integers(t.min_raw, t.max_raw), min_size=n, max_size=n)),
                    dtype=np.int64).reshape(shape)


@st.composite
def softmax_cases(draw):
    v = VARIANTS[draw(st.sampled_from(sorted(VARIANTS)))]
    impl = draw(st.sampled_from(["latency", "stable", "legacy"] + (["argmax"] if v.softmax_argmax else [])))
    it, rt, et, vt = (draw(ftype()) for _ in range(4))
    at, iit, nt = draw(ftype(max_w=26)), draw(ftype()), draw(ftype())
    if v.softmax_tables == "shared":
        at = iit = et
        bits = min(it.width, et.width)
        ne = ni = 1 << draw(st.integers(1, min(bits, 10)))
    else:
        ne = 1 << draw(st.integers(1, min(nt.width if impl == "stable" else it.width, 10)))
        ni = 1 << draw(st.integers(1, min(iit.width, 10)))
    if impl == "legacy":
        et = vt = draw(ftype())
        ne, ni = draw(st.integers(1, 600)), draw(st.integers(1, 600))
    exp_table, inv_table = _raws(draw, et, (ne,)), _raws(draw, vt, (ni,))
    x = _raws(draw, it, (draw(st.integers(1, 6)), draw(st.integers(1, 12))))
    kw = dict(implementation=impl, in_t=it, res_t=rt, exp_table=exp_table, inv_table=inv_table, exp_table_t=et,
              inv_table_t=vt, accum_t=at, inv_inp_t=iit, inp_norm_t=nt, table_t=et, variant=v)
    return x, kw


@given(softmax_cases())
def test_softmax_fast_equals_twin(case):
    x, kw = case
    np.testing.assert_array_equal(fast.softmax(x, **kw), ref.softmax(x, **kw))


@given(softmax_cases(), st.integers(1, 3), st.integers(1, 3))
def test_multidim_equals_twin(case, n_outer, n_inner):
    x, kw = case
    x = np.tile(x, (1, n_outer * n_inner))
    np.testing.assert_array_equal(fast.softmax_multidim(x, n_outer=n_outer, n_inner=n_inner, **kw),
                                  ref.softmax_multidim(x, n_outer=n_outer, n_inner=n_inner, **kw))


@given(ftype(max_w=40), st.integers(1, 5000), st.data())
def test_slice_index_is_the_top_bits(t, size, data):
    if ceillog2(size) > t.width:
        with pytest.raises(ModelFormatError, match="address bits"):
            slice_index(np.array([0]), t, size)
        return
    x = _raws(data.draw, t, (20,))
    n = ceillog2(size)
    want = [int(format(int(v) % (1 << t.width), f"0{t.width}b")[:n], 2) for v in x]
    np.testing.assert_array_equal(slice_index(x, t, size), want)


def test_ceillog2_is_nnet_helpers():
    assert [ceillog2(x) for x in (1, 2, 3, 4, 5, 1000, 1024, 1025)] == [1, 1, 2, 2, 3, 10, 10, 11]


def test_argmax_absent_in_0_6():
    with pytest.raises(ModelFormatError, match="does not exist"):
        fast.softmax(np.zeros((1, 3), dtype=np.int64), implementation="argmax", in_t="ap_fixed<8,3>",
                     res_t="ap_fixed<8,3>", variant="hls4ml-0.6")


def test_split_needs_its_types():
    et, it = softmax_tables("hls4ml-1.0", "latency", in_t="ap_fixed<16,6>")
    with pytest.raises(ModelFormatError, match="accum_t and inv_inp_t"):
        fast.softmax(np.zeros((1, 3), dtype=np.int64), implementation="latency", in_t="ap_fixed<16,6>",
                     res_t="ap_fixed<16,6>", exp_table=et, inv_table=it, variant="hls4ml-1.2")


def test_speed_shape_65536x5_runs():
    """The vectorised form handles a full batch (the bench measures its speed)."""
    rng = np.random.default_rng(0)
    x = rng.integers(-(2**15), 2**15, size=(65536, 5))
    kw = dict(in_t="ap_fixed<16,6>", inv_inp_t="ap_fixed<18,8,AP_RND,AP_SAT>", inp_norm_t="ap_ufixed<15,5>")
    et, it = softmax_tables("hls4ml-1.2", "stable", **kw)
    res = fast.softmax(x, implementation="stable", res_t="ap_ufixed<16,0,AP_RND,AP_SAT>", exp_table=et,
                       inv_table=it, accum_t="ap_fixed<18,8,AP_RND,AP_SAT>", **kw)
    np.testing.assert_array_equal(res[:50], ref.softmax(x[:50], implementation="stable",
                                                        res_t="ap_ufixed<16,0,AP_RND,AP_SAT>", exp_table=et,
                                                        inv_table=it, accum_t="ap_fixed<18,8,AP_RND,AP_SAT>", **kw))
