"""The internal description of an hls4ml-style network, and the model object.

Both loaders (:mod:`~firmware_models.nn.hls4ml_project` for a project directory,
:mod:`~firmware_models.nn.onnx_config` for ONNX + configuration) produce an
:class:`NNModel`: an input type and a plain list of :class:`LayerRecord`, each
with its kind, sizes, fixed-point types and raw-integer parameters. The bit-exact
arithmetic lives in :mod:`~firmware_models.nn.fused` (the fast prediction path: exact
float matrix products and fused casts), :mod:`~firmware_models.nn.kernels` (int64
layer kernels, used for what the fused path cannot prove exact) and
:mod:`~firmware_models.nn.reference` (slow twin); score heads in
:mod:`~firmware_models.nn.scores`.

:data:`CONVENTIONS` records, as data, each hls4ml 1.3.0 rule the bits depend on,
with the upstream file that defines it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType

__all__ = ["LayerRecord", "NNModel", "ScoreHead", "CONVENTIONS", "LAYER_KINDS"]

#: Layer kinds the encoder computes (hls4ml nnet_utils function in brackets).
LAYER_KINDS = ("dense", "batchnorm", "relu", "leaky_relu", "linear", "sigmoid", "tanh")

_NNET = "hls4ml 1.3.0 hls4ml/templates/vivado/nnet_utils/"
CONVENTIONS = {
    "dense": _NNET + "nnet_dense_latency.h dense_latency: each product x*w (full precision) is "
    "assigned to accum_t (accum_t's rounding and overflow), acc starts at (accum_t)bias and adds the "
    "products in input order (acc += mult: full-precision sum, then accum_t's overflow), res = (res_t)acc",
    "dense_resource": _NNET + "nnet_dense_resource.h: same arithmetic, weights stored transposed "
    "(n_out x n_in), products added in the loop order of dense_resource_rf_leq_nin / _rf_gt_nin_rem0",
    "batchnorm": _NNET + "nnet_batchnorm.h normalize: res = (res_t)(x*scale + bias), one cast of the "
    "full-precision value",
    "relu": _NNET + "nnet_activation.h relu: res = x > 0 ? (res_t)x : 0",
    "leaky_relu": _NNET + "nnet_activation.h leaky_relu: res = x > 0 ? (res_t)x : (res_t)(alpha*x), "
    "alpha a (param_t) constant, floored",
    "linear": _NNET + "nnet_activation.h linear: res = (res_t)x",
    "sigmoid": _NNET + "nnet_activation.h sigmoid: table[i] = (table_t)(float)1/(1+expf(-v)), "
    "v = 16*(i - N/2)/N; index = int(x*N/16) + N/2 (C++ truncation toward zero), clamped to [0, N-1]",
    "tanh": _NNET + "nnet_activation.h tanh: table[i] = (table_t)tanh(v), v = 8*(i - N/2)/N; "
    "index = int(x*N/8) + N/2, clamped",
    "weights_txt": _NNET + "nnet_helpers.h load_weights_from_txt: each decimal token is read as a "
    "double (istream >>) and assigned to weight_t (floored for AP_TRN)",
    "io_stream": _NNET + "nnet_dense_stream.h dense: unpacks the nnet::array packs and calls the same "
    "CONFIG_T::kernel as io_parallel (dense_wrapper); nnet_activation_stream.h and nnet_batchnorm_stream.h "
    "apply the io_parallel per-element formulas, so the bits are the same",
    "table_t": "hls4ml 1.3.0 hls4ml/model/layers.py Layer.__init__ applies layer-config keys ending in _t "
    "(table_t) as types; Precision: {table: ...} is never applied, so an activation table stays "
    "ap_fixed<18,8> (backends/vivado/vivado_backend.py TypeAttribute('table') default) unless table_t is set",
}


@dataclass(frozen=True)
class LayerRecord:
    """One layer: sizes, fixed-point types and raw-integer parameters.

    ``types`` always has ``"input"`` and ``"result"``; dense adds ``weight``,
    ``bias``, ``accum``; batchnorm ``scale``, ``bias``; leaky_relu ``param``;
    sigmoid/tanh ``table``. ``params`` holds raw integers of those types:
    dense ``weight`` (n_in, n_out) and ``bias`` (n_out,); batchnorm ``scale`` and
    ``bias`` (n_in,); leaky_relu ``alpha`` (shape ()); sigmoid/tanh ``table``.
    ``order`` (n_out, n_in), when set, is the order in which a dense layer adds
    its products (it matters only for a saturating or rounding accumulator).
    """

    name: str
    kind: str
    n_in: int
    n_out: int
    types: Mapping[str, FixedType]
    params: Mapping[str, np.ndarray] = field(default_factory=dict)
    reuse_factor: int = 1
    strategy: str = "latency"
    #: "io_parallel" or "io_stream" (same bits, see CONVENTIONS["io_stream"]; the timing differs)
    io_type: str = "io_parallel"
    table_size: int = 0
    order: np.ndarray | None = None
    #: set when the firmware's summation order is not modelled (then only a wrapping accum_t is exact)
    order_note: str = ""
    #: per-layer memo of derived data (the dense route); not part of the description
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in LAYER_KINDS:
            msg = f"layer {self.name!r}: kind {self.kind!r} is not supported; supported: {', '.join(LAYER_KINDS)}"
            raise ModelFormatError(msg)
        for key in ("input", "result"):
            if key not in self.types:
                msg = f"layer {self.name!r} ({self.kind}) has no {key!r} type"
                raise ModelFormatError(msg)

    def describe(self) -> dict:
        """Plain-data summary (for timing estimators and reports)."""
        return {"name": self.name, "kind": self.kind, "n_in": self.n_in, "n_out": self.n_out,
                "types": {k: str(v) for k, v in self.types.items()}, "reuse_factor": self.reuse_factor,
                "strategy": self.strategy, "io_type": self.io_type}


@dataclass(frozen=True)
class ScoreHead:
    """A score computed from the network output: ``compute(out_raw) -> raw`` in ``type``."""

    name: str
    type: FixedType
    compute: Callable[[np.ndarray], np.ndarray]
    compute_reference: Callable[[np.ndarray], np.ndarray]


class NNModel:
    """A loaded network: ``predict_raw(x_int)`` -> dict of raw integer outputs.

    ``x_int`` holds raw integers (mantissas) of :attr:`input_type`, shape
    (n_events, n_inputs). The output is keyed by the last layer's name
    (:attr:`output_name`), plus one key per score head.
    """

    def __init__(self, input_type: FixedType, layers: list[LayerRecord], *, output_name: str | None = None,
                 source: str = "") -> None:
        if not layers:
            msg = f"{source or 'model'}: no layers"
            raise ModelFormatError(msg)
        self.input_type = input_type
        self.layers = list(layers)
        self.output_name = output_name or self.layers[-1].name
        self.source = source
        self.scores: list[ScoreHead] = []
        self._fused_memo = None  # (input type + layers, segments) of firmware_models.nn.fused.fused_plan
        self._check_chain()

    def _check_chain(self) -> None:
        prev_t, prev_n = self.input_type, self.layers[0].n_in
        for layer in self.layers:
            if layer.n_in != prev_n or layer.types["input"] != prev_t:
                msg = (f"{self.source}: layer {layer.name!r} expects {layer.n_in} inputs of {layer.types['input']}, "
                       f"but the previous layer gives {prev_n} of {prev_t}")
                raise ModelFormatError(msg)
            prev_t, prev_n = layer.types["result"], layer.n_out

    @property
    def n_inputs(self) -> int:
        return self.layers[0].n_in

    @property
    def output_types(self) -> dict[str, FixedType]:
        out = {self.output_name: self.layers[-1].types["result"]}
        out.update({s.name: s.type for s in self.scores})
        return out

    def add_score(self, head: ScoreHead) -> NNModel:
        """Attach a score head (see :mod:`firmware_models.nn.scores`); returns self."""
        if head.name in self.output_types:
            msg = f"score name {head.name!r} clashes with an existing output; choose another name"
            raise ModelFormatError(msg)
        self.scores.append(head)
        return self

    def check_input(self, x) -> np.ndarray:
        from firmware_models.fixed.quantize import RawRangeError

        arr = np.asarray(x)
        if arr.ndim != 2 or arr.shape[1] != self.n_inputs:
            msg = f"inputs must have shape (n_events, {self.n_inputs}), got {arr.shape}"
            raise ModelFormatError(msg)
        if arr.dtype.kind not in "iu":
            msg = (f"inputs must be raw integers of {self.input_type} (dtype int), got {arr.dtype}; "
                   "convert floats with firmware_models.fixed.quantize first")
            raise ModelFormatError(msg)
        arr = arr.astype(np.int64, copy=False)
        if arr.size and (arr.min() < self.input_type.min_raw or arr.max() > self.input_type.max_raw):
            msg = (f"raw inputs span [{arr.min()}, {arr.max()}], outside {self.input_type} "
                   f"[{self.input_type.min_raw}, {self.input_type.max_raw}]; pass raw integers of the input type")
            raise RawRangeError(msg)
        return np.ascontiguousarray(arr)

    def predict_raw(self, x, *, reference: bool = False, threads: int | None = None) -> dict[str, np.ndarray]:
        """Raw integer outputs for raw integer inputs.

        The fast path is :func:`firmware_models.nn.fused.predict_fused` (exact float matrix
        products + one fused pass per layer group; other layers by :mod:`.kernels`), on
        ``threads`` worker threads (default :data:`firmware_models.nn.fused.PREDICT_THREADS`).
        ``reference=True`` uses the slow Python-int twin (:mod:`.reference`).
        """
        if reference:
            from firmware_models.nn import reference as ref

            h = self.check_input(x)
            for layer in self.layers:
                h = ref.run_layer(layer, h)
        else:
            from firmware_models.nn.fused import predict_fused

            h = predict_fused(self, x, threads=threads)
        out = {self.output_name: h}
        for head in self.scores:
            out[head.name] = (head.compute_reference if reference else head.compute)(h)
        return out

    def describe(self) -> list[dict]:
        return [layer.describe() for layer in self.layers]

    def __repr__(self) -> str:
        kinds = " -> ".join(f"{layer.kind}({layer.n_out})" for layer in self.layers)
        return f"NNModel({self.source!r}: in {self.n_inputs} x {self.input_type}: {kinds})"
