"""Shared pytest fixtures: paths to the real ROOT test files, and a writer of small
NanoAOD-like files (jagged Jet/Muon/Electron/Photon pt/eta/phi plus MET) for tests
that need a file with chosen contents. Files absent from this machine make the
tests that need them skip with a message."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

SHARED = Path(__file__).resolve().parents[2] / "shared"

# One hypothesis profile for the whole suite. No deadline: the first example of a
# property test pays numba's JIT compilation, seconds on a loaded 2-core CI machine.
# HYPOTHESIS_PROFILE=ci-large runs many more examples (files with their own example
# counts read the same variable).
settings.register_profile("triggeremu", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci-large", max_examples=600, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "triggeremu"))


def _testdata(name: str) -> Path:
    skhep_testdata = pytest.importorskip("skhep_testdata", reason="scikit-hep-testdata==0.3.12 is not installed")
    return Path(skhep_testdata.data_path(name))


@pytest.fixture(scope="session")
def hzz_path() -> Path:
    """scikit-hep-testdata uproot-HZZ.root: Px/Py/Pz/E layout, tree 'events', 2421 events."""
    return _testdata("uproot-HZZ.root")


@pytest.fixture(scope="session")
def zmumu_path() -> Path:
    """scikit-hep-testdata uproot-Zmumu.root: two muons as flat scalar branches pt1, pt2 ..."""
    return _testdata("uproot-Zmumu.root")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the checkout (real CMS NanoAOD files)."""
    data = SHARED / "data"
    if not (data / "nano_dy.root").is_file():
        pytest.skip(f"shared test data not found at {data} (needs nano_dy.root, nano_dimuon.root)")
    return data


NANO_COLLECTIONS = ("Jet", "Muon", "Electron", "Photon")


@pytest.fixture
def write_nano(tmp_path: Path) -> Callable[..., Path]:
    """``write_nano(name, cols, *, rntuple=False)`` writes a tree 'Events' with the given
    columns (jagged lists or 1-D arrays keyed by branch name) into tmp_path."""
    import awkward as ak
    import uproot

    def write(name: str, cols: Mapping[str, object], *, rntuple: bool = False) -> Path:
        path = tmp_path / name
        data = {k: (v if isinstance(v, np.ndarray) else ak.Array(v)) for k, v in cols.items()}
        with uproot.recreate(path) as f:
            if rntuple:
                f["Events"] = ak.Array(data)
            else:
                types = {k: (v.dtype if isinstance(v, np.ndarray) else v.type.content) for k, v in data.items()}
                f.mktree("Events", types)
                f["Events"].extend(data)
        return path

    return write


def _random_nano_columns(n: int, seed: int = 0, *, collections=NANO_COLLECTIONS, met: bool = True) -> dict:
    """Random NanoAOD-like columns (float32 jagged pt/eta/phi per collection, MET)."""
    import awkward as ak

    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {}
    means = {"Jet": 5.0, "Muon": 0.6, "Electron": 0.5, "Photon": 0.7}
    for c in collections:
        counts = rng.poisson(means.get(c, 1.0), n)
        m = int(counts.sum())
        pt = (rng.pareto(2.5, m) * 10 + 1).astype(np.float32)
        eta = rng.uniform(-5.0, 5.0, m).astype(np.float32)
        phi = rng.uniform(-np.pi, np.pi, m).astype(np.float32)
        for q, v in (("pt", pt), ("eta", eta), ("phi", phi)):
            cols[f"{c}_{q}"] = ak.unflatten(v, counts)
    if met:
        cols["MET_pt"] = rng.exponential(30.0, n).astype(np.float32)
        cols["MET_phi"] = rng.uniform(-np.pi, np.pi, n).astype(np.float32)
    return cols


@pytest.fixture
def nano_columns() -> Callable[..., dict]:
    """``nano_columns(n, seed=0, *, collections=..., met=True)``: random NanoAOD-like
    columns to give to ``write_nano``."""
    return _random_nano_columns
