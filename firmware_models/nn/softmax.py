"""hls4ml's softmax on raw integers: latency, stable, legacy and argmax, in every header generation.

Pure vectorized functions over int64 raw arrays of shape (n_events, ..., n_slice): the
softmax acts along the last axis, as io_parallel ``nnet::softmax`` does over its
``n_slice`` inputs; :func:`softmax_multidim` is ``nnet::softmax_multidim`` (a flat
``n_in = n_outer * n_slice * n_inner`` input, softmax over the middle index). Tables come
from :func:`~firmware_models.nn.softmax_tables.softmax_tables`; the Python-int twins with
the same signatures are in :mod:`~firmware_models.nn.softmax_ref`.

Arguments <- ``struct softmax_config<k> : nnet::activ_config`` fields and the call
``nnet::softmax<data_T, res_T, CONFIG_T>`` (or ``softmax_multidim``):

- ``in_t``, ``res_t`` <- template arguments ``data_T``, ``res_T``;
- ``implementation`` <- ``implementation`` (:func:`softmax` dispatches);
- ``exp_table``, ``inv_table`` <- the tables the header builds from ``exp_table_size``,
  ``inv_table_size`` (split variants) or ``table_size`` (shared variants), ``exp_table_t``,
  ``inv_table_t``, ``inv_inp_t``, ``inp_norm_t``, ``exp_scale``, ``table_t``;
- ``exp_table_t``, ``inv_table_t`` <- ``typedef ... exp_table_t; typedef ... inv_table_t;``;
- ``accum_t`` <- ``typedef ... accum_t`` (split variants: the type of ``exp_res`` and of
  the adder tree; shared variants use ``exp_table_t``, pass None);
- ``inv_inp_t`` <- ``typedef ... inv_inp_t`` (split: the sum is assigned to it and its top
  bits index the inversion table; shared: ``exp_table_t``, pass None);
- ``inp_norm_t`` <- ``typedef ... inp_norm_t`` (split stable: the type of ``x_max - x``;
  shared stable computes ``x - x_max`` in ``ap_fixed<W, I, AP_RND, AP_SAT>`` of ``data_T``'s
  W and I, then passes it as ``data_T``);
- ``table_t`` <- ``typedef ... table_t`` (legacy: both tables and ``exp_res``);
- ``n_outer``, ``n_inner`` <- the fields of those names (``n_slice = n_in / n_outer /
  n_inner``); ``axis``, ``parallelization_factor``, ``io_type``, ``reuse_factor`` and ``skip``
  change no bits (a skipped softmax is no layer at all);
- ``variant`` <- :func:`~firmware_models.nn.nnet_variants.detect_variant` of the project's header.

The computations (``nnet_activation.h``; every ``=`` an assignment with the target's
rounding and overflow, every sum through ``nnet::reduce`` with ``Op_add``, a balanced tree
split at ``pow2(floorlog2(n - 1))``):

- latency: ``exp_res[i] = exp_table[idx(x[i])]`` (``accum_t``), ``exp_sum = reduce(exp_res)``
  (``inv_inp_t``), ``inv = inv_table[idx(exp_sum)]``, ``res[i] = exp_res[i] * inv``;
- stable: as latency on ``d[i] = x_max - x[i]`` (split, ``inp_norm_t``, table of
  ``exp(-d)``) or ``x[i] - x_max`` (shared);
- legacy: ``exp_res[i] = sum_j (i == j ? 1 : exp_table[int((x[j] - x[i]) * N / 16) + N/2])``
  (``+=`` in ``table_t``, j in order), ``res[i] = inv_table[int(exp_res[i] * N / 64)]``;
- argmax: ``res[argmax] = (res_T)1``, 0 elsewhere (the first maximum wins).
"""

from __future__ import annotations

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType, apply_overflow, as_type, cast
from firmware_models.nn.nnet_variants import DEFAULT_VARIANT, as_variant
from firmware_models.nn.rawops import assign, check_raw, mul, raw_one
from firmware_models.nn.softmax_tables import IMPLEMENTATIONS, slice_index
from firmware_models.nn.tables import int_of_scaled, table_index

__all__ = ["softmax", "softmax_latency", "softmax_stable", "softmax_legacy", "softmax_argmax",
           "softmax_multidim", "tree_sum", "shared_stable_diff_type"]


def _split(n: int) -> int:
    # nnet_common.h reduce: leftN = pow2(floorlog2(N - 1))
    return 1 << ((n - 1).bit_length() - 1)


def tree_sum(terms: np.ndarray, t: FixedType) -> np.ndarray:
    """``nnet::reduce<t, N, Op_add<t>>`` over the last axis of raw ``t`` values."""
    n = terms.shape[-1]
    if n == 1:
        return terms[..., 0]
    if n == 2:
        return apply_overflow(terms[..., 0] + terms[..., 1], t)
    k = _split(n)
    return apply_overflow(tree_sum(terms[..., :k], t) + tree_sum(terms[..., k:], t), t)


def _rows(x, in_t, what: str) -> np.ndarray:
    xr = check_raw(x, in_t, what)
    if xr.ndim < 1 or xr.shape[-1] < 1:
        msg = f"{what}: expected raw inputs of shape (..., n_slice) with n_slice >= 1, got {xr.shape}"
        raise ModelFormatError(msg)
    return xr


def _lookup(table, idx: np.ndarray, what: str) -> np.ndarray:
    tab = np.asarray(table, dtype=np.int64)
    if idx.size and int(idx.max()) >= tab.size:
        msg = (f"{what}: the bit-slice index reaches {int(idx.max())} but the table has {tab.size} entries "
               "(the C++ reads past its end); use a power-of-two table size")
        raise ModelFormatError(msg)
    return tab[idx]


def _sum_types(v, exp_table_t, accum_t, inv_inp_t):
    if v.softmax_tables == "shared":
        return exp_table_t, exp_table_t
    if accum_t is None or inv_inp_t is None:
        msg = f"{v.name} softmax needs accum_t and inv_inp_t (typedefs in the softmax config)"
        raise ModelFormatError(msg)
    return as_type(accum_t), as_type(inv_inp_t)


def _normalise(exp_res, et, st, it_inv, inv_table, inv_table_t, res_t, what):
    """exp_res (raw exp_table_t) -> accumulate, invert, multiply: the common tail of latency/stable."""
    er = cast(exp_res, et, st, check=False)
    total = tree_sum(er, st)
    es = cast(total, st, it_inv, check=False)
    inv = _lookup(inv_table, slice_index(es, it_inv, len(inv_table)), f"{what} inversion table")
    return assign(mul(er, inv[..., None]), st.fractional + as_type(inv_table_t).fractional, res_t)


def softmax_latency(x, *, in_t, res_t, exp_table, inv_table, exp_table_t="ap_fixed<18,8,AP_RND,AP_SAT>",
                    inv_table_t="ap_fixed<18,8,AP_RND,AP_SAT>", accum_t=None, inv_inp_t=None,
                    variant=DEFAULT_VARIANT) -> np.ndarray:
    """``nnet::softmax_latency``: tables addressed by the input's top bits, no max subtraction."""
    v = as_variant(variant)
    it, rt, et = as_type(in_t), as_type(res_t), as_type(exp_table_t)
    st, iit = _sum_types(v, et, accum_t, inv_inp_t)
    xr = _rows(x, it, "softmax_latency input")
    e = _lookup(exp_table, slice_index(xr, it, len(exp_table)), "softmax_latency exp table")
    return _normalise(e, et, st, iit, inv_table, inv_table_t, rt, "softmax_latency")


def shared_stable_diff_type(in_t) -> FixedType:
    """``ap_fixed<data_T::width, data_T::iwidth, AP_RND, AP_SAT>`` of the shared-table stable softmax."""
    it = as_type(in_t)
    return FixedType(it.width, it.integer, True, "RND", "SAT")


def softmax_stable(x, *, in_t, res_t, exp_table, inv_table, exp_table_t="ap_fixed<18,8,AP_RND,AP_SAT>",
                   inv_table_t="ap_fixed<18,8,AP_RND,AP_SAT>", accum_t=None, inv_inp_t=None, inp_norm_t=None,
                   variant=DEFAULT_VARIANT) -> np.ndarray:
    """``nnet::softmax_stable``: the maximum subtracted before the exp table."""
    v = as_variant(variant)
    it, rt, et = as_type(in_t), as_type(res_t), as_type(exp_table_t)
    st, iit = _sum_types(v, et, accum_t, inv_inp_t)
    xr = _rows(x, it, "softmax_stable input")
    xmax = xr.max(axis=-1, keepdims=True)
    if v.softmax_tables == "split":
        if inp_norm_t is None:
            msg = f"{v.name} stable softmax needs inp_norm_t (typedef in the softmax config)"
            raise ModelFormatError(msg)
        nt = as_type(inp_norm_t)
        d = assign(xmax - xr, it.fractional, nt)
    else:
        nt = it
        dt = shared_stable_diff_type(it)
        d = cast(assign(xr - xmax, it.fractional, dt), dt, it, check=False)
    e = _lookup(exp_table, slice_index(d, nt, len(exp_table)), "softmax_stable exp table")
    return _normalise(e, et, st, iit, inv_table, inv_table_t, rt, "softmax_stable")


def softmax_legacy(x, *, in_t, res_t, exp_table, inv_table, table_t="ap_fixed<18,8>",
                   variant=DEFAULT_VARIANT) -> np.ndarray:
    """``nnet::softmax_legacy``: pairwise exp differences summed in ``table_t``, then a 1/x table."""
    as_variant(variant)  # the same in every generation
    it, rt, tt = as_type(in_t), as_type(res_t), as_type(table_t)
    xr = _rows(x, it, "softmax_legacy input")
    n = xr.shape[-1]
    ne, ni = len(exp_table), len(inv_table)
    etab, itab = np.asarray(exp_table, dtype=np.int64), np.asarray(inv_table, dtype=np.int64)
    one = raw_one(1, tt)
    diff = xr[..., None, :] - xr[..., :, None]            # [.., ii, jj] = x[jj] - x[ii]
    terms = etab[table_index(diff, it.fractional, ne, 16)]
    acc = np.zeros(xr.shape, dtype=np.int64)
    for jj in range(n):
        term = terms[..., jj].copy()
        term[..., jj] = one
        acc = apply_overflow(acc + term, tt)
    idx = np.clip(int_of_scaled(acc, tt.fractional, ni, 64), 0, ni - 1)
    return cast(itab[idx], tt, rt, check=False)


def softmax_argmax(x, *, in_t, res_t, variant=DEFAULT_VARIANT) -> np.ndarray:
    """``nnet::softmax_argmax``: ``(res_T)1`` at the first maximum, 0 elsewhere."""
    v = as_variant(variant)
    if not v.softmax_argmax:
        msg = f"softmax implementation 'argmax' does not exist in the {v.name} nnet_activation.h"
        raise ModelFormatError(msg)
    it, rt = as_type(in_t), as_type(res_t)
    xr = _rows(x, it, "softmax_argmax input")
    out = np.zeros(xr.shape, dtype=np.int64)
    np.put_along_axis(out, np.argmax(xr, axis=-1)[..., None], raw_one(1, rt), axis=-1)
    return out


def softmax(x, *, implementation: str, in_t, res_t, exp_table=None, inv_table=None,
            exp_table_t="ap_fixed<18,8,AP_RND,AP_SAT>", inv_table_t="ap_fixed<18,8,AP_RND,AP_SAT>",
            accum_t=None, inv_inp_t=None, inp_norm_t=None, table_t="ap_fixed<18,8>",
            variant=DEFAULT_VARIANT) -> np.ndarray:
    """``nnet::softmax``: dispatch on ``CONFIG_T::implementation``."""
    if implementation not in IMPLEMENTATIONS:
        msg = f"softmax implementation {implementation!r} unknown; expected one of {', '.join(IMPLEMENTATIONS)}"
        raise ModelFormatError(msg)
    if implementation == "argmax":
        return softmax_argmax(x, in_t=in_t, res_t=res_t, variant=variant)
    if exp_table is None or inv_table is None:
        msg = f"softmax {implementation} needs its exp and inversion tables (softmax_tables(...))"
        raise ModelFormatError(msg)
    if implementation == "legacy":
        return softmax_legacy(x, in_t=in_t, res_t=res_t, exp_table=exp_table, inv_table=inv_table, table_t=table_t,
                              variant=variant)
    kw = dict(in_t=in_t, res_t=res_t, exp_table=exp_table, inv_table=inv_table, exp_table_t=exp_table_t,
              inv_table_t=inv_table_t, accum_t=accum_t, inv_inp_t=inv_inp_t, variant=variant)
    if implementation == "stable":
        return softmax_stable(x, inp_norm_t=inp_norm_t, **kw)
    return softmax_latency(x, **kw)


def softmax_multidim(x, *, n_outer: int, n_inner: int, **kwargs) -> np.ndarray:
    """``nnet::softmax_multidim``: ``x`` (..., n_in) with element ``i*n_slice*n_inner + j*n_inner + k``
    of slice (i, k) at position j; :func:`softmax` (``kwargs``) over each of the ``n_outer * n_inner`` slices."""
    xr = np.asarray(x)
    n_in = xr.shape[-1]
    if n_outer < 1 or n_inner < 1 or n_in % (n_outer * n_inner):
        msg = f"softmax_multidim: n_in {n_in} is not a multiple of n_outer {n_outer} x n_inner {n_inner}"
        raise ModelFormatError(msg)
    n_slice = n_in // (n_outer * n_inner)
    lead = xr.shape[:-1]
    cube = xr.reshape(*lead, n_outer, n_slice, n_inner)
    res = softmax(np.swapaxes(cube, -1, -2), **kwargs)           # (..., n_outer, n_inner, n_slice)
    return np.swapaxes(res, -1, -2).reshape(*lead, n_in)
