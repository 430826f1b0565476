"""The stage contract: what the pipeline asks of every block it runs.

A stage wraps one :mod:`firmware_models` block. The pipeline hands it a batch as
a dict of NumPy arrays (see :mod:`streams.schema`: ``orbit``, ``bx``, ``event``,
``l1_inputs`` (N, 57) int32, ``calo_cells`` (N, 48) uint32 when present, plus the
columns written by earlier stages) and the stage returns its *new* columns, each
of length N (1-D, or 2-D for per-event vectors). Stages never modify their input.

Two kinds, following the design's "parallel map, sequential scan":

- ``sequential = False`` (a *map* stage): outputs are pure functions of each
  event. The pipeline may run it on any worker, batches in any order.
- ``sequential = True`` (a *scan* stage): it keeps state across BX (an ECON-T
  buffer, say). The pipeline runs it in the sink, on batches in BX order, and
  calls :meth:`Stage.reset` once at the start of a run.

Every stage reports its :class:`~firmware_models.timing.BlockTiming` and may
name per-event columns that make its timing data-dependent (``timing_columns``:
e.g. an occupancy or a packet size) and add run-level numbers to the summary
through :meth:`Stage.summary` (energy per event, truncation rate, ...).

Optional: a stage with an off-detector step (decompression of a latent code, say)
defines ``offline_columns() -> tuple[str, ...]`` and ``offline_report(sample) ->
dict``; the sink keeps those columns for the first ``OFFLINE_SAMPLE_EVENTS`` valid
events and adds the report to the stage's entry of the run summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import numpy as np

from firmware_models.timing import BlockTiming

__all__ = ["Stage", "Columns"]

Columns = Mapping[str, np.ndarray]


@runtime_checkable
class Stage(Protocol):
    #: unique stage name in the pipeline (also the prefix of its output columns)
    name: str
    #: True for a stateful scan stage run in BX order in the sink
    sequential: bool

    def requires(self) -> tuple[str, ...]:
        """Input columns this stage reads."""
        ...

    def process(self, cols: Columns) -> dict[str, np.ndarray]:
        """New output columns for the events of one batch."""
        ...

    def fixed_types(self) -> dict[str, str]:
        """Output column name -> fixed-point type string (hls4ml spelling), where relevant."""
        ...

    def timing(self) -> BlockTiming:
        """The block's clock, latency, II and FIFO depth."""
        ...

    def timing_columns(self) -> dict[str, str]:
        """Per-event timing that depends on the data: maps ``"latency_cycles"`` and/or
        ``"ii_cycles"`` to the name of an integer output column holding that event's
        value (overriding :meth:`timing` for that event). Empty when timing is fixed."""
        ...

    def reset(self) -> None:
        """Clear state before a run (scan stages; a no-op for map stages)."""
        ...

    def summary(self, cols: Columns) -> dict[str, Any]:
        """Run-level numbers for the summary JSON. ``cols`` holds every event's scalar
        (1-D) output columns; per-event vector columns arrive with zero width (their row
        count only), so a stage that reports on vectors keeps running statistics itself."""
        ...
