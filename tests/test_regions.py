"""The CICADA region ETs (streams.regions) and the jet images (streams.jet_images): layout and properties.

The kernel == twin check is in tests/test_kernel_twins.py; here: CMSSW's index order, the object
mapping, saturation, seeding and batch independence.
"""

from __future__ import annotations

import numpy as np
import pytest

from streams.hwunits import SLICES
from streams.jet_images import jet_images
from streams.regions import N_REGIONS, region_ets, region_index

_EG, _JET = SLICES["eg"].start, SLICES["jet"].start


def _one_object(start: int, pt: int, eta: int, phi: int) -> np.ndarray:
    l1 = np.zeros((1, 57), dtype=np.int32)
    l1[0, start:start + 3] = (pt, eta, phi)
    return l1


def _hot(l1: np.ndarray) -> np.ndarray:
    """Regions minus the soft deposits of the same event (same seed and event number, no objects)."""
    ev = np.zeros(len(l1), dtype=np.uint64)
    return region_ets(l1, ev, seed=3).astype(np.int64) - region_ets(np.zeros_like(l1), ev, seed=3)


@pytest.mark.parametrize(("eta_code", "phi_code", "i_eta", "i_phi"), [
    (0, 0, 7, 0),        # eta just above 0 -> the first positive region (gctEta 11); phi 0 -> region 0
    (-1, 4, 6, 1),       # eta just below 0 -> gctEta 10; phi code 4 starts region 1 (centre 20 degrees)
    (3, 3, 7, 0),        # 0.152 < 0.348
    (8, 140, 8, 0),      # eta 0.37: second region; phi code 140 wraps to region 0
    (-60, 75, 0, 9),     # eta -2.63: the last endcap region (from -3.0); phi 165 degrees -> region 9 (-180 / +180)
    (68, 143, 13, 0),    # eta 2.98 < 3.0
])
def test_egamma_lands_in_cmssw_index(eta_code, phi_code, i_eta, i_phi):
    hot = _hot(_one_object(_EG, 200, eta_code, phi_code))
    idx = region_index(i_phi, i_eta)
    assert idx == 14 * i_phi + i_eta
    assert hot[0, idx] == 200 and np.count_nonzero(hot[0]) == 1   # 100 GeV = 200 codes of 0.5 GeV


def test_jet_shares_with_its_neighbours_and_phi_wraps():
    hot = _hot(_one_object(_JET, 800, 0, 0))      # 400 GeV at (iPhi 0, iEta 7)
    grid = hot[0].reshape(18, 14)
    assert grid[0, 7] == 560                      # 70 %
    for i_phi in (17, 0, 1):                      # the wrapped neighbours in phi
        for i_eta in (6, 7, 8):
            if (i_phi, i_eta) != (0, 7):
                assert grid[i_phi, i_eta] in (30, 31)  # 30 % / 8 = 15 GeV, floored with the soft ET
    assert np.count_nonzero(grid) == 9


def test_forward_objects_are_off_the_grid_and_codes_saturate():
    assert not _hot(_one_object(_JET, 2000, 80, 10)).any()          # eta 3.5: HF
    both = _one_object(_EG, 511, 0, 0) + _one_object(_JET, 2047, 0, 0)   # 255.5 + 716.45 GeV in one region
    sat = region_ets(both, np.zeros(1, np.uint64))
    assert sat.dtype == np.uint16 and sat.shape == (1, N_REGIONS) and sat[0, region_index(0, 7)] == 1023


def test_seeded_and_batch_independent():
    from streams.synthetic import generate_l1_batch

    l1, _ = generate_l1_batch(0, 500, seed=4)
    ev = np.arange(500, dtype=np.uint64)
    pu = np.full(500, 60.0)
    whole = region_ets(l1, ev, seed=9, pileup=pu)
    parts = np.concatenate([region_ets(l1[a:a + 37], ev[a:a + 37], seed=9, pileup=pu[a:a + 37])
                            for a in range(0, 500, 37)])
    np.testing.assert_array_equal(whole, parts)
    assert not np.array_equal(whole, region_ets(l1, ev, seed=10, pileup=pu))
    # pileup raises the soft ET
    assert region_ets(l1, ev, seed=9).mean() < whole.mean()


def test_jet_images_hold_the_leading_jet():
    from streams.synthetic import generate_l1_batch

    l1, _ = generate_l1_batch(0, 400, seed=2, signal_fraction=0.5)
    ev = np.arange(400, dtype=np.uint64)
    img = jet_images(l1, ev)
    assert img.shape == (400, 1600) and img.dtype == np.uint16
    pt = l1[:, _JET].astype(np.int64)
    assert (img.sum(axis=1) <= pt).all() and not img[pt == 0].any()
    assert (img.sum(axis=1) > 0.5 * pt)[pt > 100].mean() > 0.9   # most of a hard jet's pT stays on the image
    np.testing.assert_array_equal(img[100:200], jet_images(l1[100:200], ev[100:200]))


def test_synthetic_source_makes_the_regions_of_its_events():
    from streams.synthetic import SyntheticL1Source

    src = SyntheticL1Source(3000, seed=5, batch_events=1000, pileup_mean=40.0, regions=True)
    batches = list(src)
    assert all(b["calo_regions"].shape == (len(b["event"]), N_REGIONS) for b in batches)
    for b in batches:
        np.testing.assert_array_equal(b["calo_regions"], region_ets(b["l1_inputs"], b["event"], seed=5,
                                                                    pileup=b["pileup"]))
    assert "calo_regions" not in next(iter(SyntheticL1Source(10, seed=5)))


def test_calo_source_puts_each_shower_in_one_region():
    from streams.calo import COUNTS_PER_GEV, SyntheticCaloSource
    from streams.counter_rng import key, py_event_state, py_uniform
    from streams.regions import _CENTRES, SHOWER_STREAM

    src = SyntheticCaloSource(400, seed=2, batch_events=150, regions=True)
    b = src.make_batch(0, 400)
    soft = region_ets(np.zeros((400, 57), dtype=np.int32), b["event"], seed=2)
    extra = b["calo_regions"].astype(np.int64) - soft
    assert (extra >= 0).all() and ((extra > 0).sum(axis=1) <= 1).all()
    k = key(2, SHOWER_STREAM)
    for i in range(400):  # the rule of the module docstring, event by event in plain Python
        r = int(py_uniform(py_event_state(k, int(b["event"][i])))[1] * N_REGIONS)
        et = float(b["calo_cells"][i].astype(np.float64).sum()) / COUNTS_PER_GEV / float(np.cosh(_CENTRES[r % 14]))
        assert b["calo_regions"][i, r] == min(int(soft[i, r]) + int(np.floor(et / 0.5)), 1023)
    # batch independence: the same events from batches of 150
    np.testing.assert_array_equal(np.concatenate([c["calo_regions"] for c in src]), b["calo_regions"])
    assert "calo_regions" not in SyntheticCaloSource(10).make_batch(0, 10)


def test_sources_make_the_regions_a_stage_reads():
    from triggeremu.source_specs import with_generated_columns

    spec = {"kind": "calo", "n_events": 10}
    assert with_generated_columns(spec, ["calo_cells", "calo_regions"]) == {**spec, "regions": True}
    assert with_generated_columns(spec, ["calo_cells"]) is spec
    root = {"kind": "root", "paths": ["f.root"]}
    assert with_generated_columns(root, ["calo_regions"]) is root


def test_regions_option_is_checked_and_reaches_the_source():
    import triggeremu
    from triggeremu.errors import ConfigError
    from triggeremu.sources import open_source

    spec = triggeremu.sources.calo(20, regions=True).to_dict()
    assert spec["regions"] is True and open_source(spec).regions is True
    with pytest.raises(ConfigError, match="regions = 'yes': must be true or false"):
        triggeremu.sources.synthetic(10, regions="yes")
