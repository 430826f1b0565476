"""Throughput of the event sources, side by side in one process.

Run: ``python3 -m pytest bench/bench_sources.py --benchmark-enable``

- ROOT replay (:class:`streams.root_source.RootSource`) of a 1M-event NanoAOD-like
  file written here with uproot ``mktree`` (jagged Jet/Muon/Electron/Photon
  pt/eta/phi, MET), next to its anchor: uproot alone reading the same branches into
  awkward arrays (the floor any reader built on uproot pays); target >= 0.8x of the
  anchor's events/s (issue 11; the reader runs one chunk ahead on its own thread).
- L1 conversion alone (:func:`streams.hwunits.build_l1_inputs`, target > 2 M events/s).
- The synthetic source (target >= 5 M events/s on one core: it is one thread), with and
  without pileup.

Each benchmark checks its result: the replayed inputs equal a direct conversion of
the in-memory arrays that were written, the synthetic events equal a single
unbatched generation.
"""

from __future__ import annotations

import os

import awkward as ak
import numpy as np
import pytest
import uproot

from streams.hwunits import Objects, build_l1_inputs
from streams.root_source import RootSource
from streams.schema import concat_columns
from streams.synthetic import SyntheticL1Source, generate_l1_batch

N_ROOT = int(os.environ.get("TRIGGEREMU_BENCH_ROOT_EVENTS", 1_000_000))
N_SYNTH = 2_000_000
#: entries per basket of the written file
BASKET = 100_000
COLLECTIONS = {"Jet": 6.0, "Muon": 0.5, "Electron": 0.6, "Photon": 0.8}


@pytest.fixture(scope="module")
def nano_file(tmp_path_factory):
    rng = np.random.default_rng(2024)
    cols: dict[str, object] = {}
    objs: dict[str, Objects] = {}
    for c, mean in COLLECTIONS.items():
        counts = rng.poisson(mean, N_ROOT)
        m = int(counts.sum())
        vals = {"pt": (rng.pareto(2.5, m) * 10 + 1).astype(np.float32),
                "eta": rng.uniform(-5, 5, m).astype(np.float32),
                "phi": rng.uniform(-np.pi, np.pi, m).astype(np.float32)}
        for q, v in vals.items():
            cols[f"{c}_{q}"] = ak.unflatten(v, counts)
        objs[c] = Objects(np.concatenate([[0], np.cumsum(counts)]), vals["pt"], vals["eta"], vals["phi"])
    met_pt = rng.exponential(30, N_ROOT).astype(np.float32)
    met_phi = rng.uniform(-np.pi, np.pi, N_ROOT).astype(np.float32)
    cols["MET_pt"], cols["MET_phi"] = met_pt, met_phi
    path = tmp_path_factory.mktemp("bench") / f"nano_{N_ROOT}.root"
    with uproot.recreate(path) as f:
        f.mktree("Events", {k: (v.dtype if isinstance(v, np.ndarray) else v.type.content) for k, v in cols.items()})
        for lo in range(0, N_ROOT, BASKET):  # baskets of BASKET entries, as a file written event by event has
            f["Events"].extend({k: v[lo:lo + BASKET] for k, v in cols.items()})
    expected, _ = build_l1_inputs(N_ROOT, egamma=[objs["Electron"], objs["Photon"]], muon=objs["Muon"],
                                  jet=objs["Jet"], met_pt=met_pt, met_phi=met_phi)
    return path, expected, objs, (met_pt, met_phi)


def _rate(benchmark, n: int) -> float:
    rate = n / benchmark.stats.stats.min
    benchmark.extra_info["events_per_s"] = round(rate)
    return rate


@pytest.mark.benchmark(group="root-replay")
def test_uproot_alone_anchor(benchmark, nano_file):
    path = nano_file[0]
    branches = [f"{c}_{q}" for c in COLLECTIONS for q in ("pt", "eta", "phi")] + ["MET_pt", "MET_phi"]

    def read():
        with uproot.open(path) as f:
            return sum(len(a) for a in f["Events"].iterate(branches, step_size=100_000, library="ak"))

    assert benchmark.pedantic(read, rounds=3, iterations=1, warmup_rounds=1) == N_ROOT
    _rate(benchmark, N_ROOT)


@pytest.mark.benchmark(group="root-replay")
def test_root_source_replay(benchmark, nano_file):
    path, expected, _, _ = nano_file

    def replay():
        return concat_columns(list(RootSource(path, chunk_events=100_000)))

    cols = benchmark.pedantic(replay, rounds=3, iterations=1, warmup_rounds=1)
    np.testing.assert_array_equal(cols["l1_inputs"], expected)
    assert not cols["bad_input"].any()
    _rate(benchmark, N_ROOT)


@pytest.mark.benchmark(group="l1-conversion")
def test_build_l1_inputs(benchmark, nano_file):
    _, expected, objs, (met_pt, met_phi) = nano_file

    def convert():
        return build_l1_inputs(N_ROOT, egamma=[objs["Electron"], objs["Photon"]], muon=objs["Muon"],
                               jet=objs["Jet"], met_pt=met_pt, met_phi=met_phi)[0]

    np.testing.assert_array_equal(benchmark.pedantic(convert, rounds=5, iterations=1, warmup_rounds=1), expected)
    assert _rate(benchmark, N_ROOT) > 0


@pytest.fixture(scope="module")
def synthetic_reference():
    return generate_l1_batch(0, N_SYNTH, seed=0)[0]


def _drain(source):
    """Iterate a source; return the event count and the last batch (kept for checking)."""
    n, last = 0, None
    for batch in source:
        n += len(batch["event"])
        last = batch
    return n, last


@pytest.mark.benchmark(group="synthetic")
def test_synthetic_source(benchmark, synthetic_reference):
    n, last = benchmark.pedantic(lambda: _drain(SyntheticL1Source(N_SYNTH)), rounds=3, iterations=1,
                                 warmup_rounds=1)
    assert n == N_SYNTH
    np.testing.assert_array_equal(last["l1_inputs"], synthetic_reference[-len(last["event"]):])
    _rate(benchmark, N_SYNTH)


@pytest.mark.benchmark(group="synthetic")
def test_synthetic_source_with_pileup(benchmark, synthetic_reference):
    n, last = benchmark.pedantic(lambda: _drain(SyntheticL1Source(N_SYNTH, pileup_mean=60.0)), rounds=3,
                                 iterations=1, warmup_rounds=1)
    assert n == N_SYNTH and abs(last["pileup"].mean() - 60) < 1.0
    _rate(benchmark, N_SYNTH)
