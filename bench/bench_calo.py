"""Calorimeter source, Delphes binning, the acam stage and decompression: events per second.

Side by side, batch 65536:

- synthetic EM showers (:class:`streams.calo.SyntheticCaloSource`), target >= 1 M events/s;
- Delphes tower binning (:func:`streams.calo_delphes.bin_towers`), 20 towers per event;
- the ``acam`` stage on the shipped tabular-VAE table (cell code + ideal ACAM) against
  the anchor, XGBoost ``inplace_predict`` of the shipped BDT on the same codes (1 thread);
- off-detector decoding with onnxruntime.

Each benchmark asserts that its result is right (the plain-Python twins on a slice,
the ACAM equal to XGBoost bit for bit in the library's float order).

    python3 -m pytest bench/bench_calo.py --benchmark-enable     # pytest-benchmark table
    python3 bench/bench_calo.py                                  # events/s and ratios
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np
import pytest

BATCH = 65536
HERE = Path(__file__).resolve().parent


def _calo_source():
    from streams.calo import SyntheticCaloSource

    src = SyntheticCaloSource(BATCH, seed=1, pileup_mean=140.0, signal_fraction=0.05)
    src.make_batch(0, 64)  # warm the JIT
    return src


def _check_source(src, cols) -> None:
    from streams import _calo_kernels as K
    from streams.calo import normal_table

    n = 16
    cells, label, energy = np.zeros((n, 48), np.uint32), np.zeros(n, np.int8), np.zeros(n)
    keys = K.event_key(src.seed, cols["event"][:n])
    K.fill_showers_reference(
        keys, cols["pileup"][:n], src._p, normal_table(), K.phi_table(), src._ltab, cells, label, energy
    )
    np.testing.assert_array_equal(cols["calo_cells"][:n], cells)


def _towers(seed=2, per_event=20):
    rng = np.random.default_rng(seed)
    n = BATCH * per_event
    offsets = np.arange(BATCH + 1, dtype=np.int64) * per_event
    eem, ehad = rng.exponential(3.0, n), rng.exponential(1.0, n)
    return offsets, [rng.uniform(-1.5, 1.5, n), rng.uniform(-math.pi, math.pi, n), eem + ehad, eem, ehad]


def _check_binning(offsets, cols, cells) -> None:
    from streams.calo_delphes import bin_towers_reference

    k = 40
    events = [list(zip(*(c[offsets[i] : offsets[i + 1]] for c in cols), strict=True)) for i in range(k)]
    np.testing.assert_array_equal(bin_towers_reference(events)[0], cells[:k])


def _stage_setup():
    import xgboost as xgb

    from streams.calo import SyntheticCaloSource
    from triggeremu.decompress import load_bundle
    from triggeremu.stages import build_stage

    stage = build_stage({"kind": "acam"}, base_dir=HERE)
    cols = SyntheticCaloSource(BATCH, seed=3).make_batch(0, BATCH)
    stage.process({"calo_cells": cols["calo_cells"][:64]})  # warm
    booster = xgb.Booster()
    booster.load_model(str(load_bundle().path("bdt")))
    booster.set_param({"nthread": 1})
    return stage, cols, booster


def _check_stage(stage, cols, latent, margin) -> None:
    codes = stage.encode(cols["calo_cells"][:2000])
    np.testing.assert_array_equal(stage.table.predict_float_like(codes), margin[:2000])
    np.testing.assert_array_equal(latent[:2000], stage.table.predict_raw(codes))


def _xgb(booster, stage, cells):
    return booster.inplace_predict(stage.encode(cells).astype(np.float32), predict_type="margin")


# ----------------------------------------------------------------- pytest-benchmark
@pytest.fixture(scope="module")
def stage_setup():
    pytest.importorskip("xgboost")
    return _stage_setup()


def test_synthetic_calo_source(benchmark):
    src = _calo_source()
    cols = benchmark(src.make_batch, 0, BATCH)
    _check_source(src, cols)


def test_delphes_binning(benchmark):
    from streams.calo_delphes import bin_towers

    offsets, cols = _towers()
    bin_towers(offsets[:3], *(c[: offsets[2]] for c in cols))
    cells, _ = benchmark(bin_towers, offsets, *cols)
    _check_binning(offsets, cols, cells)


def test_acam_stage(benchmark, stage_setup):
    stage, cols, booster = stage_setup
    out = benchmark(stage.process, cols)
    _check_stage(stage, cols, out["acam_latent"], _xgb(booster, stage, cols["calo_cells"]))


def test_xgboost_anchor(benchmark, stage_setup):
    stage, cols, booster = stage_setup
    margin = benchmark(_xgb, booster, stage, cols["calo_cells"])
    _check_stage(stage, cols, stage.process(cols)["acam_latent"], margin)


def test_decoder_onnxruntime(benchmark, stage_setup):
    from triggeremu import decompress

    stage, cols, _ = stage_setup
    bundle = decompress.load_bundle()
    latent = decompress.latent_to_float(stage.process(cols)["acam_latent"], bundle.latent_type)
    rec = benchmark(decompress.decode, latent, bundle)
    assert rec.shape == (BATCH, 48) and rec.min() >= 0.0


# ----------------------------------------------------------------- plain runner
def _rate(fn, *args, repeat=3) -> float:
    best = math.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - t0)
    return BATCH / best


def main() -> int:
    import numba

    from streams.calo_delphes import bin_towers
    from triggeremu import decompress

    src = _calo_source()
    _check_source(src, src.make_batch(0, BATCH))
    rates = {"calo_source_2threads": _rate(src.make_batch, 0, BATCH)}
    numba.set_num_threads(1)
    rates["calo_source_1thread"] = _rate(src.make_batch, 0, BATCH)
    offsets, cols = _towers()
    _check_binning(offsets, cols, bin_towers(offsets, *cols)[0])
    rates["delphes_binning"] = _rate(bin_towers, offsets, *cols)
    stage, ccols, booster = _stage_setup()
    _check_stage(stage, ccols, stage.process(ccols)["acam_latent"], _xgb(booster, stage, ccols["calo_cells"]))
    rates["acam_stage"] = _rate(stage.process, ccols)
    rates["xgboost_1thread"] = _rate(_xgb, booster, stage, ccols["calo_cells"])
    bundle = decompress.load_bundle()
    latent = decompress.latent_to_float(stage.process(ccols)["acam_latent"], bundle.latent_type)
    rates["decoder_onnxruntime"] = _rate(decompress.decode, latent, bundle)
    for name, r in rates.items():
        print(f"{name:24s} {r / 1e6:8.3f} M events/s")
    print(f"acam stage / xgboost      {rates['acam_stage'] / rates['xgboost_1thread']:8.2f}")
    print(f"calo source / 1 M ev/s    {rates['calo_source_2threads'] / 1e6:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
