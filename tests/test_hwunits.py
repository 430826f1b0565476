"""Tests of streams.hwunits: hardware codes from the uGT field spec (values worked out
by hand from docs/design.md), thresholds, the 57-value layout, and the fast kernels
against their plain twins."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams import hwkernels as hk
from streams import hwunits as hw

SETTINGS = settings(max_examples=60, deadline=None)


def test_input_names_and_slices():
    names = hw.L1_INPUT_NAMES
    assert len(names) == 57
    assert names[:6] == ("met_pt", "met_eta", "met_phi", "eg0_pt", "eg0_eta", "eg0_phi")
    assert names[12:15] == ("eg3_pt", "eg3_eta", "eg3_phi")
    assert names[15] == "mu0_pt" and names[26] == "mu3_phi"
    assert names[27] == "jet0_pt" and names[-1] == "jet9_phi"
    assert {k: (s.start, s.stop) for k, s in hw.SLICES.items()} == {
        "met": (0, 3), "eg": (3, 15), "mu": (15, 27), "jet": (27, 57)}


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("egamma_pt", 10.3, 20),  # floor(20.6)
        ("egamma_pt", 0.49, 0),
        ("egamma_pt", 255.5, 511),  # 9 bits: last code
        ("egamma_pt", 300.0, 511),  # saturates
        ("egamma_pt", -3.0, 0),
        ("jet_pt", 1023.4, 2046),
        ("jet_pt", 5000.0, 2047),  # 11 bits
        ("met_pt", 2047.5, 4095),  # 12 bits
        ("met_pt", 9000.0, 4095),
        ("muon_pt", 0.0, 1),  # code 0 = no muon, pT = (code - 1) x 0.5
        ("muon_pt", 0.49, 1),
        ("muon_pt", 0.5, 2),
        ("muon_pt", 22.0, 45),
        ("muon_pt", 400.0, 511),
        ("calo_eta", 0.0435 * 2.5, 2),
        ("calo_eta", -0.01, -1),  # floor, two's complement
        ("calo_eta", 6.0, 127),
        ("calo_eta", -6.0, -128),
        ("muon_eta", 1.0, 91),  # 1 / 0.010875 = 91.95
        ("muon_eta", -1.0, -92),
        ("muon_eta", 3.0, 255),  # 9 bits signed
        ("muon_eta", -3.0, -256),
        ("calo_phi", 0.0, 0),
        ("calo_phi", math.pi + 0.01, 72),
        ("calo_phi", -0.01, 143),  # phi is periodic: -0.01 = 2pi - 0.01
        ("calo_phi", -math.pi + 0.01, 72),
        ("calo_phi", 2 * math.pi + 0.05, 1),
        ("met_phi", 3 * math.pi / 2 + 0.01, 108),
        ("muon_phi", math.pi / 2 + 1e-9, 144),
        ("muon_phi", -1e-6, 575),
    ],
)
def test_codes_by_hand(field, value, code):
    assert int(hw.to_hw(field, np.array([value]))[0]) == code
    assert int(hw.quantize_fast(hw.FIELDS[field], np.array([value]))[0]) == code


def test_non_finite_refused():
    with pytest.raises(ValueError, match="NaN or inf"):
        hw.to_hw("jet_pt", np.array([1.0, np.nan]))
    with pytest.raises(KeyError, match="known fields"):
        hw.to_hw("jet_energy", np.array([1.0]))


@pytest.mark.parametrize("kind", ["egamma_pt", "tau_pt", "jet_pt", "muon_pt", "met_pt"])
@SETTINGS
@given(gev=st.floats(0, 1200, allow_nan=False), code=st.integers(0, 4095))
def test_threshold_equivalence(kind, gev, code):
    spec = hw.FIELDS[kind]
    code = min(code, spec.hi)
    thr = hw.gev_to_hw_threshold(kind, gev)
    physical = (Fraction(code) - spec.offset) * Fraction(spec.lsb)
    assert (code >= thr) == (physical >= Fraction(gev))


def test_threshold_examples_and_errors():
    assert hw.gev_to_hw_threshold("mu", 22.0) == 45  # (45 - 1) x 0.5 = 22
    assert hw.gev_to_hw_threshold("jet", 30.2) == 61
    assert hw.gev_to_hw_threshold("ht", 1200.0) == 2400  # not clamped: HT sums jet codes
    for bad in (-1.0, math.nan, math.inf):
        with pytest.raises(ValueError, match="finite number >= 0"):
            hw.gev_to_hw_threshold("jet", bad)
    with pytest.raises(ValueError, match="pT field"):
        hw.gev_to_hw_threshold("calo_eta", 1.0)


@pytest.mark.parametrize("field", sorted(hw.FIELDS))
@SETTINGS
@given(values=st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1, max_size=40))
def test_quantize_kernel_matches_numpy_twin(field, values):
    spec = hw.FIELDS[field]
    x = np.array(values)
    np.testing.assert_array_equal(hw.quantize_fast(spec, x), spec.quantize(x))
    x32 = x[np.abs(x) < 3e38].astype(np.float32)
    np.testing.assert_array_equal(hw.quantize_fast(spec, x32), spec.quantize(x32))


@pytest.mark.parametrize("field", ["egamma_pt", "jet_pt", "muon_pt", "met_pt"])
def test_pt_codes_round_trip(field):
    spec = hw.FIELDS[field]
    codes = np.arange(spec.lo + spec.offset, spec.hi + 1)
    np.testing.assert_array_equal(spec.quantize(spec.physical(codes)), codes)


_event = st.lists(st.tuples(st.integers(0, 12), st.integers(-128, 127), st.integers(0, 143)), max_size=14)


def _coded(events):
    counts = [len(e) for e in events]
    off = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    flat = np.array([o for e in events for o in e], dtype=np.int32).reshape(-1, 3)
    return off, flat[:, 0].copy(), flat[:, 1].copy(), flat[:, 2].copy()


# select_objects == select_objects_reference: tests/test_kernel_twins.py


def test_select_tie_rule():
    # pT codes 5, 7, 5 in a and 7, 5 in b: order 7(a), 7(b), 5(a first), 5(a second), 5(b)
    a = (np.array([0, 3]), np.array([5, 7, 5]), np.array([1, 2, 3]), np.array([10, 20, 30]))
    b = (np.array([0, 2]), np.array([7, 5]), np.array([4, 5]), np.array([40, 50]))
    out = np.zeros((1, 57), dtype=np.int32)
    hk.select_objects([a, b], 4, 3, out)
    assert out[0, 3:15].tolist() == [7, 2, 20, 7, 4, 40, 5, 1, 10, 5, 3, 30]


def test_build_l1_inputs_by_hand():
    ele = hw.Objects.from_lists([[30.2, 4.0], []], [[0.5, -1.0], []], [[0.1, -0.1], []])
    pho = hw.Objects.from_lists([[4.0, 0.2], [12.0]], [[2.0, 0.0], [0.3]], [[3.0, 0.0], [1.0]])
    mu = hw.Objects.from_lists([[], [25.0, 3.0]], [[], [-2.0, 0.1]], [[], [6.0, 0.2]])
    jet = hw.Objects.from_lists([[40.0, 100.0], []], [[-4.0, 1.0], []], [[-3.0, 3.0], []])
    l1, bad = hw.build_l1_inputs(2, egamma=[ele, pho], muon=mu, jet=jet,
                                 met_pt=np.array([55.3, 0.0]), met_phi=np.array([-1.5, 0.0]))
    assert bad.tolist() == [0, 0]
    row0 = [110, 0, 109,  # MET: 55.3 / 0.5 -> 110; phi -1.5 -> floor(-34.4) = -35 -> 109
            60, 11, 2,  # electron 30.2 GeV, eta 0.5 -> 11.49, phi 0.1 -> 2.29
            8, -23, 141,  # electron 4.0 (eta -1.0 -> -22.99, phi -0.1 -> -2.29 -> 141), before the photon of equal pT
            8, 45, 68,  # photon 4.0
            0, 0, 0]  # photon 0.2 GeV has code 0: left out
    assert l1[0, :15].tolist() == row0
    assert l1[0, 15:27].tolist() == [0] * 12
    assert l1[0, 27:33].tolist() == [200, 22, 68, 80, -92, 75]
    assert l1[1, :6].tolist() == [0, 0, 0, 24, 6, 22]
    assert l1[1, 15:21].tolist() == [51, -184, 550, 7, 9, 18]


def test_build_l1_inputs_flags_non_finite():
    pt = [[10.0], [10.0, 20.0], [5.0], [1.0]]
    eta = [[0.0], [0.0, np.nan], [0.0], [0.0]]
    phi = [[0.0], [0.0, 0.0], [np.inf], [0.0]]
    jet = hw.Objects.from_lists(pt, eta, phi)
    met = np.array([1.0, 1.0, 1.0, -np.inf])
    l1, bad = hw.build_l1_inputs(4, jet=jet, met_pt=met, met_phi=np.zeros(4))
    assert bad.tolist() == [0, 1, 1, 1]
    assert not l1[1:].any()
    assert l1[0, 27] == 20


def test_offsets_not_starting_at_zero():
    full = hw.Objects.from_lists([[1.0, 2.0], [3.0], [4.0, 5.0]], [[0.0] * 2, [0.0], [0.0] * 2], [[0.0] * 2, [0.0], [0.0] * 2])
    sub = hw.Objects(full.offsets[1:], full.pt, full.eta, full.phi)
    l1, _ = hw.build_l1_inputs(2, jet=sub)
    assert l1[:, 27].tolist() == [6, 10]
    assert l1[:, 30].tolist() == [0, 8]


_value = st.sampled_from([0.0, 1.5, -2.0, math.nan, math.inf, -math.inf])


@SETTINGS
@given(events=st.lists(st.lists(st.tuples(_value, _value, _value), max_size=5), min_size=1, max_size=20))
def test_nonfinite_count_matches_loop(events):
    objs = hw.Objects.from_lists([[o[0] for o in e] for e in events], [[o[1] for o in e] for e in events],
                                 [[o[2] for o in e] for e in events])
    expected = [sum(1 for o in e if not all(math.isfinite(v) for v in o)) for e in events]
    assert objs.nonfinite_per_event().tolist() == expected


def test_objects_validation():
    with pytest.raises(ValueError, match="non-decreasing"):
        hw.Objects(np.array([0, 2, 1]), np.zeros(2), np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match="offsets need 3"):
        hw.Objects(np.array([0, 3]), np.zeros(2), np.zeros(2), np.zeros(2))


_any = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.floats(-2000, 2000), st.floats(-7, 7),
                 st.sampled_from([0.0, -0.0, 0.5, 1023.5, -math.pi, math.pi, 5.568]))


def _objects(draw_events):
    return hw.Objects.from_lists([[o[0] for o in e] for e in draw_events], [[o[1] for o in e] for e in draw_events],
                                 [[o[2] for o in e] for e in draw_events])


@settings(max_examples=25, deadline=None)
@given(data=st.data(), n=st.integers(1, 12))
def test_fused_build_equals_the_separate_kernels(data, n):
    """build_l1_inputs (two passes per block) == build_l1_inputs_reference (one pass per
    quantity): codes, bad_input and anomaly bits, on values that are NaN, huge, negative."""
    def coll():
        evs = data.draw(st.lists(st.lists(st.tuples(_any, _any, _any), max_size=12), min_size=n, max_size=n))
        return _objects(evs)

    kw = {"egamma": [coll(), coll()][: data.draw(st.integers(0, 2))], "muon": coll(), "jet": coll(),
          "met_pt": np.array(data.draw(st.lists(_any, min_size=n, max_size=n))),
          "met_phi": np.array(data.draw(st.lists(_any, min_size=n, max_size=n)))}
    fa, ra = np.zeros(n, dtype=np.uint8), np.zeros(n, dtype=np.uint8)
    with np.errstate(over="ignore", invalid="ignore"):
        fast = hw.build_l1_inputs(n, anomaly=fa, **kw)
        ref = hw.build_l1_inputs_reference(n, anomaly=ra, **kw)
    np.testing.assert_array_equal(fast[0], ref[0])
    np.testing.assert_array_equal(fast[1], ref[1])
    np.testing.assert_array_equal(fa, ra)
