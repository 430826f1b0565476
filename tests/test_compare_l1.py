"""Real-data sanity check on the shared NanoAOD files (2018 collisions and Drell-Yan MC)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from triggeremu.errors import InputFileError
from triggeremu.compare_l1 import CAVEAT, compare_with_recorded, format_comparison

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _file(name):
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"{path} is absent (the shared data directory beside the checkout)")
    return path


@pytest.mark.parametrize("name", ["nano_dimuon.root", "nano_dy.root"])
def test_agreement_is_computed_from_offline_objects_and_recorded_bits(name):
    import awkward as ak
    import uproot

    path = _file(name)
    res = compare_with_recorded(path)
    with uproot.open(path) as f:
        a = f["Events"].arrays(["Muon_pt", "Jet_pt", "L1_SingleMu22", "L1_SingleJet180"])
    # independently of the project's reader: the leading offline muon / jet pT against the
    # threshold (hardware pT LSB 0.5 GeV: code >= threshold code <=> pT >= 22 GeV exactly
    # for these thresholds on a 0.5 GeV grid), and the recorded bit read here
    mu = ak.to_numpy(ak.fill_none(ak.max(a["Muon_pt"], axis=1), 0.0)) >= 22.0
    jet = ak.to_numpy(ak.fill_none(ak.max(a["Jet_pt"], axis=1), 0.0)) >= 180.0
    for seed, emu, bit in (("SingleMu22", mu, "L1_SingleMu22"), ("SingleJet180", jet, "L1_SingleJet180")):
        rec = np.asarray(a[bit], dtype=bool)
        got = res["seeds"][seed]
        assert got["emulated"] == int(emu.sum())
        assert got["recorded"] == int(rec.sum())
        assert got["both"] == int((emu & rec).sum())
        assert got["agreement"] == pytest.approx(float((emu == rec).mean()), abs=0)
    assert res["n_events"] == 40
    assert "sanity check, not a target" in format_comparison(res) and res["caveat"] == CAVEAT


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputFileError, match="does not exist"):
        compare_with_recorded(tmp_path / "nope.root")
