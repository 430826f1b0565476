"""Run reports: PNGs from a run directory, one written by replay and one congested by design."""

from __future__ import annotations

import json

import numpy as np
import pytest

from firmware_models.timing import BlockTiming
from streams.clock import FillingScheme, assign_bx
from streams.schema import from_columns
from triggeremu.cli import main
from triggeremu.errors import InputFileError
from triggeremu.sequencer import Sequencer, SequencerStage, budget_fs, timing_summary
from triggeremu.trigger_rules import TriggerRules

pytest.importorskip("matplotlib", reason="plots need the 'plots' extra (matplotlib, mplhep, hist)")
pytest.importorskip("mplhep", reason="plots need the 'plots' extra (matplotlib, mplhep, hist)")
pytest.importorskip("hist", reason="plots need the 'plots' extra (matplotlib, mplhep, hist)")

MENU = """
[run]
latency_budget_ns = 400.0
l1a_budget_khz = 750.0

[[stages]]
kind = "nn"
name = "ad"

[[seeds]]
name = "AD"
column = "ad_score"
threshold = 40
"""


def write_congested_run(run_dir, *, n_orbits=12, seed=5):
    """A run directory with a column seed, labels, a congested 3-stage chain and trigger rules."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    scheme = FillingScheme.lhc_25ns_2748()
    n = scheme.n_colliding * n_orbits
    orbit, bx, event = assign_bx(0, n, scheme)
    label = (rng.random(n) < 0.01).astype(np.int8)
    score = rng.geometric(0.12, n).astype(np.int32) + label * rng.integers(5, 60, n).astype(np.int32)
    stages = [
        SequencerStage("asic", BlockTiming(clock_mhz=40.0794, latency_cycles=4, ii_cycles=1, fifo_depth=4)),
        SequencerStage("ad", BlockTiming(clock_mhz=200.0, latency_cycles=16, ii_cycles=6, fifo_depth=6,
                                         overflow="backpressure"), ii_column="ad_ii"),
        SequencerStage("acam", BlockTiming(clock_mhz=350.0, latency_cycles=4, ii_cycles=2, fifo_depth=4)),
    ]
    seq = Sequencer(stages, latency_budget_fs=budget_fs(ns=400.0))
    cols = {"orbit": orbit, "bx": bx, "event": event, "ad_ii": rng.integers(4, 8, n), "ad_score": score,
            "label": label, "bad_input": np.zeros(n, np.uint8)}
    timing = seq.feed(cols)
    rules = TriggerRules()
    fired = score >= 40
    request = fired & ~timing.lost
    vetoed = rules.apply(orbit, bx, request).vetoed
    accepted = request & ~vetoed
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "menu.toml").write_text(MENU)
    scale = 11245.613 * scheme.n_colliding / n / 1e3
    summary = {
        "events_in": n, "colliding_bunches": scheme.n_colliding, "l1a_budget_khz": 750.0,
        "menu": str(run_dir / "menu.toml"), "total_rate_khz": fired.sum() * scale,
        "seeds": {"AD": {"count": int(fired.sum()), "rate_khz": fired.sum() * scale,
                         "rate_err_khz": np.sqrt(fired.sum()) * scale, "pure_rate_khz": fired.sum() * scale,
                         "rate_after_deadtime_khz": accepted.sum() * scale}},
        **timing_summary(seq, rules),
    }
    (run_dir / "summary.json").write_text(json.dumps(summary, default=float))
    out = {k: v for k, v in cols.items() if k != "ad_ii"}
    out.update({"AD": fired, "AD__prescaled": fired, "accepted": accepted, "lost": timing.lost, **timing.columns})
    pq.write_table(pa.Table.from_batches([from_columns(out)]), run_dir / "decisions.parquet")
    return summary


def _is_png(path):
    from matplotlib.image import imread

    img = imread(path)
    return img.ndim == 3 and img.shape[0] > 200 and img.shape[1] > 400 and img.std() > 0.01


@pytest.mark.slow
def test_report_of_a_congested_run_writes_every_plot(tmp_path):
    summary = write_congested_run(tmp_path / "run")
    # the fixture really is congested: back-pressure fills the asic FIFO, events are lost
    assert summary["stages"]["asic"]["dropped"] > 0 and summary["events_over_budget"] > 0
    assert main(["report", str(tmp_path / "run"), "--target-rate-khz", "100"]) == 0
    names = {"seed_rates.png", "rate_vs_threshold_AD.png", "scores_AD.png", "latency.png", "fifo_orbit.png",
             "bx_pattern.png"}
    for name in names:
        assert _is_png(tmp_path / "run" / name), name


@pytest.mark.slow
def test_report_of_a_replay_run_dir(tmp_path):
    run_dir = tmp_path / "replay"
    assert main(["replay", "--synthetic", "20000", "--run-dir", str(run_dir), "--quiet"]) == 0
    from triggeremu.report import write_report

    paths = write_report(run_dir, out_dir=tmp_path / "plots")
    assert {p.name for p in paths} >= {"seed_rates.png", "bx_pattern.png"}
    assert all(_is_png(p) for p in paths)


def test_report_names_missing_files(tmp_path, capsys):
    from triggeremu.report import load_run

    (tmp_path / "summary.json").write_text("{}")
    with pytest.raises(InputFileError, match=r"decisions.parquet.*--run-dir"):
        load_run(tmp_path)
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert "not a run directory" in capsys.readouterr().err


def test_report_streams_the_parquet_in_bounded_batches(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    import triggeremu.report as report

    run_dir = tmp_path / "run"
    write_congested_run(run_dir, n_orbits=2)
    seen = []
    real = pq.ParquetFile.iter_batches

    def spy(self, *args, **kw):
        for b in real(self, *args, **kw):
            seen.append(b.num_rows)
            yield b

    monkeypatch.setattr(report, "BATCH_ROWS", 4000)
    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spy)
    monkeypatch.setattr(pq, "read_table", lambda *a, **k: pytest.fail("the report read the whole table"))
    paths = report.write_report(run_dir)
    assert {p.name for p in paths} >= {"rate_vs_threshold_AD.png", "scores_AD.png", "latency.png", "bx_pattern.png"}
    assert max(seen) <= 4000 and sum(seen) == 2 * 2 * 2748  # two passes over every row


def test_rate_plot_labels_target_and_achieved_apart(tmp_path, monkeypatch):
    from triggeremu import plots

    legends = []
    real = plots._finish

    def spy(fig, ax, path):
        legends.append([t.get_text() for t in ax.get_legend().get_texts()])
        return real(fig, ax, path)

    monkeypatch.setattr(plots, "_finish", spy)
    thr = np.arange(10)
    rate = np.linspace(100.0, 1.0, 10)
    plots.plot_rate_vs_threshold(tmp_path / "a.png", thr, rate, rate * 0.1, title="t", unit="raw",
                                 targets=[(5.0, 7, 4.2)])
    plots.plot_rate_vs_threshold(tmp_path / "b.png", thr, rate, rate * 0.1, title="t", unit="raw",
                                 targets=[(None, 3, 60.0)])
    assert "target 5 kHz" in legends[0] and "achieved 4.2 kHz at threshold 7" in legends[0]
    assert not any(t.startswith("target") for t in legends[1]) and "achieved 60 kHz at threshold 3" in legends[1]
