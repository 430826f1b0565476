"""The ZeroMQ wire format: one fixed-layout header frame, then an optional body frame.

Every message between the processes of :mod:`streams.transport` is a multipart
ZeroMQ message:

1. a header frame of exactly :data:`HEADER_SIZE` bytes, packed little-endian by
   :data:`HEADER_LAYOUT` (magic ``b"TEMW"``, wire version, kind, run token, stream
   id, sender, sequence number, first/last orbit, event count, end-of-stream totals,
   body size, rejected-message count, worker index of a ``SENT`` note);
2. for ``DATA``: the Arrow IPC *stream* bytes of exactly one RecordBatch (schema,
   field metadata and fixed-size lists travel with it). The IPC writer lays the
   batch out once in a :class:`pyarrow.Buffer`; ZeroMQ sends that buffer with
   ``copy=False``. For ``ERROR`` and the source's ``READY``: UTF-8 text. Other kinds
   have no body.

The kinds are those of DESIGN.md section 2 "Wire" (data, end, ack, ready/credit,
error) plus ``SENT``, the source's note to the sink of which worker got which batch
(how the sink names the batches a dead worker held and spots a lost one exactly).

Decoding validates magic, version, kind, frame count, header size, body size, the
run token and (for data) that the batch agrees with the header, and raises
:class:`streams.errors.TransportError` naming what was wrong. Nothing received is
ever unpickled: the only decoders are :mod:`struct`, the Arrow IPC reader and UTF-8.

The Arrow body is read without copying: the returned batch references the ZeroMQ
frame's memory (a ``memoryview`` keeps the frame alive).
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass, replace

import pyarrow as pa

from streams.errors import TransportError

__all__ = [
    "WIRE_VERSION",
    "MAGIC",
    "HEADER_LAYOUT",
    "HEADER_SIZE",
    "TOKEN_BYTES",
    "SOURCE",
    "SINK",
    "Kind",
    "Header",
    "data_header",
    "encode_batch",
    "encode",
    "decode",
    "frame_bytes",
]

#: bump when the header layout or the meaning of a field changes
WIRE_VERSION = 1
MAGIC = b"TEMW"
#: magic, version, kind, flags (reserved, 0), token, stream, sender, seq,
#: first_orbit, last_orbit, n_events, total_batches, total_events, body_bytes,
#: rejected, worker
HEADER_LAYOUT = "<4sHBB16sIIQIIQQQQII"
_STRUCT = struct.Struct(HEADER_LAYOUT)
HEADER_SIZE = _STRUCT.size
TOKEN_BYTES = 16
#: ``sender`` values of the two singleton roles (workers use their index 0..N-1)
SOURCE = 0xFFFFFFFF
SINK = 0xFFFFFFFE
_MAX_TEXT = 1 << 16


class Kind(enum.IntEnum):
    """What a message is. Bodies: DATA -> Arrow IPC; ERROR -> text; READY -> optional text."""

    DATA = 1  #: one batch (source -> worker, worker -> sink)
    END = 2  #: end of stream; from the source it carries totals, from a worker it says "drained"
    ACK = 3  #: the sink acknowledges an END or ERROR; the sender may exit only after it
    #: a worker's credit to the source (one per batch it can take), a worker's "up" to the
    #: sink, or the source's hello to the sink (body: its work endpoint and message size)
    READY = 4
    ERROR = 5  #: a peer failed; body is its error text
    SENT = 6  #: source -> sink note: batch ``seq`` (orbits, events) went to worker ``worker``


_TEXT_KINDS = frozenset({Kind.ERROR, Kind.READY})


@dataclass(frozen=True, slots=True)
class Header:
    """The fixed fields of one message.

    ``sender`` is a worker index, :data:`SOURCE` or :data:`SINK`. In a ``SENT`` note
    the source puts the index of the worker it gave the batch to in ``worker``.
    ``first_orbit``/``last_orbit`` are the orbits of the batch's first and last rows
    (0 for an empty batch). ``total_batches``/``total_events`` are set on the
    source's ``END``. ``rejected`` counts messages the sender refused (foreign run
    token or malformed), reported on ``END``.
    """

    kind: Kind
    token: bytes
    seq: int = 0
    stream: int = 0
    sender: int = SOURCE
    first_orbit: int = 0
    last_orbit: int = 0
    n_events: int = 0
    total_batches: int = 0
    total_events: int = 0
    worker: int = 0
    rejected: int = 0
    body_bytes: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", Kind(self.kind))

    def pack(self) -> bytes:
        """The header frame (:data:`HEADER_SIZE` bytes)."""
        if len(self.token) != TOKEN_BYTES:
            msg = f"a run token is {TOKEN_BYTES} bytes (secrets.token_bytes({TOKEN_BYTES})), got {len(self.token)}"
            raise ValueError(msg)
        try:
            return _STRUCT.pack(
                MAGIC, WIRE_VERSION, int(self.kind), 0, self.token, self.stream, self.sender, self.seq,
                self.first_orbit, self.last_orbit, self.n_events, self.total_batches, self.total_events,
                self.body_bytes, self.rejected, self.worker,
            )
        except struct.error as err:
            msg = f"header field out of range for layout {HEADER_LAYOUT!r} ({err}): {self!r}"
            raise ValueError(msg) from None

    def describe(self) -> str:
        """Short text for error messages: ``batch seq 3 (orbits 12..15, 10992 events)``."""
        return f"batch seq {self.seq} (orbits {self.first_orbit}..{self.last_orbit}, {self.n_events} events)"


def data_header(batch: pa.RecordBatch, *, token: bytes, seq: int, stream: int = 0, sender: int = SOURCE) -> Header:
    """A ``DATA`` header for ``batch``: event count and first/last orbit read from it."""
    first, last = _orbit_range(batch)
    return Header(
        Kind.DATA, token, seq=seq, stream=stream, sender=sender, first_orbit=first, last_orbit=last, n_events=batch.num_rows
    )


def _orbit_range(batch: pa.RecordBatch) -> tuple[int, int]:
    if batch.num_rows == 0:
        return 0, 0
    idx = batch.schema.get_field_index("orbit")
    if idx < 0:
        msg = f"a batch on the wire needs the key column 'orbit' (orbit, bx, event); it has {batch.schema.names}"
        raise ValueError(msg)
    orbit = batch.column(idx)
    return int(orbit[0].as_py()), int(orbit[len(orbit) - 1].as_py())


def encode_batch(header: Header, batch: pa.RecordBatch) -> list:
    """Frames ``[header, arrow_ipc_body]`` of a ``DATA`` message.

    The body is a :class:`pyarrow.Buffer` (buffer protocol): pass the list to
    ``socket.send_multipart(frames, copy=False)``.
    """
    if header.kind is not Kind.DATA:
        msg = f"encode_batch makes DATA messages; got kind {header.kind.name} (use encode for control messages)"
        raise ValueError(msg)
    if header.n_events != batch.num_rows or (header.first_orbit, header.last_orbit) != _orbit_range(batch):
        msg = (
            f"header says {header.describe()} but the batch has {batch.num_rows} rows, orbits "
            f"{'..'.join(map(str, _orbit_range(batch)))}; build the header with data_header(batch, ...)"
        )
        raise ValueError(msg)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    body = sink.getvalue()
    return [replace(header, body_bytes=body.size).pack(), body]


def encode(header: Header, text: str | None = None) -> list:
    """Frames of a control message (END, ACK, READY, ERROR, SENT), with optional text body."""
    if header.kind is Kind.DATA:
        msg = "DATA messages carry a batch: use encode_batch(header, batch)"
        raise ValueError(msg)
    if text is None:
        if header.kind is Kind.ERROR:
            msg = "an ERROR message needs its error text"
            raise ValueError(msg)
        return [replace(header, body_bytes=0).pack()]
    if header.kind not in _TEXT_KINDS:
        msg = f"{header.kind.name} messages have no body; only ERROR and READY carry text"
        raise ValueError(msg)
    body = text.encode("utf-8")[:_MAX_TEXT]
    return [replace(header, body_bytes=len(body)).pack(), body]


def frame_bytes(frame) -> memoryview:
    """A zero-copy view of a received frame (``zmq.Frame``, bytes or buffer)."""
    buf = getattr(frame, "buffer", None)
    return buf if buf is not None else memoryview(frame)


def decode(frames: list, *, token: bytes | None = None) -> tuple[Header, pa.RecordBatch | str | None]:
    """Validate and decode one received message.

    Returns ``(header, body)``: body is the RecordBatch of a ``DATA`` message, the
    text of an ``ERROR``/``READY`` message that has one, else ``None``. When
    ``token`` is given, a message carrying another run token is rejected with
    ``TransportError("message from another run (token ...), rejected ...")``.
    """
    if not 1 <= len(frames) <= 2:
        msg = f"a wire message has 1 or 2 frames (header, optional body), got {len(frames)}; not a triggeremu message"
        raise TransportError(msg)
    head = frame_bytes(frames[0])
    if head.nbytes != HEADER_SIZE:
        msg = (
            f"header frame of {head.nbytes} bytes, expected {HEADER_SIZE}: not a triggeremu wire message "
            f"(version {WIRE_VERSION}), or a truncated one"
        )
        raise TransportError(msg)
    (magic, version, kind, _flags, tok, stream, sender, seq, first, last, n, totb, tote, body_bytes, rejected, worker) = (
        _STRUCT.unpack(head)
    )
    if magic != MAGIC:
        msg = f"bad magic {magic!r} (expected {MAGIC!r}): not a triggeremu wire message, rejected"
        raise TransportError(msg)
    if version != WIRE_VERSION:
        msg = (
            f"wire version {version}, this process speaks version {WIRE_VERSION}; "
            "run the same triggeremu version in every process of a run"
        )
        raise TransportError(msg)
    try:
        kind = Kind(kind)
    except ValueError:
        msg = f"unknown message kind {kind}; known kinds are {[f'{k.value}={k.name}' for k in Kind]}"
        raise TransportError(msg) from None
    if token is not None and tok != token:
        msg = (
            f"message from another run (token {tok.hex()[:12]}...), rejected; this run's token is "
            f"{token.hex()[:12]}... (a worker or source left over from an earlier run?)"
        )
        raise TransportError(msg)
    header = Header(
        kind, tok, seq=seq, stream=stream, sender=sender, first_orbit=first, last_orbit=last, n_events=n,
        total_batches=totb, total_events=tote, worker=worker, rejected=rejected,
        body_bytes=body_bytes,
    )
    body = frame_bytes(frames[1]) if len(frames) == 2 else None
    got = 0 if body is None else body.nbytes
    if got != body_bytes:
        msg = f"{kind.name} message body of {got} bytes, header says {body_bytes}: truncated or corrupt, rejected"
        raise TransportError(msg)
    if kind is Kind.DATA:
        if body is None:
            msg = f"DATA message for {header.describe()} has no body frame"
            raise TransportError(msg)
        return header, _read_batch(header, body)
    if body is None:
        if kind is Kind.ERROR:
            msg = "ERROR message without its error text"
            raise TransportError(msg)
        return header, None
    if kind not in _TEXT_KINDS:
        msg = f"{kind.name} messages carry no body, got {got} bytes"
        raise TransportError(msg)
    try:
        return header, bytes(body).decode("utf-8")
    except UnicodeDecodeError as err:
        msg = f"{kind.name} message text is not UTF-8 ({err.reason} at byte {err.start})"
        raise TransportError(msg) from None


def _read_batch(header: Header, body: memoryview) -> pa.RecordBatch:
    try:
        reader = pa.ipc.open_stream(pa.py_buffer(body))
        batch = reader.read_next_batch()
        try:
            reader.read_next_batch()
        except StopIteration:
            pass
        else:
            msg = f"DATA body for {header.describe()} holds more than one record batch; one batch per message"
            raise TransportError(msg)
        batch.validate()
    except StopIteration:
        msg = f"DATA body for {header.describe()} holds no record batch"
        raise TransportError(msg) from None
    except (pa.ArrowInvalid, pa.ArrowException) as err:
        msg = f"DATA body for {header.describe()} is not a valid Arrow IPC stream: {err}"
        raise TransportError(msg) from None
    if batch.num_rows != header.n_events:
        msg = f"header announces {header.describe()} but the Arrow body holds {batch.num_rows} rows"
        raise TransportError(msg)
    if batch.num_rows and batch.schema.get_field_index("orbit") >= 0:
        first, last = _orbit_range(batch)
        if (first, last) != (header.first_orbit, header.last_orbit):
            msg = f"header announces {header.describe()} but the Arrow body spans orbits {first}..{last}"
            raise TransportError(msg)
    return batch
