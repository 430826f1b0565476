"""Property tests: the fast NN kernels equal the Python-int reference twin.

Random small layers with random fixed-point types (every rounding and overflow
mode, narrow and wide accumulators, latency and resource orders) and random raw
inputs over the full input range; fast == reference, exactly.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_models.fixed import FixedType
from firmware_models.nn import LayerRecord, NNModel
from firmware_models.nn.hls4ml_project import resource_order
from firmware_models.nn.tables import sigmoid_table, tanh_table

ROUND = ["TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_INF", "RND_MIN_INF", "RND_CONV"]
OVER = ["WRAP", "SAT", "SAT_ZERO", "SAT_SYM"]


@st.composite
def fixed_types(draw, min_w=2, max_w=24, modes=True):
    w = draw(st.integers(min_w, max_w))
    i = draw(st.integers(-2, w + 2))
    signed = draw(st.booleans())
    if not modes:
        return FixedType(w, i, signed)
    return FixedType(w, i, signed, draw(st.sampled_from(ROUND)), draw(st.sampled_from(OVER)))


def _raw(draw, t: FixedType, shape):
    return np.array(draw(st.lists(st.integers(t.min_raw, t.max_raw), min_size=int(np.prod(shape)),
                                  max_size=int(np.prod(shape))))).reshape(shape).astype(np.int64)


@st.composite
def dense_models(draw):
    tx = draw(fixed_types(max_w=16))
    tw = draw(fixed_types(max_w=10, modes=False))
    tb = draw(fixed_types(max_w=12, modes=False))
    ta = draw(fixed_types(min_w=4, max_w=40))
    tr = draw(fixed_types(max_w=20))
    n_in, n_out = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    w, b = _raw(draw, tw, (n_in, n_out)), _raw(draw, tb, (n_out,))
    order, strategy, rf = None, "latency", 1
    if draw(st.booleans()):
        from firmware_models.nn.onnx_config import valid_reuse_factors

        rf = draw(st.sampled_from(valid_reuse_factors(n_in, n_out)))
        kernel = "DenseResource_rf_leq_nin" if rf <= n_in else "DenseResource_rf_gt_nin_rem0"
        order, _ = resource_order(kernel, n_in, n_out, rf)
        strategy = "resource"
    dense = LayerRecord("d", "dense", n_in, n_out, {"input": tx, "weight": tw, "bias": tb, "accum": ta,
                                                    "result": tr}, {"weight": w, "bias": b},
                        reuse_factor=rf, strategy=strategy, order=order)
    x = _raw(draw, tx, (draw(st.integers(1, 12)), n_in))
    return NNModel(tx, [dense]), x


@st.composite
def activation_models(draw):
    tx = draw(fixed_types(max_w=20))
    tr = draw(fixed_types(max_w=20))
    n = draw(st.integers(1, 5))
    kind = draw(st.sampled_from(["relu", "leaky_relu", "linear", "sigmoid", "tanh", "batchnorm"]))
    types, params, extra = {"input": tx, "result": tr}, {}, {}
    if kind == "leaky_relu":
        types["param"] = draw(fixed_types(max_w=8, modes=False))
        params["alpha"] = _raw(draw, types["param"], ())
    elif kind in ("sigmoid", "tanh"):
        types["table"] = FixedType(18, 8)
        size = draw(st.sampled_from([64, 256, 1024]))
        params["table"] = (sigmoid_table if kind == "sigmoid" else tanh_table)(size, types["table"])
        extra["table_size"] = size
    elif kind == "batchnorm":
        types["scale"], types["bias"] = draw(fixed_types(max_w=12, modes=False)), draw(fixed_types(max_w=12, modes=False))
        params["scale"], params["bias"] = _raw(draw, types["scale"], (n,)), _raw(draw, types["bias"], (n,))
    layer = LayerRecord("a", kind, n, n, types, params, **extra)
    x = _raw(draw, tx, (draw(st.integers(1, 12)), n))
    return NNModel(tx, [layer]), x


@settings(max_examples=60, deadline=None)
@given(dense_models())
def test_dense_fast_equals_reference(case):
    model, x = case
    fast = model.predict_raw(x)[model.output_name]
    ref = model.predict_raw(x, reference=True)[model.output_name]
    np.testing.assert_array_equal(fast, ref)


@settings(max_examples=60, deadline=None)
@given(activation_models())
def test_activation_fast_equals_reference(case):
    model, x = case
    np.testing.assert_array_equal(model.predict_raw(x)[model.output_name],
                                  model.predict_raw(x, reference=True)[model.output_name])


# --------------------------------------------------------------------------- fused float path
# firmware_models.nn.fused casts raw integers exactly in float32/float64; the twin is
# fixed.exact.convert_exact (ap_fixed assignment on Python ints).

SAT_BITS_OVER = ["WRAP", "SAT", "SAT_ZERO", "SAT_SYM"]


@st.composite
def cast_cases(draw):
    src = draw(fixed_types(min_w=1, max_w=50, modes=False))
    dst = draw(fixed_types(min_w=1, max_w=50))
    if draw(st.integers(0, 4)) == 0:
        dst = dst.with_modes(dst.rounding, dst.overflow, draw(st.integers(0, dst.width)))
    a = draw(st.integers(src.min_raw, src.max_raw))
    b = draw(st.integers(a, src.max_raw))
    n = draw(st.integers(1, 40))
    values = draw(st.lists(st.one_of(st.integers(a, b), st.sampled_from([a, b])), min_size=n, max_size=n))
    return src, dst, (a, b), draw(st.booleans()), values


@settings(max_examples=300, deadline=None)
@given(cast_cases())
def test_fused_cast_step_equals_convert_exact(case):
    """One float cast step (any rounding/overflow, proven-exact bound) == ap_fixed assignment."""
    from hypothesis import assume

    from firmware_models.fixed.exact import convert_exact
    from firmware_models.nn.fused import plan_cast
    from firmware_models.nn.fused_kernels import STEP_COLUMNS, apply_steps

    src, dst, interval, relu, values = case
    step = plan_cast(interval, src.fractional - dst.fractional, dst, relu)
    assume(step is not None and step[2] < 2**53)
    row, (qa, qb), peak = step
    dtype = np.float32 if peak < 2**24 else np.float64
    expected = [convert_exact(max(v, 0) if relu else v, -src.fractional, dst) for v in values]
    buf = np.array(values, dtype=dtype)
    if row is not None:
        apply_steps(buf, np.array([row], dtype=dtype).reshape(1, len(STEP_COLUMNS)))
    got = [int(v) for v in buf]
    assert got == expected
    assert all(qa <= v <= qb for v in got), "the planner's output interval must hold every result"


@st.composite
def chain_models(draw):
    """dense -> relu|linear -> dense [-> relu], narrow types so the fused path applies often."""
    tx = draw(fixed_types(max_w=12))
    layers, t_in, n = [], tx, draw(st.integers(1, 6))
    for k in range(2):
        n_out = draw(st.integers(1, 5))
        tw, tb = draw(fixed_types(max_w=8, modes=False)), draw(fixed_types(max_w=8, modes=False))
        fa = t_in.fractional + tw.fractional + draw(st.integers(0, 3))
        aw = draw(st.integers(4, 26))
        ta = FixedType(aw, aw - fa, True, overflow=draw(st.sampled_from(["WRAP", "WRAP", "SAT"])))
        tr = draw(fixed_types(max_w=16))
        w, b = _raw(draw, tw, (n, n_out)), _raw(draw, tb, (n_out,))
        layers.append(LayerRecord(f"d{k}", "dense", n, n_out, {"input": t_in, "weight": tw, "bias": tb,
                                                               "accum": ta, "result": tr}, {"weight": w, "bias": b}))
        kind = draw(st.sampled_from(["relu", "linear", "none"]))
        t_in, n = tr, n_out
        if kind != "none":
            ta2 = draw(fixed_types(max_w=14))
            layers.append(LayerRecord(f"a{k}", kind, n, n, {"input": t_in, "result": ta2}))
            t_in = ta2
    x = _raw(draw, tx, (draw(st.integers(1, 12)), layers[0].n_in))
    return NNModel(tx, layers), x


@settings(max_examples=80, deadline=None)
@given(chain_models())
def test_fused_chain_equals_reference(case):
    model, x = case
    np.testing.assert_array_equal(model.predict_raw(x)[model.output_name],
                                  model.predict_raw(x, reference=True)[model.output_name])


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32]),
       st.integers(-300, 300), st.integers(0, 600), st.data())
def test_ints_to_float_counts_out_of_range(dtype, lo, span, data):
    from firmware_models.nn.fused_kernels import ints_to_float

    info = np.iinfo(dtype)
    vals = data.draw(st.lists(st.integers(int(info.min), int(info.max)), min_size=1, max_size=30))
    x = np.array(vals, dtype=dtype).reshape(-1, 1)
    for narrow in (False, True):
        out = np.empty(x.shape, dtype=np.float64)
        bad = ints_to_float(x, lo, lo + span, narrow, out)
        assert bad == sum(not lo <= v <= lo + span for v in vals)
        ok = [lo <= v <= lo + span for v in vals]
        np.testing.assert_array_equal(out[ok, 0], np.array(vals, dtype=np.float64)[ok])


def test_dense_shifted_accum_narrower_than_result_keeps_sign():
    """accum_t with more fraction bits than the products and a wider res_t: negative sums stay
    negative (regression: the int path once reduced them modulo 2^(W-up) without the final wrap)."""
    from firmware_models.nn import kernels

    tx, tw = FixedType(8, 8), FixedType(4, 4)
    dense = LayerRecord("d", "dense", 1, 1, {"input": tx, "weight": tw, "bias": tw, "accum": FixedType(20, 18),
                                             "result": FixedType(30, 28)},
                        {"weight": np.array([[1]]), "bias": np.array([0])})
    model = NNModel(tx, [dense])
    x = np.array([[-1], [3], [-128]], dtype=np.int64)
    ref = model.predict_raw(x, reference=True)["d"]
    np.testing.assert_array_equal(model.predict_raw(x)["d"], ref)
    np.testing.assert_array_equal(kernels.run_layer(dense, x), ref)


def test_fused_threads_and_chunks_agree(monkeypatch):
    """Many small chunks on two threads == one chunk on one thread == the reference twin."""
    from pathlib import Path

    from firmware_models.nn import fused, load_hls4ml_project

    case = Path(__file__).resolve().parent / "golden" / "hls4ml" / "axol1tl"
    model = load_hls4ml_project(case)
    assert all(seg.fused for seg in fused.fused_plan(model)), "the AXOL1TL case must take the fused path"
    x = np.load(case / "vectors.npz")["overflow__x"][:203]
    one = model.predict_raw(x, threads=1)[model.output_name]
    monkeypatch.setattr(fused, "CHUNK_ROWS", 16)
    np.testing.assert_array_equal(model.predict_raw(x, threads=2)[model.output_name], one)
    np.testing.assert_array_equal(model.predict_raw(x.astype(np.int16), threads=2)[model.output_name], one)
    np.testing.assert_array_equal(one[:40], model.predict_raw(x[:40], reference=True)[model.output_name])
    np.testing.assert_array_equal(model.predict_raw(x[:0])[model.output_name], one[:0])


def test_fused_path_refuses_out_of_range_inputs():
    from pathlib import Path

    import pytest

    from firmware_models.fixed.quantize import RawRangeError
    from firmware_models.nn import load_hls4ml_project

    model = load_hls4ml_project(Path(__file__).resolve().parent / "golden" / "hls4ml" / "axol1tl")
    x = np.zeros((5000, model.n_inputs), dtype=np.int32)
    x[4321, 7] = 128  # ap_fixed<8,6> raw range is [-128, 127]
    with pytest.raises(RawRangeError, match=r"outside ap_fixed<8,6"):
        model.predict_raw(x, threads=2)


@st.composite
def score_cases(draw):
    mt = draw(fixed_types(min_w=1, max_w=27))
    stype = draw(fixed_types(min_w=1, max_w=40))
    n = draw(st.integers(1, 11))
    start = draw(st.integers(0, n - 1))
    cols = draw(st.sampled_from([None, slice(start, None), slice(0, start + 1)]))
    out = _raw(draw, mt, (draw(st.integers(1, 9)), n))
    return mt, stype, cols, out


@settings(max_examples=150, deadline=None)
@given(score_cases())
def test_sum_mu2_kernel_equals_reference(case):
    """The numba sum mu^2 head == the Python-int twin of scores.sum_mu2_head (any types, tree sizes)."""
    from hypothesis import assume

    from firmware_models.nn import sum_mu2_head
    from firmware_models.nn.score_kernels import sum_mu2_fast

    mt, stype, cols, out = case
    fast = sum_mu2_fast(mt, stype, cols)
    assume(fast is not None)
    np.testing.assert_array_equal(fast(out), sum_mu2_head(mt, stype, columns=cols).compute_reference(out))


def test_sum_mu2_kernel_matches_hls4ml_golden():
    from pathlib import Path

    from firmware_models.nn import load_hls4ml_project
    from firmware_models.nn.score_kernels import sum_mu2_fast

    case = Path(__file__).resolve().parent / "golden" / "hls4ml" / "axol1tl"
    model = load_hls4ml_project(case)
    vec = np.load(case / "vectors.npz")
    fast = sum_mu2_fast(model.layers[-1].types["result"], "ap_ufixed<18,14>")
    for name in ("normal", "overflow"):
        np.testing.assert_array_equal(fast(model.predict_raw(vec[f"{name}__x"])[model.output_name]),
                                      vec[f"{name}__score"])


_ROUND = ["TRN", "TRN_ZERO", "RND", "RND_ZERO", "RND_INF", "RND_MIN_INF", "RND_CONV"]
_OVF = ["WRAP", "SAT", "SAT_ZERO", "SAT_SYM"]


@st.composite
def _scaling_case(draw):
    w_in = draw(st.integers(4, 30))
    t_in = FixedType(w_in, draw(st.integers(1, w_in)), True, draw(st.sampled_from(_ROUND)), draw(st.sampled_from(_OVF)))
    w_out = draw(st.integers(2, 20))
    t_out = FixedType(w_out, draw(st.integers(-2, w_out + 2)), draw(st.booleans()),
                      draw(st.sampled_from(_ROUND)), draw(st.sampled_from(_OVF)))
    m = draw(st.integers(1, 6))
    big = 1 << draw(st.integers(1, 40))
    x = np.array(draw(st.lists(st.integers(-big, big), min_size=3 * m, max_size=3 * m)), dtype=np.int64).reshape(3, m)
    off = np.array(draw(st.lists(st.integers(-big, big), min_size=m, max_size=m)), dtype=np.int64)
    sh = np.array(draw(st.lists(st.integers(0, 12), min_size=m, max_size=m)), dtype=np.int64)
    return x, off, sh, t_in, t_out


@settings(max_examples=150, deadline=None)
@given(_scaling_case())
def test_one_pass_input_scaling_equals_the_three_casts(case):
    from firmware_models.nn.scale_kernels import scale_inputs_fast
    from firmware_models.nn.scores import _scale_inputs_casts

    x, off, sh, t_in, t_out = case
    fast = scale_inputs_fast(x, off, sh, t_in, t_out)
    assert fast is not None
    np.testing.assert_array_equal(fast, _scale_inputs_casts(x, off, sh, t_in, t_out))


@settings(max_examples=60, deadline=None)
@given(_scaling_case(), st.integers(0, 2**32 - 1))
def test_table_path_of_input_scaling_equals_the_three_casts(case, seed):
    """Many rows over few values per feature: the per-feature table + gather path."""
    from firmware_models.nn.scale_kernels import scale_inputs_fast
    from firmware_models.nn.scores import _scale_inputs_casts

    _, off, sh, t_in, t_out = case
    rng = np.random.default_rng(seed)
    m = off.size
    base = rng.integers(-(2**20), 2**20, m)
    x = base + rng.integers(0, 40, (400, m))
    fast = scale_inputs_fast(x, off, sh, t_in, t_out)
    np.testing.assert_array_equal(fast, _scale_inputs_casts(x, off, sh, t_in, t_out))
