"""Run a menu over a source: the map side, then the in-order sink.

The map side (:class:`triggeremu.chain.MapSide`: map stages, per-event seed bits,
summable counters) runs on any worker in any order. The sink sees batches in BX
order (the distributed transport restores it) and does only what needs that
order: scan stages, the timing sequencer (FIFOs, II, latency budget), prescales
(over the events where a seed fired), trigger rules, the rate sums and the
in-order Parquet writer. It keeps no per-event column (stage summaries read
merged value counts, see :mod:`triggeremu.counters`), so its memory does not grow
with the run. Every event that is not accepted or rejected is dropped with a
named reason (``nan_input``, ``input_anomaly:<kind>``, ``fifo_full:<stage>``,
``over_latency_budget``, ``trigger_rules``), and ``events_in == accepted +
rejected + dropped`` is checked at the end of every run.

``workers=0`` runs in this process as three threads joined by two-batch queues:
the source read (with the map side's object seeds), the rest of the map side, and
the sink (numba kernels and BLAS release the GIL, so they overlap on two cores). ``workers=N`` runs the source in its own
process, the map side on N worker processes over ZeroMQ on 127.0.0.1
(:func:`streams.transport.run_distributed`: heartbeats, re-dispatch of a dead
worker's batches, a bounded reorder buffer) and the sink here. Both give
identical per-event outputs.

Outputs are written under temporary names and renamed when the run completes. A
run that fails or is interrupted (Ctrl-C) after it started re-raises the error
with the summary of what was processed attached as ``err.run_summary``
(``"complete": false``, the reason, events read, events with results, events
never processed and their orbit ranges; :func:`run_summary_of` reads it); the
partial Parquet, which holds exactly the events with results, is kept as
``<name>.partial.parquet`` beside the requested path (:func:`partial_path`).
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from streams.clock import FillingScheme
from streams.schema import to_columns
from triggeremu._sequencer_kernels import STATUS_OVER_BUDGET
from triggeremu.chain import (
    BULKY_COLUMNS,
    FLAG_OFFLINE_FULL,
    SEED_BITS,
    Chain,
    MapSide,
    SinkNeeds,
    is_internal,
    map_worker,
    valid_mask,
)
from triggeremu.counters import ANOMALY_KINDS, Counters, ValueCounts
from triggeremu.decisions import Prescaler, SeedBits, unpack_bits
from triggeremu.errors import UserError
from triggeremu.menu import Menu, load_menu
from triggeremu.output import VETOED_BY_BUDGET, open_writer
from triggeremu.progress import Progress
from triggeremu.rates import RateCounter
from triggeremu.source_specs import with_generated_columns
from triggeremu.sources import open_source, source_items
from triggeremu.timeline import Timeline

__all__ = ["run", "RunResult", "run_summary_of", "partial_path", "max_message_bytes"]

#: batches queued between the in-process threads (memory: O(this), not O(events))
_QUEUE_BATCHES = 2


@dataclass
class RunResult:
    summary: dict[str, Any]
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    fixed_types: dict[str, str] = field(default_factory=dict)


def run_summary_of(err: BaseException) -> dict[str, Any] | None:
    """The partial run summary a failed or interrupted :func:`run` attached to its error."""
    return getattr(err, "run_summary", None)


def partial_path(out: str | Path) -> Path:
    """Where the Parquet of an incomplete run is kept: ``decisions.parquet`` ->
    ``decisions.partial.parquet``."""
    p = Path(out)
    return p.with_name(f"{p.stem}.partial{p.suffix or '.parquet'}")


def _temp_path(out: Path) -> Path:
    """Where a run writes ``out`` until it completes (the suffix kept: it names the format)."""
    return out.with_name(f".{out.stem}.tmp-{os.getpid()}{out.suffix}")


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
    heartbeat_s: float | None = None,
    peer_timeout_s: float | None = None,
    reorder_buffer_batches: int | None = None,
    stats: Any = None,
) -> RunResult:
    """Run ``menu`` (or the menu at ``menu_path``; the bundled default if neither) over a source spec.

    ``heartbeat_s``, ``peer_timeout_s`` and ``reorder_buffer_batches`` override the
    menu's ``[run]`` values (distributed runs); ``stats``, a
    :class:`streams.transport.TransportStats`, can be watched while a distributed run
    goes (its ``report()`` ends up in the summary as ``transport_stats``). A run that
    fails or is interrupted after it started re-raises the error with the partial
    summary attached (:func:`run_summary_of`)."""
    menu = menu if menu is not None else load_menu(menu_path)
    spec = dict(source_spec)
    spec.setdefault("scheme", menu.filling_scheme)
    if spec["kind"] == "root":
        for key, value in menu.root_options.items():
            spec.setdefault(key, value)  # the command line (e.g. --tree) wins over the menu
    scheme = FillingScheme.named(spec["scheme"])
    spec.setdefault("batch_events", menu.batch_orbits * scheme.n_colliding)
    hb = menu.heartbeat_s if heartbeat_s is None else float(heartbeat_s)
    pto = menu.peer_timeout_s if peer_timeout_s is None else float(peer_timeout_s)
    if not (hb > 0 and pto >= 2 * hb):
        msg = f"peer_timeout_s ({pto:g}) must be at least twice heartbeat_s ({hb:g}), both positive"
        raise UserError(msg)
    window = menu.reorder_buffer_batches if reorder_buffer_batches is None else int(reorder_buffer_batches)
    chain = Chain(menu)
    spec = with_generated_columns(spec, (c for st in chain.stages for c in st.requires()))
    source = open_source(spec)  # opened here too: validates input and gives n_events/layout
    layout = getattr(source, "layout", spec["kind"])
    layout_detail = getattr(source, "layout_detail", None)
    n_expected = int(getattr(source, "n_events", 0))
    out_path = Path(out) if out is not None else None
    tmp = _temp_path(out_path) if out_path is not None else None
    sink = _Sink(menu, chain, scheme, out=tmp, keep_columns=keep_columns)

    if workers > 0:
        from streams.transport import TransportStats

        stats = stats if stats is not None else TransportStats()
        if hasattr(source, "close"):
            source.close()  # the source process reads it; here it was opened to check it
        batches = _distributed(spec, menu, workers, transport, sink.needs(), stats,
                               heartbeat_s=hb, peer_timeout_s=pto, window=window,
                               max_message_bytes=max_message_bytes(int(spec["batch_events"])))
        reader = None
    else:
        stats = None
        reader = _InProcess(source, MapSide(menu, chain=chain))
        batches = reader.iterate()
    t0 = time.perf_counter()
    bar = Progress(n_expected, enabled=progress)
    t_first, n_first = None, 0
    failure: BaseException | None = None
    try:
        for cols, counters in batches:
            sink.consume(cols, counters)
            if stats is not None and sink.offline_full:
                stats.worker_flags |= FLAG_OFFLINE_FULL
            if t_first is None:  # start-up: imports, process spawn, JIT compilation on a first run
                t_first, n_first = time.perf_counter() - t0, sink.events_in
            bar.update(sink.events_in)
    except (Exception, KeyboardInterrupt) as err:  # noqa: BLE001 - every failure gets its summary
        failure = err
    finally:
        close = getattr(batches, "close", None)
        if close is not None:
            close()
        bar.close()
    wall = time.perf_counter() - t0
    summary = sink.finish(complete=failure is None) if failure is None else sink.finish_partial()
    summary.update(
        {
            "layout": layout,
            "layout_detail": layout_detail,
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
    summary.update(_read_accounting(summary, stats, reader, n_expected, sink))
    if stats is not None:
        summary["transport_stats"] = stats.report()
    if failure is None:
        summary["complete"] = True
        if tmp is not None and tmp.exists():
            os.replace(tmp, out_path)
        return RunResult(summary=summary, columns=sink.columns() if keep_columns else {},
                         fixed_types=chain.fixed_types)
    interrupted = isinstance(failure, KeyboardInterrupt)
    reason = "interrupted (Ctrl-C)" if interrupted else f"{type(failure).__name__}: {failure}"
    summary["complete"] = False
    summary["reason"] = reason
    if tmp is not None and tmp.exists():
        kept = partial_path(out_path)
        os.replace(tmp, kept)
        summary["partial_output"] = str(kept)
    failure.run_summary = summary
    failure.add_note(f"the run did not complete: {summary['events_with_results']} of {summary['events_read']} "
                     f"events read have results, {summary['events_never_processed']} were never processed")
    raise failure


def _read_accounting(summary, stats, reader, n_expected: int, sink: _Sink) -> dict[str, Any]:
    """events read / with results / never processed (with orbit ranges) / never read."""
    done = sink.events_in
    if stats is not None:
        read = stats.events_announced
        # batches go to the sink in event order: those before `done` events have results
        pending = [p for p in stats.undelivered if p["first_event"] >= done]
    else:
        read = reader.events_read if reader is not None else done
        pending = reader.pending_ranges(done) if reader is not None else []
    never = sum(p["n_events"] for p in pending)
    out = {
        "events_read": int(read),
        "events_with_results": int(done),
        "events_never_processed": int(never),
        "never_processed": pending,
        "events_never_read": max(int(n_expected) - int(read), 0) if n_expected else None,
    }
    return out


def max_message_bytes(batch_events: int) -> int:
    """The largest message a run accepts: 4 KiB per event of a batch (the 57-value L1
    input is 228 bytes, calorimeter cells 192), and at least 16 MiB."""
    return max(16 << 20, 4096 * batch_events + (1 << 20))


def _distributed(spec, menu: Menu, workers, transport, needs: SinkNeeds, stats, *, heartbeat_s, peer_timeout_s,
                 window, max_message_bytes) -> Iterator[tuple[dict[str, np.ndarray], Counters]]:
    from functools import partial

    from streams.transport import preload, run_distributed

    # what the workers import, once, in the fork server the children start from: a
    # worker is up in about a second instead of importing numba, pyarrow and onnx again
    # (children share those pages; each one's RSS still counts them)
    preload("numpy", "pyarrow", "zmq", "numba", "triggeremu.chain", "triggeremu.sources", "triggeremu.counters",
            "streams.synthetic", "streams.calo", "streams.root_source", "firmware_models.nn", "onnx")
    it = run_distributed(
        partial(_source_process_items, spec),
        partial(map_worker, menu.to_dict(), needs,  # the checked menu as data: workers never re-read a file
                threads=max(1, (os.cpu_count() or 1) // workers)),
        n_workers=workers,
        transport=transport,
        heartbeat_s=heartbeat_s,
        peer_timeout_s=peer_timeout_s,
        reorder_buffer_batches=window or None,
        max_message_bytes=max_message_bytes,
        stats=stats,
    )
    try:
        for batch in it:
            counters = Counters.from_metadata(batch.schema.metadata or {})
            yield to_columns(batch), counters
    finally:
        it.close()


def _source_process_items(spec: dict[str, Any]) -> Iterator[Any]:
    """The source process of a distributed run: the run opened this source already and showed its
    warnings, so opening it again here is quiet; later warnings are one line each."""
    import warnings

    from triggeremu.messages import in_child_process

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        items = source_items(spec)
        first = next(items, None)  # a generator opens its source on the first item
    in_child_process("source process")
    if first is not None:
        yield first
        yield from items


class _InProcess:
    """Three threads: source read -> map side -> the caller (the sink)."""

    def __init__(self, source, side: MapSide) -> None:
        self.source = source
        self.side = side
        self.events_read = 0
        # (first event, n, first orbit, last orbit) of the batches read and not yet consumed
        self._read: deque[tuple[int, int, int, int]] = deque()
        self._stop = threading.Event()

    def pending_ranges(self, done: int) -> list[dict[str, int]]:
        out = []
        for first, n, o0, o1 in list(self._read):  # the threads are joined by now
            if first + n > done:
                out.append({"first_event": first, "n_events": n, "first_orbit": o0, "last_orbit": o1})
        return out

    def _put(self, q: queue.Queue, item) -> bool:
        while not self._stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _reader(self, q: queue.Queue) -> None:
        try:
            for cols in self.source:
                n = len(cols["event"])
                if n:
                    self._read.append((int(cols["event"][0]), n, int(cols["orbit"][0]), int(cols["orbit"][-1])))
                self.events_read += n
                if not self._put(q, ("ok", self.side.prepare(cols))):
                    return
            self._put(q, ("end", None))
        except BaseException as err:  # noqa: BLE001 - handed to the caller's thread
            self._put(q, ("error", err))

    def _mapper(self, qin: queue.Queue, qout: queue.Queue) -> None:
        try:
            while not self._stop.is_set():
                try:
                    kind, item = qin.get(timeout=0.1)
                except queue.Empty:
                    continue
                if kind != "ok":
                    self._put(qout, (kind, item))
                    return
                if not self._put(qout, ("ok", self.side.finish(item))):
                    return
        except BaseException as err:  # noqa: BLE001 - handed to the caller's thread
            self._put(qout, ("error", err))

    def _consumed(self, done: int) -> None:
        while self._read and self._read[0][0] + self._read[0][1] <= done:
            self._read.popleft()

    def iterate(self) -> Iterator[tuple[dict[str, np.ndarray], Counters]]:
        q1: queue.Queue = queue.Queue(maxsize=_QUEUE_BATCHES)
        q2: queue.Queue = queue.Queue(maxsize=_QUEUE_BATCHES)
        threads = [threading.Thread(target=self._reader, args=(q1,), name="triggeremu-read", daemon=True),
                   threading.Thread(target=self._mapper, args=(q1, q2), name="triggeremu-map", daemon=True)]
        for t in threads:
            t.start()
        try:
            while True:
                try:
                    kind, item = q2.get(timeout=0.1)
                except queue.Empty:
                    continue
                if kind == "end":
                    return
                if kind == "error":
                    raise item
                yield item
                cols = item[0]
                if len(cols["event"]):  # the consumer came back for more: this batch is done
                    self._consumed(int(cols["event"][-1]) + 1)
        finally:
            self._stop.set()
            for t in threads:
                t.join(5.0)


class _Sink:
    """In-order consumer of mapped batches: scans, timing, decisions, accounting."""

    def __init__(self, menu: Menu, chain: Chain, scheme: FillingScheme, *, out, keep_columns: bool) -> None:
        self.menu, self.chain, self.scheme = menu, chain, scheme
        chain.reset()
        self.seeds = SeedBits(menu)
        self.rates = RateCounter(menu.seed_names)
        self.prescaler = Prescaler([s.prescale for s in menu.seeds])
        self.timeline = Timeline(menu, chain.stages)
        self.writer = open_writer(out, menu.seed_names, fixed_types=chain.fixed_types) if out else None
        self.keep = keep_columns
        self._kept: list[dict[str, np.ndarray]] = []
        self._offline = {st.name: _OfflineSample(st) for st in chain.stages if hasattr(st, "offline_report")}
        self.counters = Counters(len(menu.seeds))
        self.events_in = 0
        self.accepted = 0
        self.rejected = 0
        self.drops: dict[str, int] = {}

    def needs(self) -> SinkNeeds:
        """The columns this sink reads, for the workers of a distributed run."""
        cols = set()
        for st in self.chain.scan_stages:
            cols.update(st.requires())
        for st in self.chain.stages:
            cols.update(st.timing_columns().values())
        offline = sorted({c for s in self._offline.values() for c in s.columns})
        return SinkNeeds(keep_all=self.keep, write=self.writer is not None, columns=tuple(sorted(cols)),
                         offline=tuple(offline))

    @property
    def offline_full(self) -> bool:
        return all(s.full for s in self._offline.values())

    def consume(self, cols: dict[str, np.ndarray], counters: Counters) -> None:
        """One mapped batch, in BX order. The run's counts change only when it succeeds."""
        if self.chain.scan_stages:
            cols = self.chain.scan_columns(cols)
            for name in self.chain.stage_columns(cols, self.chain.scan_stages):
                counters.values[name] = ValueCounts.of(cols[name])
        n = len(cols["event"])
        drops: dict[str, int] = {}
        packed = cols[SEED_BITS]
        valid = valid_mask(cols, self.menu.drop_input_anomalies)
        if counters.deferred:  # column seeds on scan-stage outputs: evaluated here, after the scan
            extra = self.seeds.evaluate_packed(cols, only=counters.deferred)
            extra[~valid] = 0
            packed = packed | extra
            counters.seed_raw += _bit_counts(extra, self.seeds.n_seeds)
            counters.n_any_raw = int(np.count_nonzero(packed.any(axis=1)))
        drops["nan_input"] = int(np.count_nonzero(cols["bad_input"])) if "bad_input" in cols else 0
        if self.menu.drop_input_anomalies and "input_anomaly" in cols:
            drops.update(_anomaly_drops(cols))

        timing = self.timeline.feed(cols, valid)  # per-event loss reasons from FIFOs/budget
        alive = valid & ~timing.lost
        for reason, count in timing.loss_counts.items():
            drops[reason] = drops.get(reason, 0) + int(count)

        k = self.seeds.n_seeds
        fired_any = (packed[:, 0] != 0) if packed.shape[1] == 1 else packed.any(axis=1)
        rows = np.flatnonzero(fired_any & alive)
        pre_rows = self.prescaler.apply(unpack_bits(packed[rows], k))
        req_rows = pre_rows.any(axis=1)
        request = np.zeros(n, dtype=bool)
        request[rows] = req_rows
        vetoed_by = self.timeline.apply_trigger_rules(cols, request)
        vetoed = vetoed_by != 0
        accepted = request & ~vetoed
        drops["trigger_rules"] = int(vetoed.sum())
        self.rates.add_counts(counters.n_valid, counters.seed_raw, counters.n_any_raw)
        self.rates.add_fired(pre_rows[req_rows], accepted[rows][req_rows])

        table = kept = None
        if self.writer is not None or self.keep:
            raw = unpack_bits(packed, k)
            prescaled = np.zeros((n, k), dtype=bool)
            prescaled[rows] = pre_rows
            decision = {"accepted": accepted, "lost": ~alive, "l1a_requested": request,
                        "vetoed_by": _vetoed_by(vetoed_by, fired_any & valid, timing.columns), **timing.columns}
            outputs = {c: v for c, v in cols.items() if c not in BULKY_COLUMNS and not is_internal(c)}
            if self.writer is not None:
                table = self.writer.table(outputs, raw, prescaled, decision)
            if self.keep:
                kept = {c: v for c, v in cols.items() if not is_internal(c)}
                kept = {**kept, **decision, "seed_bits": raw, "seed_bits_prescaled": prescaled}
        with _deferred_sigint():  # the batch is done: write and count it, all or nothing
            self._commit(cols, valid, counters, table, kept, n, accepted, alive, req_rows, drops)

    def _commit(self, cols, valid, counters, table, kept, n, accepted, alive, req_rows, drops) -> None:
        if table is not None:
            self.writer.write_table(table)
        if kept is not None:
            self._kept.append(kept)
        for sample in self._offline.values():
            sample.add(cols, valid)
        self.counters.add(counters)
        self.events_in += n
        self.accepted += int(accepted.sum())
        self.rejected += int(alive.sum()) - int(req_rows.sum())
        for reason, count in drops.items():
            if count:
                self.drops[reason] = self.drops.get(reason, 0) + count

    def columns(self) -> dict[str, np.ndarray]:
        return _concat(self._kept)

    def finish_partial(self) -> dict[str, Any]:
        try:
            return self.finish(complete=False)
        except Exception as err:  # noqa: BLE001 - a partial summary is best effort past the counts
            summary = self._counts()
            summary["summary_error"] = f"{type(err).__name__}: {err}"
            return summary

    def _counts(self) -> dict[str, Any]:
        dropped = sum(self.drops.values())
        return {
            "events_in": self.events_in,
            "events_accepted": self.accepted,
            "events_rejected": self.rejected,
            "events_dropped": dropped,
            "drop_reasons": dict(sorted(self.drops.items())),
            "filling_scheme": self.scheme.name,
            "colliding_bunches": self.scheme.n_colliding,
            "l1a_budget_khz": self.menu.l1a_budget_khz,
        }

    def finish(self, *, complete: bool = True) -> dict[str, Any]:
        if self.writer is not None:
            self.writer.close()
        summary = self._counts()
        dropped = summary["events_dropped"]
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
        summary["input_anomalies"] = {**self.counters.anomaly_table(),
                                      "dropped": bool(self.menu.drop_input_anomalies)}
        summary.update(self.timeline.summary())
        stage_cols = {name: vc.merged() for name, vc in self.counters.values.items()}
        summary["stage_reports"] = {st.name: st.summary(stage_cols) for st in self.chain.stages}
        for name, sample in self._offline.items():
            summary["stage_reports"][name]["offline"] = sample.report()
        return summary


@contextlib.contextmanager
def _deferred_sigint():
    """Hold a Ctrl-C that arrives inside the block until its end (main thread only), so
    a batch is either written and counted or neither."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pending.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if pending:
        raise KeyboardInterrupt


def _vetoed_by(by_rule: np.ndarray, fired: np.ndarray, timing: dict[str, np.ndarray]) -> np.ndarray:
    """The per-event ``vetoed_by`` column: 0 = not vetoed, r + 1 = its L1A request was vetoed by
    trigger rule r (the menu's order), 255 = a seed fired but the decision came after the latency
    budget (the event is dropped as ``over_latency_budget`` and requests nothing)."""
    out = by_rule.copy()
    if "seq_status" in timing:
        out[fired & (timing["seq_status"] == STATUS_OVER_BUDGET)] = VETOED_BY_BUDGET
    return out


def _anomaly_drops(cols: dict[str, np.ndarray]) -> dict[str, int]:
    """Events dropped for an input anomaly (the first kind set names the reason); events
    already dropped for NaN/inf input are not counted twice."""
    flags = cols["input_anomaly"]
    left = flags != 0
    if "bad_input" in cols:
        left &= cols["bad_input"] == 0
    out = {}
    for b, kind in enumerate(ANOMALY_KINDS):
        hit = left & ((flags & np.uint8(1 << b)) != 0)
        out[f"input_anomaly:{kind}"] = int(np.count_nonzero(hit))
        left &= ~hit
    return out


def _bit_counts(packed: np.ndarray, k: int) -> np.ndarray:
    return np.array([np.count_nonzero(packed[:, j >> 3] & np.uint8(1 << (j & 7))) for j in range(k)],
                    dtype=np.int64)


OFFLINE_SAMPLE_EVENTS = 50_000


class _OfflineSample:
    """The first valid events' columns an off-detector step reads (bounded memory, copied)."""

    def __init__(self, stage) -> None:
        self.stage = stage
        self.columns = stage.offline_columns()
        self.parts: list[dict[str, np.ndarray]] = []
        self.n = 0

    @property
    def full(self) -> bool:
        return self.n >= OFFLINE_SAMPLE_EVENTS

    def add(self, cols: dict[str, np.ndarray], valid: np.ndarray) -> None:
        room = OFFLINE_SAMPLE_EVENTS - self.n
        if room <= 0:
            return
        idx = np.flatnonzero(valid)[:room]
        self.parts.append({c: cols[c][idx] for c in self.columns if c in cols})  # fancy index: a copy
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
