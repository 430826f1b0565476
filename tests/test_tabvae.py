"""The shipped tabular-VAE bundle and the off-detector decompression report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from streams.calo import SyntheticCaloSource
from triggeremu import decompress
from triggeremu.decompress import DEFAULT_BUNDLE_DIR, decompress_report, load_bundle
from triggeremu.errors import ConfigError, InputFileError
from triggeremu.stages import build_stage

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def run_cols():
    # fresh events: another seed and event range than the training data
    cols = SyntheticCaloSource(4000, seed=77).make_batch(0, 4000)
    stage = build_stage({"kind": "acam"}, base_dir=HERE)
    return {**cols, **stage.process(cols)}


def test_shipped_bundle_is_small_complete_and_documented():
    bundle = load_bundle()
    man = bundle.manifest
    size = sum(p.stat().st_size for p in DEFAULT_BUNDLE_DIR.iterdir())
    assert size < 2 * 1024 * 1024
    assert man["format"] == "triggeremu.tabvae" and isinstance(man["seed"], int)
    assert {"torch", "onnx", "onnxruntime", "xgboost", "numpy"} <= set(man["versions"])
    assert man["acam"]["input_code"] == {
        "function": "triggeremu.stages.acam.cell_codes", "mantissa_bits": 12, "n_bits": 16
    }  # fmt: skip
    val = man["validation"]
    assert val["acam_float_like_vs_xgboost_mismatches"] == 0
    assert len(val["correlation_mu_vs_acam"]) == 4
    assert [layer["layer"] for layer in val["reconstruction_acam"]["layers"]] == [0, 1, 2]


def test_decompress_report_on_fresh_events(run_cols):
    rep = decompress_report(run_cols)
    assert rep["events_used"] == 4000 and rep["events_bad_input"] == 0
    corr = rep["correlation_mu_vs_acam"]
    assert len(corr) == 4 and min(corr) > 0.9  # the seed design reports r = 0.93 to 0.99
    acam_rec, float_rec = rep["reconstruction_acam"], rep["reconstruction_float_encoder"]
    for layer in acam_rec["layers"]:
        assert layer["events_used"] > 1000
        assert abs(layer["rel_energy_error_mean"]) < 0.5 and 0 < layer["rel_energy_error_std"] < 1.0
    # distillation costs little: the ACAM latent decodes nearly as well as the float mu
    assert acam_rec["mse_log1p"] < 1.25 * float_rec["mse_log1p"]
    json.dumps(rep)  # plain data for the run summary


def test_bad_events_are_left_out_and_counted(run_cols):
    cols = dict(run_cols)
    bad = np.zeros(4000, dtype=np.uint8)
    bad[::10] = 1
    cols["bad_input"] = bad
    rep = decompress_report(cols, max_events=1000)
    assert rep["events_bad_input"] == 400 and rep["events_used"] == 1000


def test_decoder_output_is_cells_in_counts():
    bundle = load_bundle()
    cells = SyntheticCaloSource(500, seed=3, energy_range=(100.0, 100.0)).make_batch(0, 500)["calo_cells"]
    mu = decompress.encode_mu(cells, bundle)
    rec = decompress.decode(mu, bundle)
    assert mu.shape == (500, 4) and rec.shape == (500, 48) and rec.min() >= 0.0
    ratio = rec.sum(axis=1) / cells.sum(axis=1)
    assert 0.5 < np.median(ratio) < 1.5


def test_metric_helpers_against_hand_numbers():
    cells = np.zeros((2, 48), dtype=np.uint32)
    cells[:, 5] = 4000  # layer 0: 2 GeV
    cells[:, 20] = 10000  # layer 1: 5 GeV
    cells[:, 40] = 1000  # layer 2: 0.5 GeV, below MIN_LAYER_GEV
    rec = cells * 1.1
    m = decompress.layer_metrics(cells, rec)
    assert m["layers"][0]["rel_energy_error_mean"] == pytest.approx(0.1)
    assert m["layers"][1]["rel_energy_error_std"] == pytest.approx(0.0, abs=1e-12)
    assert m["layers"][2]["events_used"] == 0
    assert m["layers"][1]["mse_gev2"] == pytest.approx(0.5**2 / 16)
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(100, 3)), rng.normal(size=(100, 3))
    b[:, 0] = 2 * a[:, 0] + 1
    r = decompress.correlations(a, b)
    np.testing.assert_allclose(r, [np.corrcoef(a[:, k], b[:, k])[0, 1] for k in range(3)], rtol=1e-12)
    assert decompress.latent_to_float(np.array([3, -65536]), "ap_fixed<24,8>").tolist() == [3 / 65536, -1.0]


def test_errors_name_the_fix(tmp_path, run_cols):
    with pytest.raises(ConfigError, match="acam_latent"):
        decompress_report({"calo_cells": run_cols["calo_cells"]})
    with pytest.raises(InputFileError, match="manifest.json"):
        load_bundle(tmp_path)
    copy = tmp_path / "bundle"
    shutil.copytree(DEFAULT_BUNDLE_DIR, copy)
    (copy / "decoder.onnx").write_bytes(b"\0" * 10)
    with pytest.raises(InputFileError, match="sha256"):
        load_bundle(copy)
    (copy / "decoder.onnx").unlink()
    with pytest.raises(InputFileError, match="missing"):
        load_bundle(copy)
    (copy / "manifest.json").write_text("{not json")
    with pytest.raises(InputFileError, match="not a valid"):
        load_bundle(copy)
    with pytest.raises(ConfigError, match="at least 2"):
        decompress_report({k: v[:1] for k, v in run_cols.items()})
