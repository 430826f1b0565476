"""Transport throughput: events/s through source -> N workers -> sink, vs in-process.

Run with ``python3 -m pytest bench/bench_transport.py --benchmark-enable``.

Batches of 4 orbits x 2748 colliding BX = 10 992 events with the 57-int32 L1 input
payload (about 2.5 MB per message); the worker function is the identity plus one
trivial column. Anchors, side by side in one process: the same source and worker
function applied in-process (``n_workers=0``), and the Arrow IPC encode + decode
of every batch without sockets. Each benchmark checks that every event arrived, in
order, with the added column right. ``extra_info`` records events/s for the whole
run (process start included) and for the steady state (first to last batch).
"""

from __future__ import annotations

import functools
import os
import time

import numpy as np
import pyarrow as pa
import pytest

from streams.clock import FillingScheme, assign_bx
from streams.schema import from_columns
from streams.transport import TransportStats, run_distributed
from streams.wire import data_header, decode, encode_batch

SCHEME = FillingScheme.lhc_25ns_2748()
ORBITS_PER_BATCH = 4
PER_BATCH = ORBITS_PER_BATCH * SCHEME.n_colliding  # 10 992
N_BATCHES = 200
TOKEN = b"b" * 16


def source(n_batches: int = N_BATCHES):
    """Cheap synthetic batches: fresh key columns, one shared random payload."""
    payload = np.random.default_rng(1).integers(0, 512, size=(PER_BATCH, 57), dtype=np.int32)
    for s in range(n_batches):
        orbit, bx, event = assign_bx(s * PER_BATCH, PER_BATCH, SCHEME)
        yield from_columns({"orbit": orbit, "bx": bx, "event": event, "l1_inputs": payload})


def tag(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Identity plus a trivial column (the parity of the event number)."""
    parity = (batch.column("event").to_numpy() & 1).astype(np.uint8)
    return batch.append_column("parity", pa.array(parity))


def tag_factory():
    return tag


def _consume(batches) -> tuple[int, float, float]:
    """Check order, counts and the added column; return (events, t_first, t_last)."""
    n, t_first = 0, None
    for batch in batches:
        t_first = t_first or time.perf_counter()
        event = batch.column("event").to_numpy()
        if batch.num_rows != PER_BATCH or event[0] != n:
            msg = f"batch out of order or short: starts at event {event[0]}, expected {n}"
            raise AssertionError(msg)
        np.testing.assert_array_equal(batch.column("parity").to_numpy(), event & 1)
        n += batch.num_rows
    return n, t_first, time.perf_counter()


def _record(benchmark, n_events: int, t0: float, t_first: float | None, t_last: float) -> None:
    benchmark.extra_info["events"] = n_events
    benchmark.extra_info["events_per_s"] = round(n_events / (t_last - t0))
    if t_first is not None and t_last > t_first:
        benchmark.extra_info["steady_events_per_s"] = round((n_events - PER_BATCH) / (t_last - t_first))
    # the machine is shared: record how busy it was
    benchmark.extra_info["load_avg_1min"] = os.getloadavg()[0]


def test_in_process_anchor(benchmark):
    def run():
        t0 = time.perf_counter()
        n, t1, t2 = _consume(run_distributed(source, tag_factory, n_workers=0))
        return n, t0, t1, t2

    n, t0, t1, t2 = benchmark.pedantic(run, rounds=2, iterations=1)
    assert n == N_BATCHES * PER_BATCH
    _record(benchmark, n, t0, t1, t2)


def test_ipc_codec_anchor(benchmark):
    batches = list(source(20))

    def run():
        t0 = time.perf_counter()
        out = []
        for s, b in enumerate(batches):
            frames = encode_batch(data_header(b, token=TOKEN, seq=s), b)
            out.append(tag(decode(frames, token=TOKEN)[1]))
        return _consume(out), t0

    (n, _, t2), t0 = benchmark.pedantic(run, rounds=3, iterations=1)
    assert n == 20 * PER_BATCH
    _record(benchmark, n, t0, None, t2)


@pytest.mark.parametrize("transport", ["ipc", "tcp"])
@pytest.mark.parametrize("n_workers", [1, 2])
def test_distributed(benchmark, n_workers, transport):
    stats = TransportStats()

    def run():
        t0 = time.perf_counter()
        it = run_distributed(
            functools.partial(source, N_BATCHES), tag_factory, n_workers=n_workers, transport=transport, stats=stats
        )
        n, t1, t2 = _consume(it)
        return n, t0, t1, t2

    n, t0, t1, t2 = benchmark.pedantic(run, rounds=2, iterations=1)
    assert n == N_BATCHES * PER_BATCH
    assert stats.rejected_total == 0 and not stats.worker_faults
    _record(benchmark, n, t0, t1, t2)
    benchmark.extra_info["per_worker_batches"] = stats.per_worker
    benchmark.extra_info["bytes_received"] = stats.bytes_received
    benchmark.extra_info["reorder_high_water"] = stats.reorder_high_water
