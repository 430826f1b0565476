"""The fused front end: e-link words -> calibrated charges in one numba pass.

Same rules as :func:`.elinks.split_rx_words` -> :func:`.elinks.apply_mux` ->
:func:`.codec.decode_4e3m` -> :func:`.calibration.calibrate` (which stay the
plain, readable twin; a property test checks that both give the same charges),
but one pass per BX with the decode as a 128-entry table: the front end is
the widest step of the chip (48 cells per BX) and this is where the speed is.
"""

from __future__ import annotations

import numpy as np

from firmware_models.jit import jit
from .calibration import CAL_SHIFT
from .codec import decode_table
from .registers import EcontConfig

__all__ = ["front_end_kernel", "front_end"]


@jit
def front_end_kernel(words, shifts, mux, lut, cal, zero_rows, calq):
    """(n, 12) words -> (n, 48) calq; rows with ``zero_rows`` set see zero cells (ROC-T link reset)."""
    for r in range(words.shape[0]):
        for i in range(48):
            if zero_rows[r]:
                calq[r, i] = 0
                continue
            src = mux[i]
            code = (words[r, src >> 2] >> shifts[src & 3]) & 0x7F
            calq[r, i] = (lut[code] * cal[i]) >> CAL_SHIFT


def front_end(words: np.ndarray, config: EcontConfig, zero_rows: np.ndarray) -> np.ndarray:
    """Calibrated charges (n, 48) int64 for validated (n, 12) words (uint32 or int64)."""
    k = np.arange(4, dtype=np.int64)
    shifts = 7 * (k if config.input_cell_order == "lsb_first" else 3 - k)
    calq = np.empty((words.shape[0], 48), dtype=np.int64)
    w = np.ascontiguousarray(words) if np.asarray(words).dtype == np.uint32 else np.ascontiguousarray(words, dtype=np.int64)
    front_end_kernel(w, shifts, np.asarray(config.mux, dtype=np.int64),
                     decode_table(config.dropped_bits), np.asarray(config.cal, dtype=np.int64),
                     np.ascontiguousarray(zero_rows, dtype=np.bool_), calq)
    return calq
