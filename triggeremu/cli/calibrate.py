"""``triggeremu calibrate``: the threshold of one seed that gives a target rate.

Runs the menu over the input with :func:`triggeremu.pipeline.run` (keeping the
per-event columns), turns the seed into per-event scores
(:func:`triggeremu.calibrate.seed_scores`) and calibrates with the pure functions
of :mod:`triggeremu.calibrate`. Rates use every event with valid input as the
zero-bias denominator and the filling scheme's colliding bunches. Signal comes from
a second input (``--signal FILE``) or from the synthetic source's truth labels
(``--synthetic N --signal-fraction f``, label 1 = signal, 0 = background);
then the table adds the efficiency and the ROC gives the TPR at FPR 1e-5.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from triggeremu.calibrate import AD_FPR, roc_curve, seed_scores, tpr_at_fpr, working_points
from triggeremu.errors import UserError
from triggeremu.schema import Float, Int, arg_type

__all__ = ["register", "calibrate_run"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate",
        help="find the threshold of a seed that gives a target rate",
        description="Run the menu over the input and find, for one seed, the threshold whose rate is closest "
        "to the target (exact on integer scores), with the achieved rate and its statistical error.",
    )
    p.add_argument("files", nargs="*", type=Path, metavar="FILE.root", help="background (zero-bias) ROOT file(s)")
    p.add_argument("--trigger", metavar="NAME", help="the menu seed (trigger) to calibrate, e.g. AD_rate_5khz")
    # the old spelling: --seed means the random seed in replay, so here it is deprecated
    p.add_argument("--seed", dest="trigger_old_spelling", metavar="NAME", help=argparse.SUPPRESS)
    p.add_argument("--target-rate-khz", type=arg_type(Float(min=0, min_exclusive=True, unit="kHz"), "--target-rate-khz"),
                   metavar="R", help="target rate in kHz")
    p.add_argument("--working-points", metavar="R1,R2,...", help="several target rates in kHz: a table")
    p.add_argument("--menu", type=Path, help="menu TOML (default: the bundled menu)")
    p.add_argument("--signal", type=Path, action="append", metavar="FILE.root", help="signal ROOT file (repeatable)")
    p.add_argument("--synthetic", type=arg_type(Int(min=1, unit="events"), "--synthetic"), metavar="N",
                   help="N synthetic events instead of a file")
    p.add_argument("--signal-fraction", type=arg_type(Float(min=0, max=1), "--signal-fraction"), default=0.0,
                   help="with --synthetic: inject signal-like events and use their labels")
    p.add_argument("--random-seed", type=arg_type(Int(min=0), "--random-seed"), default=0,
                   help="random seed of the synthetic source")
    p.add_argument("--tree", help="tree name (default: detected)")
    p.add_argument("--max-events", type=arg_type(Int(min=1, unit="events"), "--max-events"),
                   help="stop after this many events of each input")
    p.add_argument("--scheme", help="filling scheme (default: the menu's)")
    p.add_argument("--json", type=Path, help="write the calibration result to this JSON file")
    p.add_argument("--plot-dir", type=Path, help="write rate-vs-threshold (and ROC) PNG plots here")
    p.set_defaults(func=_main)


def _spec(files: list[Path] | None, args: argparse.Namespace, *, synthetic: int | None) -> dict:
    from triggeremu.cli.replay import source_spec_from_args

    ns = argparse.Namespace(
        files=files or [], synthetic=synthetic, calo=None, signal_fraction=args.signal_fraction,
        seed=args.random_seed, pileup=None, tree=args.tree, max_events=args.max_events, scheme=args.scheme,
    )
    return source_spec_from_args(ns)


def _scores(spec: dict, menu_path: Path | None, seed_name: str) -> tuple[Any, dict, np.ndarray | None, Any]:
    from triggeremu.menu import load_menu
    from triggeremu.pipeline import run

    menu = load_menu(menu_path)
    seeds = {s.name: s for s in menu.seeds}
    if seed_name not in seeds:
        msg = f"seed {seed_name!r} is not in the menu {menu.source}; its seeds are {sorted(seeds)}"
        raise UserError(msg)
    result = run(spec, menu_path=menu_path, keep_columns=True)
    cols = result.columns
    if not cols:
        msg = "the input produced no events"
        raise UserError(msg)
    valid = cols["bad_input"] == 0 if "bad_input" in cols else np.ones(len(cols["event"]), dtype=bool)
    sc = seed_scores(cols, seeds[seed_name])
    labels = cols["label"][valid] if "label" in cols else None
    return sc, result.summary, labels, sc.scores[valid]


def _trigger_name(args: argparse.Namespace) -> str:
    old = getattr(args, "trigger_old_spelling", None)
    if old is not None:
        if args.trigger is not None:
            msg = "give the seed once: --trigger NAME (--seed is its old spelling)"
            raise UserError(msg)
        warnings.warn("calibrate --seed NAME is the old spelling of --trigger NAME (--seed is the random seed in "
                      "replay); write --trigger " + old, FutureWarning, stacklevel=2)
        return old
    if args.trigger is None:
        msg = "name the seed to calibrate: --trigger NAME (e.g. --trigger AD_rate_5khz)"
        raise UserError(msg)
    return args.trigger


def calibrate_run(args: argparse.Namespace) -> dict[str, Any]:
    """Everything the command prints, as a dict (also what ``--json`` writes)."""
    args.trigger = _trigger_name(args)
    targets: list[float] = []
    if args.target_rate_khz is not None:
        targets.append(args.target_rate_khz)
    if args.working_points:
        try:
            targets += [float(x) for x in args.working_points.split(",") if x.strip()]
        except ValueError:
            msg = f"--working-points must be rates in kHz separated by commas, got {args.working_points!r}"
            raise UserError(msg) from None
    if not targets:
        msg = "give --target-rate-khz R and/or --working-points R1,R2,..."
        raise UserError(msg)
    bad = [t for t in targets if not t > 0]
    if bad:
        msg = f"target rates must be > 0 kHz, got {bad}"
        raise UserError(msg)
    if args.plot_dir is not None:
        from triggeremu.output import check_writable
        from triggeremu.plots import require_plots

        check_writable(args.plot_dir, what="--plot-dir", directory=True)
        require_plots()
    if args.json is not None:
        from triggeremu.output import check_writable

        check_writable(args.json, what="--json")
    if args.synthetic is None and not args.files:
        msg = "give the background input: FILE.root ... or --synthetic N"
        raise UserError(msg)
    spec = _spec(args.files, args, synthetic=args.synthetic)
    sspec = _spec(args.signal, args, synthetic=None) if args.signal else None  # checked before any run
    sc, summary, labels, scores = _scores(spec, args.menu, args.trigger)
    n_colliding = int(summary["colliding_bunches"])
    signal = None
    if sspec is not None:
        _, _, _, signal = _scores(sspec, args.menu, args.trigger)
    elif labels is not None and args.signal_fraction > 0:
        signal = scores[labels == 1]
        scores = scores[labels == 0]
        if signal.size == 0 or scores.size == 0:
            msg = "the synthetic sample has no signal or no background events; change --signal-fraction"
            raise UserError(msg)
    wps = working_points(scores, targets, n_colliding=n_colliding, signal_scores=signal)
    out: dict[str, Any] = {
        "seed": args.trigger,
        "score_unit": sc.unit,
        "n_background_events": int(scores.size),
        "n_signal_events": None if signal is None else int(signal.size),
        "colliding_bunches": n_colliding,
        "working_points": [],
    }
    for wp in wps:
        d = wp.to_dict()
        d["threshold_physical"] = sc.physical(int(wp.threshold)) if sc.unit != "raw" else None
        out["working_points"].append(d)
    if signal is not None:
        roc = roc_curve(scores, signal)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            at = tpr_at_fpr(roc, AD_FPR)
        at["note"] = "; ".join(str(w.message) for w in caught) or None
        out["roc"] = {"auc": roc.auc, "tpr_at_fpr_1e-5": at}
    if args.plot_dir is not None:
        from triggeremu.plots import plot_calibration

        out["plots"] = [str(p) for p in plot_calibration(args.plot_dir, scores, signal, wps, n_colliding=n_colliding,
                                                          seed=args.trigger, unit=sc.unit)]
    return out


def _format(out: dict[str, Any]) -> str:
    lines = [f"seed {out['seed']}: {out['n_background_events']} background events, "
             f"{out['colliding_bunches']} colliding bunches, score unit {out['score_unit']}"]
    eff = out["n_signal_events"] is not None
    head = f"{'target kHz':>11} {'threshold':>10} {'GeV':>8} {'rate kHz':>12} {'+-':>9}"
    lines.append(head + (f" {'efficiency':>11}" if eff else ""))
    for wp in out["working_points"]:
        gev = "" if wp["threshold_physical"] is None else f"{wp['threshold_physical']:.1f}"
        row = (f"{wp['target_khz']:>11.3f} {wp['threshold']!s:>10} {gev:>8} {wp['rate_khz']:>12.3f} "
               f"{wp['rate_err_khz']:>9.3f}")
        if eff:
            row += f" {wp['efficiency']:>11.4f}"
        lines.append(row)
    if "roc" in out:
        at = out["roc"]["tpr_at_fpr_1e-5"]
        lines.append(f"ROC: AUC {out['roc']['auc']:.4f}; TPR {at['tpr']:.4f} at FPR <= 1e-5 "
                     f"(achieved FPR {at['fpr']:.2e}, threshold {at['threshold']})")
        if at["note"]:
            lines.append(f"note: {at['note']}")
    return "\n".join(lines) + "\n"


def _main(args: argparse.Namespace) -> int:
    out = calibrate_run(args)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    sys.stdout.write(_format(out))
    return 0
