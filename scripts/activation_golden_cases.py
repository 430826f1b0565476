"""The case grid of the activation/softmax golden vectors, and their seeded inputs.

Each case is a plain dict (it goes into the manifest as is): ``func`` plus the types and
parameters of one hls4ml call. ``cases_for(variant)`` lists the cases a header generation
can run (functions it lacks are left out); ``inputs_for(case, rng)`` gives the raw inputs:
every raw value of the input type when it has at most 11 bits (every rounding tie and
saturation boundary the types allow), else edges, table-boundary neighbourhoods and
seeded random values, including inputs far beyond the table ranges.
Used by ``scripts/make_activation_golden.py``; read back by
``tests/test_nn_activations_golden.py`` through the manifest.
"""

from __future__ import annotations

import numpy as np

from firmware_models.fixed import FixedType

__all__ = ["cases_for", "inputs_for", "table_cases_for", "softmax_cases_for"]

# input types: exhaustive (<= 11 bits) and sampled
IN_TYPES = {
    "A": "ap_fixed<10,4>",
    "B": "ap_fixed<8,2,AP_RND,AP_SAT>",
    "C": "ap_ufixed<9,3>",
    "D": "ap_fixed<6,9>",                  # fractional bits -3
    "E": "ap_fixed<18,8>",
    "G": "ap_fixed<40,34>",                # x * N / 16 beyond 32 bits
    "H": "ap_int<8>",
}
RES = {
    "r1": "ap_fixed<16,6>",
    "r2": "ap_ufixed<8,0,AP_RND_CONV,AP_SAT>",
    "r3": "ap_fixed<6,2,AP_RND,AP_WRAP>",
    "r4": "ap_fixed<12,3,AP_RND_ZERO,AP_SAT_SYM>",
    "r5": "ap_fixed<4,2>",
    "r6": "ap_uint<1>",
}
TAB = {
    "t1": "ap_fixed<18,8>",
    "t2": "ap_fixed<40,8>",                # 32 fractional bits: every float bit of the entry shows
    "t3": "ap_ufixed<10,0,AP_RND,AP_SAT>",
    "t4": "ap_fixed<8,3,AP_RND_CONV,AP_SAT>",
}

# (input, result, table type, table size) per table activation
_TABLE_GRID = [("A", "r1", "t1", 1024), ("B", "r2", "t3", 1000), ("C", "r3", "t4", 64), ("D", "r4", "t1", 4096),
               ("E", "r1", "t2", 1024), ("G", "r1", "t1", 1024), ("A", "r3", "t1", 1000), ("H", "r4", "t4", 256)]
_FORMULA_GRID = [("A", "r2"), ("B", "r3"), ("C", "r4"), ("D", "r1"), ("E", "r3"), ("G", "r1"), ("H", "r5")]


def _c(func: str, i: str, r: str, **kw) -> dict:
    return {"func": func, "in_t": IN_TYPES[i], "res_t": RES.get(r, r), **kw}


def _elementwise(v) -> list[dict]:
    cases: list[dict] = []
    # functions whose code is the same in every generation run on a shorter grid in the older ones
    same = _TABLE_GRID if v.name == "hls4ml-1.2" else _TABLE_GRID[1:6]
    for f in ("sigmoid", "tanh", "softplus", "softsign"):
        cases += [_c(f, i, r, table_t=TAB[t], table_size=n) for i, r, t, n in same]
    cases += [_c("selu", i, r, table_t=TAB[t], table_size=n) for i, r, t, n in _TABLE_GRID]
    elu_params = [("ap_fixed<16,6>", 1.0), ("ap_fixed<8,1,AP_RND,AP_SAT>", 0.3), ("ap_ufixed<6,2>", 1.7)]
    for k, (i, r, t, n) in enumerate(_TABLE_GRID):
        pt, alpha = elu_params[k % 3]
        cases.append(_c("elu", i, r, table_t=TAB[t], table_size=n, param_t=pt, alpha=alpha))
    cases += [_c("elu_default", i, r, table_t=TAB[t], table_size=n) for i, r, t, n in _TABLE_GRID[:4]]
    for f in ("linear", "relu", "ternary_tanh"):
        cases += [_c(f, i, r) for i, r in _FORMULA_GRID]
    for k, (i, r) in enumerate(_FORMULA_GRID):
        cases.append(_c("relu_max", i, r, max_int=(6, 1, 3)[k % 3]))
    lparams = [("ap_fixed<16,6>", 0.3), ("ap_fixed<8,1,AP_RND,AP_SAT>", 0.2), ("ap_ufixed<6,2>", 1.7),
               ("ap_fixed<18,8>", -0.55)]
    for k, (i, r) in enumerate(_FORMULA_GRID):
        pt, a = lparams[k % 4]
        cases.append(_c("leaky_relu", i, r, param_t=pt, alpha=a))
        pt, th = [("ap_fixed<16,6>", 1.0), ("ap_fixed<8,3,AP_RND,AP_SAT>", 0.55), ("ap_fixed<10,4>", -0.3)][k % 3]
        cases.append(_c("thresholded_relu", i, r, param_t=pt, alpha=th))
    rng = np.random.default_rng(9)
    for k, (i, r) in enumerate(_FORMULA_GRID[:5]):
        alphas = [float(f"{a:.6g}") for a in rng.uniform(-1.2, 1.2, 8)]
        pt = ("ap_fixed<8,1>", "ap_fixed<12,2,AP_RND,AP_SAT>", "ap_fixed<16,6>")[k % 3]
        cases.append(_c("prelu", i, r, param_t=pt, alphas=alphas))
    for i, r in _FORMULA_GRID:
        cases.append(_c("binary_tanh", i, r))
    cases += [_c("binary_tanh", "A", "r6"), _c("binary_tanh", "B", "ap_int<2>"),
              _c("binary_tanh", "E", "ap_ufixed<1,1>"), _c("ternary_tanh", "A", "r6"),
              _c("ternary_tanh", "B", "ap_int<2>")]
    hard = [("ap_ufixed<16,0>", 0.2, "ap_ufixed<2,0>", 0.5), ("ap_fixed<8,2>", 0.5, "ap_fixed<4,1,AP_RND>", 0.5),
            ("ap_ufixed<6,0,AP_RND,AP_SAT>", 0.3, "ap_ufixed<3,0>", 0.375)]
    for k, (i, r) in enumerate(_FORMULA_GRID):
        st, s, ht, h = hard[k % 3]
        cases.append(_c("hard_sigmoid", i, r, slope_t=st, slope=s, shift_t=ht, shift=h))
        if v.hard_activation == "config":
            cases.append(_c("hard_tanh", i, r, slope_t=st, slope=s, shift_t=ht, shift=h))
    if v.param_type == "param_t":  # unary_lut arrived with the parametrised activations (hls4ml 1.0)
        cases += [{"func": "unary_lut", "in_t": "ap_fixed<6,2>", "res_t": "ap_fixed<12,4,AP_RND,AP_SAT>",
                   "table_t": "ap_fixed<10,3>", "table_size": 64, "table_seed": 3},
                  {"func": "unary_lut", "in_t": "ap_ufixed<5,1>", "res_t": "ap_fixed<6,1>",
                   "table_t": "ap_fixed<12,2>", "table_size": 32, "table_seed": 4}]
    return cases


def table_cases_for(v) -> list[dict]:
    """Direct dumps of the element-wise tables (``init_*_table``)."""
    grid = [("t1", 1024), ("t2", 1024), ("t2", 1000), ("t3", 4096), ("t4", 64), ("t2", 97)]
    if v.name != "hls4ml-1.2":  # the init functions are the same text in every generation
        grid = [("t2", 1000)]
    out = []
    for name in ("sigmoid", "tanh", "softplus", "softsign", "elu", "selu", "exp_legacy", "invert_legacy"):
        out += [{"func": "table", "table": name, "table_t": TAB[t], "table_size": n} for t, n in grid]
    return out


_SM = "ap_fixed<18,8,AP_RND,AP_SAT>"
_SOFTMAX_GRID = [
    # in_t, res_t, exp_table_t, inv_table_t, size (exp, inv), accum_t, inv_inp_t, inp_norm_t, n_slice, exp_scale
    ("ap_fixed<16,6>", "ap_fixed<16,6>", _SM, _SM, (1024, 1024), _SM, _SM, "ap_ufixed<15,5>", 5, 1.0),
    ("ap_fixed<10,4,AP_RND,AP_SAT>", "ap_ufixed<8,0,AP_RND,AP_SAT>", "ap_fixed<16,6>",
     "ap_fixed<16,4,AP_RND_CONV,AP_SAT>", (512, 256), "ap_fixed<20,10>", "ap_fixed<14,6>", "ap_ufixed<9,3>", 10, 1.0),
    ("ap_ufixed<8,3>", "ap_fixed<10,2>", "ap_ufixed<18,8,AP_RND,AP_SAT>", _SM, (256, 256), "ap_ufixed<18,8>",
     "ap_ufixed<16,6,AP_RND,AP_SAT>", "ap_ufixed<8,3>", 2, 1.0),
    ("ap_fixed<12,12>", "ap_fixed<12,2>", "ap_fixed<12,4>", "ap_fixed<12,2>", (1024, 1024), "ap_fixed<12,4>",
     "ap_fixed<12,4>", "ap_ufixed<11,11>", 3, 0.5),
    ("ap_fixed<23,8>", "ap_ufixed<24,12,AP_RND,AP_SAT>", _SM, _SM, (1024, 1024), _SM, _SM, "ap_ufixed<22,7>", 8, 1.0),
    ("ap_fixed<8,3>", "ap_fixed<8,1,AP_RND,AP_SAT>", _SM, _SM, (128, 256), _SM, _SM, "ap_ufixed<7,2>", 1, 1.0),
    ("ap_fixed<14,3,AP_RND_CONV,AP_SAT>", "ap_ufixed<10,0,AP_RND_CONV,AP_SAT>", "ap_ufixed<12,4,AP_RND,AP_SAT>",
     "ap_ufixed<12,1,AP_TRN,AP_SAT>", (2048, 1024), "ap_ufixed<14,6,AP_RND,AP_SAT>", "ap_ufixed<12,4>",
     "ap_ufixed<13,2>", 20, 2.0),
]


def softmax_cases_for(v) -> list[dict]:
    impls = ["latency", "stable", "legacy"] + (["argmax"] if v.softmax_argmax else [])
    out = []
    for k, (i, r, et, it, (ne, ni), at, iit, nt, n, sc) in enumerate(_SOFTMAX_GRID):
        if v.softmax_tables == "shared":
            ne = ni = max(ne, ni) if k != 1 else 256
            if ne > 2 ** min(FixedType.parse(i).width, FixedType.parse(et).width):
                ne = ni = 2 ** min(FixedType.parse(i).width, FixedType.parse(et).width)
        for impl in impls:
            c = {"func": "softmax", "implementation": impl, "in_t": i, "res_t": r, "exp_table_t": et,
                 "inv_table_t": it, "exp_table_size": ne, "inv_table_size": ni, "n_slice": n,
                 "table_t": ("ap_fixed<18,8>", "ap_fixed<16,6,AP_RND,AP_SAT>", "ap_ufixed<12,4>")[k % 3],
                 "n_outer": 1, "n_inner": 1}
            if impl == "legacy":
                c["exp_table_size"], c["inv_table_size"] = (1024, 1024) if k % 2 == 0 else (1000, 512)
                if v.softmax_tables == "shared":
                    c["inv_table_size"] = c["exp_table_size"]
            if v.softmax_tables == "split":
                c.update(accum_t=at, inv_inp_t=iit, inp_norm_t=nt, exp_scale=sc)
            out.append(c)
    if v.softmax_tables == "split":
        for impl in ("latency", "stable"):
            out.append({"func": "softmax", "implementation": impl, "in_t": "ap_fixed<12,5>", "res_t": "ap_fixed<12,2>",
                        "exp_table_t": _SM, "inv_table_t": _SM, "exp_table_size": 1024, "inv_table_size": 1024,
                        "accum_t": _SM, "inv_inp_t": _SM, "inp_norm_t": "ap_ufixed<11,4>", "exp_scale": 1.0,
                        "table_t": "ap_fixed<18,8>", "n_slice": 4, "n_outer": 2, "n_inner": 3})
    return out


def cases_for(v) -> list[dict]:
    """Every case of variant ``v`` (an NnetVariant), each with a unique ``id``."""
    cases = _elementwise(v) + table_cases_for(v) + softmax_cases_for(v)
    for k, c in enumerate(cases):
        c["id"] = f"{v.name}/{k:03d}_{c['func']}"
        c["variant"] = v.name
    return cases


# ------------------------------------------------------------------ inputs
def _edges(t: FixedType, rng) -> np.ndarray:
    lo, hi, f = t.min_raw, t.max_raw, t.fractional
    vals = {lo, lo + 1, lo + 2, hi, hi - 1, hi - 2, 0, 1, -1, 2, -2}
    for span in (16, 8):
        for n in (1024, 1000, 64, 4096, 256):
            for k in rng.choice(np.arange(-n, n + 1), size=24):
                b = int(round(k * span / n * 2.0 ** f)) if f > -60 else 0
                vals.update(b + d for d in (-2, -1, 0, 1, 2))
            for edge in (span / 2, -span / 2, 8, -8):
                b = int(round(edge * 2.0 ** f))
                vals.update(b + d for d in (-2, -1, 0, 1, 2))
    for span, n in ((16, 1024), (16, 1000), (8, 1024), (8, 4096), (-8, 1024), (-8, 4096), (16, 64)):
        # x * N / span next to the 32-bit int limits, where data_round or data_round + N/2 wraps
        for target in (2**31 - n // 2, 2**31, 2**32, -(2**31), -(2**31) - n // 2):
            for d in (-2, -1, 0, 1, 2):
                b = ((target + d) * span << max(f, 0)) // n >> max(-f, 0)
                vals.update(b + e for e in (-1, 0, 1))
    for p in range(0, t.width + 2):
        vals.update({2**p, -(2**p), 2**p - 1, -(2**p) + 1})
    return np.array(sorted(v for v in vals if lo <= v <= hi), dtype=np.int64)


def inputs_for(t_str: str, rng, *, rows: int | None = None) -> np.ndarray:
    """Raw inputs of type ``t_str``: all values for <= 11 bits, else edges plus seeded random values."""
    t = FixedType.parse(t_str)
    if t.width <= 11:
        return np.arange(t.min_raw, t.max_raw + 1, dtype=np.int64)
    edges = _edges(t, rng)
    uni = rng.integers(t.min_raw, t.max_raw, size=1500, endpoint=True, dtype=np.int64)
    near = np.clip(np.round(rng.normal(0, 6, 1500) * 2.0 ** t.fractional), t.min_raw, t.max_raw).astype(np.int64)
    return np.concatenate([edges, uni, near])


def softmax_inputs(t_str: str, n: int, rng, n_rows: int = 240) -> np.ndarray:
    """(rows, n) raw softmax inputs: random, near-equal, ties, saturation edges."""
    t = FixedType.parse(t_str)
    lo, hi = t.min_raw, t.max_raw
    rows = [rng.integers(lo, hi, size=(n_rows // 3, n), endpoint=True)]
    centre = rng.integers(lo, hi, size=(n_rows // 3, 1), endpoint=True)
    spread = np.round(rng.normal(0, 3, size=(n_rows // 3, n)) * 2.0 ** t.fractional).astype(np.int64)
    rows.append(np.clip(centre + spread, lo, hi))
    small = np.round(rng.normal(0, 2, size=(n_rows // 3, n)) * 2.0 ** t.fractional).astype(np.int64)
    rows.append(np.clip(small, lo, hi))
    pad = max(n - 2, 0)
    edge = [np.full(n, 0), np.full(n, hi), np.full(n, lo), np.r_[hi, np.full(n - 1, lo)],
            np.r_[np.full(n - 1, lo), hi], np.r_[hi, hi, np.zeros(pad, dtype=np.int64)][:n], np.arange(n) % 2 * hi,
            np.full(n, 1), np.r_[1, np.zeros(n - 1, dtype=np.int64)]]
    rows.append(np.array(edge, dtype=np.int64))
    return np.concatenate(rows).astype(np.int64)
