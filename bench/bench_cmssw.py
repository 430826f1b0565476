"""Speed of the CMSSW wrapper models (AXOL1TL_vN/ as CMSSW runs them) against the upstream C++.

Per AXOL1TL folder of ../shared/models/cms-hls4ml whose network loads, on 65536 events built
as CMSSW's AXOL1TLCondition builds them (:func:`firmware_models.nn.cmssw_l1.axol1tl_condition_inputs`
from random hardware codes, the first rows the golden physics inputs), in one process:

- ``test_wrapper[v]``: ``load_wrapper(folder).predict_raw`` -- scaling, network, score
  (checked equal to the g++-compiled wrapper's ``read_result`` on the golden rows);
- ``test_network_only[v]``: the network alone on the scaled inputs (what the wrapper adds is the
  difference);
- ``test_scaling_only[v]``: the wrapper's input scaling kernel;
- ``test_ratios[v]``: events/s of the wrapper model and its ratio to the anchor, the upstream
  wrapper compiled with g++ -O3 (``prepare_input + predict + read_result`` per event, single
  thread), whose events/s ``scripts/make_cms_golden.py`` measured on this machine and recorded
  in ``tests/golden/cms/MANIFEST.json`` (``throughput_O3.wrapper``).

Run: ``python3 -m pytest bench/bench_cmssw.py --benchmark-enable`` (``TRIGGEREMU_SHARED`` names
another shared/ folder).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

from firmware_models.errors import ModelError
from firmware_models.nn.cmssw_l1 import axol1tl_condition_inputs
from firmware_models.nn.cmssw_wrapper import load_wrapper

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TRIGGEREMU_SHARED", ROOT.parent / "shared"))
CMS = SHARED / "models" / "cms-hls4ml"
GOLDEN = ROOT / "tests" / "golden" / "cms"
N = 65536
FOLDERS = ("AXOL1TL_v1", "AXOL1TL_v3", "AXOL1TL_v4", "AXOL1TL_v5", "AXOL1TL_v6")


def _codes(rng: np.random.Generator, n: int) -> np.ndarray:
    codes = np.zeros((n, 57), dtype=np.int32)
    present = rng.random((n, 19)) < np.r_[1.0, [0.5] * 4, [0.3] * 4, [0.6] * 10]
    codes[:, 0::3] = rng.exponential(40, size=(n, 19)).astype(np.int32).clip(0, 2047) * present
    codes[:, 1::3] = rng.integers(-110, 110, size=(n, 19)) * present
    codes[:, 2::3] = rng.integers(0, 144, size=(n, 19)) * present
    codes[:, 1] = 0
    return codes


@pytest.fixture(scope="module", params=FOLDERS)
def case(request):
    folder = CMS / request.param
    if not folder.is_dir():
        pytest.skip(f"{folder} absent")
    try:
        model = load_wrapper(folder)
    except ModelError as err:
        pytest.skip(f"{request.param}: network not loadable ({str(err)[:100]})")
    manifest = GOLDEN / "MANIFEST.json"
    entry = json.loads(manifest.read_text())["folders"].get(request.param) if manifest.is_file() else None
    x = axol1tl_condition_inputs(_codes(np.random.default_rng(11), N))
    golden = None
    if entry is not None:
        with np.load(GOLDEN / entry["npz"]["file"]) as z:
            gx = z["physics__input"].astype(np.int64)
            golden = (len(gx), z["physics__result_second"].astype(np.int64).reshape(-1))
        x[: len(gx)] = gx
    model.predict_raw(x[:64])  # warm the kernels
    return request.param, model, x, golden, entry


def _check(model, x, golden) -> None:
    out = model.predict_raw(x)
    if golden is not None:
        n, score = golden
        np.testing.assert_array_equal(out["score"][:n], score)


def test_wrapper(benchmark, case) -> None:
    name, model, x, golden, _ = case
    _check(model, x, golden)
    benchmark.extra_info["folder"] = name
    benchmark(model.predict_raw, x)


def test_network_only(benchmark, case) -> None:
    _, model, x, _, _ = case
    scaled = model.scale(x)
    benchmark(model.network.predict_raw, scaled)


def test_scaling_only(benchmark, case) -> None:
    _, model, x, _, _ = case
    np.testing.assert_array_equal(model.scale(x[:500]), model.scale(x[:500], reference=True))
    benchmark(model.scale, x)


def test_ratios(benchmark, case) -> None:
    name, model, x, golden, entry = case
    _check(model, x, golden)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        model.predict_raw(x)
        times.append(time.perf_counter() - t0)
    eps = N / min(times)
    info = {"folder": name, "wrapper_events_per_s": round(eps)}
    if entry is not None:
        anchor = float(entry["throughput_O3"]["wrapper"]["events_per_s"])
        info.update({"upstream_O3_events_per_s": anchor, "ratio_vs_upstream_O3": round(eps / anchor, 1)})
    benchmark.extra_info.update(info)
    print(f"\n{name}: {info}")
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
