"""ACAM ideal-mode throughput vs XGBoost ``inplace_predict`` and scikit-learn ``predict``.

Same models and inputs side by side: 4 ensembles (one per latent dimension) of 100
trees, depth 6 (XGBoost) / 5 (sklearn), on 48 features, 16-bit codes, batch
65536. Each benchmark asserts its result is right (ACAM float-like output == the
library's prediction, ACAM raw == the plain row scan
:func:`firmware_models.acam.reference.scan_reference` on a slice). With one numba
thread the ACAM runs the ``parallel=False`` heap-walk kernel
(:mod:`firmware_models.acam._walk_kernels`), compared with XGBoost ``nthread=1``.
Target (issue 3): ACAM >= XGBoost ``inplace_predict`` events/s. Measured on the
shared 2-core AMD EPYC (loaded): 1 thread 1.7x, 2 threads 1.9x; sklearn 5.6x
(before the heap layout: 0.74x / 0.84x).

    python3 -m pytest bench/bench_acam.py --benchmark-enable          # pytest-benchmark table
    python3 bench/bench_acam.py                                       # events/s and ratios
    PYTHONPATH=. /work/venvs/h3a/bin/python bench/bench_acam.py --conifer   # conifer C++ rate (venv)
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pytest

N_FEATURES = 48
N_DIMS = 4
N_TREES = 100
N_BITS = 16
BATCH = 65536


def _data(seed=0, n=4000):
    rng = np.random.default_rng(seed)
    x = rng.gamma(2.0, 3000.0, size=(n, N_FEATURES)).clip(0, (1 << N_BITS) - 1).astype(np.int64)
    w = rng.normal(size=(N_FEATURES, N_DIMS)) / 3000.0
    y = np.tanh(x @ w) + 0.1 * np.sin(x[:, :N_DIMS] / 2000.0)
    return x, y


def _inputs(seed=1):
    rng = np.random.default_rng(seed)
    return rng.gamma(2.0, 3000.0, size=(BATCH, N_FEATURES)).clip(0, (1 << N_BITS) - 1).astype(np.int64)


def _xgb_models():
    import xgboost as xgb

    x, y = _data()
    return [
        xgb.train({"max_depth": 6, "eta": 0.1, "nthread": 2, "seed": d}, xgb.DMatrix(x.astype(np.float32), label=y[:, d]), N_TREES)
        for d in range(N_DIMS)
    ]


def _sk_models():
    from sklearn.ensemble import GradientBoostingRegressor

    x, y = _data()
    return [GradientBoostingRegressor(n_estimators=N_TREES, max_depth=5, random_state=d).fit(x, y[:, d]) for d in range(N_DIMS)]


def _acam_all(tables, x):
    return [t.predict_raw(x) for t in tables]


@pytest.fixture(scope="module")
def setup_xgb():
    from firmware_models import acam
    from firmware_models.acam import _kernels

    boosters = _xgb_models()
    tables = [acam.from_xgboost(b, n_bits=N_BITS, leaf_type="ap_fixed<24,8>") for b in boosters]
    x = _inputs()
    for t in tables:
        t.predict_raw(x[:64])  # warm the JIT and the compiled walk
    yield boosters, tables, x, _kernels
    _kernels.set_threads(None)


@pytest.fixture(scope="module")
def setup_sk():
    from firmware_models import acam

    models = _sk_models()
    tables = [acam.from_sklearn(m, n_bits=N_BITS, leaf_type="ap_fixed<24,8>") for m in models]
    x = _inputs()
    for t in tables:
        t.predict_raw(x[:64])
    yield models, tables, x
    from firmware_models.acam import _kernels

    _kernels.set_threads(None)


def _check_acam(tables, x, out, refs, n_scan=64):
    from firmware_models.acam.evaluate import cast_to_type
    from firmware_models.acam.reference import scan_reference

    for t, raw, ref in zip(tables, out, refs):
        np.testing.assert_array_equal(t.predict_float_like(x), ref)
        acc, _, _ = scan_reference(t, x[:n_scan])
        np.testing.assert_array_equal(raw[:n_scan], cast_to_type(acc + t.base_raw, t.leaf_type))
        assert raw.shape == (x.shape[0], 1)


@pytest.mark.parametrize("threads", [1, 2])
def test_acam_ideal_vs_xgboost(benchmark, setup_xgb, threads):
    boosters, tables, x, K = setup_xgb
    K.set_threads(threads)
    benchmark.group = "acam-vs-xgboost"
    out = benchmark.pedantic(_acam_all, args=(tables, x), rounds=3, iterations=1)
    refs = [b.inplace_predict(x.astype(np.float32), predict_type="margin") for b in boosters]
    _check_acam(tables, x, out, refs)


@pytest.mark.parametrize("nthread", [1, 2])
def test_xgboost_inplace_predict(benchmark, setup_xgb, nthread):
    boosters, tables, x, _ = setup_xgb
    xf = x.astype(np.float32)
    for b in boosters:
        b.set_param({"nthread": nthread})
    benchmark.group = "acam-vs-xgboost"
    out = benchmark.pedantic(lambda: [b.inplace_predict(xf, predict_type="margin") for b in boosters], rounds=3, iterations=1)
    np.testing.assert_array_equal(out[0][:2000], tables[0].predict_float_like(x[:2000]))


@pytest.mark.parametrize("threads", [1, 2])
def test_acam_ideal_vs_sklearn(benchmark, setup_sk, threads):
    from firmware_models.acam import _kernels as K

    models, tables, x = setup_sk
    K.set_threads(threads)  # sklearn's predict runs on one thread: compare with threads=1
    benchmark.group = "acam-vs-sklearn"
    out = benchmark.pedantic(_acam_all, args=(tables, x), rounds=3, iterations=1)
    _check_acam(tables, x, out, [m.predict(x) for m in models])


def test_sklearn_predict(benchmark, setup_sk):
    models, tables, x = setup_sk
    benchmark.group = "acam-vs-sklearn"
    out = benchmark.pedantic(lambda: [m.predict(x) for m in models], rounds=3, iterations=1)
    np.testing.assert_array_equal(out[0], tables[0].predict_float_like(x))


def _best(fn, rounds=5) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _report() -> None:
    from firmware_models import acam
    from firmware_models.acam import _kernels as K

    x = _inputs()
    xf = x.astype(np.float32)
    boosters = _xgb_models()
    tables = [acam.from_xgboost(b, n_bits=N_BITS, leaf_type="ap_fixed<24,8>") for b in boosters]
    for t in tables:
        t.predict_raw(x[:64])
    rates = {}
    for th in (1, 2):
        K.set_threads(th)
        rates[f"acam_xgb_t{th}"] = BATCH / _best(lambda: _acam_all(tables, x))
        for b in boosters:
            b.set_param({"nthread": th})
        rates[f"xgboost_t{th}"] = BATCH / _best(lambda: [b.inplace_predict(xf, predict_type="margin") for b in boosters])
    _check_acam(tables, x, _acam_all(tables, x), [b.inplace_predict(xf, predict_type="margin") for b in boosters])
    models = _sk_models()
    sk_tables = [acam.from_sklearn(m, n_bits=N_BITS, leaf_type="ap_fixed<24,8>") for m in models]
    for t in sk_tables:
        t.predict_raw(x[:64])
    K.set_threads(1)  # scikit-learn's GradientBoosting predict runs on one thread
    rates["acam_sk"] = BATCH / _best(lambda: _acam_all(sk_tables, x))
    rates["sklearn"] = BATCH / _best(lambda: [m.predict(x) for m in models])
    K.set_threads(None)
    _check_acam(sk_tables, x, _acam_all(sk_tables, x), [m.predict(x) for m in models])
    for k, v in rates.items():
        print(f"{k:16s} {v / 1e6:8.3f} M events/s")
    print(f"ACAM/XGBoost 1 thread: {rates['acam_xgb_t1'] / rates['xgboost_t1']:.2f}x, 2 threads: "
          f"{rates['acam_xgb_t2'] / rates['xgboost_t2']:.2f}x; ACAM/sklearn: {rates['acam_sk'] / rates['sklearn']:.2f}x")  # fmt: skip


def _conifer_rate(n=2000) -> None:
    """conifer's C++ emulation on the same XGBoost models (run in the venv that has conifer)."""
    import os
    import tempfile

    import conifer
    import hls4ml
    import nlohmann_json

    os.environ.setdefault("XILINX_AP_INCLUDE", os.path.join(os.path.dirname(hls4ml.__file__), "templates/vivado/ap_types"))
    os.environ["CPLUS_INCLUDE_PATH"] = os.path.join(os.path.dirname(nlohmann_json.__file__), "include")
    boosters = _xgb_models()
    x = _inputs()[:n].astype(np.float64)
    with tempfile.TemporaryDirectory() as tmp:
        total = 0.0
        for d, b in enumerate(boosters):
            cfg = conifer.backends.cpp.auto_config()
            cfg.update({"OutputDir": f"{tmp}/p{d}", "ProjectName": f"p{d}", "Precision": "ap_fixed<24,17>"})
            m = conifer.converters.convert_from_xgboost(b, cfg)
            m.compile()
            total += _best(lambda m=m: m.decision_function(x), rounds=2)
    print(f"conifer cpp       {n / total / 1e6:8.4f} M events/s (4 models, {n} events)")


if __name__ == "__main__":
    if "--conifer" in sys.argv:
        _conifer_rate()
    else:
        _report()
