"""Score heads on the encoder output and AXOL1TL-style input scaling, in fixed point.

- :func:`sum_mu2_head`: AXOL1TL's anomaly score, ``squares[i] = (score_t)(mu[i]*mu[i])``
  then ``nnet::reduce<score_t, N, Op_add>`` (a balanced tree of ``score_t`` additions);
  cms-hls4ml/AXOL1TL ``AXOL1TL_v3/GTADModel_emulator_v3.cpp`` ``_computeLoss``.
- :func:`kl_head`: KL divergence from (mu, log sigma^2) =
  ``0.5 * sum(mu^2 + exp(lv) - lv - 1)``, ours, each step a fixed-point type:
  ``square_t`` for mu^2, an hls4ml-style exp table (``table_t``, N entries over [-8, 8),
  see :mod:`~firmware_models.nn.tables`), one ``accum_t`` assignment per term, a tree sum in
  ``accum_t``, then ``(score_t)(sum * 0.5)``.
- :func:`port_head` (:func:`port_score`): a network output port as the score, assigned to
  ``score_t``: AXOL1TL v5/v6 ``_computeLoss`` is ``resultsq_t loss = result_p[0]`` -- the
  ``dot1d`` of ``subtract(q_dense_8, activation_1)`` with itself (a squared feature-space
  distance) in ``result_t``
  (``ap_fixed<18,14,AP_RND_CONV,AP_SAT>``), assigned to ``resultsq_t`` (``ap_ufixed<18,14>``:
  same LSB, a negative value wraps); ``AXOL1TL_v5/GTADModel_emulator_v5.cpp``.
- :func:`kl_continuous`: the KL head's arithmetic as a pure function of (mu, log sigma^2).
- :func:`scale_inputs`: AXOL1TL ``_scaleNNInputs``: ``unscaled_t tmp0 = x - offset``
  (ap_fixed<18,13>), ``input_t tmp1 = tmp0 >> shift`` (the shift keeps tmp0's type, so it
  floors at tmp0's LSB), then assignment to the input type (e.g.
  ap_fixed<8,6,AP_RND_CONV,AP_SAT>).

Every head has a fast (NumPy) and a reference (Python int) form, checked against the
real ap_fixed library by the golden vectors (``tests/golden/hls4ml/{axol1tl,vae_kl}``,
``tests/golden/activations/scores.npz``). The discrete KL of a categorical head and the
KL continuous + discrete sum are in :mod:`~firmware_models.nn.scores_categorical`.
"""

from __future__ import annotations

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType, apply_overflow, as_type, cast
from firmware_models.fixed.exact import convert_exact, overflow_exact
from firmware_models.nn.model import ScoreHead
from firmware_models.nn.tables import exp_table, table_index
from firmware_models.nn.activations_ref import span_index_one

__all__ = ["sum_mu2_head", "kl_head", "kl_continuous", "kl_continuous_ref", "port_head", "port_score",
           "scale_inputs", "tree_sum", "AXOL1TL_UNSCALED_TYPE"]

AXOL1TL_UNSCALED_TYPE = "ap_fixed<18,13>"


def _tree_split(n: int) -> int:
    # nnet_common.h reduce: leftN = pow2(floorlog2(N - 1))
    return 1 << ((n - 1).bit_length() - 1)


def tree_sum(terms: np.ndarray, t: FixedType) -> np.ndarray:
    """``nnet::reduce<t, N, Op_add<t>>`` over the last axis of raw ``t`` values (each add through t)."""
    n = terms.shape[-1]
    if n == 1:
        return terms[..., 0]
    if n == 2:
        return apply_overflow(terms[..., 0] + terms[..., 1], t)
    k = _tree_split(n)
    return apply_overflow(tree_sum(terms[..., :k], t) + tree_sum(terms[..., k:], t), t)


def _tree_sum_ref(terms: list[int], t: FixedType) -> int:
    n = len(terms)
    if n == 1:
        return terms[0]
    if n == 2:
        return overflow_exact(terms[0] + terms[1], t)
    k = _tree_split(n)
    return overflow_exact(_tree_sum_ref(terms[:k], t) + _tree_sum_ref(terms[k:], t), t)


def sum_mu2_head(mu_type, score_type="ap_ufixed<18,14>", *, name: str = "score",
                 columns: slice | None = None) -> ScoreHead:
    """AXOL1TL score: sum over mu of ``(score_t)(mu*mu)``, tree-added in ``score_t``."""
    mt, st = as_type(mu_type), as_type(score_type)
    cols = columns or slice(None)
    f_sq = 2 * mt.fractional

    def fast(out: np.ndarray) -> np.ndarray:
        mu = out[:, cols]
        sq = cast(mu * mu, FixedType(2 * mt.width, 2 * mt.integer, mt.signed), st, check=False)
        return tree_sum(sq, st)

    from firmware_models.nn.score_kernels import sum_mu2_fast

    fast = sum_mu2_fast(mt, st, columns) or fast

    def ref(out: np.ndarray) -> np.ndarray:
        rows = [_tree_sum_ref([convert_exact(int(v) * int(v), -f_sq, st) for v in row[cols]], st) for row in out]
        return np.array(rows, dtype=np.int64)

    return ScoreHead(name=name, type=st, compute=fast, compute_reference=ref)


def _kl_types(out_type, square_type, table_type, accum_type, score_type):
    return tuple(as_type(t) for t in (out_type, square_type, table_type, accum_type, score_type))


def kl_continuous(mu, logvar, *, out_t, square_t="ap_ufixed<16,8>", table, table_t="ap_fixed<18,8>",
                  accum_t="ap_fixed<20,10>", score_t="ap_ufixed<16,9,AP_RND,AP_SAT>") -> np.ndarray:
    """Raw ``score_t`` KL from raw ``out_t`` mu and log sigma^2 (n_events, latent).

    ``table`` is ``exp_table(N, table_t)`` of :mod:`~firmware_models.nn.tables`.

    ``0.5 * sum(mu^2 + exp(lv) - lv - 1)``: ``square_t sq = mu * mu``, ``table[index(lv)]``
    (the sigmoid-style index over [-8, 8)), ``accum_t t = sq + e - lv - 1`` (one assignment),
    ``nnet::reduce`` in ``accum_t``, ``score_t = sum * ap_ufixed<1,0>(0.5)``.
    """
    ot, sq_t, tt, at, st = _kl_types(out_t, square_t, table_t, accum_t, score_t)
    mu, lv = np.asarray(mu, dtype=np.int64), np.asarray(logvar, dtype=np.int64)
    tab = np.asarray(table, dtype=np.int64)
    fo = ot.fractional
    f = max(sq_t.fractional, tt.fractional, fo, 0)  # sq + table - lv - 1 at the finest LSB of the three
    sq = cast(mu * mu, FixedType(2 * ot.width, 2 * ot.integer, ot.signed), sq_t, check=False)
    e = tab[table_index(lv, fo, tab.size, 16)]
    val = (sq << (f - sq_t.fractional)) + (e << (f - tt.fractional)) - (lv << (f - fo)) - (1 << f)
    terms = cast(val, FixedType(62, 62 - f, True), at, check=False)
    total = tree_sum(terms, at)
    return cast(total, FixedType(at.width + 1, at.integer, at.signed), st, check=False)  # * 0.5


def kl_continuous_ref(mu, logvar, *, out_t, square_t="ap_ufixed<16,8>", table, table_t="ap_fixed<18,8>",
                      accum_t="ap_fixed<20,10>", score_t="ap_ufixed<16,9,AP_RND,AP_SAT>") -> np.ndarray:
    """The Python-int twin of :func:`kl_continuous`."""
    ot, sq_t, tt, at, st = _kl_types(out_t, square_t, table_t, accum_t, score_t)
    fo = ot.fractional
    f = max(sq_t.fractional, tt.fractional, fo, 0)
    n = len(table)
    res = []
    for mrow, lrow in zip(np.asarray(mu).tolist(), np.asarray(logvar).tolist()):
        terms = []
        for m, lv in zip(mrow, lrow):
            sq = convert_exact(m * m, -2 * fo, sq_t)
            e = int(table[span_index_one(lv, fo, n, 16)])
            val = (sq << (f - sq_t.fractional)) + (e << (f - tt.fractional)) - (lv << (f - fo)) - (1 << f)
            terms.append(convert_exact(val, -f, at))
        res.append(convert_exact(_tree_sum_ref(terms, at), -(at.fractional + 1), st))
    return np.array(res, dtype=np.int64)


def kl_head(out_type, latent: int, *, square_type="ap_ufixed<16,8>", table_type="ap_fixed<18,8>",
            table_size: int = 1024, accum_type="ap_fixed<20,10>", score_type="ap_ufixed<16,9,AP_RND,AP_SAT>",
            name: str = "score") -> ScoreHead:
    """KL score from outputs [mu (latent) | log sigma^2 (latent)] of type ``out_type``."""
    if latent < 1:
        msg = f"KL head needs latent >= 1, got {latent}"
        raise ModelFormatError(msg)
    kw = dict(out_t=out_type, square_t=square_type, table=exp_table(table_size, as_type(table_type)),
              table_t=table_type, accum_t=accum_type, score_t=score_type)

    def fast(out: np.ndarray) -> np.ndarray:
        return kl_continuous(out[:, :latent], out[:, latent:2 * latent], **kw)

    def ref(out: np.ndarray) -> np.ndarray:
        return kl_continuous_ref(out[:, :latent], out[:, latent:2 * latent], **kw)

    return ScoreHead(name=name, type=as_type(score_type), compute=fast, compute_reference=ref)


def port_score(out, *, index: int = 0, out_t, score_t="ap_ufixed<18,14>") -> np.ndarray:
    """``score_t loss = out[index]`` for raw ``out_t`` network outputs (n_events, n) (AXOL1TL v5/v6)."""
    arr = np.asarray(out)
    if arr.ndim != 2 or not -arr.shape[1] <= index < arr.shape[1]:
        msg = f"port score: output of shape {arr.shape} has no column {index}"
        raise ModelFormatError(msg)
    return cast(arr[:, index], as_type(out_t), as_type(score_t), context="port score")


def port_head(out_type, score_type="ap_ufixed<18,14>", *, index: int = 0, name: str = "score") -> ScoreHead:
    """A network output (default the first value of the output port) as the score, assigned to ``score_type``.

    AXOL1TL v5/v6: ``port_head("ap_fixed<18,14,AP_RND_CONV,AP_SAT>", "ap_ufixed<18,14>")`` on the
    ``dot1d`` output.
    """
    ot, st = as_type(out_type), as_type(score_type)

    def ref(out: np.ndarray) -> np.ndarray:
        return np.array([convert_exact(int(row[index]), -ot.fractional, st) for row in np.asarray(out)],
                        dtype=np.int64)

    return ScoreHead(name=name, type=st, compute=lambda out: port_score(out, index=index, out_t=ot, score_t=st),
                     compute_reference=ref)


def scale_inputs(l1_hw_int, offsets, shifts, out_type, *, in_type=AXOL1TL_UNSCALED_TYPE) -> np.ndarray:
    """AXOL1TL input scaling: raw ``out_type`` values of ``((x - offset) >> shift)``.

    ``l1_hw_int`` (n_events, n_features) hardware integers, ``offsets`` and ``shifts``
    per feature (integers, shifts >= 0). ``x`` and ``offset`` are assigned to ``in_type``
    (ap_fixed<18,13> in AXOL1TL), their difference wraps in ``in_type``, the right shift
    floors at ``in_type``'s LSB, then the value is assigned to ``out_type``.
    """
    it, ot = as_type(in_type), as_type(out_type)
    x = np.asarray(l1_hw_int)
    off, sh = np.asarray(offsets), np.asarray(shifts)
    if x.ndim != 2 or off.shape != (x.shape[1],) or sh.shape != (x.shape[1],):
        msg = (f"scale_inputs wants x (n_events, n) and offsets, shifts of shape (n,); got {x.shape}, "
               f"{off.shape}, {sh.shape}")
        raise ModelFormatError(msg)
    if x.dtype.kind not in "iu" or off.dtype.kind not in "iu" or sh.dtype.kind not in "iu" or (sh < 0).any():
        msg = "scale_inputs wants integer hardware values, integer offsets and non-negative integer shifts"
        raise ModelFormatError(msg)
    if x.size and (x.dtype.itemsize <= 4 or int(np.abs(x).max()) < 2**61):  # int32 inputs need no scan
        from firmware_models.nn.scale_kernels import scale_inputs_fast

        fast = scale_inputs_fast(x, off, sh, it, ot)
        if fast is not None:
            return fast
    return _scale_inputs_casts(x, off, sh, it, ot)


def _scale_inputs_casts(x, off, sh, it, ot) -> np.ndarray:
    """The scaling as three array casts (the twin of the one-pass kernel)."""
    ints = FixedType(63, 63, True)
    xr = cast(x.astype(np.int64), ints, it, check=False)
    orr = cast(off.astype(np.int64), ints, it, check=False)
    tmp0 = apply_overflow(xr - orr[None, :], it)
    tmp1 = tmp0 >> sh[None, :].astype(np.int64)   # ap_fixed >> keeps the type: floor at its LSB
    return cast(tmp1, it, ot, check=False)
