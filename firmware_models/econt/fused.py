"""Fused per-BX kernels: e-link words -> formatter frames in one numba pass per algorithm.

The plain data path of the chip is a chain of readable blocks over whole
arrays: :mod:`.frontend` (mux, 4E3M decode, calibration) -> one of
:mod:`.algorithms` -> :mod:`.formatter`. Each block allocates its outputs, and
the formatter re-reads what the algorithm wrote. Here the same rules run once per
BX with the 48 cells in a local array, writing straight into the preallocated
:class:`~.formatter.Frames` arrays:

- :func:`ts_frames_kernel`   threshold-sum (encodes only the cells it sends);
- :func:`rpt_frames_kernel`  repeater;
- :func:`stc_frames_kernel`  super-trigger cells (types 0-3);
- best-choice lives in :mod:`.fused_bc` (a blocked sorting network);
- :func:`ae_pack_kernel`     the autoencoder packet from latent codes.

The front end is folded into one table per cell (:func:`front_end_tables`):
``cell_lut[i, code] = (decode(code) * cal[i]) >> 11``, read at the 7-bit field
``(word[cell_word[i]] >> cell_shift[i]) & 0x7F`` that the mux routes to cell ``i``.

The twins are the block chain itself (:meth:`.chip.EcontChip.reference_frames`);
tests/test_econt_fused.py checks, on random words and registers, that both give
the same words, word counts, truncated packets and bit counts.
"""

from __future__ import annotations

import numpy as np

from firmware_models.jit import jit
from .bitpack import flush_bits, push_bits, push_field, reverse_bits
from .calibration import CAL_SHIFT
from .codec import bit_length, decode_table, encode_one
from .formatter import MAX_WORDS, STC_LAYOUT, TS_TYPE, Frames
from .registers import EcontConfig

__all__ = [
    "ae_bit_selection",
    "ae_pack_kernel",
    "front_end_tables",
    "new_frames",
    "rpt_frames_kernel",
    "stc_frames_kernel",
    "stc_parameters",
    "ts_frames_kernel",
]

_TS_TRUNCATED = TS_TYPE["truncated"]


def front_end_tables(config: EcontConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cell_word (48,), cell_shift (48,), cell_lut (48, 128) int32) for the fused front end."""
    k = np.arange(4, dtype=np.int64)
    shifts = 7 * (k if config.input_cell_order == "lsb_first" else 3 - k)
    mux = np.asarray(config.mux, dtype=np.int64)
    cal = np.asarray(config.cal, dtype=np.int64)
    lut = (cal[:, None] * decode_table(config.dropped_bits)[None, :]) >> CAL_SHIFT  # < 2^23
    return mux >> 2, shifts[mux & 3], np.ascontiguousarray(lut, dtype=np.int32)


def new_frames(n: int) -> Frames:
    """Preallocated frames for ``n`` BX (every word is written by the kernels; 16-bit words as uint16)."""
    return Frames(words=np.empty((n, MAX_WORDS), dtype=np.uint16), numw=np.empty(n, dtype=np.int64),
                  trunc=np.zeros((n, 2), dtype=np.int64), bits=np.empty(n, dtype=np.int64))


@jit
def _cells(words, r, zero, cell_word, cell_shift, cell_lut, q):
    """Calibrated charges of row ``r`` into ``q`` (all zero on a ROC-T link-reset row); returns their sum."""
    total = 0
    if zero:
        for i in range(48):
            q[i] = 0
        return total
    for i in range(48):
        code = (np.int64(words[r, cell_word[i]]) >> cell_shift[i]) & 0x7F
        v = np.int64(cell_lut[i, code])
        q[i] = v
        total += v
    return total


@jit
def _fill(row, k, value):
    for j in range(k, row.shape[0]):
        row[j] = value


@jit
def ts_frames_kernel(words, zero_rows, cell_word, cell_shift, cell_lut, thr, drop, tag5, use_sum, tx_sync,
                     map_lsb0, out, numw, trunc, bits):
    """Threshold-sum packets (layout in :mod:`.formatter`) for every row of ``words``.

    ``tx_sync`` is the 11-bit idle pattern; ``map_lsb0`` puts address 0 in the channel map's
    least significant bit (production ECON-T, ``registers.CHANNEL_MAP_ORDERS``).
    """
    q = np.empty(48, dtype=np.int64)
    for r in range(words.shape[0]):
        total = _cells(words, r, zero_rows[r], cell_word, cell_shift, cell_lut, q)
        below = 0
        count = 0
        amap = 0
        for i in range(48):  # branch-free: whether a cell passes depends on the data
            sent = np.int64(q[i] >= thr[i])
            count += sent
            amap |= sent << (47 - i)
            below += q[i] * (1 - sent)
        s_all = encode_one(total, 0, 5, 3)
        s = s_all if use_sum else encode_one(below, 0, 5, 3)
        t = tag5[r]
        typ = 0 if count == 0 else (2 if count < 8 else 4)
        row = out[r]
        row[0] = (t << 11) | (typ << 8) | s  # tag5 | type | sum: exactly one word
        k, acc, nacc = 1, 0, 0
        if count > 0:
            if count < 8:
                k, acc, nacc = push_bits(row, k, acc, nacc, count, 3)
                rest = amap
                for _ in range(count):
                    i = 48 - bit_length(rest)  # lowest address first: address 0 is the map's top bit
                    k, acc, nacc = push_field(row, k, acc, nacc, i, 6)
                    rest ^= np.int64(1) << (47 - i)
            else:
                k, acc, nacc = push_bits(row, k, acc, nacc, reverse_bits(amap, 48) if map_lsb0 else amap, 48)
            rest = amap
            for _ in range(count):
                i = 48 - bit_length(rest)
                k, acc, nacc = push_field(row, k, acc, nacc, encode_one(q[i], drop, 4, 3), 7)
                rest ^= np.int64(1) << (47 - i)
        bits[r] = 16 * k + nacc
        k = flush_bits(row, k, acc, nacc)
        idle = (t << 11) | tx_sync
        _fill(row, k, idle)
        numw[r] = k
        trunc[r, 0] = (t << 11) | (_TS_TRUNCATED << 8) | s_all
        trunc[r, 1] = idle


@jit
def rpt_frames_kernel(words, zero_rows, cell_word, cell_shift, cell_lut, drop, tag5, n_words, out, numw, bits):
    """Repeater packets: tag5 then the 48 cells as 4E3M of ``calq >> drop``."""
    q = np.empty(48, dtype=np.int64)
    for r in range(words.shape[0]):
        _cells(words, r, zero_rows[r], cell_word, cell_shift, cell_lut, q)
        row = out[r]
        k, acc, nacc = push_bits(row, 0, 0, 0, tag5[r], 5)
        for i in range(48):
            k, acc, nacc = push_field(row, k, acc, nacc, encode_one(q[i] >> drop, 0, 4, 3), 7)
        bits[r] = 16 * k + nacc
        k = flush_bits(row, k, acc, nacc)
        _fill(row, k, 0)
        numw[r] = n_words


@jit
def stc_frames_kernel(words, zero_rows, cell_word, cell_shift, cell_lut, head4, size, idx_bits, data_shift,
                      exp_bits, mant_bits, n_groups, out, numw, bits):
    """Super-trigger-cell packets: head4, ``n_groups`` max positions, ``n_groups`` encoded sums, 32-bit padding."""
    q = np.empty(48, dtype=np.int64)
    pos = np.empty(n_groups, dtype=np.int64)
    sums = np.empty(n_groups, dtype=np.int64)
    for r in range(words.shape[0]):
        _cells(words, r, zero_rows[r], cell_word, cell_shift, cell_lut, q)
        for g in range(n_groups):
            best = q[g * size]
            at = 0
            s = 0
            for j in range(size):
                v = q[g * size + j]
                s += v
                if v >= best:  # the last maximum wins ties
                    best = v
                    at = j
            pos[g] = at
            sums[g] = encode_one(s >> data_shift, 0, exp_bits, mant_bits)
        row = out[r]
        k, acc, nacc = push_bits(row, 0, 0, 0, head4[r], 4)
        if idx_bits > 0:
            for g in range(n_groups):
                k, acc, nacc = push_field(row, k, acc, nacc, pos[g], idx_bits)
        for g in range(n_groups):
            k, acc, nacc = push_field(row, k, acc, nacc, sums[g], mant_bits + exp_bits)
        bits[r] = 16 * k + nacc
        k = flush_bits(row, k, acc, nacc)
        if k & 1:  # STC packets are padded to 32 bits
            row[k] = 0
            k += 1
        _fill(row, k, 0)
        numw[r] = k


def stc_parameters(stc_type: int, n_links: int, drop_lsb: int) -> tuple[int, int, int, int, int, int] | None:
    """(group size, index bits, data shift, exponent bits, mantissa bits, groups) or None past the type's links."""
    name, idx_bits, data_bits, max_links, groups = STC_LAYOUT[stc_type]
    if n_links > max_links:
        return None
    size = 16 if name == "STC16_9" else 4
    exp_bits, mant_bits = (5, 4) if data_bits == 9 else (4, 3)
    shift = drop_lsb if data_bits == 7 else 0
    return size, idx_bits, shift, exp_bits, mant_bits, groups[n_links - 1]


def ae_bit_selection(ae_mask: int, n_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Which latent bit fills each of the ``n_bits`` packet positions: (latent index or -1 for a zero pad, bit).

    Wire order is latent 15 first, bit 8 first; the 144-bit mask keeps position
    ``i`` when bit ``143 - i`` of ``ae_mask`` is set; the packet carries the last
    ``n_bits`` kept positions, zero-padded in front when fewer are kept.
    """
    kept = [i for i in range(144) if (ae_mask >> (143 - i)) & 1]
    kept = kept[max(len(kept) - n_bits, 0):]
    lat = np.full(n_bits, -1, dtype=np.int64)
    bit = np.zeros(n_bits, dtype=np.int64)
    start = n_bits - len(kept)
    for p, i in enumerate(kept):
        lat[start + p] = 15 - i // 9
        bit[start + p] = 8 - i % 9
    return lat, bit


@jit
def ae_pack_kernel(latent, mod_sum, tag5, sel_lat, sel_bit, out, numw, bits):
    """Autoencoder packets: tag5, 9-bit module sum, the selected latent bits (see :func:`ae_bit_selection`)."""
    for r in range(latent.shape[0]):
        row = out[r]
        k, acc, nacc = push_bits(row, 0, 0, 0, (tag5[r] << 9) | mod_sum[r], 14)
        chunk = 0
        n_chunk = 0
        for p in range(sel_lat.shape[0]):
            b = 0 if sel_lat[p] < 0 else (latent[r, sel_lat[p]] >> sel_bit[p]) & 1
            chunk = (chunk << 1) | b
            n_chunk += 1
            if n_chunk == 32:
                k, acc, nacc = push_bits(row, k, acc, nacc, chunk, 32)
                chunk = 0
                n_chunk = 0
        if n_chunk:
            k, acc, nacc = push_bits(row, k, acc, nacc, chunk, n_chunk)
        bits[r] = 16 * k + nacc
        k = flush_bits(row, k, acc, nacc)
        _fill(row, k, 0)
        numw[r] = k

