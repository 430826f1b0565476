"""The plain description every NN importer produces: a DAG of named tensors and layer nodes.

hls4ml splits converters -> ``model/graph.py`` -> backends; here the importers
(:mod:`~firmware_models.nn.hls4ml_project` for a project folder,
:mod:`~firmware_models.nn.onnx_config` for ONNX + configuration) build a :class:`Graph`
and the kernels (:mod:`~firmware_models.nn.layers`, through
:mod:`~firmware_models.nn.registry`) consume only that.

- A :class:`Port` is an argument of the top function: its name, per-event shape
  (channels-last, as hls4ml lays tensors out in memory), fixed-point type and the C++
  argument name. Input and output ports keep the top function's argument order.
- A :class:`Node` is one layer: ``kind`` (a registry key), the names of its input
  tensors and of its output tensor, fixed-point ``types`` (``"input"``, ``"input2"``, ...
  for its inputs in order, ``"result"`` for the output, plus kind-specific ones such as
  ``"weight"``, ``"accum"``, ``"table"``), raw-integer ``params`` and plain ``attrs``
  (reuse factor, strategy, io type, table size, summation schedules, index maps, ...).
  Every tensor travels as ``(n_events, size)`` raw integers, flattened in C order.
- :func:`LayerRecord` makes a node the way the sequential model used to (sizes instead
  of shapes); :func:`chain` joins such nodes into a one-input, one-output graph.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType

__all__ = ["Port", "Node", "Graph", "LayerRecord", "chain", "size_of"]


def size_of(shape: Sequence[int]) -> int:
    """Number of values per event of a tensor of this shape."""
    return int(math.prod(shape))


@dataclass(frozen=True)
class Port:
    """One argument of the top function: ``name`` (what :meth:`NNModel.predict_raw` keys it by),
    per-event ``shape``, fixed-point ``type`` and ``arg``, the C++ argument (tensor) name."""

    name: str
    shape: tuple[int, ...]
    type: FixedType
    arg: str

    @property
    def size(self) -> int:
        return size_of(self.shape)

    def describe(self) -> dict:
        return {"name": self.name, "shape": list(self.shape), "type": str(self.type), "arg": self.arg}


#: attrs every node has (the sequential model's fields), with their defaults
_DEFAULT_ATTRS = {"reuse_factor": 1, "strategy": "latency", "io_type": "io_parallel", "table_size": 0,
                  "order": None, "order_note": ""}


@dataclass(frozen=True)
class Node:
    """One layer of the graph (see the module docstring for the fields)."""

    name: str
    kind: str
    inputs: tuple[str, ...]
    output: str
    types: Mapping[str, FixedType]
    params: Mapping[str, np.ndarray] = field(default_factory=dict)
    attrs: Mapping[str, Any] = field(default_factory=dict)
    in_shapes: tuple[tuple[int, ...], ...] = ()
    out_shape: tuple[int, ...] = ()
    #: per-node memo of derived data (kernel plans); not part of the description
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        from firmware_models.nn import registry

        spec = registry.get(self.kind, layer=self.name)
        if "result" not in self.types:
            msg = f"layer {self.name!r} ({self.kind}) has no 'result' type"
            raise ModelFormatError(msg)
        for k in range(len(self.in_shapes)):
            key = "input" if k == 0 else f"input{k + 1}"
            if key not in self.types:
                msg = f"layer {self.name!r} ({self.kind}) has no {key!r} type"
                raise ModelFormatError(msg)
        lo, hi = spec.arity
        if self.inputs and not lo <= len(self.inputs) <= hi:
            msg = f"layer {self.name!r} ({self.kind}) takes {lo}..{hi} inputs, got {len(self.inputs)}"
            raise ModelFormatError(msg)

    # the sequential model's fields, kept for the callers that read them
    def __getattr__(self, key: str):
        if key in _DEFAULT_ATTRS:
            return self.attrs.get(key, _DEFAULT_ATTRS[key])
        raise AttributeError(key)

    @property
    def n_in(self) -> int:
        """Values per event of the first input."""
        return size_of(self.in_shapes[0]) if self.in_shapes else 0

    @property
    def n_out(self) -> int:
        return size_of(self.out_shape)

    @property
    def input_sizes(self) -> tuple[int, ...]:
        return tuple(size_of(s) for s in self.in_shapes)

    def describe(self) -> dict:
        """Plain-data summary (timing estimator, reports)."""
        out = {"name": self.name, "kind": self.kind, "n_in": self.n_in, "n_out": self.n_out,
               "inputs": list(self.inputs), "output": self.output,
               "in_shapes": [list(s) for s in self.in_shapes], "out_shape": list(self.out_shape),
               "types": {k: str(v) for k, v in self.types.items()}}
        for key, default in _DEFAULT_ATTRS.items():
            if key not in ("order", "order_note"):
                out[key] = self.attrs.get(key, default)
        for key, val in self.attrs.items():
            if key not in out and isinstance(val, (int, str, float, bool)):
                out[key] = val
        return out


def LayerRecord(name: str, kind: str, n_in: int, n_out: int, types: Mapping[str, FixedType],  # noqa: N802
                params: Mapping[str, np.ndarray] | None = None, **attrs) -> Node:
    """A single-input node with flat sizes (the sequential model's record); wire it with :func:`chain`."""
    return Node(name=name, kind=kind, inputs=(), output=name, types=dict(types), params=dict(params or {}),
                attrs={k: v for k, v in attrs.items()}, in_shapes=((int(n_in),),), out_shape=(int(n_out),))


class Graph:
    """Ports, tensors and nodes in a topological order, checked on construction.

    ``tensors`` maps every tensor name to ``(shape, type)``; node inputs must be produced
    before they are used (a port or an earlier node), every output port must be produced.
    """

    def __init__(self, inputs: Sequence[Port], outputs: Sequence[Port], nodes: Sequence[Node], *,
                 source: str = "") -> None:
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.nodes = list(nodes)
        self.source = source
        self.tensors: dict[str, tuple[tuple[int, ...], FixedType]] = {}
        self._check()

    def _where(self) -> str:
        return self.source or "model"

    def _check(self) -> None:
        if not self.inputs or not self.outputs:
            msg = f"{self._where()}: a network needs at least one input and one output port"
            raise ModelFormatError(msg)
        if not self.nodes:
            msg = f"{self._where()}: no layers"
            raise ModelFormatError(msg)
        for p in self.inputs:
            self.tensors[p.arg] = (p.shape, p.type)
        seen_names: set[str] = set()
        for node in self.nodes:
            if node.name in seen_names:
                msg = f"{self._where()}: two layers are named {node.name!r}"
                raise ModelFormatError(msg)
            seen_names.add(node.name)
            for k, (tname, shape) in enumerate(zip(node.inputs, node.in_shapes)):
                if tname not in self.tensors:
                    msg = (f"{self._where()}: layer {node.name!r} reads {tname!r}, which no earlier layer or "
                           "input writes")
                    raise ModelFormatError(msg)
                have, t = self.tensors[tname]
                if size_of(have) != size_of(shape):
                    msg = (f"{self._where()}: layer {node.name!r} expects {size_of(shape)} values in {tname!r}, "
                           f"which holds {size_of(have)}")
                    raise ModelFormatError(msg)
                key = "input" if k == 0 else f"input{k + 1}"
                if node.types[key] != t:
                    msg = (f"{self._where()}: layer {node.name!r} expects {tname!r} as {node.types[key]}, "
                           f"but it is {t}")
                    raise ModelFormatError(msg)
            if node.output in self.tensors:
                msg = f"{self._where()}: tensor {node.output!r} is written twice (by layer {node.name!r})"
                raise ModelFormatError(msg)
            self.tensors[node.output] = (node.out_shape, node.types["result"])
        for p in self.outputs:
            if p.arg not in self.tensors or p.arg in {q.arg for q in self.inputs}:
                msg = f"{self._where()}: output {p.arg!r} is written by no layer"
                raise ModelFormatError(msg)
            shape, t = self.tensors[p.arg]
            if size_of(shape) != p.size or t != p.type:
                msg = (f"{self._where()}: output {p.arg!r} is declared {p.size} x {p.type}, its layer writes "
                       f"{size_of(shape)} x {t}")
                raise ModelFormatError(msg)

    def consumers(self) -> dict[str, list[Node]]:
        """Tensor name -> the nodes that read it."""
        out: dict[str, list[Node]] = {t: [] for t in self.tensors}
        for node in self.nodes:
            for t in node.inputs:
                out[t].append(node)
        return out

    def producer(self) -> dict[str, Node]:
        return {node.output: node for node in self.nodes}


def chain(input_type: FixedType, layers: Sequence[Node], *, input_name: str = "input",
          output_name: str | None = None, source: str = "") -> Graph:
    """A one-input, one-output graph from nodes in sequence (each reads the previous one's output)."""
    if not layers:
        msg = f"{source or 'model'}: no layers"
        raise ModelFormatError(msg)
    nodes, prev, prev_t, prev_n = [], input_name, input_type, layers[0].n_in
    for layer in layers:
        if layer.n_in != prev_n or layer.types["input"] != prev_t:
            msg = (f"{source}: layer {layer.name!r} expects {layer.n_in} inputs of {layer.types['input']}, "
                   f"but the previous layer gives {prev_n} of {prev_t}")
            raise ModelFormatError(msg)
        node = replace(layer, inputs=(prev,), output=layer.name, cache={})
        nodes.append(node)
        prev, prev_t, prev_n = node.output, node.types["result"], node.n_out
    first = Port(input_name, layers[0].in_shapes[0], input_type, input_name)
    last = nodes[-1]
    out = Port(output_name or last.name, last.out_shape, last.types["result"], last.output)
    return Graph([first], [out], nodes, source=source)
