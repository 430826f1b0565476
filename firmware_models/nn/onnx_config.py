"""Loader 2: an ONNX model plus an hls4ml-style configuration -> NNModel (a graph).

The configuration is what ``hls4ml.utils.config_from_*_model`` returns (a dict, or a
JSON file of it, or the ``hls4ml_config.yml`` hls4ml writes: ``HLSConfig`` inside,
``IOType`` beside it): ``Model: {Precision: {default: ...}, ReuseFactor, Strategy}`` and
optional ``LayerName: {<ONNX node name>: {Precision: {weight, bias, accum, result, scale,
param}, ReuseFactor, Strategy, TableSize, table_t}}``; each graph input's name sets its
precision. The ONNX graph's inputs and outputs are the ports, in order. Ops: Gemm, MatMul
(+ a constant Add: the bias), BatchNormalization, Relu, LeakyRelu, Sigmoid, Tanh, Add / Sub
/ Mul / Max / Min of two tensors (broadcasting as hls4ml 1.3.0's merges), Concat, and
Identity / Dropout / Flatten / Reshape / Squeeze / Unsqueeze as aliases (hls4ml makes them
in-place). hls4ml 1.3.0's conversion rules applied here (Vivado backend):

- BatchNormalization: ``scale = gamma / sqrt(var + eps)``, ``bias = beta - mean*scale``
  in the model's float precision; folded into the preceding Dense when that Dense's
  result precision is 'auto' (``model/optimizer/passes/bn_fuse.py``: W*scale,
  b*scale + bias, in float, quantized once); otherwise (and when leading) kept as
  a scale/bias layer.
- 'auto' precisions (``model/optimizer/passes/infer_precision.py``): weights, biases,
  BN scale/bias and activation results take the model default; Dense accum/result
  ``ap_fixed<Wi+Ww+ceil(log2 n_in) ...>`` widened for the bias; BN result likewise;
  LeakyReLU alpha the minimal unsigned type of at most 8 bits; merges as
  ``_infer_merge_precision`` (add/subtract: one more integer bit than the wider input,
  multiply: widths and integers add, maximum/minimum: both inputs representable) and
  ``_infer_cat_precision`` (concatenate: the same, with the first non-default modes).
- Weights are written as text with F fractional digits and floored on load
  (:data:`firmware_models.nn.model.CONVENTIONS` ``weights_txt``), reproduced here.
- Reuse factors snap to the closest valid one (``backends/fpga/fpga_backend.py``).
"""

from __future__ import annotations

import bisect
import json
import math
import warnings
from pathlib import Path

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType, quantize
from firmware_models.nn.model import NNModel
from firmware_models.nn.tables import sigmoid_table, tanh_table

__all__ = ["load_onnx", "valid_reuse_factors"]

_DEFAULT_TABLE = FixedType.parse("ap_fixed<18,8>")


def _onnx():
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError as exc:
        msg = "load_onnx needs the onnx package: pip install onnx"
        raise ModelFormatError(msg) from exc
    return onnx, numpy_helper


def _load_config(config) -> dict:
    if isinstance(config, dict):
        return config
    path = Path(config)  # hls4ml_config.yml (HLSConfig inside, IOType beside it) or the HLSConfig dict itself
    try:
        text = path.read_text()
    except OSError as exc:
        msg = f"cannot read config {path}: {exc.strerror}"
        raise ModelFormatError(msg) from exc
    if path.suffix in (".yml", ".yaml"):
        try:
            import yaml
        except ImportError as exc:
            msg = "a YAML config needs PyYAML (pip install pyyaml), or pass JSON"
            raise ModelFormatError(msg) from exc
        try:
            cfg = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            msg = f"config {path} is not valid YAML ({exc})"
            raise ModelFormatError(msg) from exc
    else:
        try:
            cfg = json.loads(text)
        except json.JSONDecodeError as exc:
            msg = f"config {path} is not valid JSON ({exc})"
            raise ModelFormatError(msg) from exc
    if not isinstance(cfg, dict):
        msg = f"config {path} must be a mapping (hls4ml's HLSConfig, or hls4ml_config.yml)"
        raise ModelFormatError(msg)
    return cfg


def valid_reuse_factors(n_in: int, n_out: int) -> list[int]:
    """hls4ml's valid reuse factors for a Dense layer (fpga_backend._validate_reuse_factor)."""
    out = []
    for rf in range(1, n_in * n_out + 1):
        mult_limit = math.ceil(n_in * n_out / min(n_in, rf))
        ok = (mult_limit % n_out == 0 or rf >= n_in) and (rf % n_in == 0 or rf < n_in) and (n_in * n_out) % rf == 0
        if ok:
            out.append(rf)
    return out


def _closest_rf(n_in: int, n_out: int, rf: int) -> int:
    valid = valid_reuse_factors(n_in, n_out)
    if rf in valid:
        return rf
    pos = bisect.bisect_left(valid, rf)
    if pos == 0:
        return valid[0]
    if pos == len(valid):
        return valid[-1]
    before, after = valid[pos - 1], valid[pos]
    return after if after - rf < rf - before else before


def _kif_type(value: float) -> FixedType:
    """hls4ml _get_precision_from_constant(value, max_width=8) (infer_precision.py / qinterval.minimal_kif)."""
    if value == 0:
        return FixedType(1, 1, False)
    f = 32
    lo, hi = -32, 32
    while lo < hi - 1:
        mid = (lo + hi) // 2
        scaled = value * 2.0**mid
        if scaled != float(int(scaled)):
            lo = mid
        else:
            hi = mid
    f = hi
    i = math.ceil(math.log2(max(value + 2.0**-f, -value)))
    k = int(value < 0)
    width = min(k + i + f, k + 8)
    return FixedType(width, k + i, bool(k))


def _txt_floor(values: np.ndarray, t: FixedType, where: str) -> np.ndarray:
    """Values as hls4ml writes them ('{:.Ff}') and the firmware reads them back (double, floored into t)."""
    digits = max(0, t.fractional)
    text = [float(f"{float(v):.{digits}f}") for v in np.asarray(values).ravel()]
    return quantize(np.array(text, dtype=np.float64), t, context=where).reshape(np.shape(values))


class _Config:
    def __init__(self, cfg: dict) -> None:
        self.io_type = str(cfg.get("IOType", "io_parallel"))
        if self.io_type not in ("io_parallel", "io_stream"):
            msg = f"config IOType {self.io_type!r} is not supported; use io_parallel or io_stream"
            raise ModelFormatError(msg)
        cfg = cfg.get("HLSConfig", cfg)
        model = cfg.get("Model", {})
        prec = model.get("Precision", {})
        default = prec.get("default", "ap_fixed<16,6>") if isinstance(prec, dict) else prec
        self.default = self.parse(default, "Model default")
        self.rf = int(model.get("ReuseFactor", 1))
        self.strategy = str(model.get("Strategy", "Latency")).lower()
        self.layers = cfg.get("LayerName", {}) or {}
        if cfg.get("LayerType"):  # hls4ml's 'type' granularity: not modelled here; ignoring it would be silent
            msg = (f"config LayerType entries ({', '.join(cfg['LayerType'])}) are not supported by load_onnx; "
                   "give per-node LayerName entries (granularity='name'), or convert with hls4ml and load the "
                   "project directory with load_hls4ml_project")
            raise ModelFormatError(msg)

    @staticmethod
    def parse(text, where: str) -> FixedType | None:
        if text is None or str(text).lower() == "auto":
            return None
        return FixedType.parse(str(text))

    def prec(self, layer: str, key: str) -> FixedType | None:
        """Explicit precision of a layer's type, None for 'auto' (absent under 'model' granularity = default)."""
        entry = self.layers.get(layer)
        if entry is None:  # 'model' granularity: every type is the default, except activation tables
            return None if (self.layers or key == "table") else self.default
        p = entry.get("Precision", {})
        if isinstance(p, str):
            p = {"result": p}
        return self.parse(p.get(key), f"layer {layer} {key}")

    def table_type(self, layer: str) -> FixedType:
        """An activation's table_t: the layer key ``table_t``, else ap_fixed<18,8>.

        hls4ml 1.3.0 applies layer-config keys ending in ``_t`` as type attributes
        (``model/layers.py`` Layer.__init__) and gives ``table_t`` the default
        ``FixedPrecisionType(18, 8)`` (``backends/vivado/vivado_backend.py``); it never reads
        ``Precision: {table: ...}`` (the key ``config_from_*_model`` writes), so that one is ignored here too.
        """
        entry = self.layers.get(layer) or {}
        t = self.parse(entry.get("table_t"), f"layer {layer} table_t") or _DEFAULT_TABLE
        p = entry.get("Precision")
        asked = self.parse(p.get("table"), f"layer {layer} table") if isinstance(p, dict) else None
        if asked is not None and asked not in (t, _DEFAULT_TABLE):  # config_from_*_model writes the default
            warnings.warn(f"layer {layer}: Precision.table {asked} is ignored by hls4ml 1.3.0 (the table is {t}); "
                          "set the layer key 'table_t' to change the table type", UserWarning, stacklevel=3)
        return t

    def get(self, layer: str, key: str, default):
        return (self.layers.get(layer) or {}).get(key, default)


def _auto_dense(tx: FixedType, tw: FixedType, tb: FixedType, n_in: int) -> FixedType:
    lg = math.ceil(math.log2(n_in)) if n_in > 0 else 0
    width, integer = tw.width + tx.width + lg, tw.integer + tx.integer + lg
    signed = tw.signed or tx.signed
    frac = width - integer
    integer = max(integer + (tb.signed and not signed), tb.integer + (signed and not tb.signed)) + 1
    width = integer + max(frac, tb.width - tb.integer)
    return FixedType(width, integer, signed or tb.signed)


def _auto_bn(tx: FixedType, ts: FixedType, tb: FixedType) -> FixedType:
    s_signed = ts.signed or tx.signed
    s_width, s_int = tx.width + ts.width, tx.integer + ts.integer
    integer = max(s_int + (tb.signed and not s_signed), tb.integer + (s_signed and not tb.signed)) + 1
    width = integer + max(s_width - s_int, tb.fractional)
    return FixedType(width, integer, s_signed or tb.signed)


_ACT = {"Relu": "relu", "LeakyRelu": "leaky_relu", "Sigmoid": "sigmoid", "Tanh": "tanh"}
_MERGE = {"Add": "add", "Sub": "subtract", "Mul": "multiply", "Max": "maximum", "Min": "minimum"}
#: ops that pass their input through unchanged (hls4ml removes them, or makes them in-place aliases)
_PASS = ("Identity", "Dropout", "Flatten", "Reshape", "Squeeze", "Unsqueeze")


def _supported_ops() -> list[str]:
    return sorted({"Gemm", "MatMul", "BatchNormalization", *list(_ACT), *list(_MERGE), "Concat", *list(_PASS)})


class _Item:
    """One layer of the float graph: kind, tensors, float data and attributes."""

    def __init__(self, name, kind, inputs, output, data=None, **attrs) -> None:
        self.name, self.kind, self.inputs, self.output = name, kind, list(inputs), output
        self.data = data or {}
        self.attrs = attrs


def _shape_of(value_info) -> tuple[int, ...] | None:
    dims = value_info.type.tensor_type.shape.dim
    vals = [d.dim_value if d.HasField("dim_value") else None for d in dims]
    if len(vals) < 2 or any(v is None or v < 1 for v in vals[1:]):
        return None
    return tuple(int(v) for v in vals[1:])


def _graph(model):
    """(float items in order, input names and shapes, output names, alias map) from the ONNX graph."""
    onnx, nh = _onnx()
    consts = {t.name: nh.to_array(t) for t in model.graph.initializer}
    alias: dict[str, str] = {}
    shapes: dict[str, tuple[int, ...]] = {}
    inputs = []
    for vi in model.graph.input:
        if vi.name in consts:
            continue
        shape = _shape_of(vi)
        inputs.append(vi.name)
        if shape is not None:
            shapes[vi.name] = shape
    items: list[_Item] = []
    producer: dict[str, _Item] = {}

    def res(name: str) -> str:
        return alias.get(name, name)

    for node in model.graph.node:
        op = node.op_type
        ins = [res(i) for i in node.input if i]
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        name = node.name or (node.output[0] if node.output else op)
        out = node.output[0] if node.output else name
        if op == "Constant":
            consts[out] = nh.to_array(node.attribute[0].t)
            continue
        if op in _PASS:
            if ins and ins[0] in consts:
                consts[out] = consts[ins[0]]
                continue
            src = ins[0]
            alias[out] = src
            if op in ("Flatten", "Squeeze", "Unsqueeze") and src in shapes:
                shapes[out] = (int(np.prod(shapes[src])),) if op == "Flatten" else shapes[src]
            elif op == "Reshape" and len(ins) > 1 and ins[1] in consts and src in shapes:
                target = [int(v) for v in np.asarray(consts[ins[1]]).reshape(-1)][1:]
                total = int(np.prod(shapes[src]))
                if -1 in target:
                    known = int(np.prod([v for v in target if v != -1]))
                    target = [total // known if v == -1 else v for v in target]
                shapes[out] = tuple(target)
            continue
        if op == "Gemm":
            w, b = consts[ins[1]], consts[ins[2]] if len(ins) > 2 else None
            if attrs.get("transA", 0) or attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0:
                msg = f"node {name}: Gemm with transA/alpha/beta != defaults is not supported"
                raise ModelFormatError(msg)
            w = w.T if attrs.get("transB", 0) else w
            b = np.zeros(w.shape[1], dtype=w.dtype) if b is None else b
            item = _Item(name, "dense", [ins[0]], out, {"weight": w, "bias": b})
        elif op == "MatMul" and len(ins) == 2 and ins[1] in consts:
            w = consts[ins[1]]
            item = _Item(name, "dense", [ins[0]], out, {"weight": w, "bias": np.zeros(w.shape[1], dtype=w.dtype)})
        elif op == "Add" and len(ins) == 2 and any(i in consts for i in ins):
            src = next(i for i in ins if i not in consts)
            prev = producer.get(src)
            if prev is None or prev.kind != "dense":
                msg = f"node {name}: Add of a constant to something else than a MatMul/Gemm output is not supported"
                raise ModelFormatError(msg)
            prev.data["bias"] = prev.data["bias"] + consts[next(i for i in ins if i in consts)]
            alias[out] = src
            continue
        elif op == "BatchNormalization":
            gamma, beta, mean, var = (consts[i] for i in ins[1:5])
            eps = attrs.get("epsilon", 1e-5)
            scale = gamma / np.sqrt(var + np.asarray(eps, dtype=var.dtype))
            item = _Item(name, "batchnorm", [ins[0]], out, {"scale": scale, "bias": beta - mean * scale})
        elif op in _ACT:
            item = _Item(name, _ACT[op], [ins[0]], out, {"alpha": attrs.get("alpha", 0.01)})
        elif op in _MERGE and len(ins) == 2 and not any(i in consts for i in ins):
            item = _Item(name, _MERGE[op], ins, out)
        elif op == "Concat" and len(ins) == 2:
            item = _Item(name, "concatenate", ins, out, axis=int(attrs.get("axis", -1)))
        else:
            msg = f"node {name}: ONNX op {op} is not supported; supported: {', '.join(_supported_ops())}"
            if node.domain.startswith("qonnx"):
                msg += ("; for a QONNX model convert it with hls4ml (convert_from_onnx_model) and load the "
                        "project directory with load_hls4ml_project")
            raise ModelFormatError(msg)
        items.append(item)
        producer[out] = item
    outputs = [res(o.name) for o in model.graph.output]
    return items, inputs, shapes, outputs


def _max_min_type(t1: FixedType, t2: FixedType) -> FixedType:
    """hls4ml infer_precision for maximum/minimum and concatenate: both inputs representable."""
    if t1 == t2:
        return t1
    signed = t1.signed or t2.signed
    i1 = t1.integer + (signed and not t1.signed)
    i2 = t2.integer + (signed and not t2.signed)
    integer = max(i1, i2)
    return FixedType(max(t1.fractional, t2.fractional) + integer, integer, signed)


def _merge_type(kind: str, t1: FixedType, t2: FixedType) -> FixedType:
    """hls4ml 1.3.0 ``_infer_merge_precision`` / ``_infer_cat_precision`` for an 'auto' result."""
    if kind in ("add", "subtract", "average"):
        integer = max(t1.integer + (t2.signed and not t1.signed), t2.integer + (t1.signed and not t2.signed)) + 1
        return FixedType(integer + max(t1.fractional, t2.fractional), integer, t1.signed or t2.signed or
                         kind == "subtract")
    if kind == "multiply":
        return FixedType(t1.width + t2.width, t1.integer + t2.integer, t1.signed or t2.signed)
    if kind == "concatenate" and t1 != t2:
        base = _max_min_type(t1, t2)
        rnd = t1.rounding if t1.rounding != "TRN" else t2.rounding
        ovf = t1.overflow if t1.overflow != "WRAP" else t2.overflow
        sat = t1.sat_bits if t1.sat_bits else t2.sat_bits
        return base.with_modes(rnd, ovf, sat)
    return _max_min_type(t1, t2)


def load_onnx(model, config=None) -> NNModel:
    """An :class:`NNModel` from an ONNX model (path or ModelProto) and an hls4ml-style config (dict or file)."""
    from firmware_models.nn.graph import Graph, Node, Port
    from firmware_models.nn.layers.dense import resource_schedule
    from firmware_models.nn.layers.merge import concat_map

    onnx, _ = _onnx()
    source = str(model) if not hasattr(model, "graph") else "onnx model"
    if not hasattr(model, "graph"):
        if Path(model).is_file() and Path(model).stat().st_size == 0:
            msg = (f"ONNX model {source} is empty (0 bytes): the export or copy did not finish; "
                   "export it again (torch.onnx.export or similar)")
            raise ModelFormatError(msg)
        try:
            model = onnx.load(str(model))
        except (OSError, onnx.onnx_cpp2py_export.checker.ValidationError) as exc:
            msg = f"cannot read ONNX model {source}: {exc}"
            raise ModelFormatError(msg) from exc
        except Exception as exc:  # protobuf's DecodeError on a corrupt file: no public base class
            if type(exc).__name__ != "DecodeError":
                raise
            msg = (f"{source} is not a valid ONNX file (protobuf could not decode it); give a .onnx model exported "
                   "by torch.onnx or similar")
            raise ModelFormatError(msg) from exc
    cfg = _Config(_load_config(config) if config is not None else {})
    items, in_names, shapes, out_names = _graph(model)
    consumers: dict[str, list[_Item]] = {}
    for it in items:
        for t in it.inputs:
            consumers.setdefault(t, []).append(it)
    # BN after a Dense whose result is 'auto' (and that only the BN reads) is folded into it, in float
    producer = {it.output: it for it in items}
    kept = []
    for it in items:
        prev = producer.get(it.inputs[0]) if it.inputs else None
        if it.kind == "batchnorm" and prev is not None and prev.kind == "dense" and prev in kept and \
                cfg.prec(prev.name, "result") is None and len(consumers.get(prev.output, [])) == 1 and \
                prev.output not in out_names:
            s, b = it.data["scale"], it.data["bias"]
            prev.data = {"weight": prev.data["weight"] * s, "bias": s * prev.data["bias"] + b}
            prev.output = it.output   # the folded layer now writes the BN's tensor
            producer[it.output] = prev
            continue
        kept.append(it)
    tensors: dict[str, tuple[tuple[int, ...], FixedType]] = {}
    ports_in = []
    for name in in_names:
        t = cfg.prec(name, "result") or cfg.default
        shape = shapes.get(name)
        if shape is None:   # the size the first dense reads
            first = next((c for c in consumers.get(name, []) if c.kind == "dense"), None)
            if first is None:
                msg = f"{source}: input {name} has no static shape and no Dense reads it"
                raise ModelFormatError(msg)
            shape = (int(first.data["weight"].shape[0]),)
        tensors[name] = (shape, t)
        ports_in.append(Port(name, shape, t, name))
    nodes = []
    for it in kept:
        name, d = it.name, cfg.default
        (sx, tx) = tensors[it.inputs[0]]
        n = int(np.prod(sx))
        types = {"input": tx}
        params, extra = {}, {"reuse_factor": int(cfg.get(name, "ReuseFactor", cfg.rf)), "io_type": cfg.io_type}
        in_shapes, out_shape = [sx], sx
        if it.kind == "dense":
            w = np.asarray(it.data["weight"])
            n_out = int(w.shape[1])
            tw, tb = cfg.prec(name, "weight") or d, cfg.prec(name, "bias") or d
            auto = _auto_dense(tx, tw, tb, n)
            types.update(weight=tw, bias=tb, accum=cfg.prec(name, "accum") or auto,
                         result=cfg.prec(name, "result") or auto)
            params = {"weight": _txt_floor(w, tw, f"layer {name} weight"),
                      "bias": _txt_floor(it.data["bias"], tb, f"layer {name} bias")}
            strategy = str(cfg.get(name, "Strategy", cfg.strategy)).lower()
            rf = extra["reuse_factor"]
            kernel = "DenseLatency"
            if strategy == "resource":
                rf = _closest_rf(n, n_out, rf)
                kernel = "DenseResource_rf_leq_nin" if rf <= n else "DenseResource_rf_gt_nin_rem0"
            extra.update(reuse_factor=rf, strategy=strategy, kernel=kernel,
                         schedule=None if kernel == "DenseLatency" else resource_schedule(kernel, n, n_out, rf))
            in_shapes, out_shape = [(n,)], (n_out,)
        elif it.kind == "batchnorm":
            ts, tb = cfg.prec(name, "scale") or d, cfg.prec(name, "bias") or d
            types.update(scale=ts, bias=tb, result=cfg.prec(name, "result") or _auto_bn(tx, ts, tb))
            params = {"scale": _txt_floor(it.data["scale"], ts, f"layer {name} scale"),
                      "bias": _txt_floor(it.data["bias"], tb, f"layer {name} bias")}
            in_shapes, out_shape = [(n,)], (n,)
        elif it.kind in ("relu", "leaky_relu", "sigmoid", "tanh"):
            types["result"] = cfg.prec(name, "result") or d
            if it.kind == "leaky_relu":
                alpha = float(it.data["alpha"])
                types["param"] = cfg.prec(name, "param") or _kif_type(alpha)
                params["alpha"] = quantize(np.array(alpha), types["param"], context=f"layer {name} alpha")
            elif it.kind in ("sigmoid", "tanh"):
                types["table"] = cfg.table_type(name)
                size = int(cfg.get(name, "TableSize", 1024))
                params["table"] = (sigmoid_table if it.kind == "sigmoid" else tanh_table)(size, types["table"])
                extra["table_size"] = size
        else:   # merges
            (s2, t2) = tensors[it.inputs[1]]
            types["input2"] = t2
            types["result"] = cfg.prec(name, "result") or _merge_type(it.kind, tx, t2)
            in_shapes = [sx, s2]
            if it.kind == "concatenate":
                if len(sx) != len(s2):
                    msg = f"layer {name}: Concat of tensors of ranks {len(sx)} and {len(s2)}"
                    raise ModelFormatError(msg)
                axis = it.attrs["axis"]
                axis = axis - 1 if axis > 0 else len(sx) + axis   # ONNX counts the batch axis
                if not 0 <= axis < len(sx) or any(sx[k] != s2[k] for k in range(len(sx)) if k != axis):
                    msg = f"layer {name}: Concat of shapes {sx} and {s2} along axis {it.attrs['axis']}"
                    raise ModelFormatError(msg)
                out_shape = tuple(sx[k] + s2[k] if k == axis else sx[k] for k in range(len(sx)))
                extra.update(axis=axis, map=concat_map(sx, s2, axis))
            else:
                n1, n2 = int(np.prod(sx)), int(np.prod(s2))
                big = max(n1, n2)
                if big % n1 or big % n2:
                    msg = f"layer {name}: {it.kind} of {n1} and {n2} values does not broadcast"
                    raise ModelFormatError(msg)
                out_shape = sx if n1 >= n2 else s2
                extra["variant"] = "broadcast_cast" if it.kind in ("maximum", "minimum") else "broadcast"
        node = Node(name=name, kind=it.kind, inputs=tuple(it.inputs), output=it.output, types=types, params=params,
                    attrs=extra, in_shapes=tuple(tuple(s) for s in in_shapes), out_shape=tuple(out_shape))
        nodes.append(node)
        tensors[it.output] = (node.out_shape, types["result"])
    producers = {n.output: n for n in nodes}
    ports_out = []
    for name in out_names:
        if name not in producers:
            msg = f"{source}: graph output {name} is written by no supported layer"
            raise ModelFormatError(msg)
        n = producers[name]
        ports_out.append(Port(n.name, n.out_shape, n.types["result"], name))
    return NNModel(Graph(ports_in, ports_out, nodes, source=source), source=source)
