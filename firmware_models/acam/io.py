"""Save and load an :class:`~firmware_models.acam.table.AcamTable` as one ``.npz`` file.

The arrays are stored as they are (``lo``, ``hi``, ``care``, ``leaf_raw``,
``leaf_float``, ``tree_id``, ``class_id``, ``leaf_node``, ``base_raw``,
``base_float``, ``q_scale``, ``q_zero_point``) and everything else as a JSON
document in the ``meta_json`` entry (UTF-8 bytes): format name and version,
``n_bits``, ``n_classes``, ``leaf_type`` (hls4ml spelling), quantizer modes,
``split_convention``, ``float_sum``, ``norm``, ``source``. Loading never
unpickles (``allow_pickle=False``) and checks the format version.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from firmware_models.acam.quantize import InputQuantizer
from firmware_models.acam.table import AcamTable
from firmware_models.errors import ModelFormatError

__all__ = ["save", "load", "FORMAT", "FORMAT_VERSION"]

FORMAT = "triggeremu.acam.table"
FORMAT_VERSION = 1
_ARRAYS = ("lo", "hi", "care", "leaf_raw", "leaf_float", "tree_id", "class_id", "leaf_node", "base_raw", "base_float")


def save(table: AcamTable, path) -> Path:
    """Write ``table`` to ``path`` (``.npz`` appended when missing); returns the path written."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    meta = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "n_bits": table.n_bits,
        "n_classes": table.n_classes,
        "leaf_type": str(table.leaf_type),
        "quantizer": {"rounding": table.quantizer.rounding, "overflow": table.quantizer.overflow},
        "split_convention": table.split_convention,
        "float_sum": table.float_sum,
        "norm": table.norm,
        "score_sum": table.score_sum,
        "source": table.source,
    }
    arrays = {name: getattr(table, name) for name in _ARRAYS}
    arrays["q_scale"] = table.quantizer.scale
    arrays["q_zero_point"] = table.quantizer.zero_point
    arrays["meta_json"] = np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8)
    with path.open("wb") as fh:
        np.savez_compressed(fh, **arrays)
    return path


def load(path) -> AcamTable:
    """Read a table written by :func:`save`."""
    path = Path(path)
    if not path.is_file():
        msg = f"ACAM table file {str(path)!r} not found"
        raise ModelFormatError(msg)
    try:
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
    except (ValueError, OSError, zipfile.BadZipFile) as err:
        msg = f"{path} is not an ACAM table .npz ({err}); write one with firmware_models.acam.save(table, path)"
        raise ModelFormatError(msg) from None
    if "meta_json" not in data:
        msg = f"{path} has no meta_json entry; it was not written by firmware_models.acam.save"
        raise ModelFormatError(msg)
    meta = json.loads(data.pop("meta_json").tobytes().decode())
    if meta.get("format") != FORMAT or meta.get("version") != FORMAT_VERSION:
        msg = f"{path}: format {meta.get('format')!r} v{meta.get('version')}, expected {FORMAT!r} v{FORMAT_VERSION}"
        raise ModelFormatError(msg)
    missing = [k for k in (*_ARRAYS, "q_scale", "q_zero_point") if k not in data]
    if missing:
        msg = f"{path} lacks arrays {missing}"
        raise ModelFormatError(msg)
    q = InputQuantizer(
        meta["n_bits"], data.pop("q_scale"), data.pop("q_zero_point"), meta["quantizer"]["rounding"], meta["quantizer"]["overflow"]
    )
    return AcamTable(
        n_bits=meta["n_bits"],
        n_classes=meta["n_classes"],
        leaf_type=meta["leaf_type"],
        quantizer=q,
        split_convention=meta["split_convention"],
        float_sum=meta["float_sum"],
        norm=float(meta["norm"]),
        score_sum=meta.get("score_sum", "exact"),
        source=meta.get("source", {}),
        **{k: data[k] for k in _ARRAYS},
    )
