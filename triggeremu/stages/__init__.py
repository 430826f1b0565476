"""Pipeline stages and the registry that builds them from configuration.

A stage is configured by a ``[[stages]]`` table in the menu/run TOML::

    [[stages]]
    kind = "nn"          # which block (see _FACTORIES)
    name = "ad"          # unique; prefixes its output columns
    ...                  # kind-specific keys

The registry is an explicit table (no directory scanning): each entry names the
module that defines the kind. A stage module declares

- ``SCHEMA``: its keys (a :class:`triggeremu.schema.Section`, built on the shared
  :data:`~triggeremu.schema.STAGE_KEYS`, timing and FIFO keys), which
  :func:`validate_stage` checks before anything runs;
- ``OUTPUTS``: the suffixes of the columns it writes (``<name>_<suffix>``), so a
  column seed that reads none of them is caught before the run;
- ``make(config: dict, *, base_dir: pathlib.Path) -> Stage``, the factory, given a
  checked table (paths already absolute).

One name per block, the same in the package, the CLI and the menu: ``nn``
(:mod:`firmware_models.nn`, ``triggeremu nn``), ``acam`` and ``econt``. The
older kind names ``ad`` and ``asic`` are accepted as aliases with a deprecation
warning (:data:`ALIASES`).
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from triggeremu.errors import ConfigError
from triggeremu.schema import Section, closest
from triggeremu.stages.base import Stage

__all__ = ["Stage", "build_stage", "validate_stage", "stage_schema", "stage_outputs", "KINDS", "ALIASES",
           "canonical_kind"]

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


def stage_schema(kind: str) -> Section:
    """The declared keys of a stage kind."""
    return importlib.import_module(_FACTORIES[kind]).SCHEMA


def stage_outputs(config: Mapping[str, Any]) -> tuple[str, ...]:
    """Names of the columns a checked stage table writes."""
    suffixes = importlib.import_module(_FACTORIES[config["kind"]]).OUTPUTS
    return tuple(f"{config['name']}_{s}" for s in suffixes)


def validate_stage(config: Any, *, where: str = "[[stages]]", base_dir: Path | None = None) -> dict[str, Any]:
    """Check one ``[[stages]]`` table against its kind's schema; the checked table (kind canonical,
    name set, defaults filled, paths absolute)."""
    if not isinstance(config, Mapping):
        msg = f"{where} must be a table (kind = ..., ...), got {config!r}"
        raise ConfigError(msg)
    kind = config.get("kind")
    if not isinstance(kind, str):
        msg = f"{where} has no kind; write kind = one of {list(KINDS)}"
        raise ConfigError(msg)
    # the default stage name (the prefix of its columns) is the kind as written
    name = config.get("name", kind)
    canon = canonical_kind(kind, stage=str(name))
    if canon not in _FACTORIES:
        msg = (f"{where}: unknown stage kind {kind!r}{closest(kind, [*KINDS, *ALIASES])}; "
               f"known kinds are {list(KINDS)}")
        raise ConfigError(msg)
    checked = stage_schema(canon).validate({**config, "kind": canon}, where=f"{where} (kind {canon})",
                                           base_dir=base_dir)
    checked.setdefault("name", kind)
    return checked


def build_stage(config: Mapping[str, Any], *, base_dir: Path) -> Stage:
    """Build one stage from its ``[[stages]]`` table (checked first, see :func:`validate_stage`)."""
    where = f"stage {config.get('name', config.get('kind', '?'))!r}"
    checked = validate_stage(config, where=where, base_dir=base_dir)
    module = importlib.import_module(_FACTORIES[checked["kind"]])
    return module.make(checked, base_dir=Path(base_dir))
