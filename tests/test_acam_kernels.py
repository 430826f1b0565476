"""Property tests: fast kernels agree with their plain twins; nested == integer compare; rows partition.

Random small trees are built here directly as node arrays (independent of any
library), tabularized, and evaluated by the compiled walk (heap and pointer
layouts, :mod:`firmware_models.acam.heap`, serial and parallel kernels), the numba
row scan and the plain references (:mod:`firmware_models.acam.reference`, the
twins in :mod:`firmware_models.acam.heap`).
"""

from __future__ import annotations

import itertools
import os
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_models.acam import reference as R
from firmware_models.acam.evaluate import check_inputs, evaluate, float_like, match_rows
from firmware_models.acam.heap import compile_fast, heap_leaves_reference, pointer_leaves_reference
from firmware_models.acam.physical import cell_arrays, ideal_levels, physical_levels, slice_layout
from firmware_models.acam.quantize import InputQuantizer
from firmware_models.acam.table import AcamTable
from firmware_models.acam.tabularize import SourceTree, tabularize
from firmware_models.acam.walk import compile_walk

# this file's own settings (a global profile here would change every other test file)
_SETTINGS = settings(
    max_examples=300 if os.environ.get("TRIGGEREMU_HYPOTHESIS") == "large" else 25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _random_tree(rng, n_features, n_bits, depth, class_id):
    feature, cut, left, right, value = [], [], [], [], []

    def grow(d):
        i = len(feature)
        feature.append(-1)
        cut.append(-1)
        left.append(-1)
        right.append(-1)
        value.append(float(rng.normal()))
        if d < depth and rng.random() < 0.85:
            feature[i] = int(rng.integers(n_features))
            cut[i] = int(rng.integers(0, (1 << n_bits) + 1))
            left[i] = grow(d + 1)
            right[i] = grow(d + 1)
        return i

    grow(0)
    return SourceTree(*(np.array(a) for a in (feature, cut, left, right)), np.array(value), class_id)


def _random_table(seed, n_features=3, n_bits=8, n_trees=4, depth=4, n_classes=2):
    rng = np.random.default_rng(seed)
    trees = [_random_tree(rng, n_features, n_bits, depth, t % n_classes) for t in range(n_trees)]
    return tabularize(
        trees,
        quantizer=InputQuantizer.identity(n_features, n_bits),
        leaf_type="ap_fixed<16,6>",
        n_classes=n_classes,
        base_float=rng.normal(size=n_classes),
        split_convention="<=",
    )


@_SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n_bits=st.sampled_from([4, 6, 8, 10, 12]))
def test_walk_equals_row_scan_and_rows_partition(seed, n_bits):
    table = _random_table(seed, n_bits=n_bits)
    x = np.random.default_rng(seed + 1).integers(0, 1 << n_bits, size=(300, table.n_features))
    ref_acc, ref_rows, ref_stats = R.scan_reference(table, x)
    # every point matches exactly one row per tree
    np.testing.assert_array_equal(ref_stats.multiple_matches, 0)
    np.testing.assert_array_equal(ref_stats.no_match, 0)
    np.testing.assert_array_equal(match_rows(table, x), ref_rows)
    raw, stats = evaluate(table, x)
    np.testing.assert_array_equal(stats.no_match, ref_stats.no_match)
    expect = ref_acc + table.base_raw
    span = 1 << table.leaf_type.width
    expect = ((expect - table.leaf_type.min_raw) % span) + table.leaf_type.min_raw
    np.testing.assert_array_equal(raw, expect)
    np.testing.assert_array_equal(float_like(table, x), R.float_sum_reference(table, ref_rows))


@_SETTINGS
@given(seed=st.integers(0, 2**32 - 1), sigma=st.sampled_from([0.0, 0.3, 1.0]), policy=st.sampled_from(["sum", "first"]))
def test_physical_scan_kernel_equals_reference(seed, sigma, policy):
    table = _random_table(seed, n_bits=8, n_trees=3)
    x = np.random.default_rng(seed + 2).integers(0, 256, size=(60, table.n_features))
    levels = physical_levels(cell_arrays(table), table.n_bits, sigma, seed)
    ref_acc, _, ref_stats = R.scan_reference(table, x, levels=levels, multi_match=policy)
    raw, stats = evaluate(table, x, mode="physical", sigma=sigma, seed=seed, multi_match=policy)
    t = table.leaf_type
    span = 1 << t.width
    np.testing.assert_array_equal(raw, ((ref_acc + table.base_raw - t.min_raw) % span) + t.min_raw)
    for name in ("false_matches", "misses", "multiple_matches", "no_match"):
        np.testing.assert_array_equal(getattr(stats, name), getattr(ref_stats, name), err_msg=name)


@pytest.mark.parametrize("n_bits", [8, 6])
def test_nested_compare_equals_integer_compare_exhaustively(n_bits):
    """For every bound b and input x in [0, 2**n): the slice rule gives x >= b and x < b."""
    shifts, masks = slice_layout(n_bits)
    top = 1 << n_bits
    from firmware_models.acam.physical import CellArrays

    b = np.arange(top, dtype=np.int64)
    cells = CellArrays(np.zeros(1, np.int64), np.zeros(top, np.int64), b, b, b == 0, b == top)
    lo_lv, hi_lv = ideal_levels(cells, n_bits)
    for bi, x in itertools.product(range(top), range(top)):
        assert R.nested_ge(x, lo_lv[bi].tolist(), shifts, masks) == (x >= bi)
        assert R.nested_lt(x, hi_lv[bi].tolist(), shifts, masks) == (x < bi)


def test_nested_kernel_exhaustive_8bit_intervals():
    """Numba nested scan == integer compare for every [lo, hi) on a 8-bit grid (step 5), every x."""
    top = 256
    bounds = [(lo, hi) for lo in range(0, top, 5) for hi in range(lo + 1, top + 1, 5)]
    n = len(bounds)
    lo = np.zeros((n, 1), np.int64)
    hi = np.full((n, 1), top, np.int64)
    lo[:, 0] = [b[0] for b in bounds]
    hi[:, 0] = [b[1] for b in bounds]
    table = AcamTable(
        n_bits=8, lo=lo, hi=hi, care=(lo > 0) | (hi < top), leaf_raw=np.arange(n), leaf_float=np.arange(n, dtype=float),
        tree_id=np.arange(n), class_id=np.zeros(n), n_classes=1, base_raw=[0], base_float=[0.0],
        leaf_type="ap_fixed<32,32>", quantizer=InputQuantizer.identity(1, 8), split_convention="[lo,hi)",
    )  # fmt: skip
    x = np.arange(top)[:, None]
    ideal, _ = evaluate(table, x, mode="ideal")
    nested, st_n = evaluate(table, x, mode="nested")
    np.testing.assert_array_equal(nested, ideal)
    expect = ((x >= lo[:, 0][None]) & (x < hi[:, 0][None])) @ np.arange(n)
    np.testing.assert_array_equal(ideal[:, 0], expect)
    assert st_n.false_matches.sum() == 0 and st_n.misses.sum() == 0


def test_physical_sigma_zero_is_ideal_and_variation_is_seeded():
    table = _random_table(11, n_bits=12, n_trees=6)
    x = np.random.default_rng(3).integers(0, 1 << 12, size=(500, table.n_features))
    ideal = table.predict_raw(x)
    np.testing.assert_array_equal(table.predict_raw(x, mode="physical", sigma=0.0, seed=5), ideal)
    assert table.stats.totals()["false_matches"] == 0
    a = table.predict_raw(x, mode="physical", sigma=0.8, seed=5)
    sa = table.stats.totals()
    b = table.predict_raw(x, mode="physical", sigma=0.8, seed=5)
    np.testing.assert_array_equal(a, b)
    assert sa == table.stats.totals()
    assert sa["false_matches"] + sa["misses"] > 0  # 0.8 LSB spread must disturb some of 500 x 6 searches


def test_overlapping_rows_fall_back_to_scan_with_policies():
    """Two overlapping rows in one tree: no guillotine cut, so the row scan decides (sum / first)."""
    lo = np.array([[0], [10]])
    hi = np.array([[20], [30]])
    table = AcamTable(
        n_bits=5, lo=lo, hi=hi, care=np.ones((2, 1), bool), leaf_raw=[3, 5], leaf_float=[3.0, 5.0],
        tree_id=[0, 0], class_id=[0, 0], n_classes=1, base_raw=[0], base_float=[0.0],
        leaf_type="ap_int<16>", quantizer=InputQuantizer.identity(1, 5), split_convention="[lo,hi)",
    )  # fmt: skip
    x = np.array([[5], [15], [25], [31]])
    np.testing.assert_array_equal(table.predict_raw(x)[:, 0], [3, 8, 5, 0])
    assert table.stats.totals() == {"n_events": 4, "false_matches": 0, "misses": 0, "multiple_matches": 1, "no_match": 1}
    np.testing.assert_array_equal(table.predict_raw(x, multi_match="first")[:, 0], [3, 3, 5, 0])


# ------------------------------------------------ fast ideal path: heap / pointer walk kernels
def _gapped(table, seed, frac=0.25):
    """The same table with a random ``frac`` of its rows removed (each tree keeps one): disjoint rows
    that leave holes, so some events match no row (X-TIME tables can look like this)."""
    rng = np.random.default_rng(seed)
    keep = rng.random(table.n_rows) >= frac
    keep[table.tree_start[:-1]] = True
    return replace(
        table, lo=table.lo[keep], hi=table.hi[keep], care=table.care[keep], leaf_raw=table.leaf_raw[keep],
        leaf_float=table.leaf_float[keep], tree_id=table.tree_id[keep], class_id=table.class_id[keep],
        leaf_node=table.leaf_node[keep], stats=None,
    )  # fmt: skip


def _caterpillar(depth, n_bits, class_id=0):
    """A chain tree splitting feature j at level j: its walk cannot be rebalanced (depth stays ``depth``)."""
    feature, cut, left, right, value = [], [], [], [], []
    for j in range(depth):
        feature += [j, -1]
        cut += [1 + (37 * j) % ((1 << n_bits) - 1), -1]
        left += [2 * j + 1, -1]
        right += [2 * j + 2, -1]
        value += [0.0, float(j) + 0.5]
    feature.append(-1)
    cut.append(-1)
    left.append(-1)
    right.append(-1)
    value.append(-1.25)
    return SourceTree(*(np.array(a) for a in (feature, cut, left, right)), np.array(value), class_id)


def _run_walk_kernels(fast, x, n_trees, n_classes, chunks):
    """Call the heap and pointer kernels directly (serial when ``chunks == 1``)."""
    from firmware_models.acam import _walk_kernels as W

    xs = np.ascontiguousarray(x).reshape(-1)
    nf = x.shape[1]
    acc = np.zeros((x.shape[0], n_classes), dtype=np.int64)
    rows = np.full((x.shape[0], n_trees), -7, dtype=np.int32)
    nm_h = np.zeros((chunks, fast.n_heap), dtype=np.int64)
    nm_p = np.zeros((chunks, fast.n_pointer), dtype=np.int64)
    heap = W.heap_eval if chunks == 1 else W.heap_eval_parallel
    ptr = W.pointer_eval if chunks == 1 else W.pointer_eval_parallel
    heap(xs, nf, fast.h_feature, fast.h_cut, fast.h_value, fast.h_row, fast.h_offset, fast.h_depth, fast.h_class,
         fast.h_gap, fast.h_tree, acc, nm_h, rows, True)  # fmt: skip
    ptr(xs, nf, fast.p_feature, fast.p_cut, fast.p_child, fast.p_value, fast.p_row, fast.p_root, fast.p_depth,
        fast.p_class, fast.p_gap, fast.p_tree, acc, nm_p, rows, True)  # fmt: skip
    return acc, rows, nm_h.sum(axis=0), nm_p.sum(axis=0)


def _twin_expect(fast, x, n_trees, n_classes):
    """What the kernels must give, from the plain twins (leaf slots / nodes reached)."""
    acc = np.zeros((x.shape[0], n_classes), dtype=np.int64)
    rows = np.full((x.shape[0], n_trees), -7, dtype=np.int32)
    hs = heap_leaves_reference(x, fast)
    ps = pointer_leaves_reference(x, fast)
    for k in range(fast.n_heap):
        acc[:, fast.h_class[k]] += fast.h_value[hs[:, k]]
        rows[:, fast.h_tree[k]] = fast.h_row[hs[:, k]]
    for k in range(fast.n_pointer):
        acc[:, fast.p_class[k]] += fast.p_value[ps[:, k]]
        rows[:, fast.p_tree[k]] = fast.p_row[ps[:, k]]
    nm_h = ((fast.h_row[hs] < 0) & fast.h_gap[None, :]).sum(axis=0)
    nm_p = ((fast.p_row[ps] < 0) & fast.p_gap[None, :]).sum(axis=0)
    return acc, rows, nm_h, nm_p


@pytest.mark.slow  # its kernel == twin part is a row of tests/test_kernel_twins.py
@_SETTINGS
@given(
    seed=st.integers(0, 2**32 - 1),
    n_bits=st.sampled_from([4, 8, 12, 16, 20, 31]),
    layout=st.sampled_from(["default", "heap", "pointer"]),
    gap=st.booleans(),
    chunks=st.sampled_from([1, 3]),
)
def test_walk_kernels_equal_twins_and_row_scan(seed, n_bits, layout, gap, chunks):
    """heap / pointer kernels (serial and parallel) == their plain twins == the row scan, incl. holes."""
    table = _random_table(seed, n_features=4, n_bits=n_bits, n_trees=5, depth=5, n_classes=3)
    if gap:
        table = _gapped(table, seed)
    limits = {"default": {}, "heap": {"max_pad": 1e9}, "pointer": {"max_depth": -1}}[layout]
    fast = compile_fast(compile_walk(table), table.n_bits, table.tree_class, **limits)
    assert fast.n_heap + fast.n_pointer == table.n_trees  # tiled by tree cuts: every tree walks
    x = np.random.default_rng(seed + 3).integers(0, 1 << n_bits, size=(413, table.n_features))
    x = check_inputs(table, x)  # the narrow unsigned dtype the evaluator passes (uint8 / 16 / 32)
    got = _run_walk_kernels(fast, x, table.n_trees, table.n_classes, chunks)
    want = _twin_expect(fast, x, table.n_trees, table.n_classes)
    for name, g, w in zip(("acc", "rows", "nomatch heap", "nomatch pointer"), got, want):
        np.testing.assert_array_equal(g, w, err_msg=name)
    ref_acc, ref_rows, ref_stats = R.scan_reference(table, x)
    np.testing.assert_array_equal(got[0], ref_acc)
    np.testing.assert_array_equal(got[1], ref_rows)
    no_match = np.zeros(table.n_trees, dtype=np.int64)
    no_match[fast.h_tree] += got[2]
    no_match[fast.p_tree] += got[3]
    np.testing.assert_array_equal(no_match, ref_stats.no_match)
    raw, stats = evaluate(table, x)
    t = table.leaf_type
    span = 1 << t.width
    np.testing.assert_array_equal(raw, ((ref_acc + table.base_raw - t.min_raw) % span) + t.min_raw)
    np.testing.assert_array_equal(stats.no_match, ref_stats.no_match)
    np.testing.assert_array_equal(match_rows(table, x), ref_rows)


def test_layout_choice_deep_chain_takes_pointer_and_one_leaf_tree_takes_heap():
    """A depth-16 chain pads 2**17 slots for 33 nodes: pointer layout; shallow trees and a
    one-leaf tree (depth 0) go to the heap; results equal the row scan, also with holes."""
    n_bits = 8
    rng = np.random.default_rng(5)
    one_leaf = SourceTree(np.array([-1]), np.array([-1]), np.array([-1]), np.array([-1]), np.array([0.75]), 1)
    trees = [_caterpillar(16, n_bits), _random_tree(rng, 16, n_bits, 4, 1), one_leaf, _caterpillar(5, n_bits, 1)]
    table = tabularize(
        trees, quantizer=InputQuantizer.identity(16, n_bits), leaf_type="ap_fixed<16,6>", n_classes=2,
        base_float=np.array([0.5, -0.5]), split_convention="<=",
    )  # fmt: skip
    fast = compile_fast(compile_walk(table), table.n_bits, table.tree_class)
    np.testing.assert_array_equal(fast.p_tree, [0])
    np.testing.assert_array_equal(fast.h_tree, [1, 2, 3])
    assert int(fast.p_depth[0]) == 16 and int(fast.h_depth[1]) == 0
    x = rng.integers(0, 1 << n_bits, size=(700, 16))
    x[:300] = np.maximum(x[:300], 200 + np.arange(300)[:, None] % 30)  # large codes walk deep into the chain
    for tab in (table, _gapped(table, 9, frac=0.4)):
        ref_acc, ref_rows, ref_stats = R.scan_reference(tab, x)
        raw, stats = evaluate(tab, x)
        t = tab.leaf_type
        np.testing.assert_array_equal(raw, ((ref_acc + tab.base_raw - t.min_raw) % (1 << t.width)) + t.min_raw)
        np.testing.assert_array_equal(stats.no_match, ref_stats.no_match)
        np.testing.assert_array_equal(match_rows(tab, x), ref_rows)
    assert ref_stats.no_match.sum() > 0  # the gapped table does leave holes
