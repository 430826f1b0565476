"""Numba kernels of the ideal-mode fast path: branch-free walks over a :class:`~firmware_models.acam.heap.FastPlan`.

Events are taken a block of :data:`BLOCK` at a time; for each block the trees
are the outer loop and the events the inner one, level by level, so one tree's
few hundred bytes of nodes stay in L1 and the ``BLOCK`` steps of a level are
independent (the CPU overlaps their loads). All indices are unsigned (no
negative-index wraparound checks in the hot loop); the inputs arrive flattened
(``xs = x.reshape(-1)``, ``x`` C-contiguous, uint8/16/32 codes).

- :func:`heap_eval` / :func:`heap_eval_parallel`: heap (perfect-tree) layout,
  ``h = 2h + 1 + (x[feature[h]] >= cut[h])``, the root compare hoisted out of the level loop.
- :func:`pointer_eval` / :func:`pointer_eval_parallel`: child-pointer layout,
  ``n = child[n] + (x[feature[n]] >= cut[n])``.

Each adds, for every event ``i`` and tree ``t``, the reached leaf's ``value`` to
``out[i, class[t]]`` (int64: exact and order-independent), counts events that
reach a no-match leaf in ``nomatch[chunk, t]`` (trees flagged ``gap`` only), and,
when ``want_rows``, writes the matched row to ``rows[i, tree[t]]``. The serial
kernels are ``parallel=False`` (the fair one-thread comparison); the parallel
ones split the events into ``nomatch.shape[0]`` chunks, one per ``prange``
iteration, each running the serial code. The plain twins are
:func:`~firmware_models.acam.heap.heap_leaves_reference` and
:func:`~firmware_models.acam.heap.pointer_leaves_reference`; the property tests
in ``tests/test_acam_kernels.py`` check kernel == twin == row scan.
"""

from __future__ import annotations

import numba
import numpy as np

from firmware_models.acam._kernels import _JIT

__all__ = ["heap_eval", "heap_eval_parallel", "pointer_eval", "pointer_eval_parallel", "BLOCK", "chunk_bounds"]

_jit = numba.njit(**_JIT)
_pjit = numba.njit(parallel=True, **_JIT)

#: Events per block (measured on the bench: 64-256 within noise; 128 keeps a block of
#: 48 uint16 features, 12 kB, plus the node indices well inside L1).
BLOCK = 128


@_jit
def chunk_bounds(n, n_chunks, ch):  # pragma: no cover - jitted
    """Events [a, b) of chunk ``ch`` of ``n_chunks`` (chunks are whole blocks, the last one shorter)."""
    per = ((n + n_chunks - 1) // n_chunks + BLOCK - 1) // BLOCK * BLOCK
    a = min(n, ch * per)
    return a, min(n, a + per)


@_jit
def _heap_block(xs, rowoff, m, o, d, feature, cut, nodes):  # pragma: no cover - jitted
    """nodes[k] = slot (relative to ``o``) reached by event k after ``d >= 1`` steps."""
    one = np.uint32(1)
    f0 = np.uint64(feature[o])
    c0 = cut[o]
    for k in range(m):
        nodes[k] = one + np.uint32(xs[rowoff[k] + f0] >= c0)
    for _ in range(d - 1):
        for k in range(m):
            nd = nodes[k]
            j = o + np.uint64(nd)
            nodes[k] = nd + nd + one + np.uint32(xs[rowoff[k] + np.uint64(feature[j])] >= cut[j])


@_jit
def _pointer_block(xs, rowoff, m, r, d, feature, cut, child, nodes):  # pragma: no cover - jitted
    """nodes[k] = node reached by event k from root ``r`` after ``d`` steps."""
    for k in range(m):
        nodes[k] = r
    for _ in range(d):
        for k in range(m):
            nd = nodes[k]
            nodes[k] = child[nd] + np.uint32(xs[rowoff[k] + np.uint64(feature[nd])] >= cut[nd])


@_jit
def _finish(  # pragma: no cover - jitted
    i0, m, t, c, base, nodes, value, row, gap, tree, acc, nomatch, rows, want_rows
):
    """Add the reached leaves (``base + nodes[k]``) of tree ``t`` into ``acc[:, c]``; count gaps; rows."""
    for k in range(m):
        acc[k, c] += value[base + np.uint64(nodes[k])]
    if gap[t]:
        cnt = 0
        for k in range(m):
            if row[base + np.uint64(nodes[k])] < 0:
                cnt += 1
        nomatch[t] += cnt
    if want_rows:
        tt = tree[t]
        for k in range(m):
            rows[i0 + k, tt] = row[base + np.uint64(nodes[k])]


@_jit
def _heap_range(  # pragma: no cover - jitted
    xs, n_feat, a, b, feature, cut, value, row, offset, depth, tclass, gap, tree, out, nomatch, rows, want_rows
):
    """Events [a, b) through every heap tree, a block at a time (trees outer, events inner)."""
    f_stride = np.uint64(n_feat)
    nodes = np.empty(BLOCK, dtype=np.uint32)
    rowoff = np.empty(BLOCK, dtype=np.uint64)
    n_classes = out.shape[1]
    acc = np.empty((BLOCK, n_classes), dtype=np.int64)
    for i0 in range(a, b, BLOCK):
        m = min(b, i0 + BLOCK) - i0
        for k in range(m):
            rowoff[k] = np.uint64(i0 + k) * f_stride
        acc[:, :] = 0
        for t in range(offset.shape[0]):
            o = offset[t]
            if depth[t] > 0:
                _heap_block(xs, rowoff, m, o, depth[t], feature, cut, nodes)
            else:
                nodes[:m] = 0  # a one-leaf tree: its root slot is the leaf
            _finish(i0, m, t, tclass[t], o, nodes, value, row, gap, tree, acc, nomatch, rows, want_rows)
        for k in range(m):
            for c in range(n_classes):
                out[i0 + k, c] += acc[k, c]


@_jit
def _pointer_range(  # pragma: no cover - jitted
    xs, n_feat, a, b, feature, cut, child, value, row, root, depth, tclass, gap, tree, out, nomatch, rows, want_rows
):
    """Events [a, b) through every pointer tree, a block at a time (trees outer, events inner)."""
    f_stride = np.uint64(n_feat)
    nodes = np.empty(BLOCK, dtype=np.uint32)
    rowoff = np.empty(BLOCK, dtype=np.uint64)
    n_classes = out.shape[1]
    acc = np.empty((BLOCK, n_classes), dtype=np.int64)
    zero = np.uint64(0)
    for i0 in range(a, b, BLOCK):
        m = min(b, i0 + BLOCK) - i0
        for k in range(m):
            rowoff[k] = np.uint64(i0 + k) * f_stride
        acc[:, :] = 0
        for t in range(root.shape[0]):
            _pointer_block(xs, rowoff, m, root[t], depth[t], feature, cut, child, nodes)
            _finish(i0, m, t, tclass[t], zero, nodes, value, row, gap, tree, acc, nomatch, rows, want_rows)
        for k in range(m):
            for c in range(n_classes):
                out[i0 + k, c] += acc[k, c]


@_jit
def heap_eval(  # pragma: no cover - jitted
    xs, n_feat, feature, cut, value, row, offset, depth, tclass, gap, tree, out, nomatch, rows, want_rows
):
    """One thread over all events; ``nomatch`` has shape (1, n_heap)."""
    args = (feature, cut, value, row, offset, depth, tclass, gap, tree, out)
    _heap_range(xs, n_feat, 0, out.shape[0], *args, nomatch[0], rows, want_rows)


@_pjit
def heap_eval_parallel(  # pragma: no cover - jitted
    xs, n_feat, feature, cut, value, row, offset, depth, tclass, gap, tree, out, nomatch, rows, want_rows
):
    """``nomatch.shape[0]`` chunks of events in parallel; ``nomatch`` (n_chunks, n_heap)."""
    n_chunks = nomatch.shape[0]
    for ch in numba.prange(n_chunks):
        a, b = chunk_bounds(out.shape[0], n_chunks, ch)
        _heap_range(xs, n_feat, a, b, feature, cut, value, row, offset, depth, tclass, gap, tree, out, nomatch[ch],
                    rows, want_rows)  # fmt: skip


@_jit
def pointer_eval(  # pragma: no cover - jitted
    xs, n_feat, feature, cut, child, value, row, root, depth, tclass, gap, tree, out, nomatch, rows, want_rows
):
    """One thread over all events; ``nomatch`` has shape (1, n_pointer)."""
    args = (feature, cut, child, value, row, root, depth, tclass, gap, tree, out)
    _pointer_range(xs, n_feat, 0, out.shape[0], *args, nomatch[0], rows, want_rows)


@_pjit
def pointer_eval_parallel(  # pragma: no cover - jitted
    xs, n_feat, feature, cut, child, value, row, root, depth, tclass, gap, tree, out, nomatch, rows, want_rows
):
    """``nomatch.shape[0]`` chunks of events in parallel; ``nomatch`` (n_chunks, n_pointer)."""
    n_chunks = nomatch.shape[0]
    for ch in numba.prange(n_chunks):
        a, b = chunk_bounds(out.shape[0], n_chunks, ch)
        _pointer_range(xs, n_feat, a, b, feature, cut, child, value, row, root, depth, tclass, gap, tree, out,
                       nomatch[ch], rows, want_rows)  # fmt: skip
