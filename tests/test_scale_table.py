"""The whole-domain table path of the AXOL1TL input scaling equals the three casts.

:func:`firmware_models.nn.scale_kernels.scale_inputs_fast` scales every value of a
narrow wrapping input type once and gathers (``_wrap_table``); the reference is the
scaling spelled as three array casts (``scores._scale_inputs_casts``), on inputs that
include values far outside the type (they wrap) and on the shipped model's batch.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_models.fixed.types import FixedType
from firmware_models.nn.scale_kernels import _wrap_table, scale_inputs_fast
from firmware_models.nn.scores import _scale_inputs_casts

_ROUND = ["TRN", "RND", "RND_CONV", "RND_ZERO", "RND_INF", "RND_MIN_INF", "TRN_ZERO"]
_OVF = ["WRAP", "SAT", "SAT_ZERO", "SAT_SYM"]


@settings(max_examples=80, deadline=None)
@given(w_in=st.integers(4, 24), i_in=st.integers(1, 14), signed=st.booleans(), w_out=st.integers(2, 16),
       i_out=st.integers(-2, 12), out_signed=st.booleans(), rnd=st.sampled_from(_ROUND), ovf=st.sampled_from(_OVF),
       m=st.integers(1, 8), seed=st.integers(0, 2**32 - 1), spread=st.integers(1, 40))
def test_wrap_table_equals_the_three_casts(w_in, i_in, signed, w_out, i_out, out_signed, rnd, ovf, m, seed, spread):
    t_in = FixedType(max(w_in, i_in), i_in, signed)
    t_out = FixedType(w_out, i_out, out_signed, rnd, ovf)
    rng = np.random.default_rng(seed)
    off = rng.integers(-(1 << 12), 1 << 12, m)
    sh = rng.integers(0, 10, m)
    x = rng.integers(-(1 << spread), 1 << spread, (1500, m))
    x[:5] = rng.integers(-(2**62), 2**62, (5, m))  # far outside the type: these wrap
    assert _wrap_table(off, sh, t_in, t_out) is not None
    np.testing.assert_array_equal(scale_inputs_fast(x, off, sh, t_in, t_out),
                                  _scale_inputs_casts(x, off, sh, t_in, t_out))


def test_shipped_model_batch_equals_the_three_casts():
    from streams.synthetic import generate_l1_batch
    from triggeremu.stages.nn import load_ad_model

    ad = load_ad_model()
    l1, _ = generate_l1_batch(0, 20000, seed=5, signal_fraction=0.1)
    it = FixedType.parse(ad.scaling_in_type)
    assert _wrap_table(ad.offsets, ad.shifts, it, ad.model.input_type) is not None
    np.testing.assert_array_equal(ad.scaled_inputs(l1), _scale_inputs_casts(l1.astype(np.int64), ad.offsets,
                                                                            ad.shifts, it, ad.model.input_type))


def test_types_that_do_not_wrap_take_the_other_paths():
    off, sh = np.zeros(3, dtype=np.int64), np.ones(3, dtype=np.int64)
    out_t = FixedType(8, 6, True)
    assert _wrap_table(off, sh, FixedType(18, 13, True, "TRN", "SAT"), out_t) is None
    assert _wrap_table(off, sh, FixedType(18, 16, True), out_t) is None  # 2**16 values: too many
    assert _wrap_table(off, sh, FixedType(8, 10, True), out_t) is None  # LSB above 1
