"""Fixed-point conversion throughput and the ``ad`` stage's events/s, with their anchors.

Side by side on the same data (batch 65536 events; 57 inputs):

- ``quantize`` (double -> ap_fixed<16,6,AP_RND_CONV,AP_SAT>, the numba kernel) vs the
  NumPy float expression of the same rounding for this one mode
  (``clip(rint(x * 2**10))`` -- round-half-even, saturate), the anchor;
- ``cast`` (ap_fixed<24,12> -> ap_fixed<16,6,AP_RND_CONV,AP_SAT>) vs NumPy integer
  shifts (``clip`` of ``(raw + bias) >> 6`` with a half-even correction), the anchor;
- the ``ad`` stage on the shipped model (AXOL1TL scaling + bit-exact encoder + sum of
  mu^2) vs onnxruntime float32 on the same ONNX (inputs already scaled).

Each benchmark asserts its result is right (kernels == the exact Python-int path on a
slice; the stage == the NNModel's slow reference twin on a slice).

    python3 -m pytest bench/bench_fixed.py --benchmark-enable
    python3 bench/bench_fixed.py            # events/s and ratios
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pytest

from firmware_models.fixed import FixedType, cast, quantize
from firmware_models.fixed.exact import convert_exact, split_double

BATCH = 65536
N_INPUTS = 57
Q_TYPE = FixedType.parse("ap_fixed<16,6,AP_RND_CONV,AP_SAT>")
SRC_TYPE = FixedType.parse("ap_fixed<24,12>")


def _doubles(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, 12.0, size=(BATCH, N_INPUTS))


def _raws(seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).integers(SRC_TYPE.min_raw, SRC_TYPE.max_raw + 1, size=(BATCH, N_INPUTS))


def numpy_quantize_anchor(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x * 1024.0), Q_TYPE.min_raw, Q_TYPE.max_raw).astype(np.int64)


def numpy_cast_anchor(raw: np.ndarray) -> np.ndarray:
    shift = SRC_TYPE.fractional - Q_TYPE.fractional
    floor = raw >> shift
    rem = raw & ((1 << shift) - 1)
    half = 1 << (shift - 1)
    up = (rem > half) | ((rem == half) & (floor & 1 == 1))
    return np.clip(floor + up, Q_TYPE.min_raw, Q_TYPE.max_raw)


def _check_quantize(x: np.ndarray, q: np.ndarray) -> None:
    flat_x, flat_q = x.reshape(-1)[:2000], q.reshape(-1)[:2000]
    assert [convert_exact(*split_double(float(v)), Q_TYPE) for v in flat_x] == flat_q.tolist()


def _check_cast(raw: np.ndarray, q: np.ndarray) -> None:
    flat_r, flat_q = raw.reshape(-1)[:2000], q.reshape(-1)[:2000]
    assert [convert_exact(int(v), -SRC_TYPE.fractional, Q_TYPE) for v in flat_r] == flat_q.tolist()


def test_quantize(benchmark) -> None:
    x = _doubles()
    quantize(x[:4], Q_TYPE)
    q = benchmark(quantize, x, Q_TYPE)
    _check_quantize(x, q)
    np.testing.assert_array_equal(q, numpy_quantize_anchor(x))


def test_quantize_numpy_anchor(benchmark) -> None:
    x = _doubles()
    q = benchmark(numpy_quantize_anchor, x)
    _check_quantize(x, q)


def test_cast(benchmark) -> None:
    raw = _raws()
    cast(raw[:4], SRC_TYPE, Q_TYPE)
    q = benchmark(cast, raw, SRC_TYPE, Q_TYPE)
    _check_cast(raw, q)
    np.testing.assert_array_equal(q, numpy_cast_anchor(raw))


def test_cast_numpy_anchor(benchmark) -> None:
    raw = _raws()
    q = benchmark(numpy_cast_anchor, raw)
    _check_cast(raw, q)


def _ad_setup():
    from streams.synthetic import generate_l1_batch
    from triggeremu.stages.nn import DEFAULT_MODEL_DIR, make

    if not (DEFAULT_MODEL_DIR / "config.json").is_file():
        pytest.skip("shipped AD model absent")
    stage = make({"kind": "nn", "name": "ad"}, base_dir=DEFAULT_MODEL_DIR)
    l1, _ = generate_l1_batch(0, BATCH, seed=21)
    stage.process({"l1_inputs": l1[:16]})
    return stage, l1


def test_ad_stage(benchmark) -> None:
    stage, l1 = _ad_setup()
    out = benchmark(stage.process, {"l1_inputs": l1})
    ref = stage.ad.model.predict_raw(stage.ad.scaled_inputs(l1[:300]), reference=True)
    np.testing.assert_array_equal(out["ad_score"][:300], ref["score"])


def test_ad_onnxruntime_float32_anchor(benchmark) -> None:
    ort = pytest.importorskip("onnxruntime")
    stage, l1 = _ad_setup()
    x = (stage.ad.scaled_inputs(l1) * float(stage.ad.model.input_type.lsb)).astype(np.float32)
    sess = ort.InferenceSession(str(stage.ad.path), providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    mu = benchmark(lambda: sess.run(None, {name: x})[0])
    fixed = stage.ad.model.predict_raw(stage.ad.scaled_inputs(l1[:1000]))[stage.ad.mu_name]
    lsb = float(stage.ad.model.output_types[stage.ad.mu_name].lsb)
    assert np.abs(fixed * lsb - mu[:1000]).max() < 0.5


def _rate(func, *args, repeat: int = 5) -> float:
    func(*args)
    best = min(_timed(func, *args) for _ in range(repeat))
    return BATCH / best


def _timed(func, *args) -> float:
    t0 = time.perf_counter()
    func(*args)
    return time.perf_counter() - t0


def main() -> int:
    x, raw = _doubles(), _raws()
    rows = [
        ("quantize (numba)", _rate(quantize, x, Q_TYPE), "numpy rint+clip", _rate(numpy_quantize_anchor, x)),
        ("cast (numba)", _rate(cast, raw, SRC_TYPE, Q_TYPE), "numpy shifts+clip", _rate(numpy_cast_anchor, raw)),
    ]
    stage, l1 = _ad_setup()
    import onnxruntime as ort

    xs = (stage.ad.scaled_inputs(l1) * float(stage.ad.model.input_type.lsb)).astype(np.float32)
    sess = ort.InferenceSession(str(stage.ad.path), providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    rows.append(("ad stage (bit-exact)", _rate(stage.process, {"l1_inputs": l1}),
                 "onnxruntime float32", _rate(lambda: sess.run(None, {name: xs}))))
    for what, r, anchor, ra in rows:
        print(f"{what:24s} {r:14,.0f} ev/s   {anchor:20s} {ra:14,.0f} ev/s   ratio {r / ra:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
