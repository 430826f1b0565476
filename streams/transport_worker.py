"""The two child-process roles of :mod:`streams.transport`: the source and a worker.

Both are module-level functions started with the multiprocessing ``spawn`` context
and given one picklable :class:`ProcessConfig` (the factories are pickled to *start*
the process; nothing read from a socket is ever unpickled, see :mod:`streams.wire`).
Both ignore SIGINT: Ctrl-C is the sink's to handle, and it stops the children.

Topology (the sink, in the parent process, binds ``ctrl`` and ``data``)::

    source ROUTER (binds "work") <-- DEALER worker i --> DEALER to sink ROUTER "data"
    source DEALER --> sink ROUTER "ctrl"   (hello, SENT notes, END totals, ERROR, RETIRE;
                                            <- PROGRESS, RETIRE, RESEND, ACK)

- Credits: each worker sends ``credits`` READY messages once its function is built and
  one after each batch it finished; the source gives a batch only to a worker holding
  a credit, so work follows readiness, not round-robin (docs/design.md "Wire" (c)).
- Before each batch the source tells the sink which worker got it (a SENT note).
- Bounded: the source dispatches a new batch only while its sequence number is below
  the sink's PROGRESS mark plus the reorder-buffer bound ``window``, and keeps the
  frames of every batch not yet delivered (at most ``window``) to send them again.
- Liveness (the ZeroMQ guide's Paranoid Pirate): every process sends HEARTBEAT to each
  peer every ``heartbeat_s``, and counts a peer dead after ``peer_timeout_s`` without a
  valid message from it (rejected messages never count). A worker computes on its own
  thread, so a slow stage still heartbeats; the source reads its input on a thread too.
  A worker the source or the sink finds dead is *retired*: its batches go to another
  worker (RETIRE, re-dispatch SENT notes); a worker that comes back is told to stop.
- End of stream: the source sends END with the totals to the sink and keeps serving
  re-dispatches until the sink's ACK; a worker runs until the sink's ACK. Nobody exits
  before the sink has everything (a sender that exits right after its last send can
  lose its tail over ipc://, libzmq#4660, docs/design.md "Wire" (a)).
- A child whose parent died, or that hears nothing from the sink for ``peer_timeout_s``,
  exits.
"""

from __future__ import annotations

import json
import multiprocessing
import queue
import signal
import threading
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import zmq

from streams.errors import TransportError
from streams.transport_endpoints import EndpointKind, configure
from streams.wire import (
    CONTROL_MAX_BYTES,
    FLAG_IDLE,
    FLAG_REDISPATCH,
    FLAG_SETUP,
    FLAG_WARM,
    NO_WORKER,
    SOURCE,
    Header,
    Kind,
    Task,
    data_header,
    decode,
    encode,
    encode_batch,
    encode_task,
    task_header,
)

__all__ = ["ProcessConfig", "source_main", "worker_main", "identity", "POLL_MS", "STARTUP_S", "RejectTable"]

#: poll slice in milliseconds: how often a waiting process looks at its clocks
POLL_MS = 20
#: seconds allowed, on top of the peer timeout, before a peer's first message (spawn, imports)
STARTUP_S = 30.0


@dataclass(frozen=True)
class ProcessConfig:
    """Everything a child process needs; picklable (factories must be module-level)."""

    token: bytes
    ctrl_endpoint: str
    n_workers: int
    credits: int
    heartbeat_s: float
    peer_timeout_s: float
    window: int
    max_message_bytes: int
    factory: Callable[[], Any]
    endpoints: EndpointKind | None = None  # the source binds "work" through it
    work_endpoint: str = ""
    data_endpoint: str = ""
    hwm_msgs: int = 64
    index: int = -1
    fault: dict = field(default_factory=dict)
    stream: int = 0


class _ParentGone(Exception):
    """The parent (the sink) is gone or silent: exit quietly, nobody is listening."""


def identity(role: str, token: bytes) -> bytes:
    """Routing id of a process: role plus part of the run token (never clashes across runs)."""
    return f"{role}-{token.hex()[:12]}".encode()


class RejectTable:
    """Rejected messages by endpoint and kind (reported to the sink in heartbeats)."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {}
        self.examples: list[str] = []
        self.total = 0
        self._reported = -1

    def add(self, endpoint: str, kind: str, reason: str) -> None:
        self.counts.setdefault(endpoint, Counter())[kind] += 1
        self.total += 1
        if len(self.examples) < 10:
            self.examples.append(f"{endpoint}: {reason}")

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {ep: dict(c) for ep, c in sorted(self.counts.items())}

    def report_text(self) -> str | None:
        """JSON of the table when it changed since the last report, else None."""
        if self.total == self._reported:
            return None
        self._reported = self.total
        return json.dumps({"rejected": self.as_dict(), "examples": self.examples})


def reject_kind(err: TransportError) -> str:
    """A short kind for a decode failure (for the rejection table)."""
    text = str(err)
    if "another run" in text:
        return "foreign_token"
    if "wire version" in text:
        return "wire_version"
    return "malformed"


def _parent_alive() -> bool:
    parent = multiprocessing.parent_process()
    return parent is None or parent.is_alive()


def _quiet_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _error_text(err: BaseException) -> str:
    tb = traceback.format_exception(err)
    return f"{type(err).__name__}: {err}\n{''.join(tb[-6:])}"


def _try_send(sock: zmq.Socket, frames: list, *, copy: bool = True) -> bool:
    """Send without blocking; False if the peer is gone or its queue is full."""
    try:
        sock.send_multipart(frames, zmq.NOBLOCK, copy=copy)
        return True
    except zmq.ZMQError as err:
        if err.errno in (zmq.EAGAIN, zmq.EHOSTUNREACH):
            return False
        raise


class _Clock:
    """When a peer was last heard from, and when we last said we are alive.

    A peer gets ``STARTUP_S`` more than the peer timeout until it says it is warm
    (:data:`~streams.wire.FLAG_WARM`): a first batch pays imports and JIT compilation,
    which hold the GIL, so its heartbeats may pause."""

    def __init__(self, cfg: ProcessConfig) -> None:
        self.hb = cfg.heartbeat_s
        self.timeout = cfg.peer_timeout_s
        self.start = time.monotonic()
        self.last_beat = 0.0
        self.heard: dict[Any, float] = {}
        self.warm: set[Any] = set()

    def beat_due(self) -> bool:
        now = time.monotonic()
        if now - self.last_beat >= self.hb:
            self.last_beat = now
            return True
        return False

    def saw(self, peer: Any, flags: int = 0) -> None:
        self.heard[peer] = time.monotonic()
        if flags & FLAG_WARM:
            self.warm.add(peer)

    def silent_for(self, peer: Any) -> float:
        """Seconds since the peer's last valid message (since start if never heard)."""
        return time.monotonic() - self.heard.get(peer, self.start)

    def dead(self, peer: Any) -> bool:
        return self.silent_for(peer) > self.timeout + (0.0 if peer in self.warm else STARTUP_S)


# -- the source ------------------------------------------------------------------
class _Reader(threading.Thread):
    """Reads and encodes the source's items ahead of the dispatcher (two in hand)."""

    def __init__(self, cfg: ProcessConfig) -> None:
        super().__init__(name="triggeremu-source-read", daemon=True)
        self.cfg = cfg
        self.out: queue.Queue = queue.Queue(maxsize=2)
        self.stop = threading.Event()

    def _put(self, item) -> bool:
        while not self.stop.is_set():
            try:
                self.out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run(self) -> None:
        seq, n_events = 0, 0
        try:
            for obj in self.cfg.factory():
                header, frames = _encode_item(obj, seq, self.cfg)
                if not self._put(("item", seq, header, frames)):
                    return
                seq += 1
                n_events += header.n_events
            self._put(("end", seq, n_events))
        except BaseException as err:  # noqa: BLE001 - reported to the sink as text
            self._put(("error", seq, f"the source failed at batch seq {seq}: {_error_text(err)}"))


def _encode_item(obj: Any, seq: int, cfg: ProcessConfig) -> tuple[Header, list]:
    if isinstance(obj, Task):
        header = task_header(obj, token=cfg.token, seq=seq, stream=cfg.stream)
        return header, encode_task(header, obj)
    if not isinstance(obj, pa.RecordBatch):
        hint = " (a Table: yield table.to_batches() instead)" if isinstance(obj, pa.Table) else ""
        msg = (f"the source yielded a {type(obj).__name__} as batch seq {seq}; it must yield "
               f"pyarrow.RecordBatch or streams.wire.Task{hint}")
        raise TypeError(msg)
    header = data_header(obj, token=cfg.token, seq=seq, stream=cfg.stream)
    frames = encode_batch(header, obj)
    size = sum(memoryview(f).nbytes for f in frames)
    if size > cfg.max_message_bytes:
        msg = (f"batch seq {seq} is {size} bytes on the wire, above the run's max_message_bytes "
               f"{cfg.max_message_bytes}; use smaller batches or a larger max_message_bytes")
        raise ValueError(msg)
    return header, frames


class _Source:
    def __init__(self, cfg: ProcessConfig, ctx: zmq.Context) -> None:
        self.cfg = cfg
        self.ctrl = configure(ctx.socket(zmq.DEALER), max_bytes=CONTROL_MAX_BYTES, hwm=4 * cfg.window + 64)
        self.ctrl.setsockopt(zmq.IDENTITY, identity("src", cfg.token))
        self.ctrl.connect(cfg.ctrl_endpoint)
        self.work = configure(ctx.socket(zmq.ROUTER), max_bytes=CONTROL_MAX_BYTES, hwm=cfg.credits + 4)
        self.work.setsockopt(zmq.ROUTER_MANDATORY, 1)
        self.endpoint = cfg.endpoints.bind(self.work, "work")
        self.idents = {identity(f"w{i}", cfg.token): i for i in range(cfg.n_workers)}
        self.credits: deque[int] = deque()
        self.retired: set[int] = set()
        self.held: dict[int, tuple[Header, list, int]] = {}  # seq -> (header, frames, worker)
        self.redo: deque[int] = deque()
        self.watermark = 0
        self.rejects = RejectTable()
        self.clock = _Clock(cfg)
        self.stopped = False
        self.dropped_once: set[int] = set()

    def say(self, header: Header, text: str | None = None) -> None:
        _try_send(self.ctrl, encode(header, text))

    def hello(self) -> None:
        self.say(Header(Kind.READY, self.cfg.token), self.endpoint)

    # -- messages --------------------------------------------------------------
    def take_messages(self) -> None:
        while self.work.poll(0):
            frames = self.work.recv_multipart(copy=False)
            ident = frames[0].bytes
            try:
                header, _ = decode(frames[1:], token=self.cfg.token)
            except TransportError as err:
                self.rejects.add("source/work", reject_kind(err), str(err))
                continue
            w = self.idents.get(ident)
            if w is None or header.sender != w:
                self.rejects.add("source/work", "unknown_sender", f"{header.kind.name} from {ident[:24]!r}")
                continue
            if w in self.retired:
                self.rejects.add("source/work", "retired_worker", f"{header.kind.name} from retired worker {w}")
                continue
            if header.kind is Kind.READY:
                self.clock.saw(w)
                self.credits.append(w)
            elif header.kind is Kind.HEARTBEAT:
                self.clock.saw(w, header.flags)
            else:
                self.rejects.add("source/work", "unexpected_kind", f"{header.kind.name} from worker {w}")
        while self.ctrl.poll(0):
            try:
                header, body = decode(self.ctrl.recv_multipart(copy=False), token=self.cfg.token)
            except TransportError as err:
                self.rejects.add("source/ctrl", reject_kind(err), str(err))
                continue
            self.clock.saw("sink", header.flags if header.kind is Kind.HEARTBEAT else 0)
            if header.kind is Kind.PROGRESS:
                self.watermark = max(self.watermark, header.seq)
                for s in [s for s in self.held if s < self.watermark]:
                    del self.held[s]
            elif header.kind is Kind.RETIRE:
                self.retire(header.worker, body or "the sink found it dead")
            elif header.kind is Kind.RESEND:
                if header.seq in self.held and header.seq not in self.redo:
                    self.redo.append(header.seq)
            elif header.kind is Kind.ACK:
                self.stopped = True
            elif header.kind is not Kind.HEARTBEAT:
                self.rejects.add("source/ctrl", "unexpected_kind", f"{header.kind.name} from the sink")

    def retire(self, w: int, reason: str) -> None:
        if w in self.retired or not 0 <= w < self.cfg.n_workers:
            return
        self.retired.add(w)
        self.credits = deque(c for c in self.credits if c != w)
        for s in sorted(s for s, (_, _, held_by) in self.held.items() if held_by == w):
            if s not in self.redo:
                self.redo.append(s)
        self.say(Header(Kind.RETIRE, self.cfg.token, worker=w), reason)

    # -- dispatch --------------------------------------------------------------
    def _give(self, seq: int, header: Header, frames: list, *, prev: int = NO_WORKER) -> bool:
        """Send one batch to the first worker holding a credit; False if none can take it."""
        while self.credits:
            w = self.credits.popleft()
            if w in self.retired:
                continue
            note = Header(
                Kind.SENT, self.cfg.token, seq=seq, stream=self.cfg.stream, first_orbit=header.first_orbit,
                last_orbit=header.last_orbit, n_events=header.n_events, first_event=header.first_event, worker=w,
                flags=FLAG_REDISPATCH if prev != NO_WORKER else 0, prev_worker=prev,
            )
            self.say(note)
            self.held[seq] = (header, frames, w)
            if seq == self.cfg.fault.get("drop_seq") and seq not in self.dropped_once:
                self.dropped_once.add(seq)  # fault hook: "lost in transit"; the worker keeps its credit
                self.credits.appendleft(w)
                return True
            ident = next(i for i, k in self.idents.items() if k == w)
            if _try_send(self.work, [ident, *frames], copy=False):
                return True
            self.retire(w, "its connection refused a batch (gone or its queue is full)")
        return False

    def dispatch(self, reader: _Reader, state: dict) -> None:
        while self.credits:
            if self.redo:
                seq = self.redo[0]
                if seq < self.watermark or seq not in self.held:
                    self.redo.popleft()
                    continue
                header, frames, prev = self.held[seq]
                if not self._give(seq, header, frames, prev=prev):
                    return
                self.redo.popleft()
                continue
            if state["pending"] is None:
                if state["done"]:
                    return
                try:
                    state["pending"] = reader.out.get_nowait()
                except queue.Empty:
                    return
            item = state["pending"]
            if item[0] != "item":
                state["done"] = item
                state["pending"] = None
                return
            _, seq, header, frames = item
            if seq >= self.watermark + self.cfg.window:  # the sink's reorder buffer is full: wait
                return
            if not self._give(seq, header, frames):
                return
            state["pending"] = None
            if seq == self.cfg.fault.get("duplicate_seq"):
                self._give(seq, header, frames)

    def heartbeat(self) -> None:
        warm = FLAG_WARM if self.held or self.watermark else 0  # its first batch is read and sent
        beat = Header(Kind.HEARTBEAT, self.cfg.token, rejected=self.rejects.total, flags=warm)
        self.say(beat, self.rejects.report_text())
        for ident, w in self.idents.items():
            if w not in self.retired:
                _try_send(self.work, [ident, *encode(Header(Kind.HEARTBEAT, self.cfg.token))])

    def check_peers(self) -> None:
        for w in range(self.cfg.n_workers):
            if w not in self.retired and self.clock.dead(w):
                self.retire(w, f"silent for {self.clock.silent_for(w):.1f} s (peer_timeout_s="
                               f"{self.cfg.peer_timeout_s:g})")
        if self.clock.dead("sink") or not _parent_alive():
            raise _ParentGone

    def close(self) -> None:
        self.ctrl.close(linger=0)
        self.work.close(linger=0)


def source_main(cfg: ProcessConfig) -> int:
    """Entry point of the source process: read batches, hand them out by credit."""
    _quiet_sigint()
    ctx = zmq.Context()
    src = _Source(cfg, ctx)
    reader = _Reader(cfg)
    state: dict[str, Any] = {"pending": None, "done": None}
    ended = False
    try:
        src.hello()
        reader.start()
        poller = zmq.Poller()
        poller.register(src.work, zmq.POLLIN)
        poller.register(src.ctrl, zmq.POLLIN)
        while not src.stopped:
            poller.poll(POLL_MS)
            src.take_messages()
            src.dispatch(reader, state)
            done = state["done"]
            if done is not None and not ended:
                if done[0] == "error":
                    src.say(Header(Kind.ERROR, cfg.token, seq=done[1]), done[2])
                else:
                    _, n_batches, n_events = done
                    src.say(Header(Kind.END, cfg.token, seq=n_batches, stream=cfg.stream, total_batches=n_batches,
                                   total_events=n_events, rejected=src.rejects.total))
                ended = True
            if src.clock.beat_due():
                src.heartbeat()
            src.check_peers()
        return 0
    except _ParentGone:
        return 3
    finally:
        reader.stop.set()
        src.close()
        ctx.term()


# -- a worker --------------------------------------------------------------------
class _Compute(threading.Thread):
    """Builds the worker function and applies it to batches, off the I/O thread."""

    def __init__(self, cfg: ProcessConfig) -> None:
        super().__init__(name=f"triggeremu-worker-{cfg.index}-compute", daemon=True)
        self.cfg = cfg
        self.inbox: queue.Queue = queue.Queue()
        self.outbox: queue.Queue = queue.Queue()
        self.fn: Callable | None = None
        self.busy = False

    def run(self) -> None:
        cfg, me = self.cfg, self.cfg.index
        try:
            fn = cfg.factory()
            if not callable(fn):
                msg = f"worker_factory() returned a {type(fn).__name__}; it must return a function RecordBatch -> RecordBatch"
                raise TypeError(msg)
        except BaseException as err:  # noqa: BLE001 - reported to the sink as text
            self.outbox.put(("error", Header(Kind.ERROR, cfg.token, sender=me, flags=FLAG_SETUP), _error_text(err)))
            return
        self.fn = fn
        self.outbox.put(("ready", None, None))
        while True:
            header, item = self.inbox.get()
            if header is None:
                return
            self.busy = True
            try:
                result = _apply(fn, item, header)
                frames = encode_batch(data_header(result, token=cfg.token, seq=header.seq, sender=me), result)
                size = sum(memoryview(f).nbytes for f in frames)
                if size > cfg.max_message_bytes:
                    msg = (f"the result of {header.describe()} is {size} bytes, above the run's max_message_bytes "
                           f"{cfg.max_message_bytes}; use smaller batches or a larger max_message_bytes")
                    raise ValueError(msg)
                self.outbox.put(("ok", header, frames))
            except BaseException as err:  # noqa: BLE001 - reported to the sink as text
                err_header = Header(
                    Kind.ERROR, cfg.token, seq=header.seq, sender=me, first_orbit=header.first_orbit,
                    last_orbit=header.last_orbit, n_events=header.n_events, first_event=header.first_event,
                )
                self.outbox.put(("error", err_header, _error_text(err)))
                return
            finally:
                self.busy = False


def worker_main(cfg: ProcessConfig) -> int:
    """Entry point of worker ``cfg.index``: apply the worker function to each batch."""
    _quiet_sigint()
    ctx = zmq.Context()
    ident = identity(f"w{cfg.index}", cfg.token)
    work = configure(ctx.socket(zmq.DEALER), max_bytes=cfg.max_message_bytes, hwm=cfg.credits + 4)
    out = configure(ctx.socket(zmq.DEALER), max_bytes=CONTROL_MAX_BYTES, hwm=cfg.hwm_msgs)
    for sock in (work, out):
        sock.setsockopt(zmq.IDENTITY, ident)
    out.connect(cfg.data_endpoint)
    work_ep = cfg.work_endpoint  # empty: the sink sends it once the source has bound it
    if work_ep:
        work.connect(work_ep)
    me, tok = cfg.index, cfg.token
    rejects, clock = RejectTable(), _Clock(cfg)
    compute = _Compute(cfg)
    compute.start()
    pending: deque[list] = deque()  # results (then credits) not sent yet: never block the loop
    received = sent = 0
    ready = False
    failed: tuple[Header, str] | None = None
    poller = zmq.Poller()
    poller.register(work, zmq.POLLIN)
    poller.register(out, zmq.POLLIN)
    try:
        while True:
            poller.poll(POLL_MS)
            while work.poll(0):
                try:
                    header, item = decode(work.recv_multipart(copy=False), token=tok)
                except TransportError as err:
                    rejects.add(f"worker{me}/work", reject_kind(err), str(err))
                    continue
                if header.sender != SOURCE:
                    rejects.add(f"worker{me}/work", "unknown_sender", f"{header.kind.name} from sender {header.sender}")
                elif header.kind in (Kind.DATA, Kind.TASK):
                    received += 1
                    compute.inbox.put((header, item))
                elif header.kind is not Kind.HEARTBEAT:
                    rejects.add(f"worker{me}/work", "unexpected_kind", f"{header.kind.name} from the source")
            while out.poll(0):
                try:
                    header, text = decode(out.recv_multipart(copy=False), token=tok)
                except TransportError as err:
                    rejects.add(f"worker{me}/data", reject_kind(err), str(err))
                    continue
                clock.saw("sink", header.flags if header.kind is Kind.HEARTBEAT else 0)
                if header.kind is Kind.ACK:
                    return 0 if failed is None else 1
                if header.kind is Kind.READY and not work_ep and text:  # the source's work endpoint
                    work_ep = text
                    work.connect(work_ep)
                elif header.kind is Kind.HEARTBEAT:
                    if compute.fn is not None and hasattr(compute.fn, "sink_flags"):
                        compute.fn.sink_flags = header.flags & ~FLAG_WARM
                else:
                    rejects.add(f"worker{me}/data", "unexpected_kind", f"{header.kind.name} from the sink")
            while failed is None:
                try:
                    what, header, payload = compute.outbox.get_nowait()
                except queue.Empty:
                    break
                if what == "ready":
                    ready = True
                    pending.extend([("work", encode(Header(Kind.READY, tok, sender=me)))] * cfg.credits)
                elif what == "ok":
                    pending.append(("out", payload))
                    pending.append(("work", encode(Header(Kind.READY, tok, seq=header.seq, sender=me))))
                else:
                    failed = (header, payload)
                    pending.append(("out", encode(header, payload)))
            while pending and work_ep:
                where, frames = pending[0]
                if not _try_send(out if where == "out" else work, frames, copy=False):
                    break
                pending.popleft()
                if where == "out" and failed is None:
                    sent += 1
            if clock.beat_due():
                idle = ready and not compute.busy and compute.inbox.empty() and not pending and compute.outbox.empty()
                flags = (FLAG_IDLE if idle else 0) | (FLAG_WARM if sent else 0)
                beat = Header(Kind.HEARTBEAT, tok, sender=me, n_events=received, total_batches=sent,
                              rejected=rejects.total, flags=flags)
                _try_send(out, encode(beat, rejects.report_text()))
                _try_send(work, encode(Header(Kind.HEARTBEAT, tok, sender=me, flags=flags & FLAG_WARM)))
            if clock.dead("sink") or not _parent_alive():
                raise _ParentGone
    except _ParentGone:
        return 3
    finally:
        compute.inbox.put((None, None))
        work.close(linger=0)
        out.close(linger=0)
        ctx.term()


def _apply(fn: Callable, item: Any, header: Header) -> pa.RecordBatch:
    result = fn(item)
    if not isinstance(result, pa.RecordBatch):
        msg = f"the worker function returned a {type(result).__name__} for {header.describe()}; it must return a RecordBatch"
        raise TypeError(msg)
    if result.num_rows != header.n_events:
        msg = (
            f"the worker function returned {result.num_rows} rows for {header.describe()}; it must keep every "
            "event (add output columns, do not filter)"
        )
        raise ValueError(msg)
    return result
