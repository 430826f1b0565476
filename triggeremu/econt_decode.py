"""Off-detector decoding of the ECON-T autoencoder latent code, and how well it reconstructs the module.

Off detector, the autoencoder's 16 latent values are turned back into an 8x8
map of cell energies by the decoder half of the network. Here:

- :func:`parse_ae_words` reads the latent bits and the 5E4M module sum out of the
  chip's output-link words (the packet layout of :mod:`firmware_models.econt.formatter`;
  bits the link count or the mask do not carry are zero), :func:`transmitted_latent`
  applies the same cut to latent codes taken straight from the model;
- :class:`EcontDecoder` runs the decoder converted to ONNX by
  scripts/convert_econt_decoder.py (shipped in ``triggeremu/data/econt``; the
  manifest's sha256 is checked on load) with onnxruntime;
- :class:`ReconstructionTally` compares decoded modules with the calibrated
  charges the encoder saw (:data:`CONVENTIONS`) and sums the numbers over batches;
  :func:`reconstruction_report` is the one-shot form.

The econt stage (:mod:`triggeremu.stages.econt`) adds the tally's summary to its
run summary when it runs the autoencoder. Floats only here, at the edge: the
chip model stays in integers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from firmware_models.econt import EcontConfig
from firmware_models.econt.formatter import ae_bits_per_links
from firmware_models.econt.fused import ae_bit_selection
from triggeremu.errors import ConfigError, InputFileError

__all__ = [
    "CONVENTIONS",
    "DEFAULT_DECODER",
    "AePacket",
    "EcontDecoder",
    "ReconstructionTally",
    "decode_module_sum",
    "encoder_fingerprint",
    "parse_ae_words",
    "reconstruction_report",
    "transmitted_latent",
]

DEFAULT_DECODER = Path(__file__).resolve().parent / "data" / "econt" / "decoder_AE_8x8_c8_S2_ele_qkeras.onnx"
LATENT_SCALE = 2.0**-8  # latent codes are ufixed<9,1>: value = code x 2^-8

CONVENTIONS = {
    "latent": "code x 2^-8 (9-bit ufixed<9,1>); bits the links or the mask do not carry are 0",
    "module_sum": "5E4M code -> midpoint of its interval (the encoder truncates)",
    "cell_map": "the decoder manifest's cell_map_8x8 (the training code's arrangement) places the 48 cells",
    "reconstructed_charges": "q_hat_i = map_i / sum_48(map) x decoded module sum, on the 48 real cells",
    "mse_8x8": "mean over the 64 map positions of (input/sum(input) - map/sum_48(map))^2; empty quadrant input 0",
    "correlation": "Pearson r between calq and q_hat over the 48 cells (modules with spread in both)",
    "energy_ratio": "sum(q_hat) / sum(calq): the module-sum code's precision once the map is renormalized",
    "empty_modules": "sum(calq) == 0: counted, not scored",
}


def encoder_fingerprint(config: EcontConfig) -> str:
    """sha256 of the autoencoder weight registers: which encoder a decoder belongs to."""
    return hashlib.sha256(",".join(str(int(w)) for w in config.ae_weights).encode()).hexdigest()


@dataclass(frozen=True)
class AePacket:
    latent: np.ndarray  # (n, 16) int64 9-bit codes, untransmitted bits zero
    module_sum: np.ndarray  # (n,) 5E4M codes
    tag5: np.ndarray  # (n,) the packets' BX tags


def _selection(config: EcontConfig) -> tuple[np.ndarray, np.ndarray]:
    return ae_bit_selection(config.ae_mask, ae_bits_per_links(config.n_links))


def transmitted_latent(latent: np.ndarray, config: EcontConfig) -> np.ndarray:
    """Latent codes with only the bits the chip's links carry (mask, link count) kept."""
    lat, bit = _selection(config)
    keep = np.zeros(16, dtype=np.int64)
    for li, b in zip(lat.tolist(), bit.tolist()):
        if li >= 0:
            keep[li] |= 1 << b
    return np.asarray(latent, dtype=np.int64) & keep


def parse_ae_words(tx: np.ndarray, config: EcontConfig) -> AePacket:
    """(n, >= links) output words whose rows each start with an autoencoder packet -> its fields."""
    w = np.asarray(tx)
    n_links = config.n_links
    if w.ndim != 2 or w.shape[1] < n_links:
        msg = f"autoencoder packets need (n, >= {n_links}) output words, got shape {w.shape}"
        raise ConfigError(msg)
    n_bits = ae_bits_per_links(n_links)
    if 14 + n_bits > 32 * n_links:
        msg = f"an autoencoder packet of {14 + n_bits} bits does not fit in one BX of {n_links} links"
        raise ConfigError(msg)
    words = w[:, :n_links].astype(np.int64)
    bits = ((words[:, :, None] >> np.arange(31, -1, -1)) & 1).reshape(len(w), -1)
    weights5 = 1 << np.arange(4, -1, -1)
    weights9 = 1 << np.arange(8, -1, -1)
    tag5 = bits[:, :5] @ weights5
    mod_sum = bits[:, 5:14] @ weights9
    lat, bit = _selection(config)
    latent = np.zeros((len(w), 16), dtype=np.int64)
    for p, (li, b) in enumerate(zip(lat.tolist(), bit.tolist())):
        if li >= 0:
            latent[:, li] |= bits[:, 14 + p] << b
    return AePacket(latent=latent, module_sum=mod_sum, tag5=tag5)


def decode_module_sum(codes: np.ndarray, exp_bits: int = 5, mant_bits: int = 4) -> np.ndarray:
    """5E4M (by default) codes -> the midpoint of the integer charges each code stands for (float64).

    Inverse of :func:`firmware_models.econt.codec.encode` with no dropped bits:
    exponent 0 is the value itself; exponent ``e >= 1`` stands for the ``2^(e-1)``
    integers from ``(2^M + m) << (e-1)``; the all-ones code also stands for everything above.
    """
    c = np.asarray(codes, dtype=np.int64)
    if c.size and (c.min() < 0 or c.max() >= 1 << (exp_bits + mant_bits)):
        msg = f"module-sum codes must be {exp_bits + mant_bits}-bit, got min {c.min()} max {c.max()}"
        raise ConfigError(msg)
    e = c >> mant_bits
    m = c & ((1 << mant_bits) - 1)
    width = np.exp2(np.maximum(e - 1, 0))
    low = np.where(e > 0, (m + (1 << mant_bits)) * width, m)
    return low + np.where(e > 0, (width - 1) / 2, 0.0)


@dataclass
class EcontDecoder:
    """The off-detector decoder: latent codes -> (n, 8, 8) maps, by onnxruntime."""

    path: Path = DEFAULT_DECODER
    manifest: dict[str, Any] = field(init=False, repr=False)
    _session: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        man_path = self.path.with_suffix(".json")
        if not self.path.is_file() or not man_path.is_file():
            msg = (f"ECON-T decoder {str(self.path)!r} or its manifest {man_path.name!r} is missing; "
                   "write both with scripts/convert_econt_decoder.py")
            raise InputFileError(msg)
        try:
            self.manifest = json.loads(man_path.read_text())
            recorded = self.manifest["onnx"]["sha256"]
        except (ValueError, KeyError, TypeError) as err:
            msg = f"{man_path} is not an ECON-T decoder manifest ({type(err).__name__}: {err}); rerun the conversion"
            raise InputFileError(msg) from None
        if hashlib.sha256(self.path.read_bytes()).hexdigest() != recorded:
            msg = f"{self.path} does not match the sha256 in {man_path.name}; rerun scripts/convert_econt_decoder.py"
            raise InputFileError(msg)
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        opts.intra_op_num_threads = 1
        self._session = ort.InferenceSession(str(self.path), opts, providers=["CPUExecutionProvider"])

    @property
    def cell_map(self) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cols) of the 48 post-mux cells in the decoded 8x8 map (from the manifest)."""
        where = np.asarray(self.manifest.get("cell_map_8x8", []), dtype=np.intp)
        if where.shape != (48, 2) or where.min() < 0 or where.max() > 7 or len({tuple(x) for x in where}) != 48:
            msg = f"{self.path.with_suffix('.json')}: cell_map_8x8 must place 48 cells on distinct 8x8 positions"
            raise InputFileError(msg)
        return where[:, 0], where[:, 1]

    @property
    def encoder_sha256(self) -> str | None:
        """Fingerprint (:func:`encoder_fingerprint`) of the encoder registers this decoder was trained with."""
        return self.manifest.get("encoder_registers_sha256")

    def decode(self, latent_codes: np.ndarray) -> np.ndarray:
        """(n, 16) 9-bit latent codes -> (n, 8, 8) float64 maps."""
        z = np.asarray(latent_codes, dtype=np.float64) * LATENT_SCALE
        if z.ndim != 2 or z.shape[1] != 16:
            msg = f"the decoder takes (n, 16) latent codes, got shape {z.shape}"
            raise ConfigError(msg)
        out = self._session.run(None, {"latent": np.ascontiguousarray(z, dtype=np.float32)})[0]
        return np.asarray(out, dtype=np.float64)


@dataclass
class ReconstructionTally:
    """Running reconstruction numbers over batches of modules (see :data:`CONVENTIONS`)."""

    cell_map: tuple[np.ndarray, np.ndarray]  # (rows, cols) of the 48 cells, EcontDecoder.cell_map
    modules: int = 0
    empty_modules: int = 0
    correlated_modules: int = 0
    _ratio: float = 0.0
    _ratio2: float = 0.0
    _mse: float = 0.0
    _corr: float = 0.0

    def add(self, calq: np.ndarray, maps: np.ndarray, module_sum_codes: np.ndarray) -> None:
        """One batch: (n, 48) calibrated charges the encoder saw, (n, 8, 8) decoded maps, (n,) 5E4M sums."""
        rows, cols = self.cell_map
        q = np.asarray(calq, dtype=np.float64)
        maps = np.asarray(maps, dtype=np.float64)
        if q.ndim != 2 or q.shape[1] != 48 or maps.shape != (len(q), 8, 8) or len(module_sum_codes) != len(q):
            msg = f"tally needs (n, 48) charges, (n, 8, 8) maps and (n,) sums; got {q.shape}, {maps.shape}"
            raise ConfigError(msg)
        total = q.sum(axis=1)
        live = total > 0
        self.empty_modules += int((~live).sum())
        if not live.any():
            return
        q, maps, total = q[live], maps[live], total[live]
        cells = maps[:, rows, cols]
        shape = cells / cells.sum(axis=1, keepdims=True)
        q_hat = shape * decode_module_sum(np.asarray(module_sum_codes)[live])[:, None]
        ratio = q_hat.sum(axis=1) / total
        img = np.zeros_like(maps)
        img[:, rows, cols] = q / total[:, None]
        err = ((img - maps / cells.sum(axis=1)[:, None, None]) ** 2).mean(axis=(1, 2))
        dq = q - q.mean(axis=1, keepdims=True)
        dh = q_hat - q_hat.mean(axis=1, keepdims=True)
        norm = np.sqrt((dq**2).sum(axis=1) * (dh**2).sum(axis=1))
        ok = norm > 0
        self.modules += len(q)
        self.correlated_modules += int(ok.sum())
        self._ratio += float(ratio.sum())
        self._ratio2 += float((ratio**2).sum())
        self._mse += float(err.sum())
        self._corr += float(((dq * dh).sum(axis=1)[ok] / norm[ok]).sum())

    def summary(self) -> dict[str, Any]:
        n = max(self.modules, 1)
        mean = self._ratio / n
        return {
            "modules": self.modules,
            "empty_modules": self.empty_modules,
            "energy_ratio_mean": mean,
            "energy_ratio_std": float(np.sqrt(max(self._ratio2 / n - mean**2, 0.0))),
            "mse_8x8_mean": self._mse / n,
            "correlation_mean": self._corr / max(self.correlated_modules, 1),
            "correlated_modules": self.correlated_modules,
        }


def reconstruction_report(decoder: EcontDecoder, calq: np.ndarray, packet: AePacket,
                          config: EcontConfig) -> dict[str, Any]:
    """Decode ``packet`` and score it against ``calq``: the tally's summary plus what was decoded."""
    tally = ReconstructionTally(decoder.cell_map)
    tally.add(calq, decoder.decode(packet.latent), packet.module_sum)
    lat, _ = _selection(config)
    return {
        **tally.summary(),
        "latent_bits_transmitted": int((lat >= 0).sum()),
        "latent_bits_total": 144,
        "decoder": decoder.path.name,
        "decoder_matches_encoder": decoder.encoder_sha256 == encoder_fingerprint(config),
        "conventions": CONVENTIONS,
    }
