"""The hls4ml-style neural-network encoder, bit-exact on raw integers.

Importers produce one plain description, a :class:`~firmware_models.nn.graph.Graph` (ports,
tensors, layer nodes); the kernels consume only that:

- :func:`load_hls4ml_project` (:mod:`.hls4ml_project`) reads an hls4ml project folder --
  the firmware that will be synthesized, as its authors ship it;
- :func:`load_onnx` (:mod:`.onnx_config`) reads an ONNX model plus an hls4ml-style
  configuration and applies hls4ml's conversion rules.

Each layer kind is one record of :mod:`.registry` (kernel, reference twin, hls4ml function
names and ONNX ops, builders, timing rule), defined by its family module in :mod:`.layers`.
:class:`NNModel` (:mod:`.model`) runs the graph: ``predict_raw`` takes one raw-integer
array per input port and returns every output port by name (plus score heads). The fast
path is :mod:`.fused` (exact float matrix products with fused casts, :mod:`.fused_kernels`)
with every other node on its int64 kernel (:mod:`.kernels`); the Python-int twins run
through :mod:`.reference`. :mod:`.scores` adds score heads and the AXOL1TL input scaling
:func:`scale_inputs`; :mod:`.tables` builds hls4ml's activation tables.
"""

from firmware_models.nn.graph import Graph, Node, Port
from firmware_models.nn.hls4ml_project import load_hls4ml_project
from firmware_models.nn.model import CONVENTIONS, LayerRecord, NNModel, ScoreHead
from firmware_models.nn.onnx_config import load_onnx
from firmware_models.nn.registry import UnsupportedLayerError
from firmware_models.nn.scores import kl_head, scale_inputs, sum_mu2_head

__all__ = ["load_hls4ml_project", "load_onnx", "NNModel", "LayerRecord", "ScoreHead", "CONVENTIONS", "Graph",
           "Node", "Port", "UnsupportedLayerError", "sum_mu2_head", "kl_head", "scale_inputs"]
