"""quantize / cast / apply_overflow / to_float against the exact rational reference (properties)."""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_models.errors import UnsupportedTypeError
from firmware_models.fixed import (
    FixedType,
    RawRangeError,
    apply_overflow,
    cast,
    quantize,
    to_float,
)

from test_fixed_reference import (
    PROFILE_EXAMPLES,
    doubles_for,
    fixed_types,
    ref_convert,
    ref_overflow,
    ref_quantize_double,
)

_SETTINGS = settings(max_examples=PROFILE_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def type_and_doubles(draw, max_width: int = 70):
    t = draw(fixed_types(max_width=max_width))
    xs = draw(st.lists(doubles_for(t), min_size=1, max_size=12))
    return t, xs


@st.composite
def cast_case(draw, max_width: int = 70):
    src = draw(fixed_types(max_width=max_width))
    dst = draw(fixed_types(max_width=max_width))
    edges = st.sampled_from([src.min_raw, src.max_raw, 0, min(src.max_raw, 1), max(src.min_raw, -1)])
    raws = draw(st.lists(st.one_of(st.integers(src.min_raw, src.max_raw), edges), min_size=1, max_size=12))
    return src, dst, raws


def _raw_array(values: list[int], t: FixedType) -> np.ndarray:
    return np.array(values, dtype=np.int64 if t.fits_int64 else object)


@_SETTINGS
@given(type_and_doubles())
def test_quantize_equals_rational_reference(case) -> None:
    t, xs = case
    got = quantize(np.array(xs, dtype=np.float64), t)
    expected = _raw_array([ref_quantize_double(x, t) for x in xs], t)
    np.testing.assert_array_equal(got, expected)


@_SETTINGS
@given(cast_case())
def test_cast_equals_rational_reference(case) -> None:
    src, dst, raws = case
    got = cast(_raw_array(raws, src), src, dst)
    expected = _raw_array([ref_convert(r * src.lsb, dst) for r in raws], dst)
    np.testing.assert_array_equal(got, expected)


@_SETTINGS
@given(cast_case(max_width=40), fixed_types(max_width=40))
def test_cast_chain_equals_chained_reference(case, third: FixedType) -> None:
    src, mid, raws = case
    got = cast(cast(_raw_array(raws, src), src, mid), mid, third)
    expected = [ref_convert(ref_convert(r * src.lsb, mid) * mid.lsb, third) for r in raws]
    np.testing.assert_array_equal(got, _raw_array(expected, third))


@_SETTINGS
@given(type_and_doubles(max_width=53))
def test_quantize_is_idempotent(case) -> None:
    t, xs = case
    q = quantize(np.array(xs), t)
    np.testing.assert_array_equal(quantize(to_float(q, t), t), q)  # W <= 53: to_float is exact
    np.testing.assert_array_equal(cast(q, t, t), q)


@_SETTINGS
@given(type_and_doubles())
def test_result_always_in_range_and_sat_clamps(case) -> None:
    t, xs = case
    q = quantize(np.array(xs), t)
    assert all(t.min_raw <= int(v) <= t.max_raw for v in q)
    if t.overflow in ("SAT", "SAT_SYM"):
        assert all(t.sat_min_raw <= int(v) <= t.max_raw for v in q)
        for x, v in zip(xs, q):
            if x == float("inf") or (abs(x) != float("inf") and Fraction(x) > (t.max_raw + 1) * t.lsb):
                # beyond any rounding: clamped to max
                assert int(v) == t.max_raw


@_SETTINGS
@given(type_and_doubles())
def test_trn_wrap_is_floor_modulo_2_pow_w(case) -> None:
    t, xs = case
    t = FixedType(t.width, t.integer, t.signed)  # TRN, WRAP, N=0
    q = quantize(np.array([x for x in xs if abs(x) != float("inf")] or [0.0]), t)
    finite = [x for x in xs if abs(x) != float("inf")] or [0.0]
    for x, v in zip(finite, q):
        assert (int(v) - (Fraction(x) / t.lsb).__floor__()) % 2**t.width == 0


@_SETTINGS
@given(fixed_types(max_width=70), st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=12))
def test_apply_overflow_equals_reference(t: FixedType, values: list[int]) -> None:
    got = apply_overflow(np.array(values, dtype=np.int64), t)
    np.testing.assert_array_equal(got, _raw_array([ref_overflow(v, t) for v in values], t))


def test_shapes_are_kept() -> None:
    t = FixedType(8, 3, rounding="RND")
    x = np.linspace(-5, 5, 24).reshape(2, 3, 4)
    q = quantize(x, t)
    assert q.shape == (2, 3, 4) and q.dtype == np.int64
    assert cast(q, t, FixedType(12, 4)).shape == (2, 3, 4)


def test_float32_and_integer_inputs() -> None:
    t = FixedType(10, 4, rounding="RND_CONV")
    x32 = np.array([0.1, -2.7, 7.99], dtype=np.float32)
    np.testing.assert_array_equal(quantize(x32, t), quantize(x32.astype(np.float64), t))
    ints = np.array([3, -9, 7], dtype=np.int32)
    np.testing.assert_array_equal(quantize(ints, t), [ref_convert(Fraction(int(v)), t) for v in ints])


def test_nan_is_refused_with_the_type() -> None:
    with pytest.raises(UnsupportedTypeError, match=r"NaN.*ap_fixed<8,3>"):
        quantize(np.array([1.0, np.nan]), "ap_fixed<8,3>")


def test_raw_outside_source_range_is_refused() -> None:
    with pytest.raises(RawRangeError, match=r"outside the range of ap_fixed<8,3>"):
        cast(np.array([0, 300]), "ap_fixed<8,3>", "ap_fixed<16,6>", context="layer dense_1")


def test_non_integer_raw_is_refused() -> None:
    with pytest.raises(RawRangeError, match="integer array"):
        cast(np.array([0.5]), "ap_fixed<8,3>", "ap_fixed<16,6>")


def test_wide_type_refused_when_exact_path_disallowed_names_layer_and_type() -> None:
    with pytest.raises(UnsupportedTypeError, match=r"layer dense_1: type ap_fixed<80,40>"):
        quantize(np.array([1.0]), "ap_fixed<80,40>", context="layer dense_1", exact_fallback=False)
    with pytest.raises(UnsupportedTypeError, match=r"layer dense_2: type ap_fixed<70,30>"):
        cast(np.array([2**65], dtype=object), "ap_fixed<70,30>", "ap_fixed<16,6>", context="layer dense_2",
             exact_fallback=False)
    # a wide source type whose values fit the kernel's int64 domain still takes the fast path
    np.testing.assert_array_equal(cast(np.array([1 << 40]), "ap_fixed<70,30>", "ap_fixed<16,6>",
                                       exact_fallback=False), [1024])


def test_wide_types_are_exact_through_the_slow_path() -> None:
    t = FixedType(80, 40, True, "RND", "SAT")
    q = quantize(np.array([1.5, 1e300, -3.25]), t)
    assert q.dtype == object
    assert list(q) == [3 << 39, t.max_raw, -(13 << 38)]
    back = cast(q, t, FixedType(16, 6, True, "RND", "SAT"))
    assert back.dtype == np.int64 and list(back) == [1536, 32767, -3328]


def test_no_warnings_on_extreme_inputs() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = np.array([np.inf, -np.inf, 1e308, -1e308, 5e-324, 0.0, -0.0])
        for text in ["ap_fixed<62,61>", "ap_ufixed<1,-4,AP_RND,AP_SAT>", "ap_fixed<8,3,AP_RND_CONV,AP_WRAP,3>"]:
            t = FixedType.parse(text)
            np.testing.assert_array_equal(quantize(x, t), [ref_quantize_double(v, t) for v in x])
