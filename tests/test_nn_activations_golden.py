"""Activations and softmax against hls4ml's own C++ (g++, every header generation): zero mismatches.

The vectors in ``tests/golden/activations`` were made by ``scripts/make_activation_golden.py``:
hls4ml 1.3.0's ``nnet_activation.h`` and every distinct header of the cms-hls4ml folders,
compiled with g++ against hls4ml 1.3.0's ``ap_types``, run on seeded and exhaustive raw
inputs. Here our functions and table builders recompute every case from the manifest's
parameters alone and must agree bit for bit (``assert_array_equal``), tables included.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType, quantize
from firmware_models.nn import activations as act
from firmware_models.nn import softmax as sm
from firmware_models.nn import table_activations as tact
from firmware_models.nn.nnet_variants import VARIANTS, folder_variant, param_type
from firmware_models.nn.softmax_tables import softmax_tables
from firmware_models.nn.tables import TABLE_BUILDERS

GOLDEN = Path(__file__).parent / "golden" / "activations"
_REPO = Path(__file__).resolve().parents[1]
MANIFEST = json.loads((GOLDEN / "manifest.json").read_text())

_TABLE_OF = {"sigmoid": "sigmoid", "tanh": "tanh", "softplus": "softplus", "softsign": "softsign", "elu": "elu",
             "elu_default": "elu", "selu": "selu", "exp_legacy": "exp", "invert_legacy": "invert_legacy"}


def _raw(value: float, t) -> int:
    return int(quantize(np.array([float(value)]), t)[0])


def _elementwise(c: dict, x: np.ndarray, arrays, k: int) -> np.ndarray:
    v = c["variant"]
    f = c["func"]
    kw = {"in_t": c["in_t"], "res_t": c["res_t"]}
    if f in ("sigmoid", "tanh", "softplus", "softsign", "selu", "elu", "elu_default"):
        kw.update(table=TABLE_BUILDERS[_TABLE_OF[f]](c["table_size"], c["table_t"]), table_t=c["table_t"])
    if f in ("linear", "relu", "ternary_tanh"):
        return getattr(act, f)(x, **kw)
    if f == "relu_max":
        return act.relu_max(x, max_int=c["max_int"], **kw)
    if f in ("leaky_relu", "thresholded_relu", "prelu"):
        pt = param_type(f, v, in_t=c["in_t"], res_t=c["res_t"], param_t=c["param_t"])
        if f == "prelu":
            n = len(c["alphas"])
            alpha = quantize(np.array(c["alphas"]), pt)
            return act.prelu(x.reshape(-1, n), alpha, alpha_t=pt, **kw).reshape(-1)
        if f == "leaky_relu":
            return act.leaky_relu(x, _raw(c["alpha"], pt), alpha_t=pt, **kw)
        return act.thresholded_relu(x, _raw(c["alpha"], pt), theta_t=pt, **kw)
    if f in ("elu", "elu_default"):
        pt = param_type("elu", v, in_t=c["in_t"], res_t=c["res_t"],
                        param_t=c.get("param_t", "ap_uint<1>"))
        return tact.elu(x, _raw(c.get("alpha", 1.0), pt), alpha_t=pt, **kw)
    if f in ("sigmoid", "tanh", "softplus", "softsign"):
        return getattr(tact, f)(x, **kw)
    if f == "selu":
        return tact.selu(x, variant=v, **kw)
    if f in ("hard_sigmoid", "hard_tanh"):
        return getattr(act, f)(x, slope=_raw(c["slope"], c["slope_t"]), slope_t=c["slope_t"],
                               shift=_raw(c["shift"], c["shift_t"]), shift_t=c["shift_t"], variant=v, **kw)
    if f == "binary_tanh":
        return act.binary_tanh(x, variant=v, **kw)
    if f == "unary_lut":
        return tact.unary_lut(x, table=arrays[f"tab_{k}"].astype(np.int64), table_t=c["table_t"], **kw)
    raise AssertionError(f"no mapping for {f}")


def _softmax(c: dict, x: np.ndarray):
    v = c["variant"]
    shared = VARIANTS[v].softmax_tables == "shared"
    tkw = dict(in_t=c["in_t"], exp_table_t=c["exp_table_t"], inv_table_t=c["inv_table_t"],
               exp_table_size=c["exp_table_size"], inv_table_size=c["inv_table_size"], table_t=c["table_t"])
    if not shared:
        tkw.update(inv_inp_t=c["inv_inp_t"], inp_norm_t=c["inp_norm_t"], exp_scale=c["exp_scale"])
    et, it = softmax_tables(v, c["implementation"], **tkw)
    kw = dict(implementation=c["implementation"], in_t=c["in_t"], res_t=c["res_t"], exp_table=et, inv_table=it,
              exp_table_t=c["exp_table_t"], inv_table_t=c["inv_table_t"], table_t=c["table_t"], variant=v)
    if not shared:
        kw.update(accum_t=c["accum_t"], inv_inp_t=c["inv_inp_t"], inp_norm_t=c["inp_norm_t"])
    if c["n_outer"] > 1 or c["n_inner"] > 1:
        res = sm.softmax_multidim(x, n_outer=c["n_outer"], n_inner=c["n_inner"], **kw)
    else:
        res = sm.softmax(x, **kw)
    return res, et, it


def _variant_cases():
    for name, entry in MANIFEST["variants"].items():
        yield pytest.param(name, entry, id=name)


@pytest.mark.parametrize(("name", "entry"), list(_variant_cases()))
def test_golden_variant(name, entry):
    """Every case of one header generation: results and the tables the header built."""
    path = GOLDEN / entry["file"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], f"{path} changed since the manifest"
    arrays = np.load(path)
    failures = []
    for k, c in enumerate(entry["cases"]):
        want = arrays[f"out_{k}"].astype(np.int64)
        try:
            if c["func"] == "table":
                got = TABLE_BUILDERS[_TABLE_OF[c["table"]]](c["table_size"], c["table_t"])
                np.testing.assert_array_equal(got, want)
            elif c["func"] == "softmax":
                x = arrays[c["input"]].astype(np.int64)
                res, et, it = _softmax(c, x)
                if c["implementation"] != "argmax":
                    np.testing.assert_array_equal(et, arrays[f"et_{k}"], err_msg="exp table")
                    np.testing.assert_array_equal(it, arrays[f"it_{k}"], err_msg="inversion table")
                np.testing.assert_array_equal(res.reshape(-1), want)
            else:
                x = arrays[c["input"]].astype(np.int64)[: want.size]
                np.testing.assert_array_equal(_elementwise(c, x, arrays, k), want)
        except AssertionError as err:
            failures.append(f"{c['id']} {json.dumps({a: b for a, b in c.items() if a not in ('id', 'alphas')})}: "
                            f"{str(err).strip().splitlines()[:6]}")
    assert not failures, f"{len(failures)} of {len(entry['cases'])} cases differ:\n" + "\n".join(failures)


def test_manifest_covers_every_generation():
    """One vector file per header generation found in the cms-hls4ml folders and hls4ml 1.3.0."""
    assert set(MANIFEST["variants"]) == set(VARIANTS)
    folders = {f for e in MANIFEST["variants"].values() for f in e["folders"]}
    assert {"AXOL1TL_v1", "AXOL1TL_v6", "CICADA_v2", "L1TSC4NGJetModel_v0", "TOoLLiP_v3"} <= folders


_FEATURE_FUNCS = {"selu": {"selu"}, "binary_tanh": {"binary_tanh"},
                  "param_type": {"leaky_relu", "thresholded_relu", "prelu", "elu"},
                  "hard_activation": {"hard_sigmoid", "hard_tanh"}}


@pytest.mark.parametrize("other", sorted(set(VARIANTS) - {"hls4ml-1.2"}))
def test_generations_change_bits(other):
    """hls4ml 1.3.0's vectors, recomputed under an older generation's rules, differ exactly where the headers differ."""
    entry = MANIFEST["variants"]["hls4ml-1.2"]
    arrays = np.load(GOLDEN / entry["file"])
    new, old = VARIANTS["hls4ml-1.2"], VARIANTS[other]
    expected = set().union(*(f for feat, f in _FEATURE_FUNCS.items() if getattr(new, feat) != getattr(old, feat)))
    differ = set()
    for k, c in enumerate(entry["cases"]):
        if c["func"] in ("table", "softmax"):
            continue
        want = arrays[f"out_{k}"].astype(np.int64)
        x = arrays[c["input"]].astype(np.int64)[: want.size]
        try:
            same = np.array_equal(_elementwise(dict(c, variant=other), x, arrays, k), want)
        except ModelFormatError:  # hard_tanh does not exist before hls4ml 0.7
            same = False
        if not same:
            differ.add(c["func"])
    assert differ == expected


def test_softmax_generations_change_bits():
    """hls4ml 1.0's latency softmax is 1.3.0's with accum_t = inv_inp_t = exp_table_t; its stable softmax is not."""
    entry = MANIFEST["variants"]["hls4ml-1.0"]
    arrays = np.load(GOLDEN / entry["file"])
    stable_differs = []
    for k, c in enumerate(entry["cases"]):
        if c["func"] != "softmax" or c["implementation"] not in ("latency", "stable") or c["in_t"].startswith("ap_u"):
            continue
        t = FixedType.parse(c["in_t"])
        if c["implementation"] == "stable" and c["exp_table_size"] > 2 ** (t.width - 1):
            continue  # hls4ml >= 1.1 would shrink this exp table: not the same layer
        split = dict(c, variant="hls4ml-1.2", accum_t=c["exp_table_t"], inv_inp_t=c["exp_table_t"], exp_scale=1.0,
                     inp_norm_t=str(FixedType(t.width - 1, t.integer - 1, False)))
        x = arrays[c["input"]].astype(np.int64)
        same = np.array_equal(_softmax(split, x)[0].reshape(-1), arrays[f"out_{k}"])
        if c["implementation"] == "latency":
            assert same, c["id"]
        else:
            stable_differs.append(not same)
    assert any(stable_differs)


def _models_dir() -> Path | None:
    env = os.environ.get("TRIGGEREMU_CMS_MODELS")
    cands = [Path(env)] if env else [b / "shared" / "models" / "cms-hls4ml" for b in (_REPO.parent, _REPO.parent.parent)]
    return next((c for c in cands if c.is_dir()), None)


def test_folders_detect_their_generation():
    """Each cms-hls4ml folder's header is the one the vectors were made from, and is detected as that generation."""
    models = _models_dir()
    if models is None:
        pytest.skip("../shared/models/cms-hls4ml absent (set TRIGGEREMU_CMS_MODELS): folder headers not checked")
    checked = 0
    for name, entry in MANIFEST["variants"].items():
        for folder in entry["folders"]:
            if not (models / folder).is_dir():
                continue
            assert folder_variant(models / folder).name == name, folder
            header = next((models / folder).rglob("nnet_activation.h"))
            assert hashlib.sha256(header.read_bytes()).hexdigest() == entry["header_sha256"], folder
            checked += 1
    assert checked >= 18
