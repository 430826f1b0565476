"""Calorimeter region ETs for CICADA: an 18x14 grid of 10-bit ETs, seeded and batch-independent.

CMS's CICADA reads the 252 Layer-1 region ETs as one flat vector, index ``14 * iPhi + iEta``
(CMSSW ``L1Trigger/L1TCaloSummary/plugins/L1TCaloSummary.cc``: ``modelInput[14 * gctPhi +
(gctEta - 4)] = et``, gctPhi 0..17, gctEta 4..17: the 14 barrel/endcap regions, |eta| < 3). This
module makes such a vector per event -- a physics-like stand-in, not a detector simulation --
from the event's L1 objects (:mod:`streams.hwunits` codes) plus soft deposits:

- soft deposits (pileup-like): in every region an exponential ET of mean
  ``0.25 GeV * (1 + pileup / 10) * (1 + |eta_c| / 6)`` (``eta_c`` the region's centre; pileup the
  event's ``pileup`` value, 0 without one);
- each jet (the 10 jet slots): 70 % of its pT into its region, 30 % shared equally by the 8
  neighbours (phi wraps; a neighbour beyond |eta| 3 keeps its share off the grid);
- each e/gamma (the 4 slots): its whole pT into its region;
- region of an object: eta = (eta code + 0.5) x 0.0435 (the bin centre) in the region edges
  0, 0.348, 0.696, 1.044, 1.392, 1.740, 2.172, 3.0 on each side (iEta 0..6 for eta < 0, from -3.0,
  and 7..13 for eta >= 0: gctEta 4..17); iPhi = floor((phi code + 4) / 8) mod 18 (144 calo phi
  codes, 8 per region, region 0 centred on phi = 0 as CMSSW's ``central_phi`` has it); objects at
  |eta| >= 3 (HF) are not on the grid;
- ET code = floor(ET / 0.5 GeV), saturated at 1023 (10 bits).

The calorimeter-shower source (:mod:`streams.calo`, whose ``l1_inputs`` are zero) gets its regions
from :func:`shower_region_ets`: the soft deposits above (no objects), plus the event's one shower in
one region drawn uniformly from the 252 (``floor(u * 252)``, ``u`` the first draw of the stream
``SHOWER_STREAM``) with ET = (sum of the 48 cells in GeV) / cosh(eta_c) of that region's centre;
its ET code ``floor(ET / 0.5 GeV)`` is added to the region's code, saturated at 1023.

Randomness: one :mod:`streams.counter_rng` stream per (seed, event), so an event's regions do not
depend on the batch. :func:`region_ets` is the kernel (numba), :func:`region_ets_reference` its
plain Python twin (``tests/test_kernel_twins.py``).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from firmware_models.jit import JIT_OPTIONS
from streams.counter_rng import event_state, key, py_event_state, py_uniform, uniform
from streams.hwunits import SLICES

__all__ = ["N_PHI", "N_ETA", "N_REGIONS", "ETA_EDGES", "LSB_GEV", "region_index", "region_ets",
           "region_ets_reference", "shower_region_ets", "STREAM", "SHOWER_STREAM"]

N_PHI, N_ETA = 18, 14
N_REGIONS = N_PHI * N_ETA
#: |eta| edges of the 7 regions on each side (CMS RCT regions: 4 towers of 0.087 to 1.74, then 2.172, 3.0)
ETA_EDGES = np.array([0.0, 0.348, 0.696, 1.044, 1.392, 1.740, 2.172, 3.0])
LSB_GEV = 0.5
MAX_CODE = 1023
STREAM = 0x52474E53  # "RGNS": the region stream of a source seed
SHOWER_STREAM = 0x53485752  # "SHWR": where a calo-source event's shower lands
_ETA_LSB = 0.0435
_SOFT_GEV, _PU_REF, _CORE = 0.25, 10.0, 0.7
_CENTRES = np.concatenate([-(ETA_EDGES[1:] + ETA_EDGES[:-1])[::-1] / 2, (ETA_EDGES[1:] + ETA_EDGES[:-1]) / 2])
_WEIGHT = 1.0 + np.abs(_CENTRES) / 6.0


def region_index(i_phi: int, i_eta: int) -> int:
    """CMSSW's flat index of region (iPhi, iEta)."""
    return N_ETA * i_phi + i_eta


@numba.jit(**JIT_OPTIONS)
def _ieta(eta_code, edges):
    eta = (eta_code + 0.5) * _ETA_LSB
    a = abs(eta)
    for k in range(7):
        if a < edges[k + 1]:
            return 7 + k if eta >= 0 else 6 - k
    return -1


@numba.jit(**JIT_OPTIONS)
def _deposit(buf, iphi, ieta, pt, core):
    buf[N_ETA * iphi + ieta] += core * pt
    share = (1.0 - core) * pt / 8.0
    if core < 1.0:
        for dp in range(-1, 2):
            for de in range(-1, 2):
                e = ieta + de
                if (dp != 0 or de != 0) and 0 <= e < N_ETA:
                    buf[N_ETA * ((iphi + dp) % N_PHI) + e] += share


@numba.jit(**JIT_OPTIONS)
def _kernel(l1, events, k, pileup, weight, edges, eg0, jet0, out):
    buf = np.empty(N_REGIONS, dtype=np.float64)
    for i in range(l1.shape[0]):
        st = event_state(k, np.uint64(events[i]))
        scale = _SOFT_GEV * (1.0 + pileup[i] / _PU_REF)
        for r in range(N_REGIONS):
            st, u = uniform(st)
            buf[r] = -scale * weight[r % N_ETA] * math.log(1.0 - u)
        for slot in range(14):
            c = jet0 + 3 * slot if slot < 10 else eg0 + 3 * (slot - 10)
            code = l1[i, c]
            if code <= 0:
                continue
            ieta = _ieta(l1[i, c + 1], edges)
            if ieta < 0:
                continue
            _deposit(buf, ((l1[i, c + 2] + 4) // 8) % N_PHI, ieta, code * LSB_GEV, _CORE if slot < 10 else 1.0)
        for r in range(N_REGIONS):
            v = math.floor(buf[r] / LSB_GEV)
            out[i, r] = MAX_CODE if v > MAX_CODE else np.uint16(v)


def _inputs(l1, events, pileup):
    l1 = np.ascontiguousarray(l1, dtype=np.int64)
    events = np.ascontiguousarray(events, dtype=np.uint64)
    n = l1.shape[0]
    pu = np.zeros(n) if pileup is None else np.ascontiguousarray(pileup, dtype=np.float64)
    if l1.ndim != 2 or l1.shape[1] != 57 or events.shape != (n,) or pu.shape != (n,):
        msg = (f"region_ets wants l1_inputs (N, 57) and event numbers (and pileup) of shape (N,); got {l1.shape}, "
               f"{events.shape}, {pu.shape}")
        raise ValueError(msg)
    return l1, events, pu


def region_ets(l1_inputs: np.ndarray, events: np.ndarray, *, seed: int = 0,
               pileup: np.ndarray | None = None) -> np.ndarray:
    """The (N, 252) uint16 region ET codes of events with these L1 inputs and global event numbers."""
    l1, ev, pu = _inputs(l1_inputs, events, pileup)
    out = np.empty((l1.shape[0], N_REGIONS), dtype=np.uint16)
    _kernel(l1, ev, np.uint64(key(seed, STREAM)), pu, _WEIGHT, ETA_EDGES, SLICES["eg"].start, SLICES["jet"].start, out)
    return out


def _ieta_ref(eta_code: int) -> int:
    eta = (eta_code + 0.5) * _ETA_LSB
    for k in range(7):
        if abs(eta) < ETA_EDGES[k + 1]:
            return 7 + k if eta >= 0 else 6 - k
    return -1


def region_ets_reference(l1_inputs: np.ndarray, events: np.ndarray, *, seed: int = 0,
                         pileup: np.ndarray | None = None) -> np.ndarray:
    """Plain Python twin of :func:`region_ets`, event by event from the rules in the module docstring."""
    l1, ev, pu = _inputs(l1_inputs, events, pileup)
    k = key(seed, STREAM)
    rows = []
    for i in range(l1.shape[0]):
        st = py_event_state(k, int(ev[i]))
        scale = _SOFT_GEV * (1.0 + float(pu[i]) / _PU_REF)
        et = []
        for r in range(N_REGIONS):
            st, u = py_uniform(st)
            et.append(-scale * float(_WEIGHT[r % N_ETA]) * math.log(1.0 - u))
        objects = [(SLICES["jet"].start + 3 * s, _CORE) for s in range(10)]
        objects += [(SLICES["eg"].start + 3 * s, 1.0) for s in range(4)]
        for c, core in objects:
            code, eta_code, phi_code = (int(v) for v in l1[i, c:c + 3])
            ieta = _ieta_ref(eta_code) if code > 0 else -1
            if ieta < 0:
                continue
            iphi, pt = ((phi_code + 4) // 8) % N_PHI, code * LSB_GEV
            et[region_index(iphi, ieta)] += core * pt
            if core < 1.0:
                for dp in (-1, 0, 1):
                    for de in (-1, 0, 1):
                        if (dp, de) != (0, 0) and 0 <= ieta + de < N_ETA:
                            et[region_index((iphi + dp) % N_PHI, ieta + de)] += (1.0 - core) * pt / 8.0
        rows.append([min(int(math.floor(v / LSB_GEV)), MAX_CODE) for v in et])
    return np.array(rows, dtype=np.uint16).reshape(len(rows), N_REGIONS)


def _first_uniform(k: int, events: np.ndarray) -> np.ndarray:
    """The first draw of each event's stream under key ``k``: counter_rng's integer arithmetic on uint64
    arrays (numpy arrays wrap modulo 2**64; equal to :func:`streams.counter_rng.py_uniform`)."""
    def mix(z):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))

    ev = np.ascontiguousarray(events, dtype=np.uint64)
    state = mix(np.full(ev.shape, k, dtype=np.uint64) ^ mix(ev + np.uint64(1))) + np.uint64(0x9E3779B97F4A7C15)
    return (mix(state) >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def shower_region_ets(cells: np.ndarray, events: np.ndarray, *, seed: int = 0, counts_per_gev: float,
                      pileup: np.ndarray | None = None) -> np.ndarray:
    """The (N, 252) uint16 region ETs of calorimeter-shower events (the rule in the module docstring):
    soft deposits plus each event's shower, from its (N, 48) cell counts (``counts_per_gev`` counts a GeV)."""
    cells = np.asarray(cells)
    n = cells.shape[0]
    out = region_ets(np.zeros((n, 57), dtype=np.int64), events, seed=seed, pileup=pileup)
    if n == 0:
        return out
    region = np.minimum((_first_uniform(key(seed, SHOWER_STREAM), events) * N_REGIONS).astype(np.int64),
                        N_REGIONS - 1)
    et = cells.astype(np.float64).sum(axis=1) / counts_per_gev / np.cosh(_CENTRES[region % N_ETA])
    rows = np.arange(n)
    code = out[rows, region].astype(np.int64) + np.floor(et / LSB_GEV).astype(np.int64)
    out[rows, region] = np.minimum(code, MAX_CODE).astype(np.uint16)
    return out
