"""The ONNX + config route over graphs: several inputs and outputs, merges, Concat, Reshape/Flatten, YAML configs.

Exactness of the route against hls4ml's compiled C++ is in test_nn_golden (the
committed cases, all chains); here: a config given as hls4ml writes ``hls4ml_config.yml``
(``HLSConfig`` inside, ``IOType`` beside it) loads the same network as the JSON and gives
the same golden bits; graphs with two inputs and two outputs get hls4ml 1.3.0's 'auto'
types for merges (``infer_precision.py``) and run fast == reference.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType
from firmware_models.nn import load_onnx

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

GOLDEN = Path(__file__).resolve().parent / "golden" / "hls4ml"


def test_yaml_config_as_hls4ml_writes_it(tmp_path):
    yaml = pytest.importorskip("yaml")
    case = GOLDEN / "modelwide"
    cfg = json.loads((case / "config.json").read_text())
    path = tmp_path / "hls4ml_config.yml"
    path.write_text(yaml.safe_dump({"OutputDir": "prj", "ProjectName": "myproject", "Backend": "Vivado",
                                    "IOType": "io_parallel", "HLSConfig": cfg}))
    model = load_onnx(case / "model.onnx", config=path)
    vec = np.load(case / "vectors.npz")
    info = json.loads((GOLDEN / "manifest.json").read_text())["cases"]["modelwide"]
    np.testing.assert_array_equal(model.predict_raw(vec["normal__x"])[model.output_name],
                                  vec[f"normal__{info['output']}"])
    (tmp_path / "bad.yml").write_text("Model: [unclosed")
    with pytest.raises(ModelFormatError, match="is not valid YAML"):
        load_onnx(case / "model.onnx", config=tmp_path / "bad.yml")


def _two_input_model(op: str, *, axis: int = -1):
    rng = np.random.default_rng(3)
    w1 = rng.normal(size=(5, 4)).astype(np.float32)
    w2 = rng.normal(size=(3, 4)).astype(np.float32)
    inits = [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(rng.normal(size=4).astype(np.float32), "b1"),
             numpy_helper.from_array(w2, "w2"), numpy_helper.from_array(rng.normal(size=4).astype(np.float32), "b2")]
    nodes = [helper.make_node("Gemm", ["a", "w1", "b1"], ["ha"], name="fc_a"),
             helper.make_node("Relu", ["ha"], ["ra"], name="relu_a"),
             helper.make_node("MatMul", ["b", "w2"], ["mb"], name="fc_b"),
             helper.make_node("Add", ["mb", "b2"], ["hb"], name="fc_b_bias"),
             helper.make_node("Flatten", ["hb"], ["hb_flat"], name="flat")]
    if op == "Concat":
        nodes.append(helper.make_node("Concat", ["ra", "hb_flat"], ["m"], name="merge", axis=axis))
    else:
        nodes.append(helper.make_node(op, ["ra", "hb_flat"], ["m"], name="merge"))
    nodes.append(helper.make_node("Sigmoid", ["ra"], ["s"], name="head2"))
    g = helper.make_graph(nodes, "two", [helper.make_tensor_value_info("a", TensorProto.FLOAT, ["N", 5]),
                                         helper.make_tensor_value_info("b", TensorProto.FLOAT, ["N", 3])],
                          [helper.make_tensor_value_info("m", TensorProto.FLOAT, None),
                           helper.make_tensor_value_info("s", TensorProto.FLOAT, None)], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


_CFG = {"Model": {"Precision": {"default": "ap_fixed<12,4>"}, "ReuseFactor": 1, "Strategy": "Latency"},
        "LayerName": {"a": {"Precision": {"result": "ap_fixed<10,3,AP_RND,AP_SAT>"}},
                      "b": {"Precision": {"result": "ap_ufixed<8,2>"}},
                      "fc_a": {"Precision": {"weight": "ap_fixed<6,2>", "bias": "ap_fixed<6,2>", "result": "auto",
                                             "accum": "auto"}},
                      "relu_a": {"Precision": {"result": "ap_ufixed<9,4>"}},
                      "fc_b": {"Precision": {"weight": "ap_fixed<5,1>", "bias": "ap_fixed<5,1>",
                                             "result": "ap_fixed<11,5,AP_RND_CONV,AP_SAT>", "accum": "auto"}},
                      "merge": {"Precision": {"result": "auto"}},
                      "head2": {"Precision": {"result": "ap_ufixed<8,0>"}}}}


@pytest.mark.parametrize(("op", "kind", "result"), [
    # relu_a: ap_ufixed<9,4> (I 4, F 5); fc_b: ap_fixed<11,5,AP_RND_CONV,AP_SAT> (I 5, F 6)
    ("Add", "add", "ap_fixed<12,6>"),             # max(4 + 1 (unsigned beside signed), 5) + 1 integer, max F 6
    ("Sub", "subtract", "ap_fixed<12,6>"),
    ("Mul", "multiply", "ap_fixed<20,9>"),        # widths and integers add
    ("Max", "maximum", "ap_fixed<11,5>"),         # both representable: max(4 + 1, 5) integer, max F 6
    ("Concat", "concatenate", "ap_fixed<11,5,AP_RND_CONV,AP_SAT,0>"),   # + the first non-default modes
])
def test_two_inputs_two_outputs_with_hls4ml_auto_types(op, kind, result):
    model = load_onnx(_two_input_model(op), config=_CFG)
    assert [p.name for p in model.input_ports] == ["a", "b"]
    assert [p.name for p in model.output_ports] == ["merge", "head2"]
    merge = next(n for n in model.layers if n.name == "merge")
    assert merge.kind == kind and merge.types["result"] == FixedType.parse(result)
    assert [n.kind for n in model.layers].count("dense") == 2   # MatMul + Add joined, Flatten an alias
    rng = np.random.default_rng(5)
    ta, tb = model.input_ports[0].type, model.input_ports[1].type
    x = {"a": rng.integers(ta.min_raw, ta.max_raw + 1, (300, 5)), "b": rng.integers(tb.min_raw, tb.max_raw + 1,
                                                                                     (300, 3))}
    fast, ref = model.predict_raw(x), model.predict_raw({k: v[:40] for k, v in x.items()}, reference=True)
    for key in ("merge", "head2"):
        np.testing.assert_array_equal(fast[key][:40], ref[key])
    assert fast["merge"].shape == (300, 8 if kind == "concatenate" else 4)


def test_concat_axis_and_unsupported_ops_are_named():
    with pytest.raises(ModelFormatError, match=r"Concat of shapes \(4,\) and \(4,\) along axis 0"):
        load_onnx(_two_input_model("Concat", axis=0), config=_CFG)
    m = _two_input_model("Add")
    m.graph.node[-1].op_type = "Softmax"
    with pytest.raises(ModelFormatError, match=r"node head2: ONNX op Softmax is not supported; supported: .*Concat"):
        load_onnx(m, config=_CFG)
