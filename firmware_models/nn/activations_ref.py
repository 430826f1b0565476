"""The plain Python-int twins of :mod:`~firmware_models.nn.activations` and
:mod:`~firmware_models.nn.table_activations`: same names, same signatures.

One element at a time, following the C++ loop body literally: every assignment to a
typed variable is :func:`firmware_models.fixed.exact.convert_exact`, every comparison is
on exact rationals (:class:`fractions.Fraction`), the table index is the two-step C++
computation (ap_fixed quotient truncated toward zero at the input's LSB, then
``to_int()``, then 32-bit ``int`` arithmetic). The property tests check fast == twin.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from firmware_models.fixed import as_type, add_type, mul_type, quantize
from firmware_models.fixed.exact import convert_exact
from firmware_models.nn.nnet_variants import DEFAULT_VARIANT, as_variant
from firmware_models.nn.tables import TABLE_SPAN

__all__ = ["linear", "relu", "relu_max", "leaky_relu", "thresholded_relu", "prelu", "hard_sigmoid",
           "hard_tanh", "binary_tanh", "ternary_tanh", "sigmoid", "tanh", "softplus", "softsign", "elu",
           "selu", "unary_lut", "int_of_scaled_one", "span_index_one", "neg_index_one"]


def _val(raw: int, frac: int) -> Fraction:
    return Fraction(int(raw)) / (Fraction(2) ** frac)


def _set(v: Fraction, t) -> int:
    """``t y = v`` for an exact rational whose denominator is a power of two."""
    den = v.denominator
    k = den.bit_length() - 1
    return convert_exact(v.numerator, -k, t)


def _map(x, fn) -> np.ndarray:
    arr = np.asarray(x)
    out = [fn(int(v), i) for i, v in enumerate(arr.reshape(-1).tolist())]
    return np.array(out, dtype=np.int64).reshape(arr.shape)


def _int32(v: int) -> int:
    return (v + 2**31) % 2**32 - 2**31


def int_of_scaled_one(raw: int, frac: int, mul: int, div: int) -> int:
    """``int v = x * mul / div``: ap_fixed product, ap_fixed quotient (sdiv of raws), ``to_int()``."""
    p = int(raw) * mul                        # raw of x * mul, still ``frac`` fraction bits
    q = abs(p) // abs(div)
    q = q if (p >= 0) == (div > 0) else -q    # sdiv: truncation toward zero
    if frac >= 0:
        i = abs(q) >> frac
        i = i if q >= 0 else -i               # to_int: truncation toward zero
    else:
        i = q << -frac
    return _int32(i)


def span_index_one(raw: int, frac: int, n: int, span: int) -> int:
    half = (span // 2) * n // span
    idx = _int32(int_of_scaled_one(raw, frac, n, span) + half)
    if idx < 0:
        idx = 0
    if idx > n - 1:
        idx = n - 1
    return idx


def neg_index_one(raw: int, frac: int, n: int, *, negative_to_zero: bool) -> int:
    idx = int_of_scaled_one(raw, frac, n, -8)
    if idx < 0:
        if negative_to_zero:
            idx = 0
        else:
            idx = n - 1     # (unsigned)idx > table_size - 1
    if idx > n - 1:
        idx = n - 1
    return idx


# ------------------------------------------------------------------ formulas
def linear(x, *, in_t, res_t):
    it, rt = as_type(in_t), as_type(res_t)
    return _map(x, lambda v, i: _set(_val(v, it.fractional), rt))


def relu(x, *, in_t, res_t):
    it, rt = as_type(in_t), as_type(res_t)
    return _map(x, lambda v, i: _set(_val(v, it.fractional), rt) if v > 0 else 0)


def relu_max(x, *, max_int, in_t, res_t):
    it, rt = as_type(in_t), as_type(res_t)

    def one(v, i):
        xv = _val(v, it.fractional)
        if xv < 0:
            return 0
        if xv > max_int:
            return _set(Fraction(max_int), rt)
        return _set(xv, rt)

    return _map(x, one)


def leaky_relu(x, alpha, *, in_t, alpha_t, res_t):
    it, at, rt = as_type(in_t), as_type(alpha_t), as_type(res_t)
    a = _val(int(alpha), at.fractional)
    return _map(x, lambda v, i: _set(_val(v, it.fractional), rt) if v > 0 else _set(a * _val(v, it.fractional), rt))


def prelu(x, alpha, *, in_t, alpha_t, res_t):
    it, at, rt = as_type(in_t), as_type(alpha_t), as_type(res_t)
    arr = np.asarray(x)
    al = np.broadcast_to(np.asarray(alpha), arr.shape).reshape(-1).tolist()

    def one(v, i):
        xv = _val(v, it.fractional)
        return _set(xv, rt) if v > 0 else _set(_val(al[i], at.fractional) * xv, rt)

    return _map(arr, one)


def thresholded_relu(x, theta, *, in_t, theta_t, res_t):
    it, tt, rt = as_type(in_t), as_type(theta_t), as_type(res_t)
    th = _val(int(theta), tt.fractional)
    return _map(x, lambda v, i: _set(_val(v, it.fractional), rt) if _val(v, it.fractional) > th else 0)


def _q(value: float, t) -> int:
    return int(quantize(np.array([value]), t)[0])


def _hard(v, it, slope, st, shift, ht):
    tt = add_type(mul_type(st, it), ht)
    s = _val(slope, st.fractional) * _val(v, it.fractional) + _val(shift, ht.fractional)   # auto: exact
    if s > 1:
        s = _val(convert_exact(1, 0, tt), tt.fractional)
    elif s < 0:
        s = Fraction(0)
    return s


def hard_sigmoid(x, *, in_t, res_t, slope=0, slope_t="ap_ufixed<16,0>", shift=0, shift_t="ap_ufixed<2,0>",
                 variant=DEFAULT_VARIANT):
    it, rt = as_type(in_t), as_type(res_t)
    if as_variant(variant).hard_activation == "data_t":
        sl, sh = _val(_q(0.2, it), it.fractional), _val(_q(0.5, it), it.fractional)

        def old(v, i):
            d = _set(sl * _val(v, it.fractional) + sh, it)       # data_T datareg = slope * data + shift
            if _val(d, it.fractional) > 1:
                d = convert_exact(1, 0, it)
            elif d < 0:
                d = 0
            return _set(_val(d, it.fractional), rt)

        return _map(x, old)
    st, ht = as_type(slope_t), as_type(shift_t)
    return _map(x, lambda v, i: _set(_hard(v, it, int(slope), st, int(shift), ht), rt))


def hard_tanh(x, *, in_t, res_t, slope=0, slope_t="ap_ufixed<16,0>", shift=0, shift_t="ap_ufixed<2,0>",
              variant=DEFAULT_VARIANT):
    it, rt, st, ht = as_type(in_t), as_type(res_t), as_type(slope_t), as_type(shift_t)
    return _map(x, lambda v, i: _set(2 * _hard(v, it, int(slope), st, int(shift), ht) - 1, rt))


def binary_tanh(x, *, in_t, res_t, variant=DEFAULT_VARIANT):
    rt = as_type(res_t)
    if as_variant(variant).binary_tanh == "cast":
        uint1 = rt.is_int and rt.width == 1 and not rt.signed

        def new(v, i):
            cache = 1 if v >= 0 else -1                      # ap_int<2> cache
            if uint1:
                return convert_exact(cache, 0, rt) if cache > 0 else 0
            return convert_exact(cache, 0, rt)

        return _map(x, new)
    return _map(x, lambda v, i: convert_exact(1 if v > 0 else -1, 0, rt))


def ternary_tanh(x, *, in_t, res_t):
    it, rt = as_type(in_t), as_type(res_t)

    def one(v, i):
        d = _val(_set(2 * _val(v, it.fractional), it), it.fractional)   # data_T datareg = 2 * data
        c = 1 if d > 1 else (0 if -1 < d <= 1 else -1)
        return convert_exact(c, 0, rt)

    return _map(x, one)


# ------------------------------------------------------------------ tables
def _span(kind):
    def act(x, *, table, in_t, table_t="ap_fixed<18,8>", res_t):
        it, tt, rt = as_type(in_t), as_type(table_t), as_type(res_t)
        tab = [int(t) for t in np.asarray(table).tolist()]
        n = len(tab)
        return _map(x, lambda v, i: _set(_val(tab[span_index_one(v, it.fractional, n, TABLE_SPAN[kind])],
                                              tt.fractional), rt))

    act.__name__ = act.__qualname__ = kind
    return act


sigmoid = _span("sigmoid")
tanh = _span("tanh")
softplus = _span("softplus")
softsign = _span("softsign")


def elu(x, alpha=1, *, table, in_t, table_t="ap_fixed<18,8>", alpha_t="ap_uint<1>", res_t):
    it, tt, at, rt = as_type(in_t), as_type(table_t), as_type(alpha_t), as_type(res_t)
    tab = [int(t) for t in np.asarray(table).tolist()]
    a = _val(int(alpha), at.fractional)

    def one(v, i):
        if v >= 0:
            return _set(_val(v, it.fractional), rt)
        idx = neg_index_one(v, it.fractional, len(tab), negative_to_zero=False)
        return _set(a * _val(tab[idx], tt.fractional), rt)

    return _map(x, one)


def selu(x, *, table, in_t, table_t="ap_fixed<18,8>", res_t, variant=DEFAULT_VARIANT):
    it, tt, rt = as_type(in_t), as_type(table_t), as_type(res_t)
    v_ = as_variant(variant)
    lt = as_type("ap_ufixed<16,1>") if v_.selu == "ufixed16" else rt
    lam = _val(_q(1.0507009873554805, lt), lt.fractional)
    tab = [int(t) for t in np.asarray(table).tolist()]

    def one(v, i):
        if v >= 0:
            return _set(lam * _val(v, it.fractional), rt)
        idx = neg_index_one(v, it.fractional, len(tab), negative_to_zero=v_.selu == "ufixed16")
        return _set(_val(tab[idx], tt.fractional), rt)

    return _map(x, one)


def unary_lut(x, *, table, in_t, table_t, res_t):
    it, tt, rt = as_type(in_t), as_type(table_t), as_type(res_t)
    tab = [int(t) for t in np.asarray(table).tolist()]
    return _map(x, lambda v, i: _set(_val(tab[v % (1 << it.width)], tt.fractional), rt))
