"""``zeropad``, ``cropping``, ``upsampling``, ``transpose``: index-map layers (channels last).

The maps and the ``(res_T)data`` assignment are :mod:`firmware_models.nn.reshape_ops`
(``nnet_padding.h``, ``nnet_cropping.h``, ``nnet_image.h`` ``resize_nearest``, ``nnet_transpose.h``).
Each node holds ``attrs["map"]`` (output flat index -> input flat index, -1 a written zero).
"""

from __future__ import annotations

import numpy as np

from firmware_models.nn import reshape_ops as _ops
from firmware_models.nn.layers._common import node_from_call
from firmware_models.nn.registry import KindSpec, register

__all__: list[str] = []


def _kernel(node, xs):
    t = node.types
    out = _ops.gather_cast(xs[0], node.attrs["map"], (node.n_out,), t_in=t["input"],
                           t_result=None if t["result"] == t["input"] else t["result"], name=f"layer {node.name}")
    return out


def _reference(node, xs):
    t = node.types
    out = _ops.gather_cast_reference(np.array([xs[0]], dtype=np.int64), node.attrs["map"], (node.n_out,),
                                     t_in=t["input"], t_result=None if t["result"] == t["input"] else t["result"])
    return [int(v) for v in out.reshape(-1)]


def _shape(cfg, two_d):
    return (cfg.int("in_height"), cfg.int("in_width"), cfg.int("n_chan")) if two_d else \
        (cfg.int("in_width"), cfg.int("n_chan"))


def _build_pad(call, ctx):
    cfg = ctx.config(call.targs[-1], call.name)
    two_d = "2d" in call.function
    pads = (cfg.int("pad_top"), cfg.int("pad_bottom"), cfg.int("pad_left"), cfg.int("pad_right")) if two_d else \
        (cfg.int("pad_left"), cfg.int("pad_right"))
    shape = _shape(cfg, two_d)
    m, out = _ops.zeropad_map(shape, pads)
    types = {"input": ctx.type(call.targs[0], call.name), "result": ctx.type(call.targs[1], call.name)}
    return node_from_call(call, "zeropad", inputs=(0,), output=1, types=types, in_shapes=[shape], out_shape=out,
                          attrs={"map": m})


def _build_crop(call, ctx):
    cfg = ctx.config(call.targs[-1], call.name)
    two_d = "2d" in call.function
    crops = (cfg.int("crop_top"), cfg.int("crop_bottom"), cfg.int("crop_left"), cfg.int("crop_right")) if two_d \
        else (cfg.int("crop_left"), cfg.int("crop_right"))
    shape = _shape(cfg, two_d)
    m, out = _ops.cropping_map(shape, crops)
    types = {"input": ctx.type(call.targs[0], call.name), "result": ctx.type(call.targs[1], call.name)}
    return node_from_call(call, "cropping", inputs=(0,), output=1, types=types, in_shapes=[shape], out_shape=out,
                          attrs={"map": m})


def _build_resize(call, ctx):
    cfg = ctx.config(call.targs[-1], call.name)
    shape = (cfg.int("height"), cfg.int("width"), cfg.int("n_chan"))
    m, out = _ops.upsampling_map(shape, (cfg.int("new_height"), cfg.int("new_width")))
    t = ctx.type(call.targs[0], call.name)   # resize_nearest writes data_T as it is
    return node_from_call(call, "upsampling", inputs=(0,), output=1, types={"input": t, "result": t},
                          in_shapes=[shape], out_shape=out, attrs={"map": m})


def _timing(desc) -> tuple[int, int]:
    """io_parallel: wiring (0 cycles); io_stream: one output pixel per cycle + 13 (see the rule text)."""
    if desc.get("io_type") == "io_stream" and desc.get("kind") in ("zeropad", "cropping"):
        shape = desc.get("out_shape") or [1]
        n = (int(np.prod(shape[:-1])) if len(shape) > 1 else int(shape[0])) + 13
        return n, n
    return 0, 1


_RULE = ("io_parallel: 0 cycles, II 1 (wiring); io_stream zeropad/cropping: H*W output pixels + 13 cycles, II the "
         "same (ML_FPGAonPixel cnn_large, Vitis 2023.1: zeropad2d to 10x15 -> 163, to 6x8 -> 61)")
_CONV = "hls4ml 1.3.0 nnet_utils/"
for _kind, _fns, _build, _ops_onnx, _text in (
        ("zeropad", ("zeropad1d_cl", "zeropad2d_cl"), _build_pad, (),
         "nnet_padding.h zeropad{1,2}d_cl: zeros, then (res_T)data in place"),
        ("cropping", ("cropping1d_cl", "cropping2d_cl"), _build_crop, (),
         "nnet_cropping.h cropping{1,2}d_cl: (res_T)data of the kept window"),
        ("upsampling", ("resize_nearest",), _build_resize, (),
         "nnet_image.h resize_nearest: src = (dst * ((in << 16) / out + 1)) >> 16, data_T copied"),
        ("transpose", (), None, (),
         "nnet_transpose.h transpose: res[i] = data[transfer_idx(i)] (perm_strides over to_shape, last axis first)")):
    register(KindSpec(kind=_kind, kernel=_kernel, reference=_reference, timing=_timing,
                      timing_rule=_RULE, convention=_CONV + _text,
                      nnet_functions=_fns, build_hls4ml=_build, onnx_ops=_ops_onnx))
