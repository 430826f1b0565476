"""Every fast kernel agrees with its plain reference twin: one table of pairs, one property test.

The convention (docs/design.md, "Kernels and their twins"): a fast kernel (numba,
or vectorized NumPy) has a plain Python twin written from the rule it implements, not
from the kernel; the pair is one row of :data:`TWINS`. A row names the kernel and
the twin (the real functions, so a rename breaks the table, not the coverage), a
hypothesis strategy of cases, and how each of the two is run on a case; the one
test below runs both on every drawn case and asserts the outputs are equal, exactly.

Adding a pair is one line in :data:`TWINS` (plus the strategy and the two runners
if no existing ones fit). Some pairs keep further property tests in their own file
(e.g. sorting order, deadtime probes); the pure kernel == twin check lives only here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_models.acam import reference as acam_reference
from firmware_models.acam._kernels import scan_rows
from firmware_models.acam._walk_kernels import heap_eval
from firmware_models.acam.evaluate import check_inputs, evaluate
from firmware_models.acam.heap import compile_fast, heap_leaves_reference
from firmware_models.acam.walk import compile_walk
from firmware_models.econt import codec
from firmware_models.econt.algorithms.best_choice import COMPARATORS, sort_network, sort_network_reference
from firmware_models.econt.algorithms.threshold_sum import threshold_sum, threshold_sum_reference
from firmware_models.econt.buffer import BufferState, buffer_scan_reference, run_buffer
from firmware_models.econt.formatter import Frames
from firmware_models.fixed import _kernels as fixed_kernels
from firmware_models.fixed.exact import convert_exact, overflow_exact, split_double
from firmware_models.fixed.quantize import _params
from firmware_models.fixed.types import OVERFLOW_MODES
from streams import _calo_kernels as calo_kernels
from streams import hwkernels
from streams.jet_images import jet_images, jet_images_reference
from streams.regions import region_ets, region_ets_reference
from streams.calo import ShowerParams, normal_table
from streams.clock import bx_time_fs
from triggeremu._sequencer_kernels import apply_rules, scan_chain
from triggeremu.sequencer import Sequencer
from triggeremu.sequencer_reference import brute_force_rules, cycle_level
from triggeremu.trigger_rules import TriggerRules

from test_acam_kernels import _gapped, _random_table, _run_walk_kernels, _twin_expect
from test_fixed_reference import fixed_types
from test_hwunits import _coded, _event
from test_sequencer import _keys, chains
from test_trigger_rules import cases as rule_cases


@dataclass(frozen=True)
class Twin:
    """A fast kernel, its plain twin, the cases to compare them on, and how to run each on a case."""

    kernel: Callable
    reference: Callable
    cases: st.SearchStrategy
    run_kernel: Callable[[Any], Any]
    run_reference: Callable[[Any], Any]

    @property
    def id(self) -> str:
        return f"{self.kernel.__module__}.{self.kernel.__name__}"


# ---------------------------------------------------------------- firmware_models.fixed
_MANT = st.one_of(st.integers(-(2**62) + 1, 2**62 - 1), st.integers(-70, 70),
                  st.sampled_from([-(2**62) + 1, 2**62 - 1, 0, 1, -1, 2**52, -(2**52)]))
_FAST_TYPES = fixed_types(max_width=fixed_kernels.MAX_FAST_WIDTH)
cast_cases = st.tuples(_FAST_TYPES, st.integers(-140, 140), st.lists(_MANT, min_size=1, max_size=16))
quantize_cases = st.tuples(_FAST_TYPES, st.lists(st.floats(allow_nan=False, allow_infinity=True, width=64),
                                                 min_size=1, max_size=16))
overflow_cases = st.tuples(_FAST_TYPES, st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=16))


def _cast_kernel(case):
    t, k, mants = case
    raw = np.array(mants, dtype=np.int64)
    out = np.empty_like(raw)
    fixed_kernels.cast_kernel(raw, k, *_params(t), out)
    return out


def _quantize_kernel(case):
    t, xs = case
    out = np.empty(len(xs), dtype=np.int64)
    fixed_kernels.quantize_kernel(np.array(xs, dtype=np.float64), *_params(t), out)
    return out


def _overflow_kernel(case):
    t, values = case
    out = np.empty(len(values), dtype=np.int64)
    fixed_kernels.overflow_kernel(np.array(values, dtype=np.int64), t.width, t.signed, OVERFLOW_MODES.index(t.overflow),
                                  t.sat_bits, t.sat_min_raw, t.max_raw, out)
    return out


# ---------------------------------------------------------------- firmware_models.acam
acam_cases = st.tuples(st.integers(0, 2**32 - 1), st.sampled_from([4, 6, 8, 10, 12]))


def _acam_table_inputs(case):
    seed, n_bits = case
    table = _random_table(seed, n_bits=n_bits)
    x = np.random.default_rng(seed + 1).integers(0, 1 << n_bits, size=(200, table.n_features))
    return table, x


def _acam_kernel(case):
    table, x = _acam_table_inputs(case)
    return evaluate(table, x, mode="nested")[0]  # the row-scan kernel over 4-bit slices


def _acam_reference(case):
    table, x = _acam_table_inputs(case)
    acc, _, _ = acam_reference.scan_reference(table, x)
    t = table.leaf_type
    return ((acc + table.base_raw - t.min_raw) % (1 << t.width)) + t.min_raw


walk_cases = st.tuples(st.integers(0, 2**32 - 1), st.sampled_from([4, 8, 12, 16, 20, 31]),
                       st.sampled_from(["default", "heap", "pointer"]), st.booleans(), st.sampled_from([1, 3]))


def _walk_inputs(case):
    seed, n_bits, layout, gap, chunks = case
    table = _random_table(seed, n_features=4, n_bits=n_bits, n_trees=5, depth=5, n_classes=3)
    if gap:
        table = _gapped(table, seed)
    limits = {"default": {}, "heap": {"max_pad": 1e9}, "pointer": {"max_depth": -1}}[layout]
    fast = compile_fast(compile_walk(table), table.n_bits, table.tree_class, **limits)
    x = np.random.default_rng(seed + 3).integers(0, 1 << n_bits, size=(300, table.n_features))
    return table, fast, check_inputs(table, x), chunks


def _walk_kernel(case):  # heap and pointer walks, serial or in parallel chunks
    table, fast, x, chunks = _walk_inputs(case)
    return tuple(_run_walk_kernels(fast, x, table.n_trees, table.n_classes, chunks))


def _walk_reference(case):
    table, fast, x, _ = _walk_inputs(case)
    return tuple(_twin_expect(fast, x, table.n_trees, table.n_classes))


# ---------------------------------------------------------------- firmware_models.econt
_charges = st.integers(min_value=0, max_value=(1 << 22) - 1)
encode_cases = st.tuples(st.lists(_charges, min_size=1, max_size=64), st.integers(0, 4),
                         st.sampled_from(sorted(codec.FORMATS.values())))
ts_cases = st.tuples(st.lists(st.lists(st.integers(0, (1 << 22) - 1), min_size=48, max_size=48), min_size=1, max_size=8),
                     st.lists(st.integers(0, 1 << 22), min_size=48, max_size=48), st.integers(0, 4))


def _threshold_sum(fn):
    def run(case):
        rows, thr, drop = case
        out = fn(np.array(rows, dtype=np.int64), thr, drop)
        return tuple(np.asarray(getattr(out, f)) for f in ("passed", "codes", "sum_all", "sum_not_sent"))

    return run


sort_cases = st.lists(st.lists(st.integers(0, (1 << 18) - 1), min_size=48, max_size=48), min_size=1, max_size=8)
buffer_cases = st.tuples(st.lists(st.tuples(st.integers(1, 26), st.integers(0, 0xFFFF)), min_size=1, max_size=60),
                         st.integers(1, 13), st.integers(20, 600), st.integers(0, 400), st.integers(0, 30))


def _sort_kernel(rows):
    vals = np.array(rows, dtype=np.int64)
    out_v, out_a = np.empty_like(vals), np.empty_like(vals)
    sort_network(vals, COMPARATORS, out_v, out_a)
    return out_v, out_a


def _sort_reference(rows):
    comps = [tuple(c) for c in COMPARATORS.tolist()]
    pairs = [sort_network_reference(row, comps) for row in rows]
    return np.array([p[0] for p in pairs], dtype=np.int64), np.array([p[1] for p in pairs], dtype=np.int64)


def _buffer_frames(case):
    packets = case[0]
    rng = np.random.default_rng(len(packets))
    words = rng.integers(0, 1 << 16, size=(len(packets), 26), dtype=np.int64)
    numw = np.array([p[0] for p in packets], dtype=np.int64)
    trunc = np.array([[p[1], 7] for p in packets], dtype=np.int64)
    return words, numw, trunc


def _buffer_kernel(case):
    _, n_links, t1, t2, t3 = case
    words, numw, trunc = _buffer_frames(case)
    state = BufferState()
    out = run_buffer(Frames(words=words, numw=numw, trunc=trunc, bits=numw * 16), n_links=n_links, t1=t1, t2=t2,
                     t3=t3, state=state)
    return out.tx[:, :n_links], np.asarray(out.truncated, dtype=bool), np.asarray(out.lost_words), state.write_pointer


def _buffer_reference(case):
    _, n_links, t1, t2, t3 = case
    words, numw, trunc = _buffer_frames(case)
    rows, flags, wp, _, lost = buffer_scan_reference(words.tolist(), numw.tolist(), trunc.tolist(), n_links, t1, t2,
                                                     t3, [0] * 400, 0)
    return np.array(rows, dtype=np.int64), np.asarray(flags, dtype=bool), np.asarray(lost), wp


# ---------------------------------------------------------------- streams
select_cases = st.tuples(st.lists(_event, min_size=1, max_size=12), st.lists(_event, min_size=12, max_size=12),
                         st.integers(1, 10), st.booleans())
shower_cases = st.tuples(st.integers(0, 2**63), st.integers(0, 2**40), st.floats(0.1, 50.0), st.floats(1.0, 1000.0),
                         st.sampled_from([0.0, 0.5, 1.0]), st.integers(0, 300))


def _select(fn):
    def run(case):
        a, b, k, two = case
        cols = [_coded(a)] + ([_coded(b[: len(a)])] if two else [])
        out = np.zeros((len(a), 57), dtype=np.int32)
        fn(cols, k, 27, out)
        return out

    return run


def _showers(fn):
    def run(case):
        seed, first, lo, span, frac, pu = case
        n = 12
        keys = calo_kernels.event_key(seed, np.arange(first, first + n, dtype=np.uint64))
        p = ShowerParams().as_array((lo, lo * span), frac)
        cells, label, energy = np.zeros((n, 48), np.uint32), np.zeros(n, np.int8), np.zeros(n)
        fn(keys, np.full(n, pu, dtype=np.uint16), p, normal_table(), calo_kernels.phi_table(),
           calo_kernels.long_table(p), cells, label, energy)
        return cells, label, energy

    return run


# ---------------------------------------------------------------- triggeremu sequencer and trigger rules
def _scan_kernel(case):
    slots, stages, lat, ii, per_event, cuts, budget = case
    keys = _keys(slots)
    seq = Sequencer(stages, latency_budget_fs=budget)
    parts = [seq.feed({k: v[idx] for k, v in {**keys, **per_event}.items()}).columns
             for idx in np.split(np.arange(slots.size), cuts)]  # state carried across batch boundaries
    got = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    fin = seq.finish()
    dropped = [(fin["stages"][s.name]["dropped"], fin["stages"][s.name]["fifo_high_water"]) for s in stages]
    return (got["seq_start_fs"], got["seq_done_fs"], got["seq_fifo"], got["seq_latency_fs"], got["seq_drop_stage"],
            got["seq_status"] == 2, dropped)


def _scan_reference(case):
    slots, stages, lat, ii, per_event, cuts, budget = case
    keys = _keys(slots)
    ref = cycle_level(bx_time_fs(keys["orbit"], keys["bx"]), lat, ii, [s.timing.period_fs for s in stages],
                      [s.timing.fifo_depth for s in stages], [s.timing.overflow == "backpressure" for s in stages],
                      budget)
    dropped = [(int((ref["drop_stage"] == j).sum()), max(0, int(ref["fifo"][:, j].max()))) for j in range(len(stages))]
    return ref["start"], ref["done"], ref["fifo"], ref["latency"], ref["drop_stage"], ref["over_budget"], dropped


def _rules_kernel(case):
    rules, slots, request, cuts = case
    tr = TriggerRules(rules)
    orbit, bx = (slots // 3564).astype(np.uint32), (slots % 3564).astype(np.uint16)
    parts = [tr.apply(orbit[idx], bx[idx], request[idx]).vetoed_by for idx in np.split(np.arange(slots.size), cuts)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)


def _rules_reference(case):
    rules, slots, request, _ = case
    return brute_force_rules(slots, request, rules)


# ---------------------------------------------------------------- the table: one row per (kernel, twin)
# ---------------------------------------------------------------- streams.regions / streams.jet_images
def _l1_rows(draw_rows):
    """L1 input rows: codes over the calo fields' whole ranges (pT 0..2047, eta -128..127, phi 0..143)."""
    row = st.tuples(*[st.sampled_from([0, 0, 1, 40, 2047]) | st.integers(0, 2047) if j % 3 == 0 else
                      (st.integers(-128, 127) if j % 3 == 1 else st.integers(0, 143)) for j in range(57)])
    return st.lists(row, min_size=1, max_size=draw_rows)


payload_cases = st.tuples(_l1_rows(6), st.integers(0, 2**40), st.integers(0, 2**31),
                          st.floats(0, 200, allow_nan=False))


def _payload(fn, with_pileup):
    def run(case):
        rows, first, seed, pu = case
        l1 = np.array(rows, dtype=np.int32).reshape(len(rows), 57)
        ev = np.arange(first, first + len(rows), dtype=np.uint64)
        kw = {"pileup": np.full(len(rows), pu)} if with_pileup else {}
        return fn(l1, ev, seed=seed, **kw)
    return run


TWINS = [
    Twin(fixed_kernels.cast_kernel, convert_exact, cast_cases, _cast_kernel,
         lambda c: np.array([convert_exact(m, c[1], c[0]) for m in c[2]], dtype=np.int64)),
    Twin(fixed_kernels.quantize_kernel, convert_exact, quantize_cases, _quantize_kernel,
         lambda c: np.array([convert_exact(*split_double(v), c[0]) for v in c[1]], dtype=np.int64)),
    Twin(fixed_kernels.overflow_kernel, overflow_exact, overflow_cases, _overflow_kernel,
         lambda c: np.array([overflow_exact(v, c[0]) for v in c[1]], dtype=np.int64)),
    Twin(scan_rows, acam_reference.scan_reference, acam_cases, _acam_kernel, _acam_reference),
    Twin(heap_eval, heap_leaves_reference, walk_cases, _walk_kernel, _walk_reference),
    Twin(codec.encode, codec.encode_scalar, encode_cases, lambda c: codec.encode(np.array(c[0]), c[1], *c[2]),
         lambda c: np.array([codec.encode_scalar(v, c[1], *c[2]) for v in c[0]])),
    Twin(threshold_sum, threshold_sum_reference, ts_cases, _threshold_sum(threshold_sum),
         _threshold_sum(threshold_sum_reference)),
    Twin(sort_network, sort_network_reference, sort_cases, _sort_kernel, _sort_reference),
    Twin(run_buffer, buffer_scan_reference, buffer_cases, _buffer_kernel, _buffer_reference),
    Twin(hwkernels.select_objects, hwkernels.select_objects_reference, select_cases,
         _select(hwkernels.select_objects), _select(hwkernels.select_objects_reference)),
    Twin(calo_kernels.fill_showers, calo_kernels.fill_showers_reference, shower_cases,
         _showers(calo_kernels.fill_showers), _showers(calo_kernels.fill_showers_reference)),
    Twin(scan_chain, cycle_level, chains(), _scan_kernel, _scan_reference),
    Twin(apply_rules, brute_force_rules, rule_cases(), _rules_kernel, _rules_reference),
    Twin(region_ets, region_ets_reference, payload_cases, _payload(region_ets, True),
         _payload(region_ets_reference, True)),
    Twin(jet_images, jet_images_reference, payload_cases, _payload(jet_images, False),
         _payload(jet_images_reference, False)),
]


def _equal(a: Any, b: Any, where: str = "output") -> None:
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _equal(x, y, f"{where}[{i}]")
    else:
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=where)


@pytest.mark.parametrize("twin", TWINS, ids=[t.id for t in TWINS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_kernel_equals_its_reference_twin(twin: Twin, data) -> None:
    case = data.draw(twin.cases, label="case")
    _equal(twin.run_kernel(case), twin.run_reference(case))


def test_every_twin_is_a_distinct_kernel():
    ids = [t.id for t in TWINS]
    assert len(ids) == len(set(ids))
