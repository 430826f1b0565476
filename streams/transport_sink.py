"""The sink side of :func:`streams.transport.run_distributed`: sockets, processes, loop.

:class:`SinkRun` runs in the calling process. Its I/O runs on a thread of its own
(so heartbeats and liveness do not wait for a slow consumer): it binds two ROUTER
sockets (``ctrl`` for the source, ``data`` for the workers) through the run's
:class:`~streams.transport_endpoints.EndpointKind`, starts the source and the workers
(roles in :mod:`streams.transport_worker`; from a fork server, see
:func:`_process_context`), and tells the workers the work endpoint the source
announces. It validates every message (:mod:`streams.wire`,
run token and routing identity included; rejections are counted by endpoint and
kind, and never count as liveness), feeds the :class:`Ledger` of
:mod:`streams.transport_ledger`, and hands batches in sequence order to the
consumer through a two-batch queue. The consumer's pace is the PROGRESS mark the
source dispatches against, so the reorder buffer stays under its bound.

Liveness: a worker whose process exits or that is silent for ``peer_timeout_s`` is
retired: the source sends its batches to another worker, and the fault is recorded
(worker, reason, seqs, orbit range). Only when no worker is left, or the source dies
or falls silent, does the run end with :class:`~streams.errors.TransportError`. On
every path the sockets are closed, the children stopped and joined, and the ipc
directory removed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import queue
import secrets
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pyarrow as pa
import zmq
from zmq.utils.monitor import recv_monitor_message

from streams.errors import StreamIntegrityError, TransportError
from streams.transport_endpoints import configure, endpoint_kind
from streams.transport_ledger import Ledger
from streams.transport_worker import POLL_MS, STARTUP_S, ProcessConfig, RejectTable, identity, reject_kind, \
    source_main, worker_main
from streams.wire import CONTROL_MAX_BYTES, FLAG_IDLE, FLAG_REDISPATCH, FLAG_SETUP, FLAG_WARM, SINK, SOURCE, \
    Header, Kind, decode, encode

__all__ = ["SinkRun", "TransportStats"]

_JOIN_S = 5.0
_log = logging.getLogger("streams.transport")


@dataclass
class TransportStats:
    """Filled in while a run goes; pass one to :func:`run_distributed` to read it.

    ``worker_flags`` is set by the consumer and sent to the workers in the sink's
    heartbeats (e.g. "stop sending columns I no longer need")."""

    endpoints: dict[str, str] = field(default_factory=dict)
    batches: int = 0
    events: int = 0
    bytes_received: int = 0
    per_worker: list[int] = field(default_factory=list)
    rejected: dict[str, dict[str, int]] = field(default_factory=dict)
    rejected_examples: list[str] = field(default_factory=list)
    disconnects: dict[str, int] = field(default_factory=dict)
    duplicates: list[dict[str, int]] = field(default_factory=list)
    worker_faults: list[dict[str, Any]] = field(default_factory=list)
    redispatched: list[dict[str, int]] = field(default_factory=list)
    resent: list[dict[str, Any]] = field(default_factory=list)
    batches_announced: int = 0
    events_announced: int = 0
    undelivered: list[dict[str, int]] = field(default_factory=list)
    reorder_high_water: int = 0
    worker_flags: int = 0
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def rejected_total(self) -> int:
        return sum(sum(k.values()) for k in self.rejected.values())

    def report(self) -> dict[str, Any]:
        """JSON-ready summary of the transport side of a run."""
        return {
            "endpoints": dict(self.endpoints), "settings": dict(self.settings), "batches": self.batches,
            "events": self.events, "bytes_received": self.bytes_received, "per_worker": list(self.per_worker),
            "rejected": {ep: dict(k) for ep, k in sorted(self.rejected.items())},
            "rejected_total": self.rejected_total, "rejected_examples": list(self.rejected_examples),
            "disconnects": dict(self.disconnects), "duplicates_dropped": list(self.duplicates),
            "worker_faults": list(self.worker_faults), "redispatched": list(self.redispatched),
            "resent": list(self.resent), "reorder_high_water": self.reorder_high_water,
        }


#: modules the fork server imports once, so each child starts from them
#: (:func:`streams.transport.preload` adds to it before the first run)
FORKSERVER_PRELOAD: list[str] = ["streams.transport_worker"]


def _process_context(role: str):
    """Workers start from a fork server where the platform has one: a clean,
    single-threaded process started once per parent that imported
    :data:`FORKSERVER_PRELOAD`, so a worker starts in a fraction of a second instead of
    importing numba, pyarrow and the models again (a spawned child also re-imports the
    caller's ``__main__``); else by spawn. Either way a child inherits no thread, lock
    or socket of this process. ``TRIGGEREMU_START=spawn`` forces spawn."""
    del role  # every child from the fork server (a spawned child re-imports the caller's __main__)
    if "forkserver" in multiprocessing.get_all_start_methods() and os.environ.get("TRIGGEREMU_START") != "spawn":
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(FORKSERVER_PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def _exit_text(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _note_dict(h: Header) -> dict[str, int]:
    return {"seq": h.seq, "first_event": h.first_event, "n_events": h.n_events, "first_orbit": h.first_orbit,
            "last_orbit": h.last_orbit}


class SinkRun:
    """One distributed run: sockets, child processes, the I/O thread and the hand-over."""

    def __init__(self, source_factory, worker_factory, n_workers, transport, credits, heartbeat_s, peer_timeout_s,
                 window, max_message_bytes, fault, stats):
        self.n_workers = n_workers
        self.stats = stats
        self.token = secrets.token_bytes(16)
        self.transport = transport
        self.heartbeat_s, self.peer_timeout_s = float(heartbeat_s), float(peer_timeout_s)
        self.window = int(window)
        self.max_bytes = int(max_message_bytes)
        self.base = ProcessConfig(
            token=self.token, ctrl_endpoint="", n_workers=n_workers, credits=credits, heartbeat_s=self.heartbeat_s,
            peer_timeout_s=self.peer_timeout_s, window=self.window, max_message_bytes=self.max_bytes,
            factory=source_factory, fault=fault, hwm_msgs=self.window + n_workers * (credits + 4) + 16,
        )
        self.worker_factory = worker_factory
        stats.settings = {"heartbeat_s": self.heartbeat_s, "peer_timeout_s": self.peer_timeout_s,
                          "reorder_buffer_batches": self.window, "credits": credits,
                          "max_message_bytes": self.max_bytes}
        self.ctx: zmq.Context | None = None
        self.kind = None
        self.ctrl: zmq.Socket | None = None
        self.data: zmq.Socket | None = None
        self.monitors: dict[zmq.Socket, str] = {}
        self.source: multiprocessing.process.BaseProcess | None = None
        self.workers: list[multiprocessing.process.BaseProcess] = []
        self.widents = {identity(f"w{i}", self.token): i for i in range(n_workers)}
        self.src_ident = identity("src", self.token)
        self.ledger = Ledger(n_workers)
        self.rejects = RejectTable()
        self.child_rejects: dict[str, dict[str, dict[str, int]]] = {}
        self.child_examples: dict[str, list[str]] = {}
        self.clock_heard: dict[Any, float] = {}
        self.warm: set[Any] = set()
        self.consumer_warm = False  # the consumer has finished its first batch
        self.t_start = 0.0
        self.last_beat = 0.0
        # hand-over to the consumer
        self.handoff: queue.Queue = queue.Queue(maxsize=2)
        self.ready: list[tuple[Header | None, pa.RecordBatch]] = []
        self.consumed = 0
        self.sent_progress = -1
        self.in_hand: Header | None = None
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.finished = False
        self.clean = False

    # -- setup -------------------------------------------------------------------
    def _bind(self, role: str, *, max_bytes: int, hwm: int) -> zmq.Socket:
        sock = configure(self.ctx.socket(zmq.ROUTER), max_bytes=max_bytes, hwm=hwm)
        sock.setsockopt(zmq.ROUTER_MANDATORY, 1)
        self.stats.endpoints[role] = self.kind.bind(sock, role)
        mon = sock.get_monitor_socket(zmq.EVENT_DISCONNECTED)
        self.monitors[mon] = f"sink/{role}"
        return sock

    def _start(self) -> None:
        self.ctx = zmq.Context()
        self.kind = endpoint_kind(self.transport)
        self.t_start = time.monotonic()
        self.ctrl = self._bind("ctrl", max_bytes=CONTROL_MAX_BYTES, hwm=4 * self.window + 64)
        self.data = self._bind("data", max_bytes=self.max_bytes, hwm=self.base.hwm_msgs)
        cfg = replace(self.base, ctrl_endpoint=self.stats.endpoints["ctrl"], endpoints=self.kind)
        self.source = _process_context("source").Process(target=source_main, args=(cfg,), name="triggeremu-source",
                                                          daemon=True)
        self.source.start()
        self.stats.per_worker = [0] * self.n_workers
        for i in range(self.n_workers):  # started at once; they learn the work endpoint from us
            wcfg = replace(self.base, ctrl_endpoint="", data_endpoint=self.stats.endpoints["data"], index=i,
                           factory=self.worker_factory, fault={})
            proc = _process_context("worker").Process(target=worker_main, args=(wcfg,), name=f"triggeremu-worker-{i}",
                                                      daemon=True)
            proc.start()
            self.workers.append(proc)
        self.t_start = time.monotonic()
        self.work_ep = self._wait_hello()
        self.stats.endpoints["work"] = self.work_ep
        self.told: set[int] = set()
        self._tell_work_endpoint()

    def _tell_work_endpoint(self) -> None:
        """Send the source's work endpoint to every worker that has not got it yet."""
        for ident, w in self.widents.items():
            if w in self.told or w in self.ledger.retired:
                continue
            try:
                self.data.send_multipart([ident, *encode(Header(Kind.READY, self.token, sender=SINK), self.work_ep)],
                                         zmq.NOBLOCK)
                self.told.add(w)
            except zmq.ZMQError:  # not connected yet: next time round
                continue

    def _wait_hello(self) -> str:
        while not self.stop.is_set():
            if self.ctrl.poll(POLL_MS):
                got = self._recv(self.ctrl)
                if got is None:
                    continue
                header, text = got
                if header.kind is Kind.ERROR:
                    self._fail_source(text)
                if header.kind is Kind.READY and text and self.kind.accepts(text, "work"):
                    return text
                if header.kind is not Kind.HEARTBEAT:
                    self._reject("sink/ctrl", "unexpected_kind", f"{header.kind.name} from the source before its hello")
            elif self.source.exitcode is not None:
                code = _exit_text(self.source.exitcode)
                msg = f"the source process (pid {self.source.pid}) died before its first batch ({code})"
                raise TransportError(msg)
            elif time.monotonic() - self.t_start > self.peer_timeout_s + STARTUP_S:
                msg = (f"the source did not start within {self.peer_timeout_s + STARTUP_S:g} s "
                       f"(peer_timeout_s={self.peer_timeout_s:g} + {STARTUP_S:g} s to start)")
                raise TransportError(msg)
        raise TransportError("the run was stopped")

    # -- receiving ---------------------------------------------------------------
    def _reject(self, endpoint: str, kind: str, reason: str) -> None:
        if self.rejects.total == 0:
            _log.warning("triggeremu transport: rejected a message on %s: %s", endpoint, reason)
        self.rejects.add(endpoint, kind, reason)

    def _recv(self, sock: zmq.Socket):
        frames = sock.recv_multipart(copy=False)
        ep = "sink/ctrl" if sock is self.ctrl else "sink/data"
        ident = frames[0].bytes
        try:
            header, body = decode(frames[1:], token=self.token)
        except TransportError as err:
            self._reject(ep, reject_kind(err), str(err))
            return None
        if header.stream != self.base.stream:
            self._reject(ep, "foreign_stream", f"{header.kind.name} for stream {header.stream}")
            return None
        if sock is self.ctrl:
            if header.sender != SOURCE or ident != self.src_ident:
                self._reject(ep, "unknown_sender", f"{header.kind.name} on the source channel from {ident[:24]!r}")
                return None
            self.clock_heard["source"] = time.monotonic()
            if header.kind is Kind.SENT or header.flags & FLAG_WARM and header.kind is Kind.HEARTBEAT:
                self.warm.add("source")
        else:
            if self.widents.get(ident) != header.sender:
                self._reject(ep, "unknown_sender", f"{header.kind.name} from {ident[:24]!r} (sender {header.sender})")
                return None
            if header.sender in self.ledger.retired and header.kind is not Kind.DATA:
                self._reject(ep, "retired_worker", f"{header.kind.name} from retired worker {header.sender}")
                self._ack(self.data, ident)  # it came back: tell it to stop
                return None
            self.clock_heard[header.sender] = time.monotonic()
            if header.kind is Kind.DATA or header.flags & FLAG_WARM and header.kind is Kind.HEARTBEAT:
                self.warm.add(header.sender)
            self.stats.bytes_received += sum(len(f) for f in frames[1:])
        return header, body

    def _handle(self, sock: zmq.Socket) -> None:
        got = self._recv(sock)
        if got is None:
            return
        header, body = got
        kind, led = header.kind, self.ledger
        if sock is self.ctrl:
            if kind is Kind.SENT and 0 <= header.worker < self.n_workers:
                if header.flags & FLAG_REDISPATCH:
                    self.stats.redispatched.append({**_note_dict(header), "from_worker": header.prev_worker,
                                                    "to_worker": header.worker})
                self._resend(led.on_sent(header), "a later batch of the same worker arrived first")
            elif kind is Kind.END:
                led.on_source_end(header)
            elif kind is Kind.HEARTBEAT:
                self._child_rejects("source", body)
            elif kind is Kind.RETIRE:
                self._retire(header.worker, self._died(header.worker) or f"the source: {body}")
            elif kind is Kind.ERROR:
                self._fail_source(body)
            else:
                self._reject("sink/ctrl", "unexpected_kind", f"{kind.name} from the source")
            return
        w = header.sender
        if kind is Kind.DATA:
            before = len(led.duplicates)
            self._resend(led.on_data(header, body), "a later batch of the same worker arrived first")
            if len(led.duplicates) > before:
                self.stats.duplicates.append({"seq": header.seq, "worker": w})
            self.stats.per_worker[w] += 1
            self.stats.reorder_high_water = max(self.stats.reorder_high_water, len(led.buffer))
        elif kind is Kind.HEARTBEAT:
            self._child_rejects(f"worker{w}", body)
            if header.flags & FLAG_IDLE:
                self._resend(led.on_idle(w, header.n_events), "the worker never received it")
        elif kind is Kind.ERROR:
            self._ack(self.data, identity(f"w{w}", self.token))
            if header.flags & FLAG_SETUP:
                msg = f"worker {w} could not build its function: {body}"
            else:
                msg = f"worker {w} failed on {header.describe()}: {body}"
            raise TransportError(msg)
        else:
            self._reject("sink/data", "unexpected_kind", f"{kind.name} from worker {w}")

    def _child_rejects(self, who: str, body: str | None) -> None:
        if not body:
            return
        try:
            d = json.loads(body)
            self.child_rejects[who] = {str(ep): {str(k): int(v) for k, v in c.items()}
                                       for ep, c in d.get("rejected", {}).items()}
            self.child_examples[who] = [str(x) for x in d.get("examples", [])][:10]
        except (ValueError, TypeError, AttributeError):
            self._reject("sink/data" if who != "source" else "sink/ctrl", "malformed",
                         f"heartbeat of {who} with a body that is not a rejection table")

    def _resend(self, seqs: list[int], why: str) -> None:
        for s in seqs:
            note = self.ledger.notes.get(s)
            self.stats.resent.append({"seq": s, "reason": why, **({"worker": note.worker} if note else {})})
            self._say(Header(Kind.RESEND, self.token, seq=s, sender=SINK), why)

    def _retire(self, w: int, reason: str) -> None:
        if w in self.ledger.retired or not 0 <= w < self.n_workers:
            return
        held = self.ledger.retire(w)
        pid = self.workers[w].pid if w < len(self.workers) else None
        fault = {"worker": w, "pid": pid, "reason": reason, "seqs": [h.seq for h in held]}
        if held:
            fault["orbits"] = [min(h.first_orbit for h in held), max(h.last_orbit for h in held)]
            fault["events"] = sum(h.n_events for h in held)
        self.stats.worker_faults.append(fault)
        _log.warning("triggeremu transport: worker %d retired (%s); its batches %s go to another worker",
                     w, reason, fault["seqs"])
        self._say(Header(Kind.RETIRE, self.token, sender=SINK, worker=w), reason)
        self._ack(self.data, identity(f"w{w}", self.token))  # if it comes back, it stops
        if not self.ledger.live_workers():
            lines = "; ".join(f"worker {f['worker']}: {f['reason']} (held seqs {f['seqs']})"
                              for f in self.stats.worker_faults)
            msg = f"no worker left, the run cannot go on: {lines}"
            raise TransportError(msg)

    def _died(self, w: int) -> str | None:
        """Why worker ``w``'s process ended, if it has."""
        if not 0 <= w < len(self.workers):
            return None
        proc = self.workers[w]
        if proc.exitcode is None:
            time.sleep(0.05)  # a process the source just lost the connection to is being reaped
        if proc.exitcode is None:
            return None
        return f"process (pid {proc.pid}) died ({_exit_text(proc.exitcode)})"

    def _fail_source(self, text: str | None) -> None:
        self._ack(self.ctrl, self.src_ident)
        raise TransportError(str(text))

    def _say(self, header: Header, text: str | None = None) -> None:
        with contextlib.suppress(zmq.ZMQError):
            self.ctrl.send_multipart([self.src_ident, *encode(header, text)], zmq.NOBLOCK)

    def _ack(self, sock: zmq.Socket, ident: bytes) -> None:
        with contextlib.suppress(zmq.ZMQError):  # a peer already gone needs no acknowledgement
            sock.send_multipart([ident, *encode(Header(Kind.ACK, self.token, sender=SINK))], zmq.NOBLOCK)

    # -- liveness ----------------------------------------------------------------
    def _silent(self, peer) -> float:
        """Seconds since the peer's last valid message, less the startup allowance
        (STARTUP_S) while the peer has not said it is warm (see transport_worker._Clock)."""
        silent = time.monotonic() - self.clock_heard.get(peer, self.t_start)
        return silent - (0.0 if peer in self.warm else STARTUP_S)

    def _check_alive(self) -> None:
        for i, proc in enumerate(self.workers):
            if i in self.ledger.retired:
                continue
            if proc.exitcode is not None:
                self._drain(0.2)  # an ERROR it sent before dying wins
                self._retire(i, f"process (pid {proc.pid}) died ({_exit_text(proc.exitcode)})")
            elif self._silent(i) > self.peer_timeout_s:
                quiet = time.monotonic() - self.clock_heard.get(i, self.t_start)
                self._retire(i, f"silent for {quiet:.1f} s (peer_timeout_s={self.peer_timeout_s:g})")
        if self.source.exitcode is not None and not self.finished:
            self._drain(0.2)
            msg = (f"the source process (pid {self.source.pid}) died ({_exit_text(self.source.exitcode)}) after "
                   f"announcing {self.ledger.announced_batches} batch(es)")
            if self.ledger.totals is None or not self.ledger.complete:
                raise TransportError(msg)
        elif self._silent("source") > self.peer_timeout_s and not self.finished:
            quiet = time.monotonic() - self.clock_heard.get("source", self.t_start)
            msg = (f"the source (pid {self.source.pid}) has been silent for {quiet:.1f} s "
                   f"(peer_timeout_s={self.peer_timeout_s:g}); frozen or stuck")
            raise TransportError(msg)

    def _drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        poller = self._poller()
        while time.monotonic() < deadline:
            for sock, _ in poller.poll(POLL_MS):
                if sock in self.monitors:
                    self._monitor(sock)
                else:
                    self._handle(sock)

    def _poller(self) -> zmq.Poller:
        poller = zmq.Poller()
        for s in (self.ctrl, self.data, *self.monitors):
            poller.register(s, zmq.POLLIN)
        return poller

    def _monitor(self, mon: zmq.Socket) -> None:
        while mon.poll(0):
            event = recv_monitor_message(mon)
            if event["event"] == zmq.EVENT_DISCONNECTED and not self.finished:
                ep = self.monitors[mon]
                self.stats.disconnects[ep] = self.stats.disconnects.get(ep, 0) + 1

    def _heartbeat(self) -> None:
        now = time.monotonic()
        if now - self.last_beat < self.heartbeat_s:
            return
        self.last_beat = now
        warm = FLAG_WARM if self.consumer_warm else 0
        self._say(Header(Kind.HEARTBEAT, self.token, sender=SINK, flags=warm))
        flags = (int(self.stats.worker_flags) & 0x7F) | warm
        for ident, w in self.widents.items():
            if w not in self.ledger.retired:
                with contextlib.suppress(zmq.ZMQError):
                    self.data.send_multipart([ident, *encode(Header(Kind.HEARTBEAT, self.token, sender=SINK,
                                                                    flags=flags))], zmq.NOBLOCK)

    # -- the I/O thread ----------------------------------------------------------
    def _io(self) -> None:
        try:
            self._start()
            poller = self._poller()
            led = self.ledger
            checked = 0.0
            while not self.stop.is_set():
                for sock, _ in poller.poll(POLL_MS):
                    if sock in self.monitors:
                        self._monitor(sock)
                        continue
                    for _ in range(64):  # drain a burst before looking at the clock again
                        self._handle(sock)
                        if not sock.poll(0):
                            break
                if len(self.told) < self.n_workers:
                    self._tell_work_endpoint()
                self.ready.extend(led.pop_ready())
                self._hand_over()
                if self.consumed != self.sent_progress:
                    self.sent_progress = self.consumed
                    self._say(Header(Kind.PROGRESS, self.token, seq=self.consumed, sender=SINK))
                self._heartbeat()
                now = time.monotonic()
                if now - checked > 0.1:
                    checked = now
                    self._check_alive()
                if led.complete and not self.ready and not self.finished:
                    self.finished = True
                    self._finish()
                    return
        except BaseException as err:  # noqa: BLE001 - handed to the consumer
            self.error = err
        finally:
            self._record_pending()
            self._close()

    def _hand_over(self) -> None:
        while self.ready:
            try:
                self.handoff.put_nowait(self.ready[0])
            except queue.Full:
                return
            self.ready.pop(0)

    def _finish(self) -> None:
        for ident in self.widents:
            self._ack(self.data, ident)
        self._ack(self.ctrl, self.src_ident)
        self.clean = True
        problems = self.ledger.problems()
        if problems:
            led = self.ledger
            err = StreamIntegrityError(
                f"stream integrity check failed ({led.delivered_batches} of {led.totals.total_batches} batches, "
                f"{led.delivered_events} of {led.totals.total_events} events delivered): " + " | ".join(problems)
            )
            err.lost = led.waiting_for()
            raise err

    def _record_pending(self) -> None:
        led = self.ledger
        st = self.stats
        st.batches_announced, st.events_announced = led.announced_batches, led.announced_events
        rejected = {ep: dict(c) for ep, c in self.rejects.counts.items()}
        for table in self.child_rejects.values():
            for ep, kinds in table.items():
                slot = rejected.setdefault(ep, {})
                for k, v in kinds.items():
                    slot[k] = slot.get(k, 0) + v
        st.rejected = rejected
        st.rejected_examples = (self.rejects.examples + [x for v in self.child_examples.values() for x in v])[:20]

    def pending_notes(self) -> list[dict[str, int]]:
        """Announced batches the consumer has not finished: undelivered, queued or in hand."""
        notes = [self.in_hand] if self.in_hand is not None else []
        notes += [n for n, _ in list(self.handoff.queue)] + [n for n, _ in self.ready]
        notes += [self.ledger.notes[s] for s in sorted(self.ledger.notes)]
        seen, out = set(), []
        for n in notes:
            if n is not None and n.seq not in seen:
                seen.add(n.seq)
                out.append(_note_dict(n))
        return sorted(out, key=lambda d: d["seq"])

    # -- the consumer's side -----------------------------------------------------
    def iterate(self) -> Iterator[pa.RecordBatch]:
        io = threading.Thread(target=self._io, name="triggeremu-sink-io", daemon=True)
        io.start()
        try:
            while True:
                try:
                    note, batch = self.handoff.get(timeout=0.05)
                except queue.Empty:
                    if not io.is_alive() and self.handoff.empty():
                        if self.error is not None:
                            raise self.error
                        return
                    continue
                self.in_hand = note
                self.stats.batches += 1
                self.stats.events += batch.num_rows
                yield batch
                self.consumer_warm = True
                self.in_hand = None
                self.consumed = note.seq + 1 if note is not None else self.consumed + 1
        finally:
            self.stop.set()
            io.join(_JOIN_S + 2 * len(self.workers) * _JOIN_S)
            self.stats.undelivered = self.pending_notes()

    def _close(self) -> None:
        procs = [p for p in (self.source, *self.workers) if p is not None]
        if self.clean:  # every child was sent its ACK: keep the sockets open until they have it and exit
            deadline = time.monotonic() + _JOIN_S
            for proc in procs:
                proc.join(max(0.0, deadline - time.monotonic()))
        for sock in (self.ctrl, self.data, *self.monitors):
            if sock is not None:
                sock.close(linger=0)
        for proc in procs:
            if proc.is_alive():
                proc.kill()  # SIGKILL also ends a stopped (SIGSTOP) process
                proc.join(_JOIN_S)
        if self.ctx is not None:
            self.ctx.term()
        if self.kind is not None:
            self.kind.close()
