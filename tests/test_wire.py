"""Tests of the wire format (streams.wire): roundtrips and rejection of bad messages."""

from __future__ import annotations

import secrets
import struct

import numpy as np
import pyarrow as pa
import pytest
import zmq
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.errors import TransportError
from streams.schema import from_columns
from streams.wire import (
    FLAG_REDISPATCH,
    FLAG_WARM,
    HEADER_LAYOUT,
    HEADER_SIZE,
    MAGIC,
    SINK,
    WIRE_VERSION,
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

TOKEN = secrets.token_bytes(16)


def _batch(n: int = 50, first_event: int = 0, *, fixed: bool = True) -> pa.RecordBatch:
    rng = np.random.default_rng(first_event + n)
    ev = np.arange(first_event, first_event + n, dtype=np.uint64)
    cols = {
        "orbit": (ev // 7 + 1000).astype(np.uint32),
        "bx": (ev % 7 * 3).astype(np.uint16),
        "event": ev,
        "l1_inputs": rng.integers(-(1 << 20), 1 << 20, size=(n, 57), dtype=np.int32),
        "score": rng.integers(0, 1 << 17, size=n, dtype=np.int64),
    }
    return from_columns(cols, fixed_types={"score": "ap_ufixed<18,14>"} if fixed else None)


def _frames(batch: pa.RecordBatch, *, seq: int = 5, token: bytes = TOKEN) -> list:
    return encode_batch(data_header(batch, token=token, seq=seq, stream=3, sender=1), batch)


@pytest.fixture
def pair():
    """A connected PAIR of sockets on a random 127.0.0.1 port, closed afterwards."""
    ctx = zmq.Context()
    a, b = ctx.socket(zmq.PAIR), ctx.socket(zmq.PAIR)
    for s in (a, b):
        s.setsockopt(zmq.LINGER, 0)
        s.setsockopt(zmq.RCVTIMEO, 5000)
    port = a.bind_to_random_port("tcp://127.0.0.1")
    b.connect(f"tcp://127.0.0.1:{port}")
    yield a, b
    a.close(linger=0)
    b.close(linger=0)
    ctx.term()


def test_roundtrip_over_a_real_socket_keeps_lists_and_metadata(pair):
    a, b = pair
    batch = _batch()
    a.send_multipart(_frames(batch), copy=False)
    header, got = decode(b.recv_multipart(copy=False), token=TOKEN)
    assert got.equals(batch)
    assert got.schema.equals(batch.schema, check_metadata=True)
    assert got.schema.field("score").metadata == {b"fixed_type": b"ap_ufixed<18,14>"}
    assert pa.types.is_fixed_size_list(got.schema.field("l1_inputs").type)
    assert got.schema.field("l1_inputs").type.list_size == 57
    assert (header.kind, header.seq, header.stream, header.sender, header.n_events) == (Kind.DATA, 5, 3, 1, 50)
    orbits = batch.column("orbit").to_numpy()
    assert (header.first_orbit, header.last_orbit) == (orbits[0], orbits[-1])


def test_header_layout_at_documented_offsets():
    frames = _frames(_batch(), seq=0x0102030405)
    raw = bytes(frames[0])
    assert len(raw) == HEADER_SIZE == struct.calcsize(HEADER_LAYOUT)
    assert raw[:4] == MAGIC
    assert int.from_bytes(raw[4:6], "little") == WIRE_VERSION
    assert raw[6] == Kind.DATA
    assert raw[8:24] == TOKEN
    assert int.from_bytes(raw[32:40], "little") == 0x0102030405


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(0, 300),
    first=st.integers(0, 1 << 40),
    seq=st.integers(0, (1 << 64) - 1),
    stream=st.integers(0, (1 << 32) - 1),
)
def test_decode_inverts_encode(n, first, seq, stream):
    batch = _batch(n, first, fixed=bool(n % 2))
    header = data_header(batch, token=TOKEN, seq=seq, stream=stream, sender=SINK)
    got_header, got = decode(encode_batch(header, batch), token=TOKEN)
    assert got.equals(batch)
    assert got_header.seq == seq and got_header.stream == stream and got_header.n_events == n


@pytest.mark.parametrize("kind", [Kind.END, Kind.ACK, Kind.READY, Kind.SENT, Kind.HEARTBEAT, Kind.PROGRESS,
                                  Kind.RETIRE, Kind.RESEND])
def test_control_messages_roundtrip(kind):
    header = Header(kind, TOKEN, seq=9, total_batches=12, total_events=34567, rejected=2, worker=1, n_events=8,
                    flags=FLAG_REDISPATCH | FLAG_WARM, prev_worker=3, first_event=(1 << 40) + 7)
    got, body = decode(encode(header), token=TOKEN)
    assert body is None
    assert got == header


def test_task_roundtrip_and_checks():
    task = Task(spec={"kind": "synthetic", "n_events": 100, "seed": 3}, first_event=40, n_events=20,
                first_orbit=1, last_orbit=2)
    header, got = decode(encode_task(task_header(task, token=TOKEN, seq=4), task), token=TOKEN)
    assert got == task and got.spec == task.spec
    assert (header.kind, header.seq, header.first_event, header.n_events) == (Kind.TASK, 4, 40, 20)
    frames = encode_task(task_header(task, token=TOKEN, seq=4), task)
    with pytest.raises(TransportError, match=r"header announces .* but the task is for events 40\+20"):
        decode(_patched(frames, 48, (21).to_bytes(8, "little")), token=TOKEN)
    bad = [_patched(frames, 72, (3).to_bytes(8, "little"))[0], b"{x]"]
    with pytest.raises(TransportError, match=r"TASK body .* is not a task"):
        decode(bad, token=TOKEN)
    with pytest.raises(ValueError, match=r"encode_task makes TASK messages"):
        encode_task(Header(Kind.DATA, TOKEN), task)


def test_text_messages_roundtrip():
    got, text = decode(encode(Header(Kind.ERROR, TOKEN, seq=4), "ValueError: bad ünïcode"), token=TOKEN)
    assert (got.kind, got.seq, text) == (Kind.ERROR, 4, "ValueError: bad ünïcode")
    _, text = decode(encode(Header(Kind.READY, TOKEN), "tcp://127.0.0.1:5555"))
    assert text == "tcp://127.0.0.1:5555"
    _, text = decode(encode(Header(Kind.HEARTBEAT, TOKEN), '{"rejected": {}}'))
    assert text == '{"rejected": {}}'



def test_message_from_another_run_is_rejected():
    frames = _frames(_batch(), token=secrets.token_bytes(16))
    with pytest.raises(TransportError, match=r"message from another run \(token [0-9a-f]{12}\.\.\.\), rejected"):
        decode(frames, token=TOKEN)


def _patched(frames: list, offset: int, value: bytes) -> list:
    head = bytearray(bytes(frames[0]))
    head[offset : offset + len(value)] = value
    return [bytes(head), *frames[1:]]


@pytest.mark.parametrize(
    ("offset", "value", "match"),
    [
        (0, b"XXXX", r"bad magic b'XXXX'.*not a triggeremu wire message"),
        (4, (WIRE_VERSION + 1).to_bytes(2, "little"), rf"wire version {WIRE_VERSION + 1}, this process speaks version "
         rf"{WIRE_VERSION}"),
        (6, bytes([99]), r"unknown message kind 99"),
        (72, (10).to_bytes(8, "little"), r"body of \d+ bytes, header says 10"),
        (40, (1).to_bytes(4, "little"), r"body spans orbits 1000\.\.1007"),
        (48, (51).to_bytes(8, "little"), r"announces batch seq 5 \(orbits 1000\.\.1007, 51 events\).*50 rows"),
    ],
)
def test_corrupt_header_is_rejected(offset, value, match):
    with pytest.raises(TransportError, match=match):
        decode(_patched(_frames(_batch()), offset, value), token=TOKEN)


def test_truncated_or_malformed_frames_are_rejected():
    frames = _frames(_batch())
    with pytest.raises(TransportError, match=rf"header frame of {HEADER_SIZE - 1} bytes, expected {HEADER_SIZE}"):
        decode([bytes(frames[0])[:-1], frames[1]])
    with pytest.raises(TransportError, match=r"1 or 2 frames.*got 3"):
        decode([*frames, b""])
    body = bytes(frames[1])
    with pytest.raises(TransportError, match=r"body of \d+ bytes, header says"):
        decode([frames[0], body[:-8]])
    garbage = [encode_batch(data_header(_batch(), token=TOKEN, seq=1), _batch())[0], b"\x00" * len(body)]
    with pytest.raises(TransportError, match=r"not a valid Arrow IPC stream|holds no record batch"):
        decode(garbage)
    with pytest.raises(TransportError, match=r"DATA message for batch seq 5 .* has no body"):
        decode(_patched([frames[0]], 72, (0).to_bytes(8, "little")))
    bad_text = encode(Header(Kind.ERROR, TOKEN), "x")
    with pytest.raises(TransportError, match=r"ERROR message text is not UTF-8"):
        decode([bad_text[0], b"\xff"])
    with pytest.raises(TransportError, match=r"END messages carry no body"):
        decode([_patched(encode(Header(Kind.END, TOKEN)), 72, (1).to_bytes(8, "little"))[0], b"x"])


def test_two_batches_in_one_body_are_rejected():
    batch = _batch()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
        writer.write_batch(batch)
    body = sink.getvalue()
    head = _patched(_frames(batch), 72, body.size.to_bytes(8, "little"))[0]
    with pytest.raises(TransportError, match=r"more than one record batch"):
        decode([head, body])


def test_encode_refuses_inconsistent_input():
    batch = _batch()
    with pytest.raises(ValueError, match=r"header says batch seq 0 \(orbits 0\.\.0, 3 events\).*50 rows"):
        encode_batch(Header(Kind.DATA, TOKEN, n_events=3), batch)
    with pytest.raises(ValueError, match=r"encode_batch makes DATA messages; got kind END"):
        encode_batch(Header(Kind.END, TOKEN), batch)
    with pytest.raises(ValueError, match=r"use encode_batch"):
        encode(Header(Kind.DATA, TOKEN))
    with pytest.raises(ValueError, match=r"ERROR message needs its error text"):
        encode(Header(Kind.ERROR, TOKEN))
    with pytest.raises(ValueError, match=r"ACK messages have no body"):
        encode(Header(Kind.ACK, TOKEN), "hello")
    with pytest.raises(ValueError, match=r"run token is 16 bytes"):
        Header(Kind.ACK, b"short").pack()
    with pytest.raises(ValueError, match=r"header field out of range"):
        Header(Kind.DATA, TOKEN, first_orbit=1 << 33).pack()
    with pytest.raises(ValueError, match=r"needs the key column 'orbit'"):
        data_header(pa.record_batch({"x": [1, 2]}), token=TOKEN, seq=0)
