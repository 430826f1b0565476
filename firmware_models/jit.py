"""The one place that holds the numba options of every compiled kernel in the project.

Kernels in :mod:`firmware_models`, :mod:`streams` and :mod:`triggeremu` are
module-level free functions decorated with :data:`jit` (or ``numba.njit(**JIT_OPTIONS)``
where a kernel needs an extra option such as ``parallel=True`` or ``inline``), writing
into preallocated outputs. Each has a plain reference twin, and one table of
(kernel, twin) pairs drives a property test (``tests/test_kernel_twins.py``).

This module imports nothing of the project, so :mod:`streams` may use it without
depending on the firmware models.

- ``cache=True``: compiled code is kept on disk, so a second process (a worker, a
  second run) starts in well under a second instead of recompiling. Numba does not
  invalidate the cache of a kernel when a jitted helper it calls changes: delete the
  package's ``__pycache__/*.nbi`` / ``*.nbc`` after editing such a helper.
- ``nogil=True``: callers may run kernels on threads (the NN encoder does).
"""

from __future__ import annotations

import numba

__all__ = ["JIT_OPTIONS", "jit"]

#: numba options of every kernel (nopython is numba's default for njit)
JIT_OPTIONS = {"cache": True, "nogil": True}

#: the decorator: ``@jit`` on a module-level kernel
jit = numba.njit(**JIT_OPTIONS)
