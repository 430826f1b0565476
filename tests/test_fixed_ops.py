"""add / sub / mul are exact in ap_fixed's result types; wrap and saturate (properties)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_models.fixed import FixedType, add, mul, saturate, sub, wrap

from test_fixed_reference import PROFILE_EXAMPLES, fixed_types, ref_overflow

_SETTINGS = settings(max_examples=PROFILE_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def operands(draw, max_width: int = 48):
    ta, tb = draw(fixed_types(max_width=max_width)), draw(fixed_types(max_width=max_width))
    n = draw(st.integers(1, 10))
    a = draw(st.lists(st.integers(ta.min_raw, ta.max_raw), min_size=n, max_size=n))
    b = draw(st.lists(st.integers(tb.min_raw, tb.max_raw), min_size=n, max_size=n))
    return ta, a, tb, b


def _arr(values: list[int], t: FixedType) -> np.ndarray:
    return np.array(values, dtype=np.int64 if t.fits_int64 else object)


@_SETTINGS
@given(operands())
def test_add_sub_mul_are_exact_and_in_range(case) -> None:
    ta, a, tb, b = case
    for func, exact in ((add, lambda x, y: x + y), (sub, lambda x, y: x - y), (mul, lambda x, y: x * y)):
        raw, rt = func(_arr(a, ta), ta, _arr(b, tb), tb)
        for r, x, y in zip(raw, a, b):
            assert int(r) * rt.lsb == exact(x * ta.lsb, y * tb.lsb)
            assert rt.min_raw <= int(r) <= rt.max_raw
        assert raw.dtype == (np.int64 if rt.fits_int64 else object)


def test_wide_product_goes_exact() -> None:
    ta, tb = FixedType(40, 10), FixedType(40, 12, False)
    raw, rt = mul(np.array([ta.max_raw, ta.min_raw]), ta, np.array([tb.max_raw, tb.max_raw]), tb)
    assert rt == FixedType(80, 22) and raw.dtype == object
    assert list(raw) == [ta.max_raw * tb.max_raw, ta.min_raw * tb.max_raw]


@_SETTINGS
@given(fixed_types(max_width=70), st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=10))
def test_wrap_and_saturate(t: FixedType, values: list[int]) -> None:
    plain = FixedType(t.width, t.integer, t.signed)  # WRAP, N=0
    np.testing.assert_array_equal(wrap(np.array(values), t), _arr([ref_overflow(v, plain) for v in values], t))
    sat = FixedType(t.width, t.integer, t.signed, "TRN", "SAT_SYM" if t.overflow == "SAT_SYM" else "SAT")
    got = saturate(np.array(values), sat)
    assert [int(v) for v in got] == [ref_overflow(v, sat) for v in values]
