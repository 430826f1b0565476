"""``triggeremu replay``: run the menu over a ROOT file or a synthetic source.

Prints a rate table and a throughput line on stdout; ``--json`` writes the run
summary, ``--out`` the per-event decisions as Parquet, ``--run-dir`` both
(``summary.json``, ``decisions.parquet``) for ``triggeremu report``.

Outputs are written under temporary names and renamed when complete. A run that
fails or is interrupted after it started still writes its summary (``"complete":
false``, the reason and the exact event counts; see :mod:`triggeremu.pipeline`)
and keeps its partial Parquet as ``<name>.partial.parquet``; it exits with status 2
(130 on Ctrl-C). Files of the requested names left by an earlier run are removed
when the run starts. A ``--run-dir`` must be new or empty, or given with
``--overwrite``, which first removes the files an earlier run wrote there.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from triggeremu.errors import UserError
from triggeremu.pipeline import partial_path, run, run_summary_of
from triggeremu.summary_table import format_summary

__all__ = ["register", "RUN_DIR_FILES"]

#: what a run (and ``triggeremu report``) writes in a run directory; --overwrite removes only these
RUN_DIR_FILES = ("summary.json", "decisions.parquet", "decisions.partial.parquet", "*.png")


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
    dist = p.add_argument_group("distributed runs (--workers N): liveness and memory; defaults from the menu's [run]")
    dist.add_argument("--heartbeat-s", type=float, metavar="S", help="heartbeat period of every process (menu: 1)")
    dist.add_argument("--peer-timeout-s", type=float, metavar="S",
                      help="a peer silent this long is dead; at least 2 heartbeats (menu: 5)")
    dist.add_argument("--reorder-buffer", type=int, metavar="BATCHES",
                      help="batches the sink may hold out of order before the source waits "
                      "(menu: 0 = 4 x workers x credits, at least 8)")
    p.add_argument("--out", type=Path, help="write per-event decisions to this Parquet file")
    p.add_argument("--json", type=Path, help="write the run summary to this JSON file")
    p.add_argument("--run-dir", type=Path, help="write summary.json and decisions.parquet here (new or empty)")
    p.add_argument("--overwrite", action="store_true", help="with --run-dir: replace the outputs of an earlier run")
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


def _fresh_run_dir(run_dir: Path, overwrite: bool) -> None:
    """A run directory holds one run: new or empty, or (--overwrite) cleared of an earlier run's files."""
    if run_dir.exists() and not run_dir.is_dir():
        msg = f"--run-dir {run_dir} exists and is not a directory"
        raise UserError(msg)
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


def _write_json(path: Path, summary: dict) -> None:
    """Write to a temporary name, then rename: a reader never sees half a summary."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(summary, indent=2, default=_json_default) + "\n")
    os.replace(tmp, path)


def _main(args: argparse.Namespace) -> int:
    spec = source_spec_from_args(args)
    if args.workers < 0:
        msg = f"--workers must be >= 0, got {args.workers}"
        raise UserError(msg)
    if args.plots and args.run_dir is None:
        msg = "--plots needs --run-dir (the plots are written beside summary.json)"
        raise UserError(msg)
    if args.overwrite and args.run_dir is None:
        msg = "--overwrite applies to --run-dir"
        raise UserError(msg)
    for name in ("heartbeat_s", "peer_timeout_s"):
        value = getattr(args, name)
        if value is not None and not value > 0:
            msg = f"--{name.replace('_', '-')} must be a positive number of seconds, got {value}"
            raise UserError(msg)
    if args.reorder_buffer is not None and args.reorder_buffer < 1:
        msg = f"--reorder-buffer must be at least 1 batch, got {args.reorder_buffer}"
        raise UserError(msg)
    out, js = args.out, args.json
    if args.run_dir is not None:
        _fresh_run_dir(args.run_dir, args.overwrite)
        out = out or args.run_dir / "decisions.parquet"
        js = js or args.run_dir / "summary.json"
    for path in (out, js):
        if path is not None and path.exists() and path.is_dir():
            msg = f"{path} is a directory; give a file name"
            raise UserError(msg)
    for stale in (out, js, partial_path(out) if out is not None else None):
        if stale is not None and stale.exists():
            stale.unlink()  # an earlier run's output of these names would read as this run's
    try:
        result = run(spec, menu_path=args.menu, workers=args.workers, transport=args.transport, out=out,
                     progress=True, heartbeat_s=args.heartbeat_s, peer_timeout_s=args.peer_timeout_s,
                     reorder_buffer_batches=args.reorder_buffer)
    except BaseException as err:
        partial = run_summary_of(err)
        if partial is not None and js is not None:
            _write_json(js, partial)
        raise
    summary = result.summary
    if js is not None:
        _write_json(js, summary)
    if not args.quiet:
        sys.stdout.write(format_summary(summary))
    if args.plots:
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
