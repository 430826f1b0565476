"""Estimate an hls4ml block's latency and II from its layer topology, and flag II > BX spacing.

For designs that have not been synthesized. Scope: hls4ml ``io_parallel`` with the
``Latency`` strategy (Vivado HLS). The input is a plain list of layer dicts, e.g.
``{"kind": "dense", "n_in": 57, "n_out": 32, "reuse_factor": 1}`` -- ``NNModel.describe()``
gives one per node of the graph in execution order -- plus the score heads ``sum_sq`` and
``kl``; it depends on no model class. Each layer kind's rule is its record's ``timing`` in
the layer registry (:mod:`firmware_models.nn.registry`, text in ``timing_rule``), so a new
kind brings its own rule.

The rules (:data:`RULES`) give each layer a latency in cycles at the reference
5 ns clock, taken from the per-instance rows of a real report (hls4ml tutorial
jet tagger 16-64-32-32-5, Vivado HLS 2019.2, xcu250, 5 ns: each ``dense_latency``
instance 1 cycle, each ``relu`` 0, ``softmax_stable`` 4), and compose them:

- ``pipeline`` (hls4ml's default top-level ``#pragma HLS PIPELINE``): latency =
  1 (input register) + sum over layers + 1 per layer with a multiplier array (dense,
  batchnorm, dot, multiply: the register HLS puts after it); II = the largest reuse factor;
- ``dataflow``: latency = sum of max(1, layer latency) (every process costs at
  least its start/done handshake); II = the largest reuse factor.

A dense layer with reuse factor R takes R cycles (its multipliers are used R
times; hls4ml pipelines the layer with II = R). At another clock period P the
reference latency L (cycles of 5 ns) becomes ``ceil(L * 5 / P)`` cycles, at least
1: logic that needed L registers at 5 ns fits in fewer, longer cycles (AXOL1TL:
2 ticks at 40 MHz).

The rules reproduce the jet-tagger report exactly (13 cycles, II 1) because they
were read from it: one calibration point. Treat estimates as +-50 % until a report
exists (:func:`estimate_error` compares an estimate with a report).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction

from firmware_models.errors import ModelFormatError
from firmware_models.timing import BlockTiming

__all__ = ["RULES", "estimate_timing", "estimate_error", "check_ii_vs_bx", "BX_PERIOD_FS"]

#: LHC bunch spacing in femtoseconds (same value as ``streams.clock.BX_PERIOD_FS``; repeated
#: here because firmware_models does not depend on streams).
BX_PERIOD_FS = 24_950_495

_REFERENCE_PERIOD_NS = Fraction(5)

#: Latency rules of what is not a layer kind: the score heads
_EXTRA_RULES: dict[str, str] = {
    "sum_sq": "1 + ceil(log2(n_in) / 3) cycles (squares, then an adder tree, 3 adds per 5 ns)",
    "kl": "2 + ceil(log2(n_in) / 3) cycles (exp table read, products, adder tree)",
}


class _Rules(Mapping):
    """kind -> rule text: every registered layer kind's ``timing_rule`` plus the score heads'."""

    def _d(self) -> dict[str, str]:
        from firmware_models.nn import registry

        return {**_EXTRA_RULES, **registry.timing_rules()}

    def __getitem__(self, key: str) -> str:
        return self._d()[key]

    def __iter__(self):
        return iter(self._d())

    def __len__(self) -> int:
        return len(self._d())


#: Latency in cycles of the 5 ns reference clock per kind (R = reuse factor), read from the layer registry
RULES: Mapping[str, str] = _Rules()


def _int_field(layer: Mapping, key: str, index: int, default: int | None = None) -> int:
    value = layer.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"layer {index} ({layer.get('kind')!r}): {key} must be a positive integer, got {value!r}"
        raise ModelFormatError(msg)
    return value


def _spec(kind):
    from firmware_models.nn import registry

    try:
        return registry.get(kind) if isinstance(kind, str) else None
    except registry.UnsupportedLayerError:
        return None


def _layer_latency(layer: Mapping, index: int) -> tuple[int, int]:
    """(reference-clock latency, II) of one layer."""
    kind = layer.get("kind")
    if kind in ("sum_sq", "kl"):
        n_in = _int_field(layer, "n_in", index)
        tree = math.ceil(math.log2(n_in) / 3) if n_in > 1 else 0
        return (1 if kind == "sum_sq" else 2) + tree, 1
    spec = _spec(kind)
    if spec is None:
        msg = f"layer {index}: unknown kind {kind!r}; the estimator knows {sorted(RULES)}"
        raise ModelFormatError(msg)
    if spec.extra.get("sized", kind == "dense"):
        _int_field(layer, "n_in", index)
        _int_field(layer, "n_out", index)
    return spec.timing(layer)


def _registered(layer: Mapping) -> bool:
    spec = _spec(layer.get("kind"))
    return spec is not None and bool(spec.extra.get("output_register"))


def estimate_timing(layers: Sequence[Mapping], *, clock_mhz: float = 200.0, composition: str = "pipeline",
                    io_type: str = "io_parallel", strategy: str = "latency", fifo_depth: int = 16,
                    overflow: str = "drop") -> BlockTiming:
    """Latency and II of an hls4ml block from its layers (see the module docstring for the rules)."""
    if io_type != "io_parallel" or strategy.lower() != "latency":
        msg = (f"timing estimator covers io_parallel with the Latency strategy only, got {io_type}/{strategy}; "
               "import a synthesis report (firmware_models.hls_report) or give latency/II in the config")
        raise ModelFormatError(msg)
    if composition not in ("pipeline", "dataflow"):
        msg = f"composition must be 'pipeline' or 'dataflow', got {composition!r}"
        raise ModelFormatError(msg)
    if not layers:
        msg = "timing estimator needs at least one layer"
        raise ModelFormatError(msg)
    streamed = [i for i, layer in enumerate(layers) if layer.get("io_type", io_type) != "io_parallel"]
    if streamed:  # e.g. LayerRecord.describe() of an io_stream project: FIFOs between layers, other timing
        msg = (f"layer {streamed[0]} is {layers[streamed[0]]['io_type']}; the timing estimator covers io_parallel "
               "only: import a synthesis report (firmware_models.hls_report) or give latency/II in the config")
        raise ModelFormatError(msg)
    per_layer = [_layer_latency(layer, i) for i, layer in enumerate(layers)]
    ii = max(layer_ii for _, layer_ii in per_layer)
    if composition == "pipeline":
        n_dense = sum(1 for layer in layers if _registered(layer))
        reference = 1 + sum(lat for lat, _ in per_layer) + n_dense
    else:
        reference = sum(max(1, lat) for lat, _ in per_layer)
    period_ns = Fraction(1000) / Fraction(str(clock_mhz))
    cycles = max(1, math.ceil(reference * _REFERENCE_PERIOD_NS / period_ns))
    ii_cycles = max(1, math.ceil(ii * _REFERENCE_PERIOD_NS / period_ns))
    return BlockTiming(clock_mhz=clock_mhz, latency_cycles=cycles, ii_cycles=ii_cycles, fifo_depth=fifo_depth,
                       overflow=overflow, source=f"estimate:hls4ml-{composition}-v1")


def estimate_error(estimate: BlockTiming, reference: BlockTiming) -> dict[str, float]:
    """Relative errors (estimate / reference - 1) of latency in ns and of II in ns."""
    return {
        "latency": estimate.latency_fs / reference.latency_fs - 1.0 if reference.latency_fs else float("nan"),
        "ii": estimate.ii_fs / reference.ii_fs - 1.0,
    }


def check_ii_vs_bx(timing: BlockTiming, *, bx_period_fs: int = BX_PERIOD_FS) -> str | None:
    """A warning text when the block cannot accept a new event every bunch crossing, else None."""
    if timing.ii_fs <= bx_period_fs:
        return None
    hint = ""
    if timing.ii_fs < bx_period_fs * 1.01:
        hint = (" (a block on the LHC clock runs at 40.0794 MHz, not 40 MHz: give that clock if it is synchronous"
                " with the bunch crossings)")
    return (
        f"II of {timing.ii_cycles} cycle(s) at {timing.clock_mhz:g} MHz = {timing.ii_fs / 1e6:.2f} ns exceeds the "
        f"{bx_period_fs / 1e6:.2f} ns bunch spacing (source: {timing.source}): the block cannot take every BX; "
        "events will queue in its FIFO and be dropped or back-pressured. Lower the reuse factor or raise the clock"
        f"{hint}."
    )
