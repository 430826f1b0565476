"""What every event source shares: option checks, default batch size, re-batching.

A source (:class:`streams.synthetic.SyntheticL1Source`,
:class:`streams.root_source.RootSource`) is an iterable of batches, each a
``dict[str, numpy.ndarray]`` with the keys of :mod:`streams.schema`: ``orbit``,
``bx``, ``event`` (from :func:`streams.clock.assign_bx`, events on colliding BX in
order), ``l1_inputs`` (N, 57) int32, ``bad_input`` uint8, and optional columns. It
has ``n_events``, ``layout`` and ``describe()``. The default batch is four orbits'
worth of colliding BX (docs/design.md: 4-16 orbits per message is the wire's sweet spot).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from streams.clock import FillingScheme, assign_bx
from streams.errors import StreamError

__all__ = ["SourceOptionError", "DEFAULT_BATCH_ORBITS", "default_batch_events", "check_count", "Rebatcher"]

DEFAULT_BATCH_ORBITS = 4


class SourceOptionError(StreamError, ValueError):
    """A source was given an option it cannot use (the message says which values work)."""


def default_batch_events(scheme: FillingScheme) -> int:
    """Four orbits' worth of colliding BX."""
    return DEFAULT_BATCH_ORBITS * scheme.n_colliding


def check_count(name: str, value: object, *, minimum: int = 0) -> int:
    """``value`` as an int >= minimum, or a :class:`SourceOptionError` naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        msg = f"{name} must be an integer >= {minimum}, got {value!r}"
        raise SourceOptionError(msg)
    return int(value)


class Rebatcher:
    """Collects per-event column chunks of any size and emits batches of exactly
    ``batch_events`` events (the last one shorter), stamped with orbit, bx, event.

    Events are numbered from ``first_event`` in arrival order and assigned to the
    colliding BX of ``scheme`` in that order, so the output does not depend on how the
    input was chunked.
    """

    def __init__(self, batch_events: int, scheme: FillingScheme, *, first_event: int = 0) -> None:
        self._size = batch_events
        self._scheme = scheme
        self._next = first_event
        self._parts: list[Mapping[str, np.ndarray]] = []
        self._held = 0

    def push(self, cols: Mapping[str, np.ndarray]) -> Iterator[dict[str, np.ndarray]]:
        """Add a chunk; yield every full batch now available."""
        n = len(next(iter(cols.values()))) if cols else 0
        if n == 0:
            return
        self._parts.append(cols)
        self._held += n
        while self._held >= self._size:
            yield self._take(self._size)

    def flush(self) -> Iterator[dict[str, np.ndarray]]:
        """Yield what is left as a last, shorter batch."""
        if self._held:
            yield self._take(self._held)

    def _take(self, n: int) -> dict[str, np.ndarray]:
        got: list[Mapping[str, np.ndarray]] = []
        need = n
        while need:
            part = self._parts[0]
            size = len(next(iter(part.values())))
            if size <= need:
                got.append(self._parts.pop(0))
                need -= size
            else:
                got.append({k: v[:need] for k, v in part.items()})
                self._parts[0] = {k: v[need:] for k, v in part.items()}
                need = 0
        self._held -= n
        body = got[0] if len(got) == 1 else {k: np.concatenate([g[k] for g in got]) for k in got[0]}
        orbit, bx, event = assign_bx(self._next, n, self._scheme)
        self._next += n
        return {"orbit": orbit, "bx": bx, "event": event, **body}
