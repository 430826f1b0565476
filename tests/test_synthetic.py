"""Tests of streams.synthetic: determinism across batch sizes, the label and pileup
columns, well-formed hardware codes, and the numba generator against its Python twin."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams import hwunits as hw
from streams import hwkernels, synthetic
from streams.clock import FillingScheme, assign_bx, poisson_pileup
from streams.schema import concat_columns, from_columns, to_columns
from streams.sourcebase import SourceOptionError
from streams.synthetic import (
    _STREAM_BACKGROUND,
    _STREAM_DECISION,
    _STREAM_SIGNAL,
    _TRIG,
    SyntheticL1Source,
    _generate_kernel,
    _jet_limit,
    _key,
    _param_table,
    generate_l1_batch,
)

N = 30_000


def _all(src):
    return concat_columns(list(src))


@pytest.fixture(scope="module")
def reference():
    return _all(SyntheticL1Source(N, seed=7, signal_fraction=0.1, pileup_mean=60.0))


@pytest.mark.parametrize("batch_events", [1, 997, 25_000, 100_000])
def test_same_events_whatever_the_batch_size(reference, batch_events):
    n = 3000 if batch_events == 1 else N
    got = _all(SyntheticL1Source(n, seed=7, signal_fraction=0.1, pileup_mean=60.0, batch_events=batch_events))
    assert set(got) == set(reference)
    for k in reference:
        np.testing.assert_array_equal(got[k], reference[k][:n], err_msg=k)


def test_batches_keys_and_sizes():
    src = SyntheticL1Source(25_000)
    assert src.layout == "synthetic" and src.n_events == 25_000
    assert src.batch_events == 4 * 2748
    batches = list(src)
    assert [len(b["event"]) for b in batches] == [10_992, 10_992, 25_000 - 2 * 10_992]
    assert set(batches[0]) == {"orbit", "bx", "event", "l1_inputs", "bad_input", "input_anomaly"}
    cols = concat_columns(batches)
    orbit, bx, event = assign_bx(0, 25_000, FillingScheme.lhc_25ns_2748())
    np.testing.assert_array_equal(cols["orbit"], orbit)
    np.testing.assert_array_equal(cols["bx"], bx)
    np.testing.assert_array_equal(cols["event"], event)
    assert cols["l1_inputs"].dtype == np.int32 and cols["l1_inputs"].shape == (25_000, 57)
    assert cols["bad_input"].dtype == np.uint8 and not cols["bad_input"].any()
    assert cols["input_anomaly"].dtype == np.uint8
    round_trip = to_columns(from_columns(batches[0]))
    np.testing.assert_array_equal(round_trip["l1_inputs"], batches[0]["l1_inputs"])
    json.dumps(src.describe())


def test_label_column_and_background_unchanged(reference):
    plain = _all(SyntheticL1Source(N, seed=7, pileup_mean=60.0))
    assert "label" not in plain
    label = reference["label"]
    assert label.dtype == np.int8
    n_sig = int(label.sum())
    assert 0.1 * N - 5 * np.sqrt(0.09 * N) < n_sig < 0.1 * N + 5 * np.sqrt(0.09 * N)
    bkg = label == 0
    np.testing.assert_array_equal(plain["l1_inputs"][bkg], reference["l1_inputs"][bkg])
    assert not np.array_equal(plain["l1_inputs"][~bkg], reference["l1_inputs"][~bkg])
    more = _all(SyntheticL1Source(N, seed=7, signal_fraction=0.3, pileup_mean=60.0))["label"]
    assert np.all(more[label == 1] == 1)  # raising the fraction only adds signal events


def test_signal_events_carry_signal_objects(reference):
    l1 = reference["l1_inputs"][reference["label"] == 1]
    mu = l1[:, hw.SLICES["mu"]][:, 0::3]
    eg = l1[:, hw.SLICES["eg"]][:, 0::3]
    jet = l1[:, hw.SLICES["jet"]][:, 0::3]
    two_mu = (mu >= hw.gev_to_hw_threshold("mu", 20.0)).sum(axis=1) >= 2
    two_eg = (eg >= hw.gev_to_hw_threshold("eg", 20.0)).sum(axis=1) >= 2
    four_jets = (jet >= hw.gev_to_hw_threshold("jet", 60.0)).sum(axis=1) >= 4
    assert np.all(two_mu | two_eg | four_jets)
    assert two_mu.any() and two_eg.any() and four_jets.any()


def test_pileup_column(reference):
    pu = reference["pileup"]
    assert pu.dtype == np.uint16
    np.testing.assert_array_equal(pu, poisson_pileup(reference["orbit"], reference["bx"], 60.0, seed=7))
    assert abs(pu.mean() - 60.0) < 0.5


def test_rows_are_well_formed(reference):
    l1 = reference["l1_inputs"]
    assert not l1[:, 1].any()  # met_eta
    for key, kind, count in hw.L1_INPUT_BLOCKS:
        block = l1[:, hw.SLICES[key]].reshape(-1, count, 3)
        fields = [hw.FIELDS[f] if f else None for f in hw.OBJECT_FIELDS[kind]]
        for j, spec in enumerate(fields):
            if spec is not None:
                assert block[..., j].min() >= spec.lo and block[..., j].max() <= spec.hi
        pt = block[..., 0]
        assert np.all(np.diff(pt, axis=1) <= 0), f"{key}: pT codes not descending"
        if kind != "met":
            empty = pt == 0
            assert not block[empty][:, 1:].any(), f"{key}: empty slot with eta/phi"
    jets = (l1[:, hw.SLICES["jet"]][:, 0::3] > 0).sum(axis=1)
    assert 1.5 < jets.mean() < 6
    assert 0.05 < (l1[:, 3] > 0).mean() < 0.35  # some events have an e/gamma
    assert (l1[:, 15] > 0).mean() < 0.15  # muons are rare


def test_seeds_differ_and_repeat():
    a = generate_l1_batch(0, 2000, seed=1)[0]
    b = generate_l1_batch(0, 2000, seed=2)[0]
    c = generate_l1_batch(0, 2000, seed=1)[0]
    np.testing.assert_array_equal(a, c)
    assert (a != b).any(axis=1).mean() > 0.9


def test_kernel_matches_python_twin(monkeypatch):
    """The whole generator, interpreted (every numba helper replaced by its Python
    function, NumPy uint64 scalars wrapping), gives the same events as the compiled one."""
    n, first = 300, 12_345
    pileup = np.linspace(0, 200, n)
    keys = (_key(3, _STREAM_BACKGROUND), _key(3, _STREAM_DECISION), _key(3, _STREAM_SIGNAL))
    args = (first, *keys, 0.3, _jet_limit(pileup), _param_table(), _TRIG,
            hw.SLICES["eg"].start, hw.SLICES["mu"].start, hw.SLICES["jet"].start)
    fast = np.zeros((n, 57), dtype=np.int32)
    fast_label = np.zeros(n, dtype=np.int8)
    fast_flags = np.zeros(n, dtype=np.uint8)
    _generate_kernel(*args, fast, fast_label, fast_flags, True)
    for name in ("_mix", "_uniform", "_poisson", "_q", "_noise", "_saturates", "_event", "_floor_certain",
                 "push_topk", "write_topk", "quantize_scalar"):
        monkeypatch.setattr(synthetic, name, getattr(synthetic, name).py_func)
    monkeypatch.setattr(hwkernels, "_code", hwkernels._code.py_func)
    slow = np.zeros_like(fast)
    slow_label = np.zeros_like(fast_label)
    slow_flags = np.zeros_like(fast_flags)
    with np.errstate(over="ignore"):  # uint64 arithmetic wraps, as in the compiled kernel
        _generate_kernel.py_func(*args, slow, slow_label, slow_flags, True)
    np.testing.assert_array_equal(fast, slow)
    np.testing.assert_array_equal(fast_label, slow_label)
    np.testing.assert_array_equal(fast_flags, slow_flags)
    assert slow_label.sum() > 50


@settings(max_examples=25, deadline=None)
@given(first=st.integers(0, 1 << 40), seed=st.integers(0, 1 << 31), fraction=st.sampled_from([0.0, 0.05, 0.6]),
       pileup=st.sampled_from([None, 60.0, 200.0]))
def test_fast_jet_pt_gives_the_exact_events(first, seed, fraction, pileup):
    """The default path (jet pT from two square roots, redone exactly where a code could
    differ) equals the definition (libm pow) on every event, anomaly bits included."""
    n = 20_000
    pu = None if pileup is None else np.full(n, pileup)
    fa, ea = np.empty(n, dtype=np.uint8), np.empty(n, dtype=np.uint8)
    fast = generate_l1_batch(first, n, seed=seed, signal_fraction=fraction, pileup=pu, anomaly=fa)
    exact = generate_l1_batch(first, n, seed=seed, signal_fraction=fraction, pileup=pu, anomaly=ea, exact=True)
    np.testing.assert_array_equal(fast[0], exact[0])
    np.testing.assert_array_equal(fast[1], exact[1])
    np.testing.assert_array_equal(fa, ea)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_events": -1}, "n_events"),
        ({"n_events": 10, "batch_events": 0}, "batch_events"),
        ({"n_events": 10, "signal_fraction": 1.5}, "signal_fraction"),
        ({"n_events": 10, "pileup_mean": float("nan")}, "pileup_mean"),
        ({"n_events": 10, "seed": -3}, "seed"),
        ({"n_events": 10, "signal_fraction": "0.1"}, "signal_fraction"),
        ({"n_events": 10.5}, "n_events"),
    ],
)
def test_bad_options(kwargs, match):
    with pytest.raises(SourceOptionError, match=match):
        SyntheticL1Source(**kwargs)


def test_empty_source():
    assert list(SyntheticL1Source(0)) == []
