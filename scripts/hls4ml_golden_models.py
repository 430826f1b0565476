"""The models behind the hls4ml golden vectors: torch, ONNX, QONNX and Keras builders, and the cases.

Used by ``scripts/make_hls4ml_vectors.py`` (see its docstring for the whole flow). The
cases themselves are data, ``tests/golden/hls4ml/cases.json``; each builder draws its
weights from the generator it is given, so a case is reproducible on its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["CASES", "CASES_FILE", "DEFAULT_OUT", "keras_seq", "need", "onnx_frontend_model", "qonnx_graph", "torch_seq"]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "golden" / "hls4ml"

def need(name: str):
    try:
        return __import__(name)
    except ImportError as exc:  # pragma: no cover - only without the extras
        msg = f"{name} is needed to make golden vectors: pip install hls4ml==1.3.0 torch==2.13.0 onnx qonnx==0.4.0"
        raise SystemExit(msg) from exc



def torch_seq(torch, spec, seed, names=None):
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


def qonnx_graph(onnx, spec, seed):
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


def onnx_frontend_model(name: str, case: dict, torch, work: Path):
    """What hls4ml's ONNX frontend reads: a torch export ("onnx") or a QONNX graph ("qonnx"), cleaned by qonnx."""
    onnx = need("onnx")
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
        torch.onnx.export(torch_seq(torch, case["spec"], seed=seed), torch.zeros(1, case["spec"][0][1]), str(raw),
                          dynamo=False, input_names=["x"], output_names=["y"])
        model = ModelWrapper(str(raw))
    else:
        model = ModelWrapper(qonnx_graph(onnx, case["spec"], seed))
    model = cleanup_model(model).transform(ConvertToChannelsLastAndClean()).transform(GemmToMatMul())
    return cleanup_model(model)


def keras_seq(spec, seed, names):
    """A Keras 3 Sequential (torch backend, no TensorFlow) from a compact spec; ("dense", n_in, n_out, act)
    gives hls4ml a Dense plus an activation layer '<name>_<act>', ("linear",) an Activation('linear')."""
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = need("keras")
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
