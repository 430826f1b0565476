"""Nested 4-bit slices and the non-ideal ("physical") cell model.

**Nested comparison.** An ``n``-bit code is cut into ``S = ceil(n / 4)`` slices,
most significant first; when ``n`` is not a multiple of 4 the *top* slice is the
narrow one (``n - 4 (S - 1)`` bits) -- e.g. conifer's 18-bit ``ap_fixed<18,8>``
codes are 2 + 4 + 4 + 4 + 4 bits. Each slice is one analog CAM cell. A cell
storing the slice ``b_s`` of a bound ``b`` has two analog thresholds at
``b_s - 1/2`` and ``b_s + 1/2`` (in units of the cell's LSB), giving "above
low" and "above high"; so "greater" = above high, "equal" = above low and not
above high. ``x >= lo`` is ``gt_0 or (eq_0 and (gt_1 or (eq_1 and ... ge_last)))``
and ``x < hi`` likewise with "less" -- the equality is carried from the most
significant slice down. With exact thresholds this is integer comparison
(tested exhaustively at 8 bits).

**Physical mode.** Each analog threshold of each programmed cell is offset by a
static, seeded Gaussian ``d ~ N(0, sigma)`` in cell LSB: the chip is programmed
once, so the same ``(sigma, seed)`` gives the same chip for every batch. An
input slice ``x_s`` (an integer level from the DAC) is "above" threshold ``T``
when ``x_s > T``, i.e. ``x_s >= floor(T) + 1``: the variation becomes per-cell
integer levels, and ``sigma = 0`` gives back the exact levels ``b_s`` and
``b_s + 1`` (so physical equals ideal bit for bit). Don't-care cells, and the
open side of a bound (``lo = 0`` or ``hi = 2**n``, X-TIME's per-side "X" flags),
are programmed to the widest range and always match. Draws are taken with
``numpy.random.default_rng(seed).normal(0, sigma, (n_cells, S, 2, 2))`` over
the cared cells in row-major (row, feature) order, [bound lo/hi][threshold
low/high]. Conductance-to-voltage non-linearity is not modelled: variation is
expressed directly in threshold LSB, as in X-TIME's discussion of programming
error (Pedretti et al., Nat. Commun. 12, 5806 (2021)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from firmware_models.errors import ModelFormatError

__all__ = ["CellArrays", "cell_arrays", "slice_layout", "ideal_levels", "physical_levels", "CELL_BITS"]

#: Bits per analog CAM cell.
CELL_BITS = 4


def slice_layout(n_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(shifts, masks) of the 4-bit slices of an n-bit code, most significant slice first."""
    n_slices = -(-n_bits // CELL_BITS)
    top = n_bits - CELL_BITS * (n_slices - 1)
    widths = np.array([top] + [CELL_BITS] * (n_slices - 1), dtype=np.int64)
    shifts = np.array([CELL_BITS * (n_slices - 1 - s) for s in range(n_slices)], dtype=np.int64)
    masks = (np.int64(1) << widths) - 1
    return shifts, masks


@dataclass(frozen=True)
class CellArrays:
    """The cared cells of a table in CSR form: row r owns cells ``ptr[r]:ptr[r+1]``."""

    ptr: np.ndarray  # (n_rows + 1,) int64
    feature: np.ndarray  # (n_cells,) int64
    lo: np.ndarray  # (n_cells,) int64
    hi: np.ndarray  # (n_cells,) int64
    lo_open: np.ndarray  # (n_cells,) bool: lo == 0
    hi_open: np.ndarray  # (n_cells,) bool: hi == 2**n


def cell_arrays(table) -> CellArrays:
    rows, feats = np.nonzero(table.care)
    ptr = np.zeros(table.n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=table.n_rows), out=ptr[1:])
    lo = table.lo[rows, feats]
    hi = table.hi[rows, feats]
    return CellArrays(ptr, feats.astype(np.int64), lo, hi, lo == 0, hi == (1 << table.n_bits))


def _slices(values: np.ndarray, shifts: np.ndarray, masks: np.ndarray) -> np.ndarray:
    return (values[:, None] >> shifts[None, :]) & masks[None, :]


def ideal_levels(cells: CellArrays, n_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(lo_levels, hi_levels), each (n_cells, S, 2) int64: exact thresholds b_s and b_s + 1."""
    shifts, masks = slice_layout(n_bits)
    out = []
    for b in (cells.lo, cells.hi):
        s = _slices(b, shifts, masks)
        out.append(np.ascontiguousarray(np.stack([s, s + 1], axis=-1)))
    return out[0], out[1]


def physical_levels(cells: CellArrays, n_bits: int, sigma: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Levels with static per-threshold Gaussian offsets of ``sigma`` cell LSB (see module docstring)."""
    sigma = float(sigma)
    if not np.isfinite(sigma) or sigma < 0:
        msg = f"physical mode sigma must be a finite number >= 0 (threshold spread in cell LSB), got {sigma}"
        raise ModelFormatError(msg)
    if sigma == 0.0:
        return ideal_levels(cells, n_bits)
    shifts, masks = slice_layout(n_bits)
    n_slices = shifts.size
    rng = np.random.default_rng(seed)
    d = rng.normal(0.0, sigma, size=(cells.feature.size, n_slices, 2, 2))
    out = []
    for k, b in enumerate((cells.lo, cells.hi)):
        s = _slices(b, shifts, masks).astype(np.float64)
        low = np.floor(s - 0.5 + d[:, :, k, 0]) + 1
        high = np.floor(s + 0.5 + d[:, :, k, 1]) + 1
        out.append(np.ascontiguousarray(np.stack([low, high], axis=-1).astype(np.int64)))
    return out[0], out[1]
