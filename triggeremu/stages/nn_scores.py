"""Score heads of the ``nn`` stage, built from the AD config's ``score`` table.

``score.kind`` (the heads are :mod:`firmware_models.nn.scores` and
:mod:`firmware_models.nn.scores_categorical`, each checked against ap_fixed compiled with g++):

- ``sum_mu2``: sum of mu^2 over the first ``latent`` outputs (``type``, default ``ap_ufixed<18,14>``);
- ``kl``: the continuous KL divergence of (mu, log sigma^2) (``square_type``, ``table_type``,
  ``accum_type``, ``table_size``, ``type``);
- ``kl_total``: KL continuous + KL discrete of a Joint-VAE: ``continuous`` = the mu and log
  sigma^2 ports, ``categorical`` = the categorical port. When that port is the output of the
  network's softmax layer, the discrete KL reads the softmax's input (the logits, exposed as
  the port ``<categorical>_logits``) and applies that same softmax -- the layer's own
  implementation, tables and types -- so pi is bit for bit the categorical output; otherwise
  the port holds logits and hls4ml 1.3.0's default stable softmax is used. ``discrete``
  (``log_table_type``, ``log_table_size``, ``term_type``, ``accum_type``, ``score_type``),
  ``continuous_types`` (as ``kl``) and ``type`` (the total).

``inputs`` names the output ports a ``sum_mu2`` / ``kl`` head reads (default the first output,
or for ``kl`` the first two when mu and log sigma^2 are separate ports).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from firmware_models.fixed import as_type
from firmware_models.nn import kl_head, sum_mu2_head
from firmware_models.nn.graph import Port
from firmware_models.nn.model import ScoreHead
from firmware_models.nn.scores_categorical import (
    DEFAULTS,
    kl_discrete,
    kl_discrete_head,
    kl_discrete_ref,
    kl_total_head,
    log_table,
)
from triggeremu.errors import ConfigError

__all__ = ["attach_score", "SCORE_KINDS"]

SCORE_KINDS = ("sum_mu2", "kl", "kl_total", "none")
_KL_OPTS = ("square_type", "table_type", "accum_type", "table_size")


def _ports(ad, names, what: str) -> list:
    ports = {p.name: p for p in ad.model.output_ports}
    names = [names] if isinstance(names, str) else list(names)
    unknown = [n for n in names if n not in ports]
    if unknown:
        msg = f"AD config {ad.config_path}: {what} {unknown} are not outputs of the model ({sorted(ports)})"
        raise ConfigError(msg)
    return [ports[n] for n in names]


def _score_ports(ad, score: dict, kind: str) -> list:
    names = score.get("inputs")
    if names is None:
        outs = ad.model.output_ports
        names = [p.name for p in outs[:2]] if kind == "kl" and len(outs) >= 2 else [outs[0].name]
    ports = _ports(ad, names, "score inputs")
    types = {str(p.type) for p in ports}
    if len(types) > 1:
        msg = f"AD config {ad.config_path}: score inputs {[p.name for p in ports]} have different types ({sorted(types)})"
        raise ConfigError(msg)
    return ports


def _mu_head(ad, score: dict, kind: str) -> ScoreHead:
    ports = _score_ports(ad, score, kind)
    out_t = ports[0].type
    n_out = sum(p.size for p in ports)
    if kind == "sum_mu2":
        latent = int(score.get("latent", n_out))
        head = sum_mu2_head(out_t, score.get("type", "ap_ufixed<18,14>"), name="score", columns=slice(0, latent))
    else:
        latent = int(score.get("latent", n_out // 2))
        head = kl_head(out_t, latent, score_type=score.get("type", "ap_ufixed<16,9,AP_RND,AP_SAT>"), name="score",
                       **{k: score[k] for k in _KL_OPTS if k in score})
    if latent < 1 or (latent > n_out if kind == "sum_mu2" else 2 * latent > n_out):
        msg = f"AD config {ad.config_path}: score latent={latent} does not fit the {n_out} model outputs"
        raise ConfigError(msg)
    return replace(head, inputs=tuple(p.name for p in ports))


def _softmax_producer(ad, port):
    for node in ad.model.layers:
        if node.output == port.arg and node.kind == "softmax":
            return node
    return None


def _discrete_head(ad, port, opts: dict) -> tuple[ScoreHead, str]:
    """The discrete KL over ``port`` and the name of the port it reads (the logits)."""
    types = {k: opts.get(k, DEFAULTS[k.removesuffix("_type")]) for k in
             ("log_table_type", "term_type", "accum_type", "score_type")}
    size = int(opts.get("log_table_size", DEFAULTS["log_table_size"]))
    node = _softmax_producer(ad, port)
    n = port.size
    if node is None:   # the port holds the logits
        head = kl_discrete_head(port.type, n, log_table_type=types["log_table_type"], log_table_size=size,
                                term_type=types["term_type"], accum_type=types["accum_type"],
                                score_type=types["score_type"], name="kl_discrete")
        return head, port.name
    call = dict(node.attrs["call"])
    if node.attrs.get("multidim"):
        msg = f"AD config {ad.config_path}: the categorical port {port.name!r} is a multidim softmax; not supported"
        raise ConfigError(msg)
    logits_name = f"{port.name}_logits"
    if logits_name not in {p.name for p in ad.model.output_ports}:
        ad.model.graph.outputs.append(Port(name=logits_name, shape=(n,), type=call["in_t"], arg=node.inputs[0]))
    kw = dict(logits_t=call.pop("in_t"), prob_t=call.pop("res_t"), softmax_kwargs=call,
              table=log_table(size, types["log_table_type"]), log_table_t=types["log_table_type"],
              term_t=types["term_type"], accum_t=types["accum_type"], score_t=types["score_type"])
    head = ScoreHead(name="kl_discrete", type=as_type(types["score_type"]),
                     compute=lambda out: kl_discrete(out[:, -n:], **kw),
                     compute_reference=lambda out: kl_discrete_ref(out[:, -n:], **kw))
    return head, logits_name


def _total_head(ad, score: dict) -> ScoreHead:
    cont_names = score.get("continuous")
    cat_name = score.get("categorical")
    if not cont_names or len(cont_names) != 2 or not isinstance(cat_name, str):
        msg = (f"AD config {ad.config_path}: score kind 'kl_total' needs continuous = [mu port, log-variance port] "
               f"and categorical = the categorical port; got {cont_names!r}, {cat_name!r}")
        raise ConfigError(msg)
    mu, lv = _ports(ad, cont_names, "continuous ports")
    (cat,) = _ports(ad, [cat_name], "categorical port")
    if mu.size != lv.size or mu.type != lv.type:
        msg = f"AD config {ad.config_path}: {mu.name} and {lv.name} differ in size or type ({mu.type}, {lv.type})"
        raise ConfigError(msg)
    copts = dict(score.get("continuous_types") or {})
    cont = kl_head(mu.type, mu.size, score_type=copts.pop("type", "ap_ufixed<16,9,AP_RND,AP_SAT>"),
                   name="kl_continuous", **{k: copts[k] for k in _KL_OPTS if k in copts})
    disc, logits = _discrete_head(ad, cat, dict(score.get("discrete") or {}))
    total = kl_total_head(cont, disc, score.get("type", "ap_ufixed<18,8,AP_RND,AP_SAT>"), name="score")
    return replace(total, inputs=(mu.name, lv.name, logits))


def attach_score(ad) -> None:
    """Attach the score head the AD config's ``score`` table names (none for kind 'none')."""
    score: dict[str, Any] = ad.config.get("score") or {"kind": "none"}
    kind = score.get("kind", "sum_mu2")
    if kind == "none":
        return
    if kind not in SCORE_KINDS:
        msg = f"AD config {ad.config_path}: score kind {kind!r} unknown; use one of {list(SCORE_KINDS)}"
        raise ConfigError(msg)
    head = _total_head(ad, score) if kind == "kl_total" else _mu_head(ad, score, kind)
    ad.model.add_score(head)
    ad.score_name = "score"
