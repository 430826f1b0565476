"""The ``triggeremu`` command: argparse subcommands, ``main(argv=None) -> int``.

Each subcommand lives in its own module exposing ``register(subparsers)``, which
adds its parser and sets ``func`` (``args -> int``) as the default. The list
below is explicit. User errors (:class:`triggeremu.errors.UserError` and the
builtin errors our readers raise with a message) exit with status 2 and one
clear line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from triggeremu import __version__
from firmware_models.errors import ModelError
from streams.errors import StreamError
from triggeremu.errors import UserError

__all__ = ["main"]

_SUBCOMMAND_MODULES = (
    "triggeremu.cli.replay",
    "triggeremu.cli.compare_l1",
    "triggeremu.cli.econt",
    "triggeremu.cli.acam",
    "triggeremu.cli.calibrate",
    "triggeremu.cli.report",
    "triggeremu.cli.nn",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="triggeremu",
        description="Streaming, bit-exact, timing-aware emulator of an LHC Level-1 trigger path.",
    )
    parser.add_argument("--version", action="version", version=f"triggeremu {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in _SUBCOMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (UserError, StreamError, ModelError) as err:
        print(f"triggeremu {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"triggeremu {args.command}: interrupted", file=sys.stderr)
        return 130
