"""Pooling against every nnet_pooling.h generation, compiled with g++ (``scripts/make_pooling_vectors.py``).

Header sets: hls4ml 1.3.0 and the ``nnet_utils`` of CICADA v1 / v2 / v2p2p0, TOoLLiP v1 / v2,
L1TSC4NGJetModel_v0 and AXOL1TL_v6 as CMS ships them; each is modelled by one
:data:`firmware_models.nn.pooling.VARIANTS` entry (recorded in the manifest). Types span plain,
rounding/saturating, unsigned and ap_int data with wider, narrower and rounding accumulators;
geometries 1D, 2D, padded, (3,1) windows and global pooling, max and average.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from firmware_models.errors import UnsupportedTypeError
from firmware_models.fixed import FixedType
from firmware_models.nn import pooling

GOLDEN = Path(__file__).parent / "golden" / "pooling"
MANIFEST = json.loads((GOLDEN / "manifest.json").read_text())
CASES = [(hs, ti, g) for hs, info in MANIFEST["header_sets"].items() for ti in range(len(MANIFEST["types"]))
         for g in info["geometries"]]


@pytest.fixture(scope="module")
def vectors():
    with np.load(GOLDEN / "vectors.npz") as v:
        return {k: v[k].astype(np.int64) for k in v.files}


def test_every_header_generation_present():
    assert {"hls4ml-1.3.0", "CICADA_v2", "TOoLLiP_v1", "TOoLLiP_v2", "L1TSC4NGJetModel_v0"} <= \
        set(MANIFEST["header_sets"])


@pytest.mark.parametrize(("header_set", "types", "geometry"), CASES)
@pytest.mark.parametrize("op", ["max", "average"])
def test_pooling_exact(vectors, header_set, types, geometry, op):
    variant = MANIFEST["header_sets"][header_set]["variant"]
    t_in, t_acc, t_res = (FixedType.parse(t) for t in MANIFEST["types"][types])
    g = MANIFEST["geometries"][geometry]
    x = vectors[f"x__{types}__{geometry}__{op}"]
    ref = vectors[f"y__{header_set}__{types}__{geometry}__{op}"]
    kw = dict(op=op, t_in=t_in, t_result=t_res, t_accum=t_acc, variant=variant)
    if variant == "legacy_v1" and g["kind"] == "1d" and g["pad"][0]:
        # the CICADA v1/v2 header reads data[(ii + jj) * n_filt + ff] at the padded coordinate: past the input
        with pytest.raises(UnsupportedTypeError, match="past the end of the input"):
            pooling.pool(x, tuple(g["shape"]), g["pool"], g["stride"], tuple(g["pad"]), **kw)
        return
    if g["kind"] in ("g1d", "g2d"):
        shape = tuple(g["shape"]) if g["kind"] == "g1d" else (g["shape"][0] * g["shape"][1], g["shape"][2])
        got = pooling.pool(x, shape, 1, global_=True, **kw)
    else:
        pool_size = tuple(g["pool"]) if g["kind"] == "2d" else g["pool"]
        stride = tuple(g["stride"]) if g["kind"] == "2d" else g["stride"]
        got = pooling.pool(x, tuple(g["shape"]), pool_size, stride, tuple(g["pad"]), **kw)
    np.testing.assert_array_equal(got.reshape(len(x), -1), ref, err_msg=f"{header_set} {variant} {geometry} {op}")
