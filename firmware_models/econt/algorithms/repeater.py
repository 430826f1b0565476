"""Repeater (algorithm 3): every cell re-encoded to 4E3M after dropping ``drop_lsb`` bits.

Source: cmantill/ECONT_Emulator@357cfef ``ASICBlocks/Algorithms.py`` (``Repeater``:
``encode(calq >> drop_lsb, 0, 4, 3)``).
"""

from __future__ import annotations

import numpy as np

from ..codec import encode

__all__ = ["repeater"]


def repeater(calq: np.ndarray, drop_lsb: int) -> np.ndarray:
    """(n, 48) calibrated charges -> (n, 48) 7-bit codes."""
    return encode(np.asarray(calq, dtype=np.int64) >> drop_lsb, 0, 4, 3)
