"""ACAM tables equal scikit-learn and XGBoost bit for bit on integer inputs.

Inputs include x = floor(t) and x = ceil(t) (and +-1) at every threshold of the
model, plus random codes. Checks: ``predict_float_like`` equals the library's
``predict`` / ``decision_function`` / margin exactly; every event matches
exactly one row per tree, the leaf ``apply`` / ``pred_leaf`` names; the
fixed-point output equals the exact sum of the library's leaves converted to
the leaf type (computed here from the library's own tree arrays).
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from acam_edges import edge_inputs

from firmware_models import acam
from firmware_models.acam.reference import ideal_matches
from firmware_models.fixed.exact import convert_exact, split_double
from firmware_models.fixed.types import FixedType

sklearn_ensemble = pytest.importorskip("sklearn.ensemble", reason="scikit-learn is a test dependency")
xgb = pytest.importorskip("xgboost", reason="xgboost-cpu is a test dependency")
from sklearn.tree import DecisionTreeRegressor

N_BITS = 10
N_FEATURES = 5


def _train_data(seed=0, n=1500):
    rng = np.random.default_rng(seed)
    # non-integer-valued training data: thresholds land between and on integers
    x = rng.uniform(0, 1 << N_BITS, size=(n, N_FEATURES)) * np.array([1, 1, 0.05, 1, 0.3])
    x[:, 3] = np.round(x[:, 3])  # one integer-valued feature: thresholds at k + 0.5
    y = np.sin(x[:, 0] / 90.0) + x[:, 1] / 700.0 + 0.2 * (x[:, 2] > 20) + rng.normal(0, 0.05, n)
    return x, y


def _edge_inputs(features, thresholds):
    return edge_inputs(features, thresholds, n_bits=N_BITS, n_features=N_FEATURES)


def _check_partition(table, x, leaf_ids):
    """Exactly one row per tree matches (row-scan reference), and it is the library's leaf."""
    m = ideal_matches(table, x)
    start = table.tree_start
    for t in range(table.n_trees):
        sub = m[:, start[t] : start[t + 1]]
        np.testing.assert_array_equal(sub.sum(axis=1), 1)
        row = start[t] + np.argmax(sub, axis=1)
        np.testing.assert_array_equal(table.leaf_node[row], leaf_ids[:, t])
    rows = table.match_rows(x)
    np.testing.assert_array_equal(table.leaf_node[rows], leaf_ids)


def _fixed_expected(values_per_tree, classes, base, t: FixedType, n_classes):
    """Exact sum of the library's leaf values converted to t, plus base, wrapped to t (reference)."""
    n = values_per_tree.shape[0]
    out = np.zeros((n, n_classes), dtype=object)
    for c in range(n_classes):
        out[:, c] = convert_exact(*split_double(float(base[c])), t)
    raw = np.vectorize(lambda v: convert_exact(*split_double(float(v)), t), otypes=[object])(values_per_tree)
    for k, c in enumerate(classes):
        out[:, c] += raw[:, k]
    span = 1 << t.width
    wrap = np.vectorize(lambda v: ((v - t.min_raw) % span) + t.min_raw, otypes=[object])
    return wrap(out).astype(np.int64)


@pytest.mark.parametrize("kind", ["gbr", "rf", "dtr", "gbc"])
def test_sklearn_bit_exact(kind):
    x_train, y = _train_data()
    if kind == "gbr":
        model = sklearn_ensemble.GradientBoostingRegressor(n_estimators=25, max_depth=4, learning_rate=0.3, random_state=0)
    elif kind == "rf":
        model = sklearn_ensemble.RandomForestRegressor(n_estimators=8, max_depth=6, random_state=0, n_jobs=1)
    elif kind == "dtr":
        model = DecisionTreeRegressor(max_depth=7, random_state=0)
    else:
        model = sklearn_ensemble.GradientBoostingClassifier(n_estimators=10, max_depth=3, random_state=0)
        y = np.digitize(y, [0.0, 0.8])
    model.fit(x_train, y)
    table = acam.from_sklearn(model, n_bits=N_BITS, leaf_type="ap_fixed<32,12>")
    if kind in ("gbr", "gbc"):
        ests = [e for e in model.estimators_.ravel()]
    elif kind == "rf":
        ests = model.estimators_
    else:
        ests = [model]
    feats = np.concatenate([e.tree_.feature for e in ests])
    thr = np.concatenate([e.tree_.threshold for e in ests])
    x = _edge_inputs(feats, thr)
    ref = model.decision_function(x) if kind == "gbc" else model.predict(x)
    np.testing.assert_array_equal(table.predict_float_like(x), ref)
    leaves = model.apply(x).reshape(x.shape[0], -1) if kind != "dtr" else model.apply(x)[:, None]
    leaves = leaves.astype(np.int64)
    _check_partition(table, x, leaves)
    # fixed point: per-tree leaf values from sklearn's own arrays
    if kind in ("gbr", "gbc"):
        k = model.estimators_.shape[1]
        vals = np.stack(
            [model.learning_rate * e.tree_.value[leaves[:, i], 0, 0] for i, e in enumerate(model.estimators_.ravel())], axis=1
        )
        classes = [i % k for i in range(vals.shape[1])]
        base = model._raw_predict_init(np.zeros((1, N_FEATURES)))[0]
    elif kind == "rf":
        vals = np.stack([e.tree_.value[leaves[:, i], 0, 0] / len(ests) for i, e in enumerate(ests)], axis=1)
        classes, base = [0] * len(ests), [0.0]
    else:
        vals, classes, base = model.tree_.value[leaves[:, 0], 0, 0][:, None], [0], [0.0]
    expect = _fixed_expected(vals, classes, base, table.leaf_type, table.n_classes)
    np.testing.assert_array_equal(table.predict_raw(x), expect)


def test_sklearn_quantizer_on_float_model():
    """With a float quantizer, the table equals sklearn on the values the codes stand for."""
    x_train, y = _train_data(seed=3)
    model = sklearn_ensemble.GradientBoostingRegressor(n_estimators=15, max_depth=3, random_state=0).fit(x_train / 100.0, y)
    q = acam.InputQuantizer.from_range(np.zeros(N_FEATURES), np.full(N_FEATURES, 10.24), N_BITS)
    table = acam.from_sklearn(model, n_bits=N_BITS, quantizer=q, leaf_type="ap_fixed<32,12>")
    codes = table.quantize_inputs(np.random.default_rng(5).uniform(-1, 12, size=(3000, N_FEATURES)))
    np.testing.assert_array_equal(table.predict_float_like(codes), model.predict(q.dequantize(codes)))


@pytest.mark.parametrize(
    "objective,n_class", [("reg:squarederror", 0), ("binary:logistic", 0), ("count:poisson", 0), ("multi:softprob", 3)]
)
def test_xgboost_bit_exact(objective, n_class, tmp_path):
    x_train, y = _train_data(seed=7)
    if objective == "binary:logistic":
        y = (y > 0.5).astype(int)
    elif objective == "count:poisson":
        y = np.floor(np.abs(y) * 3)
    elif objective == "multi:softprob":
        y = np.digitize(y, [0.0, 0.8])
    params = {"objective": objective, "max_depth": 5, "eta": 0.3, "nthread": 1, "seed": 0}
    if n_class:
        params["num_class"] = n_class
    booster = xgb.train(params, xgb.DMatrix(x_train.astype(np.float32), label=y), num_boost_round=20)
    path = tmp_path / "model.json"
    booster.save_model(str(path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # base_score of squarederror may exceed the leaf type
        table = acam.from_xgboost(path, n_bits=N_BITS)
    trees = json.loads(bytes(booster.save_raw(raw_format="json")))["learner"]["gradient_booster"]["model"]["trees"]
    feats = np.concatenate([np.where(np.asarray(t["left_children"]) < 0, -1, t["split_indices"]) for t in trees])
    thr = np.concatenate([t["split_conditions"] for t in trees])
    x = _edge_inputs(feats, thr)
    xf = x.astype(np.float32)
    margin = booster.inplace_predict(xf, predict_type="margin")
    np.testing.assert_array_equal(table.predict_float_like(x), margin)
    leaves = booster.predict(xgb.DMatrix(xf), pred_leaf=True).reshape(x.shape[0], -1).astype(np.int64)
    _check_partition(table, x, leaves)


def test_xgboost_from_booster_equals_from_file(tmp_path):
    x_train, y = _train_data(seed=9)
    booster = xgb.train({"max_depth": 3, "nthread": 1}, xgb.DMatrix(x_train, label=y), num_boost_round=5)
    booster.save_model(str(tmp_path / "m.json"))
    a = acam.from_xgboost(booster, n_bits=N_BITS)
    b = acam.from_xgboost(tmp_path / "m.json", n_bits=N_BITS)
    np.testing.assert_array_equal(a.lo, b.lo)
    np.testing.assert_array_equal(a.hi, b.hi)
    np.testing.assert_array_equal(a.leaf_raw, b.leaf_raw)
    assert a.split_convention == "<" and a.float_sum == "float32_sequential"
