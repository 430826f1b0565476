"""Speed of the bit-exact NN encoder, side by side with onnxruntime and hls4ml's C++ emulation.

Same network (the AXOL1TL-like 57-32-16-8 golden case, optionally + the sum mu^2 score)
and the same 65536 events for every contender, in one process. Run:
``python3 -m pytest bench/bench_nn.py --benchmark-enable``.

- ``test_bitexact_encoder[threads]``: ``load_hls4ml_project(...).predict_raw`` on 1 and 2
  worker threads (checked equal to the Python-int reference twin on a subset and to the
  hls4ml golden outputs); ``test_bitexact_encoder_with_score`` adds the AXOL1TL score head
  (:func:`firmware_models.nn.score_kernels.sum_mu2_fast`, checked against the golden scores).
- ``test_onnxruntime_float32[threads]``: onnxruntime on the equivalent ONNX, float32, with
  its default threads (0) and with ``intra_op_num_threads=1``.
- ``test_hls4ml_cpp``: the committed firmware compiled as hls_model.compile() does
  (g++ -O3 with hls4ml's nnet_utils and ap_types) and called per event through a
  double bridge; needs hls4ml importable, or ``HLS4ML_TEMPLATES`` pointing at
  ``hls4ml/templates/vivado``; skipped with a message otherwise.
- ``test_ratios_interleaved`` (last): the contenders timed in turn for ROUNDS rounds, so a
  busy machine slows them alike; prints events/s and the ratios to onnxruntime (default and
  1 thread) and to hls4ml (per-event time of ``test_hls4ml_cpp``), by wall-time min and
  median and by process-CPU min (load-robust for the 1-thread contenders), and stores them
  in the benchmark's ``extra_info``. The NumPy score head (``scores.sum_mu2_head``) is
  timed too, beside the numba kernel.
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

from firmware_models.nn import ScoreHead, load_hls4ml_project, sum_mu2_head
from firmware_models.nn.score_kernels import sum_mu2_fast

CASE = Path(__file__).resolve().parents[1] / "tests" / "golden" / "hls4ml" / "axol1tl"
N = 65536
ROUNDS = 40
#: per-event seconds of the hls4ml C++ emulation, filled by test_hls4ml_cpp for the summary
_HLS = {}


@pytest.fixture(scope="module")
def setup():
    model = load_hls4ml_project(CASE)
    rng = np.random.default_rng(7)
    t = model.input_type
    x = rng.integers(t.min_raw, t.max_raw + 1, size=(N, model.n_inputs)).astype(np.int64)
    model.predict_raw(x[:16])  # warm numba / plans
    mu_t = model.layers[-1].types["result"]
    head = sum_mu2_head(mu_t, "ap_ufixed<18,14>")  # NumPy form; the numba kernel below is its fast twin
    fast = ScoreHead(head.name, head.type, sum_mu2_fast(mu_t, head.type), head.compute_reference)
    scored = load_hls4ml_project(CASE).add_score(fast)
    scored.predict_raw(x[:16])
    numpy_scored = load_hls4ml_project(CASE).add_score(head)
    return model, scored, x, numpy_scored


def _ort_session(threads: int):
    ort = pytest.importorskip("onnxruntime")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    if threads:
        opts.inter_op_num_threads = threads
    return ort.InferenceSession(str(CASE / "model.onnx"), opts, providers=["CPUExecutionProvider"])


def _float_inputs(model, x):
    return np.ldexp(x.astype(np.float64), -model.input_type.fractional).astype(np.float32)


def _check_exact(model, x, out):
    """Benchmarked outputs (dict) == the Python-int twin on 64 events; golden vectors == hls4ml."""
    ref = model.predict_raw(x[:64], reference=True)
    for key, val in ref.items():
        np.testing.assert_array_equal(out[key][:64], val)
    vec = np.load(CASE / "vectors.npz")
    got = model.predict_raw(vec["normal__x"])
    np.testing.assert_array_equal(got[model.output_name], vec["normal___4"])
    if "score" in got:
        np.testing.assert_array_equal(got["score"], vec["normal__score"])


@pytest.mark.parametrize("threads", [1, 2])
def test_bitexact_encoder(benchmark, setup, threads):
    model, _, x, _ = setup
    out = benchmark(model.predict_raw, x, threads=threads)
    _check_exact(model, x, out)


def test_bitexact_encoder_with_score(benchmark, setup):
    _, scored, x, _ = setup
    out = benchmark(scored.predict_raw, x)
    assert out["score"].shape == (N,)
    _check_exact(scored, x, out)


@pytest.mark.parametrize("threads", [0, 1])
def test_onnxruntime_float32(benchmark, setup, threads):
    model, _, x, _ = setup
    sess = _ort_session(threads)
    xf = _float_inputs(model, x)
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
    model, _, x, _ = setup
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
    if benchmark.stats is not None:  # None under --benchmark-disable
        _HLS["per_event_s"] = benchmark.stats.stats.min / n_sub
    f_out = model.layers[-1].types["result"].fractional
    np.testing.assert_array_equal(np.ldexp(y, f_out).astype(np.int64), model.predict_raw(x[:n_sub])[model.output_name])


def _timed(fn, wall: list, cpu: list) -> None:
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    wall.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)


def test_ratios_interleaved(benchmark, setup, capsys):
    """Events/s and ratios, the contenders timed in turn for ROUNDS rounds.

    ``wall min`` / ``wall median`` over the rounds; ``cpu min`` (process CPU time) is the
    load-robust figure for the single-threaded contenders (for threaded ones it sums threads).
    """
    model, scored, x, numpy_scored = setup
    ort0, ort1 = _ort_session(0), _ort_session(1)
    xf = _float_inputs(model, x)
    name = ort0.get_inputs()[0].name
    runs = {
        "exact 1 thread": lambda: model.predict_raw(x, threads=1),
        "exact 2 threads": lambda: model.predict_raw(x, threads=2),
        "exact+score 1 thread": lambda: scored.predict_raw(x, threads=1),
        "exact+numpy score 1 thr": lambda: numpy_scored.predict_raw(x, threads=1),
        "ort default threads": lambda: ort0.run(None, {name: xf}),
        "ort 1 thread": lambda: ort1.run(None, {name: xf}),
    }
    wall = {k: [] for k in runs}
    cpu = {k: [] for k in runs}
    for _ in range(ROUNDS):
        for k, fn in runs.items():
            _timed(fn, wall[k], cpu[k])
    out = benchmark.pedantic(scored.predict_raw, args=(x,), rounds=1, iterations=1)
    _check_exact(scored, x, out)
    np.testing.assert_array_equal(numpy_scored.predict_raw(x[:4096])["score"], out["score"][:4096])
    stats = {"wall min": {k: min(v) for k, v in wall.items()},
             "wall median": {k: float(np.median(v)) for k, v in wall.items()},
             "cpu min": {k: min(v) for k, v in cpu.items()}}
    lines = [f"{'':24s} {'stat':12s} {'events/s':>12s} {'/ort dflt':>9s} {'/ort 1thr':>9s} {'/hls4ml':>8s}"]
    for stat, t in stats.items():
        for k in runs:
            hls = _HLS["per_event_s"] * N / t[k] if _HLS else float("nan")
            row = {"events_per_s": N / t[k], "vs_ort_default": t["ort default threads"] / t[k],
                   "vs_ort_1thread": t["ort 1 thread"] / t[k], "vs_hls4ml_cpp": hls}
            benchmark.extra_info[f"{stat}: {k}"] = row
            lines.append(f"{k:24s} {stat:12s} {row['events_per_s']:12.0f} {row['vs_ort_default']:9.3f} "
                         f"{row['vs_ort_1thread']:9.3f} {hls:8.1f}")
    if _HLS:
        lines.append(f"hls4ml C++ emulation: {1 / _HLS['per_event_s']:.0f} events/s (min of its rounds)")
    with capsys.disabled():
        print(f"\nNN encoder, batch {N} (AXOL1TL 57-32-16-8), {ROUNDS} interleaved rounds:")
        print("\n".join(lines))
    assert all(np.isfinite(r["events_per_s"]) for r in benchmark.extra_info.values())
