"""The ``acam`` stage: on-detector compression of ``calo_cells`` by a tabularized BDT on an analog CAM.

Configuration (a ``[[stages]]`` table)::

    [[stages]]
    kind = "acam"
    name = "acam"               # output columns are prefixed with it
    table = "path/to/bundle"    # a tabular-VAE bundle directory (default: the shipped one,
                                # triggeremu/data/tabvae) or a table .npz saved with acam.save
    mantissa_bits = 12          # only for a bare .npz: the input code (see cell_codes)
    mode = "ideal"              # "ideal" | "nested" | "physical"
    sigma = 0.0                 # physical mode: per-cell threshold spread, in 4-bit cell LSB
    seed = 0                    # physical mode: the seed of the (static) variation
    multi_match = "sum"         # physical mode: "sum" | "first"
    timing = "preset"           # "preset" (published figures) | "stages" (per-stage estimate)
    preset = "seed-2026"        # "seed-2026" | "arxiv-v1"
    fifo_depth = 16
    overflow = "drop"           # "drop" | "backpressure"

Outputs per event: ``<name>_latent`` (N, n_outputs) int64 raw mantissas of the
table's leaf type (:meth:`AcamStage.fixed_types`); in physical mode also
``<name>_dev`` (N,) uint8, a bitmask of the latent dimensions whose value
differs from ideal mode. The summary gives energy per event and in total (nJ),
area, latency, throughput and, in physical mode, the deviation counters and the
per-tree match statistics of the events this process evaluated.

Input code (the same function the training script uses): cell counts (22-bit)
become ``n_bits`` unsigned codes by :func:`cell_codes`, a monotone
floating-point code with ``mantissa_bits`` of mantissa, exact below
``2**mantissa_bits`` counts. Decompression of the latent is
:mod:`triggeremu.decompress`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from firmware_models import acam
from firmware_models.errors import ModelError
from firmware_models.timing import BlockTiming
from streams.schema import N_CALO_CELLS
from triggeremu.decompress import DEFAULT_BUNDLE_DIR, decompress_report, load_bundle
from triggeremu.errors import ConfigError
from triggeremu.schema import FIFO_KEYS, STAGE_KEYS, Choice, Float, Int, Key, PathValue, Section

__all__ = ["cell_codes", "AcamStage", "make", "SCHEMA", "OUTPUTS"]

SCHEMA = Section(
    '[[stages]] kind = "acam"',
    (
        *STAGE_KEYS,
        Key("table", PathValue("file_or_dir"), "a tabular-VAE bundle directory or a table .npz (acam.save)",
            default_doc="the bundled tabular VAE, triggeremu/data/tabvae"),
        Key("mantissa_bits", Int(min=1, max=31, unit="bits", example=12),
            "mantissa of the cell input code (cell_codes); a bare .npz needs it", default_doc="the bundle's"),
        Key("mode", Choice(("ideal", "nested", "physical")),
            "ideal interval match, 4-bit nested slices, or physical cells with threshold spread", default="ideal"),
        Key("sigma", Float(min=0, unit="cell LSB", example=0.3),
            "physical mode: per-cell threshold spread", default=0.0),
        Key("seed", Int(min=0, example=0), "physical mode: seed of the static variation", default=0),
        Key("multi_match", Choice(("sum", "first")), "physical mode: several matching rows in a tree are summed, "
            "or the first is taken", default="sum"),
        Key("timing", Choice(("preset", "stages")), "published figures (preset) or the per-stage estimate",
            default="preset"),
        Key("preset", Choice(tuple(acam.timing.PRESETS)), "which published figures", default="seed-2026"),
        *FIFO_KEYS,
    ),
    doc="On-detector compression of `calo_cells` by a tabularized tree ensemble on an analog CAM (map stage). "
        "Writes `<name>_latent` (raw leaf-type integers per latent dimension) and, in physical mode, `<name>_dev`.",
)

#: suffixes of the columns the stage writes (``<name>_latent``, ``<name>_dev``)
OUTPUTS = ("latent", "dev")


def cell_codes(cells: np.ndarray, *, mantissa_bits: int = 12, n_bits: int = 16) -> np.ndarray:
    """Monotone floating-point code of non-negative integer counts, int64 in [0, 2**n_bits).

    ``x < 2**M``: code = x (exact). Otherwise with ``e = bit_length(x) - M``:
    code = ``(e - 1) * 2**M + (x >> (e - 1))`` -- an exponent and the M bits below
    the leading one (the leading one is implicit, so the code is continuous at each
    power of two). Codes saturate at ``2**n_bits - 1`` (for M = 12, n = 16: above
    ``2**27 - 1`` counts, far beyond the 22-bit cells).
    """
    x = np.asarray(cells)
    if not np.issubdtype(x.dtype, np.integer):
        msg = f"calo_cells must hold integer ADC counts, got dtype {x.dtype}"
        raise ConfigError(msg)
    x = x.astype(np.int64)
    if x.size and x.min() < 0:
        msg = "calo_cells must be non-negative ADC counts; found negative values"
        raise ConfigError(msg)
    m = int(mantissa_bits)
    bitlen = np.frexp(x.astype(np.float64))[1].astype(np.int64)  # exact for x < 2**53
    e = np.maximum(bitlen - m, 1)
    code = np.where(x < (1 << m), x, ((e - 1) << m) + (x >> (e - 1)))
    return np.minimum(code, (1 << n_bits) - 1)


class AcamStage:
    """A map stage running an :class:`firmware_models.acam.AcamTable` on encoded calorimeter cells."""

    sequential = False

    def __init__(
        self,
        name: str,
        table: acam.AcamTable,
        *,
        mantissa_bits: int,
        mode: str = "ideal",
        sigma: float = 0.0,
        seed: int = 0,
        multi_match: str = "sum",
        cost: acam.timing.AcamCost,
        fifo_depth: int = 16,
        overflow: str = "drop",
        source: str = "",
    ) -> None:
        if table.n_features != N_CALO_CELLS:
            msg = f"stage {name!r}: the ACAM table has {table.n_features} features, calo_cells has {N_CALO_CELLS}"
            raise ConfigError(msg)
        self.name = name
        self.table = table
        self.mantissa_bits = int(mantissa_bits)
        self.mode, self.sigma, self.seed, self.multi_match = mode, float(sigma), int(seed), multi_match
        self.cost = cost
        self._timing = cost.block_timing(fifo_depth=int(fifo_depth), overflow=overflow)
        self.source = source
        self._check_codes_fit()
        self.reset()

    def _check_codes_fit(self) -> None:
        # codes above 2**n_bits - 1 saturate (documented in cell_codes); the mantissa must leave room
        if self.mantissa_bits < 1 or self.mantissa_bits >= self.table.n_bits:
            msg = f"stage {self.name!r}: mantissa_bits must be in 1..{self.table.n_bits - 1}, got {self.mantissa_bits}"
            raise ConfigError(msg)

    # --------------------------------------------------------------- contract
    def requires(self) -> tuple[str, ...]:
        return ("calo_cells",)

    def encode(self, cells: np.ndarray) -> np.ndarray:
        """The table's integer inputs for ``calo_cells`` (as in training)."""
        return cell_codes(cells, mantissa_bits=self.mantissa_bits, n_bits=self.table.n_bits)

    def process(self, cols) -> dict[str, np.ndarray]:
        cells = np.asarray(cols["calo_cells"])
        if cells.ndim != 2 or cells.shape[1] != N_CALO_CELLS:
            msg = f"stage {self.name!r}: calo_cells must be (N, {N_CALO_CELLS}), got {cells.shape}"
            raise ConfigError(msg)
        codes = self.encode(cells)
        raw = self.table.predict_raw(codes, self.mode, sigma=self.sigma, seed=self.seed, multi_match=self.multi_match)
        out = {f"{self.name}_latent": raw}
        if self.mode == "physical":
            stats = self.table.stats
            ideal = self.table.predict_raw(codes, "ideal")
            bits = (raw != ideal).astype(np.uint8) << np.arange(raw.shape[1], dtype=np.uint8)
            out[f"{self.name}_dev"] = np.bitwise_or.reduce(bits, axis=1).astype(np.uint8)
            if stats is not None:
                if self._stats is None:
                    self._stats = stats
                else:
                    self._stats += stats
        return out

    def fixed_types(self) -> dict[str, str]:
        return {f"{self.name}_latent": str(self.table.leaf_type)}

    def timing(self) -> BlockTiming:
        return self._timing

    def timing_columns(self) -> dict[str, str]:
        return {}

    def reset(self) -> None:
        self._stats = None

    #: the tabular-VAE bundle (with its decoder) the table came from; None for a bare table
    bundle_dir: Path | None = None

    def offline_columns(self) -> tuple[str, ...]:
        """Columns the off-detector decompression step reads (a sample of events)."""
        return ("calo_cells", "bad_input", f"{self.name}_latent")

    def offline_report(self, sample: dict[str, np.ndarray]) -> dict[str, Any]:
        """Off-detector decompression: decode the latents with the bundle's decoder
        (onnxruntime) and report reconstruction quality and mu-vs-ACAM correlation."""
        if self.bundle_dir is None:
            return {"skipped": "a bare table has no decoder; give the stage a bundle directory"}
        return decompress_report(sample, self.bundle_dir, stage=self.name)

    def summary(self, cols) -> dict[str, Any]:
        col = f"{self.name}_latent"
        n = len(cols[col]) if col in cols else 0
        rep: dict[str, Any] = {
            "table": self.source,
            "table_summary": self.table.summary(),
            "mode": self.mode,
            "events": n,
            "energy_per_event_nj": self.cost.energy_per_event_nj,
            "energy_total_nj": self.cost.energy_per_event_nj * n,
            "area_mm2": self.cost.area_mm2,
            "latency_ns": self.cost.latency_ns,
            "throughput_mhz": self.cost.throughput_mhz,
            "cost_source": self.cost.source,
            "timing": self._timing.to_dict(),
        }
        if self.mode == "physical":
            dev = cols.get(f"{self.name}_dev", np.zeros(0, dtype=np.uint8))
            if hasattr(dev, "bit_counts"):  # merged value counts from a run's sink (triggeremu.counters)
                per_dim, n_dev = dev.bit_counts(self.table.n_classes), dev.count_nonzero()
            else:
                dev = np.asarray(dev)
                per_dim = [int(((dev >> k) & 1).sum()) for k in range(self.table.n_classes)]
                n_dev = int((dev != 0).sum())
            rep["physical"] = {
                "sigma": self.sigma,
                "seed": self.seed,
                "multi_match": self.multi_match,
                "events_deviating": n_dev,
                "deviations_per_dim": per_dim,
                "match_stats_this_process": None if self._stats is None else self._stats.totals(),
            }
        return rep


def make(config: dict[str, Any], *, base_dir: Path) -> AcamStage:
    """Build the stage from its checked ``[[stages]]`` table (see :data:`SCHEMA`)."""
    name = str(config["name"])
    where = Path(config["table"]) if "table" in config else DEFAULT_BUNDLE_DIR
    try:
        if where.is_dir():
            bundle = load_bundle(where)
            table = acam.load(bundle.path("table"))
            mantissa_bits = int(config.get("mantissa_bits", bundle.input_code["mantissa_bits"]))
        else:
            if "mantissa_bits" not in config:
                msg = f"stage {name!r}: a bare table file {str(where)!r} needs mantissa_bits (the input code)"
                raise ConfigError(msg)
            table = acam.load(where)
            mantissa_bits = int(config["mantissa_bits"])
        cost = acam.timing.preset(config["preset"]) if config["timing"] == "preset" else acam.timing.estimate(table)
    except ModelError as err:
        msg = f"stage {name!r}: cannot load the ACAM table {str(where)!r}: {err}"
        raise ConfigError(msg) from err
    stage = AcamStage(
        name,
        table,
        mantissa_bits=mantissa_bits,
        mode=config["mode"],
        sigma=config["sigma"],
        seed=config["seed"],
        multi_match=config["multi_match"],
        cost=cost,
        fifo_depth=config["fifo_depth"],
        overflow=config["overflow"],
        source=str(where),
    )
    stage.bundle_dir = where if where.is_dir() else None
    return stage
