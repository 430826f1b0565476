"""Scores of a categorical (Joint-VAE) head in fixed point: the discrete KL and KL continuous + discrete.

The discrete KL divergence of a categorical posterior q = softmax(logits) from the
uniform prior over C classes is ``KL = sum_i pi_i log pi_i + log C``. The formula is ours
(no hls4ml layer computes it); its arithmetic is defined step by step, each step an
assignment to its own declared type, exactly as the C++ golden harness
(``scripts/make_score_golden.py``) computes it with the ap_fixed library:

1. ``prob_t pi[C]`` = ``nnet::softmax<logit_t, prob_t, cfg>(logits)`` -- hls4ml's softmax
   of :mod:`~firmware_models.nn.softmax` (any implementation and header generation,
   ``softmax`` holds its keyword arguments: tables, their types, ``accum_t`` ...);
2. ``int idx = pi[i] * N`` (C++ truncation), clamped to ``[0, N-1]``; the log table holds
   ``log_table_t log_table[i] = std::log((i + 0.5) / N)`` (double), :func:`log_table`;
3. ``term_t t = pi[i] * log_table[idx]`` (exact product, one assignment);
4. ``accum_t a[i] = t``; ``accum_t s = nnet::reduce<accum_t, C, Op_add<accum_t>>(a)``;
5. ``accum_t logc = std::log((double)C)``; ``score_t score = s + logc``.

:func:`kl_total` is ``score_t total = kl_cont + kl_disc`` (the exact sum of the two
scores in their own types, one assignment). :func:`kl_discrete_head` and
:func:`kl_total_head` wrap both as :class:`~firmware_models.nn.model.ScoreHead` over the
encoder output columns; ``*_ref`` are the Python-int twins.
"""

from __future__ import annotations

import math

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType, as_type, quantize
from firmware_models.fixed.exact import convert_exact, overflow_exact
from firmware_models.nn.activations_ref import int_of_scaled_one
from firmware_models.nn.model import ScoreHead
from firmware_models.nn.rawops import add, assign, check_raw, mul
from firmware_models.nn.softmax import softmax, tree_sum
from firmware_models.nn.softmax_tables import default_inp_norm_t, hls4ml_table_sizes, softmax_tables
from firmware_models.nn.tables import int_of_scaled

__all__ = ["log_table", "kl_discrete", "kl_discrete_ref", "kl_total", "kl_total_ref", "kl_discrete_head",
           "kl_total_head", "DEFAULTS"]

#: default declared types of the discrete KL head
DEFAULTS = {
    "prob": "ap_ufixed<16,0,AP_RND,AP_SAT>",
    "log_table": "ap_fixed<18,5,AP_RND,AP_SAT>",
    "log_table_size": 1024,
    "term": "ap_fixed<18,2,AP_RND,AP_SAT>",
    "accum": "ap_fixed<20,6,AP_RND,AP_SAT>",
    "score": "ap_ufixed<16,6,AP_RND,AP_SAT>",
}


def log_table(n: int, log_table_t) -> np.ndarray:
    """Raw ``log_table_t`` of ``std::log((i + 0.5) / n)`` (double) for i < n."""
    if n < 1:
        msg = f"log table size must be >= 1, got {n}"
        raise ModelFormatError(msg)
    return quantize(np.array([math.log((i + 0.5) / n) for i in range(n)]), as_type(log_table_t), context="log table")


def _log_c(n_classes: int, accum_t: FixedType) -> int:
    return int(quantize(np.array([math.log(float(n_classes))]), accum_t)[0])


def _check(logits, logits_t, table, log_table_t):
    lt = as_type(logits_t)
    x = check_raw(logits, lt, "categorical logits")
    if x.ndim != 2 or x.shape[1] < 1:
        msg = f"discrete KL wants logits of shape (n_events, n_classes), got {x.shape}"
        raise ModelFormatError(msg)
    tab = check_raw(table, as_type(log_table_t), "log table")
    return x, tab


def kl_discrete(logits, *, logits_t, softmax_kwargs: dict, prob_t, table, log_table_t, term_t, accum_t,
                score_t) -> np.ndarray:
    """Raw ``score_t`` discrete KL per event from raw ``logits_t`` logits (n_events, C)."""
    pt, ltt, tt, at, st = (as_type(t) for t in (prob_t, log_table_t, term_t, accum_t, score_t))
    x, tab = _check(logits, logits_t, table, ltt)
    n = tab.size
    pi = softmax(x, in_t=logits_t, res_t=pt, **softmax_kwargs)
    idx = np.clip(int_of_scaled(pi, pt.fractional, n, 1), 0, n - 1)
    term = assign(mul(pi, tab[idx]), pt.fractional + ltt.fractional, tt)
    a = assign(term, tt.fractional, at)
    s = tree_sum(a, at)
    logc = _log_c(x.shape[1], at)
    return assign(add(s, logc), at.fractional, st)


def kl_discrete_ref(logits, *, logits_t, softmax_kwargs: dict, prob_t, table, log_table_t, term_t, accum_t,
                    score_t) -> np.ndarray:
    """The Python-int twin of :func:`kl_discrete` (softmax by :mod:`~firmware_models.nn.softmax_ref`)."""
    from firmware_models.nn import softmax_ref

    pt, ltt, tt, at, st = (as_type(t) for t in (prob_t, log_table_t, term_t, accum_t, score_t))
    x, tab = _check(logits, logits_t, table, ltt)
    n = tab.size
    pis = softmax_ref.softmax(x, in_t=logits_t, res_t=pt, **softmax_kwargs)
    logc = _log_c(x.shape[1], at)
    out = []
    for row in pis.tolist():
        acc = []
        for p in row:
            i = min(max(int_of_scaled_one(p, pt.fractional, n, 1), 0), n - 1)
            t = convert_exact(p * int(tab[i]), -(pt.fractional + ltt.fractional), tt)
            acc.append(convert_exact(t, -tt.fractional, at))
        out.append(convert_exact(_reduce(acc, at) + logc, -at.fractional, st))
    return np.array(out, dtype=np.int64)


def _reduce(xs, t):
    if len(xs) == 1:
        return xs[0]
    if len(xs) == 2:
        return overflow_exact(xs[0] + xs[1], t)
    k = 1 << ((len(xs) - 1).bit_length() - 1)
    return overflow_exact(_reduce(xs[:k], t) + _reduce(xs[k:], t), t)


def kl_total(cont, disc, *, cont_t, disc_t, score_t) -> np.ndarray:
    """``score_t total = kl_cont + kl_disc`` (raw scores in their own types)."""
    ct, dt, st = as_type(cont_t), as_type(disc_t), as_type(score_t)
    c, d = check_raw(cont, ct, "continuous KL"), check_raw(disc, dt, "discrete KL")
    f = max(ct.fractional, dt.fractional)
    return assign(add(mul(c, 1 << (f - ct.fractional)), mul(d, 1 << (f - dt.fractional))), f, st)


def kl_total_ref(cont, disc, *, cont_t, disc_t, score_t) -> np.ndarray:
    ct, dt, st = as_type(cont_t), as_type(disc_t), as_type(score_t)
    f = max(ct.fractional, dt.fractional)
    return np.array([convert_exact((int(c) << (f - ct.fractional)) + (int(d) << (f - dt.fractional)), -f, st)
                     for c, d in zip(np.asarray(cont).tolist(), np.asarray(disc).tolist())], dtype=np.int64)


def kl_discrete_head(logits_type, n_classes: int, *, columns: slice | None = None, implementation: str = "stable",
                     variant="hls4ml-1.2", exp_table_t="ap_fixed<18,8,AP_RND,AP_SAT>",
                     inv_table_t="ap_fixed<18,8,AP_RND,AP_SAT>", table_size: int = 1024,
                     softmax_accum_t="ap_fixed<18,8,AP_RND,AP_SAT>", inv_inp_t=None, inp_norm_t=None,
                     table_t="ap_fixed<18,8>", prob_type=DEFAULTS["prob"], log_table_type=DEFAULTS["log_table"],
                     log_table_size: int = DEFAULTS["log_table_size"], term_type=DEFAULTS["term"],
                     accum_type=DEFAULTS["accum"], score_type=DEFAULTS["score"], name: str = "score") -> ScoreHead:
    """The discrete KL as a score head on encoder output ``columns`` (default: the last ``n_classes``).

    The softmax takes hls4ml 1.3.0's defaults unless given: ``inv_inp_t = exp_table_t``,
    ``inp_norm_t = ap_ufixed<W - 1, I - 1>`` of a signed logits type (``W, I`` if unsigned), and
    its table sizes: ``fix_softmax_table_size`` lowers ``table_size`` to
    ``2**min(W_logits, W_inv_table)``, the stable form's ``exp_table_size`` to ``2**W(inp_norm_t)``.
    """
    lt = as_type(logits_type)
    if n_classes < 1:
        msg = f"discrete KL head needs n_classes >= 1, got {n_classes}"
        raise ModelFormatError(msg)
    cols = columns if columns is not None else slice(-n_classes, None)
    iit = inv_inp_t or exp_table_t
    nt = inp_norm_t or default_inp_norm_t(lt)
    exp_size = inv_size = table_size
    if implementation != "legacy":  # hls4ml's own table-size rules (the default inp_norm_t's among them)
        exp_size, inv_size = hls4ml_table_sizes(lt, inv_table_t, table_size,
                                                implementation if inp_norm_t is None else "latency")
    et, it = softmax_tables(variant, implementation, in_t=lt, exp_table_t=exp_table_t, inv_table_t=inv_table_t,
                            exp_table_size=exp_size, inv_table_size=inv_size, inv_inp_t=iit, inp_norm_t=nt,
                            table_t=table_t)
    smk = dict(implementation=implementation, exp_table=et, inv_table=it, exp_table_t=exp_table_t,
               inv_table_t=inv_table_t, accum_t=softmax_accum_t, inv_inp_t=iit, inp_norm_t=nt, table_t=table_t,
               variant=variant)
    tab = log_table(log_table_size, log_table_type)
    kw = dict(logits_t=lt, softmax_kwargs=smk, prob_t=prob_type, table=tab, log_table_t=log_table_type,
              term_t=term_type, accum_t=accum_type, score_t=score_type)

    def _cols(out):
        x = np.asarray(out)[:, cols]
        if x.shape[1] != n_classes:
            msg = f"discrete KL head: columns {cols} give {x.shape[1]} logits, expected {n_classes}"
            raise ModelFormatError(msg)
        return x

    return ScoreHead(name=name, type=as_type(score_type), compute=lambda out: kl_discrete(_cols(out), **kw),
                     compute_reference=lambda out: kl_discrete_ref(_cols(out), **kw))


def kl_total_head(cont: ScoreHead, disc: ScoreHead, score_type="ap_ufixed<18,8,AP_RND,AP_SAT>", *,
                  name: str = "score") -> ScoreHead:
    """KL continuous + discrete: both heads on the same encoder output, summed into ``score_type``."""
    kw = dict(cont_t=cont.type, disc_t=disc.type, score_t=score_type)
    return ScoreHead(name=name, type=as_type(score_type),
                     compute=lambda out: kl_total(cont.compute(out), disc.compute(out), **kw),
                     compute_reference=lambda out: kl_total_ref(cont.compute_reference(out),
                                                                disc.compute_reference(out), **kw))
