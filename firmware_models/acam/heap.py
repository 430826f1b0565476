"""Cache-friendly layouts of the compiled walk for the ideal-mode fast path (:class:`FastPlan`).

:func:`~firmware_models.acam.walk.compile_walk` turns the rows of each tree into a
binary search tree (:class:`~firmware_models.acam.walk.WalkPlan`). This module lays
those trees out for the numba kernels in :mod:`firmware_models.acam._walk_kernels`:

- **Heap** (perfect tree, implicit children): a walk tree of depth ``d`` is padded to
  a perfect tree; node ``h`` has children ``2h + 1`` (``code < cut``) and ``2h + 2``,
  so one step is ``h = 2h + 1 + (x[feature[h]] >= cut[h])`` with no child pointer to
  load. A leaf shallower than ``d`` becomes a padded node with ``cut = 2**n_bits``
  (every code is below it: always left) over copies of the leaf. Slots ``2**d - 1 ..
  2**(d+1) - 2`` of a tree are its leaves: ``value`` (``leaf_raw``) and ``row`` (the
  matched row, -1: no match). Padding costs memory, so a tree takes the heap only when
  ``d <= HEAP_MAX_DEPTH`` and its padded size is at most ``HEAP_MAX_PAD`` times its
  walk size (plus ``HEAP_PAD_SLACK`` slots): balanced boosted trees (XGBoost depth 6,
  sklearn depth 3-8) always do.
- **Pointer** (the rest, e.g. deep unbalanced random-forest trees): the walk's own
  node arrays with unsigned 32-bit indices, ``n = child[n] + (x[feature[n]] >= cut[n])``
  for ``depth[t]`` steps (leaves point to themselves with ``cut = 2**n_bits``).

Cuts are stored as uint32: every walk cut lies in ``[1, 2**n_bits - 1]`` and
``2**n_bits <= 2**31`` (``n_bits <= 31``), so the padding cut fits. Scan trees
(``WalkPlan.root < 0``) are in neither part; the evaluator row-scans them.

:func:`heap_leaves_reference` and :func:`pointer_leaves_reference` are the plain
NumPy twins of the kernels (the leaf slot each event reaches in each tree); the
property tests in ``tests/test_acam_kernels.py`` check kernels == twins == row scan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "FastPlan",
    "compile_fast",
    "heap_leaves_reference",
    "pointer_leaves_reference",
    "HEAP_MAX_DEPTH",
    "HEAP_MAX_PAD",
    "HEAP_PAD_SLACK",
]

#: Deepest walk tree laid out as a padded perfect tree (2**13 - 1 slots, 160 kB at most).
HEAP_MAX_DEPTH = 12
#: Largest padded size, as a multiple of the tree's walk node count, taken into the heap.
HEAP_MAX_PAD = 4
#: Slots always allowed on top of ``HEAP_MAX_PAD`` (small shallow trees pad freely).
HEAP_PAD_SLACK = 127


@dataclass(frozen=True)
class FastPlan:
    """Heap part (``h_*``, one entry per heap tree) and pointer part (``p_*``) of the walk trees.

    Heap tree ``k`` (source tree ``h_tree[k]``) owns slots ``h_offset[k] ..
    h_offset[k] + 2**(h_depth[k] + 1) - 2``. Pointer tree ``k`` (source tree
    ``p_tree[k]``) starts at node ``p_root[k]`` and takes ``p_depth[k]`` steps.
    ``*_gap[k]``: some leaf of the tree matches no row (its ``row`` is -1)."""

    h_feature: np.ndarray  # (n_slots,) uint32
    h_cut: np.ndarray  # (n_slots,) uint32; 2**n_bits at padded nodes
    h_value: np.ndarray  # (n_slots,) int64 leaf_raw at leaf slots, else 0
    h_row: np.ndarray  # (n_slots,) int32 matched row at leaf slots (-1: none / inner)
    h_offset: np.ndarray  # (n_heap,) uint64
    h_depth: np.ndarray  # (n_heap,) int64
    h_tree: np.ndarray  # (n_heap,) int64 source tree id
    h_class: np.ndarray  # (n_heap,) int64
    h_gap: np.ndarray  # (n_heap,) bool
    p_feature: np.ndarray  # (n_nodes,) uint32 (0 at leaves)
    p_cut: np.ndarray  # (n_nodes,) uint32; 2**n_bits at leaves
    p_child: np.ndarray  # (n_nodes,) uint32 left child; self at leaves
    p_value: np.ndarray  # (n_nodes,) int64
    p_row: np.ndarray  # (n_nodes,) int32
    p_root: np.ndarray  # (n_ptr,) uint32
    p_depth: np.ndarray  # (n_ptr,) int64
    p_tree: np.ndarray  # (n_ptr,) int64
    p_class: np.ndarray  # (n_ptr,) int64
    p_gap: np.ndarray  # (n_ptr,) bool

    @property
    def n_heap(self) -> int:
        return int(self.h_tree.size)

    @property
    def n_pointer(self) -> int:
        return int(self.p_tree.size)


def _walk_sizes(plan) -> np.ndarray:
    """(n_trees,) walk node count per tree (breadth-first numbering: each tree owns one
    contiguous range from its root to the next root); 0 for scan trees."""
    sizes = np.zeros(plan.root.size, dtype=np.int64)
    walk = np.nonzero(plan.root >= 0)[0]
    if walk.size:
        order = walk[np.argsort(plan.root[walk], kind="stable")]
        starts = plan.root[order].astype(np.int64)
        sizes[order] = np.diff(np.append(starts, plan.feature.size))
    return sizes


def _heap_tree(plan, t: int, top: int):
    """(feature, cut, value, row) slot arrays of walk tree ``t`` padded to a perfect tree."""
    d = int(plan.depth[t])
    size = (1 << (d + 1)) - 1
    feat = np.zeros(size, dtype=np.uint32)
    cut = np.zeros(size, dtype=np.uint32)
    value = np.zeros(size, dtype=np.int64)
    row = np.full(size, -1, dtype=np.int32)
    cur = np.array([plan.root[t]], dtype=np.int64)
    for level in range(d):
        base = (1 << level) - 1
        leaf = plan.child[cur] == cur
        feat[base : base + cur.size] = np.where(leaf, 0, plan.feature[cur])
        cut[base : base + cur.size] = np.where(leaf, top, plan.cut[cur])
        left = np.where(leaf, cur, plan.child[cur])
        right = np.where(leaf, cur, plan.child[cur] + 1)
        cur = np.stack([left, right], axis=1).reshape(-1)
    base = (1 << d) - 1
    value[base:] = plan.value[cur]
    row[base:] = plan.row[cur]
    return feat, cut, value, row


def compile_fast(
    plan, n_bits: int, tree_class: np.ndarray, *, max_depth: int = HEAP_MAX_DEPTH, max_pad: float = HEAP_MAX_PAD
) -> FastPlan:
    """Split the walk trees of ``plan`` into the heap and pointer layouts (see the module docstring;
    ``max_depth`` / ``max_pad`` override :data:`HEAP_MAX_DEPTH` / :data:`HEAP_MAX_PAD`)."""
    top = 1 << int(n_bits)
    walk = np.nonzero(plan.root >= 0)[0]
    walk_sizes = _walk_sizes(plan)
    heap, ptr = [], []
    for t in walk:
        d = int(plan.depth[t])
        padded = (1 << (d + 1)) - 1
        size = int(walk_sizes[t])
        (heap if d <= max_depth and padded <= max_pad * size + HEAP_PAD_SLACK else ptr).append(int(t))
    parts = [_heap_tree(plan, t, top) for t in heap]
    sizes = np.array([p[0].size for p in parts], dtype=np.uint64)
    offset = np.zeros(len(heap), dtype=np.uint64)
    if sizes.size:
        offset[1:] = np.cumsum(sizes)[:-1]

    def cat(i, dtype):
        return np.ascontiguousarray(np.concatenate([p[i] for p in parts]) if parts else np.zeros(0), dtype=dtype)

    leaf = plan.child == np.arange(plan.child.size)
    ptr_arr = np.array(ptr, dtype=np.int64)
    heap_arr = np.array(heap, dtype=np.int64)
    tree_class = np.asarray(tree_class, dtype=np.int64)
    return FastPlan(
        h_feature=cat(0, np.uint32),
        h_cut=cat(1, np.uint32),
        h_value=cat(2, np.int64),
        h_row=cat(3, np.int32),
        h_offset=offset,
        h_depth=plan.depth[heap_arr].astype(np.int64),
        h_tree=heap_arr,
        h_class=tree_class[heap_arr],
        h_gap=plan.has_gap[heap_arr].copy(),
        p_feature=np.where(leaf, 0, plan.feature).astype(np.uint32),
        p_cut=np.where(leaf, top, plan.cut).astype(np.uint32),
        p_child=plan.child.astype(np.uint32),
        p_value=plan.value.astype(np.int64),
        p_row=plan.row.astype(np.int32),
        p_root=plan.root[ptr_arr].astype(np.uint32),
        p_depth=plan.depth[ptr_arr].astype(np.int64),
        p_tree=ptr_arr,
        p_class=tree_class[ptr_arr],
        p_gap=plan.has_gap[ptr_arr].copy(),
    )


def heap_leaves_reference(x, fast: FastPlan) -> np.ndarray:
    """(n_events, n_heap) int64: the slot each event reaches in each heap tree (plain NumPy twin)."""
    x = np.asarray(x, dtype=np.int64)
    out = np.empty((x.shape[0], fast.n_heap), dtype=np.int64)
    ev = np.arange(x.shape[0])
    for k in range(fast.n_heap):
        o = int(fast.h_offset[k])
        h = np.zeros(x.shape[0], dtype=np.int64)
        for _ in range(int(fast.h_depth[k])):
            f = fast.h_feature[o + h].astype(np.int64)
            h = 2 * h + 1 + (x[ev, f] >= fast.h_cut[o + h].astype(np.int64))
        out[:, k] = o + h
    return out


def pointer_leaves_reference(x, fast: FastPlan) -> np.ndarray:
    """(n_events, n_pointer) int64: the node each event reaches in each pointer tree (plain NumPy twin)."""
    x = np.asarray(x, dtype=np.int64)
    out = np.empty((x.shape[0], fast.n_pointer), dtype=np.int64)
    ev = np.arange(x.shape[0])
    for k in range(fast.n_pointer):
        nd = np.full(x.shape[0], int(fast.p_root[k]), dtype=np.int64)
        for _ in range(int(fast.p_depth[k])):
            f = fast.p_feature[nd].astype(np.int64)
            nd = fast.p_child[nd].astype(np.int64) + (x[ev, f] >= fast.p_cut[nd].astype(np.int64))
        out[:, k] = nd
    return out
