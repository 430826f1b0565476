"""triggeremu: a streaming, bit-exact, timing-aware emulator of an LHC L1 trigger path.

From Python, the front door is :func:`replay`::

    import triggeremu
    res = triggeremu.replay(triggeremu.sources.synthetic(100_000), menu="my_menu.toml")
    res.rates()

Names exported here (imported on first use, so ``import triggeremu`` stays light):

- :func:`replay`, :class:`ReplayResult` (:mod:`triggeremu.api`);
- ``sources``: :func:`~triggeremu.source_specs.root`, ``synthetic``, ``calo``
  (:mod:`triggeremu.sources`);
- :class:`Menu`, :func:`as_menu`, :func:`load_menu` (:mod:`triggeremu.menu`).

Submodules: :mod:`triggeremu.menu` and :mod:`triggeremu.schema` (the menu and its
declared keys), :mod:`triggeremu.stages` (blocks wrapping :mod:`firmware_models`),
:mod:`triggeremu.pipeline` (source -> stages -> in-order sink, in one process or
over ZeroMQ workers), :mod:`triggeremu.rates`, :mod:`triggeremu.calibrate`,
:mod:`triggeremu.output` (Parquet and ROOT files), :mod:`triggeremu.report`, and
:mod:`triggeremu.cli` (the ``triggeremu`` command).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

__all__ = ["replay", "ReplayResult", "sources", "Menu", "as_menu", "load_menu", "__version__"]

_LAZY = {
    "replay": "triggeremu.api",
    "ReplayResult": "triggeremu.api",
    "Menu": "triggeremu.menu",
    "as_menu": "triggeremu.menu",
    "load_menu": "triggeremu.menu",
}


def __getattr__(name: str) -> Any:
    if name == "sources":
        return importlib.import_module("triggeremu.sources")
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    msg = f"module 'triggeremu' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
