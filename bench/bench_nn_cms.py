"""Speed of real CMS networks (AXOL1TL v4 and v5 as shipped), side by side with onnxruntime and the upstream C++.

Same network and the same 65536 events for every contender, in one process. Run:
``python3 -m pytest bench/bench_nn_cms.py --benchmark-enable -s``. The folders are read
from ``../shared/models/cms-hls4ml`` (skipped when absent).

- ``exact``: ``load_hls4ml_project(<folder>/NN).predict_raw`` on 1 thread, checked against
  the committed golden vectors of the upstream emulator (``tests/golden/cms``) and against
  the Python-int reference twin on a slice of the benchmark batch;
- ``ort``: onnxruntime float32 on the same network (an ONNX graph written from the loaded
  graph: Gemm with the firmware's weights as floats, Relu, Sub, Mul + ReduceSum for dot1d),
  default threads and 1 thread;
- ``cpp -O3``: the upstream network compiled with g++ -O3 against hls4ml 1.3.0's ap_types
  (``scripts/cms_golden_harness.py``, the helper the golden vectors come with), its top
  function in a loop; needs g++ and the ap_types (installed hls4ml, or ``HLS4ML_AP_TYPES``
  = the ap_types folder or the hls4ml wheel). Without them the events/s recorded in the
  golden manifest (same machine class) are shown instead, labelled as such.

``test_ratios_interleaved`` times the contenders in turn for ROUNDS rounds and prints
events/s and the ratios exact / ort and exact / cpp (wall min; process-CPU min for the
single-threaded ones).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from firmware_models.nn import load_hls4ml_project

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "cms"
FOLDERS = ("AXOL1TL_v4", "AXOL1TL_v5")
N = 65536
ROUNDS = 15


def _models() -> Path | None:
    env = os.environ.get("TRIGGEREMU_CMS_MODELS")
    if env:
        return Path(env) if Path(env).is_dir() else None
    for base in ROOT.parents:
        if (base / "shared" / "models" / "cms-hls4ml").is_dir():
            return base / "shared" / "models" / "cms-hls4ml"
    return None


def onnx_of(model) -> bytes:
    """The loaded network as a float32 ONNX graph (weights as the firmware's values)."""
    from onnx import TensorProto, helper, numpy_helper

    def val(raw, t):
        return (np.asarray(raw, dtype=np.float64) * 2.0 ** -t.fractional).astype(np.float32)

    nodes, inits = [], []
    for n in model.layers:
        if n.kind == "dense":
            inits += [numpy_helper.from_array(val(n.params["weight"], n.types["weight"]), n.name + "_w"),
                      numpy_helper.from_array(val(n.params["bias"], n.types["bias"]), n.name + "_b")]
            nodes.append(helper.make_node("Gemm", [n.inputs[0], n.name + "_w", n.name + "_b"], [n.output]))
        elif n.kind in ("relu", "linear"):
            nodes.append(helper.make_node("Relu" if n.kind == "relu" else "Identity", [n.inputs[0]], [n.output]))
        elif n.kind == "subtract":
            nodes.append(helper.make_node("Sub", list(n.inputs), [n.output]))
        elif n.kind == "dot":
            inits.append(numpy_helper.from_array(np.array([1], dtype=np.int64), n.name + "_axis"))
            nodes += [helper.make_node("Mul", list(n.inputs), [n.output + "_prod"]),
                      helper.make_node("ReduceSum", [n.output + "_prod", n.name + "_axis"], [n.output], keepdims=1)]
        else:
            pytest.skip(f"no ONNX form of kind {n.kind} in this bench")
    g = model.graph
    ins = [helper.make_tensor_value_info(p.arg, TensorProto.FLOAT, ["N", p.size]) for p in g.inputs]
    outs = [helper.make_tensor_value_info(p.arg, TensorProto.FLOAT, ["N", p.size]) for p in g.outputs]
    m = helper.make_model(helper.make_graph(nodes, "net", ins, outs, inits),
                          opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m.SerializeToString()


def _session(model, threads: int):
    ort = pytest.importorskip("onnxruntime")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    if threads:
        opts.inter_op_num_threads = threads
    return ort.InferenceSession(onnx_of(model), opts, providers=["CPUExecutionProvider"])


def _cpp(folder: str):
    """(events/s function, label) of the upstream network at -O3, or (None, recorded figure label)."""
    info = json.loads((GOLDEN / "MANIFEST.json").read_text())["folders"][folder]
    recorded = info["throughput_O3"]["network"]["events_per_s"]
    if shutil.which("g++") is None:
        return None, recorded
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import cms_golden_harness as H

        built = H.build(folder, models_dir=_models(), ap_types=os.environ.get("HLS4ML_AP_TYPES"))
    except Exception as exc:  # the harness says why (no ap_types, no compiler): show the recorded figure
        print(f"\n{folder}: upstream C++ not built here ({exc}); using the recorded -O3 figure")
        return None, recorded
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return (lambda x: H.bench(built, x, level="network", repeats=3)), recorded


@pytest.fixture(scope="module", params=FOLDERS)
def case(request):
    models = _models()
    if models is None or not (GOLDEN / "MANIFEST.json").is_file():
        pytest.skip("../shared/models/cms-hls4ml or tests/golden/cms absent")
    folder = request.param
    model = load_hls4ml_project(models / folder / "NN")
    p = model.input_ports[0]
    rng = np.random.default_rng(11)
    x = rng.integers(p.type.min_raw, p.type.max_raw + 1, size=(N, p.size)).astype(np.int64)
    model.predict_raw(x[:64])   # JIT and plans
    return folder, model, x


def _check_exact(folder, model, x, out) -> None:
    """Benchmarked outputs == the reference twin on a slice; the golden sets == the upstream emulator."""
    ref = model.predict_raw(x[:48], reference=True)
    for k, v in ref.items():
        np.testing.assert_array_equal(out[k][:48], v)
    info = json.loads((GOLDEN / "MANIFEST.json").read_text())["folders"][folder]
    vec = np.load(GOLDEN / info["npz"]["file"])
    p_in, p_out = model.input_ports[0], model.output_ports[0]
    got = model.predict_raw(vec[f"network_uniform__{p_in.arg}"])[p_out.name]
    np.testing.assert_array_equal(got, vec[f"network_uniform__{p_out.arg}"].astype(np.int64))


def test_exact(benchmark, case):
    folder, model, x = case
    out = benchmark(model.predict_raw, x, threads=1)
    _check_exact(folder, model, x, out)


@pytest.mark.parametrize("threads", [0, 1])
def test_onnxruntime_float32(benchmark, case, threads):
    _, model, x = case
    sess = _session(model, threads)
    p = model.input_ports[0]
    xf = np.ldexp(x.astype(np.float64), -p.type.fractional).astype(np.float32)
    y = benchmark(sess.run, None, {p.arg: xf})[0]
    assert y.shape == (N, model.output_ports[0].size) and np.isfinite(y).all()


def _timed(fn, wall: list, cpu: list) -> None:
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    wall.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)


def test_ratios_interleaved(benchmark, case, capsys):
    folder, model, x = case
    p = model.input_ports[0]
    xf = np.ldexp(x.astype(np.float64), -p.type.fractional).astype(np.float32)
    ort0, ort1 = _session(model, 0), _session(model, 1)
    runs = {"exact 1 thread": lambda: model.predict_raw(x, threads=1),
            "ort default threads": lambda: ort0.run(None, {p.arg: xf}),
            "ort 1 thread": lambda: ort1.run(None, {p.arg: xf})}
    wall = {k: [] for k in runs}
    cpu = {k: [] for k in runs}
    for _ in range(ROUNDS):
        for k, fn in runs.items():
            _timed(fn, wall[k], cpu[k])
    cpp, recorded = _cpp(folder)
    cpp_eps = cpp(x[:8192]) if cpp is not None else None
    out = benchmark.pedantic(model.predict_raw, args=(x,), rounds=1, iterations=1)
    _check_exact(folder, model, x, out)
    lines = []
    for stat, table in (("wall min", {k: min(v) for k, v in wall.items()}),
                        ("cpu min", {k: min(v) for k, v in cpu.items()})):
        ex = table["exact 1 thread"]
        anchor = cpp_eps if cpp_eps is not None else recorded
        row = {"exact_events_per_s": N / ex, "vs_ort_default": table["ort default threads"] / ex,
               "vs_ort_1thread": table["ort 1 thread"] / ex, "vs_cpp_O3": (N / ex) / anchor}
        benchmark.extra_info[f"{folder} {stat}"] = row
        lines.append(f"{folder:12s} {stat:9s} exact {row['exact_events_per_s']:12.0f} ev/s   "
                     f"/ort dflt {row['vs_ort_default']:6.3f}   /ort 1thr {row['vs_ort_1thread']:6.3f}   "
                     f"/C++ -O3 {row['vs_cpp_O3']:8.1f}")
    src = "measured here" if cpp_eps is not None else "recorded in tests/golden/cms/MANIFEST.json"
    lines.append(f"{folder:12s} upstream C++ -O3 network: {(cpp_eps or recorded):.0f} events/s ({src})")
    with capsys.disabled():
        print(f"\n{folder}, batch {N}, {ROUNDS} interleaved rounds:\n" + "\n".join(lines))
    assert all(np.isfinite(r["exact_events_per_s"]) for r in benchmark.extra_info.values())
