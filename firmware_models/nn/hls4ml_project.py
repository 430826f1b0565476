"""Loader 1: an hls4ml project directory (Vivado/Vitis backend, io_parallel or io_stream) -> NNModel.

Reads what hls4ml 1.3.0 writes under ``<output_dir>/firmware/`` for any project
name and frontend (PyTorch, Keras, ONNX/QONNX): ``defines.h`` (``typedef <type>
<name>;``; io_stream wraps types as ``nnet::array<T, N*k>``, whose arithmetic is on
``T``), ``parameters.h`` (one ``struct configN : nnet::dense_config {...}`` per
layer: sizes, io_type, strategy, reuse factor, kernel, product, typedefs), the top
function ``<project>.cpp`` (array or ``hls::stream`` arguments, possibly inside a
namespace; the sequence of ``nnet::<layer><...>(in, out, ...); // <name>`` calls and
the ``load_weights_from_txt`` list) and ``weights/*.txt``. The .txt files are the
truth: the emulation reads them as doubles and assigns them to ``weight_t``
(:data:`firmware_models.nn.model.CONVENTIONS` ``weights_txt``); with WriteWeightsTxt
off (no load list), the type, size and initializer of ``<type> <var>[N] = {...}`` in
``weights/<var>.h`` are read instead (the same double -> weight_t conversion).

Anything it cannot model (other layer functions, dense kernels or io types,
binary/ternary products) raises :class:`~firmware_models.errors.ModelFormatError`
naming the layer, what it is and what is supported.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType, quantize
from firmware_models.nn.model import LayerRecord, NNModel
from firmware_models.nn.tables import sigmoid_table, tanh_table

__all__ = ["load_hls4ml_project", "resource_order"]

_TYPEDEF = re.compile(r"typedef\s+(.+?)\s+(\w+)\s*;")
_DEFINE = re.compile(r"(?:#define\s+(\w+)\s+(\d+))|(?:static\s+const\s+(?:unsigned|int)\s+(\w+)\s*=\s*(\d+)\s*;)")
_TOP = re.compile(r"void\s+(\w+)\s*\(([^)]*)\)\s*\{")
_PARAM = re.compile(r"(?:hls::stream\s*<\s*(\w+)\s*>\s*&\s*(\w+))|(?:(\w+)\s+(\w+)\s*\[\s*(\w+)\s*\])")
#: io_stream packs values in ``nnet::array<T, N*k>`` (nnet_utils/nnet_types.h); the arithmetic is on T
_ARRAY = re.compile(r"^nnet::array\s*<\s*(.+?)\s*,\s*[\w\s*+]+>$")
_IO_TYPES = ("nnet::io_parallel", "nnet::io_stream")
_HEADER_ARRAY = r"(\w+)\s+{var}\s*\[\s*(\d+)\s*\]\s*=\s*\{{"
_LOAD = re.compile(r"load_weights_from_txt\s*<\s*(\w+)\s*,\s*(\d+)\s*>\s*\(\s*(\w+)\s*,\s*\"([^\"]+)\"\s*\)")
_CALL = re.compile(r"nnet::(\w+)\s*<([^;]*?)>\s*\(([^;]*?)\)\s*;[ \t]*(?://[ \t]*(\S+))?")
_STRUCT = re.compile(r"struct\s+(\w+)\s*:\s*nnet::(\w+)\s*\{(.*?)\n\s*\};", re.S)
_STATIC = re.compile(r"static\s+const\s+(?:unsigned|int|bool)\s+(\w+)\s*=\s*([^;]+);")
_USING = re.compile(r"using\s+(\w+)\s*=\s*nnet::(?:product::)?(\w+)\s*<")

#: nnet:: calls in a top function that move no data between layers: weight loading (load_*), and what
#: hls4ml's writer (writer/vivado_writer.py write_project_cpp) adds under #ifndef __SYNTHESIS__ for
#: hls_model.trace(): save_layer_output copies a layer's output to the trace buffers
_CSIM_HELPERS = ("convert_data", "save_layer_output")
_SUPPORTED_CALLS = ("dense", "normalize", "relu", "leaky_relu", "linear", "sigmoid", "tanh")
_KIND = {"dense": "dense", "normalize": "batchnorm", "relu": "relu", "leaky_relu": "leaky_relu",
         "linear": "linear", "sigmoid": "sigmoid", "tanh": "tanh"}
_DENSE_KERNELS = ("DenseLatency", "DenseResource_rf_leq_nin", "DenseResource_rf_gt_nin_rem0",
                  "DenseResource_rf_gt_nin")


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror}; point at an hls4ml project directory (with firmware/)"
        raise ModelFormatError(msg) from exc


def _structs(text: str) -> dict[str, dict]:
    out = {}
    for name, base, body in _STRUCT.findall(text):
        fields = {k: v.strip() for k, v in _STATIC.findall(body)}
        types = {alias: t for t, alias in _TYPEDEF.findall(body)}
        using = dict(_USING.findall(body))
        out[name] = {"base": base, "fields": fields, "types": types, "using": using}
    return out


def _read_values(fw: Path, fname: str, var: str) -> list[float]:
    """Decimal tokens of one weight array: ``weights/<fname>`` (.txt), else the initializer in ``weights/<var>.h``."""
    src = fw / "weights" / fname
    if src.suffix == ".txt" and src.exists():
        text = _read(src)
        line = text.splitlines()[0] if text.strip() else ""
    else:
        src = fw / "weights" / f"{var}.h"
        m = re.search(r"=\s*\{([^}]*)\}", _read(src))
        if m is None:
            msg = f"{src}: no initializer list for {var}; regenerate the project with hls4ml"
            raise ModelFormatError(msg)
        line = m.group(1)
    try:
        return [float(tok) for tok in line.split(",") if tok.strip()]
    except ValueError as exc:
        msg = f"{src}: not a comma-separated list of decimal numbers ({exc})"
        raise ModelFormatError(msg) from exc


def resource_order(kernel: str, n_in: int, n_out: int, rf: int) -> tuple[np.ndarray | None, str]:
    """Order of product additions per output in hls4ml's resource kernels (simulating their loops).

    Returns (order (n_out, n_in) or None, note); the note is set when the order is not modelled.
    """
    if kernel == "DenseLatency":
        return None, ""
    seq: list[list[int]] = [[] for _ in range(n_out)]
    block = -(-(n_in * n_out) // rf)
    if kernel == "DenseResource_rf_leq_nin":
        multfactor = min(n_in, rf)
        multscale = -(-(n_in * n_out) // multfactor) // n_out
        for ir in range(rf):
            in_index, out_index, acc_step = ir, 0, 0
            for _ in range(block):
                seq[out_index].append(in_index)
                in_index += rf
                if in_index >= n_in:
                    in_index = ir
                if acc_step + 1 >= multscale:
                    acc_step, out_index = 0, out_index + 1
                else:
                    acc_step += 1
    elif kernel == "DenseResource_rf_gt_nin_rem0":
        rufactor = min(rf, n_in * n_out)
        outscale = rufactor // n_in
        outidx, outstep = [], 0
        for ir in range(rufactor):
            outidx.append(outstep)
            if (ir + 1) % n_in == 0:
                outstep += 1
        in_index = 0
        for ir in range(rufactor):
            w_index, out_index = ir, outidx[ir]
            for _ in range(block):
                seq[out_index].append(in_index)
                w_index += rufactor
                if w_index >= n_in * n_out:
                    break
                out_index += outscale
            in_index = 0 if in_index + 1 >= n_in else in_index + 1
    else:
        return None, f"Resource strategy kernel {kernel} (partial sums per reuse step)"
    if any(sorted(s) != list(range(n_in)) for s in seq):
        return None, f"Resource strategy kernel {kernel} with n_in={n_in}, n_out={n_out}, RF={rf}"
    return np.array(seq, dtype=np.int64), ""


class _Project:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.fw = root / "firmware" if (root / "firmware").is_dir() else root
        defines = _read(self.fw / "defines.h")
        self.typedefs = {alias: t for t, alias in _TYPEDEF.findall(defines)}
        self.consts = {}
        for a, b, c, d in _DEFINE.findall(defines):
            self.consts[a or c] = int(b or d)
        self.configs = _structs(_read(self.fw / "parameters.h"))
        tops = [p for p in self.fw.glob("*.cpp") if _TOP.search(_read(p)) and "nnet::" in _read(p)]
        if not tops:
            msg = f"{self.fw}: no top function (<project>.cpp with nnet:: calls); is this an hls4ml project?"
            raise ModelFormatError(msg)
        self.top_text = _read(tops[0])
        self.loads = {var: (tname, int(size), fname) for tname, size, var, fname in _LOAD.findall(self.top_text)}

    def is_weight(self, var: str) -> bool:
        """A weight array: loaded by the top function or defined in weights/<var>.h."""
        return var in self.loads or (self.fw / "weights" / f"{var}.h").is_file()

    def type(self, alias: str, layer: str) -> FixedType:
        text = self.typedefs.get(alias, alias)
        packed = _ARRAY.match(text)
        if packed:  # io_stream: a stream of nnet::array packs of the element type
            text = self.typedefs.get(packed.group(1), packed.group(1))
        try:
            return FixedType.parse(text)
        except ModelFormatError as exc:
            msg = f"layer {layer}: type {alias} = {text!r} is not a fixed-point type this emulator models ({exc})"
            raise ModelFormatError(msg) from exc

    def weights(self, var: str, layer: str) -> tuple[np.ndarray, FixedType]:
        if var in self.loads:
            tname, size, fname = self.loads[var]
        else:  # WriteWeightsTxt off: the array is defined with its initializer in weights/<var>.h
            header = self.fw / "weights" / f"{var}.h"
            if not header.exists():
                msg = (f"layer {layer}: weights {var} are neither loaded by the top function (load_weights_from_txt) "
                       f"nor defined in {header}; pass a complete hls4ml project directory")
                raise ModelFormatError(msg)
            m = re.search(_HEADER_ARRAY.format(var=re.escape(var)), _read(header))
            if m is None:
                msg = f"{header}: no definition '<type> {var}[N] = {{...}}'; regenerate the project with hls4ml"
                raise ModelFormatError(msg)
            tname, size, fname = m.group(1), int(m.group(2)), f"{var}.h"
        t = self.type(tname, layer)
        vals = _read_values(self.fw, fname, var)
        if len(vals) != size:
            msg = f"layer {layer}: {fname} holds {len(vals)} values, the firmware expects {size}"
            raise ModelFormatError(msg)
        return quantize(np.array(vals, dtype=np.float64), t, context=f"layer {layer} {var}"), t

    def layer(self, func: str, targs: list[str], args: list[str], name: str) -> LayerRecord:
        if func not in _SUPPORTED_CALLS:
            msg = (f"layer {name}: nnet::{func} is not supported; supported layers: "
                   f"{', '.join(_SUPPORTED_CALLS)} (io_parallel or io_stream)")
            raise ModelFormatError(msg)
        cfg = self.configs.get(targs[-1])
        if cfg is None:
            msg = f"layer {name}: config struct {targs[-1]} not found in parameters.h"
            raise ModelFormatError(msg)
        f = cfg["fields"]
        if "io_type" in f and f["io_type"] not in _IO_TYPES:
            msg = (f"layer {name}: io_type {f['io_type']} is not supported; supported: {', '.join(_IO_TYPES)} "
                   "(convert with io_type='io_parallel' or 'io_stream')")
            raise ModelFormatError(msg)
        n_in = int(f.get("n_in", "0"))
        types = {"input": self.type(targs[0], name), "result": self.type(targs[-2], name)}
        kind = _KIND[func]
        product = cfg["using"].get("product", "mult")
        if product != "mult":
            msg = f"layer {name}: product nnet::product::{product} is not supported (only mult)"
            raise ModelFormatError(msg)
        params, extra = {}, {}
        if kind == "dense":
            n_out = int(f["n_out"])
            types["accum"] = self.type(cfg["types"].get("accum_t", ""), name)
            w, types["weight"] = self.weights(args[2].strip(), name)
            b, types["bias"] = self.weights(args[3].strip(), name)
            kernel = cfg["using"].get("kernel", "DenseLatency")
            if kernel not in _DENSE_KERNELS:
                msg = f"layer {name}: dense kernel {kernel} is not supported; supported: {', '.join(_DENSE_KERNELS)}"
                raise ModelFormatError(msg)
            rf = int(f.get("reuse_factor", "1"))
            if kernel == "DenseLatency":
                w = w.reshape(n_in, n_out)
            else:  # resource strategy stores weights transposed
                w = np.ascontiguousarray(w.reshape(n_out, n_in).T)
            order, note = resource_order(kernel, n_in, n_out, rf)
            params = {"weight": w, "bias": b}
            extra = {"reuse_factor": rf, "strategy": "latency" if kernel == "DenseLatency" else "resource",
                     "order": order, "order_note": note}
        elif kind == "batchnorm":
            n_out = n_in
            if int(f.get("n_filt", "-1")) != -1:
                msg = f"layer {name}: BatchNormalization over filters (n_filt) is not supported (Dense inputs only)"
                raise ModelFormatError(msg)
            params["scale"], types["scale"] = self.weights(args[2].strip(), name)
            params["bias"], types["bias"] = self.weights(args[3].strip(), name)
        else:
            n_out = n_in
            if kind == "leaky_relu":
                types["param"] = self.type(targs[1], name)
                try:
                    alpha = float(args[1])
                except ValueError as exc:
                    msg = f"layer {name}: leaky_relu alpha {args[1]!r} is not a number literal"
                    raise ModelFormatError(msg) from exc
                params["alpha"] = quantize(np.array(alpha), types["param"], context=f"layer {name} alpha")
            elif kind in ("sigmoid", "tanh"):
                types["table"] = self.type(cfg["types"].get("table_t", "ap_fixed<18,8>"), name)
                size = int(f.get("table_size", "1024"))
                build = sigmoid_table if kind == "sigmoid" else tanh_table
                params["table"] = build(size, types["table"])
                extra = {"table_size": size}
        io_type = "io_stream" if f.get("io_type") == "nnet::io_stream" else "io_parallel"
        return LayerRecord(name=name, kind=kind, n_in=n_in, n_out=n_out, types=types, params=params, io_type=io_type,
                           **extra)


def load_hls4ml_project(path) -> NNModel:
    """An :class:`NNModel` from an hls4ml project directory (or its ``firmware/`` directory)."""
    root = Path(path)
    if not root.is_dir():
        msg = f"{root} is not a directory; pass the hls4ml output_dir (which holds firmware/)"
        raise ModelFormatError(msg)
    prj = _Project(root)
    top = _TOP.search(prj.top_text)
    params = [(a or c, b or d) for a, b, c, d, _ in _PARAM.findall(top.group(2))]
    # weights larger than the Model BramFactor become top-level ports after the data ports (hls4ml
    # backends/fpga/fpga_backend.py / writer/vivado_writer.py write_project_cpp 'brams'); the C simulation
    # still fills them from weights/*.txt, so they are weights here, not data
    params = [p for p in params if not prj.is_weight(p[1])]
    if len(params) != 2:
        names = ", ".join(name for _, name in params)
        msg = (f"{root}: the top function has {len(params)} data arguments ({names}); only one input and one "
               "output are supported (models with several inputs or outputs are not)")
        raise ModelFormatError(msg)
    layers = []
    for func, targs, args, name in _CALL.findall(prj.top_text):
        if func.startswith("load_") or func in _CSIM_HELPERS:
            continue
        tlist = [t.strip() for t in targs.split(",")]
        alist = [a.strip() for a in args.split(",")]
        layers.append(prj.layer(func, tlist, alist, name or f"layer{len(layers)}"))
    if not layers:
        msg = f"{root}: no nnet:: layer calls found in the top function"
        raise ModelFormatError(msg)
    in_t = prj.type(params[0][0], "input")
    return NNModel(in_t, layers, source=str(root))
