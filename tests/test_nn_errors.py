"""Bad models and bad inputs give clear errors that name the problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from firmware_models.errors import ModelFormatError
from firmware_models.fixed.quantize import RawRangeError
from firmware_models.nn import load_hls4ml_project, load_onnx

GOLDEN = Path(__file__).resolve().parent / "golden" / "hls4ml"


def test_unsupported_layer_in_project_is_named(tmp_path):
    prj = tmp_path / "prj"
    shutil.copytree(GOLDEN / "modelwide", prj)
    top = prj / "firmware" / "myproject.cpp"
    top.write_text(top.read_text().replace("nnet::tanh<", "nnet::garnet<"))
    with pytest.raises(ModelFormatError, match=r"layer _3: nnet::garnet is not supported; supported layers"):
        load_hls4ml_project(prj)


def test_missing_project_says_what_to_pass(tmp_path):
    with pytest.raises(ModelFormatError, match="hls4ml output_dir"):
        load_hls4ml_project(tmp_path / "nope")


def test_wrong_weight_count_is_reported(tmp_path):
    prj = tmp_path / "prj"
    shutil.copytree(GOLDEN / "modelwide", prj)
    (prj / "firmware" / "weights" / "b2.txt").write_text("0.5, 0.25")
    with pytest.raises(ModelFormatError, match=r"b2.txt holds 2 values, the firmware expects 16"):
        load_hls4ml_project(prj)


def test_unsupported_onnx_op_is_named(tmp_path):
    onnx = pytest.importorskip("onnx")
    model = onnx.load(str(GOLDEN / "modelwide" / "model.onnx"))
    for node in model.graph.node:
        if node.op_type == "Tanh":
            node.op_type = "Softmax"
    with pytest.raises(ModelFormatError, match=r"node /3/Tanh: ONNX op Softmax is not supported"):
        load_onnx(model, config={"Model": {"Precision": {"default": "ap_fixed<16,6>"}}})


def test_bad_inputs_are_refused():
    model = load_hls4ml_project(GOLDEN / "modelwide")
    with pytest.raises(ModelFormatError, match=r"shape \(n_events, 10\)"):
        model.predict_raw(np.zeros((3, 9), dtype=np.int64))
    with pytest.raises(ModelFormatError, match="raw integers"):
        model.predict_raw(np.zeros((3, 10)))
    with pytest.raises(RawRangeError, match="outside ap_fixed<16,6>"):
        model.predict_raw(np.full((1, 10), 40000, dtype=np.int64))


def _copy(case: str, tmp_path: Path) -> Path:
    shutil.copytree(GOLDEN / case, tmp_path / case)
    return tmp_path / case


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    if old not in text:  # the fixture no longer holds what the test edits: fail loudly, never pass vacuously
        pytest.fail(f"{path} does not contain {old!r}; update the test to the regenerated golden files")
    path.write_text(text.replace(old, new))


def test_unsupported_layer_in_stream_project_is_named(tmp_path):
    prj = _copy("stream_named", tmp_path) / "out" / "hls_prj"
    _edit(prj / "firmware" / "l1_encoder.cpp", "nnet::sigmoid<", "nnet::separable_conv_2d_cl<")
    with pytest.raises(ModelFormatError,
                       match=r"layer sig_out: nnet::separable_conv_2d_cl is not supported; supported layers"):
        load_hls4ml_project(prj)


def test_unknown_io_type_is_refused(tmp_path):
    prj = _copy("stream_resource", tmp_path)
    _edit(prj / "firmware" / "parameters.h", "nnet::io_stream", "nnet::io_serial")
    with pytest.raises(ModelFormatError, match=r"io_type nnet::io_serial is not supported; supported: "
                                               r"nnet::io_parallel, nnet::io_stream"):
        load_hls4ml_project(prj)


def test_unsupported_dense_kernel_and_product_are_named(tmp_path):
    prj = _copy("resource_mix", tmp_path)
    params = prj / "firmware" / "parameters.h"
    original = params.read_text()
    _edit(params, "nnet::DenseLatency<", "nnet::DenseCompressed<")
    with pytest.raises(ModelFormatError, match=r"layer _4: dense kernel DenseCompressed is not supported; supported: "
                                               r"DenseLatency"):
        load_hls4ml_project(prj)
    params.write_text(original)
    _edit(params, "nnet::product::mult<", "nnet::product::both_binary<")
    with pytest.raises(ModelFormatError, match=r"layer _0: product nnet::product::both_binary is not supported"):
        load_hls4ml_project(prj)


def test_header_only_weights_errors(tmp_path):
    fw = _copy("stream_named", tmp_path) / "out" / "hls_prj" / "firmware"
    (fw / "weights" / "b2.h").unlink()
    with pytest.raises(ModelFormatError, match=r"layer enc_fc1: weights b2 are neither loaded by the top function "
                                               r"\(load_weights_from_txt\) nor given values: not defined .*b2\.h"):
        load_hls4ml_project(fw.parent)
    (fw / "weights" / "b2.h").write_text("enc_fc1_bias_t b2[12];\n")
    with pytest.raises(ModelFormatError, match=r"weights b2 are .* declared without values \(b2\.h:1\)"):
        load_hls4ml_project(fw.parent)


def test_qonnx_model_points_to_the_project_loader():
    with pytest.raises(ModelFormatError, match=r"node Quant_0: ONNX op Quant is not supported.*"
                                               r"convert it with hls4ml .*load_hls4ml_project"):
        load_onnx(GOLDEN / "qonnx_quant" / "model.onnx", config=GOLDEN / "qonnx_quant" / "config.json")


def test_unused_data_port_is_refused_weight_ports_are_not(tmp_path):
    # wide_accum has the weight port w2 (BramFactor) beside its input and output: that loads (test_nn_golden);
    # a data argument no layer reads or writes does not
    prj = _copy("wide_accum", tmp_path)
    _edit(prj / "firmware" / "myproject.cpp", "    input_t input_1[6],\n", "    input_t input_1[6],\n    input_t aux[6],\n")
    with pytest.raises(ModelFormatError, match=r"top function myproject: argument aux is neither read nor written"):
        load_hls4ml_project(prj)


def test_layer_type_config_is_refused_not_ignored():
    pytest.importorskip("onnx")
    cfg = {"Model": {"Precision": {"default": "ap_fixed<16,6>"}}, "LayerType": {"Dense": {"Precision": "ap_fixed<8,3>"}}}
    with pytest.raises(ModelFormatError, match=r"config LayerType entries \(Dense\) are not supported by load_onnx"):
        load_onnx(GOLDEN / "modelwide" / "model.onnx", config=cfg)


def test_unknown_kind_and_foreign_calls_are_named(tmp_path):
    from firmware_models.fixed import FixedType
    from firmware_models.nn import registry
    from firmware_models.nn.graph import Node

    t = FixedType(8, 3)
    with pytest.raises(registry.UnsupportedLayerError, match=r"layer 'c1': kind 'conv2d' is not supported; "
                                                              r"supported kinds: add, average, .*dense"):
        Node("c1", "conv2d", ("x",), "c1", {"input": t, "result": t}, in_shapes=((4,),), out_shape=(4,))
    prj = _copy("modelwide", tmp_path)
    _edit(prj / "firmware" / "myproject.cpp", "nnet::tanh<", "mylib::fancy_tanh<")
    with pytest.raises(ModelFormatError, match=r"layer _3: mylib::fancy_tanh is neither an nnet:: layer nor project "
                                               r"code this emulator reads \(supported: nnet::add, "):
        load_hls4ml_project(prj)


def test_a_layer_the_registry_knows_but_the_config_contradicts_is_refused(tmp_path):
    # a resource dense whose reuse factor makes hls4ml's loops read outside the weights: undefined, refused
    prj = _copy("resource_rf", tmp_path)
    params = prj / "firmware" / "parameters.h"
    text = params.read_text()
    m = __import__("re").search(r"static const unsigned reuse_factor = (\d+);\n(\s+static const unsigned n_zeros)", text)
    if m is None or "DenseResource" not in text:
        pytest.fail("resource_rf no longer holds a resource dense with a reuse factor; update the test")
    params.write_text(text.replace(m.group(0), f"static const unsigned reuse_factor = 7;\n{m.group(2)}", 1))
    with pytest.raises(ModelFormatError, match=r"layer \w+: DenseResource_rf_leq_nin: n_in=20, n_out=12, reuse_factor=7"):
        load_hls4ml_project(prj)
