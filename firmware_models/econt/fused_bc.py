"""Fused best-choice kernel: the Batcher network run on blocks of BX side by side.

Same rules as :func:`.algorithms.best_choice.best_choice` ->
:func:`.formatter.format_best_choice` (the plain twins), rearranged for speed:

- Each cell becomes one int32 key ``charge << 6 | address`` (charges are clamped to
  18 bits, so keys fit in 24 bits). A compare-exchange ``(i, j)`` swaps when the
  *charge* at ``i`` is below the charge at ``j``, never on equal charges, exactly
  as the network in :mod:`.algorithms.best_choice`: ``(ki >> 6) < (kj >> 6)`` is
  tested as ``ki < (kj & ~63)`` and the swap is branch-free (``d = (ki ^ kj) & mask``).
- :data:`BLOCK_ROWS` BX are sorted together, keys stored cell-major
  ``keys[cell, bx]``, so every comparator is one loop over contiguous BX that the
  compiler turns into vector instructions.
- Only the comparators that can reach the first ``n_tc`` outputs are kept
  (:func:`pruned_comparators`: walk the network backwards from the wires read;
  a dropped comparator only moves values between wires no later step reads,
  so the kept wires see exactly the same values).

The packet needs the chosen addresses (in address order), their charges and the
sum of the charges *not* chosen (total minus chosen), all read off the first
``n_tc`` keys. tests/test_econt_fused.py compares this kernel with the twins,
also on tie-heavy inputs (many equal charges, where the network's order decides
which cells are sent).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from firmware_models.jit import jit
from .algorithms.best_choice import CHARGE_CLAMP, COMPARATORS
from .bitpack import flush_bits, push_bits, push_field, reverse_bits
from .codec import bit_length, encode_one
from .fused import _cells, _fill

__all__ = ["BLOCK_ROWS", "bc_frames_kernel", "pruned_comparators"]

BLOCK_ROWS = 64
_ADDR_BITS = 6


@lru_cache(maxsize=64)
def pruned_comparators(n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) index arrays of the comparators of :data:`COMPARATORS` that can affect outputs ``0 .. n_out-1``."""
    needed = set(range(n_out))
    kept = []
    for i, j in COMPARATORS[::-1].tolist():
        if i in needed or j in needed:
            kept.append((i, j))
            needed.update((i, j))
    arr = np.asarray(kept[::-1], dtype=np.int64).reshape(-1, 2)
    return np.ascontiguousarray(arr[:, 0]), np.ascontiguousarray(arr[:, 1])


@jit
def _network(keys, ci, cj):
    for c in range(ci.shape[0]):
        ki = keys[ci[c]]
        kj = keys[cj[c]]
        for b in range(ki.shape[0]):
            x = ki[b]
            y = kj[b]
            d = (x ^ y) & -np.int32(x < (y & -64))
            ki[b] = x ^ d
            kj[b] = y ^ d


@jit
def bc_frames_kernel(words, zero_rows, cell_word, cell_shift, cell_lut, drop, head4, ci, cj, n_tc, use_sum,
                     map_lsb0, n_words, out, numw, bits):
    """Best-choice packets (layout in :mod:`.formatter`) for every row of ``words``.

    ``map_lsb0``: address 0 in the channel map's least significant bit (``registers.CHANNEL_MAP_ORDERS``).
    """
    n = words.shape[0]
    keys = np.zeros((48, BLOCK_ROWS), dtype=np.int32)
    total = np.empty(BLOCK_ROWS, dtype=np.int64)
    q = np.empty(48, dtype=np.int64)
    charge = np.zeros(48, dtype=np.int64)
    for r0 in range(0, n, BLOCK_ROWS):
        m = min(BLOCK_ROWS, n - r0)
        for b in range(m):
            _cells(words, r0 + b, zero_rows[r0 + b], cell_word, cell_shift, cell_lut, q)
            t = 0
            for i in range(48):
                v = min(q[i] >> drop, CHARGE_CLAMP)
                keys[i, b] = (v << _ADDR_BITS) | i
                t += v
            total[b] = t
        _network(keys, ci, cj)
        for b in range(m):
            r = r0 + b
            chosen = 0
            top = 0
            for p in range(n_tc):
                key = np.int64(keys[p, b])
                a = key & 63
                charge[a] = key >> _ADDR_BITS
                top += charge[a]
                chosen |= np.int64(1) << (47 - a)
            s = encode_one(total[b] if use_sum else total[b] - top, 0, 5, 3)
            row = out[r]
            k, acc, nacc = push_bits(row, 0, 0, 0, (head4[r] << 8) | s, 12)
            if n_tc < 8:
                rest = chosen
                for _ in range(n_tc):
                    a = 48 - bit_length(rest)  # lowest address first: address 0 is the map's top bit
                    k, acc, nacc = push_field(row, k, acc, nacc, a, 6)
                    rest ^= np.int64(1) << (47 - a)
            else:
                k, acc, nacc = push_bits(row, k, acc, nacc, reverse_bits(chosen, 48) if map_lsb0 else chosen, 48)
            rest = chosen
            for _ in range(n_tc):
                a = 48 - bit_length(rest)
                k, acc, nacc = push_field(row, k, acc, nacc, encode_one(charge[a], 0, 4, 3), 7)
                rest ^= np.int64(1) << (47 - a)
            bits[r] = 16 * k + nacc
            k = flush_bits(row, k, acc, nacc)
            _fill(row, k, 0)
            numw[r] = n_words
