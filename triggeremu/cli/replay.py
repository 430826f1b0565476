"""``triggeremu replay``: run the menu over a ROOT file or a synthetic source.

Prints a rate table and a throughput line on stdout; ``--json`` writes the run
summary, ``--out`` the per-event decisions as Parquet, ``--run-dir`` both
(``summary.json``, ``decisions.parquet``) for ``triggeremu report``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from triggeremu.errors import UserError
from triggeremu.pipeline import run
from triggeremu.summary_table import format_summary

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "replay",
        help="replay events through the trigger path and report rates",
        description="Replay events (a ROOT file, or a built-in synthetic source) through the "
        "menu's stages and seeds; report rates, latency and throughput.",
    )
    p.add_argument("files", nargs="*", type=Path, metavar="FILE.root", help="ROOT file(s) to replay")
    src = p.add_argument_group("built-in sources (no file needed)")
    src.add_argument("--synthetic", type=int, metavar="N", help="N synthetic L1 events (background-like)")
    src.add_argument("--calo", type=int, metavar="N", help="N synthetic calorimeter-shower events (calo_cells)")
    src.add_argument("--signal-fraction", type=float, default=0.0, help="inject signal-like events (label column)")
    src.add_argument("--seed", type=int, default=0, help="random seed of synthetic sources")
    src.add_argument("--pileup", type=float, default=None, metavar="MU", help="Poisson pileup mean per BX")
    p.add_argument("--tree", help="tree/RNTuple name (default: detected)")
    p.add_argument("--max-events", type=int, help="stop after this many events of the file")
    p.add_argument("--menu", type=Path, help="menu TOML (default: the bundled menu)")
    p.add_argument("--scheme", help="filling scheme: 25ns_2748b, design_2808b, single_train, all, or a file")
    p.add_argument("--workers", type=int, default=0, help="worker processes (0: everything in this process)")
    p.add_argument("--transport", choices=("ipc", "tcp"), default="ipc", help="ZeroMQ transport on this host")
    p.add_argument("--out", type=Path, help="write per-event decisions to this Parquet file")
    p.add_argument("--json", type=Path, help="write the run summary to this JSON file")
    p.add_argument("--run-dir", type=Path, help="write summary.json and decisions.parquet here")
    p.add_argument("--plots", action="store_true", help="with --run-dir: also write PNG plots")
    p.add_argument("--quiet", action="store_true", help="no table on stdout")
    p.set_defaults(func=_main)


def source_spec_from_args(args: argparse.Namespace) -> dict:
    """The source spec named by replay/calibrate-style arguments."""
    chosen = [x for x in (bool(args.files), args.synthetic is not None, args.calo is not None) if x]
    if len(chosen) != 1:
        msg = "give exactly one input: FILE.root ..., --synthetic N or --calo N (e.g. triggeremu replay --synthetic 1000000)"
        raise UserError(msg)
    if args.files:
        spec = {"kind": "root", "paths": [str(f) for f in args.files]}
        if args.tree:
            spec["tree"] = args.tree
        if args.max_events is not None:
            spec["entry_stop"] = args.max_events
    else:
        n = args.synthetic if args.synthetic is not None else args.calo
        if n <= 0:
            msg = f"the number of events must be positive, got {n}"
            raise UserError(msg)
        spec = {"kind": "synthetic" if args.synthetic is not None else "calo", "n_events": n, "seed": args.seed}
        if args.signal_fraction:
            spec["signal_fraction"] = args.signal_fraction
        if args.pileup is not None:
            spec["pileup_mean"] = args.pileup
    if getattr(args, "scheme", None):
        spec["scheme"] = args.scheme
    return spec


def _main(args: argparse.Namespace) -> int:
    spec = source_spec_from_args(args)
    if args.workers < 0:
        msg = f"--workers must be >= 0, got {args.workers}"
        raise UserError(msg)
    out, js = args.out, args.json
    if args.run_dir is not None:
        args.run_dir.mkdir(parents=True, exist_ok=True)
        out = out or args.run_dir / "decisions.parquet"
        js = js or args.run_dir / "summary.json"
    result = run(spec, menu_path=args.menu, workers=args.workers, transport=args.transport, out=out,
                 progress=True)
    summary = result.summary
    if js is not None:
        js.parent.mkdir(parents=True, exist_ok=True)
        js.write_text(json.dumps(summary, indent=2, default=_json_default) + "\n")
    if not args.quiet:
        sys.stdout.write(format_summary(summary))
    if args.plots:
        if args.run_dir is None:
            msg = "--plots needs --run-dir (the plots are written beside summary.json)"
            raise UserError(msg)
        from triggeremu.report import write_report

        write_report(args.run_dir)
    return 0


def _json_default(obj):
    import numpy as np

    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    msg = f"cannot write {type(obj).__name__} to JSON"
    raise TypeError(msg)
