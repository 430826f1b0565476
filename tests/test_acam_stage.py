"""The ``acam`` stage: input code, exact agreement with the table and with XGBoost, timing, summary, errors."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_models import acam
from streams.calo import CELL_MAX, SyntheticCaloSource
from triggeremu.decompress import DEFAULT_BUNDLE_DIR, load_bundle
from triggeremu.errors import ConfigError
from triggeremu.stages import Stage, build_stage
from triggeremu.stages.acam import cell_codes

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def batch():
    return SyntheticCaloSource(3000, seed=4242, pileup_mean=60.0, signal_fraction=0.1).make_batch(0, 3000)


@pytest.fixture(scope="module")
def stage():
    return build_stage({"kind": "acam"}, base_dir=HERE)


def _code_reference(x: int, m: int, n: int) -> int:
    if x < (1 << m):
        c = x
    else:
        e = x.bit_length() - m
        c = ((e - 1) << m) + (x >> (e - 1))
    return min(c, (1 << n) - 1)


@settings(max_examples=200, deadline=None)
@given(x=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=40), m=st.integers(4, 14))
def test_cell_code_equals_plain_twin_and_brackets_the_value(x, m):
    codes = cell_codes(np.array(x, dtype=np.uint32), mantissa_bits=m, n_bits=m + 4)
    np.testing.assert_array_equal(codes, [_code_reference(v, m, m + 4) for v in x])
    for v, c in zip(x, codes.tolist(), strict=True):
        if c == (1 << (m + 4)) - 1:
            continue  # saturated
        e = c >> m  # exponent field + 1 when v >= 2**m
        lower = c if c < (1 << m) else (c - ((e - 1) << m)) << (e - 1)
        step = 1 if c < (1 << m) else 1 << (e - 1)
        assert lower <= v < lower + step


def test_cell_code_is_monotone_over_the_22_bit_range():
    x = np.arange(0, CELL_MAX + 1, 7, dtype=np.uint32)
    c = cell_codes(x)
    assert np.all(np.diff(c) >= 0) and c.max() < 2**16
    np.testing.assert_array_equal(c[x < 4096], x[x < 4096])


@pytest.mark.slow
def test_stage_output_is_the_table_on_the_coded_cells(stage, batch):
    assert isinstance(stage, Stage) and not stage.sequential and stage.requires() == ("calo_cells",)
    out = stage.process(batch)
    raw = out["acam_latent"]
    assert raw.shape == (3000, 4) and raw.dtype == np.int64
    table = acam.load(load_bundle().path("table"))
    codes = cell_codes(batch["calo_cells"], mantissa_bits=12, n_bits=16)
    np.testing.assert_array_equal(raw, table.predict_raw(codes))
    assert stage.fixed_types() == {"acam_latent": str(table.leaf_type)}


@pytest.mark.slow
def test_table_equals_the_shipped_xgboost_model(stage, batch):
    xgb = pytest.importorskip("xgboost")
    bundle = load_bundle()
    booster = xgb.Booster()
    booster.load_model(str(bundle.path("bdt")))
    codes = stage.encode(batch["calo_cells"])
    margin = booster.inplace_predict(codes.astype(np.float32), predict_type="margin")
    table = stage.table
    # the library's own float sum, replayed from the matched CAM rows: bit for bit
    np.testing.assert_array_equal(table.predict_float_like(codes), margin)
    # every event matches exactly the leaf XGBoost names, in every tree
    leaves = booster.predict(xgb.DMatrix(codes.astype(np.float32)), pred_leaf=True)
    rows = table.match_rows(codes)
    np.testing.assert_array_equal(table.leaf_node[rows], leaves)
    # the fixed-point adder tree differs only by leaf rounding: <= 1/2 LSB per tree, plus float32 sums
    latent = stage.process(batch)["acam_latent"] * 2.0**-table.leaf_type.fractional
    per_dim_trees = np.bincount(table.tree_class)
    bound = (per_dim_trees + 1) * 2.0 ** -(table.leaf_type.fractional + 1) + 1e-4
    assert np.all(np.abs(latent - margin).max(axis=0) <= bound)


def test_timing_and_summary_from_the_seed_preset(stage, batch):
    t = stage.timing()
    assert t.source == "preset:seed-2026"
    assert t.latency_fs == 10 * 10**6 - 3  # 7 cycles of 700 MHz (1428571 fs): 10 ns to the femtosecond
    assert t.clock_mhz / t.ii_cycles == 350.0
    out = stage.process(batch)
    rep = stage.summary(out)
    assert rep["energy_per_event_nj"] == 4.1 and rep["area_mm2"] == 2.1
    assert rep["energy_total_nj"] == pytest.approx(4.1 * 3000)
    assert rep["latency_ns"] == 10.0 and rep["throughput_mhz"] == 350.0 and "physical" not in rep
    v1 = build_stage({"kind": "acam", "preset": "arxiv-v1"}, base_dir=HERE)
    assert v1.summary(out)["latency_ns"] == 24.0
    est = build_stage({"kind": "acam", "timing": "stages"}, base_dir=HERE)
    assert est.timing().source == "estimate:stages"


@pytest.mark.slow
def test_nested_and_zero_sigma_physical_modes_equal_ideal(stage, batch):
    small = {"calo_cells": batch["calo_cells"][:150]}
    ideal = stage.process(small)["acam_latent"]
    nested = build_stage({"kind": "acam", "mode": "nested"}, base_dir=HERE)
    np.testing.assert_array_equal(nested.process(small)["acam_latent"], ideal)
    phys0 = build_stage({"kind": "acam", "mode": "physical", "sigma": 0.0, "name": "p0"}, base_dir=HERE)
    out0 = phys0.process(small)
    np.testing.assert_array_equal(out0["p0_latent"], ideal)
    assert not out0["p0_dev"].any()
    rep0 = phys0.summary(out0)["physical"]
    assert rep0["events_deviating"] == 0 and rep0["match_stats_this_process"]["false_matches"] == 0


@pytest.mark.slow
def test_physical_mode_counts_deviations(batch):
    small = {"calo_cells": batch["calo_cells"][:100]}
    phys = build_stage({"kind": "acam", "mode": "physical", "sigma": 0.3, "seed": 5, "name": "ph"}, base_dir=HERE)
    out = phys.process(small)
    again = build_stage({"kind": "acam", "mode": "physical", "sigma": 0.3, "seed": 5, "name": "ph"}, base_dir=HERE)
    np.testing.assert_array_equal(again.process(small)["ph_latent"], out["ph_latent"])  # seeded
    rep = phys.summary(out)["physical"]
    stats = rep["match_stats_this_process"]
    assert stats["n_events"] == 100 and stats["false_matches"] + stats["misses"] > 0
    assert rep["events_deviating"] == int((out["ph_dev"] != 0).sum()) > 0
    assert sum(rep["deviations_per_dim"]) == int(np.unpackbits(out["ph_dev"][:, None], axis=1).sum())


@pytest.mark.slow
def test_bare_table_file_and_relative_paths(tmp_path, batch):
    shutil.copy(DEFAULT_BUNDLE_DIR / "acam_table.npz", tmp_path / "t.npz")
    st_ = build_stage({"kind": "acam", "table": "t.npz", "mantissa_bits": 12, "name": "b"}, base_dir=tmp_path)
    ref = build_stage({"kind": "acam"}, base_dir=HERE)
    small = {"calo_cells": batch["calo_cells"][:50]}
    np.testing.assert_array_equal(st_.process(small)["b_latent"], ref.process(small)["acam_latent"])


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"colour": "red"}, "unknown key"),
        ({"mode": "analog"}, "mode"),
        ({"sigma": -1.0}, "sigma"),
        ({"multi_match": "all"}, "multi_match"),
        ({"timing": "guess"}, "timing"),
        ({"preset": "nope"}, "preset"),
        ({"table": "missing_dir"}, "does not exist"),
        ({"overflow": "explode"}, "overflow"),
        ({"mantissa_bits": 16}, "mantissa_bits"),
    ],
)
def test_config_errors_name_the_problem(config, match):
    with pytest.raises(ConfigError, match=match):
        build_stage({"kind": "acam", **config}, base_dir=HERE)


def test_bare_table_needs_the_input_code_and_bad_cells_are_rejected(tmp_path, stage):
    shutil.copy(DEFAULT_BUNDLE_DIR / "acam_table.npz", tmp_path / "t.npz")
    with pytest.raises(ConfigError, match="mantissa_bits"):
        build_stage({"kind": "acam", "table": "t.npz"}, base_dir=tmp_path)
    (tmp_path / "broken.npz").write_bytes(b"nope")
    with pytest.raises(ConfigError, match="cannot load"):
        build_stage({"kind": "acam", "table": "broken.npz", "mantissa_bits": 12}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"\(N, 48\)"):
        stage.process({"calo_cells": np.zeros((3, 47), dtype=np.uint32)})
    with pytest.raises(ConfigError, match="integer"):
        stage.process({"calo_cells": np.zeros((3, 48), dtype=np.float32)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert stage.process({"calo_cells": np.zeros((0, 48), dtype=np.uint32)})["acam_latent"].shape == (0, 4)
