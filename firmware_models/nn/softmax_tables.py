"""hls4ml's softmax tables and the bit-slice index that addresses them, as raw integers.

The latency and stable softmax (``nnet_activation.h``) address their tables with the top
``N = ceillog2(table_size)`` bits of a fixed-point value:

- :func:`slice_index` is ``softmax_idx_from_real_val<data_T, table_size>(x)``:
  ``(unsigned)x(W-1, W-N)``, i.e. ``(raw mod 2**W) >> (W - N)``;
- ``softmax_real_val_from_idx<data_T, table_size>(i)`` is the inverse: ``data_T`` with its
  top N bits set to ``i`` and the rest 0, read as float (:func:`slice_values`).

``init_exp_table<addr_t, CONFIG_T>(table, negative)`` writes
``exp_table_t(expf(v * exp_scale))`` (``expf(-(v * exp_scale))`` when negative; the
product in float) over those values, ``init_invert_table<addr_t, CONFIG_T>`` writes
``inv_table_t((float)(1 / v))`` (float division: ``v == 0`` gives +inf, which ap_fixed
saturates or wraps to 0). The legacy softmax uses the element-wise tables
:func:`~firmware_models.nn.tables.exp_table` and
:func:`~firmware_models.nn.tables.invert_table_legacy` in ``table_t``.

:func:`softmax_tables` returns the pair a softmax layer uses. Its arguments and the
config-struct fields (``struct softmax_config<k> : nnet::activ_config``) they come from:

- ``variant`` -- :mod:`~firmware_models.nn.nnet_variants` (``softmax_tables`` feature);
- ``implementation`` -- ``implementation = nnet::softmax_implementation::<latency|stable|legacy|argmax>``;
- ``in_t`` -- the call's ``data_T``;
- ``exp_table_t``, ``inv_table_t`` -- ``typedef ... exp_table_t; typedef ... inv_table_t;``
  (hls4ml default ``ap_fixed<18,8,AP_RND,AP_SAT>``);
- ``exp_table_size``, ``inv_table_size`` -- the fields of those names (split variants); in
  the shared variants both are ``table_size``;
- ``inv_inp_t`` -- ``typedef ... inv_inp_t`` (split; the shared variants address the
  inversion table with ``exp_table_t``, pass None);
- ``inp_norm_t`` -- ``typedef ... inp_norm_t`` (split stable only);
- ``exp_scale`` -- ``static constexpr float exp_scale`` (split; default 1.0);
- ``table_t`` -- ``typedef ... table_t`` (legacy only; default ``ap_fixed<18,8>``).
"""

from __future__ import annotations

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType, as_type, quantize
from firmware_models.nn.nnet_variants import as_variant
from firmware_models.nn.tables import exp_table, expf, invert_table_legacy

__all__ = ["ceillog2", "slice_index", "slice_values", "exp_table_sliced", "invert_table_sliced",
           "softmax_tables", "IMPLEMENTATIONS"]

#: ``enum class softmax_implementation { latency = 0, legacy = 1, stable = 2, argmax = 3 }``
IMPLEMENTATIONS = ("latency", "legacy", "stable", "argmax")


def ceillog2(x: int) -> int:
    """``nnet_helpers.h`` ``ceillog2``: ``x <= 2 ? 1 : 1 + ceillog2((x + 1) / 2)``."""
    n = 1
    while x > 2:
        x = (x + 1) // 2
        n += 1
    return n


def _bits(addr_t: FixedType, size: int, what: str) -> int:
    n = ceillog2(int(size))
    if n > addr_t.width:
        msg = (f"{what}: a table of {size} entries needs {n} address bits, more than the {addr_t.width} bits "
               f"of {addr_t}; hls4ml's fix_softmax_table_size limits table_size to 2**width -- lower the table size")
        raise ModelFormatError(msg)
    return n


def slice_index(raw, addr_t, size: int) -> np.ndarray:
    """``softmax_idx_from_real_val<addr_t, size>``: the top ``ceillog2(size)`` bits of the raw value."""
    t = as_type(addr_t)
    n = _bits(t, size, "softmax table index")
    r = np.asarray(raw)
    if t.width <= 62 and r.dtype != object:
        return (r.astype(np.int64) & ((1 << t.width) - 1)) >> (t.width - n)
    out = [(int(v) % (1 << t.width)) >> (t.width - n) for v in r.reshape(-1).tolist()]
    return np.array(out, dtype=np.int64).reshape(r.shape)


def slice_values(addr_t, size: int) -> np.ndarray:
    """``softmax_real_val_from_idx<addr_t, size>(i)`` for every i < size, as float32 values (in float64)."""
    t = as_type(addr_t)
    n = _bits(t, size, "softmax table")
    vals = []
    for i in range(int(size)):
        raw = i << (t.width - n)
        if t.signed and raw >> (t.width - 1):
            raw -= 1 << t.width
        vals.append(float(np.float32(raw * 2.0 ** -t.fractional)))
    return np.array(vals, dtype=np.float64)


def exp_table_sliced(addr_t, size: int, exp_table_t, *, negative: bool = False, exp_scale: float = 1.0,
                     scaled: bool = True) -> np.ndarray:
    """``init_exp_table<addr_t>``: raw ``exp_table_t`` of ``expf(+-(v * exp_scale))`` for ``size`` entries.

    ``scaled=False`` is the shared-table generation (no ``exp_scale``, never negative).
    """
    et = as_type(exp_table_t)
    vs = slice_values(addr_t, size)
    scale = np.float32(exp_scale)
    out = []
    for v in vs:
        x = float(np.float32(np.float32(v) * scale)) if scaled else float(v)
        if negative:
            x = -x
        out.append(expf(x))
    return quantize(np.array(out, dtype=np.float64), et, context="softmax exp table")


def invert_table_sliced(addr_t, size: int, inv_table_t) -> np.ndarray:
    """``init_invert_table<addr_t>``: raw ``inv_table_t`` of ``(float)(1 / v)`` for ``size`` entries."""
    it = as_type(inv_table_t)
    vs = slice_values(addr_t, size).astype(np.float32)
    with np.errstate(divide="ignore"):
        inv = np.float32(1) / vs
    return quantize(inv.astype(np.float64), it, context="softmax invert table")


def softmax_tables(variant, implementation: str, *, in_t, exp_table_t="ap_fixed<18,8,AP_RND,AP_SAT>",
                   inv_table_t="ap_fixed<18,8,AP_RND,AP_SAT>", exp_table_size: int = 1024,
                   inv_table_size: int = 1024, inv_inp_t=None, inp_norm_t=None, exp_scale: float = 1.0,
                   table_t="ap_fixed<18,8>") -> tuple[np.ndarray, np.ndarray]:
    """(exp table, invert table) raw entries of a softmax layer (see the module docstring)."""
    v = as_variant(variant)
    if implementation not in IMPLEMENTATIONS:
        msg = f"softmax implementation {implementation!r} unknown; expected one of {', '.join(IMPLEMENTATIONS)}"
        raise ModelFormatError(msg)
    if implementation == "argmax":
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    if implementation == "legacy":
        return exp_table(int(exp_table_size), table_t), invert_table_legacy(int(inv_table_size), table_t)
    if v.softmax_tables == "shared":
        if int(exp_table_size) != int(inv_table_size):
            msg = (f"{v.name} softmax has one table_size for both tables; got exp {exp_table_size} and "
                   f"inv {inv_table_size}")
            raise ModelFormatError(msg)
        return (exp_table_sliced(in_t, exp_table_size, exp_table_t, scaled=False),
                invert_table_sliced(exp_table_t, inv_table_size, inv_table_t))
    if inv_inp_t is None:
        msg = f"{v.name} softmax needs inv_inp_t (the typedef in the softmax config)"
        raise ModelFormatError(msg)
    if implementation == "stable":
        if inp_norm_t is None:
            msg = f"{v.name} stable softmax needs inp_norm_t (the typedef in the softmax config)"
            raise ModelFormatError(msg)
        exp = exp_table_sliced(inp_norm_t, exp_table_size, exp_table_t, negative=True, exp_scale=exp_scale)
    else:
        exp = exp_table_sliced(in_t, exp_table_size, exp_table_t, exp_scale=exp_scale)
    return exp, invert_table_sliced(inv_inp_t, inv_table_size, inv_table_t)
