"""Super-trigger cells (algorithm 1): sums of 2x2 and 4x4 groups and their maximum cell.

Groups are consecutive post-mux cells: twelve groups of 4 (``4k .. 4k+3``) and
three groups of 16. Per group: the sum of ``calq`` and the position of the
largest cell, the *last* one on ties. Encodings (all truncating):
``sum4_9`` = 5E4M(sum of 4), ``sum16_9`` = 5E4M(sum of 16), ``sum4_7`` =
4E3M(sum of 4 >> drop_lsb). Which of them the formatter sends is the STC type
(0 STC4_9, 1 STC16_9, 2 CTC4_7, 3 STC4_7).
Source: cmantill/ECONT_Emulator@357cfef ``ASICBlocks/supertriggercell.py``,
``ASICBlocks/Algorithms.py`` (``SuperTriggerCell``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..codec import encode

__all__ = ["StcOutput", "super_trigger_cells", "TIE_RULE"]

TIE_RULE = "last maximum wins (size - 1 - argmax(flip(group)))"


@dataclass(frozen=True)
class StcOutput:
    sum4_9: np.ndarray  # (n, 12) 5E4M
    sum4_7: np.ndarray  # (n, 12) 4E3M of sum >> drop_lsb
    max4: np.ndarray  # (n, 12) 2-bit position of the max cell
    sum16_9: np.ndarray  # (n, 3) 5E4M
    max16: np.ndarray  # (n, 3) 4-bit position


def _groups(q: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    g = q.reshape(q.shape[0], -1, size)
    last_max = size - 1 - np.argmax(g[:, :, ::-1], axis=2)
    return g.sum(axis=2), last_max.astype(np.int64)


def super_trigger_cells(calq: np.ndarray, drop_lsb: int) -> StcOutput:
    q = np.asarray(calq, dtype=np.int64)
    s4, m4 = _groups(q, 4)
    s16, m16 = _groups(q, 16)
    return StcOutput(
        sum4_9=encode(s4, 0, 5, 4),
        sum4_7=encode(s4 >> drop_lsb, 0, 4, 3),
        max4=m4,
        sum16_9=encode(s16, 0, 5, 4),
        max16=m16,
    )
