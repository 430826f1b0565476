"""FixedType: hls4ml spellings in and out, ranges, result types, clear errors."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import OVERFLOW_MODES, ROUNDING_MODES, FixedType, add_type, mul_type, sub_type

from test_fixed_reference import PROFILE_EXAMPLES, fixed_types


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ap_fixed<16,6>", FixedType(16, 6)),
        ("ap_ufixed<10,6>", FixedType(10, 6, False)),
        ("ap_fixed<8,6,AP_RND_CONV,AP_SAT>", FixedType(8, 6, True, "RND_CONV", "SAT")),
        ("ap_fixed<18,8,AP_RND,AP_SAT,0>", FixedType(18, 8, True, "RND", "SAT", 0)),
        ("ap_fixed<8,3,AP_TRN,AP_WRAP,2>", FixedType(8, 3, True, "TRN", "WRAP", 2)),
        ("ap_int<8>", FixedType.ap_int(8)),
        ("ap_uint<8>", FixedType.ap_int(8, signed=False)),
        ("fixed<16,6>", FixedType(16, 6)),
        ("fixed<16,6,TRN,WRAP,0>", FixedType(16, 6)),
        ("ufixed<10,6,RND_CONV,SAT>", FixedType(10, 6, False, "RND_CONV", "SAT")),
        ("int<8>", FixedType.ap_int(8)),
        ("uint<4>", FixedType.ap_int(4, signed=False)),
        (" ap_fixed< 16 , -2 , ap_rnd_zero , ap_sat_sym > ", FixedType(16, -2, True, "RND_ZERO", "SAT_SYM")),
        ("ap_fixed<4,9>", FixedType(4, 9)),
    ],
)
def test_parse_hls4ml_spellings(text: str, expected: FixedType) -> None:
    assert FixedType.parse(text) == expected


def test_str_is_what_hls4ml_writes() -> None:
    # hls4ml's APFixedPrecisionDefinition drops the modes when they are the defaults and
    # otherwise writes all three (backends/fpga/fpga_types.py definition_cpp).
    assert str(FixedType(16, 6)) == "ap_fixed<16,6>"
    assert str(FixedType(10, 6, False)) == "ap_ufixed<10,6>"
    assert str(FixedType(8, 6, True, "RND_CONV", "SAT")) == "ap_fixed<8,6,AP_RND_CONV,AP_SAT,0>"
    assert str(FixedType.ap_int(8, signed=False)) == "ap_uint<8>"


@settings(max_examples=PROFILE_EXAMPLES)
@given(fixed_types(max_width=80))
def test_parse_str_round_trip(t: FixedType) -> None:
    assert FixedType.parse(str(t)) == t


@pytest.mark.parametrize(
    "text",
    ["", "ap_fixed", "ap_fixed<16>", "ap_fixed<16,6,AP_RND,AP_SAT,0,1>", "ap_fixed<0,0>", "ap_fixed<a,6>",
     "ap_fixed<16,6,AP_ROUND>", "ap_fixed<16,6,AP_RND,AP_WRAP_SM>", "float", "ap_fixed<8,4,AP_TRN,AP_WRAP,9>",
     "ap_int<8,3>", "ap_fixed<16,6", "fixed<16.5,6>"],
)
def test_garbage_is_a_clear_model_format_error(text: str) -> None:
    with pytest.raises(ModelFormatError, match="ap_fixed|fixed-point|ap_int|mode|width|integer|N"):
        FixedType.parse(text)


def test_non_string_is_refused() -> None:
    with pytest.raises(ModelFormatError, match="string"):
        FixedType.parse(16)


def test_modes_are_named_in_the_error() -> None:
    with pytest.raises(ModelFormatError, match="AP_RND_CONV"):
        FixedType.parse("ap_fixed<8,3,AP_NEAREST>")


def test_ranges_and_lsb() -> None:
    t = FixedType(8, 3)
    assert (t.fractional, t.min_raw, t.max_raw, t.lsb) == (5, -128, 127, Fraction(1, 32))
    u = FixedType(4, 9, False)  # I > W: LSB = 32
    assert (u.fractional, u.min_raw, u.max_raw, u.lsb) == (-5, 0, 15, Fraction(32))
    n = FixedType(4, -2)  # negative I: |values| < 1/8
    assert n.lsb == Fraction(1, 64) and n.value_of(n.min_raw) == Fraction(-1, 8)
    assert FixedType(8, 3, overflow="SAT_SYM").sat_min_raw == -127
    assert FixedType(8, 3, False, overflow="SAT_SYM").sat_min_raw == 0
    assert FixedType(64, 3).fits_int64 and not FixedType(64, 3, False).fits_int64
    assert not FixedType(65, 3).fits_int64


def test_result_types_follow_the_header_rules() -> None:
    # RType in ap_fixed_base.h; the values themselves are checked against g++ in test_fixed_golden.py
    assert mul_type(FixedType(6, 3), FixedType(10, 6, False)) == FixedType(16, 9, True)
    assert add_type(FixedType(8, 3), FixedType(8, 3)) == FixedType(9, 4)
    assert add_type(FixedType(8, 3), FixedType(6, 2, False)) == FixedType(9, 4, True)
    assert sub_type(FixedType(6, 2, False), FixedType(6, 2, False)) == FixedType(7, 3, True)


@pytest.mark.parametrize("mode", ROUNDING_MODES)
def test_every_rounding_mode_parses(mode: str) -> None:
    assert FixedType.parse(f"ap_fixed<8,3,AP_{mode}>").rounding == mode


@pytest.mark.parametrize("mode", OVERFLOW_MODES)
def test_every_overflow_mode_parses(mode: str) -> None:
    assert FixedType.parse(f"ap_fixed<8,3,AP_TRN,AP_{mode}>").overflow == mode
