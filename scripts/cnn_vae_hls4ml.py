"""Train the seed CNN VAE encoder and make its hls4ml 1.3.0 project (the hls4ml side of make_cnn_vae.py).

Run by ``scripts/make_cnn_vae.py`` with an interpreter that has ``hls4ml==1.3.0``, ``torch==2.13.0``
and ``keras`` 3 (its torch backend; no TensorFlow), e.g. ``/work/venvs/hls4ml/bin/python``; it needs
none of the project's packages. ``python cnn_vae_hls4ml.py WORK`` reads ``WORK/data.npz`` (the
scaled training inputs as floats, the golden events' hardware integers in the grid order, the
per-feature offsets and shifts) and ``WORK/spec.json`` (types, latent size, training settings), and
writes into ``WORK``:

- ``prj/``: the hls4ml project (``convert_from_keras_model``, io_parallel, Vivado, Latency);
- ``golden.npz``: for the golden events, ``x_hw`` (hardware integers), then from a C++ harness
  compiled with the project's own ap_types and nnet_utils: ``x`` (the scaled input mantissas:
  ``input_t = (ap_fixed<18,13>(hw) - off) >> sh``), ``mu``, ``logvar`` (the project's outputs) and
  ``score`` (the KL divergence, each step one assignment to its declared type -- the formula of
  ``firmware_models.nn.scores.kl_continuous``, in ap_fixed); and ``predict_mu`` / ``predict_logvar``,
  hls4ml's own ``hls_model.predict`` on the same scaled inputs;
- ``train.json``: the losses per epoch and the tool versions.

The network (Govorkova et al., Nat. Mach. Intell. 4 (2022) 154, CNN VAE encoder): input 19x3x1 (MET,
4 mu, 4 e/gamma, 10 jets x pT, eta, phi) -> ZeroPadding2D((1,0),(0,0)) -> BatchNormalization ->
Conv2D 16 (3,3) 'same' no bias -> ReLU -> AveragePooling2D(3,1) -> Conv2D 32 (3,1) 'same' no bias ->
ReLU -> AveragePooling2D(3,1) -> Flatten -> Dense mu, Dense log sigma^2 (latent 8). The decoder (a
dense 8 -> 64 -> 57 net) exists only in training. Loss: MSE(reconstruction) + beta * KL / 57.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")

_HARNESS = r"""
#include <cstdio>
#include <cmath>
#include <vector>
#include "myproject.h"
#include "nnet_utils/nnet_common.h"

typedef ap_fixed<18,13> unscaled_t;
template <class T> long long raw_of(T v) { return llround(ldexp(v.to_double(), T::width - T::iwidth)); }

int main(int argc, char** argv) {
    FILE* fi = fopen(argv[1], "rb"); FILE* fo = fopen(argv[2], "wb");
    int n; fread(&n, 4, 1, fi);
    int off[NIN], sh[NIN]; fread(off, 4, NIN, fi); fread(sh, 4, NIN, fi);
    static kl_table_t table[KL_N];
    for (int ii = 0; ii < KL_N; ii++) {
        float in_val = 2 * 8.0 * (ii - float(KL_N) / 2.0) / float(KL_N);
        kl_table_t v = (float)std::exp(in_val);
        table[ii] = v;
    }
    for (int e = 0; e < n; e++) {
        input_t x[NIN]; MU_T mu[NLAT]; LV_T lv[NLAT];
        for (int i = 0; i < NIN; i++) {
            int hw; fread(&hw, 4, 1, fi);
            unscaled_t u = hw;
            unscaled_t t0 = u - (unscaled_t)off[i];
            input_t t1 = t0 >> sh[i];
            x[i] = t1;
        }
        myproject(x, mu, lv);
        kl_accum_t terms[NLAT];
        for (int i = 0; i < NLAT; i++) {
            kl_square_t sq = mu[i] * mu[i];
            int data_round = lv[i] * KL_N / 16;
            int index = data_round + 8 * KL_N / 16;
            if (index < 0) index = 0;
            if (index > KL_N - 1) index = KL_N - 1;
            kl_accum_t t = sq + table[index] - lv[i] - ap_uint<1>(1);
            terms[i] = t;
        }
        nnet::Op_add<kl_accum_t> op;
        kl_accum_t s = nnet::reduce<kl_accum_t, NLAT, nnet::Op_add<kl_accum_t>>(terms, op);
        kl_score_t r = s * ap_ufixed<1,0>(0.5);
        long long rec[NIN + 2 * NLAT + 1];
        for (int i = 0; i < NIN; i++) rec[i] = raw_of(x[i]);
        for (int i = 0; i < NLAT; i++) { rec[NIN + i] = raw_of(mu[i]); rec[NIN + NLAT + i] = raw_of(lv[i]); }
        rec[NIN + 2 * NLAT] = raw_of(r);
        fwrite(rec, 8, NIN + 2 * NLAT + 1, fo);
    }
    fclose(fi); fclose(fo);
    return 0;
}
"""


def _encoder(keras, latent: int):
    L = keras.layers
    inp = keras.Input((19, 3, 1), name="inp")
    x = L.ZeroPadding2D(((1, 0), (0, 0)), name="zp")(inp)
    x = L.BatchNormalization(name="bn")(x)
    x = L.Conv2D(16, (3, 3), use_bias=False, padding="same", name="conv1")(x)
    x = L.Activation("relu", name="relu1")(x)
    x = L.AveragePooling2D((3, 1), name="pool1")(x)
    x = L.Conv2D(32, (3, 1), use_bias=False, padding="same", name="conv2")(x)
    x = L.Activation("relu", name="relu2")(x)
    x = L.AveragePooling2D((3, 1), name="pool2")(x)
    x = L.Flatten(name="flat")(x)
    return keras.Model(inp, [L.Dense(latent, name="mu")(x), L.Dense(latent, name="logvar")(x)], name="cnn_vae")


def _train(keras, torch, x: np.ndarray, spec: dict) -> tuple:
    seed = int(spec["seed"])
    keras.utils.set_random_seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    latent = int(spec["latent"])
    enc = _encoder(keras, latent)
    dec = torch.nn.Sequential(torch.nn.Linear(latent, 64), torch.nn.ReLU(), torch.nn.Linear(64, 57))
    opt = torch.optim.Adam([*enc.parameters(), *dec.parameters()], lr=float(spec["lr"]))
    data = torch.tensor(x, dtype=torch.float32)
    gen = torch.Generator().manual_seed(seed)
    beta, losses = float(spec["beta"]), []
    for epoch in range(int(spec["epochs"])):
        perm = torch.randperm(len(data), generator=gen)
        total = 0.0
        for start in range(0, len(data), 1024):
            batch = data[perm[start:start + 1024]]
            mu, lv = enc(batch, training=True)
            lv = torch.clamp(lv, -6.0, 6.0)
            z = mu + torch.exp(0.5 * lv) * torch.randn(mu.shape, generator=gen)
            recon = dec(z)
            kl = 0.5 * (mu ** 2 + lv.exp() - lv - 1).sum(dim=1).mean()
            loss = ((recon - batch.reshape(len(batch), -1)) ** 2).mean() + beta * kl / 57
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
        losses.append(total / len(data))
        print(f"[cnn_vae_hls4ml] epoch {epoch + 1}: loss {losses[-1]:.5f}", file=sys.stderr)
    return enc, losses


def _convert(hls4ml, enc, spec: dict, prj: Path):
    cfg = hls4ml.utils.config_from_keras_model(enc, granularity="name", backend="Vivado",
                                               default_precision=spec["default_type"])
    cfg["LayerName"]["inp"]["Precision"]["result"] = spec["input_type"]
    for lname, prec in spec["layers"].items():
        cfg["LayerName"][lname].setdefault("Precision", {}).update(prec)
    hm = hls4ml.converters.convert_from_keras_model(enc, hls_config=cfg, output_dir=str(prj), backend="Vivado",
                                                    io_type="io_parallel", project_name="myproject")
    hm.compile()
    return hm, cfg


def _type_frac(text: str) -> int:
    body = text.split("<", 1)[1].rstrip(">").split(",")
    return int(body[0]) - int(body[1])


def _harness(prj: Path, data: dict, spec: dict) -> np.ndarray:
    fw = prj / "firmware"
    src = prj / "_harness.cpp"
    src.write_text(_HARNESS)
    k = spec["kl"]
    defines = [f"-DNIN=57", f"-DNLAT={spec['latent']}", "-DMU_T=layer11_t", "-DLV_T=layer12_t",
               f"-Dkl_table_t={k['table_type']}", f"-Dkl_square_t={k['square_type']}",
               f"-Dkl_accum_t={k['accum_type']}", f"-Dkl_score_t={k['type']}", f"-DKL_N={k['table_size']}"]
    exe = prj / "_harness"
    subprocess.run(["g++", "-O2", "-std=c++17", *defines, f'-DWEIGHTS_DIR="{fw / "weights"}"', f"-I{fw}", f"-I{fw / 'ap_types'}", str(src),
                    str(fw / "myproject.cpp"), "-o", str(exe)], check=True)
    hw = np.ascontiguousarray(data["golden_hw"], dtype=np.int32)
    blob = [np.array([len(hw)], dtype=np.int32).tobytes(), data["offsets"].astype(np.int32).tobytes(),
            data["shifts"].astype(np.int32).tobytes(), hw.tobytes()]
    (prj / "_in.bin").write_bytes(b"".join(blob))
    subprocess.run([str(exe), str(prj / "_in.bin"), str(prj / "_out.bin")], check=True)
    return np.fromfile(prj / "_out.bin", dtype=np.int64).reshape(len(hw), 57 + 2 * spec["latent"] + 1)


def _to_raw(y, frac: int) -> np.ndarray:
    scaled = np.ldexp(np.asarray(y, dtype=np.float64), frac)
    raw = np.rint(scaled)
    if not np.array_equal(raw, scaled):
        raise RuntimeError(f"hls4ml output is not a multiple of 2^-{frac}")
    return raw.astype(np.int64)


def main(argv: list[str] | None = None) -> int:
    work = Path((argv or sys.argv[1:])[0])
    spec = json.loads((work / "spec.json").read_text())
    with np.load(work / "data.npz") as f:
        data = {k: f[k] for k in f.files}
    import hls4ml
    import keras
    import torch

    enc, losses = _train(keras, torch, data["x_train"].reshape(-1, 19, 3, 1), spec)
    hm, cfg = _convert(hls4ml, enc, spec, work / "prj")
    rec = _harness(work / "prj", data, spec)
    lat = int(spec["latent"])
    x_raw = rec[:, :57]
    f_in = _type_frac(spec["input_type"])
    pred = hm.predict(np.ldexp(x_raw.astype(np.float64), -f_in).reshape(-1, 19, 3, 1))
    f_out = _type_frac(str(hm.get_output_variables()[0].type.precision))
    np.savez_compressed(work / "golden.npz", x_hw=data["golden_hw"], x=x_raw, mu=rec[:, 57:57 + lat],
                        logvar=rec[:, 57 + lat:57 + 2 * lat], score=rec[:, -1],
                        predict_mu=_to_raw(np.asarray(pred[0]).reshape(len(x_raw), -1), f_out),
                        predict_logvar=_to_raw(np.asarray(pred[1]).reshape(len(x_raw), -1), f_out))
    gxx = subprocess.run(["g++", "--version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    (work / "train.json").write_text(json.dumps({
        "losses": losses, "hls4ml_config": cfg,
        "tools": {"hls4ml": hls4ml.__version__, "torch": torch.__version__, "keras": keras.__version__,
                  "numpy": np.__version__, "g++": gxx}}, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
