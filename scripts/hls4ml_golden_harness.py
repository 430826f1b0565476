"""The C++ harness around an hls4ml project for the AXOL1TL-like and KL golden cases.

It is compiled with the project's own ap_types and nnet_utils and does what the AXOL1TL
firmware does around the network: scale hardware integers with ``(x - offset) >> shift``
into the input type and compute the anomaly score (sum of mu^2, or a KL divergence)
with the real ap_fixed library. Used by ``scripts/make_hls4ml_vectors.py``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

__all__ = ["run_harness"]

_HARNESS = r"""
// Harness around the hls4ml project: AXOL1TL-style input scaling and score heads.
#include <cstdio>
#include <cstdint>
#include <cmath>
#include <vector>
#include "myproject.h"
#include "nnet_utils/nnet_common.h"

typedef ap_fixed<18,13> unscaled_t;

template <class T> long long raw_of(T v) { return llround(ldexp(v.to_double(), T::width - T::iwidth)); }

int main(int argc, char** argv) {
    FILE* fi = fopen(argv[1], "rb"); FILE* fo = fopen(argv[2], "wb");
    int n, nin, nout; fread(&n, 4, 1, fi); fread(&nin, 4, 1, fi); fread(&nout, 4, 1, fi);
    std::vector<int> off(nin), sh(nin); fread(off.data(), 4, nin, fi); fread(sh.data(), 4, nin, fi);
    for (int e = 0; e < n; e++) {
        input_t x[HN_IN]; OUT_T y[HN_OUT];
#ifdef SCALED_INPUTS
        for (int i = 0; i < nin; i++) {
            int hw; fread(&hw, 4, 1, fi);
            unscaled_t u = hw;
            unscaled_t tmp0 = u - (unscaled_t)off[i];
            input_t tmp1 = tmp0 >> sh[i];
            x[i] = tmp1;
        }
#else
        for (int i = 0; i < nin; i++) { long long r; fread(&r, 8, 1, fi); x[i].range() = r; }
#endif
        myproject(x, y);
        long long rec[HN_IN + HN_OUT + 1];
        for (int i = 0; i < nin; i++) rec[i] = raw_of(x[i]);
        for (int i = 0; i < HN_OUT; i++) rec[nin + i] = raw_of(y[i]);
#if defined(SCORE_SUM_MU2)
        score_t sq[HN_OUT];
        for (int i = 0; i < HN_OUT; i++) sq[i] = y[i] * y[i];
        nnet::Op_add<score_t> op;
        score_t s = nnet::reduce<score_t, HN_OUT, nnet::Op_add<score_t>>(sq, op);
        rec[nin + HN_OUT] = raw_of(s);
#elif defined(SCORE_KL)
        static bool init = false; static kl_table_t table[KL_N];
        if (!init) {
            for (int ii = 0; ii < KL_N; ii++) {
                float in_val = 2 * 8.0 * (ii - float(KL_N) / 2.0) / float(KL_N);
                kl_table_t v = (float)std::exp(in_val);
                table[ii] = v;
            }
            init = true;
        }
        kl_accum_t terms[KL_L];
        for (int i = 0; i < KL_L; i++) {
            kl_square_t sq = y[i] * y[i];
            OUT_T lv = y[KL_L + i];
            int data_round = lv * KL_N / 16;
            int index = data_round + 8 * KL_N / 16;
            if (index < 0) index = 0;
            if (index > KL_N - 1) index = KL_N - 1;
            kl_accum_t t = sq + table[index] - lv - ap_uint<1>(1);
            terms[i] = t;
        }
        nnet::Op_add<kl_accum_t> op;
        kl_accum_t s = nnet::reduce<kl_accum_t, KL_L, nnet::Op_add<kl_accum_t>>(terms, op);
        score_t r = s * ap_ufixed<1,0>(0.5);
        rec[nin + HN_OUT] = raw_of(r);
#else
        rec[nin + HN_OUT] = 0;
#endif
        fwrite(rec, 8, nin + HN_OUT + 1, fo);
    }
    fclose(fi); fclose(fo);
    return 0;
}
"""


def run_harness(prj: Path, case: dict, n_in: int, n_out: int, out_type: str, payload: dict) -> np.ndarray:
    """Compile the harness against the project and run it; returns (n, n_in + n_out + 1) int64."""
    fw = prj / "firmware"
    src = prj / "_harness.cpp"
    src.write_text(_HARNESS)
    score = case.get("score") or {}
    defines = [f"-DHN_IN={n_in}", f"-DHN_OUT={n_out}", "-DOUT_T=result_t"]
    if payload["scaled"]:
        defines.append("-DSCALED_INPUTS")
    if score.get("kind") == "sum_mu2":
        defines += ["-DSCORE_SUM_MU2", f"-Dscore_t={score['type']}"]
    elif score.get("kind") == "kl":
        defines += ["-DSCORE_KL", f"-Dscore_t={score['type']}", f"-Dkl_table_t={score['table']}",
                    f"-Dkl_square_t={score['square']}", f"-Dkl_accum_t={score['accum']}",
                    f"-DKL_N={score['table_size']}", f"-DKL_L={score['latent']}"]
    exe = prj / "_harness"
    cmd = ["g++", "-O2", "-std=c++17", *defines, f'-DWEIGHTS_DIR="{fw / "weights"}"',
           f"-I{fw}", f"-I{fw / 'ap_types'}", str(src), str(fw / "myproject.cpp"), "-o", str(exe)]
    subprocess.run(cmd, check=True)
    n = payload["n"]
    blob = [np.array([n, n_in, payload["nin_file"]], dtype=np.int32).tobytes(),
            np.asarray(payload["offsets"], dtype=np.int32).tobytes(),
            np.asarray(payload["shifts"], dtype=np.int32).tobytes(), payload["data"].tobytes()]
    fin, fout = prj / "_in.bin", prj / "_out.bin"
    fin.write_bytes(b"".join(blob))
    subprocess.run([str(exe), str(fin), str(fout)], check=True)
    return np.fromfile(fout, dtype=np.int64).reshape(n, n_in + n_out + 1)
