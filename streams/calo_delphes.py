"""Delphes replay for the 48-cell calorimeter payload: ``Tower`` branches binned into cells.

:func:`bin_towers` turns each event's Delphes towers (``Tower.Eta``,
``Tower.Phi``, ``Tower.E``, ``Tower.Eem``, ``Tower.Ehad``) into the cells of
:mod:`streams.calo` (3 layers x 4 x 4, index ``layer*16 + iy*4 + ix``, ADC
counts of 0.5 MeV); :class:`DelphesCaloSource` reads a Delphes ROOT file with
uproot and yields batches like :class:`streams.calo.SyntheticCaloSource`.

The binning (a tower grid of pitch ``deta`` x ``dphi``; default 0.087 x 2pi/72,
the barrel tower size of the CMS Delphes card and of the L1 calorimeter trigger):

1. The seed is the tower with the largest ``E`` (the first one on ties).
2. Every tower gets integer offsets from the seed, ``u = floor((eta - eta_seed)/deta + 1/2)``
   and ``v = floor(wrap(phi - phi_seed)/dphi + 1/2)``, ``wrap`` into [-pi, pi).
3. The 4 x 4 window is placed so that the seed and its more energetic neighbour
   are in the middle: along eta it covers offsets ``s .. s+3`` with ``s = -1`` if
   the towers at ``u = +1`` (``|v| <= 1``) have at least the ``E`` of those at
   ``u = -1``, else ``s = -2``; likewise along phi. ``ix = u - s_eta``,
   ``iy = v - s_phi``.
4. Delphes towers have two longitudinal compartments, so the three layers are
   layer 0 = ``Eem`` and layer 1 = ``Ehad`` on the tower grid, and layer 2 = ``E``
   on a coarse grid of 2 x 2 towers (offsets ``s-2 .. s+5``, index
   ``floor((u - s + 2) / 2)``), centred like the fine window. This mirrors the
   synthetic geometry, whose back layer has twice the pitch; it does not claim the
   Delphes compartments are the synthetic depth slices.
5. Energies (GeV, energy not E_T) become counts by ``floor(E * 2000)``, clipped to
   ``[0, 2**22 - 1]``. An event with NaN or inf in any of its towers gets
   ``bad_input = 1`` and all-zero cells (counted in ``n_bad_input``); an event
   without towers has all-zero cells.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator
from pathlib import Path

import awkward as ak
import numba
import numpy as np

from streams.calo import CELL_MAX, COUNTS_PER_GEV, GRID
from streams.clock import FillingScheme, assign_bx
from firmware_models.jit import JIT_OPTIONS as _JIT
from streams.errors import MissingBranchError, SourceError
from streams.schema import N_CALO_CELLS, N_L1_INPUTS

__all__ = ["TOWER_BRANCHES", "bin_towers", "bin_towers_reference", "DelphesCaloSource"]

TOWER_BRANCHES = ("Tower.Eta", "Tower.Phi", "Tower.E", "Tower.Eem", "Tower.Ehad")
DEFAULT_DETA = 0.087
DEFAULT_DPHI = 2.0 * math.pi / 72.0



@numba.njit(**_JIT)
def _wrap(dphi):
    return dphi - 2.0 * math.pi * math.floor((dphi + math.pi) / (2.0 * math.pi))


@numba.njit(**_JIT)
def _bin_kernel(offsets, eta, phi, e, eem, ehad, deta, dphi, cpg, max_count, cells, bad, u, v):
    for ev in range(offsets.size - 1):
        lo, hi = offsets[ev], offsets[ev + 1]
        for c in range(cells.shape[1]):
            cells[ev, c] = 0
        bad[ev] = 0
        if hi == lo:
            continue
        finite = True
        for t in range(lo, hi):
            s = eta[t] + phi[t] + e[t] + eem[t] + ehad[t]
            if not math.isfinite(s):
                finite = False
        if not finite:
            bad[ev] = 1
            continue
        seed = lo
        for t in range(lo + 1, hi):
            if e[t] > e[seed]:
                seed = t
        e_up = 0.0
        e_dn = 0.0
        p_up = 0.0
        p_dn = 0.0
        for t in range(lo, hi):
            u[t] = math.floor((eta[t] - eta[seed]) / deta + 0.5)
            v[t] = math.floor(_wrap(phi[t] - phi[seed]) / dphi + 0.5)
            if abs(v[t]) <= 1:
                if u[t] == 1:
                    e_up += e[t]
                elif u[t] == -1:
                    e_dn += e[t]
            if abs(u[t]) <= 1:
                if v[t] == 1:
                    p_up += e[t]
                elif v[t] == -1:
                    p_dn += e[t]
        s_eta = -1 if e_up >= e_dn else -2
        s_phi = -1 if p_up >= p_dn else -2
        acc = np.zeros(cells.shape[1])
        for t in range(lo, hi):
            ix = u[t] - s_eta
            iy = v[t] - s_phi
            if 0 <= ix < GRID and 0 <= iy < GRID:
                acc[iy * GRID + ix] += eem[t]
                acc[GRID * GRID + iy * GRID + ix] += ehad[t]
            cx = (u[t] - s_eta + 2) // 2
            cy = (v[t] - s_phi + 2) // 2
            if 0 <= u[t] - s_eta + 2 < 2 * GRID and 0 <= v[t] - s_phi + 2 < 2 * GRID:
                acc[2 * GRID * GRID + cy * GRID + cx] += e[t]
        for c in range(cells.shape[1]):
            q = acc[c] * cpg
            if q <= 0.0:
                cells[ev, c] = 0
            elif q >= max_count:
                cells[ev, c] = max_count
            else:
                cells[ev, c] = np.uint32(np.int64(q))


def _as_flat(x) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64))


def bin_towers(offsets, eta, phi, e, eem, ehad, *, deta=DEFAULT_DETA, dphi=DEFAULT_DPHI):
    """Bin towers of ``len(offsets) - 1`` events (event ``k`` owns towers
    ``offsets[k]:offsets[k+1]``) into ``(cells (n, 48) uint32, bad_input (n,) uint8)``."""
    offsets = np.ascontiguousarray(np.asarray(offsets, dtype=np.int64))
    arrays = [_as_flat(a) for a in (eta, phi, e, eem, ehad)]
    n_towers = int(offsets[-1]) if offsets.size else 0
    if offsets.ndim != 1 or offsets.size < 1 or offsets[0] != 0 or np.any(np.diff(offsets) < 0):
        msg = "offsets must be a 1-D non-decreasing array starting at 0 (one more entry than events)"
        raise ValueError(msg)
    if any(a.shape != (n_towers,) for a in arrays):
        msg = f"tower arrays must all have offsets[-1] = {n_towers} entries, got {[a.shape for a in arrays]}"
        raise ValueError(msg)
    if not (deta > 0 and dphi > 0):
        msg = f"deta and dphi must be positive tower pitches, got {deta}, {dphi}"
        raise ValueError(msg)
    n = offsets.size - 1
    cells = np.empty((n, N_CALO_CELLS), dtype=np.uint32)
    bad = np.empty(n, dtype=np.uint8)
    u = np.empty(n_towers, dtype=np.int64)
    v = np.empty(n_towers, dtype=np.int64)
    _bin_kernel(offsets, *arrays, float(deta), float(dphi), float(COUNTS_PER_GEV), CELL_MAX, cells, bad, u, v)
    return cells, bad


def bin_towers_reference(towers_per_event, *, deta=DEFAULT_DETA, dphi=DEFAULT_DPHI):
    """Plain-Python twin of :func:`bin_towers`: ``towers_per_event`` is a list (per event)
    of lists of ``(eta, phi, E, Eem, Ehad)`` tuples."""
    n = len(towers_per_event)
    cells = np.zeros((n, N_CALO_CELLS), dtype=np.uint32)
    bad = np.zeros(n, dtype=np.uint8)
    for k, towers in enumerate(towers_per_event):
        if not towers:
            continue
        if not all(math.isfinite(x) for tw in towers for x in tw):
            bad[k] = 1
            continue
        seed = max(range(len(towers)), key=lambda t: (towers[t][2], -t))
        eta_s, phi_s = towers[seed][0], towers[seed][1]
        offs = []
        for eta, phi, *_ in towers:
            d = phi - phi_s
            d -= 2.0 * math.pi * math.floor((d + math.pi) / (2.0 * math.pi))
            offs.append((math.floor((eta - eta_s) / deta + 0.5), math.floor(d / dphi + 0.5)))
        e_of = [tw[2] for tw in towers]
        s_eta = (
            -1
            if sum(e for (u, v), e in zip(offs, e_of) if u == 1 and abs(v) <= 1)
            >= sum(e for (u, v), e in zip(offs, e_of) if u == -1 and abs(v) <= 1)
            else -2
        )
        s_phi = (
            -1
            if sum(e for (u, v), e in zip(offs, e_of) if v == 1 and abs(u) <= 1)
            >= sum(e for (u, v), e in zip(offs, e_of) if v == -1 and abs(u) <= 1)
            else -2
        )
        acc = [0.0] * N_CALO_CELLS
        for (u, v), (_, _, e, eem, ehad) in zip(offs, towers):
            ix, iy = u - s_eta, v - s_phi
            if 0 <= ix < GRID and 0 <= iy < GRID:
                acc[iy * GRID + ix] += eem
                acc[GRID * GRID + iy * GRID + ix] += ehad
            if 0 <= ix + 2 < 2 * GRID and 0 <= iy + 2 < 2 * GRID:
                acc[2 * GRID * GRID + ((iy + 2) // 2) * GRID + (ix + 2) // 2] += e
        for c, a in enumerate(acc):
            cells[k, c] = 0 if a * COUNTS_PER_GEV <= 0 else min(math.floor(a * COUNTS_PER_GEV), CELL_MAX)
    return cells, bad


class DelphesCaloSource:
    """Replay the ``Tower`` branches of a Delphes file as ``calo_cells`` batches.

    Reads only the five Tower branches, ``chunk_events`` entries at a time, and
    yields column dicts like :class:`streams.calo.SyntheticCaloSource` (events
    assigned to colliding BX of ``scheme`` in order; ``l1_inputs`` zeros). Branches
    are found by name whether stored flat (``Tower.Eta`` beside ``Tower_size``, as
    uproot writes them) or nested in the ``Tower`` TClonesArray (as Delphes does).
    """

    layout = "delphes-towers"

    def __init__(
        self,
        path: str | Path,
        *,
        tree: str = "Delphes",
        scheme: FillingScheme | None = None,
        batch_events: int | None = None,
        chunk_events: int = 100_000,
        entry_stop: int | None = None,
        deta: float = DEFAULT_DETA,
        dphi: float = DEFAULT_DPHI,
    ) -> None:
        import uproot

        self.path = Path(path)
        self.scheme = scheme or FillingScheme.lhc_25ns_2748()
        self.batch_events = int(batch_events or 4 * self.scheme.n_colliding)
        self.chunk_events = int(chunk_events)
        if self.batch_events < 1 or self.chunk_events < 1:
            msg = f"batch_events and chunk_events must be >= 1, got {batch_events!r}, {chunk_events!r}"
            raise ValueError(msg)
        self.deta, self.dphi = float(deta), float(dphi)
        self.n_bad_input = 0
        if not self.path.is_file():
            msg = f"Delphes file {str(self.path)!r} does not exist; give the path of a Delphes ROOT output file"
            raise SourceError(msg)
        try:
            self._file = uproot.open(self.path)
        except Exception as err:  # uproot raises many types for non-ROOT/truncated files; all mean "unreadable"
            msg = (
                f"cannot read {str(self.path)!r} as a ROOT file ({type(err).__name__}: {err}); is it a Delphes output?"
            )
            raise SourceError(msg) from err
        trees = [k.split(";")[0] for k, c in self._file.classnames().items() if c in ("TTree", "ROOT::RNTuple")]
        if tree not in trees:
            close = difflib.get_close_matches(tree, trees, n=len(trees), cutoff=0.0)
            msg = f"{str(self.path)!r} has no tree {tree!r}; trees in the file: {close}; pass tree=..."
            raise MissingBranchError(msg)
        self._tree = self._file[tree]
        self._names = self._resolve(self._tree)
        n = self._tree.num_entries
        self.n_events = int(n if entry_stop is None else min(n, entry_stop))

    def _resolve(self, tree) -> dict[str, str]:
        by_leaf: dict[str, str] = {}
        for key in tree.keys(recursive=True):
            by_leaf.setdefault(key.rsplit("/", 1)[-1], key)
        missing = [b for b in TOWER_BRANCHES if b not in by_leaf]
        if missing:
            names = list(by_leaf)
            near = sorted({m for b in missing for m in difflib.get_close_matches(b, names, n=8, cutoff=0.5)})
            msg = (
                f"{str(self.path)!r} tree {tree.name!r} lacks the Delphes tower branches {missing} "
                f"(needs {list(TOWER_BRANCHES)}; closest branches present: {near or names[:12]}); "
                "run Delphes with the Tower collection in the output (TreeWriter 'Calorimeter/towers Tower Tower')"
            )
            raise MissingBranchError(msg)
        return {b: by_leaf[b] for b in TOWER_BRANCHES}

    def close(self) -> None:
        """Close the ROOT file."""
        self._file.close()

    def __enter__(self) -> DelphesCaloSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def describe(self) -> dict:
        return {
            "layout": self.layout,
            "path": str(self.path),
            "n_events": self.n_events,
            "branches": dict(self._names),
            "deta": self.deta,
            "dphi": self.dphi,
            "scheme": self.scheme.name,
            "n_bad_input": self.n_bad_input,
        }

    def _cell_chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        leaves = list(self._names)
        for chunk in self._tree.iterate(
            filter_name=leaves, step_size=self.chunk_events, entry_stop=self.n_events, library="ak"
        ):
            fields = {f.rsplit("/", 1)[-1]: f for f in chunk.fields}
            cols = [chunk[fields[b]] for b in TOWER_BRANCHES]
            counts = ak.to_numpy(ak.num(cols[2], axis=1)).astype(np.int64)
            offsets = np.zeros(counts.size + 1, dtype=np.int64)
            np.cumsum(counts, out=offsets[1:])
            flat = [ak.to_numpy(ak.flatten(c, axis=1)) for c in cols]
            cells, bad = bin_towers(offsets, *flat, deta=self.deta, dphi=self.dphi)
            self.n_bad_input += int(bad.sum())
            yield cells, bad

    def __iter__(self) -> Iterator[dict[str, np.ndarray]]:
        self.n_bad_input = 0
        first = 0
        pend_c: list[np.ndarray] = []
        pend_b: list[np.ndarray] = []
        pending = 0
        for cells, bad in self._cell_chunks():
            pend_c.append(cells)
            pend_b.append(bad)
            pending += cells.shape[0]
            while pending >= self.batch_events:
                c, b = np.concatenate(pend_c), np.concatenate(pend_b)
                yield self._batch(first, c[: self.batch_events], b[: self.batch_events])
                first += self.batch_events
                pend_c, pend_b = [c[self.batch_events :]], [b[self.batch_events :]]
                pending -= self.batch_events
        if pending:
            yield self._batch(first, np.concatenate(pend_c), np.concatenate(pend_b))

    def _batch(self, first: int, cells: np.ndarray, bad: np.ndarray) -> dict[str, np.ndarray]:
        n = cells.shape[0]
        orbit, bx, event = assign_bx(first, n, self.scheme)
        return {
            "orbit": orbit,
            "bx": bx,
            "event": event,
            "calo_cells": np.ascontiguousarray(cells),
            "l1_inputs": np.zeros((n, N_L1_INPUTS), dtype=np.int32),
            "bad_input": np.ascontiguousarray(bad),
        }
