"""hls4ml's formula activations on raw integers (``nnet_utils/nnet_activation.h``, io_parallel).

Pure functions over int64 raw arrays of any shape (n_events, ..., n): each element is
computed as the C++ loop body computes it. The table activations (sigmoid, tanh,
softplus, softsign, ELU, SELU, unary LUT) are in :mod:`~firmware_models.nn.table_activations`,
softmax in :mod:`~firmware_models.nn.softmax`; the plain Python-int twins of all of
them in :mod:`~firmware_models.nn.activations_ref` (same signatures).

Every function takes the raw input ``x`` and keyword-only types: ``in_t`` is the call's
first template argument (``data_T``, the input tensor's typedef), ``res_t`` the result
template argument (``res_T``). Config-struct fields (``parameters.h``) and call arguments:

- ``linear(x, *, in_t, res_t)`` -- ``nnet::linear<data_T, res_T, CONFIG_T>``: ``res = x``.
  Fields: ``n_in`` (the size of the last axis; nothing else).
- ``relu(x, *, in_t, res_t)`` -- ``nnet::relu``: ``x > 0 ? (res_T)x : 0``. Fields: ``n_in``.
- ``relu_max(x, *, max_int, in_t, res_t)`` -- ``nnet::relu_max<data_T, res_T, MAX_INT, CONFIG_T>``
  and its wrappers ``relu6`` (``max_int=6``) and ``relu1`` (``max_int=1``): ``x < 0 -> 0``,
  ``x > MAX_INT -> (res_T)MAX_INT`` (the int assigned to ``res_T``: it may wrap), else
  ``(res_T)x``. ``max_int``: the third template argument.
- ``leaky_relu(x, alpha, *, in_t, alpha_t, res_t)`` -- ``nnet::leaky_relu<data_T, param_T, res_T,
  CONFIG_T>(x, alpha, res)``: ``x > 0 ? (res_T)x : (res_T)(alpha * x)`` (the product exact).
  ``alpha`` is the raw ``alpha_t`` value of the literal in the call (hls4ml writes
  ``activ_param`` there): ``int(quantize(literal, alpha_t))``. ``alpha_t`` is the
  ``param_T`` template argument (``typedef ... param_t`` in the layer config), or -- older
  headers, see :func:`~firmware_models.nn.nnet_variants.param_type` -- ``data_T``.
- ``thresholded_relu(x, theta, *, in_t, theta_t, res_t)`` -- ``nnet::thresholded_relu``:
  ``x > theta ? (res_T)x : 0`` (exact comparison); ``theta``/``theta_t`` as alpha above.
- ``prelu(x, alpha, *, in_t, alpha_t, res_t)`` -- ``nnet::prelu(x, alpha[n_in], res)``: leaky
  ReLU with a per-element ``alpha`` (raw ``alpha_t`` array of the weights ``a{index}``,
  broadcast against ``x``; shape ``(n_in,)`` for a flat layer). ``alpha_t``: the layer's
  ``param_t`` (older headers: ``data_T``).
- ``hard_sigmoid(x, *, in_t, res_t, slope, slope_t, shift, shift_t, variant)`` and
  ``hard_tanh(...)`` (same arguments) -- ``nnet::hard_sigmoid``/``hard_tanh`` with the
  HardActivation config ``static const slope_t slope; static const shift_t shift;`` and their
  initialisers ``const slope_t config::slope = 0.2;`` (raw: ``int(quantize(0.2, slope_t))``;
  hls4ml's default ``slope_t`` is ``ap_ufixed<16,0>``, ``shift_t`` ``ap_ufixed<2,0>``, shift
  0.5). ``s = slope * x + shift`` in its exact ``auto`` type, clipped to [0, 1] (the 1
  assigned to that type); hard_sigmoid gives ``(res_T)s``, hard_tanh ``(res_T)(2*s - 1)``.
  Variant ``hard_activation == "data_t"`` (hls4ml <= 0.7-dev, no ``hard_tanh``): the
  header itself uses ``slope = (data_T)0.2``, ``shift = (data_T)0.5`` and assigns the sum
  to ``data_T``; ``slope``/``shift`` arguments are then ignored.
- ``binary_tanh(x, *, in_t, res_t, variant)`` -- ``nnet::binary_tanh``: +-1 (see
  :mod:`~firmware_models.nn.nnet_variants` for the two rules).
- ``ternary_tanh(x, *, in_t, res_t)`` -- ``nnet::ternary_tanh``: ``d = (data_T)(2*x)``;
  ``d > 1 -> 1``, ``-1 < d <= 1 -> 0``, else ``-1``, each an int assigned to ``res_T``.

``variant`` is a name of :data:`~firmware_models.nn.nnet_variants.VARIANTS` (default
``hls4ml-1.2``, i.e. hls4ml 1.3.0) or a detected
:class:`~firmware_models.nn.nnet_variants.NnetVariant`. ``io_type``, ``reuse_factor`` and
``table_size``/``table_t`` (unused here) change no bits.
"""

from __future__ import annotations

import numpy as np

from firmware_models.fixed import as_type, cast, mul_type, add_type
from firmware_models.fixed.exact import convert_exact
from firmware_models.nn.nnet_variants import DEFAULT_VARIANT, as_variant
from firmware_models.nn.rawops import add, assign, check_raw, gt_const, lt_const, mul, raw_one

__all__ = ["linear", "relu", "relu_max", "leaky_relu", "thresholded_relu", "prelu", "hard_sigmoid",
           "hard_tanh", "binary_tanh", "ternary_tanh", "hard_sigmoid_type"]


def _types(*ts):
    return tuple(as_type(t) for t in ts)


def linear(x, *, in_t, res_t) -> np.ndarray:
    """``res[i] = data[i]``."""
    it, rt = _types(in_t, res_t)
    return cast(check_raw(x, it, "linear input"), it, rt, check=False)


def relu(x, *, in_t, res_t) -> np.ndarray:
    """``data > 0 ? (res_T)data : 0``."""
    it, rt = _types(in_t, res_t)
    x = check_raw(x, it, "relu input")
    return np.where(x > 0, cast(x, it, rt, check=False), 0)


def relu_max(x, *, max_int: int, in_t, res_t) -> np.ndarray:
    """``relu_max<.., MAX_INT, ..>``: 0 below 0, ``(res_T)MAX_INT`` above ``MAX_INT``, else ``(res_T)data``."""
    it, rt = _types(in_t, res_t)
    x = check_raw(x, it, "relu_max input")
    top = raw_one(max_int, rt)
    y = cast(x, it, rt, check=False)
    return np.where(x < 0, 0, np.where(gt_const(x, it.fractional, int(max_int), 0), top, y))


def leaky_relu(x, alpha: int, *, in_t, alpha_t, res_t) -> np.ndarray:
    """``data > 0 ? (res_T)data : (res_T)(alpha * data)``."""
    it, at, rt = _types(in_t, alpha_t, res_t)
    x = check_raw(x, it, "leaky_relu input")
    a = check_raw(np.asarray(alpha), at, "leaky_relu alpha")
    neg = assign(mul(x, a), it.fractional + at.fractional, rt)
    return np.where(x > 0, cast(x, it, rt, check=False), neg)


def prelu(x, alpha, *, in_t, alpha_t, res_t) -> np.ndarray:
    """PReLU: :func:`leaky_relu` with a per-element raw ``alpha`` array broadcast against ``x``."""
    it, at, rt = _types(in_t, alpha_t, res_t)
    x = check_raw(x, it, "prelu input")
    a = check_raw(alpha, at, "prelu alpha")
    try:
        a = np.broadcast_to(a, x.shape)
    except ValueError:
        from firmware_models.errors import ModelFormatError

        msg = f"prelu: alpha of shape {a.shape} does not broadcast against the input {x.shape}"
        raise ModelFormatError(msg) from None
    neg = assign(mul(x, a), it.fractional + at.fractional, rt)
    return np.where(x > 0, cast(x, it, rt, check=False), neg)


def thresholded_relu(x, theta: int, *, in_t, theta_t, res_t) -> np.ndarray:
    """``data > theta ? (res_T)data : 0``."""
    it, tt, rt = _types(in_t, theta_t, res_t)
    x = check_raw(x, it, "thresholded_relu input")
    th = int(check_raw(np.asarray(theta), tt, "thresholded_relu theta"))
    return np.where(gt_const(x, it.fractional, th, tt.fractional), cast(x, it, rt, check=False), 0)


def hard_sigmoid_type(in_t, slope_t, shift_t):
    """The exact ``auto`` type of ``slope * data + shift`` (``mul`` then ``add`` result types)."""
    it, st, ht = _types(in_t, slope_t, shift_t)
    return add_type(mul_type(st, it), ht)


def _hard_s(x, it, slope, st, shift, ht):
    """(raw s clipped to [0, 1], its fraction bits) for the config form."""
    tt = add_type(mul_type(st, it), ht)
    f = tt.fractional
    s_raw = check_raw(np.asarray(slope), st, "hard activation slope")
    h_raw = int(check_raw(np.asarray(shift), ht, "hard activation shift"))
    s = add(mul(mul(x, s_raw), 1 << (f - st.fractional - it.fractional)), h_raw << (f - ht.fractional))
    one = convert_exact(1, 0, tt)
    s = np.where(gt_const(s, f, 1, 0), one, np.where(lt_const(s, f, 0, 0), 0, s))
    return s, f


def hard_sigmoid(x, *, in_t, res_t, slope: int = 0, slope_t="ap_ufixed<16,0>", shift: int = 0,
                 shift_t="ap_ufixed<2,0>", variant=DEFAULT_VARIANT) -> np.ndarray:
    """``clip(slope * x + shift, 0, 1)`` assigned to ``res_T`` (see the module docstring for both forms)."""
    it, rt = _types(in_t, res_t)
    x = check_raw(x, it, "hard_sigmoid input")
    if as_variant(variant).hard_activation == "data_t":
        fx = it.fractional
        sl, sh = int(_q(0.2, it)), int(_q(0.5, it))
        f = max(2 * fx, fx)  # slope * data has 2*fx fraction bits, shift fx
        d = assign(add(mul(mul(x, sl), 1 << (f - 2 * fx)), sh << (f - fx)), f, it)  # datareg (data_T)
        d = np.where(gt_const(d, fx, 1, 0), raw_one(1, it), np.where(d < 0, 0, d))
        return cast(d, it, rt, check=False)
    s, f = _hard_s(x, it, slope, as_type(slope_t), shift, as_type(shift_t))
    return assign(s, f, rt)


def hard_tanh(x, *, in_t, res_t, slope: int = 0, slope_t="ap_ufixed<16,0>", shift: int = 0,
              shift_t="ap_ufixed<2,0>", variant=DEFAULT_VARIANT) -> np.ndarray:
    """``2 * clip(slope * x + shift, 0, 1) - 1`` assigned to ``res_T`` (hls4ml >= 0.7 only)."""
    it, rt = _types(in_t, res_t)
    v = as_variant(variant)
    if v.hard_activation == "data_t":
        from firmware_models.errors import ModelFormatError

        msg = f"hard_tanh does not exist in the {v.name} nnet_activation.h (added in hls4ml 0.7)"
        raise ModelFormatError(msg)
    x = check_raw(x, it, "hard_tanh input")
    s, f = _hard_s(x, it, slope, as_type(slope_t), shift, as_type(shift_t))
    return assign(2 * s - (1 << f), f, rt)


def _q(value: float, t) -> int:
    from firmware_models.fixed import quantize

    return int(quantize(np.array([value]), t)[0])


def _is_ap_uint1(t) -> bool:
    return t.is_int and t.width == 1 and not t.signed


def binary_tanh(x, *, in_t, res_t, variant=DEFAULT_VARIANT) -> np.ndarray:
    """+-1: 1.2 ``x >= 0`` through ``ap_int<2>`` and ``binary_cast``; older ``x > 0``, ``res_T(+-1)``."""
    it, rt = _types(in_t, res_t)
    x = check_raw(x, it, "binary_tanh input")
    plus, minus = raw_one(1, rt), raw_one(-1, rt)
    if as_variant(variant).binary_tanh == "cast":
        if _is_ap_uint1(rt):
            minus = 0
        return np.where(x >= 0, plus, minus)
    return np.where(x > 0, plus, minus)


def ternary_tanh(x, *, in_t, res_t) -> np.ndarray:
    """``d = (data_T)(2*x)``: ``d > 1 -> 1``, ``-1 < d <= 1 -> 0``, else -1 (ints assigned to ``res_T``)."""
    it, rt = _types(in_t, res_t)
    x = check_raw(x, it, "ternary_tanh input")
    fx = it.fractional
    d = assign(x * 2, fx, it)
    one, zero, minus = raw_one(1, rt), raw_one(0, rt), raw_one(-1, rt)
    return np.where(gt_const(d, fx, 1, 0), one, np.where(gt_const(d, fx, -1, 0), zero, minus))
