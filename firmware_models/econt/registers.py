"""ECON-T register settings: ``init.yaml`` -> one typed, validated :class:`EcontConfig`.

This is the importer of the ECON-T model: every other block reads only the
plain :class:`EcontConfig`. Three spellings of the same registers exist in the
public test vectors and tools, all accepted:

- ``p1`` (ECON-T prototype, test-vector yamls since 2024-02): ``Algorithm:
  {Global: {select, density}}``, ``AlgoDroplsb: {Global: N}``, ``FormatterBuffer:
  {Global: {active_etxs: <count>, ...}}``, ``mask_ae``/``mask_ae2``;
- ``p2`` (ECON-T production, cmantill/econt_test-vectors 2c2a3a7/68ddaa7):
  ``ConfigAlgo: {Global: {alg_type, alg_high_density}}``, ``AlgoDroplsb: {Global:
  {drop_lsb: N}}``, ``active_etxs`` as a *bit mask* of links,
  ``keep_auto_encoder_bits`` (144-bit mask), and mux inputs numbered from the most
  significant cell of each e-link word (:data:`INPUT_CELL_ORDERS`);
- ``legacy`` (``ECON-T: RW: {FMTBUF_ALL: ..., MFC_MUX_SELECT: ...}``, the 2022 files
  read by ECONT_Emulator ``RunFromYamlInput.py``; read by :mod:`.registers_legacy`).

Defaults (:data:`DEFAULTS`) are the reset values of the register map
cmantill/econt_sw@e403a79 ``econt_sw/zmq_i2c/reg_maps/ECON_I2C_params_regmap.yaml``
(``FMTBUF_ALL.config = 37`` -> 2 links, use_sum 1, stc_type 1; tx_sync_word 1807;
buff_t1 48, buff_t2 511, buff_t3 0; identity mux; calibration 0x800 = 1.0;
thresholds 0; algorithm 0 (threshold-sum), low density; drop_lsb 0; AE masks all
ones; AE weights 0). An unknown register or an out-of-range value raises
:class:`~firmware_models.errors.ModelFormatError` naming the register, the allowed
range and (for a misspelling) the closest known name.

Two production (``p2``) conventions are read off the upstream test vectors that
cmantill/econt_test-vectors 68ddaa7 ("update test vectors for ECON-T-Prod
differences") regenerated, since no public emulator of the production chip exists:
the 48-bit channel map of threshold-sum and best-choice packets carries address 0
in its *least* significant bit (:data:`CHANNEL_MAP_ORDERS`; the prototype emulator
ECONT_Emulator@357cfef ``ASICBlocks/Formatter.py`` writes ``''.join(BITMAP)``, address
0 first), and ``FormatterBuffer.idle_pattern`` (11 bits) is accepted beside
``link_reset_pattern`` (see :attr:`EcontConfig.idle_pattern`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from enum import IntEnum
from pathlib import Path
from typing import Any

from firmware_models.errors import ModelFormatError

from .registers_legacy import from_legacy
from .textfile import read_text

__all__ = [
    "Algorithm",
    "EcontConfig",
    "DEFAULTS",
    "DROP_LSB_RULE",
    "BUFFER_DEPTH_WORDS",
    "N_TC",
    "N_ELINKS_IN",
    "MAX_LINKS_OUT",
    "AE_WEIGHT_REGISTERS",
    "INPUT_CELL_ORDERS",
    "CHANNEL_MAP_ORDERS",
    "load_init_yaml",
    "config_from_mapping",
]

N_TC = 48
N_ELINKS_IN = 12
MAX_LINKS_OUT = 13
#: words of 16 bit in the formatter buffer of the reference model (BufferBlock.py: 400). The
#: thresholds may exceed it (buff_t1/buff_t2 are 16-bit registers, FMTBUF_ALL size_byte 2 in
#: econt_sw ECON_I2C_params_regmap.yaml): words written past the top are lost (:mod:`.buffer`).
BUFFER_DEPTH_WORDS = 400
#: register value of drop_lsb above 4 acts as 0 (ECONT_Emulator RunFromYamlInput.py, AlgorithmRoutine)
DROP_LSB_RULE = {"max_effective": 4, "above_max_becomes": 0}
#: byte offsets of the AE weight registers inside each AUTOENCODER_<i>INPUT block (16 bytes each, 6 in the last)
AE_WEIGHT_REGISTERS = (0, 16, 32, 48, 64, 80, 96, 112, 128)
_AE_WEIGHT_BITS = {off: (48 if off == 128 else 128) for off in AE_WEIGHT_REGISTERS}


#: mux input ``4*link + k`` is the k-th 7-bit field counted from the least ("lsb_first",
#: prototype and legacy register files) or most ("msb_first", production register files)
#: significant end of the e-link word. Evidence: cmantill/econt_test-vectors commits
#: 2c2a3a7, 68ddaa7 and 37a3450 ("update yamls for econt-prod") rewrote every mux value m
#: to 4*(m//4) + 3 - m%4 and left testOutput.csv unchanged; both readings reproduce it.
INPUT_CELL_ORDERS = {"p1": "lsb_first", "legacy": "lsb_first", "p2": "msb_first", "default": "lsb_first"}

#: where address 0 sits in the 48-bit channel map of threshold-sum / best-choice packets.
#: "address0_msb": ECONT_Emulator@357cfef Formatter.py ``AddressMapData=''.join(BITMAP)`` (and the
#: vectors' own decoder, econt_test-vectors utils/structs/threshold_sum.py ``ChannelMap(from_left=True)``).
#: "address0_lsb": ECON-T production; evidence: econt_test-vectors 68ddaa7 regenerated
#: counterPatternInTC_by2/{BC_5eTx,BC_10eTx,TS_Thr47_13eTx} and the only field that changed is the
#: channel map, bit-reversed (e.g. BC_10eTx BX 0: 0x001fffffffff -> 0xfffffffff800; codes unchanged).
CHANNEL_MAP_ORDERS = {"p1": "address0_msb", "legacy": "address0_msb", "p2": "address0_lsb", "default": "address0_msb"}


class Algorithm(IntEnum):
    THRESHOLD_SUM = 0
    SUPER_TRIGGER_CELL = 1
    BEST_CHOICE = 2
    REPEATER = 3
    AUTOENCODER = 4


DEFAULTS: dict[str, Any] = {
    "algorithm": 0,
    "high_density": 0,
    "drop_lsb": 0,
    "n_links": 2,
    "mux": tuple(range(N_TC)),
    "cal": (0x800,) * N_TC,
    "threshold": (0,) * N_TC,
    "stc_type": 1,
    "use_sum": 1,
    "buff_t1": 48,
    "buff_t2": 511,
    "buff_t3": 0,
    "tx_sync_word": 1807,
    "idle_pattern": None,
    "ae_mask": (1 << 144) - 1,
    "ae_weights": (0,) * (12 * len(AE_WEIGHT_REGISTERS)),
}

# (min, max) of every scalar register, in the units of EcontConfig
_RANGES = {
    "algorithm": (0, 4),
    "high_density": (0, 1),
    "drop_lsb": (0, 7),
    "n_links": (1, MAX_LINKS_OUT),
    "stc_type": (0, 4),
    "use_sum": (0, 1),
    "buff_t1": (0, 0xFFFF),
    "buff_t2": (0, 0xFFFF),
    "buff_t3": (0, 0xFF),
    "tx_sync_word": (0, 0x7FF),
    "idle_pattern": (0, 0x7FF),
    "ae_mask": (0, (1 << 144) - 1),
}


@dataclass(frozen=True)
class EcontConfig:
    """All ECON-T settings the data path depends on (plain integers, validated)."""

    algorithm: Algorithm = Algorithm.THRESHOLD_SUM
    high_density: bool = False
    drop_lsb: int = 0
    n_links: int = 2
    mux: tuple[int, ...] = DEFAULTS["mux"]
    cal: tuple[int, ...] = DEFAULTS["cal"]
    threshold: tuple[int, ...] = DEFAULTS["threshold"]
    stc_type: int = 1
    use_sum: bool = True
    buff_t1: int = 48
    buff_t2: int = 511
    buff_t3: int = 0
    tx_sync_word: int = 1807
    #: 11-bit pattern of the idle (padding) words after a packet; None = tx_sync_word, as on
    #: the prototype, whose one register (tx_sync_word / link_reset_pattern) sets both. The
    #: link-reset windows always send tx_sync_word. Only the production yamls name it
    #: (econt_test-vectors 37a3450 counterPatternInTC_by2/TS_Thr47_13eTx, with both = 290, so
    #: the split between the two registers is not exercised by any public vector).
    idle_pattern: int | None = None
    ae_mask: int = (1 << 144) - 1
    ae_weights: tuple[int, ...] = field(default=DEFAULTS["ae_weights"])
    #: how mux-input numbers map to the 7-bit fields of an e-link word, see INPUT_CELL_ORDERS
    input_cell_order: str = "lsb_first"
    #: where address 0 sits in the 48-bit channel map, see CHANNEL_MAP_ORDERS
    channel_map_order: str = "address0_msb"
    dialect: str = "default"

    def __post_init__(self) -> None:
        for name, (lo, hi) in _RANGES.items():
            if getattr(self, name) is None:
                continue
            value = int(getattr(self, name))
            if not lo <= value <= hi:
                msg = f"ECON-T register {name} = {value} is out of range [{lo}, {hi}]"
                raise ModelFormatError(msg)
        object.__setattr__(self, "algorithm", Algorithm(int(self.algorithm)))
        _check_vector("mux", self.mux, 0, N_TC - 1)
        _check_vector("cal", self.cal, 0, 0xFFF)
        _check_vector("threshold", self.threshold, 0, 0xFFFFFF)
        if len(self.ae_weights) != 12 * len(AE_WEIGHT_REGISTERS):
            msg = f"ECON-T ae_weights needs {12 * len(AE_WEIGHT_REGISTERS)} registers, got {len(self.ae_weights)}"
            raise ModelFormatError(msg)
        if self.input_cell_order not in ("lsb_first", "msb_first"):
            msg = f"ECON-T input_cell_order must be 'lsb_first' or 'msb_first', got {self.input_cell_order!r}"
            raise ModelFormatError(msg)
        if self.channel_map_order not in ("address0_msb", "address0_lsb"):
            msg = f"ECON-T channel_map_order must be 'address0_msb' or 'address0_lsb', got {self.channel_map_order!r}"
            raise ModelFormatError(msg)
        for i, w in enumerate(self.ae_weights):
            bits = _AE_WEIGHT_BITS[AE_WEIGHT_REGISTERS[i % len(AE_WEIGHT_REGISTERS)]]
            if not 0 <= int(w) < (1 << bits):
                msg = f"ECON-T Encoder register #{i} = {w} does not fit in {bits} bits"
                raise ModelFormatError(msg)

    @property
    def dropped_bits(self) -> int:
        """Bits the HGCROC dropped before 4E3M encoding: 3 (high density) or 1 (low density)."""
        return 3 if self.high_density else 1

    @property
    def idle_word_pattern(self) -> int:
        """The 11-bit pattern of idle (padding) words: :attr:`idle_pattern`, else :attr:`tx_sync_word`."""
        return int(self.tx_sync_word if self.idle_pattern is None else self.idle_pattern)

    @property
    def map_address0_lsb(self) -> bool:
        return self.channel_map_order == "address0_lsb"

    @property
    def effective_drop_lsb(self) -> int:
        return 0 if self.drop_lsb > DROP_LSB_RULE["max_effective"] else int(self.drop_lsb)

    def replace(self, **changes: Any) -> EcontConfig:
        return replace(self, **changes)


def _check_vector(name: str, values: tuple[int, ...], lo: int, hi: int) -> None:
    if len(values) != N_TC:
        msg = f"ECON-T register block {name} needs {N_TC} entries, got {len(values)}"
        raise ModelFormatError(msg)
    for i, v in enumerate(values):
        if not lo <= int(v) <= hi:
            msg = f"ECON-T register {name}[{i}] = {v} is out of range [{lo}, {hi}]"
            raise ModelFormatError(msg)


def _unknown(kind: str, name: str, known: list[str]) -> ModelFormatError:
    close = difflib.get_close_matches(str(name), known, n=3)
    hint = f"; did you mean {close}?" if close else ""
    return ModelFormatError(f"unknown ECON-T {kind} {name!r}{hint} (known: {sorted(known)})")


def _indexed(block: str, entries: Any) -> tuple[int, ...]:
    if not isinstance(entries, dict) or sorted(entries) != list(range(len(entries))):
        msg = f"ECON-T block {block} must map indices 0..{N_TC - 1} to integers, got keys {list(entries)[:5]}..."
        raise ModelFormatError(msg)
    return tuple(int(entries[i]) for i in range(len(entries)))


def _global(block: str, entries: Any) -> Any:
    if not isinstance(entries, dict) or set(entries) != {"Global"}:
        msg = f"ECON-T block {block} must have a single 'Global' entry, got {list(entries) if isinstance(entries, dict) else entries!r}"
        raise ModelFormatError(msg)
    return entries["Global"]


def _links_from_mask(mask: int) -> int:
    if mask <= 0 or mask & (mask + 1) or mask >= (1 << MAX_LINKS_OUT):
        msg = (
            f"ECON-T active_etxs bit mask {mask:#x} must enable links 0..N-1 contiguously "
            f"(0x1 .. {(1 << MAX_LINKS_OUT) - 1:#x}); gaps are not modelled"
        )
        raise ModelFormatError(msg)
    return mask.bit_length()


_P1_FB = {"active_etxs", "buff_t1", "buff_t2", "buff_t3", "stc_type", "use_sum", "link_reset_pattern",
          "tx_sync_word", "mask_ae", "mask_ae2"}
_P2_FB = {"active_etxs", "buff_t1", "buff_t2", "buff_t3", "stc_type", "use_sum", "link_reset_pattern",
          "tx_sync_word", "idle_pattern", "keep_auto_encoder_bits"}
_BLOCKS = ["Algorithm", "ConfigAlgo", "AlgoDroplsb", "AlgoThreshold", "Cal", "Mux", "FormatterBuffer", "Encoder"]


def _dialect(doc: dict) -> str:
    if "ECON-T" in doc:
        return "legacy"
    p2 = "ConfigAlgo" in doc or isinstance(doc.get("AlgoDroplsb", {}).get("Global"), dict) or (
        "keep_auto_encoder_bits" in doc.get("FormatterBuffer", {}).get("Global", {})
    )
    p1 = "Algorithm" in doc or any(k in doc.get("FormatterBuffer", {}).get("Global", {}) for k in ("mask_ae", "mask_ae2"))
    if p1 and p2:
        msg = "ECON-T init.yaml mixes prototype (Algorithm, mask_ae) and production (ConfigAlgo, drop_lsb, keep_auto_encoder_bits) register names"
        raise ModelFormatError(msg)
    return "p2" if p2 else "p1"


def _encoder(entries: Any) -> tuple[int, ...]:
    if not isinstance(entries, dict) or sorted(entries) != list(range(12)):
        msg = "ECON-T block Encoder must map the 12 input blocks 0..11 to their weights_byte<N> registers"
        raise ModelFormatError(msg)
    names = [f"weights_byte{off}" for off in AE_WEIGHT_REGISTERS]
    out = []
    for i in range(12):
        regs = entries[i]
        for k in regs:
            if k not in names:
                raise _unknown(f"register Encoder[{i}]", k, names)
        out.extend(int(regs.get(n, 0)) for n in names)
    return tuple(out)


def _from_named(doc: dict) -> dict[str, Any]:
    dialect = _dialect(doc)
    out: dict[str, Any] = {"dialect": dialect}
    for block, entries in doc.items():
        if block not in _BLOCKS:
            raise _unknown("register block", block, _BLOCKS)
        if block == "Algorithm":
            g = _global(block, entries)
            for k in g:
                if k not in ("select", "density"):
                    raise _unknown("register Algorithm", k, ["select", "density"])
            out["algorithm"] = g.get("select", DEFAULTS["algorithm"])
            out["high_density"] = g.get("density", DEFAULTS["high_density"])
        elif block == "ConfigAlgo":
            g = _global(block, entries)
            for k in g:
                if k not in ("alg_type", "alg_high_density"):
                    raise _unknown("register ConfigAlgo", k, ["alg_type", "alg_high_density"])
            out["algorithm"] = g.get("alg_type", DEFAULTS["algorithm"])
            out["high_density"] = g.get("alg_high_density", DEFAULTS["high_density"])
        elif block == "AlgoDroplsb":
            g = _global(block, entries)
            if isinstance(g, dict):
                for k in g:
                    if k != "drop_lsb":
                        raise _unknown("register AlgoDroplsb", k, ["drop_lsb"])
                g = g.get("drop_lsb", DEFAULTS["drop_lsb"])
            out["drop_lsb"] = g
        elif block == "AlgoThreshold":
            out["threshold"] = _indexed(block, entries)
        elif block == "Cal":
            out["cal"] = _indexed(block, entries)
        elif block == "Mux":
            out["mux"] = _indexed(block, entries)
        elif block == "Encoder":
            out["ae_weights"] = _encoder(entries)
        elif block == "FormatterBuffer":
            g = _global(block, entries)
            known = _P2_FB if dialect == "p2" else _P1_FB
            for k in g:
                if k not in known:
                    raise _unknown(f"register FormatterBuffer ({dialect})", k, sorted(known))
            if "active_etxs" in g:
                v = int(g["active_etxs"])
                out["n_links"] = _links_from_mask(v) if dialect == "p2" else v
            for k in ("buff_t1", "buff_t2", "buff_t3", "stc_type", "use_sum"):
                if k in g:
                    out[k] = g[k]
            if "link_reset_pattern" in g or "tx_sync_word" in g:
                out["tx_sync_word"] = g.get("link_reset_pattern", g.get("tx_sync_word"))
            if "idle_pattern" in g:
                out["idle_pattern"] = g["idle_pattern"]
            if "keep_auto_encoder_bits" in g:
                out["ae_mask"] = g["keep_auto_encoder_bits"]
            if "mask_ae" in g or "mask_ae2" in g:
                out["ae_mask"] = (int(g.get("mask_ae", (1 << 128) - 1)) << 16) | int(g.get("mask_ae2", 0xFFFF))
    return out


def config_from_mapping(doc: dict) -> EcontConfig:
    """Build an :class:`EcontConfig` from a parsed ``init.yaml`` (any of the three dialects)."""
    if not isinstance(doc, dict):
        msg = f"ECON-T init.yaml must be a mapping of register blocks, got {type(doc).__name__}"
        raise ModelFormatError(msg)
    values = from_legacy(doc) if "ECON-T" in doc else _from_named(doc)
    merged = {**DEFAULTS, "input_cell_order": INPUT_CELL_ORDERS[values["dialect"]],
              "channel_map_order": CHANNEL_MAP_ORDERS[values["dialect"]], **values}
    ints = {k: (v if isinstance(v, (tuple, str)) or v is None else int(v)) for k, v in merged.items()}
    ints["high_density"] = bool(ints["high_density"])
    ints["use_sum"] = bool(ints["use_sum"])
    return EcontConfig(**ints)


def load_init_yaml(path: str | Path) -> EcontConfig:
    """Read an ECON-T ``init.yaml`` (plain or ``.gz``) into an :class:`EcontConfig`."""
    import yaml

    path = Path(path)
    text = read_text(path, "ECON-T register file ")
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as err:
        msg = f"ECON-T register file {path} is not valid YAML: {err}"
        raise ModelFormatError(msg) from err
    try:
        return config_from_mapping(doc)
    except ModelFormatError as err:
        err.add_note(f"while reading {path}")
        raise
