"""Tests of source -> workers -> sink over real ZeroMQ sockets (streams.transport).

Fault tests use short heartbeats and peer timeouts (``FAST``) so a broken run fails in
seconds instead of hanging; an autouse fixture checks that no child process outlives
its test. The factories are
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
from streams.wire import FLAG_REDISPATCH, NO_WORKER, Header, Kind, data_header, encode, encode_batch

PER_BATCH = 700
N_BATCHES = 12
#: short liveness settings so that fault tests end in seconds
FAST = {"heartbeat_s": 0.2, "peer_timeout_s": 1.5}


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


def _slow(batch, *, seconds):
    time.sleep(seconds)
    return score(batch)


def slow_factory(seconds):
    return functools.partial(_slow, seconds=seconds)


def broken_factory():
    msg = "no model here"
    raise RuntimeError(msg)


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
@pytest.mark.parametrize(("transport", "n_workers"), [
    ("ipc", 1), ("ipc", 2), pytest.param("tcp", 1, marks=pytest.mark.slow), ("tcp", 2)])
def test_distributed_equals_in_process(transport, n_workers):
    stats = TransportStats()
    out = list(
        run_distributed(make_batches, score_factory, n_workers=n_workers, transport=transport, stats=stats)
    )
    _assert_same(out, reference())
    assert stats.batches == N_BATCHES and stats.events == N_BATCHES * PER_BATCH
    assert sum(stats.per_worker) == N_BATCHES and stats.rejected_total == 0 and not stats.worker_faults
    if transport == "ipc":  # the private socket directory is gone
        assert not Path(stats.endpoints["ctrl"].removeprefix("ipc://")).parent.exists()


def test_zero_workers_runs_in_process():
    _assert_same(list(run_distributed(make_batches, score_factory, n_workers=0)), reference())


def test_order_restored_with_uneven_batches():
    out = list(run_distributed(make_batches, uneven_factory, n_workers=2, credits=3))
    _assert_same(out, reference())


def test_work_follows_readiness_not_round_robin():
    stats = TransportStats()
    slow0 = functools.partial(uneven_factory, slow_worker=0)
    # 100 small batches: worker 1 may start a second later than worker 0 on a loaded
    # machine (spawn + imports) and still be given most of the work once it is up
    src = functools.partial(make_batches, 100, 200)
    out = list(run_distributed(src, slow0, n_workers=2, credits=1, stats=stats))
    _assert_same(out, reference(n_batches=100, per=200))
    # round-robin would give each worker 50 of the 100 batches
    assert stats.per_worker[0] < stats.per_worker[1], stats.per_worker


@pytest.mark.parametrize("n_workers", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_slow_consumer_stalls_the_source_without_loss(tmp_path, n_workers):
    """The reorder-buffer bound is real back-pressure: the source waits for the consumer."""
    log = tmp_path / "produced.txt"
    src = functools.partial(make_batches, 30, 3000, log=log)
    stats = TransportStats()
    it = run_distributed(src, score_factory, n_workers=n_workers, credits=1, reorder_buffer_batches=2, stats=stats)
    out = [next(it)]
    time.sleep(1.5)
    produced = len(log.read_text().split())
    out += list(it)
    # 1 consumed + 2 (the bound) dispatched + 2 queued and 1 in hand at the source's reader
    assert produced <= 6, f"the source ran {produced} batches ahead of a stalled consumer"
    _assert_same(out, reference(n_batches=30, per=3000))
    assert stats.reorder_high_water <= 2


def test_consumer_stopping_early_leaves_nothing_behind():
    stats = TransportStats()
    it = run_distributed(make_batches, score_factory, n_workers=2, stats=stats)
    first = next(it)
    it.close()
    _assert_same([first], reference()[:1])
    assert not Path(stats.endpoints["ctrl"].removeprefix("ipc://")).parent.exists()


# -- integrity: lost, duplicated, strangers --------------------------------------------
@pytest.mark.parametrize("n_workers", [pytest.param(1, marks=pytest.mark.slow), 2])
def test_batch_lost_in_transit_is_sent_again(n_workers):
    stats = TransportStats()
    it = run_distributed(make_batches, score_factory, n_workers=n_workers, fault={"drop_seq": 3}, stats=stats,
                         **FAST)
    _assert_same(list(it), reference())
    assert [r["seq"] for r in stats.resent] == [3]
    assert stats.redispatched and stats.redispatched[0]["seq"] == 3


def test_batch_lost_at_the_tail_is_sent_again():
    """No later batch of that worker reveals the loss: its idle heartbeats do."""
    stats = TransportStats()
    it = run_distributed(make_batches, score_factory, n_workers=1, fault={"drop_seq": N_BATCHES - 1}, stats=stats,
                         **FAST)
    _assert_same(list(it), reference())
    assert [r["seq"] for r in stats.resent] == [N_BATCHES - 1]
    assert "never received" in stats.resent[0]["reason"]


def test_duplicated_batch_is_dropped_by_sequence_number():
    stats = TransportStats()
    it = run_distributed(make_batches, score_factory, n_workers=2, fault={"duplicate_seq": 2}, stats=stats, **FAST)
    _assert_same(list(it), reference())
    assert [d["seq"] for d in stats.duplicates] == [2]


def test_strangers_from_another_run_are_rejected_and_counted(zctx):
    stats = TransportStats()
    src = functools.partial(make_batches, pause=0.05)
    it = run_distributed(src, score_factory, n_workers=2, transport="tcp", stats=stats, **FAST)
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
    assert stats.rejected["sink/data"] == {"foreign_token": 1}
    assert stats.rejected["source/work"] == {"foreign_token": 3}
    assert any("message from another run" in r for r in stats.rejected_examples)
    assert taker.poll(100) == 0, "the source gave work to a stranger"


def test_garbage_and_oversize_frames_from_a_local_peer(zctx):
    """Rejected and counted by endpoint and kind (garbage), or cut off by libzmq before
    they are held (oversize); the run is unaffected."""
    stats = TransportStats()
    src = functools.partial(make_batches, 40, pause=0.03)
    it = run_distributed(src, score_factory, n_workers=2, transport="tcp", stats=stats, max_message_bytes=1 << 20,
                         **FAST)
    out = [next(it)]
    stray = zctx(zmq.DEALER)
    stray.connect(stats.endpoints["data"])
    for junk in (b"x" * 100, b"TEMW" + b"\0" * 96, b"\xff" * 10):
        stray.send(junk)
    stray.send_multipart([b"a", b"b", b"c"])
    big = zctx(zmq.DEALER)
    big.connect(stats.endpoints["data"])
    big.send(b"\0" * (8 << 20))  # 8 MiB against a 1 MiB limit
    ctrl_junk = zctx(zmq.DEALER)
    ctrl_junk.connect(stats.endpoints["ctrl"])
    ctrl_junk.send(b"y" * (1 << 20))  # above the control limit
    out += list(it)
    _assert_same(out, reference(n_batches=40))
    assert stats.rejected["sink/data"] == {"malformed": 3, "wire_version": 1}
    assert stats.disconnects.get("sink/data", 0) >= 1 and stats.disconnects.get("sink/ctrl", 0) >= 1
    assert not stats.worker_faults


# -- faults of workers: the run goes on ------------------------------------------------
def _victim(name: str):
    return next(p for p in multiprocessing.active_children() if p.name == name)


def _wait_events(it, out, n, stats=None):
    """Consume until n batches arrived (and, with stats, every worker has answered once:
    a worker gets the plain peer timeout only once it is warm)."""
    while len(out) < n or (stats is not None and not all(stats.per_worker)):
        out.append(next(it))


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSTOP])
def test_worker_killed_or_frozen_mid_stream_loses_nothing(sig):
    stats = TransportStats()
    src = functools.partial(make_batches, 60, pause=0.02)
    it = run_distributed(src, score_factory, n_workers=2, stats=stats, **FAST)
    out = []
    _wait_events(it, out, 5, stats)
    victim = _victim("triggeremu-worker-1")
    t0 = time.monotonic()
    os.kill(victim.pid, sig)
    out += list(it)
    _assert_same(out, reference(n_batches=60))
    (fault,) = stats.worker_faults
    assert fault["worker"] == 1
    if sig == signal.SIGKILL:
        assert "killed by signal SIGKILL" in fault["reason"]
    else:
        assert "silent for" in fault["reason"]
        assert time.monotonic() - t0 < FAST["peer_timeout_s"] + 10
    moved = {r["seq"] for r in stats.redispatched}
    assert set(fault["seqs"]) <= moved
    if fault["seqs"]:
        assert fault["orbits"][0] <= fault["orbits"][1]


@pytest.mark.slow
def test_frozen_worker_that_comes_back_is_told_to_stop():
    stats = TransportStats()
    src = functools.partial(make_batches, 80, pause=0.03)
    it = run_distributed(src, score_factory, n_workers=2, stats=stats, **FAST)
    out = []
    _wait_events(it, out, 3, stats)
    victim = _victim("triggeremu-worker-0")
    os.kill(victim.pid, signal.SIGSTOP)
    while not stats.worker_faults:
        out.append(next(it))
    os.kill(victim.pid, signal.SIGCONT)
    out += list(it)
    _assert_same(out, reference(n_batches=80))
    assert [f["worker"] for f in stats.worker_faults] == [0]
    victim.join(10)
    assert victim.exitcode is not None


@pytest.mark.parametrize("settings", [
    pytest.param({"heartbeat_s": 0.2, "peer_timeout_s": 1.0}, id="fast"),
    pytest.param({}, id="defaults", marks=pytest.mark.slow),  # 1 s heartbeats, 5 s timeout
])
def test_a_slow_worker_function_is_not_taken_for_dead(settings):
    """Each batch takes longer than the peer timeout; the busy worker still heartbeats."""
    stats = TransportStats()
    timeout = settings.get("peer_timeout_s", 5.0)
    factory = functools.partial(slow_factory, timeout * 1.3)
    src = functools.partial(make_batches, 3)
    it = run_distributed(src, factory, n_workers=1, stats=stats, **settings)
    _assert_same(list(it), reference(n_batches=3))
    assert not stats.worker_faults
    assert stats.settings["peer_timeout_s"] == timeout


def test_every_worker_dead_ends_the_run():
    factory = functools.partial(failing_factory, at=2, how="exit")
    with pytest.raises(TransportError, match=r"no worker left.*worker \d: process \(pid \d+\) died \(exit code 7\)"
                       r".*held seqs \[[^]]*2"):
        list(run_distributed(make_batches, factory, n_workers=2, **FAST))


# -- failures end the run with a clear error -------------------------------------------
def test_worker_exception_is_reraised_with_its_message():
    it = run_distributed(make_batches, failing_factory, n_workers=2, **FAST)
    with pytest.raises(TransportError, match=r"worker [01] failed on batch seq 2 \(orbits 35\.\.52, 700 events\): "
                       r"ValueError: cannot score event 1400"):
        list(it)


def test_worker_that_cannot_build_its_function_ends_the_run():
    with pytest.raises(TransportError, match=r"worker [01] could not build its function: RuntimeError: no model here"):
        list(run_distributed(make_batches, broken_factory, n_workers=2, **FAST))


def test_source_exception_is_reraised_after_what_arrived():
    src = functools.partial(make_batches, fail_at=4)
    out = []
    with pytest.raises(TransportError, match=r"the source failed at batch seq 4: RuntimeError: source broke at batch 4"):
        for b in run_distributed(src, score_factory, n_workers=1, **FAST):
            out.append(b)
    _assert_same(out, reference()[: len(out)])


@pytest.mark.parametrize("sig", [signal.SIGKILL, pytest.param(signal.SIGSTOP, marks=pytest.mark.slow)])
def test_source_killed_or_frozen_ends_the_run_with_what_is_missing(sig, zctx):
    stats = TransportStats()
    src = functools.partial(make_batches, 200, pause=0.02)
    it = run_distributed(src, score_factory, n_workers=2, transport="tcp", stats=stats, **FAST)
    out = []
    _wait_events(it, out, 4)
    os.kill(_victim("triggeremu-source").pid, sig)
    junk = zctx(zmq.DEALER)  # a stray peer's garbage must not keep a dead run alive
    junk.connect(stats.endpoints["ctrl"])
    t0 = time.monotonic()
    with pytest.raises(TransportError, match="source process .* died|source .* has been silent"):
        for b in it:
            out.append(b)
            junk.send(b"garbage")
    assert time.monotonic() - t0 < FAST["peer_timeout_s"] + 10
    _assert_same(out, reference(n_batches=200)[: len(out)])
    got = {b.column("event")[0].as_py() // PER_BATCH for b in out}
    pending = {d["seq"] for d in stats.undelivered}
    assert not got & pending
    assert stats.events_announced == sum(d["n_events"] for d in stats.undelivered) + len(out) * PER_BATCH


def test_bad_arguments_are_refused_at_call():
    with pytest.raises(ValueError, match="unknown transport 'udp'"):
        run_distributed(make_batches, score_factory, n_workers=1, transport="udp")
    with pytest.raises(ValueError, match=r"credits .* must be an integer >= 1, got 0"):
        run_distributed(make_batches, score_factory, n_workers=1, credits=0)
    with pytest.raises(ValueError, match=r"unknown fault hook\(s\) \['explode'\]"):
        run_distributed(make_batches, score_factory, n_workers=1, fault={"explode": 1})
    with pytest.raises(ValueError, match="n_workers must be an integer >= 0"):
        run_distributed(make_batches, score_factory, n_workers=-1)
    with pytest.raises(ValueError, match="peer_timeout_s at least twice"):
        run_distributed(make_batches, score_factory, n_workers=1, heartbeat_s=1.0, peer_timeout_s=1.5)
    with pytest.raises(ValueError, match="reorder_buffer_batches must be an integer >= 1"):
        run_distributed(make_batches, score_factory, n_workers=1, reorder_buffer_batches=0)
    with pytest.raises(ValueError, match="max_message_bytes must be an integer >= 65536"):
        run_distributed(make_batches, score_factory, n_workers=1, max_message_bytes=10)


# -- the ledger alone: a model of delivery with loss, duplication, reordering and death --
def test_ledger_yields_in_order_and_recovers_what_was_lost():
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
        dead = data.draw(st.one_of(st.none(), st.integers(0, n_workers - 1))) if n_workers > 1 else None
        _ledger_run(data, n_workers, assign, lost, dups, dead, st)

    check()


def _ledger_run(data, n_workers, assign, lost, dups, dead, st):
    """Interleave the source's notes and each worker's results (each stream in its own
    order); lost results are asked for again (RESEND) and come back from a live worker;
    a dead worker's batches are given to another one."""
    n, token = len(assign), b"t" * 16
    live = [w for w in range(n_workers) if w != dead]

    def note(s, w, prev=None):
        return Header(Kind.SENT, token, seq=s, first_orbit=10 * s, last_orbit=10 * s + 9, n_events=s + 1, worker=w,
                      flags=0 if prev is None else FLAG_REDISPATCH, prev_worker=NO_WORKER if prev is None else prev)

    notes = [note(s, assign[s]) for s in range(n)] + [note(s, assign[s]) for s in sorted(dups)]
    streams = {"note": deque(notes)}
    # a worker handles its batches in dispatch order; lost ones never come back, a dead worker sends nothing
    streams.update({w: deque(h for h in notes if h.worker == w and h.seq not in lost and w != dead)
                    for w in range(n_workers)})
    led, out = Ledger(n_workers), []
    again: list[int] = []
    while any(streams.values()):
        keys = [k for k, q in streams.items() if q]
        key = data.draw(st.sampled_from(keys))
        h = streams[key].popleft()
        if key == "note":
            again += led.on_sent(h)
        else:
            again += led.on_data(Header(Kind.DATA, token, seq=h.seq, sender=h.worker, n_events=h.n_events),
                                 _rows(h.n_events))
        out += [b.num_rows - 1 for _, b in led.pop_ready()]
    # the end of the streams: idle workers reveal what never reached them; the dead worker is retired
    for w in live:
        again += led.on_idle(w, 0)
        again += led.on_idle(w, 0)
    if dead is not None:
        again += [h.seq for h in led.retire(dead)]
    led.on_source_end(Header(Kind.END, token, total_batches=n, total_events=sum(range(1, n + 1))))
    # the source sends every batch that was asked for again to a live worker, which answers
    for s in sorted(set(again)):
        w = live[s % len(live)]
        led.on_sent(note(s, w, prev=assign[s]))
        led.on_data(Header(Kind.DATA, token, seq=s, sender=w, n_events=s + 1), _rows(s + 1))
    out += [b.num_rows - 1 for _, b in led.pop_ready()]
    assert led.complete and not led.problems()
    assert out == list(range(n))
    assert set(again) >= {s for s in lost if assign[s] != dead}  # every lost result was asked for again
    assert {h.seq for h in led.duplicates} >= {s for s in dups if assign[s] != dead}


def _rows(n: int) -> pa.RecordBatch:
    return pa.record_batch({"event": pa.array(np.zeros(n, dtype=np.uint64))})
