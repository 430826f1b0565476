"""Sequencer and trigger-rule throughput (BX/s), with the issue's anchor side by side.

Run: ``python3 -m pytest bench/bench_sequencer.py --benchmark-enable -s``.
Anchor (issue 5): the sequencer must scan at least 10 M BX/s on one core for a
3-stage chain, so that it is never the bottleneck. Times are process CPU time
(``time.process_time``: the scan is single-threaded), so a busy shared machine
does not inflate them. Each benchmark checks its result first: the scanned events
agree with the cycle-level model, the rules with the brute-force count.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from firmware_models.timing import BlockTiming
from streams.clock import FillingScheme, assign_bx, bx_time_fs
from triggeremu.sequencer import Sequencer, SequencerStage, budget_fs
from triggeremu.sequencer_reference import brute_force_rules, cycle_level
from triggeremu.trigger_rules import RUN3_RULES, TriggerRules, absolute_bx

TARGET_BX_PER_S = 10e6
N_EVENTS = 2748 * 400  # 400 orbits of the default 25 ns scheme
BATCH = 2748 * 4  # 4 orbits per batch, as the pipeline sends them

STAGES = [
    SequencerStage("asic", BlockTiming(clock_mhz=40.0794, latency_cycles=16, ii_cycles=1, fifo_depth=16)),
    SequencerStage("ad", BlockTiming(clock_mhz=200.0, latency_cycles=16, ii_cycles=5, fifo_depth=8,
                                     overflow="backpressure")),
    SequencerStage("acam", BlockTiming(clock_mhz=350.0, latency_cycles=4, ii_cycles=2, fifo_depth=4,
                                       overflow="backpressure")),
]


@pytest.fixture(scope="module")
def keys():
    orbit, bx, event = assign_bx(0, N_EVENTS, FillingScheme.lhc_25ns_2748())
    return orbit, bx, event


def _scan_all(orbit, bx):
    seq = Sequencer(STAGES, latency_budget_fs=budget_fs(ns=12500))
    first = None
    for i in range(0, orbit.size, BATCH):
        res = seq.feed({"orbit": orbit[i : i + BATCH], "bx": bx[i : i + BATCH]})
        if first is None:
            first = res.columns
    return seq, first


def _report(benchmark, n, what):
    if benchmark.stats is None:  # --benchmark-disable: ran once as a test
        return
    per_s = n / benchmark.stats.stats.mean
    benchmark.extra_info["bx_per_s"] = per_s
    benchmark.extra_info["ratio_to_10M_target"] = per_s / TARGET_BX_PER_S
    print(f"\n{what}: {per_s / 1e6:.1f} M BX/s (CPU time), {per_s / TARGET_BX_PER_S:.2f}x the 10 M BX/s target")


@pytest.mark.benchmark(group="sequencer", timer=time.process_time)
def test_bench_sequencer_3_stage_chain(benchmark, keys):
    orbit, bx, _ = keys
    n = 3000
    lat = np.tile([s.timing.latency_cycles for s in STAGES], (n, 1))
    ii = np.tile([s.timing.ii_cycles for s in STAGES], (n, 1))
    ref = cycle_level(bx_time_fs(orbit[:n], bx[:n]), lat, ii, [s.timing.period_fs for s in STAGES],
                      [s.timing.fifo_depth for s in STAGES], [s.timing.overflow == "backpressure" for s in STAGES])
    _, first = _scan_all(orbit[:BATCH], bx[:BATCH])  # also warms the JIT
    np.testing.assert_array_equal(first["seq_start_fs"][:n], ref["start"])
    np.testing.assert_array_equal(first["seq_done_fs"][:n], ref["done"])
    seq, _ = benchmark.pedantic(_scan_all, args=(orbit, bx), rounds=3, iterations=1)
    assert seq.events_timed == N_EVENTS
    _report(benchmark, N_EVENTS, "sequencer, 3-stage chain, 4-orbit batches")


@pytest.mark.benchmark(group="sequencer", timer=time.process_time)
def test_bench_trigger_rules(benchmark, keys):
    orbit, bx, _ = keys
    request = np.random.default_rng(1).random(N_EVENTS) < 0.02  # ~750 kHz of requests
    n = 20000
    got = TriggerRules(RUN3_RULES).apply(orbit[:n], bx[:n], request[:n]).vetoed_by
    np.testing.assert_array_equal(got, brute_force_rules(absolute_bx(orbit[:n], bx[:n]), request[:n], RUN3_RULES))

    def run():
        tr = TriggerRules(RUN3_RULES)
        for i in range(0, N_EVENTS, BATCH):
            tr.apply(orbit[i : i + BATCH], bx[i : i + BATCH], request[i : i + BATCH])
        return tr

    tr = benchmark.pedantic(run, rounds=3, iterations=1)
    assert tr.n_bx == N_EVENTS
    _report(benchmark, N_EVENTS, "trigger rules (Run-3), 4-orbit batches")
