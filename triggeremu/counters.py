"""Per-batch counters of the map side, and how they add up in the sink.

The map side of a run (:class:`triggeremu.chain.MapSide`) reduces each batch to
numbers that add exactly: events, valid events, per-seed raw firings over valid
events, valid events with any raw firing, input anomalies per kind (events), and
for every stage output column a :class:`ValueCounts` (distinct values and how
often each occurs; a vector column keeps its event count only). The sink adds
them (:meth:`Counters.add`), so it keeps no per-event column for the run
summary: a stage's ``summary`` reads the merged ValueCounts (the event count,
the events at or above a threshold, bit counts).

On the wire a batch's counters travel in its Arrow schema metadata
(:meth:`Counters.to_metadata` / :meth:`Counters.from_metadata`): a small JSON
header plus the raw little-endian arrays, decoded with ``json`` and
``numpy.frombuffer`` only (never pickled).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from streams.hwunits import ANOMALY_KINDS

__all__ = ["ValueCounts", "Counters", "ANOMALY_KINDS", "META_HEADER", "META_ARRAYS"]

META_HEADER = b"triggeremu.counters"
META_ARRAYS = b"triggeremu.counter_arrays"
#: dense counting when a batch's integer values span at most this many times its length
_DENSE_SPAN = 4


@dataclass
class ValueCounts:
    """The multiset of one column's values: sorted distinct ``values``, their ``counts``,
    and ``n`` events (for a vector column ``values`` is empty and only ``n`` counts).

    ``len()`` is the number of events; ``np.asarray(vc)`` expands it back to a sorted
    column (O(events): for stage summaries that have not moved to the methods below)."""

    values: np.ndarray
    counts: np.ndarray
    n: int
    _parts: list = field(default_factory=list, repr=False)

    @classmethod
    def of(cls, column: np.ndarray) -> ValueCounts:
        v = np.asarray(column)
        if v.ndim != 1 or v.dtype.kind not in "iufb":
            return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), int(v.shape[0]))
        if v.dtype.kind == "b":
            v = v.view(np.uint8)
        if v.size and v.dtype.kind in "iu":
            lo, hi = int(v.min()), int(v.max())
            if hi - lo < _DENSE_SPAN * v.size + 64:
                c = np.bincount((v - lo).astype(np.intp, copy=False), minlength=hi - lo + 1)
                nz = np.flatnonzero(c)
                return cls((nz + lo).astype(np.int64), c[nz].astype(np.int64), int(v.size))
        values, counts = np.unique(v, return_counts=True)
        dtype = np.float64 if v.dtype.kind == "f" else np.int64
        return cls(values.astype(dtype), counts.astype(np.int64), int(v.size))

    def __len__(self) -> int:
        return self.n

    def add(self, other: ValueCounts) -> None:
        """Add another batch's counts (merged lazily, in groups)."""
        self.n += other.n
        if other.values.size:
            self._parts.append((other.values, other.counts))
            if len(self._parts) >= 32:
                self._compact()

    def _compact(self) -> None:
        if not self._parts:
            return
        vals = np.concatenate([self.values, *(p[0] for p in self._parts)])
        cnts = np.concatenate([self.counts, *(p[1] for p in self._parts)])
        self._parts = []
        uniq, inv = np.unique(vals, return_inverse=True)
        self.values = uniq
        self.counts = np.bincount(inv, weights=cnts, minlength=uniq.size).astype(np.int64)

    def merged(self) -> ValueCounts:
        self._compact()
        return self

    def count_at_least(self, threshold) -> int:
        """Events whose value is >= threshold."""
        self._compact()
        return int(self.counts[self.values >= threshold].sum())

    def count_nonzero(self) -> int:
        self._compact()
        return int(self.counts[self.values != 0].sum())

    def bit_counts(self, n_bits: int) -> list[int]:
        """Events with bit k set, k = 0..n_bits-1 (integer columns)."""
        self._compact()
        v = self.values.astype(np.int64)
        return [int(self.counts[(v >> k) & 1 == 1].sum()) for k in range(n_bits)]

    def __array__(self, dtype=None, copy=None):
        self._compact()
        out = np.repeat(self.values, self.counts)
        return out if dtype is None else out.astype(dtype)


@dataclass
class Counters:
    """What one or more batches add to the run summary (see the module docstring)."""

    n_seeds: int
    n_events: int = 0
    n_valid: int = 0
    n_any_raw: int = 0
    seed_raw: np.ndarray = field(default=None)  # type: ignore[assignment]
    anomalies: np.ndarray = field(default=None)  # type: ignore[assignment]
    values: dict[str, ValueCounts] = field(default_factory=dict)
    #: column seeds the map side could not evaluate (their column comes from a scan stage)
    deferred: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.seed_raw is None:
            self.seed_raw = np.zeros(self.n_seeds, dtype=np.int64)
        if self.anomalies is None:
            self.anomalies = np.zeros(len(ANOMALY_KINDS), dtype=np.int64)

    def add(self, other: Counters) -> None:
        self.n_events += other.n_events
        self.n_valid += other.n_valid
        self.n_any_raw += other.n_any_raw
        self.seed_raw += other.seed_raw
        self.anomalies += other.anomalies
        for name, vc in other.values.items():
            if name in self.values:
                self.values[name].add(vc)
            else:
                self.values[name] = ValueCounts(vc.values.copy(), vc.counts.copy(), vc.n)

    def anomaly_table(self) -> dict[str, int]:
        return {k: int(c) for k, c in zip(ANOMALY_KINDS, self.anomalies, strict=True)}

    # -- the wire ------------------------------------------------------------------
    def to_metadata(self) -> dict[bytes, bytes]:
        arrays = [self.seed_raw.astype("<i8"), self.anomalies.astype("<i8")]
        cols = {}
        for name, vc in self.values.items():
            vc = vc.merged()
            kind = "f" if vc.values.dtype.kind == "f" else "i"
            cols[name] = [vc.n, int(vc.values.size), kind]
            arrays += [vc.values.astype("<f8" if kind == "f" else "<i8"), vc.counts.astype("<i8")]
        head = {"n_seeds": self.n_seeds, "n_events": self.n_events, "n_valid": self.n_valid,
                "n_any_raw": self.n_any_raw, "n_anomaly_kinds": len(ANOMALY_KINDS), "values": cols,
                "deferred": list(self.deferred)}
        return {META_HEADER: json.dumps(head).encode(), META_ARRAYS: b"".join(a.tobytes() for a in arrays)}

    @classmethod
    def from_metadata(cls, meta: Mapping[bytes, bytes]) -> Counters:
        """Decode :meth:`to_metadata`; raises ``ValueError`` on anything malformed."""
        try:
            head = json.loads(meta[META_HEADER].decode())
            raw = meta[META_ARRAYS]
            k, n_kinds = int(head["n_seeds"]), int(head["n_anomaly_kinds"])
            if n_kinds != len(ANOMALY_KINDS) or k < 0:
                raise ValueError("counter layout differs from this version")
            pos = 0

            def take(count: int, dtype: str) -> np.ndarray:
                nonlocal pos
                if count < 0 or pos + 8 * count > len(raw):
                    raise ValueError("counter arrays are truncated")
                out = np.frombuffer(raw, dtype=dtype, count=count, offset=pos).astype(dtype[1:])
                pos += 8 * count
                return out

            seed_raw, anomalies = take(k, "<i8"), take(n_kinds, "<i8")
            values = {}
            for name, (n, size, kind) in head["values"].items():
                vals = take(int(size), "<f8" if kind == "f" else "<i8")
                values[str(name)] = ValueCounts(vals, take(int(size), "<i8"), int(n))
            if pos != len(raw):
                raise ValueError("counter arrays have trailing bytes")
            deferred = tuple(int(j) for j in head.get("deferred", ()))
            if any(not 0 <= j < k for j in deferred):
                raise ValueError("deferred seed index out of range")
            return cls(k, int(head["n_events"]), int(head["n_valid"]), int(head["n_any_raw"]), seed_raw,
                       anomalies, values, deferred)
        except (KeyError, TypeError, ValueError, UnicodeDecodeError, json.JSONDecodeError) as err:
            msg = f"malformed batch counters in the Arrow metadata: {err}"
            raise ValueError(msg) from None
