"""Train, convert and calibrate the bundled seed CNN VAE (``triggeremu/data/cnn_vae/``) and its golden vectors.

The Govorkova et al. CNN VAE encoder (architecture: ``scripts/cnn_vae_hls4ml.py``) on the 19x3
object grid (:data:`triggeremu.stages.nn_inputs.OBJECT_GRID_ORDER`: MET, 4 mu, 4 e/gamma, 10 jets),
trained on the synthetic background of :mod:`streams.synthetic` (signal fraction 0). Steps:

1. (this interpreter) background events in hardware units, re-ordered to the grid; input
   scaling ``(x - 0) >> shift`` per feature into ``ap_fixed<16,6,AP_RND_CONV,AP_SAT>`` (offset 0
   keeps absent objects at 0; shift = the smallest with the 99.9th percentile of ``|x| >> shift``
   <= 16 over the events where the feature is non-zero); the golden events: background, signal and raw codes over the whole field ranges;
2. (an interpreter with hls4ml 1.3.0 + torch + keras 3, ``--hls4ml-python``) training and
   conversion to an io_parallel project, hls4ml's C++ predictions and a C++ harness (scaling and
   KL score in ap_fixed) on the golden events -- ``scripts/cnn_vae_hls4ml.py``;
3. (this interpreter) the project's firmware (``defines.h``, ``parameters.h``, ``myproject.*``,
   ``nnet_code_gen.h``, ``weights/*.txt``) copied to ``triggeremu/data/cnn_vae/firmware``, loaded with
   :func:`firmware_models.nn.load_hls4ml_project` and checked bit for bit against the golden
   vectors (the script stops on a mismatch), working points for 1, 5 and 10 kHz on an independent
   background sample scored by the bit-exact model, ``ad_config.json`` written, and the golden
   vectors committed under ``tests/golden/cnn_vae_bundled/`` with a manifest.

Timing in the config: Govorkova et al. Table III (CNN VAE, VU9P at 200 MHz: latency 365 ns = 73
cycles, II 115 ns = 23 cycles) -- no csynth report of this project exists.

Run: ``python3 scripts/make_cnn_vae.py --hls4ml-python /work/venvs/hls4ml/bin/python``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_ROOT))

from firmware_models.fixed import FixedType  # noqa: E402
from firmware_models.nn import kl_head, load_hls4ml_project, scale_inputs  # noqa: E402
from streams.clock import F_REV_HZ  # noqa: E402
from streams.hwunits import L1_INPUT_NAMES  # noqa: E402
from streams.synthetic import generate_l1_batch  # noqa: E402
from triggeremu.stages.nn_inputs import OBJECT_GRID_ORDER  # noqa: E402

OUT = _ROOT / "triggeremu" / "data" / "cnn_vae"
GOLDEN = _ROOT / "tests" / "golden" / "cnn_vae_bundled"
IN_TYPE = "ap_fixed<18,13>"
INPUT_TYPE = "ap_fixed<16,6,AP_RND_CONV,AP_SAT>"
LATENT = 8
KL = {"kind": "kl", "latent": LATENT, "square_type": "ap_ufixed<16,8>", "table_type": "ap_fixed<18,8>",
      "table_size": 1024, "accum_type": "ap_fixed<20,10>", "type": "ap_ufixed<16,9,AP_RND,AP_SAT>"}
LAYERS = {
    "bn": {"scale": "ap_fixed<12,4>", "bias": "ap_fixed<12,4>", "result": "ap_fixed<16,6>"},
    "conv1": {"weight": "ap_fixed<8,3>", "accum": "ap_fixed<20,8>", "result": "ap_fixed<16,6>"},
    "relu1": {"result": "ap_ufixed<12,6>"},
    "pool1": {"result": "ap_ufixed<12,6>"},
    "conv2": {"weight": "ap_fixed<8,3>", "accum": "ap_fixed<20,8>", "result": "ap_fixed<16,6>"},
    "relu2": {"result": "ap_ufixed<12,6>"},
    "pool2": {"result": "ap_ufixed<12,6>"},
    "mu": {"weight": "ap_fixed<8,3>", "bias": "ap_fixed<8,3>", "accum": "ap_fixed<24,10>",
           "result": "ap_fixed<16,6,AP_RND_CONV,AP_SAT>"},
    "logvar": {"weight": "ap_fixed<8,3>", "bias": "ap_fixed<8,3>", "accum": "ap_fixed<24,10>",
               "result": "ap_fixed<16,6,AP_RND_CONV,AP_SAT>"},
}
N_BUNCHES = 2748
TARGETS_HZ = {"rate_1khz": 1_000.0, "rate_5khz": 5_000.0, "rate_10khz": 10_000.0}
TIMING = {"clock_mhz": 200.0, "latency_cycles": 73, "ii_cycles": 23,
          "source": "preset:Govorkova2022-TableIII",
          "note": "Govorkova et al., Nat. Mach. Intell. 4 (2022) 154, Table III: CNN VAE on a VU9P at 200 MHz, "
                  "latency 365 ns, II 115 ns (it cannot take every BX); no csynth report of this project"}


def grid(l1: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(l1[:, OBJECT_GRID_ORDER], dtype=np.int64)


def shifts_for(x: np.ndarray) -> np.ndarray:
    """Per feature: the smallest shift with the 99.9th percentile of |x| >> shift <= 16, over the events
    where the feature is non-zero (a rare object's slot is scaled for when it is present)."""
    out = np.zeros(x.shape[1], dtype=np.int64)
    for i in range(x.shape[1]):
        v = np.abs(x[:, i])
        v = v[v != 0]
        s = int(np.percentile(v, 99.9)) if v.size else 0
        while (s >> out[i]) > 16:
            out[i] += 1
    return out


def scaled(x: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    return scale_inputs(x, np.zeros_like(shifts), shifts, FixedType.parse(INPUT_TYPE), in_type=IN_TYPE)


def golden_events(seed: int) -> np.ndarray:
    """300 background, 100 signal, 100 raw codes over the fields' whole ranges (saturating scaling)."""
    bg, _ = generate_l1_batch(10_000_000, 300, seed=seed + 2000)
    sig, _ = generate_l1_batch(20_000_000, 100, seed=seed + 3000, signal_fraction=1.0)
    rng = np.random.default_rng(seed)
    wild = np.stack([rng.integers(-256, 2048, 100) for _ in range(57)], axis=1)
    return np.concatenate([grid(bg), grid(sig), wild.astype(np.int64)])


def working_points(scores: np.ndarray) -> tuple[dict[str, int], dict[str, dict]]:
    n = len(scores)
    per_event_hz = float(F_REV_HZ) * N_BUNCHES / n
    desc = np.sort(scores)[::-1]
    wps, info = {}, {}
    for name, target in TARGETS_HZ.items():
        k = int(target / per_event_hz)
        thr = int(desc[k]) + 1 if k < n else 0
        n_pass = int(np.count_nonzero(scores >= thr))
        wps[name] = thr
        info[name] = {"target_rate_hz": target, "rate_hz": n_pass * per_event_hz, "n_pass": n_pass}
    return wps, info


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _copy_project(prj: Path) -> None:
    fw_out = OUT / "firmware"
    if fw_out.exists():
        shutil.rmtree(fw_out)
    (fw_out / "weights").mkdir(parents=True)
    fw = prj / "firmware"
    for f in ("defines.h", "parameters.h", "myproject.h", "myproject.cpp"):
        shutil.copy(fw / f, fw_out / f)
    shutil.copy(fw / "nnet_utils" / "nnet_code_gen.h", fw_out / "nnet_code_gen.h")
    for f in sorted((fw / "weights").glob("*.txt")):
        shutil.copy(f, fw_out / "weights" / f.name)


def _check_exact(model, g: dict) -> None:
    """Our emulator against hls4ml's C++ on the golden events; exits on any mismatch."""
    x = scaled(g["x_hw"], g["shifts"])
    checks = {"scaled input": (x, g["x"])}
    out = model.predict_raw(x)
    for name in ("mu", "logvar"):
        checks[name] = (out[name], g[name])
        checks[f"{name} (hls_model.predict)"] = (out[name], g[f"predict_{name}"])
    checks["KL score"] = (out["score"], g["score"])
    for what, (ours, ref) in checks.items():
        bad = int(np.count_nonzero(np.asarray(ours).reshape(ref.shape) != ref))
        if bad:
            sys.exit(f"make_cnn_vae: {what}: {bad} mismatches against hls4ml's C++ -- not writing the model")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hls4ml-python", required=True, help="interpreter with hls4ml 1.3.0, torch, keras 3")
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--wp-events", type=int, default=2_000_000)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)
    l1, _ = generate_l1_batch(0, args.events, seed=args.seed)
    x_train = grid(l1)
    shifts = shifts_for(x_train)
    lsb = float(FixedType.parse(INPUT_TYPE).lsb)
    spec = {"seed": args.seed, "latent": LATENT, "epochs": args.epochs, "lr": 3e-3, "beta": 1.0,
            "default_type": "ap_fixed<16,6>", "input_type": INPUT_TYPE, "layers": LAYERS, "kl": KL}
    with tempfile.TemporaryDirectory(prefix="cnn_vae_") as tmp:
        work = Path(tmp)
        gold_hw = golden_events(args.seed)
        np.savez(work / "data.npz", x_train=(scaled(x_train, shifts) * lsb).astype(np.float32),
                 golden_hw=gold_hw, offsets=np.zeros(57, dtype=np.int64), shifts=shifts)
        (work / "spec.json").write_text(json.dumps(spec))
        subprocess.run([args.hls4ml_python, str(_ROOT / "scripts" / "cnn_vae_hls4ml.py"), str(work)], check=True)
        with np.load(work / "golden.npz") as f:
            g = {k: f[k] for k in f.files}
        g["shifts"] = shifts
        train = json.loads((work / "train.json").read_text())
        _copy_project(work / "prj")
    model = load_hls4ml_project(OUT)
    head = kl_head(model.output_types["mu"], LATENT, **{k: v for k, v in KL.items()
                                                         if k not in ("kind", "latent", "type")},
                   score_type=KL["type"], name="score")
    from dataclasses import replace

    model.add_score(replace(head, inputs=("mu", "logvar")))
    _check_exact(model, g)
    x_wp, _ = generate_l1_batch(0, args.wp_events, seed=args.seed + 1000)
    scores = np.concatenate([model.predict_raw(scaled(grid(x_wp[i:i + 65536]), shifts))["score"]
                             for i in range(0, len(x_wp), 65536)])
    wps, info = working_points(scores)
    config = {
        "format": "triggeremu-ad-1",
        "model": ".",
        "input_layout": "object_grid",
        "input_scaling": {"in_type": IN_TYPE, "offsets": [0] * 57, "shifts": shifts.tolist(),
                          "features": [L1_INPUT_NAMES[i] for i in OBJECT_GRID_ORDER],
                          "rule": "(x - offset) >> shift in ap_fixed<18,13>, then assignment to the input type"},
        "score": {**KL, "inputs": ["mu", "logvar"]},
        "working_points": wps,
        "working_points_info": {"n_events": int(len(scores)), "seed": args.seed + 1000,
                                "n_colliding_bunches": N_BUNCHES, "f_rev_hz": float(F_REV_HZ),
                                "rule": "smallest raw T with rate(score >= T) <= target", **info},
        "timing": TIMING,
        "provenance": {"script": "scripts/make_cnn_vae.py", "tools": train["tools"], "seed": args.seed,
                       "train_events": args.events, "epochs": args.epochs, "losses": train["losses"],
                       "note": "synthetic background from streams.synthetic.generate_l1_batch (signal_fraction 0)"},
    }
    (OUT / "ad_config.json").write_text(json.dumps(config, indent=1) + "\n")
    GOLDEN.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(GOLDEN / "vectors.npz", **{k: np.asarray(v, dtype=np.int32) for k, v in g.items()
                                                    if k != "shifts"})
    files = sorted(p for p in OUT.rglob("*") if p.is_file())
    (GOLDEN / "manifest.json").write_text(json.dumps({
        "made_by": "scripts/make_cnn_vae.py (hls_model.compile() + predict, and a C++ harness compiled with the "
                   "project's ap_types: scaling and KL score in ap_fixed)",
        "tools": train["tools"], "events": {"background": 300, "signal": 100, "wild": 100},
        "input_type": INPUT_TYPE, "score": KL,
        "arrays": {"x_hw": "hardware integers in the object-grid order", "x": "scaled input mantissas (C++)",
                   "mu": "C++ mu", "logvar": "C++ log sigma^2", "score": "C++ KL score raw",
                   "predict_mu": "hls_model.predict mu", "predict_logvar": "hls_model.predict log sigma^2"},
        "files": {str(p.relative_to(OUT)): _sha(p) for p in files},
        "vectors_sha256": _sha(GOLDEN / "vectors.npz")}, indent=1) + "\n")
    print(f"make_cnn_vae: wrote {OUT}: working points {wps}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
