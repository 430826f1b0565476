"""Output-link framing: idle words and the link-reset windows.

Fast commands ``LINKRESETROCT`` and ``LINKRESETECONT`` (per-BX flags given to the
chip) open windows during which links are re-aligned:

- ROC-T reset at BX ``b``: the input cells of BX ``b .. b + 256`` (257 BX) are
  zero (the HGCROCs send their alignment pattern); the BX counter is unaffected.
- ECON-T reset at BX ``b``: the formatter output of BX ``b + 1 + k .. b + 256 + k``
  is replaced by the idle word ``tag5 << 11 | tx_sync_word`` on every word
  (``2 x links`` words kept), with ``k`` = -2 for best-choice and -1 for the
  autoencoder (their formatter latencies) and 0 otherwise; the truncated packet
  is zero.

Windows carry over from one batch to the next (state in :class:`ResetState`).
Source: cmantill/ECONT_Emulator@357cfef ``ASICBlocks/LoadData_ePortRX.py``
(``alignmentTime``; 256 in ``RunFromYamlInput.py``) and ``ASICBlocks/Formatter.py``
(``linkResetStatus``, ``RESET_SIGNAL``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .registers import Algorithm

__all__ = ["ROCT_ZERO_BX", "ECONT_RESET_BX", "ECONT_RESET_OFFSET", "ResetState", "window_mask", "idle_word"]

ROCT_ZERO_BX = 257
ECONT_RESET_BX = 256
ECONT_RESET_OFFSET = {Algorithm.BEST_CHOICE: -2, Algorithm.AUTOENCODER: -1}


@dataclass
class ResetState:
    roct_remaining: int = 0  # input BX still to zero
    econt_remaining: int = 0  # formatter BX still in the idle pattern


def window_mask(flags: np.ndarray | None, n: int, *, start: int, length: int, carried: int) -> tuple[np.ndarray, int]:
    """Per-row window membership for resets at the flagged rows; returns (mask, BX carried to the next batch)."""
    mask = np.zeros(n, dtype=bool)
    mask[: min(carried, n)] = True
    remaining = max(carried - n, 0)
    if flags is not None:
        for r in np.flatnonzero(np.asarray(flags)):
            lo = max(int(r) + start, 0)
            hi = int(r) + start + length
            mask[lo:min(hi, n)] = True
            remaining = max(remaining, hi - n)
    return mask, remaining


def idle_word(tag5: np.ndarray, tx_sync_word: int) -> np.ndarray:
    return (np.asarray(tag5, dtype=np.int64) << 11) | tx_sync_word
