"""Read and write the ECON-T test-vector CSV files, and find the data sets.

``testInput.csv``: header ``RX_DATA_0..RX_DATA_11``, one row per BX, 8 lower-case
hex digits per 32-bit e-link word. ``testOutput.csv``: ``TX_DATA_0..TX_DATA_12``,
same formatting. A data set is a directory holding ``init.yaml`` and
``testOutput.csv``, with ``testInput.csv`` in its parent directory
(cmantill/econt_test-vectors layout).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from firmware_models.errors import ModelFormatError

from .registers import MAX_LINKS_OUT, N_ELINKS_IN
from .textfile import read_text

__all__ = ["RX_COLUMNS", "TX_COLUMNS", "DataSet", "read_words_csv", "write_words_csv", "find_datasets"]

RX_COLUMNS = tuple(f"RX_DATA_{i}" for i in range(N_ELINKS_IN))
TX_COLUMNS = tuple(f"TX_DATA_{i}" for i in range(MAX_LINKS_OUT))


def read_words_csv(path: str | Path, columns: tuple[str, ...]) -> np.ndarray:
    """(n, len(columns)) uint32 words from a vectors CSV (plain or ``.gz``), checking the header names."""
    path = Path(path)
    lines = read_text(path).splitlines()
    if not lines:
        msg = f"{path} is empty; expected a header line {','.join(columns)}"
        raise ModelFormatError(msg)
    header = [c.strip() for c in lines[0].split(",")]
    if tuple(header) != columns:
        msg = f"{path}: header is {header[:4]}...; expected {list(columns[:4])}... ({len(columns)} columns)"
        raise ModelFormatError(msg)
    rows = [ln for ln in lines[1:] if ln.strip()]
    out = np.empty((len(rows), len(columns)), dtype=np.uint32)
    for i, ln in enumerate(rows):
        cells = ln.split(",")
        if len(cells) != len(columns):
            msg = f"{path} line {i + 2}: {len(cells)} fields, expected {len(columns)}"
            raise ModelFormatError(msg)
        try:
            vals = [int(c, 16) for c in cells]
        except ValueError:
            msg = f"{path} line {i + 2}: fields must be hex words, got {ln[:60]!r}"
            raise ModelFormatError(msg) from None
        if any(v < 0 or v > 0xFFFFFFFF for v in vals):
            msg = f"{path} line {i + 2}: a word does not fit in 32 bits"
            raise ModelFormatError(msg)
        out[i] = vals
    return out


def write_words_csv(path: str | Path, words: np.ndarray, columns: tuple[str, ...] = TX_COLUMNS) -> None:
    """Write words in the vectors' format (header, then 8 lower-case hex digits per field)."""
    w = np.asarray(words)
    if w.ndim != 2 or w.shape[1] != len(columns):
        msg = f"words must have shape (n, {len(columns)}), got {w.shape}"
        raise ModelFormatError(msg)
    body = "\n".join(",".join(f"{int(x):08x}" for x in row) for row in w)
    Path(path).write_text(",".join(columns) + "\n" + body + ("\n" if len(w) else ""))


@dataclass(frozen=True)
class DataSet:
    name: str  # e.g. "mcDataset/BC_3eTx"
    config_path: Path
    input_path: Path
    output_path: Path


def find_datasets(root: str | Path) -> list[DataSet]:
    """Every ``init.yaml`` under ``root`` with a ``testOutput.csv`` beside it and a ``testInput.csv`` above."""
    root = Path(root)
    found = []
    for cfg in sorted(root.rglob("init.yaml")):
        out = cfg.parent / "testOutput.csv"
        inp = cfg.parent.parent / "testInput.csv"
        if out.is_file() and inp.is_file():
            found.append(DataSet(str(cfg.parent.relative_to(root)), cfg, inp, out))
    return found
