"""ACAM tables from conifer JSON equal conifer's own C++ emulation, bit for bit.

Golden vectors in ``tests/golden/conifer`` were made by ``scripts/make_conifer_vectors.py``
(conifer's cpp and xilinxhls backends compiled with g++ and Xilinx ap_types); conifer is
not needed here. Cases: sklearn binary and 3-class gradient boosting, a random forest,
XGBoost regression and 3-class softprob, an ONNX (skl2onnx) classifier; default, rounding (AP_RND, AP_RND_CONV) and
saturating (AP_SAT, AP_SAT_SYM) precisions, unequal input/threshold precisions (HLS), and
the three sum orders (wrapping, cpp sequential, HLS adder tree; rolled HLS sequential).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from firmware_models import acam
from firmware_models.fixed.types import FixedType

GOLDEN = Path(__file__).resolve().parent / "golden" / "conifer"
MANIFEST = GOLDEN / "manifest.json"


def _cases():
    if not MANIFEST.is_file():
        return []
    return sorted(json.loads(MANIFEST.read_text())["cases"])


def test_manifest_covers_libraries_backends_precisions():
    if not MANIFEST.is_file():
        pytest.skip(f"{MANIFEST} missing: run scripts/make_conifer_vectors.py")
    cases = json.loads(MANIFEST.read_text())["cases"]
    assert {c["library"] for c in cases.values()} == {"sklearn", "xgboost", "onnx"}
    assert {c.get("backend", "cpp") for c in cases.values()} == {"cpp", "xilinxhls"}
    assert len({c["precision"] for c in cases.values()}) >= 4
    assert any("AP_SAT" in c["precision"] for c in cases.values())
    assert any(c["n_outputs"] == 3 for c in cases.values())


@pytest.mark.parametrize("case", _cases())
def test_conifer_cpp_golden(case):
    meta = json.loads(MANIFEST.read_text())["cases"][case]
    for name, sha in meta["files"].items():
        assert hashlib.sha256((GOLDEN / name).read_bytes()).hexdigest() == sha, f"{name} changed since the manifest"
    with warnings.catch_warnings():
        # narrow saturating score types: some leaves lie beyond the range and saturate, as in conifer
        warnings.filterwarnings("ignore", message=r".*outside the range.*saturate", category=UserWarning)
        table = acam.from_conifer(GOLDEN / f"{case}.json")
    assert table.leaf_type == FixedType.parse(meta["precision"])
    assert table.source["backend"] == meta.get("backend", "cpp")
    with np.load(GOLDEN / f"{case}.npz", allow_pickle=False) as z:
        x, y_raw = z["x"], z["y_raw"]
    codes = table.quantize_inputs(x)
    for mode in ("ideal", "nested"):
        np.testing.assert_array_equal(table.predict_raw(codes, mode=mode), y_raw)
    np.testing.assert_array_equal(table.predict_raw(codes, mode="physical", sigma=0.0), y_raw)


@pytest.mark.parametrize("case,wrong", [("sklearn_gbc_rnd_sat_10_3", "tree"), ("xgboost_reg_hls_unrolled_sat", "sequential")])
def test_saturating_cases_see_the_sum_order(case, wrong):
    """The saturating vectors tell the orders apart: the exact sum or the other backend's order misses."""
    if case not in _cases():
        pytest.skip(f"golden case {case} missing: run scripts/make_conifer_vectors.py")
    with np.load(GOLDEN / f"{case}.npz", allow_pickle=False) as z:
        x, y_raw = z["x"], z["y_raw"]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*outside the range.*saturate", category=UserWarning)
        for order in ("exact", wrong):
            table = acam.from_conifer(GOLDEN / f"{case}.json", score_sum=order)
            assert (table.predict_raw(table.quantize_inputs(x)) != y_raw).any(), f"{case}: order {order!r} is not excluded"
