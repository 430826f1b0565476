"""The plain Python-int twins of :mod:`~firmware_models.nn.softmax` (same names and signatures).

Row by row, following the C++ literally: each assignment through
:func:`~firmware_models.fixed.exact.convert_exact`, ``nnet::reduce`` as the recursive
balanced tree with one ``Op_add`` assignment per node, the table index as the top bits of
the W-bit two's-complement pattern, the legacy index as the two-step ``int`` computation
of :func:`~firmware_models.nn.activations_ref.int_of_scaled_one`.
"""

from __future__ import annotations

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import as_type
from firmware_models.fixed.exact import convert_exact, overflow_exact
from firmware_models.nn.activations_ref import int_of_scaled_one, span_index_one
from firmware_models.nn.nnet_variants import DEFAULT_VARIANT, as_variant
from firmware_models.nn.softmax import shared_stable_diff_type
from firmware_models.nn.softmax_tables import ceillog2

__all__ = ["softmax", "softmax_latency", "softmax_stable", "softmax_legacy", "softmax_argmax", "softmax_multidim"]


def _conv(m: int, frac: int, t) -> int:
    return convert_exact(int(m), -int(frac), t)


def _reduce(xs: list[int], t) -> int:
    n = len(xs)
    if n == 1:
        return xs[0]
    if n == 2:
        return overflow_exact(xs[0] + xs[1], t)
    k = 1 << ((n - 1).bit_length() - 1)
    return overflow_exact(_reduce(xs[:k], t) + _reduce(xs[k:], t), t)


def _idx(raw: int, t, size: int) -> int:
    n = ceillog2(size)
    bits = int(raw) % (1 << t.width)          # x(W-1, 0) as unsigned
    return bits >> (t.width - n)               # y = x(W-1, W-N)


def _rows(x):
    arr = np.asarray(x)
    return arr, [[int(v) for v in row] for row in arr.reshape(-1, arr.shape[-1]).tolist()]


def _types(v, exp_table_t, accum_t, inv_inp_t):
    et = as_type(exp_table_t)
    if v.softmax_tables == "shared":
        return et, et, et
    return et, as_type(accum_t), as_type(inv_inp_t)


def _tail(exp_res_raw, et, st, iit, inv_table, inv_table_t, rt):
    er = [_conv(e, et.fractional, st) for e in exp_res_raw]           # accum_t exp_res[i] = exp_table[x]
    s = _conv(_reduce(er, st), st.fractional, iit)                      # inv_inp_t exp_sum = reduce(...)
    inv = int(inv_table[_idx(s, iit, len(inv_table))])
    ft = as_type(inv_table_t).fractional
    return [_conv(e * inv, st.fractional + ft, rt) for e in er]         # res[i] = exp_res[i] * inv_exp_sum


def softmax_latency(x, *, in_t, res_t, exp_table, inv_table, exp_table_t="ap_fixed<18,8,AP_RND,AP_SAT>",
                    inv_table_t="ap_fixed<18,8,AP_RND,AP_SAT>", accum_t=None, inv_inp_t=None,
                    variant=DEFAULT_VARIANT):
    v = as_variant(variant)
    it, rt = as_type(in_t), as_type(res_t)
    et, st, iit = _types(v, exp_table_t, accum_t, inv_inp_t)
    arr, rows = _rows(x)
    out = [_tail([int(exp_table[_idx(xi, it, len(exp_table))]) for xi in row], et, st, iit, inv_table,
                 inv_table_t, rt) for row in rows]
    return np.array(out, dtype=np.int64).reshape(arr.shape)


def softmax_stable(x, *, in_t, res_t, exp_table, inv_table, exp_table_t="ap_fixed<18,8,AP_RND,AP_SAT>",
                   inv_table_t="ap_fixed<18,8,AP_RND,AP_SAT>", accum_t=None, inv_inp_t=None, inp_norm_t=None,
                   variant=DEFAULT_VARIANT):
    v = as_variant(variant)
    it, rt = as_type(in_t), as_type(res_t)
    et, st, iit = _types(v, exp_table_t, accum_t, inv_inp_t)
    fx = it.fractional
    arr, rows = _rows(x)
    out = []
    for row in rows:
        xmax = row[0]
        for xi in row[1:]:
            xmax = xmax if xmax >= xi else xi                           # Op_max: a >= b ? a : b
        if v.softmax_tables == "split":
            nt = as_type(inp_norm_t)
            idx = [_idx(_conv(xmax - xi, fx, nt), nt, len(exp_table)) for xi in row]
        else:
            dt = shared_stable_diff_type(it)
            idx = [_idx(_conv(_conv(xi - xmax, fx, dt), dt.fractional, it), it, len(exp_table)) for xi in row]
        out.append(_tail([int(exp_table[i]) for i in idx], et, st, iit, inv_table, inv_table_t, rt))
    return np.array(out, dtype=np.int64).reshape(arr.shape)


def softmax_legacy(x, *, in_t, res_t, exp_table, inv_table, table_t="ap_fixed<18,8>", variant=DEFAULT_VARIANT):
    it, rt, tt = as_type(in_t), as_type(res_t), as_type(table_t)
    ne, ni = len(exp_table), len(inv_table)
    arr, rows = _rows(x)
    out = []
    for row in rows:
        res = []
        for ii in range(len(row)):
            acc = 0
            for jj in range(len(row)):
                if ii == jj:
                    d = convert_exact(1, 0, tt)
                else:
                    d = int(exp_table[span_index_one(row[jj] - row[ii], it.fractional, ne, 16)])
                acc = overflow_exact(acc + d, tt)                       # exp_res[ii] += exp_diff_res
            k = int_of_scaled_one(acc, tt.fractional, ni, 64)
            k = 0 if k < 0 else (ni - 1 if k > ni - 1 else k)
            res.append(_conv(int(inv_table[k]), tt.fractional, rt))
        out.append(res)
    return np.array(out, dtype=np.int64).reshape(arr.shape)


def softmax_argmax(x, *, in_t, res_t, variant=DEFAULT_VARIANT):
    rt = as_type(res_t)
    arr, rows = _rows(x)
    out = []
    for row in rows:
        best, idx = row[0], 0
        for i in range(1, len(row)):
            if row[i] > best:
                best, idx = row[i], i
        res = [0] * len(row)
        res[idx] = convert_exact(1, 0, rt)
        out.append(res)
    return np.array(out, dtype=np.int64).reshape(arr.shape)


def softmax(x, *, implementation, in_t, res_t, exp_table=None, inv_table=None,
            exp_table_t="ap_fixed<18,8,AP_RND,AP_SAT>", inv_table_t="ap_fixed<18,8,AP_RND,AP_SAT>",
            accum_t=None, inv_inp_t=None, inp_norm_t=None, table_t="ap_fixed<18,8>", variant=DEFAULT_VARIANT):
    if implementation == "argmax":
        return softmax_argmax(x, in_t=in_t, res_t=res_t, variant=variant)
    if implementation == "legacy":
        return softmax_legacy(x, in_t=in_t, res_t=res_t, exp_table=exp_table, inv_table=inv_table, table_t=table_t)
    kw = dict(in_t=in_t, res_t=res_t, exp_table=exp_table, inv_table=inv_table, exp_table_t=exp_table_t,
              inv_table_t=inv_table_t, accum_t=accum_t, inv_inp_t=inv_inp_t, variant=variant)
    if implementation == "stable":
        return softmax_stable(x, inp_norm_t=inp_norm_t, **kw)
    if implementation == "latency":
        return softmax_latency(x, **kw)
    msg = f"softmax implementation {implementation!r} unknown"
    raise ModelFormatError(msg)


def softmax_multidim(x, *, n_outer, n_inner, **kwargs):
    arr = np.asarray(x)
    n_in = arr.shape[-1]
    n_slice = n_in // (n_outer * n_inner)
    flat = arr.reshape(-1, n_in)
    out = np.zeros_like(flat)
    for e in range(flat.shape[0]):
        for i in range(n_outer):
            for k in range(n_inner):
                pos = [i * n_slice * n_inner + j * n_inner + k for j in range(n_slice)]
                out[e, pos] = softmax(flat[e, pos][None, :], **kwargs)[0]
    return out.reshape(arr.shape)
