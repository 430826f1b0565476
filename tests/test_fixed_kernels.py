"""The numba kernels agree with their plain reference twin (exact.py) on their whole domain."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_models.fixed import _kernels as kernels
from firmware_models.fixed.exact import convert_exact, overflow_exact, split_double
from firmware_models.fixed.quantize import _params
from firmware_models.fixed.types import OVERFLOW_MODES, FixedType

from test_fixed_reference import PROFILE_EXAMPLES, fixed_types

_SETTINGS = settings(max_examples=PROFILE_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_MANT = st.one_of(
    st.integers(-(2**62) + 1, 2**62 - 1),
    st.integers(-70, 70),
    st.sampled_from([-(2**62) + 1, 2**62 - 1, 0, 1, -1, 2**52, -(2**52)]),
)


@_SETTINGS
@given(fixed_types(max_width=kernels.MAX_FAST_WIDTH), st.integers(-140, 140), st.lists(_MANT, min_size=1, max_size=16))
def test_cast_kernel_equals_exact(t: FixedType, k: int, mants: list[int]) -> None:
    raw = np.array(mants, dtype=np.int64)
    out = np.empty_like(raw)
    kernels.cast_kernel(raw, k, *_params(t), out)
    np.testing.assert_array_equal(out, [convert_exact(m, k, t) for m in mants])


@_SETTINGS
@given(
    fixed_types(max_width=kernels.MAX_FAST_WIDTH),
    st.lists(st.floats(allow_nan=False, allow_infinity=True, width=64), min_size=1, max_size=16),
)
def test_quantize_kernel_equals_exact(t: FixedType, xs: list[float]) -> None:
    x = np.array(xs, dtype=np.float64)
    out = np.empty(x.shape, dtype=np.int64)
    kernels.quantize_kernel(x, *_params(t), out)
    np.testing.assert_array_equal(out, [convert_exact(*split_double(v), t) for v in xs])


@_SETTINGS
@given(fixed_types(max_width=kernels.MAX_FAST_WIDTH), st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1))
def test_overflow_kernel_equals_exact(t: FixedType, values: list[int]) -> None:
    v = np.array(values, dtype=np.int64)
    out = np.empty_like(v)
    kernels.overflow_kernel(v, t.width, t.signed, OVERFLOW_MODES.index(t.overflow), t.sat_bits,
                            t.sat_min_raw, t.max_raw, out)
    np.testing.assert_array_equal(out, [overflow_exact(x, t) for x in values])
