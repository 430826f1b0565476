"""Import scikit-learn tree models into an :class:`~firmware_models.acam.table.AcamTable`.

Supported: ``DecisionTreeRegressor`` and ``RandomForestRegressor`` /
``ExtraTreesRegressor`` (any number of outputs: one tree per output, class id =
output index), ``GradientBoostingRegressor`` and ``GradientBoostingClassifier``
(one tree per stage and class, ``init`` raw prediction as base, leaves scaled
by ``learning_rate``); ``DecisionTreeClassifier``, ``RandomForestClassifier`` and
``ExtraTreesClassifier`` (single output): ``predict_proba``, one tree per class
holding the class fraction of each leaf, mean over the estimators (the tables
output ``n_classes`` columns, also for two classes). Multi-output classifiers,
``HistGradientBoosting*`` and non-constant ``init`` estimators are refused.

Semantics replicated exactly (scikit-learn 1.9):

- split: X cast to float32, ``x <= threshold`` (float64); convention "<="
  (sklearn/tree/_tree.pyx L989);
- gradient boosting: ``raw = init; raw[:, k] += learning_rate * value`` stage by
  stage in float64 (sklearn/ensemble/_gradient_boosting.pyx L73), base from
  ``_raw_predict_init`` (the route conifer's sklearn converter takes too);
  ``leaf_float = learning_rate * value`` computed as that product;
- classifiers: leaf value ``tree_.value[:, 0, k]`` (fractions since sklearn 1.4,
  tree/_classes.py ``predict_proba``; counts normalised per node before), forest
  ``all_proba += tree proba`` then ``/= n_estimators`` (ensemble/_forest.py ``predict_proba``);
- forests: the mean, ``y = sum of tree predictions / n_estimators`` in float64
  (sklearn/ensemble/_forest.py L1079-1083); in fixed point each leaf is
  ``value / n_estimators`` converted to ``leaf_type``.

``predict_float_like`` then equals ``predict`` (``decision_function`` for the
classifier) bit for bit on the quantizer's values; ``predict_raw`` is the
fixed-point ACAM output.
"""

from __future__ import annotations

import numpy as np

from firmware_models.acam.quantize import InputQuantizer
from firmware_models.acam.table import AcamTable
from firmware_models.acam.tabularize import GOES_LEFT, SourceTree, integer_cuts, tabularize
from firmware_models.errors import ModelFormatError, UnsupportedTypeError

__all__ = ["from_sklearn", "DEFAULT_LEAF_TYPE"]

#: conifer's default precision (``conifer.backends.cpp.auto_config``).
DEFAULT_LEAF_TYPE = "ap_fixed<18,8>"


def _source_trees(tree, quantizer: InputQuantizer, scale: float | None, tid_class: list, values=None):
    """SourceTrees of one fitted sklearn ``Tree``: one per ``(column k, class id)`` of ``tid_class``,
    leaf values ``values[:, k]`` (default ``tree.value[:, k, 0]``, one column per regression output)."""
    cut = integer_cuts(tree.feature, tree.threshold, quantizer, GOES_LEFT["sklearn"])
    if values is None:
        values = tree.value[:, :, 0]
    out = []
    for k, cls in tid_class:
        value = np.asarray(values[:, k], dtype=np.float64)
        if scale is not None:
            value = np.float64(scale) * value  # sklearn: ``scale * value[node]`` in double
        out.append(
            SourceTree(
                feature=np.asarray(tree.feature, dtype=np.int64),
                cut=cut,
                left=np.asarray(tree.children_left, dtype=np.int64),
                right=np.asarray(tree.children_right, dtype=np.int64),
                value=value,
                class_id=cls,
            )
        )
    return out


def _quantizer(model, n_bits: int, quantizer: InputQuantizer | None) -> InputQuantizer:
    n_features = int(getattr(model, "n_features_in_", 0))
    if n_features <= 0:
        msg = f"{type(model).__name__} is not fitted (no n_features_in_); fit it before importing"
        raise ModelFormatError(msg)
    if quantizer is None:
        return InputQuantizer.identity(n_features, n_bits)
    if quantizer.n_features != n_features or quantizer.n_bits != n_bits:
        msg = (
            f"quantizer is for {quantizer.n_features} features x {quantizer.n_bits} bits but the model has "
            f"{n_features} features and n_bits={n_bits}; pass n_bits={quantizer.n_bits} or a matching quantizer"
        )
        raise ModelFormatError(msg)
    return quantizer


_CLASSIFIERS = ("DecisionTreeClassifier", "RandomForestClassifier", "ExtraTreesClassifier")


def _proba_values(tree, n_classes: int) -> np.ndarray:
    """Per-node class probabilities as ``DecisionTreeClassifier.predict_proba`` returns them."""
    import sklearn

    value = np.asarray(tree.value[:, 0, :n_classes], dtype=np.float64)
    major, minor = (int(v) for v in sklearn.__version__.split(".")[:2])
    if (major, minor) >= (1, 4):
        return value  # sklearn >= 1.4 stores fractions: predict_proba returns value[:, :n_classes] (tree/_classes.py L1049-1052)
    normalizer = value.sum(axis=1)[:, None]  # sklearn < 1.4 stores counts and normalises them
    normalizer[normalizer == 0.0] = 1.0
    return value / normalizer


def _classifier(model, name: str, common: dict) -> AcamTable:
    """Tree / forest classifiers: ``predict_proba``, one output per class (even for 2 classes)."""
    if int(model.n_outputs_) != 1:
        msg = f"{name} has {model.n_outputs_} outputs; only single-output classifiers can be imported (fit one per output)"
        raise UnsupportedTypeError(msg)
    k = int(model.n_classes_)
    ests = [model] if name == "DecisionTreeClassifier" else list(model.estimators_)
    trees = []
    for est in ests:
        trees += _source_trees(est.tree_, common["quantizer"], None, [(j, j) for j in range(k)], _proba_values(est.tree_, k))
    common["source"]["output"] = "predict_proba"
    return tabularize(
        trees, n_classes=k, base_float=np.zeros(k), float_sum="float64_mean", fixed_leaf_scale=1.0 / len(ests), **common
    )


def from_sklearn(model, n_bits: int = 16, quantizer: InputQuantizer | None = None, *, leaf_type=DEFAULT_LEAF_TYPE) -> AcamTable:
    """Tabularize a fitted scikit-learn tree model (see the module docstring)."""
    import sklearn

    name = type(model).__name__
    q = _quantizer(model, n_bits, quantizer)
    src = {"library": "sklearn", "version": sklearn.__version__, "model": name}
    common = {"quantizer": q, "leaf_type": leaf_type, "split_convention": "<=", "source": src}
    if name == "DecisionTreeRegressor":
        k = int(model.n_outputs_)
        trees = _source_trees(model.tree_, q, None, [(j, j) for j in range(k)])
        return tabularize(trees, n_classes=k, base_float=np.zeros(k), float_sum="float64_sequential", **common)
    if name in ("RandomForestRegressor", "ExtraTreesRegressor"):
        k = int(model.n_outputs_)
        n_est = len(model.estimators_)
        trees = []
        for est in model.estimators_:
            trees += _source_trees(est.tree_, q, None, [(j, j) for j in range(k)])
        return tabularize(
            trees,
            n_classes=k,
            base_float=np.zeros(k),
            float_sum="float64_mean",
            fixed_leaf_scale=1.0 / n_est,
            **common,
        )
    if name in _CLASSIFIERS:
        return _classifier(model, name, common)
    if name in ("GradientBoostingRegressor", "GradientBoostingClassifier"):
        init = model.init_
        if not (isinstance(init, str) and init == "zero") and type(init).__name__ not in ("DummyRegressor", "DummyClassifier"):
            msg = (
                f"{name} has init estimator {type(init).__name__}, whose prediction depends on x; only a constant "
                "init ('zero' or the default DummyRegressor/DummyClassifier) can be a CAM base value"
            )
            raise UnsupportedTypeError(msg)
        est = model.estimators_
        n_stages, k = est.shape
        base = np.asarray(model._raw_predict_init(np.zeros((1, q.n_features)))[0], dtype=np.float64)
        lr = float(model.learning_rate)
        trees = []
        for i in range(n_stages):
            for j in range(k):
                trees += _source_trees(est[i, j].tree_, q, lr, [(0, j)])
        src["learning_rate"] = lr
        return tabularize(trees, n_classes=k, base_float=base, float_sum="float64_sequential", **common)
    msg = (
        f"cannot import scikit-learn model {name}; supported: DecisionTreeRegressor, RandomForestRegressor, "
        "ExtraTreesRegressor, GradientBoostingRegressor, GradientBoostingClassifier, "
        "DecisionTreeClassifier, RandomForestClassifier, ExtraTreesClassifier "
        "(HistGradientBoosting*: export it to XGBoost or retrain with GradientBoosting*)"
    )
    raise UnsupportedTypeError(msg)
