"""The ``triggeremu`` command: argparse subcommands, ``main(argv=None) -> int``.

Each subcommand lives in its own module exposing ``register(subparsers)``, which
adds its parser and sets ``func`` (``args -> int``) as the default. The list
below is explicit.

What the user sees when something goes wrong is decided here, once:

- a mistake (:class:`triggeremu.errors.UserError`, :class:`streams.errors.StreamError`,
  :class:`firmware_models.errors.ModelError`, raised in this process or reported by a
  worker) prints one line, ``triggeremu CMD: error: <problem and fix>``, exit status 2;
- a bad flag prints one line naming the flag, exit status 2;
- anything else is a bug: one line saying so, exit status 1;
- ``--debug`` (anywhere on the line) prints the full traceback as well;
- every warning is one line, ``triggeremu CMD: warning: <message>``.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
import traceback

from firmware_models.errors import ModelError
from streams.errors import StreamError
from triggeremu import __version__
from triggeremu.errors import UserError
from triggeremu.messages import one_line, one_line_warnings

__all__ = ["main", "USER_ERRORS"]

#: errors whose message is meant for the user (exit status 2, one line)
USER_ERRORS = (UserError, StreamError, ModelError)

_SUBCOMMAND_MODULES = (
    "triggeremu.cli.replay",
    "triggeremu.cli.compare_l1",
    "triggeremu.cli.econt",
    "triggeremu.cli.acam",
    "triggeremu.cli.calibrate",
    "triggeremu.cli.report",
    "triggeremu.cli.nn",
    "triggeremu.cli.menu",
)


_ROLE = re.compile(r":(?:func|mod|class|meth|data|attr|exc):`(~?)([^`]+)`")


def plain(text: str) -> str:
    """reST inline markup as plain text (``x`` -> x, :func:`~a.b` -> b), for --help."""
    text = _ROLE.sub(lambda m: m.group(2).rsplit(".", 1)[-1] if m.group(1) else m.group(2), text)
    return re.sub(r"``(.+?)``", r"\1", text)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line (exit status 2) and whose help is plain text."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def format_help(self) -> str:
        return plain(super().format_help())


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="triggeremu",
        description="Streaming, bit-exact, timing-aware emulator of an LHC Level-1 trigger path.",
    )
    parser.add_argument("--version", action="version", version=f"triggeremu {__version__}")
    parser.add_argument("--debug", action="store_true", help="on an error, also print the full traceback")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in _SUBCOMMAND_MODULES:
        importlib.import_module(name).register(sub)
    for p in sub.choices.values():  # --debug after the subcommand too
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    prefix = f"triggeremu {args.command}"
    debug = bool(getattr(args, "debug", False))
    with one_line_warnings(prefix):
        try:
            return int(args.func(args) or 0)
        except USER_ERRORS as err:
            if debug:
                traceback.print_exc()
            hint = "" if debug or one_line(str(err)) == str(err).strip() else " (--debug shows the details)"
            print(f"{prefix}: error: {one_line(str(err))}{hint}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print(f"{prefix}: interrupted", file=sys.stderr)
            return 130
        except Exception as err:  # a bug, not a mistake of the user's
            if debug:
                traceback.print_exc()
            print(f"{prefix}: internal error: {type(err).__name__}: {one_line(str(err))}; this is a bug in "
                  "triggeremu: rerun with --debug for the traceback and report it", file=sys.stderr)
            return 1
