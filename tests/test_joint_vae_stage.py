"""A Joint-VAE encoder as an ``nn`` stage with the KL continuous + discrete score (``kl_total``).

The network is ``tests/golden/hls4ml/joint_vae_parallel`` (hls4ml 1.3.0, checked layer by layer against
hls4ml's C++ in test_conv_golden.py). The discrete KL reads the categorical softmax's input (exposed
as the port ``cat_logits``) and applies the layer's own softmax, so its pi must be the network's
categorical output: both the exposed logits and pi are compared with hls4ml's trace of the C++, and
the discrete KL with steps 2-5 of ``firmware_models.nn.scores_categorical`` redone here on the C++
probabilities.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from firmware_models.fixed import as_type, quantize
from firmware_models.fixed.exact import convert_exact, overflow_exact
from firmware_models.nn.scores_categorical import DEFAULTS, kl_total_ref, log_table
from triggeremu.errors import ConfigError
from triggeremu.stages.nn import load_ad_model, make

_ROOT = Path(__file__).resolve().parents[1]
_PROJECT = _ROOT / "tests" / "golden" / "hls4ml" / "joint_vae_parallel"
_EXAMPLE = _ROOT / "examples" / "joint_vae"


def _vectors():
    with np.load(_PROJECT / "vectors.npz") as v:
        return {k: v[k].astype(np.int64) for k in v.files}


def _reduce(xs: list[int], t) -> int:
    """nnet::reduce: split at the largest power of two below the length, each sum wrapped in ``t``."""
    if len(xs) == 1:
        return xs[0]
    k = 1 << ((len(xs) - 1).bit_length() - 1)
    return overflow_exact(_reduce(xs[:k], t) + _reduce(xs[k:], t), t)


def _disc_from_probs(pi: np.ndarray, prob_t) -> np.ndarray:
    """Steps 2-5 of the discrete KL on raw probabilities (the module's defaults), a Python-int redo."""
    lt, tt, at, st = (as_type(DEFAULTS[k]) for k in ("log_table", "term", "accum", "score"))
    n = DEFAULTS["log_table_size"]
    tab = log_table(n, lt)
    out = []
    for row in pi.tolist():
        terms = []
        for p in row:
            i = min(max(math.trunc(p * n / 2**prob_t.fractional), 0), n - 1)
            t = convert_exact(p * int(tab[i]), -(prob_t.fractional + lt.fractional), tt)
            terms.append(convert_exact(t, -tt.fractional, at))
        s = _reduce(terms, at)
        lc = int(quantize(np.array([math.log(float(len(row)))]), at)[0])   # accum_t logc = std::log(C)
        out.append(convert_exact(s + lc, -at.fractional, st))
    return np.array(out, dtype=np.int64)


def test_exposed_logits_and_softmax_are_hls4ml_cpp():
    ad = load_ad_model(_PROJECT, _EXAMPLE / "ad_config.json")
    assert ad.layout.name == "jet_image" and ad.score_name == "score"
    v = _vectors()
    out = ad.model.predict_raw(v["trace__x"].reshape(len(v["trace__x"]), -1))
    np.testing.assert_array_equal(out["cat_logits"], v["trace__cat_logits"])
    np.testing.assert_array_equal(out["cat"], v["trace__cat"])
    for name in ("z_mean", "z_logvar"):
        np.testing.assert_array_equal(out[name], v[f"trace__{name}"])


def test_kl_total_is_continuous_plus_discrete_of_the_network_probabilities():
    ad = load_ad_model(_PROJECT, _EXAMPLE / "ad_config.json")
    v = _vectors()
    x = v["normal__x"].reshape(300, -1)
    out = ad.model.predict_raw(x)
    head = next(h for h in ad.model.scores if h.name == "score")
    assert head.inputs == ("z_mean", "z_logvar", "cat_logits")
    cat_t = next(p.type for p in ad.model.output_ports if p.name == "cat")
    disc = _disc_from_probs(v["normal__cat"], cat_t)       # from hls4ml's C++ probabilities
    from firmware_models.nn import kl_head

    cont_head = kl_head(cat_t, 32, score_type="ap_ufixed<16,9,AP_RND,AP_SAT>")
    cont = cont_head.compute_reference(np.concatenate([v["normal__z_mean"], v["normal__z_logvar"]], axis=1))
    total = kl_total_ref(cont, disc, cont_t=cont_head.type, disc_t=as_type(DEFAULTS["score"]),
                         score_t=as_type("ap_ufixed<18,8,AP_RND,AP_SAT>"))
    np.testing.assert_array_equal(out["score"], total)
    twin = ad.model.predict_raw(x[:3], reference=True)
    np.testing.assert_array_equal(twin["score"], total[:3])


def test_stage_reads_jet_images_from_l1_inputs(tmp_path):
    from streams.jet_images import jet_images
    from streams.synthetic import generate_l1_batch

    stage = make({"kind": "nn", "name": "jvae", "model": str(_PROJECT), "config": str(_EXAMPLE / "ad_config.json")},
                 base_dir=tmp_path)
    assert stage.requires() == ("l1_inputs", "event")
    l1, _ = generate_l1_batch(0, 200, seed=3, signal_fraction=0.3)
    ev = np.arange(200, dtype=np.uint64)
    got = stage.process({"l1_inputs": l1, "event": ev})["jvae_score"]
    img = jet_images(l1, ev).astype(np.int64)
    direct = stage.ad.model.predict_raw(stage.ad.scaled_inputs(img))["score"]
    np.testing.assert_array_equal(got, direct)
    assert stage.timing().ii_fs > 24_950_495   # the estimator: slower than a BX


def test_kl_total_config_errors_name_the_ports(tmp_path):
    cfg = json.loads((_EXAMPLE / "ad_config.json").read_text())
    cfg["score"]["categorical"] = "nope"
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cfg))
    with pytest.raises(ConfigError, match=r"categorical port \['nope'\] are not outputs"):
        load_ad_model(_PROJECT, path)
    cfg["score"] = {"kind": "kl_total", "continuous": ["z_mean"], "categorical": "cat"}
    path.write_text(json.dumps(cfg))
    with pytest.raises(ConfigError, match="needs continuous"):
        load_ad_model(_PROJECT, path)
