"""The sequencer: the timing scan of a chain of blocks, in BX order, exact in integer time.

Core idea 2 of the design: the functional stages run per event on any worker;
everything stateful in time is this ordered scan over per-event numbers, run in
the sink. For every stage (a :class:`~firmware_models.timing.BlockTiming`: clock,
latency, II, input FIFO depth, overflow policy) and every event:

- arrival: the event's BX time (:func:`streams.clock.bx_time_fs`) at the first
  stage, the hand-over time of the previous stage after that;
- start = the first clock edge >= max(arrival, previous start + II) at which the
  stage is not blocked; completion = start + latency (in order: never before the
  previous event left); the event waits in the input FIFO from its entry edge to
  its start;
- a full FIFO either drops the event (policy ``drop``; reason
  ``fifo_full:<stage>``) or, under ``backpressure``, holds it in the upstream
  stage's output until a slot frees, and the upstream starts nothing new meanwhile
  (blocking after service), so back-pressure propagates upstream stage by stage. At
  the first stage nothing can wait (the beam does not stop): the event is dropped;
- per event: latency = last completion - BX time; beyond the latency budget the
  event is lost (reason ``over_latency_budget``).

Per-event latency or II may come from columns written by the stages (data-dependent
timing, e.g. an ECON-T packet size); see :meth:`Stage.timing_columns
<triggeremu.stages.base.Stage.timing_columns>`. The exact rules, with their
tie-breaks, are in :mod:`triggeremu._sequencer_kernels` (the numba scan) and
:mod:`triggeremu.sequencer_reference` (the cycle-level twin that checks it).

:class:`Sequencer` carries all state across batches (``feed`` then ``finish``);
:func:`sequence` is the one-shot form; :func:`triggeremu.order.restore_order` puts shuffled worker
outputs back in BX order and reports gaps; :func:`timing_summary` gives the run
summary keys ``deadtime_fraction``, ``events_over_budget``, ``stages`` and
``latency_ns``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from firmware_models.timing import BlockTiming
from streams.clock import BX_PER_ORBIT, BX_PERIOD_FS, FS_PER_NS
from streams.errors import StreamIntegrityError
from triggeremu import _sequencer_kernels as _k
from triggeremu.errors import ConfigError

__all__ = [
    "SequencerStage",
    "Sequencer",
    "TimingResult",
    "sequence",
    "timing_summary",
    "budget_fs",
    "TIMING_COLUMNS",
    "CONVENTIONS",
    "LatencyHistograms",
]

#: per-event output columns of :meth:`Sequencer.feed`
TIMING_COLUMNS = ("seq_start_fs", "seq_done_fs", "seq_fifo", "seq_latency_fs", "seq_status", "seq_drop_stage")

#: the tie-breaks and rules the scan and its cycle-level twin both implement
CONVENTIONS = {
    "time_unit": "fs (integer)",
    "clock_edges": "stage clock edges at integer multiples of its period from t=0 (orbit 0, BX 0)",
    "same_instant": "departure before arrival: a FIFO slot freed at T can be taken at T",
    "latching": "an arrival between two edges is latched at the next edge without a FIFO slot",
    "order": "in order: an event completes no earlier than the previous one was handed over",
    "backpressure": "blocking after service: a refused event waits in the upstream output; "
    "the upstream starts nothing new until it is handed over",
    "first_stage_backpressure": "dropped (the beam cannot wait), reason fifo_full:<stage>",
    "latency": "last stage completion minus the BX time; lost if > budget",
    "percentiles": "nearest rank over events that completed the chain (over budget included), "
    "reported as the upper edge of a 10 ps bin; max exact",
}

_NS = Fraction(FS_PER_NS)


def budget_fs(*, ns: float | None = None, bx: int | None = None) -> int:
    """A latency budget in integer femtoseconds from nanoseconds or a number of BX."""
    if (ns is None) == (bx is None):
        msg = "give the latency budget either in ns or in BX, not both or neither"
        raise ConfigError(msg)
    if bx is not None:
        return int(bx) * BX_PERIOD_FS
    return round(Fraction(str(ns)) * _NS)


class LatencyHistograms:
    """Histograms of the chain latency and of each stage's residence (arrival to
    hand-over), in bins of :data:`~triggeremu._sequencer_kernels.HIST_RES_FS` (10 ps),
    with the exact maxima kept by the scan.

    Percentiles are nearest rank and reported as the upper edge of their bin:
    exact to 10 ps and never below the true value (a latency budget check errs on
    the safe side). Row 0 is the chain, row 1 + s stage s.
    """

    def __init__(self, n_stages: int) -> None:
        self.res = _k.HIST_RES_FS
        self.hist = np.zeros((n_stages + 1, 1024), dtype=np.int64)
        self.maxes = np.full(n_stages + 1, -1, dtype=np.int64)  # updated by the scan kernel

    def add(self, orbit, bx, start, done, status) -> None:
        need = int(self.maxes.max()) // self.res + 2
        if need > self.hist.shape[1]:
            grown = np.zeros((self.hist.shape[0], max(need, 2 * self.hist.shape[1])), dtype=np.int64)
            grown[:, : self.hist.shape[1]] = self.hist
            self.hist = grown
        _k.residence_hist(orbit, bx, BX_PERIOD_FS, start, done, status, self.hist)

    def percentile_fs(self, row: int, q: float) -> int | None:
        """Nearest-rank q-th percentile (q in percent) of one row, as its bin's upper edge;
        q = 100 gives the exact maximum."""
        h = self.hist[row]
        n = int(h.sum())
        if n == 0:
            return None
        if q >= 100:
            return int(self.maxes[row])
        rank = max(1, -(-round(q * 1000) * n // 100_000))  # ceil(q / 100 * n)
        return int(np.searchsorted(np.cumsum(h), rank)) * self.res

    def percentiles_ns(self, row: int) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for name, q in (("p50", 50.0), ("p99", 99.0), ("max", 100.0)):
            v = self.percentile_fs(row, q)
            out[name] = None if v is None else v / FS_PER_NS
        return out


@dataclass(frozen=True)
class SequencerStage:
    """One block of the chain: a name, its timing, and optional per-event timing columns."""

    name: str
    timing: BlockTiming
    latency_column: str | None = None
    ii_column: str | None = None

    def __post_init__(self) -> None:
        if self.timing.latency_cycles < 1:
            msg = (
                f"stage {self.name!r} has latency_cycles = {self.timing.latency_cycles}; the sequencer needs "
                "at least 1 cycle per block (a zero-latency block is combinational: merge it into its neighbour)"
            )
            raise ConfigError(msg)

    @classmethod
    def from_stage(cls, stage: Any) -> SequencerStage:
        """From a pipeline stage (:class:`triggeremu.stages.base.Stage`)."""
        cols = dict(stage.timing_columns())
        unknown = set(cols) - {"latency_cycles", "ii_cycles"}
        if unknown:
            msg = f"stage {stage.name!r}: timing_columns() keys {sorted(unknown)} unknown; use latency_cycles, ii_cycles"
            raise ConfigError(msg)
        return cls(stage.name, stage.timing(), cols.get("latency_cycles"), cols.get("ii_cycles"))


@dataclass
class TimingResult:
    """What :meth:`Sequencer.feed` returns for one batch."""

    columns: dict[str, np.ndarray]  # TIMING_COLUMNS
    lost: np.ndarray  # (N,) bool: dropped by a FIFO or over the latency budget
    loss_counts: dict[str, int]  # reason -> count in this batch


class Sequencer:
    """The timing scan of a chain, fed batch by batch in BX order."""

    def __init__(self, stages: Sequence[SequencerStage], *, latency_budget_fs: int | None = None) -> None:
        if not stages:
            msg = "the sequencer needs at least one stage timing"
            raise ConfigError(msg)
        names = [s.name for s in stages]
        if len(set(names)) != len(names):
            msg = f"stage names {names} are not unique"
            raise ConfigError(msg)
        self.stages = list(stages)
        self.budget_fs = -1 if latency_budget_fs is None else int(latency_budget_fs)
        n = len(stages)
        tm = [s.timing for s in stages]
        self._period = np.array([t.period_fs for t in tm], dtype=np.int64)
        self._depth = np.array([t.fifo_depth for t in tm], dtype=np.int64)
        self._policy = np.array(
            [_k.POLICY_BACKPRESSURE if t.overflow == "backpressure" else _k.POLICY_DROP for t in tm], dtype=np.int8
        )
        self._lat = np.array([t.latency_cycles for t in tm], dtype=np.int64)
        self._ii = np.array([t.ii_cycles for t in tm], dtype=np.int64)
        qcap = int(self._depth.max()) + 1
        self._next_free = np.full(n, _k._NEVER, dtype=np.int64)
        self._last_handoff = np.full(n, _k._NEVER, dtype=np.int64)
        self._q = np.zeros((n, qcap), dtype=np.int64)
        self._q_head = np.zeros(n, dtype=np.int64)
        self._q_size = np.zeros(n, dtype=np.int64)
        self._w_lo = np.zeros((n, 16), dtype=np.int64)
        self._w_hi = np.zeros((n, 16), dtype=np.int64)
        self._w_head = np.zeros(n, dtype=np.int64)
        self._w_size = np.zeros(n, dtype=np.int64)
        self._high = np.zeros(n, dtype=np.int64)
        self._drops = np.zeros(n, dtype=np.int64)
        self._counters = np.array([0, 0, _k._NEVER], dtype=np.int64)
        self._last_edge = np.zeros(n, dtype=np.int64)
        self._events_seen = 0
        self._hists = LatencyHistograms(n)
        self._broken = False

    @classmethod
    def from_stages(cls, stages: Sequence[Any], *, latency_budget_ns: float | None = None) -> Sequencer:
        """From pipeline stages and a budget in ns (``Menu.latency_budget_ns``)."""
        budget = None if latency_budget_ns is None else budget_fs(ns=latency_budget_ns)
        return cls([SequencerStage.from_stage(s) for s in stages], latency_budget_fs=budget)

    # -- per-event inputs ----------------------------------------------------
    def _per_event(self, cols: Mapping[str, np.ndarray], n: int, which: str) -> np.ndarray:
        const = self._lat if which == "latency_cycles" else self._ii
        names = [s.latency_column if which == "latency_cycles" else s.ii_column for s in self.stages]
        if all(c is None for c in names):
            return np.broadcast_to(const[None, :], (n, len(self.stages)))
        out = np.empty((n, len(self.stages)), dtype=np.int64)
        for j, (st, col) in enumerate(zip(self.stages, names, strict=True)):
            if col is None:
                out[:, j] = const[j]
                continue
            if col not in cols:
                msg = f"stage {st.name!r} takes its per-event {which} from column {col!r}, which the batch lacks"
                raise ConfigError(msg)
            v = np.asarray(cols[col])
            if v.shape != (n,) or not np.issubdtype(v.dtype, np.integer):
                msg = f"stage {st.name!r}: column {col!r} must be one integer per event, got {v.dtype} {v.shape}"
                raise ConfigError(msg)
            out[:, j] = v
        bad = out < 1
        if bad.any():
            j = int(np.flatnonzero(bad.any(axis=0))[0])
            msg = (
                f"stage {self.stages[j].name!r}: per-event {which} must be >= 1 cycle, "
                f"found {int(out[:, j].min())}; fix the stage's timing column"
            )
            raise ConfigError(msg)
        return out

    # -- the scan ------------------------------------------------------------
    def feed(self, cols: Mapping[str, np.ndarray], mask: np.ndarray | None = None) -> TimingResult:
        """Time one batch (in BX order, after the previous one). ``mask`` False = not timed.

        Events out of BX order raise :class:`~streams.errors.StreamIntegrityError`;
        the sequencer cannot be fed again after that (start a new one).
        """
        if self._broken:
            msg = "this sequencer stopped at an ordering error; start a new Sequencer for a new run"
            raise StreamIntegrityError(msg)
        for key in ("orbit", "bx"):
            if key not in cols:
                msg = f"the sequencer needs column {key!r}; the batch has {sorted(cols)}"
                raise ConfigError(msg)
        orbit = np.ascontiguousarray(cols["orbit"], dtype=np.uint32)
        bx = np.ascontiguousarray(cols["bx"], dtype=np.uint16)
        n = orbit.shape[0]
        if bx.shape != (n,):
            msg = f"orbit and bx lengths differ ({n} vs {bx.shape})"
            raise ConfigError(msg)
        if n and int(bx.max()) >= BX_PER_ORBIT:
            msg = f"bx values must be 0..{BX_PER_ORBIT - 1}, found {int(bx.max())}"
            raise ConfigError(msg)
        timed = np.ones(n, dtype=bool) if mask is None else np.ascontiguousarray(mask, dtype=bool)
        if timed.shape != (n,):
            msg = f"mask has shape {timed.shape}, the batch has {n} events"
            raise ConfigError(msg)
        lat = self._per_event(cols, n, "latency_cycles")
        ii = self._per_event(cols, n, "ii_cycles")
        n_st = len(self.stages)
        start = np.empty((n, n_st), dtype=np.int64)
        done = np.empty((n, n_st), dtype=np.int64)
        fifo = np.empty((n, n_st), dtype=np.int32)
        latency = np.empty(n, dtype=np.int64)
        status = np.empty(n, dtype=np.uint8)
        drop_stage = np.empty(n, dtype=np.int16)
        k = 0
        while True:
            k = _k.scan_chain(
                orbit, bx, BX_PERIOD_FS, timed, lat, ii, self._period, self._depth, self._policy, self.budget_fs, k,
                self._next_free, self._last_handoff, self._q, self._q_head, self._q_size,
                self._w_lo, self._w_hi, self._w_head, self._w_size, self._high, self._drops, self._counters,
                self._last_edge, self._hists.maxes, start, done, fifo, latency, status, drop_stage,
            )  # fmt: skip
            if k >= n:
                break
            if k < 0:
                self._order_error(orbit, bx, timed, -k - 1)
            self._grow_windows()
        self._events_seen += n
        self._hists.add(orbit, bx, start, done, status)
        columns = {
            "seq_start_fs": start,
            "seq_done_fs": done,
            "seq_fifo": fifo,
            "seq_latency_fs": latency,
            "seq_status": status,
            "seq_drop_stage": drop_stage,
        }
        dropped = status == _k.STATUS_DROPPED
        over = status == _k.STATUS_OVER_BUDGET
        counts: dict[str, int] = {}
        if dropped.any():
            per = np.bincount(drop_stage[dropped].astype(np.int64), minlength=n_st)
            for j, c in enumerate(per):
                if c:
                    counts[f"fifo_full:{self.stages[j].name}"] = int(c)
        if over.any():
            counts["over_latency_budget"] = int(over.sum())
        return TimingResult(columns=columns, lost=dropped | over, loss_counts=counts)

    def _order_error(self, orbit: np.ndarray, bx: np.ndarray, timed: np.ndarray, k: int) -> None:
        self._broken = True  # events before k were scanned: the state is no longer a clean cut
        prev = np.flatnonzero(timed[:k])
        if prev.size == 0:
            msg = (
                f"batch starts at orbit {int(orbit[k])} BX {int(bx[k])}, not after the previous batch; "
                "the sequencer needs batches in BX order (use restore_order on worker outputs)"
            )
        else:
            i = int(prev[-1])
            msg = (
                f"events out of BX order or two events in one BX: orbit {int(orbit[i])} BX {int(bx[i])} is "
                f"followed by orbit {int(orbit[k])} BX {int(bx[k])}; sort the batch (restore_order) first"
            )
        raise StreamIntegrityError(msg)

    def _grow_windows(self) -> None:
        n, cap = self._w_lo.shape
        new_lo = np.zeros((n, 2 * cap), dtype=np.int64)
        new_hi = np.zeros((n, 2 * cap), dtype=np.int64)
        for s in range(n):
            idx = (self._w_head[s] + np.arange(self._w_size[s])) % cap
            new_lo[s, : idx.size] = self._w_lo[s, idx]
            new_hi[s, : idx.size] = self._w_hi[s, idx]
        self._w_lo, self._w_hi = new_lo, new_hi
        self._w_head[:] = 0

    # -- results -------------------------------------------------------------
    @property
    def events_timed(self) -> int:
        return int(self._counters[0])

    @property
    def events_over_budget(self) -> int:
        return int(self._counters[1])

    @property
    def dropped(self) -> dict[str, int]:
        return {s.name: int(d) for s, d in zip(self.stages, self._drops, strict=True)}

    def finish(self) -> dict[str, Any]:
        """Run-level timing numbers (see :func:`timing_summary` for the summary keys)."""
        stages = {}
        for j, st in enumerate(self.stages):
            tm = st.timing
            stages[st.name] = {
                "latency_cycles": tm.latency_cycles,
                "latency_ns": tm.latency_ns,
                "ii_cycles": tm.ii_cycles,
                "clock_mhz": tm.clock_mhz,
                "fifo_depth": tm.fifo_depth,
                "overflow": tm.overflow,
                "timing_source": tm.source,
                "data_dependent": [c for c in (st.latency_column, st.ii_column) if c],
                "fifo_high_water": int(self._high[j]),
                "dropped": int(self._drops[j]),
                "residence_ns": self._hists.percentiles_ns(1 + j),
            }
        return {
            "events_timed": self.events_timed,
            "events_over_budget": self.events_over_budget,
            "latency_budget_ns": None if self.budget_fs < 0 else self.budget_fs / FS_PER_NS,
            "stages": stages,
            "latency_ns": self._hists.percentiles_ns(0),
            "timing_conventions": dict(CONVENTIONS),
        }


def sequence(
    orbit: np.ndarray,
    bx: np.ndarray,
    event: np.ndarray,
    stages: Sequence[SequencerStage],
    *,
    per_event: Mapping[str, np.ndarray] | None = None,
    latency_budget_fs: int | None = None,
) -> tuple[TimingResult, dict[str, Any]]:
    """One-shot scan of events already in BX order: (per-event result, :meth:`Sequencer.finish`)."""
    seq = Sequencer(stages, latency_budget_fs=latency_budget_fs)
    cols = {"orbit": orbit, "bx": bx, "event": event, **(per_event or {})}
    res = seq.feed(cols)
    return res, seq.finish()


def timing_summary(sequencer: Sequencer, rules: Any | None = None) -> dict[str, Any]:
    """The run-summary keys of the timing scan and the trigger rules.

    ``deadtime_fraction``, ``events_over_budget``, ``stages`` (name -> latency_cycles,
    latency_ns, ii_cycles, clock_mhz, fifo_high_water, dropped, ...), ``latency_ns``
    ({p50, p99, max} of the chain, nearest rank), plus ``trigger_rules`` details when
    a :class:`~triggeremu.trigger_rules.TriggerRules` is given.
    """
    out = sequencer.finish()
    if rules is not None:
        rs = rules.summary()
        out["deadtime_fraction"] = rs["deadtime_fraction"]
        out["trigger_rules"] = rs
    else:
        out["deadtime_fraction"] = 0.0
    return out
