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
    top.write_text(top.read_text().replace("nnet::tanh<", "nnet::softmax<"))
    with pytest.raises(ModelFormatError, match=r"layer _3: nnet::softmax is not supported; supported layers"):
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
