"""``pooling``: Max/Average pooling 1D/2D and global pooling, in every nnet_pooling.h generation.

The arithmetic is :mod:`firmware_models.nn.pooling` (its docstring lists the generations). The
builder reads the geometry and ``accum_t`` from the config struct and tells the generation from
the project's own ``nnet_pooling.h`` (the copy its ``nnet_utils`` holds; hls4ml 1.3.0's when the
folder has none) and its io type (``hls::stream`` ports: ``nnet_pooling_stream.h``).
"""

from __future__ import annotations

import re

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.nn import pooling as _pool
from firmware_models.nn.layers._common import node_from_call
from firmware_models.nn.registry import KindSpec, register

__all__ = ["pooling_variant"]


def _norm(text: str) -> str:
    text = re.sub(r"//[^\n]*|/\*.*?\*/|#pragma[^\n]*", "", text, flags=re.S)
    return re.sub(r"\s+", "", text)


def pooling_variant(header_text: str | None, stream: bool) -> str:
    """The :data:`~firmware_models.nn.pooling.VARIANTS` entry of an ``nnet_pooling.h`` (None: hls4ml 1.3.0)."""
    if stream:
        return "stream"
    if header_text is None:
        return "v1.3"
    t = _norm(header_text)
    if "(full_padded_width-CONFIG_T::pool_width)/CONFIG_T::stride_width" in t:
        return "v1.3"
    if "restricted_padded_width=full_padded_width/CONFIG_T::stride_width" in t:
        return "accum_stride"
    if "img_overlap" in t:
        if "pool[jj]=data[(ii+jj)*CONFIG_T::n_filt+ff]" in t:
            return "legacy_v1"
        if "ap_fixed<W,I,Q,O,M>avg(" in t:
            return "legacy_modes_n"
        if "ap_fixed<W,I,Q,O>avg(" in t:
            return "legacy_modes"
        return "legacy"
    msg = "nnet_pooling.h matches no known generation (1.3.0, accum_stride, legacy); cannot model its pooling"
    raise ModelFormatError(msg)


def _args(node):
    a, t = node.attrs, node.types
    return dict(op=a["op"], t_in=t["input"], t_result=t["result"], t_accum=t["accum"], count_pad=a["count_pad"],
                variant=a["variant"], global_=a["global"], name=f"layer {node.name}")


def _kernel(node, xs):
    a = node.attrs
    out = _pool.pool(xs[0], a["shape"], a["pool"], a["stride"], a["pad"], **_args(node))
    return out.reshape(out.shape[0], -1)


def _reference(node, xs):
    a = node.attrs
    out = _pool.pool_reference(np.array([xs[0]], dtype=np.int64), a["shape"], a["pool"], a["stride"], a["pad"],
                               **_args(node))
    return [int(v) for v in out.reshape(-1)]


def _header(ctx) -> str | None:
    base = ctx.utils_dir
    if base is not None and (base / "nnet_pooling.h").is_file():
        return (base / "nnet_pooling.h").read_text()
    return None


def _is_stream(ctx) -> bool:
    """io_stream projects pass ``hls::stream<...>`` ports to the top function (the reader keeps the value type)."""
    from pathlib import Path

    memo = getattr(ctx, "_conv_is_stream", None)
    if memo is None:
        text = Path(ctx.top.file).read_text(errors="replace")
        sig = re.search(r"\b" + re.escape(ctx.top.name) + r"\s*\(([^)]*)\)\s*\{", text)
        memo = sig is not None and "hls::stream" in sig.group(1)
        ctx._conv_is_stream = memo
    return memo


def _build(call, ctx):
    cfg = ctx.config(call.targs[-1], call.name)
    stream = _is_stream(ctx)
    variant = pooling_variant(_header(ctx), stream)
    op = cfg.text("pool_op").split("::")[-1].lower()
    op = {"max": "max", "average": "average"}.get(op)
    if op is None:
        msg = f"layer {call.name}: pool_op {cfg.text('pool_op')} is not supported (Max, Average)"
        raise ModelFormatError(msg)
    c = cfg.int("n_filt")
    glob = call.function.startswith("global")
    if call.function.endswith("2d_cl"):
        shape = (cfg.int("in_height"), cfg.int("in_width"), c)
        pool = (cfg.int("pool_height", 1), cfg.int("pool_width", 1))
        stride = (cfg.int("stride_height", 1), cfg.int("stride_width", 1))
        pad = (cfg.int("pad_top", 0), cfg.int("pad_bottom", 0), cfg.int("pad_left", 0), cfg.int("pad_right", 0))
    else:
        shape = (cfg.int("n_in"), c)
        pool, stride = cfg.int("pool_width", 1), cfg.int("stride_width", 1)
        pad = (cfg.int("pad_left", 0), cfg.int("pad_right", 0))
    if glob:
        shape = (int(np.prod(shape[:-1])), c)
        out_shape = (c,)
    elif len(shape) == 3:
        out_shape = (cfg.int("out_height"), cfg.int("out_width"), c)
    else:
        out_shape = (cfg.int("n_out"), c)
    t_in = ctx.type(call.targs[0], call.name)
    types = {"input": t_in, "result": ctx.type(call.targs[1], call.name), "accum": cfg.type("accum_t") if
             cfg.struct.typedefs.get("accum_t") else t_in}
    attrs = {"op": op, "variant": variant, "global": glob, "shape": shape, "pool": pool, "stride": stride,
             "pad": pad, "count_pad": bool(cfg.int("count_pad", 0)), "reuse_factor": cfg.int("reuse_factor", 1),
             "io_type": "io_stream" if stream else "io_parallel", "padded": any(int(p) for p in np.ravel(pad))}
    node = node_from_call(call, "pooling", inputs=(0,), output=1, types=types,
                          in_shapes=[shape], out_shape=out_shape, attrs=attrs)
    if not glob:
        _, _, sp = _pool.pool_windows(shape, pool, stride, pad, variant=variant if variant != "stream" else "v1.3")
        if (*sp, c) != tuple(out_shape):
            msg = f"layer {call.name}: {variant} pooling gives {(*sp, c)}, the config says {tuple(out_shape)}"
            raise ModelFormatError(msg)
    return node


def _timing(desc) -> tuple[int, int]:
    """(latency, II) in 5 ns reference cycles; see ``timing_rule`` below."""
    rf = max(int(desc.get("reuse_factor", 1)), 1)
    shape = (desc.get("in_shapes") or [[1]])[0]
    if desc.get("io_type") == "io_stream":   # one input pixel per cycle through the line buffer
        n = (int(np.prod(shape[:-1])) if len(shape) > 1 else int(shape[0])) + 3
        return n, n
    if desc.get("op") == "average" and desc.get("padded") and not desc.get("count_pad", False) and not desc.get("global"):
        return 21, rf   # the window's element count varies at the edges: a divider
    return rf - 1, rf


register(KindSpec(
    kind="pooling", kernel=_kernel, reference=_reference, timing=_timing,
    timing_rule="io_parallel: RF - 1 cycles, II RF (combinational at RF 1: hls4ml's synthesis baselines "
                "test_pooling Max/Average 1D/2D, 'valid' and 'same', Vivado 2020.1 and Vitis 2024.1: 0 cycles, II 1); "
                "Average with padding and count_pad false: 21 cycles (a divider by the window's count: the Vivado "
                "2020.1 'same' AveragePooling1D/2D baselines; Vitis 2024.1 reports 0); io_stream: H*W input pixels "
                "+ 3 cycles, II the same (ML_FPGAonPixel cnn_large, Vitis 2023.1: 8x13 -> 107, 4x6 -> 27)",
    convention="nnet_utils/nnet_pooling.h (hls4ml 1.3.0 and the older generations of the cms-hls4ml folders) and "
               "nnet_pooling_stream.h: see firmware_models.nn.pooling",
    nnet_functions=("pooling1d_cl", "pooling2d_cl", "global_pooling1d_cl", "global_pooling2d_cl"),
    build_hls4ml=_build))
