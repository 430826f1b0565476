"""Embedding (``nnet_embed.h`` ``embedding``): a table lookup per input token, channels last.

A pure function over raw int64 arrays; the layer registry wraps it as a kind. For each token
``j`` and output ``i`` the kernel does ``res[j * n_out + i] = embeddings[data[j] * n_out + i]``:
the token's *value* (``data_T``, an integer type, or a fixed-point type whose values are
integers) selects the row, and the ``embeddings_t`` entry is assigned to ``res_T``. A token
outside ``0..vocab_size-1`` (or not an integer) reads outside the table in the C++; here it is
refused with the offending value, rather than returning memory the firmware never defined.
:func:`embedding_reference` is the plain twin.
"""

from __future__ import annotations

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType, cast
from firmware_models.fixed.exact import convert_exact

__all__ = ["embedding", "embedding_reference"]


def _tokens(x, t_in: FixedType, vocab: int, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=np.int64)
    f = t_in.fractional
    if f > 0:
        if (arr & ((1 << f) - 1)).any():
            msg = f"{name}: token values must be integers, {t_in} holds fractions (e.g. raw {int(arr.flat[0])})"
            raise ModelFormatError(msg)
        tok = arr >> f
    else:
        tok = arr << (-f)
    if tok.size and (tok.min() < 0 or tok.max() >= vocab):
        bad = int(tok[(tok < 0) | (tok >= vocab)].flat[0])
        msg = f"{name}: token {bad} outside the vocabulary 0..{vocab - 1} (the firmware would read outside its table)"
        raise ModelFormatError(msg)
    return tok


def embedding(x, table, *, t_in: FixedType, t_table: FixedType, t_result: FixedType,
              name: str = "embedding") -> np.ndarray:
    """``(n, n_in)`` raw tokens of ``data_T`` -> ``(n, n_in, n_out)`` raw ``res_T``.

    ``table``: ``(vocab_size, n_out)`` raw of ``embeddings_t`` (config ``vocab_size``, ``n_out``).
    """
    tab = np.asarray(table, dtype=np.int64)
    if tab.ndim != 2:
        msg = f"{name}: embeddings must be (vocab_size, n_out), got shape {tab.shape}"
        raise ModelFormatError(msg)
    tok = _tokens(x, t_in, tab.shape[0], name)
    rows = cast(tab, t_table, t_result, context=name, check=False)
    return rows[tok.reshape(tok.shape[0], -1)]


def embedding_reference(x, table, *, t_in: FixedType, t_table: FixedType, t_result: FixedType,
                        name: str = "embedding") -> np.ndarray:
    """The plain twin of :func:`embedding`, token by token."""
    tab = np.asarray(table, dtype=np.int64)
    tok = _tokens(x, t_in, tab.shape[0], name)
    out = [[[convert_exact(int(tab[t, i]), -t_table.fractional, t_result) for i in range(tab.shape[1])]
            for t in ev] for ev in tok.reshape(tok.shape[0], -1).tolist()]
    return np.array(out, dtype=np.int64).reshape(tok.shape[0], -1, tab.shape[1])
