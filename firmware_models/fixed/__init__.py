"""Fixed-point numbers as hls4ml's ap_fixed: types, and exact arithmetic on raw int64 integers.

A value is a raw integer (mantissa) plus a :class:`FixedType`; floats appear only
at the edges (:func:`quantize` in, :func:`to_float` out). Submodules:

- :mod:`~firmware_models.fixed.types` -- :class:`FixedType` (parse/print hls4ml
  spellings), result types of ``+ - *``, and :data:`CONVENTIONS` (every rounding
  and overflow rule, with the upstream header line defining it);
- :mod:`~firmware_models.fixed.quantize` -- double -> raw, raw -> raw (cast),
  overflow only, raw -> double; dispatches to
- :mod:`~firmware_models.fixed._kernels` -- numba kernels for widths <= 62, and
- :mod:`~firmware_models.fixed.exact` -- the exact Python-int path (any width; also the
  reference twin of the kernels);
- :mod:`~firmware_models.fixed.ops` -- add, sub, mul with full-precision result types;
  wrap, saturate.

The NN encoder (:mod:`firmware_models.nn`) builds on these.
"""

from __future__ import annotations

from firmware_models.fixed._kernels import MAX_FAST_WIDTH
from firmware_models.fixed.ops import add, mul, saturate, sub, wrap
from firmware_models.fixed.quantize import RawRangeError, apply_overflow, as_type, cast, quantize, to_float
from firmware_models.fixed.types import (
    CONVENTIONS,
    OVERFLOW_MODES,
    ROUNDING_MODES,
    FixedType,
    add_type,
    mul_type,
    sub_type,
)

__all__ = [
    "FixedType",
    "ROUNDING_MODES",
    "OVERFLOW_MODES",
    "CONVENTIONS",
    "MAX_FAST_WIDTH",
    "RawRangeError",
    "add_type",
    "sub_type",
    "mul_type",
    "as_type",
    "quantize",
    "cast",
    "apply_overflow",
    "to_float",
    "add",
    "sub",
    "mul",
    "wrap",
    "saturate",
]
