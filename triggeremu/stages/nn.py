"""The ``nn`` stage (old name ``ad``): an hls4ml network such as the L1 anomaly-detection encoder, bit-exact, with its block timing.

Configuration (a ``[[stages]]`` table)::

    [[stages]]
    kind = "nn"
    name = "ad"                 # output columns: ad_score (and ad_mu)
    model = "enc.onnx"          # an ONNX file, an hls4ml project directory, or a CMSSW
                                # wrapper folder such as AXOL1TL_v4/ or CICADA_v2p2p0/
                                # (triggeremu.stages.nn_cmssw)
                                # (default: the shipped model, triggeremu/data/ad_default)
    bundled = "cnn_vae"         # or a bundled model by name: "ad_default", "cnn_vae" (the seed CNN VAE)
    config = "enc.json"         # AD config (see below); default: config.json beside an ONNX
    input = "object_grid"       # input layout (triggeremu.stages.nn_inputs): l1_inputs, object_grid,
                                # calo_regions, jet_image; default: the AD config's input_layout, else
                                # what the model's input implies (CICADA's 252 ap_uint<10>: calo_regions)
    write_mu = false            # also write <name>_mu (N, latent) raw integers
    report = "csynth.xml"       # optional HLS report (also found inside a project directory)
    clock_mhz = 40.0794         # timing from config: with latency_cycles (and ii_cycles)
    latency_cycles = 2
    ii_cycles = 1
    fifo_depth = 16
    overflow = "drop"           # "drop" | "backpressure"

The AD config (JSON, written by ``scripts/train_default_ad.py``) holds ``hls4ml``
(the hls4ml-style precision/reuse configuration used for an ONNX model; a plain
hls4ml config with ``Model``/``LayerName`` at the top is accepted too),
``input_layout`` (:mod:`triggeremu.stages.nn_inputs`), ``input_scaling`` (AXOL1TL
``(x - offset) >> shift``: ``in_type``, ``offsets``, ``shifts``, in the layout's order; absent:
the layout's values are taken as raw input mantissas), ``score`` (``sum_mu2``, ``kl``,
``kl_total`` or ``none``: :mod:`triggeremu.stages.nn_scores`), ``working_points`` (name ->
raw-integer threshold) and ``timing`` (``clock_mhz``, ``latency_cycles``, ``ii_cycles`` and
the ``source`` they come from, e.g. ``preset:Govorkova2022-TableIII``).

Timing, by trust (``summary()["timing"]["source"]`` says which): an HLS report,
then explicit latency in the stage table or the AD config, then the topology
estimator of :mod:`firmware_models.timing_estimate` at the configured clock
(default 200 MHz, hls4ml's 5 ns). An II longer than the bunch spacing is flagged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from firmware_models.errors import ModelError
from firmware_models.fixed import FixedType
from firmware_models.hls_report import find_report, read_hls_report
from firmware_models.nn import NNModel, load_hls4ml_project, load_onnx, scale_inputs
from firmware_models.nn.loader import detect
from firmware_models.timing import BlockTiming
from firmware_models.timing_estimate import check_ii_vs_bx, estimate_layers, estimate_timing
from triggeremu.errors import ConfigError
from triggeremu.schema import CLOCK_KEYS, FIFO_KEYS, STAGE_KEYS, Bool, Choice, Key, PathValue, Section
from triggeremu.stages.nn_inputs import LAYOUTS, InputLayout, detect_layout, layout
from triggeremu.stages.nn_scores import attach_score

__all__ = ["ADModel", "NNStage", "load_ad_model", "model_timing", "make", "DEFAULT_MODEL_DIR", "BUNDLED", "SCHEMA",
           "OUTPUTS"]

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[1] / "data" / "ad_default"
#: bundled models by name -> their AD config
BUNDLED = {"ad_default": DEFAULT_MODEL_DIR / "config.json",
           "cnn_vae": DEFAULT_MODEL_DIR.parent / "cnn_vae" / "ad_config.json"}
SCHEMA = Section(
    '[[stages]] kind = "nn"',
    (
        *STAGE_KEYS,
        Key("model", PathValue("file_or_dir"), "an ONNX file, an hls4ml project directory, or a CMSSW "
            "hls4mlEmulator wrapper folder (e.g. a checkout's AXOL1TL_v4)",
            default_doc="the bundled AD encoder, triggeremu/data/ad_default"),
        Key("bundled", Choice(tuple(BUNDLED)), "a bundled model by name: ad_default (the AXOL1TL-like encoder) or "
            "cnn_vae (the seed CNN VAE of Govorkova et al. on the 19x3 object grid, KL score)",
            default_doc="model / config, else ad_default"),
        Key("input", Choice(tuple(LAYOUTS)), "the input layout: which columns feed the network, in what order "
            "(triggeremu.stages.nn_inputs)", default_doc="the AD config's input_layout, else what the model's "
            "input implies"),
        Key("config", PathValue("file"), "AD config JSON (hls4ml precision/reuse, input scaling, score, "
            "working points, timing)", default_doc="config.json beside an ONNX model"),
        Key("write_mu", Bool(), "also write `<name>_mu`, the latent vector (raw integers)", default=False),
        Key("report", PathValue("file"), "HLS report (csynth.xml or .rpt) giving the block's timing",
            default_doc="one found inside a project directory"),
        CLOCK_KEYS[0].with_(default_doc="the AD config's timing.clock_mhz, else 200 (the estimator's)"),
        *CLOCK_KEYS[1:],
        *FIFO_KEYS,
    ),
    doc="An hls4ml network, bit-exact (map stage), such as the L1 anomaly-detection encoder: its input layout "
        "(`l1_inputs`, the 19x3 object grid, `calo_regions`, a jet image) -> `<name>_score` (and `<name>_mu`). Timing, by trust: an HLS report, explicit `latency_cycles`, the AD "
        "config's timing, the topology estimator.",
)

#: suffixes of the columns the stage writes
OUTPUTS = ("score", "mu")
_DEFAULT_CLOCK_MHZ = 200.0


@dataclass
class ADModel:
    """A loaded encoder with its score head, input scaling and AD configuration."""

    model: NNModel
    path: Path
    config_path: Path | None
    config: dict[str, Any] = field(default_factory=dict)
    score_name: str | None = None
    offsets: np.ndarray | None = None
    shifts: np.ndarray | None = None
    scaling_in_type: str = "ap_fixed<18,13>"
    #: l1_inputs -> model input for a CMSSW wrapper folder (:mod:`triggeremu.stages.nn_cmssw`)
    build_inputs: Any = None
    #: which batch columns feed the network (:mod:`triggeremu.stages.nn_inputs`)
    layout: InputLayout = field(default_factory=lambda: LAYOUTS["l1_inputs"])

    @property
    def mu_name(self) -> str:
        return self.model.output_name

    @property
    def working_points(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in (self.config.get("working_points") or {}).items()}

    def scaled_inputs(self, values: np.ndarray) -> np.ndarray:
        """Raw input mantissas of the encoder for the layout's values (``l1_inputs`` for the default layout)."""
        if self.build_inputs is not None:
            return self.build_inputs(values)
        if self.offsets is None:
            return np.asarray(values, dtype=np.int64)
        return scale_inputs(values, self.offsets, self.shifts, self.model.input_type, in_type=self.scaling_in_type)

    def model_inputs(self, cols) -> np.ndarray:
        """Raw input mantissas of the encoder for a batch (the layout's columns)."""
        return self.scaled_inputs(self.layout.build(cols))


def _read_config(path: Path) -> dict[str, Any]:
    """An AD config (JSON), or a plain hls4ml config as JSON or YAML (hls4ml_config.yml)."""
    try:
        text = path.read_text()
    except OSError as err:
        msg = f"cannot read AD config {path}: {err.strerror}"
        raise ConfigError(msg) from err
    if path.suffix in (".yml", ".yaml"):
        import yaml

        try:
            cfg = yaml.safe_load(text)
        except yaml.YAMLError as err:
            msg = f"config {path} is not valid YAML ({err})"
            raise ConfigError(msg) from err
    else:
        try:
            cfg = json.loads(text)
        except json.JSONDecodeError as err:
            msg = f"AD config {path} is not valid JSON ({err})"
            raise ConfigError(msg) from err
    if not isinstance(cfg, dict):
        msg = f"AD config {path} must be a JSON object"
        raise ConfigError(msg)
    return cfg


def load_ad_model(model: str | Path | None = None, config: str | Path | None = None, *,
                  input_layout: str | None = None) -> ADModel:
    """Load an ONNX file, hls4ml project directory or CMSSW wrapper folder plus its AD config (default: the
    shipped model); ``input_layout`` overrides the config's (see :mod:`triggeremu.stages.nn_inputs`)."""
    cfg_path = Path(config) if config is not None else None
    if model is None:
        cfg_path = cfg_path or DEFAULT_MODEL_DIR / "config.json"
        cfg = _read_config(cfg_path)
        model = cfg_path.parent / str(cfg.get("model", "encoder.onnx"))
    path = Path(model)
    if cfg_path is None and path.is_file():
        for candidate in (path.with_suffix(".json"), path.parent / "config.json"):
            if candidate.is_file():
                cfg_path = candidate
                break
    cfg = _read_config(cfg_path) if cfg_path is not None else {}
    try:
        kind = detect(path) if path.exists() else None   # firmware_models.nn.loader.FORMATS
        if kind == "cmssw-wrapper":
            from triggeremu.stages.nn_cmssw import load_wrapper_ad

            ad = load_wrapper_ad(path, cfg_path, cfg)
            _attach_layout(ad, input_layout)
            return ad
        if kind == "hls4ml-project":
            nn = load_hls4ml_project(path)
        elif kind == "onnx":
            # an AD config carries the hls4ml-style config under "hls4ml"; a plain hls4ml config is used whole
            plain = "Model" in cfg or "LayerName" in cfg or "HLSConfig" in cfg
            nn = load_onnx(path, cfg.get("hls4ml", cfg if plain else None))
        else:
            msg = f"AD model {path} does not exist; give an ONNX file or an hls4ml project directory"
            raise ConfigError(msg)
        ad = ADModel(nn, path, cfg_path, cfg)
        attach_score(ad)
        _attach_layout(ad, input_layout)
        _attach_scaling(ad)
    except ModelError as err:
        msg = f"cannot load AD model {path}{f' with config {cfg_path}' if cfg_path else ''}: {err}"
        raise ConfigError(msg) from err
    return ad


def _attach_layout(ad: ADModel, override: str | None) -> None:
    """The layout named by the stage or the AD config (checked against the model's input size), else the
    one the model's input implies (checked by the stage, so ``triggeremu nn`` runs any model)."""
    named = override or ad.config.get("input_layout")
    where = f"AD model {ad.path}: "
    lay = layout(named or detect_layout(ad.model.n_inputs, ad.model.input_type), where=where)
    if named and lay.size != ad.model.n_inputs:
        msg = (f"{where}the input layout {lay.name!r} gives {lay.size} values ({lay.doc}), the model takes "
               f"{ad.model.n_inputs}; choose another input layout (known: {sorted(LAYOUTS)})")
        raise ConfigError(msg)
    ad.layout = lay


def _attach_scaling(ad: ADModel) -> None:
    sc = ad.config.get("input_scaling")
    if not sc:
        return
    off, sh = np.asarray(sc.get("offsets", []), dtype=np.int64), np.asarray(sc.get("shifts", []), dtype=np.int64)
    if off.shape != (ad.model.n_inputs,) or sh.shape != (ad.model.n_inputs,) or (sh < 0).any():
        msg = (f"AD config {ad.config_path}: input_scaling needs {ad.model.n_inputs} integer offsets and "
               f"{ad.model.n_inputs} non-negative shifts; got {off.shape[0]} and {sh.shape[0]}")
        raise ConfigError(msg)
    ad.offsets, ad.shifts = off, sh
    ad.scaling_in_type = str(FixedType.parse(sc.get("in_type", "ap_fixed<18,13>")))


def _estimator_layers(ad: ADModel) -> list[dict]:
    layers = [rec.describe() for rec in ad.model.layers]  # each kind's timing rule comes from the layer registry
    head = next((h for h in getattr(ad.model, "scores", ()) if h.name == ad.score_name), None)
    if head is not None:   # a CMSSW wrapper's loss is inside the wrapper (no head of ours)
        kind = (ad.config.get("score") or {}).get("kind", "sum_mu2")
        ports = {p.name: p.size for p in ad.model.output_ports}
        layers.append({"kind": "sum_sq" if kind == "sum_mu2" else "kl",
                       "n_in": sum(ports[n] for n in head.inputs) if head.inputs else ad.model.output_ports[0].size})
    return layers


def model_timing(ad: ADModel, options: dict[str, Any] | None = None) -> BlockTiming:
    """The block's timing: report > explicit latency (options, then AD config) > estimator."""
    opts = dict(options or {})
    cfg_t = dict(ad.config.get("timing") or {})
    fifo, overflow = int(opts.get("fifo_depth", 16)), str(opts.get("overflow", "drop"))
    report = opts.get("report") or cfg_t.get("report")
    try:
        if report is None and ad.path.is_dir():
            try:
                report = find_report(ad.path)
            except ModelError:
                report = None
        if report is not None:
            return read_hls_report(report).block_timing(fifo_depth=fifo, overflow=overflow)
        for src in (opts, cfg_t):
            if "latency_cycles" in src:
                clock = float(src.get("clock_mhz", cfg_t.get("clock_mhz", _DEFAULT_CLOCK_MHZ)))
                return BlockTiming(clock_mhz=clock, latency_cycles=int(src["latency_cycles"]),
                                   ii_cycles=int(src.get("ii_cycles", 1)), fifo_depth=fifo, overflow=overflow,
                                   source=str(src.get("source", "config")) if src is cfg_t else "config")
        clock = float(opts.get("clock_mhz", cfg_t.get("clock_mhz", _DEFAULT_CLOCK_MHZ)))
        return estimate_timing(_estimator_layers(ad), clock_mhz=clock, fifo_depth=fifo, overflow=overflow)
    except ModelError as err:
        msg = f"timing of AD model {ad.path}: {err}"
        raise ConfigError(msg) from err
    except ValueError as err:  # BlockTiming rejects a bad clock/latency/fifo/overflow
        msg = f"timing of AD model {ad.path}: {err}"
        raise ConfigError(msg) from err


class NNStage:
    """A map stage: ``l1_inputs`` -> scaled inputs -> encoder -> ``<name>_score`` (and ``<name>_mu``)."""

    sequential = False

    def __init__(self, name: str, ad: ADModel, timing: BlockTiming, *, write_mu: bool = False) -> None:
        if ad.score_name is None and not write_mu:
            msg = f"stage {name!r}: the AD model has no score (score.kind = 'none'); set write_mu = true"
            raise ConfigError(msg)
        if ad.build_inputs is None and ad.model.n_inputs != ad.layout.size:
            msg = (f"stage {name!r}: the AD model takes {ad.model.n_inputs} inputs, its input layout "
                   f"{ad.layout.name!r} gives {ad.layout.size}")
            raise ConfigError(msg)
        self.name, self.ad, self._timing, self.write_mu = name, ad, timing, bool(write_mu)

    def requires(self) -> tuple[str, ...]:
        return self.ad.layout.columns

    def process(self, cols) -> dict[str, np.ndarray]:
        try:
            x = self.ad.model_inputs(cols)
        except ConfigError as err:
            msg = f"stage {self.name!r}: {err}"
            raise ConfigError(msg) from err
        try:
            out = self.ad.model.predict_raw(x)
        except ModelError as err:
            err.add_note(f"while running stage {self.name!r} on {len(x)} events")
            raise
        res = {}
        if self.ad.score_name is not None:
            res[f"{self.name}_score"] = out[self.ad.score_name].astype(np.int64, copy=False)
        if self.write_mu:
            res[f"{self.name}_mu"] = out[self.ad.mu_name].astype(np.int64, copy=False)
        return res

    def fixed_types(self) -> dict[str, str]:
        types = self.ad.model.output_types
        out = {}
        if self.ad.score_name is not None:
            out[f"{self.name}_score"] = str(types[self.ad.score_name])
        if self.write_mu:
            out[f"{self.name}_mu"] = str(types[self.ad.mu_name])
        return out

    def timing(self) -> BlockTiming:
        return self._timing

    def timing_columns(self) -> dict[str, str]:
        return {}

    def reset(self) -> None:
        return None

    def working_points(self) -> dict[str, int]:
        """Named raw-integer score thresholds of the model (for ``[[seeds]] column = <name>_score``)."""
        return self.ad.working_points

    def summary(self, cols) -> dict[str, Any]:
        col = f"{self.name}_score"
        # a run's sink hands merged value counts (triggeremu.counters.ValueCounts), not the column
        scores = cols[col] if col in cols else np.zeros(0, dtype=np.int64)
        n_pass = getattr(scores, "count_at_least", None) or (lambda t: int(np.count_nonzero(np.asarray(scores) >= t)))
        return {
            "model": str(self.ad.path),
            "config": None if self.ad.config_path is None else str(self.ad.config_path),
            "input_type": str(self.ad.model.input_type),
            "input_layout": self.ad.layout.name,
            "input_scaling": self.ad.offsets is not None,
            "types": self.fixed_types(),
            "layers": [f"{rec.name}:{rec.kind}({rec.n_out})" for rec in self.ad.model.layers],
            "timing": self._timing.to_dict(),
            "ii_vs_bx": check_ii_vs_bx(self._timing),
            "timing_layers": _layer_timing(self.ad, self._timing),
            "events": int(len(scores)),
            "working_points": {name: {"threshold_raw": thr, "n_pass": n_pass(thr)}
                               for name, thr in self.working_points().items()},
        }


def _layer_timing(ad: ADModel, timing: BlockTiming) -> dict[str, Any]:
    """Per layer: the estimator's (latency, II) in 5 ns cycles and, for a .rpt with instance rows, the report's."""
    out: dict[str, Any] = {}
    try:
        out["estimate_5ns"] = estimate_layers(_estimator_layers(ad))
    except ModelError as err:
        out["estimate_5ns"] = f"not estimated: {err}"
    if timing.source.startswith("report:"):
        out["report_instances"] = [i.to_dict() for i in read_hls_report(timing.source[len("report:"):]).instances]
    return out


def _resolve(value: Any, base_dir: Path) -> Path:
    p = Path(str(value)).expanduser()
    return p if p.is_absolute() else base_dir / p


def make(config: dict[str, Any], *, base_dir: Path) -> NNStage:
    """Build the stage from its ``[[stages]]`` table (see the module docstring)."""
    name = str(config.get("name", "ad"))
    config = SCHEMA.validate(config, where=f"stage {name!r} (kind nn)", base_dir=Path(base_dir))
    base = Path(base_dir)
    model = _resolve(config["model"], base) if "model" in config else None
    cfg = _resolve(config["config"], base) if "config" in config else None
    if "bundled" in config:
        if model is not None or cfg is not None:
            msg = f"stage {name!r}: give either bundled = ... or model / config, not both"
            raise ConfigError(msg)
        cfg = BUNDLED[config["bundled"]]
    ad = load_ad_model(model, cfg, input_layout=config.get("input"))
    opts = {k: config[k] for k in ("clock_mhz", "latency_cycles", "ii_cycles", "fifo_depth", "overflow")
            if k in config}
    if "report" in config:
        opts["report"] = _resolve(config["report"], base)
    return NNStage(name, ad, model_timing(ad, opts), write_mu=bool(config.get("write_mu", False)))
