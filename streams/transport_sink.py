"""The sink side of :func:`streams.transport.run_distributed`: sockets, processes, loop.

:class:`SinkRun` runs in the calling process. It binds two ROUTER sockets (``ctrl``
for the source, ``data`` for the workers) on ``ipc://`` paths in a private temp
directory or on random ``tcp://127.0.0.1`` ports, spawns the source process and,
once the source has announced its work endpoint and the size of its first message,
the workers (roles in :mod:`streams.transport_worker`). It validates every message
(:mod:`streams.wire`, run token included), feeds the :class:`Ledger` of
:mod:`streams.transport_ledger`, yields batches in sequence order, watches the child
processes between polls, acknowledges the END messages, and on every path closes
its sockets, stops and joins the children and removes the temp directory.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import secrets
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa
import zmq

from streams.errors import StreamIntegrityError, TransportError
from streams.transport_ledger import Ledger
from streams.transport_worker import POLL_MS, ProcessConfig, source_main, worker_main
from streams.wire import SINK, SOURCE, Header, Kind, decode, encode

__all__ = ["SinkRun", "TransportStats"]

_JOIN_S = 5.0
#: extra seconds allowed, on top of timeout_s, for starting the processes (spawn, imports)
_STARTUP_S = 20.0
_log = logging.getLogger("streams.transport")


@dataclass
class TransportStats:
    """Filled in while a run goes; pass one to :func:`run_distributed` to read it."""

    endpoints: dict[str, str] = field(default_factory=dict)
    batches: int = 0
    events: int = 0
    bytes_received: int = 0
    per_worker: list[int] = field(default_factory=list)
    rejected: int = 0
    source_rejected: int = 0
    worker_rejected: int = 0
    rejected_reasons: list[str] = field(default_factory=list)
    hwm_msgs: int = 0
    first_message_bytes: int = 0


def _exit_text(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class SinkRun:
    """One distributed run: sockets, child processes, the sink loop."""

    def __init__(self, source_factory, worker_factory, n_workers, transport, credits, timeout_s, hwm_bytes, fault, stats):
        self.n_workers = n_workers
        self.timeout_s = float(timeout_s)
        self.hwm_bytes = hwm_bytes
        self.stats = stats
        self.token = secrets.token_bytes(16)
        self.transport = transport
        self.base = ProcessConfig(
            token=self.token, ctrl_endpoint="", work_endpoint="", n_workers=n_workers, credits=credits,
            timeout_s=self.timeout_s, factory=source_factory, fault=fault,
        )
        self.worker_factory = worker_factory
        self.ctx: zmq.Context | None = None
        self.tmpdir: str | None = None
        self.ctrl: zmq.Socket | None = None
        self.data: zmq.Socket | None = None
        self.source: multiprocessing.process.BaseProcess | None = None
        self.workers: list[multiprocessing.process.BaseProcess] = []
        self.idents: dict[int, bytes] = {}
        self.src_ident: bytes | None = None
        self.ledger = Ledger(n_workers)
        self.clean = False
        self.up: set[int] = set()

    # -- setup -------------------------------------------------------------------
    def _bind(self, name: str, *, hwm: int | None = None) -> tuple[zmq.Socket, str]:
        sock = self.ctx.socket(zmq.ROUTER)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.ROUTER_MANDATORY, 1)
        if hwm is not None:
            sock.setsockopt(zmq.RCVHWM, hwm)
        if self.transport == "tcp":
            endpoint = f"tcp://127.0.0.1:{sock.bind_to_random_port('tcp://127.0.0.1')}"
        else:
            endpoint = f"ipc://{Path(self.tmpdir) / name}"
            sock.bind(endpoint)
        self.stats.endpoints[name] = endpoint
        return sock, endpoint

    def _start(self) -> None:
        self.ctx = zmq.Context()
        if self.transport == "ipc":
            self.tmpdir = tempfile.mkdtemp(prefix="triggeremu-zmq-")
        self.ctrl, ctrl_ep = self._bind("ctrl")
        work_ep = f"ipc://{Path(self.tmpdir) / 'work'}" if self.transport == "ipc" else "tcp://127.0.0.1"
        spawn = multiprocessing.get_context("spawn")
        cfg = replace(self.base, ctrl_endpoint=ctrl_ep, work_endpoint=work_ep)
        self.source = spawn.Process(target=source_main, args=(cfg,), name="triggeremu-source", daemon=True)
        self.source.start()
        work_ep, size_hint = self._wait_hello()
        self.stats.endpoints["work"] = work_ep
        # worker -> sink queues: (worker SNDHWM + sink RCVHWM) x n_workers messages within hwm_bytes
        hwm = max(2, self.hwm_bytes // (2 * self.n_workers * max(size_hint, 1)))
        self.stats.hwm_msgs, self.stats.first_message_bytes = hwm, size_hint
        self.data, data_ep = self._bind("data", hwm=hwm)
        self.stats.per_worker = [0] * self.n_workers
        for i in range(self.n_workers):
            wcfg = replace(
                self.base, ctrl_endpoint=ctrl_ep, work_endpoint=work_ep, data_endpoint=data_ep, hwm_msgs=hwm,
                index=i, factory=self.worker_factory, fault={},
            )
            proc = spawn.Process(target=worker_main, args=(wcfg,), name=f"triggeremu-worker-{i}", daemon=True)
            proc.start()
            self.workers.append(proc)

    def _wait_hello(self) -> tuple[str, int]:
        since = time.monotonic()
        while True:
            if self.ctrl.poll(POLL_MS):
                got = self._recv(self.ctrl)
                if got is None:
                    continue
                header, text = got
                if header.kind is Kind.ERROR:
                    self._fail_source(header, text)
                if header.kind is Kind.READY and text:
                    endpoint, _, size = text.partition("\n")
                    if _endpoint_ok(endpoint, self.transport, self.tmpdir) and size.isdigit():
                        return endpoint, int(size)
                self._reject(f"unexpected {header.kind.name} from the source before its hello")
            elif self.source.exitcode is not None:
                code = _exit_text(self.source.exitcode)
                msg = f"the source process (pid {self.source.pid}) died before its first batch ({code})"
                raise TransportError(msg)
            elif time.monotonic() - since > self.timeout_s + _STARTUP_S:
                msg = (
                    f"the source sent no first batch within timeout_s={self.timeout_s} s (+{_STARTUP_S} s to start); "
                    "is the source stuck?"
                )
                raise TransportError(msg)

    # -- receiving ---------------------------------------------------------------
    def _reject(self, reason: str) -> None:
        self.stats.rejected += 1
        if len(self.stats.rejected_reasons) < 10:
            self.stats.rejected_reasons.append(reason)
        if self.stats.rejected == 1:
            _log.warning("triggeremu transport: rejected a message: %s", reason)

    def _recv(self, sock: zmq.Socket):
        frames = sock.recv_multipart(copy=False)
        ident = frames[0].bytes
        try:
            header, body = decode(frames[1:], token=self.token)
        except TransportError as err:
            self._reject(str(err))
            return None
        if header.stream != self.base.stream:
            self._reject(f"{header.kind.name} for stream {header.stream}, this run is stream {self.base.stream}")
            return None
        if sock is self.ctrl:
            if header.sender != SOURCE:
                self._reject(f"{header.kind.name} on the source channel from sender {header.sender}")
                return None
            self.src_ident = ident
        else:
            if not 0 <= header.sender < self.n_workers:
                self._reject(f"{header.kind.name} from unknown worker {header.sender}")
                return None
            self.idents[header.sender] = ident
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
                led.on_sent(header)
            elif kind is Kind.END:
                led.on_source_end(header)
                self.stats.source_rejected = header.rejected
            elif kind is Kind.ERROR:
                self._fail_source(header, body)
            else:
                self._reject(f"unexpected {kind.name} from the source")
        elif kind is Kind.DATA:
            led.on_data(header, body)
            self.stats.per_worker[header.sender] += 1
        elif kind is Kind.READY:
            self.up.add(header.sender)
        elif kind is Kind.END:
            led.on_worker_end(header.sender)
            self.stats.worker_rejected += header.rejected
        elif kind is Kind.ERROR:
            self._ack(self.data, self.idents[header.sender])
            msg = f"worker {header.sender} failed on {header.describe()}: {body}"
            raise TransportError(msg)
        else:
            self._reject(f"unexpected {kind.name} from worker {header.sender}")

    def _fail_source(self, header: Header, text: str | None) -> None:
        if self.src_ident is not None:
            self._ack(self.ctrl, self.src_ident)
        raise TransportError(str(text))

    def _ack(self, sock: zmq.Socket, ident: bytes) -> None:
        with contextlib.suppress(zmq.ZMQError):  # a peer already gone needs no acknowledgement
            sock.send_multipart([ident, *encode(Header(Kind.ACK, self.token, sender=SINK))], zmq.NOBLOCK)

    def _drain(self, seconds: float) -> None:
        """Handle whatever is in flight for a while (e.g. a dying worker's ERROR)."""
        deadline = time.monotonic() + seconds
        poller = self._poller()
        while time.monotonic() < deadline:
            for sock, _ in poller.poll(POLL_MS):
                self._handle(sock)

    def _poller(self) -> zmq.Poller:
        poller = zmq.Poller()
        poller.register(self.ctrl, zmq.POLLIN)
        poller.register(self.data, zmq.POLLIN)
        return poller

    # -- liveness ----------------------------------------------------------------
    def _check_alive(self) -> None:
        for i, proc in enumerate(self.workers):
            if proc.exitcode is not None and i not in self.ledger.workers_done:
                self._drain(0.3)  # an ERROR message it sent before dying wins
                held = self.ledger.held_by(i)
                what = "; ".join(f"{h.describe()}" for h in held) if held else "no batch"
                msg = (
                    f"worker {i} (pid {proc.pid}) died ({_exit_text(proc.exitcode)}) while holding {what}; "
                    "the run is stopped"
                )
                raise TransportError(msg)
        if self.source.exitcode is not None and self.ledger.totals is None:
            self._drain(0.3)
            msg = (
                f"the source process (pid {self.source.pid}) died ({_exit_text(self.source.exitcode)}) before "
                f"the end of the stream, after announcing {self.ledger.next_seq + len(self.ledger.notes)} batch(es)"
            )
            raise TransportError(msg)

    def _timeout_error(self) -> TransportError:
        if len(self.up) < self.n_workers:
            missing = sorted(set(range(self.n_workers)) - self.up)
            msg = f"worker(s) {missing} did not start within timeout_s={self.timeout_s} s (+{_STARTUP_S} s to start)"
            return TransportError(msg)
        waiting = self.ledger.waiting_for()
        where = {i: [h.seq for h in self.ledger.held_by(i)] for i in range(self.n_workers)}
        msg = (
            f"no message from the source or any worker for timeout_s={self.timeout_s} s; waiting for batch seq(s) "
            f"{waiting[:20]}, held by workers {where}; source ended: {self.ledger.totals is not None}, workers "
            f"ended: {sorted(self.ledger.workers_done)}. A worker function slower than timeout_s per batch needs a "
            "larger timeout_s"
        )
        return TransportError(msg)

    # -- the sink loop -----------------------------------------------------------
    def iterate(self) -> Iterator[pa.RecordBatch]:
        try:
            self._start()
            poller = self._poller()
            led = self.ledger
            last = checked = time.monotonic()
            while not led.all_ended:
                for batch in led.pop_ready():
                    self._count(batch)
                    yield batch
                    last = time.monotonic()
                events = poller.poll(POLL_MS)
                for sock, _ in events:
                    for _ in range(64):  # drain a burst before looking at the clock again
                        self._handle(sock)
                        if not sock.poll(0):
                            break
                now = time.monotonic()
                limit = self.timeout_s + (0 if len(self.up) == self.n_workers else _STARTUP_S)
                if events:
                    last = now
                elif now - last > limit:
                    raise self._timeout_error()
                if not events or now - checked > POLL_MS / 1000:
                    self._check_alive()
                    checked = now
            led.finalize()
            for ident in self.idents.values():
                self._ack(self.data, ident)
            self._ack(self.ctrl, self.src_ident)
            self.clean = True
            for batch in led.pop_ready():
                self._count(batch)
                yield batch
            problems = led.problems()
            if problems:
                err = StreamIntegrityError(
                    f"stream integrity check failed ({led.delivered_batches} of {led.totals.total_batches} batches, "
                    f"{led.delivered_events} of {led.totals.total_events} events delivered): " + " | ".join(problems)
                )
                err.lost = sorted(led.lost)
                err.duplicated = sorted(h.seq for h in led.duplicates)
                raise err
        finally:
            self._close()

    def _count(self, batch: pa.RecordBatch) -> None:
        self.stats.batches += 1
        self.stats.events += batch.num_rows

    def _close(self) -> None:
        procs = [p for p in (self.source, *self.workers) if p is not None]
        if self.clean:  # every child was sent its ACK: keep the sockets open until they have it and exit
            deadline = time.monotonic() + _JOIN_S
            for proc in procs:
                proc.join(max(0.0, deadline - time.monotonic()))
        for sock in (self.ctrl, self.data):
            if sock is not None:
                sock.close(linger=0)
        for proc in procs:
            for stop in (proc.terminate, proc.kill):
                if proc.is_alive():
                    stop()
                    proc.join(_JOIN_S)
        if self.ctx is not None:
            self.ctx.term()
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)


def _endpoint_ok(endpoint: str, transport: str, tmpdir: str | None) -> bool:
    if transport == "tcp":
        prefix = "tcp://127.0.0.1:"
        return endpoint.startswith(prefix) and endpoint[len(prefix):].isdigit()
    return endpoint == f"ipc://{Path(tmpdir) / 'work'}"
