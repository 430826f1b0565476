"""``triggeremu replay``: run the menu over a ROOT file or a synthetic source.

Prints a rate table and a throughput line on stdout; ``--json`` writes the run
summary, ``--out`` the per-event results (``.parquet`` or ``.root``), ``--run-dir``
both (``summary.json``, ``decisions.parquet``) for ``triggeremu report``. Every
file written is announced on stderr. The command is :func:`triggeremu.replay`
plus printing: flags, menu, source and outputs are all checked before the run.

Outputs are written under temporary names and renamed when complete. A run that
fails or is interrupted after it started still writes its summary (``"complete":
false``, the reason and the exact event counts; see :mod:`triggeremu.pipeline`)
and keeps its partial per-event file as ``<name>.partial.<suffix>``; it exits with
status 2 (130 on Ctrl-C). Files of the requested names left by an earlier run are
removed when the run starts. A ``--run-dir`` must be new or empty, or given with
``--overwrite``, which first removes the files an earlier run wrote there.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from triggeremu.errors import UserError
from triggeremu.schema import Float, Int, arg_type
from triggeremu.summary_table import format_summary

__all__ = ["register", "source_from_args", "source_spec_from_args", "write_json", "RUN_DIR_FILES"]

#: what a run (and ``triggeremu report``) writes in a run directory; --overwrite removes only these
RUN_DIR_FILES = ("summary.json", "decisions.parquet", "decisions.partial.parquet", "*.png")

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
    dist = p.add_argument_group("distributed runs (--workers N): liveness and memory; defaults from the menu's [run]")
    dist.add_argument("--heartbeat-s", type=arg_type(Float(min=0, min_exclusive=True), "--heartbeat-s"),
                      metavar="S", help="heartbeat period of every process (menu: 1)")
    dist.add_argument("--peer-timeout-s", type=arg_type(Float(min=0, min_exclusive=True), "--peer-timeout-s"),
                      metavar="S", help="a peer silent this long is dead; at least 2 heartbeats (menu: 5)")
    dist.add_argument("--reorder-buffer", type=arg_type(Int(min=1), "--reorder-buffer"), metavar="BATCHES",
                      help="batches the sink may hold out of order before the source waits "
                      "(menu: 0 = 4 x workers x credits, at least 8)")
    p.add_argument("--out", type=Path, help="write per-event results to this .parquet or .root file")
    p.add_argument("--json", type=Path, help="write the run summary to this JSON file")
    p.add_argument("--run-dir", type=Path, help="write summary.json and decisions.parquet here (new or empty)")
    p.add_argument("--overwrite", action="store_true", help="with --run-dir: replace the outputs of an earlier run")
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
    """Write to a temporary name, then rename: a reader never sees half a summary."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2, default=_json_default) + "\n")
    os.replace(tmp, path)
    return path


def _fresh_run_dir(run_dir: Path, overwrite: bool) -> None:
    """A run directory holds one run: new or empty, or (--overwrite) cleared of an earlier run's files."""
    if run_dir.is_dir():
        present = sorted(p.name for p in run_dir.iterdir())
        if present and not overwrite:
            msg = (f"--run-dir {run_dir} already holds files ({', '.join(present[:5])}); give a new directory, "
                   "or --overwrite to replace an earlier run's outputs")
            raise UserError(msg)
        ours = {p for pattern in RUN_DIR_FILES for p in run_dir.glob(pattern)}
        other = sorted(p.name for p in run_dir.iterdir() if p not in ours)
        if other:
            msg = (f"--run-dir {run_dir} holds files a run does not write ({', '.join(other[:5])}); --overwrite only "
                   f"replaces {', '.join(RUN_DIR_FILES)}: move them or give a new directory")
            raise UserError(msg)
        for p in ours:
            p.unlink()
    run_dir.mkdir(parents=True, exist_ok=True)


def _announce(text: str) -> None:
    sys.stderr.write(f"triggeremu replay: {text}\n")


def _main(args: argparse.Namespace) -> int:
    from triggeremu.api import default_menu_for, replay
    from triggeremu.menu import load_menu
    from triggeremu.output import check_output_path, check_writable, describe_file
    from triggeremu.pipeline import partial_path, run_summary_of

    # everything the run will need is checked first: source, menu, outputs, plot extra
    source = source_from_args(args)
    menu = load_menu(args.menu) if args.menu is not None else default_menu_for(source)
    out, js = args.out, args.json
    if args.plots and args.run_dir is None:
        msg = "--plots needs --run-dir (the plots are written beside summary.json)"
        raise UserError(msg)
    if args.overwrite and args.run_dir is None:
        msg = "--overwrite applies to --run-dir"
        raise UserError(msg)
    hb = args.heartbeat_s if args.heartbeat_s is not None else menu.heartbeat_s
    pto = args.peer_timeout_s if args.peer_timeout_s is not None else menu.peer_timeout_s
    if pto < 2 * hb:
        msg = (f"--peer-timeout-s {pto:g} must be at least twice heartbeat_s ({hb:g} s), "
               "or a peer that is alive is taken for dead")
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
    if args.run_dir is not None:
        _fresh_run_dir(args.run_dir, args.overwrite)
    for stale in (out, js, partial_path(out) if out is not None else None):
        if stale is not None and stale.exists():
            stale.unlink()  # an earlier run's output of these names would read as this run's
    if args.calo is not None and args.menu is None:
        _announce(f"menu: the bundled calo menu {menu.source}")
    try:
        result = replay(source, menu, workers=args.workers, transport=args.transport, out=out, keep_events=False,
                        progress=True, heartbeat_s=args.heartbeat_s, peer_timeout_s=args.peer_timeout_s,
                        reorder_buffer_batches=args.reorder_buffer)
    except BaseException as err:
        partial = run_summary_of(err)
        if partial is not None and js is not None:
            _announce(describe_file(write_json(js, partial)) + " (the run did not complete)")
        raise
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
