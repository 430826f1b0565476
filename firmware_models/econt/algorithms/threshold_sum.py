"""Threshold-sum (algorithm 0): keep the cells at or above their threshold.

Per BX: the address map ``calq >= threshold`` (per-cell 24-bit thresholds), each
cell's 4E3M code of ``calq`` with ``drop_lsb`` bits dropped inside the encoder,
and two 5E3M module sums: of all 48 cells, and of the cells *not* transmitted
(the formatter sends one of them, chosen by ``use_sum``).
Source: cmantill/ECONT_Emulator@357cfef ``ASICBlocks/Algorithms.py``
(``ThresholdSum``, ``makeCHARGEQ``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from firmware_models.jit import jit
from ..codec import encode, encode_one

__all__ = ["ThresholdSumOutput", "threshold_sum", "threshold_sum_reference"]


@dataclass(frozen=True)
class ThresholdSumOutput:
    passed: np.ndarray  # (n, 48) bool address map
    codes: np.ndarray  # (n, 48) 4E3M code of every cell (the formatter keeps the passed ones)
    sum_all: np.ndarray  # (n,) 5E3M of the sum of all cells
    sum_not_sent: np.ndarray  # (n,) 5E3M of the sum of cells below threshold


@jit
def _ts_kernel(calq, thr, drop, passed, codes, sum_all, sum_not_sent):
    for r in range(calq.shape[0]):
        total = 0
        below = 0
        for i in range(48):
            q = calq[r, i]
            total += q
            ok = q >= thr[i]
            passed[r, i] = ok
            if not ok:
                below += q
            codes[r, i] = encode_one(q, drop, 4, 3)
        sum_all[r] = encode_one(total, 0, 5, 3)
        sum_not_sent[r] = encode_one(below, 0, 5, 3)


def threshold_sum(calq: np.ndarray, thresholds, drop_lsb: int) -> ThresholdSumOutput:
    """Numba kernel over all BX; :func:`threshold_sum_reference` is its NumPy twin."""
    q = np.ascontiguousarray(calq, dtype=np.int64)
    n = q.shape[0]
    passed = np.empty((n, 48), dtype=np.bool_)
    codes = np.empty((n, 48), dtype=np.int64)
    sum_all = np.empty(n, dtype=np.int64)
    sum_not_sent = np.empty(n, dtype=np.int64)
    _ts_kernel(q, np.asarray(thresholds, dtype=np.int64), int(drop_lsb), passed, codes, sum_all, sum_not_sent)
    return ThresholdSumOutput(passed=passed, codes=codes, sum_all=sum_all, sum_not_sent=sum_not_sent)


def threshold_sum_reference(calq: np.ndarray, thresholds, drop_lsb: int) -> ThresholdSumOutput:
    q = np.asarray(calq, dtype=np.int64)
    passed = q >= np.asarray(thresholds, dtype=np.int64)
    return ThresholdSumOutput(
        passed=passed,
        codes=encode(q, drop_lsb, 4, 3),
        sum_all=encode(q.sum(axis=1), 0, 5, 3),
        sum_not_sent=encode(np.where(passed, 0, q).sum(axis=1), 0, 5, 3),
    )
