"""The two child-process roles of :mod:`streams.transport`: the source and a worker.

Both are module-level functions started with the multiprocessing ``spawn`` context
and given one picklable :class:`ProcessConfig` (the factories are pickled to *start*
the process; nothing read from a socket is ever unpickled, see :mod:`streams.wire`).

Topology (the sink, in the parent process, binds ``ctrl`` and ``data``)::

    source ROUTER (binds "work") <-- DEALER worker i --> DEALER to sink ROUTER "data"
    source DEALER --> sink ROUTER "ctrl"   (hello, SENT notes, END totals, ERROR; <- ACK)

- Credits: each worker sends ``credits`` READY messages at start and one after each
  batch it finished; the source gives a batch only to a worker holding a credit, so
  work follows readiness, not round-robin (DESIGN.md section 2, "Wire" (c)).
- Before each batch the source tells the sink which worker got it (a SENT note), so
  the sink can name the batches a dead worker held and spot a lost batch exactly.
- End of stream: the source sends END to every worker (after their queued batches),
  then END with totals to the sink, and waits for the sink's ACK before it exits;
  each worker forwards END to the sink after its last result and waits for its ACK
  too (a sender that exits right after its last send can lose its tail over ipc://,
  libzmq#4660, DESIGN.md "Wire" (a)).
- Every wait is a poll with a short slice; a child whose parent died exits.
"""

from __future__ import annotations

import multiprocessing
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import zmq

from streams.errors import TransportError
from streams.wire import SOURCE, Header, Kind, data_header, decode, encode, encode_batch

__all__ = ["ProcessConfig", "source_main", "worker_main", "identity", "POLL_MS"]

#: poll slice in milliseconds: how often a waiting process checks its peers are alive
POLL_MS = 50


@dataclass(frozen=True)
class ProcessConfig:
    """Everything a child process needs; picklable (factories must be module-level)."""

    token: bytes
    ctrl_endpoint: str
    work_endpoint: str  # an ipc:// path, or "tcp://127.0.0.1" to bind a random port
    n_workers: int
    credits: int
    timeout_s: float
    factory: Callable[[], Any]
    data_endpoint: str = ""
    hwm_msgs: int = 2
    index: int = -1
    fault: dict = field(default_factory=dict)
    stream: int = 0


class _ParentGone(Exception):
    """The parent (the sink) is gone: exit quietly, nobody is listening."""


def identity(role: str, token: bytes) -> bytes:
    """Routing id of a process: role plus part of the run token (never clashes across runs)."""
    return f"{role}-{token.hex()[:12]}".encode()


def _parent_alive() -> bool:
    parent = multiprocessing.parent_process()
    return parent is None or parent.is_alive()


def _socket(ctx: zmq.Context, kind: int, *, ident: bytes | None = None, hwm: int | None = None) -> zmq.Socket:
    sock = ctx.socket(kind)
    sock.setsockopt(zmq.LINGER, 0)
    if ident is not None:
        sock.setsockopt(zmq.IDENTITY, ident)
    if hwm is not None:
        sock.setsockopt(zmq.SNDHWM, hwm)
        sock.setsockopt(zmq.RCVHWM, hwm)
    return sock


def _send(sock: zmq.Socket, frames: list) -> None:
    """Blocking send (lossless back-pressure) that still notices a dead parent."""
    while not sock.poll(POLL_MS, zmq.POLLOUT):
        if not _parent_alive():
            raise _ParentGone
    sock.send_multipart(frames, copy=False)


def _wait_ack(sock: zmq.Socket, token: bytes) -> None:
    """Wait for the sink's ACK; the sink always acks or terminates us, so no deadline
    (a sender that exits before the ACK can lose its tail over ipc://, libzmq#4660)."""
    while True:
        if sock.poll(POLL_MS):
            try:
                header, _ = decode(sock.recv_multipart(copy=False), token=token)
            except TransportError:
                continue
            if header.kind is Kind.ACK:
                return
        elif not _parent_alive():
            raise _ParentGone


def _error_text(err: BaseException) -> str:
    tb = traceback.format_exception(err)
    return f"{type(err).__name__}: {err}\n{''.join(tb[-6:])}"


# -- the source ------------------------------------------------------------------
class _Source:
    def __init__(self, cfg: ProcessConfig, ctx: zmq.Context) -> None:
        self.cfg = cfg
        self.ctrl = _socket(ctx, zmq.DEALER, ident=identity("src", cfg.token))
        self.ctrl.connect(cfg.ctrl_endpoint)
        self.work: zmq.Socket | None = None
        self.ctx = ctx
        self.credits: deque[bytes] = deque()
        self.workers: dict[bytes, int] = {}
        self.rejected = 0

    def hello(self, size_hint: int) -> None:
        # the ROUTER queue toward a worker never holds more than its credits + END
        work = _socket(self.ctx, zmq.ROUTER, hwm=self.cfg.credits + 2)
        work.setsockopt(zmq.ROUTER_MANDATORY, 1)
        if self.cfg.work_endpoint.startswith("tcp://"):
            port = work.bind_to_random_port(self.cfg.work_endpoint)
            endpoint = f"{self.cfg.work_endpoint}:{port}"
        else:
            work.bind(self.cfg.work_endpoint)
            endpoint = self.cfg.work_endpoint
        self.work = work
        _send(self.ctrl, encode(Header(Kind.READY, self.cfg.token), f"{endpoint}\n{size_hint}"))

    def _take_messages(self) -> None:
        while self.work.poll(0):
            frames = self.work.recv_multipart(copy=False)
            ident = frames[0].bytes
            try:
                header, _ = decode(frames[1:], token=self.cfg.token)
            except TransportError:
                self.rejected += 1
                continue
            if header.kind is not Kind.READY or not 0 <= header.sender < self.cfg.n_workers:
                self.rejected += 1
                continue
            self.workers[ident] = header.sender
            self.credits.append(ident)

    def _wait(self, ready: Callable[[], bool]) -> None:
        while True:
            self._take_messages()
            if ready():
                return
            if not self.work.poll(POLL_MS) and not _parent_alive():
                raise _ParentGone

    def credit(self) -> bytes:
        self._wait(lambda: bool(self.credits))
        return self.credits[0]

    def send(self, seq: int, frames: list, header: Header, *, deliver: bool = True) -> None:
        ident = self.credit()
        note = Header(
            Kind.SENT, self.cfg.token, seq=seq, stream=self.cfg.stream, first_orbit=header.first_orbit,
            last_orbit=header.last_orbit, n_events=header.n_events, worker=self.workers[ident],
        )
        _send(self.ctrl, encode(note))
        if not deliver:  # fault hook: the batch is "lost in transit"; the worker keeps its credit
            return
        self.credits.popleft()
        try:
            self.work.send_multipart([ident, *frames], copy=False)
        except zmq.ZMQError as err:
            if err.errno != zmq.EHOSTUNREACH:
                raise
            # the worker is gone; the sink sees its process die and names this batch
            self.credits = deque(c for c in self.credits if c != ident)

    def finish(self, n_batches: int, n_events: int) -> None:
        self._wait(lambda: len(self.workers) == self.cfg.n_workers)
        for ident in self.workers:
            try:
                self.work.send_multipart([ident, *encode(Header(Kind.END, self.cfg.token, sender=SOURCE))])
            except zmq.ZMQError as err:  # a dead worker: the sink sees its process and reports it
                if err.errno != zmq.EHOSTUNREACH:
                    raise
        end = Header(
            Kind.END, self.cfg.token, seq=n_batches, stream=self.cfg.stream, total_batches=n_batches,
            total_events=n_events, rejected=self.rejected,
        )
        _send(self.ctrl, encode(end))
        _wait_ack(self.ctrl, self.cfg.token)

    def fail(self, seq: int, err: BaseException) -> None:
        text = f"the source failed at batch seq {seq}: {_error_text(err)}"
        _send(self.ctrl, encode(Header(Kind.ERROR, self.cfg.token, seq=seq), text))
        _wait_ack(self.ctrl, self.cfg.token)

    def close(self) -> None:
        for sock in (self.ctrl, self.work):
            if sock is not None:
                sock.close(linger=0)


def _check_batch(obj: Any, seq: int) -> pa.RecordBatch:
    if not isinstance(obj, pa.RecordBatch):
        hint = " (a Table: yield table.to_batches() instead)" if isinstance(obj, pa.Table) else ""
        msg = f"the source yielded a {type(obj).__name__} as batch seq {seq}; it must yield pyarrow.RecordBatch{hint}"
        raise TypeError(msg)
    return obj


def source_main(cfg: ProcessConfig) -> int:
    """Entry point of the source process: read batches, hand them out by credit."""
    ctx = zmq.Context()
    src = _Source(cfg, ctx)
    seq, n_events, said_hello = 0, 0, False
    drop, dup = cfg.fault.get("drop_seq"), cfg.fault.get("duplicate_seq")
    try:
        try:
            batches = iter(cfg.factory())
            for obj in batches:
                batch = _check_batch(obj, seq)
                header = data_header(batch, token=cfg.token, seq=seq, stream=cfg.stream)
                frames = encode_batch(header, batch)
                if not said_hello:
                    src.hello(frames[1].size)
                    said_hello = True
                src.send(seq, frames, header, deliver=seq != drop)
                if seq == dup:
                    src.send(seq, frames, header)
                seq += 1
                n_events += batch.num_rows
            if not said_hello:
                src.hello(1 << 20)
        except (_ParentGone, KeyboardInterrupt):
            raise
        except Exception as err:  # reported to the sink as text, re-raised there
            src.fail(seq, err)
            return 1
        src.finish(seq, n_events)
        return 0
    except (_ParentGone, KeyboardInterrupt):
        return 3
    finally:
        src.close()
        ctx.term()


# -- a worker --------------------------------------------------------------------
def worker_main(cfg: ProcessConfig) -> int:
    """Entry point of worker ``cfg.index``: apply the worker function to each batch."""
    ctx = zmq.Context()
    ident = identity(f"w{cfg.index}", cfg.token)
    work = _socket(ctx, zmq.DEALER, ident=ident)
    out = _socket(ctx, zmq.DEALER, ident=ident, hwm=cfg.hwm_msgs)
    work.connect(cfg.work_endpoint)
    out.connect(cfg.data_endpoint)
    rejected = 0
    me = cfg.index
    current = Header(Kind.DATA, cfg.token, sender=me)
    try:
        try:
            fn = cfg.factory()
            if not callable(fn):
                msg = f"worker_factory() returned a {type(fn).__name__}; it must return a function RecordBatch -> RecordBatch"
                raise TypeError(msg)
            _send(out, encode(Header(Kind.READY, cfg.token, sender=me)))  # "up": the sink starts its clock
            for _ in range(cfg.credits):
                _send(work, encode(Header(Kind.READY, cfg.token, sender=me)))
            while True:
                while not work.poll(POLL_MS):
                    if not _parent_alive():
                        raise _ParentGone
                try:
                    header, batch = decode(work.recv_multipart(copy=False), token=cfg.token)
                except TransportError:
                    rejected += 1
                    continue
                if header.kind is Kind.END:
                    _send(out, encode(Header(Kind.END, cfg.token, sender=me, rejected=rejected)))
                    _wait_ack(out, cfg.token)
                    return 0
                if header.kind is not Kind.DATA:
                    rejected += 1
                    continue
                current = header
                result = _apply(fn, batch, header)
                _send(out, encode_batch(data_header(result, token=cfg.token, seq=header.seq, sender=me), result))
                _send(work, encode(Header(Kind.READY, cfg.token, seq=header.seq, sender=me)))
        except (_ParentGone, KeyboardInterrupt):
            raise
        except Exception as err:  # reported to the sink as text, re-raised there
            err_header = Header(
                Kind.ERROR, cfg.token, seq=current.seq, sender=me, first_orbit=current.first_orbit,
                last_orbit=current.last_orbit, n_events=current.n_events,
            )
            _send(out, encode(err_header, _error_text(err)))
            _wait_ack(out, cfg.token)
            return 1
    except (_ParentGone, KeyboardInterrupt):
        return 3
    finally:
        work.close(linger=0)
        out.close(linger=0)
        ctx.term()


def _apply(fn: Callable, batch: pa.RecordBatch, header: Header) -> pa.RecordBatch:
    result = fn(batch)
    if not isinstance(result, pa.RecordBatch):
        msg = f"the worker function returned a {type(result).__name__} for {header.describe()}; it must return a RecordBatch"
        raise TypeError(msg)
    if result.num_rows != batch.num_rows:
        msg = (
            f"the worker function returned {result.num_rows} rows for {header.describe()}; it must keep every "
            "event (add output columns, do not filter)"
        )
        raise ValueError(msg)
    return result
