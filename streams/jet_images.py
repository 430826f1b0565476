"""40x40 images of the leading jet, made from the L1 jet of each event: the Joint-VAE encoder's input.

No source carries jet constituents (the L1 inputs hold each jet's pT, eta, phi only), so this is
a stand-in with the right shape and a physics-like look, documented as such: the leading jet (jet
slot 0 of ``l1_inputs``, pT code ``p`` in 0.5 GeV units) is split into ``k = min(24, 2 + p // 40)``
constituents; constituent j carries the weight ``w_j = -log(1 - u_j)`` (exponential; the first, the
core, gets ``+ 2``) and sits at row, column ``floor(19.5 + s * g + 0.5)`` with ``g`` standard normal
(Box-Muller) and ``s = 1.5 + 120 / (pT + 40)`` pixels (pT in GeV: harder jets are narrower);
constituents off the 40x40 grid are lost. Pixel value: the sum of ``floor(p * w_j / sum(w))`` of
its constituents, in the jet pT's code units (0.5 GeV). An event without a jet gives a blank image.

Row-major (40, 40, 1) channels-last, as hls4ml's ``img`` input. One :mod:`streams.counter_rng` stream
per (seed, event): an event's image does not depend on the batch. :func:`jet_images` is the kernel,
:func:`jet_images_reference` its plain twin (``tests/test_kernel_twins.py``).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from firmware_models.jit import JIT_OPTIONS
from streams.counter_rng import event_state, key, py_event_state, py_uniform, uniform
from streams.hwunits import SLICES

__all__ = ["SIZE", "jet_images", "jet_images_reference", "STREAM"]

SIZE = 40
STREAM = 0x4A494D47  # "JIMG"
_MAX_K = 24


@numba.jit(**JIT_OPTIONS)
def _kernel(l1, events, k, jet0, out):
    w = np.empty(_MAX_K, dtype=np.float64)
    rc = np.empty((_MAX_K, 2), dtype=np.int64)
    for i in range(l1.shape[0]):
        for c in range(out.shape[1]):
            out[i, c] = 0
        p = l1[i, jet0]
        if p <= 0:
            continue
        st = event_state(k, np.uint64(events[i]))
        n = min(_MAX_K, 2 + p // 40)
        s = 1.5 + 120.0 / (p * 0.5 + 40.0)
        total = 0.0
        for j in range(n):
            st, u = uniform(st)
            w[j] = -math.log(1.0 - u) + (2.0 if j == 0 else 0.0)
            total += w[j]
            for a in range(2):
                st, u1 = uniform(st)
                st, u2 = uniform(st)
                g = math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)
                rc[j, a] = np.int64(math.floor(19.5 + s * g + 0.5))
        for j in range(n):
            r, c = rc[j, 0], rc[j, 1]
            if 0 <= r < SIZE and 0 <= c < SIZE:
                out[i, SIZE * r + c] += np.uint16(math.floor(p * w[j] / total))


def _inputs(l1, events):
    l1 = np.ascontiguousarray(l1, dtype=np.int64)
    ev = np.ascontiguousarray(events, dtype=np.uint64)
    if l1.ndim != 2 or l1.shape[1] != 57 or ev.shape != (l1.shape[0],):
        msg = f"jet_images wants l1_inputs (N, 57) and event numbers (N,); got {l1.shape}, {ev.shape}"
        raise ValueError(msg)
    return l1, ev


def jet_images(l1_inputs: np.ndarray, events: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """(N, 1600) uint16 leading-jet images (see the module docstring)."""
    l1, ev = _inputs(l1_inputs, events)
    out = np.empty((l1.shape[0], SIZE * SIZE), dtype=np.uint16)
    _kernel(l1, ev, np.uint64(key(seed, STREAM)), SLICES["jet"].start, out)
    return out


def jet_images_reference(l1_inputs: np.ndarray, events: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """Plain Python twin of :func:`jet_images`."""
    l1, ev = _inputs(l1_inputs, events)
    k = key(seed, STREAM)
    out = np.zeros((l1.shape[0], SIZE * SIZE), dtype=np.uint16)
    for i in range(l1.shape[0]):
        p = int(l1[i, SLICES["jet"].start])
        if p <= 0:
            continue
        st = py_event_state(k, int(ev[i]))
        n, s = min(_MAX_K, 2 + p // 40), 1.5 + 120.0 / (p * 0.5 + 40.0)
        parts = []
        for j in range(n):
            st, u = py_uniform(st)
            wj = -math.log(1.0 - u) + (2.0 if j == 0 else 0.0)
            pos = []
            for _ in range(2):
                st, u1 = py_uniform(st)
                st, u2 = py_uniform(st)
                g = math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)
                pos.append(math.floor(19.5 + s * g + 0.5))
            parts.append((wj, pos))
        total = 0.0
        for wj, _ in parts:
            total += wj
        for wj, (r, c) in parts:
            if 0 <= r < SIZE and 0 <= c < SIZE:
                out[i, SIZE * r + c] += math.floor(p * wj / total)
    return out
