"""``reshape``: Reshape / Flatten (and any other pure data movement) as an index map.

Values travel flat in C order (channels last), so hls4ml's Reshape and Flatten move no
data: in io_parallel hls4ml 1.3.0 makes their output an in-place alias
(``backends/fpga/passes/inplace_parallel_reshape.py``: the top function holds
``auto& layerN_out = layerM_out;``, which the project loader follows), and in io_stream
``nnet::repack_stream`` (``nnet_stream.h``) copies the values in order into packs of
another size. A ``reshape`` node holds ``attrs["map"]`` -- output flat index -> input flat
index, ``None`` for the identity -- and assigns each value to the result type (the same
type in every case hls4ml writes). Part 2's Transpose is the same kernel with a permuting map.
"""

from __future__ import annotations

import numpy as np

from firmware_models.fixed.exact import convert_exact
from firmware_models.nn.graph import Node
from firmware_models.nn.kernels import fast_cast
from firmware_models.nn.layers._common import node_from_call
from firmware_models.nn.registry import KindSpec, register

__all__ = ["reshape_node"]


def _kernel(node, xs):
    x = xs[0]
    m = node.attrs.get("map")
    if m is not None:
        x = np.ascontiguousarray(x[:, m])
    t = node.types
    return x if t["input"] == t["result"] else fast_cast(x, t["input"], t["result"], f"layer {node.name}")


def _reference(node, xs):
    t = node.types
    m = node.attrs.get("map")
    vals = list(xs[0]) if m is None else [xs[0][int(k)] for k in m]
    if t["input"] == t["result"]:   # a copy of the same type: the bits as they are
        return [int(v) for v in vals]
    return [convert_exact(int(v), -t["input"].fractional, t["result"]) for v in vals]


def reshape_node(name: str, src: str, dst: str, in_shape, out_shape, t, *, index_map=None, result_t=None) -> Node:
    """A reshape node (identity map unless ``index_map``) from ``src`` to ``dst``."""
    return Node(name=name, kind="reshape", inputs=(src,), output=dst, types={"input": t, "result": result_t or t},
                attrs={"map": None if index_map is None else np.asarray(index_map, dtype=np.int64)},
                in_shapes=(tuple(in_shape),), out_shape=tuple(out_shape))


def _build(call, ctx):
    from firmware_models.nn.cpp_reader import eval_int, tokenize

    n = eval_int(tokenize(call.targs[2], "<targ>"), ctx.decls.const, f"layer {call.name}: repack size")
    types = {"input": ctx.type(call.targs[0], call.name), "result": ctx.type(call.targs[1], call.name)}
    return node_from_call(call, "reshape", inputs=(0,), output=1, types=types, in_shapes=[(n,)], out_shape=(n,),
                          attrs={"map": None, "io_type": "io_stream"})


register(KindSpec(
    kind="reshape", kernel=_kernel, reference=_reference, timing=lambda desc: (0, 1),
    timing_rule="0 cycles (an alias in io_parallel; a repack of the stream in io_stream)",
    convention="hls4ml 1.3.0 backends/fpga/passes/inplace_parallel_reshape.py (io_parallel: an in-place alias) and "
               "nnet_utils/nnet_stream.h repack_stream (io_stream: values copied in order, out[j] = in[j])",
    nnet_functions=("repack_stream",), build_hls4ml=_build, onnx_ops=("Reshape", "Flatten")))
