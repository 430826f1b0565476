"""``conv``: Conv1D / Conv2D (incl. pointwise, strided) in io_parallel and io_stream, latency and resource.

The arithmetic is :mod:`firmware_models.nn.conv` (its docstring: per output pixel a dense layer
over the pixel's im2col patch; taps in buffer order for the latency kernels, in
``conv_2d_resource_cl``'s loop order with transposed weights for the resource strategy). The
builder reads, from the project:

- the geometry from the config struct (``in_height``/``in_width``, ``n_chan``, ``filt_*``,
  ``stride_*``, ``pad_*``, ``n_filt``; Conv1D ``dilation``);
- io_parallel: the im2col map from the project's ``fill_buffer_N`` class in ``nnet_code_gen.h``
  (the code hls4ml generated -- the truth, e.g. hls4ml 1.3.0 writes it without dilation); the
  geometry's map (hls4ml's own im2col formula) when the file is absent;
- io_stream (``using fill_buffer = nnet::FillConv{1,2}DBuffer``, line buffer or encoded): the
  window in ``(fh, fw, c)`` order, the dense kernel named by ``config<N>_mult::kernel``;
- ``weight_t`` / ``bias_t`` / ``accum_t`` and the product class from ``config<N>_mult``.
"""

from __future__ import annotations

import math

import numpy as np

from firmware_models.errors import ModelFormatError, UnsupportedTypeError
from firmware_models.nn import conv as _conv
from firmware_models.nn.cpp_reader import join_tokens
from firmware_models.nn.layers._common import node_from_call
from firmware_models.nn.registry import KindSpec, register

__all__ = ["conv_node_attrs"]

_STREAM_FILL = ("FillConv1DBuffer", "FillConv2DBuffer")


def _kernel(node, xs):
    p, t, a = node.params, node.types, node.attrs
    plan = node.cache.get("plan")
    if plan is None:   # the static plan (input type's bound), made once per node
        plan = node.cache["plan"] = _conv.conv_plan(p["weight"], p["bias"], t_in=t["input"], t_weight=t["weight"],
                                                    t_bias=t["bias"], t_accum=t["accum"])
    out = _conv.conv(xs[0], a["index_map"], p["weight"], p["bias"], t_in=t["input"], t_weight=t["weight"],
                     t_bias=t["bias"], t_accum=t["accum"], t_result=t["result"], order=a.get("tap_order"),
                     plan=plan, name=f"layer {node.name}")
    return out.reshape(out.shape[0], -1)


def _reference(node, xs):
    p, t, a = node.params, node.types, node.attrs
    out = _conv.conv_reference(np.array([xs[0]], dtype=np.int64), a["index_map"], p["weight"], p["bias"],
                               t_in=t["input"], t_weight=t["weight"], t_bias=t["bias"], t_accum=t["accum"],
                               t_result=t["result"], order=a.get("tap_order"))
    return [int(v) for v in out.reshape(-1)]


def _code_gen_text(ctx) -> str | None:
    for base in (ctx.fw / "nnet_utils", ctx.utils_dir, ctx.fw):
        if base is not None and (base / "nnet_code_gen.h").is_file():
            return (base / "nnet_code_gen.h").read_text()
    return None


def conv_node_attrs(cfg, two_d: bool):
    """(input shape, kernel, stride, pads, dilation) of a conv config struct."""
    if two_d:
        shape = (cfg.int("in_height"), cfg.int("in_width"), cfg.int("n_chan"))
        kernel = (cfg.int("filt_height"), cfg.int("filt_width"))
        stride = (cfg.int("stride_height"), cfg.int("stride_width"))
        pads = (cfg.int("pad_top"), cfg.int("pad_bottom"), cfg.int("pad_left"), cfg.int("pad_right"))
        dil = (cfg.int("dilation_height", 1), cfg.int("dilation_width", 1))
    else:
        shape = (cfg.int("in_width"), cfg.int("n_chan"))
        kernel, stride = (cfg.int("filt_width"),), (cfg.int("stride_width"),)
        pads, dil = (cfg.int("pad_left"), cfg.int("pad_right")), (cfg.int("dilation", 1),)
    return shape, kernel, stride, pads, dil


def _build(call, ctx):
    cfg = ctx.config(call.targs[-1], call.name)
    two_d = "2d" in call.function
    shape, kernel, stride, pads, dil = conv_node_attrs(cfg, two_d)
    n_filt = cfg.int("n_filt")
    mult_name = cfg.struct.typedefs.get("mult_config")
    mult = ctx.config(join_tokens(mult_name), call.name) if mult_name else cfg
    fill = cfg.using("fill_buffer")
    stream = fill in _STREAM_FILL
    geo = _conv.im2col_map(shape, kernel, stride, pads, dil)
    imap, source = geo, "geometry"
    if not stream and fill:
        text = _code_gen_text(ctx)
        if text is not None:
            imap, source = _conv.parse_fill_buffer(text, fill), f"nnet_code_gen.h {fill}"
    if imap.shape[1] != geo.shape[1]:
        msg = f"layer {call.name}: {source} has {imap.shape[1]} taps per pixel, the geometry {geo.shape[1]}"
        raise ModelFormatError(msg)
    strategy = cfg.text("strategy") or "nnet::latency"
    strategy = strategy.split("::")[-1]
    rf = cfg.int("reuse_factor", 1)
    k = imap.shape[1]
    resource = strategy in ("resource", "resource_unrolled")
    w, tw = ctx.weights(call.args[2], call.name)
    b, tb = ctx.weights(call.args[3], call.name)
    if b.size != n_filt:
        msg = f"layer {call.name}: {b.size} biases for n_filt={n_filt}"
        raise ModelFormatError(msg)
    weight = _conv.weights_logical(w, k, n_filt, transposed=resource)
    weight = _conv.effective_weights(weight, mult.using("product") or "mult", tw)
    order, kernel_name = None, mult.using("kernel") or ("ConvResource" if resource else "ConvLatency")
    if resource:
        if stream and kernel_name not in ("DenseResource_rf_leq_nin",):
            t_acc = cfg.type("accum_t")
            if not (t_acc.overflow == "WRAP" and t_acc.sat_bits == 0):
                msg = (f"layer {call.name}: io_stream conv with {kernel_name} and the non-wrapping accumulator "
                       f"{t_acc} is not modelled (its partial-sum order); use a wrapping accum_t or RF <= K")
                raise UnsupportedTypeError(msg)
        else:
            order = _conv.resource_tap_order(k, n_filt, rf)
    out_px = imap.shape[0]
    out_shape = (cfg.int("out_height"), cfg.int("out_width"), n_filt) if two_d else (cfg.int("out_width"), n_filt)
    if out_px * n_filt != int(np.prod(out_shape)):
        msg = f"layer {call.name}: the im2col map has {out_px} pixels, the config {out_shape}"
        raise ModelFormatError(msg)
    types = {"input": ctx.type(call.targs[0], call.name), "result": ctx.type(call.targs[1], call.name),
             "weight": tw, "bias": tb, "accum": cfg.type("accum_t")}
    attrs = {"reuse_factor": rf, "strategy": strategy, "io_type": "io_stream" if stream else "io_parallel",
             "index_map": imap, "tap_order": order, "im2col_source": source, "kernel": kernel_name,
             "n_partitions": cfg.int("n_partitions", out_px) if not stream else 0,
             "pixels_in": int(np.prod(shape[:-1])), "pixels_out": out_px, "taps": k}
    return node_from_call(call, "conv", inputs=(0,), output=1, types=types, in_shapes=[shape], out_shape=out_shape,
                          params={"weight": weight, "bias": b}, attrs=attrs)


def _timing(desc) -> tuple[int, int]:
    """(latency, II) in 5 ns reference cycles; see ``timing_rule`` below."""
    rf = max(int(desc.get("reuse_factor", 1)), 1)
    if desc.get("io_type") == "io_stream":
        per_px = rf
        if desc.get("strategy", "latency") != "latency":   # the pixel loop is not pipelined: one dense per pixel
            per_px = rf + math.ceil(math.log2(max(int(desc.get("taps", 2)), 2)) / 4)
        n = max(int(desc.get("pixels_in", 1)), 1) * per_px + 3
        return n, n
    parts = int(desc.get("n_partitions") or desc.get("pixels_out") or 1)
    ii = max(parts, 1) * rf   # PartitionLoop: n_partitions iterations pipelined at II = RF
    return ii + 3, ii


register(KindSpec(
    kind="conv", kernel=_kernel, reference=_reference, timing=_timing,
    timing_rule="io_parallel (latency and resource): II = n_partitions * RF (PartitionLoop, n_partitions "
                "iterations pipelined at II=RF), latency = II + 3 -- hls4ml's synthesis baseline "
                "test_conv2d_io_parallel Resource (28x28x3 -> 7x7x32, 49 partitions, RF 1): Vivado 2020.1 latency "
                "51-52, II 49; Vitis 2024.1 52, 53. io_stream: H*W input pixels (after padding) x c cycles + 3, "
                "II the same, c = RF with the Latency strategy (pixel loop pipelined at II=RF: hls4ml baselines "
                "depthwise1d/2d io_stream, 32 and 1024 pixels: 35 and 1028), c = RF + ceil(log2(taps)/4) with "
                "Resource (one dense per pixel: ML_FPGAonPixel cnn_large, Vitis 2023.1, 150 pixels x 9 taps: 303; "
                "48 pixels x 72 taps: 146)",
    convention="hls4ml 1.3.0 nnet_utils/nnet_conv{1,2}d_latency.h / _resource.h (+ the project's fill_buffer_N in "
               "nnet_code_gen.h) and nnet_conv_stream.h: per output pixel mult = (accum_t)(x*w), acc = (accum_t)bias, "
               "acc += mult tap by tap (latency: buffer order; resource: transposed weights, conv_2d_resource_cl "
               "loop order), res = (res_t)acc; io_stream line buffer / encoded give the same bits",
    nnet_functions=("conv_1d_cl", "conv_2d_cl", "pointwise_conv_1d_cl", "pointwise_conv_2d_cl"),
    build_hls4ml=_build, extra={"output_register": False}))
