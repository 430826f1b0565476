"""Source -> N worker processes -> sink over ZeroMQ on 127.0.0.1: :func:`run_distributed`.

This module is the public entry point; the parts live beside it:

- :mod:`streams.wire` -- the message format (header frame + Arrow IPC body);
- :mod:`streams.transport_worker` -- the source and worker child processes;
- :mod:`streams.transport_sink` -- the sink in the calling process (sockets, process
  monitoring, the receive loop);
- :mod:`streams.transport_ledger` -- reorder buffer and loss/duplicate accounting.

Work goes to workers by credits (readiness), not round-robin. Every header carries a
fresh 16-byte run token; messages with another token are rejected and counted
(DESIGN.md section 2 "Wire" (b)). Outputs are yielded in sequence order; lost or
duplicated batches raise :class:`~streams.errors.StreamIntegrityError` after
everything that arrived has been yielded.

Back-pressure is blocking and lossless: the generator reads sockets only while it is
being iterated, so a slow consumer fills the worker -> sink queues (HWM in messages,
sized from ``hwm_bytes`` and the first message's size), workers stop returning
credits, and the source stops. A dead worker or source, an exception in the worker
function or the source, or ``timeout_s`` without any message ends the run with a
:class:`~streams.errors.TransportError`; all child processes are stopped and joined
and the temp directory removed on every path (``try/finally``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pyarrow as pa

from streams.transport_sink import SinkRun, TransportStats

__all__ = ["run_distributed", "TransportStats", "TRANSPORTS", "FAULTS"]

TRANSPORTS = ("ipc", "tcp")
#: test hooks: the source skips sending batch ``drop_seq`` (still counting it), or sends
#: batch ``duplicate_seq`` twice
FAULTS = ("drop_seq", "duplicate_seq")


def run_distributed(
    source_factory: Callable[[], Iterable[pa.RecordBatch]],
    worker_factory: Callable[[], Callable[[pa.RecordBatch], pa.RecordBatch]],
    *,
    n_workers: int,
    transport: str = "ipc",
    credits: int = 2,
    timeout_s: float = 30.0,
    hwm_bytes: int = 256 << 20,
    fault: dict | None = None,
    stats: TransportStats | None = None,
) -> Iterator[pa.RecordBatch]:
    """Run ``source -> n_workers workers -> sink`` and yield the outputs in sequence order.

    ``source_factory()`` and ``worker_factory()`` are called in the child processes
    (so they must be picklable: module-level functions or ``functools.partial`` of
    them). ``n_workers=0`` applies the worker function in this process, no sockets.
    Arguments are checked now; the processes start at the first ``next()``.
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
    if not timeout_s > 0 or not hwm_bytes > 0:
        msg = f"timeout_s and hwm_bytes must be positive, got {timeout_s!r} and {hwm_bytes!r}"
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
    run = SinkRun(source_factory, worker_factory, n_workers, transport, credits, timeout_s, hwm_bytes, fault, stats)
    return run.iterate()


def _in_process(source_factory, worker_factory, stats: TransportStats) -> Iterator[pa.RecordBatch]:
    fn = worker_factory()
    for batch in source_factory():
        out = fn(batch)
        stats.batches += 1
        stats.events += out.num_rows
        yield out


