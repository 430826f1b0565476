"""``embedding``: ``nnet_embed.h`` embedding, a table row per token (see :mod:`firmware_models.nn.embedding`)."""

from __future__ import annotations

import numpy as np

from firmware_models.nn import embedding as _emb
from firmware_models.nn.layers._common import node_from_call
from firmware_models.nn.registry import KindSpec, register

__all__: list[str] = []


def _args(node):
    t = node.types
    return dict(t_in=t["input"], t_table=t["table"], t_result=t["result"], name=f"layer {node.name}")


def _kernel(node, xs):
    return _emb.embedding(xs[0], node.params["table"], **_args(node)).reshape(len(xs[0]), -1)


def _reference(node, xs):
    out = _emb.embedding_reference(np.array([xs[0]], dtype=np.int64), node.params["table"], **_args(node))
    return [int(v) for v in out.reshape(-1)]


def _build(call, ctx):
    cfg = ctx.config(call.targs[-1], call.name)
    n_in, n_out, vocab = cfg.int("n_in"), cfg.int("n_out"), cfg.int("vocab_size")
    tab, tt = ctx.weights(call.args[2], call.name)
    types = {"input": ctx.type(call.targs[0], call.name), "result": ctx.type(call.targs[1], call.name), "table": tt}
    return node_from_call(call, "embedding", inputs=(0,), output=1, types=types, in_shapes=[(n_in,)],
                          out_shape=(n_in, n_out), params={"table": np.asarray(tab).reshape(vocab, n_out)}, cfg=cfg)


register(KindSpec(
    kind="embedding", kernel=_kernel, reference=_reference, timing=lambda desc: (1, 1),
    timing_rule="1 cycle, II 1 (a table read per token)",
    convention="hls4ml 1.3.0 nnet_utils/nnet_embed.h embedding: res[j*n_out + i] = embeddings[data[j]*n_out + i] "
               "assigned to res_T; a token outside the vocabulary is refused (the C++ reads outside the table)",
    nnet_functions=("embedding",), build_hls4ml=_build))
