"""A bit writer for the fused kernels: fields appended MSB first to a row of 16-bit words.

The formatter's packets are bit strings cut into 16-bit words (first bit = the
most significant bit of word 0). The fused kernels of :mod:`.fused` and
:mod:`.fused_bc` build them with a small accumulator held in registers:
``(k, acc, nacc)`` = next word index, pending bits, number of pending bits
(``nacc < 16`` between calls).

- :func:`push_bits` appends a field of up to 48 bits and emits every completed word;
- :func:`push_field` does the same for a field of up to 16 bits without a branch:
  it always stores the would-be word at ``row[k]`` and advances ``k`` only when the
  word is complete (an incomplete store is overwritten by a later one, by
  :func:`flush_bits`, or by the idle fill), which avoids a mispredicted branch
  on every packed cell code;
- :func:`reverse_bits` mirrors an ``n``-bit field (the production channel map,
  address 0 in the least significant bit, see ``registers.CHANNEL_MAP_ORDERS``);
- :func:`flush_bits` writes the last partial word zero-padded on the right, as the
  formatter pads a packet to 16 bits.

Rows must have room for one word past the packet's last complete word
(packets are at most 25 words, rows 26). The reference twin is
:func:`.formatter._put` (ORs fields into a zeroed row); the fused kernels that
use these helpers are compared with the formatter by a property test
(tests/test_econt_fused.py), and the helpers themselves with a bit-string
spelling in tests/test_econt_blocks.py.
"""

from __future__ import annotations

from firmware_models.jit import jit

__all__ = ["MAX_FIELD_BITS", "MAX_SMALL_FIELD_BITS", "flush_bits", "push_bits", "push_field", "reverse_bits"]

#: widest field :func:`push_bits` takes: 15 pending + 48 new bits stay below 2^63
MAX_FIELD_BITS = 48
#: widest field :func:`push_field` takes: at most one word completes per call
MAX_SMALL_FIELD_BITS = 16


@jit
def push_bits(row, k, acc, nacc, value, nbits):
    """Append the ``nbits`` (<= 48) low bits of ``value``; returns the new ``(k, acc, nacc)``."""
    acc = (acc << nbits) | (value & ((1 << nbits) - 1))
    nacc += nbits
    while nacc >= 16:
        nacc -= 16
        row[k] = (acc >> nacc) & 0xFFFF
        k += 1
    acc &= (1 << nacc) - 1
    return k, acc, nacc


@jit
def push_field(row, k, acc, nacc, value, nbits):
    """Append the ``nbits`` (<= 16) low bits of ``value`` without branching; returns ``(k, acc, nacc)``."""
    acc = (acc << nbits) | (value & ((1 << nbits) - 1))
    nacc += nbits
    shift = nacc - 16
    row[k] = (acc >> (shift if shift > 0 else 0)) & 0xFFFF
    full = nacc >= 16
    nacc -= 16 if full else 0
    k += 1 if full else 0
    acc &= (1 << nacc) - 1
    return k, acc, nacc


@jit
def flush_bits(row, k, acc, nacc):
    """Write the pending bits as one last word (zeros on the right); returns the number of words used."""
    if nacc > 0:
        row[k] = (acc << (16 - nacc)) & 0xFFFF
        k += 1
    return k


@jit
def reverse_bits(value, nbits):
    """``value``'s low ``nbits`` bits in reverse order (bit 0 <-> bit nbits-1)."""
    out = 0
    for i in range(nbits):
        out |= ((value >> i) & 1) << (nbits - 1 - i)
    return out
