"""The chain of stages a menu describes, split into its map and scan parts.

:class:`Chain` builds every ``[[stages]]`` entry of a menu through the stage
registry. :meth:`Chain.map_columns` runs the map stages (pure per event, any
worker, any order); :meth:`Chain.scan_columns` runs the scan stages (state in
BX order, in the sink). A map stage placed after a scan stage would need the
scan's outputs on the workers, so the menu must list scan stages last.

:func:`map_worker` is the picklable worker factory used by distributed runs:
it rebuilds the chain from the menu's data in the worker process and returns a
function ``RecordBatch -> RecordBatch``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from streams.schema import from_columns, to_columns
from triggeremu.errors import ConfigError
from triggeremu.menu import Menu, as_menu, load_menu
from triggeremu.stages import Stage, build_stage

__all__ = ["Chain", "map_worker"]


class Chain:
    def __init__(self, menu: Menu) -> None:
        self.menu = menu
        self.stages: list[Stage] = [build_stage(cfg, base_dir=menu.base_dir) for cfg in menu.stages]
        seen_scan = None
        for st in self.stages:
            if st.sequential:
                seen_scan = st.name
            elif seen_scan is not None:
                msg = (
                    f"stage {st.name!r} (a per-event map stage) comes after the stateful stage "
                    f"{seen_scan!r}; list stateful (scan) stages last in [[stages]]"
                )
                raise ConfigError(msg)
        self.map_stages = [s for s in self.stages if not s.sequential]
        self.scan_stages = [s for s in self.stages if s.sequential]
        self.fixed_types: dict[str, str] = {}
        for st in self.stages:
            self.fixed_types.update(st.fixed_types())

    def _run(self, stages: list[Stage], cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        out = dict(cols)
        for st in stages:
            missing = [c for c in st.requires() if c not in out]
            if missing:
                msg = (
                    f"stage {st.name!r} needs column(s) {missing}, which the source does not provide "
                    f"(it has {sorted(out)}); use a source that provides them (e.g. --calo N for calo_cells)"
                )
                raise ConfigError(msg)
            try:
                new = st.process(out)
            except Exception as err:
                err.add_note(
                    f"while running stage {st.name!r} on orbits {int(out['orbit'][0])}..{int(out['orbit'][-1])}"
                    if len(out["orbit"]) else f"while running stage {st.name!r}"
                )
                raise
            out.update(new)
        return out

    def map_columns(self, cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return self._run(self.map_stages, cols)

    def scan_columns(self, cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return self._run(self.scan_stages, cols)

    def reset(self) -> None:
        for st in self.stages:
            st.reset()


def _map_batch(chain: Chain, batch: pa.RecordBatch) -> pa.RecordBatch:
    return from_columns(chain.map_columns(to_columns(batch)), fixed_types=chain.fixed_types)


def map_worker(menu: Mapping[str, Any] | str | None) -> Callable[[pa.RecordBatch], pa.RecordBatch]:
    """Worker factory for distributed runs (module-level, so it pickles by reference); ``menu`` is the
    checked menu as data (:meth:`Menu.to_dict`) or, as before, a menu path (None: the bundled default)."""
    from triggeremu.messages import in_child_process

    in_child_process("worker process")
    chain = Chain(as_menu(menu) if isinstance(menu, Mapping) else load_menu(Path(menu) if menu else None))

    def work(batch: pa.RecordBatch) -> pa.RecordBatch:
        return _map_batch(chain, batch)

    return work
