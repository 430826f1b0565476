"""The bundled seed CNN VAE as an ``nn`` stage: bit-exact against hls4ml's C++, and a block slower than the BX.

``tests/golden/cnn_vae_bundled`` (``scripts/make_cnn_vae.py``): 500 events (synthetic background and
signal, and raw codes over the fields' whole ranges) through the bundled project's C++ -- hls4ml's
``predict`` and a harness compiled with the project's ap_types that scales the hardware integers and
computes the KL score in ap_fixed. The stage builds its input from ``l1_inputs`` (AXOL1TL order) by
the object-grid layout, so feeding it the golden events in ``l1_inputs`` order checks the mapping too.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from triggeremu.stages.nn import BUNDLED, load_ad_model, make
from triggeremu.stages.nn_inputs import OBJECT_GRID_ORDER

_GOLDEN = Path(__file__).resolve().parent / "golden" / "cnn_vae_bundled"
_MODEL = BUNDLED["cnn_vae"].parent


def _vectors() -> dict[str, np.ndarray]:
    with np.load(_GOLDEN / "vectors.npz") as v:
        return {k: v[k].astype(np.int64) for k in v.files}


def _as_l1_inputs(grid: np.ndarray) -> np.ndarray:
    l1 = np.zeros_like(grid, dtype=np.int32)
    l1[:, OBJECT_GRID_ORDER] = grid
    return l1


def test_bundled_files_are_the_ones_the_vectors_were_made_with():
    manifest = json.loads((_GOLDEN / "manifest.json").read_text())
    for rel, sha in manifest["files"].items():
        assert hashlib.sha256((_MODEL / rel).read_bytes()).hexdigest() == sha, rel
    assert manifest["tools"]["hls4ml"] == "1.3.0"


def test_object_grid_is_met_muons_egammas_jets():
    from streams.hwunits import L1_INPUT_NAMES

    names = [L1_INPUT_NAMES[i] for i in OBJECT_GRID_ORDER]
    assert names[:3] == ["met_pt", "met_eta", "met_phi"]
    assert names[3] == "mu0_pt" and names[15] == "eg0_pt" and names[27] == "jet0_pt" and len(set(names)) == 57


def test_model_matches_hls4ml_cpp_exactly():
    v = _vectors()
    ad = load_ad_model(config=BUNDLED["cnn_vae"])
    assert ad.layout.name == "object_grid" and ad.score_name == "score"
    x = ad.scaled_inputs(v["x_hw"])
    np.testing.assert_array_equal(x, v["x"])
    out = ad.model.predict_raw(x)
    for name in ("mu", "logvar"):
        np.testing.assert_array_equal(out[name], v[name], err_msg=name)
        np.testing.assert_array_equal(out[name], v[f"predict_{name}"], err_msg=f"{name} (hls_model.predict)")
    np.testing.assert_array_equal(out["score"], v["score"])
    twin = ad.model.predict_raw(x[:4], reference=True)
    np.testing.assert_array_equal(twin["score"], v["score"][:4])


def test_stage_maps_l1_inputs_to_the_grid_and_scores_exactly(tmp_path):
    v = _vectors()
    stage = make({"kind": "nn", "name": "cnnvae", "bundled": "cnn_vae", "write_mu": True}, base_dir=tmp_path)
    assert stage.requires() == ("l1_inputs",)
    out = stage.process({"l1_inputs": _as_l1_inputs(v["x_hw"])})
    np.testing.assert_array_equal(out["cnnvae_score"], v["score"])
    np.testing.assert_array_equal(out["cnnvae_mu"], v["mu"])
    assert stage.fixed_types()["cnnvae_score"].startswith("ap_ufixed<16,9,AP_RND,AP_SAT")


def test_timing_is_table_iii_and_flags_the_bx(tmp_path):
    stage = make({"kind": "nn", "bundled": "cnn_vae"}, base_dir=tmp_path)
    t = stage.timing()
    assert (t.clock_mhz, t.latency_cycles, t.ii_cycles) == (200.0, 73, 23)
    assert t.source == "preset:Govorkova2022-TableIII" and t.latency_ns == 365.0 and t.ii_fs == 115_000_000
    assert "cannot take every BX" in stage.summary({})["ii_vs_bx"]


def test_estimator_on_the_bundled_project_is_dataflow_and_slower_than_the_bx():
    """With no preset the topology estimator times the project itself (hls4ml's dataflow style: conv layers
    with one partition per output pixel): II = conv1's 60 partitions, far above a BX too."""
    from triggeremu.stages.nn import model_timing

    ad = load_ad_model(config=BUNDLED["cnn_vae"])
    ad.config = {k: v for k, v in ad.config.items() if k != "timing"}
    est = model_timing(ad)
    assert est.source == "estimate:hls4ml-dataflow-v2"
    assert est.ii_cycles == 60 and est.latency_cycles > 80


def test_bundled_and_model_together_are_refused(tmp_path):
    from triggeremu.errors import ConfigError

    with pytest.raises(ConfigError, match="either bundled"):
        make({"kind": "nn", "bundled": "cnn_vae", "config": str(BUNDLED["cnn_vae"])}, base_dir=tmp_path)


def test_working_points_are_ordered_and_calibrated():
    cfg = json.loads(BUNDLED["cnn_vae"].read_text())
    wp, info = cfg["working_points"], cfg["working_points_info"]
    assert wp["rate_1khz"] > wp["rate_5khz"] > wp["rate_10khz"] > 0
    for name, target in (("rate_1khz", 1e3), ("rate_5khz", 5e3), ("rate_10khz", 1e4)):
        assert 0.8 * target <= info[name]["rate_hz"] <= target


def _replay(tmp_path: Path, menu: str, n: int = 12_000) -> dict:
    from triggeremu.cli import main

    path = tmp_path / "menu.toml"
    path.write_text(menu)
    js = tmp_path / "s.json"
    assert main(["replay", "--synthetic", str(n), "--menu", str(path), "--json", str(js)]) == 0
    s = json.loads(js.read_text())
    assert s["events_in"] == s["events_accepted"] + s["events_rejected"] + s["events_dropped"]
    return s


_SEED = '\n[[seeds]]\nname = "CNNVAE"\ncolumn = "cnnvae_score"\nthreshold = 7038\n'


def test_backpressure_behind_a_fast_block_moves_the_loss_upstream(tmp_path):
    """An upstream block at II 1 BX feeding the CNN VAE under back-pressure: the CNN VAE's FIFO fills and
    stalls the upstream one, whose own FIFO then overflows (the beam cannot wait): the losses are counted
    at the upstream stage, and the CNN VAE itself drops nothing."""
    menu = ('[[stages]]\nkind = "nn"\nname = "ad"\nclock_mhz = 40.0794\nlatency_cycles = 2\nii_cycles = 1\n'
            'fifo_depth = 8\n\n[[stages]]\nkind = "nn"\nname = "cnnvae"\nbundled = "cnn_vae"\nfifo_depth = 4\n'
            'overflow = "backpressure"\n' + _SEED)
    s = _replay(tmp_path, menu)
    st = s["stages"]
    assert st["cnnvae"]["takes_every_bx"] is False and st["ad"]["takes_every_bx"] is True
    assert st["cnnvae"]["dropped"] == 0 and st["cnnvae"]["fifo_high_water"] == 4
    assert st["ad"]["fifo_high_water"] == 8 and st["ad"]["dropped"] > 0
    assert s["drop_reasons"] == {"fifo_full:ad": st["ad"]["dropped"]}
    assert s["fifo_deadtime_fraction"] == pytest.approx(st["ad"]["dropped"] / s["events_timed"])
