"""The formatter: each BX's algorithm output packed into a packet of 16-bit words.

A packet is a bit string, most significant bit first, cut into 16-bit words;
:class:`Frames` holds, per BX, the 26 words the formatter hands the buffer (the
packet, then the BX's *idle word* as padding), the number of words the buffer
keeps (``numw``), the two words of the truncated packet, and the packet length
in bits. Layouts (tag5 = :func:`~.elinks.bx_tag5`, head4 = :func:`~.elinks.header4`):

- threshold-sum: ``tag5 | type(3) | sum(8)`` then, for 1..7 cells, ``count(3)``,
  6-bit addresses and 7-bit codes; for 8+ cells a 48-bit map and the codes.
  Type 000 empty, 010 low occupancy, 100 high occupancy; 110 (truncated) is
  ``tag5 | 110 | sum_all(8)``. Padded with zeros to 16 bits, then with the idle
  word ``tag5 << 11 | tx_sync_word``; ``numw`` = packet words.
- best-choice: ``head4 | sum(8) |`` 6-bit addresses (< 8 cells) or 48-bit map,
  then the 7-bit codes in address order; ``numw`` = 2 x links (25 for 13 links).
- the 48-bit map (both algorithms) is written address 0 first on the prototype and
  address 47 first on the production chip (``map_address0_lsb``;
  :data:`~.registers.CHANNEL_MAP_ORDERS` gives the evidence); codes stay in address order.
- STC: ``head4 |`` addresses then sums of the first ``n_stc`` groups, padded to
  32 bits; types beyond their link range send nothing (``numw`` = 2).
- repeater: ``tag5 |`` 48 x 7 bits; ``numw`` = 2 x links.
- autoencoder: ``tag5 | sum(9) |`` the last ``min(18 + 32 (links-1), 146)`` latent
  bits kept by the 144-bit mask; ``numw`` = packet words.

Source: cmantill/ECONT_Emulator@357cfef ``ASICBlocks/Formatter.py``. The kernels
are numba; tests/test_econt_blocks.py spells the same packets as bit strings, and
the fused kernels of :mod:`.fused` / :mod:`.fused_bc` are checked against these.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from firmware_models.jit import jit
from .algorithms.best_choice import TC_PER_LINK
from .codec import encode
from .registers import MAX_LINKS_OUT

__all__ = [
    "Frames",
    "MAX_WORDS",
    "STC_GROUPS",
    "STC_LAYOUT",
    "TS_TYPE",
    "ae_bits_per_links",
    "format_threshold_sum",
    "format_best_choice",
    "format_stc",
    "format_repeater",
    "format_autoencoder",
]

MAX_WORDS = 2 * MAX_LINKS_OUT
TS_TYPE = {"empty": 0b000, "low": 0b010, "high": 0b100, "truncated": 0b110}
#: stc_type -> (name, address bits, data bits, max links, groups sent for 1..max links)
STC_LAYOUT = {
    0: ("STC4_9", 2, 9, 5, (2, 5, 8, 11, 12)),
    1: ("STC16_9", 4, 9, 2, (2, 3)),
    2: ("CTC4_7", 0, 7, 3, (4, 8, 12)),
    3: ("STC4_7", 2, 7, 4, (3, 6, 10, 12)),
}
STC_GROUPS = STC_LAYOUT  # alias kept for readers looking for "groups"


@dataclass(frozen=True)
class Frames:
    words: np.ndarray  # (n, 26) int64 16-bit words: packet then idle padding
    numw: np.ndarray  # (n,) int64 words the buffer keeps
    trunc: np.ndarray  # (n, 2) int64 truncated packet (two 16-bit words)
    bits: np.ndarray  # (n,) int64 packet length in bits


@jit
def _put(out, r, pos, value, nbits):
    """Write the ``nbits`` low bits of ``value`` at bit ``pos`` of row ``r`` (MSB first), word by word."""
    left = nbits
    while left > 0:
        room = 16 - (pos & 15)
        take = room if room < left else left
        chunk = (value >> (left - take)) & ((1 << take) - 1)
        out[r, pos >> 4] |= chunk << (room - take)
        pos += take
        left -= take
    return pos


@jit
def _pack_cells(head, head_bits, mask, codes, sums, ts_mode, map_lsb0, out, bits):
    """Threshold-sum (ts_mode) or best-choice packets from a cell mask and per-cell codes.

    The 48-bit channel map is written address 0 first, or address 47 first when ``map_lsb0``
    (production ECON-T, ``registers.CHANNEL_MAP_ORDERS``).
    """
    for r in range(mask.shape[0]):
        n = 0
        for a in range(48):
            n += mask[r, a]
        pos = _put(out, r, 0, head[r], head_bits)
        if ts_mode:
            typ = 0 if n == 0 else (2 if n < 8 else 4)
            pos = _put(out, r, pos, typ, 3)
        pos = _put(out, r, pos, sums[r], 8)
        if n == 0 and ts_mode:
            bits[r] = pos
            continue
        if n < 8:
            if ts_mode:
                pos = _put(out, r, pos, n, 3)
            for a in range(48):
                if mask[r, a]:
                    pos = _put(out, r, pos, a, 6)
        else:
            for j in range(48):
                pos = _put(out, r, pos, mask[r, 47 - j if map_lsb0 else j], 1)
        for a in range(48):
            if mask[r, a]:
                pos = _put(out, r, pos, codes[r, a], 7)
        bits[r] = pos


@jit
def _pack_groups(head, idx, idx_bits, data, data_bits, n_groups, out, bits):
    """STC packets: head4, ``n_groups`` addresses then ``n_groups`` sums, padded to 32 bits."""
    for r in range(head.shape[0]):
        pos = _put(out, r, 0, head[r], 4)
        for g in range(n_groups):
            pos = _put(out, r, pos, idx[r, g], idx_bits)
        for g in range(n_groups):
            pos = _put(out, r, pos, data[r, g], data_bits)
        bits[r] = pos


@jit
def _pack_fields(head, head_bits, values, value_bits, out, bits):
    """A header then each entry of ``values`` with ``value_bits`` bits (repeater, AE bit arrays)."""
    for r in range(head.shape[0]):
        pos = _put(out, r, 0, head[r], head_bits)
        for k in range(values.shape[1]):
            pos = _put(out, r, pos, values[r, k], value_bits[k])
        bits[r] = pos


@jit
def _fill_idle(out, bits, idle, pad_to):
    for r in range(out.shape[0]):
        used = ((bits[r] + pad_to - 1) // pad_to) * pad_to // 16
        for k in range(used, out.shape[1]):
            out[r, k] = idle[r]


def _finish(out, bits, idle, numw, pad_to=16) -> Frames:
    _fill_idle(out, bits, np.ascontiguousarray(idle, dtype=np.int64), pad_to)
    numw = np.broadcast_to(np.asarray(numw, dtype=np.int64), bits.shape).copy()
    return Frames(words=out, numw=numw, trunc=np.zeros((bits.shape[0], 2), dtype=np.int64), bits=bits)


def _alloc(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros((n, MAX_WORDS), dtype=np.int64), np.zeros(n, dtype=np.int64)


def format_threshold_sum(ts, tag5, *, use_sum: bool, tx_sync_word: int, map_address0_lsb: bool = False) -> Frames:
    """Threshold-sum frames; ``tx_sync_word`` is the 11-bit idle pattern of the padding words."""
    n = tag5.shape[0]
    out, bits = _alloc(n)
    sums = np.ascontiguousarray(ts.sum_all if use_sum else ts.sum_not_sent, dtype=np.int64)
    mask = np.ascontiguousarray(ts.passed, dtype=np.int64)
    _pack_cells(np.ascontiguousarray(tag5, dtype=np.int64), 5, mask, np.ascontiguousarray(ts.codes), sums, True, map_address0_lsb, out, bits)
    idle = (tag5 << 11) | tx_sync_word
    f = _finish(out, bits, idle, -(-bits // 16))
    trunc = np.stack([(tag5 << 11) | (TS_TYPE["truncated"] << 8) | ts.sum_all, idle], axis=1)
    return Frames(words=f.words, numw=f.numw, trunc=trunc.astype(np.int64), bits=bits)


def format_best_choice(bc, head4, *, n_links: int, use_sum: bool, map_address0_lsb: bool = False) -> Frames:
    n = head4.shape[0]
    n_tc = TC_PER_LINK[n_links]
    mask = np.zeros((n, 48), dtype=np.int64)
    np.put_along_axis(mask, bc.sorted_addr[:, :n_tc], 1, axis=1)
    total = bc.sorted_charges.sum(axis=1)
    sums = encode(total if use_sum else bc.sorted_charges[:, n_tc:].sum(axis=1), 0, 5, 3)
    out, bits = _alloc(n)
    codes = np.ascontiguousarray(encode(bc.charges, 0, 4, 3))
    _pack_cells(np.ascontiguousarray(head4, dtype=np.int64), 4, mask, codes, sums, False, map_address0_lsb, out, bits)
    numw = 2 * n_links if n_links < MAX_LINKS_OUT else 25
    return _finish(out, bits, np.zeros(n, dtype=np.int64), numw)


def format_stc(stc, head4, *, stc_type: int, n_links: int) -> Frames:
    name, idx_bits, data_bits, max_links, groups = STC_LAYOUT[stc_type]
    n = head4.shape[0]
    out, bits = _alloc(n)
    if n_links > max_links:
        return Frames(words=out, numw=np.full(n, 2, dtype=np.int64), trunc=np.zeros((n, 2), dtype=np.int64), bits=bits)
    n_groups = groups[n_links - 1]
    idx = {"STC4_9": stc.max4, "STC16_9": stc.max16, "CTC4_7": stc.max4, "STC4_7": stc.max4}[name]
    data = {"STC4_9": stc.sum4_9, "STC16_9": stc.sum16_9, "CTC4_7": stc.sum4_7, "STC4_7": stc.sum4_7}[name]
    _pack_groups(np.ascontiguousarray(head4, dtype=np.int64), np.ascontiguousarray(idx), idx_bits,
                 np.ascontiguousarray(data), data_bits, n_groups, out, bits)
    padded = -(-bits // 32) * 32
    return _finish(out, bits, np.zeros(n, dtype=np.int64), padded // 16, pad_to=32)


def format_repeater(codes, tag5, *, n_links: int) -> Frames:
    n = tag5.shape[0]
    out, bits = _alloc(n)
    widths = np.full(48, 7, dtype=np.int64)
    _pack_fields(np.ascontiguousarray(tag5, dtype=np.int64), 5, np.ascontiguousarray(codes, dtype=np.int64), widths, out, bits)
    return _finish(out, bits, np.zeros(n, dtype=np.int64), 2 * n_links)


def ae_bits_per_links(n_links: int) -> int:
    """Latent bits an autoencoder packet carries on ``n_links`` links."""
    return min(18 + 32 * (n_links - 1), 146)


def format_autoencoder(latent, mod_sum, tag5, *, ae_mask: int, n_links: int) -> Frames:
    """``latent`` (n, 16) 9-bit values (latent 15 first on the wire), ``mod_sum`` (n,) 5E4M."""
    n = tag5.shape[0]
    lat = np.asarray(latent, dtype=np.int64)[:, ::-1]
    all_bits = ((lat[:, :, None] >> np.arange(8, -1, -1)[None, None, :]) & 1).reshape(n, 144)
    keep = np.array([(ae_mask >> (143 - i)) & 1 for i in range(144)], dtype=bool)
    kept = all_bits[:, keep]
    n_bits = ae_bits_per_links(n_links)
    if kept.shape[1] >= n_bits:
        data = kept[:, kept.shape[1] - n_bits:]
    else:
        data = np.concatenate([np.zeros((n, n_bits - kept.shape[1]), dtype=np.int64), kept], axis=1)
    values = np.concatenate([np.asarray(mod_sum, dtype=np.int64)[:, None], data], axis=1)
    widths = np.concatenate([[9], np.ones(n_bits, dtype=np.int64)]).astype(np.int64)
    out, bits = _alloc(n)
    _pack_fields(np.ascontiguousarray(tag5, dtype=np.int64), 5, np.ascontiguousarray(values), widths, out, bits)
    return _finish(out, bits, np.zeros(n, dtype=np.int64), -(-bits // 16))
