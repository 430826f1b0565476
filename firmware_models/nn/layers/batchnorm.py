"""``batchnorm``: hls4ml ``nnet::normalize`` on a flat (Dense-style) input.

hls4ml 1.3.0 ``nnet_utils/nnet_batchnorm.h`` (and the older copy in CICADA v1/v2, the
same arithmetic): ``res[i] = product(x[i], scale[i]) + bias[i]``, one assignment of the
full-precision value to ``res_t``. Per-filter normalisation (``n_filt != -1``, after a
convolution, channels last: ``norm_index = i % n_filt``) tiles the n_filt scales and biases
over the elements at build time (:mod:`firmware_models.nn.batchnorm_channels` is the same
rule as a pure function).
"""

from __future__ import annotations

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import cast
from firmware_models.fixed.exact import convert_exact
from firmware_models.fixed.ops import add, mul
from firmware_models.nn.layers._common import fixed_latency, node_from_call
from firmware_models.nn.registry import KindSpec, register


def _kernel(node, xs):
    t = node.types
    prod, tp = mul(xs[0], t["input"], node.params["scale"][None, :], t["scale"])
    s, ts = add(prod, tp, node.params["bias"][None, :], t["bias"])
    return cast(s, ts, t["result"], context=f"layer {node.name}", check=False)


def _reference(node, xs):
    t = node.types
    fin, ts, tb, tr = t["input"].fractional, t["scale"], t["bias"], t["result"]
    f = max(fin + ts.fractional, tb.fractional)   # x*scale + bias at the finer LSB, then one assignment
    out = []
    for i, v in enumerate(xs[0]):
        val = (int(v) * int(node.params["scale"][i]) << (f - fin - ts.fractional)) + \
            (int(node.params["bias"][i]) << (f - tb.fractional))
        out.append(convert_exact(val, -f, tr))
    return out


def _build(call, ctx):
    cfg = ctx.config(call.targs[-1], call.name)
    n = cfg.int("n_in")
    n_filt = cfg.int("n_filt", -1)
    product = cfg.using("product") or "mult"
    if product != "mult":
        msg = f"layer {call.name}: product nnet::product::{product} is not supported (only mult)"
        raise ModelFormatError(msg)
    scale, ts = ctx.weights(call.args[2], call.name)
    bias, tb = ctx.weights(call.args[3], call.name)
    if n_filt not in (-1, 2**32 - 1):   # per channel (channels last): norm_index = i % n_filt
        if n_filt < 1 or n % n_filt or scale.size != n_filt or bias.size != n_filt:
            msg = (f"layer {call.name}: BatchNormalization with n_filt={n_filt} over {n} values needs n_filt scales "
                   f"and biases, got {scale.size} and {bias.size}")
            raise ModelFormatError(msg)
        scale, bias = np.tile(scale, n // n_filt), np.tile(bias, n // n_filt)
    types = {"input": ctx.type(call.targs[0], call.name), "result": ctx.type(call.targs[1], call.name),
             "scale": ts, "bias": tb}
    return node_from_call(call, "batchnorm", inputs=(0,), output=1, types=types, in_shapes=[(n,)], out_shape=(n,),
                          params={"scale": scale, "bias": bias}, cfg=cfg)


register(KindSpec(
    kind="batchnorm", kernel=_kernel, reference=_reference, timing=fixed_latency(1),
    timing_rule="1 cycle (one multiplier and adder per element, registered like a dense layer's product) "
                "+ 1 output register in 'pipeline'",
    convention="hls4ml 1.3.0 nnet_utils/nnet_batchnorm.h normalize: res = (res_t)(x*scale + bias), one cast of "
               "the full-precision value",
    nnet_functions=("normalize",), build_hls4ml=_build, onnx_ops=("BatchNormalization",), elementwise=True,
    extra={"output_register": True}))
