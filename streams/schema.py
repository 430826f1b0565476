"""The Arrow batch schema: the unit on the wire and through the stages.

A batch is a :class:`pyarrow.RecordBatch` of many bunch crossings (whole orbits
are the natural unit). Every batch has the three key columns

- ``orbit`` uint32, ``bx`` uint16 (0..3563), ``event`` uint64 (global sequence),

then payload columns, fixed-size lists for per-event vectors:

- ``l1_inputs``  fixed_size_list<int32, 57>: the anomaly-detection input in L1
  hardware units (see :mod:`streams.hwunits` for the order);
- ``calo_cells`` fixed_size_list<uint32, 48>: on-detector calorimeter cells (optional);
- ``calo_regions`` fixed_size_list<uint16, 252>: calorimeter region ETs, 10-bit, CMSSW's index
  ``14 * iPhi + iEta`` -- CICADA's input (optional; :mod:`streams.regions`);
- ``label`` int8: truth label of synthetic events (0 background, 1 signal; optional);
- ``pileup`` uint16: pileup count of the BX (optional);
- ``bad_input`` uint8: non-zero when the event had NaN/inf in its inputs. Such events
  are dropped by the pipeline with reason ``nan_input`` and never scored;
- ``input_anomaly`` uint8: bit flags of inputs the hardware conversion coerced
  (negative pT, negative MET, eta beyond the field, |phi| > pi, a saturated code; see
  :func:`streams.hwunits.input_anomalies`), counted in the run summary and dropped
  when the menu says so.

Stages append output columns. A column carrying fixed-point raw integers records
its type in the field metadata under ``b"fixed_type"`` (e.g. ``ap_ufixed<18,14>``).
Inside the code a batch is handled as a plain ``dict[str, numpy.ndarray]``
(2-D arrays for fixed-size lists): :func:`to_columns` and :func:`from_columns`
convert without copying the payload.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa

__all__ = [
    "SCHEMA_VERSION",
    "N_L1_INPUTS",
    "N_CALO_CELLS",
    "N_CALO_REGIONS",
    "KEY_FIELDS",
    "base_schema",
    "to_columns",
    "from_columns",
    "field_for",
    "concat_columns",
]

SCHEMA_VERSION = 1
N_L1_INPUTS = 57
N_CALO_CELLS = 48
N_CALO_REGIONS = 252

KEY_FIELDS = (
    pa.field("orbit", pa.uint32(), nullable=False),
    pa.field("bx", pa.uint16(), nullable=False),
    pa.field("event", pa.uint64(), nullable=False),
)

_PAYLOAD_FIELDS = {
    "l1_inputs": pa.field("l1_inputs", pa.list_(pa.int32(), N_L1_INPUTS), nullable=False),
    "calo_cells": pa.field("calo_cells", pa.list_(pa.uint32(), N_CALO_CELLS), nullable=False),
    "calo_regions": pa.field("calo_regions", pa.list_(pa.uint16(), N_CALO_REGIONS), nullable=False),
    "label": pa.field("label", pa.int8(), nullable=False),
    "pileup": pa.field("pileup", pa.uint16(), nullable=False),
    "bad_input": pa.field("bad_input", pa.uint8(), nullable=False),
    "input_anomaly": pa.field("input_anomaly", pa.uint8(), nullable=False),
}


def base_schema(*payload: str) -> pa.Schema:
    """Schema with the key columns and the named standard payload columns."""
    unknown = [p for p in payload if p not in _PAYLOAD_FIELDS]
    if unknown:
        msg = f"unknown payload column(s) {unknown}; standard ones are {sorted(_PAYLOAD_FIELDS)}"
        raise KeyError(msg)
    return pa.schema(
        [*KEY_FIELDS, *(_PAYLOAD_FIELDS[p] for p in payload)],
        metadata={b"triggeremu.schema_version": str(SCHEMA_VERSION).encode()},
    )


def field_for(name: str, values: np.ndarray, *, fixed_type: str | None = None) -> pa.Field:
    """An Arrow field for a NumPy column (1-D scalar or 2-D fixed-size list)."""
    if name in _PAYLOAD_FIELDS and fixed_type is None:
        return _PAYLOAD_FIELDS[name]
    for f in KEY_FIELDS:
        if f.name == name:
            return f
    arr = np.asarray(values)
    base = pa.from_numpy_dtype(arr.dtype)
    typ = pa.list_(base, arr.shape[1]) if arr.ndim == 2 else base
    meta = {b"fixed_type": fixed_type.encode()} if fixed_type else None
    return pa.field(name, typ, nullable=False, metadata=meta)


def to_columns(batch: pa.RecordBatch) -> dict[str, np.ndarray]:
    """Columns of a batch as NumPy arrays (zero-copy where Arrow allows)."""
    out: dict[str, np.ndarray] = {}
    for name, col in zip(batch.schema.names, batch.columns, strict=True):
        if pa.types.is_fixed_size_list(col.type):
            width = col.type.list_size
            flat = col.values
            if col.offset:
                flat = flat.slice(col.offset * width, len(col) * width)
            out[name] = flat.to_numpy(zero_copy_only=False).reshape(len(col), width)
        else:
            out[name] = col.to_numpy(zero_copy_only=False)
    return out


def from_columns(
    cols: Mapping[str, np.ndarray],
    *,
    fixed_types: Mapping[str, str] | None = None,
) -> pa.RecordBatch:
    """Build a batch from NumPy columns; key columns first, then the rest in order."""
    fixed_types = fixed_types or {}
    missing = [f.name for f in KEY_FIELDS if f.name not in cols]
    if missing:
        msg = f"a batch needs the key columns orbit, bx, event; missing {missing}"
        raise KeyError(msg)
    names = [f.name for f in KEY_FIELDS] + [n for n in cols if n not in {f.name for f in KEY_FIELDS}]
    arrays, fields = [], []
    for name in names:
        v = np.ascontiguousarray(cols[name])
        f = field_for(name, v, fixed_type=fixed_types.get(name))
        if v.ndim == 2:
            flat = pa.array(v.reshape(-1).astype(f.type.value_type.to_pandas_dtype(), copy=False))
            arr = pa.FixedSizeListArray.from_arrays(flat, v.shape[1])
        else:
            arr = pa.array(v.astype(f.type.to_pandas_dtype(), copy=False))
        arrays.append(arr)
        fields.append(f)
    schema = pa.schema(fields, metadata={b"triggeremu.schema_version": str(SCHEMA_VERSION).encode()})
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def concat_columns(parts: list[Mapping[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Concatenate column dicts with the same keys along the event axis."""
    if not parts:
        return {}
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
