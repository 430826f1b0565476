"""The slow, obviously-correct twin of :mod:`firmware_models.nn.kernels`.

One event and one value at a time, in Python ints, following the hls4ml C++
loops literally (see :data:`firmware_models.nn.model.CONVENTIONS`): every
assignment to a fixed-point variable goes through
:func:`firmware_models.fixed.exact.convert_exact` (quantization + overflow of the
target type), every ``+=`` through
:func:`firmware_models.fixed.exact.overflow_exact`. Used by the property tests
(fast == reference) and by ``NNModel.predict_raw(x, reference=True)``.
"""

from __future__ import annotations

import numpy as np

from firmware_models.fixed.exact import convert_exact, overflow_exact
from firmware_models.nn.tables import TABLE_SPAN

__all__ = ["run_layer", "dense_event", "table_index_one"]


def _conv(m: int, frac: int, t) -> int:
    """Assign the value m * 2**-frac to a variable of type t."""
    return convert_exact(int(m), -int(frac), t)


def dense_event(layer, x: list[int]) -> list[int]:
    t = layer.types
    tx, tw, ta, tb, tr = t["input"], t["weight"], t["accum"], t["bias"], t["result"]
    w = layer.params["weight"]
    b = layer.params["bias"]
    f_prod = tx.fractional + tw.fractional
    out = []
    for o in range(layer.n_out):
        acc = _conv(b[o], tb.fractional, ta)                       # acc = (accum_t)bias
        order = layer.order[o] if layer.order is not None else range(layer.n_in)
        for i in order:
            p = _conv(int(x[i]) * int(w[i, o]), f_prod, ta)        # mult = (accum_t)(x * w)
            acc = overflow_exact(acc + p, ta)                      # acc += mult
        out.append(_conv(acc, ta.fractional, tr))                  # res = (res_t)acc
    return out


def table_index_one(raw: int, frac: int, n: int, span: int) -> int:
    """int(x * N / span) + N/2 as the C++ computes it (see activations_ref.span_index_one), clamped."""
    from firmware_models.nn.activations_ref import span_index_one

    return span_index_one(raw, frac, n, span)


def _one(layer, x: list[int]) -> list[int]:
    t = layer.types
    tin, tr = t["input"], t["result"]
    fin = tin.fractional
    if layer.kind == "dense":
        return dense_event(layer, x)
    if layer.kind == "batchnorm":
        ts, tb = t["scale"], t["bias"]
        out = []
        for i, v in enumerate(x):
            # x*scale + bias at the finer of the two LSBs, then one assignment
            f = max(fin + ts.fractional, tb.fractional)
            val = (int(v) * int(layer.params["scale"][i]) << (f - fin - ts.fractional)) + \
                (int(layer.params["bias"][i]) << (f - tb.fractional))
            out.append(_conv(val, f, tr))
        return out
    if layer.kind == "relu":
        return [_conv(v, fin, tr) if v > 0 else 0 for v in x]
    if layer.kind == "leaky_relu":
        a, fa = int(layer.params["alpha"]), t["param"].fractional
        return [_conv(v, fin, tr) if v > 0 else _conv(int(v) * a, fin + fa, tr) for v in x]
    if layer.kind == "linear":
        return [_conv(v, fin, tr) for v in x]
    tab, tt = layer.params["table"], t["table"]
    span = TABLE_SPAN[layer.kind]
    return [_conv(tab[table_index_one(v, fin, layer.table_size, span)], tt.fractional, tr) for v in x]


def run_layer(layer, x: np.ndarray) -> np.ndarray:
    """Raw results of one layer, event by event, in Python ints."""
    rows = [_one(layer, [int(v) for v in row]) for row in np.asarray(x)]
    return np.array(rows, dtype=np.int64).reshape(len(rows), layer.n_out)
