"""The models behind the hls4ml golden vectors: torch, ONNX, QONNX and Keras builders, and the cases.

Used by ``scripts/make_hls4ml_vectors.py`` (see its docstring for the whole flow). The
cases themselves are data, ``tests/golden/hls4ml/cases.json``; each builder draws its
weights from the generator it is given, so a case is reproducible on its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["CASES", "CASES_FILE", "DEFAULT_OUT", "keras_graph", "keras_seq", "need", "onnx_frontend_model", "qonnx_graph",
           "torch_seq"]

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


def _randomize_bn(keras, model, rng) -> None:
    """Non-trivial BatchNormalization statistics (gamma, beta, moving mean, moving variance)."""
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            n = layer.get_weights()[0].shape[0]
            layer.set_weights([rng.uniform(0.5, 1.5, n), rng.uniform(-0.5, 0.5, n), rng.uniform(-0.5, 0.5, n),
                               rng.uniform(0.3, 2.0, n)])


def _cnn_vae(keras, arch: dict):
    """The Govorkova et al. CNN VAE encoder on the 19x3x1 object grid (MET, 4 mu, 4 e, 10 jets x pT, eta, phi)."""
    L = keras.layers
    inp = keras.Input((19, 3, 1), name="inp")
    x = L.ZeroPadding2D(((1, 0), (0, 0)), name="zp")(inp)
    x = L.BatchNormalization(name="bn")(x)
    x = L.Conv2D(arch.get("f1", 16), (3, 3), use_bias=False, padding=arch.get("pad1", "same"), name="conv1")(x)
    x = L.Activation("relu", name="relu1")(x)
    x = L.AveragePooling2D((3, 1), name="pool1")(x)
    x = L.Conv2D(arch.get("f2", 32), (3, 1), use_bias=False, padding="same", name="conv2")(x)
    x = L.Activation("relu", name="relu2")(x)
    x = L.AveragePooling2D((3, 1), name="pool2")(x)
    x = L.Flatten(name="flat")(x)
    latent = arch.get("latent", 8)
    return keras.Model(inp, [L.Dense(latent, name="mu")(x), L.Dense(latent, name="logvar")(x)], name="cnn_vae")


def _joint_vae(keras, arch: dict):
    """A small Joint-VAE encoder (seed 001) on 40x40x1 jet images: Conv2D residual blocks with Add merges,
    continuous heads z_mean/z_logvar and a categorical head with softmax."""
    L = keras.layers
    f1, f2 = arch.get("f1", 8), arch.get("f2", 16)
    inp = keras.Input((40, 40, 1), name="img")
    x = L.AveragePooling2D((4, 4), name="down")(inp)                        # 10x10x1
    x = L.Conv2D(f1, (3, 3), padding="same", name="stem")(x)
    x = L.Activation("relu", name="stem_relu")(x)
    y = L.Conv2D(f1, (3, 3), padding="same", name="b1c1")(x)
    y = L.Activation("relu", name="b1r1")(y)
    y = L.Conv2D(f1, (3, 3), padding="same", name="b1c2")(y)
    x = L.Add(name="b1add")([x, y])
    x = L.Activation("relu", name="b1out")(x)
    x = L.MaxPooling2D((2, 2), name="pool")(x)                              # 5x5
    if arch.get("skip", "pool") == "pool":  # pointwise projection, then a 'same' (padded) average pooling
        s = L.Conv2D(f2, (1, 1), name="b2skip")(x)
        s = L.AveragePooling2D((2, 2), strides=(2, 2), padding="same", name="skippool")(s)
    else:  # "strided": a strided pointwise projection (io_stream has no padded pooling: hls4ml asserts pad == 0)
        s = L.Conv2D(f2, (1, 1), strides=(2, 2), name="b2skip")(x)
    y = L.Conv2D(f2, (3, 3), padding="same", name="b2c1")(x)
    y = L.Activation("relu", name="b2r1")(y)
    y = L.Conv2D(f2, (3, 3), strides=(2, 2), padding="same", name="b2c2")(y)  # strided: 3x3
    x = L.Add(name="b2add")([s, y])
    x = L.Activation("relu", name="b2out")(x)
    x = L.Flatten(name="flat")(x)
    zm = L.Dense(arch.get("latent", 32), name="z_mean")(x)
    zl = L.Dense(arch.get("latent", 32), name="z_logvar")(x)
    logits = L.Dense(arch.get("classes", 20), name="cat_logits")(x)
    cat = L.Activation("softmax", name="cat")(logits)
    return keras.Model(inp, [zm, zl, cat], name="joint_vae")


def keras_graph(kind: str, seed: int, arch: dict | None = None):
    """A Keras 3 functional model (torch backend) of one of the seed networks: "cnn_vae" or "joint_vae".

    Weights are seeded random (Glorot) scaled by ``arch["weight_scale"]`` (default 1), with
    non-trivial BatchNormalization statistics.
    """
    import os

    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = need("keras")
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    arch = arch or {}
    model = {"cnn_vae": _cnn_vae, "joint_vae": _joint_vae}[kind](keras, arch)
    _randomize_bn(keras, model, rng)
    scale = arch.get("weight_scale", 1.0)
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense)):
            ws = layer.get_weights()
            ws = [ws[0] * scale] + [rng.uniform(-0.5, 0.5, w.shape) for w in ws[1:]]
            layer.set_weights(ws)
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
