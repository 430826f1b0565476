"""The ECON-T output buffer: a FIFO of 16-bit words with T1/T2/T3 truncation.

Each BX (in order: this block is the sequential scan of the chip), with ``Nbuf``
the words held and ``NBXc`` the words of the new packet:

1. ``Nbuf + NBXc > T1``: write the 2-word truncated packet with bit 8 cleared;
2. else ``Nbuf > T2`` and ``NBXc <= T3``: truncated packet with bit 8 set;
3. else ``Nbuf > T2`` (``NBXc > T3``) or 4. ``Nbuf <= T2``: write the full packet.

A truncated write advances the write pointer by 1 word, a full one by ``NBXc``
(the formatter's 26 words are all written, so a short buffer is read out with the
packet's idle padding behind it). Then the first ``2 x links`` words leave on the
output links (two 16-bit words per 32-bit link word, first word in the high
half), the memory shifts down by that many words (the top words keep their old
contents) and the pointer drops by the same amount, not below 0.
Source: cmantill/ECONT_Emulator@357cfef ``ASICBlocks/BufferBlock.py`` (400-word
memory; it starts filled with -1 there, with 0 here: the first BX always writes
26 words, so the initial contents never reach the links).

Overflow (:data:`OVERFLOW_RULE`): T1 and T2 are 16-bit registers, so they may exceed the
400-word memory. Words written past its top are lost, while the write pointer still
advances by the full packet (the upstream vectors with T1 = 432..505,
econt_test-vectors 37a3450 counterPatternInTC_MRLBuf/*_MRL18_*, counterPatternInTC_fillBuf/*_T1480*,
*_T1505*, counterPatternInTC_by2/TS_Thr47_12eTx, are reproduced exactly only this way; a
larger memory changes 227-783 words of each). Lost packet words are counted per BX
(:attr:`BufferOutput.lost_words`), never dropped silently.

:func:`buffer_scan` is the numba kernel (the memory as a ring: the shift is a
pointer move plus a copy of ``2 x links`` words), :func:`buffer_scan_reference`
its plain twin (the full shift of the list, as the reference emulator does it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from firmware_models.errors import ModelFormatError

from firmware_models.jit import jit
from .formatter import MAX_WORDS
from .registers import BUFFER_DEPTH_WORDS, MAX_LINKS_OUT

__all__ = ["BufferState", "BufferOutput", "OVERFLOW_RULE", "TRUNCATION_CONDITIONS", "buffer_scan", "buffer_scan_reference", "run_buffer"]

TRUNCATION_CONDITIONS = {
    1: "Nbuf + NBXc > T1: truncated, bit 8 = 0",
    2: "Nbuf + NBXc <= T1, Nbuf > T2, NBXc <= T3: truncated, bit 8 = 1",
    3: "Nbuf + NBXc <= T1, Nbuf > T2, NBXc > T3: full packet",
    4: "Nbuf + NBXc <= T1, Nbuf <= T2: full packet",
}

#: what a write past the 400-word memory does (see the module docstring for the evidence)
OVERFLOW_RULE = {"words_past_top": "lost", "write_pointer": "advances by the full packet",
                 "source": "econt_test-vectors 37a3450 counterPatternInTC_MRLBuf README: 'we should lose 5 words?'"}


@dataclass
class BufferState:
    contents: np.ndarray = field(default_factory=lambda: np.zeros(BUFFER_DEPTH_WORDS, dtype=np.int64))
    write_pointer: int = 0
    high_water: int = 0


@dataclass(frozen=True)
class BufferOutput:
    tx: np.ndarray  # (n, 13) uint32 link words
    truncated: np.ndarray  # (n,) bool
    n_buf: np.ndarray  # (n,) words held before this BX's write
    occupancy: np.ndarray  # (n,) words held after this BX's read-out
    condition: np.ndarray  # (n,) 1..4, see TRUNCATION_CONDITIONS
    lost_words: np.ndarray  # (n,) packet words of this BX written past the top of the memory (lost)


@jit
def _slot(head, j, depth):
    """Physical index of logical word ``j`` (< depth) in a ring whose logical word 0 is at ``head``."""
    x = head + j
    return x - depth if x >= depth else x


@jit
def buffer_scan(words, numw, trunc, n_links, t1, t2, t3, contents, wp, tx, truncated, n_buf, occupancy, condition,
                lost):
    """Run the buffer over all rows; returns the final write pointer (``contents`` updated in place).

    The memory is kept as a ring (logical word ``j`` at ``ring[(head + j) % depth]``),
    so the per-BX shift by ``drain = 2 x links`` words is a move of ``head`` plus a copy
    of the ``drain`` top words, which keep their old contents (the words that wrap
    round to the top of the ring are the ones just read out; the copy puts the old
    top back over them). Source and destination of that copy do not overlap while
    ``2 x drain <= depth`` (:func:`run_buffer` checks it).
    """
    depth = contents.shape[0]
    drain = 2 * n_links
    n_words = words.shape[1]
    ring = contents.copy()
    head = 0
    for r in range(words.shape[0]):
        nb = numw[r]
        n_buf[r] = wp
        if wp + nb > t1 or (wp > t2 and nb <= t3):
            c = 1 if wp + nb > t1 else 2
            w0 = trunc[r, 0] & ~256 if c == 1 else trunc[r, 0] | 256
            if wp < depth:
                ring[_slot(head, wp, depth)] = w0
            if wp + 1 < depth:
                ring[_slot(head, wp + 1, depth)] = trunc[r, 1]
            lost[r] = max(0, min(1, wp + 1 - depth))
            wp += 1
            truncated[r] = True
        else:
            c = 3 if wp > t2 else 4
            for k in range(min(n_words, depth - wp) if wp < depth else 0):
                ring[_slot(head, wp + k, depth)] = words[r, k]
            lost[r] = max(0, min(nb, wp + nb - depth))
            wp += nb
            truncated[r] = False
        condition[r] = c
        for link in range(n_links):
            tx[r, link] = (ring[_slot(head, 2 * link, depth)] << 16) | ring[_slot(head, 2 * link + 1, depth)]
        # shift down by `drain`: the new top words (old logical 0 .. drain-1) get the old top words back
        for i in range(drain):
            ring[_slot(head, i, depth)] = ring[_slot(head, depth - drain + i, depth)]
        head = _slot(head, drain, depth)
        wp = max(wp - drain, 0)
        occupancy[r] = wp
    for j in range(depth):
        contents[j] = ring[_slot(head, j, depth)]
    return wp


def buffer_scan_reference(words, numw, trunc, n_links, t1, t2, t3, contents, wp):
    """Plain twin of :func:`buffer_scan` on Python lists; returns (tx rows, truncated, final wp, contents, lost)."""
    mem = [int(x) for x in contents]
    rows, flags, lost = [], [], []
    for r in range(len(words)):
        nb = int(numw[r])
        if wp + nb > t1:
            block, step, cut = [int(trunc[r][0]) & ~256, int(trunc[r][1])], 1, True
        elif wp > t2 and nb <= t3:
            block, step, cut = [int(trunc[r][0]) | 256, int(trunc[r][1])], 1, True
        else:
            block, step, cut = [int(x) for x in words[r]], nb, False
        kept = 1 if cut else nb
        lost.append(sum(1 for k in range(kept) if wp + k >= len(mem)))
        for k, x in enumerate(block):
            if wp + k < len(mem):
                mem[wp + k] = x
        wp += step
        rows.append([(mem[2 * i] << 16) | mem[2 * i + 1] for i in range(n_links)])
        flags.append(cut)
        mem = mem[2 * n_links:] + mem[len(mem) - 2 * n_links:]
        wp = max(wp - 2 * n_links, 0)
    return rows, flags, wp, mem, lost


def run_buffer(frames, *, n_links: int, t1: int, t2: int, t3: int, state: BufferState) -> BufferOutput:
    """Scan the buffer over a batch of formatter frames, updating ``state`` in place."""
    n = frames.numw.shape[0]
    tx = np.zeros((n, MAX_LINKS_OUT), dtype=np.uint32)
    truncated = np.zeros(n, dtype=np.bool_)
    n_buf = np.zeros(n, dtype=np.int64)
    occ = np.zeros(n, dtype=np.int64)
    cond = np.zeros(n, dtype=np.int64)
    lost = np.zeros(n, dtype=np.int64)
    words = np.ascontiguousarray(frames.words)
    if words.ndim != 2 or words.shape[1] != MAX_WORDS or words.dtype.kind not in "ui":
        msg = f"formatter frames must be integer words, {MAX_WORDS} per BX, got {words.dtype} {words.shape}"
        raise ModelFormatError(msg)
    if 4 * n_links > state.contents.shape[0]:
        msg = (f"buffer of {state.contents.shape[0]} words cannot drain {2 * n_links} words per BX as a ring; "
               f"it needs at least {4 * n_links} words")
        raise ModelFormatError(msg)
    state.write_pointer = int(
        buffer_scan(words, np.ascontiguousarray(frames.numw, dtype=np.int64), np.ascontiguousarray(frames.trunc, dtype=np.int64),
                    n_links, t1, t2, t3, state.contents, state.write_pointer, tx, truncated, n_buf, occ, cond, lost)
    )
    if n:
        written = np.where(truncated, 1, frames.numw)
        state.high_water = max(state.high_water, int((n_buf + written).max()))
    return BufferOutput(tx=tx, truncated=truncated, n_buf=n_buf, occupancy=occ, condition=cond, lost_words=lost)
