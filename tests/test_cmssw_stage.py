"""A menu runs a real AXOL1TL wrapper folder as its ``nn`` stage, and ``triggeremu nn`` runs any wrapper.

The stage's per-event scores of a replay over a real NanoAOD file must be the wrapper-level
path (checked bit-exact against the upstream wrapper compiled with g++ in
``tests/test_cmssw_golden.py``) applied to the same events' ``l1_inputs`` after CMSSW's
AXOL1TLCondition input construction.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from cms_folders import SHARED, folder
from firmware_models.nn.cmssw_l1 import axol1tl_condition_inputs
from firmware_models.nn.cmssw_wrapper import load_wrapper
from triggeremu.cli import main

#: Dense/ReLU AXOL1TL with ap_fixed<10,9> offsets (halves kept) and with ap_fixed<10,10> (floored); v6: the
#: subtract + dot1d graph with da4ml dense layers and the network output as the loss
REPLAY_FOLDERS = ("AXOL1TL_v1", "AXOL1TL_v4", "AXOL1TL_v6")


def _loadable(name: str):
    return load_wrapper(folder(name))


def _menu(tmp_path: Path, model: Path, wp: int) -> Path:
    menu = tmp_path / "menu.toml"
    menu.write_text(f"""
[[stages]]
kind = "nn"
name = "ad"
model = "{model}"
write_mu = true
latency_cycles = 2
clock_mhz = 40.0

[[seeds]]
name = "AXO"
column = "ad_score"
working_points = {{ nominal = {wp} }}
""")
    return menu


@pytest.mark.parametrize("name", REPLAY_FOLDERS)
def test_replay_scores_are_the_wrapper_path_on_cmssw_inputs(tmp_path: Path, name: str) -> None:
    data = SHARED / "data" / "nano_dy.root"
    if not data.is_file():
        pytest.skip(f"{data} absent")
    model = _loadable(name)
    out = tmp_path / "d.parquet"
    rc = main(["replay", str(data), "--menu", str(_menu(tmp_path, folder(name), 200)), "--out", str(out),
               "--json", str(tmp_path / "s.json"), "--quiet"])
    assert rc == 0
    table = pq.read_table(out)
    # the same events' l1_inputs, straight from the source
    from streams.root_source import RootSource

    l1 = np.concatenate([b["l1_inputs"] for b in RootSource([data])])
    order = table.column("event").to_numpy()
    expect = model.predict_raw(axol1tl_condition_inputs(l1))
    np.testing.assert_array_equal(table.column("ad_score").to_numpy(), expect["score"][order])
    mu = np.stack(table.column("ad_mu").to_numpy(zero_copy_only=False))
    np.testing.assert_array_equal(mu, expect[model.output_name][order])
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["seeds"]["AXO_nominal"]["count"] == int(np.count_nonzero(expect["score"] >= 200))


def test_cli_runs_a_wrapper_folder_on_raw_and_on_l1_units(tmp_path: Path) -> None:
    model = _loadable("AXOL1TL_v1")
    rng = np.random.default_rng(4)
    codes = np.zeros((300, 57), dtype=np.int64)
    codes[:, 0::3] = rng.integers(0, 400, size=(300, 19))
    codes[:, 1::3] = rng.integers(-100, 100, size=(300, 19))
    codes[:, 2::3] = rng.integers(0, 144, size=(300, 19))
    raw = axol1tl_condition_inputs(codes)
    np.save(tmp_path / "raw.npy", raw)
    np.save(tmp_path / "codes.npy", codes)
    for inp, extra in (("raw.npy", []), ("codes.npy", ["--l1-units"])):
        out = tmp_path / f"{inp}.npz"
        assert main(["nn", str(folder("AXOL1TL_v1")), "--inputs", str(tmp_path / inp), "--out", str(out),
                     *extra]) == 0
        with np.load(out, allow_pickle=False) as y:
            types = json.loads(str(y["__types__"]))
            np.testing.assert_array_equal(y["score"], model.predict_raw(raw)["score"])
        assert types["score"] == "ap_ufixed<18,14>"


def test_cli_refuses_out_of_range_wrapper_inputs_in_one_line(tmp_path: Path, capsys) -> None:
    _loadable("AXOL1TL_v1")
    np.save(tmp_path / "x.npy", np.full((2, 57), 1 << 20, dtype=np.int64))
    rc = main(["nn", str(folder("AXOL1TL_v1")), "--inputs", str(tmp_path / "x.npy"), "--out", str(tmp_path / "y.npz")])
    assert rc == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "outside ap_fixed<18,13>" in err[0]
