"""Counter-based random numbers for generated payloads: one SplitMix64 stream per (seed, stream, event).

The payload generators of :mod:`streams.regions` and :mod:`streams.jet_images` draw each event's
numbers from its own stream keyed by the source seed, a stream id and the global event number, so
an event has the same content whatever the batch it is generated in. :func:`key` is the stream
key (plain Python), :func:`event_state` an event's starting state and :func:`uniform` one draw (both
numba-compiled, with the same integer arithmetic in Python for the reference twins: :func:`py_event_state`,
:func:`py_uniform`). The constants are SplitMix64's (Steele, Lea, Flood 2014).
"""

from __future__ import annotations

import numba
import numpy as np

from firmware_models.jit import JIT_OPTIONS

__all__ = ["key", "event_state", "uniform", "py_event_state", "py_uniform"]

_M64 = 0xFFFFFFFFFFFFFFFF
_GOLDEN = 0x9E3779B97F4A7C15


def _py_mix(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def key(seed: int, stream: int) -> int:
    """The 64-bit key of stream ``stream`` of source seed ``seed``."""
    return _py_mix((int(seed) * _GOLDEN + int(stream)) & _M64)


@numba.jit(**JIT_OPTIONS)
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@numba.jit(**JIT_OPTIONS)
def event_state(k, event):
    """The starting state of event ``event``'s stream under key ``k`` (both uint64)."""
    return _mix(k ^ _mix(event + np.uint64(1)))


@numba.jit(**JIT_OPTIONS)
def uniform(state):
    """(next state, u in [0, 1)) -- 53 random bits."""
    state = state + np.uint64(_GOLDEN)
    return state, np.float64(_mix(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


def py_event_state(k: int, event: int) -> int:
    return _py_mix(k ^ _py_mix((int(event) + 1) & _M64))


def py_uniform(state: int) -> tuple[int, float]:
    state = (state + _GOLDEN) & _M64
    return state, float(_py_mix(state) >> 11) * (1.0 / 9007199254740992.0)
