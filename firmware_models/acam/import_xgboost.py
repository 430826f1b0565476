"""Import an XGBoost model (its JSON, a Booster or an sklearn-API model) into an ACAM table.

Reads the JSON model format (``learner.gradient_booster.model.trees``): per
tree ``split_indices``, ``split_conditions`` (the float32 threshold at a split,
the leaf value at a leaf), ``left_children`` (-1 at leaves),
``right_children``; ``tree_info`` gives each tree's output group. Files XGBoost
writes in UBJSON (``.ubj``) or its legacy binary format are read through
``xgboost`` itself when it is installed. Semantics:

- split: float32 feature ``< `` float32 condition, convention "<" (default
  direction only matters for missing values, which integer codes never are);
- prediction margin: float32 accumulation from the base margin, tree by tree in
  model order (``float_sum = "float32_sequential"``);
- base margin: ``learner_model_param.base_score`` (a scalar or, from XGBoost 3,
  a vector per output), turned into a margin by the objective's link
  (:data:`BASE_LINK`, the ``ProbToMargin`` of each objective in XGBoost's
  ``src/objective``), in float32 with a correctly rounded log.

Not supported (a clear error names the fix): ``gblinear``, ``dart`` (per-tree
drop weights), categorical splits, vector-leaf (multi-target) trees.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from firmware_models.acam.import_sklearn import DEFAULT_LEAF_TYPE
from firmware_models.acam.quantize import InputQuantizer
from firmware_models.acam.table import AcamTable
from firmware_models.acam.tabularize import GOES_LEFT, SourceTree, integer_cuts, tabularize
from firmware_models.errors import ModelFormatError, UnsupportedTypeError

__all__ = ["from_xgboost", "BASE_LINK", "load_xgboost_json"]

_LOGIT = ("binary:logistic", "reg:logistic")
_LOG = ("count:poisson", "reg:gamma", "reg:tweedie", "survival:cox", "survival:aft")
_IDENTITY = (
    "reg:squarederror",
    "reg:squaredlogerror",
    "reg:pseudohubererror",
    "reg:absoluteerror",
    "reg:quantileerror",
    "reg:linear",
    "binary:logitraw",  # XGBoost >= 2: LogisticRaw keeps base_score as the margin (checked against 3.2)
    "binary:hinge",
    "multi:softmax",
    "multi:softprob",
    "rank:pairwise",
    "rank:ndcg",
    "rank:map",
)
#: objective -> link of base_score to margin ("logit": -log(1/p - 1), "log", "identity").
BASE_LINK = {**{o: "logit" for o in _LOGIT}, **{o: "log" for o in _LOG}, **{o: "identity" for o in _IDENTITY}}


def load_xgboost_json(src) -> dict:
    """The parsed JSON model from a path, bytes/str of JSON, a dict, a Booster or an XGBModel."""
    if isinstance(src, dict):
        return src
    if hasattr(src, "get_booster"):
        src = src.get_booster()
    if hasattr(src, "save_raw"):
        return json.loads(bytes(src.save_raw(raw_format="json")))
    if isinstance(src, (bytes, bytearray)):
        return json.loads(bytes(src))
    path = Path(src)
    if not path.is_file():
        msg = f"XGBoost model file {str(path)!r} not found; save the model with booster.save_model('model.json')"
        raise ModelFormatError(msg)
    try:
        return json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return _via_xgboost(path, err)


def _via_xgboost(path: Path, err: Exception) -> dict:
    """A model file that is not JSON (UBJSON ``.ubj``, XGBoost's default since 2.1, or the
    legacy binary format): let XGBoost itself read it and write its JSON."""
    try:
        import xgboost
    except ImportError:
        msg = (
            f"{path} is not an XGBoost JSON model ({err}); UBJSON/binary models need the xgboost package "
            "to read them: install xgboost-cpu, or re-save with booster.save_model('model.json')"
        )
        raise ModelFormatError(msg) from None
    booster = xgboost.Booster()
    try:
        booster.load_model(str(path))
    except xgboost.core.XGBoostError as xerr:
        msg = f"{path} is neither an XGBoost JSON model ({err}) nor a model XGBoost can load ({str(xerr).splitlines()[0]})"
        raise ModelFormatError(msg) from None
    return json.loads(bytes(booster.save_raw(raw_format="json")))


def _get(d: dict, *keys):
    cur = d
    for k in keys:
        if not isinstance(cur, dict) or k not in cur:
            msg = f"XGBoost JSON lacks '{'.'.join(keys)}'; is this a model saved by XGBoost >= 1.0 with save_model('*.json')?"
            raise ModelFormatError(msg)
        cur = cur[k]
    return cur


def _tree_array(tree: dict, i: int, key: str, dtype) -> np.ndarray:
    if not isinstance(tree, dict) or key not in tree:
        msg = f"XGBoost JSON tree {i} lacks '{key}'; the file is damaged or not written by save_model('*.json')"
        raise ModelFormatError(msg)
    try:
        return np.asarray(tree[key], dtype=dtype)
    except (TypeError, ValueError):
        msg = f"XGBoost JSON tree {i}: '{key}' must be a list of numbers"
        raise ModelFormatError(msg) from None


def _base_margin(learner: dict, n_out: int) -> np.ndarray:
    text = str(_get(learner, "learner_model_param", "base_score"))
    values = np.array([float(v) for v in text.strip("[]").split(",") if v.strip()], dtype=np.float32)
    if values.size == 1:
        values = np.repeat(values, n_out)
    if values.size != n_out:
        msg = f"XGBoost base_score has {values.size} values for {n_out} outputs"
        raise ModelFormatError(msg)
    objective = _get(learner, "objective", "name")
    link = BASE_LINK.get(objective)
    if link is None:
        msg = f"XGBoost objective {objective!r} has no known base-score link; supported: {sorted(BASE_LINK)}"
        raise UnsupportedTypeError(msg)
    # XGBoost evaluates the link in float (``-std::log(1.0f / p - 1.0f)``, ``std::log(p)``); glibc's
    # logf is correctly rounded, which float64 log rounded once to float32 reproduces.
    with np.errstate(divide="ignore", invalid="ignore"):
        if link == "logit":
            q = np.float32(1.0) / values - np.float32(1.0)
            values = (-np.log(q.astype(np.float64))).astype(np.float32)
        elif link == "log":
            values = np.log(values.astype(np.float64)).astype(np.float32)
    if not np.all(np.isfinite(values)):
        msg = f"XGBoost base_score {text} gives a non-finite margin under the {link} link of {objective!r}"
        raise ModelFormatError(msg)
    return values.astype(np.float32)


def from_xgboost(src, n_bits: int = 16, quantizer: InputQuantizer | None = None, *, leaf_type=DEFAULT_LEAF_TYPE) -> AcamTable:
    """Tabularize an XGBoost gbtree model (see the module docstring)."""
    doc = load_xgboost_json(src)
    learner = _get(doc, "learner")
    booster = _get(learner, "gradient_booster")
    if booster.get("name") != "gbtree":
        msg = f"XGBoost booster {booster.get('name')!r} cannot be tabularized; only 'gbtree' (trees without dart weights)"
        raise UnsupportedTypeError(msg)
    model = _get(booster, "model")
    trees_json = _get(model, "trees")
    tree_info = np.asarray(_get(model, "tree_info"), dtype=np.int64)
    lmp = _get(learner, "learner_model_param")
    n_features = int(_get(lmp, "num_feature"))
    n_out = max(int(lmp.get("num_class", 0)), int(lmp.get("num_target", 1)), 1)
    if quantizer is None:
        quantizer = InputQuantizer.identity(n_features, n_bits)
    elif quantizer.n_features != n_features or quantizer.n_bits != n_bits:
        msg = f"quantizer is for {quantizer.n_features} features x {quantizer.n_bits} bits; model has {n_features}, n_bits={n_bits}"
        raise ModelFormatError(msg)
    trees = []
    for i, tj in enumerate(trees_json):
        if int(tj.get("tree_param", {}).get("size_leaf_vector", "1") or 1) > 1:
            msg = "XGBoost vector-leaf (multi_strategy='multi_output_tree') trees are not supported; train with one_output_per_tree"
            raise UnsupportedTypeError(msg)
        if any(int(s) != 0 for s in tj.get("split_type", [])):
            msg = f"XGBoost tree {i} has categorical splits; the ACAM needs numerical splits (one-hot encode categories)"
            raise UnsupportedTypeError(msg)
        left, right, feat = (_tree_array(tj, i, k, np.int64) for k in ("left_children", "right_children",
                                                                        "split_indices"))
        cond = _tree_array(tj, i, "split_conditions", np.float64).astype(np.float32)
        if not left.size == right.size == feat.size == cond.size:
            msg = (f"XGBoost tree {i} is inconsistent: {left.size} left_children, {right.size} right_children, "
                   f"{feat.size} split_indices, {cond.size} split_conditions (one per node); re-save the model")
            raise ModelFormatError(msg)
        leaf = left < 0
        feature = np.where(leaf, -1, feat)
        cut = integer_cuts(feature, cond.astype(np.float64), quantizer, GOES_LEFT["xgboost"])
        value = np.where(leaf, cond, np.float32(0)).astype(np.float64)
        trees.append(SourceTree(feature, cut, left, right, value, class_id=int(tree_info[i])))
    import_meta = {
        "library": "xgboost",
        "version": ".".join(str(v) for v in learner.get("version", doc.get("version", [])))
        if isinstance(doc.get("version"), list)
        else str(doc.get("version", "")),
        "objective": _get(learner, "objective", "name"),
        "base_score": str(lmp.get("base_score")),
    }
    return tabularize(
        trees,
        quantizer=quantizer,
        leaf_type=leaf_type,
        n_classes=n_out,
        base_float=_base_margin(learner, n_out).astype(np.float64),
        split_convention="<",
        float_sum="float32_sequential",
        source=import_meta,
    )
