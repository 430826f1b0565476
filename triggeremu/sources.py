"""Source specifications: plain dicts that name an event source and its options.

The typed constructors :func:`root`, :func:`synthetic` and :func:`calo` (defined in
:mod:`triggeremu.source_specs`, re-exported here) check their options and build them.

A spec is picklable data (no open files), so the same spec can start a source
in this process or in a separate process of a distributed run::

    {"kind": "synthetic", "n_events": 1_000_000, "seed": 0, "signal_fraction": 0.0}
    {"kind": "root", "paths": ["file.root"], "tree": None, "branch_map": None}
    {"kind": "calo", "n_events": 100_000, "seed": 0}

:func:`open_source` turns a spec into an iterable of column batches (see
:mod:`streams.schema`) with ``n_events`` and ``layout`` attributes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from streams.clock import FillingScheme
from streams.schema import from_columns
from triggeremu.errors import ConfigError
from triggeremu.source_specs import SourceSpec, calo, root, synthetic  # the typed constructors (triggeremu.sources.root...)

__all__ = ["open_source", "arrow_batches", "root", "synthetic", "calo", "SourceSpec"]

_KINDS = ("synthetic", "root", "calo")


def open_source(spec: dict[str, Any]):
    """An event source from a spec dict."""
    kind = spec.get("kind")
    opts = {k: v for k, v in spec.items() if k not in ("kind", "paths", "n_events", "scheme")}
    scheme = FillingScheme.named(spec.get("scheme", "25ns_2748b"))
    if kind == "synthetic":
        from streams.synthetic import SyntheticL1Source

        return SyntheticL1Source(int(spec["n_events"]), scheme=scheme, **opts)
    if kind == "calo":
        from streams.calo import SyntheticCaloSource

        return SyntheticCaloSource(int(spec["n_events"]), scheme=scheme, **opts)
    if kind == "root":
        from streams.root_source import RootSource

        paths = spec["paths"]
        return RootSource(paths if len(paths) > 1 else paths[0], scheme=scheme, **opts)
    msg = f"unknown source kind {kind!r}; use one of {list(_KINDS)}"
    raise ConfigError(msg)


def arrow_batches(spec: dict[str, Any]) -> Iterator[pa.RecordBatch]:
    """The source of a spec as Arrow batches (the form that crosses the wire)."""
    for cols in open_source(spec):
        yield from_columns(cols)


