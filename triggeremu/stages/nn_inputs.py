"""Input layouts of the ``nn`` stage: which batch columns a network reads, and in what order.

A network's input is one flat vector of raw mantissas per event. The layout says how the
stage builds it from the batch (:data:`LAYOUTS`, one record each; the AD config's
``input_layout`` or the stage's ``input`` key names one):

- ``l1_inputs`` (default): the 57 hardware-unit values of :mod:`streams.hwunits` as they are,
  MET, 4 e/gamma, 4 muons, 10 jets, each (pT, eta, phi) -- the AXOL1TL order.
- ``object_grid``: the same 57 values re-ordered as the 19x3 object grid of Govorkova et al.
  (Nat. Mach. Intell. 4 (2022) 154): rows MET, 4 muons, 4 e/gamma, 10 jets, columns (pT, eta,
  phi), row-major (19x3x1 channels-last, the CNN VAE's input). Only the muon and e/gamma
  blocks swap places (:data:`OBJECT_GRID_ORDER`); the AD config's ``input_scaling`` offsets and
  shifts are in the grid order.
- ``calo_regions``: the 252 region ETs of the ``calo_regions`` column (10-bit, CMSSW's index
  ``14 * iPhi + iEta``; see :mod:`streams.regions`), as CICADA's ``ap_uint<10>`` input.
- ``jet_image``: a 40x40 image of the leading jet made from ``l1_inputs`` by
  :func:`streams.jet_images.jet_images` (seeded by the event number; a stand-in, documented
  there), for the Joint-VAE encoder.

A layout maps columns to the model input; input scaling (``(x - offset) >> shift``) is applied
after it by the stage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from streams.hwunits import SLICES
from streams.schema import N_L1_INPUTS
from triggeremu.errors import ConfigError

__all__ = ["InputLayout", "LAYOUTS", "OBJECT_GRID_ORDER", "layout", "detect_layout"]


def _grid_order() -> np.ndarray:
    idx = np.arange(N_L1_INPUTS)
    return np.concatenate([idx[SLICES[k]] for k in ("met", "mu", "eg", "jet")])


#: object_grid[i] = l1_inputs[OBJECT_GRID_ORDER[i]] (MET, 4 mu, 4 e/gamma, 10 jets)
OBJECT_GRID_ORDER = _grid_order()
N_REGIONS = 252
JET_IMAGE_PIXELS = 40 * 40


@dataclass(frozen=True)
class InputLayout:
    """One layout: the columns it reads, the input size it gives, and the function."""

    name: str
    columns: tuple[str, ...]
    size: int
    build: Callable[[Mapping[str, np.ndarray]], np.ndarray]
    doc: str


def _column(cols: Mapping[str, np.ndarray], name: str, width: int) -> np.ndarray:
    if name not in cols:
        msg = (f"the batch has no {name!r} column (columns: {sorted(cols)}); use a source that provides it "
               f"(e.g. the synthetic source with regions = true for calo_regions)")
        raise ConfigError(msg)
    v = np.asarray(cols[name])
    if v.ndim != 2 or v.shape[1] != width or v.dtype.kind not in "iu":
        msg = f"column {name!r} must be integer (N, {width}), got {v.dtype} {v.shape}"
        raise ConfigError(msg)
    return v


def _l1(cols):
    return _column(cols, "l1_inputs", N_L1_INPUTS).astype(np.int64, copy=False)


def _grid(cols):
    return np.ascontiguousarray(_column(cols, "l1_inputs", N_L1_INPUTS)[:, OBJECT_GRID_ORDER], dtype=np.int64)


def _regions(cols):
    return _column(cols, "calo_regions", N_REGIONS).astype(np.int64)


def _jet_image(cols):
    from streams.jet_images import jet_images

    l1 = _column(cols, "l1_inputs", N_L1_INPUTS)
    if "event" not in cols:
        msg = "the jet_image layout needs the 'event' column (its seeds)"
        raise ConfigError(msg)
    return jet_images(l1, np.asarray(cols["event"])).astype(np.int64)


LAYOUTS: dict[str, InputLayout] = {lay.name: lay for lay in (
    InputLayout("l1_inputs", ("l1_inputs",), N_L1_INPUTS, _l1, "the 57 hardware-unit values, AXOL1TL order"),
    InputLayout("object_grid", ("l1_inputs",), N_L1_INPUTS, _grid,
                "the 19x3 grid MET, 4 mu, 4 e/gamma, 10 jets x (pT, eta, phi) (Govorkova et al.)"),
    InputLayout("calo_regions", ("calo_regions",), N_REGIONS, _regions,
                "252 region ETs, index 14*iPhi + iEta (CICADA)"),
    InputLayout("jet_image", ("l1_inputs", "event"), JET_IMAGE_PIXELS, _jet_image,
                "a 40x40 image of the leading jet (streams.jet_images)"),
)}


def layout(name: str, *, where: str = "") -> InputLayout:
    """The layout called ``name``; an unknown name is refused with the list."""
    lay = LAYOUTS.get(str(name))
    if lay is None:
        msg = f"{where}input layout {name!r} is unknown; known layouts: {sorted(LAYOUTS)}"
        raise ConfigError(msg)
    return lay


def detect_layout(n_inputs: int, input_type) -> str:
    """The layout a model's input implies when nothing names one: CICADA's 252 unsigned 10-bit integer
    region ETs (``ap_uint<10>`` in v2, ``ap_ufixed<10,10>`` in v1), a 1600-value image, else the 57 L1
    inputs."""
    t = input_type
    if n_inputs == N_REGIONS and (t.width, t.integer, t.signed) == (10, 10, False):
        return "calo_regions"
    if n_inputs == JET_IMAGE_PIXELS:
        return "jet_image"
    return "l1_inputs"
