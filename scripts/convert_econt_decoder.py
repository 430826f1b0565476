"""Convert the ECON-T autoencoder's Keras decoder weights (decoder.hdf5) to ONNX, with a manifest.

The test vectors ship the off-detector decoder of the ``AE_8x8_c8_S2_ele_qkeras``
configuration as a Keras *weights* file (``save_weights``: layer names and arrays,
no model config). The architecture is the one the ECON-T autoencoder training code
builds for an encoder of one stride-2 conv (denseCNN ``init``, decoder half;
public in the Ecoder training repositories, e.g. rohanshenoy/Ecoder-emd
``denseCNN.py`` with ``CNN_strides`` / ``CNN_padding``), recorded here as data
(:data:`ARCHITECTURE`) and checked against the file's layer names and weight shapes:

    decoder_input (16) -> dense (128, relu) -> reshape (4, 4, 8)
    -> conv2d_transpose (8 filters, 3x3, stride 2, 'same', relu)
    -> conv2d_transpose_1 (1 filter, 3x3, stride 1, 'same', linear)
    -> decoder_output (sigmoid)                      => an 8x8 map, channels last

The ONNX graph is built with the ``onnx`` helper API (no TensorFlow):
MatMul + Add + Relu, Reshape to NHWC then Transpose to NCHW, two ConvTranspose
(Keras kernel ``(kh, kw, out, in)`` -> ONNX ``(in, out, kh, kw)``; TensorFlow
'same' padding puts the odd pad at the end: pads ``[0, 0, 1, 1]`` for stride 2 and
``[1, 1, 1, 1]`` for stride 1), Sigmoid, and a Reshape to ``(N, 8, 8)``.
tests/test_econt_decoder.py checks the ONNX output against an independent NumPy
forward pass of the Keras layers read from the same hdf5 file.

Run once (h5py is not a project dependency; use a venv that has it)::

    python3 -m venv --system-site-packages /work/venvs/h4b
    /work/venvs/h4b/bin/pip install h5py
    /work/venvs/h4b/bin/python scripts/convert_econt_decoder.py \\
        ../shared/vectors/econt/mcDataset/AE_8x8_c8_S2_ele_qkeras/decoder.hdf5 --out triggeremu/data/econt
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
from pathlib import Path

import numpy as np

OPSET = 17
MODEL_NAME = "AE_8x8_c8_S2_ele_qkeras"

#: (layer name, kind, config, {weight: shape}) in graph order: the file carries no config
ARCHITECTURE = (
    ("decoder_input", "Input", {"shape": [16]}, {}),
    ("dense", "Dense", {"units": 128, "activation": "relu"}, {"kernel": (16, 128), "bias": (128,)}),
    ("reshape", "Reshape", {"target_shape": [4, 4, 8]}, {}),
    ("conv2d_transpose", "Conv2DTranspose",
     {"filters": 8, "kernel_size": [3, 3], "strides": [2, 2], "padding": "same", "activation": "relu"},
     {"kernel": (3, 3, 8, 8), "bias": (8,)}),
    ("conv2d_transpose_1", "Conv2DTranspose",
     {"filters": 1, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same", "activation": "linear"},
     {"kernel": (3, 3, 1, 8), "bias": (1,)}),
    ("decoder_output", "Activation", {"activation": "sigmoid"}, {}),
)
#: position in the 8x8 map of each post-mux cell: the chip's encoder map
#: (firmware_models.econt.algorithms.autoencoder.AE_CELL_MAP_8X8), so the decoded image is compared
#: with the cells the encoder saw. The training code's arrange8x8 (map position p holds training
#: cell arrange8x8[p], bottom-right quadrant masked) is realised by the autoencoder mux registers.
CELL_MAP_SOURCE = ("the chip's encoder map, firmware_models.econt.algorithms.autoencoder.AE_CELL_MAP_8X8: post-mux "
                   "cell i at the i-th non-empty position of the 8x8 (row-major, bottom-right quadrant empty), the "
                   "layout of the training code's arrange8x8/calQMask (e.g. rohanshenoy/Ecoder-emd) and CMSSW "
                   "L1THGCal triggerCellRemap")


def cell_map_8x8() -> list[list[int]]:
    """[row, col] of each of the 48 post-mux cells in the decoder's output map."""
    from firmware_models.econt.algorithms.autoencoder import AE_CELL_MAP_8X8

    return [list(rc) for rc in AE_CELL_MAP_8X8]


ARCHITECTURE_SOURCE = ("ECON-T autoencoder training code, denseCNN.init decoder half "
                       "(e.g. rohanshenoy/Ecoder-emd denseCNN.py, CNN_strides/CNN_padding version)")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _same_pads(size_in: int, stride: int, kernel: int) -> tuple[int, int]:
    """(begin, end) crop of a TensorFlow 'same' transposed conv: the forward conv's padding, odd pad at the end."""
    size_out = size_in * stride
    total = max((size_in - 1) * stride + kernel - size_out, 0)
    return total // 2, total - total // 2


def read_weights(path: Path) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, str]]:
    """Weights per layer from a Keras ``save_weights`` hdf5 file, checked against :data:`ARCHITECTURE`."""
    import h5py

    with h5py.File(path, "r") as f:
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in f.attrs["layer_names"]]
        expected = [layer[0] for layer in ARCHITECTURE]
        if names != expected:
            sys.exit(f"{path}: layer names {names} differ from the decoder architecture {expected}")
        weights: dict[str, dict[str, np.ndarray]] = {}
        for name, _, _, shapes in ARCHITECTURE:
            weights[name] = {}
            for wname, shape in shapes.items():
                arr = np.asarray(f[f"{name}/{name}/{wname}:0"][()], dtype=np.float32)
                if arr.shape != shape:
                    sys.exit(f"{path}: {name}/{wname} has shape {arr.shape}, expected {shape}")
                weights[name][wname] = arr
        attrs = {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in f.attrs.items() if k != "layer_names"}
    return weights, attrs


def build_model(weights: dict[str, dict[str, np.ndarray]]):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    def init(name, arr):
        return numpy_helper.from_array(np.ascontiguousarray(arr), name=name)

    d, c1, c2 = weights["dense"], weights["conv2d_transpose"], weights["conv2d_transpose_1"]
    p1, p2 = _same_pads(4, 2, 3), _same_pads(8, 1, 3)
    inits = [
        init("dense_kernel", d["kernel"]), init("dense_bias", d["bias"]),
        init("nhwc_shape", np.array([-1, 4, 4, 8], dtype=np.int64)),
        init("deconv1_kernel", c1["kernel"].transpose(3, 2, 0, 1)), init("deconv1_bias", c1["bias"]),
        init("deconv2_kernel", c2["kernel"].transpose(3, 2, 0, 1)), init("deconv2_bias", c2["bias"]),
        init("map_shape", np.array([-1, 8, 8], dtype=np.int64)),
    ]
    nodes = [
        helper.make_node("MatMul", ["latent", "dense_kernel"], ["dense_mm"], name="dense/matmul"),
        helper.make_node("Add", ["dense_mm", "dense_bias"], ["dense_pre"], name="dense/bias"),
        helper.make_node("Relu", ["dense_pre"], ["dense_out"], name="dense/relu"),
        helper.make_node("Reshape", ["dense_out", "nhwc_shape"], ["nhwc"], name="reshape"),
        helper.make_node("Transpose", ["nhwc"], ["nchw"], perm=[0, 3, 1, 2], name="to_nchw"),
        helper.make_node("ConvTranspose", ["nchw", "deconv1_kernel", "deconv1_bias"], ["deconv1_pre"],
                         kernel_shape=[3, 3], strides=[2, 2], pads=[p1[0], p1[0], p1[1], p1[1]],
                         name="conv2d_transpose"),
        helper.make_node("Relu", ["deconv1_pre"], ["deconv1_out"], name="conv2d_transpose/relu"),
        helper.make_node("ConvTranspose", ["deconv1_out", "deconv2_kernel", "deconv2_bias"], ["deconv2_out"],
                         kernel_shape=[3, 3], strides=[1, 1], pads=[p2[0], p2[0], p2[1], p2[1]],
                         name="conv2d_transpose_1"),
        helper.make_node("Sigmoid", ["deconv2_out"], ["sigmoid_out"], name="decoder_output"),
        helper.make_node("Reshape", ["sigmoid_out", "map_shape"], ["map_8x8"], name="to_map"),
    ]
    graph = helper.make_graph(
        nodes, f"econt_decoder_{MODEL_NAME}",
        [helper.make_tensor_value_info("latent", TensorProto.FLOAT, ["N", 16])],
        [helper.make_tensor_value_info("map_8x8", TensorProto.FLOAT, ["N", 8, 8])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="triggeremu scripts/convert_econt_decoder.py")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model, {"conv2d_transpose": list(p1), "conv2d_transpose_1": list(p2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("hdf5", type=Path, help="decoder.hdf5 of the AE_8x8_c8_S2_ele_qkeras test-vector set")
    ap.add_argument("--out", type=Path, default=Path("triggeremu/data/econt"))
    args = ap.parse_args(argv)
    import onnx
    import onnxruntime

    from firmware_models.econt import load_init_yaml
    from triggeremu.econt_decode import encoder_fingerprint

    init_yaml = args.hdf5.parent / "init.yaml"
    encoder_sha = encoder_fingerprint(load_init_yaml(init_yaml)) if init_yaml.is_file() else None
    weights, attrs = read_weights(args.hdf5)
    model, pads = build_model(weights)
    args.out.mkdir(parents=True, exist_ok=True)
    onnx_path = args.out / f"decoder_{MODEL_NAME}.onnx"
    onnx.save(model, onnx_path)
    rel = args.hdf5.resolve()
    parts = rel.parts
    source = "/".join(parts[parts.index("vectors"):]) if "vectors" in parts else rel.name
    manifest = {
        "format": "triggeremu.econt_decoder",
        "version": 1,
        "created_by": "scripts/convert_econt_decoder.py",
        "model": MODEL_NAME,
        "source": {"file": source, "sha256": _sha256(args.hdf5), "hdf5_attrs": attrs,
                   "upstream": "cmantill/econt_test-vectors@37a3450 mcDataset/AE_8x8_c8_S2_ele_qkeras/decoder.hdf5"},
        "encoder_registers_sha256": encoder_sha,
        "encoder_registers_from": "init.yaml beside the hdf5 (triggeremu.econt_decode.encoder_fingerprint)",
        "architecture_source": ARCHITECTURE_SOURCE,
        "cell_map_8x8": cell_map_8x8(),
        "cell_map_source": CELL_MAP_SOURCE,
        "layers": [{"name": n, "kind": k, "config": c, "weights": {w: list(s) for w, s in shp.items()}}
                   for n, k, c, shp in ARCHITECTURE],
        "onnx": {"file": onnx_path.name, "sha256": _sha256(onnx_path), "opset": OPSET,
                 "input": {"name": "latent", "shape": ["N", 16], "units": "latent value (chip code / 2^8)"},
                 "output": {"name": "map_8x8", "shape": ["N", 8, 8],
                            "units": "normalized cell energies on the encoder's 8x8 input map"}},
        "conventions": {
            "kernel_layout": "Keras Conv2DTranspose (kh, kw, out, in) -> ONNX ConvTranspose (in, out, kh, kw)",
            "same_padding": "TensorFlow 'same': begin = total // 2, end = total - begin (odd pad at the end)",
            "pads": pads,
            "layout": "Keras channels-last reshape (4, 4, 8), transposed to NCHW for ConvTranspose",
        },
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "onnx": onnx.__version__,
                     "onnxruntime": onnxruntime.__version__},
    }
    (args.out / f"decoder_{MODEL_NAME}.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"wrote {onnx_path} and its manifest", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
