"""Estimate an hls4ml block's latency and II from its layer topology, and flag II > BX spacing.

For designs that have not been synthesized. The input is a plain list of layer dicts, e.g.
``{"kind": "dense", "n_in": 57, "n_out": 32, "reuse_factor": 1}`` -- ``NNModel.describe()``
gives one per node of the graph in execution order, with ``inputs``/``output`` tensor names,
``io_type`` and ``strategy`` -- plus the score heads ``sum_sq`` and ``kl``; it depends on no
model class. Each layer kind's rule is its record's ``timing`` in the layer registry
(:mod:`firmware_models.nn.registry`, text in ``timing_rule``), so a new kind brings its own
rule; :func:`estimate_layers` gives the per-layer numbers (to compare with the instance rows
of a csynth report, :attr:`firmware_models.hls_report.HLSReport.instances`).

Every rule gives a layer's latency and II in cycles of the reference 5 ns clock, read from
real reports: the per-instance rows of the hls4ml tutorial jet tagger (16-64-32-32-5 dense,
Vivado HLS 2019.2, 5 ns: each ``dense_latency`` 1 cycle, each ``relu`` 0, ``softmax_stable``
4), hls4ml's own synthesis baselines (``test/pytest/baselines``: Conv2D io_parallel, depthwise
io_stream, pooling), and a public io_stream CNN (ML_FPGAonPixel, Vitis 2023.1); see each rule.

How the layers compose is hls4ml's pipeline style (``composition="auto"``, the rule of hls4ml
1.3.0 ``backends/vivado/passes/pipeline_style.py``: io_stream -> dataflow; a conv layer with
n_partitions != 1 or any Resource-strategy layer -> dataflow; otherwise pipeline):

- ``pipeline`` (``#pragma HLS PIPELINE`` on the top function): latency = 1 (input register) +
  the longest path through the graph of the layer latencies, plus 1 per layer with a
  multiplier array on it (dense, batchnorm, dot, multiply: the register HLS puts after it);
  II = the largest layer II (reuse factor);
- ``dataflow`` (io_parallel with ``#pragma HLS DATAFLOW``: each layer a process between
  ping-pong buffers): latency = the longest path of max(1, layer latency) (a process costs at
  least its handshake); II = the largest layer II;
- ``stream`` (io_stream: processes joined by FIFOs overlap): latency = the slowest process +
  1 cycle for each other process on the longest path; II = the slowest process's II + 1
  (ML_FPGAonPixel cnn_large: slowest process 303, 13 processes: top 313, II 304).

The longest path follows the ``inputs``/``output`` names (parallel heads and residual
branches overlap); layers without them form a chain. At another clock period P a
reference latency L (cycles of 5 ns) becomes ``ceil(L * 5 / P)`` cycles, at least 1: logic
that needed L registers at 5 ns fits in fewer, longer cycles (AXOL1TL: 2 ticks at 40 MHz).
Treat estimates as +-50 % until a report exists (:func:`estimate_error` compares one with a
report); ``tests/test_timing_reports.py`` lists every comparison and its error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction

from firmware_models.errors import ModelFormatError
from firmware_models.timing import BlockTiming

__all__ = ["RULES", "estimate_timing", "estimate_layers", "pipeline_style", "estimate_error", "check_ii_vs_bx",
           "BX_PERIOD_FS"]

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


def pipeline_style(layers: Sequence[Mapping], *, io_type: str | None = None) -> str:
    """hls4ml's 'auto' pipeline style for these layers: ``stream``, ``dataflow`` or ``pipeline``."""
    if io_type == "io_stream" or any(layer.get("io_type") == "io_stream" for layer in layers):
        return "stream"
    for layer in layers:
        if layer.get("kind") == "conv" and int(layer.get("n_partitions") or layer.get("pixels_out") or 1) != 1:
            return "dataflow"
        if str(layer.get("strategy", "latency")).lower() not in ("latency", "resource_unrolled"):
            return "dataflow"
    return "pipeline"


def estimate_layers(layers: Sequence[Mapping], *, io_type: str | None = None) -> list[dict]:
    """Per layer: ``{"name", "kind", "latency", "ii"}`` in cycles of the 5 ns reference clock (an io_stream
    model's layers are all timed as io_stream processes)."""
    stream = pipeline_style(layers, io_type=io_type) == "stream"
    out = []
    for i, layer in enumerate(layers):
        desc = {**layer, "io_type": "io_stream"} if stream else layer
        lat, ii = _layer_latency(desc, i)
        out.append({"name": layer.get("name", f"layer{i}"), "kind": layer.get("kind"), "latency": lat, "ii": ii})
    return out


def _longest_path(layers: Sequence[Mapping], costs: Sequence[int]) -> tuple[int, int]:
    """(sum of costs, number of layers) along the costliest path; layers without tensor names chain."""
    done: dict[str, tuple[int, int]] = {}
    best = (0, 0)
    prev = (0, 0)
    for layer, cost in zip(layers, costs):
        names = layer.get("inputs")
        if names is None or "output" not in layer:
            start = prev
        else:
            start = max((done.get(n, (0, 0)) for n in names), default=(0, 0))
        here = (start[0] + cost, start[1] + 1)
        if "output" in layer:
            done[layer["output"]] = here
        prev = here
        best = max(best, here)
    return best


def estimate_timing(layers: Sequence[Mapping], *, clock_mhz: float = 200.0, composition: str = "auto",
                    io_type: str | None = None, strategy: str = "latency", fifo_depth: int = 16,
                    overflow: str = "drop") -> BlockTiming:
    """Latency and II of an hls4ml block from its layers (see the module docstring for the rules).

    ``io_type`` / ``strategy``: the model-wide values for layers that do not give their own.
    """
    if composition not in ("auto", "pipeline", "dataflow", "stream"):
        msg = f"composition must be 'auto', 'pipeline', 'dataflow' or 'stream', got {composition!r}"
        raise ModelFormatError(msg)
    if io_type not in (None, "io_parallel", "io_stream"):
        msg = f"io_type must be 'io_parallel' or 'io_stream', got {io_type!r}"
        raise ModelFormatError(msg)
    if strategy.lower() not in ("latency", "resource", "resource_unrolled"):
        msg = f"strategy must be 'latency', 'resource' or 'resource_unrolled', got {strategy!r}"
        raise ModelFormatError(msg)
    if not layers:
        msg = "timing estimator needs at least one layer"
        raise ModelFormatError(msg)
    layers = [{"strategy": strategy, **layer} for layer in layers]
    style = pipeline_style(layers, io_type=io_type) if composition == "auto" else composition
    per_layer = estimate_layers(layers, io_type="io_stream" if style == "stream" else None)
    lats, iis = [p["latency"] for p in per_layer], [p["ii"] for p in per_layer]
    if style == "pipeline":
        reference = 1 + _longest_path(layers, [lat + int(_registered(layer)) for lat, layer in zip(lats, layers)])[0]
        ii = max(iis)
    elif style == "dataflow":
        reference, ii = _longest_path(layers, [max(1, lat) for lat in lats])[0], max(iis)
    else:
        reference = max(lats) + _longest_path(layers, [1] * len(layers))[1] - 1
        ii = max(iis) + 1
    period_ns = Fraction(1000) / Fraction(str(clock_mhz))
    cycles = max(1, math.ceil(reference * _REFERENCE_PERIOD_NS / period_ns))
    ii_cycles = max(1, math.ceil(ii * _REFERENCE_PERIOD_NS / period_ns))
    return BlockTiming(clock_mhz=clock_mhz, latency_cycles=cycles, ii_cycles=ii_cycles, fifo_depth=fifo_depth,
                       overflow=overflow, source=f"estimate:hls4ml-{style}-v2")


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
