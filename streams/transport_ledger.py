"""The sink's bookkeeping: reorder buffer, loss and duplicate detection, reconciliation.

:class:`Ledger` is pure logic (no sockets), fed by :mod:`streams.transport_sink` with
the headers it receives:

- ``SENT`` notes from the source say which worker got batch ``seq`` (its orbit
  range, first event and event count); a re-dispatch names the worker it had before;
- ``DATA`` from worker ``w`` delivers batch ``seq``;
- ``END`` from the source carries the totals (batches, events).

Batches leave in sequence order (:meth:`Ledger.pop_ready`), so downstream stateful
scans see BX order. The source dispatches no further ahead than the reorder-buffer
bound, so :attr:`Ledger.buffer` never holds more batches than that.

Workers are stateless maps, so nothing a worker held is lost with it: :meth:`retire`
returns the batches a dead worker held (the source sends them to another worker),
and a result that comes back twice (from a worker taken for dead that came back, or
a batch sent twice) is dropped by sequence number and recorded in
:attr:`Ledger.duplicates`. A worker handles its batches in the order it received
them and sends results over one connection (ZeroMQ keeps per-connection order), so
when a later batch of worker ``w`` arrives before an earlier one, the earlier one was
lost in transit; so was a batch a worker never received while it reports itself idle
twice (:meth:`on_idle`). Both are returned to be sent again. :meth:`problems`
lists what is still missing at the end, with sequence numbers and orbit ranges.
"""

from __future__ import annotations

from collections import Counter, deque

import pyarrow as pa

from streams.wire import FLAG_REDISPATCH, Header

__all__ = ["Ledger"]


class Ledger:
    """Sink-side accounting of one run with ``n_workers`` workers."""

    def __init__(self, n_workers: int) -> None:
        self.next_seq = 0
        self.buffer: dict[int, pa.RecordBatch] = {}
        self.notes: dict[int, Header] = {}  # latest SENT note of every announced, undelivered batch
        self.dispatched: list[deque[int]] = [deque() for _ in range(n_workers)]
        self.arrived: list[Counter[int]] = [Counter() for _ in range(n_workers)]
        self.retired: set[int] = set()
        self.redispatched: list[Header] = []
        self.duplicates: list[Header] = []
        self.announced_batches = 0
        self.announced_events = 0
        self.delivered_batches = 0
        self.delivered_events = 0
        self.totals: Header | None = None
        self._seen: set[int] = set()  # announced seqs not yet delivered (counted once)
        self._idle: dict[int, tuple[int, tuple[int, ...]]] = {}

    # -- feeding -----------------------------------------------------------------
    def _open(self, seq: int) -> bool:
        """Batch ``seq`` is announced or not, and not delivered yet."""
        return seq >= self.next_seq and seq not in self.buffer

    def on_sent(self, note: Header) -> list[int]:
        """A SENT note; returns the seqs found lost in transit (to send again)."""
        if self._open(note.seq):
            if note.seq not in self._seen:
                self._seen.add(note.seq)
                self.announced_batches += 1
                self.announced_events += note.n_events
            self.notes[note.seq] = note
        if note.flags & FLAG_REDISPATCH:
            self.redispatched.append(note)
        w = note.worker
        if w in self.retired:
            return []
        self.dispatched[w].append(note.seq)
        self._idle.pop(w, None)
        return self._advance(w)

    def on_data(self, header: Header, batch: pa.RecordBatch) -> list[int]:
        """A result; returns the seqs found lost in transit (to send again)."""
        seq, w = header.seq, header.sender
        if self._open(seq):
            self.buffer[seq] = batch
        else:
            self.duplicates.append(header)
        if w in self.retired:
            return []
        self.arrived[w][seq] += 1
        return self._advance(w)

    def on_source_end(self, header: Header) -> None:
        self.totals = header

    def on_idle(self, w: int, received: int) -> list[int]:
        """Worker ``w`` reports that it received ``received`` batches and has sent every
        result. Batches given to it and not back after two such reports in a row are
        lost in transit: returned (to send again)."""
        if w in self.retired:
            return []
        waiting = tuple(s for s in self.dispatched[w] if not self.arrived[w][s])
        if not waiting:
            self._idle.pop(w, None)
            return []
        if self._idle.get(w) != (received, waiting):
            self._idle[w] = (received, waiting)
            return []
        self._idle.pop(w, None)
        self.dispatched[w].clear()
        self.arrived[w].clear()
        return [s for s in waiting if self._open(s)]

    def retire(self, w: int) -> list[Header]:
        """Worker ``w`` is dead: the SENT notes of the undelivered batches it held."""
        if w in self.retired:
            return []
        self.retired.add(w)
        held = [self.notes[s] for s in self.dispatched[w] if self._open(s) and s in self.notes]
        self.dispatched[w].clear()
        self.arrived[w].clear()
        self._idle.pop(w, None)
        return held

    def _advance(self, w: int) -> list[int]:
        lost: list[int] = []
        dq, arr = self.dispatched[w], self.arrived[w]
        while dq:
            head = dq[0]
            if arr[head] > 0:
                arr[head] -= 1
                if not arr[head]:
                    del arr[head]
                dq.popleft()
            elif any(arr[s] > 0 for s in dq):  # a later batch of w overtook head: head was lost
                dq.popleft()
                if self._open(head):
                    lost.append(head)
            else:
                break
        return lost

    # -- output ------------------------------------------------------------------
    def pop_ready(self) -> list[tuple[Header | None, pa.RecordBatch]]:
        """(SENT note, batch) pairs that can leave now, in sequence order."""
        out = []
        while self.next_seq in self.buffer:
            batch = self.buffer.pop(self.next_seq)
            note = self.notes.pop(self.next_seq, None)
            self._seen.discard(self.next_seq)
            self.delivered_batches += 1
            self.delivered_events += batch.num_rows
            out.append((note, batch))
            self.next_seq += 1
        return out

    @property
    def complete(self) -> bool:
        """The source has ended and every batch it sent is delivered."""
        return self.totals is not None and self.next_seq >= self.totals.total_batches and not self.buffer

    def held_by(self, w: int) -> list[Header]:
        """SENT notes of the batches given to worker ``w`` whose result has not arrived."""
        return [self.notes[s] for s in self.dispatched[w] if s in self.notes and not self.arrived[w][s]]

    def waiting_for(self) -> list[int]:
        """Sequence numbers announced but not delivered yet."""
        return sorted(s for s in self.notes if self._open(s))

    def live_workers(self) -> list[int]:
        return [w for w in range(len(self.dispatched)) if w not in self.retired]

    def problems(self) -> list[str]:
        """Every integrity problem at the end, each naming sequence numbers and orbit ranges."""
        out = []
        total = self.totals.total_batches if self.totals is not None else None
        missing = [s for s in range(self.next_seq, total)] if total is not None else []
        if missing:
            items = [_describe(s, self.notes.get(s)) for s in missing[:20]]
            out.append(f"{len(missing)} batch(es) never delivered: " + "; ".join(items))
        if self.totals is not None and not missing and self.delivered_events != self.totals.total_events:
            out.append(
                f"event count mismatch: the source sent {self.totals.total_events} events, the sink "
                f"received {self.delivered_events}"
            )
        return out


def _describe(seq: int, note: Header | None) -> str:
    if note is None:
        return f"seq {seq} (orbit range unknown: the source never announced it)"
    return f"{note.describe()} given to worker {note.worker}"
