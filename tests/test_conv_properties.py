"""Property tests: each conv-family fast form equals its plain reference twin (hypothesis).

Random geometries (1D/2D, kernels, strides, dilations, 'same'/'valid' and odd paddings), random
fixed-point types over every rounding and overflow mode, and random resource reuse factors;
the twins follow the C++ loops in Python ints.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from firmware_models.fixed import FixedType
from firmware_models.fixed.types import OVERFLOW_MODES, ROUNDING_MODES
from firmware_models.nn import batchnorm_channels, conv, embedding, pooling, reshape_ops


@st.composite
def fixed_types(draw, max_width=18, signed=None):
    w = draw(st.integers(2, max_width))
    i = draw(st.integers(-2, w + 2))
    s = draw(st.booleans()) if signed is None else signed
    return FixedType(w, i, s, draw(st.sampled_from(ROUNDING_MODES)), draw(st.sampled_from(OVERFLOW_MODES)),
                     draw(st.integers(0, 2)) if draw(st.booleans()) else 0)


def _raw(rng, t: FixedType, shape):
    """Raw values a variable of type t can hold (SAT_SYM never holds -2**(W-1))."""
    x = rng.integers(t.sat_min_raw, t.max_raw + 1, size=shape)
    x.reshape(-1)[:2] = [t.sat_min_raw, t.max_raw][: x.size]
    return x


@st.composite
def conv_cases(draw):
    two_d = draw(st.booleans())
    c = draw(st.integers(1, 3))
    size = [draw(st.integers(1, 6)) for _ in range(2 if two_d else 1)]
    kernel = [draw(st.integers(1, 3)) for _ in size]
    stride = [draw(st.integers(1, 3)) for _ in size]
    dil = [draw(st.integers(1, 2)) for _ in size]
    pads = []
    for n, k, s, d in zip(size, kernel, stride, dil):
        mode = draw(st.sampled_from(["same", "valid", "odd"]))
        p = conv.same_padding(n, k, s) if mode == "same" else (0, 0) if mode == "valid" else \
            (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
        if n + p[0] + p[1] < d * (k - 1) + 1:
            p = (p[0], p[1] + d * (k - 1) + 1 - n - p[0] - p[1])
        pads.extend(p)
    return (*size, c), kernel, stride, pads, dil, draw(st.integers(1, 4))


@given(conv_cases(), fixed_types(), fixed_types(12), fixed_types(24), fixed_types(), st.integers(0, 2**32 - 1),
       st.booleans())
def test_conv_matches_twin(geo, t_in, t_w, t_acc, t_res, seed, resource):
    shape, kernel, stride, pads, dil, n_filt = geo
    rng = np.random.default_rng(seed)
    imap = conv.im2col_map(shape, kernel, stride, pads, dil)
    k = imap.shape[1]
    w = _raw(rng, t_w, (k, n_filt))
    b = _raw(rng, t_w, (n_filt,))
    x = _raw(rng, t_in, (7, *shape))
    order = None
    if resource:
        # the reuse factors hls4ml's _validate_reuse_factor accepts (and the conv kernel's RF <= K)
        rfs = [rf for rf in range(1, k + 1) if (k * n_filt) % rf == 0 and (k * n_filt // rf) % n_filt == 0]
        order = conv.resource_tap_order(k, n_filt, rfs[seed % len(rfs)])
    kw = dict(t_in=t_in, t_weight=t_w, t_bias=t_w, t_accum=t_acc, t_result=t_res, order=order)
    np.testing.assert_array_equal(conv.conv(x, imap, w, b, **kw), conv.conv_reference(x, imap, w, b, **kw))


def test_im2col_geometry_by_hand():
    # 1D, W=4, C=1, kernel 3, 'same' (1, 1): taps of pixel 0 are [pad, x0, x1]
    m = conv.im2col_map((4, 1), 3, 1, conv.same_padding(4, 3, 1))
    np.testing.assert_array_equal(m, [[-1, 0, 1], [0, 1, 2], [1, 2, 3], [2, 3, -1]])
    # 2D channels last: H=2, W=2, C=2, kernel 1x1 stride 2 -> one pixel, taps = its channels
    np.testing.assert_array_equal(conv.im2col_map((2, 2, 2), (1, 1), (2, 2), 0), [[0, 1]])
    assert conv.same_padding(5, 3, 2) == (1, 1) and conv.same_padding(4, 3, 2) == (0, 1)


def test_resource_order_visits_every_tap_in_loop_order():
    o = conv.resource_tap_order(9, 16, 3)
    assert o.shape == (16, 9)
    np.testing.assert_array_equal(o[0], [0, 3, 6, 1, 4, 7, 2, 5, 8])


@st.composite
def pool_cases(draw):
    variant = draw(st.sampled_from(pooling.VARIANTS))
    two_d = draw(st.booleans())
    ps = [draw(st.integers(1, 3)) for _ in range(2 if two_d else 1)]
    st_ = ps if variant != "v1.3" else [draw(st.integers(1, 3)) for _ in ps]
    size = [draw(st.integers(p, 7)) for p in ps]
    pad = [0] * (2 * len(ps))
    if variant == "v1.3" and draw(st.booleans()):
        pad = [draw(st.integers(0, p - 1)) for p in ps for _ in (0, 1)]
    elif variant.startswith("legacy") or variant == "accum_stride":
        size = [s // p * p for s, p in zip(size, ps)]
    return variant, (*size, draw(st.integers(1, 3))), ps, st_, pad


@given(pool_cases(), fixed_types(14), fixed_types(18), fixed_types(14), st.sampled_from(["max", "average"]),
       st.booleans(), st.booleans(), st.integers(0, 2**32 - 1))
def test_pooling_matches_twin(case, t_in, t_acc, t_res, op, global_, count_pad, seed):
    variant, shape, ps, st_, pad = case
    x = _raw(np.random.default_rng(seed), t_in, (5, *shape))
    pool_size = ps[0] if len(ps) == 1 else tuple(ps)
    stride = st_[0] if len(st_) == 1 else tuple(st_)
    kw = dict(op=op, t_in=t_in, t_result=t_res, t_accum=t_acc, variant=variant, global_=global_, count_pad=count_pad)
    try:
        fast = pooling.pool(x, shape, pool_size, stride, tuple(pad), **kw)
    except Exception as exc:  # noqa: BLE001 - the twin must refuse the same inputs
        import pytest

        with pytest.raises(type(exc)):
            pooling.pool_reference(x, shape, pool_size, stride, tuple(pad), **kw)
        return
    np.testing.assert_array_equal(fast, pooling.pool_reference(x, shape, pool_size, stride, tuple(pad), **kw))


def test_max_pad_value_of_unsigned_is_the_msb():
    assert pooling.max_pad_value(FixedType(8, 4, False)) == 128
    assert pooling.max_pad_value(FixedType(8, 4)) == -128


def test_legacy_overloads():
    c = pooling.legacy_avg_types
    assert c(FixedType.parse("ap_fixed<16,6>"), 4, "legacy")[0] == FixedType(18, 8)
    assert c(FixedType.parse("ap_ufixed<16,6>"), 4, "legacy")[0] == FixedType.parse("ap_ufixed<16,6>")
    assert c(FixedType.parse("ap_ufixed<16,6,AP_RND,AP_SAT>"), 3, "legacy_modes")[0] == \
        FixedType.parse("ap_ufixed<18,8,AP_RND,AP_SAT>")


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 3), st.integers(0, 3), st.integers(0, 3),
       st.integers(0, 3), st.integers(0, 3), fixed_types(14), fixed_types(14), st.integers(0, 2**32 - 1),
       st.sampled_from(["pad", "crop", "up", "transpose"]), st.booleans())
def test_index_maps_match_twin(h, w, c, a, b, l_, r, t_in, t_res, seed, kind, one_d):
    shape = (w, c) if one_d else (h, w, c)
    pads = (l_, r) if one_d else (a, b, l_, r)
    if kind == "pad":
        m, out = reshape_ops.zeropad_map(shape, pads)
    elif kind == "crop":
        crops = tuple(min(p, s - 1) // 2 for p, s in zip(pads, ((w, w) if one_d else (h, h, w, w))))
        m, out = reshape_ops.cropping_map(shape, crops)
    elif kind == "up":
        m, out = reshape_ops.upsampling_map(shape, (w * (a + 1),) if one_d else (h * (a + 1), w * (b + 1)))
    else:
        m, out = reshape_ops.transpose_map(shape, tuple(np.random.default_rng(seed).permutation(len(shape))))
    x = _raw(np.random.default_rng(seed), t_in, (4, *shape))
    np.testing.assert_array_equal(reshape_ops.gather_cast(x, m, out, t_in=t_in, t_result=t_res),
                                  reshape_ops.gather_cast_reference(x, m, out, t_in=t_in, t_result=t_res))


def test_index_maps_by_hand():
    x = np.arange(6).reshape(1, 2, 3, 1)   # H=2, W=3
    t = FixedType(8, 8)
    m, out = reshape_ops.transpose_map((2, 3, 1), (1, 0, 2))
    np.testing.assert_array_equal(reshape_ops.gather_cast(x, m, out, t_in=t, t_result=t)[0, :, :, 0],
                                  [[0, 3], [1, 4], [2, 5]])
    m, out = reshape_ops.upsampling_map((2, 3, 1), (4, 6))
    np.testing.assert_array_equal(reshape_ops.gather_cast(x, m, out, t_in=t, t_result=t)[0, :, :, 0],
                                  np.repeat(np.repeat(x[0, :, :, 0], 2, 0), 2, 1))
    m, out = reshape_ops.zeropad_map((2, 3, 1), (1, 0, 0, 1))
    assert out == (3, 4, 1)
    np.testing.assert_array_equal(reshape_ops.gather_cast(x, m, out, t_in=t, t_result=t)[0, :, :, 0],
                                  [[0, 0, 0, 0], [0, 1, 2, 0], [3, 4, 5, 0]])


@given(fixed_types(12), fixed_types(12), fixed_types(12), fixed_types(16), st.integers(1, 4), st.integers(1, 3),
       st.integers(0, 2**32 - 1), st.booleans())
def test_batchnorm_matches_twin(t_in, t_s, t_b, t_res, c, hw, seed, per_element):
    rng = np.random.default_rng(seed)
    x = _raw(rng, t_in, (6, hw, c))
    n = hw * c if per_element else c
    s, b = _raw(rng, t_s, (n,)), _raw(rng, t_b, (n,))
    kw = dict(t_in=t_in, t_scale=t_s, t_bias=t_b, t_result=t_res)
    np.testing.assert_array_equal(batchnorm_channels.batchnorm(x, s, b, **kw),
                                  batchnorm_channels.batchnorm_reference(x, s, b, **kw))


@given(st.integers(1, 9), st.integers(1, 5), fixed_types(12), fixed_types(14), st.integers(0, 2**32 - 1))
def test_embedding_matches_twin(vocab, n_out, t_tab, t_res, seed):
    rng = np.random.default_rng(seed)
    t_in = FixedType.ap_int(8, signed=False)
    x = rng.integers(0, vocab, size=(5, 4))
    tab = _raw(rng, t_tab, (vocab, n_out))
    kw = dict(t_in=t_in, t_table=t_tab, t_result=t_res)
    np.testing.assert_array_equal(embedding.embedding(x, tab, **kw), embedding.embedding_reference(x, tab, **kw))


def test_embedding_refuses_out_of_vocabulary():
    import pytest

    from firmware_models.errors import ModelFormatError

    with pytest.raises(ModelFormatError, match="outside the vocabulary"):
        embedding.embedding(np.array([[3]]), np.zeros((3, 2), dtype=np.int64), t_in=FixedType.ap_int(4),
                            t_table=FixedType(8, 4), t_result=FixedType(8, 4))
