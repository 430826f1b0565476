"""The ``nn`` stage over a CMSSW wrapper folder (a user's AXOL1TL_vN/ checkout), as CMSSW runs it.

:func:`triggeremu.stages.nn.load_ad_model` hands a folder that holds an
``hls4mlEmulator::Model`` wrapper here. The model is the wrapper
(:class:`firmware_models.nn.cmssw_wrapper.WrapperModel`: its own input scaling, the
network, its loss); the replay's ``l1_inputs`` hardware codes become the wrapper's input
the way CMSSW's ``AXOL1TLCondition`` builds it
(:func:`firmware_models.nn.cmssw_l1.axol1tl_condition_inputs`: hwPt/2, hwEta, hwPhi into
ap_fixed<18,13>). The stage's ``<name>_score`` is the wrapper's loss as a raw integer --
CMSSW's ``loss.to_float() * 16`` for the ap_ufixed<18,14> loss -- so working points are raw
thresholds (an AD config ``{"working_points": {...}}`` via ``config =``, or a column seed
of the menu). A wrapper whose input is not the 57 ap_fixed<18,13> values takes its input
from another layout (:mod:`triggeremu.stages.nn_inputs`): CICADA's 252 ``ap_uint<10>``
region ETs from the ``calo_regions`` column, raw, in CMSSW's order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from firmware_models.nn.cmssw_l1 import AXOL1TL_INPUT_TYPE, CMSSW_LAYOUT, axol1tl_condition_inputs
from triggeremu.errors import ConfigError

__all__ = ["load_wrapper_ad", "l1_input_builder"]


def l1_input_builder(model):
    """The l1_inputs -> wrapper input function for ``model``, or None when it does not take AXOL1TL's inputs."""
    if model.n_inputs == len(CMSSW_LAYOUT) and model.input_type == AXOL1TL_INPUT_TYPE:
        return axol1tl_condition_inputs
    return None


def load_wrapper_ad(path: Path, cfg_path: Path | None, cfg: dict[str, Any]):
    """An :class:`~triggeremu.stages.nn.ADModel` for a CMSSW wrapper folder."""
    from firmware_models.nn.cmssw_wrapper import load_wrapper
    from triggeremu.stages.nn import ADModel

    extra = sorted(set(cfg) - {"working_points", "timing", "input_layout"})
    if extra:
        msg = (f"AD config {cfg_path}: {extra} do not apply to the CMSSW wrapper folder {path} (its scaling and "
               "score come from the wrapper); keep working_points, timing and input_layout only")
        raise ConfigError(msg)
    model = load_wrapper(path)
    ad = ADModel(model, path, cfg_path, cfg, build_inputs=l1_input_builder(model))
    if "score" in model.output_types:
        ad.score_name = "score"
    return ad
