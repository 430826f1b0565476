"""Which ``nnet_activation.h`` a project carries: the header generations that change bits.

hls4ml copies ``nnet_utils/`` into every project it writes, so a folder keeps the
activation code of the hls4ml release (or main-branch snapshot) that wrote it. The
activation and softmax functions of :mod:`~firmware_models.nn.activations` and
:mod:`~firmware_models.nn.softmax` take a ``variant`` (a name of :data:`VARIANTS` or an
:class:`NnetVariant`) wherever the generations compute different bits;
:func:`detect_variant` reads it from the header text and :func:`folder_variant` from a
project folder.

Generations (git blob of ``hls4ml/templates/vivado/nnet_utils/nnet_activation.h`` in
fastmachinelearning/hls4ml, and the cms-hls4ml folders at the commits of
``shared/models/cms-hls4ml/SOURCE.md`` that carry each one):

========================  =========================================  ======================================
name                      hls4ml                                      cms-hls4ml folders
========================  =========================================  ======================================
``hls4ml-0.6``            0.5.0, 0.6.0, main 2022-07 (de0353f1)       AXOL1TL v1, v3, v4, v5; CICADA v1, v1p1
``hls4ml-0.7-dev``        main 2022-08 (af609d99, argmax added)       CICADA v2, v2p1
``hls4ml-0.7``            0.7.0 - 0.8.1 (8baadf28)                    CICADA v1p1p1, v1p1p2, v2p1p1, v2p1p2,
                                                                      v2p2p0; TOPO_HHbbWW_1mu_v1;
                                                                      TOoLLiP v1, v2
``hls4ml-1.0``            1.0.0, 1.1.0 (4683239d)                     L1TSC4NGJetModel_v0
``hls4ml-1.1-dev``        main 2025-03 (9dae74e4, new softmax)        AXOL1TL v6
``hls4ml-1.2``            1.2.0, 1.3.0 (ac85e0b2)                     TOoLLiP v3
========================  =========================================  ======================================

What differs (every other function -- linear, relu, relu_max, sigmoid, tanh, softplus,
softsign, elu, the legacy softmax, ternary_tanh -- computes the same bits in all six):

- ``softmax_tables``: ``"split"`` (1.1-dev, 1.2: ``exp_table_size``/``inv_table_size``,
  ``accum_t`` sums, ``inv_inp_t`` addresses the inversion table, the stable form
  normalises to ``inp_norm_t = x_max - x`` and tabulates ``exp(-x)``, ``exp_scale``,
  ``n_slice``/``n_outer``/``n_inner``) or ``"shared"`` (<= 1.0: one ``table_size`` for
  both tables, sums and inversion index in ``exp_table_t``, the stable form's
  ``x - x_max`` in ``ap_fixed<W, I, AP_RND, AP_SAT>`` of the input's W and I, then
  passed as the input type, softmax over the whole ``n_in``);
- ``softmax_argmax``: the ``argmax`` implementation exists (not in ``hls4ml-0.6``);
- ``hard_activation``: ``"config"`` (>= 0.7: ``slope``/``shift`` from the config struct in
  ``slope_t``/``shift_t``, the exact ``auto`` type, ``hard_tanh`` exists) or ``"data_t"``
  (0.6, 0.7-dev: ``slope = (data_T)0.2``, ``shift = (data_T)0.5``, the sum assigned to
  ``data_T``; no ``hard_tanh``);
- ``param_type``: ``"param_t"`` (>= 1.0: LeakyReLU/ThresholdedReLU/ELU/PReLU take a
  ``param_T`` template argument) or ``"data_t"`` (<= 0.8: ``alpha``/``theta`` are
  ``data_T``, ELU's alpha is ``res_T``) -- see :func:`param_type`;
- ``selu``: ``"ufixed16"`` (1.2: lambda is ``ap_ufixed<16,1>``, a negative index
  clamps to 0) or ``"res_t"`` (older: lambda is ``res_T(1.0507...)``, a negative index
  compares unsigned and clamps to ``table_size - 1``);
- ``binary_tanh``: ``"cast"`` (1.2: ``x >= 0`` gives +1, through ``ap_int<2>`` and
  ``binary_cast``: ``ap_uint<1>`` results keep only +1) or ``"res_t"`` (older: ``x > 0``
  gives +1, else ``res_T(-1)``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType, as_type

__all__ = ["NnetVariant", "VARIANTS", "DEFAULT_VARIANT", "as_variant", "detect_variant", "folder_variant",
           "param_type"]


@dataclass(frozen=True)
class NnetVariant:
    """The bit-relevant features of one ``nnet_activation.h`` generation (see the module docstring)."""

    name: str
    softmax_tables: str     # "split" | "shared"
    softmax_argmax: bool
    hard_activation: str    # "config" | "data_t"
    param_type: str         # "param_t" | "data_t"
    selu: str               # "ufixed16" | "res_t"
    binary_tanh: str        # "cast" | "res_t"


VARIANTS: dict[str, NnetVariant] = {
    v.name: v
    for v in (
        NnetVariant("hls4ml-0.6", "shared", False, "data_t", "data_t", "res_t", "res_t"),
        NnetVariant("hls4ml-0.7-dev", "shared", True, "data_t", "data_t", "res_t", "res_t"),
        NnetVariant("hls4ml-0.7", "shared", True, "config", "data_t", "res_t", "res_t"),
        NnetVariant("hls4ml-1.0", "shared", True, "config", "param_t", "res_t", "res_t"),
        NnetVariant("hls4ml-1.1-dev", "split", True, "config", "param_t", "res_t", "res_t"),
        NnetVariant("hls4ml-1.2", "split", True, "config", "param_t", "ufixed16", "cast"),
    )
}

#: hls4ml 1.3.0's header (also 1.2.0)
DEFAULT_VARIANT = "hls4ml-1.2"


def as_variant(variant: str | NnetVariant) -> NnetVariant:
    """The :class:`NnetVariant` of a name of :data:`VARIANTS` (or the variant itself)."""
    if isinstance(variant, NnetVariant):
        return variant
    if variant not in VARIANTS:
        msg = f"unknown nnet_activation.h variant {variant!r}; expected one of {', '.join(VARIANTS)}"
        raise ModelFormatError(msg)
    return VARIANTS[variant]


def _tokens(text: str) -> str:
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"\s+", "", text)


def detect_variant(header_text: str, *, source: str = "nnet_activation.h") -> NnetVariant:
    """The variant of an ``nnet_activation.h`` from its text (comments and whitespace ignored).

    Each feature is read from the code that defines it: ``exp_table_size`` in
    ``init_exp_table`` (split tables), a ``softmax_argmax`` definition, ``CONFIG_T::slope``
    (config hard activation), ``classparam_T`` in ``leaky_relu`` (param types),
    ``selu_const_t`` (1.2 SELU), ``binary_cast`` (1.2 binary tanh). The result carries
    the name of the known generation with those features, or ``"custom"``.
    """
    t = _tokens(header_text)
    if "voidsoftmax_latency(" not in t and "voidsigmoid(" not in t:
        msg = f"{source}: not an hls4ml nnet_activation.h (no sigmoid or softmax_latency definition)"
        raise ModelFormatError(msg)
    leaky = re.search(r"template<([^>]*)>voidleaky_relu\(", t)
    feats = (
        "split" if "CONFIG_T::exp_table_size" in t else "shared",
        "voidsoftmax_argmax(" in t,
        "config" if "CONFIG_T::slope" in t else "data_t",
        "param_t" if leaky is not None and "classparam_T" in leaky.group(1) else "data_t",
        "ufixed16" if "selu_const_t" in t else "res_t",
        "cast" if "binary_cast" in t else "res_t",
    )
    for v in VARIANTS.values():
        if (v.softmax_tables, v.softmax_argmax, v.hard_activation, v.param_type, v.selu, v.binary_tanh) == feats:
            return v
    return NnetVariant("custom", *feats)


def folder_variant(folder: str | Path) -> NnetVariant:
    """The variant of the ``nnet_activation.h`` inside a project folder.

    Looks for ``nnet_activation.h`` in the folder, its ``nnet_utils/`` (or TOPO's
    ``nn_utils/``), ``firmware/nnet_utils/`` and ``NN/nnet_utils/``, then anywhere below.
    """
    root = Path(folder)
    if root.is_file():
        return detect_variant(root.read_text(errors="replace"), source=str(root))
    for rel in ("nnet_activation.h", "nnet_utils/nnet_activation.h", "nn_utils/nnet_activation.h",
                "firmware/nnet_utils/nnet_activation.h", "NN/nnet_utils/nnet_activation.h",
                "NN/nn_utils/nnet_activation.h"):
        p = root / rel
        if p.is_file():
            return detect_variant(p.read_text(errors="replace"), source=str(p))
    found = sorted(root.rglob("nnet_activation.h"))
    if not found:
        msg = (f"{root}: no nnet_activation.h found (looked in nnet_utils/, firmware/nnet_utils/, NN/nnet_utils/ "
               "and below); pass the variant by name instead")
        raise ModelFormatError(msg)
    return detect_variant(found[0].read_text(errors="replace"), source=str(found[0]))


def param_type(kind: str, variant: str | NnetVariant, *, in_t, res_t, param_t=None) -> FixedType:
    """The type a parametrised activation's ``alpha``/``theta`` literal is assigned to.

    ``kind`` is ``leaky_relu``, ``thresholded_relu``, ``prelu`` or ``elu``. With
    ``param_type == "param_t"`` (hls4ml >= 1.0: the call is
    ``nnet::leaky_relu<input_t, param_t, result_t, config>``) it is ``param_t``; older
    headers (call ``nnet::leaky_relu<input_t, result_t, config>``) take ``data_T`` for
    leaky_relu/thresholded_relu/prelu and ``res_T`` for elu. ELU without a parameter
    (``nnet::elu<input_t, result_t, config>(x, res)``) uses ``ap_uint<1>`` (1.0) in >= 1.0
    and ``res_T`` before: pass ``param_t="ap_uint<1>"`` for the former.
    """
    v = as_variant(variant)
    kinds = ("leaky_relu", "thresholded_relu", "prelu", "elu")
    if kind not in kinds:
        msg = f"param_type: unknown kind {kind!r}; expected one of {', '.join(kinds)}"
        raise ModelFormatError(msg)
    if v.param_type == "param_t":
        if param_t is None:
            msg = f"{kind} in {v.name} needs its param_t (the second template argument of the call)"
            raise ModelFormatError(msg)
        return as_type(param_t)
    return as_type(res_t if kind == "elu" else in_t)
