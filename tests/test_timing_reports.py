"""The conv, pooling and stream timing rules against every public hls4ml synthesis report at hand.

Excerpts in ``tests/data/hls_reports`` (provenance in its SOURCE.md). Each case gives the model as
the estimator's layer descriptions (the geometry of the report's project) and the errors the rules
are allowed; the table (estimate vs report, 5 ns cycles):

====================================  =====================  =====================
report                                estimate lat / II      report lat / II
====================================  =====================  =====================
conv2d io_parallel Resource, Vivado   52 / 49                52 / 49
conv2d io_parallel Resource, Vitis    52 / 49                52 / 53
depthwise2d io_stream, Vivado/Vitis   1027 / 1028            1028 / 1029
depthwise1d io_stream, Vivado/Vitis   35 / 36                35 / 36
pooling max / 'valid' average         0 / 1 (per layer)      0 / 1
pooling 'same' average, Vivado 2020   21 / 1 (per layer)     21 / 1  (Vitis 2024: 0 / 1)
cnn_large io_stream (13 processes)    315 / 304              313 / 304
====================================  =====================  =====================
"""

from __future__ import annotations

from pathlib import Path

import pytest

from firmware_models.hls_report import read_hls_report
from firmware_models.timing_estimate import estimate_error, estimate_layers, estimate_timing

DATA = Path(__file__).parent / "data" / "hls_reports"
BASE = DATA / "hls4ml_baselines"

_CONV2D = [{"name": "conv", "kind": "conv", "io_type": "io_parallel", "strategy": "resource", "reuse_factor": 1,
            "n_partitions": 49, "pixels_out": 49, "pixels_in": 784, "taps": 48}]


def _depthwise(pixels: int) -> list[dict]:
    return [{"name": "dw", "kind": "conv", "io_type": "io_stream", "strategy": "latency", "reuse_factor": 1,
             "pixels_in": pixels, "taps": 3}]


def _report(name: str):
    return read_hls_report(BASE / name)


@pytest.mark.parametrize(("name", "ii_error"), [
    ("Vivado_2020.1__test_keras_api_test_conv2d_io_parallel-Vivado-Resource-same-channels_last.json", 0.0),
    ("Vitis_2024.1__test_keras_api_test_conv2d_io_parallel-Vitis-Resource-same-channels_last.json", 49 / 53 - 1),
])
def test_conv2d_io_parallel_partitions_times_reuse(name, ii_error):
    rep = _report(name)
    est = estimate_timing(_CONV2D, clock_mhz=float(rep.clock_mhz))
    assert est.source == "estimate:hls4ml-dataflow-v2"   # a Resource layer: hls4ml's dataflow style
    err = estimate_error(est, rep.block_timing())
    assert err["latency"] == 0.0
    assert err["ii"] == pytest.approx(ii_error)


@pytest.mark.parametrize(("name", "pixels"), [
    ("Vivado_2020.1__test_keras_api_test_depthwise2d_io_stream-Vivado.json", 1024),
    ("Vitis_2024.1__test_keras_api_test_depthwise2d_io_stream-Vitis.json", 1024),
    ("Vivado_2020.1__test_keras_api_test_depthwise1d_io_stream-Vivado.json", 32),
    ("Vitis_2024.1__test_keras_api_test_depthwise1d_io_stream-Vitis.json", 32),
])
def test_io_stream_line_buffer_one_pixel_per_cycle(name, pixels):
    rep = _report(name)
    est = estimate_timing(_depthwise(pixels), clock_mhz=float(rep.clock_mhz))
    assert est.source == "estimate:hls4ml-stream-v2"
    assert abs(est.latency_cycles - rep.latency_worst) <= 1
    assert abs(est.ii_cycles - rep.interval_max) <= 1


@pytest.mark.parametrize(("name", "op", "padded", "latency"), [
    ("Vivado_2020.1__test_keras_api_test_pooling_Vivado-channels_last-valid-AveragePooling2D.json", "average", False, 0),
    ("Vivado_2020.1__test_keras_api_test_pooling_Vivado-channels_last-same-MaxPooling2D.json", "max", True, 0),
    ("Vivado_2020.1__test_keras_api_test_pooling_Vivado-channels_last-valid-MaxPooling1D.json", "max", False, 0),
    ("Vivado_2020.1__test_keras_api_test_pooling_Vivado-channels_last-same-AveragePooling2D.json", "average", True, 21),
    ("Vivado_2020.1__test_keras_api_test_pooling_Vivado-channels_last-same-AveragePooling1D.json", "average", True, 21),
    ("Vitis_2024.1__test_keras_api_test_pooling_Vitis-channels_last-valid-MaxPooling2D.json", "max", False, 0),
])
def test_pooling_io_parallel_per_layer(name, op, padded, latency):
    rep = _report(name)
    layer = {"name": "pool", "kind": "pooling", "op": op, "padded": padded, "count_pad": False,
             "in_shapes": [[18, 15, 3]], "reuse_factor": 1}
    (per,) = estimate_layers([layer])
    assert (per["latency"], per["ii"]) == (rep.latency_worst, rep.interval_max) == (latency, 1)


def test_vitis_2024_same_average_pooling_is_the_documented_exception():
    # Vitis 2024.1 schedules the padded average's divider in 0 cycles; the rule keeps Vivado's 21 (an overestimate)
    rep = _report("Vitis_2024.1__test_keras_api_test_pooling_Vitis-channels_last-same-AveragePooling2D.json")
    (per,) = estimate_layers([{"kind": "pooling", "op": "average", "padded": True, "in_shapes": [[18, 15, 3]]}])
    assert (rep.latency_worst, per["latency"]) == (0, 21)


# ML_FPGAonPixel cnn_large (Vitis 2023.1, io_stream): the layers with the config struct each instance row names
_CNN_LARGE = [
    ("config19", {"kind": "zeropad", "out_shape": [10, 15, 1]}),
    ("config2", {"kind": "conv", "strategy": "resource", "pixels_in": 150, "taps": 9}),
    ("relu_config4", {"kind": "relu"}),
    ("config5", {"kind": "pooling", "op": "max", "in_shapes": [[8, 13, 8]]}),
    ("config20", {"kind": "zeropad", "out_shape": [6, 8, 8]}),
    ("config6", {"kind": "conv", "strategy": "resource", "pixels_in": 48, "taps": 72}),
    ("relu_config8", {"kind": "relu"}),
    ("config9", {"kind": "pooling", "op": "max", "in_shapes": [[4, 6, 13]]}),
    ("config12", {"kind": "concatenate"}),
    ("config13", {"kind": "dense", "n_in": 79, "n_out": 13, "strategy": "resource"}),
    ("relu_config15", {"kind": "relu"}),
    ("config16", {"kind": "dense", "n_in": 13, "n_out": 1, "strategy": "resource"}),
    ("sigmoid_config18", {"kind": "sigmoid"}),
]


def _cnn_large_layers() -> list[dict]:
    return [{"name": cfg, "io_type": "io_stream", "reuse_factor": 1, **d} for cfg, d in _CNN_LARGE]


def test_cnn_large_report_has_its_instance_rows():
    rep = read_hls_report(DATA / "ml_fpgaonpixel_cnn_large_csynth.rpt")
    assert (rep.tool_version, rep.latency_worst, rep.interval_max, rep.pipeline_type) == ("2023.1", 313, 304,
                                                                                          "dataflow")
    assert len(rep.instances) == 13
    conv = rep.instance("config2")
    assert conv.module.startswith("conv_2d_cl_") and (conv.latency_max, conv.interval_max) == (303, 303)
    assert rep.instance("relu_config4").latency_max == 106


@pytest.mark.parametrize(("config", "tolerance"), [
    ("config19", 0), ("config2", 0), ("config5", 0), ("config20", 0), ("config6", 1), ("config9", 0),
])
def test_cnn_large_stream_processes(config, tolerance):
    """The slow processes (line buffers, padding, pooling) of the io_stream CNN, row by row."""
    rep = read_hls_report(DATA / "ml_fpgaonpixel_cnn_large_csynth.rpt")
    per = {p["name"]: p for p in estimate_layers(_cnn_large_layers())}
    row = rep.instance(config)
    assert abs(per[config]["latency"] - row.latency_max) <= tolerance
    assert abs(per[config]["ii"] - row.interval_max) <= tolerance


def test_cnn_large_stream_block():
    rep = read_hls_report(DATA / "ml_fpgaonpixel_cnn_large_csynth.rpt")
    est = estimate_timing(_cnn_large_layers(), clock_mhz=float(rep.clock_mhz))
    err = estimate_error(est, rep.block_timing())
    assert (est.latency_cycles, est.ii_cycles) == (315, 304)
    assert abs(err["latency"]) < 0.01 and err["ii"] == 0.0
