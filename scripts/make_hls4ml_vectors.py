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

# scripts/ is on sys.path when this file is run as a script
from hls4ml_golden_harness import run_harness
from hls4ml_golden_models import (
    CASES,
    DEFAULT_OUT,
    keras_graph,
    keras_seq,
    need,
    onnx_frontend_model,
    torch_seq,
)

__all__ = ["main"]

N_NORMAL = 2000
N_OVERFLOW = 2000


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


def _graph_inputs(kind: str, set_name: str, n: int, shape, lo: int, hi: int, f_in: int,
                  rng: np.random.Generator) -> np.ndarray:
    """Raw inputs of a seed network: physics-like ('normal') or the full raw range ('overflow')."""
    if set_name == "overflow":
        x = rng.integers(lo, hi + 1, size=(n, *shape))
        x[:4] = hi
        x[4:8] = lo
        return x.astype(np.int64)
    if kind == "cnn_vae":  # rows MET, 4 mu, 4 e, 10 jets; columns standardized (pT, eta, phi); absent objects 0
        v = np.zeros((n, *shape))
        counts = {"mu": rng.integers(0, 5, n), "e": rng.integers(0, 5, n), "jet": rng.integers(0, 11, n)}
        v[:, 0, 0, 0] = rng.exponential(1.5, n)
        v[:, 0, 2, 0] = rng.uniform(-np.pi, np.pi, n)
        for first, size, key, scale in ((1, 4, "mu", 1.0), (5, 4, "e", 1.0), (9, 10, "jet", 2.0)):
            for k in range(size):
                on = counts[key] > k
                pt = np.sort(rng.exponential(scale, (n, size)), axis=1)[:, ::-1][:, k]
                v[:, first + k, 0, 0] = np.where(on, pt, 0.0)
                v[:, first + k, 1, 0] = np.where(on, rng.uniform(-2.5, 2.5, n), 0.0)
                v[:, first + k, 2, 0] = np.where(on, rng.uniform(-np.pi, np.pi, n), 0.0)
    else:  # jet images: a few hot pixels near the centre, exponential energies
        v = np.zeros((n, *shape))
        for e in range(n):
            k = rng.integers(3, 25)
            r = np.clip(np.rint(rng.normal(19.5, 5, k)), 0, shape[0] - 1).astype(int)
            c = np.clip(np.rint(rng.normal(19.5, 5, k)), 0, shape[1] - 1).astype(int)
            np.add.at(v[e, :, :, 0], (r, c), rng.exponential(3.0, k))
    return np.clip(np.floor(np.ldexp(v, f_in)), lo, hi).astype(np.int64)


def _make_graph_case(name: str, case: dict, out_dir: Path, work: Path, rng: np.random.Generator) -> dict:
    """A seed network (Keras 3 functional model, several outputs) through hls4ml: outputs and a layer trace."""
    hls4ml = need("hls4ml")
    kind = case["graph"]
    model = keras_graph(kind, sum(map(ord, kind)) + case.get("seed", 0), case.get("arch"))
    backend, project, gran = case.get("backend", "Vivado"), case.get("project", "myproject"), "name"
    cfg = hls4ml.utils.config_from_keras_model(model, granularity=gran, backend=backend,
                                               default_precision=case["default"])
    cfg["Model"].update(case.get("model", {}))
    in_name = model.inputs[0].name if hasattr(model.inputs[0], "name") else next(iter(cfg["LayerName"]))
    in_name = next(k for k in cfg["LayerName"] if k in (in_name, "inp", "img"))
    cfg["LayerName"][in_name]["Precision"]["result"] = case["input"]
    for lname, over in case.get("layers", {}).items():
        _layer_cfg(cfg, lname, over)
        if "impl" in over:
            cfg["LayerName"][lname]["ConvImplementation"] = over["impl"]
        if "pf" in over:
            cfg["LayerName"][lname]["ParallelizationFactor"] = over["pf"]
    trace = case.get("trace_layers", True) and case.get("io_type", "io_parallel") == "io_parallel"
    if trace:
        for entry in cfg["LayerName"].values():
            entry["Trace"] = True
    prj = work / name
    hm = hls4ml.converters.convert_from_keras_model(model, hls_config=cfg, output_dir=str(prj), backend=backend,
                                                    io_type=case.get("io_type", "io_parallel"),
                                                    project_name=project)
    hm.compile()
    shape = tuple(int(d) for d in model.inputs[0].shape[1:])
    lo, hi, f_in = _raw_range(case["input"])
    outs = hm.get_output_variables()
    out_names = [next(layer.name for layer in hm.get_layers() if o in layer.outputs) for o in hm.outputs]
    out_fracs = [_raw_range(str(v.type.precision))[2] for v in outs]
    vectors, sets = {}, {}
    for set_name in ("normal", "overflow"):
        n_set = case.get("n", N_NORMAL) if set_name == "normal" else case.get("n_overflow", case.get("n", N_OVERFLOW))
        x_raw = _graph_inputs(kind, set_name, n_set, shape, lo, hi, f_in, rng)
        y = hm.predict(np.ldexp(x_raw.astype(np.float64), -f_in))
        y = y if isinstance(y, list) else [y]
        vectors[f"{set_name}__x"] = x_raw
        for oname, frac, yy in zip(out_names, out_fracs, y):
            vectors[f"{set_name}__{oname}"] = _to_raw(np.asarray(yy).reshape(len(x_raw), -1), frac,
                                                      f"{name}/{set_name}/{oname}")
        sets[set_name] = len(x_raw)
    traced = {}
    if trace:  # every layer's output on the first events of both sets (hls4ml's own Trace)
        n_tr = case.get("n_trace", 100)
        xs = np.concatenate([vectors["normal__x"][:n_tr], vectors["overflow__x"][:n_tr]])
        _, tr = hm.trace(np.ldexp(xs.astype(np.float64), -f_in))
        for layer in hm.get_layers():
            if layer.name in tr:
                ptype = str(layer.get_output_variable().type.precision)
                frac = _raw_range(ptype)[2]
                vectors[f"trace__{layer.name}"] = _to_raw(np.asarray(tr[layer.name]).reshape(len(xs), -1), frac,
                                                          f"{name}/trace/{layer.name}")
                traced[layer.name] = ptype
        vectors["trace__x"] = xs
    case_dir = out_dir / name
    if case_dir.exists():
        shutil.rmtree(case_dir)
    (case_dir / "firmware" / "weights").mkdir(parents=True)
    fw = prj / "firmware"
    for f in ["defines.h", "parameters.h", f"{project}.h", f"{project}.cpp"]:
        shutil.copy(fw / f, case_dir / "firmware" / f)
    shutil.copy(fw / "nnet_utils" / "nnet_code_gen.h", case_dir / "firmware" / "nnet_code_gen.h")
    for f in sorted((fw / "weights").glob("*.txt")):
        shutil.copy(f, case_dir / "firmware" / "weights" / f.name)
    np.savez_compressed(case_dir / "vectors.npz", **{k: _narrow(v) for k, v in vectors.items()})
    onnx_note = _export_keras_onnx(model, shape, cfg, case_dir) if case.get("onnx") else None
    files = sorted(p for p in case_dir.rglob("*") if p.is_file())
    return {
        "note": case["note"], "frontend": "keras", "graph": kind, "input_type": case["input"],
        "input_shape": list(shape), "outputs": {n: str(v.type.precision) for n, v in zip(out_names, outs)},
        "traced": traced, "sets": sets, "granularity": gran, "default_precision": case["default"],
        "project_dir": ".", "project_name": project, "io_type": case.get("io_type", "io_parallel"),
        "backend": backend, "weights_txt": True, "onnx": onnx_note,
        "files": {str(p.relative_to(case_dir)): _sha256(p) for p in files},
    }


def _narrow(v: np.ndarray) -> np.ndarray:
    """int32 when every raw value fits (half the committed bytes); the tests read either."""
    if v.size and -(2**31) <= int(v.min()) and int(v.max()) < 2**31:
        return v.astype(np.int32)
    return v


def _export_keras_onnx(model, shape, cfg: dict, case_dir: Path) -> str:
    """The same Keras network as ONNX (torch.onnx.export of the torch-backend model) + its hls4ml config."""
    torch = need("torch")
    onnx = need("onnx")
    path = case_dir / "model.onnx"
    try:
        torch.onnx.export(model, (torch.zeros((1, *shape)),), str(path), dynamo=False, input_names=["x"],
                          dynamic_axes={"x": {0: "batch"}})
    except Exception as exc:  # noqa: BLE001 - recorded in the manifest, the case stays usable without it
        return f"not exported: {type(exc).__name__}: {exc}"[:300]
    om = onnx.load(str(path))
    keep = ("Precision", "ReuseFactor", "Strategy", "ConvImplementation", "ParallelizationFactor")
    (case_dir / "config.json").write_text(json.dumps(
        {"Model": {k: v for k, v in cfg["Model"].items() if k in ("Precision", "ReuseFactor", "Strategy")},
         "LayerName": {k: {kk: vv for kk, vv in v.items() if kk in keep} for k, v in cfg["LayerName"].items()},
         "onnx_nodes": [n.name for n in om.graph.node]}, indent=1, sort_keys=True) + "\n")
    return "torch.onnx.export of the Keras 3 (torch backend) model; config keyed by Keras layer names"


def _make_case(name: str, case: dict, out_dir: Path, work: Path, rng: np.random.Generator) -> dict:
    if "graph" in case:
        return _make_graph_case(name, case, out_dir, work, rng)
    torch = need("torch")
    hls4ml = need("hls4ml")
    onnx = need("onnx")

    names = case.get("names")
    frontend = case.get("frontend", "pytorch")
    gran = case["granularity"]
    backend, project = case.get("backend", "Vivado"), case.get("project", "myproject")
    if frontend == "pytorch":
        model = torch_seq(torch, case["spec"], seed=sum(map(ord, name)), names=names)
        n_in = case["spec"][0][1]
        cfg = hls4ml.utils.config_from_pytorch_model(
            model, input_shape=(n_in,), granularity=gran, backend=backend, default_precision=case["default"])
    elif frontend == "keras":
        model = keras_seq(case["spec"], sum(map(ord, name)), names)
        n_in = case["spec"][0][1]
        cfg = hls4ml.utils.config_from_keras_model(model, granularity=gran, backend=backend,
                                                   default_precision=case["default"])
    else:  # hls4ml's ONNX frontend, on a QONNX-cleaned graph
        model = onnx_frontend_model(name, case, torch, work)
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
            rec = run_harness(prj, case, n_in, n_out, out_type,
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
                rec = run_harness(prj, case, n_in, n_out, out_type,
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
    hls4ml, torch, onnx = need("hls4ml"), need("torch"), need("onnx")
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
            # after every case: a later case that aborts inside hls4ml's C++ loses only itself
            manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
