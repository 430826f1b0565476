"""The loaded network: :class:`NNModel` over a :class:`~firmware_models.nn.graph.Graph`.

Both loaders (:mod:`~firmware_models.nn.hls4ml_project` for a project folder,
:mod:`~firmware_models.nn.onnx_config` for ONNX + configuration) produce the graph; the
model runs it: :meth:`NNModel.predict_raw` takes one raw-integer array per input port (or
one flat array: every port flattened and concatenated in the top function's argument
order) and returns every output port by name, plus one entry per score head. The fast path
is :mod:`~firmware_models.nn.fused` (exact float matrix products and fused casts where a
static bound proves them exact, every other node through its registered kernel); the slow
path runs each node's reference twin (:mod:`~firmware_models.nn.reference`).

:data:`CONVENTIONS` records, as data, each hls4ml rule the bits depend on, with the
upstream file that defines it: one entry per registered kind, plus the loaders' rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType
from firmware_models.nn import registry
from firmware_models.nn.graph import Graph, LayerRecord, Node, Port, chain

__all__ = ["LayerRecord", "Node", "Port", "NNModel", "ScoreHead", "CONVENTIONS", "LAYER_KINDS"]

_NNET = "hls4ml 1.3.0 hls4ml/templates/vivado/nnet_utils/"
_LOADER_CONVENTIONS = {
    "weights_txt": _NNET + "nnet_helpers.h load_weights_from_txt: each decimal token is read as a "
    "double (istream >>) and assigned to weight_t (floored for AP_TRN); a weight array's initializer "
    "in a header is the same double -> weight_t conversion",
    "io_stream": _NNET + "nnet_dense_stream.h dense: unpacks the nnet::array packs and calls the same "
    "CONFIG_T::kernel as io_parallel (dense_wrapper); nnet_activation_stream.h and nnet_batchnorm_stream.h "
    "apply the io_parallel per-element formulas, so the bits are the same",
    "table_t": "hls4ml 1.3.0 hls4ml/model/layers.py Layer.__init__ applies layer-config keys ending in _t "
    "(table_t) as types; Precision: {table: ...} is never applied, so an activation table stays "
    "ap_fixed<18,8> (backends/vivado/vivado_backend.py TypeAttribute('table') default) unless table_t is set",
    "preprocessor": "the project is read as g++ compiles CMSSW's emulator: no __SYNTHESIS__, no "
    "LOAD_WEIGHTS_FROM_TXT or similar macro defined, so #ifdef'd weight loaders are inactive and the arrays "
    "keep their initializers (hls4ml >= 0.8 projects load weights/*.txt under #ifndef __SYNTHESIS__)",
}


class _Conventions(Mapping):
    """kind -> convention text (read from the registry on first use) plus the loaders' rules."""

    _cache: dict | None = None

    def _d(self) -> dict:
        if self._cache is None:
            self._cache = {**registry.conventions(), **_LOADER_CONVENTIONS}
        return self._cache

    def __getitem__(self, key):
        return self._d()[key]

    def __iter__(self):
        return iter(self._d())

    def __len__(self):
        return len(self._d())


CONVENTIONS: Mapping[str, str] = _Conventions()


def __getattr__(name: str):
    if name == "LAYER_KINDS":
        return tuple(registry.kinds())
    raise AttributeError(name)


@dataclass(frozen=True)
class ScoreHead:
    """A score computed from output ports: ``compute(raw) -> raw`` in ``type``.

    ``inputs`` names the output ports it reads (default: the model's first output); with
    several, ``compute`` gets them concatenated along the value axis in that order (e.g.
    a KL head over separate mu and log-variance ports).
    """

    name: str
    type: FixedType
    compute: Callable[[np.ndarray], np.ndarray]
    compute_reference: Callable[[np.ndarray], np.ndarray]
    inputs: tuple[str, ...] = ()


class NNModel:
    """A loaded network; see the module docstring.

    ``NNModel(graph)``, or ``NNModel(input_type, [LayerRecord, ...])`` for a sequential chain.
    """

    def __init__(self, graph_or_type, layers: Sequence[Node] | None = None, *, output_name: str | None = None,
                 source: str = "") -> None:
        if isinstance(graph_or_type, Graph):
            graph = graph_or_type
        else:
            graph = chain(graph_or_type, list(layers or []), output_name=output_name, source=source)
        self.graph = graph
        self.source = source or graph.source
        self.scores: list[ScoreHead] = []
        #: the project reader of a model loaded from an hls4ml folder (its declarations, weights, headers)
        self.project = None
        self._fused_memo = None  # (nodes, plan) of firmware_models.nn.fused.fused_plan

    # ------------------------------------------------------------------ description
    @property
    def layers(self) -> list[Node]:
        """The nodes in execution (topological) order."""
        return self.graph.nodes

    @property
    def input_ports(self) -> list[Port]:
        return list(self.graph.inputs)

    @property
    def output_ports(self) -> list[Port]:
        return list(self.graph.outputs)

    @property
    def input_type(self) -> FixedType:
        """The input type (of the first input port, when there are several)."""
        return self.graph.inputs[0].type

    @property
    def n_inputs(self) -> int:
        """Values per event over all input ports (the width of the flat input form)."""
        return sum(p.size for p in self.graph.inputs)

    @property
    def output_name(self) -> str:
        return self.graph.outputs[0].name

    @property
    def output_types(self) -> dict[str, FixedType]:
        out = {p.name: p.type for p in self.graph.outputs}
        out.update({s.name: s.type for s in self.scores})
        return out

    def describe(self) -> list[dict]:
        return [node.describe() for node in self.layers]

    def describe_ports(self) -> dict[str, list[dict]]:
        return {"inputs": [p.describe() for p in self.graph.inputs],
                "outputs": [p.describe() for p in self.graph.outputs]}

    def add_score(self, head: ScoreHead) -> NNModel:
        """Attach a score head (see :mod:`firmware_models.nn.scores`); returns self."""
        if head.name in self.output_types:
            msg = f"score name {head.name!r} clashes with an existing output; choose another name"
            raise ModelFormatError(msg)
        ports = {p.name for p in self.graph.outputs}
        missing = [p for p in head.inputs if p not in ports]
        if missing:
            msg = f"score {head.name!r} reads output(s) {missing}; the model's outputs are {sorted(ports)}"
            raise ModelFormatError(msg)
        self.scores.append(head)
        return self

    # ------------------------------------------------------------------ inputs
    def split_inputs(self, x, *, check: bool = True) -> list[np.ndarray]:
        """One int64 (n_events, size) array per input port, from any accepted input form.

        ``x``: a dict keyed by port name (or C++ argument name), a list/tuple with one array
        per port, or one array: for a single port its values; for several, every port
        flattened and concatenated in argument order. Per-port arrays may have the port's
        full shape after the event axis. ``check`` validates dtype and raw range.
        """
        ports = self.graph.inputs
        if isinstance(x, Mapping):
            arrays = []
            for p in ports:
                key = p.name if p.name in x else p.arg
                if key not in x:
                    msg = f"inputs give {sorted(x)}; the model's input ports are {[p.name for p in ports]}"
                    raise ModelFormatError(msg)
                arrays.append(x[key])
            extra = set(x) - {p.name for p in ports} - {p.arg for p in ports}
            if extra:
                msg = f"inputs {sorted(extra)} are not input ports of the model ({[p.name for p in ports]})"
                raise ModelFormatError(msg)
        elif isinstance(x, (list, tuple)):
            if len(x) != len(ports):
                msg = f"got {len(x)} input arrays; the model has {len(ports)} input ports {[p.name for p in ports]}"
                raise ModelFormatError(msg)
            arrays = list(x)
        else:
            arr = np.asarray(x)
            if len(ports) == 1:
                arrays = [arr]
            else:
                if arr.ndim != 2 or arr.shape[1] != self.n_inputs:
                    msg = (f"a flat input must have shape (n_events, {self.n_inputs}): the ports "
                           f"{', '.join(f'{p.name} ({p.size})' for p in ports)} concatenated; got {arr.shape}")
                    raise ModelFormatError(msg)
                arrays, start = [], 0
                for p in ports:
                    arrays.append(arr[:, start:start + p.size])
                    start += p.size
        out = []
        n_ev = None
        for p, a in zip(ports, arrays):
            a = self._port_array(p, a, check=check)
            if n_ev is not None and a.shape[0] != n_ev:
                msg = f"input ports hold different numbers of events ({n_ev} and {a.shape[0]} in {p.name})"
                raise ModelFormatError(msg)
            n_ev = a.shape[0]
            out.append(a)
        return out

    def _port_array(self, p: Port, x, *, check: bool) -> np.ndarray:
        from firmware_models.fixed.quantize import RawRangeError

        arr = np.asarray(x)
        if arr.ndim >= 2 and arr.shape[1:] == p.shape and arr.ndim > 2:
            arr = arr.reshape(arr.shape[0], p.size)
        what = "inputs" if len(self.graph.inputs) == 1 else f"input {p.name}"
        if arr.ndim != 2 or arr.shape[1] != p.size:
            msg = f"{what} must have shape (n_events, {p.size}), got {arr.shape}"
            raise ModelFormatError(msg)
        if arr.dtype.kind not in "iu":
            msg = (f"{what} must be raw integers of {p.type} (dtype int), got {arr.dtype}; "
                   "convert floats with firmware_models.fixed.quantize first")
            raise ModelFormatError(msg)
        if not check:
            return arr
        arr = arr.astype(np.int64, copy=False)
        if arr.size and (arr.min() < p.type.min_raw or arr.max() > p.type.max_raw):
            msg = (f"raw {what} span [{arr.min()}, {arr.max()}], outside {p.type} "
                   f"[{p.type.min_raw}, {p.type.max_raw}]; pass raw integers of the input type")
            raise RawRangeError(msg)
        return np.ascontiguousarray(arr)

    def check_input(self, x) -> np.ndarray:
        """The single-port input as a validated int64 array (the flat form for several ports)."""
        arrays = self.split_inputs(x)
        return arrays[0] if len(arrays) == 1 else np.concatenate(arrays, axis=1)

    # ------------------------------------------------------------------ running
    def predict_raw(self, x, *, reference: bool = False, threads: int | None = None) -> dict[str, np.ndarray]:
        """Raw integer outputs (every output port, then the score heads) for raw integer inputs.

        The fast path is :func:`firmware_models.nn.fused.predict_graph` on ``threads`` worker
        threads (default :data:`firmware_models.nn.fused.PREDICT_THREADS`); ``reference=True``
        runs every node's Python-int twin.
        """
        if reference:
            outs = self._predict_reference(x)
        else:
            from firmware_models.nn.fused import predict_graph

            outs = predict_graph(self, x, threads=threads)
        for head in self.scores:
            names = head.inputs or (self.output_name,)
            arg = outs[names[0]] if len(names) == 1 else np.concatenate([outs[n] for n in names], axis=1)
            outs[head.name] = (head.compute_reference if reference else head.compute)(arg)
        return outs

    def _predict_reference(self, x) -> dict[str, np.ndarray]:
        from firmware_models.nn.reference import run_layer

        env = {p.arg: a for p, a in zip(self.graph.inputs, self.split_inputs(x))}
        for node in self.layers:
            env[node.output] = run_layer(node, [env[t] for t in node.inputs])
        return {p.name: env[p.arg] for p in self.graph.outputs}

    def __repr__(self) -> str:
        kinds = " -> ".join(f"{layer.kind}({layer.n_out})" for layer in self.layers)
        ins = ", ".join(f"{p.name} {p.size} x {p.type}" for p in self.graph.inputs)
        return f"NNModel({self.source!r}: in {ins}: {kinds})"
