"""Speed of the bit-exact NN encoder, side by side with onnxruntime and hls4ml's C++ emulation.

Same network (the AXOL1TL-like 57-32-16-8 golden case) and the same 65536 events
for every contender, in one process. Run:
``python3 -m pytest bench/bench_nn.py --benchmark-enable``.

- ``test_bitexact_encoder``: ``load_hls4ml_project(...).predict_raw`` (checked equal
  to the Python-int reference twin on a subset and to the hls4ml golden outputs).
- ``test_onnxruntime_float32``: onnxruntime on the equivalent ONNX, float32.
- ``test_hls4ml_cpp``: the committed firmware compiled as hls_model.compile() does
  (g++ -O3 with hls4ml's nnet_utils and ap_types) and called per event through a
  double bridge; needs hls4ml importable, or ``HLS4ML_TEMPLATES`` pointing at
  ``hls4ml/templates/vivado``; skipped with a message otherwise.
Ratios: compare the mean times of the three in the pytest-benchmark table.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from firmware_models.nn import load_hls4ml_project

CASE = Path(__file__).resolve().parents[1] / "tests" / "golden" / "hls4ml" / "axol1tl"
N = 65536


@pytest.fixture(scope="module")
def setup():
    model = load_hls4ml_project(CASE)
    rng = np.random.default_rng(7)
    t = model.input_type
    x = rng.integers(t.min_raw, t.max_raw + 1, size=(N, model.n_inputs)).astype(np.int64)
    model.predict_raw(x[:16])  # warm numba / plans
    return model, x


def test_bitexact_encoder(benchmark, setup):
    model, x = setup
    out = benchmark(model.predict_raw, x)[model.output_name]
    ref = model.predict_raw(x[:64], reference=True)[model.output_name]
    np.testing.assert_array_equal(out[:64], ref)
    vec = np.load(CASE / "vectors.npz")
    np.testing.assert_array_equal(model.predict_raw(vec["normal__x"])[model.output_name], vec["normal___4"])


def test_onnxruntime_float32(benchmark, setup):
    ort = pytest.importorskip("onnxruntime")
    model, x = setup
    sess = ort.InferenceSession(str(CASE / "model.onnx"), providers=["CPUExecutionProvider"])
    xf = np.ldexp(x.astype(np.float64), -model.input_type.fractional).astype(np.float32)
    y = benchmark(sess.run, None, {sess.get_inputs()[0].name: xf})[0]
    assert y.shape == (N, 8) and np.isfinite(y).all()


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
extern "C" void run(const double* x, double* y, int n) {
    for (int e = 0; e < n; e++) {
        input_t in[BR_IN]; result_t out[BR_OUT];
        nnet::convert_data<double, input_t, BR_IN>((double*)(x + (long)e * BR_IN), in);
        myproject(in, out);
        nnet::convert_data<result_t, double, BR_OUT>(out, y + (long)e * BR_OUT);
    }
}
"""


def test_hls4ml_cpp(benchmark, setup, tmp_path):
    tpl = _templates()
    if tpl is None or shutil.which("g++") is None:
        pytest.skip("hls4ml C++ emulation needs hls4ml importable (or HLS4ML_TEMPLATES) and g++")
    model, x = setup
    prj = tmp_path / "prj"
    shutil.copytree(CASE, prj)
    shutil.copytree(tpl / "nnet_utils", prj / "firmware" / "nnet_utils")
    shutil.copytree(tpl / "ap_types", prj / "firmware" / "ap_types")
    (prj / "bridge.cpp").write_text(_BRIDGE)
    # weights/*.h are not committed (the .txt are): declare the arrays as hls4ml does outside synthesis
    top = (prj / "firmware" / "myproject.cpp").read_text()
    for tname, size, var in re.findall(r"load_weights_from_txt<(\w+), (\d+)>\((\w+),", top):
        (prj / "firmware" / "weights" / f"{var}.h").write_text(f"#pragma once\n{tname} {var}[{size}];\n")
    so = prj / "lib.so"
    flags = ["g++", "-O3", "-fPIC", "-std=c++17", "-shared", f"-I{prj / 'firmware' / 'ap_types'}", f"-I{prj}",
             f"-I{prj / 'firmware'}", f'-DWEIGHTS_DIR="{prj / "firmware" / "weights"}"', f"-DBR_IN={model.n_inputs}",
             "-DBR_OUT=8", str(prj / "firmware" / "myproject.cpp"), str(prj / "bridge.cpp"), "-o", str(so)]
    subprocess.run(flags, check=True)
    lib = ctypes.CDLL(str(so))
    xd = np.ascontiguousarray(np.ldexp(x.astype(np.float64), -model.input_type.fractional))
    n_sub = 8192  # a slice; events/s scale linearly
    y = np.zeros((n_sub, 8))

    def run():
        lib.run(xd[:n_sub].ctypes.data_as(ctypes.c_void_p), y.ctypes.data_as(ctypes.c_void_p), n_sub)
        return y

    benchmark.pedantic(run, rounds=3, iterations=1)
    f_out = model.layers[-1].types["result"].fractional
    np.testing.assert_array_equal(np.ldexp(y, f_out).astype(np.int64), model.predict_raw(x[:n_sub])[model.output_name])
