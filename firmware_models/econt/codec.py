"""The ECON-T floating-point codes: 4E3M input decode and the xEyM encoders.

The HGCROC sends each trigger cell as a 7-bit 4E3M code (4 exponent, 3
mantissa bits). The ECON-T decodes it to a linear charge, shifting left by the
bits the ROC dropped (3 for high-density modules, 1 for low density) and adding
half of the lost LSB ("midpoint rounding"). After calibration and the algorithm,
charges are re-encoded: 4E3M (7 bit) for cell charges, 5E3M (8 bit) for the
module sum of threshold-sum / best-choice, 5E4M (9 bit) for super-trigger-cell
sums and the autoencoder's module sum.

Conventions (as data, :data:`CONVENTIONS`), all from the public reference
emulator, cmantill/ECONT_Emulator commit 357cfef, ``Utils/encode.py``:

- decode: ``exp = code >> M``, ``mant = code & (2^M-1)``;
  value = ``mant`` if ``exp == 0`` else ``(mant + 2^M) << (exp - 1)``; then
  ``<< dropped``; then ``+ 2^(k-1)`` with ``k = max(exp-1, 0) + dropped`` when
  ``k > 0`` (midpoint of the truncated interval).
- encode (rounding off, as every algorithm calls it): with ``n`` the bit length of
  the (non-negative) value and ``e = n - M - drop``: ``e <= 0`` gives
  ``value >> drop`` with exponent 0; ``1 <= e < 2^E`` gives exponent ``e`` and the
  ``M`` bits after the leading one (truncated); ``e >= 2^E`` saturates to all ones.

:func:`encode` (numba kernel :func:`encode_kernel`) and :func:`decode_4e3m`
(vectorized; :func:`decode_table` for lookups) are the fast path;
:func:`encode_scalar` / :func:`decode_scalar` are plain-integer reference twins,
compared by a property test.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from firmware_models.errors import ModelFormatError

from firmware_models.jit import jit

__all__ = [
    "CONVENTIONS",
    "FORMATS",
    "bit_length",
    "decode_4e3m",
    "decode_table",
    "encode_kernel",
    "encode_one",
    "decode_scalar",
    "encode",
    "encode_scalar",
]

CONVENTIONS = {
    "decode_rounding": "midpoint: add 2^(max(exp-1,0)+dropped-1) when that exponent >= 0",
    "encode_rounding": "truncate (roundBits=False in every algorithm call)",
    "encode_overflow": "saturate to all ones when the exponent does not fit",
    "dropped_bits_by_density": {"high": 3, "low": 1},
    "source": "cmantill/ECONT_Emulator@357cfef Utils/encode.py (encode, decode)",
}

#: name -> (exponent bits, mantissa bits)
FORMATS = {"4E3M": (4, 3), "5E3M": (5, 3), "5E4M": (5, 4)}

_MAX_EXACT = 1 << 52  # far above any ECON-T charge or sum; keeps shifts well inside int64


@intrinsic
def _count_leading_zeros(typingctx, v):
    """LLVM ``ctlz`` on an int64 (64 for 0): one instruction where the CPU has one."""
    if v != types.int64:
        return None

    def codegen(context, builder, signature, args):
        return builder.ctlz(args[0], ir.Constant(ir.IntType(1), 0))

    return types.int64(types.int64), codegen


@jit
def bit_length(v):
    """Bit length of a non-negative int64 (0 -> 0), Python's ``int.bit_length``."""
    return 64 - _count_leading_zeros(np.int64(v))


@jit
def encode_one(v, drop, exp_bits, mant_bits):
    """One value -> its code (the rule in the module docstring), written without branches:
    the three cases are computed and selected, which the compiler turns into conditional moves
    (the case depends on the data, so a branch would be mispredicted about half the time)."""
    e = bit_length(v) - mant_bits - drop
    shift = e - 1 + drop
    normal = (e << mant_bits) | ((v >> (shift if shift > 0 else 0)) & ((1 << mant_bits) - 1))
    coded = normal if e < (1 << exp_bits) else (1 << (exp_bits + mant_bits)) - 1
    return (v >> drop) if e <= 0 else coded


@jit
def encode_kernel(values, drop, exp_bits, mant_bits, out):
    """Encode a flat int64 array into ``out``."""
    for i in range(values.shape[0]):
        out[i] = encode_one(values[i], drop, exp_bits, mant_bits)


def encode(values, drop_bits: int, exp_bits: int, mant_bits: int) -> np.ndarray:
    """Encode non-negative integers to ``exp_bits``E``mant_bits``M codes (int64 array)."""
    v = np.asarray(values, dtype=np.int64)
    if v.size and (v.min() < 0 or v.max() >= _MAX_EXACT):
        msg = (
            f"encode: values must lie in [0, 2^52), got min {v.min()} max {v.max()}; "
            "ECON-T charges are at most 22 bits and sums at most 28 bits"
        )
        raise ModelFormatError(msg)
    flat = np.ascontiguousarray(v).reshape(-1)
    out = np.empty_like(flat)
    encode_kernel(flat, int(drop_bits), int(exp_bits), int(mant_bits), out)
    return out.reshape(v.shape)


def decode_table(dropped_bits: int) -> np.ndarray:
    """The 128 decoded charges of all 7-bit codes for one density (a lookup table)."""
    return decode_4e3m(np.arange(128), dropped_bits)


def decode_4e3m(codes, dropped_bits) -> np.ndarray:
    """Decode 7-bit 4E3M codes to linear charges with midpoint rounding (int64)."""
    c = np.asarray(codes, dtype=np.int64)
    if c.size and (c.min() < 0 or c.max() > 127):
        msg = f"decode_4e3m: codes must be 7-bit (0..127), got min {c.min()} max {c.max()}"
        raise ModelFormatError(msg)
    dropped = np.asarray(dropped_bits, dtype=np.int64)
    exp = c >> 3
    mant = c & 7
    data = np.where(exp > 0, (mant + 8) << np.maximum(exp - 1, 0), mant) << dropped
    k = np.maximum(exp - 1, 0) + dropped
    return data + np.where(k > 0, np.int64(1) << np.maximum(k - 1, 0), 0)


def encode_scalar(value: int, drop_bits: int, exp_bits: int, mant_bits: int) -> int:
    """Reference twin of :func:`encode` on one Python int, spelled as the spec reads."""
    binary = bin(value)[2:] if value > 0 else ""
    if len(binary) <= mant_bits + drop_bits:
        return value >> drop_bits
    exponent = len(binary) - mant_bits - drop_bits
    if exponent >= 2**exp_bits:
        return 2 ** (exp_bits + mant_bits) - 1
    mantissa = int(binary[1 : 1 + mant_bits], 2)
    return (exponent << mant_bits) | mantissa


def decode_scalar(code: int, dropped_bits: int, exp_bits: int = 4, mant_bits: int = 3) -> int:
    """Reference twin of :func:`decode_4e3m` on one Python int."""
    exponent, mantissa = code >> mant_bits, code % 2**mant_bits
    if exponent == 0:
        value = mantissa
    else:
        value = (2**mant_bits + mantissa) * 2 ** (exponent - 1)
    value *= 2**dropped_bits
    lost = max(exponent - 1, 0) + dropped_bits
    if lost > 0:
        value += 2 ** (lost - 1)
    return value
