"""BatchNormalization per channel (``nnet_batchnorm.h`` ``normalize`` with ``n_filt``), channels last.

A pure function over raw int64 arrays ``(n_events, *channels_last_shape)``; the layer registry
wraps it as a kind. hls4ml keeps a BatchNormalization it cannot fold as scale/bias
(``scale = gamma / sqrt(var + eps)``, ``bias = beta - mean * scale``); on a tensor with channels
``n_filt = C`` and ``norm_index = i % n_filt``, so the scale and bias are per channel
(``n_filt = -1``: one per element). Each element is ``res = (res_T)(x * scale + bias)`` with the
product and the sum at full precision (``product::mult``, then ``+ bias``). :func:`batchnorm_reference`
is the plain twin.
"""

from __future__ import annotations

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType, cast

__all__ = ["batchnorm", "batchnorm_reference"]


def _per_element(values, n_elem: int, what: str, name: str) -> np.ndarray:
    v = np.asarray(values, dtype=np.int64).reshape(-1)
    if v.size == 0 or n_elem % v.size:
        msg = f"{name}: {what} has {v.size} values; expected n_filt (channels) or one per element ({n_elem})"
        raise ModelFormatError(msg)
    return np.tile(v, n_elem // v.size)                    # norm_index = i % n_filt


def batchnorm(x, scale, bias, *, t_in: FixedType, t_scale: FixedType, t_bias: FixedType, t_result: FixedType,
              name: str = "batchnorm") -> np.ndarray:
    """Raw ``res_T`` of ``x * scale[i % n_filt] + bias[i % n_filt]`` (config ``n_filt``, ``scale_t``, ``bias_t``)."""
    arr = np.asarray(x, dtype=np.int64)
    flat = arr.reshape(arr.shape[0], -1)
    s = _per_element(scale, flat.shape[1], "scale", name)
    b = _per_element(bias, flat.shape[1], "bias", name)
    f = max(t_in.fractional + t_scale.fractional, t_bias.fractional)
    bound = (max(abs(t_in.min_raw), t_in.max_raw) * max(abs(t_scale.min_raw), t_scale.max_raw)
             << (f - t_in.fractional - t_scale.fractional)) + (max(abs(t_bias.min_raw), t_bias.max_raw)
                                                                << (f - t_bias.fractional))
    if bound >= 2**62:
        return batchnorm_reference(x, scale, bias, t_in=t_in, t_scale=t_scale, t_bias=t_bias, t_result=t_result)
    val = ((flat * s[None, :]) << (f - t_in.fractional - t_scale.fractional)) + (b[None, :] << (f - t_bias.fractional))
    res = cast(val, FixedType(63, 63 - f), t_result, context=name, check=False)
    return res.reshape(arr.shape)


def batchnorm_reference(x, scale, bias, *, t_in: FixedType, t_scale: FixedType, t_bias: FixedType,
                        t_result: FixedType, name: str = "batchnorm") -> np.ndarray:
    """The plain twin of :func:`batchnorm`, element by element in Python ints."""
    from firmware_models.fixed.exact import convert_exact

    arr = np.asarray(x, dtype=np.int64)
    flat = arr.reshape(arr.shape[0], -1)
    s = _per_element(scale, flat.shape[1], "scale", name)
    b = _per_element(bias, flat.shape[1], "bias", name)
    f = max(t_in.fractional + t_scale.fractional, t_bias.fractional)
    out = [[convert_exact((int(v) * int(s[i]) << (f - t_in.fractional - t_scale.fractional))
                          + (int(b[i]) << (f - t_bias.fractional)), -f, t_result) for i, v in enumerate(row)]
           for row in flat.tolist()]
    return np.array(out, dtype=np.int64).reshape(arr.shape)
