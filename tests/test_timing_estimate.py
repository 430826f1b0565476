"""The topology timing estimator against real reports and published figures; the II-vs-BX flag."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from firmware_models.errors import ModelFormatError
from firmware_models.hls_report import read_hls_report
from firmware_models.timing import BlockTiming
from firmware_models.timing_estimate import (
    BX_PERIOD_FS,
    check_ii_vs_bx,
    estimate_error,
    estimate_layers,
    estimate_timing,
)
from streams.clock import BX_PERIOD_FS as CLOCK_BX_PERIOD_FS

_REPORTS = Path(os.environ.get("TRIGGEREMU_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "data" / \
    "hls_reports"

# hls4ml tutorial part 1 jet tagger (Hector-Plata/hls4ml-tutorial model_1): io_parallel, Latency
# strategy, ReuseFactor 1, 16 -> 64 -> 32 -> 32 -> 5 dense with relu and a softmax output.
_JET_TAGGER = [
    {"kind": "dense", "n_in": 16, "n_out": 64, "reuse_factor": 1},
    {"kind": "relu"},
    {"kind": "dense", "n_in": 64, "n_out": 32, "reuse_factor": 1},
    {"kind": "relu"},
    {"kind": "dense", "n_in": 32, "n_out": 32, "reuse_factor": 1},
    {"kind": "relu"},
    {"kind": "dense", "n_in": 32, "n_out": 5, "reuse_factor": 1},
    {"kind": "softmax"},
]

# AXOL1TL-like encoder (docs/design.md "The L1 AD model"): 57 -> 32 -> 16 -> 8, ReLU, sum of mu^2.
_AXOL1TL = [
    {"kind": "dense", "n_in": 57, "n_out": 32},
    {"kind": "relu"},
    {"kind": "dense", "n_in": 32, "n_out": 16},
    {"kind": "relu"},
    {"kind": "dense", "n_in": 16, "n_out": 8},
    {"kind": "sum_sq", "n_in": 8},
]


def test_jet_tagger_estimate_vs_real_report() -> None:
    path = _REPORTS / "hls4ml_tutorial_jet_tagger_vu250" / "csynth.xml"
    if not path.is_file():
        pytest.skip(f"real HLS report {path} absent")
    reported = read_hls_report(path).block_timing()
    estimate = estimate_timing(_JET_TAGGER, clock_mhz=reported.clock_mhz)
    errors = estimate_error(estimate, reported)
    # the rules were read from this report's per-instance rows (a calibration, not a validation)
    assert errors == {"latency": 0.0, "ii": 0.0}
    assert estimate.source == "estimate:hls4ml-pipeline-v2"


def test_reuse_factor_sets_ii_as_in_the_dataflow_report() -> None:
    # the dataflow report (II 2) was built with ReuseFactor 2 on its conv layers
    path = _REPORTS / "l1_jet_tagger_dataflow_vu250" / "csynth.xml"
    if not path.is_file():
        pytest.skip(f"real HLS report {path} absent")
    reported = read_hls_report(path).block_timing()
    layers = [{"kind": "dense", "n_in": 14, "n_out": 50, "reuse_factor": 2}, {"kind": "relu"}]
    estimate = estimate_timing(layers, clock_mhz=reported.clock_mhz, composition="dataflow")
    assert estimate.ii_cycles == reported.ii_cycles == 2


def test_axol1tl_at_the_lhc_clock_is_two_ticks() -> None:
    # published AXOL1TL firmware: 2 ticks at the 40 MHz LHC clock (50 ns), II 1 (docs/design.md "The L1 AD model")
    estimate = estimate_timing(_AXOL1TL, clock_mhz=40.0794)
    assert (estimate.latency_cycles, estimate.ii_cycles) == (2, 1)
    assert check_ii_vs_bx(estimate) is None
    # a free-running 40.000 MHz clock is 0.2 % slower than the bunch crossings: flagged, with the hint
    nominal = estimate_timing(_AXOL1TL, clock_mhz=40.0)
    assert nominal.latency_cycles == 2
    assert "40.0794 MHz" in (check_ii_vs_bx(nominal) or "")


def test_latency_grows_with_reuse_factor() -> None:
    base = estimate_timing(_AXOL1TL)
    reused = estimate_timing([{**layer, "reuse_factor": 4} if layer["kind"] == "dense" else layer
                              for layer in _AXOL1TL])
    assert reused.ii_cycles == 4 and reused.latency_cycles > base.latency_cycles


def test_ii_above_bx_spacing_is_flagged() -> None:
    slow = estimate_timing([{"kind": "dense", "n_in": 57, "n_out": 32, "reuse_factor": 8}], clock_mhz=200.0)
    warning = check_ii_vs_bx(slow)
    assert warning is not None and "40.00 ns exceeds the 24.95 ns bunch spacing" in warning
    assert "estimate:" in warning
    # exactly one BX at 40.0794 MHz-ish clocks passes; 5 cycles at 200 MHz (25 ns) does not
    assert check_ii_vs_bx(BlockTiming(clock_mhz=200.0, latency_cycles=10, ii_cycles=4)) is None
    assert check_ii_vs_bx(BlockTiming(clock_mhz=200.0, latency_cycles=10, ii_cycles=5)) is not None


def test_bx_period_matches_the_clock_module() -> None:
    assert BX_PERIOD_FS == CLOCK_BX_PERIOD_FS


@pytest.mark.parametrize(
    ("layers", "kwargs", "message"),
    [
        ([], {}, "at least one layer"),
        ([{"kind": "conv2d"}], {}, "unknown kind 'conv2d'"),
        ([{"kind": "dense", "n_in": 4}], {}, "n_out must be a positive integer"),
        ([{"kind": "dense", "n_in": 4, "n_out": 2, "reuse_factor": 0}], {}, "reuse_factor must be"),
        (_JET_TAGGER, {"strategy": "hybrid"}, "strategy must be"),
        (_JET_TAGGER, {"io_type": "io_serial"}, "io_type must be"),
        (_JET_TAGGER, {"composition": "serial"}, "composition must be"),
    ],
)
def test_bad_topologies_are_clear_errors(layers, kwargs, message: str) -> None:
    with pytest.raises(ModelFormatError, match=message):
        estimate_timing(layers, **kwargs)


def test_io_stream_project_is_timed_as_a_stream_of_processes() -> None:
    from firmware_models.nn import load_hls4ml_project

    golden = Path(__file__).resolve().parent / "golden" / "hls4ml"
    parallel = load_hls4ml_project(golden / "modelwide").describe()
    assert {d["io_type"] for d in parallel} == {"io_parallel"}
    assert estimate_timing(parallel).source == "estimate:hls4ml-pipeline-v2"
    streamed = load_hls4ml_project(golden / "tiny_modes").describe()
    assert {d["io_type"] for d in streamed} == {"io_stream"}
    t = estimate_timing(streamed)
    per = estimate_layers(streamed)
    # the slowest process + 1 per other process on the chain; II = the slowest II + 1
    assert t.source == "estimate:hls4ml-stream-v2"
    assert t.latency_cycles == max(p["latency"] for p in per) + len(per) - 1
    assert t.ii_cycles == max(p["ii"] for p in per) + 1


def test_every_registered_kind_carries_its_timing_rule() -> None:
    from firmware_models.nn import registry
    from firmware_models.timing_estimate import RULES

    for kind in registry.kinds():
        spec = registry.get(kind)
        assert spec.timing_rule and RULES[kind] == spec.timing_rule
        lat, ii = spec.timing({"kind": kind, "n_in": 8, "n_out": 4, "reuse_factor": 1})
        assert lat >= 0 and ii >= 1


def test_graph_with_merges_and_da_code_is_timed_from_its_nodes() -> None:
    from firmware_models.nn import load_hls4ml_project

    golden = Path(__file__).resolve().parent / "golden" / "nn_kinds"
    merges = load_hls4ml_project(golden / "merges_130").describe()
    assert {"add", "dot", "concatenate", "multiply"} <= {d["kind"] for d in merges}
    t = estimate_timing(merges)
    # every merge reads the inputs directly (parallel branches): the longest path is the dot's, 1 input
    # register + its adder tree (1 + ceil(log2 8 / 3) = 2) + the register after its multiplier array
    assert t.latency_cycles == 1 + 2 + 1 and t.ii_cycles == 1
    da = load_hls4ml_project(golden / "dense_da").describe()
    assert [d["kind"] for d in da] == ["dense_da", "relu", "dense_da"] and da[0]["stages"] == 1
    assert estimate_timing(da).latency_cycles == 1 + 1 + 0 + 1
