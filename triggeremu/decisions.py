"""Seed decisions per event, and prescales in BX order.

:func:`seed_bits` evaluates every seed of a menu on a batch's columns and
returns an (N, n_seeds) boolean matrix (pure per event: a map). Object seeds
compare hardware integers of ``l1_inputs`` (layout from :mod:`streams.hwunits`);
column seeds compare a stage's raw integer output with ``>=``.

:class:`Prescaler` applies prescales as the uGT does, with one counter per
seed advanced in BX order: a seed with prescale N keeps the 1st, (N+1)-th,
(2N+1)-th ... firing; prescale 0 disables it. State carries across batches.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from streams import hwunits
from triggeremu.errors import ConfigError
from triggeremu.menu import Menu, Seed

__all__ = ["seed_bits", "Prescaler"]

_OBJ_SLICE = {"muon": "mu", "egamma": "eg", "jet": "jet", "met": "met"}
_HW_KIND = {"muon": "muon_pt", "egamma": "egamma_pt", "jet": "jet_pt", "met": "met_pt", "ht": "jet_pt"}


def _eta_lsb(obj: str) -> float:
    return hwunits.FIELDS["muon_eta"].lsb if obj == "muon" else hwunits.FIELDS["calo_eta"].lsb


def _objects(l1: np.ndarray, obj: str) -> tuple[np.ndarray, np.ndarray]:
    """(pt_hw, eta_hw) arrays of shape (N, n_objects) for one object kind."""
    sl = hwunits.SLICES[_OBJ_SLICE[obj]]
    block = l1[:, sl]
    return block[:, 0::3], block[:, 1::3]


def _eta_ok(eta_hw: np.ndarray, seed: Seed, obj: str) -> np.ndarray:
    if seed.max_abs_eta is None or obj == "met":
        return np.ones(eta_hw.shape, dtype=bool)
    # |eta_hw * lsb| <= max: compare the tower-index bound exactly once
    return np.abs(eta_hw).astype(np.float64) * _eta_lsb(obj) <= seed.max_abs_eta


def _object_seed(l1: np.ndarray, seed: Seed) -> np.ndarray:
    obj = seed.object
    thr = hwunits.gev_to_hw_threshold(_HW_KIND[obj], seed.threshold_gev)
    if obj == "ht":
        pt, eta = _objects(l1, "jet")
        jet_min = hwunits.gev_to_hw_threshold("jet_pt", seed.ht_jet_min_gev)
        use = (pt >= jet_min) & _eta_ok(eta, seed, "jet")
        ht = np.where(use, pt, 0).astype(np.int64).sum(axis=1)
        return ht >= thr
    pt, eta = _objects(l1, obj)
    return ((pt >= thr) & _eta_ok(eta, seed, obj)).any(axis=1)


def seed_bits(cols: Mapping[str, np.ndarray], menu: Menu) -> np.ndarray:
    """(N, n_seeds) bool: which seeds fire on each event (before prescale)."""
    n = len(cols["event"])
    out = np.zeros((n, len(menu.seeds)), dtype=bool)
    for j, seed in enumerate(menu.seeds):
        if seed.object is not None:
            out[:, j] = _object_seed(cols["l1_inputs"], seed)
        else:
            v = _column_values(cols, seed)
            out[:, j] = v >= seed.threshold
    return out


def _column_values(cols: Mapping[str, np.ndarray], seed: Seed) -> np.ndarray:
    """The integer a column seed compares: ``name`` (one per event) or ``name[i]``
    (element i of a per-event vector, e.g. ``acam_latent[0]``)."""
    name, index = seed.column, None
    if name.endswith("]") and "[" in name:
        name, _, idx = name[:-1].partition("[")
        if not idx.isdigit():
            msg = f"seed {seed.name!r}: {seed.column!r} must index a vector column with an integer, e.g. {name}[0]"
            raise ConfigError(msg)
        index = int(idx)
    if name not in cols:
        avail = sorted(k for k in cols if k not in ("orbit", "bx", "event"))
        msg = (
            f"seed {seed.name!r} reads column {name!r}, which no stage writes; "
            f"columns available: {avail}. Add the stage to [[stages]] or fix the column name"
        )
        raise ConfigError(msg)
    v = cols[name]
    if index is None and v.ndim != 1:
        msg = (
            f"seed {seed.name!r}: column {name!r} holds {v.shape[1]} values per event; "
            f"pick one with {name}[i], i in 0..{v.shape[1] - 1}"
        )
        raise ConfigError(msg)
    if index is not None:
        if v.ndim != 2 or index >= v.shape[1]:
            width = v.shape[1] if v.ndim == 2 else 1
            msg = f"seed {seed.name!r}: {seed.column!r} is out of range; {name!r} has {width} value(s) per event"
            raise ConfigError(msg)
        v = v[:, index]
    return v


class Prescaler:
    """Per-seed prescale counters, advanced in BX order across batches."""

    def __init__(self, prescales: list[int]) -> None:
        self.prescales = np.asarray(prescales, dtype=np.int64)
        self.counts = np.zeros(len(prescales), dtype=np.int64)  # firings seen so far

    def apply(self, bits: np.ndarray) -> np.ndarray:
        out = np.zeros_like(bits)
        for j, ps in enumerate(self.prescales):
            fired = np.flatnonzero(bits[:, j])
            if ps == 0 or fired.size == 0:
                self.counts[j] += fired.size
                continue
            k = self.counts[j] + np.arange(fired.size)
            out[fired[k % ps == 0], j] = True
            self.counts[j] += fired.size
        return out
