"""Record golden vectors of ap_fixed conversions and arithmetic from the real Xilinx headers.

Generates random fixed-point types (all rounding and overflow modes, N saturation
bits, negative integer bits, I > W, widths 1..80) and values (random, exact ties
at half an LSB, range edges, just over/under range, -0.0, +-inf, huge), writes a
C++ program that performs the assignments with the ``ap_types`` headers bundled
in hls4ml (``hls4ml/templates/vivado/ap_types``), compiles it with g++, runs it and
stores inputs and the raw bits of every result in ``tests/data/fixed_ap_golden.json.gz``
with a manifest (hls4ml version, g++ version, header sha256, seed).

``tests/test_fixed_golden.py`` compares :mod:`firmware_models.fixed` with these,
without hls4ml or g++. Optional extras to regenerate (own venv)::

    python3 -m venv /work/venvs/h2a && /work/venvs/h2a/bin/pip install hls4ml==1.3.0
    python3 scripts/make_fixed_golden.py \
        --ap-types /work/venvs/h2a/lib/python3.11/site-packages/hls4ml/templates/vivado/ap_types
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.metadata
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_ROOT))

from firmware_models.fixed.types import OVERFLOW_MODES, ROUNDING_MODES, FixedType  # noqa: E402

_OUT = _ROOT / "tests" / "data" / "fixed_ap_golden.json.gz"

_PRELUDE = r"""
#include <cstdio>
#include <cmath>
#include "ap_fixed.h"
#include "ap_int.h"
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
void pr(const ap_fixed_base<W, I, S, Q, O, N>& y) {
  std::printf("%d %d %d", W, I, (int)S);
  for (int lo = 0; lo < W; lo += 32) {
    int hi = lo + 31 < W - 1 ? lo + 31 : W - 1;
    ap_fixed_base<W, I, S, Q, O, N> c = y;
    unsigned long long chunk = c.range(hi, lo).to_uint64();
    std::printf(" %llx", chunk);
  }
  std::printf("\n");
}
template <int W, bool S>
void pr(const ap_int_base<W, S>& y) {
  ap_fixed_base<W, W, S> f = 0;
  f.range(W - 1, 0) = y.range(W - 1, 0);
  pr(f);
}
template <class T>
void setraw(T& x, const unsigned long long* chunks) {
  const int W = T::width;
  for (int lo = 0, i = 0; lo < W; lo += 32, ++i) {
    int hi = lo + 31 < W - 1 ? lo + 31 : W - 1;
    x.range(hi, lo) = ap_uint<32>(chunks[i]);
  }
}
int main() {
"""


def _random_type(rng: random.Random, max_width: int) -> FixedType:
    width = rng.choice([rng.randint(1, 16), rng.randint(1, 40), rng.randint(1, max_width)])
    integer = rng.randint(-4, width + 4)
    signed = rng.random() < 0.7
    if rng.random() < 0.07:
        return FixedType(width, width, signed, "TRN_ZERO", "WRAP", 0)  # ap_int / ap_uint
    rounding = rng.choice(ROUNDING_MODES)
    overflow = rng.choice(OVERFLOW_MODES)
    sat_bits = rng.randint(1, width) if overflow == "WRAP" and rng.random() < 0.4 else 0
    return FixedType(width, integer, signed, rounding, overflow, sat_bits)


def _cpp_type(t: FixedType) -> str:
    return str(t).replace("<", "< ").replace(">", " >")


def _doubles(rng: random.Random, t: FixedType, n: int) -> list[float]:
    lsb = 2.0 ** -t.fractional
    lo, hi = t.min_raw * lsb, t.max_raw * lsb
    span = max(abs(lo), abs(hi), lsb)
    vals = [0.0, -0.0, hi, lo, hi + lsb / 2, lo - lsb / 2, hi + lsb, lo - lsb, lsb / 2, -lsb / 2,
            float("inf"), float("-inf"), 1e300, -1e300, 3 * lsb / 2, -3 * lsb / 2, 5 * lsb / 2, -5 * lsb / 2]
    while len(vals) < n:
        kind = rng.random()
        if kind < 0.4:
            vals.append(rng.uniform(-1.5, 1.5) * span)
        elif kind < 0.7:  # exact ties and near-ties at the target half LSB
            k = rng.randint(int(lo / lsb) - 4, int(hi / lsb) + 4) if span / lsb < 2**50 else rng.randint(-1000, 1000)
            vals.append((k + 0.5) * lsb + rng.choice([0.0, 0.0, lsb / 1024, -lsb / 1024]))
        else:
            vals.append(rng.choice([-1, 1]) * 2.0 ** rng.uniform(-70, 70) * rng.random())
    return vals[:n]


def _raws(rng: random.Random, t: FixedType, n: int) -> list[int]:
    vals = [0, t.min_raw, t.max_raw, 1, t.min_raw + 1, t.max_raw - 1]
    if t.signed:
        vals += [-1]
    while len(vals) < n:
        vals.append(rng.randint(t.min_raw, t.max_raw))
    return [min(max(v, t.min_raw), t.max_raw) for v in vals[:n]]


def _chunks(raw: int, width: int) -> list[int]:
    bits = raw & ((1 << width) - 1)
    return [(bits >> lo) & 0xFFFFFFFF for lo in range(0, width, 32)]


def _parse_line(line: str) -> tuple[int, int, bool, int]:
    parts = line.split()
    width, integer, signed = int(parts[0]), int(parts[1]), parts[2] == "1"
    bits = sum(int(c, 16) << (32 * i) for i, c in enumerate(parts[3:]))
    if signed and bits >> (width - 1):
        bits -= 1 << width
    return width, integer, signed, bits


def _build(rng: random.Random, n_types: int, n_values: int) -> tuple[list[dict], list[str]]:
    cases: list[dict] = []
    body: list[str] = []
    for _ in range(n_types):  # double -> type
        t = _random_type(rng, 80)
        xs = _doubles(rng, t, n_values)
        lits = ", ".join("INFINITY" if x == float("inf") else "-INFINITY" if x == float("-inf") else x.hex()
                         for x in xs)
        body.append(f"{{ const double xs[] = {{{lits}}}; for (double x : xs) {{ {_cpp_type(t)} y = x; pr(y); }} }}")
        cases.append({"op": "quantize", "dst": str(t), "x": [x.hex() for x in xs]})
    for _ in range(n_types):  # ap_fixed -> ap_fixed
        src, dst = _random_type(rng, 80), _random_type(rng, 80)
        raws = _raws(rng, src, n_values)
        chunks = ", ".join("{" + ", ".join(f"{c}ULL" for c in _chunks(r, src.width)) + "}" for r in raws)
        nchunk = (src.width + 31) // 32
        body.append(
            f"{{ const unsigned long long cs[][{nchunk}] = {{{chunks}}}; for (auto& c : cs) "
            f"{{ {_cpp_type(src)} x; setraw(x, c); {_cpp_type(dst)} y = x; pr(y); }} }}"
        )
        cases.append({"op": "cast", "src": str(src), "dst": str(dst), "raw": [str(r) for r in raws]})
    for op in ("add", "sub", "mul"):
        for _ in range(n_types // 4):
            ta, tb = _random_type(rng, 40), _random_type(rng, 40)
            ra, rb = _raws(rng, ta, n_values), _raws(rng, tb, n_values)
            rb = rng.sample(rb, len(rb))
            ca = ", ".join("{" + ", ".join(f"{c}ULL" for c in _chunks(r, ta.width)) + "}" for r in ra)
            cb = ", ".join("{" + ", ".join(f"{c}ULL" for c in _chunks(r, tb.width)) + "}" for r in rb)
            sym = {"add": "+", "sub": "-", "mul": "*"}[op]
            body.append(
                f"{{ const unsigned long long ca[][{(ta.width + 31) // 32}] = {{{ca}}}; "
                f"const unsigned long long cb[][{(tb.width + 31) // 32}] = {{{cb}}}; "
                f"for (int i = 0; i < {len(ra)}; ++i) {{ {_cpp_type(ta)} a; {_cpp_type(tb)} b; "
                f"setraw(a, ca[i]); setraw(b, cb[i]); pr(a {sym} b); }} }}"
            )
            cases.append({"op": op, "a_type": str(ta), "b_type": str(tb),
                          "a": [str(r) for r in ra], "b": [str(r) for r in rb]})
    return cases, body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ap-types", type=Path, required=True, help="hls4ml/templates/vivado/ap_types directory")
    parser.add_argument("--seed", type=int, default=20240607)
    parser.add_argument("--types", type=int, default=120, help="random types per operation")
    parser.add_argument("--values", type=int, default=28, help="values per type")
    parser.add_argument("--out", type=Path, default=_OUT)
    args = parser.parse_args(argv)
    header = args.ap_types / "ap_fixed_base.h"
    if not header.is_file():
        parser.error(f"{header} not found; pass the ap_types directory of an installed hls4ml==1.3.0")
    rng = random.Random(args.seed)
    cases, body = _build(rng, args.types, args.values)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "golden.cpp"
        src.write_text(_PRELUDE + "\n".join(body) + "\nreturn 0;\n}\n")
        exe = Path(tmp) / "golden"
        subprocess.run(["g++", "-std=c++17", "-O1", "-w", "-DNDEBUG", f"-I{args.ap_types}", str(src), "-o", str(exe)], check=True)
        lines = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.splitlines()
    pos = 0
    for case in cases:
        n = len(case.get("x", case.get("raw", case.get("a", []))))
        outs = [_parse_line(line) for line in lines[pos:pos + n]]
        pos += n
        case["out"] = [str(o[3]) for o in outs]
        w, i, s = outs[0][:3]
        case["out_type"] = str(FixedType(w, i, s))
    if pos != len(lines):
        msg = f"C++ printed {len(lines)} lines, expected {pos}"
        raise RuntimeError(msg)
    site = args.ap_types.resolve().parents[3]
    dists = [d for d in importlib.metadata.distributions(path=[str(site)]) if d.metadata["Name"] == "hls4ml"]
    gxx = subprocess.run(["g++", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    manifest = {
        "tool": "Xilinx ap_types headers bundled in hls4ml, compiled with g++",
        "hls4ml_version": dists[0].version if dists else "unknown",
        "gxx": gxx,
        "ap_fixed_base_h_sha256": hashlib.sha256(header.read_bytes()).hexdigest(),
        "seed": args.seed,
        "encoding": "doubles as float.hex(); raw integers as decimal strings; out_type is W,I,signedness of "
                    "the C++ result (modes of +,-,* results are the defaults)",
        "generator": "scripts/make_fixed_golden.py",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps({"manifest": manifest, "cases": cases}, separators=(",", ":")).encode()
    with gzip.GzipFile(args.out, "wb", mtime=0) as fh:  # mtime=0: same bytes on every run
        fh.write(payload)
    print(f"wrote {len(cases)} cases, {pos} results to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
