"""Train the tabular-VAE compression flow and write the bundle shipped in triggeremu/data/tabvae/.

Steps (all seeded, single-threaded where it matters, so a rerun with the same
versions writes the same numbers):

1. Events from :class:`streams.calo.SyntheticCaloSource` (disjoint training and
   validation event ranges).
2. A small VAE, 48 cells -> 4-d latent (mu, log sigma^2) -> 48 cells, on
   log-normalised cells ``(log1p(counts / S) - mean) / std`` (S = 100 counts =
   50 MeV), loss = 0.5 x squared error + KL. The normalisation is part of the
   exported graphs, so encoder.onnx takes and decoder.onnx returns ADC counts.
3. Distillation: one XGBoost regressor per latent dimension (one multi-target
   model, ``one_output_per_tree``) on the 16-bit integer cell codes of
   :func:`triggeremu.stages.acam.cell_codes` (the stage's own input code), with
   the ONNX encoder's mu as the target.
4. Tabularization with :func:`firmware_models.acam.from_xgboost` on those codes
   (identity quantizer: exact), checked against XGBoost ``predict`` bit for bit.
5. Validation numbers (:mod:`triggeremu.decompress`): per-dimension correlation
   between mu and the ACAM output, reconstruction error per layer.

Needs the torch extra; run it in a venv that has it::

    python -m venv /work/venvs/h3b
    /work/venvs/h3b/bin/pip install torch==2.13.0 onnx onnxruntime scikit-learn xgboost-cpu numpy
    /work/venvs/h3b/bin/pip install --no-deps -e .
    /work/venvs/h3b/bin/python scripts/train_tabular_vae.py --out triggeremu/data/tabvae
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import time
import warnings
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Config:
    seed: int = 2026
    n_train: int = 200_000
    n_val: int = 50_000
    energy_range: tuple[float, float] = (1.0, 1000.0)
    pileup_mean: float | None = None
    norm_scale_counts: float = 100.0
    hidden: tuple[int, int] = (64, 32)
    latent: int = 4
    epochs: int = 30
    batch: int = 512
    lr: float = 2e-3
    beta: float = 1.0
    bdt_trees: int = 100
    bdt_depth: int = 5
    bdt_eta: float = 0.15
    n_bits: int = 16
    mantissa_bits: int = 12
    leaf_type: str = "ap_fixed<24,8,AP_RND_CONV,AP_SAT>"


def _need(module: str):
    try:
        return __import__(module)
    except ImportError:
        sys.exit(f"train_tabular_vae.py needs {module}: pip install torch==2.13.0 onnx onnxruntime xgboost-cpu")


def _log(msg: str) -> None:
    print(f"[train_tabular_vae] {msg}", file=sys.stderr, flush=True)


def make_data(cfg: Config):
    from streams.calo import SyntheticCaloSource

    src = SyntheticCaloSource(
        cfg.n_train + cfg.n_val, seed=cfg.seed, energy_range=cfg.energy_range, pileup_mean=cfg.pileup_mean
    )
    train = src.make_batch(0, cfg.n_train)["calo_cells"]
    val = src.make_batch(cfg.n_train, cfg.n_val)["calo_cells"]
    return src, train, val


def build_vae(cfg: Config, mean: np.ndarray, std: np.ndarray):
    torch = _need("torch")
    nn = torch.nn

    class Norm(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
            self.register_buffer("std", torch.tensor(std, dtype=torch.float32))

    class Encoder(Norm):
        def __init__(self):
            super().__init__()
            h1, h2 = cfg.hidden
            self.body = nn.Sequential(nn.Linear(48, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU())
            self.mu = nn.Linear(h2, cfg.latent)
            self.logvar = nn.Linear(h2, cfg.latent)

        def normalise(self, counts):
            return (torch.log(1.0 + counts / cfg.norm_scale_counts) - self.mean) / self.std  # ONNX has no Log1p

        def forward(self, counts):
            h = self.body(self.normalise(counts))
            return self.mu(h), self.logvar(h)

    class Decoder(Norm):
        def __init__(self):
            super().__init__()
            h1, h2 = cfg.hidden
            self.body = nn.Sequential(
                nn.Linear(cfg.latent, h2), nn.ReLU(), nn.Linear(h2, h1), nn.ReLU(), nn.Linear(h1, 48)
            )

        def forward_normalised(self, z):
            return self.body(z)

        def forward(self, z):  # exported: latent -> ADC counts
            x = self.body(z) * self.std + self.mean
            return torch.clamp((torch.exp(x) - 1.0) * cfg.norm_scale_counts, min=0.0)  # ONNX has no Expm1

    return Encoder(), Decoder()


def train_vae(cfg: Config, train_cells: np.ndarray):
    torch = _need("torch")
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    logx = np.log1p(train_cells.astype(np.float64) / cfg.norm_scale_counts)
    mean, std = logx.mean(axis=0), logx.std(axis=0) + 1e-6
    enc, dec = build_vae(cfg, mean, std)
    x_all = torch.tensor(((logx - mean) / std).astype(np.float32))
    opt = torch.optim.Adam([*enc.parameters(), *dec.parameters()], lr=cfg.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.epochs)
    gen = torch.Generator().manual_seed(cfg.seed)
    history = []
    for epoch in range(cfg.epochs):
        perm = torch.randperm(x_all.shape[0], generator=gen)
        total = 0.0
        for i in range(0, x_all.shape[0], cfg.batch):
            x = x_all[perm[i : i + cfg.batch]]
            h = enc.body(x)
            mu, logvar = enc.mu(h), enc.logvar(h)
            z = mu + torch.randn(mu.shape, generator=gen) * torch.exp(0.5 * logvar)
            rec = 0.5 * ((dec.forward_normalised(z) - x) ** 2).sum(dim=1)
            kl = -0.5 * (1 + logvar - mu**2 - logvar.exp()).sum(dim=1)
            loss = (rec + cfg.beta * kl).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * x.shape[0]
        sched.step()
        history.append(total / x_all.shape[0])
        _log(f"epoch {epoch + 1}/{cfg.epochs} loss {history[-1]:.4f}")
    enc.eval()
    dec.eval()
    return enc, dec, mean, std, history


def export_onnx(enc, dec, out: Path, cfg: Config) -> None:
    torch = _need("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter announces its deprecation
        torch.onnx.export(
            enc, (torch.zeros(2, 48),), str(out / "encoder.onnx"), input_names=["calo_cells"],
            output_names=["mu", "logvar"], dynamic_axes={"calo_cells": {0: "n"}, "mu": {0: "n"}, "logvar": {0: "n"}},
            opset_version=17, dynamo=False,
        )  # fmt: skip
        torch.onnx.export(
            dec, (torch.zeros(2, cfg.latent),), str(out / "decoder.onnx"), input_names=["latent"],
            output_names=["calo_cells"], dynamic_axes={"latent": {0: "n"}, "calo_cells": {0: "n"}},
            opset_version=17, dynamo=False,
        )  # fmt: skip


def distill(cfg: Config, codes: np.ndarray, mu: np.ndarray):
    xgb = _need("xgboost")
    model = xgb.XGBRegressor(
        n_estimators=cfg.bdt_trees, max_depth=cfg.bdt_depth, learning_rate=cfg.bdt_eta, tree_method="hist",
        multi_strategy="one_output_per_tree", n_jobs=1, random_state=cfg.seed,
    )  # fmt: skip
    model.fit(codes.astype(np.float32), mu.astype(np.float32))
    return model


def _sha256(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="bundle directory to write")
    ap.add_argument("--quick", action="store_true", help="tiny settings, for a smoke test")
    ap.add_argument("--pileup-mean", type=float, default=None, help="train on events with this mean pileup")
    ap.add_argument("--seed", type=int, default=Config.seed)
    args = ap.parse_args(argv)
    cfg = Config(n_train=20_000, n_val=5_000, epochs=3, bdt_trees=10) if args.quick else Config()
    cfg = replace(cfg, pileup_mean=args.pileup_mean, seed=args.seed)
    torch, onnx, ort, xgb = (_need(m) for m in ("torch", "onnx", "onnxruntime", "xgboost"))
    from firmware_models import acam
    from triggeremu import decompress
    from triggeremu.stages.acam import cell_codes

    t0 = time.time()
    args.out.mkdir(parents=True, exist_ok=True)
    src, train, val = make_data(cfg)
    _log(f"data: {train.shape[0]} train, {val.shape[0]} validation events ({time.time() - t0:.1f} s)")
    enc, dec, mean, std, history = train_vae(cfg, train)
    export_onnx(enc, dec, args.out, cfg)
    manifest_files = {"encoder": "encoder.onnx", "decoder": "decoder.onnx", "table": "acam_table.npz", "bdt": "bdt.ubj"}
    bundle = decompress.TabVaeBundle(args.out, {"files": {k: {"name": v} for k, v in manifest_files.items()}})
    mu_train = decompress.encode_mu(train, bundle)
    with torch.no_grad():
        mu_torch = enc(torch.tensor(train[:1000].astype(np.float32)))[0].numpy()
    onnx_max_diff = float(np.abs(mu_torch - mu_train[:1000]).max())
    _log(f"VAE trained ({time.time() - t0:.1f} s); |torch - onnx| max {onnx_max_diff:.2e}")

    codes_train = cell_codes(train, mantissa_bits=cfg.mantissa_bits, n_bits=cfg.n_bits)
    model = distill(cfg, codes_train, mu_train)
    booster = model.get_booster()
    booster.save_model(str(args.out / "bdt.ubj"))
    table = acam.from_xgboost(booster, n_bits=cfg.n_bits, leaf_type=cfg.leaf_type)
    acam.save(table, args.out / "acam_table.npz")
    _log(f"BDT distilled and tabularized: {table.n_rows} rows, {table.n_trees} trees ({time.time() - t0:.1f} s)")

    codes_val = cell_codes(val, mantissa_bits=cfg.mantissa_bits, n_bits=cfg.n_bits)
    latent = decompress.latent_to_float(table.predict_raw(codes_val), table.leaf_type)
    xgb_pred = booster.inplace_predict(codes_val.astype(np.float32), predict_type="margin")
    float_like = table.predict_float_like(codes_val)
    mismatches = int((np.asarray(float_like) != np.asarray(xgb_pred)).sum())
    mu_val = decompress.encode_mu(val, bundle)
    recon_acam = decompress.decode(latent, bundle)
    recon_mu = decompress.decode(mu_val, bundle)
    validation = {
        "n_events": int(val.shape[0]),
        "correlation_mu_vs_acam": decompress.correlations(mu_val, latent),
        "correlation_mu_vs_xgboost": decompress.correlations(mu_val, xgb_pred),
        "latent_std": [float(v) for v in mu_val.std(axis=0)],
        "acam_float_like_vs_xgboost_mismatches": mismatches,
        "acam_fixed_vs_xgboost_max_abs": float(np.abs(latent - xgb_pred).max()),
        "torch_vs_onnx_mu_max_abs": onnx_max_diff,
        "reconstruction_acam": decompress.layer_metrics(val, recon_acam),
        "reconstruction_float_encoder": decompress.layer_metrics(val, recon_mu),
    }
    versions = {"python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
                "onnx": onnx.__version__, "onnxruntime": ort.__version__, "xgboost": xgb.__version__}  # fmt: skip
    manifest = {
        "format": "triggeremu.tabvae",
        "version": 1,
        "created_by": "scripts/train_tabular_vae.py" + (" --quick" if args.quick else ""),
        "seed": cfg.seed,
        "config": asdict(cfg),
        "versions": versions,
        "data": {"source": "streams.calo.SyntheticCaloSource", **src.describe(),
                 "train_events": [0, cfg.n_train], "validation_events": [cfg.n_train, cfg.n_train + cfg.n_val]},
        "normalisation": {"scale_counts": cfg.norm_scale_counts, "mean": mean.tolist(), "std": std.tolist(),
                          "note": "inside encoder.onnx / decoder.onnx; both work in ADC counts"},
        "acam": {"leaf_type": str(table.leaf_type), "n_bits": table.n_bits, "n_rows": table.n_rows,
                 "n_trees": table.n_trees, "split_convention": table.split_convention,
                 "input_code": {"function": "triggeremu.stages.acam.cell_codes",
                                "mantissa_bits": cfg.mantissa_bits, "n_bits": cfg.n_bits}},
        "training_loss": history,
        "validation": validation,
        "files": {k: {"name": v, "sha256": _sha256(args.out / v)} for k, v in manifest_files.items()},
    }  # fmt: skip
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    _log(f"correlation mu vs ACAM: {[round(r, 4) for r in validation['correlation_mu_vs_acam']]}")
    _log(f"float-like vs xgboost mismatches: {mismatches}; wrote {args.out} in {time.time() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
