"""Speed of the bit-exact activations and softmax, beside NumPy's float softmax on the same values.

Batch 65536 events, one process. Contenders: our softmax (latency, stable, legacy,
argmax; ``firmware_models.nn.softmax``) on (65536, 5) raw ``ap_fixed<16,6>`` inputs, and
the element-wise sigmoid / ELU / leaky ReLU on (65536, 32); anchors: the float64 NumPy
softmax ``exp(x - max) / sum`` of the same values (the cheapest float formula) and the
Python-int twin (per event, timed on 512 events and scaled). Every benchmarked result is
checked against the twin first. Run: ``python3 -m pytest bench/bench_nn_activations.py --benchmark-enable``.
``test_ratios`` prints events/s and the ratios to the NumPy anchor (min of ROUNDS interleaved rounds).
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from firmware_models.fixed import to_float
from firmware_models.nn import softmax as sm
from firmware_models.nn import softmax_ref as smref
from firmware_models.nn import table_activations as tact
from firmware_models.nn import activations as act
from firmware_models.nn.softmax_tables import softmax_tables
from firmware_models.nn.tables import elu_table, sigmoid_table

N = 65536
ROUNDS = 15
IN_T = "ap_fixed<16,6>"
SM = "ap_fixed<18,8,AP_RND,AP_SAT>"


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    x5 = rng.integers(-(2**15), 2**15, size=(N, 5))
    x32 = rng.integers(-(2**15), 2**15, size=(N, 32))
    runs = {}
    for impl in ("latency", "stable", "legacy", "argmax"):
        et, it = softmax_tables("hls4ml-1.2", impl, in_t=IN_T, inv_inp_t=SM, inp_norm_t="ap_ufixed<15,5>")
        kw = dict(implementation=impl, in_t=IN_T, res_t="ap_ufixed<16,0,AP_RND,AP_SAT>", exp_table=et, inv_table=it,
                  accum_t=SM, inv_inp_t=SM, inp_norm_t="ap_ufixed<15,5>")
        np.testing.assert_array_equal(sm.softmax(x5[:64], **kw), smref.softmax(x5[:64], **kw))
        runs[f"softmax_{impl}"] = (lambda kw=kw: sm.softmax(x5, **kw))
    st, et = sigmoid_table(1024, "ap_fixed<18,8>"), elu_table(1024, "ap_fixed<18,8>")
    runs["sigmoid_32"] = lambda: tact.sigmoid(x32, table=st, in_t=IN_T, res_t="ap_fixed<16,6>")
    runs["elu_32"] = lambda: tact.elu(x32, 3, table=et, in_t=IN_T, alpha_t="ap_fixed<8,2>", res_t="ap_fixed<16,6>")
    runs["leaky_relu_32"] = lambda: act.leaky_relu(x32, 77, in_t=IN_T, alpha_t="ap_fixed<8,0>", res_t="ap_fixed<16,6>")
    xf = to_float(x5, IN_T)

    def numpy_float():
        e = np.exp(xf - xf.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    return runs, numpy_float, x5


@pytest.mark.parametrize("name", ["softmax_latency", "softmax_stable", "softmax_legacy", "softmax_argmax",
                                  "sigmoid_32", "elu_32", "leaky_relu_32"])
def test_fast(benchmark, data, name):
    runs, _, _ = data
    out = benchmark(runs[name])
    assert out.shape[0] == N


def test_numpy_float_softmax(benchmark, data):
    _, numpy_float, _ = data
    out = benchmark(numpy_float)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)


def _best(fn, rounds):
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def test_ratios(benchmark, data, capsys):
    runs, numpy_float, x5 = data
    anchor = _best(numpy_float, ROUNDS)
    et, it = softmax_tables("hls4ml-1.2", "stable", in_t=IN_T, inv_inp_t=SM, inp_norm_t="ap_ufixed<15,5>")
    t0 = time.perf_counter()
    smref.softmax(x5[:512], implementation="stable", in_t=IN_T, res_t="ap_ufixed<16,0,AP_RND,AP_SAT>", exp_table=et,
                  inv_table=it, accum_t=SM, inv_inp_t=SM, inp_norm_t="ap_ufixed<15,5>")
    twin = (time.perf_counter() - t0) * N / 512
    info = {"numpy_float_softmax_s": anchor, "twin_stable_s_scaled": twin}
    lines = [f"numpy float softmax (65536, 5): {anchor * 1e3:.2f} ms ({N / anchor:.3g} events/s)",
             f"Python-int twin (stable, scaled): {twin:.2f} s"]
    for name, fn in runs.items():
        best = _best(fn, ROUNDS)
        info[f"{name}_s"] = best
        vs_twin = f", {twin / best:.0f}x the stable twin" if name == "softmax_stable" else ""
        lines.append(f"{name}: {best * 1e3:.2f} ms, {N / best:.3g} events/s, {anchor / best:.3f}x the numpy float "
                     f"softmax{vs_twin}")
    benchmark.extra_info.update(info)
    benchmark(lambda: None)
    with capsys.disabled():
        print("\n" + "\n".join(lines))
