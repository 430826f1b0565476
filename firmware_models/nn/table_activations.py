"""hls4ml's table activations on raw integers: sigmoid, tanh, softplus, softsign, ELU, SELU, unary LUT.

Pure functions over int64 raw arrays of any shape (element-wise, io_parallel); the
tables are built by :mod:`~firmware_models.nn.tables` (``sigmoid_table(table_size,
table_t)`` ...) and passed in, so the table length is the config's ``table_size``. Twins
with the same signatures: :mod:`~firmware_models.nn.activations_ref`.

Config-struct fields (``struct <act>_config<k> : nnet::activ_config`` in ``parameters.h``):
``table_size`` (hls4ml default 1024) -> ``len(table)`` and the builder's ``n``;
``typedef ... table_t`` (default ``ap_fixed<18,8>``) -> ``table_t`` and the builder's
type; ``n_in`` is the last axis. Template arguments ``<data_T, res_T, CONFIG_T>`` ->
``in_t``, ``res_t``.

- ``sigmoid``/``tanh``/``softplus``/``softsign(x, *, table, in_t, table_t, res_t)``:
  ``res = (res_T)table[index]``, ``index`` of :func:`~firmware_models.nn.tables.table_index`
  (span 8 for tanh, 16 for the others).
- ``elu(x, alpha, *, table, in_t, table_t, alpha_t, res_t)`` -- ``nnet::elu<data_T, param_T,
  res_T, CONFIG_T>(x, alpha, res)``: ``x >= 0 ? (res_T)x : (res_T)(alpha * table[index])``
  with :func:`~firmware_models.nn.tables.neg_index`. ``alpha`` is the raw ``alpha_t`` value
  of the call's literal (``activ_param``); the parameter-less ``nnet::elu<data_T, res_T,
  CONFIG_T>(x, res)`` is ``alpha = 1`` in ``ap_uint<1>`` (hls4ml >= 1.0) or
  ``res_T(1.0)`` (older; see :func:`~firmware_models.nn.nnet_variants.param_type`).
- ``selu(x, *, table, in_t, table_t, res_t, variant)``: ``x >= 0 ? (res_T)(lambda * x) :
  (res_T)table[index]``; ``lambda`` is ``ap_ufixed<16,1>(1.0507009873554805)`` (variant
  ``selu == "ufixed16"``) or ``res_T(1.0507...)`` (older), and the index clamps as
  :func:`~firmware_models.nn.tables.neg_index` says for the variant.
- ``unary_lut(x, *, table, in_t, table_t, res_t)`` -- ``nnet::unary_lut(x, res, table)``
  (hls4ml >= 1.0, HGQ): ``res = (res_T)table[(unsigned)x(W-1, 0)]``, the input's raw bits
  as the index; ``table`` holds the raw ``table_t`` weights of the call's table argument.
"""

from __future__ import annotations

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import as_type, cast, quantize
from firmware_models.nn.nnet_variants import DEFAULT_VARIANT, as_variant
from firmware_models.nn.rawops import assign, check_raw, mul
from firmware_models.nn.tables import TABLE_SPAN, neg_index, table_index

__all__ = ["sigmoid", "tanh", "softplus", "softsign", "elu", "selu", "unary_lut", "SELU_LAMBDA_T",
           "selu_lambda"]

#: 1.2's ``typedef ap_ufixed<16, 1> selu_const_t``
SELU_LAMBDA_T = "ap_ufixed<16,1>"
_SELU_LAMBDA = 1.0507009873554805


def _prep(x, table, in_t, table_t, res_t, what):
    it, tt, rt = as_type(in_t), as_type(table_t), as_type(res_t)
    tab = check_raw(table, tt, f"{what} table")
    if tab.ndim != 1 or tab.size == 0:
        msg = f"{what}: the table must be a non-empty 1-d array of raw {tt} entries, got shape {tab.shape}"
        raise ModelFormatError(msg)
    return check_raw(x, it, f"{what} input"), tab, it, tt, rt


def _span(kind):
    def act(x, *, table, in_t, table_t="ap_fixed<18,8>", res_t) -> np.ndarray:
        xr, tab, it, tt, rt = _prep(x, table, in_t, table_t, res_t, kind)
        idx = table_index(xr, it.fractional, tab.size, TABLE_SPAN[kind])
        return cast(tab[idx], tt, rt, check=False)

    act.__name__ = act.__qualname__ = kind
    act.__doc__ = f"``(res_T){kind}_table[int(x * N / {TABLE_SPAN[kind]}) + N/2]`` (clamped)."
    return act


sigmoid = _span("sigmoid")
tanh = _span("tanh")
softplus = _span("softplus")
softsign = _span("softsign")


def elu(x, alpha: int = 1, *, table, in_t, table_t="ap_fixed<18,8>", alpha_t="ap_uint<1>", res_t) -> np.ndarray:
    """``x >= 0 ? (res_T)x : (res_T)(alpha * elu_table[int(x * N / -8)])``."""
    xr, tab, it, tt, rt = _prep(x, table, in_t, table_t, res_t, "elu")
    at = as_type(alpha_t)
    a = check_raw(np.asarray(alpha), at, "elu alpha")
    idx = neg_index(np.where(xr < 0, xr, 0), it.fractional, tab.size, negative_to_zero=False)
    neg = assign(mul(tab[idx], a), tt.fractional + at.fractional, rt)
    return np.where(xr >= 0, cast(xr, it, rt, check=False), neg)


def selu_lambda(res_t, variant=DEFAULT_VARIANT) -> tuple[int, object]:
    """(raw lambda, its type) of the positive branch of SELU in ``variant``."""
    if as_variant(variant).selu == "ufixed16":
        lt = as_type(SELU_LAMBDA_T)
    else:
        lt = as_type(res_t)
    return int(quantize(np.array([_SELU_LAMBDA]), lt)[0]), lt


def selu(x, *, table, in_t, table_t="ap_fixed<18,8>", res_t, variant=DEFAULT_VARIANT) -> np.ndarray:
    """``x >= 0 ? (res_T)(lambda * x) : (res_T)selu_table[int(x * N / -8)]``."""
    xr, tab, it, tt, rt = _prep(x, table, in_t, table_t, res_t, "selu")
    lam, lt = selu_lambda(rt, variant)
    to_zero = as_variant(variant).selu == "ufixed16"
    idx = neg_index(np.where(xr < 0, xr, 0), it.fractional, tab.size, negative_to_zero=to_zero)
    pos = assign(mul(xr, lam), it.fractional + lt.fractional, rt)
    return np.where(xr >= 0, pos, cast(tab[idx], tt, rt, check=False))


def unary_lut(x, *, table, in_t, table_t, res_t) -> np.ndarray:
    """``(res_T)table[(unsigned)x(W-1, 0)]``: the raw bits of the input index the table."""
    xr, tab, it, tt, rt = _prep(x, table, in_t, table_t, res_t, "unary_lut")
    idx = xr & ((1 << it.width) - 1) if it.width < 63 else xr.astype(object) % (1 << it.width)
    hi = int(np.max(idx, initial=0))
    if hi >= tab.size:
        msg = (f"unary_lut: input bits reach index {hi} but the table has {tab.size} entries "
               f"(table_size must be 2**{it.width} for {it})")
        raise ModelFormatError(msg)
    return cast(tab[np.asarray(idx, dtype=np.int64)], tt, rt, check=False)
