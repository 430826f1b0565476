"""Latency, throughput (II), energy and area of the ACAM block: published presets and a per-stage model.

:class:`AcamCost` is plain data; :meth:`AcamCost.block_timing` turns it into the
pipeline's :class:`~firmware_models.timing.BlockTiming` (integer cycles; the
clock is the throughput times the smallest integer k <= 64 that makes the
latency a whole number of cycles, so published figures stay exact).

Presets (most trusted, published figures; ``source = "preset:<name>"``):

- ``"seed-2026"``: the seed design ("Memristive tabular VAE", arXiv 2602.15990):
  10 ns latency, 350 MHz throughput, 4.1 nJ per compression, 2.1 mm2;
- ``"arxiv-v1"``: the same paper's v1 abstract: 24 ns, 330 M/s, 4.1 nJ (no area).

Per-stage model (``source = "estimate:stages"``), the X-TIME core pipeline
(HPE X-TIME ``cycle_accurate/auto.json``, Pedretti et al., arXiv 2304.01285):
driver (input register + DAC) -> ACAM array search -> match-to-address (MMR)
-> SRAM read of the leaf -> adder tree over arrays, with one link cycle
between consecutive stages. Cycle counts and the 1 GHz clock are X-TIME's
configured values (driver 1, acam 4, mmr 1, memory 1, adder 1, accumulator 1
per NoC level, links 1); the array geometry is X-TIME's (256 rows x 16
4-bit cells, arrays chained horizontally with one cycle per hop). X-TIME ships
placeholder power numbers (1e-6), so the per-operation energies of
:class:`StageParams` are ORDER-OF-MAGNITUDE ASSUMPTIONS (marked as such in the
result) to be replaced by measured values; the presets carry the published
energy. Area likewise: per-cell and per-array periphery assumptions.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from fractions import Fraction

from firmware_models.acam.physical import CELL_BITS
from firmware_models.errors import ModelFormatError
from firmware_models.timing import BlockTiming

__all__ = ["AcamCost", "StageParams", "PRESETS", "preset", "estimate"]


@dataclass(frozen=True)
class AcamCost:
    latency_ns: float
    throughput_mhz: float  # events per microsecond (= 1 / II)
    energy_per_search_nj: float
    energy_per_event_nj: float
    area_mm2: float | None
    source: str
    stages: dict = field(default_factory=dict)  # per-stage breakdown for estimates
    notes: str = ""

    def block_timing(self, *, fifo_depth: int = 16, overflow: str = "drop") -> BlockTiming:
        """The :class:`BlockTiming` with II = k cycles at ``k * throughput`` MHz and exact latency cycles."""
        lat = Fraction(str(self.latency_ns))
        thr = Fraction(str(self.throughput_mhz))
        for k in range(1, 65):
            cycles = lat * thr * k / 1000  # ns * MHz = 1e-3 cycles
            if cycles.denominator == 1:
                return BlockTiming(float(thr * k), int(cycles), k, fifo_depth, overflow, self.source)
        return BlockTiming(float(thr), math.ceil(lat * thr / 1000), 1, fifo_depth, overflow, self.source)

    def to_dict(self) -> dict:
        return asdict(self)


PRESETS: dict[str, AcamCost] = {
    "seed-2026": AcamCost(10.0, 350.0, 4.1, 4.1, 2.1, "preset:seed-2026", notes="arXiv 2602.15990 (seed design)"),
    "arxiv-v1": AcamCost(24.0, 330.0, 4.1, 4.1, None, "preset:arxiv-v1", notes="arXiv 2602.15990v1 abstract"),
}


def preset(name: str) -> AcamCost:
    try:
        return PRESETS[name]
    except KeyError:
        msg = f"unknown ACAM timing preset {name!r}; choose one of {sorted(PRESETS)}"
        raise ModelFormatError(msg) from None


@dataclass(frozen=True)
class StageParams:
    """Per-stage parameters. Cycles and geometry: X-TIME ``auto.json``; energies/areas: assumptions."""

    clock_mhz: float = 1000.0
    driver_cycles: int = 1
    search_cycles: int = 4
    mmr_cycles: int = 1
    sram_cycles: int = 1
    adder_cycles_per_level: int = 1
    link_cycles: int = 1
    hop_cycles: int = 1  # Acam-Acam link, per horizontally chained array
    rows_per_array: int = 256
    cells_per_array_row: int = 16
    # --- assumptions (order of magnitude), femtojoule per operation
    e_dac_fj: float = 50.0  # one 4-bit DAC drive of a data line, per cell column
    e_cell_fj: float = 1.0  # one analog cell compare (per cell, per search)
    e_row_fj: float = 20.0  # match-line precharge + sense amplifier, per row segment
    e_mmr_fj: float = 5.0  # match-to-address per row
    e_sram_fj: float = 500.0  # one leaf read (32 bit)
    e_add_fj: float = 100.0  # one 32-bit addition
    # --- area assumptions, um2
    a_cell_um2: float = 0.5
    a_array_periphery_um2: float = 2000.0


def estimate(table, params: StageParams | None = None, *, searches_per_event: int = 1) -> AcamCost:
    """Per-stage latency / II / energy / area of ``table`` mapped onto X-TIME-style arrays."""
    p = params or StageParams()
    n_slices = -(-table.n_bits // CELL_BITS)
    cols = table.n_features * n_slices
    arrays_per_row = -(-cols // p.cells_per_array_row)
    row_groups = -(-table.n_rows // p.rows_per_array)
    n_arrays = arrays_per_row * row_groups
    adder_levels = max(1, math.ceil(math.log2(max(2, row_groups * 1))))  # row groups summed by a tree
    tree_levels = max(1, math.ceil(math.log2(max(2, table.n_trees))))
    cycles = {
        "driver": p.driver_cycles,
        "acam_search": p.search_cycles + (arrays_per_row - 1) * p.hop_cycles,
        "match_to_address": p.mmr_cycles,
        "sram_read": p.sram_cycles,
        "adder_tree": p.adder_cycles_per_level * max(adder_levels, tree_levels),
        "links": 4 * p.link_cycles,
    }
    total_cycles = sum(cycles.values())
    period_ns = 1000.0 / p.clock_mhz
    cells = n_arrays * p.rows_per_array * p.cells_per_array_row
    e = {
        "driver": p.e_dac_fj * arrays_per_row * p.cells_per_array_row * row_groups,
        "acam_search": p.e_cell_fj * cells + p.e_row_fj * n_arrays * p.rows_per_array,
        "match_to_address": p.e_mmr_fj * row_groups * p.rows_per_array,
        "sram_read": p.e_sram_fj * table.n_trees,
        "adder_tree": p.e_add_fj * table.n_trees,
    }
    e_search_nj = sum(e.values()) * 1e-6
    area = (cells * p.a_cell_um2 + n_arrays * p.a_array_periphery_um2) * 1e-6
    stages = {
        name: {"cycles": cycles.get(name, 0), "energy_fj": e.get(name, 0.0)} for name in (*cycles.keys(),)
    }
    stages["_mapping"] = {
        "cells_per_row": cols,
        "arrays_per_row": arrays_per_row,
        "row_groups": row_groups,
        "arrays": n_arrays,
        "assumed_energy_and_area": True,
    }
    return AcamCost(
        latency_ns=total_cycles * period_ns,
        throughput_mhz=p.clock_mhz,  # fully pipelined: one search per cycle
        energy_per_search_nj=e_search_nj,
        energy_per_event_nj=e_search_nj * searches_per_event,
        area_mm2=area,
        source="estimate:stages",
        stages=stages,
        notes="cycles/geometry: HPE X-TIME cycle_accurate/auto.json; energies and areas: order-of-magnitude assumptions",
    )
