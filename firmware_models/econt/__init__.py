"""Bit-exact, per-BX model of the CMS HGCAL ECON-T trigger concentrator ASIC.

Submodules, in data-path order:

- :mod:`.registers`   ``init.yaml`` -> :class:`EcontConfig` (the only input of the blocks)
- :mod:`.elinks`      input words, BX counter / orbit sync, 48-way mux
- :mod:`.codec`       4E3M decode (midpoint rounding), 4E3M / 5E3M / 5E4M encoders
- :mod:`.calibration` 12-bit per-cell calibration
- :mod:`.algorithms`  threshold-sum, super-trigger cells, best-choice, repeater, autoencoder
- :mod:`.formatter`   packets of 16-bit words
- :mod:`.fused`, :mod:`.fused_bc`, :mod:`.bitpack`  the same front end, algorithm and packet
  rules fused into one numba pass per BX (what :class:`EcontChip` runs; the block chain
  above is their tested twin)
- :mod:`.buffer`      the FIFO with T1/T2/T3 truncation (the sequential scan)
- :mod:`.links`       idle words and link-reset windows
- :mod:`.latency`     per-block latencies and the test vectors' alignment
- :mod:`.chip`        :class:`EcontChip`, the whole chip with its state
- :mod:`.vectors`     the test vectors' CSV format

The reference for bit-exactness is the public ECON-T emulator
(cmantill/ECONT_Emulator) and the test vectors it wrote (cmantill/econt_test-vectors).
"""

from __future__ import annotations

from .chip import ChipOutput, EcontChip, run_chip
from .registers import Algorithm, EcontConfig, config_from_mapping, load_init_yaml
from .vectors import DataSet, find_datasets, read_words_csv, write_words_csv

__all__ = [
    "Algorithm",
    "ChipOutput",
    "DataSet",
    "EcontChip",
    "EcontConfig",
    "config_from_mapping",
    "find_datasets",
    "load_init_yaml",
    "read_words_csv",
    "run_chip",
    "write_words_csv",
]
