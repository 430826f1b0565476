"""CICADA as an ``nn`` stage on the ``calo_regions`` column (the user's cms-hls4ml checkout, read in place).

The stage takes the 252 region ETs raw (CICADA's ``ap_uint<10>`` / ``ap_ufixed<10,10>`` input, CMSSW's
order ``14 * iPhi + iEta``) and writes the wrapper's score as a raw integer. Exactness: the stage on
the region vectors of ``tests/golden/cms`` gives the upstream emulator's results (compiled with g++,
``scripts/make_cms_golden.py``). Skips when ../shared (or ``TRIGGEREMU_SHARED``) has no folders.
"""

from __future__ import annotations

import numpy as np
import pytest

from cms_folders import CICADA_V1, CICADA_V2, GOLDEN, folder
from streams.regions import region_ets
from streams.synthetic import generate_l1_batch
from triggeremu.errors import ConfigError
from triggeremu.stages.nn import make


@pytest.mark.parametrize("name", ["CICADA_v1", "CICADA_v2", "CICADA_v2p2p0"])
def test_stage_on_region_ets_is_the_upstream_emulator(name, tmp_path):
    stage = make({"kind": "nn", "name": "cicada", "model": str(folder(name))}, base_dir=tmp_path)
    assert stage.requires() == ("calo_regions",) and stage.ad.layout.name == "calo_regions"
    with np.load(GOLDEN / f"{name}.npz") as v:
        for case in ("physics", "edge"):
            x = v[f"{case}__input"].astype(np.uint16)
            out = stage.process({"calo_regions": x})["cicada_score"]
            np.testing.assert_array_equal(out, v[f"{case}__result"].reshape(-1).astype(np.int64), err_msg=case)


@pytest.mark.parametrize("name", CICADA_V1 + CICADA_V2)
def test_every_cicada_folder_takes_the_regions(name, tmp_path):
    stage = make({"kind": "nn", "name": "cicada", "model": str(folder(name))}, base_dir=tmp_path)
    assert stage.ad.layout.name == "calo_regions"
    assert stage.timing().latency_cycles >= 1   # the topology estimator (resource-strategy conv included)


def test_synthetic_regions_score_and_signal_scores_higher(tmp_path):
    stage = make({"kind": "nn", "name": "cicada", "model": str(folder("CICADA_v2p2p0"))}, base_dir=tmp_path)
    n = 4000
    ev = np.arange(n, dtype=np.uint64)
    bg, _ = generate_l1_batch(0, n, seed=1)
    sig, _ = generate_l1_batch(0, n, seed=1, signal_fraction=1.0)
    pu = np.full(n, 60.0)
    s_bg = stage.process({"calo_regions": region_ets(bg, ev, pileup=pu)})["cicada_score"]
    s_sig = stage.process({"calo_regions": region_ets(sig, ev, pileup=pu)})["cicada_score"]
    assert s_bg.dtype == np.int64 and s_bg.min() >= 0 and s_bg.max() < 2**16
    assert np.median(s_sig) > np.median(s_bg)


def test_missing_column_names_the_fix(tmp_path):
    stage = make({"kind": "nn", "name": "cicada", "model": str(folder("CICADA_v2"))}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match="no 'calo_regions' column.*regions = true"):
        stage.process({"l1_inputs": np.zeros((3, 57), dtype=np.int32)})


def test_wrong_layout_for_cicada_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="gives 57 values.*takes 252"):
        make({"kind": "nn", "model": str(folder("CICADA_v2")), "input": "object_grid"}, base_dir=tmp_path)
