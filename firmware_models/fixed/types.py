"""The fixed-point type: ``ap_fixed<W,I,Q,O,N>`` / ``ap_ufixed`` / ``ap_int`` as a value.

:class:`FixedType` is immutable plain data. It parses every spelling hls4ml
writes -- the C++ form of ``defines.h`` (``ap_fixed<16,6>``,
``ap_fixed<18,8,AP_RND,AP_SAT,0>``, ``ap_uint<8>``) and the Python repr of
``hls4ml.model.types`` (``fixed<16,6,TRN,WRAP,0>``, ``ufixed<10,6,RND_CONV,SAT>``,
``int<8>``) -- and prints the C++ form the way hls4ml's
``APFixedPrecisionDefinition.definition_cpp`` does, so ``parse(str(t)) == t``.

Values of a type are *raw integers* (mantissas) ``raw * 2**-fractional``; the
arithmetic on them lives in :mod:`firmware_models.fixed.quantize` and
:mod:`firmware_models.fixed.ops`. The result-type rules of ``+``, ``-`` and ``*``
(:func:`add_type`, :func:`sub_type`, :func:`mul_type`) follow ``RType`` in the
Xilinx header.

``ap_int<W>`` / ``ap_uint<W>`` are ``is_int=True`` types with ``W`` integer bits,
``TRN_ZERO`` rounding and ``WRAP``: C++ assignment of a double or of an
``ap_fixed`` to an ``ap_int`` truncates toward zero and wraps (``ap_int_base(double)``
and ``ap_fixed_base::to_ap_int_base`` in the headers) -- except that the header's
double constructor turns every double in (-0.5, 0) into +1 (a quirk we reproduce,
see ``CONVENTIONS["ap_int"]``); that one difference is why ``is_int`` is a field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from firmware_models.errors import ModelFormatError

__all__ = [
    "FixedType",
    "ROUNDING_MODES",
    "OVERFLOW_MODES",
    "CONVENTIONS",
    "add_type",
    "sub_type",
    "mul_type",
]

#: Quantization modes in the order of hls4ml's ``RoundingMode`` enum.
ROUNDING_MODES: tuple[str, ...] = ("TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_INF", "RND_MIN_INF", "RND_CONV")
#: Overflow modes in the order of hls4ml's ``SaturationMode`` enum (``AP_WRAP_SM`` is not supported).
OVERFLOW_MODES: tuple[str, ...] = ("WRAP", "SAT", "SAT_ZERO", "SAT_SYM")

_AP_TYPES_H = (
    "https://github.com/fastmachinelearning/hls4ml/blob/main/hls4ml/templates/vivado/ap_types/ap_fixed_base.h"
)

#: Every convention the bit-exact results depend on, with the upstream line defining it
#: (hls4ml 1.3.0's bundled Xilinx ap_types).
CONVENTIONS: dict[str, str] = {
    "default_modes": "ap_fixed<W,I> means AP_TRN (floor) and AP_WRAP with N=0 (ap_decl.h template defaults)",
    "quantization": (
        "floor to the target LSB, then add 1 when the dropped half-LSB bit qb is set and the mode's tie rule "
        "allows: RND always (ties up), RND_ZERO if negative or sticky, RND_MIN_INF if sticky, RND_INF if "
        "positive or sticky, RND_CONV if the kept LSB is odd or sticky (ties to even); TRN_ZERO adds 1 to a "
        "negative value with any dropped bit (truncate toward zero); sign = sign of the SOURCE value "
        f"({_AP_TYPES_H}#L367 quantization_adjust)"
    ),
    "overflow": (
        "after rounding, a value outside [min_raw, max_raw] is: WRAP N=0 -> kept modulo 2**W; SAT -> clamped; "
        "SAT_ZERO -> 0; SAT_SYM -> clamped to [-max_raw, max_raw] for signed types (plain SAT for unsigned); "
        f"({_AP_TYPES_H}#L303 overflow_adjust)"
    ),
    "wrap_n_bits": (
        "WRAP with N>0 saturation bits, on overflow only: wrap modulo 2**W, then for signed types set the sign "
        "bit to the sign of the source and the next N-1 bits to its complement (ones for positive overflow, "
        "zeros for negative); for unsigned types set the N most significant bits to ONE for overflow AND for "
        f"underflow (as the header does) ({_AP_TYPES_H}#L303 overflow_adjust, AP_WRAP branch)"
    ),
    "double_source": (
        "a double converts exactly (value = mantissa * 2**exponent, +-inf as +-2**1024), then quantization and "
        f"overflow as for an ap_fixed source ({_AP_TYPES_H}#L519 ap_fixed_base(double)); NaN is refused"
    ),
    "result_types": (
        "a*b: ap_fixed<W1+W2, I1+I2>, signed if either is; a+b, a-b: I = max(I1 + (S2 and not S1), "
        "I2 + (S1 and not S2)) + 1, W = I + max(F1, F2), signed if either is (always signed for a-b) "
        f"({_AP_TYPES_H}#L131 RType)"
    ),
    "ap_int": (
        "ap_int<W> behaves as ap_fixed<W,W,AP_TRN_ZERO,AP_WRAP> (assignment truncates toward zero and wraps: "
        "ap_fixed_base::to_ap_int_base with Cnative=true), except a double in (-0.5, 0) becomes +1 (wrapped "
        "to W bits): ap_int_base(double) sets V=-1 when the shift is >= 54 bits and then negates it "
        "(ap_int_base.h ap_int_base(double), hls4ml 1.3.0; confirmed by the g++ golden vectors)"
    ),
    "sat_sym_width1": (
        "SAT_SYM on a signed 1-bit type saturates negative values to -1 like SAT (the header ORs 1 into "
        f"the minimum, {_AP_TYPES_H}#L303 overflow_adjust)"
    ),
}

_NAME_RE = re.compile(r"^\s*(?:ap_)?(u)?(fixed|int)\s*<([^<>]*)>\s*$", re.IGNORECASE)


def _mode(token: str, allowed: tuple[str, ...], what: str, text: str) -> str:
    name = token.strip().upper()
    for prefix in ("AP_", "AC_", "SC_"):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    if name not in allowed:
        choices = ", ".join(f"AP_{m}" for m in allowed)
        msg = f"fixed-point type {text!r}: unknown {what} mode {token.strip()!r}; expected one of {choices}"
        raise ModelFormatError(msg)
    return name


def _int_arg(token: str, what: str, text: str) -> int:
    token = token.strip()
    if not re.fullmatch(r"[+-]?\d+", token):
        msg = f"fixed-point type {text!r}: {what} must be an integer, got {token!r}"
        raise ModelFormatError(msg)
    return int(token)


@dataclass(frozen=True)
class FixedType:
    """``ap_fixed<width, integer, rounding, overflow, sat_bits>`` (``signed=False``: ``ap_ufixed``).

    ``integer`` may be negative or exceed ``width`` (then ``fractional`` is
    negative: the LSB is larger than 1). ``sat_bits`` (the ``N`` template
    argument) only matters for ``WRAP``; ap_fixed ignores it otherwise.
    """

    width: int
    integer: int
    signed: bool = True
    rounding: str = "TRN"
    overflow: str = "WRAP"
    sat_bits: int = 0
    is_int: bool = False

    def __post_init__(self) -> None:
        for name in ("width", "integer", "sat_bits"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                msg = f"FixedType.{name} must be an int, got {value!r}"
                raise ModelFormatError(msg)
        if self.width < 1:
            msg = f"FixedType width must be >= 1, got {self.width} (ap_fixed<W,I> needs W >= 1)"
            raise ModelFormatError(msg)
        if not isinstance(self.signed, bool):
            msg = f"FixedType.signed must be a bool, got {self.signed!r}"
            raise ModelFormatError(msg)
        if self.rounding not in ROUNDING_MODES:
            msg = f"FixedType rounding {self.rounding!r} unknown; expected one of {', '.join(ROUNDING_MODES)}"
            raise ModelFormatError(msg)
        if self.overflow not in OVERFLOW_MODES:
            msg = f"FixedType overflow {self.overflow!r} unknown; expected one of {', '.join(OVERFLOW_MODES)}"
            raise ModelFormatError(msg)
        if not 0 <= self.sat_bits <= self.width:
            msg = f"FixedType sat_bits (N) must be in 0..width={self.width}, got {self.sat_bits}"
            raise ModelFormatError(msg)
        if self.is_int and (
            self.integer != self.width or self.rounding != "TRN_ZERO" or self.overflow != "WRAP" or self.sat_bits
        ):
            msg = (
                f"an ap_int FixedType needs integer == width, TRN_ZERO, WRAP and N=0; got {self.integer}, "
                f"{self.rounding}, {self.overflow}, {self.sat_bits} (use FixedType.ap_int(width))"
            )
            raise ModelFormatError(msg)

    # ------------------------------------------------------------------ ranges
    @property
    def fractional(self) -> int:
        """Fraction bits ``F = W - I`` (negative when ``I > W``)."""
        return self.width - self.integer

    @property
    def min_raw(self) -> int:
        """Smallest representable raw value (``-2**(W-1)`` signed, 0 unsigned)."""
        return -(1 << (self.width - 1)) if self.signed else 0

    @property
    def max_raw(self) -> int:
        """Largest representable raw value."""
        return (1 << (self.width - 1)) - 1 if self.signed else (1 << self.width) - 1

    @property
    def sat_min_raw(self) -> int:
        """Lower clamp: ``-max_raw`` under signed ``SAT_SYM`` (width > 1), else :attr:`min_raw`."""
        if self.signed and self.overflow == "SAT_SYM" and self.width > 1:
            return -self.max_raw
        return self.min_raw

    @property
    def lsb(self) -> Fraction:
        """Value of one raw unit, exactly."""
        return Fraction(2) ** -self.fractional

    @property
    def fits_int64(self) -> bool:
        """True when every raw value of the type fits an int64."""
        return self.width <= (64 if self.signed else 63)

    def value_of(self, raw: int) -> Fraction:
        """Exact value of one raw integer."""
        return raw * self.lsb

    # ----------------------------------------------------------- conversions
    @classmethod
    def ap_int(cls, width: int, *, signed: bool = True) -> FixedType:
        """``ap_int<width>`` (``signed=False``: ``ap_uint``)."""
        return cls(width, width, signed, "TRN_ZERO", "WRAP", 0, True)

    @classmethod
    def parse(cls, text: str) -> FixedType:
        """Parse an hls4ml type string (C++ or Python spelling, with or without ``AP_``)."""
        if isinstance(text, FixedType):
            return text
        if not isinstance(text, str):
            msg = f"fixed-point type must be a string like 'ap_fixed<16,6>', got {type(text).__name__} {text!r}"
            raise ModelFormatError(msg)
        match = _NAME_RE.match(text)
        if match is None:
            msg = (
                f"cannot parse fixed-point type {text!r}; expected e.g. 'ap_fixed<16,6>', "
                "'ap_ufixed<10,6,AP_RND_CONV,AP_SAT>', 'ap_fixed<18,8,AP_RND,AP_SAT,0>', 'ap_int<8>', "
                "'fixed<16,6,RND,SAT>'"
            )
            raise ModelFormatError(msg)
        unsigned, kind, body = match.groups()
        args = [a for a in body.split(",")]
        signed = unsigned is None
        if kind.lower() == "int":
            if len(args) != 1:
                msg = f"fixed-point type {text!r}: ap_int takes exactly one argument (the width)"
                raise ModelFormatError(msg)
            width = _int_arg(args[0], "width", text)
            try:
                return cls.ap_int(width, signed=signed)
            except ModelFormatError as err:
                msg = f"fixed-point type {text!r}: {err}"
                raise ModelFormatError(msg) from None
        if not 2 <= len(args) <= 5:
            msg = f"fixed-point type {text!r}: expected 2 to 5 template arguments <W,I[,Q[,O[,N]]]>, got {len(args)}"
            raise ModelFormatError(msg)
        width = _int_arg(args[0], "width W", text)
        integer = _int_arg(args[1], "integer bits I", text)
        rounding = _mode(args[2], ROUNDING_MODES, "rounding", text) if len(args) > 2 else "TRN"
        overflow = _mode(args[3], OVERFLOW_MODES, "overflow", text) if len(args) > 3 else "WRAP"
        sat_bits = _int_arg(args[4], "saturation bits N", text) if len(args) > 4 else 0
        try:
            return cls(width, integer, signed, rounding, overflow, sat_bits)
        except ModelFormatError as err:
            msg = f"fixed-point type {text!r}: {err}"
            raise ModelFormatError(msg) from None

    def __str__(self) -> str:
        u = "" if self.signed else "u"
        if self.is_int:
            return f"ap_{u}int<{self.width}>"
        if self.rounding == "TRN" and self.overflow == "WRAP" and self.sat_bits == 0:
            return f"ap_{u}fixed<{self.width},{self.integer}>"
        return f"ap_{u}fixed<{self.width},{self.integer},AP_{self.rounding},AP_{self.overflow},{self.sat_bits}>"

    def with_modes(self, rounding: str = "TRN", overflow: str = "WRAP", sat_bits: int = 0) -> FixedType:
        """The same width and integer bits with other modes."""
        return FixedType(self.width, self.integer, self.signed, rounding, overflow, sat_bits)


def mul_type(a: FixedType, b: FixedType) -> FixedType:
    """Full-precision type of ``a * b`` (modes default: TRN, WRAP)."""
    return FixedType(a.width + b.width, a.integer + b.integer, a.signed or b.signed)


def _plus_integer(a: FixedType, b: FixedType) -> int:
    return max(a.integer + (b.signed and not a.signed), b.integer + (a.signed and not b.signed)) + 1


def add_type(a: FixedType, b: FixedType) -> FixedType:
    """Full-precision type of ``a + b``."""
    integer = _plus_integer(a, b)
    return FixedType(integer + max(a.fractional, b.fractional), integer, a.signed or b.signed)


def sub_type(a: FixedType, b: FixedType) -> FixedType:
    """Full-precision type of ``a - b`` (always signed)."""
    integer = _plus_integer(a, b)
    return FixedType(integer + max(a.fractional, b.fractional), integer, True)
