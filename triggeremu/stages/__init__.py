"""Pipeline stages and the registry that builds them from configuration.

A stage is configured by a ``[[stages]]`` table in the menu/run TOML::

    [[stages]]
    kind = "ad"          # which factory (see _FACTORIES)
    name = "ad"          # unique; prefixes its output columns
    ...                  # kind-specific keys

The registry is an explicit table (no directory scanning): each entry names the
module and its ``make(config: dict, *, base_dir: pathlib.Path) -> Stage``
factory. ``base_dir`` is the directory of the TOML file, for relative paths.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from triggeremu.stages.base import Stage

__all__ = ["Stage", "build_stage", "KINDS"]

_FACTORIES: dict[str, str] = {
    "ad": "triggeremu.stages.ad",
    "acam": "triggeremu.stages.acam",
    "asic": "triggeremu.stages.asic",
}

KINDS = tuple(_FACTORIES)


def build_stage(config: dict[str, Any], *, base_dir: Path) -> Stage:
    """Build one stage from its ``[[stages]]`` table."""
    kind = config.get("kind")
    if kind not in _FACTORIES:
        msg = f"stage {config.get('name', '?')!r}: unknown kind {kind!r}; known kinds are {sorted(_FACTORIES)}"
        raise ValueError(msg)
    module = importlib.import_module(_FACTORIES[kind])
    return module.make(config, base_dir=base_dir)
