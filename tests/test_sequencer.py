"""The sequencer's timing scan: hand-worked cases, the cycle-level twin, batching, order.

The property test draws random chains (clocks, latencies, II, FIFO depths, drop or
back-pressure, data-dependent timing) and random batch splits, and checks the
numba scan against :func:`triggeremu.sequencer_reference.cycle_level`, which
steps one clock edge at a time. Hand-worked cases are derived on paper from the
rules in the sequencer docstring (times in BX, with a stage clocked at the BX rate).
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import strategies as st

from firmware_models.timing import BlockTiming
from streams.clock import BX_FREQUENCY_HZ, BX_PER_ORBIT, BX_PERIOD_FS, bx_time_fs
from streams.errors import StreamIntegrityError
from triggeremu.errors import ConfigError
from triggeremu.sequencer import (
    Sequencer,
    SequencerStage,
    budget_fs,
    sequence,
)
from triggeremu.order import restore_order
from triggeremu.sequencer_reference import cycle_level

EXAMPLES = int(os.environ.get("TRIGGEREMU_HYPOTHESIS_EXAMPLES", "60"))
BX_CLOCK_MHZ = float(BX_FREQUENCY_HZ / 10**6)  # a stage clocked exactly at the BX rate
CLOCKS = [40.0, BX_CLOCK_MHZ, 80.0, 120.0, 160.0, 200.0, 240.0, 360.0, 13.3]


def _bx_stage(name, lat, ii, depth, overflow="drop", **kw):
    tm = BlockTiming(clock_mhz=BX_CLOCK_MHZ, latency_cycles=lat, ii_cycles=ii, fifo_depth=depth, overflow=overflow)
    assert tm.period_fs == BX_PERIOD_FS
    return SequencerStage(name, tm, **kw)


def _keys(bx_list):
    bx = np.asarray(bx_list, dtype=np.int64)
    return {
        "orbit": (bx // BX_PER_ORBIT).astype(np.uint32),
        "bx": (bx % BX_PER_ORBIT).astype(np.uint16),
        "event": np.arange(bx.size, dtype=np.uint64),
    }


def test_single_stage_ii2_fifo_fills_and_drops_hand_worked():
    # events every BX into a block with II = 2 and a 2-deep FIFO: the FIFO fills by one
    # every 2 BX, then every other event finds it full (worked out by hand)
    seq = Sequencer([_bx_stage("blk", lat=3, ii=2, depth=2)])
    res = seq.feed(_keys(range(10)))
    start_bx = res.columns["seq_start_fs"][:, 0] // BX_PERIOD_FS
    start_bx[res.columns["seq_start_fs"][:, 0] < 0] = -1
    np.testing.assert_array_equal(start_bx, [0, 2, 4, 6, 8, -1, 10, -1, 12, -1])
    np.testing.assert_array_equal(res.columns["seq_fifo"][:, 0], [0, 1, 1, 2, 2, -1, 2, -1, 2, -1])
    lat = res.columns["seq_latency_fs"]
    np.testing.assert_array_equal(lat[lat >= 0] // BX_PERIOD_FS, [3, 4, 5, 6, 7, 7, 7])
    assert res.loss_counts == {"fifo_full:blk": 3}
    np.testing.assert_array_equal(np.flatnonzero(res.lost), [5, 7, 9])
    fin = seq.finish()
    assert fin["stages"]["blk"]["fifo_high_water"] == 2
    assert fin["stages"]["blk"]["dropped"] == 3


def test_backpressure_propagates_upstream_hand_worked():
    # A (L1, II1, 4-deep, drop) -> B (L1, II3, 1-deep, back-pressure); events every BX.
    # B refuses, A holds the event and stalls; worked out by hand from the rules.
    a = _bx_stage("A", lat=1, ii=1, depth=4)
    b = _bx_stage("B", lat=1, ii=3, depth=1, overflow="backpressure")
    res, fin = sequence(**_keys(range(6)), stages=[a, b])
    c = res.columns
    np.testing.assert_array_equal(c["seq_start_fs"] // BX_PERIOD_FS, [[0, 1], [1, 4], [2, 7], [4, 10], [7, 13], [10, 16]])
    np.testing.assert_array_equal(c["seq_done_fs"][:, 0] // BX_PERIOD_FS, [1, 2, 4, 7, 10, 13])
    np.testing.assert_array_equal(c["seq_fifo"], [[0, 0], [0, 1], [0, 1], [1, 1], [1, 1], [2, 1]])
    np.testing.assert_array_equal(c["seq_latency_fs"] // BX_PERIOD_FS, [2, 4, 6, 8, 10, 12])
    assert not res.lost.any()
    assert fin["stages"]["A"]["fifo_high_water"] == 2 and fin["stages"]["B"]["dropped"] == 0


def test_backpressure_at_first_stage_drops_because_the_beam_cannot_wait():
    seq = Sequencer([_bx_stage("only", lat=1, ii=2, depth=0, overflow="backpressure")])
    res = seq.feed(_keys(range(4)))
    np.testing.assert_array_equal(res.columns["seq_drop_stage"], [-1, 0, -1, 0])
    assert res.loss_counts == {"fifo_full:only": 2}


def test_latency_budget_counts_events_over_budget_as_lost():
    # II 2, no FIFO limit issue (depth 8): latencies 3,4,5,6 BX; budget 4 BX -> 2 lost
    seq = Sequencer([_bx_stage("blk", lat=3, ii=2, depth=8)], latency_budget_fs=budget_fs(bx=4))
    res = seq.feed(_keys(range(4)))
    np.testing.assert_array_equal(res.columns["seq_latency_fs"] // BX_PERIOD_FS, [3, 4, 5, 6])
    np.testing.assert_array_equal(res.lost, [False, False, True, True])
    assert res.loss_counts == {"over_latency_budget": 2}
    assert seq.events_over_budget == 2
    assert budget_fs(ns=12500) == 12_500_000_000


def test_masked_events_are_not_timed_and_take_no_slot():
    seq = Sequencer([_bx_stage("blk", lat=1, ii=2, depth=0)])
    res = seq.feed(_keys(range(4)), mask=np.array([True, False, True, False]))
    np.testing.assert_array_equal(res.columns["seq_status"], [0, 3, 0, 3])
    assert not res.lost.any()
    assert seq.events_timed == 2


def test_data_dependent_latency_from_a_stage_column():
    st = _bx_stage("blk", lat=1, ii=1, depth=4, latency_column="blk_cycles")
    keys = _keys([0, 10, 20])
    res = Sequencer([st]).feed({**keys, "blk_cycles": np.array([2, 7, 1], dtype=np.int32)})
    np.testing.assert_array_equal(res.columns["seq_latency_fs"] // BX_PERIOD_FS, [2, 7, 1])
    with pytest.raises(ConfigError, match="blk_cycles"):
        Sequencer([st]).feed(keys)
    with pytest.raises(ConfigError, match=">= 1 cycle"):
        Sequencer([st]).feed({**keys, "blk_cycles": np.array([2, 0, 1])})


def test_bad_configuration_and_order_are_clear_errors():
    with pytest.raises(ConfigError, match="at least 1 cycle"):
        _bx_stage("comb", lat=0, ii=1, depth=1)
    seq = Sequencer([_bx_stage("blk", lat=1, ii=1, depth=1)])
    with pytest.raises(StreamIntegrityError, match="BX order"):
        seq.feed(_keys([5, 3]))
    with pytest.raises(StreamIntegrityError, match="new Sequencer"):
        seq.feed(_keys([10, 11]))
    seq = Sequencer([_bx_stage("blk", lat=1, ii=1, depth=1)])
    seq.feed(_keys([10, 11]))
    with pytest.raises(StreamIntegrityError, match="previous batch"):
        seq.feed(_keys([11, 12]))


# -- the scan against the cycle-level model ------------------------------------------
@st.composite
def chains(draw):
    n_st = draw(st.integers(1, 4))
    n = draw(st.integers(1, 45))
    dense = draw(st.booleans())
    if dense:
        first = draw(st.integers(0, 3 * BX_PER_ORBIT))
        slots = first + np.arange(n)
    else:
        picks = draw(st.lists(st.integers(0, 2 * BX_PER_ORBIT - 1), min_size=n, max_size=n, unique=True))
        slots = np.sort(np.array(picks))
    stages, lat, ii, per_event = [], np.zeros((n, n_st), np.int64), np.zeros((n, n_st), np.int64), {}
    for s in range(n_st):
        tm = BlockTiming(
            clock_mhz=draw(st.sampled_from(CLOCKS)),
            latency_cycles=draw(st.integers(1, 12)),
            ii_cycles=draw(st.integers(1, 7)),
            fifo_depth=draw(st.integers(0, 5)),
            overflow=draw(st.sampled_from(["drop", "backpressure"])),
        )
        lat[:, s], ii[:, s] = tm.latency_cycles, tm.ii_cycles
        lcol = icol = None
        if draw(st.booleans()):
            lcol = f"s{s}_lat"
            per_event[lcol] = np.array(draw(st.lists(st.integers(1, 15), min_size=n, max_size=n)), dtype=np.int64)
            lat[:, s] = per_event[lcol]
        if draw(st.booleans()):
            icol = f"s{s}_ii"
            per_event[icol] = np.array(draw(st.lists(st.integers(1, 8), min_size=n, max_size=n)), dtype=np.int64)
            ii[:, s] = per_event[icol]
        stages.append(SequencerStage(f"s{s}", tm, lcol, icol))
    cuts = sorted(set(draw(st.lists(st.integers(1, max(1, n - 1)), max_size=4)))) if n > 1 else []
    budget = draw(st.integers(1, 60)) * BX_PERIOD_FS // 4
    return slots, stages, lat, ii, per_event, cuts, budget


# scan_chain == cycle_level (the Sequencer against its cycle-level twin): tests/test_kernel_twins.py


def test_window_rings_grow_under_long_backpressure():
    # a slow, shallow downstream stage behind a deep pipeline keeps many windows open
    a = BlockTiming(clock_mhz=360.0, latency_cycles=200, ii_cycles=1, fifo_depth=64)
    b = BlockTiming(clock_mhz=BX_CLOCK_MHZ, latency_cycles=2, ii_cycles=3, fifo_depth=1, overflow="backpressure")
    stages = [SequencerStage("a", a), SequencerStage("b", b)]
    keys = _keys(range(400))
    res, _ = sequence(**keys, stages=stages)
    n = 400
    ref = cycle_level(bx_time_fs(keys["orbit"], keys["bx"]), np.tile([200, 2], (n, 1)), np.tile([1, 3], (n, 1)),
                      [a.period_fs, b.period_fs], [64, 1], [False, True])
    np.testing.assert_array_equal(res.columns["seq_start_fs"], ref["start"])
    np.testing.assert_array_equal(res.columns["seq_drop_stage"], ref["drop_stage"])


# -- order restoration --------------------------------------------------------------
def test_restore_order_from_shuffled_worker_outputs_reports_gaps():
    rng = np.random.default_rng(7)
    n = 5000
    slots = np.sort(rng.choice(4 * BX_PER_ORBIT, n, replace=False))
    keys = _keys(slots)
    keys["score"] = rng.integers(0, 1000, n)
    cuts = np.sort(rng.choice(np.arange(1, n), 30, replace=False))
    parts = [{k: v[idx] for k, v in keys.items()} for idx in np.split(np.arange(n), cuts)]
    lost = parts.pop(11)  # a batch that never arrived
    rng.shuffle(parts)
    restored = restore_order(parts, first_event=0)
    keep = np.ones(n, dtype=bool)
    keep[lost["event"].astype(np.int64)] = False
    for k in keys:
        np.testing.assert_array_equal(restored.columns[k], keys[k][keep])
    assert restored.gaps == [{
        "first_event": int(lost["event"][0]), "last_event": int(lost["event"][-1]),
        "orbit_before": int(keys["orbit"][int(lost["event"][0]) - 1]),
        "orbit_after": int(keys["orbit"][int(lost["event"][-1]) + 1]),
    }]
    assert restored.n_missing == lost["event"].size


def test_restore_order_rejects_duplicates():
    keys = _keys(range(10))
    with pytest.raises(StreamIntegrityError, match="twice"):
        restore_order([keys, {k: v[3:5] for k, v in keys.items()}])


def test_latency_percentiles_are_nearest_rank_on_10ps_bins():
    # a congested 3-stage chain with mixed clocks; percentiles from the per-event columns
    # with numpy's inverted-CDF (nearest-rank) definition must match the summary
    rng = np.random.default_rng(3)
    slots = np.sort(rng.choice(3 * BX_PER_ORBIT, 6000, replace=False))
    stages = [
        SequencerStage("a", BlockTiming(clock_mhz=40.0, latency_cycles=3, ii_cycles=1, fifo_depth=4)),
        SequencerStage("b", BlockTiming(clock_mhz=240.0, latency_cycles=30, ii_cycles=7, fifo_depth=3,
                                        overflow="backpressure")),
        SequencerStage("c", BlockTiming(clock_mhz=360.0, latency_cycles=5, ii_cycles=2, fifo_depth=2)),
    ]
    seq = Sequencer(stages)
    keys = _keys(slots)
    cols = [seq.feed({k: v[i] for k, v in keys.items()}).columns for i in np.array_split(np.arange(6000), 3)]
    lat = np.concatenate([c["seq_latency_fs"] for c in cols])
    lat = lat[lat >= 0]
    fin = seq.finish()
    binned = -(-lat // 10_000) * 10_000
    for name, q in (("p50", 50), ("p99", 99)):
        assert fin["latency_ns"][name] == np.percentile(binned, q, method="inverted_cdf") / 1e6
    assert fin["latency_ns"]["max"] == lat.max() / 1e6
    assert sum(fin["stages"][s]["dropped"] for s in "abc") == 6000 - lat.size
