"""Golden vectors for pooling from every nnet_pooling.h generation: hls4ml 1.3.0's and the CMS folders'.

For each header set (hls4ml 1.3.0's ``templates/vivado/nnet_utils`` and the ``nnet_utils`` of the
folders in ``../shared/models/cms-hls4ml`` whose ``nnet_pooling.h`` differ), a small C++ harness
(below) is compiled with g++ against those headers and hls4ml 1.3.0's bundled ap_types, over a
grid of data / accumulator / result types and pooling geometries (1D, 2D, padded, global; max
and average), on seeded random raw inputs that span each type's whole range. It records the raw
inputs (``x__<types>__<geometry>__<op>``, shared by the header sets) and outputs
(``y__<set>__<types>__<geometry>__<op>``) in ``tests/golden/pooling/vectors.npz`` and a manifest (header sha256 per set,
the types, the geometries, the tools). The harness only fills config structs and calls the
header's functions; the arithmetic is the headers'.

Needs g++ and hls4ml==1.3.0 importable (for its templates), or ``HLS4ML_TEMPLATES`` pointing at
``hls4ml/templates/vivado``. Run: ``python scripts/make_pooling_vectors.py [--out DIR]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "golden" / "pooling"
SHARED = ROOT.parent.parent / "shared" / "models" / "cms-hls4ml"

#: header set -> (nnet_utils folder relative to cms-hls4ml, or None for hls4ml 1.3.0; the variant modelled)
HEADER_SETS = {
    "hls4ml-1.3.0": (None, "v1.3"),
    "CICADA_v1": ("CICADA_v1/nnet_utils", "legacy_v1"),
    "CICADA_v2": ("CICADA_v2/nnet_utils", "legacy_v1"),
    "CICADA_v2p2p0": ("CICADA_v2p2p0/nnet_utils", "legacy"),
    "TOoLLiP_v1": ("TOoLLiP_v1/NN/nnet_utils", "legacy_modes"),
    "TOoLLiP_v2": ("TOoLLiP_v2/NN/nnet_utils", "legacy_modes_n"),
    "L1TSC4NGJetModel_v0": ("L1TSC4NGJetModel_v0/NN/nnet_utils", "accum_stride"),
    "AXOL1TL_v6": ("AXOL1TL_v6/NN/nnet_utils", "accum_stride"),
}

#: (data_T, accum_t, res_T)
TYPES = [
    ("ap_fixed<12,4>", "ap_fixed<16,7>", "ap_fixed<12,5,AP_RND,AP_SAT>"),
    ("ap_fixed<10,5,AP_RND,AP_SAT>", "ap_fixed<12,8,AP_RND_CONV,AP_SAT>", "ap_fixed<10,5,AP_RND,AP_SAT>"),
    ("ap_ufixed<12,6>", "ap_ufixed<12,8,AP_RND,AP_SAT>", "ap_ufixed<12,6>"),
    ("ap_ufixed<10,4,AP_RND_CONV,AP_SAT>", "ap_fixed<14,6>", "ap_fixed<8,3,AP_RND_CONV,AP_SAT>"),
    ("ap_int<8>", "ap_int<12>", "ap_int<8>"),
]

#: name -> geometry; "all": every header set, else hls4ml 1.3.0 only (pool != stride, odd padding)
GEOMETRIES = {
    "p2_2x2": dict(kind="2d", shape=(6, 4, 3), pool=(2, 2), stride=(2, 2), pad=(0, 0, 0, 0), sets="all"),
    "p2_3x1": dict(kind="2d", shape=(7, 3, 2), pool=(3, 1), stride=(3, 1), pad=(0, 0, 0, 0), sets="all"),
    "p2_pad": dict(kind="2d", shape=(5, 5, 2), pool=(2, 2), stride=(2, 2), pad=(0, 1, 0, 1), sets="all"),
    "p1_3": dict(kind="1d", shape=(9, 2), pool=3, stride=3, pad=(0, 0), sets="all"),
    "p1_pad": dict(kind="1d", shape=(7, 2), pool=3, stride=3, pad=(1, 1), sets="all"),
    "g1": dict(kind="g1d", shape=(10, 3), sets="all"),
    "g2": dict(kind="g2d", shape=(4, 3, 2), sets="all"),
    "p2_3s2pad": dict(kind="2d", shape=(6, 5, 2), pool=(3, 3), stride=(2, 2), pad=(1, 1, 1, 1), sets="1.3"),
}

N_EVENTS = 120

_HEAD = r"""
#include <cassert>
#include <cstdio>
#include <cmath>
#include "ap_fixed.h"
#include "ap_int.h"
#include "nnet_pooling.h"
typedef DATA_T data_t; typedef RES_T res_t; typedef ACC_T acc_t;
template <class T> unsigned long long bits_of(T v) { return v.range().to_uint64(); }
"""


def _out_size(n, k, s, p0, p1):
    return (n + p0 + p1 - k) // s + 1


def _config(name: str, g: dict, op: str) -> tuple[str, str, int, int]:
    """(struct text, call text, n_in, n_out) for one geometry and op."""
    pool_op = "Max" if op == "max" else "Average"
    if g["kind"] == "2d":
        (h, w, c), (ph, pw), (sh, sw), (pt, pb, pl, pr) = g["shape"], g["pool"], g["stride"], g["pad"]
        oh, ow = _out_size(h, ph, sh, pt, pb), _out_size(w, pw, sw, pl, pr)
        body = (f"in_height={h}; static const unsigned in_width={w}; static const unsigned n_filt={c}; "
                f"static const unsigned stride_height={sh}; static const unsigned stride_width={sw}; "
                f"static const unsigned pool_height={ph}; static const unsigned pool_width={pw}; "
                f"static const unsigned filt_height={ph}; static const unsigned filt_width={pw}; "
                f"static const unsigned n_chan={c}; static const unsigned out_height={oh}; "
                f"static const unsigned out_width={ow}; static const unsigned pad_top={pt}; "
                f"static const unsigned pad_bottom={pb}; static const unsigned pad_left={pl}; "
                f"static const unsigned pad_right={pr};")
        base, fn, n_in, n_out = "pooling2d_config", "pooling2d_cl", h * w * c, oh * ow * c
    elif g["kind"] == "1d":
        (w, c), pw, sw, (pl, pr) = g["shape"], g["pool"], g["stride"], g["pad"]
        ow = _out_size(w, pw, sw, pl, pr)
        body = (f"n_in={w}; static const unsigned n_out={ow}; static const unsigned n_filt={c}; "
                f"static const unsigned pool_width={pw}; static const unsigned stride_width={sw}; "
                f"static const unsigned filt_width={pw}; static const unsigned n_chan={c}; "
                f"static const unsigned pad_left={pl}; static const unsigned pad_right={pr};")
        base, fn, n_in, n_out = "pooling1d_config", "pooling1d_cl", w * c, ow * c
    elif g["kind"] == "g1d":
        w, c = g["shape"]
        body = (f"n_in={w}; static const unsigned n_filt={c}; static const unsigned pool_width={w}; "
                f"static const unsigned stride_width={w}; static const unsigned pad_left=0; "
                f"static const unsigned pad_right=0;")
        base, fn, n_in, n_out = "pooling1d_config", "global_pooling1d_cl", w * c, c
    else:
        h, w, c = g["shape"]
        body = (f"in_height={h}; static const unsigned in_width={w}; static const unsigned n_filt={c}; "
                f"static const unsigned pool_height={h}; static const unsigned pool_width={w}; "
                f"static const unsigned stride_height={h}; static const unsigned stride_width={w}; "
                f"static const unsigned pad_top=0; static const unsigned pad_bottom=0; "
                f"static const unsigned pad_left=0; static const unsigned pad_right=0;")
        base, fn, n_in, n_out = "pooling2d_config", "global_pooling2d_cl", h * w * c, c
    cfg = f"cfg_{name}_{op}"
    struct = (f"struct {cfg} : nnet::{base} {{ static const unsigned {body} static const bool count_pad = false; "
              f"static const nnet::Pool_Op pool_op = nnet::{pool_op}; static const unsigned reuse_factor = 1; "
              f"typedef acc_t accum_t; }};\n")
    call = (f"  {{ data_t x[{n_in}]; res_t y[{n_out}]; for (int i = 0; i < {n_in}; i++) {{ long long r; "
            f"fread(&r, 8, 1, fi); x[i].range() = r; }} nnet::{fn}<data_t, res_t, {cfg}>(x, y); "
            f"for (int i = 0; i < {n_out}; i++) {{ unsigned long long r = bits_of(y[i]); fwrite(&r, 8, 1, fo); }} }}\n")
    return struct, call, n_in, n_out


def _templates() -> Path:
    env = os.environ.get("HLS4ML_TEMPLATES")
    if env:
        return Path(env)
    import hls4ml

    return Path(hls4ml.__file__).parent / "templates" / "vivado"


def _raw_range(t: str) -> tuple[int, int]:
    body = t.split("<", 1)[1].rstrip(">").split(",")
    w = int(body[0])
    return (0, (1 << w) - 1) if t.startswith(("ap_ufixed", "ap_uint")) else (-(1 << (w - 1)), (1 << (w - 1)) - 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=20251204)
    args = parser.parse_args(argv)
    tpl = _templates()
    gxx = subprocess.run(["g++", "--version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    args.out.mkdir(parents=True, exist_ok=True)
    vectors: dict[str, np.ndarray] = {}
    manifest = {"made_by": "scripts/make_pooling_vectors.py (g++ harness over each header set's nnet_pooling.h)",
                "tools": {"g++": gxx, "ap_types": "hls4ml 1.3.0 bundled", "python": platform.python_version()},
                "types": TYPES, "geometries": GEOMETRIES, "header_sets": {}, "n_events": N_EVENTS}
    with tempfile.TemporaryDirectory(prefix="pool_vectors_") as tmp:
        work = Path(tmp)
        for hs, (rel, variant) in HEADER_SETS.items():
            inc = tpl / "nnet_utils" if rel is None else SHARED / rel
            if not inc.is_dir():
                print(f"[make_pooling_vectors] {hs}: {inc} absent, skipped", file=sys.stderr)
                continue
            header = (inc / "nnet_pooling.h").read_bytes()
            has_g2 = b"void global_pooling2d_cl" in header
            geos = {k: g for k, g in GEOMETRIES.items() if (g["sets"] == "all" or variant == "v1.3")
                    and (g["kind"] != "g2d" or has_g2)}
            manifest["header_sets"][hs] = {"include": str(rel or "hls4ml/templates/vivado/nnet_utils"),
                                           "variant": variant, "geometries": list(geos),
                                           "nnet_pooling.h": hashlib.sha256(header).hexdigest()}
            for ti, (data_t, acc_t, res_t) in enumerate(TYPES):
                structs, calls, sizes = [], [], []
                for gname, g in geos.items():
                    for op in ("max", "average"):
                        s, c, n_in, n_out = _config(gname, g, op)
                        structs.append(s)
                        calls.append(c)
                        sizes.append((gname, op, n_in, n_out))
                src = (_HEAD + "".join(structs) + "int main(int argc, char** argv) {\n  FILE* fi = fopen(argv[1], \"rb\");"
                       " FILE* fo = fopen(argv[2], \"wb\"); int n; fread(&n, 4, 1, fi);\n  for (int e = 0; e < n; e++) {\n"
                       + "".join(calls) + "  }\n  fclose(fi); fclose(fo); return 0;\n}\n")
                cpp, exe = work / f"h_{hs}_{ti}.cpp", work / f"h_{hs}_{ti}"
                cpp.write_text(src)
                cmd = ["g++", "-O1", "-std=c++14", "-fpermissive", "-w",  # older folders use helpers before they declare them
                       f"-DDATA_T={data_t}", f"-DACC_T={acc_t}", f"-DRES_T={res_t}",
                       f"-I{inc}", f"-I{tpl / 'ap_types'}", str(cpp), "-o", str(exe)]
                subprocess.run(cmd, check=True)
                rng = np.random.default_rng([args.seed, ti])
                lo, hi = _raw_range(data_t)
                xs = {}
                for gname, op, n_in, _ in sizes:
                    x = rng.integers(lo, hi + 1, size=(N_EVENTS, n_in))
                    x[:3] = hi
                    x[3:6] = lo
                    xs[(gname, op)] = x
                blob = [np.array([N_EVENTS], dtype=np.int32).tobytes()]
                blob += [np.concatenate([xs[(g, o)][e] for g, o, _, _ in sizes]).astype(np.int64).tobytes()
                         for e in range(N_EVENTS)]
                fin, fout = work / "in.bin", work / "out.bin"
                fin.write_bytes(b"".join(blob))
                subprocess.run([str(exe), str(fin), str(fout)], check=True)
                bits = np.fromfile(fout, dtype=np.uint64).reshape(N_EVENTS, -1).astype(np.int64)
                r_lo, r_hi = _raw_range(res_t)
                out = bits - ((bits > r_hi) * (1 << (r_hi - r_lo).bit_length())) if r_lo < 0 else bits
                col = 0
                for gname, op, n_in, n_out in sizes:
                    # the inputs depend only on (types, geometry, op): stored once, shared by every header set
                    vectors[f"x__{ti}__{gname}__{op}"] = xs[(gname, op)].astype(np.int32)
                    vectors[f"y__{hs}__{ti}__{gname}__{op}"] = out[:, col:col + n_out].astype(np.int32)
                    col += n_out
                print(f"[make_pooling_vectors] {hs} types {ti}: {len(sizes)} configs", file=sys.stderr)
    np.savez_compressed(args.out / "vectors.npz", **vectors)
    manifest["vectors.npz"] = hashlib.sha256((args.out / "vectors.npz").read_bytes()).hexdigest()
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
