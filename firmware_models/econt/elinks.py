"""ECON-T input side: e-link words, the BX counter it keeps, and the 48-way mux.

Each BX the chip receives 12 e-link words of 32 bits from the HGCROCs: a 4-bit
header (bits 31..28) and four 7-bit 4E3M trigger-cell codes, mux input ``4*link + k``
in bits ``7k .. 7k+6`` ("lsb_first", prototype chip) or ``7(3-k) .. 7(3-k)+6``
("msb_first", production register files; see ``registers.INPUT_CELL_ORDERS``). The header is
``0x9`` on the BX that carries the orbit-sync (BX counter reset) and ``0xA``
otherwise; the ECON-T keeps its own BX counter, reset to 0 by a ``0x9`` header on
e-link 0 and free-running modulo 3564 (the orbit) in between.
The mux then picks, for each of its 48 outputs ``i``, input cell ``mux[i]``.

The 5-bit BX tag written into every output packet is ``bx % 16``, except that
BX 0 is tagged 31 (``0b11111``); 4-bit headers drop bit 1 of it (see
:func:`header4`). Source: cmantill/ECONT_Emulator@357cfef
``ASICBlocks/LoadData_ePortRX.py`` (``loadEportRXData``, ``splitEportRXData``) and
``ASICBlocks/Formatter.py`` (``header[0] + header[2:]``).
"""

from __future__ import annotations

import numpy as np

from firmware_models.errors import ModelFormatError

from .registers import N_ELINKS_IN, N_TC

__all__ = [
    "ORBIT_BX",
    "HEADER_SYNC",
    "HEADER_NORMAL",
    "split_rx_words",
    "pack_rx_words",
    "bx_counter",
    "bx_tag5",
    "header4",
    "apply_mux",
]

ORBIT_BX = 3564
HEADER_SYNC = 0x9
HEADER_NORMAL = 0xA


def _as_words(words: np.ndarray, n_cols: int, what: str) -> np.ndarray:
    """Validated words: uint32 arrays pass as they are (contiguous), other integer arrays become int64."""
    w = np.asarray(words)
    if w.ndim != 2 or w.shape[1] != n_cols:
        msg = f"{what} must have shape (n_bx, {n_cols}), got {w.shape}"
        raise ModelFormatError(msg)
    if w.dtype == np.uint32:
        return np.ascontiguousarray(w)
    if w.dtype.kind not in "ui":
        msg = f"{what} must be integer words, got dtype {w.dtype}"
        raise ModelFormatError(msg)
    if w.size and (w.min() < 0 or w.max() > 0xFFFFFFFF):
        msg = f"{what} must be 32-bit unsigned words"
        raise ModelFormatError(msg)
    return w.astype(np.int64)


def _field_shift(k: int, cell_order: str) -> int:
    if cell_order not in ("lsb_first", "msb_first"):
        msg = f"cell_order must be 'lsb_first' or 'msb_first', got {cell_order!r}"
        raise ModelFormatError(msg)
    return 7 * (k if cell_order == "lsb_first" else 3 - k)


def split_rx_words(words: np.ndarray, cell_order: str = "lsb_first") -> tuple[np.ndarray, np.ndarray]:
    """(n, 12) e-link words -> (headers (n,) of e-link 0, cell codes (n, 48) in mux-input order)."""
    w = _as_words(words, N_ELINKS_IN, "ECON-T input words")
    codes = np.empty((w.shape[0], N_TC), dtype=np.int64)
    for k in range(4):
        codes[:, k::4] = (w >> _field_shift(k, cell_order)) & 0x7F
    return (w[:, 0] >> 28).astype(np.int64), codes


def pack_rx_words(codes: np.ndarray, bx: np.ndarray, cell_order: str = "lsb_first") -> np.ndarray:
    """Inverse of :func:`split_rx_words`: (n, 48) 7-bit codes + BX numbers -> (n, 12) uint32 words."""
    c = np.asarray(codes, dtype=np.int64)
    if c.ndim != 2 or c.shape[1] != N_TC or (c.size and (c.min() < 0 or c.max() > 0x7F)):
        msg = f"cell codes must be (n_bx, {N_TC}) 7-bit values, got shape {c.shape}"
        raise ModelFormatError(msg)
    b = np.asarray(bx, dtype=np.int64)
    header = np.where(b % ORBIT_BX == 0, HEADER_SYNC, HEADER_NORMAL).astype(np.int64)
    words = header[:, None] << 28
    for k in range(4):
        words = words | (c[:, k::4] << _field_shift(k, cell_order))
    return words.astype(np.uint32)


def bx_counter(headers: np.ndarray, start: int = 0) -> tuple[np.ndarray, int]:
    """The chip's BX counter for each row, and its value for the row after the last.

    ``start`` is the counter value of the first row (0 for a fresh chip, as the
    reference emulator numbers rows from 0). A row with header ``0x9`` resets the
    counter to 0; otherwise it increments modulo :data:`ORBIT_BX`.
    """
    h = np.asarray(headers)
    n = h.shape[0]
    idx = np.arange(n, dtype=np.int64)
    reset_at = np.where(h == HEADER_SYNC, idx, -1)
    last = np.maximum.accumulate(reset_at) if n else reset_at
    bx = np.where(last >= 0, idx - last, start + idx) % ORBIT_BX
    nxt = int((bx[-1] + 1) % ORBIT_BX) if n else int(start)
    return bx.astype(np.int64), nxt


def bx_tag5(bx: np.ndarray) -> np.ndarray:
    """5-bit BX tag of the output packets: ``bx % 16``, with BX 0 tagged 31."""
    b = np.asarray(bx, dtype=np.int64)
    return np.where(b == 0, 31, b % 16)


def header4(tag5: np.ndarray) -> np.ndarray:
    """4-bit header of best-choice / STC packets: the 5-bit tag without its bit 3 (``t[0] + t[2:]``)."""
    t = np.asarray(tag5, dtype=np.int64)
    return ((t >> 4) << 3) | (t & 0x7)


def apply_mux(codes: np.ndarray, mux: tuple[int, ...]) -> np.ndarray:
    """Output ``i`` of the mux is input cell ``mux[i]``."""
    return np.asarray(codes)[:, np.asarray(mux, dtype=np.intp)]
