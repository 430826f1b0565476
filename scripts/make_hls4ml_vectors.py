"""Make golden vectors for the NN encoder with the real hls4ml C++ emulation.

Optional extras (not needed by the test suite; install them in a venv):
``pip install hls4ml==1.3.0 torch==2.13.0 onnx`` and a ``g++`` on PATH; the
ONNX-frontend cases (``frontend="onnx"``/``"qonnx"``) also need ``qonnx==0.4.0``, the
Keras case ``keras==3.15.1`` (run with its torch backend: no TensorFlow).

For every case of ``tests/golden/hls4ml/cases.json`` the script builds a small model --
a torch Sequential (hls4ml's PyTorch frontend), the same exported to ONNX, a hand-built
QONNX graph with Quant nodes (hls4ml's ONNX frontend, after qonnx's cleanup), or a
Keras 3 Sequential -- converts it with hls4ml 1.3.0 under the case's options (backend
Vivado/Vitis, io_parallel/io_stream, project name and namespace, output-dir layout,
WriteWeightsTxt, Strategy/ReuseFactor, per-layer Precision, TableSize, ``table_t``), compiles hls4ml's own C++ emulation
(``hls_model.compile()``) and runs ``hls_model.predict`` with float64 inputs
through the double bridge. Inputs are drawn as raw integers of the input type,
so the doubles are exact; outputs are turned back into raw integers (times
2^F, checked integral). It records, under ``tests/golden/hls4ml/<case>/``:

- ``vectors.npz``: ``<set>__x`` (raw inputs) and ``<set>__<output>`` (raw
  outputs) for the sets ``normal`` and ``overflow`` (raw inputs over the full
  range of the input type, so accumulators wrap and results saturate);
- ``[<layout>/]firmware/``: the generated ``defines.h``, ``parameters.h``,
  ``<project>.h/.cpp`` and ``weights/*.txt`` (or ``weights/*.h`` when the case
  turns WriteWeightsTxt off) -- what loader 1 reads; no .so, no build dirs;
- ``model.onnx`` + ``config.json``: the same network as ONNX with the hls4ml
  configuration that was used, keyed by ONNX node names (loader 2); none for Keras.

The AXOL1TL-like case also runs a small C++ harness (``_harness.cpp`` below,
compiled with the project's own ap_types and nnet_utils) that does what the
AXOL1TL firmware does around the hls4ml network: scale hardware integers with
``(x - offset) >> shift`` in ap_fixed<18,13> into the input type, and compute the
anomaly score sum(mu^2) in ap_ufixed<18,14> with ``nnet::reduce``
(cms-hls4ml/AXOL1TL ``AXOL1TL_v3/GTADModel_emulator_v3.cpp`` _scaleNNInputs and
_computeLoss). The KL case computes a KL-divergence score in the harness with
the same ap_fixed library. These harness formulas are ours (written to follow
the AXOL1TL firmware); the arithmetic is the real ap_fixed library's.

``manifest.json`` lists tool versions, each case's types and the sha256 of every
committed file. Run: ``python scripts/make_hls4ml_vectors.py [--out DIR]``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["main"]

N_NORMAL = 2000
N_OVERFLOW = 2000
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "golden" / "hls4ml"


def _need(name: str):
    try:
        return __import__(name)
    except ImportError as exc:  # pragma: no cover - only without the extras
        msg = f"{name} is needed to make golden vectors: pip install hls4ml==1.3.0 torch==2.13.0 onnx qonnx==0.4.0"
        raise SystemExit(msg) from exc


# ----------------------------------------------------------------------------- models


def _seq(torch, spec, seed, names=None):
    """A torch Sequential from a compact spec, with non-trivial BN statistics (``names``: child names)."""
    torch.manual_seed(seed)
    layers = []
    for item in spec:
        kind, *args = item
        if kind == "dense":
            layers.append(torch.nn.Linear(*args))
        elif kind == "bn":
            bn = torch.nn.BatchNorm1d(args[0])
            with torch.no_grad():
                bn.running_mean.uniform_(-0.5, 0.5)
                bn.running_var.uniform_(0.3, 2.0)
                bn.weight.uniform_(0.5, 1.5)
                bn.bias.uniform_(-0.5, 0.5)
            layers.append(bn)
        elif kind == "relu":
            layers.append(torch.nn.ReLU())
        elif kind == "leaky":
            layers.append(torch.nn.LeakyReLU(args[0]))
        elif kind == "sigmoid":
            layers.append(torch.nn.Sigmoid())
        elif kind == "tanh":
            layers.append(torch.nn.Tanh())
        else:
            msg = f"unknown spec item {item!r}"
            raise ValueError(msg)
    if names:
        from collections import OrderedDict

        model = torch.nn.Sequential(OrderedDict(zip(names, layers)))
    else:
        model = torch.nn.Sequential(*layers)
    with torch.no_grad():
        for mod in model:
            if isinstance(mod, torch.nn.Linear):
                mod.weight.mul_(2.0)
                mod.bias.uniform_(-0.5, 0.5)
    return model.eval()


def _qonnx_graph(onnx, spec, seed):
    """A QONNX graph from a compact spec: ("quant", bits, frac, signed, rounding) on the running
    tensor, ("dense", n_out, w_bits, w_frac) (MatMul with Quant'ed weights + Add of a float bias), ("relu",)."""
    h, nh = onnx.helper, onnx.numpy_helper
    rng = np.random.default_rng(seed)
    inits = [nh.from_array(np.float32(0.0), "zero")]
    nodes, cur, width = [], "x", spec[0][1]

    def const(name, value):
        inits.append(nh.from_array(np.asarray(value, dtype=np.float32), name))
        return name

    def quant(src, bits, frac, signed, rounding):
        out = f"{src}_q{len(nodes)}"
        nodes.append(h.make_node("Quant", [src, const(f"{out}_s", 2.0**-frac), "zero", const(f"{out}_b", float(bits))],
                                 [out], name=f"quant{len(nodes)}", domain="qonnx.custom_op.general",
                                 signed=int(signed), narrow=0, rounding_mode=rounding))
        return out

    for item in spec[1:]:
        kind, *args = item
        k = len(nodes)
        if kind == "quant":
            cur = quant(cur, *args)
        elif kind == "dense":
            n_out, w_bits, w_frac = args
            w = quant(const(f"w{k}", rng.normal(0, 0.5, (width, n_out))), w_bits, w_frac, True, "ROUND")
            nodes.append(h.make_node("MatMul", [cur, w], [f"mm{k}"], name=f"matmul{k}"))
            nodes.append(h.make_node("Add", [f"mm{k}", const(f"b{k}", rng.normal(0, 0.3, n_out))], [f"add{k}"],
                                     name=f"add{k}"))
            cur, width = f"add{k}", n_out
        elif kind == "relu":
            nodes.append(h.make_node("Relu", [cur], [f"relu{k}"], name=f"relu{k}"))
            cur = f"relu{k}"
        else:
            msg = f"unknown QONNX spec item {item!r}"
            raise ValueError(msg)
    graph = h.make_graph(nodes, "qnet", [h.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, spec[0][1]])],
                         [h.make_tensor_value_info(cur, onnx.TensorProto.FLOAT, [1, width])], inits)
    return h.make_model(graph, opset_imports=[h.make_opsetid("", 13), h.make_opsetid("qonnx.custom_op.general", 1)])


def _onnx_frontend_model(name: str, case: dict, torch, work: Path):
    """What hls4ml's ONNX frontend reads: a torch export ("onnx") or a QONNX graph ("qonnx"), cleaned by qonnx."""
    onnx = _need("onnx")
    try:
        from qonnx.core.modelwrapper import ModelWrapper
        from qonnx.transformation.channels_last import ConvertToChannelsLastAndClean
        from qonnx.transformation.gemm_to_matmul import GemmToMatMul
        from qonnx.util.cleanup import cleanup_model
    except ImportError as exc:  # pragma: no cover - only without the extras
        msg = "the ONNX-frontend cases need qonnx: pip install qonnx==0.4.0"
        raise SystemExit(msg) from exc
    seed = sum(map(ord, name))
    if case["frontend"] == "onnx":
        raw = work / f"{name}_torch.onnx"
        torch.onnx.export(_seq(torch, case["spec"], seed=seed), torch.zeros(1, case["spec"][0][1]), str(raw),
                          dynamo=False, input_names=["x"], output_names=["y"])
        model = ModelWrapper(str(raw))
    else:
        model = ModelWrapper(_qonnx_graph(onnx, case["spec"], seed))
    model = cleanup_model(model).transform(ConvertToChannelsLastAndClean()).transform(GemmToMatMul())
    return cleanup_model(model)


def _keras_seq(spec, seed, names):
    """A Keras 3 Sequential (torch backend, no TensorFlow) from a compact spec; ("dense", n_in, n_out, act)
    gives hls4ml a Dense plus an activation layer '<name>_<act>', ("linear",) an Activation('linear')."""
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = _need("keras")
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    layers = [keras.Input((spec[0][1],), name="inp")]
    for (kind, *args), name in zip(spec, names):
        if kind == "dense":
            layers.append(keras.layers.Dense(args[1], activation=args[2] if len(args) > 2 else None, name=name))
        elif kind == "bn":
            layers.append(keras.layers.BatchNormalization(name=name))
        elif kind == "leaky":
            layers.append(keras.layers.LeakyReLU(negative_slope=args[0], name=name))
        else:
            layers.append(keras.layers.Activation(kind, name=name))
    model = keras.Sequential(layers)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            n = layer.get_weights()[0].shape[0]
            layer.set_weights([rng.uniform(0.5, 1.5, n), rng.uniform(-0.5, 0.5, n), rng.uniform(-0.5, 0.5, n),
                               rng.uniform(0.3, 2.0, n)])
    return model


#: The cases, as data: tests/golden/hls4ml/cases.json (its "about" says what the keys mean). Spec items
#: become tuples; "layers" keys that are digits become spec indices (PyTorch/Keras), others stay layer names.
CASES_FILE = DEFAULT_OUT / "cases.json"


def _load_cases(path: Path = CASES_FILE) -> dict:
    cases = json.loads(path.read_text())["cases"]
    for case in cases.values():
        case["spec"] = [tuple(item) for item in case["spec"]]
        case["layers"] = {int(k) if k.isdigit() else k: v for k, v in case.get("layers", {}).items()}
    return cases


CASES = _load_cases()


# ----------------------------------------------------------------------------- helpers


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _parse_type(text: str):
    """(width, integer, signed) from an hls4ml type string, enough for drawing inputs."""
    body = text.split("<", 1)[1].rstrip(">")
    parts = [p.strip() for p in body.split(",")]
    return int(parts[0]), int(parts[1]), not text.strip().startswith(("ap_ufixed", "ufixed"))


def _raw_range(text: str):
    w, i, signed = _parse_type(text)
    return (-(1 << (w - 1)), (1 << (w - 1)) - 1, w - i) if signed else (0, (1 << w) - 1, w - i)


def _to_raw(y: np.ndarray, frac: int, what: str) -> np.ndarray:
    scaled = np.ldexp(np.asarray(y, dtype=np.float64), frac)
    raw = np.rint(scaled)
    if not np.array_equal(raw, scaled):
        msg = f"{what}: hls4ml output is not an integer multiple of 2^-{frac}"
        raise RuntimeError(msg)
    return raw.astype(np.int64)


def _torch_name_to_onnx(onnx_model) -> dict[str, str]:
    """Map hls4ml's torch layer names ('_3', or a named child 'enc_fc1') to ONNX node names ('/3/Gemm')."""
    out = {}
    for node in onnx_model.graph.node:
        parts = node.name.split("/")
        if len(parts) == 3 and parts[1]:
            out[f"_{parts[1]}" if parts[1].isdigit() else parts[1]] = node.name
    return out


# ----------------------------------------------------------------------------- C++ harness

_HARNESS = r"""
// Harness around the hls4ml project: AXOL1TL-style input scaling and score heads.
#include <cstdio>
#include <cstdint>
#include <cmath>
#include <vector>
#include "myproject.h"
#include "nnet_utils/nnet_common.h"

typedef ap_fixed<18,13> unscaled_t;

template <class T> long long raw_of(T v) { return llround(ldexp(v.to_double(), T::width - T::iwidth)); }

int main(int argc, char** argv) {
    FILE* fi = fopen(argv[1], "rb"); FILE* fo = fopen(argv[2], "wb");
    int n, nin, nout; fread(&n, 4, 1, fi); fread(&nin, 4, 1, fi); fread(&nout, 4, 1, fi);
    std::vector<int> off(nin), sh(nin); fread(off.data(), 4, nin, fi); fread(sh.data(), 4, nin, fi);
    for (int e = 0; e < n; e++) {
        input_t x[HN_IN]; OUT_T y[HN_OUT];
#ifdef SCALED_INPUTS
        for (int i = 0; i < nin; i++) {
            int hw; fread(&hw, 4, 1, fi);
            unscaled_t u = hw;
            unscaled_t tmp0 = u - (unscaled_t)off[i];
            input_t tmp1 = tmp0 >> sh[i];
            x[i] = tmp1;
        }
#else
        for (int i = 0; i < nin; i++) { long long r; fread(&r, 8, 1, fi); x[i].range() = r; }
#endif
        myproject(x, y);
        long long rec[HN_IN + HN_OUT + 1];
        for (int i = 0; i < nin; i++) rec[i] = raw_of(x[i]);
        for (int i = 0; i < HN_OUT; i++) rec[nin + i] = raw_of(y[i]);
#if defined(SCORE_SUM_MU2)
        score_t sq[HN_OUT];
        for (int i = 0; i < HN_OUT; i++) sq[i] = y[i] * y[i];
        nnet::Op_add<score_t> op;
        score_t s = nnet::reduce<score_t, HN_OUT, nnet::Op_add<score_t>>(sq, op);
        rec[nin + HN_OUT] = raw_of(s);
#elif defined(SCORE_KL)
        static bool init = false; static kl_table_t table[KL_N];
        if (!init) {
            for (int ii = 0; ii < KL_N; ii++) {
                float in_val = 2 * 8.0 * (ii - float(KL_N) / 2.0) / float(KL_N);
                kl_table_t v = (float)std::exp(in_val);
                table[ii] = v;
            }
            init = true;
        }
        kl_accum_t terms[KL_L];
        for (int i = 0; i < KL_L; i++) {
            kl_square_t sq = y[i] * y[i];
            OUT_T lv = y[KL_L + i];
            int data_round = lv * KL_N / 16;
            int index = data_round + 8 * KL_N / 16;
            if (index < 0) index = 0;
            if (index > KL_N - 1) index = KL_N - 1;
            kl_accum_t t = sq + table[index] - lv - ap_uint<1>(1);
            terms[i] = t;
        }
        nnet::Op_add<kl_accum_t> op;
        kl_accum_t s = nnet::reduce<kl_accum_t, KL_L, nnet::Op_add<kl_accum_t>>(terms, op);
        score_t r = s * ap_ufixed<1,0>(0.5);
        rec[nin + HN_OUT] = raw_of(r);
#else
        rec[nin + HN_OUT] = 0;
#endif
        fwrite(rec, 8, nin + HN_OUT + 1, fo);
    }
    fclose(fi); fclose(fo);
    return 0;
}
"""


def _run_harness(prj: Path, case: dict, n_in: int, n_out: int, out_type: str, payload: dict) -> np.ndarray:
    """Compile the harness against the project and run it; returns (n, n_in + n_out + 1) int64."""
    fw = prj / "firmware"
    src = prj / "_harness.cpp"
    src.write_text(_HARNESS)
    score = case.get("score") or {}
    defines = [f"-DHN_IN={n_in}", f"-DHN_OUT={n_out}", "-DOUT_T=result_t"]
    if payload["scaled"]:
        defines.append("-DSCALED_INPUTS")
    if score.get("kind") == "sum_mu2":
        defines += ["-DSCORE_SUM_MU2", f"-Dscore_t={score['type']}"]
    elif score.get("kind") == "kl":
        defines += ["-DSCORE_KL", f"-Dscore_t={score['type']}", f"-Dkl_table_t={score['table']}",
                    f"-Dkl_square_t={score['square']}", f"-Dkl_accum_t={score['accum']}",
                    f"-DKL_N={score['table_size']}", f"-DKL_L={score['latent']}"]
    exe = prj / "_harness"
    cmd = ["g++", "-O2", "-std=c++17", *defines, f'-DWEIGHTS_DIR="{fw / "weights"}"',
           f"-I{fw}", f"-I{fw / 'ap_types'}", str(src), str(fw / "myproject.cpp"), "-o", str(exe)]
    subprocess.run(cmd, check=True)
    n = payload["n"]
    blob = [np.array([n, n_in, payload["nin_file"]], dtype=np.int32).tobytes(),
            np.asarray(payload["offsets"], dtype=np.int32).tobytes(),
            np.asarray(payload["shifts"], dtype=np.int32).tobytes(), payload["data"].tobytes()]
    fin, fout = prj / "_in.bin", prj / "_out.bin"
    fin.write_bytes(b"".join(blob))
    subprocess.run([str(exe), str(fin), str(fout)], check=True)
    return np.fromfile(fout, dtype=np.int64).reshape(n, n_in + n_out + 1)


# ----------------------------------------------------------------------------- one case


def _layer_cfg(cfg: dict, lname: str, over: dict) -> None:
    entry = cfg["LayerName"].setdefault(lname, {})
    prec = entry.setdefault("Precision", {})
    for key in ("weight", "bias", "accum", "result", "table", "param", "scale"):
        if key in over:
            prec[key] = over[key]
    if "table_size" in over:
        entry["TableSize"] = over["table_size"]
    if "trace" in over:  # Trace: the top function also calls nnet::save_layer_output (C simulation only)
        entry["Trace"] = over["trace"]
    if "table_t" in over:  # the layer key hls4ml applies to the table type (Precision.table is not applied)
        entry["table_t"] = over["table_t"]
    if "reuse" in over:
        entry["ReuseFactor"] = over["reuse"]
    if "strategy" in over:
        entry["Strategy"] = over["strategy"]


def _make_case(name: str, case: dict, out_dir: Path, work: Path, rng: np.random.Generator) -> dict:
    torch = _need("torch")
    hls4ml = _need("hls4ml")
    onnx = _need("onnx")

    names = case.get("names")
    frontend = case.get("frontend", "pytorch")
    gran = case["granularity"]
    backend, project = case.get("backend", "Vivado"), case.get("project", "myproject")
    if frontend == "pytorch":
        model = _seq(torch, case["spec"], seed=sum(map(ord, name)), names=names)
        n_in = case["spec"][0][1]
        cfg = hls4ml.utils.config_from_pytorch_model(
            model, input_shape=(n_in,), granularity=gran, backend=backend, default_precision=case["default"])
    elif frontend == "keras":
        model = _keras_seq(case["spec"], sum(map(ord, name)), names)
        n_in = case["spec"][0][1]
        cfg = hls4ml.utils.config_from_keras_model(model, granularity=gran, backend=backend,
                                                   default_precision=case["default"])
    else:  # hls4ml's ONNX frontend, on a QONNX-cleaned graph
        model = _onnx_frontend_model(name, case, torch, work)
        n_in = int(model.get_tensor_shape(model.graph.input[0].name)[-1])
        cfg = hls4ml.utils.config.config_from_onnx_model(
            model, granularity=gran, backend=backend, default_precision=case["default"])
    cfg["Model"].update(case.get("model", {}))
    if frontend in ("onnx", "qonnx"):
        for lname, over in case["layers"].items():
            _layer_cfg(cfg, lname, over)
    elif gran == "name":
        if "input" in case:
            in_name = next(k for k in cfg["LayerName"] if k.startswith("input") or k == "inp")
            cfg["LayerName"][in_name]["Precision"]["result"] = case["input"]
        for idx, over in case["layers"].items():
            _layer_cfg(cfg, names[idx] if names else f"_{idx}", over)
    layout = case.get("layout", "")  # output_dir below the case folder (an other directory layout)
    prj = work / name / layout if layout else work / name
    if case.get("score") and project != "myproject":
        msg = f"{name}: the C++ harness calls myproject(); keep the default project name for score cases"
        raise SystemExit(msg)
    conv = hls4ml.converters
    convert = {"pytorch": conv.convert_from_pytorch_model,
               "keras": conv.convert_from_keras_model}.get(frontend, conv.convert_from_onnx_model)
    hm = convert(model, hls_config=cfg, output_dir=str(prj), backend=backend,
                 io_type=case.get("io_type", "io_parallel"), project_name=project, write_weights_txt=case.get("weights_txt", True),
                 **({"namespace": case["namespace"]} if "namespace" in case else {}))
    hm.compile()
    if case.get("trace"):  # recompile with TraceOutput: layers with Trace get nnet::save_layer_output calls
        hm.trace(np.zeros((1, n_in)))

    in_type = str(hm.get_input_variables()[0].type.precision)
    out_var = hm.get_output_variables()[0]
    out_type = str(out_var.type.precision)
    out_name = next(layer.name for layer in hm.get_layers() if hm.outputs[0] in layer.outputs)
    lo, hi, f_in = _raw_range(case.get("input", in_type))
    _, _, f_out = _raw_range(out_type)
    n_out = int(np.prod(out_var.shape))

    vectors, sets = {}, {}
    if case.get("score") and case["score"]["kind"] == "sum_mu2":
        # AXOL1TL-like: hardware integers scaled by the harness, then hls4ml on the scaled inputs.
        offsets = rng.integers(0, 40, size=n_in)
        shifts = rng.integers(0, 6, size=n_in)
        for set_name, span in (("normal", 200), ("overflow", 2**12 - 1)):
            hw = rng.integers(0, span + 1, size=(N_NORMAL, n_in)).astype(np.int32)
            if set_name == "overflow":
                hw[::2] = rng.integers(-(2**12), 2**12, size=hw[::2].shape)
            rec = _run_harness(prj, case, n_in, n_out, out_type,
                               dict(scaled=True, n=len(hw), offsets=offsets, shifts=shifts,
                                    nin_file=n_in, data=hw))
            x_raw = rec[:, :n_in]
            y = hm.predict(np.ldexp(x_raw.astype(np.float64), -f_in))
            mu = _to_raw(np.asarray(y).reshape(len(hw), n_out), f_out, f"{name}/{set_name}")
            if not np.array_equal(mu, rec[:, n_in:n_in + n_out]):
                msg = f"{name}: harness and hls4ml predict disagree on {out_name}"
                raise RuntimeError(msg)
            vectors[f"{set_name}__hw"] = hw
            vectors[f"{set_name}__x"] = x_raw
            vectors[f"{set_name}__{out_name}"] = mu
            vectors[f"{set_name}__score"] = rec[:, -1]
            sets[set_name] = len(hw)
        vectors["scaling__offsets"] = offsets
        vectors["scaling__shifts"] = shifts
    else:
        for set_name in ("normal", "overflow"):
            if set_name == "normal":
                half = int(case["normal_scale"] * (1 << f_in))
                x_raw = rng.integers(max(lo, -half), min(hi, half) + 1, size=(case.get("n", N_NORMAL), n_in))
            else:
                x_raw = rng.integers(lo, hi + 1, size=(case.get("n", N_OVERFLOW), n_in))
                x_raw[:8] = hi
                x_raw[8:16] = lo
            y = hm.predict(np.ldexp(x_raw.astype(np.float64), -f_in))
            y_raw = _to_raw(np.asarray(y).reshape(len(x_raw), n_out), f_out, f"{name}/{set_name}")
            vectors[f"{set_name}__x"] = x_raw.astype(np.int64)
            vectors[f"{set_name}__{out_name}"] = y_raw
            sets[set_name] = len(x_raw)
            if case.get("score"):
                rec = _run_harness(prj, case, n_in, n_out, out_type,
                                   dict(scaled=False, n=len(x_raw), offsets=np.zeros(n_in), shifts=np.zeros(n_in),
                                        nin_file=n_in, data=x_raw.astype(np.int64)))
                if not np.array_equal(rec[:, n_in:n_in + n_out], y_raw):
                    msg = f"{name}: harness and hls4ml predict disagree"
                    raise RuntimeError(msg)
                vectors[f"{set_name}__score"] = rec[:, -1]

    # committed firmware sources: the text the firmware is built from (no .so, no ap_types/nnet_utils)
    case_dir = out_dir / name
    if case_dir.exists():
        shutil.rmtree(case_dir)
    dest = case_dir / layout if layout else case_dir
    (dest / "firmware" / "weights").mkdir(parents=True)
    fw = prj / "firmware"
    for f in ["defines.h", "parameters.h", f"{project}.h", f"{project}.cpp"]:
        shutil.copy(fw / f, dest / "firmware" / f)
    # the weights the firmware reads: weights/*.txt, or only the initializers in weights/*.h without them
    for f in sorted((fw / "weights").glob("*.txt" if case.get("weights_txt", True) else "*.h")):
        shutil.copy(f, dest / "firmware" / "weights" / f.name)
    dest = case_dir
    np.savez_compressed(dest / "vectors.npz", **vectors)

    # the same network as ONNX, with the configuration keyed by ONNX node names
    onnx_path = dest / "model.onnx"
    if frontend == "keras":  # no ONNX twin: loader 1 only
        pass
    elif frontend != "pytorch":  # the cleaned graph hls4ml read, and its configuration as given
        model.save(str(onnx_path))
        nodes = {n.name for n in model.graph.node} | {model.graph.input[0].name}
        keep = ("Precision", "ReuseFactor", "Strategy", "TableSize", "table_t")
        onnx_cfg = {"Model": {k: v for k, v in cfg["Model"].items() if k in ("Precision", "ReuseFactor", "Strategy")},
                    "LayerName": {k: {kk: vv for kk, vv in v.items() if kk in keep}
                                  for k, v in cfg["LayerName"].items() if k in nodes}}
        (dest / "config.json").write_text(json.dumps(onnx_cfg, indent=1, sort_keys=True) + "\n")
    else:
        _export_torch_onnx(torch, onnx, model, n_in, cfg, gran, onnx_path, dest / "config.json")
    files = sorted(p for p in dest.rglob("*") if p.is_file())
    return {
        "note": case["note"],
        "frontend": frontend,
        "onnx_loader_refuses": case.get("onnx_loader_refuses"),
        "input_type": case.get("input", in_type),
        "output_type": out_type,
        "output": out_name,
        "score": case.get("score"),
        "sets": sets,
        "granularity": gran,
        "default_precision": case["default"],
        "project_dir": layout or ".",
        "project_name": project,
        "io_type": case.get("io_type", "io_parallel"),
        "backend": backend,
        "weights_txt": case.get("weights_txt", True),
        "files": {str(p.relative_to(dest)): _sha256(p) for p in files},
    }


def _export_torch_onnx(torch, onnx, model, n_in, cfg, gran, onnx_path, cfg_path) -> None:
    """The torch model as ONNX, with the hls4ml configuration re-keyed by ONNX node names (loader 2)."""
    torch.onnx.export(model, torch.zeros(1, n_in), str(onnx_path), dynamo=False,
                      input_names=["x"], output_names=["y"], dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    omodel = onnx.load(str(onnx_path))
    onnx_names = _torch_name_to_onnx(omodel)
    onnx_cfg = {"Model": {k: v for k, v in cfg["Model"].items() if k in ("Precision", "ReuseFactor", "Strategy")}}
    if gran == "name":
        layer_cfg = {}
        for lname, entry in cfg["LayerName"].items():
            key = onnx_names.get(lname, "x" if lname.startswith("input") else None)
            if key is None:
                continue
            keep = ("Precision", "ReuseFactor", "Strategy", "TableSize", "table_t")
            clean = {k: v for k, v in entry.items() if k in keep}
            layer_cfg[key] = clean
        onnx_cfg["LayerName"] = layer_cfg
    cfg_path.write_text(json.dumps(onnx_cfg, indent=1, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--cases", nargs="*", default=list(CASES))
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args(argv)
    hls4ml, torch, onnx = _need("hls4ml"), _need("torch"), _need("onnx")
    gxx = subprocess.run(["g++", "--version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    args.out.mkdir(parents=True, exist_ok=True)
    manifest_path = args.out / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"cases": {}}
    tools = {"hls4ml": hls4ml.__version__, "torch": torch.__version__, "onnx": onnx.__version__,
             "numpy": np.__version__, "g++": gxx, "python": platform.python_version()}
    for extra in ("qonnx", "keras"):  # the ONNX/QONNX and Keras frontend cases
        try:
            tools[extra] = importlib.metadata.version(extra)
        except importlib.metadata.PackageNotFoundError:
            pass
    manifest.setdefault("tools", tools)  # the first run's tools; each case records its own below
    manifest["made_by"] = "scripts/make_hls4ml_vectors.py (hls_model.compile() + predict through the double bridge)"
    with tempfile.TemporaryDirectory(prefix="hls4ml_vectors_") as tmp:
        for name in args.cases:
            print(f"[make_hls4ml_vectors] {name}", file=sys.stderr)
            # one generator per case (seed, name): a case's inputs do not depend on which others run
            rng = np.random.default_rng([args.seed, sum(map(ord, name))])
            manifest["cases"][name] = _make_case(name, CASES[name], args.out, Path(tmp), rng)
            manifest["cases"][name]["tools"] = tools
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
