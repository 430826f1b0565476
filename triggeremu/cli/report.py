"""``triggeremu report RUN_DIR``: write the PNG plots of a run (see :mod:`triggeremu.report`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from triggeremu.schema import Float, arg_type

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write PNG plots of a run directory",
        description="Read RUN_DIR/summary.json and RUN_DIR/decisions.parquet (triggeremu replay --run-dir) and "
        "write plots: rates per seed, rate vs threshold, score distributions, latency per stage and chain, "
        "FIFO occupancy and the accepted-BX pattern over an orbit.",
    )
    p.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    p.add_argument("--out-dir", type=Path, help="write the PNGs here (default: RUN_DIR)")
    p.add_argument("--target-rate-khz", type=arg_type(Float(min=0, min_exclusive=True, unit="kHz"), "--target-rate-khz"),
                   help="draw this target on rate-vs-threshold plots")
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    from triggeremu.report import write_report

    paths = write_report(args.run_dir, out_dir=args.out_dir, target_rate_khz=args.target_rate_khz)
    for p in paths:
        sys.stdout.write(f"wrote {p}\n")
    if not paths:
        sys.stdout.write("nothing to plot: the run has no events\n")
    return 0
