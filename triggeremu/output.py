"""The front door for per-event output files: which formats exist, checks before a run, one writer API.

``--out`` (and :func:`triggeremu.replay`'s ``out=``) takes a path whose suffix
names the format (:data:`FORMATS`): ``.parquet`` (:mod:`triggeremu.parquet_writer`)
or ``.root``, a TTree written with uproot (:mod:`triggeremu.root_writer`); any
other suffix is refused. :func:`check_output_path` and :func:`check_writable`
run before the run, so an unwritable or misspelt output fails at once, not after
an hour of replay. :func:`open_writer` opens the writer for a path; both writers
take the same batches (``write(outputs, raw, prescaled, decision)``) and lay
them out with :func:`event_table`, so the two formats and
:meth:`triggeremu.api.ReplayResult.to_arrow` hold the same named columns.

Columns, in order: ``orbit``, ``bx``, ``event``, the source's and stages' outputs
(``label``, ``pileup``, ``bad_input``, passthrough branches, ``<stage>_<output>``;
the detector payloads ``l1_inputs`` and ``calo_cells`` are not written), one
boolean per seed before prescale (the seed's name) and after (``<seed>__prescaled``),
``accepted``, ``lost``, ``l1a_requested`` (a seed fired after prescale on an event that
reached the decision) and ``vetoed_by`` (uint8: 0 = not vetoed, r + 1 = the request was
vetoed by trigger rule r in the menu's order, :data:`VETOED_BY_BUDGET` = a seed fired but
the decision came after the latency budget), and the sequencer's ``seq_*`` timing columns. Raw
fixed-point integers carry their type (``ap_ufixed<18,14>``...): in each Arrow
field's metadata (``fixed_type``) and, for every reader, as JSON in the file's
metadata (:data:`FIXED_TYPES_KEY`; a ``TObjString`` of that name in a ROOT file).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

from streams.schema import from_columns
from triggeremu.errors import UserError

__all__ = ["FORMATS", "FIXED_TYPES_KEY", "DETECTOR_PAYLOADS", "DECISION_COLUMNS", "VETOED_BY_BUDGET",
           "check_output_path", "check_writable", "open_writer", "event_table", "EventWriter"]

#: ``vetoed_by`` code of an event whose seed fired but whose decision missed the latency budget
VETOED_BY_BUDGET = 255
#: the per-event decision columns, besides the sequencer's timing columns
DECISION_COLUMNS = ("accepted", "lost", "l1a_requested", "vetoed_by")

#: output suffix -> what is written
FORMATS = {".parquet": "Parquet (pyarrow)", ".root": "ROOT TTree 'Events' (uproot)"}
#: file-level metadata key holding {column: fixed-point type} as JSON
FIXED_TYPES_KEY = "triggeremu.fixed_types"
#: per-event detector inputs that stay out of the output files
DETECTOR_PAYLOADS = ("l1_inputs", "calo_cells", "calo_regions")


class EventWriter(Protocol):
    """A per-event writer: ``table`` builds one batch's rows, ``write_table`` writes
    them (the pipeline builds first and writes when it commits the batch); ``write``
    does both."""

    path: Path

    def table(self, outputs: Mapping[str, np.ndarray], raw: np.ndarray, prescaled: np.ndarray,
              decision: Mapping[str, np.ndarray]) -> Any: ...

    def write_table(self, table: Any) -> None: ...

    def write(self, outputs: Mapping[str, np.ndarray], raw: np.ndarray, prescaled: np.ndarray,
              decision: Mapping[str, np.ndarray]) -> None: ...

    def close(self) -> None: ...


def check_writable(path: str | os.PathLike, *, what: str, directory: bool = False) -> Path:
    """``path`` can be written (its folder exists or can be made, and it is not a folder or a file
    where a folder is wanted); a UserError naming ``what`` otherwise."""
    p = Path(os.fspath(path)).expanduser()
    if directory:
        if p.exists() and not p.is_dir():
            msg = f"{what} {str(p)!r} is a file; give a directory (it is created if absent)"
            raise UserError(msg)
    elif p.is_dir():
        msg = f"{what} {str(p)!r} is a directory; give a file name inside it"
        raise UserError(msg)
    probe = p if directory else p.parent
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        msg = f"{what} {str(p)!r} cannot be written: {str(probe)!r} is a file, not a directory"
        raise UserError(msg)
    if not os.access(probe, os.W_OK | os.X_OK):
        msg = f"{what} {str(p)!r} cannot be written: no permission to write in {str(probe)!r}"
        raise UserError(msg)
    return p


def check_output_path(path: str | os.PathLike, *, what: str = "--out") -> Path:
    """A writable per-event output path with a known suffix (``.parquet`` or ``.root``)."""
    p = Path(os.fspath(path)).expanduser()
    if p.suffix.lower() not in FORMATS:
        shown = ", ".join(f"{s} ({d})" for s, d in FORMATS.items())
        msg = (f"{what} {str(p)!r}: unknown output format {p.suffix or '(no suffix)'!r}; the suffix names the "
               f"format: {shown}")
        raise UserError(msg)
    return check_writable(p, what=what)


def open_writer(path: str | os.PathLike, seed_names: Sequence[str], *,
                fixed_types: Mapping[str, str] | None = None) -> EventWriter:
    """The writer for ``path``'s format (checked with :func:`check_output_path`)."""
    p = check_output_path(path)
    if p.suffix.lower() == ".root":
        from triggeremu.root_writer import RootDecisionWriter

        return RootDecisionWriter(p, list(seed_names), fixed_types=dict(fixed_types or {}))
    from triggeremu.parquet_writer import DecisionWriter

    return DecisionWriter(p, list(seed_names), fixed_types=dict(fixed_types or {}))


def event_columns(outputs: Mapping[str, np.ndarray], raw: np.ndarray, prescaled: np.ndarray,
                  decision: Mapping[str, np.ndarray], seed_names: Sequence[str]) -> dict[str, np.ndarray]:
    """The per-event columns of one batch, in file order (see the module docstring)."""
    cols = {k: v for k, v in outputs.items() if k not in DETECTOR_PAYLOADS}
    for j, name in enumerate(seed_names):
        cols[name] = raw[:, j]
        cols[f"{name}__prescaled"] = prescaled[:, j]
    cols.update(decision)
    return cols


def event_table(outputs: Mapping[str, np.ndarray], raw: np.ndarray, prescaled: np.ndarray,
                decision: Mapping[str, np.ndarray], seed_names: Sequence[str], *,
                fixed_types: Mapping[str, str] | None = None) -> pa.Table:
    """One batch as an Arrow table: :func:`event_columns`, fixed-point types in field and schema metadata."""
    cols = event_columns(outputs, raw, prescaled, decision, seed_names)
    types = {k: v for k, v in (fixed_types or {}).items() if k in cols}
    table = pa.Table.from_batches([from_columns(cols, fixed_types=types)])
    meta = dict(table.schema.metadata or {})
    meta[FIXED_TYPES_KEY.encode()] = json.dumps(types, sort_keys=True).encode()
    return table.replace_schema_metadata(meta)


def fixed_types_of(schema: pa.Schema) -> dict[str, str]:
    """{column: fixed-point type} recorded in an output file's schema."""
    raw = (schema.metadata or {}).get(FIXED_TYPES_KEY.encode())
    if raw is not None:
        return json.loads(raw)
    return {f.name: f.metadata[b"fixed_type"].decode() for f in schema
            if f.metadata and b"fixed_type" in f.metadata}


def describe_file(path: Path, n_events: int | None = None) -> str:
    """One line announcing a written file."""
    what = FORMATS.get(path.suffix.lower(), "")
    n = f", {n_events:,} events" if n_events is not None else ""
    return f"wrote {path}" + (f" ({what}{n})" if what or n else "")


