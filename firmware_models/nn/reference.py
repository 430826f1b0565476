"""The slow, obviously-correct path: each node's reference twin, one event at a time in Python ints.

The twins live with their kinds (:mod:`firmware_models.nn.layers`, the ``reference`` of
each :class:`~firmware_models.nn.registry.KindSpec`) and follow the hls4ml C++ loops
literally: every assignment to a fixed-point variable goes through
:func:`firmware_models.fixed.exact.convert_exact`, every ``+=`` through
:func:`firmware_models.fixed.exact.overflow_exact`. :func:`run_layer` runs one node over a
batch; ``NNModel.predict_raw(x, reference=True)`` runs the whole graph this way. Used by the
property tests (fast == reference).
"""

from __future__ import annotations

import numpy as np

__all__ = ["run_layer", "table_index_one"]


def table_index_one(raw: int, frac: int, n: int, span: int) -> int:
    """int(x * N / span) + N/2, truncation toward zero, 32-bit int, clamped."""
    num = int(raw) * n
    den = span * 2**frac if frac >= 0 else None
    if den is None:
        num, den = num * 2**(-frac), span
    q = abs(num) // den
    q = -q if num < 0 else q
    q = (q + 2**31) % 2**32 - 2**31
    return min(max(q + n // 2, 0), n - 1)


def run_layer(layer, x) -> np.ndarray:
    """Raw results of one node, event by event (``x`` one array, or a list with one per input)."""
    from firmware_models.nn import registry

    spec = registry.get(layer.kind, layer=layer.name)
    xs = list(x) if isinstance(x, (list, tuple)) else [x]
    rows = [[int(v) for v in np.asarray(a)[e].reshape(-1)] for a in xs for e in range(len(a))]
    n_ev = len(xs[0])
    per_event = [[rows[k * n_ev + e] for k in range(len(xs))] for e in range(n_ev)]
    out = [spec.reference(layer, ev) for ev in per_event]
    return np.array(out, dtype=object).reshape(n_ev, layer.n_out).astype(np.int64)
