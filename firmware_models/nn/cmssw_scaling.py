"""The input conversions CMSSW's hls4mlEmulator wrappers apply before the network, bit-exact.

A wrapper's ``prepare_input`` takes raw values of its declared input type and hands
the network raw values of the network's input type. :mod:`.cmssw_wrapper` recognises
which of these it does and builds one of:

- :class:`OffsetShiftScaling` -- AXOL1TL ``_scaleNNInputs``, per feature ``i``::

      T0 tmp0 = x[i] - offsets[i];    // exact difference, assigned to T0 (unscaled_t)
      T1 tmp1 = tmp0 >> shift[i];     // keeps T0: a right shift floors at T0's LSB; a
                                      // negative shift is a left shift that wraps in T0
      scaled[i] = tmp1;               // assigned to the network input type

  ``offsets`` are the decimal literals of ``scales.h`` assigned to their declared type
  (``ap_fixed<10,9>`` keeps halves, ``ap_fixed<10,10>`` floors 4.5 to 4), ``shift`` the
  literals assigned to the shift type and read as an int (``ap_fixed_base::
  to_ap_int_base``: truncation toward zero). The shift never rounds or saturates
  (ap_fixed_base ``operator>>``/``operator<<`` set ``r.V = V >> sh`` / ``V << sh`` in
  T0's width); the two assignments use their targets' modes.
- :class:`AffineDoubleScaling` -- TOPO ``_scaleNNInputs``: ``double tmp0 = x[i] -
  bias[i]; double tmp1 = tmp0 / norm[i]; scaled[i] = static_cast<input_t>(tmp1)``:
  the exact difference as a double, one IEEE double division (NumPy's float64 division
  is the same correctly rounded operation), then ap_fixed's double constructor.
- :class:`CopyInput` -- ``_input[i] = std::any_cast<input_t>(input_p[i])``: the raw
  values themselves (assigned to the member type where it differs).

Each has ``apply`` (the fast path: a numba kernel, or float64 NumPy for the double
division) and ``apply_reference`` (plain Python ints and Fractions), which the property
tests compare; the golden vectors of the upstream wrappers compiled with g++ check both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType, quantize
from firmware_models.fixed.exact import convert_exact, overflow_exact, split_double
from firmware_models.fixed.quantize import _params
from firmware_models.jit import jit
from firmware_models.fixed import _kernels as _fk

__all__ = ["OffsetShiftScaling", "AffineDoubleScaling", "CopyInput", "CONVENTIONS"]

_AP = "hls4ml 1.3.0 templates/vivado/ap_types/ap_fixed_base.h"
CONVENTIONS = {
    "offset_shift": (
        "AXOL1TL GTADModel_emulator_vN.cpp _scaleNNInputs: T0 tmp0 = x - offset (exact ap_fixed difference, "
        "then T0's quantization/overflow); T1 tmp1 = tmp0 >> shift (" + _AP + " operator>>(ap_fixed): "
        "shift = to_ap_int_base() (toward zero); sh >= 0: r.V = V >> sh (floor), sh < 0: r.V = V << -sh "
        "(wraps in T0's width, no saturation); result type T0); then T1's and the input type's assignment"
    ),
    "offset_literals": "scales.h offsets: the double literal assigned to ad_offset_t (ap_fixed<10,10> floors "
                       "4.5 to 4 and -0.5 to -1; ap_fixed<10,9> keeps halves)",
    "affine_double": (
        "TOPO topo_emulator_*.cpp _scaleNNInputs: double tmp0 = x - bias (exact ap_fixed - int, to double); "
        "double tmp1 = tmp0 / norm (IEEE double division, round to nearest even); "
        "static_cast<input_t>(tmp1): ap_fixed(double), exact value then input_t's modes"
    ),
}


def _range_error(lo: int, hi: int, t: FixedType, what: str) -> None:
    if lo < t.min_raw or hi > t.max_raw:
        from firmware_models.fixed import RawRangeError

        msg = (f"{what} spans raw values [{lo}, {hi}], outside {t} [{t.min_raw}, {t.max_raw}]; "
               "pass raw mantissas of the wrapper's input type")
        raise RawRangeError(msg)


def _check_raw(x, t: FixedType, what: str, *, check_range: bool = True) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype.kind not in "iu":
        msg = f"{what} must be raw integer mantissas of {t}, got dtype {arr.dtype}"
        raise ModelFormatError(msg)
    arr = arr.astype(np.int64, copy=False)
    if check_range and arr.size:
        _range_error(int(arr.min()), int(arr.max()), t, what)
    return arr


def _wrap_type(t: FixedType) -> FixedType:
    return FixedType(t.width, t.integer, t.signed, "TRN", "WRAP", 0)


# ----------------------------------------------------------------------------- offset >> shift
_conv = _fk._convert_one


@jit
def _offset_shift_kernel(x, fx, off, f, shift, p0, pw, p1, pin, out):
    """out[i, j] = input_t(T1(T0(x - off[j]) >> shift[j])); ``off`` at 2**-f, x at 2**-fx (f >= fx)."""
    f0, w0, s0, q0, o0, n0, lo0, hi0 = p0
    fw, ww, sw, qw, ow, nw, low, hiw = pw
    f1, w1, s1, q1, o1, n1, lo1, hi1 = p1
    fi, wi, si, qi, oi, ni, loi, hii = pin
    n, m = x.shape
    up = f - fx
    for i in range(n):
        for j in range(m):
            d = (x[i, j] << up) - off[j]
            t0 = _conv(d, -f, f0, w0, s0, q0, o0, n0, lo0, hi0)
            s = shift[j]
            if s >= 0:
                t0 = t0 >> min(s, 63)
            else:
                t0 = _conv(t0 << (-s), -f0, fw, ww, sw, qw, ow, nw, low, hiw)
            t1 = _conv(t0, -f0, f1, w1, s1, q1, o1, n1, lo1, hi1)
            out[i, j] = _conv(t1, -f1, fi, wi, si, qi, oi, ni, loi, hii)


@jit
def _table_or_direct(x, lo_raw, hi_raw, tz, table, fx, off, f, shift, p0, pw, p1, pin, out):
    """One pass: values on the 2**tz grid (integers, for an input with tz fraction bits) are looked up
    in ``table[j, (v - lo_raw) >> tz]``, others computed by the kernel; returns the number of values
    outside [lo_raw, hi_raw] (then ``out`` is not filled)."""
    n, m = x.shape
    mask = (np.int64(1) << tz) - 1
    bad = 0
    for i in range(n):
        for j in range(m):
            v = np.int64(x[i, j])
            if v < lo_raw or v > hi_raw:
                bad += 1
            elif (v & mask) == 0:
                out[i, j] = table[j, (v - lo_raw) >> tz]
            else:
                _offset_shift_kernel(x[i:i + 1, j:j + 1], fx, off[j:j + 1], f, shift[j:j + 1], p0, pw, p1, pin,
                                     out[i:i + 1, j:j + 1])
    return bad


#: largest per-feature table (entries) of OffsetShiftScaling's one-pass path
_MAX_TABLE = 1 << 16


@dataclass(frozen=True)
class OffsetShiftScaling:
    """AXOL1TL ``(x - offset) >> shift`` with the wrapper's declared types (see the module docstring)."""

    in_type: FixedType        # the wrapper's input (unscaled_t)
    offset_type: FixedType    # ad_offset_t
    offsets: tuple[int, ...]  # raw offset_type values
    shifts: tuple[int, ...]   # shift amounts as ints (negative: left shift)
    tmp0_type: FixedType      # declared type of tmp0
    tmp1_type: FixedType      # declared type of tmp1
    out_type: FixedType       # the network input type
    kind: str = "offset_shift"
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.offsets) != len(self.shifts):
            msg = f"input scaling has {len(self.offsets)} offsets but {len(self.shifts)} shifts"
            raise ModelFormatError(msg)

    @property
    def n(self) -> int:
        return len(self.offsets)

    def _fast_ok(self) -> bool:
        types = (self.in_type, self.offset_type, self.tmp0_type, self.tmp1_type, self.out_type)
        f = max(self.in_type.fractional, self.offset_type.fractional)
        widest = max(self.in_type.width + f - self.in_type.fractional,
                     self.offset_type.width + f - self.offset_type.fractional)
        left = max([0] + [-s for s in self.shifts])
        return all(t.width <= 61 for t in types) and widest + 1 <= 62 and self.tmp0_type.width + left <= 62

    def _kernel_args(self) -> tuple:
        fx, fo = self.in_type.fractional, self.offset_type.fractional
        f = max(fx, fo)
        off = np.array([o << (f - fo) for o in self.offsets], dtype=np.int64)
        sh = np.array(self.shifts, dtype=np.int64)
        params = (_params(self.tmp0_type), _params(_wrap_type(self.tmp0_type)), _params(self.tmp1_type),
                  _params(self.out_type))
        return fx, off, f, sh, params

    def _table(self) -> tuple[int, np.ndarray]:
        """(grid bits, table): every value of the input type on the integer grid, scaled once (cached)."""
        memo = self._memo
        if "table" not in memo:
            t = self.in_type
            tz = max(t.fractional, 0)
            count = 1 << (t.width - tz)
            if count > _MAX_TABLE:
                memo["table"] = (tz, np.zeros((self.n, 1), dtype=np.int64), False)
            else:
                fx, off, f, sh, params = self._kernel_args()
                grid = (t.min_raw + (np.arange(count, dtype=np.int64) << tz)).reshape(-1, 1)
                table = np.empty((self.n, count), dtype=np.int64)
                for j in range(self.n):
                    _offset_shift_kernel(grid, fx, off[j:j + 1], f, sh[j:j + 1], *params,
                                         table[j].reshape(-1, 1))
                memo["table"] = (tz, table, True)
        return memo["table"]

    def apply(self, x) -> np.ndarray:
        """Raw network-input values for raw ``in_type`` values ``x`` (n_events, n)."""
        x = self._check(x, check_range=False)
        if not self._fast_ok():
            return self.apply_reference(x)
        fx, off, f, sh, params = self._kernel_args()
        out = np.empty(x.shape, dtype=np.int64)
        tz, table, usable = self._table()
        t = self.in_type
        if not usable:  # a wide input type: no table; the kernel on every value
            if x.size:
                self._check_range(int(x.min()), int(x.max()))
            _offset_shift_kernel(x.astype(np.int64, copy=False), fx, off, f, sh, *params, out)
            return out
        if _table_or_direct(x, t.min_raw, t.max_raw, tz, table, fx, off, f, sh, *params, out):
            self._check_range(int(x.min()), int(x.max()))
        return out

    def apply_reference(self, x) -> np.ndarray:
        """The same on Python ints, one value at a time (the twin of :meth:`apply`)."""
        x = self._check(x)
        fx, fo = self.in_type.fractional, self.offset_type.fractional
        f = max(fx, fo)
        t0, t0w, t1, ti = self.tmp0_type, _wrap_type(self.tmp0_type), self.tmp1_type, self.out_type
        f0 = t0.fractional
        rows = []
        for row in x.tolist():
            vals = []
            for j, v in enumerate(row):
                d = (v << (f - fx)) - (self.offsets[j] << (f - fo))
                a = convert_exact(d, -f, t0)
                s = self.shifts[j]
                a = a >> s if s >= 0 else overflow_exact(a << -s, t0w)
                b = convert_exact(a, -f0, t1)
                vals.append(convert_exact(b, -t1.fractional, ti))
            rows.append(vals)
        return np.array(rows, dtype=np.int64).reshape(x.shape)

    def _check(self, x, *, check_range: bool = True) -> np.ndarray:
        arr = _check_raw(x, self.in_type, "wrapper input", check_range=check_range)
        if arr.ndim != 2 or arr.shape[1] != self.n:
            msg = f"wrapper input must have shape (n_events, {self.n}), got {arr.shape}"
            raise ModelFormatError(msg)
        return np.ascontiguousarray(arr)

    def _check_range(self, lo: int, hi: int) -> None:
        _range_error(lo, hi, self.in_type, "wrapper input")

    def describe(self) -> dict:
        return {"kind": self.kind, "in_type": str(self.in_type), "offset_type": str(self.offset_type),
                "tmp0_type": str(self.tmp0_type), "tmp1_type": str(self.tmp1_type), "out_type": str(self.out_type),
                "offsets_raw": list(self.offsets), "shifts": list(self.shifts)}


def offset_raw(literal: Fraction, offset_type: FixedType) -> int:
    """A ``scales.h`` offset literal (the double the compiler holds) assigned to ``offset_type``."""
    m, k = split_double(float(literal))
    return convert_exact(m, k, offset_type)


def shift_int(literal: Fraction, shift_type: FixedType | None) -> int:
    """A shift literal assigned to ``shift_type`` (None: a plain int) and read back as an int."""
    if shift_type is None:
        if literal.denominator != 1:
            msg = f"shift {float(literal)} is not an integer"
            raise ModelFormatError(msg)
        return int(literal)
    m, k = split_double(float(literal))
    raw = convert_exact(m, k, shift_type)
    value = Fraction(raw) * shift_type.lsb
    return int(value)  # to_ap_int_base: toward zero (int() of a Fraction truncates toward zero)


# ----------------------------------------------------------------------------- (x - bias) / norm in double
@dataclass(frozen=True)
class AffineDoubleScaling:
    """TOPO ``static_cast<input_t>((double)(x - bias) / norm)`` (see the module docstring)."""

    in_type: FixedType
    bias: tuple[int, ...]        # integer biases
    norm: tuple[float, ...]      # the divisors as doubles (integers in the known wrappers)
    out_type: FixedType
    kind: str = "affine_double"

    @property
    def n(self) -> int:
        return len(self.bias)

    def _check(self, x) -> np.ndarray:
        arr = _check_raw(x, self.in_type, "wrapper input")
        if arr.ndim != 2 or arr.shape[1] != self.n:
            msg = f"wrapper input must have shape (n_events, {self.n}), got {arr.shape}"
            raise ModelFormatError(msg)
        return arr

    def apply(self, x) -> np.ndarray:
        x = self._check(x)
        fx = self.in_type.fractional
        bias = np.array(self.bias, dtype=np.int64)
        big = (1 << (self.in_type.width - 1)) + int(np.abs(bias).max(initial=0)) * 2.0 ** max(fx, 0)
        if big * 2.0 ** max(-fx, 0) >= 2.0**52 or fx < 0:
            return self.apply_reference(x)
        # x * 2**-fx - bias is exact in float64 (fewer than 53 significant bits)
        diff = x.astype(np.float64) * (2.0 ** -fx) - bias.astype(np.float64)
        tmp1 = diff / np.array(self.norm, dtype=np.float64)
        return quantize(tmp1, self.out_type)

    def apply_reference(self, x) -> np.ndarray:
        x = self._check(x)
        lsb = self.in_type.lsb
        out = []
        for row in x.tolist():
            vals = []
            for j, v in enumerate(row):
                exact = Fraction(v) * lsb - self.bias[j]
                tmp0 = float(exact)                     # the double the ap_fixed difference converts to
                if Fraction(tmp0) != exact:
                    msg = f"x - bias = {exact} is not exact in a double; not supported"
                    raise ModelFormatError(msg)
                tmp1 = _div_round_even(Fraction(tmp0), Fraction(self.norm[j]))
                m, k = split_double(tmp1)
                vals.append(convert_exact(m, k, self.out_type))
            out.append(vals)
        return np.array(out, dtype=np.int64).reshape(x.shape)

    def describe(self) -> dict:
        return {"kind": self.kind, "in_type": str(self.in_type), "out_type": str(self.out_type),
                "bias": list(self.bias), "norm": list(self.norm)}


def _div_round_even(a: Fraction, b: Fraction) -> float:
    """IEEE double ``a / b`` (round to nearest, ties to even), from exact rationals."""
    if b == 0:
        msg = "scaling divides by a zero norm"
        raise ModelFormatError(msg)
    q = a / b
    if q == 0:
        return 0.0
    # Python's float(Fraction) rounds correctly (half to even)
    return float(q)


# ----------------------------------------------------------------------------- copy
@dataclass(frozen=True)
class CopyInput:
    """``_input[i] = std::any_cast<input_t>(input_p[i])``: the raw values, assigned to ``out_type``."""

    in_type: FixedType
    out_type: FixedType
    n: int
    kind: str = "copy"

    def _check(self, x) -> np.ndarray:
        arr = _check_raw(x, self.in_type, "wrapper input")
        if arr.ndim != 2 or arr.shape[1] != self.n:
            msg = f"wrapper input must have shape (n_events, {self.n}), got {arr.shape}"
            raise ModelFormatError(msg)
        return arr

    def apply(self, x) -> np.ndarray:
        x = self._check(x)
        if self.in_type == self.out_type:
            return x
        from firmware_models.fixed import cast

        return cast(x, self.in_type, self.out_type)

    def apply_reference(self, x) -> np.ndarray:
        x = self._check(x)
        f = self.in_type.fractional
        return np.array([[convert_exact(v, -f, self.out_type) for v in row] for row in x.tolist()],
                        dtype=np.int64).reshape(x.shape)

    def describe(self) -> dict:
        return {"kind": self.kind, "in_type": str(self.in_type), "out_type": str(self.out_type)}
