"""Calibration: hand-computed rates, a known score distribution, ROC against sklearn, the CLI."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from triggeremu.calibrate import (
    AD_FPR,
    rate_curve,
    roc_curve,
    seed_scores,
    tpr_at_fpr,
    working_point,
    working_points,
)
from triggeremu.cli import main
from triggeremu.errors import ConfigError
from triggeremu.rates import rate_khz

F_REV = 11245.613


def test_uniform_scores_hand_computed():
    # scores 0..999, each exactly 100 times: N_pass(t) = (1000 - t) * 100 of 100000 events;
    # with 2748 bunches one passing event is 2748 * 11245.613 / 100000 / 1000 kHz, so
    # R(t) = (1000 - t) * 30.9029445... kHz. 1000 kHz lies between t = 968 (32 steps,
    # 988.894 kHz, 11.1 off) and t = 967 (33 steps, 1019.797 kHz, 19.8 off): t = 968.
    scores = np.repeat(np.arange(1000), 100)
    np.random.default_rng(0).shuffle(scores)
    wp = working_point(rate_curve(scores, n_colliding=2748), 1000.0)
    step = 100 * 2748 * F_REV / 100000 / 1000
    assert wp.threshold == 968 and wp.n_pass == 3200
    assert wp.rate_khz == pytest.approx(32 * step, rel=1e-12)
    assert wp.rate_err_khz == pytest.approx(math.sqrt(3200) * step / 100, rel=1e-12)
    # the same numbers as the run's rate formula
    assert (wp.rate_khz, wp.rate_err_khz) == pytest.approx(rate_khz(3200, 100000, 2748), rel=1e-12)


def test_ties_go_to_the_higher_threshold_and_zero_rate_is_reachable():
    scores = np.array([1, 2, 3, 4])  # 1 bunch, 4 events: 2811.40325 Hz per event
    one = F_REV / 4 / 1000
    assert working_point(rate_curve(scores, n_colliding=1), 1.5 * one).threshold == 4  # 1 or 2 events: tie
    wp0 = working_point(rate_curve(scores, n_colliding=1), 0.0)
    assert wp0.threshold == 5 and wp0.n_pass == 0 and wp0.rate_khz == 0.0


def test_calibration_hits_its_target_on_a_known_distribution():
    # geometric scores P(s >= t) = (1 - p)^(t - 1): the threshold for a target fraction is
    # known in closed form; the calibration must land within one integer step of it and its
    # achieved rate must be the closest available rate
    rng = np.random.default_rng(42)
    p, n = 0.02, 2_000_000
    scores = rng.geometric(p, n)
    curve = rate_curve(scores, n_colliding=2748)
    total = n * 2748 * F_REV / n / 1000  # kHz when every event passes
    for target in (100.0, 1000.0, 5000.0):
        wp = working_point(curve, target)
        t_exact = 1 + math.log(target / total) / math.log(1 - p)
        assert abs(wp.threshold - t_exact) <= 1.5
        assert abs(wp.rate_khz - target) == pytest.approx(np.abs(curve.rate_khz - target).min())
        assert abs(wp.rate_khz - target) < 5 * wp.rate_err_khz


def test_roc_matches_sklearn():
    from sklearn.metrics import roc_auc_score
    from sklearn.metrics import roc_curve as sk_roc

    rng = np.random.default_rng(1)
    bkg = rng.geometric(0.1, 5000)
    sig = rng.geometric(0.03, 700)
    roc = roc_curve(bkg, sig)
    y = np.concatenate([np.zeros(bkg.size), np.ones(sig.size)])
    fpr, tpr, thr = sk_roc(y, np.concatenate([bkg, sig]), drop_intermediate=False)
    mine = {t: (f, r) for t, f, r in zip(roc.thresholds.tolist(), roc.fpr, roc.tpr, strict=True)}
    for f, r, t in zip(fpr[1:], tpr[1:], thr[1:], strict=True):  # sklearn's first point is +inf
        assert mine[int(t)] == (f, r)
    assert roc.auc == pytest.approx(roc_auc_score(y, np.concatenate([bkg, sig])), rel=1e-12)


def test_tpr_at_fpr_and_efficiency_at_working_points():
    rng = np.random.default_rng(2)
    bkg = rng.integers(0, 1000, 200_000)
    sig = rng.integers(900, 2000, 1000)
    at = tpr_at_fpr(roc_curve(bkg, sig), AD_FPR)  # 200000 * 1e-5 = 2 background events allowed
    assert (bkg >= at["threshold"]).sum() <= 2 and (bkg >= at["threshold"] - 1).sum() > 2
    assert at["tpr"] == (sig >= at["threshold"]).mean()
    wps = working_points(bkg, [10.0, 100.0], n_colliding=2748, signal_scores=sig)
    for wp in wps:
        assert wp.efficiency == (sig >= wp.threshold).mean()
        assert wp.efficiency_err == pytest.approx(math.sqrt(wp.efficiency * (1 - wp.efficiency) / sig.size))
    with pytest.warns(RuntimeWarning, match="needs at least 100000 background events"):
        tpr_at_fpr(roc_curve(bkg[:1000], sig), AD_FPR)


def test_bad_scores_are_clear_errors():
    with pytest.raises(ConfigError, match="NaN"):
        rate_curve(np.array([1.0, np.nan]), n_colliding=1)
    with pytest.raises(ConfigError, match="empty"):
        rate_curve(np.array([], dtype=np.int64), n_colliding=1)
    with pytest.raises(ConfigError, match="target rate"):
        working_point(rate_curve(np.arange(5), n_colliding=1), -1.0)


def test_object_seed_scores_reproduce_the_menu_decision():
    from streams.synthetic import generate_l1_batch
    from triggeremu.decisions import seed_bits
    from triggeremu.menu import Menu, Seed

    l1, _ = generate_l1_batch(0, 20000, seed=3)
    cols = {"event": np.arange(20000), "l1_inputs": l1}
    for seed in (Seed(name="mu", object="muon", threshold_gev=7.0),
                 Seed(name="eg", object="egamma", threshold_gev=12.0, max_abs_eta=1.5),
                 Seed(name="jet", object="jet", threshold_gev=60.0, max_abs_eta=2.4),
                 Seed(name="ht", object="ht", threshold_gev=200.0, max_abs_eta=2.4),
                 Seed(name="met", object="met", threshold_gev=40.0)):
        sc = seed_scores(cols, seed)
        from streams.hwunits import gev_to_hw_threshold

        thr = gev_to_hw_threshold(seed.object, seed.threshold_gev)
        np.testing.assert_array_equal(sc.scores >= thr, seed_bits(cols, Menu(seeds=(seed,)))[:, 0])
        assert sc.physical(thr) == pytest.approx(seed.threshold_gev)


@pytest.mark.slow
def test_calibrate_cli_on_synthetic_signal(tmp_path, capsys):
    out = tmp_path / "cal.json"
    rc = main(["calibrate", "--synthetic", "30000", "--signal-fraction", "0.05", "--trigger", "SingleJet180",
               "--target-rate-khz", "500", "--working-points", "100,2000", "--json", str(out),
               "--plot-dir", str(tmp_path / "plots")])
    assert rc == 0
    res = json.loads(out.read_text())
    assert [w["target_khz"] for w in res["working_points"]] == [500.0, 100.0, 2000.0]
    assert res["n_signal_events"] > 0 and res["score_unit"] == "jet_pt"
    for w in res["working_points"]:
        assert 0.0 <= w["efficiency"] <= 1.0
        assert w["threshold_physical"] == (w["threshold"]) * 0.5
    assert "efficiency" in capsys.readouterr().out
    assert {p.split("/")[-1] for p in res["plots"]} == {"rate_vs_threshold_SingleJet180.png",
                                                        "scores_SingleJet180.png", "roc_SingleJet180.png"}


def test_calibrate_cli_errors(capsys):
    assert main(["calibrate", "--synthetic", "1000", "--trigger", "NoSuchSeed", "--target-rate-khz", "1"]) == 2
    assert "NoSuchSeed" in capsys.readouterr().err
    assert main(["calibrate", "--synthetic", "1000", "--trigger", "SingleMu22"]) == 2
    assert "--target-rate-khz" in capsys.readouterr().err


def test_unresolvable_targets_warn():
    scores = np.arange(1000)
    one_event_khz = 11.245613 * 2748 / 1000  # rate of one event of a 1000-event sample
    with pytest.warns(RuntimeWarning, match="below the rate of one event of this sample"):
        working_points(scores, [one_event_khz / 2], n_colliding=2748)
    with pytest.warns(RuntimeWarning, match="above the colliding-crossing rate"):
        working_points(scores, [40_000.0], n_colliding=2748)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        working_points(scores, [one_event_khz * 10], n_colliding=2748)  # resolvable: no warning


def test_old_seed_spelling_still_works_with_a_deprecation_warning():
    with pytest.warns(FutureWarning, match="calibrate --seed NAME is the old spelling of --trigger NAME"):
        assert main(["calibrate", "--synthetic", "2000", "--seed", "SingleMu22", "--target-rate-khz", "100"]) == 0
