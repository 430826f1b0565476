"""Input anomalies: values the hardware conversion coerces are counted per kind, and
optionally dropped (``[run] drop_input_anomalies``).

Kinds (streams.hwunits.ANOMALY_KINDS): negative pT (coded 0: the object vanishes),
negative MET, eta beyond its field (saturated), |phi| > pi (wrapped), a pT or MET
code clipped at the top of its field. The kernel is checked against its plain twin;
the run summary is checked against counts made here from the raw values of a real
ROOT file written with uproot.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from streams import hwunits as hw
from streams.hwkernels import anomaly_kernel, anomaly_reference
from triggeremu.menu import default_menu_path
from triggeremu.pipeline import run

_FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64),
                    st.floats(-3000, 3000), st.floats(-7, 7), st.sampled_from([0.0, -0.0, math.pi, -math.pi,
                                                                                 3.1415927, 1023.5, 1024.0, 5.568]))


@given(events=st.lists(st.lists(st.tuples(_FLOATS, _FLOATS, _FLOATS), max_size=5), min_size=1, max_size=12),
       kind=st.sampled_from(["jet", "egamma", "muon", "met"]))
def test_anomaly_kernel_matches_twin(events, kind):
    counts = [len(e) for e in events]
    off = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    flat = [np.array([o[i] for e in events for o in e], dtype=np.float64) for i in range(3)]
    pt_f, eta_f, _ = hw.OBJECT_FIELDS[kind]
    p, e = hw.FIELDS[pt_f], hw.FIELDS[eta_f or "calo_eta"]
    neg = hw.ANOMALY_BITS["negative_met" if kind == "met" else "negative_pt"]
    args = (neg, p.lsb, p.offset, p.hi, e.lsb, e.lo, e.hi, eta_f is not None, hw.PHI_LIMIT)
    fast = np.zeros(len(events), dtype=np.uint8)
    slow = np.zeros(len(events), dtype=np.uint8)
    with np.errstate(over="ignore", invalid="ignore"):
        anomaly_kernel(off, *flat, *args, fast)
    anomaly_reference(off, *flat, *args, slow)
    np.testing.assert_array_equal(fast, slow)


def test_build_l1_inputs_flags_by_hand():
    jets = hw.Objects.from_lists([[30.0, -5.0], [2000.0], [40.0], [50.0]], [[0.1, 0.2], [1e9], [0.0], [-6.0]],
                                 [[0.5, 4.0], [0.1], [3.1415927], [float("nan")]])
    flags = np.zeros(4, dtype=np.uint8)
    l1, bad = hw.build_l1_inputs(4, jet=jets, met_pt=np.array([-1.0, 5000.0, 10.0, 1.0]), met_phi=np.zeros(4),
                                 anomaly=flags)
    b = hw.ANOMALY_BITS
    assert flags[0] == b["negative_pt"] | b["phi_out_of_range"] | b["negative_met"]
    assert flags[1] == b["saturated"] | b["eta_out_of_range"]
    assert flags[2] == 0  # pi stored as float32 is physical
    assert flags[3] == 0 and bad[3] == 1  # a NaN object is bad_input, not an anomaly
    plain, _ = hw.build_l1_inputs(4, jet=jets, met_pt=np.array([-1.0, 5000.0, 10.0, 1.0]), met_phi=np.zeros(4))
    np.testing.assert_array_equal(l1, plain)  # counting changes no code


@pytest.fixture
def odd_nano(write_nano, nano_columns):
    """A NanoAOD-like file with chosen anomalies, and the per-event kinds computed here."""
    import awkward as ak

    n = 3000
    cols = nano_columns(n, seed=9)
    rng = np.random.default_rng(4)
    pt = ak.to_list(cols["Jet_pt"])
    eta = ak.to_list(cols["Jet_eta"])
    met = np.array(cols["MET_pt"], dtype=np.float32)
    neg_ev, eta_ev, met_ev, sat_ev = set(), set(), set(), set()
    for i in rng.choice(n, 40, replace=False):
        if pt[i]:
            pt[i][0] = -abs(pt[i][0]) - 1.0
            neg_ev.add(int(i))
    for i in rng.choice(n, 30, replace=False):
        if eta[i]:
            eta[i][-1] = 1e9
            eta_ev.add(int(i))
    for i in rng.choice(n, 20, replace=False):
        met[i] = -12.0
        met_ev.add(int(i))
    for i in rng.choice(n, 10, replace=False):
        met[i] = 9000.0
        sat_ev.add(int(i))
    met_ev -= sat_ev
    cols["Jet_pt"] = ak.values_astype(ak.Array(pt), np.float32)
    cols["Jet_eta"] = ak.values_astype(ak.Array(eta), np.float32)
    cols["MET_pt"] = met
    return write_nano("odd.root", cols), cols


def _expected(cols) -> dict[str, set[int]]:
    """Events per anomaly kind, from the raw columns (independent of the kernel)."""
    import awkward as ak

    out = {k: set() for k in hw.ANOMALY_KINDS}
    fields = {"Jet": "jet", "Muon": "muon", "Electron": "egamma", "Photon": "egamma"}
    for coll, kind in fields.items():
        pt_f, eta_f, _ = hw.OBJECT_FIELDS[kind]
        p, e = hw.FIELDS[pt_f], hw.FIELDS[eta_f]
        for i, (pts, etas, phis) in enumerate(zip(ak.to_list(cols[f"{coll}_pt"]), ak.to_list(cols[f"{coll}_eta"]),
                                                  ak.to_list(cols[f"{coll}_phi"]), strict=True)):
            for q, y, f in zip(pts, etas, phis, strict=True):
                if q < 0:
                    out["negative_pt"].add(i)
                elif math.floor(q / p.lsb) + p.offset > p.hi:
                    out["saturated"].add(i)
                if not e.lo <= math.floor(y / e.lsb) <= e.hi:
                    out["eta_out_of_range"].add(i)
                if abs(f) > math.pi * (1 + 1e-6):
                    out["phi_out_of_range"].add(i)
    mp = hw.FIELDS["met_pt"]
    for i, m in enumerate(np.asarray(cols["MET_pt"], dtype=np.float64)):
        if m < 0:
            out["negative_met"].add(i)
        elif math.floor(m / mp.lsb) > mp.hi:
            out["saturated"].add(i)
    return out


def test_replay_counts_anomalies_and_the_switch_drops_them(odd_nano, tmp_path):
    path, cols = odd_nano
    want = _expected(cols)
    assert want["negative_pt"] and want["eta_out_of_range"] and want["negative_met"] and want["saturated"]
    s = run({"kind": "root", "paths": [str(path)]}).summary
    got = s["input_anomalies"]
    assert got == {**{k: len(v) for k, v in want.items()}, "dropped": False}
    assert not any(r.startswith("input_anomaly") for r in s["drop_reasons"])

    menu = tmp_path / "drop.toml"
    menu.write_text(default_menu_path().read_text().replace("batch_orbits = 4", "batch_orbits = 4\n"
                                                             "drop_input_anomalies = true"))
    d = run({"kind": "root", "paths": [str(path)]}, menu_path=menu).summary
    any_kind = set().union(*want.values())
    dropped = {k: v for k, v in d["drop_reasons"].items() if k.startswith("input_anomaly:")}
    assert sum(dropped.values()) == len(any_kind)
    # each event is dropped once, under the first kind it has
    first = {}
    for i in sorted(any_kind):
        first[i] = next(k for k in hw.ANOMALY_KINDS if i in want[k])
    for kind in hw.ANOMALY_KINDS:
        assert dropped.get(f"input_anomaly:{kind}", 0) == sum(1 for k in first.values() if k == kind)
    assert d["input_anomalies"]["dropped"] is True
    assert d["events_in"] == d["events_accepted"] + d["events_rejected"] + d["events_dropped"]
    assert d["seeds"]["SingleJet180"]["count"] <= s["seeds"]["SingleJet180"]["count"]
