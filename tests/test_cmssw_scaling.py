"""The wrappers' input conversions: fast kernels against their Python-int twins, and the C++ facts.

Bit-exactness against the upstream wrappers compiled with g++ is in
``tests/test_cmssw_golden.py``; here the kernels are checked against the plain twins over
random types, offsets and shifts (including negative shifts and wrapping), and the literal
conversions against what ap_fixed does (4.5 in ap_fixed<10,10> is 4, in ap_fixed<10,9> 4.5).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType
from firmware_models.nn.cmssw_l1 import (
    CMSSW_LAYOUT,
    axol1tl_condition_inputs,
    axol1tl_condition_inputs_reference,
)
from firmware_models.nn.cmssw_scaling import (
    AffineDoubleScaling,
    CopyInput,
    OffsetShiftScaling,
    offset_raw,
    shift_int,
)

U18 = FixedType(18, 13)


def test_offset_literals_take_their_declared_type() -> None:
    half_keeping, flooring = FixedType(10, 9), FixedType(10, 10)
    assert offset_raw(Fraction(9, 2), half_keeping) == 9          # 4.5 at LSB 0.5
    assert offset_raw(Fraction(9, 2), flooring) == 4              # floors 4.5 to 4
    assert offset_raw(Fraction(-1, 2), flooring) == -1            # and -0.5 to -1
    assert offset_raw(Fraction(-5, 2), flooring) == -3
    assert offset_raw(Fraction(600), flooring) == 600 - 1024      # wraps: ap_fixed<10,10> ends at 511


def test_shift_literals_read_back_as_ints_toward_zero() -> None:
    assert shift_int(Fraction(-1), FixedType(5, 5)) == -1
    assert shift_int(Fraction(7), FixedType(4, 4)) == 7
    assert shift_int(Fraction(-3, 2), FixedType(6, 4)) == -1      # to_ap_int_base truncates toward zero
    assert shift_int(Fraction(3), None) == 3
    with pytest.raises(ModelFormatError, match="not an integer"):
        shift_int(Fraction(1, 2), None)


def _axol(offsets, shifts, out="ap_fixed<8,6,AP_RND_CONV,AP_SAT>", off_t="ap_fixed<10,9>") -> OffsetShiftScaling:
    ot = FixedType.parse(off_t)
    return OffsetShiftScaling(U18, ot, tuple(offset_raw(Fraction(o), ot) for o in offsets), tuple(shifts), U18,
                              FixedType.parse(out), FixedType.parse(out))


def test_negative_shift_is_a_left_shift_that_wraps_in_the_unscaled_type() -> None:
    sc = _axol([0.0, 0.0], [-1, -15], out="ap_fixed<18,13>")
    x = np.array([[127219, 127219]])  # raw values seen in a g++ probe of ap_fixed<18,13> << 1 and << 15
    np.testing.assert_array_equal(sc.apply(x), [[-7706, 98304]])
    np.testing.assert_array_equal(sc.apply_reference(x), [[-7706, 98304]])


def test_the_difference_wraps_in_the_unscaled_type() -> None:
    sc = _axol([4.5], [0], out="ap_fixed<18,13>")
    np.testing.assert_array_equal(sc.apply(np.array([[-131072]])), [[130928]])  # -4096 - 4.5 wraps


def test_right_shift_floors_then_the_input_type_rounds_and_saturates() -> None:
    sc = _axol([0.0, 0.0, 0.0], [1, 0, 0])
    # 1.5 >> 1 = 0.75 (at LSB 1/32, exact), to <8,6> (LSB 0.25): 0.75; 100 saturates to 31.75; -0.125 -> tie to 0
    x = np.array([[48, 3200, -4]])
    np.testing.assert_array_equal(sc.apply(x), [[3, 127, 0]])
    np.testing.assert_array_equal(sc.apply_reference(x), [[3, 127, 0]])


_types = st.sampled_from(["ap_fixed<8,6,AP_RND_CONV,AP_SAT>", "ap_fixed<14,6,AP_RND_CONV,AP_SAT,0>",
                          "ap_fixed<18,13>", "ap_ufixed<10,6,AP_RND,AP_SAT>", "ap_fixed<12,4,AP_TRN_ZERO,AP_SAT_SYM>",
                          "ap_fixed<9,9,AP_RND_INF,AP_WRAP,2>"])


@given(seed=st.integers(0, 2**31), n=st.integers(1, 200), m=st.integers(1, 9), out=_types, tmp1=_types,
       tmp0=st.sampled_from(["ap_fixed<18,13>", "ap_fixed<16,12,AP_RND,AP_SAT>", "ap_fixed<20,13>"]),
       off_t=st.sampled_from(["ap_fixed<10,9>", "ap_fixed<10,10>", "ap_fixed<8,4>"]))
def test_offset_shift_kernel_equals_its_twin(seed, n, m, out, tmp1, tmp0, off_t) -> None:
    rng = np.random.default_rng(seed)
    ot = FixedType.parse(off_t)
    offsets = tuple(int(v) for v in rng.integers(ot.min_raw, ot.max_raw + 1, size=m))
    shifts = tuple(int(v) for v in rng.integers(-17, 19, size=m))
    sc = OffsetShiftScaling(U18, ot, offsets, shifts, FixedType.parse(tmp0), FixedType.parse(tmp1),
                            FixedType.parse(out))
    x = rng.integers(U18.min_raw, U18.max_raw + 1, size=(n, m))
    if seed % 2:  # few distinct values per column: the gather path
        x = x % 7 + rng.integers(-3, 3, size=(1, m))
    np.testing.assert_array_equal(sc.apply(x), sc.apply_reference(x))


def test_gather_path_equals_the_direct_kernel() -> None:
    rng = np.random.default_rng(3)
    sc = _axol(list(rng.integers(-50, 50, size=57) / 2), list(rng.integers(-2, 8, size=57)))
    x = rng.integers(-40, 40, size=(4000, 57)) * 32     # few values per feature: gathered
    wide = rng.integers(U18.min_raw, U18.max_raw + 1, size=(4000, 57))  # many values: direct
    both = np.concatenate([x, wide])
    np.testing.assert_array_equal(sc.apply(x), sc.apply(both)[:4000])
    np.testing.assert_array_equal(sc.apply(x[:300]), sc.apply_reference(x[:300]))


def test_scaling_refuses_inputs_outside_the_input_type() -> None:
    sc = _axol([0.0], [0])
    with pytest.raises(ValueError, match="outside ap_fixed<18,13>"):
        sc.apply(np.array([[1 << 17]]))
    with pytest.raises(ModelFormatError, match="shape"):
        sc.apply(np.zeros((2, 3), dtype=np.int64))
    with pytest.raises(ModelFormatError, match="raw integer"):
        sc.apply(np.zeros((2, 1)))


@given(seed=st.integers(0, 2**31), n=st.integers(1, 100),
       out=st.sampled_from(["ap_fixed<16,6>", "ap_fixed<12,4,AP_RND_CONV,AP_SAT>", "ap_ufixed<8,2,AP_RND,AP_WRAP>"]))
def test_affine_double_numpy_path_equals_the_rational_twin(seed, n, out) -> None:
    rng = np.random.default_rng(seed)
    m = 6
    bias = tuple(int(v) for v in rng.integers(-100, 100, size=m))
    norm = tuple(float(v) for v in rng.choice([1, 3, 7, 16, 100, 256, 1000], size=m))
    sc = AffineDoubleScaling(FixedType(23, 23), bias, norm, FixedType.parse(out))
    x = rng.integers(-(1 << 22), 1 << 22, size=(n, m))
    x[: n // 2] %= 300
    np.testing.assert_array_equal(sc.apply(x), sc.apply_reference(x))


def test_affine_double_divides_in_double_then_floors_into_the_input_type() -> None:
    sc = AffineDoubleScaling(FixedType(23, 23), (51, 0), (256.0, 3.0), FixedType(16, 6))
    x = np.array([[51 + 256 * 3 + 1, 1], [0, -1]])
    # (769 - 51 + ... ) : 769/256 = 3.00390625 -> raw 3076; 1/3 -> floor(1024/3) = 341; -51/256 -> floor; -1/3 -> -342
    np.testing.assert_array_equal(sc.apply(x), [[3076, 341], [-204, -342]])


def test_copy_is_the_identity_or_one_assignment() -> None:
    same = CopyInput(FixedType(10, 10, False), FixedType(10, 10, False), 3)
    x = np.array([[0, 5, 1023]])
    np.testing.assert_array_equal(same.apply(x), x)
    other = CopyInput(FixedType(10, 10, False), FixedType(8, 8, False, "TRN", "SAT"), 3)
    np.testing.assert_array_equal(other.apply(x), [[0, 5, 255]])
    np.testing.assert_array_equal(other.apply_reference(x), [[0, 5, 255]])


def test_cmssw_input_layout_is_the_replay_l1_inputs_layout() -> None:
    from streams.hwunits import L1_INPUT_NAMES

    assert tuple(L1_INPUT_NAMES) == CMSSW_LAYOUT


def test_cmssw_inputs_halve_pt_by_integer_division_then_take_ap_fixed_18_13() -> None:
    codes = np.zeros((1, 57), dtype=np.int64)
    codes[0, :3] = [7, 0, 143]            # MET hwPt 7 -> 3 (int / 2), eta 0, phi 143
    codes[0, 3:6] = [511, -128, 0]        # e/gamma
    codes[0, 15:18] = [1, -256, 575]      # muon: hwPt 1 (0 GeV) -> 0, eta/phi at the vertex
    raw = axol1tl_condition_inputs(codes)
    assert raw[0, :6].tolist() == [3 * 32, 0, 143 * 32, 255 * 32, -128 * 32, 0]
    assert raw[0, 15:18].tolist() == [0, -256 * 32, 575 * 32]
    np.testing.assert_array_equal(raw, axol1tl_condition_inputs_reference(codes))


@given(seed=st.integers(0, 2**31))
def test_cmssw_inputs_fast_equals_twin(seed) -> None:
    rng = np.random.default_rng(seed)
    codes = rng.integers(-300, 4096, size=(50, 57))
    codes[:, 0::3] = np.abs(codes[:, 0::3])
    np.testing.assert_array_equal(axol1tl_condition_inputs(codes), axol1tl_condition_inputs_reference(codes))


def test_cmssw_inputs_refuse_floats_and_negative_pt() -> None:
    with pytest.raises(ModelFormatError, match="integer hardware codes"):
        axol1tl_condition_inputs(np.zeros((1, 57)))
    bad = np.zeros((1, 57), dtype=np.int64)
    bad[0, 3] = -2
    with pytest.raises(ModelFormatError, match="negative"):
        axol1tl_condition_inputs(bad)


@given(seed=st.integers(0, 2**31), n=st.integers(1, 120))
def test_offset_shift_on_a_wide_input_type_without_table_equals_twin(seed, n) -> None:
    # ap_fixed<24,20>: 2**20 integer values per feature, more than the one-pass table holds
    rng = np.random.default_rng(seed)
    it, ot = FixedType(24, 20), FixedType(10, 10)
    sc = OffsetShiftScaling(it, ot, tuple(int(v) for v in rng.integers(-512, 512, size=4)),
                            tuple(int(v) for v in rng.integers(-6, 6, size=4)), it,
                            FixedType(12, 8, rounding="RND_CONV", overflow="SAT"), FixedType(8, 6))
    x = rng.integers(it.min_raw, it.max_raw + 1, size=(n, 4))
    np.testing.assert_array_equal(sc.apply(x), sc.apply_reference(x))
