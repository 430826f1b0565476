"""Per-cell calibration: the decoded charge times a 12-bit factor, 0x800 = 1.0.

``calq = (charge * cal) >> 11`` (truncation toward zero on non-negative
values), giving the 22-bit calibrated charges every algorithm starts from.
Source: cmantill/ECONT_Emulator@357cfef ``ASICBlocks/MuxFixCalib.py``
(``Calibrate``: ``(F2F * CAL * 2**-11).astype(int)``, exact in float64 because
the product is below 2^33).
"""

from __future__ import annotations

import numpy as np

from firmware_models.errors import ModelFormatError

from .registers import N_TC

__all__ = ["CAL_ONE", "CAL_SHIFT", "calibrate"]

CAL_SHIFT = 11
CAL_ONE = 1 << CAL_SHIFT


def calibrate(charges: np.ndarray, cal: tuple[int, ...]) -> np.ndarray:
    """(n, 48) decoded charges -> (n, 48) int64 calibrated charges."""
    q = np.asarray(charges, dtype=np.int64)
    c = np.asarray(cal, dtype=np.int64)
    if q.ndim != 2 or q.shape[1] != N_TC or c.shape != (N_TC,):
        msg = f"calibrate needs (n, {N_TC}) charges and {N_TC} factors, got {q.shape} and {c.shape}"
        raise ModelFormatError(msg)
    return (q * c) >> CAL_SHIFT
