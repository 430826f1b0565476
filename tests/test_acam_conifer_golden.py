"""ACAM tables from conifer JSON equal conifer's own C++ emulation, bit for bit.

Golden vectors in ``tests/golden/conifer`` were made by ``scripts/make_conifer_vectors.py``
(conifer's cpp backend compiled with g++ and Xilinx ap_types); conifer is not needed here.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from firmware_models import acam

GOLDEN = Path(__file__).resolve().parent / "golden" / "conifer"
MANIFEST = GOLDEN / "manifest.json"


def _cases():
    if not MANIFEST.is_file():
        return []
    return sorted(json.loads(MANIFEST.read_text())["cases"])


def test_manifest_covers_two_libraries_and_two_precisions():
    if not MANIFEST.is_file():
        pytest.skip(f"{MANIFEST} missing: run scripts/make_conifer_vectors.py")
    cases = json.loads(MANIFEST.read_text())["cases"]
    assert {c["library"] for c in cases.values()} == {"sklearn", "xgboost"}
    assert len({c["precision"] for c in cases.values()}) >= 2


@pytest.mark.parametrize("case", _cases())
def test_conifer_cpp_golden(case):
    meta = json.loads(MANIFEST.read_text())["cases"][case]
    for name, sha in meta["files"].items():
        assert hashlib.sha256((GOLDEN / name).read_bytes()).hexdigest() == sha, f"{name} changed since the manifest"
    table = acam.from_conifer(GOLDEN / f"{case}.json")
    assert str(table.leaf_type) == meta["precision"]
    with np.load(GOLDEN / f"{case}.npz", allow_pickle=False) as z:
        x, y_raw = z["x"], z["y_raw"]
    codes = table.quantize_inputs(x)
    for mode in ("ideal", "nested"):
        np.testing.assert_array_equal(table.predict_raw(codes, mode=mode), y_raw)
    np.testing.assert_array_equal(table.predict_raw(codes, mode="physical", sigma=0.0), y_raw)
