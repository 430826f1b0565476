"""X-TIME row import, save/load round trip, timing presets and the ``triggeremu acam`` CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from firmware_models import acam
from firmware_models.errors import ModelError, ModelFormatError
from triggeremu.cli import main

sklearn_ensemble = pytest.importorskip("sklearn.ensemble", reason="scikit-learn is a test dependency")
xgb = pytest.importorskip("xgboost", reason="xgboost-cpu is a test dependency")

N_BITS = 8
N_FEATURES = 4


@pytest.fixture(scope="module")
def gbr():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, size=(800, N_FEATURES))
    y = np.cos(x[:, 0] / 40) + x[:, 1] / 300 + rng.normal(0, 0.05, 800)
    return sklearn_ensemble.GradientBoostingRegressor(n_estimators=12, max_depth=3, random_state=0).fit(x, y)


def _xtime_rows_from_sklearn(model):
    """X-TIME layout built here by walking sklearn's trees: [lo0, hi0, ..., leaf, class_id, tree_id];
    NaN = don't care; a split x <= t sends x < floor(t) + 1 left (integer codes)."""
    rows = []
    for tree_id, est in enumerate(model.estimators_[:, 0]):
        t = est.tree_
        stack = [(0, [np.nan] * N_FEATURES, [np.nan] * N_FEATURES)]
        while stack:
            node, lo, hi = stack.pop()
            if t.children_left[node] < 0:
                bounds = [v for pair in zip(lo, hi) for v in pair]
                rows.append(bounds + [model.learning_rate * t.value[node, 0, 0], 0, tree_id])
                continue
            f, c = t.feature[node], np.floor(t.threshold[node]) + 1
            lhi = list(hi)
            lhi[f] = c if np.isnan(hi[f]) else min(hi[f], c)
            rlo = list(lo)
            rlo[f] = c if np.isnan(lo[f]) else max(lo[f], c)
            stack.append((t.children_right[node], rlo, hi))
            stack.append((t.children_left[node], lo, lhi))
    rows.append([0.0, 0.0] * N_FEATURES + [0.0, 0, 0])  # X-TIME zero padding row: never matches
    return np.array(rows, dtype=np.float64)


def test_xtime_import_equals_sklearn(gbr, tmp_path):
    path = tmp_path / "model_8bit.npy"
    np.save(path, _xtime_rows_from_sklearn(gbr))
    with pytest.warns(UserWarning, match="dropped 1 of"):
        table = acam.from_xtime(path, n_features=N_FEATURES, n_bits=N_BITS, leaf_type="ap_fixed<32,12>",
                                base=gbr._raw_predict_init(np.zeros((1, N_FEATURES)))[0])  # fmt: skip
    x = np.random.default_rng(1).integers(0, 256, size=(3000, N_FEATURES))
    np.testing.assert_array_equal(table.predict_float_like(x), gbr.predict(x))
    assert table.split_convention == "[lo,hi)"


def test_xtime_bad_shape():
    with pytest.raises(ModelFormatError, match="2 \\* n_features \\+ 3"):
        acam.from_xtime(np.zeros((3, 6)))


def test_save_load_round_trip(gbr, tmp_path):
    table = acam.from_sklearn(gbr, n_bits=N_BITS)
    path = acam.save(table, tmp_path / "t")
    back = acam.load(path)
    x = np.random.default_rng(2).integers(0, 256, size=(500, N_FEATURES))
    np.testing.assert_array_equal(back.predict_raw(x), table.predict_raw(x))
    np.testing.assert_array_equal(back.predict_float_like(x), gbr.predict(x))
    assert back.summary() == table.summary()
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ModelFormatError, match="not an ACAM table"):
        acam.load(tmp_path / "junk.npz")


def test_input_validation(gbr):
    table = acam.from_sklearn(gbr, n_bits=N_BITS)
    with pytest.raises(acam.AcamInputError, match=r"\[0, 2\*\*8\)"):
        table.predict_raw(np.full((2, N_FEATURES), 256))
    with pytest.raises(acam.AcamInputError, match="quantize floats first"):
        table.predict_raw(np.zeros((2, N_FEATURES)))
    with pytest.raises(acam.AcamInputError, match="shape"):
        table.predict_raw(np.zeros((2, N_FEATURES + 1), dtype=int))
    with pytest.raises(acam.AcamInputError, match="only applies to mode='physical'"):
        table.predict_raw(np.zeros((2, N_FEATURES), dtype=int), sigma=0.5)


def test_timing_presets_and_stage_model(gbr):
    seed = acam.timing.preset("seed-2026").block_timing()
    assert seed.latency_fs == 7 * seed.period_fs and seed.ii_cycles == 2 and seed.clock_mhz == 700.0
    assert seed.latency_ns == pytest.approx(10.0, abs=1e-5)
    v1 = acam.timing.preset("arxiv-v1")
    bt = v1.block_timing()
    assert bt.latency_cycles / bt.clock_mhz * 1e3 == pytest.approx(24.0) and bt.clock_mhz / bt.ii_cycles == pytest.approx(330.0)
    est = acam.timing.estimate(acam.from_sklearn(gbr, n_bits=16))
    assert est.source == "estimate:stages" and est.block_timing().source == "estimate:stages"
    assert est.stages["_mapping"]["cells_per_row"] == N_FEATURES * 4
    assert est.latency_ns == sum(s["cycles"] for k, s in est.stages.items() if k != "_mapping")  # 1 GHz
    with pytest.raises(ModelError, match="unknown ACAM timing preset"):
        acam.timing.preset("nope")


def test_cli_xgboost_json(tmp_path, capsys):
    rng = np.random.default_rng(4)
    x = rng.integers(0, 1 << 12, size=(400, 3)).astype(np.float32)
    booster = xgb.train({"max_depth": 3, "nthread": 1}, xgb.DMatrix(x, label=x[:, 0] / 4096), num_boost_round=6)
    booster.save_model(str(tmp_path / "m.json"))
    np.save(tmp_path / "x.npy", x.astype(np.int64))
    rc = main(["acam", str(tmp_path / "m.json"), "--inputs", str(tmp_path / "x.npy"), "--out", str(tmp_path / "y.npz"),
               "--bits", "12", "--mode", "physical", "--sigma", "0", "--json"])  # fmt: skip
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["stats"]["false_matches"] == 0 and summary["energy_per_event_nj"] == 4.1
    with np.load(tmp_path / "y.npz") as z:
        table = acam.from_xgboost(tmp_path / "m.json", n_bits=12)
        np.testing.assert_array_equal(z["raw"], table.predict_raw(x.astype(np.int64)))
        assert z["no_match"].shape == (table.n_trees,)


def test_cli_errors(tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.zeros((2, 3)))
    assert main(["acam", str(tmp_path / "missing.json"), "--inputs", str(tmp_path / "x.npy"), "--out", str(tmp_path / "y")]) == 2
    assert "not found" in capsys.readouterr().err
    (tmp_path / "bad.json").write_text('{"a": 1}')
    assert main(["acam", str(tmp_path / "bad.json"), "--inputs", str(tmp_path / "x.npy"), "--out", str(tmp_path / "y")]) == 2
    assert "neither an XGBoost model" in capsys.readouterr().err
    rows = np.array([[0.0, 5.0, np.nan, np.nan, np.nan, np.nan, 1.0, 0, 0]])  # 3 features, X-TIME layout
    np.save(tmp_path / "t.npy", rows)
    assert main(["acam", str(tmp_path / "t.npy"), "--inputs", str(tmp_path / "x.npy"), "--out", str(tmp_path / "y")]) == 2
    assert "integer codes" in capsys.readouterr().err
