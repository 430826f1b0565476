"""The ``legacy`` ECON-T register file (2022): ``ECON-T: RW: {FMTBUF_ALL: ..., MFC_MUX_SELECT: ...}``.

:func:`from_legacy` turns such a document into the plain value dict that
:func:`.registers.config_from_mapping` merges over the defaults (the same keys as
the named dialects). Spellings follow cmantill/ECONT_Emulator@357cfef
``RunFromYamlInput.py`` ``loadUpdates``: a register either has a ``value`` or
``params`` with ``param_value``; ``*`` registers hold one list of 48 values; the
``_config_`` part of a name is dropped, so ``FMTBUF_ALL.config.eporttx_numen`` and
``FMTBUF_ALL.eporttx_numen`` are the same setting.
"""

from __future__ import annotations

import difflib
from typing import Any

from firmware_models.errors import ModelFormatError

__all__ = ["LEGACY_REGISTERS", "from_legacy"]

#: 16-byte AE weight registers per AUTOENCODER_<i>INPUT block (same as registers.AE_WEIGHT_REGISTERS)
_AE_OFFSETS = (0, 16, 32, 48, 64, 80, 96, 112, 128)


def _unknown(name: str, known: list[str]) -> ModelFormatError:
    close = difflib.get_close_matches(str(name), known, n=3)
    hint = f"; did you mean {close}?" if close else ""
    return ModelFormatError(f"unknown ECON-T legacy register {name!r}{hint} (known: {sorted(known)})")


LEGACY_REGISTERS = {
    ("FMTBUF_ALL", "tx_sync_word"): "tx_sync_word",
    ("FMTBUF_ALL", "buff_t1"): "buff_t1",
    ("FMTBUF_ALL", "buff_t2"): "buff_t2",
    ("FMTBUF_ALL", "buff_t3"): "buff_t3",
    ("FMTBUF_ALL", "config.eporttx_numen"): "n_links",
    ("FMTBUF_ALL", "config.use_sum"): "use_sum",
    ("FMTBUF_ALL", "config.stc_type"): "stc_type",
    # the same three fields written as plain registers: ECONT_Emulator RunFromYamlInput.py loadUpdates
    # strips '_config_' from the key, so both spellings set FMTBUF_ALL_eporttx_numen (econt_test-vectors
    # f27f0ca mcDataset/AE_powertest*/init.yaml use this one)
    ("FMTBUF_ALL", "eporttx_numen"): "n_links",
    ("FMTBUF_ALL", "use_sum"): "use_sum",
    ("FMTBUF_ALL", "stc_type"): "stc_type",
    ("FMTBUF_ALL", "mask_ae"): "mask_ae",
    ("FMTBUF_ALL", "mask_ae2"): "mask_ae2",
    ("MFC_MUX_SELECT", "mux_select_*"): "mux",
    ("MFC_CAL_VAL", "cal_*"): "cal",
    ("MFC_ALGORITHM_SEL_DENSITY", "algo.select"): "algorithm",
    ("MFC_ALGORITHM_SEL_DENSITY", "algo.density"): "high_density",
    ("ALGO_THRESHOLD_VAL", "threshold_val_*"): "threshold",
    ("ALGO_DROPLSB", "drop_lsb"): "drop_lsb",
}


def from_legacy(doc: dict) -> dict[str, Any]:
    """The register values of a legacy document (``dialect`` = "legacy"), unvalidated."""
    try:
        rw = doc["ECON-T"]["RW"]
    except (KeyError, TypeError):
        msg = "legacy ECON-T yaml must have an 'ECON-T: RW:' section"
        raise ModelFormatError(msg) from None
    flat: dict[str, Any] = {}
    weights: dict[tuple[int, int], int] = {}
    for block, body in rw.items():
        regs = body.get("registers", {}) if isinstance(body, dict) else {}
        for reg, spec in regs.items():
            if block.startswith("AUTOENCODER_") and block.endswith("INPUT"):
                idx = int(block[len("AUTOENCODER_"):-len("INPUT")])
                weights[(idx, int(reg.removeprefix("weights_byte")))] = int(spec["value"])
                continue
            items = [(f"{reg}.{p}", v["param_value"]) for p, v in spec["params"].items()] if "params" in spec else [(reg, spec["value"])]
            for name, value in items:
                key = LEGACY_REGISTERS.get((block, name))
                if key is None:
                    raise _unknown(f"{block}.{name}", [f"{b}.{r}" for b, r in LEGACY_REGISTERS])
                flat[key] = value
    out: dict[str, Any] = {"dialect": "legacy"}
    for key, value in flat.items():
        if key in ("mux", "cal", "threshold"):
            out[key] = tuple(int(v) for v in value)
        elif key not in ("mask_ae", "mask_ae2"):
            out[key] = value
    if "mask_ae" in flat or "mask_ae2" in flat:
        out["ae_mask"] = (int(flat.get("mask_ae", (1 << 128) - 1)) << 16) | int(flat.get("mask_ae2", 0xFFFF))
    if weights:
        out["ae_weights"] = tuple(weights.get((i, off), 0) for i in range(12) for off in _AE_OFFSETS)
    return out
