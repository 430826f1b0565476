"""Off-detector decompression of the ACAM latent, and reconstruction quality for the run summary.

The tabular-VAE bundle (default: the one shipped in ``triggeremu/data/tabvae/``,
made by ``scripts/train_tabular_vae.py``) holds ``manifest.json``, the ACAM
table, the float encoder and the decoder as ONNX. Both ONNX graphs work in ADC
counts of :mod:`streams.calo` (their input/output normalisation is inside the
graph): the encoder maps ``calo_cells`` (float32 counts) to the latent mean
``mu`` (N, 4); the decoder maps a latent (N, 4) to cells (N, 48, float counts).

:func:`decompress_report` is what the pipeline calls at the end of a run: it
converts the ``<stage>_latent`` raw integers to float with the table's fixed
type, decodes them with onnxruntime, and reports per-layer energy errors, the
MSE, and the per-dimension Pearson correlation between the float encoder's
``mu`` and the ACAM output (the seed design reports r = 0.93 to 0.99). The
acam stage (:mod:`triggeremu.stages.acam`) loads the same bundle through
:func:`load_bundle`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from firmware_models.fixed.types import FixedType
from streams.calo import COUNTS_PER_GEV, GRID, N_LAYERS
from triggeremu.errors import ConfigError, InputFileError

__all__ = [
    "DEFAULT_BUNDLE_DIR",
    "TabVaeBundle",
    "load_bundle",
    "latent_to_float",
    "encode_mu",
    "decode",
    "correlations",
    "layer_metrics",
    "decompress_report",
]

DEFAULT_BUNDLE_DIR = Path(__file__).resolve().parent / "data" / "tabvae"
MANIFEST = "manifest.json"
#: layers whose true energy is below this are left out of the relative error (noise-dominated)
MIN_LAYER_GEV = 1.0


@dataclass(frozen=True)
class TabVaeBundle:
    """The files of a trained tabular VAE and its manifest (plain data)."""

    directory: Path
    manifest: dict

    def path(self, role: str) -> Path:
        return self.directory / self.manifest["files"][role]["name"]

    @property
    def latent_type(self) -> FixedType:
        return FixedType.parse(self.manifest["acam"]["leaf_type"])

    @property
    def input_code(self) -> dict:
        return dict(self.manifest["acam"]["input_code"])


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_bundle(directory: str | Path | None = None) -> TabVaeBundle:
    """Read and check a bundle directory (default: the shipped one): manifest present,
    every listed file present with the recorded sha256."""
    d = Path(directory) if directory is not None else DEFAULT_BUNDLE_DIR
    man_path = d / MANIFEST
    if not man_path.is_file():
        msg = (
            f"{str(d)!r} is not a tabular-VAE bundle: no {MANIFEST}; give the directory written by "
            "scripts/train_tabular_vae.py (or leave it out for the shipped one)"
        )
        raise InputFileError(msg)
    try:
        manifest = json.loads(man_path.read_text())
        files = manifest["files"]
        for role in ("table", "encoder", "decoder"):
            files[role]["name"]
    except (ValueError, KeyError, TypeError) as err:
        msg = f"{man_path} is not a valid tabular-VAE manifest ({type(err).__name__}: {err}); regenerate the bundle"
        raise InputFileError(msg) from None
    for role, entry in files.items():
        p = d / entry["name"]
        if not p.is_file():
            msg = f"tabular-VAE bundle {str(d)!r}: {role} file {entry['name']!r} is missing; regenerate the bundle"
            raise InputFileError(msg)
        if "sha256" in entry and _sha256(p) != entry["sha256"]:
            msg = (
                f"tabular-VAE bundle {str(d)!r}: {entry['name']!r} does not match the sha256 in {MANIFEST}; "
                "the files come from different trainings: regenerate the bundle"
            )
            raise InputFileError(msg)
    return TabVaeBundle(d, manifest)


def _onnx_session(path: Path):
    try:
        import onnxruntime as ort
    except ImportError as err:  # pragma: no cover - a declared dependency
        msg = "decompression needs onnxruntime: pip install onnxruntime"
        raise ConfigError(msg) from err
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def _run(path: Path, x: np.ndarray) -> np.ndarray:
    sess = _onnx_session(path)
    name = sess.get_inputs()[0].name
    return np.asarray(sess.run(None, {name: np.ascontiguousarray(x, dtype=np.float32)})[0], dtype=np.float64)


def latent_to_float(raw: np.ndarray, fixed_type: str | FixedType) -> np.ndarray:
    """Raw fixed-point mantissas -> float64 values (exact: raw x 2**-fractional)."""
    t = FixedType.parse(fixed_type) if isinstance(fixed_type, str) else fixed_type
    return np.asarray(raw, dtype=np.int64) * (2.0**-t.fractional)


def encode_mu(cells: np.ndarray, bundle: TabVaeBundle) -> np.ndarray:
    """The float encoder's latent mean (N, 4) for ``calo_cells`` counts, with onnxruntime."""
    return _run(bundle.path("encoder"), np.asarray(cells, dtype=np.float32))


def decode(latent: np.ndarray, bundle: TabVaeBundle) -> np.ndarray:
    """Decoded cells (N, 48) in ADC counts (float64) for float latents (N, 4)."""
    return _run(bundle.path("decoder"), np.asarray(latent, dtype=np.float32))


def correlations(a: np.ndarray, b: np.ndarray) -> list[float]:
    """Pearson r per column between two (N, d) arrays (NaN where a column is constant)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    out = []
    for k in range(a.shape[1]):
        x, y = a[:, k] - a[:, k].mean(), b[:, k] - b[:, k].mean()
        den = np.sqrt((x * x).sum() * (y * y).sum())
        out.append(float((x * y).sum() / den) if den > 0 else float("nan"))
    return out


def layer_metrics(cells: np.ndarray, recon: np.ndarray) -> dict[str, Any]:
    """Per-layer relative energy error (mean = bias, std = resolution; layers with a true
    energy above :data:`MIN_LAYER_GEV` only), per-cell MSE in GeV^2 and in log1p(GeV) space."""
    e_true = np.asarray(cells, dtype=np.float64).reshape(-1, N_LAYERS, GRID * GRID) / COUNTS_PER_GEV
    e_rec = np.clip(np.asarray(recon, dtype=np.float64), 0.0, None).reshape(-1, N_LAYERS, GRID * GRID) / COUNTS_PER_GEV
    layers = []
    for layer in range(N_LAYERS):
        t = e_true[:, layer].sum(axis=1)
        r = e_rec[:, layer].sum(axis=1)
        use = t > MIN_LAYER_GEV
        rel = (r[use] - t[use]) / t[use]
        layers.append(
            {
                "layer": layer,
                "events_used": int(use.sum()),
                "rel_energy_error_mean": float(rel.mean()) if rel.size else float("nan"),
                "rel_energy_error_std": float(rel.std()) if rel.size else float("nan"),
                "mse_gev2": float(((e_rec[:, layer] - e_true[:, layer]) ** 2).mean()),
                "mse_log1p": float(((np.log1p(e_rec[:, layer]) - np.log1p(e_true[:, layer])) ** 2).mean()),
            }
        )
    return {
        "layers": layers,
        "mse_gev2": float(((e_rec - e_true) ** 2).mean()),
        "mse_log1p": float(((np.log1p(e_rec) - np.log1p(e_true)) ** 2).mean()),
    }


def decompress_report(
    cols: Mapping[str, np.ndarray],
    table_dir: str | Path | None = None,
    *,
    stage: str = "acam",
    max_events: int | None = None,
) -> dict[str, Any]:
    """Decode the ``<stage>_latent`` column and report reconstruction quality.

    Events with ``bad_input`` set are left out (and counted). ``max_events`` caps the
    number of events used (the first ones), to bound the cost on long runs.
    """
    col = f"{stage}_latent"
    missing = [c for c in ("calo_cells", col) if c not in cols]
    if missing:
        msg = f"decompress_report needs columns {missing}; run an acam stage named {stage!r} on calo_cells first"
        raise ConfigError(msg)
    bundle = load_bundle(table_dir)
    cells = np.asarray(cols["calo_cells"])
    raw = np.asarray(cols[col])
    good = np.ones(cells.shape[0], dtype=bool)
    if "bad_input" in cols:
        good &= np.asarray(cols["bad_input"]) == 0
    idx = np.flatnonzero(good)
    if max_events is not None:
        idx = idx[: int(max_events)]
    if idx.size < 2:
        msg = f"decompress_report needs at least 2 good events, got {idx.size}"
        raise ConfigError(msg)
    cells, raw = cells[idx], raw[idx]
    latent = latent_to_float(raw, bundle.latent_type)
    mu = encode_mu(cells, bundle)
    recon_acam = decode(latent, bundle)
    recon_float = decode(mu, bundle)
    return {
        "bundle": str(bundle.directory),
        "events_used": int(idx.size),
        "events_bad_input": int((~good).sum()),
        "latent_type": str(bundle.latent_type),
        "correlation_mu_vs_acam": correlations(mu, latent),
        "latent_rmse_vs_mu": [float(v) for v in np.sqrt(((latent - mu) ** 2).mean(axis=0))],
        "reconstruction_acam": layer_metrics(cells, recon_acam),
        "reconstruction_float_encoder": layer_metrics(cells, recon_float),
    }
