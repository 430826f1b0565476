"""C++ harness for the activation/softmax golden vectors: one translation unit per header generation.

Our own code (no upstream text): it writes, per case, a config struct in the form hls4ml's
``parameters.h`` uses for that generation, calls the ``nnet::`` function of the header
under test (``-I`` that folder's ``nnet_utils``, ``-I`` hls4ml 1.3.0's ``ap_types``) on raw
inputs read from ``in_<k>.bin`` and writes the raw results (and, for tables and softmax,
the tables the header built) as int64. Used by ``scripts/make_activation_golden.py``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

__all__ = ["translation_unit", "compile_and_run", "PRELUDE"]

PRELUDE = r"""
// Golden-vector harness (triggeremu): raw integers in, raw integers out.
#include <cstdio>
#include <string>
#include <vector>
#include "ap_fixed.h"
#include "ap_int.h"
#include "nnet_helpers.h"     // as parameters.h does, before the activations
#include "nnet_activation.h"

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
void set_raw(ap_fixed_base<W, I, S, Q, O, N>& x, long long r) { ap_int_base<W, S> b = r; x.V = b.V; }
template <int W, bool S> void set_raw(ap_int_base<W, S>& x, long long r) { x = r; }
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
long long get_raw(const ap_fixed_base<W, I, S, Q, O, N>& x) { ap_int_base<W, S> b; b.V = x.V; return b.to_int64(); }
template <int W, bool S> long long get_raw(const ap_int_base<W, S>& x) { return x.to_int64(); }

static std::vector<long long> read_all(const std::string& p) {
    std::vector<long long> v; FILE* f = fopen(p.c_str(), "rb"); if (!f) { perror(p.c_str()); exit(3); }
    long long r; while (fread(&r, 8, 1, f) == 1) v.push_back(r); fclose(f); return v;
}
static void write_all(const std::string& p, const std::vector<long long>& v) {
    FILE* f = fopen(p.c_str(), "wb"); fwrite(v.data(), 8, v.size(), f); fclose(f);
}
"""


def _elementwise_body(k: int, call: str, n_in: int = 1, pre: str = "") -> str:
    return f"""
void run(const std::string& d) {{
    {pre}
    auto xs = read_all(d + "/in_{k}.bin"); std::vector<long long> ys(xs.size());
    for (size_t e = 0; e + {n_in} <= xs.size(); e += {n_in}) {{
        in_t x[{n_in}]; res_t y[{n_in}];
        for (int i = 0; i < {n_in}; i++) set_raw(x[i], xs[e + i]);
        {call}
        for (int i = 0; i < {n_in}; i++) ys[e + i] = get_raw(y[i]);
    }}
    write_all(d + "/out_{k}.bin", ys);
}}"""


def _activ_cfg(n_in: int, case: dict) -> str:
    ts = case.get("table_size", 1024)
    tt = case.get("table_t", "ap_fixed<18,8>")
    return (f"struct cfg : nnet::activ_config {{ static const unsigned n_in = {n_in}; "
            f"static const unsigned table_size = {ts}; static const unsigned io_type = nnet::io_parallel; "
            f"static const unsigned reuse_factor = 1; typedef {tt} table_t; }};")


def _lit(x: float) -> str:
    return repr(float(x))


def _elementwise(k: int, c: dict, v) -> str:
    f = c["func"]
    head = f"typedef {c['in_t']} in_t; typedef {c['res_t']} res_t;\n"
    new_param = v.param_type == "param_t"
    if f in ("hard_sigmoid", "hard_tanh") and v.hard_activation == "config":
        cfg = (f"typedef {c['slope_t']} slope_t; typedef {c['shift_t']} shift_t;\n"
               "struct cfg { static const unsigned n_in = 1; static const slope_t slope; static const shift_t shift; "
               "static const unsigned io_type = nnet::io_parallel; static const unsigned reuse_factor = 1; };\n"
               f"const slope_t cfg::slope = {_lit(c['slope'])}; const shift_t cfg::shift = {_lit(c['shift'])};\n")
        return head + cfg + _elementwise_body(k, f"nnet::{f}<in_t, res_t, cfg>(x, y);")
    if f == "prelu":
        n = len(c["alphas"])
        pt = c["param_t"] if new_param else "in_t"
        lits = ", ".join(_lit(a) for a in c["alphas"])
        targs = "in_t, param_t, res_t, cfg" if new_param else "in_t, res_t, cfg"
        pre = f"static param_t alpha[{n}] = {{{lits}}};"
        return (head + f"typedef {pt} param_t;\n" + _activ_cfg(n, c)
                + _elementwise_body(k, f"nnet::prelu<{targs}>(x, alpha, y);", n_in=n, pre=pre))
    cfg = _activ_cfg(1, c)
    if f == "relu_max":
        call = f"nnet::relu_max<in_t, res_t, {c['max_int']}, cfg>(x, y);"
    elif f in ("leaky_relu", "thresholded_relu", "elu"):
        if new_param:
            head += f"typedef {c['param_t']} param_t;\n"
            call = f"nnet::{f}<in_t, param_t, res_t, cfg>(x, {_lit(c['alpha'])}, y);"
        else:
            call = f"nnet::{f}<in_t, res_t, cfg>(x, {_lit(c['alpha'])}, y);"
    elif f == "elu_default":
        call = "nnet::elu<in_t, res_t, cfg>(x, y);"
    elif f == "unary_lut":
        head += f"typedef {c['table_t']} table_t;\n"
        pre = (f'static table_t tab[{c["table_size"]}]; auto tv = read_all(d + "/tab_{k}.bin"); '
               f'for (int i = 0; i < {c["table_size"]}; i++) set_raw(tab[i], tv[i]);')
        return head + cfg + _elementwise_body(k, "nnet::unary_lut<in_t, res_t, cfg>(x, y, tab);", pre=pre)
    else:
        call = f"nnet::{f}<in_t, res_t, cfg>(x, y);"
    return head + cfg + _elementwise_body(k, call)


_INIT = {"sigmoid": "init_sigmoid_table", "tanh": "init_tanh_table", "softplus": "init_softplus_table",
         "softsign": "init_softsign_table", "elu": "init_elu_table", "selu": "init_selu_table",
         "exp_legacy": "init_exp_table_legacy", "invert_legacy": "init_invert_table_legacy"}


def _table(k: int, c: dict) -> str:
    n = c["table_size"]
    return (_activ_cfg(1, c) + f"""
void run(const std::string& d) {{
    static cfg::table_t tab[{n}]; nnet::{_INIT[c['table']]}<cfg, {n}>(tab);
    std::vector<long long> ys({n}); for (int i = 0; i < {n}; i++) ys[i] = get_raw(tab[i]);
    write_all(d + "/out_{k}.bin", ys);
}}""")


def _softmax(k: int, c: dict, v) -> str:
    n, no, ni = c["n_slice"], c["n_outer"], c["n_inner"]
    n_in = n * no * ni
    impl = c["implementation"]
    head = f"typedef {c['in_t']} in_t; typedef {c['res_t']} res_t;\n"
    if v.softmax_tables == "split":
        cfg = (f"struct cfg : nnet::activ_config {{ static const unsigned n_in = {n_in}; "
               f"static const unsigned n_slice = {n}; static const unsigned n_outer = {no}; "
               f"static const unsigned n_inner = {ni}; static const unsigned parallelization_factor = 1; "
               f"static const unsigned exp_table_size = {c['exp_table_size']}; "
               f"static const unsigned inv_table_size = {c['inv_table_size']}; "
               "static const unsigned io_type = nnet::io_parallel; static const unsigned reuse_factor = 1; "
               "static const unsigned axis = -1; "
               f"static const nnet::softmax_implementation implementation = nnet::softmax_implementation::{impl}; "
               f"static constexpr float exp_scale = {_lit(c['exp_scale'])}; "
               f"typedef {c['exp_table_t']} exp_table_t; typedef {c['inv_table_t']} inv_table_t; "
               f"typedef {c['accum_t']} accum_t; typedef {c['inv_inp_t']} inv_inp_t; "
               f"typedef {c['inp_norm_t']} inp_norm_t; typedef {c['table_t']} table_t; }};")
        ne, nv = "cfg::exp_table_size", "cfg::inv_table_size"
        if impl == "legacy":
            dumps = ("nnet::init_exp_table_legacy<cfg, cfg::exp_table_size>(et); "
                     "nnet::init_invert_table_legacy<cfg, cfg::inv_table_size>(it);")
            et_t = it_t = "cfg::table_t"
        else:
            addr, neg = ("cfg::inp_norm_t", "true") if impl == "stable" else ("in_t", "false")
            dumps = (f"nnet::init_exp_table<{addr}, cfg>(et, {neg}); "
                     "nnet::init_invert_table<cfg::inv_inp_t, cfg>(it);")
            et_t, it_t = "cfg::exp_table_t", "cfg::inv_table_t"
        fn = "softmax_multidim" if (no > 1 or ni > 1) else "softmax"
    else:
        cfg = (f"struct cfg : nnet::activ_config {{ static const unsigned n_in = {n_in}; "
               f"static const unsigned table_size = {c['exp_table_size']}; "
               "static const unsigned io_type = nnet::io_parallel; static const unsigned reuse_factor = 1; "
               f"static const nnet::softmax_implementation implementation = nnet::softmax_implementation::{impl}; "
               f"typedef {c['exp_table_t']} exp_table_t; typedef {c['inv_table_t']} inv_table_t; "
               f"typedef {c['table_t']} table_t; }};")
        ne = nv = "cfg::table_size"
        if impl == "legacy":
            dumps = ("nnet::init_exp_table_legacy<cfg, cfg::table_size>(et); "
                     "nnet::init_invert_table_legacy<cfg, cfg::table_size>(it);")
            et_t = it_t = "cfg::table_t"
        else:
            dumps = "nnet::init_exp_table<in_t, cfg>(et); nnet::init_invert_table<cfg::exp_table_t, cfg>(it);"
            et_t, it_t = "cfg::exp_table_t", "cfg::inv_table_t"
        fn = "softmax"
    tables = "" if impl == "argmax" else f"""
    static {et_t} et[{ne}]; static {it_t} it[{nv}]; {dumps}
    std::vector<long long> ev({ne}), iv({nv});
    for (unsigned i = 0; i < {ne}; i++) ev[i] = get_raw(et[i]);
    for (unsigned i = 0; i < {nv}; i++) iv[i] = get_raw(it[i]);
    write_all(d + "/et_{k}.bin", ev); write_all(d + "/it_{k}.bin", iv);"""
    return head + cfg + _elementwise_body(k, f"nnet::{fn}<in_t, res_t, cfg>(x, y);", n_in=n_in, pre=tables)


def translation_unit(cases: list[dict], v) -> str:
    """The whole harness of one header generation: a namespace per case and a main running all."""
    parts = [PRELUDE]
    for k, c in enumerate(cases):
        if c["func"] == "table":
            body = _table(k, c)
        elif c["func"] == "softmax":
            body = _softmax(k, c, v)
        else:
            body = _elementwise(k, c, v)
        parts.append(f"namespace case{k} {{\n{body}\n}}  // namespace case{k}\n")
    calls = "\n".join(f"    case{k}::run(d);" for k in range(len(cases)))
    parts.append(f"int main(int argc, char** argv) {{\n    std::string d = argv[1];\n{calls}\n    return 0;\n}}\n")
    return "".join(parts)


def compile_and_run(source: str, work: Path, nnet_dir: Path, ap_types: Path, *, flags=("-O3",)) -> None:
    """Compile ``source`` with g++ against ``nnet_dir`` (the header under test) and run it on ``work``."""
    src = work / "harness.cpp"
    src.write_text(source)
    exe = work / "harness"
    cmd = ["g++", *flags, "-std=c++17", "-w", f"-I{nnet_dir}", f"-I{ap_types}", str(src), "-o", str(exe)]
    subprocess.run(cmd, check=True)
    subprocess.run([str(exe), str(work)], check=True)
