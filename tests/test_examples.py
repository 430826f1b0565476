"""Every menu in examples/ runs (small event counts), and the generated menu reference is up to date."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from triggeremu.cli import main
from triggeremu.menu import as_menu, load_menu

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _replay(tmp_path: Path, *args: str) -> dict:
    js = tmp_path / "s.json"
    assert main(["replay", *args, "--json", str(js), "--quiet"]) == 0
    s = json.loads(js.read_text())
    assert s["events_in"] == s["events_accepted"] + s["events_rejected"] + s["events_dropped"]
    return s


def test_every_example_is_covered_here():
    menus = sorted(str(p.relative_to(EXAMPLES)) for p in EXAMPLES.rglob("*.toml"))
    assert menus == ["ad_hls_report/menu.toml", "axol1tl_folder/menu.toml", "calo_chain.toml", "default.toml",
                     "root_branch_map.toml"]


def test_default_example_is_the_bundled_menu():
    assert load_menu(EXAMPLES / "default.toml") == load_menu()


@pytest.mark.slow
def test_calo_chain_example(tmp_path):
    s = _replay(tmp_path, "--calo", "3000", "--menu", str(EXAMPLES / "calo_chain.toml"))
    rep = s["stage_reports"]
    assert rep["acam"]["mode"] == "physical" and rep["acam"]["offline"]["events_used"] > 0
    assert rep["econt"]["algorithm"] == "threshold_sum" and rep["econt"]["links"] == 6
    assert set(s["seeds"]) == {"CaloLatent0", "EcontBusyModule", "EcontTruncated"}


def test_bundled_calo_menu_is_what_calo_runs_without_a_menu(tmp_path, capsys):
    s = _replay(tmp_path, "--calo", "600")
    assert s["menu"].endswith("calo_menu.toml") and {"acam", "econt"} <= set(s["stages"])
    assert "the bundled calo menu" in capsys.readouterr().err


def test_axol1tl_folder_example(tmp_path):
    out = tmp_path / "d.parquet"
    s = _replay(tmp_path, "--synthetic", "5000", "--menu", str(EXAMPLES / "axol1tl_folder" / "menu.toml"),
                "--out", str(out))
    assert s["stages"]["axol"]["timing_source"] == "config" and s["stages"]["axol"]["latency_cycles"] == 2
    t = pq.read_table(out)
    assert t.schema.field("axol_mu").type.list_size == 8
    assert t.schema.field("axol_score").metadata[b"fixed_type"] == b"ap_ufixed<18,14>"


def test_ad_hls_report_example(tmp_path):
    menu = EXAMPLES / "ad_hls_report" / "menu.toml"
    report = Path(as_menu_report(menu))
    if not report.is_file():
        pytest.skip(f"the real csynth.xml the example names is absent: {report} (../shared beside the checkout)")
    s = _replay(tmp_path, "--synthetic", "3000", "--menu", str(menu))
    assert s["stages"]["ad"]["latency_cycles"] == 13 and s["stages"]["ad"]["clock_mhz"] == pytest.approx(200.0)


def as_menu_report(menu: Path) -> str:
    import tomllib

    raw = tomllib.loads(menu.read_text())
    return str((menu.parent / raw["stages"][0]["report"]).resolve())


def test_root_branch_map_example(tmp_path, hzz_path):
    import uproot

    out = tmp_path / "d.parquet"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the file has no eta/phi branches: the reader says so
        s = _replay(tmp_path, str(hzz_path), "--menu", str(EXAMPLES / "root_branch_map.toml"), "--out", str(out))
    assert s["events_in"] == 2421
    t = pq.read_table(out)
    recorded = uproot.open(hzz_path)["events"].arrays(["triggerIsoMu24", "NPrimaryVertices"], library="np")
    np.testing.assert_array_equal(t.column("triggerIsoMu24").to_numpy(), recorded["triggerIsoMu24"].astype(np.uint8))
    np.testing.assert_array_equal(t.column("NPrimaryVertices").to_numpy(), recorded["NPrimaryVertices"])
    assert s["seeds"]["RecordedIsoMu24"]["count"] == int(recorded["triggerIsoMu24"].sum())


def test_menu_reference_doc_is_the_generated_one(capsys):
    assert main(["menu", "--reference"]) == 0
    generated = capsys.readouterr().out
    doc = (ROOT / "docs" / "menu-reference.md").read_text()
    assert doc == generated, "docs/menu-reference.md is stale: python3 -m triggeremu menu --reference > docs/menu-reference.md"
    # every declared key of every section is in it
    from triggeremu.menu import SECTIONS
    from triggeremu.stages import KINDS, stage_schema

    for section in [*SECTIONS.values(), *(stage_schema(k) for k in KINDS)]:
        for name in section.names:
            assert f"| `{name}` |" in doc


def test_menu_round_trips_as_data():
    for menu in (EXAMPLES / "calo_chain.toml", EXAMPLES / "root_branch_map.toml", None):
        m = load_menu(menu)
        assert as_menu(m.to_dict()) == m
