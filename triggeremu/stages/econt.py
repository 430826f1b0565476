"""The ``econt`` stage (old name ``asic``): each event's 48 calorimeter cells through the ECON-T model.

A *scan* stage (``sequential = True``): the chip keeps a BX counter, a buffer and
link-reset windows, so batches must come in BX order. Per event it writes

- ``<name>_words`` (N, 13) uint32: the output-link words of the event's BX
  (row ``b`` = the read-out in the step that consumed BX ``b``, the test vectors'
  alignment; the chip's latency is in :meth:`timing`),
- ``<name>_bits`` int32: bits of the event's formatter packet,
- ``<name>_occupancy`` int32: buffer words held after the BX's read-out,
- ``<name>_truncated`` bool: the buffer sent the truncated packet.

Front end (documented mapping): ``calo_cells`` are 22-bit charges on the chip's
calibrated scale (see :mod:`streams.calo`). Each becomes the 7-bit 4E3M code the
HGCROC would send: :func:`firmware_models.econt.codec.encode` with the density's
dropped bits (3 high, 1 low density) and truncation, saturating at code 127
(about 2.0e6 counts for high density). Post-mux cell ``i`` is calo cell ``i``: the
code goes to mux input ``mux[i]`` (the mux must be a permutation).

Empty BX: events exist only on colliding BX, but the chip sees every BX. The
stage feeds zero cells (with the right e-link headers) on every BX between two
events, so the buffer drains as in the detector. A gap longer than one orbit is
shortened to its last 3564 BX: with zero input no packet exceeds the drain of
2 x links words per BX, so 200 BX empty the 400-word buffer and the state after
that is the same whatever the gap (the BX counter resyncs on the orbit header).
Before the first event of a run one orbit of empty BX is simulated, so the chip
starts in its running steady state rather than from power-up.

Configuration (``[[stages]]`` keys, declared in :data:`SCHEMA`): ``init_yaml``
(register file, relative to the TOML), and optional overrides ``algorithm`` (name or 0-4), ``n_links``,
``high_density``, ``drop_lsb``, ``threshold`` (one value for all cells),
``use_sum``, ``stc_type``, ``buff_t1``, ``buff_t2``, ``buff_t3``; ``decoder``
(autoencoder only: ``"default"`` for the shipped off-detector decoder, ``"none"``,
or the path of an ONNX decoder with its manifest beside it).

Off-detector decoding (autoencoder): each event's packet is read back from its
output words (:func:`triggeremu.econt_decode.parse_ae_words`; truncated packets are
counted and skipped), decoded, and compared with the calibrated charges the chip
saw; the run summary gets the numbers under ``decoder``
(:class:`triggeremu.econt_decode.ReconstructionTally`). A decoder trained for other
encoder weights than the chip's registers is flagged with a warning and
``matches_encoder: false``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from firmware_models.econt import Algorithm, EcontChip, EcontConfig, load_init_yaml
from firmware_models.econt.codec import encode
from firmware_models.econt.elinks import ORBIT_BX, bx_tag5, pack_rx_words
from firmware_models.econt.registers import BUFFER_DEPTH_WORDS, MAX_LINKS_OUT
from firmware_models.timing import BlockTiming
from streams.clock import BX_FREQUENCY_HZ
from streams.errors import StreamIntegrityError
from triggeremu.econt_decode import (
    DEFAULT_DECODER,
    EcontDecoder,
    ReconstructionTally,
    encoder_fingerprint,
    parse_ae_words,
)
from triggeremu.errors import ConfigError
from triggeremu.schema import STAGE_KEYS, Bool, Choice, Int, Key, OneOf, PathValue, Section

__all__ = ["EcontStage", "cells_to_codes", "make", "SCHEMA", "OUTPUTS"]

_ALGORITHMS = tuple(a.name.lower() for a in Algorithm)
_FLAG = OneOf((Bool(), Int(min=0, max=1)))
_REGISTER = "register override (default: the init_yaml's value, else the chip's reset value)"
SCHEMA = Section(
    '[[stages]] kind = "econt"',
    (
        *STAGE_KEYS,
        Key("init_yaml", PathValue("file"), "the chip's register file (init.yaml, plain or .gz)",
            default_doc="the chip's reset values"),
        Key("algorithm", OneOf((Choice(_ALGORITHMS), Int(min=0, max=4))), f"algorithm name or number; {_REGISTER}"),
        Key("n_links", Int(min=1, max=MAX_LINKS_OUT, unit="links", example=4), f"output e-links; {_REGISTER}"),
        Key("high_density", _FLAG, f"high-density module (3 dropped bits instead of 1); {_REGISTER}"),
        Key("drop_lsb", Int(min=0, max=7, unit="bits", example=1), f"LSBs dropped after calibration; {_REGISTER}"),
        Key("threshold", Int(min=0, max=0xFFFFFF, example=47), f"one threshold for all 48 cells; {_REGISTER}"),
        Key("use_sum", _FLAG, f"send the module sum; {_REGISTER}"),
        Key("stc_type", Int(min=0, max=4, example=1), f"super-trigger-cell type; {_REGISTER}"),
        Key("buff_t1", Int(min=0, max=0xFFFF, unit="words", example=48), f"buffer threshold T1; {_REGISTER}"),
        Key("buff_t2", Int(min=0, max=0xFFFF, unit="words", example=511), f"buffer threshold T2; {_REGISTER}"),
        Key("buff_t3", Int(min=0, max=0xFF, unit="words", example=0), f"buffer threshold T3; {_REGISTER}"),
        Key("decoder", OneOf((Choice(("default", "none")), PathValue("file", suffixes=(".onnx",)))),
            "autoencoder only: the shipped off-detector decoder, none, or an ONNX decoder with its manifest",
            default="default"),
    ),
    doc="The HGCAL ECON-T on `calo_cells` (a scan stage: list it after the map stages). Writes `<name>_words` "
        "(13 link words), `<name>_bits`, `<name>_occupancy`, `<name>_truncated`. Its timing is the chip's "
        "(block latencies in BX); it takes no timing keys.",
)

#: suffixes of the columns the stage writes
OUTPUTS = ("words", "bits", "occupancy", "truncated")

_OVERRIDES = ("algorithm", "n_links", "high_density", "drop_lsb", "threshold", "use_sum", "stc_type",
              "buff_t1", "buff_t2", "buff_t3")


def cells_to_codes(cells: np.ndarray, config: EcontConfig) -> np.ndarray:
    """(n, 48) 22-bit charges -> (n, 48) 4E3M codes in mux-input order (what the HGCROCs send)."""
    codes = encode(np.asarray(cells, dtype=np.int64), config.dropped_bits, 4, 3)
    out = np.zeros_like(codes)
    out[:, np.asarray(config.mux)] = codes
    return out


@dataclass
class EcontStage:
    name: str
    config: EcontConfig
    sequential: bool = True
    decoder: EcontDecoder | None = None
    _chip: EcontChip = field(init=False)
    _tally: ReconstructionTally | None = field(init=False, default=None)
    _decoder_skipped: int = field(init=False, default=0)
    _last: int | None = field(init=False, default=None)  # global BX index of the last BX simulated
    _stats: dict[str, int] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        mux = self.config.mux
        if sorted(mux) != list(range(len(mux))):
            msg = f"stage {self.name!r}: the ECON-T mux must be a permutation of 0..47 to place the cells, got {mux}"
            raise ConfigError(msg)
        self._chip = EcontChip(self.config)
        if self.decoder is not None and self.config.algorithm != Algorithm.AUTOENCODER:
            self.decoder = None  # only the autoencoder sends a latent code
        if self.decoder is not None and self.decoder.encoder_sha256 != encoder_fingerprint(self.config):
            warnings.warn(
                f"stage {self.name!r}: decoder {self.decoder.path.name} was converted for other autoencoder "
                "weights than this chip's registers; its reconstruction numbers describe a mismatched pair",
                UserWarning, stacklevel=2)
        self.reset()

    def requires(self) -> tuple[str, ...]:
        return ("orbit", "bx", "calo_cells")

    def reset(self) -> None:
        self._chip.reset()
        self._last = None
        self._stats = {"events": 0, "empty_bx_simulated": 0, "empty_bx_skipped": 0, "truncated": 0,
                       "bits": 0, "unexpected_headers": 0, "lost_words": 0, "events_with_lost_words": 0}
        self._tally = ReconstructionTally(self.decoder.cell_map) if self.decoder is not None else None
        self._decoder_skipped = 0

    def _timeline(self, gbx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All BX to simulate (event BX and the empty ones before each) and where the events sit."""
        if np.any(np.diff(gbx) <= 0):
            msg = f"stage {self.name!r}: events must come in strictly increasing (orbit, bx) order"
            raise StreamIntegrityError(msg)
        first = gbx[0] - ORBIT_BX if self._last is None else self._last + 1
        if first > gbx[0]:
            msg = f"stage {self.name!r}: event at global BX {int(gbx[0])} is not after the last one ({self._last})"
            raise StreamIntegrityError(msg)
        prev = np.concatenate([[first - 1], gbx[:-1]])
        gap = gbx - prev - 1
        kept = np.minimum(gap, ORBIT_BX)
        self._stats["empty_bx_skipped"] += int((gap - kept).sum())
        self._stats["empty_bx_simulated"] += int(kept.sum())
        counts = kept + 1
        ends = np.cumsum(counts)
        starts = ends - counts
        timeline = np.repeat(gbx - kept, counts) + (np.arange(ends[-1]) - np.repeat(starts, counts))
        return timeline, ends - 1

    def process(self, cols) -> dict[str, np.ndarray]:
        orbit = np.asarray(cols["orbit"], dtype=np.int64)
        bx = np.asarray(cols["bx"], dtype=np.int64)
        cells = np.asarray(cols["calo_cells"])
        n = len(bx)
        if n == 0:
            return self._empty()
        gbx = orbit * ORBIT_BX + bx
        timeline, at = self._timeline(gbx)
        codes = np.zeros((len(timeline), 48), dtype=np.int64)
        codes[at] = cells_to_codes(cells, self.config)
        rx = pack_rx_words(codes, timeline % ORBIT_BX, self.config.input_cell_order)
        with warnings.catch_warnings():  # lost words are counted below and warned about once per run
            warnings.simplefilter("ignore", RuntimeWarning)
            out = self._chip.run(rx)
        self._count_lost(out.lost_words, at, timeline)
        self._last = int(timeline[-1])
        self._stats["events"] += n
        self._stats["truncated"] += int(out.truncated[at].sum())
        self._stats["bits"] += int(out.packet_bits[at].sum())
        self._stats["unexpected_headers"] += out.unexpected_headers
        if self._tally is not None:
            self._decode(out.tx[at], out.truncated[at], out.bx[at], codes[at])
        return {
            f"{self.name}_words": out.tx[at],
            f"{self.name}_bits": out.packet_bits[at].astype(np.int32),
            f"{self.name}_occupancy": out.occupancy[at].astype(np.int32),
            f"{self.name}_truncated": out.truncated[at].astype(bool),
        }

    def _count_lost(self, lost: np.ndarray | None, at: np.ndarray, timeline: np.ndarray) -> None:
        """Packet words written past the buffer's top (buff_t1 above its depth): counted, warned once."""
        if lost is None or not lost.any():
            return
        if self._stats["lost_words"] == 0:
            first = int(np.flatnonzero(lost)[0])
            warnings.warn(
                f"stage {self.name!r}: the ECON-T buffer overflowed at global BX {int(timeline[first])} "
                f"({int(lost[first])} packet words lost); buff_t1 = {self.config.buff_t1} exceeds the "
                f"{BUFFER_DEPTH_WORDS}-word buffer: set buff_t1 <= {BUFFER_DEPTH_WORDS} to truncate instead. "
                "The summary counts buffer_lost_words", RuntimeWarning, stacklevel=2)
        self._stats["lost_words"] += int(lost.sum())
        self._stats["events_with_lost_words"] += int(np.count_nonzero(lost[at]))

    def _decode(self, words: np.ndarray, truncated: np.ndarray, bx: np.ndarray, codes: np.ndarray) -> None:
        """Read the events' packets back from their words, decode them, score against the chip's charges."""
        packet = parse_ae_words(words, self.config)
        ok = ~truncated & (packet.tag5 == bx_tag5(bx))  # a full packet of this BX starts the row
        self._decoder_skipped += int((~ok).sum())
        if ok.any():
            calq = self._chip.calibrated_charges(codes[ok])
            self._tally.add(calq, self.decoder.decode(packet.latent[ok]), packet.module_sum[ok])

    def _empty(self) -> dict[str, np.ndarray]:
        return {
            f"{self.name}_words": np.zeros((0, MAX_LINKS_OUT), dtype=np.uint32),
            f"{self.name}_bits": np.zeros(0, dtype=np.int32),
            f"{self.name}_occupancy": np.zeros(0, dtype=np.int32),
            f"{self.name}_truncated": np.zeros(0, dtype=bool),
        }

    def fixed_types(self) -> dict[str, str]:
        return {}

    def timing(self) -> BlockTiming:
        return BlockTiming(clock_mhz=float(BX_FREQUENCY_HZ) / 1e6, latency_cycles=self._chip.latency_bx, ii_cycles=1,
                           fifo_depth=BUFFER_DEPTH_WORDS, overflow="drop",
                           source="preset:ECONT_Emulator@357cfef block latencies (front end 11 + algorithm + formatter + buffer 1)")

    def timing_columns(self) -> dict[str, str]:
        return {}

    def summary(self, cols) -> dict[str, Any]:
        s = self._stats
        events = max(s["events"], 1)
        budget = 32 * self.config.n_links
        bits_per_bx = s["bits"] / events
        return {
            "algorithm": self.config.algorithm.name.lower(),
            "links": self.config.n_links,
            "events": s["events"],
            "bits_per_bx": bits_per_bx,
            "link_budget_bits_per_bx": budget,
            "budget_fraction": bits_per_bx / budget,
            "truncation_rate": s["truncated"] / events,
            "buffer_high_water_words": self._chip.buffer_high_water,
            "buffer_depth_words": BUFFER_DEPTH_WORDS,
            "buffer_lost_words": s["lost_words"],
            "events_with_lost_words": s["events_with_lost_words"],
            "empty_bx_simulated": s["empty_bx_simulated"],
            "empty_bx_skipped": s["empty_bx_skipped"],
            "unexpected_headers": s["unexpected_headers"],
            "latency_bx": self._chip.latency_bx,
            "block_latencies_bx": self._chip.block_latencies,
            **({"decoder": self._decoder_summary()} if self._tally is not None else {}),
        }

    def _decoder_summary(self) -> dict[str, Any]:
        return {**self._tally.summary(), "model": self.decoder.path.name, "skipped_packets": self._decoder_skipped,
                "matches_encoder": self.decoder.encoder_sha256 == encoder_fingerprint(self.config)}


def _config(cfg: dict[str, Any]) -> EcontConfig:
    econt = load_init_yaml(Path(cfg["init_yaml"])) if "init_yaml" in cfg else EcontConfig()
    changes: dict[str, Any] = {}
    for key in _OVERRIDES:
        if key not in cfg:
            continue
        value = cfg[key]
        if key == "algorithm" and isinstance(value, str):
            value = Algorithm[value.upper()]
        if key == "threshold":
            value = (int(value),) * 48
        changes[key] = value
    try:
        return econt.replace(**changes) if changes else econt
    except ValueError as err:
        msg = f"econt stage {cfg['name']!r}: {err}"
        raise ConfigError(msg) from err


def _decoder(cfg: dict[str, Any], econt: EcontConfig) -> EcontDecoder | None:
    choice = cfg["decoder"]
    if econt.algorithm != Algorithm.AUTOENCODER or choice == "none":
        return None
    return EcontDecoder(DEFAULT_DECODER if choice == "default" else Path(choice))


def make(config: dict[str, Any], *, base_dir: Path) -> EcontStage:
    """Build the stage from its checked ``[[stages]]`` table (see :data:`SCHEMA`)."""
    econt = _config(config)
    return EcontStage(name=str(config["name"]), config=econt, decoder=_decoder(config, econt))
