"""Seed decisions per event, and prescales in BX order.

:func:`seed_bits` evaluates every seed of a menu on a batch's columns and
returns an (N, n_seeds) boolean matrix (pure per event: a map, run on the map
side of a run, see :mod:`triggeremu.chain`). Object seeds compare hardware
integers of ``l1_inputs`` (layout from :mod:`streams.hwunits`) in one numba
kernel (:func:`_object_seed_kernel`); its plain NumPy twin is
:func:`seed_bits_reference`. Column seeds compare a stage's raw integer output
with ``>=``. :func:`pack_bits` / :func:`unpack_bits` hold the matrix as one bit
per seed (what crosses the wire and what the sink scans sparsely).

:class:`Prescaler` applies prescales as the uGT does, with one counter per
seed advanced in BX order: a seed with prescale N keeps the 1st, (N+1)-th,
(2N+1)-th ... firing; prescale 0 disables it. State carries across batches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numba
import numpy as np

from firmware_models.jit import JIT_OPTIONS
from streams import hwunits
from streams.schema import N_L1_INPUTS
from triggeremu.errors import ConfigError
from triggeremu.menu import Menu, Seed

__all__ = ["seed_bits", "seed_bits_reference", "SeedBits", "pack_bits", "unpack_bits", "Prescaler"]

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
    return SeedBits(menu).evaluate(cols)


def seed_bits_reference(cols: Mapping[str, np.ndarray], menu: Menu) -> np.ndarray:
    """Plain NumPy twin of :func:`seed_bits` (one array expression per seed)."""
    n = len(cols["event"])
    out = np.zeros((n, len(menu.seeds)), dtype=bool)
    for j, seed in enumerate(menu.seeds):
        if seed.object is not None:
            out[:, j] = _object_seed(cols["l1_inputs"], seed)
        else:
            v = _column_values(cols, seed)
            out[:, j] = v >= seed.threshold
    return out


#: object kind -> kernel code
_KIND_CODE = {"met": 0, "egamma": 1, "muon": 2, "jet": 3, "ht": 4}


class SeedBits:
    """The seeds of a menu, compiled once: object seeds as kernel parameter arrays."""

    def __init__(self, menu: Menu) -> None:
        self.menu = menu
        self.n_seeds = len(menu.seeds)
        self.object_index = np.array([j for j, s in enumerate(menu.seeds) if s.object is not None], dtype=np.int64)
        self.column_seeds = [(j, s) for j, s in enumerate(menu.seeds) if s.object is None]
        obj = [menu.seeds[j] for j in self.object_index]
        self._kind = np.array([_KIND_CODE[s.object] for s in obj], dtype=np.int64)
        self._thr = np.array([hwunits.gev_to_hw_threshold(_HW_KIND[s.object], s.threshold_gev) for s in obj],
                             dtype=np.int64)
        self._jet_min = np.array([hwunits.gev_to_hw_threshold("jet_pt", s.ht_jet_min_gev) if s.object == "ht" else 0
                                  for s in obj], dtype=np.int64)
        # met ignores the eta cut, as the reference does
        self._use_eta = np.array([s.max_abs_eta is not None and s.object != "met" for s in obj], dtype=np.bool_)
        self._max_eta = np.array([float(s.max_abs_eta) if s.max_abs_eta is not None else 0.0 for s in obj])
        self._eta_lsb = np.array([_eta_lsb("jet" if s.object == "ht" else s.object) for s in obj])
        starts = {k: hwunits.SLICES[_OBJ_SLICE[k]].start for k in _OBJ_SLICE}
        starts["ht"] = starts["jet"]
        counts = {key: count for key, _kind, count in hwunits.L1_INPUT_BLOCKS}
        self._start = np.array([starts[s.object] for s in obj], dtype=np.int64)
        self._count = np.array([counts[_OBJ_SLICE["jet" if s.object == "ht" else s.object]] for s in obj],
                               dtype=np.int64)

    @property
    def n_bytes(self) -> int:
        return (self.n_seeds + 7) // 8

    def evaluate(self, cols: Mapping[str, np.ndarray]) -> np.ndarray:
        """(N, n_seeds) bool, every seed (a missing column raises ConfigError)."""
        return unpack_bits(self.evaluate_packed(cols), self.n_seeds)

    def evaluate_packed(self, cols: Mapping[str, np.ndarray], *, skip_missing: bool = False,
                        only: Sequence[int] | None = None, objects: bool = True, columns: bool = True,
                        out: np.ndarray | None = None) -> np.ndarray:
        """(N, n_bytes) uint8, seed j in bit j % 8 of byte j // 8 (see :func:`pack_bits`).

        ``skip_missing``: column seeds whose column is not in ``cols`` stay 0 (the map
        side leaves seeds on scan-stage outputs to the sink, see :meth:`missing_columns`);
        ``only``: evaluate just these column seeds (indices), nothing else; ``objects`` /
        ``columns``: which kinds of seed to evaluate; ``out``: OR the bits into it."""
        n = len(cols["event"])
        if out is None:
            out = np.zeros((n, self.n_bytes), dtype=np.uint8)
        if self.object_index.size and only is None and objects:
            l1 = np.asarray(cols["l1_inputs"])
            if l1.ndim != 2 or l1.shape[1] != N_L1_INPUTS:
                msg = f"object seeds read l1_inputs of shape (N, {N_L1_INPUTS}), got {l1.shape}"
                raise ConfigError(msg)
            if l1.dtype not in (np.int32, np.int64) or not l1.flags.c_contiguous:
                l1 = np.ascontiguousarray(l1, dtype=np.int64)
            _object_seed_kernel(l1, self._kind, self._thr, self._jet_min, self._use_eta, self._max_eta,
                                self._eta_lsb, self._start, self._count, self.object_index, out)
        wanted = None if only is None else set(only)
        for j, seed in self.column_seeds if columns else ():
            if wanted is not None and j not in wanted:
                continue
            if skip_missing and _column_name(seed) not in cols:
                continue
            fired = _column_values(cols, seed) >= seed.threshold
            out[:, j >> 3] |= fired.astype(np.uint8) << np.uint8(j & 7)
        return out

    def missing_columns(self, cols: Mapping[str, np.ndarray]) -> list[int]:
        """Indices of column seeds whose column is not (yet) in ``cols``."""
        return [j for j, seed in self.column_seeds if _column_name(seed) not in cols]


@numba.njit(**JIT_OPTIONS)
def _object_seed_kernel(l1, kind, thr, jet_min, use_eta, max_eta, eta_lsb, start, count, seed_index, out):
    """Set bit seed_index[j] of row i of ``out`` when object seed j fires on event i
    (the semantics of :func:`_object_seed`, the reference)."""
    for i in range(l1.shape[0]):
        for j in range(kind.shape[0]):
            s0 = start[j]
            fired = False
            if kind[j] == 4:  # HT: sum of jet pT codes above jet_min (and inside |eta|)
                ht = 0
                for o in range(count[j]):
                    p = np.int64(l1[i, s0 + 3 * o])
                    if p >= jet_min[j]:
                        if use_eta[j] and np.float64(abs(np.int64(l1[i, s0 + 3 * o + 1]))) * eta_lsb[j] > max_eta[j]:
                            continue
                        ht += p
                fired = ht >= thr[j]
            else:
                for o in range(count[j]):
                    if np.int64(l1[i, s0 + 3 * o]) >= thr[j]:
                        if use_eta[j] and np.float64(abs(np.int64(l1[i, s0 + 3 * o + 1]))) * eta_lsb[j] > max_eta[j]:
                            continue
                        fired = True
                        break
            if fired:
                b = seed_index[j]
                out[i, b >> 3] |= np.uint8(1 << (b & 7))


def pack_bits(bits: np.ndarray) -> np.ndarray:
    """(N, k) bool -> (N, ceil(k/8)) uint8, seed j in bit j % 8 of byte j // 8."""
    bits = np.asarray(bits, dtype=bool)
    n, k = bits.shape
    out = np.zeros((n, (k + 7) // 8), dtype=np.uint8)
    for j in range(k):
        out[:, j >> 3] |= bits[:, j].astype(np.uint8) << np.uint8(j & 7)
    return out


def unpack_bits(packed: np.ndarray, k: int) -> np.ndarray:
    """Inverse of :func:`pack_bits`: (N, k) bool."""
    out = np.empty((packed.shape[0], k), dtype=bool)
    for j in range(k):
        np.not_equal(packed[:, j >> 3] & np.uint8(1 << (j & 7)), 0, out=out[:, j])
    return out


def _column_name(seed: Seed) -> str:
    name = seed.column
    return name[:-1].partition("[")[0] if name.endswith("]") and "[" in name else name


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
