"""Train and export the default AD model shipped in ``triggeremu/data/ad_default/``.

An AXOL1TL-like VAE (encoder 57 -> 32 -> 16 -> 8 mu, plus an 8-d log-variance
head and a mirror decoder used only in training) on the synthetic background of
:mod:`streams.synthetic` (``generate_l1_batch``, signal fraction 0). Steps:

1. per-feature AXOL1TL scaling ``(x - offset) >> shift`` into
   ``ap_fixed<8,6,AP_RND_CONV,AP_SAT>``: offset = the feature's median, shift = the
   smallest with the 99.9th percentile of ``|x - offset| >> shift`` <= 16; the network
   trains on the exact scaled values (:func:`firmware_models.nn.scale_inputs`);
2. quantization-aware training (straight-through estimator): weights floored to
   ``ap_fixed<6,3>``, biases to ``ap_fixed<10,6>``, ReLU outputs to
   ``ap_ufixed<10,6,AP_TRN,AP_SAT>``; loss = MSE(reconstruction) + beta * KL;
3. the encoder's mu path is written as ONNX (Gemm/Relu, built with ``onnx.helper``;
   weights already on the ap_fixed grid) plus ``config.json``: the hls4ml-style
   precisions, reuse factor and strategy, the input scaling, the score
   (sum of mu^2 in ``ap_ufixed<18,14>``), timing clock, and named working points:
   raw-integer thresholds giving 1, 5 and 10 kHz on an independent background sample
   scored by the bit-exact model (rate = fraction x 2748 bunches x 11245.613 Hz).

Deterministic (seeded, single-threaded torch). Optional extra: a venv with
``torch==2.13.0`` and ``onnx`` that also sees the project's packages, e.g.::

    python3 -m venv --system-site-packages /work/venvs/h2a
    /work/venvs/h2a/bin/pip install torch==2.13.0 onnx
    /work/venvs/h2a/bin/python scripts/train_default_ad.py
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_ROOT))

from firmware_models.fixed import FixedType  # noqa: E402
from firmware_models.nn import load_onnx, scale_inputs, sum_mu2_head  # noqa: E402
from streams.clock import F_REV_HZ  # noqa: E402
from streams.hwunits import L1_INPUT_NAMES  # noqa: E402
from streams.synthetic import generate_l1_batch  # noqa: E402

_OUT = _ROOT / "triggeremu" / "data" / "ad_default"
IN_TYPE = "ap_fixed<18,13>"
INPUT_TYPE = "ap_fixed<8,6,AP_RND_CONV,AP_SAT>"
WEIGHT_TYPE = "ap_fixed<6,3>"
BIAS_TYPE = "ap_fixed<10,6>"
DENSE_RESULT_TYPE = "ap_fixed<16,8>"
RELU_TYPE = "ap_ufixed<10,6,AP_TRN,AP_SAT>"
MU_TYPE = "ap_fixed<16,6,AP_RND_CONV,AP_SAT>"
SCORE_TYPE = "ap_ufixed<18,14>"
SIZES = (57, 32, 16, 8)
N_BUNCHES = 2748
FINGERPRINT_EVENTS = 10_000
TARGETS_HZ = {"rate_1khz": 1_000.0, "rate_5khz": 5_000.0, "rate_10khz": 10_000.0}


def _torch():
    try:
        import torch
    except ImportError:
        sys.exit("this script needs torch: pip install torch==2.13.0 onnx (in your own venv)")
    return torch


def scaling(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature integer offsets and shifts (see step 1 of the module docstring)."""
    offsets = np.round(np.median(x, axis=0)).astype(np.int64)
    spread = np.percentile(np.abs(x - offsets), 99.9, axis=0)
    shifts = np.zeros(x.shape[1], dtype=np.int64)
    for i, s in enumerate(spread):
        while (int(s) >> shifts[i]) > 16:
            shifts[i] += 1
    return offsets, shifts


def scaled_floats(x: np.ndarray, offsets: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    t = FixedType.parse(INPUT_TYPE)
    raw = scale_inputs(x, offsets, shifts, t, in_type=IN_TYPE)
    return raw.astype(np.float64) * float(t.lsb)


def _fake_quant(torch, v, t: FixedType):
    lsb = float(t.lsb)
    lo, hi = t.min_raw * lsb, t.max_raw * lsb
    q = torch.clamp(torch.floor(v / lsb) * lsb, lo, hi)
    return v + (q - v).detach()


def train(x: np.ndarray, *, epochs: int, seed: int, beta: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """Train the VAE; return the encoder's (weight (n_in, n_out), bias) on the ap_fixed grid."""
    torch = _torch()
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    nn = torch.nn
    tw, tb, tr = (FixedType.parse(s) for s in (WEIGHT_TYPE, BIAS_TYPE, RELU_TYPE))

    class QLinear(nn.Linear):
        def forward(self, v):
            return nn.functional.linear(v, _fake_quant(torch, self.weight, tw), _fake_quant(torch, self.bias, tb))

    enc = nn.ModuleList([QLinear(SIZES[i], SIZES[i + 1]) for i in range(3)])
    logvar = nn.Linear(SIZES[2], SIZES[3])
    dec = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 57))
    params = list(enc.parameters()) + list(logvar.parameters()) + list(dec.parameters())
    opt = torch.optim.Adam(params, lr=3e-3)
    data = torch.tensor(x, dtype=torch.float32)
    gen = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        perm = torch.randperm(len(data), generator=gen)
        total = 0.0
        for start in range(0, len(data), 1024):
            batch = data[perm[start:start + 1024]]
            h = batch
            for layer in enc[:2]:
                h = _fake_quant(torch, torch.relu(layer(h)), tr)
            mu, lv = enc[2](h), logvar(h)
            z = mu + torch.exp(0.5 * lv) * torch.randn(mu.shape, generator=gen)
            recon = dec(z)
            kl = 0.5 * (mu**2 + lv.exp() - lv - 1).sum(dim=1).mean()
            loss = ((recon - batch) ** 2).mean() + beta * kl / x.shape[1]
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
        print(f"epoch {epoch + 1}/{epochs}: loss {total / len(data):.4f}", file=sys.stderr)
    out = []
    with torch.no_grad():
        for layer in enc:
            w = _fake_quant(torch, layer.weight, tw).double().numpy().T.copy()
            b = _fake_quant(torch, layer.bias, tb).double().numpy().copy()
            out.append((w, b))
    return out


def onnx_model(weights: list[tuple[np.ndarray, np.ndarray]]):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits, prev = [], [], "l1_scaled"
    names = ["dense1", "dense2", "mu"]
    for i, (w, b) in enumerate(weights):
        name = names[i]
        inits += [numpy_helper.from_array(w.astype(np.float32), f"{name}_W"),
                  numpy_helper.from_array(b.astype(np.float32), f"{name}_b")]
        nodes.append(helper.make_node("Gemm", [prev, f"{name}_W", f"{name}_b"], [f"{name}_out"], name=name))
        prev = f"{name}_out"
        if i < 2:
            nodes.append(helper.make_node("Relu", [prev], [f"relu{i + 1}_out"], name=f"relu{i + 1}"))
            prev = f"relu{i + 1}_out"
    graph = helper.make_graph(
        nodes, "axol1tl_like_encoder",
        [helper.make_tensor_value_info("l1_scaled", TensorProto.FLOAT, ["N", SIZES[0]])],
        [helper.make_tensor_value_info(prev, TensorProto.FLOAT, ["N", SIZES[-1]])], inits)
    model = helper.make_model(graph, producer_name="triggeremu scripts/train_default_ad.py",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def hls4ml_config() -> dict:
    dense = {"Precision": {"weight": WEIGHT_TYPE, "bias": BIAS_TYPE, "result": DENSE_RESULT_TYPE},
             "ReuseFactor": 1, "Strategy": "Latency"}
    return {
        "Model": {"Precision": {"default": "ap_fixed<16,6>"}, "ReuseFactor": 1, "Strategy": "Latency"},
        "LayerName": {
            "l1_scaled": {"Precision": {"result": INPUT_TYPE}},
            "dense1": dense, "relu1": {"Precision": {"result": RELU_TYPE}},
            "dense2": dense, "relu2": {"Precision": {"result": RELU_TYPE}},
            "mu": {**dense, "Precision": {**dense["Precision"], "result": MU_TYPE}},
        },
    }


def working_points(scores: np.ndarray) -> tuple[dict[str, int], dict[str, dict]]:
    """Smallest raw thresholds T with rate(score >= T) <= target, on ``scores`` (background)."""
    n = len(scores)
    per_event_hz = float(F_REV_HZ) * N_BUNCHES / n
    desc = np.sort(scores)[::-1]
    wps, info = {}, {}
    for name, target in TARGETS_HZ.items():
        k = int(target / per_event_hz)
        threshold = int(desc[k]) + 1 if k < n else 0
        n_pass = int(np.count_nonzero(scores >= threshold))
        wps[name] = threshold
        info[name] = {"target_rate_hz": target, "rate_hz": n_pass * per_event_hz, "n_pass": n_pass}
    return wps, info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300_000, help="training events")
    parser.add_argument("--wp-events", type=int, default=2_000_000, help="independent events for thresholds")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--beta", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=_OUT)
    args = parser.parse_args(argv)
    x_train, _ = generate_l1_batch(0, args.events, seed=args.seed)
    offsets, shifts = scaling(x_train)
    weights = train(scaled_floats(x_train, offsets, shifts), epochs=args.epochs, seed=args.seed, beta=args.beta)
    model = onnx_model(weights)
    cfg_h = hls4ml_config()
    nn_model = load_onnx(model, cfg_h)
    mu_type = nn_model.output_types[nn_model.output_name]
    nn_model.add_score(sum_mu2_head(mu_type, SCORE_TYPE, name="score"))
    # thresholds on an independent sample (other seed), scored bit-exactly
    x_wp, _ = generate_l1_batch(0, args.wp_events, seed=args.seed + 1000)
    in_t = FixedType.parse(INPUT_TYPE)
    scores = np.concatenate([
        nn_model.predict_raw(scale_inputs(x_wp[i:i + 65536], offsets, shifts, in_t, in_type=IN_TYPE))["score"]
        for i in range(0, len(x_wp), 65536)])
    wps, info = working_points(scores)
    # fingerprint of the background and of the bit-exact scores: tests/test_ad_stage.py recomputes it
    # and says "retrain" when the synthetic generator (or the arithmetic) has changed since
    n_fp = min(FINGERPRINT_EVENTS, len(x_wp))
    fingerprint = {"events": n_fp, "seed": args.seed + 1000,
                   "l1_inputs_sha256": hashlib.sha256(np.ascontiguousarray(x_wp[:n_fp], dtype="<i4")).hexdigest(),
                   "score_sha256": hashlib.sha256(np.ascontiguousarray(scores[:n_fp], dtype="<i8")).hexdigest()}
    args.out.mkdir(parents=True, exist_ok=True)
    onnx_bytes = model.SerializeToString()
    (args.out / "encoder.onnx").write_bytes(onnx_bytes)
    import torch
    config = {
        "format": "triggeremu-ad-1",
        "model": "encoder.onnx",
        "hls4ml": cfg_h,
        "input_scaling": {"in_type": IN_TYPE, "offsets": offsets.tolist(), "shifts": shifts.tolist(),
                          "features": list(L1_INPUT_NAMES),
                          "rule": "AXOL1TL _scaleNNInputs: (x - offset) >> shift, then assignment to the input type"},
        "score": {"kind": "sum_mu2", "type": SCORE_TYPE},
        "working_points": wps,
        "working_points_info": {
            "n_events": int(len(scores)), "seed": args.seed + 1000, "n_colliding_bunches": N_BUNCHES,
            "f_rev_hz": float(F_REV_HZ), "rule": "smallest raw T with rate(score >= T) <= target", **info},
        "background_fingerprint": fingerprint,
        "timing": {"clock_mhz": 40.0794,
                   "note": "no synthesis report: latency/II come from firmware_models.timing_estimate"},
        "provenance": {
            "script": "scripts/train_default_ad.py", "torch": torch.__version__, "seed": args.seed,
            "train_events": args.events, "epochs": args.epochs, "beta": args.beta,
            "onnx_sha256": hashlib.sha256(onnx_bytes).hexdigest(),
            "note": "synthetic background from streams.synthetic.generate_l1_batch (signal_fraction 0)",
        },
    }
    (args.out / "config.json").write_text(json.dumps(config, indent=1) + "\n")
    print(f"wrote {args.out}: working points {wps}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
