"""The one place that holds the numba options for the ECON-T kernels.

Every fast kernel in :mod:`firmware_models.econt` is a module-level free
function decorated with :data:`jit`; it writes into preallocated outputs and has
a plain-Python reference twin that a hypothesis test compares it against.
"""

from __future__ import annotations

import numba

__all__ = ["JIT_OPTIONS", "jit"]

#: cache=True keeps warm-up cheap across processes; nogil lets callers thread.
JIT_OPTIONS = {"nopython": True, "cache": True, "nogil": True}

jit = numba.jit(**JIT_OPTIONS)
