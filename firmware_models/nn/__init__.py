"""The hls4ml-style neural-network encoder, bit-exact on raw integers.

Two ways in, one description out (:class:`~firmware_models.nn.model.NNModel`):

- :func:`load_hls4ml_project` (:mod:`.hls4ml_project`) reads an hls4ml project
  directory -- the firmware that will be synthesized;
- :func:`load_onnx` (:mod:`.onnx_config`) reads an ONNX model plus an hls4ml-style
  configuration and applies hls4ml's conversion rules.

``model.predict_raw(x_int)`` runs the fast kernels (:mod:`.kernels`, with the
Python-int twin :mod:`.reference`) and returns a dict of raw integer outputs.
:mod:`.scores` adds score heads (sum of mu^2, KL divergence) and the AXOL1TL
input scaling :func:`scale_inputs`; :mod:`.tables` builds hls4ml's activation tables.

Speed: :mod:`.fused` plans, per dense layer and the activations after it, one exact
float32/float64 matrix product plus one numba pass (:mod:`.fused_kernels`) where a
static bound proves it exact; :mod:`.score_kernels` and :mod:`.scale_kernels` do the
sum-of-mu^2 score and the input scaling in one pass. Everything else runs on the int64
kernels of :mod:`.kernels`.
"""

from firmware_models.nn.hls4ml_project import load_hls4ml_project
from firmware_models.nn.model import CONVENTIONS, LayerRecord, NNModel, ScoreHead
from firmware_models.nn.onnx_config import load_onnx
from firmware_models.nn.scores import kl_head, scale_inputs, sum_mu2_head

__all__ = ["load_hls4ml_project", "load_onnx", "NNModel", "LayerRecord", "ScoreHead", "CONVENTIONS",
           "sum_mu2_head", "kl_head", "scale_inputs"]
