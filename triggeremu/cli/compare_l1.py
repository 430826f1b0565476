"""``triggeremu compare-l1``: emulated classic seeds vs the L1 bits recorded in NanoAOD.

A sanity check, not a target: the emulated seeds are built from offline objects,
which are not L1 objects (see :mod:`triggeremu.compare_l1`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from triggeremu.compare_l1 import compare_with_recorded, format_comparison

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare-l1",
        help="compare emulated classic seeds with the recorded L1_* bits of a NanoAOD file",
        description="Emulate classic seeds (e.g. SingleMu22) from a NanoAOD file's offline objects and "
        "compare them, event by event, with the recorded L1 decision bits of the same name. "
        "Offline objects are not L1 objects: this is a sanity check, not a target.",
    )
    p.add_argument("file", type=Path, help="CMS NanoAOD file with L1_* branches")
    p.add_argument("--json", type=Path, help="write the comparison to this JSON file")
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    res = compare_with_recorded(args.file)
    sys.stdout.write(format_comparison(res))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2) + "\n")
    return 0
