"""Conv1D / Conv2D (channels last) as hls4ml computes them: geometry, weight layouts, summation order, kernels.

Pure functions over raw int64 arrays of shape ``(n_events, *channels_last_shape)``; the layer
registry wraps them as kinds. An hls4ml convolution in io_parallel is, per output pixel, a dense
layer over the pixel's *im2col* patch (``nnet_conv2d_latency.h`` / ``nnet_conv2d_resource.h``,
``nnet_conv1d_*.h``): the project-specific ``fill_buffer_N`` class hls4ml writes into
``nnet_code_gen.h`` copies ``data[k]`` (or ``0`` for padding) into ``buffer[pixel][j]``, then

- ``mult = (accum_t)(x * w)`` for every tap (``product::mult``), ``acc = (accum_t)bias``,
  ``acc += mult`` tap by tap (each sum through ``accum_t``'s overflow), ``res = (res_t)acc``;
- latency strategy: taps in buffer order ``j = 0..K-1``; weights ``w[j * n_filt + f]``;
- resource strategy (RF > 1): weights stored transposed ``w[f * K + j]`` (ApplyResourceStrategy),
  taps added in the loop order of ``conv_2d_resource_cl`` (:func:`resource_tap_order`);
- io_stream (line buffer or encoded): the kernel window is the same patch in the same
  ``(fh, fw, c)`` order, fed to ``mult_config::kernel`` (DenseLatency / DenseResource_*), so the
  bits equal io_parallel's whenever the tap order is the same (golden cases prove it for
  LineBuffer and Encoded); padding there is a separate ZeroPadding layer hls4ml inserts.

An im2col map is an int array ``(n_pixels, K)`` of flat per-event input indices, ``-1`` for a
zero tap. :func:`im2col_map` computes it from the geometry as hls4ml's
``FPGABackend._compute_conv2d_im2col`` does; :func:`parse_fill_buffer` reads it from the
generated C++ (the truth for a project; note hls4ml 1.3.0 drops ``dilation`` when it writes
that code, so a dilated layer is only exact through the parsed map).

:func:`conv` is the fast form (an exact float/int GEMM over the gathered patches when a static
bound proves it, else numba kernels in the firmware's order); :func:`conv_reference` is its
plain twin following the C++ loops in Python ints.
"""

from __future__ import annotations

import re

import numba
import numpy as np

from firmware_models.errors import ModelFormatError, UnsupportedTypeError
from firmware_models.fixed import FixedType, cast
from firmware_models.fixed._kernels import _convert_one
from firmware_models.fixed.exact import convert_exact, overflow_exact
from firmware_models.fixed.types import OVERFLOW_MODES, ROUNDING_MODES
from firmware_models.jit import JIT_OPTIONS

__all__ = [
    "im2col_map",
    "conv_out_size",
    "same_padding",
    "parse_fill_buffer",
    "weights_logical",
    "resource_tap_order",
    "effective_weights",
    "conv_plan",
    "conv",
    "conv_reference",
    "CHUNK_EVENTS",
]

#: events per chunk of the fast path (the gathered patches of one chunk stay in cache)
CHUNK_EVENTS = 2048


# ----------------------------------------------------------------------------- geometry


def _tuple(v, n: int, what: str) -> tuple[int, ...]:
    t = tuple(int(a) for a in (v if isinstance(v, (tuple, list)) else (v,) * n))
    if len(t) != n or any(a < 0 for a in t):
        msg = f"conv {what} must be {n} non-negative ints, got {v!r}"
        raise ModelFormatError(msg)
    return t


def conv_out_size(size: int, kernel: int, stride: int, pad: tuple[int, int], dilation: int = 1) -> int:
    """Output length along one axis: ``(size + pads - (dilation * (kernel - 1) + 1)) // stride + 1``."""
    return (size + pad[0] + pad[1] - (dilation * (kernel - 1) + 1)) // stride + 1


def same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """(before, after) of Keras ``padding='same'`` as hls4ml computes it (extra pixel after).

    hls4ml 1.3.0 ``converters/utils.compute_padding_2d`` and the Keras-3 handler ``gen_conv_config``:
    total ``max(ceil(N/s)*s - N + k - s, 0)``, before ``total // 2``.
    """
    total = max(-(-size // stride) * stride - size + kernel - stride, 0)
    return total // 2, total - total // 2


def im2col_map(in_shape, kernel, stride=1, pad=0, dilation=1) -> np.ndarray:
    """``(n_pixels, K)`` input indices of each output pixel's taps (``-1``: zero padding).

    ``in_shape`` is ``(W, C)`` (Conv1D) or ``(H, W, C)`` (Conv2D), channels last; ``kernel``,
    ``stride`` and ``dilation`` one int per spatial axis; ``pad`` ``(left, right)`` or
    ``(top, bottom, left, right)``. Pixels run row-major over the output, taps over
    ``(fh, fw, c)`` -- the order of hls4ml's ``_compute_conv1d_im2col`` / ``_compute_conv2d_im2col``
    (``backends/fpga/fpga_backend.py``) and of the Keras kernel ``(fh, fw, c, f)``.
    """
    in_shape = tuple(int(a) for a in in_shape)
    if len(in_shape) == 2:
        in_shape = (1, *in_shape)
        kernel = (1, *_tuple(kernel, 1, "kernel"))
        stride = (1, *_tuple(stride, 1, "stride"))
        dilation = (1, *_tuple(dilation, 1, "dilation"))
        pad = (0, 0, *_tuple(pad, 2, "pad"))
    elif len(in_shape) == 3:
        kernel, stride = _tuple(kernel, 2, "kernel"), _tuple(stride, 2, "stride")
        dilation, pad = _tuple(dilation, 2, "dilation"), _tuple(pad, 4, "pad")
    else:
        msg = f"conv input shape must be (W, C) or (H, W, C) channels last, got {in_shape}"
        raise ModelFormatError(msg)
    h, w, c = in_shape
    kh, kw = kernel
    if min(kernel) < 1 or min(stride) < 1 or min(dilation) < 1:
        msg = f"conv kernel, stride and dilation must be >= 1, got {kernel}, {stride}, {dilation}"
        raise ModelFormatError(msg)
    oh = conv_out_size(h, kh, stride[0], pad[0:2], dilation[0])
    ow = conv_out_size(w, kw, stride[1], pad[2:4], dilation[1])
    if oh < 1 or ow < 1:
        msg = f"conv of input {in_shape[-3:]} with kernel {kernel}, pad {pad} has no output pixel"
        raise ModelFormatError(msg)
    rows = (np.arange(oh) * stride[0] - pad[0])[:, None] + np.arange(kh)[None, :] * dilation[0]   # (oh, kh)
    cols = (np.arange(ow) * stride[1] - pad[2])[:, None] + np.arange(kw)[None, :] * dilation[1]   # (ow, kw)
    r = rows[:, None, :, None, None]
    q = cols[None, :, None, :, None]
    ch = np.arange(c)[None, None, None, None, :]
    idx = (r * w + q) * c + ch
    valid = (r >= 0) & (r < h) & (q >= 0) & (q < w)
    out = np.where(valid, idx, -1)
    return np.ascontiguousarray(out.reshape(oh * ow, kh * kw * c).astype(np.int64))


_PART_RE = re.compile(r"if\s*\(\s*partition\s*==\s*(\d+)\s*\)\s*\{(.*?)\}", re.S)
_STMT_RE = re.compile(r"buffer\s*\[\s*(\d+)\s*\]\s*\[\s*(\d+)\s*\]\s*=\s*(?:data\s*\[\s*(\d+)\s*\]|(0))\s*;")


def parse_fill_buffer(source: str, name: str) -> np.ndarray:
    """The im2col map written as class ``name`` (e.g. ``fill_buffer_4``) in ``nnet_code_gen.h``.

    Each ``if (partition == p) { buffer[i][j] = data[k]; ... }`` block fills pixel
    ``p * n_pixels + i`` (the ``PartitionLoop`` / ``PixelLoop`` order of the conv kernels).
    """
    m = re.search(r"class\s+" + re.escape(name) + r"\b.*?\{", source, re.S)
    if m is None:
        msg = f"nnet_code_gen.h has no class {name!r}; the conv layer's fill_buffer code is missing"
        raise ModelFormatError(msg)
    nxt = re.search(r"\n\s*template\s*<|\n\s*class\s+\w+", source[m.end():])
    body = source[m.end(): m.end() + nxt.start()] if nxt else source[m.end():]
    parts = {}
    for pm in _PART_RE.finditer(body):
        stmts = [(int(i), int(j), -1 if z else int(k)) for i, j, k, z in _STMT_RE.findall(pm.group(2))]
        parts[int(pm.group(1))] = stmts
    if not parts or sorted(parts) != list(range(len(parts))):
        msg = f"{name}: expected 'if (partition == p)' blocks for p = 0..n-1, found {sorted(parts)}"
        raise ModelFormatError(msg)
    n_pix = 1 + max(i for st in parts.values() for i, _, _ in st)
    k = 1 + max(j for st in parts.values() for _, j, _ in st)
    out = np.full((len(parts) * n_pix, k), -2, dtype=np.int64)
    for p, st in parts.items():
        for i, j, v in st:
            out[p * n_pix + i, j] = v
    if (out == -2).any():
        msg = f"{name}: some buffer[pixel][tap] entries are never written ({int((out == -2).sum())} of {out.size})"
        raise ModelFormatError(msg)
    return out


# ----------------------------------------------------------------------------- weights and order


def weights_logical(flat, n_taps: int, n_filt: int, *, transposed: bool) -> np.ndarray:
    """``(K, n_filt)`` raw weights from the flat array the firmware holds.

    ``transposed=False``: latency / io_stream-latency layout ``w[j * n_filt + f]`` (the Keras kernel
    ``(fh, fw, c, f)`` flattened); ``transposed=True``: resource layout ``w[f * K + j]``
    (``ApplyResourceStrategy``: ``(H, W, C, F) -> (F, H, W, C)``).
    """
    arr = np.asarray(flat, dtype=np.int64).reshape(-1)
    if arr.size != n_taps * n_filt:
        msg = f"conv weights: expected {n_taps} x {n_filt} = {n_taps * n_filt} values, got {arr.size}"
        raise ModelFormatError(msg)
    return np.ascontiguousarray(arr.reshape(n_filt, n_taps).T if transposed else arr.reshape(n_taps, n_filt))


def resource_tap_order(n_taps: int, n_filt: int, rf: int) -> np.ndarray:
    """``(n_filt, K)``: the order taps are added per filter in ``conv_{1,2}d_resource_cl`` (hls4ml 1.3.0).

    Simulates ``ReuseLoop`` (``i_rf``) / ``MultLoop`` (``i_blk``): ``i_in`` starts at ``i_rf``,
    steps by RF and restarts at ``i_rf`` past K; ``i_out`` advances every ``multscale =
    block_factor / n_filt`` blocks. Raises where the C++ asserts fail (RF > K, or
    ``block_factor % n_filt != 0`` with RF < K).
    """
    if rf < 1 or rf > n_taps:
        msg = f"conv resource strategy: ReuseFactor {rf} outside 1..{n_taps} (nnet_conv*_resource.h asserts RF <= K)"
        raise UnsupportedTypeError(msg)
    block = -(-(n_taps * n_filt) // rf)
    if block % n_filt != 0 and rf < n_taps:
        msg = f"conv resource strategy: ReuseFactor {rf} not allowed for K={n_taps}, n_filt={n_filt} (C++ assert)"
        raise UnsupportedTypeError(msg)
    multscale = block // n_filt
    seq: list[list[int]] = [[] for _ in range(n_filt)]
    for i_rf in range(rf):
        i_in, i_out, i_acc = i_rf, 0, 0
        for _ in range(block):
            if i_out < n_filt:
                seq[i_out].append(i_in)
            i_in += rf
            if i_in >= n_taps:
                i_in = i_rf
            if i_acc + 1 >= multscale:
                i_acc, i_out = 0, i_out + 1
            else:
                i_acc += 1
    if any(sorted(s) != list(range(n_taps)) for s in seq):
        msg = f"conv resource strategy: RF {rf} with K={n_taps}, n_filt={n_filt} does not visit every tap once"
        raise UnsupportedTypeError(msg)
    return np.array(seq, dtype=np.int64)


def effective_weights(w_raw, product: str, t_weight: FixedType) -> np.ndarray:
    """Raw weights as the product class uses them (``nnet_mult.h``).

    ``mult``: ``x * w``. ``weight_ternary`` (ap_int<2>): ``0 -> 0``, ``-1 -> -x``, else ``x`` (so -2
    acts as +1). ``weight_binary`` (1-bit): ``0 -> -x``, else ``x``. Returned in the weight's LSB
    units (ternary/binary: integers, fractional bits of ``t_weight`` must be 0).
    """
    w = np.asarray(w_raw, dtype=np.int64)
    if product == "mult":
        return w
    if t_weight.fractional != 0:
        msg = f"product {product} needs an integer weight type, got {t_weight}"
        raise UnsupportedTypeError(msg)
    if product == "weight_ternary":
        return np.where(w == 0, 0, np.where(w == -1, -1, 1)).astype(np.int64)
    if product == "weight_binary":
        return np.where(w == 0, -1, 1).astype(np.int64)
    msg = f"product {product!r} is not modelled (mult, weight_ternary, weight_binary are)"
    raise UnsupportedTypeError(msg)


# ----------------------------------------------------------------------------- plan


def _max_abs(t: FixedType) -> int:
    return max(abs(t.min_raw), abs(t.max_raw))


def _wraps(t: FixedType) -> bool:
    return t.overflow == "WRAP" and t.sat_bits == 0


def conv_plan(weight: np.ndarray, bias: np.ndarray, *, t_in: FixedType, t_weight: FixedType, t_bias: FixedType,
              t_accum: FixedType, x_bound: int | None = None) -> dict:
    """The route :func:`conv` takes and the static bounds that justify it.

    ``x_bound``: largest ``|raw input|`` (default: the input type's). Routes: ``blas32`` /
    ``blas64`` (exact float GEMM: every partial sum of products below 2**24 / 2**53), ``int64``
    (numba int64 sum), ``floor`` (products floored into accum_t, numba), ``ordered`` (each
    product cast and each sum through accum_t's overflow, in the firmware's tap order) and
    ``exact`` (Python ints: wider than the int64 kernels).
    """
    k, _ = weight.shape
    xb = _max_abs(t_in) if x_bound is None else int(x_bound)
    shift = t_in.fractional + t_weight.fractional - t_accum.fractional
    col_abs = [int(v) for v in np.abs(weight).astype(object).sum(axis=0)] if weight.size else [0]
    bound_xw = xb * max(col_abs, default=0)
    bias_acc = cast(np.asarray(bias, dtype=np.int64), t_bias, t_accum, check=False)
    bound_acc = (bound_xw >> max(shift, 0)) << max(-shift, 0)
    bound_acc += int(np.abs(bias_acc).max(initial=0)) + (k if shift > 0 else 0)
    no_overflow = bound_acc <= t_accum.max_raw and -bound_acc >= t_accum.sat_min_raw
    wraps = _wraps(t_accum)
    order_free = wraps or no_overflow
    wide = max(t_in.width, t_weight.width, t_accum.width, t_bias.width) > 62 or \
        xb * int(np.abs(weight).max(initial=0)) >= 2**62
    if wide:
        route = "exact"
    elif order_free and shift <= 0 and bound_xw < 2**24:
        route = "blas32"
    elif order_free and shift <= 0 and bound_xw < 2**53:
        route = "blas64"
    elif order_free and shift <= 0 and bound_xw < 2**62:
        route = "int64"
    elif order_free and shift > 0 and t_accum.rounding == "TRN" and (bound_xw >> shift) + k < 2**62:
        route = "floor"
    else:
        route = "ordered"
    return {"route": route, "shift": shift, "bound_xw": bound_xw, "bias_accum": bias_acc, "wraps": wraps,
            "no_overflow": no_overflow, "order_free": order_free, "accum_width": t_accum.width}


# ----------------------------------------------------------------------------- numba kernels


@numba.njit(**JIT_OPTIONS)
def _gather_sum_kernel(x, imap, w, shift, out):  # pragma: no cover - compiled
    """out[n, p, f] = sum_j floor(x[n, imap[p, j]] * w[j, f] / 2**shift) (skipping -1 taps), int64."""
    n_ev = x.shape[0]
    n_pix, k = imap.shape
    n_f = w.shape[1]
    for n in range(n_ev):
        for p in range(n_pix):
            for f in range(n_f):
                out[n, p, f] = 0
            for j in range(k):
                src = imap[p, j]
                if src < 0:
                    continue
                xv = x[n, src]
                if xv == 0:
                    continue
                for f in range(n_f):
                    out[n, p, f] += (xv * w[j, f]) >> shift


@numba.njit(**JIT_OPTIONS)
def _gather_patches(x, s0, s1, imap, out):  # pragma: no cover - compiled
    """out[(e - s0) * n_pix + p, j] = x[e, imap[p, j]] (0 for -1): the im2col patches of events s0..s1-1."""
    n_pix, k = imap.shape
    for e in range(s0, s1):
        base = (e - s0) * n_pix
        for p in range(n_pix):
            for j in range(k):
                src = imap[p, j]
                out[base + p, j] = 0 if src < 0 else x[e, src]


@numba.njit(**JIT_OPTIONS)
def _ordered_kernel(x, imap, w, order, bias_acc, k_prod, a_frac, a_width, a_signed, a_q, a_o, a_n, a_lo, a_hi,
                    out):  # pragma: no cover - compiled
    """Per filter: acc = bias; for j in order[f]: acc = overflow(acc + (accum_t)(x_j * w_jf)) -- any modes."""
    n_ev = x.shape[0]
    n_pix = imap.shape[0]
    n_f = w.shape[1]
    n_k = order.shape[1]
    for n in range(n_ev):
        for p in range(n_pix):
            for f in range(n_f):
                acc = bias_acc[f]
                for t in range(n_k):
                    j = order[f, t]
                    src = imap[p, j]
                    xv = np.int64(0) if src < 0 else x[n, src]
                    prod = _convert_one(xv * w[j, f], k_prod, a_frac, a_width, a_signed, a_q, a_o, a_n, a_lo, a_hi)
                    acc = _convert_one(acc + prod, -a_frac, a_frac, a_width, a_signed, a_q, a_o, a_n, a_lo, a_hi)
                out[n, p, f] = acc


def _type_args(t: FixedType) -> tuple:
    return (t.fractional, t.width, t.signed, ROUNDING_MODES.index(t.rounding), OVERFLOW_MODES.index(t.overflow),
            t.sat_bits, t.sat_min_raw, t.max_raw)


# ----------------------------------------------------------------------------- the fast form


def _check_x(x: np.ndarray, n_in: int, what: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype.kind not in "iu":
        msg = f"{what}: raw inputs must be an integer array, got dtype {arr.dtype}"
        raise ModelFormatError(msg)
    flat = arr.reshape(arr.shape[0], -1) if arr.ndim >= 1 else arr
    if arr.ndim < 2 or flat.shape[1] != n_in:
        msg = f"{what}: expected (n_events, ...) with {n_in} values per event, got shape {arr.shape}"
        raise ModelFormatError(msg)
    return np.ascontiguousarray(flat.astype(np.int64, copy=False))


def _check_map(imap: np.ndarray, weight: np.ndarray, n_in: int, what: str) -> np.ndarray:
    imap = np.ascontiguousarray(np.asarray(imap, dtype=np.int64))
    if imap.ndim != 2 or imap.shape[1] != weight.shape[0]:
        msg = f"{what}: im2col map {imap.shape} does not match weights {weight.shape} (K taps x n_filt)"
        raise ModelFormatError(msg)
    if imap.size and (imap.max() >= n_in or imap.min() < -1):
        msg = f"{what}: im2col map indexes outside the {n_in} inputs per event"
        raise ModelFormatError(msg)
    return imap


def conv(x, index_map, weight, bias, *, t_in: FixedType, t_weight: FixedType, t_bias: FixedType,
         t_accum: FixedType, t_result: FixedType, order: np.ndarray | None = None, out_shape=None,
         x_bound: int | None = None, plan: dict | None = None, name: str = "conv") -> np.ndarray:
    """Raw results of an hls4ml convolution (any geometry given by its im2col map).

    ``x``: ``(n_events, ...)`` raw inputs of ``t_in`` (flattened channels last per event);
    ``index_map``: ``(n_pixels, K)`` (:func:`im2col_map` / :func:`parse_fill_buffer`);
    ``weight``: ``(K, n_filt)`` raw, logical layout (:func:`weights_logical`); ``bias``:
    ``(n_filt,)`` raw of ``t_bias``; ``order``: ``(n_filt, K)`` tap order per filter (None:
    ``0..K-1``, the latency kernels); ``out_shape`` the per-event result shape (default
    ``(n_pixels, n_filt)``). Config fields: ``accum_t``, ``bias_t``, ``weight_t`` of
    ``config<N>_mult``, the layer's ``res_t``; template args ``data_T``/``res_T``. ``plan``: a
    :func:`conv_plan` made for these weights and types with the input type's bound (a caller
    running many batches keeps it); by default the plan is made here from the data's bound.
    """
    weight = np.ascontiguousarray(np.asarray(weight, dtype=np.int64))
    if weight.ndim != 2:
        msg = f"{name}: weights must be (K, n_filt), got shape {weight.shape}"
        raise ModelFormatError(msg)
    n_in = int(np.prod(np.asarray(x).shape[1:])) if np.asarray(x).ndim > 1 else 0
    xf = _check_x(x, n_in, name)
    imap = _check_map(index_map, weight, n_in, name)
    n_pix, n_f = imap.shape[0], weight.shape[1]
    shape = tuple(out_shape) if out_shape is not None else (n_pix, n_f)
    if int(np.prod(shape)) != n_pix * n_f:
        msg = f"{name}: out_shape {shape} does not hold {n_pix} pixels x {n_f} filters"
        raise ModelFormatError(msg)
    if plan is None:
        if x_bound is None:  # the data's own bound (never above the type's): a tighter proof, same bits
            x_bound = min(_max_abs(t_in), int(np.abs(xf).max(initial=0)))
        plan = conv_plan(weight, bias, t_in=t_in, t_weight=t_weight, t_bias=t_bias, t_accum=t_accum,
                         x_bound=x_bound)
    route = plan["route"]
    if route == "exact":
        return conv_reference(xf, imap, weight, bias, t_in=t_in, t_weight=t_weight, t_bias=t_bias, t_accum=t_accum,
                              t_result=t_result, order=order, out_shape=shape)
    n = xf.shape[0]
    out = np.empty((n, n_pix, n_f), dtype=np.int64)
    if route == "ordered":
        ordr = np.ascontiguousarray(order if order is not None else np.tile(np.arange(weight.shape[0]), (n_f, 1)))
        ordr = ordr.astype(np.int64)
        k_prod = -(t_in.fractional + t_weight.fractional)
        _ordered_kernel(xf, imap, weight, ordr, plan["bias_accum"].astype(np.int64), k_prod, *_type_args(t_accum),
                        out)
        acc = out
    else:
        return _fast_order_free(xf, imap, weight, plan, t_accum, t_result).reshape((n, *shape))
    res = cast(acc, t_accum, t_result, context=name, check=False)
    return res.reshape((n, *shape))


@numba.njit(**JIT_OPTIONS)
def _post_kernel(s, up, keep, bias, do_ovf, a_frac, a_width, a_signed, a_q, a_o, a_n, a_lo, a_hi,
                 r_frac, r_width, r_signed, r_q, r_o, r_n, r_lo, r_hi, out):  # pragma: no cover - compiled
    """out = (res_t)(accum_t overflow of (s [mod 2**keep]) << up + bias), one pass over (n, n_pix, n_f).

    TRN/RND results with WRAP (N=0) or SAT, and a plain wrapping accum_t, are done inline (a loop
    calling the scalar converter runs several times slower); other modes go through it.
    """
    n_ev, n_pix, n_f = s.shape
    d = a_frac - r_frac
    fast_res = (r_q == 0 or r_q == 2) and ((r_o == 0 and r_n == 0) or r_o == 1) and 0 <= d < 62
    fast_acc = a_o == 0 and a_n == 0
    a_span = np.int64(1) << a_width
    r_span = np.int64(1) << r_width
    half = (np.int64(1) << (d - 1)) if (d > 0 and r_q == 2) else np.int64(0)
    for n in range(n_ev):
        for p in range(n_pix):
            for f in range(n_f):
                v = np.int64(s[n, p, f])
                if keep >= 0:
                    v = v & ((np.int64(1) << keep) - 1)
                v = (v << up) + bias[f]
                if do_ovf:
                    if fast_acc:
                        if v < a_lo or v > a_hi:
                            v = v & (a_span - 1)
                            if a_signed and v > a_hi:
                                v -= a_span
                    else:
                        v = _convert_one(v, -a_frac, a_frac, a_width, a_signed, a_q, a_o, a_n, a_lo, a_hi)
                if fast_res:
                    q = (v + half) >> d
                    if q < r_lo or q > r_hi:
                        if r_o == 1:
                            q = r_hi if q > r_hi else r_lo
                        else:
                            q = q & (r_span - 1)
                            if r_signed and q > r_hi:
                                q -= r_span
                    out[n, p, f] = q
                else:
                    out[n, p, f] = _convert_one(v, -a_frac, r_frac, r_width, r_signed, r_q, r_o, r_n, r_lo, r_hi)


def _fast_order_free(xf, imap, weight, plan, t_accum, t_result) -> np.ndarray:
    """The order-free routes: the products' sum (exact float GEMM or numba int64), then one fused pass
    adding (accum_t)bias, applying accum_t's overflow where the bound cannot rule it out, casting to res_t."""
    n = xf.shape[0]
    n_pix, k = imap.shape
    n_f = weight.shape[1]
    route, shift = plan["route"], plan["shift"]
    up = max(-shift, 0)
    keep = max(plan["accum_width"] - up, 0) if (up and plan["wraps"] and not plan["no_overflow"]) else -1
    bias = np.ascontiguousarray(plan["bias_accum"].astype(np.int64))
    post = (up, keep, bias, not plan["no_overflow"], *_type_args(t_accum), *_type_args(t_result))
    out = np.empty((n, n_pix, n_f), dtype=np.int64)
    if route in ("blas32", "blas64"):
        ft = np.float32 if route == "blas32" else np.float64
        wf = weight.astype(ft)
        patches = np.empty((min(CHUNK_EVENTS, n) * n_pix, k), dtype=ft)
        for s0 in range(0, n, CHUNK_EVENTS):
            s1 = min(s0 + CHUNK_EVENTS, n)
            m = s1 - s0
            _gather_patches(xf, s0, s1, imap, patches)
            sums = (patches[:m * n_pix] @ wf).reshape(m, n_pix, n_f)
            _post_kernel(sums, *post, out[s0:s1])
    else:
        sums = np.empty((n, n_pix, n_f), dtype=np.int64)
        _gather_sum_kernel(xf, imap, weight, max(shift, 0), sums)
        _post_kernel(sums, *post, out)
    return out


# ----------------------------------------------------------------------------- the reference twin


def conv_reference(x, index_map, weight, bias, *, t_in: FixedType, t_weight: FixedType, t_bias: FixedType,
                   t_accum: FixedType, t_result: FixedType, order: np.ndarray | None = None, out_shape=None,
                   name: str = "conv") -> np.ndarray:
    """The plain twin of :func:`conv`: the C++ loops, one event, pixel and filter at a time, in Python ints."""
    weight = np.asarray(weight, dtype=np.int64)
    arr = np.asarray(x)
    xf = arr.reshape(arr.shape[0], -1)
    imap = np.asarray(index_map, dtype=np.int64)
    n_pix, k = imap.shape
    n_f = weight.shape[1]
    f_prod = t_in.fractional + t_weight.fractional
    out = []
    for row in xf:
        ev = [int(v) for v in row]
        pix_out = []
        for p in range(n_pix):
            buf = [0 if imap[p, j] < 0 else ev[imap[p, j]] for j in range(k)]      # fill_buffer
            res = []
            for f in range(n_f):
                acc = convert_exact(int(bias[f]), -t_bias.fractional, t_accum)       # acc = (accum_t)bias
                taps = order[f] if order is not None else range(k)
                for j in taps:
                    mult = convert_exact(buf[j] * int(weight[j, f]), -f_prod, t_accum)  # (accum_t)(x * w)
                    acc = overflow_exact(acc + mult, t_accum)                          # acc += mult
                res.append(convert_exact(acc, -t_accum.fractional, t_result))        # (res_t)acc
            pix_out.append(res)
        out.append(pix_out)
    shape = tuple(out_shape) if out_shape is not None else (n_pix, n_f)
    return np.array(out, dtype=np.int64).reshape((xf.shape[0], *shape))
