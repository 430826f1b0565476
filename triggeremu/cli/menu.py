"""``triggeremu menu``: the menu-key reference, and checking a menu without running it.

``--reference`` prints the Markdown reference generated from the declared schemas
(:mod:`triggeremu.menu_reference`; ``docs/menu-reference.md`` is this output);
``--check MENU`` reads and checks a menu and prints what it would run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "menu",
        help="print the menu-key reference, or check a menu",
        description="Print the reference of every menu key (generated from the schemas the menu checker uses), "
        "or check a menu file without running it.",
    )
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--reference", action="store_true", help="print the menu-key reference (Markdown)")
    g.add_argument("--check", type=Path, metavar="MENU", help="check this menu TOML and summarise it")
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    if args.reference:
        from triggeremu.menu_reference import menu_reference

        sys.stdout.write(menu_reference())
        return 0
    from triggeremu.menu import load_menu

    menu = load_menu(args.check)
    stages = ", ".join(f"{st['name']} ({st['kind']})" for st in menu.stages) or "none"
    sys.stdout.write(f"{menu.source}: ok\n  stages: {stages}\n  seeds: {', '.join(menu.seed_names)}\n"
                     f"  filling scheme {menu.filling_scheme}, latency budget {menu.latency_budget_ns:g} ns, "
                     f"L1A budget {menu.l1a_budget_khz:g} kHz\n")
    return 0
