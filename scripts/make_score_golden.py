"""Make the score-head golden vectors: our score formulas computed by the real ap_fixed library (g++).

The formulas of :mod:`firmware_models.nn.scores` (port score, continuous KL) and
:mod:`firmware_models.nn.scores_categorical` (discrete KL of a categorical head, KL
continuous + discrete) are ours; this writes each one as C++ over hls4ml 1.3.0's
``ap_types`` and its ``nnet::softmax`` / ``nnet::reduce`` (from the wheel), runs it on
seeded raw inputs and stores inputs and raw results in ``tests/golden/activations/scores.npz``
with ``scores.json`` (tool versions, types, sha256). The arithmetic must then match
``assert_array_equal`` in ``tests/test_nn_scores_golden.py``.

    python3 scripts/make_score_golden.py [--wheel /tmp/dl/hls4ml-1.3.0-py3-none-any.whl]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from activation_golden_cases import inputs_for, softmax_inputs  # noqa: E402
from activation_golden_cpp import PRELUDE  # noqa: E402

from firmware_models.fixed import FixedType  # noqa: E402

SEED = 20260418
_SM = "ap_fixed<18,8,AP_RND,AP_SAT>"

PORT_CASES = [
    {"kind": "port", "out_t": "ap_fixed<18,14,AP_RND_CONV,AP_SAT>", "score_t": "ap_ufixed<18,14>", "n_out": 1,
     "index": 0},
    {"kind": "port", "out_t": "ap_fixed<16,6>", "score_t": "ap_ufixed<12,4,AP_RND,AP_SAT>", "n_out": 3, "index": 2},
    {"kind": "port", "out_t": "ap_fixed<12,8>", "score_t": "ap_fixed<8,4,AP_RND_CONV,AP_WRAP>", "n_out": 2,
     "index": 1},
]
_D = {"implementation": "stable", "exp_table_t": _SM, "inv_table_t": _SM, "table_size": 1024, "softmax_accum_t": _SM,
      "prob_t": "ap_ufixed<16,0,AP_RND,AP_SAT>", "log_table_t": "ap_fixed<18,5,AP_RND,AP_SAT>",
      "log_table_size": 1024, "term_t": "ap_fixed<18,2,AP_RND,AP_SAT>", "accum_t": "ap_fixed<20,6,AP_RND,AP_SAT>",
      "score_t": "ap_ufixed<16,6,AP_RND,AP_SAT>"}
DISC_CASES = [
    {"kind": "kl_discrete", "logits_t": "ap_fixed<16,6>", "n_classes": 20, **_D},
    {"kind": "kl_discrete", "logits_t": "ap_fixed<10,4,AP_RND,AP_SAT>", "n_classes": 4, **_D,
     "implementation": "latency", "prob_t": "ap_ufixed<10,0,AP_RND,AP_SAT>",
     "log_table_t": "ap_fixed<12,4,AP_RND_CONV,AP_SAT>", "log_table_size": 256, "term_t": "ap_fixed<12,1>",
     "accum_t": "ap_fixed<14,4>", "score_t": "ap_ufixed<10,4>"},
    {"kind": "kl_discrete", "logits_t": "ap_fixed<14,5,AP_RND_CONV,AP_SAT>", "n_classes": 10, **_D,
     "prob_t": "ap_ufixed<18,1,AP_RND,AP_SAT>", "log_table_t": "ap_fixed<24,5>", "log_table_size": 4096,
     "term_t": "ap_fixed<20,2,AP_RND,AP_SAT>", "accum_t": "ap_fixed<24,6,AP_RND,AP_SAT>",
     "score_t": "ap_fixed<16,6,AP_RND,AP_SAT>"},
    {"kind": "kl_discrete", "logits_t": "ap_fixed<12,4>", "n_classes": 1, **_D},
    {"kind": "kl_discrete", "logits_t": "ap_fixed<12,4>", "n_classes": 3, **_D, "implementation": "legacy",
     "table_t": "ap_fixed<18,8>"},
]
_C = {"latent": 3, "out_t": "ap_fixed<16,6>", "square_t": "ap_ufixed<16,8>", "exp_table_t_kl": "ap_fixed<18,8>",
      "kl_table_size": 1024, "kl_accum_t": "ap_fixed<20,10>", "kl_score_t": "ap_ufixed<16,9,AP_RND,AP_SAT>"}
TOTAL_CASES = [
    {"kind": "kl_total", **_C, **{k: v for k, v in DISC_CASES[0].items() if k not in ("kind", "logits_t")},
     "total_t": "ap_ufixed<18,8,AP_RND,AP_SAT>"},
    {"kind": "kl_total", **_C, "latent": 5, "out_t": "ap_fixed<12,5,AP_RND,AP_SAT>", "kl_accum_t": "ap_fixed<14,6>",
     **{k: v for k, v in DISC_CASES[1].items() if k not in ("kind", "logits_t")}, "total_t": "ap_fixed<10,6>"},
]


def _softmax_cfg(c: dict, n: int, in_t: str) -> str:
    t = FixedType.parse(in_t)
    norm = str(FixedType(t.width - t.signed, t.integer - t.signed, False))  # hls4ml's default inp_norm_t
    return (f"struct smcfg : nnet::activ_config {{ static const unsigned n_in = {n}; "
            f"static const unsigned n_slice = {n}; "
            "static const unsigned n_outer = 1; static const unsigned n_inner = 1; "
            "static const unsigned parallelization_factor = 1; "
            f"static const unsigned exp_table_size = {c['table_size']}; "
            f"static const unsigned inv_table_size = {c['table_size']}; "
            "static const unsigned io_type = nnet::io_parallel; static const unsigned reuse_factor = 1; "
            "static const unsigned axis = -1; "
            "static const nnet::softmax_implementation implementation = "
            f"nnet::softmax_implementation::{c['implementation']}; "
            "static constexpr float exp_scale = 1.0; "
            f"typedef {c['exp_table_t']} exp_table_t; typedef {c['inv_table_t']} inv_table_t; "
            f"typedef {c['softmax_accum_t']} accum_t; typedef {c['exp_table_t']} inv_inp_t; "
            f"typedef {norm} inp_norm_t; typedef {c.get('table_t', 'ap_fixed<18,8>')} table_t; }};\n")


def _disc_fn(c: dict, n: int, in_t: str) -> str:
    """C++ computing the discrete KL of logits x[n] into score_d (and pi[])."""
    return (_softmax_cfg(c, n, in_t) + f"""
typedef {c['prob_t']} prob_t; typedef {c['log_table_t']} log_t; typedef {c['term_t']} term_t;
typedef {c['accum_t']} accum_t; typedef {c['score_t']} dscore_t;
static const unsigned LOG_N = {c['log_table_size']};
dscore_t kl_discrete(logit_t x[{n}], prob_t pi[{n}]) {{
    static bool init = false; static log_t logtab[LOG_N];
    if (!init) {{ for (unsigned i = 0; i < LOG_N; i++) logtab[i] = std::log((i + 0.5) / LOG_N); init = true; }}
    nnet::softmax<logit_t, prob_t, smcfg>(x, pi);
    accum_t a[{n}];
    for (int i = 0; i < {n}; i++) {{
        int idx = pi[i] * LOG_N;
        if (idx < 0) idx = 0;
        if (idx > (int)LOG_N - 1) idx = LOG_N - 1;
        term_t t = pi[i] * logtab[idx];
        a[i] = t;
    }}
    nnet::Op_add<accum_t> op;
    accum_t s = nnet::reduce<accum_t, {n}, nnet::Op_add<accum_t>>(a, op);
    accum_t logc = std::log((double){n});
    dscore_t r = s + logc;
    return r;
}}""")


def _case_source(k: int, c: dict) -> str:
    if c["kind"] == "port":
        n = c["n_out"]
        body = f"""typedef {c['out_t']} out_t; typedef {c['score_t']} score_t;
void run(const std::string& d) {{
    auto xs = read_all(d + "/in_{k}.bin"); std::vector<long long> ys;
    for (size_t e = 0; e + {n} <= xs.size(); e += {n}) {{
        out_t r[{n}]; for (int i = 0; i < {n}; i++) set_raw(r[i], xs[e + i]);
        score_t loss; loss = r[{c['index']}]; ys.push_back(get_raw(loss));
    }}
    write_all(d + "/out_{k}.bin", ys);
}}"""
    elif c["kind"] == "kl_discrete":
        n = c["n_classes"]
        body = f"typedef {c['logits_t']} logit_t;\n" + _disc_fn(c, n, c["logits_t"]) + f"""
void run(const std::string& d) {{
    auto xs = read_all(d + "/in_{k}.bin"); std::vector<long long> ys;
    for (size_t e = 0; e + {n} <= xs.size(); e += {n}) {{
        logit_t x[{n}]; prob_t pi[{n}]; for (int i = 0; i < {n}; i++) set_raw(x[i], xs[e + i]);
        dscore_t s = kl_discrete(x, pi);
        for (int i = 0; i < {n}; i++) ys.push_back(get_raw(pi[i]));
        ys.push_back(get_raw(s));
    }}
    write_all(d + "/out_{k}.bin", ys);
}}"""
    else:
        L, n = c["latent"], c["n_classes"]
        w = 2 * L + n
        body = (f"typedef {c['out_t']} logit_t; typedef {c['out_t']} out_t; typedef {c['square_t']} kl_square_t; "
                f"typedef {c['exp_table_t_kl']} kl_table_t; typedef {c['kl_accum_t']} kl_accum_t; "
                f"typedef {c['kl_score_t']} cscore_t; typedef {c['total_t']} total_t;\n"
                + _disc_fn(c, n, c["out_t"]) + f"""
static const int KL_N = {c['kl_table_size']};
cscore_t kl_cont(out_t y[{2 * L}]) {{
    static bool init = false; static kl_table_t table[KL_N];
    if (!init) {{
        for (int ii = 0; ii < KL_N; ii++) {{
            float in_val = 2 * 8.0 * (ii - float(KL_N) / 2.0) / float(KL_N);
            kl_table_t v = (float)std::exp(in_val); table[ii] = v;
        }}
        init = true;
    }}
    kl_accum_t terms[{L}];
    for (int i = 0; i < {L}; i++) {{
        kl_square_t sq = y[i] * y[i];
        out_t lv = y[{L} + i];
        int data_round = lv * KL_N / 16;
        int index = data_round + 8 * KL_N / 16;
        if (index < 0) index = 0;
        if (index > KL_N - 1) index = KL_N - 1;
        kl_accum_t t = sq + table[index] - lv - ap_uint<1>(1);
        terms[i] = t;
    }}
    nnet::Op_add<kl_accum_t> op;
    kl_accum_t s = nnet::reduce<kl_accum_t, {L}, nnet::Op_add<kl_accum_t>>(terms, op);
    cscore_t r = s * ap_ufixed<1,0>(0.5);
    return r;
}}
void run(const std::string& d) {{
    auto xs = read_all(d + "/in_{k}.bin"); std::vector<long long> ys;
    for (size_t e = 0; e + {w} <= xs.size(); e += {w}) {{
        out_t y[{2 * L}]; logit_t x[{n}]; prob_t pi[{n}];
        for (int i = 0; i < {2 * L}; i++) set_raw(y[i], xs[e + i]);
        for (int i = 0; i < {n}; i++) set_raw(x[i], xs[e + {2 * L} + i]);
        cscore_t c = kl_cont(y); dscore_t dd = kl_discrete(x, pi);
        total_t t = c + dd;
        ys.push_back(get_raw(c)); ys.push_back(get_raw(dd)); ys.push_back(get_raw(t));
    }}
    write_all(d + "/out_{k}.bin", ys);
}}""")
    return f"namespace case{k} {{\n{body}\n}}\n"


def _inputs(c: dict, rng) -> np.ndarray:
    if c["kind"] == "port":
        x = inputs_for(c["out_t"], rng)
        return x[: len(x) // c["n_out"] * c["n_out"]].reshape(-1, c["n_out"])
    if c["kind"] == "kl_discrete":
        return softmax_inputs(c["logits_t"], c["n_classes"], rng, n_rows=240)
    n, L = c["n_classes"], c["latent"]
    return softmax_inputs(c["out_t"], 2 * L + n, rng, n_rows=240)


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=Path, default=Path("/tmp/dl/hls4ml-1.3.0-py3-none-any.whl"))
    ap.add_argument("--out", type=Path, default=ROOT / "tests" / "golden" / "activations")
    args = ap.parse_args(argv)
    cases = PORT_CASES + DISC_CASES + TOTAL_CASES
    rng = np.random.default_rng(SEED)
    arrays = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with zipfile.ZipFile(args.wheel) as z:
            for name in z.namelist():
                if name.startswith(("hls4ml/templates/vivado/ap_types/", "hls4ml/templates/vivado/nnet_utils/")):
                    z.extract(name, tmp)
        viv = tmp / "hls4ml" / "templates" / "vivado"
        for k, c in enumerate(cases):
            x = _inputs(c, rng)
            arrays[f"in_{k}"] = x
            x.astype(np.int64).tofile(tmp / f"in_{k}.bin")
        src = PRELUDE + "#include <cmath>\n" + "".join(_case_source(k, c) for k, c in enumerate(cases))
        src += ("int main(int argc, char** argv) {\n    std::string d = argv[1];\n"
                + "".join(f"    case{k}::run(d);\n" for k in range(len(cases))) + "    return 0;\n}\n")
        (tmp / "scores.cpp").write_text(src)
        subprocess.run(["g++", "-O3", "-std=c++17", "-w", f"-I{viv / 'nnet_utils'}", f"-I{viv / 'ap_types'}",
                        str(tmp / "scores.cpp"), "-o", str(tmp / "scores")], check=True)
        subprocess.run([str(tmp / "scores"), str(tmp)], check=True)
        for k in range(len(cases)):
            arrays[f"out_{k}"] = np.fromfile(tmp / f"out_{k}.bin", dtype=np.int64)
    npz = args.out / "scores.npz"
    np.savez_compressed(npz, **arrays)
    gxx = subprocess.run(["g++", "--version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    manifest = {"generator": "scripts/make_score_golden.py", "seed": SEED, "gxx": gxx, "flags": "-O3 -std=c++17",
                "hls4ml_wheel": args.wheel.name, "hls4ml_wheel_sha256": _sha(args.wheel),
                "file": npz.name, "sha256": _sha(npz), "cases": cases}
    (args.out / "scores.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
