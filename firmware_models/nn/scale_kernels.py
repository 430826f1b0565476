"""One numba pass for the AXOL1TL input scaling ``((x - offset) >> shift)``.

:func:`firmware_models.nn.scores.scale_inputs` spells the scaling as three
array casts (hardware integer -> ``in_t``, wrap of the difference in ``in_t``,
shifted value -> ``out_t``). This kernel does the same three conversions per
element with the same scalar conversion the fixed-point casts use
(:func:`firmware_models.fixed._kernels._convert_one`), in one pass and with no
temporaries, so it is bit-identical by construction; the property test in
``tests/test_nn_properties.py`` checks it against the three-cast path.

When the input type wraps (``AP_WRAP``, no saturation bits) and has few integer bits
(AXOL1TL's ``ap_fixed<18,13>``: 13), an integer input only matters modulo
``2**integer``: :func:`_wrap_table` scales every such value once per (offsets,
shifts, types) with the same kernel and keeps the table for later calls, and a batch
is one gather (``tests/test_scale_table.py`` checks it against the three casts).
"""

from __future__ import annotations

import numba
import numpy as np

from firmware_models.fixed import _kernels as _fk
from firmware_models.fixed.quantize import _fast, _params
from firmware_models.fixed.types import FixedType

__all__ = ["scale_inputs_fast"]


# the same scalar conversion, inlined into this loop (same Python source, same semantics)
_conv = numba.njit(inline="always", **_fk.JIT_OPTIONS)(_fk._convert_one.py_func)


@numba.njit(**_fk.JIT_OPTIONS)
def _scale_kernel(x, off, sh, pi, po, out):
    fi, wi, si, qi, oi, ni, loi, hii = pi
    fo, wo, so, qo, oo, no, loo, hio = po
    n, m = x.shape
    offr = np.empty(m, dtype=np.int64)
    for j in range(m):
        offr[j] = _conv(np.int64(off[j]), 0, fi, wi, si, qi, oi, ni, loi, hii)
    for i in range(n):
        for j in range(m):
            xr = _conv(np.int64(x[i, j]), 0, fi, wi, si, qi, oi, ni, loi, hii)
            d = _conv(xr - offr[j], -fi, fi, wi, si, qi, oi, ni, loi, hii)
            out[i, j] = _conv(d >> sh[j], -fi, fo, wo, so, qo, oo, no, loo, hio)


@numba.njit(**_fk.JIT_OPTIONS)
def _column_ranges(x, lo, hi):
    n, m = x.shape
    for j in range(m):
        lo[j] = x[0, j]
        hi[j] = x[0, j]
    for i in range(1, n):
        for j in range(m):
            v = x[i, j]
            if v < lo[j]:
                lo[j] = v
            elif v > hi[j]:
                hi[j] = v


@numba.njit(**_fk.JIT_OPTIONS)
def _gather(x, lo, start, table, out):
    n, m = x.shape
    for i in range(n):
        for j in range(m):
            out[i, j] = table[start[j] + (np.int64(x[i, j]) - lo[j])]


#: integer bits of the input type up to which the whole-domain table is used (2**14 values)
_TABLE_BITS = 14
_TABLES: dict[tuple, tuple[np.ndarray, int, int]] = {}


def _wrap_table(off: np.ndarray, sh: np.ndarray, it: FixedType, ot: FixedType):
    """``(table (m, 2**I) int64, base, mask)``: the scaled value of every integer input
    modulo ``2**I`` (I = the input type's integer bits), or None when the input type does
    not reduce integers that way (it saturates, has N saturation bits, a negative number
    of fractional bits, or too many integer bits). With ``raw = x * 2**F`` wrapped to W
    bits, ``raw mod 2**W = (x mod 2**I) * 2**F``, so ``x`` and ``x mod 2**I`` are the same
    ``in_t`` value."""
    if it.overflow != "WRAP" or it.sat_bits or it.fractional < 0 or not 1 <= it.integer <= _TABLE_BITS:
        return None
    key = (off.tobytes(), sh.tobytes(), str(it), str(ot))
    hit = _TABLES.get(key)
    if hit is None:
        size = 1 << it.integer
        base = -(size >> 1) if it.signed else 0
        m = off.size
        values = np.ascontiguousarray(np.repeat(np.arange(base, base + size, dtype=np.int64)[:, None], m, axis=1))
        scaled = np.empty((size, m), dtype=np.int64)
        _scale_kernel(values, off, sh, _params(it), _params(ot), scaled)
        if len(_TABLES) >= 8:
            _TABLES.clear()
        hit = _TABLES[key] = (np.ascontiguousarray(scaled.T), base, size - 1)
    return hit


@numba.njit(**_fk.JIT_OPTIONS)
def _wrap_gather(x, table, base, mask, out):
    n, m = x.shape
    for i in range(n):
        for j in range(m):
            out[i, j] = table[j, (np.int64(x[i, j]) - base) & mask]


def scale_inputs_fast(x: np.ndarray, off: np.ndarray, sh: np.ndarray, it: FixedType, ot: FixedType) -> np.ndarray | None:
    """The scaled raw ``ot`` values, or None where the int64 path cannot hold the types.

    Hardware inputs take few distinct values per feature (a 12-bit pT, an 8-bit eta), so
    when the per-feature value ranges are small next to the batch, each feature's values
    ``lo..hi`` are scaled once by the same kernel into a table and the batch is a gather.
    """
    if not _fast(it, ot) or it.width > 61:
        return None
    x = np.ascontiguousarray(x)
    off, sh = off.astype(np.int64), sh.astype(np.int64)
    out = np.empty(x.shape, dtype=np.int64)
    n, m = x.shape
    wrap = _wrap_table(off, sh, it, ot) if n >= 1024 and m else None
    if wrap is not None:
        _wrap_gather(x, *wrap, out)
        return out
    if n >= 64 and m:
        lo = np.empty(m, dtype=np.int64)
        hi = np.empty(m, dtype=np.int64)
        _column_ranges(x, lo, hi)
        span = hi - lo + 1
        if int(span.sum()) * 4 <= x.size:
            start = np.concatenate([[0], np.cumsum(span)[:-1]]).astype(np.int64)
            table = np.empty((int(span.sum()), 1), dtype=np.int64)
            pi, po = _params(it), _params(ot)
            for j in range(m):
                values = np.arange(lo[j], hi[j] + 1, dtype=np.int64).reshape(-1, 1)
                _scale_kernel(values, off[j:j + 1], sh[j:j + 1], pi, po, table[start[j]:start[j] + span[j]])
            _gather(x, lo, start, table.reshape(-1), out)
            return out
    _scale_kernel(x, off, sh, _params(it), _params(ot), out)
    return out
