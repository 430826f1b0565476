"""Import a conifer model JSON (``model.save()`` / the cpp backend's project JSON).

Reproduces conifer's C++ emulation (conifer 1.x, ``backends/cpp/include/conifer.h``)
exactly, as data:

- types: ``input_t``, ``threshold_t`` (conifer's cpp backend requires them equal;
  the xilinxhls backend compares ``input_t`` with ``threshold_t`` exactly),
  ``score_t``; read from the JSON's ``config`` (``input_precision``,
  ``threshold_precision``, ``score_precision``, falling back on ``precision`` as
  conifer's ``MultiPrecisionConfig`` does), or given as arguments; conifer's
  cpp default is ``ap_fixed<18,8>``.
- inputs: ``(input_t) x`` -- ap_fixed conversion of the double (AP_TRN floor,
  AP_WRAP by default); the table's quantizer is
  :meth:`InputQuantizer.from_ap_fixed`: code = raw + 2**(W-1), so ``n_bits = W``.
- thresholds: ``(threshold_t) t`` with the type's rounding and overflow
  (exact, :func:`firmware_models.fixed.exact.convert_exact`); comparison
  ``x <= t`` or ``x < t`` per ``splitting_convention`` (default "<=" as
  ``conifer.h`` reads it), asked exactly of every input code
  (:func:`~firmware_models.acam.tabularize.integer_cuts`).
- inputs may use any ap_fixed rounding and overflow mode
  (:data:`~firmware_models.acam.quantize.AP_ROUNDING`, ``AP_OVERFLOW``).
- axis-aligned nodes: conifer computes ``sum_f x[f] * weight[f]`` in
  ``threshold_t``; with a one-hot weight of exactly 1 (checked, also that
  ``weight_t`` holds 1.0 exactly) this is ``x[feature]``. Oblique trees are refused.
- leaves and ``init_predict``: ``(score_t) v``; the sum is taken in ``score_t``
  (wrapping: any order gives the same bits; saturating: in the backend's order,
  ``score_sum`` "sequential" for cpp (``std::accumulate`` from ``init_predict``) and
  rolled HLS, "tree" for unrolled xilinxhls/vivadohls (``init + reduce(scores)``),
  read from ``config.backend`` / ``config.unroll``), then ``values *= (score_t) norm``.
- ``n_classes == 2`` means one output (as conifer does).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from firmware_models.acam.quantize import AP_OVERFLOW, AP_ROUNDING, InputQuantizer
from firmware_models.acam.table import SCORE_SUMS, AcamTable
from firmware_models.acam.tabularize import GOES_LEFT, SourceTree, integer_cuts, tabularize, to_raw
from firmware_models.errors import ModelFormatError, UnsupportedTypeError
from firmware_models.fixed.types import FixedType

__all__ = ["from_conifer", "CONIFER_DEFAULT_PRECISION"]

#: conifer ``backends/cpp/writer.py`` ``auto_config``.
CONIFER_DEFAULT_PRECISION = "ap_fixed<18,8>"
_HLS_BACKENDS = ("xilinxhls", "vivadohls", "vitishls")



def _load(src) -> dict:
    if isinstance(src, dict):
        return src
    path = Path(src)
    if not path.is_file():
        msg = f"conifer model file {str(path)!r} not found; write it with conifer_model.save('model.json')"
        raise ModelFormatError(msg)
    try:
        return json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        msg = f"{path} is not a conifer JSON model ({err})"
        raise ModelFormatError(msg) from None


def _precisions(doc: dict, input_precision, threshold_precision, score_precision) -> tuple[str, str, str, str]:
    cfg = doc.get("config") or {}
    base = cfg.get("precision") or cfg.get("Precision")
    ip = input_precision or cfg.get("input_precision") or cfg.get("InputPrecision") or base
    tp = threshold_precision or cfg.get("threshold_precision") or cfg.get("ThresholdPrecision") or ip or base
    wp = cfg.get("weight_precision") or cfg.get("WeightPrecision") or tp
    sp = score_precision or cfg.get("score_precision") or cfg.get("ScorePrecision") or base
    ip = ip or CONIFER_DEFAULT_PRECISION
    tp = tp or ip
    sp = sp or CONIFER_DEFAULT_PRECISION
    wp = wp or tp
    for name, p in (("input", ip), ("threshold", tp), ("score", sp), ("weight", wp)):
        if "ap_" not in str(p):
            msg = (
                f"conifer {name} precision {p!r} is not an ap_fixed type; the ACAM needs integer codes: "
                "pass e.g. from_conifer(path, input_precision='ap_fixed<18,8>', score_precision='ap_fixed<18,8>')"
            )
            raise UnsupportedTypeError(msg)
    return str(ip), str(tp), str(wp), str(sp)


def _score_sum(backend: str, cfg: dict, score_t: FixedType, given: str | None) -> str:
    """The order conifer's backend sums the scores in (see :data:`~firmware_models.acam.table.SCORE_SUMS`)."""
    if given is not None:
        if given not in SCORE_SUMS:
            msg = f"score_sum must be one of {SCORE_SUMS}, got {given!r}"
            raise ModelFormatError(msg)
        return given
    if backend == "cpp":
        return "sequential"
    if backend in _HLS_BACKENDS:
        unroll = cfg.get("unroll", cfg.get("Unroll", True))
        return "tree" if unroll else "sequential"  # BDT_unrolled.h reduce / BDT_rolled.h loop
    if score_t.overflow == "WRAP":
        return "exact"  # wrapping sums are order-independent
    msg = (
        f"conifer backend {backend!r} with saturating score type {score_t}: the sum order is not known; "
        f"pass score_sum= one of {SCORE_SUMS}"
    )
    raise UnsupportedTypeError(msg)


def from_conifer(
    src,
    n_bits: int | None = None,
    *,
    input_precision: str | None = None,
    threshold_precision: str | None = None,
    score_precision: str | None = None,
    score_sum: str | None = None,
) -> AcamTable:
    """Tabularize a conifer model JSON (path or dict); see the module docstring."""
    doc = _load(src)
    for key in ("n_classes", "n_features", "n_trees", "trees", "init_predict", "norm"):
        if key not in doc:
            msg = f"conifer JSON lacks key {key!r}; expected a file written by conifer's model.save()"
            raise ModelFormatError(msg)
    ip, tp, wp, sp = _precisions(doc, input_precision, threshold_precision, score_precision)
    in_t, th_t, w_t, score_t = (FixedType.parse(p) for p in (ip, tp, wp, sp))
    backend = str((doc.get("config") or {}).get("backend", "cpp")).lower()
    if in_t != th_t and backend == "cpp":
        msg = f"conifer's cpp backend requires input and threshold precision equal, got {in_t} and {th_t}"
        raise UnsupportedTypeError(msg)
    if th_t.width > 53 or in_t.width > 53:
        msg = f"conifer precisions {in_t} / {th_t} are wider than 53 bits; thresholds would not be exact doubles"
        raise UnsupportedTypeError(msg)
    score_sum = _score_sum(backend, doc.get("config") or {}, score_t, score_sum)
    if in_t.sat_bits:
        msg = f"conifer input precision {in_t}: AP_WRAP with saturation bits N > 0 has no code mapping; use N = 0"
        raise UnsupportedTypeError(msg)
    if in_t.width > 31:
        msg = f"conifer input precision {in_t} is wider than the 31-bit ACAM code limit"
        raise UnsupportedTypeError(msg)
    if n_bits is not None and int(n_bits) != in_t.width:
        msg = f"conifer inputs are {in_t} codes, i.e. n_bits = {in_t.width}; got n_bits={n_bits} (omit it)"
        raise ModelFormatError(msg)
    one_w = to_raw([1.0], w_t)[0]
    if w_t.fractional < 0 or one_w != (1 << w_t.fractional):
        msg = f"conifer weight precision {w_t} cannot hold 1.0 exactly; x * weight would not equal x"
        raise UnsupportedTypeError(msg)
    n_features = int(doc["n_features"])
    n_classes = int(doc["n_classes"])
    n_out = 1 if n_classes == 2 else n_classes
    conv = doc.get("splitting_convention", "<=")
    if conv not in ("<=", "<"):
        msg = f"conifer splitting_convention must be '<=' or '<', got {conv!r}"
        raise ModelFormatError(msg)
    quant = InputQuantizer.from_ap_fixed(n_features, in_t.width, in_t.integer, in_t.signed)
    quant = InputQuantizer(quant.n_bits, quant.scale, quant.zero_point, AP_ROUNDING[in_t.rounding], AP_OVERFLOW[in_t.overflow])
    trees = []
    for i, per_class in enumerate(doc["trees"][: int(doc["n_trees"])]):
        if len(per_class) < n_out:
            msg = f"conifer tree {i} has {len(per_class)} class trees, expected {n_out}"
            raise ModelFormatError(msg)
        for j in range(n_out):
            tj = per_class[j]
            feature = np.asarray(tj["feature"], dtype=np.int64)
            split = feature >= 0
            if "weight" in tj:
                w = np.asarray(tj["weight"], dtype=np.float64)
                expect = np.zeros((feature.size, n_features))
                expect[np.nonzero(split)[0], feature[split]] = 1.0
                if w.shape != expect.shape or not np.array_equal(w[split], expect[split]):
                    msg = f"conifer tree {i} class {j} is oblique (weights other than one-hot 1); an ACAM row cannot hold it"
                    raise UnsupportedTypeError(msg)
            thr = np.asarray(tj["threshold"], dtype=np.float64)
            feat = np.where(split, feature, -1)
            # (threshold_t) t, exact as float64 (width <= 53); the cut is defined by conifer's own compare
            thr_exact = np.where(split, to_raw(np.where(split, thr, 0.0), th_t) * 2.0 ** -th_t.fractional, 0.0)
            cut = integer_cuts(feat, thr_exact, quant, GOES_LEFT[conv])
            trees.append(
                SourceTree(
                    feature=feat,
                    cut=cut,
                    left=np.asarray(tj["children_left"], dtype=np.int64),
                    right=np.asarray(tj["children_right"], dtype=np.int64),
                    value=np.asarray(tj["value"], dtype=np.float64).reshape(feature.size, -1)[:, 0],
                    class_id=j,
                )
            )
    init = np.asarray(doc["init_predict"], dtype=np.float64).reshape(-1)
    if init.size < n_out:
        msg = f"conifer init_predict has {init.size} values, expected {n_out}"
        raise ModelFormatError(msg)
    return tabularize(
        trees,
        quantizer=quant,
        leaf_type=score_t,
        n_classes=n_out,
        base_float=init[:n_out],
        split_convention=conv,
        float_sum="float64_sequential",
        norm=float(doc["norm"]),
        score_sum=score_sum,
        source={
            "backend": backend,
            "library": "conifer",
            "converted_from": doc.get("library", ""),
            "input_precision": str(in_t),
            "threshold_precision": str(th_t),
            "score_precision": str(score_t),
            "norm": float(doc["norm"]),
        },
    )
