"""Property tests: fast kernels agree with their plain twins; nested == integer compare; rows partition.

Random small trees are built here directly as node arrays (independent of any
library), tabularized, and evaluated by the compiled walk, the numba row scan
and the plain reference (:mod:`firmware_models.acam.reference`).
"""

from __future__ import annotations

import itertools
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_models.acam import reference as R
from firmware_models.acam.evaluate import evaluate, float_like, match_rows
from firmware_models.acam.physical import ideal_levels, physical_levels, cell_arrays, slice_layout
from firmware_models.acam.quantize import InputQuantizer
from firmware_models.acam.table import AcamTable
from firmware_models.acam.tabularize import SourceTree, tabularize

settings.register_profile("default", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("large", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("TRIGGEREMU_HYPOTHESIS", "default"))


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
    expect = ref_acc + table.base_raw
    span = 1 << table.leaf_type.width
    expect = ((expect - table.leaf_type.min_raw) % span) + table.leaf_type.min_raw
    np.testing.assert_array_equal(raw, expect)
    np.testing.assert_array_equal(float_like(table, x), R.float_sum_reference(table, ref_rows))


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
