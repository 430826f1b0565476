"""Source -> N worker processes -> sink over ZeroMQ on 127.0.0.1: :func:`run_distributed`.

This module is the public entry point; the parts live beside it:

- :mod:`streams.wire` -- the message format (header frame + Arrow IPC or task body);
- :mod:`streams.transport_endpoints` -- where sockets bind (ipc, tcp loopback) and
  the per-socket limits;
- :mod:`streams.transport_worker` -- the source and worker child processes;
- :mod:`streams.transport_sink` -- the sink in the calling process (sockets, process
  monitoring, liveness, the I/O thread);
- :mod:`streams.transport_ledger` -- reorder buffer, loss/duplicate accounting.

Work goes to workers by credits (readiness), not round-robin. Every header carries a
fresh 16-byte run token; messages with another token, a wrong routing identity or an
unexpected kind are rejected and counted by endpoint and kind (docs/design.md
"Wire" (b)), and never count as liveness. Outputs are yielded in sequence order.

Holding up (docs/design.md "Scale"): memory is bounded by the batches in flight, never
by the events of the run. The source dispatches at most ``reorder_buffer_batches``
beyond the last batch the consumer took (the consumer's pace is real back-pressure,
down to the source), and every socket refuses messages above ``max_message_bytes``
(control sockets: a few hundred KiB). Every process heartbeats its peers every
``heartbeat_s``; a peer silent for ``peer_timeout_s`` is dead (a slow worker function
is not: the worker computes on its own thread and keeps heartbeating). The batches a
dead or frozen worker held are sent to a live worker (workers are stateless maps), a
duplicate answer is dropped by sequence number, and the run ends with
:class:`~streams.errors.TransportError` only when no worker is left, or when the
source fails, dies or falls silent. :class:`TransportStats` records every rejection,
worker fault and re-dispatch. All child processes are stopped and joined and the
temp directory removed on every path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pyarrow as pa

from streams.transport_endpoints import TRANSPORTS
from streams.transport_sink import SinkRun, TransportStats
from streams.wire import Task

__all__ = ["run_distributed", "TransportStats", "TRANSPORTS", "FAULTS", "Task", "default_window", "preload"]

#: test hooks: the source skips sending batch ``drop_seq`` the first time (still
#: announcing it), or sends batch ``duplicate_seq`` twice
FAULTS = ("drop_seq", "duplicate_seq")
#: default maximum size of one data message (a batch or a result)
DEFAULT_MAX_MESSAGE_BYTES = 256 << 20


def preload(*modules: str) -> None:
    """Modules the children's fork server should import once (what the factories use):
    effective until the fork server has started, i.e. call before the first run."""
    from streams.transport_sink import FORKSERVER_PRELOAD

    FORKSERVER_PRELOAD.extend(m for m in modules if m not in FORKSERVER_PRELOAD)


def default_window(n_workers: int, credits: int) -> int:
    """The default reorder-buffer bound: 4 x workers x credits batches, at least 8."""
    return max(8, 4 * n_workers * credits)


def run_distributed(
    source_factory: Callable[[], Iterable[pa.RecordBatch | Task]],
    worker_factory: Callable[[], Callable[[pa.RecordBatch | Task], pa.RecordBatch]],
    *,
    n_workers: int,
    transport: str = "ipc",
    credits: int = 2,
    heartbeat_s: float = 1.0,
    peer_timeout_s: float = 5.0,
    reorder_buffer_batches: int | None = None,
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
    fault: dict | None = None,
    stats: TransportStats | None = None,
) -> Iterator[pa.RecordBatch]:
    """Run ``source -> n_workers workers -> sink`` and yield the outputs in sequence order.

    ``source_factory()`` and ``worker_factory()`` are called in the child processes
    (so they must be picklable: module-level functions or ``functools.partial`` of
    them). The source yields RecordBatches, or :class:`~streams.wire.Task` ranges
    that the worker function turns into batches itself. ``n_workers=0`` applies the
    worker function in this process, no sockets. Arguments are checked now; the
    processes start at the first ``next()``.
    """
    if not isinstance(n_workers, int) or n_workers < 0:
        msg = f"n_workers must be an integer >= 0 (0 runs in this process), got {n_workers!r}"
        raise ValueError(msg)
    if transport not in TRANSPORTS:
        msg = f"unknown transport {transport!r}; use one of {TRANSPORTS} (both stay on this machine)"
        raise ValueError(msg)
    if not isinstance(credits, int) or credits < 1:
        msg = f"credits (batches outstanding per worker) must be an integer >= 1, got {credits!r}"
        raise ValueError(msg)
    if not heartbeat_s > 0 or not peer_timeout_s >= 2 * heartbeat_s:
        msg = (f"heartbeat_s must be positive and peer_timeout_s at least twice it (or a live peer is taken for "
               f"dead), got {heartbeat_s!r} and {peer_timeout_s!r}")
        raise ValueError(msg)
    window = default_window(n_workers, credits) if reorder_buffer_batches is None else reorder_buffer_batches
    if not isinstance(window, int) or window < 1:
        msg = f"reorder_buffer_batches must be an integer >= 1, got {reorder_buffer_batches!r}"
        raise ValueError(msg)
    if not isinstance(max_message_bytes, int) or max_message_bytes < 1 << 16:
        msg = f"max_message_bytes must be an integer >= 65536, got {max_message_bytes!r}"
        raise ValueError(msg)
    fault = dict(fault or {})
    unknown = sorted(set(fault) - set(FAULTS))
    if unknown:
        msg = f"unknown fault hook(s) {unknown}; known ones are {list(FAULTS)}"
        raise ValueError(msg)
    bad = {k: v for k, v in fault.items() if not isinstance(v, int) or v < 0}
    if bad:
        msg = f"fault hooks take a batch sequence number (integer >= 0), got {bad}"
        raise ValueError(msg)
    stats = stats if stats is not None else TransportStats()
    if n_workers == 0:
        return _in_process(source_factory, worker_factory, stats)
    run = SinkRun(source_factory, worker_factory, n_workers, transport, credits, heartbeat_s, peer_timeout_s,
                  window, max_message_bytes, fault, stats)
    return run.iterate()


def _in_process(source_factory, worker_factory, stats: TransportStats) -> Iterator[pa.RecordBatch]:
    fn = worker_factory()
    for batch in source_factory():
        out = fn(batch)
        stats.batches += 1
        stats.events += out.num_rows
        yield out
