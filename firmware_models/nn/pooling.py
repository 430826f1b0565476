"""Max / Average pooling 1D and 2D and global pooling (channels last) as hls4ml's kernels compute them.

Pure functions over raw int64 arrays ``(n_events, *channels_last_shape)``; the layer registry wraps
them as kinds. One window description (:func:`pool_windows`) holds which inputs each output reads
and how many of them are real pixels; the arithmetic follows one of the ``nnet_pooling.h``
generations found in hls4ml 1.3.0 and in the folders CMS ships (:data:`VARIANTS`):

- ``"v1.3"`` (hls4ml 1.3.0, TOoLLiP_v3): windows of the pool size, outputs
  ``(padded - pool) // stride + 1``; ``max`` returns the largest tap (padding = the type's
  value with only the sign bit set -- for an unsigned type that is *large*, as the header does);
  ``avg`` sums in ``accum_t`` (``y += x``: each sum assigned to accum_t, with its rounding and
  overflow), divides by the count of real pixels (``count_pad`` false) or the pool area,
  truncating toward zero (ap_fixed ``/=`` an unsigned), returns accum_t; ``res = (res_T)``. For a
  signed ``ap_int`` accum_t narrower than 32 bits the ``/=`` by an unsigned is ap_private's
  mixed-sign division: both operands widened to 33 bits with the unsigned operand's signedness,
  so a negative sum divides as ``2**33 + y`` (:func:`divide_by_length`).
- ``"accum_stride"`` (L1TSC4NGJetModel_v0, AXOL1TL_v6): as v1.3 but the window loops run over
  the *stride* (correct only for pool == stride) and outputs cover ``padded // stride * stride``.
- ``"legacy_v1"`` (CICADA v1, v1p1, v2, v2p1): as ``legacy``, but the taps read ``data[p]`` at the
  *padded* coordinate (no ``- pad_left``: with left/top padding that reads past the input, refused
  here) and ``rescale = (data_T)(ph * pw / img_overlap)`` in unsigned integers.
- ``"legacy"`` (CICADA v1p1p1...v2p2p0) and ``"legacy_modes"`` / ``"legacy_modes_n"`` (TOoLLiP v1 / v2):
  windows over the stride; ``avg`` accumulates in a type derived from ``data_T``
  (:func:`legacy_avg_types`: ``ap_fixed<W+c, I+c>`` for the overloads that match, else ``data_T``
  itself) and divides by N = the pool area; then, for average pooling, ``res *= rescale`` with
  ``data_T rescale = (data_T)ph * (data_T)pw / img_overlap``.

- ``"stream"`` (hls4ml 1.3.0 ``nnet_pooling_stream.h``, io_stream): every tap is first assigned
  to ``accum_t``; ``reduce_pool`` combines them with ``nnet::reduce``'s balanced tree (left part
  the largest power of two below N), each ``a + b`` assigned to accum_t, then ``sum / N`` (N = the
  pool area: padding is a ZeroPadding layer hls4ml inserts before, so zeros count); global
  pooling adds pixel by pixel, ``acc = (accum_t)(acc + (accum_t)x)``, and divides by H*W.

Global pooling (``global_pooling{1,2}d_cl``) is one window over every pixel of a channel.
:func:`pool` is the fast form (NumPy over gathered windows), :func:`pool_reference` its plain
twin in Python ints.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from firmware_models.errors import ModelFormatError, UnsupportedTypeError
from firmware_models.fixed import FixedType, apply_overflow, cast
from firmware_models.fixed.exact import convert_exact, overflow_exact
from firmware_models.jit import JIT_OPTIONS

__all__ = ["VARIANTS", "pool_windows", "legacy_avg_types", "max_pad_value", "pool", "pool_reference"]

#: the nnet_pooling.h generations modelled (see the module docstring)
VARIANTS = ("v1.3", "accum_stride", "legacy_v1", "legacy", "legacy_modes", "legacy_modes_n", "stream")


def _axis_windows(size: int, pool_: int, stride: int, pad: tuple[int, int], variant: str):
    """(starts of windows in padded coordinates, taps per window) along one axis."""
    full = size + pad[0] + pad[1]
    if variant == "v1.3":
        stop, taps = (full - pool_) // stride * stride + 1, pool_
    elif variant == "accum_stride":
        stop, taps = full // stride * stride, stride
    else:  # legacy: padded width trimmed to a multiple of the stride only when there is no padding
        stop = full if (pad[0] or pad[1]) else full - (full - full // stride * stride)
        taps = stride
    return list(range(0, max(stop, 0), stride)), taps


def pool_windows(in_shape, pool_size, stride=None, pad=0, *, variant: str = "v1.3"):
    """``(index, real)``: per output pixel the flat per-channel input pixel of each tap (``-1``: padding)
    and the count of real pixels; ``in_shape`` is ``(W, C)`` or ``(H, W, C)``.

    Returns ``(index (n_out_pixels, taps), real (n_out_pixels,), out_spatial_shape)``. Config
    fields: ``in_height/in_width`` (``n_in`` in 1D), ``pool_*``, ``stride_*``, ``pad_*``.
    """
    if variant not in VARIANTS:
        msg = f"unknown pooling variant {variant!r}; expected one of {', '.join(VARIANTS)}"
        raise ModelFormatError(msg)
    shape = tuple(int(a) for a in in_shape)
    one_d = len(shape) == 2
    if one_d:
        shape = (1, *shape)
    if len(shape) != 3:
        msg = f"pooling input shape must be (W, C) or (H, W, C), got {in_shape}"
        raise ModelFormatError(msg)
    h, w, _ = shape
    ps = (1, int(pool_size if not isinstance(pool_size, (tuple, list)) else pool_size[0])) if one_d else \
        tuple(int(a) for a in (pool_size if isinstance(pool_size, (tuple, list)) else (pool_size, pool_size)))
    if stride is None:
        st = ps
    elif one_d:
        st = (1, int(stride if not isinstance(stride, (tuple, list)) else stride[0]))
    else:
        st = tuple(int(a) for a in (stride if isinstance(stride, (tuple, list)) else (stride, stride)))
    if one_d:
        pd = (0, 0, *((int(pad), int(pad)) if not isinstance(pad, (tuple, list)) else tuple(int(a) for a in pad)))
    else:
        pd = (int(pad),) * 4 if not isinstance(pad, (tuple, list)) else tuple(int(a) for a in pad)
    if min(ps) < 1 or min(st) < 1 or len(pd) != 4:
        msg = f"pooling size {ps}, stride {st} must be >= 1 and pad 2 (1D) or 4 (2D) values, got {pad!r}"
        raise ModelFormatError(msg)
    if variant == "stream" and any(pd):
        msg = ("io_stream pooling has no padding (hls4ml inserts a ZeroPadding layer before it); "
               f"got pad {pd}: pool the padded tensor with pad 0")
        raise UnsupportedTypeError(msg)
    if variant not in ("v1.3", "stream") and st != ps:
        msg = (f"pooling variant {variant!r} loops over the stride: exact only for pool == stride, got pool {ps} "
               f"and stride {st} (the header leaves taps uninitialised or writes past the window)")
        raise UnsupportedTypeError(msg)
    if variant == "legacy_v1" and (pd[0] or pd[2]):
        msg = (f"legacy_v1 pooling (CICADA v1/v2 headers) with left/top padding {pd}: the header reads data at the "
               "padded coordinate, past the end of the input (undefined values); not modelled")
        raise UnsupportedTypeError(msg)
    if variant.startswith("legacy") and (pd[0] or pd[1] or pd[2] or pd[3]):
        for size, p0, p1, s_ in ((h, pd[0], pd[1], st[0]), (w, pd[2], pd[3], st[1])):
            if (size + p0 + p1) % s_:
                msg = (f"legacy pooling with padding over {size}+{p0}+{p1} pixels, stride {s_}: the header writes "
                       "past the output array (padded size not a multiple of the stride)")
                raise UnsupportedTypeError(msg)
    geo = "v1.3" if variant == "stream" else variant
    rows, th = _axis_windows(h, ps[0], st[0], pd[0:2], geo) if not one_d else ([0], 1)
    cols, tw = _axis_windows(w, ps[1], st[1], pd[2:4], geo)
    index, real = [], []
    for r0 in rows:
        for c0 in cols:
            taps, n_real = [], 0
            for kk in range(th):
                for ll in range(tw):
                    r, c = r0 + kk - pd[0], c0 + ll - pd[2]
                    inside = 0 <= r < h and 0 <= c < w
                    taps.append(r * w + c if inside else -1)
                    n_real += inside
            index.append(taps)
            real.append(n_real)
    out = (len(cols),) if one_d else (len(rows), len(cols))
    return np.array(index, dtype=np.int64), np.array(real, dtype=np.int64), out


def max_pad_value(t: FixedType) -> int:
    """``pad_val<T, Max>()``: a zero with bit W-1 set -- the most negative value, or 2**(W-1) unsigned."""
    return t.min_raw if t.signed else 1 << (t.width - 1)


def _ceillog2(n: int) -> int:
    return 0 if n <= 1 else math.ceil(math.log2(n))


def legacy_avg_types(t_data: FixedType, n: int, variant: str) -> tuple[FixedType, FixedType]:
    """(accumulator, return type) of the legacy ``avg`` overloads for ``data_T`` and N taps.

    ``legacy`` (CICADA): ``ap_int<W>`` and ``ap_fixed<W,I>`` with default modes get
    ``<W+c, I+c>`` (TRN, WRAP; c = ceillog2(N)); any other type (ap_ufixed, modes) sums in itself.
    ``legacy_modes`` (TOoLLiP v1): also ap_uint and ap_[u]fixed<W,I,Q,O> (N = 0), the wide type
    keeping Q and O. ``legacy_modes_n`` (TOoLLiP v2): every ap_[u]fixed and ap_[u]int.
    """
    c = _ceillog2(n)
    plain = t_data.rounding == "TRN" and t_data.overflow == "WRAP" and t_data.sat_bits == 0
    if t_data.is_int:
        match = t_data.signed or variant not in ("legacy", "legacy_v1")
        wide = FixedType.ap_int(t_data.width + c, signed=t_data.signed)
        return (wide, t_data) if match else (t_data, t_data)
    if variant in ("legacy", "legacy_v1"):
        match = t_data.signed and plain
    elif variant == "legacy_modes":
        match = t_data.sat_bits == 0
    else:
        match = True
    if not match:
        return t_data, t_data
    wide = FixedType(t_data.width + c, t_data.integer + c, t_data.signed, t_data.rounding, t_data.overflow,
                     t_data.sat_bits)
    return wide, t_data


def divide_by_length(y, length, ta: FixedType):
    """``accum_t y /= (unsigned)length`` on raw values (arrays or ints): truncation toward zero, except
    a signed ap_int accum_t narrower than 32 bits, divided as a 33-bit unsigned (ap_private)."""
    if ta.is_int and ta.signed and ta.width < 32:
        if isinstance(y, int):
            return (y % (1 << 33)) // length
        return np.where(y < 0, (y + (1 << 33)) // length, y // length)
    if isinstance(y, int):
        q = abs(y) // length
        return -q if y < 0 else q
    return _trunc_div(y, length)


def _trunc_div(v: np.ndarray, d) -> np.ndarray:
    q = np.abs(v) // d
    return np.where(v < 0, -q, q)


@numba.njit(**JIT_OPTIONS)
def _window_sum_kernel(pix, index, shift, out):  # pragma: no cover - compiled
    """out[n, o, c] = sum over taps of pix[n, index[o, t], c] << shift (index -1: a zero tap)."""
    n_ev, _, n_c = pix.shape
    n_out, n_t = index.shape
    for n in range(n_ev):
        for o in range(n_out):
            for c in range(n_c):
                out[n, o, c] = 0
            for t in range(n_t):
                i = index[o, t]
                if i < 0:
                    continue
                for c in range(n_c):
                    out[n, o, c] += pix[n, i, c] << shift


@numba.njit(**JIT_OPTIONS)
def _trunc_div_kernel(y, length, out):  # pragma: no cover - compiled
    """out[n, o, c] = y / length[o], truncated toward zero (ap_fixed /= unsigned)."""
    n_ev, n_out, n_c = y.shape
    for n in range(n_ev):
        for o in range(n_out):
            d = length[o]
            for c in range(n_c):
                v = y[n, o, c]
                out[n, o, c] = v // d if v >= 0 else -((-v) // d)


def pool(x, in_shape, pool_size, stride=None, pad=0, *, op: str, t_in: FixedType, t_result: FixedType,
         t_accum: FixedType | None = None, count_pad: bool = False, variant: str = "v1.3", global_: bool = False,
         name: str = "pooling") -> np.ndarray:
    """Raw results of ``pooling{1,2}d_cl`` / ``global_pooling{1,2}d_cl`` (``op`` "max" or "average").

    ``x``: ``(n_events, *in_shape)`` raw of ``t_in`` (``data_T``); ``t_accum``: the config's
    ``accum_t`` (v1.3 / accum_stride; default ``t_in``); ``t_result``: ``res_T``. Global pooling
    (``global_=True``) ignores ``pool_size``/``stride``/``pad``. Returns ``(n, *out_spatial, C)``
    (global: ``(n, C)``).
    """
    arr = np.asarray(x, dtype=np.int64)
    shape = tuple(int(a) for a in in_shape)
    if arr.ndim < 2 or int(np.prod(arr.shape[1:])) != int(np.prod(shape)):
        msg = f"{name}: expected (n_events, {shape}) raw inputs, got shape {arr.shape}"
        raise ModelFormatError(msg)
    n, c = arr.shape[0], shape[-1]
    pix = arr.reshape(n, -1, c)
    index, real, out_sp = _windows(shape, pool_size, stride, pad, variant, global_)
    taps = index.shape[1]
    if variant == "stream":
        return _pool_stream(pix, index, out_sp, op, t_in, t_result, t_accum or t_in, global_, name)
    if op == "average" and variant in ("v1.3", "accum_stride") and _order_free(t_in, t_accum or t_in, taps, pix):
        ta = t_accum or t_in
        length = np.full(index.shape[0], taps) if (count_pad or global_) else real
        y = np.empty((n, index.shape[0], c), dtype=np.int64)
        _window_sum_kernel(np.ascontiguousarray(pix), np.ascontiguousarray(index), ta.fractional - t_in.fractional, y)
        if not (ta.overflow == "WRAP" and ta.sat_bits == 0) or not _no_overflow(t_in, ta, taps, pix):
            y = apply_overflow(y, ta, context=name)
        if ta.is_int and ta.signed and ta.width < 32:
            q = divide_by_length(y, np.maximum(length, 1)[None, :, None], ta)
        else:
            q = np.empty_like(y)
            _trunc_div_kernel(y, np.maximum(length, 1).astype(np.int64), q)
        res = cast(q, ta, t_result, context=name, check=False)
        return res.reshape((n, *(() if global_ else out_sp), c))
    fill = max_pad_value(t_in) if op == "max" else 0
    ext = np.concatenate([pix, np.full((n, 1, c), fill, dtype=np.int64)], axis=1)
    g = ext[:, np.where(index < 0, pix.shape[1], index), :]            # (n, n_out, taps, C)
    if op == "max":
        if variant == "v1.3" or variant == "accum_stride":
            y = cast(g.max(axis=2), t_in, t_accum or t_in, context=name, check=False)
            res = cast(y, t_accum or t_in, t_result, context=name, check=False)
        else:
            res = cast(g.max(axis=2), t_in, t_result, context=name, check=False)
        return res.reshape((n, *(() if global_ else out_sp), c))
    if op != "average":
        msg = f"{name}: pooling op must be 'max' or 'average', got {op!r}"
        raise ModelFormatError(msg)
    if variant in ("v1.3", "accum_stride"):
        ta = t_accum or t_in
        tret = ta
        length = np.full(index.shape[0], taps) if (count_pad or global_) else real
    else:
        ta, tret = legacy_avg_types(t_in, taps, variant)
        length = np.full(index.shape[0], taps)
    y = _accumulate(g, t_in, ta, name)                                  # (n, n_out, C) at ta's LSB
    if variant in ("v1.3", "accum_stride"):
        y = divide_by_length(y, np.maximum(length, 1)[None, :, None], ta)
    else:  # legacy: tmp /= N with a signed int N
        y = _trunc_div(y, np.maximum(length, 1)[None, :, None])
    y = cast(y, ta, tret, context=name, check=False)
    res = cast(y, tret, t_result, context=name, check=False)
    if variant not in ("v1.3", "accum_stride") and not global_:
        res = _legacy_rescale(res, t_in, t_result, pool_size, real, shape, name, variant)
    return res.reshape((n, *(() if global_ else out_sp), c))


def _tree_split(n: int) -> int:
    """``leftN`` of ``nnet::reduce``: the largest power of two below n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _tree_sum(g: np.ndarray, ta: FixedType, name: str) -> np.ndarray:
    """``nnet::reduce<accum_t, N, Op_add>`` over axis 2 of values already in accum_t."""
    n = g.shape[2]
    if n == 1:
        return g[:, :, 0, :]
    if n == 2:
        return apply_overflow(g[:, :, 0, :] + g[:, :, 1, :], ta, context=name)
    left = _tree_split(n)
    return apply_overflow(_tree_sum(g[:, :, :left], ta, name) + _tree_sum(g[:, :, left:], ta, name), ta, context=name)


def _pool_stream(pix, index, out_sp, op, t_in, t_result, ta, global_, name):
    n, _, c = pix.shape
    if global_:
        xa = cast(pix, t_in, ta, context=name, check=False)                 # data_pack[p] = in_elem[...]
        if op == "max":
            acc = xa.max(axis=1)
        else:
            acc = np.zeros((n, c), dtype=np.int64)
            for k in range(xa.shape[1]):                                    # data_window = x + y_sum
                acc = apply_overflow(acc + xa[:, k, :], ta, context=name)
            acc = _trunc_div(acc, pix.shape[1])
        return cast(acc, ta, t_result, context=name, check=False).reshape(n, c)
    g = cast(pix[:, index, :], t_in, ta, context=name, check=False)        # pool_window[i] = kernel_data[...]
    if op == "max":
        y = g.max(axis=2)
    else:
        y = _trunc_div(_tree_sum(g, ta, name), index.shape[1])              # sum / N
    return cast(y, ta, t_result, context=name, check=False).reshape((n, *out_sp, c))


def _no_overflow(t_in: FixedType, ta: FixedType, taps: int, pix: np.ndarray) -> bool:
    bound = int(np.abs(pix).max(initial=0)) * taps << max(ta.fractional - t_in.fractional, 0)
    return bound <= ta.max_raw and -bound >= ta.sat_min_raw


def _order_free(t_in: FixedType, ta: FixedType, taps: int, pix: np.ndarray) -> bool:
    """Sequential ``y = (accum_t)(y + x)`` equals the exact sum then accum_t's overflow: no rounding
    (accum_t has the input's fraction bits or more) and a plain wrap or no overflow at all."""
    if ta.fractional < t_in.fractional or ta.width > 62 or t_in.width > 62:
        return False
    if int(np.abs(pix).max(initial=0)) * taps << (ta.fractional - t_in.fractional) >= 2**62:
        return False
    return (ta.overflow == "WRAP" and ta.sat_bits == 0) or _no_overflow(t_in, ta, taps, pix)


def _windows(shape, pool_size, stride, pad, variant, global_):
    if global_:
        n_pix = int(np.prod(shape[:-1]))
        return np.arange(n_pix)[None, :], np.array([n_pix]), (1,)
    return pool_windows(shape, pool_size, stride, pad, variant=variant)


def _accumulate(g: np.ndarray, t_in: FixedType, ta: FixedType, name: str) -> np.ndarray:
    """``y = 0; for tap: y = (accum_t)(y + x)`` -- order-free when accum_t wraps with enough fraction bits."""
    d = t_in.fractional - ta.fractional
    plain_wrap = ta.overflow == "WRAP" and ta.sat_bits == 0
    if d <= 0 and plain_wrap:
        s = g.sum(axis=2) << (-d) if d < 0 else g.sum(axis=2)
        return apply_overflow(s, ta, context=name)
    if d <= 0:
        bound = int(np.abs(g).max(initial=0)) * g.shape[2] << (-d)
        if bound <= ta.max_raw and -bound >= ta.sat_min_raw:
            return g.sum(axis=2) << (-d)
    y = np.zeros((g.shape[0], g.shape[1], g.shape[3]), dtype=np.int64)
    f = max(ta.fractional, t_in.fractional)
    for k in range(g.shape[2]):  # full-precision y + x at the finer LSB, then assigned to accum_t
        s = (y << (f - ta.fractional)) + (g[:, :, k, :] << (f - t_in.fractional))
        y = cast(s, FixedType(62, 62 - f), ta, context=name, check=False)
    return y


def _legacy_rescale(res, t_in, t_result, pool_size, real, shape, name, variant="legacy"):
    """Legacy average pooling: ``data_T rescale = (data_T)ph * (data_T)pw / img_overlap; res *= rescale``."""
    ps = (pool_size if isinstance(pool_size, (tuple, list)) else (pool_size,) * (len(shape) - 1))
    ps = [int(a) for a in ps][-(len(shape) - 1):]
    factors = [convert_exact(int(p), 0, t_in) for p in ps]            # static_cast<data_T>(p)
    prod = 1
    for fct in factors:
        prod *= fct                                                     # at 2 * F (or F in 1D)
    f_prod = t_in.fractional * len(factors)
    out = np.empty_like(res)
    for k, ov in enumerate(real.tolist()):
        if ov == 0:
            msg = f"{name}: a legacy average-pooling window holds no pixel (division by zero in the header)"
            raise UnsupportedTypeError(msg)
        if variant == "legacy_v1":                                      # unsigned ints, then to data_T
            area = 1
            for p in ps:
                area *= p
            rescale = convert_exact(area // ov, 0, t_in)
        else:
            q = abs(prod) // ov
            q = -q if prod < 0 else q                                   # quotient keeps the product's LSB
            rescale = convert_exact(q, -f_prod, t_in)
        p2 = res[:, k, :] * rescale                                     # res_T * data_T, full precision
        out[:, k, :] = cast(p2, FixedType(62, 62 - t_result.fractional - t_in.fractional), t_result, context=name,
                            check=False)
    return out


# ----------------------------------------------------------------------------- the reference twin


def pool_reference(x, in_shape, pool_size, stride=None, pad=0, *, op: str, t_in: FixedType, t_result: FixedType,
                   t_accum: FixedType | None = None, count_pad: bool = False, variant: str = "v1.3",
                   global_: bool = False, name: str = "pooling") -> np.ndarray:
    """The plain twin of :func:`pool`: the header loops per event, channel and window, in Python ints."""
    arr = np.asarray(x, dtype=np.int64)
    shape = tuple(int(a) for a in in_shape)
    n, c = arr.shape[0], shape[-1]
    index, real, out_sp = _windows(shape, pool_size, stride, pad, variant, global_)
    taps = index.shape[1]
    legacy = variant not in ("v1.3", "accum_stride")
    ta = t_accum or t_in
    if legacy:
        ta_l, tret_l = legacy_avg_types(t_in, taps, variant)
    if variant == "stream":
        return _stream_reference(arr, index, out_sp, op, t_in, t_result, ta, global_, c)
    out = np.empty((n, index.shape[0], c), dtype=np.int64)
    for e in range(n):
        ev = [int(v) for v in arr[e].reshape(-1)]
        for w_i in range(index.shape[0]):
            for ch in range(c):
                vals = [ev[i * c + ch] if i >= 0 else (max_pad_value(t_in) if op == "max" else 0)
                        for i in index[w_i]]
                if op == "max":
                    y = vals[0]
                    for v in vals[1:]:
                        y = v if v > y else y                           # y = x[i] > y ? x[i] : y
                    if legacy:
                        r = convert_exact(y, -t_in.fractional, t_result)
                    else:
                        r = convert_exact(convert_exact(y, -t_in.fractional, ta), -ta.fractional, t_result)
                else:
                    acc_t, ret_t = (ta_l, tret_l) if legacy else (ta, ta)
                    y = 0
                    f = max(acc_t.fractional, t_in.fractional)
                    for v in vals:                                      # y += x[i]
                        s = (y << (f - acc_t.fractional)) + (v << (f - t_in.fractional))
                        y = convert_exact(s, -f, acc_t)
                    length = taps if (legacy or count_pad or global_) else int(real[w_i])
                    if legacy:                                          # tmp /= N (signed int)
                        q = abs(y) // length
                        y = -q if y < 0 else q
                    else:                                               # y /= (unsigned)length
                        y = divide_by_length(y, length, acc_t)
                    y = convert_exact(y, -acc_t.fractional, ret_t)
                    r = convert_exact(y, -ret_t.fractional, t_result)
                    if legacy and not global_:
                        r = _legacy_rescale(np.array([[[r]]]), t_in, t_result, pool_size,
                                            np.array([real[w_i]]), shape, name, variant)[0, 0, 0]
                out[e, w_i, ch] = r
    return out.reshape((n, *(() if global_ else out_sp), c))


def _tree_ref(vals: list[int], ta: FixedType, op: str) -> int:
    if len(vals) == 1:
        return vals[0]
    if len(vals) == 2:
        a, b = vals
        return (a if a >= b else b) if op == "max" else overflow_exact(a + b, ta)   # Op_max / Op_add in accum_t
    left = _tree_split(len(vals))
    return _tree_ref([_tree_ref(vals[:left], ta, op), _tree_ref(vals[left:], ta, op)], ta, op)


def _stream_reference(arr, index, out_sp, op, t_in, t_result, ta, global_, c):
    n = arr.shape[0]
    rows = []
    for ev in arr.reshape(n, -1, c).tolist():
        if global_:
            res = []
            for ch in range(c):
                xs = [convert_exact(int(px[ch]), -t_in.fractional, ta) for px in ev]
                if op == "max":
                    acc = max(xs)
                else:
                    acc = 0
                    for v in xs:
                        acc = overflow_exact(acc + v, ta)
                    q = abs(acc) // len(xs)
                    acc = -q if acc < 0 else q
                res.append(convert_exact(acc, -ta.fractional, t_result))
            rows.append(res)
            continue
        out = []
        for taps in index.tolist():
            for ch in range(c):
                xs = [convert_exact(int(ev[i][ch]), -t_in.fractional, ta) for i in taps]
                y = _tree_ref(xs, ta, op)
                if op != "max":
                    q = abs(y) // len(taps)
                    y = -q if y < 0 else q
                out.append(convert_exact(y, -ta.fractional, t_result))
        rows.append(out)
    return np.array(rows, dtype=np.int64).reshape((n, *(() if global_ else out_sp), c))
