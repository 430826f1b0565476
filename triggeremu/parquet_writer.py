"""Per-event results written as Parquet, batch by batch (no per-event memory).

The columns are those of :func:`triggeremu.output.event_columns`: ``orbit``,
``bx``, ``event``, the stages' scalar and vector outputs, ``label`` /
``pileup`` / ``bad_input`` / ``input_anomaly`` when the source provides them, one boolean column per
seed (before prescale) named by the seed, ``<seed>__prescaled``, ``accepted``,
``lost`` and the sequencer's per-event timing columns. Fixed-point types are
kept in the field metadata and, as JSON, in the file's schema metadata
(:data:`triggeremu.output.FIXED_TYPES_KEY`). Open it through
:func:`triggeremu.output.open_writer`, which picks the format from the suffix.
The pipeline writes to a temporary name and renames the file when the run
completes (:mod:`triggeremu.pipeline`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from triggeremu.output import event_table

__all__ = ["DecisionWriter"]


class DecisionWriter:
    def __init__(self, path: str | Path, seed_names: list[str], *, fixed_types: dict[str, str] | None = None) -> None:
        self.path = Path(path)
        self.seed_names = seed_names
        self.fixed_types = fixed_types or {}
        self._writer: pq.ParquetWriter | None = None
        self.n_events = 0

    def table(self, outputs: dict[str, np.ndarray], raw: np.ndarray, prescaled: np.ndarray,
              decision: dict[str, np.ndarray]) -> pa.Table:
        """The rows of one batch, as they will be written (built before the batch is committed)."""
        return event_table(outputs, raw, prescaled, decision, self.seed_names, fixed_types=self.fixed_types)

    def write_table(self, table: pa.Table) -> None:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self.path, table.schema)
        self._writer.write_table(table)
        self.n_events += table.num_rows

    def write(self, outputs: dict[str, np.ndarray], raw: np.ndarray, prescaled: np.ndarray,
              decision: dict[str, np.ndarray]) -> None:
        self.write_table(self.table(outputs, raw, prescaled, decision))

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
