"""The ``ad`` stage: bit-exact against hls4ml's C++ (golden vectors), shipped model, timing, errors."""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

from firmware_models.fixed import FixedType
from streams.synthetic import SyntheticL1Source
from triggeremu.errors import ConfigError
from triggeremu.stages import build_stage
from triggeremu.stages.nn import DEFAULT_MODEL_DIR, NNStage, load_ad_model, make

_HERE = Path(__file__).resolve().parent
_AXOL = _HERE / "golden" / "hls4ml" / "axol1tl"
_REPORTS = Path(os.environ.get("TRIGGEREMU_SHARED", _HERE.parents[1] / "shared")) / "data" / "hls_reports"


def _golden() -> dict[str, np.ndarray]:
    if not (_AXOL / "vectors.npz").is_file():
        pytest.skip(f"hls4ml golden vectors {_AXOL} absent")
    return dict(np.load(_AXOL / "vectors.npz"))


def _axol_config(tmp_path: Path, vectors: dict[str, np.ndarray], **extra) -> Path:
    manifest = json.loads((_AXOL.parent / "manifest.json").read_text())["cases"]["axol1tl"]
    cfg = {
        "input_scaling": {"in_type": "ap_fixed<18,13>", "offsets": vectors["scaling__offsets"].tolist(),
                          "shifts": vectors["scaling__shifts"].tolist()},
        "score": manifest["score"],
        **extra,
    }
    path = tmp_path / "ad.json"
    path.write_text(json.dumps(cfg))
    return path


def _synthetic(n: int = 3000, seed: int = 5) -> dict[str, np.ndarray]:
    return next(iter(SyntheticL1Source(n, seed=seed, batch_events=n)))


@pytest.mark.parametrize("which", ["normal", "overflow"])
def test_stage_on_hls4ml_project_matches_hls4ml_cpp(tmp_path: Path, which: str) -> None:
    # hardware-unit inputs -> AXOL1TL scaling -> encoder -> sum mu^2, all compared with the
    # outputs of hls4ml 1.3.0's compiled C++ emulation (tests/golden/hls4ml, made by H2b's script)
    vec = _golden()
    stage = make({"kind": "nn", "name": "ad", "model": str(_AXOL), "config": str(_axol_config(tmp_path, vec)),
                  "write_mu": True}, base_dir=tmp_path)
    out = stage.process({"l1_inputs": vec[f"{which}__hw"]})
    np.testing.assert_array_equal(out["ad_score"], vec[f"{which}__score"])
    np.testing.assert_array_equal(out["ad_mu"], vec[f"{which}___4"])
    np.testing.assert_array_equal(stage.ad.scaled_inputs(vec[f"{which}__hw"]), vec[f"{which}__x"])


def test_stage_on_onnx_plus_plain_hls4ml_config_matches_hls4ml_cpp(tmp_path: Path) -> None:
    vec = _golden()
    hls = json.loads((_AXOL / "config.json").read_text())
    cfg = _axol_config(tmp_path, vec, hls4ml=hls)
    stage = make({"kind": "nn", "name": "enc", "model": str(_AXOL / "model.onnx"), "config": str(cfg)},
                 base_dir=tmp_path)
    out = stage.process({"l1_inputs": vec["normal__hw"]})
    np.testing.assert_array_equal(out["enc_score"], vec["normal__score"])


def test_project_directory_report_gives_the_timing(tmp_path: Path) -> None:
    vec = _golden()
    report = _REPORTS / "hls4ml_tutorial_jet_tagger_vu250" / "csynth.xml"
    if not report.is_file():
        pytest.skip(f"real HLS report {report} absent")
    prj = tmp_path / "prj"
    shutil.copytree(_AXOL / "firmware", prj / "firmware")
    rep_dir = prj / "myproject_prj" / "solution1" / "syn" / "report"
    rep_dir.mkdir(parents=True)
    shutil.copy(report, rep_dir / "csynth.xml")
    stage = make({"kind": "nn", "model": str(prj), "config": str(_axol_config(tmp_path, vec))}, base_dir=tmp_path)
    timing = stage.timing()
    assert timing.source == f"report:{rep_dir / 'csynth.xml'}"
    assert (timing.latency_cycles, timing.ii_cycles, timing.clock_mhz) == (13, 1, 200.0)


def _default_model_or_skip() -> None:
    if not (DEFAULT_MODEL_DIR / "config.json").is_file():
        pytest.skip(f"shipped AD model {DEFAULT_MODEL_DIR} absent; run scripts/train_default_ad.py")


def test_default_model_on_synthetic_batches() -> None:
    _default_model_or_skip()
    stage = build_stage({"kind": "nn", "name": "ad", "write_mu": True}, base_dir=Path("."))
    assert isinstance(stage, NNStage) and stage.requires() == ("l1_inputs",) and not stage.sequential
    cols = _synthetic()
    out = stage.process(cols)
    n = len(cols["l1_inputs"])
    assert out["ad_score"].shape == (n,) and out["ad_score"].dtype == np.int64
    assert out["ad_mu"].shape == (n, 8) and out["ad_mu"].dtype == np.int64
    types = {k: FixedType.parse(v) for k, v in stage.fixed_types().items()}
    assert str(types["ad_score"]) == "ap_ufixed<18,14>"
    assert all(types[k].min_raw <= int(v.min()) and int(v.max()) <= types[k].max_raw for k, v in out.items())
    # the slow Python-int twin gives the same bits on a slice
    ref = stage.ad.model.predict_raw(stage.ad.scaled_inputs(cols["l1_inputs"][:200]), reference=True)
    np.testing.assert_array_equal(out["ad_score"][:200], ref["score"])


def test_default_model_float_onnx_agrees_within_quantization() -> None:
    # onnxruntime on the shipped ONNX (float) vs the fixed-point mu: same network, so they differ
    # only by rounding (a few LSB of ap_fixed<16,6> after three layers)
    _default_model_or_skip()
    ort = pytest.importorskip("onnxruntime")
    ad = load_ad_model()
    cols = _synthetic(2000, seed=9)
    x_raw = ad.scaled_inputs(cols["l1_inputs"])
    x = (x_raw * float(ad.model.input_type.lsb)).astype(np.float32)
    sess = ort.InferenceSession(str(ad.path), providers=["CPUExecutionProvider"])
    mu_float = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    mu_t = ad.model.output_types[ad.mu_name]
    mu_fixed = ad.model.predict_raw(x_raw)[ad.mu_name] * float(mu_t.lsb)
    assert np.abs(mu_fixed - mu_float).max() < 0.5
    assert np.corrcoef(mu_fixed.ravel(), mu_float.ravel())[0, 1] > 0.99


def test_default_working_points_and_summary() -> None:
    _default_model_or_skip()
    stage = make({"kind": "nn", "name": "ad"}, base_dir=Path("."))
    wps = stage.working_points()
    assert set(wps) == {"rate_1khz", "rate_5khz", "rate_10khz"}
    assert wps["rate_1khz"] > wps["rate_5khz"] > wps["rate_10khz"] > 0
    cols = _synthetic()
    out = stage.process(cols)
    summary = stage.summary(out)
    assert summary["timing"]["source"].startswith("estimate:")
    assert (summary["timing"]["latency_cycles"], summary["timing"]["ii_cycles"]) == (2, 1)
    assert summary["ii_vs_bx"] is None and summary["events"] == len(cols["l1_inputs"])
    passed = summary["working_points"]["rate_10khz"]["n_pass"]
    assert passed == int(np.count_nonzero(out["ad_score"] >= wps["rate_10khz"]))
    json.dumps(summary)  # plain data


def test_shipped_thresholds_match_the_current_synthetic_background() -> None:
    # the working points were set on streams.synthetic's background; if the generator (or the
    # arithmetic) changes, the shipped thresholds no longer give their rates: retrain
    _default_model_or_skip()
    import hashlib

    from streams.synthetic import generate_l1_batch

    ad = load_ad_model()
    fp = ad.config["background_fingerprint"]
    l1, _ = generate_l1_batch(0, fp["events"], seed=fp["seed"])
    score = ad.model.predict_raw(ad.scaled_inputs(l1))["score"]
    stale = "run scripts/train_default_ad.py to retrain the shipped AD model and its working points"
    assert hashlib.sha256(np.ascontiguousarray(l1, dtype="<i4")).hexdigest() == fp["l1_inputs_sha256"], (
        f"streams.synthetic background changed since training; {stale}")
    assert hashlib.sha256(np.ascontiguousarray(score, dtype="<i8")).hexdigest() == fp["score_sha256"], (
        f"the bit-exact scores changed since training; {stale}")


def test_config_timing_and_ii_flag() -> None:
    _default_model_or_skip()
    stage = make({"kind": "nn", "clock_mhz": 200.0, "latency_cycles": 30, "ii_cycles": 6, "fifo_depth": 4,
                  "overflow": "backpressure"}, base_dir=Path("."))
    timing = stage.timing()
    assert (timing.source, timing.latency_cycles, timing.ii_cycles, timing.fifo_depth) == ("config", 30, 6, 4)
    assert "exceeds the 24.95 ns bunch spacing" in stage.summary({"ad_score": np.zeros(0)})["ii_vs_bx"]
    estimated = make({"kind": "nn", "clock_mhz": 200.0}, base_dir=Path("."))
    assert estimated.timing().source.startswith("estimate:") and estimated.timing().clock_mhz == 200.0


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"kind": "ad", "modle": "x.onnx"}, r"unknown key 'modle' \(did you mean 'model'\?\)"),
        ({"kind": "ad", "model": "missing.onnx"}, "does not exist"),
        ({"kind": "ad", "latency_cycles": 3, "overflow": "explode"}, "overflow = 'explode': is not one of"),
    ],
)
def test_bad_stage_config_is_a_clear_config_error(tmp_path: Path, config: dict, message: str) -> None:
    _default_model_or_skip()
    with pytest.raises(ConfigError, match=message):
        make(config, base_dir=tmp_path)


def test_bad_ad_config_files(tmp_path: Path) -> None:
    vec = _golden()
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        make({"kind": "nn", "model": str(_AXOL), "config": str(bad_json)}, base_dir=tmp_path)
    short = tmp_path / "short.json"
    short.write_text(json.dumps({"input_scaling": {"offsets": [0] * 3, "shifts": [0] * 3}}))
    with pytest.raises(ConfigError, match="needs 57 integer offsets"):
        make({"kind": "nn", "model": str(_AXOL), "config": str(short)}, base_dir=tmp_path)
    no_score = _axol_config(tmp_path, vec)
    cfg = json.loads(no_score.read_text())
    cfg["score"] = {"kind": "none"}
    no_score.write_text(json.dumps(cfg))
    with pytest.raises(ConfigError, match="has no score"):
        make({"kind": "nn", "model": str(_AXOL), "config": str(no_score)}, base_dir=tmp_path)
    cfg["score"] = {"kind": "mahalanobis"}
    no_score.write_text(json.dumps(cfg))
    with pytest.raises(ConfigError, match="score kind 'mahalanobis' unknown"):
        make({"kind": "nn", "model": str(_AXOL), "config": str(no_score)}, base_dir=tmp_path)


def test_bad_batch_is_refused(tmp_path: Path) -> None:
    vec = _golden()
    stage = make({"kind": "nn", "model": str(_AXOL), "config": str(_axol_config(tmp_path, vec))}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"column 'l1_inputs' must be integer \(N, 57\)"):
        stage.process({"l1_inputs": np.zeros((4, 56), dtype=np.int32)})
    with pytest.raises(ConfigError, match="column .l1_inputs. must be integer"):
        stage.process({"l1_inputs": np.zeros((4, 57), dtype=np.float32)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert stage.process({"l1_inputs": np.zeros((0, 57), dtype=np.int32)})["ad_score"].shape == (0,)
