"""Graph layer kinds against hls4ml's own nnet_utils compiled with g++ (tests/golden/nn_kinds).

``scripts/make_nn_kind_vectors.py`` wrote small hls4ml-style projects (committed here, without
nnet_utils) and ran them compiled against hls4ml 1.3.0's ap_types and nnet_utils -- or, for
the ``_old`` cases, against the older generation in ``../shared/models/cms-hls4ml/AXOL1TL_v5/
NN/nnet_utils`` (those cases are skipped when ../shared is absent: the loader must read that
folder's headers to know the version). Every merge incl. broadcasting, concatenate on every
axis, dot1d with a rounding saturating accumulator, dense in every resource kernel with
rounding/saturating accumulators, distributed-arithmetic code, several input and output
ports and auto& aliases: every output port equal, zero mismatches; no g++ needed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from firmware_models.nn import load_hls4ml_project

GOLDEN = Path(__file__).resolve().parent / "golden" / "nn_kinds"
MANIFEST = json.loads((GOLDEN / "manifest.json").read_text())


def _old_utils() -> Path | None:
    for base in Path(__file__).resolve().parents:
        cand = base / "shared" / "models" / "cms-hls4ml" / "AXOL1TL_v5" / "NN" / "nnet_utils"
        if cand.is_dir():
            return cand
    return None


def _load(case: str):
    info = MANIFEST["cases"][case]
    if "older generation" in info["nnet_utils"]:
        utils = _old_utils()
        if utils is None:
            pytest.skip("../shared/models/cms-hls4ml/AXOL1TL_v5/NN/nnet_utils absent (the older nnet_utils)")
        for name, digest in info["nnet_utils_sha256"].items():
            assert hashlib.sha256((utils / name).read_bytes()).hexdigest() == digest, name
        return load_hls4ml_project(GOLDEN / case, nnet_utils=utils)
    return load_hls4ml_project(GOLDEN / case)


@pytest.mark.parametrize("case", sorted(MANIFEST["cases"]))
def test_kinds_match_hls4ml_cpp(case):
    info = MANIFEST["cases"][case]
    for rel, digest in info["files"].items():
        assert hashlib.sha256((GOLDEN / case / rel).read_bytes()).hexdigest() == digest, rel
    model = _load(case)
    vec = np.load(GOLDEN / case / "vectors.npz")
    assert [p.arg for p in model.input_ports] == [p for p, _, _ in info["inputs"]]
    assert [p.arg for p in model.output_ports] == [o for o, _, _ in info["outputs"]]
    x = {p: vec[f"x__{p}"] for p, _, _ in info["inputs"]}
    got = {p.arg: v for p, v in zip(model.output_ports, model.predict_raw(x).values())}
    ref = {p.arg: v for p, v in zip(model.output_ports, model.predict_raw({k: a[:40] for k, a in x.items()},
                                                                           reference=True).values())}
    for o, _, _ in info["outputs"]:
        np.testing.assert_array_equal(got[o], vec[f"y__{o}"], err_msg=f"{case} {o}")
        np.testing.assert_array_equal(ref[o], vec[f"y__{o}"][:40], err_msg=f"{case} {o} (reference twin)")


def test_cases_span_the_kinds():
    kinds = set()
    for case in MANIFEST["cases"]:
        try:
            kinds |= {n.kind for n in _load(case).layers}
        except pytest.skip.Exception:
            continue
    assert {"add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot", "dense",
            "dense_da", "relu"} <= kinds
