"""Both NN loaders against golden vectors from hls4ml 1.3.0's own C++ emulation.

The vectors, firmware sources, ONNX models and configs under tests/golden/hls4ml were
made by scripts/make_hls4ml_vectors.py (hls_model.compile() + predict through the
double bridge; scores and input scaling by a C++ harness on the real ap_fixed library).
The cases (tests/golden/hls4ml/cases.json) span what hls4ml writes: PyTorch, Keras 3 and
ONNX/QONNX frontends, Vivado and Vitis, io_parallel and io_stream, other project names,
namespaces and directory layouts, weights only in weights/*.h or as top-function ports
(BramFactor), traced projects, Latency/Resource strategies and reuse factors, per-layer
precisions with every rounding and saturation mode, 2- to 68-bit types, table sizes and
table types (see each case's "note" in manifest.json). No hls4ml is needed here. Every
comparison is exact.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from firmware_models.errors import ModelFormatError
from firmware_models.nn import kl_head, load_hls4ml_project, load_onnx, scale_inputs, sum_mu2_head

GOLDEN = Path(__file__).resolve().parent / "golden" / "hls4ml"
MANIFEST = json.loads((GOLDEN / "manifest.json").read_text())
#: the seed networks (entries with a "graph" key: several outputs, per-layer traces) are tested in test_conv_golden.py
CASES = sorted(c for c, v in MANIFEST["cases"].items() if "graph" not in v)
#: cases with an ONNX twin (model.onnx + config.json) for loader 2 (the Keras case has none); a QONNX graph
#: with Quant nodes is refused by loader 2 (test_onnx_loader_refuses_quant_graphs) and checked with loader 1
ONNX_CASES = [c for c in CASES if (GOLDEN / c / "model.onnx").is_file()
              and not MANIFEST["cases"][c].get("onnx_loader_refuses")]
REFUSED_CASES = [c for c in CASES if MANIFEST["cases"][c].get("onnx_loader_refuses")]
PAIRS = [(c, "project") for c in CASES] + [(c, "onnx") for c in ONNX_CASES]


#: load_onnx warns when a config sets Precision.table, which hls4ml 1.3.0 ignores (tested below)
_TABLE_WARNING = r".*Precision\.table .* is ignored by hls4ml 1\.3\.0"


def _project_dir(case: str) -> Path:
    return GOLDEN / case / MANIFEST["cases"][case].get("project_dir", ".")


def _load(case: str, loader: str):
    if loader == "project":
        return load_hls4ml_project(_project_dir(case))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_TABLE_WARNING, category=UserWarning)
        return load_onnx(GOLDEN / case / "model.onnx", config=GOLDEN / case / "config.json")


def _add_score(model, case: str):
    score = MANIFEST["cases"][case]["score"]
    out_t = model.layers[-1].types["result"]
    if score["kind"] == "sum_mu2":
        model.add_score(sum_mu2_head(out_t, score["type"]))
    else:
        model.add_score(kl_head(out_t, score["latent"], square_type=score["square"], table_type=score["table"],
                                table_size=score["table_size"], accum_type=score["accum"],
                                score_type=score["type"]))


@pytest.fixture(scope="module", params=CASES)
def case(request):
    return request.param


@pytest.mark.parametrize(("case", "loader"), PAIRS)
def test_outputs_match_hls4ml(case, loader):
    info = MANIFEST["cases"][case]
    model = _load(case, loader)
    assert str(model.input_type) == str(load_hls4ml_project(_project_dir(case)).input_type)
    vec = np.load(GOLDEN / case / "vectors.npz")
    if info["score"]:
        _add_score(model, case)
    for set_name, n in info["sets"].items():
        out = model.predict_raw(vec[f"{set_name}__x"])
        assert out[model.output_name].shape[0] == n
        np.testing.assert_array_equal(out[model.output_name], vec[f"{set_name}__{info['output']}"])
        if info["score"]:
            np.testing.assert_array_equal(out["score"], vec[f"{set_name}__score"])


@pytest.mark.parametrize(("case", "loader"), PAIRS)
def test_reference_twin_matches_hls4ml(case, loader):
    info = MANIFEST["cases"][case]
    model = _load(case, loader)
    if info["score"]:
        _add_score(model, case)
    vec = np.load(GOLDEN / case / "vectors.npz")
    x = vec["overflow__x"][:60]
    out = model.predict_raw(x, reference=True)
    np.testing.assert_array_equal(out[model.output_name], vec[f"overflow__{info['output']}"][:60])
    if info["score"]:
        np.testing.assert_array_equal(out["score"], vec["overflow__score"][:60])


@pytest.mark.parametrize("case", ONNX_CASES)
def test_loaders_agree_on_types(case):
    a, b = _load(case, "project"), _load(case, "onnx")
    assert [la.kind for la in a.layers] == [lb.kind for lb in b.layers]
    for la, lb in zip(a.layers, b.layers):
        assert dict(la.types) == dict(lb.types), la.name
        assert (la.reuse_factor, la.strategy) == (lb.reuse_factor, lb.strategy)
        for key, val in la.params.items():
            np.testing.assert_array_equal(val, lb.params[key])


def test_axol1tl_scaling_matches_firmware_harness():
    vec = np.load(GOLDEN / "axol1tl" / "vectors.npz")
    in_t = load_hls4ml_project(_project_dir("axol1tl")).input_type
    for set_name in MANIFEST["cases"]["axol1tl"]["sets"]:
        raw = scale_inputs(vec[f"{set_name}__hw"], vec["scaling__offsets"], vec["scaling__shifts"], in_t)
        np.testing.assert_array_equal(raw, vec[f"{set_name}__x"])


def test_overflow_sets_really_overflow():
    # the overflow sets must exercise saturation/wrapping: some outputs sit at the type's limits
    info = MANIFEST["cases"]["axol1tl"]
    vec = np.load(GOLDEN / "axol1tl" / "vectors.npz")
    model = load_hls4ml_project(GOLDEN / "axol1tl")
    relu_t = model.layers[1].types["result"]
    h = model.predict_raw(vec["overflow__x"])[info["output"]]
    assert h.shape == (info["sets"]["overflow"], 8)
    first = vec["overflow__x"]
    from firmware_models.nn import kernels

    act = kernels.run_layer(model.layers[1], kernels.run_layer(model.layers[0], first))
    assert (act == relu_t.max_raw).any()


def test_manifest_hashes_match_committed_files(case):
    info = MANIFEST["cases"][case]
    for rel, digest in info["files"].items():
        assert hashlib.sha256((GOLDEN / case / rel).read_bytes()).hexdigest() == digest, rel
    assert MANIFEST["tools"]["hls4ml"] == "1.3.0"


def test_projects_span_what_hls4ml_writes():
    # the committed cases really cover the variations the loader claims (guards against a regenerated, narrower set)
    cases = MANIFEST["cases"].values()
    assert {c.get("io_type", "io_parallel") for c in cases} >= {"io_parallel", "io_stream"}
    assert {c.get("backend", "Vivado") for c in cases} >= {"Vivado", "Vitis"}
    assert {c.get("frontend", "pytorch") for c in cases} >= {"pytorch", "onnx", "qonnx", "keras"}
    assert any(c.get("project_name", "myproject") != "myproject" and c.get("project_dir", ".") != "." for c in cases)
    tops = [p.read_text() for p in GOLDEN.rglob("firmware/*.cpp")]
    assert any("nnet::save_layer_output" in t for t in tops)  # a traced project (hls_model.trace)
    assert any("_weight_t w2[" in t.split(") {")[0] for t in tops)  # a weight array as a port (BramFactor)
    no_txt = [name for name, c in MANIFEST["cases"].items() if not c.get("weights_txt", True)]
    assert no_txt
    for name in no_txt:  # the weights really come from weights/*.h
        weights = _project_dir(name) / "firmware" / "weights"
        assert not list(weights.glob("*.txt")) and list(weights.glob("*.h"))


def test_firmware_dir_loads_like_project_dir():
    prj = _project_dir("stream_named")
    a, b = load_hls4ml_project(prj), load_hls4ml_project(prj / "firmware")
    x = np.load(GOLDEN / "stream_named" / "vectors.npz")["normal__x"][:50]
    np.testing.assert_array_equal(a.predict_raw(x)[a.output_name], b.predict_raw(x)[b.output_name])


def test_io_stream_element_types_and_linear_layers():
    stream = load_hls4ml_project(_project_dir("stream_named"))
    # nnet::array<ap_fixed<16,6>, 10*1> input_t: the arithmetic type is the element type
    assert str(stream.input_type) == "ap_fixed<16,6>"
    assert [layer.kind for layer in stream.layers] == ["dense", "relu", "batchnorm", "dense", "leaky_relu", "dense",
                                                       "sigmoid"]
    q = load_hls4ml_project(_project_dir("qonnx_quant"))
    assert [layer.kind for layer in q.layers[:2]] == ["linear", "linear"]
    assert str(q.layers[1].types["result"]) == "ap_fixed<6,4,AP_TRN,AP_SAT,0>"
    k = load_hls4ml_project(_project_dir("keras_named"))
    assert [layer.name for layer in k.layers if layer.kind == "linear"] == ["lin"]


def test_precision_table_is_ignored_like_hls4ml():
    # hls4ml 1.3.0 never applies Precision.table (the generated defines.h keeps ap_fixed<18,8>); load_onnx says so
    with pytest.warns(UserWarning, match=_TABLE_WARNING):
        model = load_onnx(GOLDEN / "resource_mix" / "model.onnx", config=GOLDEN / "resource_mix" / "config.json")
    project = load_hls4ml_project(_project_dir("resource_mix"))
    assert model.layers[1].types["table"] == project.layers[1].types["table"]
    assert str(project.layers[1].types["table"]) == "ap_fixed<18,8>"
    # the layer key table_t is what hls4ml applies (stream_named's sigmoid)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        named = load_onnx(GOLDEN / "stream_named" / "model.onnx", config=GOLDEN / "stream_named" / "config.json")
    assert str(named.layers[-1].types["table"]) == "ap_ufixed<10,0,AP_RND_CONV,AP_SAT,0>"


@pytest.mark.parametrize("case", REFUSED_CASES)
def test_onnx_loader_refuses_quant_graphs(case):
    refused = MANIFEST["cases"][case]["onnx_loader_refuses"]
    with pytest.raises(ModelFormatError, match=rf"ONNX op {refused} is not supported.*load_hls4ml_project"):
        load_onnx(GOLDEN / case / "model.onnx", config=GOLDEN / case / "config.json")
