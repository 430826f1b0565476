"""An exact rational model of ap_fixed (the independent twin) and Hypothesis strategies.

The model below is written from the *definitions* (round the exact value to the
LSB, then handle overflow arithmetically with ``mod``), with Python ``Fraction``,
independently of the bit-level code in ``firmware_models.fixed``. Other
``test_fixed_*`` modules import it. Here it is checked, together with the
package, against the examples printed in the Vitis HLS user guide (UG1399,
"Quantization Modes" and "Overflow Modes" pages) -- another tool's numbers.

Profiles: a small number of examples by default; ``HYPOTHESIS_PROFILE=ci-large``
for many more.
"""

from __future__ import annotations

import math
import os
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import strategies as st

from firmware_models.fixed import OVERFLOW_MODES, ROUNDING_MODES, FixedType, quantize, to_float

PROFILE_EXAMPLES = 3000 if os.environ.get("HYPOTHESIS_PROFILE") == "ci-large" else 150

_HALF = Fraction(1, 2)


def ref_round(q: Fraction, mode: str) -> int:
    """``q`` (in LSB units, exact) rounded to an integer by the named mode."""
    fl = math.floor(q)
    frac = q - fl
    if mode == "TRN":
        return fl
    if mode == "TRN_ZERO":
        return math.trunc(q)
    if frac != _HALF:  # not a tie: every RND mode goes to the nearest
        return fl + (1 if frac > _HALF else 0)
    if mode == "RND":
        return fl + 1
    if mode == "RND_ZERO":
        return fl + (1 if q < 0 else 0)
    if mode == "RND_INF":
        return fl + (1 if q > 0 else 0)
    if mode == "RND_MIN_INF":
        return fl
    if mode == "RND_CONV":
        return fl + (fl % 2)
    raise ValueError(mode)


def ref_overflow(r: int, t: FixedType) -> int:
    """Integer ``r`` at ``t``'s LSB brought into range by ``t``'s overflow mode (arithmetic, via mod)."""
    w = t.width
    lo = -(2 ** (w - 1)) if t.signed else 0
    hi = 2 ** (w - 1) - 1 if t.signed else 2**w - 1
    if t.overflow == "SAT_SYM" and t.signed and w > 1:
        lo = -hi
    if lo <= r <= hi:
        return r
    if t.overflow in ("SAT", "SAT_SYM"):
        return hi if r > hi else lo
    if t.overflow == "SAT_ZERO":
        return 0
    n = t.sat_bits
    if n == 0:
        wrapped = (r - lo) % 2**w + lo if t.signed else r % 2**w
        return wrapped
    low = r % 2 ** (w - n)  # the W-N low bits wrap; the N high bits saturate
    if not t.signed:
        return (2**w - 2 ** (w - n)) + low
    if r > 0:
        return (2 ** (w - 1) - 2 ** (w - n)) + low
    return -(2 ** (w - 1)) + low


def ref_convert(value: Fraction, t: FixedType) -> int:
    """Raw value of ``t`` holding the exact ``value``."""
    return ref_overflow(ref_round(value / t.lsb, t.rounding), t)


def ref_quantize_double(x: float, t: FixedType) -> int:
    """Raw value of ``t`` after C++ ``t y = x`` for a double ``x``."""
    if math.isinf(x):
        value = Fraction(2) ** 1024 * (1 if x > 0 else -1)
    else:
        value = Fraction(x)
    if t.is_int and -0.5 < x < 0:  # the ap_int_base(double) quirk (CONVENTIONS["ap_int"])
        return ref_overflow(1, t)
    return ref_convert(value, t)


# ----------------------------------------------------------------- strategies
@st.composite
def fixed_types(draw, max_width: int = 64, min_width: int = 1) -> FixedType:
    width = draw(st.integers(min_width, max_width))
    if draw(st.integers(0, 19)) == 0:
        return FixedType.ap_int(width, signed=draw(st.booleans()))
    integer = draw(st.integers(-4, width + 4))
    overflow = draw(st.sampled_from(OVERFLOW_MODES))
    sat_bits = draw(st.integers(0, width)) if overflow == "WRAP" and draw(st.booleans()) else 0
    return FixedType(width, integer, draw(st.booleans()), draw(st.sampled_from(ROUNDING_MODES)), overflow, sat_bits)


@st.composite
def doubles_for(draw, t: FixedType) -> float:
    """Doubles around ``t``'s grid and range: ties, edges, just outside, zeros, huge, inf."""
    lsb = t.lsb
    kind = draw(st.integers(0, 5))
    if kind == 0:
        k = draw(st.integers(t.min_raw - 3, t.max_raw + 3))
        value = (k + draw(st.sampled_from([Fraction(0), _HALF, Fraction(1, 4), Fraction(3, 4)]))) * lsb
        x = float(value)
    elif kind == 1:
        edge = draw(st.sampled_from([t.min_raw, t.max_raw, 0, -1, 1]))
        x = float((edge + draw(st.sampled_from([-1, -_HALF, 0, _HALF, 1]))) * lsb)
    elif kind == 2:
        x = draw(st.sampled_from([0.0, -0.0, math.inf, -math.inf, 1e300, -1e300, 5e-324, -5e-324, -0.25, -0.5]))
    else:
        span = float(max(abs(t.min_raw), t.max_raw, 1) * lsb)
        x = draw(st.floats(-2 * span, 2 * span, allow_nan=False, allow_infinity=False))
    return x


# ------------------------------------------------- checks against UG1399 examples
# (type, input, documented result), from UG1399 "Quantization Modes" and "Overflow Modes".
_UG1399 = [
    ("ap_fixed<3,2,AP_RND,AP_SAT>", 1.25, 1.5),
    ("ap_fixed<3,2,AP_RND,AP_SAT>", -1.25, -1.0),
    ("ap_fixed<3,2,AP_RND_ZERO,AP_SAT>", 1.25, 1.0),
    ("ap_fixed<3,2,AP_RND_ZERO,AP_SAT>", -1.25, -1.0),
    ("ap_fixed<3,2,AP_RND_MIN_INF,AP_SAT>", 1.25, 1.0),
    ("ap_fixed<3,2,AP_RND_MIN_INF,AP_SAT>", -1.25, -1.5),
    ("ap_fixed<3,2,AP_RND_INF,AP_SAT>", 1.25, 1.5),
    ("ap_fixed<3,2,AP_RND_INF,AP_SAT>", -1.25, -1.5),
    ("ap_fixed<4,4,AP_RND,AP_SAT>", 19.0, 7.0),
    ("ap_fixed<4,4,AP_RND,AP_SAT>", -19.0, -8.0),
    ("ap_ufixed<4,4,AP_RND,AP_SAT>", 19.0, 15.0),
    ("ap_ufixed<4,4,AP_RND,AP_SAT>", -19.0, 0.0),
    ("ap_fixed<4,4,AP_RND,AP_SAT_ZERO>", 19.0, 0.0),
    ("ap_fixed<4,4,AP_RND,AP_SAT_ZERO>", -19.0, 0.0),
    ("ap_ufixed<4,4,AP_RND,AP_SAT_ZERO>", 19.0, 0.0),
    ("ap_ufixed<4,4,AP_RND,AP_SAT_ZERO>", -19.0, 0.0),
    ("ap_fixed<4,4,AP_RND,AP_SAT_SYM>", 19.0, 7.0),
    ("ap_fixed<4,4,AP_RND,AP_SAT_SYM>", -19.0, -7.0),
    ("ap_ufixed<4,4,AP_RND,AP_SAT_SYM>", 19.0, 15.0),
    ("ap_ufixed<4,4,AP_RND,AP_SAT_SYM>", -19.0, 0.0),
    ("ap_fixed<4,4,AP_RND,AP_WRAP>", 31.0, -1.0),
    ("ap_fixed<4,4,AP_RND,AP_WRAP>", -19.0, -3.0),
    ("ap_ufixed<4,4,AP_RND,AP_WRAP>", 19.0, 3.0),
    ("ap_ufixed<4,4,AP_RND,AP_WRAP>", -19.0, 13.0),
]


@pytest.mark.parametrize(("type_text", "x", "documented"), _UG1399)
def test_package_matches_ug1399_examples(type_text: str, x: float, documented: float) -> None:
    t = FixedType.parse(type_text)
    raw = quantize(np.array([x]), t)
    assert to_float(raw, t)[0] == documented


@pytest.mark.parametrize(("type_text", "x", "documented"), _UG1399)
def test_reference_matches_ug1399_examples(type_text: str, x: float, documented: float) -> None:
    t = FixedType.parse(type_text)
    assert ref_quantize_double(x, t) * t.lsb == Fraction(documented)
