"""Loader 2: an ONNX model plus an hls4ml-style configuration -> NNModel.

The configuration is what ``hls4ml.utils.config_from_*_model`` returns (a dict,
or a JSON/YAML file of it): ``Model: {Precision: {default: ...}, ReuseFactor,
Strategy}`` and optional ``LayerName: {<ONNX node name>: {Precision: {weight,
bias, accum, result, scale, param}, ReuseFactor, Strategy, TableSize, table_t}}``;
the graph input's name sets the input precision. hls4ml 1.3.0's conversion
rules applied here (Vivado backend):

- BatchNormalization: ``scale = gamma / sqrt(var + eps)``, ``bias = beta - mean*scale``
  in the model's float precision; folded into the preceding Dense when that Dense's
  result precision is 'auto' (``model/optimizer/passes/bn_fuse.py``: W*scale,
  b*scale + bias, in float, quantized once); otherwise (and when leading) kept as
  a scale/bias layer.
- 'auto' precisions (``model/optimizer/passes/infer_precision.py``): weights, biases,
  BN scale/bias and activation results take the model default; Dense accum/result
  ``ap_fixed<Wi+Ww+ceil(log2 n_in) ...>`` widened for the bias; BN result likewise;
  LeakyReLU alpha the minimal unsigned type of at most 8 bits.
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
from firmware_models.nn.hls4ml_project import resource_order
from firmware_models.nn.model import LayerRecord, NNModel
from firmware_models.nn.tables import sigmoid_table, tanh_table

__all__ = ["load_onnx", "valid_reuse_factors"]

_SUPPORTED_OPS = ("Gemm", "MatMul(+Add)", "BatchNormalization", "Relu", "LeakyRelu", "Sigmoid", "Tanh",
                  "Identity", "Flatten")
_DEFAULT_TABLE = FixedType.parse("ap_fixed<18,8>")
_ACT = {"Relu": "relu", "LeakyRelu": "leaky_relu", "Sigmoid": "sigmoid", "Tanh": "tanh"}


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
    path = Path(config)
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
        cfg = yaml.safe_load(text)
        return cfg.get("HLSConfig", cfg)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"config {path} is not valid JSON ({exc})"
        raise ModelFormatError(msg) from exc


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


def _graph(model):
    """Float layer list [(name, op, data)] from the ONNX graph (Identity/Flatten dropped, MatMul+Add joined)."""
    onnx, nh = _onnx()
    init = {t.name: nh.to_array(t) for t in model.graph.initializer}
    alias: dict[str, str] = {}
    consts = dict(init)
    for node in model.graph.node:
        if node.op_type == "Constant":
            consts[node.output[0]] = nh.to_array(node.attribute[0].t)
    out = []
    for node in model.graph.node:
        ins = [alias.get(i, i) for i in node.input]
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        op = node.op_type
        if op in ("Identity", "Flatten", "Constant"):
            if ins and ins[0] in consts:
                consts[node.output[0]] = consts[ins[0]]
            elif ins:
                alias[node.output[0]] = ins[0]
            continue
        if op == "Gemm":
            w, b = consts[ins[1]], consts[ins[2]] if len(ins) > 2 else None
            if attrs.get("transA", 0) or attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0:
                msg = f"node {node.name}: Gemm with transA/alpha/beta != defaults is not supported"
                raise ModelFormatError(msg)
            w = w.T if attrs.get("transB", 0) else w
            b = np.zeros(w.shape[1], dtype=w.dtype) if b is None else b
            out.append([node.name, "dense", {"weight": w, "bias": b}])
        elif op == "MatMul" and ins[1] in consts:
            w = consts[ins[1]]
            out.append([node.name, "dense", {"weight": w, "bias": np.zeros(w.shape[1], dtype=w.dtype)}])
        elif op == "Add" and out and out[-1][1] == "dense" and any(i in consts for i in ins):
            c = consts[next(i for i in ins if i in consts)]
            out[-1][2]["bias"] = out[-1][2]["bias"] + c
        elif op == "BatchNormalization":
            gamma, beta, mean, var = (consts[i] for i in ins[1:5])
            eps = attrs.get("epsilon", 1e-5)
            scale = gamma / np.sqrt(var + np.asarray(eps, dtype=var.dtype))
            out.append([node.name, "batchnorm", {"scale": scale, "bias": beta - mean * scale}])
        elif op in _ACT:
            out.append([node.name, _ACT[op], {"alpha": attrs.get("alpha", 0.01)}])
        else:
            msg = f"node {node.name}: ONNX op {op} is not supported; supported: {', '.join(_SUPPORTED_OPS)}"
            if node.domain.startswith("qonnx"):
                msg += ("; for a QONNX model convert it with hls4ml (convert_from_onnx_model) and load the "
                        "project directory with load_hls4ml_project")
            raise ModelFormatError(msg)
        alias[node.output[0]] = node.output[0]
    return out


def load_onnx(model, config=None) -> NNModel:
    """An :class:`NNModel` from an ONNX model (path or ModelProto) and an hls4ml-style config (dict or file)."""
    onnx, _ = _onnx()
    source = str(model) if not hasattr(model, "graph") else "onnx model"
    if not hasattr(model, "graph"):
        try:
            model = onnx.load(str(model))
        except (OSError, onnx.onnx_cpp2py_export.checker.ValidationError) as exc:
            msg = f"cannot read ONNX model {source}: {exc}"
            raise ModelFormatError(msg) from exc
        except Exception as exc:  # protobuf's DecodeError on a corrupt file: no public base class
            if type(exc).__name__ != "DecodeError":
                raise
            msg = f"{source} is not a valid ONNX file (protobuf could not decode it); give a .onnx model exported by torch.onnx or similar"
            raise ModelFormatError(msg) from exc
    cfg = _Config(_load_config(config) if config is not None else {})
    items = _graph(model)
    in_name = model.graph.input[0].name
    in_t = cfg.prec(in_name, "result") or cfg.default
    n_in = int(items[0][2]["weight"].shape[0]) if items and items[0][1] == "dense" else \
        int(model.graph.input[0].type.tensor_type.shape.dim[-1].dim_value)
    # BN after a Dense whose result is 'auto' is folded into it (float), before any quantization
    folded = []
    for item in items:
        prev = folded[-1] if folded else None
        if item[1] == "batchnorm" and prev is not None and prev[1] == "dense" and cfg.prec(prev[0], "result") is None:
            s, b = item[2]["scale"], item[2]["bias"]
            prev[2] = {"weight": prev[2]["weight"] * s, "bias": s * prev[2]["bias"] + b}
            continue
        folded.append(item)
    layers, tx, n = [], in_t, n_in
    for name, kind, data in folded:
        d = cfg.default
        types = {"input": tx}
        params, extra = {}, {}
        if kind == "dense":
            w = np.asarray(data["weight"])
            n_out = w.shape[1]
            tw, tb = cfg.prec(name, "weight") or d, cfg.prec(name, "bias") or d
            auto = _auto_dense(tx, tw, tb, n)
            ta, tr = cfg.prec(name, "accum") or auto, cfg.prec(name, "result") or auto
            types.update(weight=tw, bias=tb, accum=ta, result=tr)
            params = {"weight": _txt_floor(w, tw, f"layer {name} weight"),
                      "bias": _txt_floor(data["bias"], tb, f"layer {name} bias")}
            strategy = str(cfg.get(name, "Strategy", cfg.strategy)).lower()
            rf = int(cfg.get(name, "ReuseFactor", cfg.rf))
            kernel = "DenseLatency"
            if strategy == "resource":
                rf = _closest_rf(n, n_out, rf)
                kernel = "DenseResource_rf_leq_nin" if rf <= n else "DenseResource_rf_gt_nin_rem0"
            order, note = resource_order(kernel, n, n_out, rf)
            extra = {"reuse_factor": rf, "strategy": strategy, "order": order, "order_note": note}
        else:
            n_out = n
            extra = {"reuse_factor": int(cfg.get(name, "ReuseFactor", cfg.rf))}  # hls4ml writes it on every layer
            if kind == "batchnorm":
                ts, tb = cfg.prec(name, "scale") or d, cfg.prec(name, "bias") or d
                tr = cfg.prec(name, "result") or _auto_bn(tx, ts, tb)
                types.update(scale=ts, bias=tb, result=tr)
                params = {"scale": _txt_floor(data["scale"], ts, f"layer {name} scale"),
                          "bias": _txt_floor(data["bias"], tb, f"layer {name} bias")}
            else:
                types["result"] = cfg.prec(name, "result") or d
                if kind == "leaky_relu":
                    alpha = float(data["alpha"])
                    types["param"] = cfg.prec(name, "param") or _kif_type(alpha)
                    params["alpha"] = quantize(np.array(alpha), types["param"], context=f"layer {name} alpha")
                elif kind in ("sigmoid", "tanh"):
                    types["table"] = cfg.table_type(name)
                    size = int(cfg.get(name, "TableSize", 1024))
                    params["table"] = (sigmoid_table if kind == "sigmoid" else tanh_table)(size, types["table"])
                    extra["table_size"] = size
        layers.append(LayerRecord(name=name, kind=kind, n_in=n, n_out=n_out, types=types, params=params, **extra))
        tx, n = types["result"], n_out
    return NNModel(in_t, layers, source=source)
