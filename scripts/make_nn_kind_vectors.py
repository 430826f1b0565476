"""Golden vectors for the graph layer kinds from hls4ml's own nnet_utils, compiled with g++.

The real cms-hls4ml folders exercise dense, relu, linear, sigmoid, batchnorm, subtract, dot1d and
da4ml code (tests/golden/cms). This script covers the rest of what the project loader reads, with
hls4ml's C++ as the reference: it writes small hls4ml-style projects (ours: defines.h,
parameters.h, weights.h, a top .cpp, and for distributed arithmetic a code_gen.h of project code) that call

- every merge of hls4ml 1.3.0 (add/subtract/multiply/average/maximum/minimum incl. broadcasting,
  concatenate1d/2d/3d on every axis, dot1d with a rounding, saturating accumulator);
- the same merges in the older nnet_merge.h generation (element-wise, average by (res_T)2,
  maximum/minimum selecting the operands), from ``AXOL1TL_v5/NN/nnet_utils`` in ../shared;
- dense with the resource kernels (rf_leq_nin, rf_gt_nin_rem0 in 1.3.0's ``using kernel``; the
  older strategy branch that reaches rf_gt_nin) and rounding/saturating accumulators;
- straight-line distributed-arithmetic code using 1.3.0's ``nnet::bit_shift``;
- several input and output ports and ``auto&`` aliases,

compiles each with g++ against hls4ml 1.3.0's ap_types and nnet_utils (from the installed
hls4ml or the wheel given with ``--hls4ml``), runs it on seeded uniform and edge raw inputs, and
writes ``tests/golden/nn_kinds/<case>/`` (the project, without nnet_utils) + ``vectors.npz`` +
``manifest.json`` (tool versions, the nnet_utils used and its sha256s, seeds, file hashes).
Nothing upstream is copied: nnet_utils and ap_types are include paths only.

    python3 scripts/make_nn_kind_vectors.py --hls4ml hls4ml-1.3.0-py3-none-any.whl [--shared ../shared]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "golden" / "nn_kinds"
N_UNIFORM, N_EDGE = 2500, 500

sys.path.insert(0, str(ROOT))
from firmware_models.fixed import FixedType, quantize  # noqa: E402


def T(text: str) -> FixedType:  # noqa: N802
    return FixedType.parse(text)


# --------------------------------------------------------------------------- case descriptions
def _merges_130() -> dict:
    ins = [("a", 8, "ap_fixed<10,4,AP_RND,AP_SAT>"), ("b", 8, "ap_ufixed<9,3>"), ("c", 1, "ap_fixed<6,2>")]
    layers = [
        ("add", "merge", ["a", "b"], "r_add", 8, "ap_fixed<9,3,AP_RND_CONV,AP_SAT>", {}),
        ("subtract", "merge", ["b", "a"], "r_sub", 8, "ap_fixed<12,5>", {}),
        ("multiply", "merge", ["a", "b"], "r_mul", 8, "ap_fixed<10,4,AP_RND_ZERO,AP_SAT_SYM>", {}),
        ("average", "merge", ["a", "b"], "r_avg", 8, "ap_fixed<8,3,AP_RND,AP_WRAP>", {}),
        ("maximum", "merge", ["a", "b"], "r_max", 8, "ap_fixed<8,2,AP_TRN,AP_SAT>", {}),
        ("minimum", "merge", ["a", "b"], "r_min", 8, "ap_ufixed<7,3,AP_RND_INF,AP_SAT>", {}),
        ("add", "merge", ["a", "c"], "r_bcast", 8, "ap_fixed<10,5>", {"n1": 8, "n2": 1}),
        ("concatenate1d", "concat", ["a", "b"], "r_cat", 16, "ap_fixed<12,5,AP_RND,AP_SAT>",
         {"s1": (8,), "s2": (8,), "axis": -1}),
        ("dot1d", "dot", ["a", "a"], "r_dot", 1, "ap_fixed<12,8>", {"accum": "ap_fixed<14,7,AP_RND,AP_SAT>"}),
    ]
    return {"ins": ins, "layers": layers, "outs": [la[3] for la in layers], "utils": "1.3.0", "old_merge": False}


def _merges_old() -> dict:
    ins = [("a", 8, "ap_fixed<10,4,AP_RND,AP_SAT>"), ("b", 8, "ap_fixed<10,4,AP_RND,AP_SAT>"),
           ("d", 8, "ap_ufixed<9,3>")]
    layers = [
        ("add", "merge", ["a", "d"], "r_add", 8, "ap_fixed<9,3,AP_RND_CONV,AP_SAT>", {}),
        ("subtract", "merge", ["a", "d"], "r_sub", 8, "ap_fixed<12,5>", {}),
        ("multiply", "merge", ["a", "d"], "r_mul", 8, "ap_fixed<10,4,AP_RND_ZERO,AP_SAT_SYM>", {}),
        ("average", "merge", ["a", "d"], "r_avg", 8, "ap_fixed<8,3>", {}),
        ("average", "merge", ["a", "b"], "r_avg2", 8, "ap_fixed<10,6,AP_RND,AP_SAT>", {}),
        ("maximum", "merge", ["a", "b"], "r_max", 8, "ap_fixed<10,4,AP_RND,AP_SAT>", {}),
        ("minimum", "merge", ["a", "b"], "r_min", 8, "ap_fixed<10,4,AP_RND,AP_SAT>", {}),
        ("dot1d", "dot", ["a", "d"], "r_dot", 1, "ap_fixed<12,8>", {"accum": "ap_fixed<16,8,AP_RND,AP_SAT>"}),
    ]
    return {"ins": ins, "layers": layers, "outs": [la[3] for la in layers], "utils": "AXOL1TL_v5", "old_merge": True}


def _concat_nd() -> dict:
    ins = [("p", 6, "ap_fixed<8,3>"), ("q", 8, "ap_fixed<9,4,AP_RND,AP_SAT>"), ("r", 6, "ap_ufixed<7,2>"),
           ("u", 12, "ap_fixed<8,3>"), ("v", 12, "ap_fixed<6,4,AP_RND,AP_SAT>")]
    layers = [
        ("concatenate2d", "concat", ["p", "q"], "c2_last", 14, "ap_fixed<10,5>", {"s1": (2, 3), "s2": (2, 4), "axis": -1}),
        ("concatenate2d", "concat", ["p", "r"], "c2_first", 12, "ap_fixed<9,4>", {"s1": (2, 3), "s2": (2, 3), "axis": 1}),
        ("concatenate3d", "concat", ["u", "v"], "c3_last", 24, "ap_fixed<9,4>", {"s1": (2, 3, 2), "s2": (2, 3, 2),
                                                                                "axis": -1}),
        ("concatenate3d", "concat", ["u", "v"], "c3_mid", 24, "ap_fixed<9,4>", {"s1": (2, 3, 2), "s2": (2, 3, 2),
                                                                               "axis": 2}),
        ("concatenate3d", "concat", ["u", "v"], "c3_first", 24, "ap_fixed<7,3,AP_RND,AP_SAT>",
         {"s1": (2, 3, 2), "s2": (2, 3, 2), "axis": 1}),
    ]
    return {"ins": ins, "layers": layers, "outs": [la[3] for la in layers], "utils": "1.3.0", "old_merge": False}


def _dense_resource(utils: str) -> dict:
    ins = [("x", 6 if utils == "1.3.0" else 4, "ap_fixed<10,3>")]
    if utils == "1.3.0":
        dense = [(6, 4, 3, "DenseResource_rf_leq_nin", "ap_fixed<12,4,AP_RND,AP_SAT>", "ap_fixed<10,4>"),
                 (4, 4, 8, "DenseResource_rf_gt_nin_rem0", "ap_fixed<10,3,AP_RND_CONV,AP_SAT>", "ap_fixed<10,3>"),
                 (4, 3, 1, "DenseLatency", "ap_fixed<11,4,AP_RND,AP_SAT>", "ap_fixed<12,5>")]
    else:   # the older strategy branch: dense_resource picks the kernel from RF (rf_gt_nin reachable)
        dense = [(4, 6, 6, "resource", "ap_fixed<9,3,AP_RND,AP_SAT>", "ap_fixed<10,4>"),
                 (6, 4, 12, "resource", "ap_fixed<10,4,AP_RND_ZERO,AP_SAT_SYM>", "ap_fixed<10,3>"),
                 (4, 2, 2, "resource", "ap_fixed<9,2,AP_RND,AP_SAT>", "ap_fixed<12,5>")]
    layers, src = [], "x"
    for k, (n_in, n_out, rf, kernel, accum, res) in enumerate(dense):
        out = f"d{k}"
        layers.append(("dense", "dense", [src], out, n_out, res,
                       {"n_in": n_in, "rf": rf, "kernel": kernel, "accum": accum, "w": "ap_fixed<6,2>",
                        "bias": "ap_fixed<6,2>"}))
        if k == 0:
            layers.append(("relu", "act", [out], "a0", n_out, "ap_ufixed<8,3,AP_RND,AP_SAT>", {}))
            src = "a0"
        else:
            src = out
    return {"ins": ins, "layers": layers, "outs": [layers[-1][3], "a0"], "utils": utils, "old_merge": utils != "1.3.0"}


def _dense_da() -> dict:
    ins = [("x", 4, "ap_fixed<8,3,AP_RND,AP_SAT>")]
    code1 = """    ap_fixed<10, 4> v0 = bit_shift<-1>(inp[0]) - bit_shift<-3>(inp[1]);
    ap_ufixed<8, 2> v1 = bit_shift<-2>(inp[2]) + inp[3];
    ap_fixed<12, 6, AP_RND, AP_SAT> v2 = -bit_shift<2>(v0) + bit_shift<-4>(v1) + ap_ufixed<1, -1>(0.25);
    ap_fixed<9, 3, AP_RND_CONV, AP_SAT> v3 = v0 * v1 - ap_fixed<3, 0>(-0.375);
    ap_fixed<10, 5> v4 = -bit_shift<1>(inp[1]) - bit_shift<-5>(v2) + ap_fixed<1, -2>(-0.125);
    out[0] = v2;
    out[1] = v3 + v4;
    out[2] = bit_shift<-1>(v4);
"""
    code2 = """    ap_fixed<9, 4> v0 = bit_shift<-1>(inp[0]) + bit_shift<-2>(inp[1]) - inp[2];
    ap_fixed<8, 3, AP_RND, AP_SAT> v1 = -bit_shift<1>(v0) + ap_ufixed<2, 0>(0.75);
    out[0] = v1;
    out[1] = v0 - bit_shift<-3>(inp[2]);
"""
    layers = [("da", "da", ["x"], "h", 3, "ap_fixed<10,4,AP_RND_CONV,AP_SAT>", {"fn": "dense_da_1", "n_in": 4,
                                                                                "code": code1}),
              ("relu", "act", ["h"], "hr", 3, "ap_ufixed<7,3,AP_RND,AP_SAT>", {}),
              ("da", "da", ["hr"], "y", 2, "ap_fixed<9,4,AP_RND,AP_SAT>", {"fn": "dense_da_2", "n_in": 3,
                                                                           "code": code2})]
    return {"ins": ins, "layers": layers, "outs": ["y", "h"], "utils": "1.3.0", "old_merge": False}


def _activations_130() -> dict:
    x = "ap_fixed<10,4,AP_RND,AP_SAT>"
    sm = {"exp_table_t": "ap_fixed<18,8,AP_RND,AP_SAT>", "inv_table_t": "ap_fixed<18,8,AP_RND,AP_SAT>",
          "accum_t": "ap_fixed<18,10>", "inv_inp_t": "ap_fixed<18,10>", "inp_norm_t": "ap_ufixed<14,6>"}
    layers = [
        ("relu6", "activ", ["x"], "r_relu6", 8, "ap_ufixed<8,3,AP_RND,AP_SAT>", {}),
        ("relu_max", "activ", ["x"], "r_relumax", 8, "ap_ufixed<6,2>", {"targ": "2"}),
        ("thresholded_relu", "activ", ["x"], "r_thr", 8, "ap_fixed<9,4>", {"param_t": "ap_fixed<8,2>", "arg": "0.75"}),
        ("prelu", "activ", ["x"], "r_prelu", 8, "ap_fixed<10,4,AP_RND_CONV,AP_SAT>", {"param_t": "ap_fixed<6,1>",
                                                                                     "weights": True}),
        ("hard_sigmoid", "hard", ["x"], "r_hsig", 8, "ap_ufixed<8,1,AP_RND,AP_SAT>",
         {"slope_t": "ap_ufixed<16,0>", "shift_t": "ap_ufixed<2,0>", "slope": "0.2", "shift": "0.5"}),
        ("hard_tanh", "hard", ["x"], "r_htanh", 8, "ap_fixed<8,2,AP_RND,AP_SAT>",
         {"slope_t": "ap_ufixed<16,0>", "shift_t": "ap_ufixed<2,0>", "slope": "0.3", "shift": "0.5"}),
        ("softplus", "activ", ["x"], "r_softplus", 8, "ap_fixed<12,5,AP_RND,AP_SAT>", {}),
        ("softsign", "activ", ["x"], "r_softsign", 8, "ap_fixed<10,2>", {}),
        ("elu", "activ", ["x"], "r_elu", 8, "ap_fixed<10,4,AP_RND,AP_SAT>", {"param_t": "ap_ufixed<8,1>", "arg": "1.0"}),
        ("selu", "activ", ["x"], "r_selu", 8, "ap_fixed<12,5,AP_RND_CONV,AP_SAT>", {}),
        ("ternary_tanh", "activ", ["x"], "r_ternary", 8, "ap_fixed<3,2>", {}),
        ("binary_tanh", "activ", ["x"], "r_binary", 8, "ap_fixed<3,2>", {}),
        ("softmax", "softmax", ["x"], "r_sm_stable", 8, "ap_ufixed<10,0,AP_RND,AP_SAT>", {**sm, "impl": "stable"}),
        ("softmax", "softmax", ["x"], "r_sm_latency", 8, "ap_ufixed<10,0,AP_RND,AP_SAT>", {**sm, "impl": "latency"}),
        ("softmax", "softmax", ["x"], "r_sm_legacy", 8, "ap_ufixed<10,0,AP_RND,AP_SAT>", {**sm, "impl": "legacy"}),
        ("softmax", "softmax", ["x"], "r_sm_argmax", 8, "ap_ufixed<10,0,AP_RND,AP_SAT>", {**sm, "impl": "argmax"}),
    ]
    return {"ins": [("x", 8, x)], "layers": layers, "outs": [la[3] for la in layers], "utils": "1.3.0",
            "old_merge": False}


CASES = {"merges_130": _merges_130, "activations_130": _activations_130, "merges_old": _merges_old, "concat_nd": _concat_nd,
         "dense_resource_130": lambda: _dense_resource("1.3.0"), "dense_resource_old": lambda: _dense_resource("old"),
         "dense_da": _dense_da}


# --------------------------------------------------------------------------- project writer
def _weights(rng, t: FixedType, n: int) -> np.ndarray:
    raw = rng.integers(t.min_raw, t.max_raw + 1, size=n)
    return raw * 2.0 ** -t.fractional


def write_project(name: str, case: dict, dst: Path, rng) -> dict:
    fw = dst / "firmware"
    fw.mkdir(parents=True)
    types, consts, params, weights, body, code_gen = [], [], [], [], [], []
    decl = {}
    for pname, n, t in case["ins"]:
        types.append(f"typedef {t} {pname}_t;")
        consts.append(f"static const unsigned N_{pname.upper()} = {n};")
        decl[pname] = f"{pname}_t"
    for k, (fn, fam, srcs, out, n, res, opt) in enumerate(case["layers"]):
        cfg = f"config{k}"
        types.append(f"typedef {res} {out}_t;")
        tin = [decl[s] for s in srcs]
        is_port = out in case["outs"]
        if fam == "merge":
            n1, n2 = opt.get("n1", n), opt.get("n2", n)
            fields = f"    static const unsigned n_elem = {n};\n    static const unsigned reuse_factor = 1;\n"
            if not case["old_merge"]:
                fields = (f"    static const unsigned n_elem = {n};\n    static const unsigned n_elem1 = {n1};\n"
                          f"    static const unsigned n_elem2 = {n2};\n    static const unsigned reuse_factor = 1;\n")
            params.append(f"struct {cfg} : nnet::merge_config {{\n{fields}}};")
            call = f"nnet::{fn}<{tin[0]}, {tin[1]}, {out}_t, {cfg}>({srcs[0]}, {srcs[1]}, {out}); // {out}"
        elif fam == "concat":
            s1, s2 = opt["s1"], opt["s2"]
            f = "".join(f"    static const unsigned n_elem1_{i} = {s1[i] if i < len(s1) else 0};\n" for i in range(3))
            f += "".join(f"    static const unsigned n_elem2_{i} = {s2[i] if i < len(s2) else 0};\n" for i in range(3))
            params.append(f"struct {cfg} : nnet::concat_config {{\n{f}    static const int axis = {opt['axis']};\n}};")
            call = f"nnet::{fn}<{tin[0]}, {tin[1]}, {out}_t, {cfg}>({srcs[0]}, {srcs[1]}, {out}); // {out}"
        elif fam == "dot":
            types.append(f"typedef {opt['accum']} {out}_accum_t;")
            params.append(f"struct {cfg} : nnet::dot_config {{\n    static const unsigned n_in = N_{srcs[0].upper()};\n"
                          f"    static const unsigned n_out = 1;\n    static const unsigned reuse_factor = 1;\n"
                          f"    typedef {out}_accum_t accum_t;\n    template<class x_T, class y_T>\n"
                          f"    using product = nnet::product::mult<x_T, y_T>;\n}};")
            call = f"nnet::dot1d<{tin[0]}, {tin[1]}, {out}_t, {cfg}>({srcs[0]}, {srcs[1]}, {out}); // {out}"
        elif fam == "activ":
            extra_t, extra_a = "", ""
            tail = "    typedef ap_fixed<18,8> table_t;\n"
            if "param_t" in opt:
                types.append(f"typedef {opt['param_t']} {out}_param_t;")
                extra_t = f"{out}_param_t, "
                tail += f"    typedef {out}_param_t param_t;\n"
                if opt.get("weights"):
                    pt = T(opt["param_t"])
                    weights.append(f"{out}_param_t a{k}[{n}] = "
                                   f"{{{', '.join(repr(float(v)) for v in _weights(rng, pt, n))}}};")
                    extra_a = f"a{k}, "
                else:
                    extra_a = f"{opt['arg']}, "
            if "targ" in opt:
                call = f"nnet::{fn}<{tin[0]}, {out}_t, {opt['targ']}, {cfg}>({srcs[0]}, {out}); // {out}"
            else:
                call = f"nnet::{fn}<{tin[0]}, {extra_t}{out}_t, {cfg}>({srcs[0]}, {extra_a}{out}); // {out}"
            params.append(f"struct {cfg} : nnet::activ_config {{\n    static const unsigned n_in = {n};\n"
                          "    static const unsigned table_size = 1024;\n    static const unsigned io_type = "
                          f"nnet::io_parallel;\n    static const unsigned reuse_factor = 1;\n{tail}}};")
        elif fam == "hard":
            types += [f"typedef {opt['slope_t']} {out}_slope_t;", f"typedef {opt['shift_t']} {out}_shift_t;"]
            params.append(f"struct {cfg} {{\n    static const unsigned n_in = {n};\n"
                          f"    static const {out}_slope_t slope;\n    static const {out}_shift_t shift;\n"
                          "    static const unsigned io_type = nnet::io_parallel;\n"
                          f"    static const unsigned reuse_factor = 1;\n}};\n"
                          f"const {out}_slope_t {cfg}::slope = {opt['slope']};\n"
                          f"const {out}_shift_t {cfg}::shift = {opt['shift']};")
            call = f"nnet::{fn}<{tin[0]}, {out}_t, {cfg}>({srcs[0]}, {out}); // {out}"
        elif fam == "softmax":
            for key in ("exp_table_t", "inv_table_t", "accum_t", "inv_inp_t", "inp_norm_t"):
                types.append(f"typedef {opt[key]} {out}_{key};")
            tds = "".join(f"    typedef {out}_{key} {key};\n" for key in ("exp_table_t", "inv_table_t", "accum_t",
                                                                          "inv_inp_t", "inp_norm_t"))
            params.append(f"struct {cfg} : nnet::activ_config {{\n    static const unsigned n_in = {n};\n"
                          f"    static const unsigned n_slice = {n};\n    static const unsigned n_outer = 1;\n"
                          "    static const unsigned n_inner = 1;\n    static const unsigned parallelization_factor = -1;\n"
                          "    static const unsigned exp_table_size = 1024;\n"
                          "    static const unsigned inv_table_size = 1024;\n"
                          "    static const unsigned io_type = nnet::io_parallel;\n"
                          "    static const unsigned reuse_factor = 1;\n    static const unsigned axis = -1;\n"
                          "    static const nnet::softmax_implementation implementation = "
                          f"nnet::softmax_implementation::{opt['impl']};\n    static constexpr float exp_scale = 1.0;\n"
                          f"{tds}}};")
            call = f"nnet::softmax<{tin[0]}, {out}_t, {cfg}>({srcs[0]}, {out}); // {out}"
        elif fam == "act":
            params.append(f"struct {cfg} : nnet::activ_config {{\n    static const unsigned n_in = {n};\n"
                          "    static const unsigned table_size = 1024;\n    static const unsigned io_type = "
                          "nnet::io_parallel;\n    static const unsigned reuse_factor = 1;\n"
                          "    typedef ap_fixed<18,8> table_t;\n};")
            call = f"nnet::{fn}<{tin[0]}, {out}_t, {cfg}>({srcs[0]}, {out}); // {out}"
        elif fam == "dense":
            n_in, rf, kernel = opt["n_in"], opt["rf"], opt["kernel"]
            tw, tb = T(opt["w"]), T(opt["bias"])
            types += [f"typedef {opt['accum']} {out}_accum_t;", f"typedef {opt['w']} {out}_weight_t;",
                      f"typedef {opt['bias']} {out}_bias_t;"]
            w = _weights(rng, tw, n_in * n).reshape(n_in, n)
            b = _weights(rng, tb, n)
            flat = w.reshape(-1) if kernel == "DenseLatency" else w.T.reshape(-1)   # resource: transposed
            weights.append(f"{out}_weight_t w{k}[{n_in * n}] = {{{', '.join(repr(float(v)) for v in flat)}}};")
            weights.append(f"{out}_bias_t b{k}[{n}] = {{{', '.join(repr(float(v)) for v in b)}}};")
            strategy = "latency" if kernel == "DenseLatency" else "resource"
            kern = "" if case["old_merge"] else (f"    template<class data_T, class res_T, class CONFIG_T>\n"
                                                 f"    using kernel = nnet::{kernel}<data_T, res_T, CONFIG_T>;\n")
            params.append(f"struct {cfg} : nnet::dense_config {{\n    static const unsigned n_in = {n_in};\n"
                          f"    static const unsigned n_out = {n};\n    static const unsigned io_type = "
                          f"nnet::io_parallel;\n    static const unsigned strategy = nnet::{strategy};\n"
                          f"    static const unsigned reuse_factor = {rf};\n    static const unsigned n_zeros = 0;\n"
                          f"    static const unsigned n_nonzeros = {n_in * n};\n"
                          "    static const unsigned multiplier_limit = DIV_ROUNDUP(n_in * n_out, reuse_factor);\n"
                          f"    static const bool store_weights_in_bram = false;\n    typedef {out}_accum_t accum_t;\n"
                          f"    typedef {out}_bias_t bias_t;\n    typedef {out}_weight_t weight_t;\n"
                          "    typedef ap_uint<1> index_t;\n"
                          f"{kern}    template<class x_T, class y_T>\n"
                          "    using product = nnet::product::mult<x_T, y_T>;\n};")
            call = f"nnet::dense<{tin[0]}, {out}_t, {cfg}>({srcs[0]}, {out}, w{k}, b{k}); // {out}"
        else:   # distributed arithmetic: project code (hls4ml writes it to nnet_utils/nnet_code_gen.h)
            code_gen.append(f"template <typename inp_t, typename out_t>\nvoid {opt['fn']}(inp_t inp[{opt['n_in']}], "
                            f"out_t out[{n}]) {{\n    #pragma HLS INLINE\n    // ======== Latency: 1 ========\n"
                            f"{opt['code']}}}\n")
            call = f"{name}_code::{opt['fn']}<{tin[0]}, {out}_t>({srcs[0]}, {out}); // {out}"
        if not is_port:
            body.append(f"    {out}_t {out}[{n}];\n    #pragma HLS ARRAY_PARTITION variable={out} complete dim=0")
        if fam == "act" and case["layers"][0][1] == "dense":
            body.append(f"    auto& {out}_in = {srcs[0]};")
            call = call.replace(f">({srcs[0]},", f">({out}_in,")
        body.append("    " + call)
        decl[out] = f"{out}_t"
    outs = case["outs"]
    sizes = {la[3]: la[4] for la in case["layers"]}
    args = [f"    {p}_t {p}[N_{p.upper()}]" for p, _, _ in case["ins"]] + [f"    {o}_t {o}[{sizes[o]}]" for o in outs]
    (fw / "defines.h").write_text("#ifndef DEFINES_H_\n#define DEFINES_H_\n#include \"ap_fixed.h\"\n#include \"ap_int.h\"\n"
                                  "#include \"nnet_utils/nnet_types.h\"\n" + "\n".join(consts + types) + "\n#endif\n")
    includes = ["nnet_helpers.h", "nnet_activation.h", "nnet_dense.h", "nnet_merge.h"]
    if code_gen:
        includes = ["nnet_function_stubs.h"] + includes
    (fw / "parameters.h").write_text("#ifndef PARAMETERS_H_\n#define PARAMETERS_H_\n#include \"defines.h\"\n"
                                     + "".join(f"#include \"nnet_utils/{h}\"\n" for h in includes)
                                     + "#include \"weights.h\"\n" + ("#include \"code_gen.h\"\n" if code_gen else "")
                                     + "\n".join(params) + "\n#endif\n")
    (fw / "weights.h").write_text("#ifndef WEIGHTS_H_\n#define WEIGHTS_H_\n#include \"defines.h\"\n"
                                  + "\n".join(weights) + "\n#endif\n")
    if code_gen:
        (fw / "code_gen.h").write_text("#ifndef CODE_GEN_H_\n#define CODE_GEN_H_\n#include \"defines.h\"\n"
                                       f"namespace {name}_code {{\nusing nnet::bit_shift;\n" + "\n".join(code_gen)
                                       + "}\n#endif\n")
    top = (f"#include \"{name}.h\"\n#include \"parameters.h\"\n\nvoid {name}(\n" + ",\n".join(args) + "\n) {\n"
           "    // hls-fpga-machine-learning insert layers\n" + "\n".join(body) + "\n}\n")
    (fw / f"{name}.cpp").write_text(top)
    (fw / f"{name}.h").write_text(f"#ifndef TOP_H_\n#define TOP_H_\n#include \"defines.h\"\nvoid {name}(\n"
                                  + ",\n".join(args) + "\n);\n#endif\n")
    return {"inputs": [(p, n, t) for p, n, t in case["ins"]], "outputs": [(o, sizes[o], case["layers"][
        [la[3] for la in case["layers"]].index(o)][5]) for o in outs]}


def harness(name: str, ports: dict) -> str:
    ins, outs = ports["inputs"], ports["outputs"]
    lines = ["#include <cstdio>", "#include <cstdlib>", "#include <cstdint>", f'#include "firmware/{name}.h"',
             "int main(int argc, char** argv) {", "    long n = atol(argv[1]);",
             '    FILE* f = fopen(argv[2], "rb"); FILE* g = fopen(argv[3], "wb");',
             "    for (long e = 0; e < n; e++) {"]
    for p, n, _ in ins:
        lines.append(f"        {p}_t {p}[{n}]; for (int i = 0; i < {n}; i++) {{ int64_t raw_; "
                     f"if (fread(&raw_, 8, 1, f) != 1) return 3; {p}[i].range() = raw_; }}")
    for o, n, _ in outs:
        lines.append(f"        {o}_t {o}[{n}];")
    lines.append(f"        {name}({', '.join([p for p, _, _ in ins] + [o for o, _, _ in outs])});")
    for o, n, t in outs:
        ft = T(t)
        sext = f"if (r_ >> {ft.width - 1} & 1) r_ -= (int64_t)1 << {ft.width};" if ft.signed else ""
        lines.append(f"        for (int i = 0; i < {n}; i++) {{ int64_t r_ = (int64_t){o}[i].range().to_uint64(); "
                     f"{sext} fwrite(&r_, 8, 1, g); }}")
    lines += ["    }", "    fclose(f); fclose(g); return 0;", "}"]
    return "\n".join(lines) + "\n"


def _inputs(ports: dict, rng) -> np.ndarray:
    cols = []
    for _, n, t in ports["inputs"]:
        ft = T(t)
        uni = rng.integers(ft.min_raw, ft.max_raw + 1, size=(N_UNIFORM, n))
        edge = rng.choice(np.array(sorted({ft.min_raw, ft.max_raw, 0, min(ft.min_raw + 1, ft.max_raw),
                                           max(ft.max_raw - 1, ft.min_raw), min(1, ft.max_raw),
                                           max(-1, ft.min_raw)}), dtype=np.int64), size=(N_EDGE, n))
        cols.append(np.concatenate([uni, edge]))
    return np.concatenate(cols, axis=1).astype(np.int64)


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _hls4ml_templates(arg: str | None) -> Path:
    if arg and arg.endswith(".whl"):
        dest = Path(tempfile.gettempdir()) / "triggeremu-hls4ml-wheel"
        if not (dest / "hls4ml").is_dir():
            with zipfile.ZipFile(arg) as z:
                z.extractall(dest, [n for n in z.namelist() if "/templates/vivado/" in n])
        return dest / "hls4ml" / "templates" / "vivado"
    if arg:
        return Path(arg)
    import importlib.util

    spec = importlib.util.find_spec("hls4ml")
    if spec is None:
        sys.exit("hls4ml 1.3.0 is needed: pip install 'triggeremu[golden]' or pass --hls4ml WHEEL")
    return Path(next(iter(spec.submodule_search_locations))) / "templates" / "vivado"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hls4ml", help="hls4ml 1.3.0 wheel or its templates/vivado folder (default: installed)")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="the shared folder (older nnet_utils)")
    ap.add_argument("--cases", nargs="*", default=sorted(CASES))
    args = ap.parse_args(argv)
    tpl = _hls4ml_templates(args.hls4ml)
    old_utils = args.shared / "models" / "cms-hls4ml" / "AXOL1TL_v5" / "NN"
    gxx = subprocess.run(["g++", "--version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = {"generator": "scripts/make_nn_kind_vectors.py", "hls4ml": "1.3.0", "compiler": gxx,
                "cxxflags": ["-O1", "-std=c++17"], "raw_convention": "int64 raw mantissas, two's complement",
                "cases": {}}
    old = OUT / "manifest.json"
    if old.is_file():
        manifest["cases"] = json.loads(old.read_text()).get("cases", {})
    for k, name in enumerate(args.cases):
        rng = np.random.default_rng(1000 + sorted(CASES).index(name))
        case = CASES[name]()
        dst = OUT / name
        if dst.exists():
            shutil.rmtree(dst)
        ports = write_project(name, case, dst, rng)
        utils_parent = tpl if case["utils"] == "1.3.0" else old_utils
        with tempfile.TemporaryDirectory() as td:
            td = Path(td)
            (td / "main.cpp").write_text(harness(name, ports))
            exe = td / "run"
            cmd = ["g++", "-O1", "-std=c++17", f"-I{tpl / 'ap_types'}", f"-I{utils_parent}", f"-I{dst}",
                   f"-I{dst / 'firmware'}", str(td / "main.cpp"), str(dst / "firmware" / f"{name}.cpp"), "-o", str(exe)]
            subprocess.run(cmd, check=True)
            x = _inputs(ports, rng)
            x.tofile(td / "x.bin")
            subprocess.run([str(exe), str(len(x)), str(td / "x.bin"), str(td / "y.bin")], check=True)
            y = np.fromfile(td / "y.bin", dtype=np.int64).reshape(len(x), -1)
        arrays, start = {}, 0
        for p, n, _ in ports["inputs"]:
            arrays[f"x__{p}"] = x[:, start:start + n]
            start += n
        start = 0
        for o, n, _ in ports["outputs"]:
            arrays[f"y__{o}"] = y[:, start:start + n]
            start += n
        np.savez_compressed(dst / "vectors.npz", **arrays)
        utils_dir = utils_parent / "nnet_utils"
        manifest["cases"][name] = {
            "nnet_utils": "hls4ml 1.3.0 templates/vivado/nnet_utils" if case["utils"] == "1.3.0"
            else "shared/models/cms-hls4ml/AXOL1TL_v5/NN/nnet_utils (the older generation)",
            "nnet_utils_sha256": {h.name: _sha(h) for h in sorted(utils_dir.glob("nnet_*.h"))
                                  if h.name in ("nnet_merge.h", "nnet_dense.h", "nnet_dense_resource.h",
                                                "nnet_function_stubs.h", "nnet_activation.h", "nnet_mult.h")},
            "inputs": ports["inputs"], "outputs": ports["outputs"], "events": int(len(x)),
            "sets": {"uniform": N_UNIFORM, "edge": N_EDGE}, "seed": 1000 + sorted(CASES).index(name),
            "files": {str(p.relative_to(dst)): _sha(p) for p in sorted(dst.rglob("*")) if p.is_file()},
        }
        print(f"{name}: {len(x)} events, outputs {[o for o, _, _ in ports['outputs']]}")
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
