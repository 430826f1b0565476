"""``triggeremu replay``: run the menu over a ROOT file or a synthetic source.

Prints a rate table and a throughput line on stdout; ``--json`` writes the run
summary, ``--out`` the per-event results (``.parquet`` or ``.root``), ``--run-dir``
both (``summary.json``, ``decisions.parquet``) for ``triggeremu report``. Every
file written is announced on stderr. The command is :func:`triggeremu.replay`
plus printing: flags, menu, source and outputs are all checked before the run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from triggeremu.errors import UserError
from triggeremu.schema import Float, Int, arg_type
from triggeremu.summary_table import format_summary

__all__ = ["register", "source_from_args", "source_spec_from_args", "write_json"]

_COUNT = Int(min=1, unit="events", example=100_000)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "replay",
        help="replay events through the trigger path and report rates",
        description="Replay events (a ROOT file, or a built-in synthetic source) through the "
        "menu's stages and seeds; report rates, latency and throughput.",
    )
    p.add_argument("files", nargs="*", type=Path, metavar="FILE.root", help="ROOT file(s) to replay")
    src = p.add_argument_group("built-in sources (no file needed)")
    src.add_argument("--synthetic", type=arg_type(_COUNT, "--synthetic"), metavar="N",
                     help="N synthetic L1 events (background-like)")
    src.add_argument("--calo", type=arg_type(_COUNT, "--calo"), metavar="N",
                     help="N synthetic calorimeter-shower events (without --menu: the bundled calo menu)")
    src.add_argument("--signal-fraction", type=arg_type(Float(min=0, max=1), "--signal-fraction"), default=0.0,
                     help="inject signal-like events (label column)")
    src.add_argument("--seed", type=arg_type(Int(min=0), "--seed"), default=0,
                     help="random seed of synthetic sources")
    src.add_argument("--pileup", type=arg_type(Float(min=0), "--pileup"), default=None, metavar="MU",
                     help="Poisson pileup mean per BX")
    p.add_argument("--tree", help="tree/RNTuple name (default: detected)")
    p.add_argument("--max-events", type=arg_type(_COUNT, "--max-events"), help="stop after this many events")
    p.add_argument("--menu", type=Path, help="menu TOML (default: the bundled menu; keys: docs/menu-reference.md)")
    p.add_argument("--scheme", help="filling scheme: 25ns_2748b, design_2808b, single_train, all, or a file")
    p.add_argument("--workers", type=arg_type(Int(min=0), "--workers"), default=0,
                   help="worker processes (0: everything in this process)")
    p.add_argument("--transport", choices=("ipc", "tcp"), default="ipc", help="ZeroMQ transport on this host")
    p.add_argument("--out", type=Path, help="write per-event results to this .parquet or .root file")
    p.add_argument("--json", type=Path, help="write the run summary to this JSON file")
    p.add_argument("--run-dir", type=Path, help="write summary.json and decisions.parquet here")
    p.add_argument("--plots", action="store_true", help="with --run-dir: also write PNG plots")
    p.add_argument("--quiet", action="store_true", help="no table on stdout")
    p.set_defaults(func=_main)


def source_from_args(args: argparse.Namespace):
    """The typed source named by replay/calibrate-style arguments (checked now)."""
    from triggeremu import source_specs as sources

    chosen = [x for x in (bool(args.files), args.synthetic is not None, args.calo is not None) if x]
    if len(chosen) != 1:
        msg = ("give exactly one input: FILE.root ..., --synthetic N or --calo N "
               "(e.g. triggeremu replay --synthetic 1000000)")
        raise UserError(msg)
    scheme = getattr(args, "scheme", None)
    if args.files:
        return sources.root(args.files, tree=args.tree, max_events=args.max_events, scheme=scheme)
    make = sources.synthetic if args.synthetic is not None else sources.calo
    n = args.synthetic if args.synthetic is not None else args.calo
    return make(n, seed=args.seed, signal_fraction=args.signal_fraction, pileup=args.pileup, scheme=scheme)


def source_spec_from_args(args: argparse.Namespace) -> dict:
    """The source spec dict named by replay/calibrate-style arguments."""
    return source_from_args(args).to_dict()


def write_json(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=_json_default) + "\n")
    return path


def _announce(text: str) -> None:
    sys.stderr.write(f"triggeremu replay: {text}\n")


def _main(args: argparse.Namespace) -> int:
    from triggeremu.api import default_menu_for, replay
    from triggeremu.menu import load_menu
    from triggeremu.output import check_output_path, check_writable, describe_file

    # everything the run will need is checked first: source, menu, outputs, plot extra
    source = source_from_args(args)
    menu = load_menu(args.menu) if args.menu is not None else default_menu_for(source)
    out, js = args.out, args.json
    if args.plots and args.run_dir is None:
        msg = "--plots needs --run-dir (the plots are written beside summary.json)"
        raise UserError(msg)
    if args.run_dir is not None:
        check_writable(args.run_dir, what="--run-dir", directory=True)
        out = out or args.run_dir / "decisions.parquet"
        js = js or args.run_dir / "summary.json"
    if out is not None:
        check_output_path(out, what="--out")
    if js is not None:
        check_writable(js, what="--json")
    if args.plots:
        from triggeremu.plots import require_plots

        require_plots()
    if args.calo is not None and args.menu is None:
        _announce(f"menu: the bundled calo menu {menu.source}")
    result = replay(source, menu, workers=args.workers, transport=args.transport, out=out, keep_events=False,
                    progress=True)
    summary = result.summary
    written = [describe_file(p, summary["events_in"]) for p in result.files]
    if js is not None:
        written.append(describe_file(write_json(js, summary)))
    if not args.quiet:
        sys.stdout.write(format_summary(summary))
    if args.plots:
        from triggeremu.report import write_report

        written += [describe_file(p) for p in write_report(args.run_dir)]
    for line in written:
        _announce(line)
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
