"""firmware_models.fixed against the real ap_fixed headers (golden vectors, bit for bit).

``tests/data/fixed_ap_golden.json.gz`` was produced by ``scripts/make_fixed_golden.py``:
the Xilinx ap_types headers bundled in hls4ml 1.3.0, compiled with g++, doing the
same assignments and arithmetic (see its manifest). No hls4ml or g++ needed here.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from firmware_models.fixed import FixedType, add, cast, mul, quantize, sub

_GOLDEN = Path(__file__).resolve().parent / "data" / "fixed_ap_golden.json.gz"


def _load() -> dict:
    if not _GOLDEN.is_file():
        pytest.skip(f"golden vectors {_GOLDEN} absent; run scripts/make_fixed_golden.py")
    return json.loads(gzip.decompress(_GOLDEN.read_bytes()))


def _ints(strings: list[str], t: FixedType) -> np.ndarray:
    return np.array([int(s) for s in strings], dtype=np.int64 if t.fits_int64 else object)


def _cases(op: str) -> list[dict]:
    return [c for c in _load()["cases"] if c["op"] == op]


def test_manifest_names_the_tool() -> None:
    manifest = _load()["manifest"]
    assert manifest["hls4ml_version"] == "1.3.0"
    assert len(manifest["ap_fixed_base_h_sha256"]) == 64


def test_quantize_matches_ap_fixed() -> None:
    cases = _cases("quantize")
    assert len(cases) >= 50
    for case in cases:
        t = FixedType.parse(case["dst"])
        x = np.array([float.fromhex(h) for h in case["x"]])
        got = quantize(x, t)
        np.testing.assert_array_equal(got, _ints(case["out"], t), err_msg=f"double -> {t}")


def test_cast_matches_ap_fixed() -> None:
    cases = _cases("cast")
    assert len(cases) >= 50
    for case in cases:
        src, dst = FixedType.parse(case["src"]), FixedType.parse(case["dst"])
        got = cast(_ints(case["raw"], src), src, dst)
        np.testing.assert_array_equal(got, _ints(case["out"], dst), err_msg=f"{src} -> {dst}")


@pytest.mark.parametrize(("op", "func"), [("add", add), ("sub", sub), ("mul", mul)])
def test_arithmetic_matches_ap_fixed(op: str, func) -> None:
    cases = _cases(op)
    assert len(cases) >= 10
    for case in cases:
        ta, tb = FixedType.parse(case["a_type"]), FixedType.parse(case["b_type"])
        raw, rt = func(_ints(case["a"], ta), ta, _ints(case["b"], tb), tb)
        assert str(rt) == case["out_type"], f"{ta} {op} {tb}"
        np.testing.assert_array_equal(raw, _ints(case["out"], rt), err_msg=f"{ta} {op} {tb}")
