"""Input quantization of the ACAM: float features -> unsigned n-bit integer codes.

The ACAM compares unsigned integers: every feature is quantized once, before the
search, by an affine map per feature,

    code = overflow(round(x * scale) + zero_point),    value(code) = (code - zero_point) / scale,

with ``round`` one of :data:`ROUNDING` and ``overflow`` one of :data:`OVERFLOW`.
The tabularizer (:mod:`firmware_models.acam.tabularize`) turns a tree threshold
into an exact integer cut by asking the tree's own comparison about
``value(code)``, so a table evaluated on ``quantize(x)`` equals the library
evaluated on ``value(quantize(x))``, bit for bit. The identity quantizer
(``scale = 1``, ``zero_point = 0``) is the default for models trained on
integer-valued inputs (hardware units, ADC counts): then the table equals the
library on the integers themselves.

conifer's ``ap_fixed<W,I>`` input conversion is the special case
``scale = 2**(W-I)``, ``zero_point = 2**(W-1)`` (signed) or 0 (unsigned),
``round = "floor"`` (AP_TRN), ``overflow = "wrap"`` (AP_WRAP): see
:func:`InputQuantizer.from_ap_fixed`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from firmware_models.acam.errors import AcamInputError
from firmware_models.errors import ModelFormatError

__all__ = ["InputQuantizer", "ROUNDING", "OVERFLOW"]

#: ``floor``: toward -inf (ap_fixed AP_TRN, used by conifer); ``nearest_even``: numpy ``rint``.
ROUNDING = ("floor", "nearest_even")
#: ``saturate``: clip to [0, 2**n - 1]; ``wrap``: modulo 2**n (ap_fixed AP_WRAP, as conifer does).
OVERFLOW = ("saturate", "wrap")


@dataclass(frozen=True)
class InputQuantizer:
    """Per-feature affine quantizer to ``n_bits`` unsigned codes (see module docstring)."""

    n_bits: int
    scale: np.ndarray = field(repr=False)  # (n_features,) float64, > 0
    zero_point: np.ndarray = field(repr=False)  # (n_features,) int64
    rounding: str = "floor"
    overflow: str = "saturate"

    def __post_init__(self) -> None:
        if not 1 <= int(self.n_bits) <= 62:
            msg = f"InputQuantizer n_bits must be in 1..62, got {self.n_bits}"
            raise ModelFormatError(msg)
        scale = np.ascontiguousarray(self.scale, dtype=np.float64).reshape(-1)
        zp = np.ascontiguousarray(self.zero_point, dtype=np.int64).reshape(-1)
        if scale.shape != zp.shape:
            msg = f"InputQuantizer scale and zero_point need one entry per feature, got {scale.shape} and {zp.shape}"
            raise ModelFormatError(msg)
        if not np.all(np.isfinite(scale)) or np.any(scale <= 0):
            msg = "InputQuantizer scale must be finite and > 0 for every feature"
            raise ModelFormatError(msg)
        if self.rounding not in ROUNDING:
            msg = f"InputQuantizer rounding {self.rounding!r} unknown; expected one of {ROUNDING}"
            raise ModelFormatError(msg)
        if self.overflow not in OVERFLOW:
            msg = f"InputQuantizer overflow {self.overflow!r} unknown; expected one of {OVERFLOW}"
            raise ModelFormatError(msg)
        object.__setattr__(self, "n_bits", int(self.n_bits))
        object.__setattr__(self, "scale", scale)
        object.__setattr__(self, "zero_point", zp)

    # ------------------------------------------------------------ factories
    @classmethod
    def identity(cls, n_features: int, n_bits: int = 16) -> InputQuantizer:
        """Inputs are already integer codes in [0, 2**n_bits)."""
        return cls(n_bits, np.ones(n_features), np.zeros(n_features, dtype=np.int64), "floor", "saturate")

    @classmethod
    def from_range(cls, lo, hi, n_bits: int = 16, *, rounding: str = "floor") -> InputQuantizer:
        """Map [lo, hi] per feature onto [0, 2**n_bits - 1] (saturating outside)."""
        lo = np.atleast_1d(np.asarray(lo, dtype=np.float64))
        hi = np.atleast_1d(np.asarray(hi, dtype=np.float64))
        if lo.shape != hi.shape or np.any(hi <= lo):
            msg = f"from_range needs lo < hi per feature with equal shapes, got {lo.shape} {hi.shape}"
            raise ModelFormatError(msg)
        scale = ((1 << n_bits) - 1) / (hi - lo)
        zp = -np.floor(lo * scale).astype(np.int64)
        return cls(n_bits, scale, zp, rounding, "saturate")

    @classmethod
    def from_ap_fixed(cls, n_features: int, width: int, integer: int, signed: bool = True) -> InputQuantizer:
        """conifer's input conversion ``(ap_fixed<W,I>) x``: floor to 2**-(W-I), wrap to W bits,
        then offset by 2**(W-1) (signed) so codes are unsigned and order-preserving."""
        scale = np.full(n_features, 2.0 ** (width - integer))
        zp = np.full(n_features, (1 << (width - 1)) if signed else 0, dtype=np.int64)
        return cls(width, scale, zp, "floor", "wrap")

    # ------------------------------------------------------------ mapping
    @property
    def n_features(self) -> int:
        return int(self.scale.shape[0])

    def quantize(self, x) -> np.ndarray:
        """Float features (n_events, n_features) -> int64 codes in [0, 2**n_bits)."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.n_features:
            msg = f"quantize expects an array of shape (n_events, {self.n_features}), got {x.shape}"
            raise AcamInputError(msg)
        if np.isnan(x).any():
            msg = "quantize got NaN inputs; the ACAM has no missing-value path: impute or drop them first"
            raise AcamInputError(msg)
        # x * scale is exact for power-of-two scales (ap_fixed); the rounding is then exact.
        y = x * self.scale
        y = np.floor(y) if self.rounding == "floor" else np.rint(y)
        n = float(1 << self.n_bits)
        if self.overflow == "wrap":
            # fmod of integer-valued float64 by a power of two is exact.
            y = np.mod(y + self.zero_point.astype(np.float64) % n, n)
        else:
            y = np.clip(y + self.zero_point.astype(np.float64), 0.0, n - 1.0)
        return y.astype(np.int64)

    def dequantize(self, codes) -> np.ndarray:
        """Integer codes -> the float64 value each code stands for (the threshold rule asks about these)."""
        codes = np.asarray(codes, dtype=np.int64)
        return (codes - self.zero_point) / self.scale

    def value_of(self, feature: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """Per-element :meth:`dequantize` with an explicit feature index array."""
        feature = np.asarray(feature, dtype=np.int64)
        return (np.asarray(codes, dtype=np.int64) - self.zero_point[feature]) / self.scale[feature]

    def to_dict(self) -> dict:
        return {
            "n_bits": self.n_bits,
            "scale": self.scale.tolist(),
            "zero_point": self.zero_point.tolist(),
            "rounding": self.rounding,
            "overflow": self.overflow,
        }

    @classmethod
    def from_dict(cls, d: dict) -> InputQuantizer:
        try:
            return cls(int(d["n_bits"]), np.asarray(d["scale"]), np.asarray(d["zero_point"]), d["rounding"], d["overflow"])
        except KeyError as err:
            msg = f"input quantizer record lacks key {err}; expected n_bits, scale, zero_point, rounding, overflow"
            raise ModelFormatError(msg) from None

    def __eq__(self, other) -> bool:
        if not isinstance(other, InputQuantizer):
            return NotImplemented
        return (
            self.n_bits == other.n_bits
            and np.array_equal(self.scale, other.scale)
            and np.array_equal(self.zero_point, other.zero_point)
            and self.rounding == other.rounding
            and self.overflow == other.overflow
        )

    __hash__ = None  # arrays inside: not hashable
