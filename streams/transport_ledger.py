"""The sink's bookkeeping: reorder buffer, loss and duplicate detection, reconciliation.

:class:`Ledger` is pure logic (no sockets), fed by :mod:`streams.transport_sink` with
the headers it receives:

- ``SENT`` notes from the source say which worker got batch ``seq`` and its orbit
  range and event count;
- ``DATA`` from worker ``w`` delivers batch ``seq``;
- ``END`` from each worker says it has nothing more; ``END`` from the source carries
  the totals (batches, events).

Batches leave in sequence order (:meth:`Ledger.pop_ready`), so downstream stateful
scans see BX order. A worker handles its batches in the order it received them and
sends results over one connection (ZeroMQ keeps per-connection order), so when a
later batch of worker ``w`` arrives before an earlier one, the earlier one is lost:
it is reported then and the reorder buffer moves past it instead of waiting forever.
At the end (:meth:`Ledger.finalize`) everything not delivered is lost, a second copy
of a delivered batch is a duplicate, and counts are checked against the totals;
:meth:`Ledger.problems` lists every discrepancy with sequence numbers and orbit ranges.
"""

from __future__ import annotations

from collections import Counter, deque

import pyarrow as pa

from streams.wire import Header

__all__ = ["Ledger"]


class Ledger:
    """Sink-side accounting of one run with ``n_workers`` workers."""

    def __init__(self, n_workers: int) -> None:
        self.next_seq = 0
        self.buffer: dict[int, pa.RecordBatch] = {}
        self.notes: dict[int, Header] = {}
        self.dispatched: list[deque[int]] = [deque() for _ in range(n_workers)]
        self.arrived: list[Counter[int]] = [Counter() for _ in range(n_workers)]
        self.lost: dict[int, Header | None] = {}
        self.late: list[Header] = []
        self.duplicates: list[Header] = []
        self.delivered_batches = 0
        self.delivered_events = 0
        self.totals: Header | None = None
        self.workers_done: set[int] = set()
        self.finalized = False

    # -- feeding -----------------------------------------------------------------
    def on_sent(self, note: Header) -> None:
        if note.seq >= self.next_seq and note.seq not in self.buffer:
            self.notes.setdefault(note.seq, note)
        self.dispatched[note.worker].append(note.seq)
        self._advance(note.worker)

    def on_data(self, header: Header, batch: pa.RecordBatch) -> None:
        seq, w = header.seq, header.sender
        self.arrived[w][seq] += 1
        if seq in self.lost:
            self.late.append(header)
        elif seq < self.next_seq or seq in self.buffer:
            self.duplicates.append(header)
        else:
            self.buffer[seq] = batch
        self._advance(w)

    def on_worker_end(self, w: int) -> None:
        self.workers_done.add(w)

    def on_source_end(self, header: Header) -> None:
        self.totals = header

    @property
    def all_ended(self) -> bool:
        return self.totals is not None and len(self.workers_done) == len(self.dispatched)

    def _advance(self, w: int) -> None:
        dq, arr = self.dispatched[w], self.arrived[w]
        while dq:
            head = dq[0]
            if arr[head] > 0:
                arr[head] -= 1
                if not arr[head]:
                    del arr[head]
                dq.popleft()
            elif any(arr[s] > 0 for s in dq):  # a later batch of w overtook head: head is lost
                dq.popleft()
                self._mark_lost(head)
            else:
                return

    def _mark_lost(self, seq: int) -> None:
        if seq not in self.buffer and seq not in self.lost and seq >= self.next_seq:
            self.lost[seq] = self.notes.pop(seq, None)

    # -- output ------------------------------------------------------------------
    def pop_ready(self) -> list[pa.RecordBatch]:
        """Batches that can leave now, in sequence order (lost ones skipped)."""
        out = []
        while True:
            if self.next_seq in self.buffer:
                batch = self.buffer.pop(self.next_seq)
                self.notes.pop(self.next_seq, None)
                self.delivered_batches += 1
                self.delivered_events += batch.num_rows
                out.append(batch)
            elif self.next_seq not in self.lost:
                return out
            self.next_seq += 1

    def held_by(self, w: int) -> list[Header]:
        """SENT notes of the batches given to worker ``w`` whose result has not arrived."""
        return [self.notes[s] for s in self.dispatched[w] if s in self.notes and not self.arrived[w][s]]

    def waiting_for(self) -> list[int]:
        """Sequence numbers announced but not delivered yet."""
        return sorted(self.notes)

    def finalize(self) -> None:
        """Everything has ended: what was not delivered is lost. Call once, then pop_ready."""
        for w in range(len(self.dispatched)):
            for seq in self.dispatched[w]:
                if not self.arrived[w][seq]:
                    self._mark_lost(seq)
            self.dispatched[w].clear()
        total = self.totals.total_batches if self.totals is not None else self.next_seq
        for seq in range(self.next_seq, total):
            if seq not in self.buffer:
                self._mark_lost(seq)
        self.finalized = True

    def extra(self) -> list[int]:
        """Delivered sequence numbers beyond the source's total (left in the buffer)."""
        return sorted(self.buffer)

    def problems(self) -> list[str]:
        """Every integrity problem, each naming sequence numbers and orbit ranges."""
        out = []
        if self.lost:
            items = [_describe(seq, note) for seq, note in sorted(self.lost.items())]
            out.append(f"{len(self.lost)} batch(es) lost: " + "; ".join(items))
        if self.duplicates:
            items = [f"{h.describe()} again from worker {h.sender}" for h in self.duplicates]
            out.append(f"{len(self.duplicates)} duplicate batch(es) received and dropped: " + "; ".join(items))
        if self.late:
            items = [f"{h.describe()} from worker {h.sender}" for h in self.late]
            out.append(f"{len(self.late)} batch(es) arrived after later ones and were dropped: " + "; ".join(items))
        if self.finalized and self.buffer:
            items = [f"seq {s} ({self.buffer[s].num_rows} events)" for s in sorted(self.buffer)]
            out.append(f"batch(es) beyond the source's total of {self.totals.total_batches}: " + "; ".join(items))
        if self.totals is not None and self.finalized:
            lost_events = sum(n.n_events for n in self.lost.values() if n is not None)
            accounted = self.delivered_events + lost_events
            if not any(n is None for n in self.lost.values()) and accounted != self.totals.total_events:
                out.append(
                    f"event count mismatch: the source sent {self.totals.total_events} events, the sink "
                    f"received {self.delivered_events} (+{lost_events} in lost batches)"
                )
        return out


def _describe(seq: int, note: Header | None) -> str:
    if note is None:
        return f"seq {seq} (orbit range unknown: the source never announced it)"
    return f"{note.describe()} given to worker {note.worker}"
