"""Putting worker outputs back in BX order, and saying exactly what is missing.

Workers may finish batches in any order; the sequencer and the trigger rules need
events in BX order. :func:`restore_order` sorts column dicts by the source's global
event number, checks that BX times then increase, raises on duplicates and reports
missing event ranges (gaps) with the orbits around them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from streams.clock import bx_time_fs
from streams.errors import StreamIntegrityError

__all__ = ["Restored", "restore_order"]


@dataclass
class Restored:
    """Worker outputs back in order, with what is missing."""

    columns: dict[str, np.ndarray]
    gaps: list[dict[str, int]] = field(default_factory=list)  # missing event ranges

    @property
    def n_missing(self) -> int:
        return sum(g["last_event"] - g["first_event"] + 1 for g in self.gaps)


def restore_order(parts: Sequence[Mapping[str, np.ndarray]], *, first_event: int | None = None) -> Restored:
    """Concatenate column dicts from workers (any order, any split) back in event order.

    Event numbers are the global sequence of the source, so order by ``event``;
    the (orbit, bx) times must then increase too. A duplicated event raises
    :class:`~streams.errors.StreamIntegrityError`; missing events are reported as
    gaps (``first_event``, ``last_event``, and the orbits around them). With
    ``first_event`` set, events missing before the first one received count too.
    """
    parts = [p for p in parts if len(p["event"])]
    if not parts:
        return Restored(columns={})
    keys = list(parts[0])
    for i, p in enumerate(parts):
        if list(p) != keys:
            msg = f"worker output {i} has columns {sorted(p)}, the first has {sorted(keys)}; all must match"
            raise StreamIntegrityError(msg)
    ev = np.concatenate([np.asarray(p["event"], dtype=np.uint64) for p in parts])
    order = np.argsort(ev, kind="stable")
    cols = {k: np.concatenate([p[k] for p in parts])[order] for k in keys}
    ev = ev[order]
    d = np.diff(ev.astype(np.int64))
    if (d == 0).any():
        dup = np.unique(ev[1:][d == 0])
        msg = f"{dup.size} event(s) received twice (first: event {int(dup[0])}); a batch was duplicated"
        raise StreamIntegrityError(msg)
    t = bx_time_fs(cols["orbit"], cols["bx"])
    bad = np.flatnonzero(np.diff(t) <= 0)
    if bad.size:
        i = int(bad[0])
        msg = (
            f"event {int(ev[i])} (orbit {int(cols['orbit'][i])} BX {int(cols['bx'][i])}) is not before event "
            f"{int(ev[i + 1])} (orbit {int(cols['orbit'][i + 1])} BX {int(cols['bx'][i + 1])}); "
            "event numbers and BX times disagree"
        )
        raise StreamIntegrityError(msg)
    gaps = []
    if first_event is not None and int(ev[0]) > first_event:
        gaps.append({"first_event": int(first_event), "last_event": int(ev[0]) - 1,
                     "orbit_before": -1, "orbit_after": int(cols["orbit"][0])})
    for i in np.flatnonzero(d > 1):
        gaps.append({"first_event": int(ev[i]) + 1, "last_event": int(ev[i + 1]) - 1,
                     "orbit_before": int(cols["orbit"][i]), "orbit_after": int(cols["orbit"][i + 1])})
    return Restored(columns=cols, gaps=gaps)
