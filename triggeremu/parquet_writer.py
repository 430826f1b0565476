"""Per-event results written as Parquet, batch by batch (no per-event memory).

Columns: ``orbit``, ``bx``, ``event``, one boolean column per seed (before
prescale) named by the seed, ``<seed>__prescaled``, ``accepted``, ``lost``,
the sequencer's per-event timing columns, the stages' scalar and vector
outputs (fixed-point types kept in the field metadata), and ``label`` /
``pileup`` / ``bad_input`` / ``input_anomaly`` when the source provides them.
The pipeline writes to a temporary name and renames the file when the run
completes (:mod:`triggeremu.pipeline`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from streams.schema import from_columns

__all__ = ["DecisionWriter"]


class DecisionWriter:
    def __init__(self, path: str | Path, seed_names: list[str], *, fixed_types: dict[str, str] | None = None) -> None:
        self.path = Path(path)
        self.seed_names = seed_names
        self.fixed_types = fixed_types or {}
        self._writer: pq.ParquetWriter | None = None
        self.rows = 0

    def table(self, outputs: dict[str, np.ndarray], raw: np.ndarray, prescaled: np.ndarray,
              decision: dict[str, np.ndarray]) -> pa.Table:
        """The rows of one batch, as they will be written."""
        cols = dict(outputs)
        for j, name in enumerate(self.seed_names):
            cols[name] = raw[:, j]
            cols[f"{name}__prescaled"] = prescaled[:, j]
        cols.update(decision)
        return pa.Table.from_batches([from_columns(cols, fixed_types=self.fixed_types)])

    def write_table(self, table: pa.Table) -> None:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self.path, table.schema)
        self._writer.write_table(table)
        self.rows += table.num_rows

    def write(self, outputs: dict[str, np.ndarray], raw: np.ndarray, prescaled: np.ndarray,
              decision: dict[str, np.ndarray]) -> None:
        self.write_table(self.table(outputs, raw, prescaled, decision))

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
