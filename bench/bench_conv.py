"""Speed of the bit-exact conv kernels on the Govorkova CNN VAE, side by side with onnxruntime and hls4ml's C++.

The network is the ``cnn_vae_parallel`` golden case (hls4ml 1.3.0, io_parallel): ZeroPadding2D,
BatchNorm, Conv2D 3x3 and (3,1), ReLU, AveragePooling2D, Dense mu/logvar heads; the same
65536 events for every contender, in one process. Run:
``python3 -m pytest bench/bench_conv.py --benchmark-enable``.

- ``test_bitexact_cnn_vae``: ``load_hls4ml_project(CASE).predict_raw`` (the conv, pooling,
  zeropad and per-channel batchnorm kinds on the registry); checked equal to hls4ml's outputs on
  the golden rows.
- ``test_onnxruntime_float32``: onnxruntime on the same network exported to ONNX (float32), one
  intra-op thread and its default.
- ``test_hls4ml_cpp``: the committed firmware compiled with g++ -O3 against hls4ml's nnet_utils and
  ap_types and called per event (needs hls4ml importable or ``HLS4ML_TEMPLATES``; skipped otherwise).
- ``test_ratios_interleaved`` (last): the contenders timed in turn for ROUNDS rounds; prints
  events/s and the ratios, stored in ``extra_info``.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from firmware_models.nn import load_hls4ml_project

ROOT = Path(__file__).resolve().parents[1]

CASE = ROOT / "tests" / "golden" / "hls4ml" / "cnn_vae_parallel"
N = 65536
ROUNDS = 5
_HLS: dict = {}
_MODEL: list = []


def _ours(x: np.ndarray) -> dict:
    if not _MODEL:
        _MODEL.append(load_hls4ml_project(CASE))
    return _MODEL[0].predict_raw(x.reshape(len(x), -1))


@pytest.fixture(scope="module")
def setup():
    with np.load(CASE / "vectors.npz") as v:
        golden = {k: v[k].astype(np.int64) for k in v.files}
    rng = np.random.default_rng(11)
    pool = np.concatenate([golden["normal__x"], golden["overflow__x"]])
    x = np.concatenate([golden["normal__x"], pool[rng.integers(0, len(pool), N - len(golden["normal__x"]))]])
    _ours(x[:64])  # warm numba / parsed project
    return x, golden


def _ort(threads: int):
    ort = pytest.importorskip("onnxruntime")
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.log_severity_level = 3
    return ort.InferenceSession(str(CASE / "model.onnx"), so)


def _check(out: dict, golden: dict) -> None:
    n = len(golden["normal__x"])
    for name in ("mu", "logvar"):
        np.testing.assert_array_equal(out[name][:n], golden[f"normal__{name}"])


def test_bitexact_cnn_vae(benchmark, setup):
    x, golden = setup
    out = benchmark.pedantic(_ours, args=(x,), rounds=3, iterations=1)
    _check(out, golden)


@pytest.mark.parametrize("threads", [1, 0])
def test_onnxruntime_float32(benchmark, setup, threads):
    x, _ = setup
    sess = _ort(threads)
    xf = np.ldexp(x.astype(np.float32), -10).astype(np.float32)
    name = sess.get_inputs()[0].name
    out = benchmark.pedantic(sess.run, args=(None, {name: xf}), rounds=3, iterations=1)
    assert out[0].shape == (N, 8)


def _templates() -> Path | None:
    env = os.environ.get("HLS4ML_TEMPLATES")
    if env:
        return Path(env)
    try:
        import hls4ml
    except ImportError:
        return None
    return Path(hls4ml.__file__).parent / "templates" / "vivado"


_BRIDGE = r"""
#include "firmware/myproject.h"
#include "firmware/nnet_utils/nnet_helpers.h"
namespace nnet {  // the trace hooks the traced project refers to (hls4ml's bridge defines them); tracing off
bool trace_enabled = false;
std::map<std::string, void *> *trace_outputs = NULL;
size_t trace_type_size = sizeof(double);
}
extern "C" void run(const double* x, double* y0, double* y1, int n) {
    for (int e = 0; e < n; e++) {
        IN_T in[BR_IN]; OUT0_T o0[BR_OUT]; OUT1_T o1[BR_OUT];
        nnet::convert_data<double, IN_T, BR_IN>((double*)(x + (long)e * BR_IN), in);
        myproject(in, o0, o1);
        nnet::convert_data<OUT0_T, double, BR_OUT>(o0, y0 + (long)e * BR_OUT);
        nnet::convert_data<OUT1_T, double, BR_OUT>(o1, y1 + (long)e * BR_OUT);
    }
}
"""


def test_hls4ml_cpp(benchmark, setup, tmp_path):
    tpl = _templates()
    if tpl is None or shutil.which("g++") is None:
        pytest.skip("hls4ml C++ emulation needs hls4ml importable (or HLS4ML_TEMPLATES) and g++")
    x, golden = setup
    prj = tmp_path / "prj"
    shutil.copytree(CASE, prj)
    shutil.copytree(tpl / "nnet_utils", prj / "firmware" / "nnet_utils", dirs_exist_ok=True)
    shutil.copy(CASE / "firmware" / "nnet_code_gen.h", prj / "firmware" / "nnet_utils" / "nnet_code_gen.h")
    shutil.copytree(tpl / "ap_types", prj / "firmware" / "ap_types")
    (prj / "bridge.cpp").write_text(_BRIDGE)
    top = (prj / "firmware" / "myproject.cpp").read_text()
    for tname, size, var in re.findall(r"load_weights_from_txt<(\w+), (\d+)>\((\w+),", top):
        (prj / "firmware" / "weights" / f"{var}.h").write_text(f"#pragma once\n{tname} {var}[{size}];\n")
    sig = re.search(r"void myproject\(\s*(\w+) \w+\[[^\]]+\],\s*(\w+) \w+\[8\], (\w+) \w+\[8\]", top)
    so = prj / "lib.so"
    flags = ["g++", "-O3", "-fPIC", "-std=c++17", "-shared", f"-I{prj / 'firmware' / 'ap_types'}", f"-I{prj}",
             f"-I{prj / 'firmware'}", f'-DWEIGHTS_DIR="{prj / "firmware" / "weights"}"', "-DBR_IN=57", "-DBR_OUT=8",
             f"-DIN_T={sig.group(1)}", f"-DOUT0_T={sig.group(2)}", f"-DOUT1_T={sig.group(3)}",
             str(prj / "firmware" / "myproject.cpp"), str(prj / "bridge.cpp"), "-o", str(so)]
    subprocess.run(flags, check=True)
    lib = ctypes.CDLL(str(so))
    xd = np.ascontiguousarray(np.ldexp(x.astype(np.float64), -10))
    n_sub = 2048  # a slice of the golden rows; events/s scale linearly
    y0, y1 = np.zeros((n_sub, 8)), np.zeros((n_sub, 8))

    def run():
        lib.run(xd[:n_sub].ctypes.data_as(ctypes.c_void_p), y0.ctypes.data_as(ctypes.c_void_p),
                y1.ctypes.data_as(ctypes.c_void_p), n_sub)

    benchmark.pedantic(run, rounds=3, iterations=1)
    t0 = time.perf_counter()
    run()
    _HLS["per_event_s"] = (time.perf_counter() - t0) / n_sub
    np.testing.assert_array_equal(np.ldexp(y0[:2000], 10).astype(np.int64), golden["normal__mu"])


def test_ratios_interleaved(benchmark, setup, capsys):
    x, golden = setup
    sess1, sess0 = _ort(1), _ort(0)
    xf = np.ldexp(x.astype(np.float32), -10).astype(np.float32)
    name = sess1.get_inputs()[0].name
    contenders = {"bitexact": lambda: _ours(x), "ort_1thread": lambda: sess1.run(None, {name: xf}),
                  "ort_default": lambda: sess0.run(None, {name: xf})}
    times: dict[str, list] = {k: [] for k in contenders}
    for _ in range(ROUNDS):
        for k, fn in contenders.items():
            t0 = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t0)
    best = {k: min(v) for k, v in times.items()}
    info = {f"{k}_events_per_s": N / v for k, v in best.items()}
    info["ratio_vs_ort_1thread"] = best["ort_1thread"] / best["bitexact"]
    info["ratio_vs_ort_default"] = best["ort_default"] / best["bitexact"]
    if "per_event_s" in _HLS:
        info["ratio_vs_hls4ml_cpp"] = _HLS["per_event_s"] * N / best["bitexact"]
    benchmark.extra_info.update(info)
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    with capsys.disabled():
        print("\n[bench_conv] " + ", ".join(f"{k}={v:.4g}" for k, v in info.items()))
    _check(_ours(x[:2000]), golden)
