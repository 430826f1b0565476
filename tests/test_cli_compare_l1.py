"""``triggeremu compare-l1`` on the real 2018 NanoAOD file."""

import json
from pathlib import Path

import pytest

from triggeremu.cli import main

SHARED = Path(__file__).resolve().parents[2] / "shared"


def test_compare_l1_prints_agreement_and_caveat(tmp_path, capsys):
    f = SHARED / "data" / "nano_dimuon.root"
    if not f.exists():
        pytest.skip(f"{f} is absent (../shared not beside the checkout)")
    out = tmp_path / "cmp.json"
    assert main(["compare-l1", str(f), "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "sanity check, not a target" in text
    res = json.loads(out.read_text())
    mu = res["seeds"]["SingleMu22"]
    assert mu["recorded_bit"] == "L1_SingleMu22"
    assert mu["both"] + mu["emulated_only"] == mu["emulated"]
    assert mu["both"] + mu["recorded_only"] == mu["recorded"]
    assert 0.0 <= mu["agreement"] <= 1.0


def test_compare_l1_missing_file_exits_2(tmp_path, capsys):
    assert main(["compare-l1", str(tmp_path / "none.root")]) == 2
    assert "does not exist" in capsys.readouterr().err
