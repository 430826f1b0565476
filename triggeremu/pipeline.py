"""Run a menu over a source: map stages, then the in-order sink.

The sink sees batches in BX order (the distributed transport restores it) and
does everything that is stateful in time: scan stages, the timing sequencer
(FIFOs, II, latency budget), seed decisions and prescales, trigger rules, and
the accounting that makes ``events_in == accepted + rejected + dropped`` hold
for every run. Every event that is not accepted or rejected is dropped with a
named reason (``nan_input``, ``fifo_full:<stage>``, ``over_latency_budget``,
``trigger_rules``).

``workers=0`` runs everything in this process; ``workers=N`` runs the source
in its own process, the map stages on N worker processes over ZeroMQ on
127.0.0.1 (:func:`streams.transport.run_distributed`) and the sink here. Both
give identical per-event outputs.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from streams.clock import FillingScheme
from streams.schema import from_columns, to_columns
from triggeremu.chain import Chain, map_worker
from triggeremu.decisions import Prescaler, seed_bits
from triggeremu.menu import Menu, load_menu
from triggeremu.output import open_writer
from triggeremu.progress import Progress
from triggeremu.rates import RateCounter
from triggeremu.timeline import Timeline
from triggeremu.sources import open_source

__all__ = ["run", "RunResult"]


@dataclass
class RunResult:
    summary: dict[str, Any]
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    fixed_types: dict[str, str] = field(default_factory=dict)


def _distributed_batches(spec, menu: Menu, workers, transport) -> Iterator[dict[str, np.ndarray]]:
    from streams.transport import run_distributed

    for batch in run_distributed(
        partial(_source_process_batches, spec),
        partial(map_worker, menu.to_dict()),  # the checked menu as data: workers never re-read a file
        n_workers=workers,
        transport=transport,
    ):
        yield to_columns(batch)


def _source_process_batches(spec: dict[str, Any]) -> Iterator[Any]:
    """The source process of a distributed run: the run opened this source already and showed its
    warnings, so opening it again here is quiet; later warnings are one line each."""
    import warnings

    from triggeremu.messages import in_child_process

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = open_source(spec)
    in_child_process("source process")
    for cols in source:
        yield from_columns(cols)


def _local_batches(source: Iterable[dict[str, np.ndarray]], chain: Chain) -> Iterator[dict[str, np.ndarray]]:
    for cols in source:
        yield chain.map_columns(cols)


def run(
    source_spec: dict[str, Any],
    *,
    menu_path: str | Path | None = None,
    menu: Menu | None = None,
    workers: int = 0,
    transport: str = "ipc",
    out: str | Path | None = None,
    keep_columns: bool = False,
    progress: bool = False,
) -> RunResult:
    """Run ``menu`` (or the menu at ``menu_path``; the bundled default if neither) over a source spec."""
    menu = menu if menu is not None else load_menu(menu_path)
    spec = dict(source_spec)
    spec.setdefault("scheme", menu.filling_scheme)
    if spec["kind"] == "root":
        for key, value in menu.root_options.items():
            spec.setdefault(key, value)  # the command line (e.g. --tree) wins over the menu
    scheme = FillingScheme.named(spec["scheme"])
    spec.setdefault("batch_events", menu.batch_orbits * scheme.n_colliding)
    chain = Chain(menu)
    source = open_source(spec)  # opened here too: validates input and gives n_events/layout
    layout = getattr(source, "layout", spec["kind"])
    n_expected = int(getattr(source, "n_events", 0))

    t0 = time.perf_counter()
    if workers > 0:
        batches = _distributed_batches(spec, menu, workers, transport)
    else:
        batches = _local_batches(source, chain)
    sink = _Sink(menu, chain, scheme, out=out, keep_columns=keep_columns)
    bar = Progress(n_expected, enabled=progress)
    t_first, n_first = None, 0
    for cols in batches:
        sink.consume(cols)
        if t_first is None:  # start-up: imports, process spawn, JIT compilation on a first run
            t_first, n_first = time.perf_counter() - t0, sink.events_in
        bar.update(sink.events_in)
    bar.close()
    wall = time.perf_counter() - t0
    summary = sink.finish()
    summary.update(
        {
            "layout": layout,
            "layout_detail": getattr(source, "layout_detail", None),
            "source": {k: (str(v) if isinstance(v, Path) else v) for k, v in spec.items()},
            "workers": workers,
            "transport": transport if workers else "in-process",
            "menu": menu.source,
            "wall_s": wall,
            "throughput_events_per_s": summary["events_in"] / wall if wall > 0 else 0.0,
            "first_batch_s": t_first or 0.0,
            "steady_throughput_events_per_s": (
                (summary["events_in"] - n_first) / (wall - t_first)
                if t_first is not None and wall > t_first and summary["events_in"] > n_first else None
            ),
        }
    )
    return RunResult(summary=summary, columns=sink.columns() if keep_columns else {}, fixed_types=chain.fixed_types)


class _Sink:
    """In-order consumer of mapped batches: scans, timing, decisions, accounting."""

    def __init__(self, menu: Menu, chain: Chain, scheme: FillingScheme, *, out, keep_columns: bool) -> None:
        self.menu, self.chain, self.scheme = menu, chain, scheme
        chain.reset()
        self.rates = RateCounter(menu.seed_names)
        self.prescaler = Prescaler([s.prescale for s in menu.seeds])
        self.timeline = Timeline(menu, chain.stages)
        self.writer = open_writer(out, menu.seed_names, fixed_types=chain.fixed_types) if out else None
        self.keep = keep_columns
        self._kept: list[dict[str, np.ndarray]] = []
        self._stage_cols: list[dict[str, np.ndarray]] = []
        self._offline = {st.name: _OfflineSample(st) for st in chain.stages if hasattr(st, "offline_report")}
        self.events_in = 0
        self.accepted = 0
        self.rejected = 0
        self.drops: dict[str, int] = {}

    def _drop(self, reason: str, n: int) -> None:
        if n:
            self.drops[reason] = self.drops.get(reason, 0) + int(n)

    def consume(self, cols: dict[str, np.ndarray]) -> None:
        cols = self.chain.scan_columns(cols)
        n = len(cols["event"])
        self.events_in += n
        valid = cols["bad_input"] == 0 if "bad_input" in cols else np.ones(n, dtype=bool)
        self._drop("nan_input", n - int(valid.sum()))

        timing = self.timeline.feed(cols, valid)  # per-event loss reasons from FIFOs/budget
        alive = valid & ~timing.lost
        for reason, count in timing.loss_counts.items():
            self._drop(reason, count)

        raw = seed_bits(cols, self.menu) & valid[:, None]
        prescaled = self.prescaler.apply(raw & alive[:, None])
        request = prescaled.any(axis=1)
        vetoed = self.timeline.apply_trigger_rules(cols, request)
        accepted = request & ~vetoed
        self._drop("trigger_rules", int(vetoed.sum()))
        self.accepted += int(accepted.sum())
        self.rejected += int((alive & ~request).sum())
        self.rates.add(raw[valid], prescaled[valid], accepted[valid])

        outputs = {k: v for k, v in cols.items() if k not in ("l1_inputs", "calo_cells")}
        decision = {"accepted": accepted, "lost": ~alive, **timing.columns}
        if self.writer is not None:
            self.writer.write(outputs, raw, prescaled, decision)
        # scalar outputs of every event for Stage.summary; vectors (e.g. 13 link words per
        # event) keep only their row count, so memory stays small on long runs
        self._stage_cols.append({k: (v if v.ndim == 1 else v[:, :0]) for k, v in cols.items()
                                 if self._is_stage_column(k)})
        for sample in self._offline.values():
            sample.add(cols, valid)
        if self.keep:
            self._kept.append({**cols, **decision, "seed_bits": raw, "seed_bits_prescaled": prescaled})

    def _is_stage_column(self, name: str) -> bool:
        return any(name.startswith(f"{st.name}_") for st in self.chain.stages)

    def columns(self) -> dict[str, np.ndarray]:
        return _concat(self._kept)

    def finish(self) -> dict[str, Any]:
        if self.writer is not None:
            self.writer.close()
        dropped = sum(self.drops.values())
        summary: dict[str, Any] = {
            "events_in": self.events_in,
            "events_accepted": self.accepted,
            "events_rejected": self.rejected,
            "events_dropped": dropped,
            "drop_reasons": dict(sorted(self.drops.items())),
            "filling_scheme": self.scheme.name,
            "colliding_bunches": self.scheme.n_colliding,
            "l1a_budget_khz": self.menu.l1a_budget_khz,
        }
        if self.events_in != self.accepted + self.rejected + dropped:
            msg = (
                f"event accounting broken: in={self.events_in} accepted={self.accepted} "
                f"rejected={self.rejected} dropped={dropped}"
            )
            raise RuntimeError(msg)
        summary.update(self.rates.table(self.scheme.n_colliding))
        summary["over_l1a_budget"] = summary["total_rate_khz"] > self.menu.l1a_budget_khz
        summary["seed_definitions"] = {s.name: {"definition": s.describe(), "prescale": s.prescale}
                                       for s in self.menu.seeds}
        summary.update(self.timeline.summary())
        stage_cols = _concat(self._stage_cols)
        summary["stage_reports"] = {st.name: st.summary(stage_cols) for st in self.chain.stages}
        for name, sample in self._offline.items():
            summary["stage_reports"][name]["offline"] = sample.report()
        return summary


OFFLINE_SAMPLE_EVENTS = 50_000


class _OfflineSample:
    """The first valid events' columns an off-detector step reads (bounded memory)."""

    def __init__(self, stage) -> None:
        self.stage = stage
        self.columns = stage.offline_columns()
        self.parts: list[dict[str, np.ndarray]] = []
        self.n = 0

    def add(self, cols: dict[str, np.ndarray], valid: np.ndarray) -> None:
        room = OFFLINE_SAMPLE_EVENTS - self.n
        if room <= 0:
            return
        idx = np.flatnonzero(valid)[:room]
        self.parts.append({c: cols[c][idx] for c in self.columns if c in cols})
        self.n += idx.size

    def report(self) -> dict[str, Any]:
        if self.n < 2:
            return {"skipped": f"only {self.n} valid event(s); the off-detector step needs at least 2"}
        return {"events_sampled": self.n, **self.stage.offline_report(_concat(self.parts))}


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    if not parts:
        return {}
    keys = parts[0].keys()
    return {k: np.concatenate([p[k] for p in parts]) for k in keys}
