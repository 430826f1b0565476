"""Helpers shared by the layer families: node construction from an hls4ml call, io types, timing.

``node_from_call`` fills a :class:`~firmware_models.nn.graph.Node` from a parsed top-function
call (:class:`~firmware_models.nn.cpp_decls.Call`): its name, the data tensors it reads
and writes (argument positions given by the family), and the io type and reuse factor of
its config struct.
"""

from __future__ import annotations

from firmware_models.errors import ModelFormatError
from firmware_models.nn.graph import Node

__all__ = ["IO_TYPES", "io_type", "node_from_call", "fixed_latency"]

IO_TYPES = ("nnet::io_parallel", "nnet::io_stream")


def io_type(cfg, layer: str) -> str:
    """``io_parallel`` or ``io_stream`` from a config struct's ``io_type`` field (default parallel)."""
    text = cfg.text("io_type")
    if text is None:
        return "io_parallel"
    if text not in IO_TYPES:
        msg = (f"layer {layer}: io_type {text} is not supported; supported: {', '.join(IO_TYPES)} "
               "(convert with io_type='io_parallel' or 'io_stream')")
        raise ModelFormatError(msg)
    return text.split("::")[-1]


def node_from_call(call, kind: str, *, inputs, output, types, in_shapes, out_shape, params=None, attrs=None,
                   cfg=None) -> Node:
    """A node for ``call``: ``inputs``/``output`` are argument indices of the data tensors."""
    a = dict(attrs or {})
    if cfg is not None:
        a.setdefault("io_type", io_type(cfg, call.name))
        a.setdefault("reuse_factor", cfg.int("reuse_factor", 1))
    return Node(name=call.name, kind=kind, inputs=tuple(call.args[i] for i in inputs), output=call.args[output],
                types=types, params=dict(params or {}), attrs=a, in_shapes=tuple(tuple(s) for s in in_shapes),
                out_shape=tuple(out_shape))


def fixed_latency(cycles: int):
    """A timing rule of a constant latency and II 1."""

    def rule(desc) -> tuple[int, int]:
        return cycles, 1

    return rule
