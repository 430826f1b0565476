"""Pipeline stages and the registry that builds them from configuration.

A stage is configured by a ``[[stages]]`` table in the menu/run TOML::

    [[stages]]
    kind = "nn"          # which factory (see _FACTORIES)
    name = "ad"          # unique; prefixes its output columns
    ...                  # kind-specific keys

The registry is an explicit table (no directory scanning): each entry names the
module and its ``make(config: dict, *, base_dir: pathlib.Path) -> Stage``
factory. ``base_dir`` is the directory of the TOML file, for relative paths.

One name per block, the same in the package, the CLI and the menu: ``nn``
(:mod:`firmware_models.nn`, ``triggeremu nn``), ``acam`` and ``econt``. The
older kind names ``ad`` and ``asic`` are accepted as aliases with a deprecation
warning (:data:`ALIASES`).
"""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path
from typing import Any

from triggeremu.stages.base import Stage

__all__ = ["Stage", "build_stage", "KINDS", "ALIASES", "canonical_kind"]

_FACTORIES: dict[str, str] = {
    "nn": "triggeremu.stages.nn",
    "acam": "triggeremu.stages.acam",
    "econt": "triggeremu.stages.econt",
}

KINDS = tuple(_FACTORIES)

#: older kind names -> the block's one name (accepted, with a deprecation warning)
ALIASES = {"ad": "nn", "asic": "econt"}


def canonical_kind(kind: str, *, stage: str = "?") -> str:
    """The registered kind for ``kind``, warning once per use of an old alias."""
    if kind in ALIASES:
        new = ALIASES[kind]
        warnings.warn(f"stage {stage!r}: kind {kind!r} is the old name of {new!r}; write kind = {new!r}",
                      FutureWarning, stacklevel=3)
        return new
    return kind


def build_stage(config: dict[str, Any], *, base_dir: Path) -> Stage:
    """Build one stage from its ``[[stages]]`` table."""
    kind = config.get("kind")
    if isinstance(kind, str):
        # the default stage name (the prefix of its columns) is the kind as written
        config = {"name": kind, **config}
        kind = canonical_kind(kind, stage=config["name"])
    if kind not in _FACTORIES:
        msg = f"stage {config.get('name', '?')!r}: unknown kind {kind!r}; known kinds are {sorted(_FACTORIES)}"
        raise ValueError(msg)
    module = importlib.import_module(_FACTORIES[kind])
    return module.make(config, base_dir=base_dir)
