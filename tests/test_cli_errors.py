"""Every mistake is caught before the run, as one line on stderr and exit status 2, never a traceback.

One case per error path (menu keys, stage kinds, model files, flags, output paths, the
plot extra, a worker's failure), each run through the real command
(:func:`triggeremu.cli.main`). "Before the run" is checked where it matters: the run
writes nothing (no summary file appears).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from triggeremu.cli import main

SEED = '[[seeds]]\nname = "SingleMu22"\nobject = "muon"\nthreshold_gev = 22.0\n'

MENU_CASES = {
    "scheme_typo": ('[run]\nfilling_scheme = "25ns_2748"\n' + SEED, "did you mean '25ns_2748b'"),
    "budget_with_unit": ('[run]\nlatency_budget_ns = "12.5us"\n' + SEED, "not a string"),
    "negative_latency_budget": ("[run]\nlatency_budget_ns = -5.0\n" + SEED, "latency_budget_ns = -5.0: must be > 0 ns"),
    "negative_l1a_budget": ("[run]\nl1a_budget_khz = -1\n" + SEED, "l1a_budget_khz = -1: must be > 0 kHz"),
    "timeout_below_heartbeat": ("[run]\nheartbeat_s = 5.0\npeer_timeout_s = 2.0\n" + SEED, "must be at least twice heartbeat_s"),
    "unknown_stage_kind": ('[[stages]]\nkind = "foo"\n' + SEED, "unknown stage kind 'foo'"),
    "stage_kind_typo": ('[[stages]]\nkind = "acma"\n' + SEED, "did you mean 'acam'"),
    "links_as_string": ('[[stages]]\nkind = "econt"\nn_links = "4"\n' + SEED, "write n_links = 4 without quotes"),
    "sigma_as_word": ('[[stages]]\nkind = "acam"\nsigma = "big"\n' + SEED, "sigma = 'big': must be a number"),
    "eta_as_string": ('[[seeds]]\nname = "x"\nobject = "egamma"\nthreshold_gev = 10.0\nmax_abs_eta = "2.5"\n',
                      "write max_abs_eta = 2.5 without quotes"),
    "negative_threshold": ('[[seeds]]\nname = "x"\nobject = "egamma"\nthreshold_gev = -5.0\n', "must be >= 0 GeV"),
    "threshold_as_string": ('[[seeds]]\nname = "x"\nobject = "egamma"\nthreshold_gev = "22"\n',
                            "write threshold_gev = 22 without quotes"),
    "unknown_key": ('[run]\nlatency_budget = 1.0\n' + SEED, "did you mean 'latency_budget_ns'"),
    "column_no_stage_writes": ('[[seeds]]\nname = "x"\ncolumn = "ad_scor"\nthreshold = 3\n', "written by no stage"),
    "missing_model": ('[[stages]]\nkind = "nn"\nmodel = "nope.onnx"\n' + SEED, "does not exist"),
    "empty_model_file": ('[[stages]]\nkind = "nn"\nmodel = "empty.onnx"\n' + SEED, "is empty (0 bytes)"),
    "not_toml": ("[run\n", "is not valid TOML"),
}


def _check(capsys, argv: list[str], fragment: str) -> str:
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 2, err
    assert "Traceback" not in err
    lines = [ln for ln in err.strip().splitlines() if ": error:" in ln]
    assert len(lines) == 1 and lines[0] == err.strip().splitlines()[-1], err
    assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("case", sorted(MENU_CASES))
def test_menu_mistake_is_one_line_before_the_run(tmp_path, capsys, case):
    text, fragment = MENU_CASES[case]
    (tmp_path / "empty.onnx").write_bytes(b"")
    menu = tmp_path / "m.toml"
    menu.write_text(text)
    js = tmp_path / "s.json"
    _check(capsys, ["replay", "--synthetic", "1000", "--menu", str(menu), "--json", str(js), "--quiet"], fragment)
    assert not js.exists()
    # the same mistake, checked without running
    _check(capsys, ["menu", "--check", str(menu)], fragment)


FLAG_CASES = {
    "scheme_unknown": (["--synthetic", "100", "--scheme", "foo"], "unknown filling scheme"),
    "workers_negative": (["--synthetic", "100", "--workers", "-1"], "argument --workers: must be >= 0"),
    "count_zero": (["--synthetic", "0"], "argument --synthetic: must be >= 1"),
    "count_not_a_number": (["--synthetic", "1e5x"], "is not an integer"),
    "fraction_above_one": (["--synthetic", "100", "--signal-fraction", "2"], "must be in [0, 1]"),
    "two_inputs": (["--synthetic", "100", "--calo", "100"], "give exactly one input"),
    "out_csv": (["--synthetic", "100", "--out", "x.csv"], "unknown output format '.csv'"),
    "out_no_suffix": (["--synthetic", "100", "--out", "decisions"], "unknown output format"),
    "plots_without_run_dir": (["--synthetic", "100", "--plots"], "--plots needs --run-dir"),
    "missing_menu": (["--synthetic", "100", "--menu", "nope.toml"], "does not exist"),
    "missing_file": (["missing.root"], "missing.root"),
    "transport_unknown": (["--synthetic", "100", "--transport", "udp"], "invalid choice"),
}


@pytest.mark.parametrize("case", sorted(FLAG_CASES))
def test_flag_mistake_is_one_line(capsys, case):
    argv, fragment = FLAG_CASES[case]
    with pytest.raises(SystemExit) as info:  # argparse's own errors leave through SystemExit(2)
        rc = main(["replay", *argv, "--quiet"])
        raise SystemExit(rc)
    err = capsys.readouterr().err
    assert info.value.code == 2, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert fragment in err


def test_unwritable_outputs_fail_before_the_run(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    js = tmp_path / "s.json"
    _check(capsys, ["replay", "--synthetic", "100", "--json", str(blocker / "s.json"), "--quiet"], "is a file")
    _check(capsys, ["replay", "--synthetic", "100", "--run-dir", str(blocker), "--quiet"], "is a file")
    _check(capsys, ["replay", "--synthetic", "100", "--out", str(tmp_path), "--json", str(js), "--quiet"],
           "unknown output format")
    assert not js.exists()


def test_missing_plot_extra_fails_before_the_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "mplhep", None)  # `import mplhep` now raises ImportError
    run_dir = tmp_path / "run"
    _check(capsys, ["replay", "--synthetic", "100", "--run-dir", str(run_dir), "--plots", "--quiet"],
           "pip install 'triggeremu[plots]'")
    assert not (run_dir / "summary.json").exists()


def test_corrupt_model_files_are_one_line(tmp_path, capsys):
    xgb = pytest.importorskip("xgboost")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (200, 4)).astype(np.float64)
    model = xgb.XGBRegressor(n_estimators=2, max_depth=2).fit(x, x[:, 0] * 0.1)
    path = tmp_path / "model.json"
    model.save_model(path)
    doc = json.loads(path.read_text())
    del doc["learner"]["gradient_booster"]["model"]["trees"][0]["split_conditions"]
    path.write_text(json.dumps(doc))
    np.save(tmp_path / "x.npy", x.astype(np.int64))
    _check(capsys, ["acam", str(path), "--inputs", str(tmp_path / "x.npy"), "--out", str(tmp_path / "y.npz")],
           "tree 0 lacks 'split_conditions'")


def test_a_source_process_failure_is_one_line(tmp_path, capsys, write_nano, nano_columns):
    # a file whose baskets are damaged half-way: the parent opens it fine, the source process fails
    path = write_nano("damaged.root", nano_columns(40_000, seed=2))
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 4096] = bytes(4096)
    path.write_bytes(bytes(data))
    line = _check(capsys, ["replay", str(path), "--workers", "1", "--quiet"], "damaged.root")
    assert "--debug" in line  # the details are there on request


def test_debug_shows_the_traceback(tmp_path, capsys):
    menu = tmp_path / "m.toml"
    menu.write_text("[run]\nl1a_budget_khz = -1\n" + SEED)
    assert main(["replay", "--synthetic", "100", "--menu", str(menu), "--debug", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and err.strip().splitlines()[-1].startswith("triggeremu replay: error:")


def test_zero_event_input_gives_a_zero_summary_and_a_warning(tmp_path, capsys, write_nano, nano_columns):
    path = write_nano("zero.root", nano_columns(0))
    js = tmp_path / "s.json"
    with pytest.warns(UserWarning, match="the input has no events"):
        rc = main(["replay", str(path), "--json", str(js)])
    assert rc == 0
    s = json.loads(js.read_text())
    assert s["events_in"] == 0 and s["total_rate_khz"] == 0
    assert all(r["count"] == 0 and r["rate_khz"] == 0 for r in s["seeds"].values())
    assert "n/a" in capsys.readouterr().out  # no latency to report, said so instead of a crash


def test_warnings_are_one_line(tmp_path):
    # the real command in its own process: Python's own warning display, as a user sees it
    import subprocess

    menu = tmp_path / "m.toml"
    menu.write_text('[[stages]]\nkind = "ad"\n' + SEED)  # an old kind name: a deprecation warning
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-m", "triggeremu", "replay", "--synthetic", "300", "--menu", str(menu),
                           "--quiet"], cwd=root, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    err = [ln for ln in proc.stderr.splitlines() if "warning" in ln]
    assert err == ["triggeremu replay: warning: stage 'ad': kind 'ad' is the old name of 'nn'; write kind = 'nn'"]
