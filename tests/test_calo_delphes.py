"""Delphes Tower replay into the 48 calorimeter cells: hand-computed binning, twin, file source, errors.

The files are written here with uproot: flat branches ``Tower.Eta`` ... beside the
counter ``Tower_size`` (uproot cannot write Delphes' split TClonesArray; the source
finds the branches by name in either layout).
"""

from __future__ import annotations

import math

import awkward as ak
import numpy as np
import pytest

from streams.calo_delphes import TOWER_BRANCHES, DelphesCaloSource, bin_towers, bin_towers_reference
from streams.errors import MissingBranchError, SourceError

uproot = pytest.importorskip("uproot")

DETA = 0.087
DPHI = 2 * math.pi / 72


def _write(path, events, *, names=TOWER_BRANCHES, tree="Delphes"):
    """events: list of lists of (eta, phi, E, Eem, Ehad)."""
    cols = {name: ak.Array([[np.float32(t[k]) for t in ev] for ev in events]) for k, name in enumerate(TOWER_BRANCHES)}
    with uproot.recreate(path) as f:
        f.mktree(tree, {n: "var * float32" for n in names}, counter_name=lambda _: "Tower_size")
        f[tree].extend({n: cols[o] for n, o in zip(names, TOWER_BRANCHES, strict=True)})
    return path


# one event, computed by hand in the test below
HAND_EVENT = [
    (0.0, 0.0, 10.0, 8.0, 2.0),  # seed
    (DETA, 0.0, 4.0, 3.0, 1.0),  # u=+1
    (-DETA, 0.0, 1.0, 1.0, 0.0),  # u=-1
    (0.0, -DPHI, 2.0, 2.0, 0.0),  # v=-1
    (0.0, DPHI, 0.5, 0.5, 0.0),  # v=+1
    (3 * DETA, 0.0, 1.0, 0.0, 1.0),  # u=+3: outside the fine window, inside the coarse one
]


def _hand_cells() -> np.ndarray:
    # eta: E(u=+1) = 4 >= E(u=-1) = 1 -> window u in -1..2, ix = u + 1
    # phi: E(v=+1) = 0.5 < E(v=-1) = 2 -> window v in -2..1, iy = v + 2
    c = np.zeros(48, dtype=np.uint32)
    c[2 * 4 + 1] = 8.0 * 2000  # seed Eem, (iy, ix) = (2, 1)
    c[16 + 2 * 4 + 1] = 2.0 * 2000  # seed Ehad
    c[2 * 4 + 2] = 3.0 * 2000  # u=+1
    c[16 + 2 * 4 + 2] = 1.0 * 2000
    c[2 * 4 + 0] = 1.0 * 2000  # u=-1 (Ehad 0)
    c[1 * 4 + 1] = 2.0 * 2000  # v=-1
    c[3 * 4 + 1] = 0.5 * 2000  # v=+1
    # coarse layer: cx = (u + 3) // 2, cy = (v + 4) // 2, total E
    c[32 + 2 * 4 + 1] = (10.0 + 1.0 + 0.5) * 2000  # seed, u=-1, v=+1 share the coarse cell (2, 1)
    c[32 + 2 * 4 + 2] = 4.0 * 2000  # u=+1
    c[32 + 1 * 4 + 1] = 2.0 * 2000  # v=-1
    c[32 + 2 * 4 + 3] = 1.0 * 2000  # u=+3
    return c


def _flat(events):
    counts = [len(ev) for ev in events]
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    cols = [np.array([t[k] for ev in events for t in ev], dtype=np.float32) for k in range(5)]
    return offsets, cols


def test_binning_matches_the_hand_computation():
    offsets, cols = _flat([HAND_EVENT])
    cells, bad = bin_towers(offsets, *cols)
    np.testing.assert_array_equal(cells[0], _hand_cells())
    assert bad[0] == 0


def test_phi_wraps_around_pi():
    seed_phi = math.pi - 0.01
    ev = [(0.5, seed_phi, 20.0, 20.0, 0.0), (0.5, -math.pi + 0.08, 5.0, 5.0, 0.0)]  # dphi = +0.09 -> v = +1
    offsets, cols = _flat([ev])
    cells, _ = bin_towers(offsets, *cols)
    # v=+1 has more energy than v=-1 -> window v in -1..2, iy = v + 1; eta: tie 0 >= 0 -> ix = u + 1
    assert cells[0, 1 * 4 + 1] == 40000 and cells[0, 2 * 4 + 1] == 10000


def test_kernel_equals_reference_twin_on_random_events():
    rng = np.random.default_rng(4)
    events = []
    for _ in range(300):
        n = int(rng.integers(0, 40))
        eta = rng.uniform(-1.0, 1.0, n)
        phi = rng.uniform(-math.pi, math.pi, n)
        eem, ehad = rng.exponential(5.0, n), rng.exponential(2.0, n)
        events.append(
            [tuple(float(np.float32(v)) for v in t) for t in zip(eta, phi, eem + ehad, eem, ehad, strict=True)]
        )
    events[7].append((0.1, 0.2, float("nan"), 1.0, 1.0))
    offsets, cols = _flat(events)
    cells, bad = bin_towers(offsets, *cols)
    ref_cells, ref_bad = bin_towers_reference([[tuple(float(np.float32(v)) for v in t) for t in ev] for ev in events])
    np.testing.assert_array_equal(cells, ref_cells)
    np.testing.assert_array_equal(bad, ref_bad)
    assert bad[7] == 1 and not cells[7].any() and bad.sum() == 1


def test_file_replay_equals_array_binning_and_rechunks(tmp_path):
    rng = np.random.default_rng(9)
    events = [HAND_EVENT, [], [(0.2, 1.0, float("inf"), 1.0, 0.0)]]
    for _ in range(200):
        n = int(rng.integers(1, 25))
        e_em = rng.exponential(3.0, n)
        events.append(
            list(zip(rng.uniform(-2, 2, n), rng.uniform(-3, 3, n), e_em + 1.0, e_em, np.ones(n), strict=True))
        )
    path = _write(tmp_path / "delphes_like.root", events)
    offsets, cols = _flat(events)
    expect, expect_bad = bin_towers(offsets, *cols)
    outs = []
    for batch_events, chunk_events in ((64, 50), (1000, 7)):
        src = DelphesCaloSource(path, batch_events=batch_events, chunk_events=chunk_events)
        batches = list(src)
        assert src.n_events == len(events) and src.n_bad_input == 1
        outs.append(np.concatenate([b["calo_cells"] for b in batches]))
        np.testing.assert_array_equal(np.concatenate([b["bad_input"] for b in batches]), expect_bad)
        np.testing.assert_array_equal(np.concatenate([b["event"] for b in batches]), np.arange(len(events)))
        assert all(b["l1_inputs"].shape == (len(b["event"]), 57) for b in batches)
    with DelphesCaloSource(path) as src:
        assert src.describe()["branches"]["Tower.E"] == "Tower.E"
    np.testing.assert_array_equal(outs[0], expect)
    np.testing.assert_array_equal(outs[1], expect)
    np.testing.assert_array_equal(outs[0][0], _hand_cells())
    assert not outs[0][1].any()


def test_errors_name_the_problem_and_what_exists(tmp_path):
    with pytest.raises(SourceError, match="does not exist"):
        DelphesCaloSource(tmp_path / "nope.root")
    junk = tmp_path / "junk.root"
    junk.write_bytes(b"not a root file at all" * 10)
    with pytest.raises(SourceError, match="ROOT"):
        DelphesCaloSource(junk)
    path = _write(tmp_path / "other_tree.root", [HAND_EVENT], tree="Events")
    with pytest.raises(MissingBranchError, match="Events"):
        DelphesCaloSource(path)
    renamed = ("Tower.Eta", "Tower.Phi", "Tower.Energy", "Tower.Eem", "Tower.Ehad")
    path = _write(tmp_path / "no_e.root", [HAND_EVENT], names=renamed)
    with pytest.raises(MissingBranchError, match=r"Tower\.E'.*Tower\.Energy"):
        DelphesCaloSource(path)
    with pytest.raises(ValueError, match="offsets"):
        bin_towers(np.array([1, 2]), *[np.zeros(1)] * 5)
