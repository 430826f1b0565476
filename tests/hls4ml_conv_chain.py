"""Test helper: run an hls4ml project's layers by hand through the conv-family pure functions.

Parses only what the golden tests need from a committed project (``firmware/``: the top
function's ``nnet::`` calls in order, ``auto&`` aliases, typedefs of ``defines.h``, the config
structs of ``parameters.h``, ``weights/*.txt`` floored into their types, and the fill_buffer
classes of ``nnet_code_gen.h``), then calls :mod:`firmware_models.nn.conv`,
:mod:`~firmware_models.nn.pooling`, :mod:`~firmware_models.nn.reshape_ops` and
:mod:`~firmware_models.nn.batchnorm_channels`; ReLU, Add and Dense (a 1-pixel conv) are done
here with :mod:`firmware_models.fixed`. The real loader is the graph model's; this only lets
the kernels be checked against hls4ml's own outputs layer by layer.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np

from firmware_models.fixed import FixedType, add, cast, quantize
from firmware_models.nn import batchnorm_channels, conv, pooling, reshape_ops

_CALL = re.compile(r"^\s*nnet::(\w+)<([^;]*?)>\s*\(([^;]*)\)\s*;\s*//\s*(\S+)", re.M)
_ALIAS = re.compile(r"auto&\s*(\w+)\s*=\s*(\w+)\s*;")
_TYPEDEF = re.compile(r"typedef\s+(.+?)\s+(\w+)\s*;")
_STRUCT = re.compile(r"struct\s+(\w+)\s*:\s*nnet::\w+\s*\{(.*?)\n\};", re.S)
_CONST = re.compile(r"static const (?:unsigned|bool|int)\s+(\w+)\s*=\s*([^;]+);")
_ENUM = re.compile(r"static const (?:unsigned|nnet::\w+|nnet::conv_implementation)\s+(\w+)\s*=\s*nnet::(?:\w+::)?(\w+);")


def _eval(expr: str, env: dict) -> int:
    expr = expr.replace("true", "1").replace("false", "0")
    expr = re.sub(r"DIV_ROUNDUP\(([^,]+),([^)]+)\)", r"(-(-(\1)//(\2)))", expr).replace("/", "//").replace("////", "//")
    expr = re.sub(r"\(n_filt == -1\) \? n_in : n_filt", "n_filt", expr)
    return int(eval(expr, {"__builtins__": {}}, env))  # noqa: S307 - our own committed headers, ints only


class Project:
    """The parsed pieces of one committed hls4ml project."""

    def __init__(self, case_dir: Path):
        fw = case_dir / "firmware"
        self.fw = fw
        self.types = {n: FixedType.parse(re.sub(r"^nnet::array<(.*),\s*[\w*]+>$", r"\1", t))
                      for t, n in _TYPEDEF.findall((fw / "defines.h").read_text()) if "<" in t}  # io_stream packs
        params = (fw / "parameters.h").read_text()
        self.configs: dict[str, dict] = {}
        for name, body in _STRUCT.findall(params):
            env: dict = {}
            for k, v in _ENUM.findall(body):
                env[k] = v
            for k, v in _CONST.findall(body):
                if k not in env:
                    try:
                        env[k] = _eval(v, {a: b for a, b in env.items() if isinstance(b, int)})
                    except Exception:  # noqa: BLE001 - constants the tests do not use
                        pass
            for t, k in _TYPEDEF.findall(body):
                env[k] = t
            fb = re.search(r"using fill_buffer = (?:\w+::)*(fill_buffer_\w+)<", body)
            env["fill_buffer"] = fb.group(1) if fb else None
            mk = re.search(r"using kernel = (?:\w+::)*(\w+)<", body)
            env["kernel"] = mk.group(1) if mk else None
            self.configs[name] = env
        cpp = next(p for p in fw.glob("*.cpp"))
        src = cpp.read_text()
        self.calls = _CALL.findall(src)
        self.aliases = dict(_ALIAS.findall(src))
        top = re.search(r"void\s+\w+\s*\((.*?)\)\s*\{", src, re.S).group(1)
        args = [a.strip() for a in top.split(",") if a.strip()]
        names = [re.search(r"(\w+)\s*(?:\[|$)", a.split("&")[-1]).group(1) for a in args]
        self.input_name, self.output_names = names[0], names[1:]
        self.stream = "hls::stream" in top
        code_gen = fw / "nnet_code_gen.h"
        self.code_gen = code_gen.read_text() if code_gen.exists() else ""
        self.cache: dict = {}

    def weights(self, var: str, t: FixedType) -> np.ndarray:
        key = ("w", var, t)
        if key not in self.cache:
            self.cache[key] = self._weights(var, t)
        return self.cache[key]

    def _weights(self, var: str, t: FixedType) -> np.ndarray:
        text = (self.fw / "weights" / f"{var}.txt").read_text()
        vals = np.array([float(tok) for tok in text.split(",") if tok.strip()], dtype=np.float64)
        return quantize(vals, t, context=var)


@functools.lru_cache(maxsize=16)
def _project(case_dir: Path) -> Project:
    return Project(case_dir)


def _shape_of(cfg: dict, two_d: bool, prefix: str = "in") -> tuple:
    if two_d:
        return (cfg[f"{prefix}_height"], cfg[f"{prefix}_width"], cfg["n_chan"])
    return (cfg[f"{prefix}_width"], cfg["n_chan"])


def run(case_dir: Path, x: np.ndarray) -> tuple[dict, dict]:
    """(top-function outputs keyed by the layer that writes them, every layer's output by the call's
    comment name), raw int64; an output behind a kind the helper does not model is None."""
    p = _project(Path(case_dir).resolve())
    vals = {p.input_name: np.asarray(x, dtype=np.int64).reshape(len(x), -1)}
    layers: dict[str, np.ndarray] = {}
    writer: dict[str, str] = {}
    n = len(x)
    for func, targs, cargs, label in p.calls:
        if func in ("save_layer_output", "load_weights_from_txt"):
            continue
        ta = [a.strip() for a in targs.split(",")]
        args = [a.strip() for a in cargs.split(",")]
        get = (lambda v: vals[p.aliases.get(v, v)])
        cfg = p.configs.get(ta[-1], {})
        if func in ("clone_stream",):
            for dst in args[1:]:
                vals[dst] = get(args[0])
            continue
        if func in ("repack_stream",):
            vals[args[1]] = get(args[0])
            continue
        t_in, t_out = p.types[ta[0]], p.types[ta[-2]]
        src = get(args[0])
        if func.startswith("zeropad"):
            two = func.startswith("zeropad2d")
            pads = (cfg["pad_top"], cfg["pad_bottom"], cfg["pad_left"], cfg["pad_right"]) if two else \
                (cfg["pad_left"], cfg["pad_right"])
            m, shp = reshape_ops.zeropad_map(_shape_of(cfg, two), pads)
            out = reshape_ops.gather_cast(src, m, shp, t_in=t_in, t_result=t_out)
        elif func == "normalize":
            ts, tb = p.types[cfg["scale_t"]], p.types[cfg["bias_t"]]
            out = batchnorm_channels.batchnorm(src, p.weights(args[2], ts), p.weights(args[3], tb), t_in=t_in,
                                               t_scale=ts, t_bias=tb, t_result=t_out)
        elif func in ("conv_2d_cl", "pointwise_conv_2d_cl", "conv_1d_cl", "pointwise_conv_1d_cl", "dense"):
            out = _conv_call(p, func, cfg, src, args, t_in, t_out)
        elif func == "relu":
            out = cast(np.maximum(src, 0), t_in, t_out, check=False)
        elif func in ("pooling2d_cl", "pooling1d_cl", "global_pooling2d_cl", "global_pooling1d_cl"):
            out = _pool_call(p, func, cfg, src, t_in, t_out)
        elif func == "add":
            t2 = p.types[ta[1]]
            t_out = p.types[ta[2]]
            s, ts = add(src, t_in, get(args[1]), t2)
            out = cast(s, ts, t_out, check=False)
            args = [args[0], args[2]]
        else:  # softmax and other kinds this helper does not model: the value stays unknown
            out = None
        if out is not None:
            out = np.asarray(out, dtype=np.int64).reshape(n, -1)
            layers[label] = out
        vals[args[1]] = out
        writer[args[1]] = label
    return {writer.get(name, name): vals.get(name) for name in p.output_names}, layers


def _conv_call(p: Project, func, cfg, src, args, t_in, t_out):
    if func == "dense":
        n_in, n_out = cfg["n_in"], cfg["n_out"]
        imap, k, f = np.arange(n_in)[None, :], n_in, n_out
        transposed = cfg.get("strategy") in ("resource", "resource_unrolled")
        tw, tb, ta = p.types[cfg["weight_t"]], p.types[cfg["bias_t"]], p.types[cfg["accum_t"]]
        w = conv.weights_logical(p.weights(args[2], tw), k, f, transposed=transposed)
        if transposed and cfg["reuse_factor"] > 1:
            raise NotImplementedError("dense resource order is the graph model's (issue 9)")
        return conv.conv(src, imap, w, p.weights(args[3], tb), t_in=t_in, t_weight=tw, t_bias=tb, t_accum=ta,
                         t_result=t_out)
    two = "2d" in func
    shape = _shape_of(cfg, two)
    kernel = (cfg["filt_height"], cfg["filt_width"]) if two else (cfg["filt_width"],)
    stride = (cfg["stride_height"], cfg["stride_width"]) if two else (cfg["stride_width"],)
    pads = (cfg["pad_top"], cfg["pad_bottom"], cfg["pad_left"], cfg["pad_right"]) if two else \
        (cfg["pad_left"], cfg["pad_right"])
    key = ("imap", args[2])
    if key in p.cache:
        imap = p.cache[key]
    elif cfg.get("fill_buffer") and cfg["fill_buffer"] != "FillConv1DBuffer" and p.code_gen:
        imap = conv.parse_fill_buffer(p.code_gen, cfg["fill_buffer"])          # the generated C++ (io_parallel)
        geo = conv.im2col_map(shape, kernel, stride, pads)
        assert np.array_equal(imap, geo), "fill_buffer code differs from hls4ml's im2col geometry"
    else:
        imap = conv.im2col_map(shape, kernel, stride, pads)                   # io_stream: the window order
    p.cache[key] = imap
    k, f = imap.shape[1], cfg["n_filt"]
    mult = p.configs[cfg["mult_config"]]
    tw, tb, ta = p.types[mult["weight_t"]], p.types[mult["bias_t"]], p.types[mult["accum_t"]]
    resource = cfg["strategy"] in ("resource", "resource_unrolled")
    w = conv.weights_logical(p.weights(args[2], tw), k, f, transposed=resource)
    order = conv.resource_tap_order(k, f, cfg["reuse_factor"]) if resource else None
    if resource and mult.get("kernel") not in (None, "DenseResource_rf_leq_nin"):
        raise NotImplementedError(f"io_stream conv kernel {mult.get('kernel')}")
    return conv.conv(src, imap, w, p.weights(args[3], tb), t_in=t_in, t_weight=tw, t_bias=tb, t_accum=ta,
                     t_result=t_out, order=order)


def _pool_call(p: Project, func, cfg, src, t_in, t_out):
    op = "max" if cfg["pool_op"] == "Max" else "average"
    variant = "stream" if p.stream else "v1.3"
    ta = p.types.get(cfg.get("accum_t"), t_in)
    if func.startswith("global"):
        shape = (cfg["in_height"] * cfg["in_width"], cfg["n_filt"]) if "2d" in func else (cfg["n_in"], cfg["n_filt"])
        return pooling.pool(src, shape, 1, op=op, t_in=t_in, t_result=t_out, t_accum=ta, global_=True,
                            variant=variant)
    if "2d" in func:
        shape = (cfg["in_height"], cfg["in_width"], cfg["n_filt"])
        ps, st = (cfg["pool_height"], cfg["pool_width"]), (cfg["stride_height"], cfg["stride_width"])
        pad = (cfg["pad_top"], cfg["pad_bottom"], cfg["pad_left"], cfg["pad_right"])
    else:
        shape, ps, st, pad = (cfg["n_in"], cfg["n_filt"]), cfg["pool_width"], cfg["stride_width"], \
            (cfg["pad_left"], cfg["pad_right"])
    return pooling.pool(src, shape, ps, st, pad, op=op, t_in=t_in, t_result=t_out, t_accum=ta,
                        count_pad=bool(cfg.get("count_pad", 0)), variant=variant)
