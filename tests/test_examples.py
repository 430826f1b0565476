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
    assert menus == ["ad_hls_report/menu.toml", "axol1tl_folder/menu.toml", "calo_chain.toml", "cicada/menu.toml",
                     "cnn_vae/menu.toml", "default.toml", "joint_vae/menu.toml", "root_branch_map.toml"]


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


def test_cnn_vae_example_is_a_block_slower_than_the_bx(tmp_path, capsys):
    """The seed CNN VAE at the paper's II of 115 ns: its FIFO fills in every train, the rest is dropped, and
    the summary and the table say that the block cannot take every BX."""
    menu = EXAMPLES / "cnn_vae" / "menu.toml"
    js = tmp_path / "s.json"
    assert main(["replay", "--synthetic", "20000", "--menu", str(menu), "--json", str(js)]) == 0
    s = json.loads(js.read_text())
    st = s["stages"]["cnnvae"]
    assert st["timing_source"] == "preset:Govorkova2022-TableIII" and st["ii_ns"] == 115.0
    assert st["takes_every_bx"] is False and st["bx_per_event"] == 5
    assert st["fifo_high_water"] == 16 and st["dropped"] == s["drop_reasons"]["fifo_full:cnnvae"] > 0
    # 1 event per 4.6 BX inside 72-bunch trains: most of the timed events are lost to the full FIFO
    assert 0.6 < st["fifo_deadtime_fraction"] == s["fifo_deadtime_fraction"] < 0.85
    assert s["timing_warnings"] and "cannot take every BX" in s["timing_warnings"][0]
    table = capsys.readouterr().out
    assert "stage cnnvae CANNOT TAKE EVERY BX" in table and "deadtime from full FIFOs" in table


def test_joint_vae_example(tmp_path):
    s = _replay(tmp_path, "--synthetic", "2000", "--menu", str(EXAMPLES / "joint_vae" / "menu.toml"))
    st = s["stages"]["jvae"]
    assert st["timing_source"] == "estimate:hls4ml-dataflow-v2" and st["takes_every_bx"] is False
    assert s["stage_reports"]["jvae"]["input_layout"] == "jet_image"
    assert set(s["seeds"]) == {"JointVAE_loose", "JointVAE_tight"}


@pytest.mark.parametrize("source", ["--synthetic", "--calo"])
def test_cicada_example_on_the_regions_the_source_makes(tmp_path, source):
    """CICADA v2 as shipped, on the calo_regions the synthetic or the calo source makes by itself because the
    stage reads them. The example names the folder beside the checkout; here it points at the one the tests
    use (TRIGGEREMU_SHARED)."""
    from cms_folders import folder

    text = (EXAMPLES / "cicada" / "menu.toml").read_text()
    model = folder("CICADA_v2p2p0")
    assert 'model = "../../../shared/models/cms-hls4ml/CICADA_v2p2p0"' in text
    menu = tmp_path / "menu.toml"
    menu.write_text(text.replace("../../../shared/models/cms-hls4ml/CICADA_v2p2p0", model.as_posix()))
    out = tmp_path / "d.parquet"
    s = _replay(tmp_path, source, "3000", "--menu", str(menu), "--out", str(out))
    names = pq.read_schema(out).names
    assert "cicada_score" in names and "calo_regions" not in names   # a detector payload, not an output
    assert s["source"]["regions"] is True and s["stage_reports"]["cicada"]["input_layout"] == "calo_regions"
    st = s["stages"]["cicada"]
    assert st["takes_every_bx"] is True and st["dropped"] == 0 and st["timing_source"].startswith("estimate:")
    assert set(s["seeds"]) == {"CICADA_loose", "CICADA_tight"}
    if source == "--synthetic":  # a distributed run's source processes make the same regions
        w = _replay(tmp_path, source, "3000", "--menu", str(menu), "--workers", "1")
        assert {k: v["count"] for k, v in w["seeds"].items()} == {k: v["count"] for k, v in s["seeds"].items()}


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
