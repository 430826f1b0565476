"""The off-detector ECON-T decoder: ONNX against the Keras weights, packet read-back, report, stage.

- The shipped ONNX decoder (scripts/convert_econt_decoder.py) must reproduce the
  Keras forward pass computed here, independently, in NumPy from the same
  decoder.hdf5 (Dense+ReLU, channels-last reshape, Conv2DTranspose written as the
  gradient of TensorFlow's 'same' conv: scatter every input pixel's kernel into
  the full output, then crop). Needs h5py (not a project dependency): the test
  skips without it, and without ../shared.
- Reading latents back from output words agrees with the formatter, the module
  sum with the 5E4M encoder's plain twin, and the report runs on the vectors'
  autoencoder set (the chip's own latent bits, from testOutput.csv).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_models.econt import EcontConfig, load_init_yaml, run_chip
from firmware_models.econt.codec import encode_scalar
from firmware_models.econt.elinks import pack_rx_words
from firmware_models.econt.frontend import front_end
from firmware_models.econt.vectors import RX_COLUMNS, TX_COLUMNS, read_words_csv
from streams.calo import SyntheticCaloSource
from triggeremu.econt_decode import (
    DEFAULT_DECODER,
    EcontDecoder,
    decode_module_sum,
    parse_ae_words,
    reconstruction_report,
    transmitted_latent,
)
from triggeremu.errors import InputFileError
from triggeremu.stages import build_stage

VECTORS = Path(__file__).resolve().parents[2] / "shared" / "vectors" / "econt" / "mcDataset"
AE_SET = VECTORS / "AE_8x8_c8_S2_ele_qkeras"


def _need_vectors():
    if not (AE_SET / "decoder.hdf5").is_file():
        pytest.skip(f"ECON-T autoencoder vectors not found at {AE_SET} (../shared beside the checkout)")


def _conv_transpose_same(x, kernel, bias, stride):
    """Keras Conv2DTranspose(padding='same') on NHWC ``x``; kernel (kh, kw, out, in)."""
    n, h, w, _ = x.shape
    kh, kw, c_out, _ = kernel.shape
    full = np.zeros((n, (h - 1) * stride + kh, (w - 1) * stride + kw, c_out))
    for i in range(h):
        for j in range(w):
            full[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :] += np.einsum(
                "nc,abyc->naby", x[:, i, j, :], kernel)
    # crop as the forward 'same' conv pads: total = full - out, the smaller half first
    crop_h, crop_w = full.shape[1] - h * stride, full.shape[2] - w * stride
    top, left = crop_h // 2, crop_w // 2
    return full[:, top:top + h * stride, left:left + w * stride, :] + bias


def _keras_forward(z, weights):
    h = np.maximum(z @ weights["dense"]["kernel"] + weights["dense"]["bias"], 0.0)
    x = h.reshape(len(z), 4, 4, 8)
    x = np.maximum(_conv_transpose_same(x, weights["conv2d_transpose"]["kernel"], weights["conv2d_transpose"]["bias"], 2), 0)
    x = _conv_transpose_same(x, weights["conv2d_transpose_1"]["kernel"], weights["conv2d_transpose_1"]["bias"], 1)
    return 1.0 / (1.0 + np.exp(-x[..., 0]))


def test_onnx_decoder_reproduces_keras_forward_pass():
    h5py = pytest.importorskip("h5py", reason="h5py is needed to read decoder.hdf5 (not a project dependency)")
    _need_vectors()
    weights = {}
    with h5py.File(AE_SET / "decoder.hdf5", "r") as f:
        for layer in ("dense", "conv2d_transpose", "conv2d_transpose_1"):
            weights[layer] = {w: np.asarray(f[f"{layer}/{layer}/{w}:0"][()], dtype=np.float64) for w in ("kernel", "bias")}
    rng = np.random.default_rng(7)
    codes = np.concatenate([rng.integers(0, 512, size=(500, 16)), np.zeros((1, 16), dtype=np.int64),
                            np.full((1, 16), 511)])
    cfg = load_init_yaml(AE_SET / "init.yaml")
    codes = np.concatenate([codes, parse_ae_words(read_words_csv(AE_SET / "testOutput.csv", TX_COLUMNS), cfg).latent])
    ours = EcontDecoder().decode(codes)
    np.testing.assert_allclose(ours, _keras_forward(codes / 256.0, weights), rtol=2e-5, atol=1e-6)


def test_manifest_names_the_source_file():
    _need_vectors()
    man = json.loads(DEFAULT_DECODER.with_suffix(".json").read_text())
    assert man["source"]["sha256"] == hashlib.sha256((AE_SET / "decoder.hdf5").read_bytes()).hexdigest()
    assert [layer["name"] for layer in man["layers"]][-1] == "decoder_output"


def test_corrupt_decoder_is_refused(tmp_path):
    bad = tmp_path / DEFAULT_DECODER.name
    shutil.copy(DEFAULT_DECODER.with_suffix(".json"), bad.with_suffix(".json"))
    bad.write_bytes(DEFAULT_DECODER.read_bytes()[:-1] + b"\x00")
    with pytest.raises(InputFileError, match="does not match the sha256"):
        EcontDecoder(bad)
    with pytest.raises(InputFileError, match="is missing"):
        EcontDecoder(tmp_path / "absent.onnx")


@settings(max_examples=60, deadline=None)
@given(st.integers(0, (1 << 30) - 1))
def test_module_sum_midpoint_encodes_back(value):
    code = encode_scalar(value, 0, 5, 4)
    mid = float(decode_module_sum(np.array([code]))[0])
    assert encode_scalar(int(np.floor(mid)), 0, 5, 4) == code
    assert encode_scalar(int(np.ceil(mid)), 0, 5, 4) == code


@pytest.mark.parametrize("n_links", [2, 3, 5, 7])
def test_words_read_back_the_transmitted_latent(n_links):
    rng = np.random.default_rng(n_links)
    codes = rng.integers(0, 60, size=(300, 48))
    mask = int.from_bytes(rng.bytes(18), "little")
    cfg = EcontConfig(algorithm=4, n_links=n_links, ae_mask=mask,
                      ae_weights=tuple(int.from_bytes(rng.bytes(16 if i % 9 < 8 else 6), "little") for i in range(108)))
    out = run_chip(cfg, pack_rx_words(codes, np.arange(300)))
    packet = parse_ae_words(out.tx, cfg)
    np.testing.assert_array_equal(packet.latent, transmitted_latent(out.latent, cfg))
    calq = front_end(pack_rx_words(codes, np.arange(300)), cfg, np.zeros(300, dtype=bool))
    np.testing.assert_array_equal(packet.module_sum, [encode_scalar(int(s), 0, 5, 4) for s in calq.sum(axis=1)])


def test_report_on_the_vectors_autoencoder_set(capsys):
    _need_vectors()
    cfg = load_init_yaml(AE_SET / "init.yaml")
    rx = read_words_csv(VECTORS / "testInput.csv", RX_COLUMNS)
    packet = parse_ae_words(read_words_csv(AE_SET / "testOutput.csv", TX_COLUMNS), cfg)  # the chip's own bits
    calq = front_end(rx, cfg, np.zeros(len(rx), dtype=bool))
    report = reconstruction_report(EcontDecoder(), calq, packet, cfg)
    assert report["modules"] + report["empty_modules"] == len(rx)
    assert report["decoder_matches_encoder"]
    # the renormalized energy is the 5E4M sum: within its half-interval (1/32) of the true sum
    assert abs(report["energy_ratio_mean"] - 1) < 1 / 32
    assert np.isfinite([report["mse_8x8_mean"], report["correlation_mean"]]).all()
    with capsys.disabled():
        print(f"\n[econt decoder] {AE_SET.name}: {report['latent_bits_transmitted']}/144 latent bits on "
              f"{cfg.n_links} links; energy ratio {report['energy_ratio_mean']:.4f} +- {report['energy_ratio_std']:.4f}, "
              f"MSE(8x8) {report['mse_8x8_mean']:.2e}, correlation {report['correlation_mean']:.3f}")


def test_asic_stage_reports_the_decoder():
    src = SyntheticCaloSource(600, seed=5, pileup_mean=60, batch_events=300)
    with pytest.warns(UserWarning, match="other autoencoder weights"):
        stage = build_stage({"kind": "econt", "name": "econt", "algorithm": "autoencoder", "n_links": 5},
                            base_dir=Path("."))
    for batch in src:
        stage.process(batch)
    dec = stage.summary({})["decoder"]
    assert dec["modules"] + dec["empty_modules"] + dec["skipped_packets"] == 600
    assert dec["matches_encoder"] is False
    quiet = build_stage({"kind": "econt", "name": "econt", "algorithm": "autoencoder", "decoder": "none"},
                        base_dir=Path("."))
    assert "decoder" not in quiet.summary({})
