"""Property tests: the score heads' fast forms equal their Python-int twins.

Port score, continuous KL, discrete KL (any softmax implementation, any declared types)
and their sum, on random raw outputs over the whole range of random types.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType
from firmware_models.nn.scores import kl_continuous, kl_continuous_ref, port_head
from firmware_models.nn.scores_categorical import kl_discrete_head, kl_total, kl_total_ref, log_table
from firmware_models.nn.tables import exp_table

ROUND = ["TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_INF", "RND_MIN_INF", "RND_CONV"]
OVER = ["WRAP", "SAT", "SAT_ZERO", "SAT_SYM"]


@st.composite
def ftype(draw, min_w=2, max_w=20, signed=None):
    w = draw(st.integers(min_w, max_w))
    s = draw(st.booleans()) if signed is None else signed
    return FixedType(w, draw(st.integers(-1, w + 2)), s, draw(st.sampled_from(ROUND)), draw(st.sampled_from(OVER)))


def _raws(draw, t, shape):
    n = int(np.prod(shape))
    return np.array(draw(st.lists(st.integers(t.min_raw, t.max_raw), min_size=n, max_size=n)),
                    dtype=np.int64).reshape(shape)


@given(ftype(), ftype(), st.integers(1, 4), st.data())
def test_port_head(ot, stype, n, data):
    out = _raws(data.draw, ot, (data.draw(st.integers(1, 20)), n))
    head = port_head(ot, stype, index=n - 1)
    np.testing.assert_array_equal(head.compute(out), head.compute_reference(out))


@given(ftype(max_w=16), ftype(), ftype(), ftype(min_w=4, max_w=24), ftype(), st.sampled_from([64, 1000, 1024]),
       st.integers(1, 5), st.data())
def test_kl_continuous(ot, sq, tt, at, stype, n, latent, data):
    kw = dict(out_t=ot, square_t=sq, table=exp_table(n, tt), table_t=tt, accum_t=at, score_t=stype)
    rows = data.draw(st.integers(1, 8))
    mu, lv = _raws(data.draw, ot, (rows, latent)), _raws(data.draw, ot, (rows, latent))
    np.testing.assert_array_equal(kl_continuous(mu, lv, **kw), kl_continuous_ref(mu, lv, **kw))


@given(ftype(min_w=8, max_w=16, signed=True), st.integers(1, 12), st.sampled_from(["latency", "stable", "legacy"]),
       ftype(min_w=4), ftype(), ftype(), ftype(min_w=4, max_w=24), ftype(), st.sampled_from([2, 100, 256, 1024]),
       st.data())
def test_kl_discrete(lt, c, impl, prob, logt, term, acc, score, n, data):
    head = kl_discrete_head(lt, c, columns=slice(0, c), implementation=impl, table_size=1024, prob_type=prob,
                            log_table_type=logt, log_table_size=n, term_type=term, accum_type=acc, score_type=score)
    out = _raws(data.draw, lt, (data.draw(st.integers(1, 6)), c))
    np.testing.assert_array_equal(head.compute(out), head.compute_reference(out))


@given(ftype(), ftype(), ftype(), st.data())
def test_kl_total(ct, dt, stype, data):
    n = data.draw(st.integers(1, 20))
    c, d = _raws(data.draw, ct, (n,)), _raws(data.draw, dt, (n,))
    kw = dict(cont_t=ct, disc_t=dt, score_t=stype)
    np.testing.assert_array_equal(kl_total(c, d, **kw), kl_total_ref(c, d, **kw))


def test_log_table_is_bin_centres():
    t = log_table(4, "ap_fixed<24,5>")
    np.testing.assert_array_equal(t, np.floor(np.log((np.arange(4) + 0.5) / 4) * 2**19).astype(np.int64))


def test_heads_name_bad_columns():
    head = kl_discrete_head("ap_fixed<16,6>", 4, columns=slice(0, 3))
    with pytest.raises(ModelFormatError, match="give 3 logits, expected 4"):
        head.compute(np.zeros((2, 5), dtype=np.int64))
    with pytest.raises(ModelFormatError, match="no column 7"):
        port_head("ap_fixed<16,6>", index=7).compute(np.zeros((2, 3), dtype=np.int64))
