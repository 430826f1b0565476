"""Importers over the model variants people have, each checked against the library itself.

scikit-learn: multi-class and ``init='zero'`` gradient boosting, stumps, a single-leaf
tree, unused features, tree / forest classifiers (``predict_proba``), thresholds between
adjacent float32 values. XGBoost: base_score as written by 1.x (``"5E-1"``) and 2.x/3.x
(``"[5E-1]"``), explicit base_score, ``binary:logitraw``, UBJSON files, and the refusals
(gblinear, dart, categorical splits). X-TIME: a multi-class table. The ap_fixed input
quantizer against :func:`firmware_models.fixed.exact.convert_exact` in every mode.
Exact = ``assert_array_equal`` against ``predict`` / ``decision_function`` /
``predict_proba`` / the XGBoost margin, and leaf ids against ``apply`` / ``pred_leaf``.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from acam_edges import edge_inputs
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_models import acam
from firmware_models.acam.quantize import AP_OVERFLOW, AP_ROUNDING, InputQuantizer
from firmware_models.errors import ModelFormatError, UnsupportedTypeError
from firmware_models.fixed.exact import convert_exact, split_double
from firmware_models.fixed.types import FixedType

sklearn_ensemble = pytest.importorskip("sklearn.ensemble", reason="scikit-learn is a test dependency")
xgb = pytest.importorskip("xgboost", reason="xgboost-cpu is a test dependency")
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

N_BITS = 10
N_FEATURES = 6  # feature 5 is constant: never used by any split


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1 << N_BITS, size=(1200, N_FEATURES))
    x[:, 3] = np.round(x[:, 3])
    x[:, 5] = 7.0
    y = np.sin(x[:, 0] / 90) + x[:, 1] / 700 + 0.2 * (x[:, 2] > 500) + rng.normal(0, 0.05, x.shape[0])
    return x, y, np.digitize(y, [0.0, 0.8]), (y > 0.4).astype(int)


def _edge_inputs(features, thresholds):
    return edge_inputs(features, thresholds, n_bits=N_BITS, n_features=N_FEATURES, n_random=800)


def _sk_inputs(ests):
    return _edge_inputs(np.concatenate([e.tree_.feature for e in ests]), np.concatenate([e.tree_.threshold for e in ests]))


def _raw(v, t):
    return convert_exact(*split_double(float(v)), t)


@pytest.mark.parametrize("kind", ["gbc3", "gbc2_zero", "gbc3_zero", "stumps", "single_leaf"])
def test_sklearn_boosting_variants(kind, data):
    x_train, y, y3, y2 = data
    if kind == "stumps":
        model = sklearn_ensemble.GradientBoostingRegressor(n_estimators=15, max_depth=1, random_state=0).fit(x_train, y)
    elif kind == "single_leaf":
        model = DecisionTreeRegressor().fit(x_train, np.full(y.shape, 0.37))
    else:
        init = "zero" if kind.endswith("zero") else None
        target = y3 if kind.startswith("gbc3") else y2
        model = sklearn_ensemble.GradientBoostingClassifier(n_estimators=6, max_depth=3, init=init, random_state=0)
        model.fit(x_train, target)
    table = acam.from_sklearn(model, n_bits=N_BITS, leaf_type="ap_fixed<32,12>")
    ests = [model] if kind == "single_leaf" else list(model.estimators_.ravel())
    x = _sk_inputs(ests)
    ref = model.predict(x) if kind in ("stumps", "single_leaf") else model.decision_function(x)
    np.testing.assert_array_equal(table.predict_float_like(x), ref)
    leaves = model.apply(x).reshape(x.shape[0], -1).astype(np.int64)
    np.testing.assert_array_equal(table.leaf_node[table.match_rows(x)], leaves)
    assert not table.care[:, 5].any(), "the unused feature must be don't-care in every row"
    if kind == "single_leaf":
        assert table.n_rows == 1 and not table.care.any()
        np.testing.assert_array_equal(table.predict_raw(x), _raw(0.37, table.leaf_type))


@pytest.mark.parametrize("name", ["RandomForestClassifier", "ExtraTreesClassifier", "DecisionTreeClassifier"])
def test_sklearn_classifiers_predict_proba(name, data):
    x_train, _, y3, y2 = data
    target = y2 if name == "ExtraTreesClassifier" else y3
    if name == "DecisionTreeClassifier":
        model = DecisionTreeClassifier(max_depth=6, random_state=0)
    else:
        model = getattr(sklearn_ensemble, name)(n_estimators=5, max_depth=5, random_state=0, n_jobs=1)
    model.fit(x_train, target)
    table = acam.from_sklearn(model, n_bits=N_BITS, leaf_type="ap_fixed<32,4>")
    ests = [model] if name == "DecisionTreeClassifier" else list(model.estimators_)
    x = _sk_inputs(ests)
    np.testing.assert_array_equal(table.predict_float_like(x), model.predict_proba(x))
    leaves = model.apply(x).reshape(x.shape[0], -1).astype(np.int64)
    k = model.n_classes_
    np.testing.assert_array_equal(table.leaf_node[table.match_rows(x)], np.repeat(leaves, k, axis=1))
    # fixed point: sum over trees of (fraction / n_estimators) as leaf_type, from sklearn's own arrays
    t = table.leaf_type
    expect = np.zeros((x.shape[0], k), dtype=np.int64)
    for i, est in enumerate(ests):
        conv = np.array([[_raw(v / len(ests), t) for v in row] for row in est.tree_.value[:, 0, :k]], dtype=np.int64)
        expect += conv[leaves[:, i]]
    np.testing.assert_array_equal(table.predict_raw(x), expect)


def test_sklearn_float32_neighbour_thresholds():
    """Thresholds are midpoints of adjacent float32 values; codes land on both sides and on them."""
    q = InputQuantizer.from_range(np.zeros(2), np.full(2, 1.0), 16)
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 1 << 16, size=(3000, 2))
    vals = q.dequantize(codes).astype(np.float32)
    x_train = np.concatenate([vals, np.nextafter(vals, np.float32(2))])  # adjacent float32 pairs
    y = np.sin(7 * x_train[:, 0].astype(np.float64)) + x_train[:, 1]
    model = DecisionTreeRegressor(max_depth=9, random_state=0).fit(x_train, y)
    table = acam.from_sklearn(model, n_bits=16, quantizer=q, leaf_type="ap_fixed<32,8>")
    split = model.tree_.feature >= 0
    near = []
    for f, t in zip(model.tree_.feature[split], model.tree_.threshold[split]):
        c = int(np.floor(t / q.scale[f] ** -1))
        for d in range(-3, 4):
            row = rng.integers(0, 1 << 16, size=2)
            row[f] = min(max(c + d, 0), (1 << 16) - 1)
            near.append(row)
    x = np.concatenate([codes, np.array(near)])
    np.testing.assert_array_equal(table.predict_float_like(x), model.predict(q.dequantize(x)))


def test_sklearn_refusals(data):
    x_train, y, y3, _ = data
    x_train, y, y3 = x_train[:200], y[:200], y3[:200]
    multi = DecisionTreeClassifier(max_depth=3).fit(x_train, np.stack([y3, y3], axis=1))
    with pytest.raises(UnsupportedTypeError, match="single-output"):
        acam.from_sklearn(multi, n_bits=N_BITS)
    hgb = sklearn_ensemble.HistGradientBoostingRegressor(max_iter=2, early_stopping=False).fit(x_train, y)
    with pytest.raises(UnsupportedTypeError, match="HistGradientBoosting"):
        acam.from_sklearn(hgb, n_bits=N_BITS)
    init = sklearn_ensemble.GradientBoostingRegressor(n_estimators=2, init=DecisionTreeRegressor(max_depth=2)).fit(x_train, y)
    with pytest.raises(UnsupportedTypeError, match="depends on x"):
        acam.from_sklearn(init, n_bits=N_BITS)


def _xgb_train(params, x, y, rounds=8):
    return xgb.train({**params, "nthread": 1, "seed": 0}, xgb.DMatrix(x.astype(np.float32), label=y), num_boost_round=rounds)


def _xgb_check(table, booster):
    doc = json.loads(bytes(booster.save_raw(raw_format="json")))
    trees = doc["learner"]["gradient_booster"]["model"]["trees"]
    feats = np.concatenate([np.where(np.asarray(t["left_children"]) < 0, -1, t["split_indices"]) for t in trees])
    x = _edge_inputs(feats, np.concatenate([t["split_conditions"] for t in trees]))
    xf = x.astype(np.float32)
    # compared: the margin (output_margin / predict_type="margin"), i.e. before the sigmoid / softmax
    np.testing.assert_array_equal(table.predict_float_like(x), booster.inplace_predict(xf, predict_type="margin"))
    leaves = booster.predict(xgb.DMatrix(xf), pred_leaf=True).reshape(x.shape[0], -1).astype(np.int64)
    np.testing.assert_array_equal(table.leaf_node[table.match_rows(x)], leaves)


@pytest.mark.parametrize(
    "params",
    [
        {"objective": "reg:squarederror", "max_depth": 4, "base_score": 0.25},
        {"objective": "binary:logistic", "max_depth": 4},
        {"objective": "binary:logitraw", "max_depth": 3},
        {"objective": "multi:softprob", "num_class": 3, "max_depth": 3},
        {"objective": "reg:squarederror", "max_depth": 3, "num_parallel_tree": 3},
        {"objective": "reg:quantileerror", "quantile_alpha": [0.2, 0.8], "max_depth": 3},
        {"objective": "reg:squarederror", "max_depth": 2, "min_split_loss": 1e9},
        {"objective": "reg:squarederror", "max_depth": 1},
    ],
    ids=["sqerr_base", "logistic", "logitraw", "softprob3", "forest", "two_quantiles", "single_leaf_trees", "stumps"],
)
def test_xgboost_objectives(params, data, tmp_path):
    x_train, y, y3, y2 = data
    target = {"binary:logistic": y2, "binary:logitraw": y2, "multi:softprob": y3}.get(params["objective"], y)
    booster = _xgb_train(params, x_train, target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a base score may exceed the default leaf type
        table = acam.from_xgboost(booster, n_bits=N_BITS, leaf_type="ap_fixed<24,10>")
    _xgb_check(table, booster)


def test_xgboost_base_score_forms_and_files(data, tmp_path):
    """``"5E-1"`` (XGBoost 1.x) and ``"[5E-1]"`` (2.x/3.x) read alike; JSON, save_raw and UBJSON agree."""
    x_train, _, _, y2 = data
    booster = _xgb_train({"objective": "binary:logistic", "max_depth": 3}, x_train, y2)
    doc = json.loads(bytes(booster.save_raw(raw_format="json")))
    lmp = doc["learner"]["learner_model_param"]
    assert lmp["base_score"].startswith("[")
    booster.save_model(str(tmp_path / "m.json"))
    booster.save_model(str(tmp_path / "m.ubj"))
    tables = [acam.from_xgboost(src, n_bits=N_BITS) for src in (doc, tmp_path / "m.json", tmp_path / "m.ubj", booster)]
    lmp["base_score"] = lmp["base_score"].strip("[]")  # the 1.x spelling
    tables.append(acam.from_xgboost(doc, n_bits=N_BITS))
    for t in tables[1:]:
        for name in ("lo", "hi", "leaf_raw", "leaf_float", "base_raw", "base_float"):
            np.testing.assert_array_equal(getattr(t, name), getattr(tables[0], name))
    _xgb_check(tables[-1], booster)


def test_xgboost_refusals(data, tmp_path):
    x_train, y, _, _ = data
    with pytest.raises(UnsupportedTypeError, match="gblinear"):
        acam.from_xgboost(_xgb_train({"booster": "gblinear"}, x_train, y, 2), n_bits=N_BITS)
    with pytest.raises(UnsupportedTypeError, match="dart"):
        acam.from_xgboost(_xgb_train({"booster": "dart", "max_depth": 2}, x_train, y, 2), n_bits=N_BITS)
    xc = x_train.copy()
    xc[:, 4] = np.random.default_rng(0).integers(0, 4, xc.shape[0])
    dm = xgb.DMatrix(xc, label=y + xc[:, 4], enable_categorical=True, feature_types=["q"] * 4 + ["c", "q"])
    cat = xgb.train({"max_depth": 3, "max_cat_to_onehot": 1, "nthread": 1}, dm, num_boost_round=2)
    with pytest.raises(UnsupportedTypeError, match="categorical"):
        acam.from_xgboost(cat, n_bits=N_BITS)
    (tmp_path / "junk.ubj").write_bytes(b"\x00\x01not a model")
    with pytest.raises(ModelFormatError, match="neither an XGBoost JSON"):
        acam.from_xgboost(tmp_path / "junk.ubj", n_bits=N_BITS)


def test_xtime_multiclass_equals_sklearn(data):
    """X-TIME rows (tree_id counted within each class, rows interleaved) of a 3-class GBC."""
    x_train, _, y3, _ = data
    model = sklearn_ensemble.GradientBoostingClassifier(n_estimators=5, max_depth=3, random_state=0).fit(x_train, y3)
    rows = []
    for stage in range(model.estimators_.shape[0]):
        for cls in range(3):
            t = model.estimators_[stage, cls].tree_
            stack = [(0, [np.nan] * N_FEATURES, [np.nan] * N_FEATURES)]
            while stack:
                node, lo, hi = stack.pop()
                if t.children_left[node] < 0:
                    bounds = [v for pair in zip(lo, hi) for v in pair]
                    rows.append(bounds + [model.learning_rate * t.value[node, 0, 0], cls, stage])
                    continue
                f, c = t.feature[node], np.floor(t.threshold[node]) + 1
                lhi, rlo = list(hi), list(lo)
                lhi[f] = c if np.isnan(hi[f]) else min(hi[f], c)
                rlo[f] = c if np.isnan(lo[f]) else max(lo[f], c)
                stack += [(t.children_right[node], rlo, hi), (t.children_left[node], lo, lhi)]
    arr = np.array(rows)[np.random.default_rng(2).permutation(len(rows))]  # file order must not matter
    base = model._raw_predict_init(np.zeros((1, N_FEATURES)))[0]
    table = acam.from_xtime(arr, n_features=N_FEATURES, n_bits=N_BITS, leaf_type="ap_fixed<32,12>", base=base)
    assert table.n_classes == 3 and table.n_trees == 15
    x = _sk_inputs(list(model.estimators_.ravel()))
    np.testing.assert_array_equal(table.predict_float_like(x), model.decision_function(x))


_TYPES = [
    FixedType.parse(f"ap_fixed<{w},{i},AP_{r},AP_{o}>")
    for w, i in ((8, 3), (12, 4))
    for r in AP_ROUNDING
    for o in AP_OVERFLOW
] + [FixedType.parse("ap_ufixed<9,4,AP_RND,AP_SAT>"), FixedType.parse("ap_ufixed<9,4>")]


@settings(max_examples=60, deadline=None)
@given(
    k=st.integers(-(1 << 14), 1 << 14),
    half=st.sampled_from([0.0, 0.25, 0.5, 0.75]),
    ti=st.integers(0, len(_TYPES) - 1),
)
def test_ap_fixed_quantizer_equals_convert_exact(k, half, ti):
    """``InputQuantizer`` of an ap type = ``(ap_fixed) x`` (convert_exact) + the code offset, ties included."""
    t = _TYPES[ti]
    q = InputQuantizer.from_ap_fixed(1, t.width, t.integer, t.signed)
    q = InputQuantizer(q.n_bits, q.scale, q.zero_point, AP_ROUNDING[t.rounding], AP_OVERFLOW[t.overflow])
    x = (k + half) * 2.0 ** -t.fractional
    expect = convert_exact(*split_double(x), t) + int(q.zero_point[0])
    assert int(q.quantize(np.array([[x]]))[0, 0]) == expect


def test_conifer_sum_order_needs_backend(tmp_path):
    doc = {
        "n_classes": 2, "n_features": 1, "n_trees": 1, "init_predict": [0.0], "norm": 1,
        "trees": [[{"feature": [-2], "threshold": [-2.0], "value": [0.5], "children_left": [-1], "children_right": [-1]}]],
        "config": {"backend": "vhdl", "precision": "ap_fixed<8,3,AP_TRN,AP_SAT>"},
    }  # fmt: skip
    with pytest.raises(UnsupportedTypeError, match="sum order"):
        acam.from_conifer(doc)
    assert acam.from_conifer(doc, score_sum="tree").score_sum == "tree"
    doc["config"]["backend"] = "xilinxhls"
    table = acam.from_conifer(doc)
    assert table.score_sum == "tree"
    assert acam.load(acam.save(table, tmp_path / "t.npz")).score_sum == "tree"
    doc["config"]["unroll"] = False
    assert acam.from_conifer(doc).score_sum == "sequential"
