"""Both NN loaders against golden vectors from hls4ml 1.3.0's own C++ emulation.

The vectors, firmware sources, ONNX models and configs under tests/golden/hls4ml were
made by scripts/make_hls4ml_vectors.py (hls_model.compile() + predict through the
double bridge; scores and input scaling by a C++ harness on the real ap_fixed library).
No hls4ml is needed here. Every comparison is exact.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from firmware_models.nn import kl_head, load_hls4ml_project, load_onnx, scale_inputs, sum_mu2_head

GOLDEN = Path(__file__).resolve().parent / "golden" / "hls4ml"
MANIFEST = json.loads((GOLDEN / "manifest.json").read_text())
CASES = sorted(MANIFEST["cases"])


def _load(case: str, loader: str):
    if loader == "project":
        return load_hls4ml_project(GOLDEN / case)
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


@pytest.mark.parametrize("loader", ["project", "onnx"])
def test_outputs_match_hls4ml(case, loader):
    info = MANIFEST["cases"][case]
    model = _load(case, loader)
    assert str(model.input_type) == str(load_hls4ml_project(GOLDEN / case).input_type)
    vec = np.load(GOLDEN / case / "vectors.npz")
    if info["score"]:
        _add_score(model, case)
    for set_name, n in info["sets"].items():
        out = model.predict_raw(vec[f"{set_name}__x"])
        assert out[model.output_name].shape[0] == n
        np.testing.assert_array_equal(out[model.output_name], vec[f"{set_name}__{info['output']}"])
        if info["score"]:
            np.testing.assert_array_equal(out["score"], vec[f"{set_name}__score"])


@pytest.mark.parametrize("loader", ["project", "onnx"])
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
    in_t = load_hls4ml_project(GOLDEN / "axol1tl").input_type
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
