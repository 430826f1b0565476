"""Tests of source -> workers -> sink over real ZeroMQ sockets (streams.transport).

Every run uses a small ``timeout_s`` so a broken run fails instead of hanging; an
autouse fixture checks that no child process outlives its test. The factories are
module-level so the spawned processes can import them (hypothesis is imported inside
the one test that needs it, so the children do not pay for it).
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import secrets
import signal
import time
from collections import deque
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
import zmq
from streams.errors import StreamIntegrityError, TransportError
from streams.schema import from_columns
from streams.transport import TransportStats, run_distributed
from streams.transport_ledger import Ledger
from streams.wire import Header, Kind, data_header, encode, encode_batch

PER_BATCH = 700
N_BATCHES = 12
TIMEOUT = 10.0


# -- factories (run in the child processes) ----------------------------------------
def make_batches(n_batches=N_BATCHES, per=PER_BATCH, *, pause=0.0, fail_at=None, log=None):
    """Synthetic batches: 40 events per orbit, a 57-int payload."""
    for s in range(n_batches):
        if s == fail_at:
            msg = f"source broke at batch {s}"
            raise RuntimeError(msg)
        ev = np.arange(s * per, (s + 1) * per, dtype=np.uint64)
        cols = {
            "orbit": (ev // 40).astype(np.uint32),
            "bx": (ev % 40 * 7).astype(np.uint16),
            "event": ev,
            "l1_inputs": (ev[:, None].astype(np.int64) * 31 + np.arange(57)).astype(np.int32) % 1000,
        }
        if log is not None:
            with open(log, "a") as f:
                f.write(f"{s}\n")
        yield from_columns(cols)
        if pause:
            time.sleep(pause)


def score(batch: pa.RecordBatch) -> pa.RecordBatch:
    """A deterministic worker function: sum of the 57 inputs per event."""
    flat = batch.column("l1_inputs").values.to_numpy().reshape(batch.num_rows, 57)
    return batch.append_column("total", pa.array(flat.sum(axis=1, dtype=np.int64)))


def _seq_of(batch: pa.RecordBatch) -> int:
    return int(batch.column("event")[0].as_py()) // PER_BATCH


def score_factory():
    return score


def _uneven(batch, *, slow_worker):
    me = multiprocessing.current_process().name
    if me.endswith(f"-{slow_worker}") or (slow_worker is None and _seq_of(batch) % 3 == 0):
        time.sleep(0.08)
    return score(batch)


def uneven_factory(slow_worker=None):
    return functools.partial(_uneven, slow_worker=slow_worker)


def _failing(batch, *, at, how):
    if _seq_of(batch) == at:
        if how == "exit":
            os._exit(7)
        if how == "sleep":
            time.sleep(30)
        msg = f"cannot score event {batch.column('event')[0]}"
        raise ValueError(msg)
    return score(batch)


def failing_factory(at=2, how="raise"):
    return functools.partial(_failing, at=at, how=how)


def reference(**kw):
    return [score(b) for b in make_batches(**kw)]


# -- fixtures ----------------------------------------------------------------------
@pytest.fixture(autouse=True)
def no_leftover_processes():
    yield
    left = [p for p in multiprocessing.active_children() if p.name.startswith("triggeremu-")]
    assert not left, f"child processes left over: {left}"


@pytest.fixture
def zctx():
    ctx = zmq.Context()
    socks = []

    def make(kind):
        s = ctx.socket(kind)
        s.setsockopt(zmq.LINGER, 0)
        socks.append(s)
        return s

    yield make
    for s in socks:
        s.close(linger=0)
    ctx.term()


def _assert_same(out, ref):
    assert len(out) == len(ref)
    for got, want in zip(out, ref, strict=True):
        assert got.schema.equals(want.schema, check_metadata=True)
        for name in want.schema.names:
            np.testing.assert_array_equal(
                np.asarray(got.column(name).to_pylist()), np.asarray(want.column(name).to_pylist()), err_msg=name
            )


# -- runs that succeed ---------------------------------------------------------------
@pytest.mark.parametrize("transport", ["ipc", "tcp"])
@pytest.mark.parametrize("n_workers", [1, 2])
def test_distributed_equals_in_process(transport, n_workers):
    stats = TransportStats()
    out = list(
        run_distributed(make_batches, score_factory, n_workers=n_workers, transport=transport, timeout_s=TIMEOUT, stats=stats)
    )
    _assert_same(out, reference())
    assert stats.batches == N_BATCHES and stats.events == N_BATCHES * PER_BATCH
    assert sum(stats.per_worker) == N_BATCHES and stats.rejected == 0
    if transport == "ipc":  # the private socket directory is gone
        assert not Path(stats.endpoints["ctrl"].removeprefix("ipc://")).parent.exists()


def test_zero_workers_runs_in_process():
    _assert_same(list(run_distributed(make_batches, score_factory, n_workers=0)), reference())


def test_order_restored_with_uneven_batches():
    out = list(run_distributed(make_batches, uneven_factory, n_workers=2, credits=3, timeout_s=TIMEOUT))
    _assert_same(out, reference())


def test_work_follows_readiness_not_round_robin():
    stats = TransportStats()
    slow0 = functools.partial(uneven_factory, slow_worker=0)
    # 100 small batches: worker 1 may start a second later than worker 0 on a loaded
    # machine (spawn + imports) and still be given most of the work once it is up
    src = functools.partial(make_batches, 100, 200)
    out = list(run_distributed(src, slow0, n_workers=2, credits=1, timeout_s=TIMEOUT, stats=stats))
    _assert_same(out, reference(n_batches=100, per=200))
    # round-robin would give each worker 50 of the 100 batches
    assert stats.per_worker[0] < stats.per_worker[1], stats.per_worker


def test_slow_consumer_stalls_the_source_without_loss(tmp_path):
    log = tmp_path / "produced.txt"
    src = functools.partial(make_batches, 30, 3000, log=log)
    it = run_distributed(src, score_factory, n_workers=1, credits=1, hwm_bytes=1, timeout_s=TIMEOUT)
    out = [next(it)]
    time.sleep(1.0)
    produced = len(log.read_text().split())
    out += list(it)
    # in flight at most: 1 at the source, credits + 1 at the worker, 2 x hwm_msgs (2) queued, 1 consumed
    assert produced <= 12, f"the source ran {produced} batches ahead of a stalled consumer"
    _assert_same(out, reference(n_batches=30, per=3000))


def test_consumer_stopping_early_leaves_nothing_behind():
    stats = TransportStats()
    it = run_distributed(make_batches, score_factory, n_workers=2, timeout_s=TIMEOUT, stats=stats)
    first = next(it)
    it.close()
    _assert_same([first], reference()[:1])
    assert not Path(stats.endpoints["ctrl"].removeprefix("ipc://")).parent.exists()


# -- integrity: lost, duplicated, strangers --------------------------------------------
def _drain(it):
    out = []
    with pytest.raises(StreamIntegrityError) as info:
        for b in it:
            out.append(b)
    return out, info.value


@pytest.mark.parametrize("n_workers", [1, 2])
def test_dropped_batch_is_reported_with_seq_and_orbits(n_workers):
    it = run_distributed(make_batches, score_factory, n_workers=n_workers, fault={"drop_seq": 3}, timeout_s=TIMEOUT)
    out, err = _drain(it)
    ref = reference()
    _assert_same(out, ref[:3] + ref[4:])
    orbits = list(make_batches())[3].column("orbit").to_numpy()
    first, last = orbits.min(), orbits.max()
    assert err.lost == [3]
    assert f"1 batch(es) lost: batch seq 3 (orbits {first}..{last}, {PER_BATCH} events)" in str(err)
    assert f"{N_BATCHES - 1} of {N_BATCHES} batches" in str(err)


def test_duplicated_batch_is_reported_and_not_yielded_twice():
    it = run_distributed(make_batches, score_factory, n_workers=2, fault={"duplicate_seq": 2}, timeout_s=TIMEOUT)
    out, err = _drain(it)
    _assert_same(out, reference())
    orbits = list(make_batches())[2].column("orbit").to_numpy()
    assert err.duplicated == [2] and err.lost == []
    assert f"duplicate batch(es) received and dropped: batch seq 2 (orbits {orbits.min()}..{orbits.max()}" in str(err)


def test_strangers_from_another_run_are_rejected(zctx):
    stats = TransportStats()
    src = functools.partial(make_batches, pause=0.05)
    it = run_distributed(src, score_factory, n_workers=2, transport="tcp", timeout_s=TIMEOUT, stats=stats)
    out = [next(it)]
    other = secrets.token_bytes(16)
    # a leftover worker pushing a well-formed result into this run's sink...
    pusher = zctx(zmq.DEALER)
    pusher.connect(stats.endpoints["data"])
    fake = next(iter(make_batches(1, PER_BATCH)))
    pusher.send_multipart(encode_batch(data_header(fake, token=other, seq=1, sender=0), fake), copy=False)
    # ...and one asking this run's source for work
    taker = zctx(zmq.DEALER)
    taker.connect(stats.endpoints["work"])
    for _ in range(3):
        taker.send_multipart(encode(Header(Kind.READY, other, sender=1)))
    out += list(it)
    _assert_same(out, reference())
    assert stats.rejected == 1 and "message from another run" in stats.rejected_reasons[0]
    assert stats.source_rejected == 3
    assert taker.poll(100) == 0, "the source gave work to a stranger"


# -- failures end the run with a clear error -------------------------------------------
def test_worker_exception_is_reraised_with_its_message():
    it = run_distributed(make_batches, failing_factory, n_workers=2, timeout_s=TIMEOUT)
    with pytest.raises(TransportError, match=r"worker [01] failed on batch seq 2 \(orbits 35\.\.52, 700 events\): "
                       r"ValueError: cannot score event 1400"):
        list(it)


def test_worker_exiting_is_reported_with_the_batch_it_held():
    factory = functools.partial(failing_factory, at=2, how="exit")
    with pytest.raises(TransportError, match=r"worker [01] \(pid \d+\) died \(exit code 7\) while holding "
                       r"(batch seq \d+ \([^)]*\); )*batch seq 2 \(orbits 35\.\.52, 700 events\)"):
        list(run_distributed(make_batches, factory, n_workers=2, timeout_s=TIMEOUT))


def test_worker_killed_by_signal_ends_the_run():
    src = functools.partial(make_batches, 200, pause=0.02)
    it = run_distributed(src, score_factory, n_workers=2, timeout_s=TIMEOUT)
    next(it)
    victim = next(p for p in multiprocessing.active_children() if p.name == "triggeremu-worker-1")
    os.kill(victim.pid, signal.SIGKILL)
    t0 = time.monotonic()
    with pytest.raises(TransportError, match=r"worker 1 \(pid \d+\) died \(killed by signal SIGKILL\) while holding"):
        list(it)
    assert time.monotonic() - t0 < 5


def test_source_exception_is_reraised_after_what_arrived():
    src = functools.partial(make_batches, fail_at=4)
    out = []
    with pytest.raises(TransportError, match=r"the source failed at batch seq 4: RuntimeError: source broke at batch 4"):
        for b in run_distributed(src, score_factory, n_workers=1, timeout_s=TIMEOUT):
            out.append(b)
    _assert_same(out, reference()[: len(out)])


def test_silent_worker_times_out():
    factory = functools.partial(failing_factory, at=1, how="sleep")
    t0 = time.monotonic()
    with pytest.raises(TransportError, match=r"no message from the source or any worker for timeout_s=1.0 s; "
                       r"waiting for batch seq\(s\) \[1"):
        list(run_distributed(make_batches, factory, n_workers=1, timeout_s=1.0))
    assert time.monotonic() - t0 < 15


def test_bad_arguments_are_refused_at_call():
    with pytest.raises(ValueError, match="unknown transport 'udp'"):
        run_distributed(make_batches, score_factory, n_workers=1, transport="udp")
    with pytest.raises(ValueError, match=r"credits .* must be an integer >= 1, got 0"):
        run_distributed(make_batches, score_factory, n_workers=1, credits=0)
    with pytest.raises(ValueError, match=r"unknown fault hook\(s\) \['explode'\]"):
        run_distributed(make_batches, score_factory, n_workers=1, fault={"explode": 1})
    with pytest.raises(ValueError, match="n_workers must be an integer >= 0"):
        run_distributed(make_batches, score_factory, n_workers=-1)


# -- the ledger alone: a model of delivery with loss, duplication and reordering -------
def test_ledger_yields_in_order_and_reports_exactly_what_was_lost():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=200, deadline=None)
    @given(data=st.data())
    def check(data):
        n_workers = data.draw(st.integers(1, 3))
        n = data.draw(st.integers(0, 25))
        assign = data.draw(st.lists(st.integers(0, n_workers - 1), min_size=n, max_size=n))
        lost = set(data.draw(st.sets(st.integers(0, max(n - 1, 0)), max_size=4))) if n else set()
        dups = set(data.draw(st.sets(st.integers(0, max(n - 1, 0)), max_size=3))) - lost if n else set()
        _ledger_run(data, n_workers, assign, lost, dups, st)

    check()


def _ledger_run(data, n_workers, assign, lost, dups, st):
    """Interleave the source's notes and each worker's results (each stream in its own order)."""
    n, token = len(assign), b"t" * 16

    def note(s):
        return Header(Kind.SENT, token, seq=s, first_orbit=10 * s, last_orbit=10 * s + 9, n_events=s + 1, worker=assign[s])

    notes = [note(s) for s in range(n)] + [note(s) for s in sorted(dups)]
    # a worker handles its batches in dispatch order; lost ones never come back
    streams = {"note": deque(notes)}
    streams.update({w: deque(h for h in notes if h.worker == w and h.seq not in lost) for w in range(n_workers)})
    keys = [k for k, q in streams.items() for _ in q]
    led, out = Ledger(n_workers), []
    for i in data.draw(st.permutations(range(len(keys)))):
        key = keys[i]
        h = streams[key].popleft()
        if key == "note":
            led.on_sent(h)
        else:
            led.on_data(Header(Kind.DATA, token, seq=h.seq, sender=h.worker, n_events=h.n_events), _rows(h.n_events))
        out += [b.num_rows - 1 for b in led.pop_ready()]
    for w in range(n_workers):
        led.on_worker_end(w)
    led.on_source_end(Header(Kind.END, token, total_batches=n, total_events=sum(range(1, n + 1))))
    assert led.all_ended
    led.finalize()
    out += [b.num_rows - 1 for b in led.pop_ready()]
    assert out == [s for s in range(n) if s not in lost]
    assert sorted(led.lost) == sorted(lost)
    assert sorted(h.seq for h in led.duplicates) == sorted(dups)
    assert all(led.lost[s].first_orbit == 10 * s for s in lost)
    problems = led.problems()
    assert bool(problems) == bool(lost or dups)
    assert not any("mismatch" in p for p in problems)


def _rows(n: int) -> pa.RecordBatch:
    return pa.record_batch({"event": pa.array(np.zeros(n, dtype=np.uint64))})
