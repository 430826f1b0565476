"""One numba pass for the AXOL1TL input scaling ``((x - offset) >> shift)``.

:func:`firmware_models.nn.scores.scale_inputs` spells the scaling as three
array casts (hardware integer -> ``in_t``, wrap of the difference in ``in_t``,
shifted value -> ``out_t``). This kernel does the same three conversions per
element with the same scalar conversion the fixed-point casts use
(:func:`firmware_models.fixed._kernels._convert_one`), in one pass and with no
temporaries, so it is bit-identical by construction; the property test in
``tests/test_nn_properties.py`` checks it against the three-cast path.
"""

from __future__ import annotations

import numba
import numpy as np

from firmware_models.fixed import _kernels as _fk
from firmware_models.fixed.quantize import _fast, _params
from firmware_models.fixed.types import FixedType

__all__ = ["scale_inputs_fast"]


@numba.njit(**_fk.JIT_OPTIONS)
def _scale_kernel(x, off, sh, pi, po, out):
    fi, wi, si, qi, oi, ni, loi, hii = pi
    fo, wo, so, qo, oo, no, loo, hio = po
    n, m = x.shape
    offr = np.empty(m, dtype=np.int64)
    for j in range(m):
        offr[j] = _fk._convert_one(np.int64(off[j]), 0, fi, wi, si, qi, oi, ni, loi, hii)
    for i in range(n):
        for j in range(m):
            xr = _fk._convert_one(np.int64(x[i, j]), 0, fi, wi, si, qi, oi, ni, loi, hii)
            d = _fk._convert_one(xr - offr[j], -fi, fi, wi, si, qi, oi, ni, loi, hii)
            out[i, j] = _fk._convert_one(d >> sh[j], -fi, fo, wo, so, qo, oo, no, loo, hio)


def scale_inputs_fast(x: np.ndarray, off: np.ndarray, sh: np.ndarray, it: FixedType, ot: FixedType) -> np.ndarray | None:
    """The scaled raw ``ot`` values, or None where the int64 path cannot hold the types."""
    if not _fast(it, ot) or it.width > 61:
        return None
    out = np.empty(x.shape, dtype=np.int64)
    _scale_kernel(np.ascontiguousarray(x), off.astype(np.int64), sh.astype(np.int64),
                  _params(it), _params(ot), out)
    return out
