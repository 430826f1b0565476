"""The three conv networks of issue 10 in one menu, through the pipeline: the seed CNN VAE on the 19x3 object
grid (KL score), CICADA v2 as shipped on the region ETs the synthetic source makes, and the Joint-VAE encoder
on jet images (KL continuous + discrete).

Each stage's per-event score in the run equals the stage run by itself on the source's own columns (the
stages' exactness against hls4ml's C++ and the upstream emulator is in test_cnn_vae_stage.py,
test_cicada_stage.py and test_joint_vae_stage.py); the run summary accounts for every event, and the two
blocks slower than the BX say so. Skips without the cms-hls4ml folders (TRIGGEREMU_SHARED).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import triggeremu
from cms_folders import folder
from streams.synthetic import SyntheticL1Source
from triggeremu.stages.nn import make

ROOT = Path(__file__).resolve().parents[1]
N = 4000


def _menu() -> dict:
    jvae = ROOT / "examples" / "joint_vae"
    return {
        "run": {"latency_budget_ns": 12500.0},
        "stages": [
            {"kind": "nn", "name": "cnnvae", "bundled": "cnn_vae"},
            {"kind": "nn", "name": "cicada", "model": str(folder("CICADA_v2"))},
            {"kind": "nn", "name": "jvae", "model": str(ROOT / "tests/golden/hls4ml/joint_vae_parallel"),
             "config": str(jvae / "ad_config.json")},
        ],
        "seeds": [{"name": "CNNVAE", "column": "cnnvae_score", "threshold": 7038},
                  {"name": "CICADA", "column": "cicada_score", "threshold": 7200},
                  {"name": "JVAE", "column": "jvae_score", "threshold": 8090}],
    }


def test_three_seed_networks_in_one_run_score_as_the_stages_alone(tmp_path):
    res = triggeremu.replay(triggeremu.sources.synthetic(N, seed=3), _menu())
    s = res.summary
    assert s["events_in"] == N == s["events_accepted"] + s["events_rejected"] + s["events_dropped"]
    assert s["source"]["regions"] is True
    layouts = {k: s["stage_reports"][k]["input_layout"] for k in ("cnnvae", "cicada", "jvae")}
    assert layouts == {"cnnvae": "object_grid", "cicada": "calo_regions", "jvae": "jet_image"}
    assert [k for k, st in s["stages"].items() if not st["takes_every_bx"]] == ["cnnvae", "jvae"]
    assert s["stages"]["cnnvae"]["ii_ns"] == 115.0 and s["stages"]["cicada"]["dropped"] == 0
    assert s["drop_reasons"]["fifo_full:cnnvae"] == s["stages"]["cnnvae"]["dropped"] > 0

    ev = res.to_arrow()
    got = {c: ev.column(c).to_numpy() for c in ("event", "cnnvae_score", "cicada_score", "jvae_score")}
    src = SyntheticL1Source(N, seed=3, batch_events=N, regions=True)
    cols = next(iter(src))
    np.testing.assert_array_equal(np.sort(got["event"]), cols["event"])   # every event, the dropped ones too
    at = np.searchsorted(cols["event"], got["event"])
    for cfg in _menu()["stages"]:
        alone = make(cfg, base_dir=tmp_path).process(cols)[f"{cfg['name']}_score"]
        np.testing.assert_array_equal(got[f"{cfg['name']}_score"], alone[at], err_msg=cfg["name"])
