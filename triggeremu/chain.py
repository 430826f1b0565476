"""The chain of stages a menu describes, and the map side of a run.

:class:`Chain` builds every ``[[stages]]`` entry of a menu through the stage
registry. :meth:`Chain.map_columns` runs the map stages (pure per event, any
worker, any order); :meth:`Chain.scan_columns` runs the scan stages (state in
BX order, in the sink). A map stage placed after a scan stage would need the
scan's outputs on the workers, so the menu must list scan stages last.

:class:`MapSide` is everything per event that does not need BX order, as one
function of a batch: the map stages, the validity of each event (``bad_input``,
and ``input_anomaly`` when the menu drops anomalies), the seed bits of every
seed it can evaluate (packed, one bit per seed, zero on invalid events; column
seeds on scan-stage outputs are left to the sink), and the summable
:class:`~triggeremu.counters.Counters` of the batch. It runs in two parts,
:meth:`MapSide.prepare` (what reads only the source's columns: the object seeds) and
:meth:`MapSide.finish`, so an in-process run can put the first beside the source read. The sink
(:mod:`triggeremu.pipeline`) keeps only what needs BX order. In-process runs call
it on a thread, distributed runs in the worker processes (:func:`map_worker`),
and a task scheduler may call :meth:`MapSide.map_source_range` on a range of
events of a source spec (the source read is part of the map).

:class:`SinkNeeds` says which columns the sink needs back (a distributed run
returns only those); :func:`map_worker` is the picklable worker factory: it
rebuilds the map side in the worker process from the checked menu as data
(:meth:`Menu.to_dict`) or a menu path and returns a
function ``RecordBatch or source-range task -> RecordBatch`` whose schema
metadata carries the counters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from streams.schema import from_columns, to_columns
from triggeremu.counters import ANOMALY_KINDS, Counters, ValueCounts
from triggeremu.decisions import SeedBits
from triggeremu.errors import ConfigError
from triggeremu.menu import Menu, as_menu, load_menu
from triggeremu.output import DETECTOR_PAYLOADS
from triggeremu.stages import Stage, build_stage

__all__ = ["Chain", "MapSide", "SinkNeeds", "map_worker", "valid_mask", "SEED_BITS", "BULKY_COLUMNS",
           "FLAG_OFFLINE_FULL", "is_internal"]

#: packed seed bits of every event (uint8, one bit per seed), made by the map side
SEED_BITS = "_seed_bits"
#: per-event payloads that are inputs only: never written to the decision Parquet
BULKY_COLUMNS = DETECTOR_PAYLOADS
#: the sink's hint to the workers (``fn.sink_flags``): its off-detector samples are full
FLAG_OFFLINE_FULL = 1


def is_internal(name: str) -> bool:
    """Columns of the map side -> sink hand-over that are not per-event outputs."""
    return name.startswith("_")


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

    def stage_columns(self, cols, stages: list[Stage] | None = None) -> list[str]:
        """Names in ``cols`` written by ``stages`` (default: all): prefixed ``<stage>_``."""
        prefixes = tuple(f"{st.name}_" for st in (self.stages if stages is None else stages))
        return [k for k in cols if k.startswith(prefixes)] if prefixes else []


def valid_mask(cols: dict[str, np.ndarray], drop_anomalies: bool) -> np.ndarray:
    """Events that are scored: no NaN/inf input (``bad_input == 0``), and no input
    anomaly when the menu drops them (``[run] drop_input_anomalies``)."""
    n = len(cols["event"])
    valid = cols["bad_input"] == 0 if "bad_input" in cols else np.ones(n, dtype=bool)
    if drop_anomalies and "input_anomaly" in cols:
        valid = valid & (cols["input_anomaly"] == 0)
    return valid


@dataclass(frozen=True)
class SinkNeeds:
    """Which mapped columns the sink needs (picklable: it travels to the workers).

    ``keep_all``: every column (``keep_columns=True``); ``write``: every per-event
    output (a Parquet writer), i.e. all but :data:`BULKY_COLUMNS`; ``columns``: what the
    sink reads itself (scan-stage inputs, timing columns); ``offline``: the columns of
    the off-detector samples, needed only until the sink says its samples are full."""

    keep_all: bool = False
    write: bool = False
    columns: tuple[str, ...] = ()
    offline: tuple[str, ...] = ()

    def select(self, cols: dict[str, np.ndarray], *, offline_full: bool = False) -> dict[str, np.ndarray]:
        if self.keep_all:
            return cols
        keep = {"orbit", "bx", "event", "bad_input", "input_anomaly", *self.columns}
        if not offline_full:
            keep.update(self.offline)
        return {k: v for k, v in cols.items()
                if k in keep or is_internal(k) or (self.write and k not in BULKY_COLUMNS)}


class MapSide:
    """The per-event work of a run, as one function of a batch (see the module docstring)."""

    def __init__(self, menu: Menu, *, chain: Chain | None = None) -> None:
        self.menu = menu
        self.chain = chain if chain is not None else Chain(menu)
        self.seeds = SeedBits(menu)
        self._map_columns_of: set[str] | None = None

    def __call__(self, cols: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], Counters]:
        return self.finish(self.prepare(cols))

    def prepare(self, cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The part that reads only the source's columns (object seeds), so that an
        in-process run can do it beside the source read, off the map stages' thread."""
        out = dict(cols)
        out[SEED_BITS] = self.seeds.evaluate_packed(out, columns=False)
        return out

    def finish(self, cols: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], Counters]:
        """Map stages, column seeds, validity and counters of a prepared batch."""
        out = self.chain.map_columns(cols)
        packed = self.seeds.evaluate_packed(out, skip_missing=True, objects=False, out=out[SEED_BITS])
        valid = valid_mask(out, self.menu.drop_input_anomalies)
        if not valid.all():
            packed[~valid] = 0
        counters = self.counters(out, packed, valid)
        counters.deferred = tuple(self.seeds.missing_columns(out))
        return out, counters

    def counters(self, cols: dict[str, np.ndarray], packed: np.ndarray, valid: np.ndarray) -> Counters:
        k = self.seeds.n_seeds
        c = Counters(k, n_events=len(valid), n_valid=int(np.count_nonzero(valid)))
        for j in range(k):
            c.seed_raw[j] = np.count_nonzero(packed[:, j >> 3] & np.uint8(1 << (j & 7)))
        any_raw = packed[:, 0] != 0 if packed.shape[1] == 1 else packed.any(axis=1)
        c.n_any_raw = int(np.count_nonzero(any_raw)) if k else 0
        if "input_anomaly" in cols:
            flags = cols["input_anomaly"]
            for b in range(len(ANOMALY_KINDS)):
                c.anomalies[b] = np.count_nonzero(flags & np.uint8(1 << b))
        for name in self.chain.stage_columns(cols, self.chain.map_stages):
            c.values[name] = ValueCounts.of(cols[name])
        return c

    def map_source_range(self, spec: dict[str, Any], first_event: int, n_events: int
                         ) -> tuple[dict[str, np.ndarray], Counters]:
        """Read events ``first_event .. +n_events`` of a source spec and map them."""
        from triggeremu.sources import read_range

        return self(read_range(spec, first_event, n_events))


def map_worker(menu: Mapping[str, Any] | str | None, needs: SinkNeeds | None = None, *,
               threads: int | None = None) -> Callable[[Any], pa.RecordBatch]:
    """Worker factory for distributed runs (module-level, so it pickles by reference).

    The returned function takes a :class:`pyarrow.RecordBatch` of source columns or a
    :class:`streams.wire.Task` (a range of events of a source spec, read here) and
    returns the mapped batch (only the columns of ``needs``) with its counters in the
    schema metadata. ``fn.sink_flags`` holds the sink's hints (the transport sets it from
    the sink's heartbeats): with :data:`FLAG_OFFLINE_FULL` the offline columns are no
    longer sent. ``threads``: numba threads of this worker's parallel kernels (numba's
    setting is per thread: the factory is called on the thread that then maps).
    """
    from streams.wire import Task
    from triggeremu.messages import in_child_process
    from triggeremu.sources import read_range

    in_child_process("worker process")
    if threads is not None:  # the workers share the cores: numba's parallel kernels (ACAM) get their share
        import numba

        numba.set_num_threads(max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS)))
    side = MapSide(as_menu(menu) if isinstance(menu, Mapping) else load_menu(Path(menu) if menu else None))
    needs = needs if needs is not None else SinkNeeds(keep_all=True)

    def work(item) -> pa.RecordBatch:
        if isinstance(item, Task):
            cols = read_range(item.spec, item.first_event, item.n_events)
        else:
            cols = to_columns(item)
        mapped, counters = side(cols)
        full = bool(work.sink_flags & FLAG_OFFLINE_FULL)
        batch = from_columns(needs.select(mapped, offline_full=full), fixed_types=side.chain.fixed_types)
        meta = dict(batch.schema.metadata or {})
        meta.update(counters.to_metadata())
        return batch.replace_schema_metadata(meta)

    work.sink_flags = 0
    return work
