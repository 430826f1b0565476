"""Index-map layers (channels last): ZeroPadding1D/2D, Cropping1D/2D, UpSampling1D/2D, Transpose.

Pure functions over raw int64 arrays ``(n_events, *channels_last_shape)``; the layer registry
wraps them as kinds. Each layer is a gather: a map from every output position to an input
position (or ``-1`` for a written zero), then ``(res_T)data`` -- the assignment hls4ml's kernels
do (``nnet_padding.h`` ``zeropad{1,2}d_cl``, ``nnet_cropping.h`` ``cropping{1,2}d_cl``,
``nnet_image.h`` ``resize_nearest`` -- which writes ``data_T`` unconverted -- and
``nnet_transpose.h`` ``transpose``). The maps follow those loops literally:
``resize_nearest`` uses ``ratio = (in << 16) / out + 1`` and ``src = (dst * ratio) >> 16``.

:func:`gather_cast` is the fast form (one NumPy gather plus one cast); :func:`gather_cast_reference`
its plain twin.
"""

from __future__ import annotations

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType, cast
from firmware_models.fixed.exact import convert_exact

__all__ = ["zeropad_map", "cropping_map", "upsampling_map", "transpose_map", "gather_cast", "gather_cast_reference"]


def _spatial(shape, pads, what: str):
    shape = tuple(int(a) for a in shape)
    if len(shape) not in (2, 3):
        msg = f"{what}: input shape must be (W, C) or (H, W, C) channels last, got {shape}"
        raise ModelFormatError(msg)
    if len(shape) == 2:
        shape = (1, *shape)
        pads = (0, 0, *pads)
    if len(pads) != 4 or any(int(p) < 0 for p in pads):
        msg = f"{what}: expected 2 (1D) or 4 (2D) non-negative amounts, got {pads!r}"
        raise ModelFormatError(msg)
    return shape, tuple(int(p) for p in pads)


def zeropad_map(in_shape, pads) -> tuple[np.ndarray, tuple[int, ...]]:
    """``zeropad{1,2}d_cl``: ``pads`` = ``(left, right)`` or ``(top, bottom, left, right)``.

    Returns (map of every output element to its input element or -1, output shape).
    """
    one_d = len(in_shape) == 2
    (h, w, c), (t, b, lft, r) = _spatial(in_shape, pads, "ZeroPadding")
    oh, ow = h + t + b, w + lft + r
    rows = np.arange(oh)[:, None, None] - t
    cols = np.arange(ow)[None, :, None] - lft
    ch = np.arange(c)[None, None, :]
    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    m = np.where(inside, (rows * w + cols) * c + ch, -1).reshape(-1)
    return m.astype(np.int64), ((ow, c) if one_d else (oh, ow, c))


def cropping_map(in_shape, crops) -> tuple[np.ndarray, tuple[int, ...]]:
    """``cropping{1,2}d_cl``: ``crops`` = ``(left, right)`` or ``(top, bottom, left, right)``."""
    one_d = len(in_shape) == 2
    (h, w, c), (t, b, lft, r) = _spatial(in_shape, crops, "Cropping")
    oh, ow = h - t - b, w - lft - r
    if oh < 1 or ow < 1:
        msg = f"Cropping {crops} leaves nothing of input {tuple(in_shape)}"
        raise ModelFormatError(msg)
    rows = np.arange(oh)[:, None, None] + t
    cols = np.arange(ow)[None, :, None] + lft
    m = ((rows * w + cols) * c + np.arange(c)[None, None, :]).reshape(-1)
    return m.astype(np.int64), ((ow, c) if one_d else (oh, ow, c))


def upsampling_map(in_shape, out_spatial) -> tuple[np.ndarray, tuple[int, ...]]:
    """``resize_nearest`` (UpSampling1D/2D, Resize 'nearest') to ``out_spatial`` = ``(W',)`` or ``(H', W')``."""
    one_d = len(in_shape) == 2
    (h, w, c), _ = _spatial(in_shape, (0, 0) if one_d else (0, 0, 0, 0), "UpSampling")
    out_spatial = tuple(int(a) for a in out_spatial)
    oh, ow = (1, *out_spatial) if one_d else out_spatial
    y_ratio = ((h << 16) // oh) + 1
    x_ratio = ((w << 16) // ow) + 1
    y2 = (np.arange(oh) * y_ratio) >> 16
    x2 = (np.arange(ow) * x_ratio) >> 16
    m = ((y2[:, None, None] * w + x2[None, :, None]) * c + np.arange(c)[None, None, :]).reshape(-1)
    return m.astype(np.int64), ((ow, c) if one_d else (oh, ow, c))


def transpose_map(in_shape, perm) -> tuple[np.ndarray, tuple[int, ...]]:
    """``nnet::transpose``: output index (C order over ``to_shape``) -> input index, ``perm`` as numpy's."""
    in_shape = tuple(int(a) for a in in_shape)
    perm = tuple(int(p) for p in perm)
    if sorted(perm) != list(range(len(in_shape))):
        msg = f"Transpose perm {perm} is not a permutation of the {len(in_shape)} per-event axes"
        raise ModelFormatError(msg)
    to_shape = tuple(in_shape[p] for p in perm)
    strides = [int(np.prod(in_shape[i + 1:])) for i in range(len(in_shape))]
    perm_strides = [strides[p] for p in perm]
    out = np.zeros(int(np.prod(to_shape)), dtype=np.int64)
    idx = np.arange(out.size)
    rem = idx.copy()
    for i in range(len(to_shape) - 1, -1, -1):  # transfer_idx: last axis first
        out += (rem % to_shape[i]) * perm_strides[i]
        rem //= to_shape[i]
    return out, to_shape


def gather_cast(x, index_map, out_shape, *, t_in: FixedType, t_result: FixedType | None,
                name: str = "layer") -> np.ndarray:
    """``res[i] = (res_T) data[map[i]]`` (``0`` where ``map[i] == -1``); ``t_result=None``: no conversion."""
    arr = np.asarray(x, dtype=np.int64)
    flat = arr.reshape(arr.shape[0], -1)
    m = np.asarray(index_map, dtype=np.int64)
    if m.size != int(np.prod(out_shape)) or (m.size and (m.max() >= flat.shape[1] or m.min() < -1)):
        msg = f"{name}: index map of {m.size} entries does not fit input {arr.shape[1:]} / output {tuple(out_shape)}"
        raise ModelFormatError(msg)
    if (m < 0).any():
        ext = np.concatenate([flat, np.zeros((flat.shape[0], 1), dtype=np.int64)], axis=1)
        g = ext[:, np.where(m < 0, flat.shape[1], m)]
    else:
        g = flat[:, m]
    if t_result is not None and t_result != t_in:
        g = cast(g, t_in, t_result, context=name, check=False)
    return np.ascontiguousarray(g).reshape((arr.shape[0], *out_shape))


def gather_cast_reference(x, index_map, out_shape, *, t_in: FixedType, t_result: FixedType | None,
                          name: str = "layer") -> np.ndarray:
    """The plain twin of :func:`gather_cast`: the kernel's ``*(res++) = (res_T) *(data++)`` per element."""
    arr = np.asarray(x, dtype=np.int64)
    rows = []
    for ev in arr.reshape(arr.shape[0], -1):
        vals = [int(v) for v in ev]
        out = []
        for i in np.asarray(index_map).tolist():
            v = 0 if i < 0 else vals[i]
            out.append(v if t_result is None else convert_exact(v, -t_in.fractional, t_result))
        rows.append(out)
    return np.array(rows, dtype=np.int64).reshape((arr.shape[0], *out_shape))
