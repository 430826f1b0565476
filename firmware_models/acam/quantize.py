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

__all__ = ["InputQuantizer", "ROUNDING", "OVERFLOW", "AP_ROUNDING", "AP_OVERFLOW"]

#: Rounding of ``x * scale`` to an integer, with the ap_fixed quantization mode each one is
#: (Xilinx UG1399 "Arbitrary Precision Fixed-Point Data Types", quantization modes):
#: ``floor`` toward -inf (AP_TRN, conifer's default), ``trunc`` toward zero (AP_TRN_ZERO),
#: ``half_up`` ties toward +inf (AP_RND), ``half_zero`` ties toward zero (AP_RND_ZERO),
#: ``half_away`` ties away from zero (AP_RND_INF), ``half_down`` ties toward -inf
#: (AP_RND_MIN_INF), ``nearest_even`` ties to even (AP_RND_CONV, numpy ``rint``).
ROUNDING = ("floor", "nearest_even", "trunc", "half_up", "half_zero", "half_away", "half_down")
#: ``saturate``: clip to [0, 2**n - 1] (AP_SAT); ``wrap``: modulo 2**n (AP_WRAP, conifer's default);
#: ``saturate_sym``: clip to [max(0, 2*zero_point - (2**n - 1)), 2**n - 1], the code range of AP_SAT_SYM
#: (signed: -max_raw..max_raw); ``saturate_zero``: out-of-range -> ``zero_point`` (AP_SAT_ZERO, value 0).
OVERFLOW = ("saturate", "wrap", "saturate_sym", "saturate_zero")
#: ap_fixed mode name -> quantizer mode (used by the conifer importer).
AP_ROUNDING = {
    "TRN": "floor",
    "TRN_ZERO": "trunc",
    "RND": "half_up",
    "RND_ZERO": "half_zero",
    "RND_INF": "half_away",
    "RND_MIN_INF": "half_down",
    "RND_CONV": "nearest_even",
}
AP_OVERFLOW = {"WRAP": "wrap", "SAT": "saturate", "SAT_SYM": "saturate_sym", "SAT_ZERO": "saturate_zero"}


def _round(y: np.ndarray, mode: str) -> np.ndarray:
    """Round float64 ``y`` to integer-valued float64 (exact: ``y - floor(y)`` is exact in binary)."""
    if mode == "nearest_even":
        return np.rint(y)
    fl = np.floor(y)
    if mode == "floor":
        return fl
    frac = y - fl
    if mode == "trunc":
        up = (frac > 0) & (y < 0)
    elif mode == "half_up":
        up = frac >= 0.5
    elif mode == "half_zero":
        up = (frac > 0.5) | ((frac == 0.5) & (y < 0))
    elif mode == "half_away":
        up = (frac > 0.5) | ((frac == 0.5) & (y > 0))
    else:  # half_down
        up = frac > 0.5
    return fl + up


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
        y = _round(y, self.rounding)
        n = float(1 << self.n_bits)
        zp = self.zero_point.astype(np.float64)
        if self.overflow == "wrap":
            # fmod of integer-valued float64 by a power of two is exact.
            y = np.mod(y + zp % n, n)
        elif self.overflow == "saturate_zero":
            y = y + zp
            y = np.where((y < 0.0) | (y > n - 1.0), zp, y)
        else:
            low = np.maximum(0.0, 2.0 * zp - (n - 1.0)) if self.overflow == "saturate_sym" else 0.0
            y = np.clip(y + zp, low, n - 1.0)
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
