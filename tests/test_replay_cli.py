"""End to end: ``triggeremu replay`` on synthetic events and real ROOT files.

Real parts: real ROOT files (scikit-hep-testdata, ../shared/data), real ZeroMQ
sockets on 127.0.0.1 for the multi-worker run.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from triggeremu.cli import main

SHARED = Path(__file__).resolve().parents[2] / "shared"
SUMMARY_KEYS = {
    "events_in", "events_accepted", "events_rejected", "events_dropped", "colliding_bunches", "seeds",
    "total_rate_khz", "throughput_events_per_s", "wall_s", "layout",
}


def _replay(tmp_path: Path, *args: str) -> tuple[int, dict]:
    js = tmp_path / "summary.json"
    rc = main(["replay", *args, "--json", str(js), "--quiet"])
    return rc, (json.loads(js.read_text()) if js.exists() else {})


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _accounted(s: dict) -> bool:
    return s["events_in"] == s["events_accepted"] + s["events_rejected"] + s["events_dropped"]


def test_synthetic_replay_writes_summary_and_decisions(tmp_path, capsys):
    out = tmp_path / "d.parquet"
    rc = main(["replay", "--synthetic", "20000", "--out", str(out), "--json", str(tmp_path / "s.json")])
    assert rc == 0
    text = capsys.readouterr().out
    assert "SingleMu22" in text and "throughput:" in text
    s = json.loads((tmp_path / "s.json").read_text())
    assert SUMMARY_KEYS <= set(s)
    assert s["events_in"] == 20000 and _accounted(s)
    assert s["colliding_bunches"] == 2748
    assert s["over_l1a_budget"] == (s["total_rate_khz"] > s["l1a_budget_khz"])
    assert set(s["seeds"]) >= {"SingleMu22", "SingleJet180"}
    for r in s["seeds"].values():
        assert {"count", "rate_khz", "rate_err_khz", "pure_rate_khz"} <= set(r)
    t = pq.read_table(out)
    assert t.num_rows == 20000
    assert {"orbit", "bx", "event", "SingleMu22", "accepted"} <= set(t.column_names)
    ev = t.column("event").to_numpy()
    assert np.array_equal(ev, np.arange(20000))
    # the summary's seed counts are the parquet's seed bits
    assert int(t.column("SingleMu22").to_numpy().sum()) == s["seeds"]["SingleMu22"]["count"]
    assert int(t.column("accepted").to_numpy().sum()) == s["events_accepted"]


@pytest.mark.slow
def test_two_workers_give_identical_per_event_outputs(tmp_path):
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    assert main(["replay", "--synthetic", "30000", "--out", str(a), "--quiet"]) == 0
    assert main(["replay", "--synthetic", "30000", "--out", str(b), "--workers", "2", "--quiet"]) == 0
    ta, tb = pq.read_table(a), pq.read_table(b)
    assert ta.column_names == tb.column_names
    for name in ta.column_names:
        np.testing.assert_array_equal(ta.column(name).to_numpy(), tb.column(name).to_numpy(), err_msg=name)


def test_replay_real_root_file_reports_layout(tmp_path):
    skhep = pytest.importorskip("skhep_testdata")
    rc, s = _replay(tmp_path, skhep.data_path("uproot-HZZ.root"))
    assert rc == 0
    assert s["layout"] == "pxpypze"
    assert s["events_in"] == 2421 and _accounted(s)


def test_replay_nanoaod_over_tcp_workers(tmp_path):
    f = SHARED / "data" / "nano_dimuon.root"
    if not f.exists():
        pytest.skip(f"{f} is absent (../shared not beside the checkout)")
    rc, s = _replay(tmp_path, str(f), "--workers", "1", "--transport", "tcp")
    assert rc == 0
    assert s["layout"] == "nanoaod" and s["events_in"] == 40 and _accounted(s)


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda p: p / "missing.root", "missing.root"),
        (lambda p: _write(p / "text.root", "not a root file"), "ROOT"),
    ],
)
def test_bad_input_exits_2_with_one_clear_message(tmp_path, capsys, make, fragment):
    path = make(tmp_path)
    rc = main(["replay", str(path), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2
    assert fragment in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_no_input_is_a_usage_error(capsys):
    assert main(["replay", "--quiet"]) == 2
    assert "give exactly one input" in capsys.readouterr().err


def test_bad_menu_exits_2(tmp_path, capsys):
    menu = tmp_path / "m.toml"
    menu.write_text('[[seeds]]\nname = "x"\nobject = "quark"\nthreshold_gev = 1\n')
    assert main(["replay", "--synthetic", "10", "--menu", str(menu), "--quiet"]) == 2
    assert "quark" in capsys.readouterr().err


def test_menu_source_section_maps_branches_and_passes_l1_bits_through(tmp_path):
    f = SHARED / "data" / "nano_dimuon.root"
    if not f.exists():
        pytest.skip(f"{f} is absent (../shared not beside the checkout)")
    menu = tmp_path / "m.toml"
    menu.write_text(
        '[source]\ntree = "Events"\npassthrough = ["L1_SingleMu22"]\n'
        '[source.branch_map]\njet_pt = "Jet_pt"\njet_eta = "Jet_eta"\njet_phi = "Jet_phi"\n'
        '[[seeds]]\nname = "SingleMu22"\nobject = "muon"\nthreshold_gev = 22.0\n'
    )
    out = tmp_path / "d.parquet"
    assert main(["replay", str(f), "--menu", str(menu), "--out", str(out), "--quiet"]) == 0
    t = pq.read_table(out)
    import uproot

    recorded = uproot.open(f)["Events"]["L1_SingleMu22"].array(library="np")
    np.testing.assert_array_equal(t.column("L1_SingleMu22").to_numpy(), recorded.astype(np.uint8))


def test_menu_source_section_rejects_unknown_keys(tmp_path, capsys):
    menu = tmp_path / "m.toml"
    menu.write_text('[source]\ntrees = "Events"\n[[seeds]]\nname = "x"\nobject = "jet"\nthreshold_gev = 1\n')
    assert main(["replay", "--synthetic", "10", "--menu", str(menu), "--quiet"]) == 2
    assert "[source]: unknown key 'trees' (did you mean 'tree'?)" in capsys.readouterr().err


def test_stream_settings_from_the_cli_and_the_menu(tmp_path, capsys):
    """--heartbeat-s / --peer-timeout-s / --reorder-buffer and [run] heartbeat_s,
    peer_timeout_s, reorder_buffer_batches, drop_input_anomalies: checked, and used."""
    assert main(["replay", "--synthetic", "1000", "--heartbeat-s", "1", "--peer-timeout-s", "1.5", "--quiet"]) == 2
    assert "at least twice heartbeat_s" in capsys.readouterr().err
    for flag, value in (("--heartbeat-s", "-1"), ("--reorder-buffer", "0")):
        with pytest.raises(SystemExit) as info:  # argparse's own errors leave through SystemExit(2)
            raise SystemExit(main(["replay", "--synthetic", "1000", flag, value, "--quiet"]))
        assert info.value.code == 2
        assert flag in capsys.readouterr().err
    from triggeremu.menu import default_menu_path

    base = default_menu_path().read_text()
    for line, err in (("heartbeat_s = 0", "heartbeat_s = 0"),
                      ("peer_timeout_s = 1.0", "must be at least twice heartbeat_s"),
                      ("reorder_buffer_batches = -2", "reorder_buffer_batches = -2"),
                      ("drop_input_anomalies = 1", "drop_input_anomalies = 1")):
        menu = _write(tmp_path / "m.toml", base.replace("batch_orbits = 4", f"batch_orbits = 4\n{line}"))
        assert main(["replay", "--synthetic", "1000", "--menu", str(menu), "--quiet"]) == 2
        assert err in capsys.readouterr().err
    menu = _write(tmp_path / "ok.toml", base.replace(
        "batch_orbits = 4", "batch_orbits = 1\nheartbeat_s = 0.25\npeer_timeout_s = 2.0\nreorder_buffer_batches = 3"))
    rc, s = _replay(tmp_path, "--synthetic", "12000", "--menu", str(menu), "--workers", "2", "--peer-timeout-s", "3")
    assert rc == 0 and s["complete"] is True
    assert s["transport_stats"]["settings"]["heartbeat_s"] == 0.25  # the menu's
    assert s["transport_stats"]["settings"]["peer_timeout_s"] == 3.0  # the command line wins
    assert s["transport_stats"]["settings"]["reorder_buffer_batches"] == 3
    assert s["transport_stats"]["reorder_high_water"] <= 3
