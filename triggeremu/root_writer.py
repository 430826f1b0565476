"""Per-event results written as a ROOT TTree with uproot, batch by batch.

The same columns as the Parquet output (:func:`triggeremu.output.event_columns`),
in a TTree named ``Events``: scalars as plain branches, per-event vectors
(ECON-T link words, latent codes, timing per stage) as fixed-size array branches
(``uint32_t[13]``), booleans as ``bool``. The fixed-point types of raw integer
columns are stored beside the tree as JSON in a ``TObjString`` named
:data:`triggeremu.output.FIXED_TYPES_KEY`. One basket per branch per batch.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from triggeremu.errors import UserError
from triggeremu.output import FIXED_TYPES_KEY, event_columns

__all__ = ["RootDecisionWriter", "TREE_NAME"]

TREE_NAME = "Events"


class RootDecisionWriter:
    def __init__(self, path: str | Path, seed_names: list[str], *, fixed_types: dict[str, str] | None = None) -> None:
        self.path = Path(path)
        self.seed_names = seed_names
        self.fixed_types = fixed_types or {}
        self._file = None
        self._tree = None
        self._columns: list[str] = []
        self.n_events = 0

    def _open(self, cols: Mapping[str, np.ndarray]) -> None:
        import uproot

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = uproot.recreate(self.path)
        branches = {}
        for name, v in cols.items():
            if v.ndim == 1:
                branches[name] = v.dtype
            elif v.ndim == 2:
                branches[name] = (v.dtype, (v.shape[1],))
            else:
                msg = f"column {name!r} has {v.ndim} dimensions; a TTree branch holds scalars or fixed-size arrays"
                raise UserError(msg)
        self._tree = self._file.mktree(TREE_NAME, branches, title="triggeremu per-event results")
        self._columns = list(cols)
        types = {k: v for k, v in self.fixed_types.items() if k in cols}
        self._file[FIXED_TYPES_KEY] = json.dumps(types, sort_keys=True)

    def table(self, outputs: Mapping[str, np.ndarray], raw: np.ndarray, prescaled: np.ndarray,
              decision: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The branches of one batch, as they will be written (built before the batch is committed)."""
        return {k: np.ascontiguousarray(v) for k, v in
                event_columns(outputs, raw, prescaled, decision, self.seed_names).items()}

    def write(self, outputs: Mapping[str, np.ndarray], raw: np.ndarray, prescaled: np.ndarray,
              decision: Mapping[str, np.ndarray]) -> None:
        self.write_table(self.table(outputs, raw, prescaled, decision))

    def write_table(self, cols: dict[str, np.ndarray]) -> None:
        if self._tree is None:
            self._open(cols)
        if list(cols) != self._columns:
            msg = f"batch columns {list(cols)} differ from the tree's {self._columns}"
            raise UserError(msg)
        if len(cols["event"]):
            self._tree.extend(cols)
        self.n_events += len(cols["event"])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self._tree = None
