"""The Python front door: :func:`replay` a menu over a source and get a :class:`ReplayResult`.

::

    import triggeremu

    res = triggeremu.replay(triggeremu.sources.synthetic(100_000, seed=1))
    res.summary["total_rate_khz"]          # the run summary (what --json writes)
    res.rates()                            # one row per seed (a pyarrow Table; .to_pandas())
    res.to_arrow()                         # per-event results, the Parquet file's columns
    res.hist("ad_score")                   # a hist.Hist of a score over the valid events

Everything is checked before the run (the source when it is built, the menu when
it is read, ``out``, ``workers``), so a mistake is one
:class:`~triggeremu.errors.UserError` and never a half-finished run. The menu is
a path, a TOML string, a dict or a :class:`~triggeremu.menu.Menu`
(:func:`triggeremu.menu.as_menu`) and travels to worker processes as data. It
runs :func:`triggeremu.pipeline.run` underneath; the ``triggeremu replay``
command is this function plus printing.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from triggeremu.errors import ConfigError, UserError
from triggeremu.menu import Menu, as_menu, calo_menu_path, load_menu
from triggeremu.output import DECISION_COLUMNS, DETECTOR_PAYLOADS, check_output_path, event_table
from triggeremu.schema import Choice, Int
from triggeremu.source_specs import SourceSpec, as_source

__all__ = ["replay", "ReplayResult", "default_menu_for"]

_RATE_COLUMNS = ("count", "rate_khz", "rate_err_khz", "count_prescaled", "rate_prescaled_khz",
                 "rate_prescaled_err_khz", "rate_after_deadtime_khz", "pure_rate_khz", "proportional_rate_khz")
_TIMING = ("seq_start_fs", "seq_done_fs", "seq_fifo", "seq_latency_fs", "seq_status", "seq_drop_stage")


def default_menu_for(source: SourceSpec) -> Menu:
    """The bundled menu a source runs without one: the calo menu for ``calo``, else the default."""
    return load_menu(calo_menu_path() if source.kind == "calo" else None)


def _check_source_fits_menu(source: SourceSpec, menu: Menu) -> None:
    """Refuse (or warn about) a menu that cannot do anything with this source, before the run."""
    if source.kind != "calo":
        calo = [st.get("name", st.get("kind")) for st in menu.stages if st.get("kind") in ("acam", "econt", "asic")]
        if calo:
            msg = (f"stage(s) {calo} read calo_cells, which a {source.kind} source does not provide; "
                   "use a calorimeter source (triggeremu.sources.calo(n), triggeremu replay --calo N)")
            raise ConfigError(msg)
    else:
        objects = [s.name for s in menu.seeds if s.object is not None]
        if objects:
            warnings.warn(f"object seed(s) {objects} never fire on the calo source (its l1_inputs are zero); "
                          "use a calo menu (the bundled one: omit the menu)", UserWarning, stacklevel=3)


def replay(source: SourceSpec | Mapping[str, Any] | str | os.PathLike | Sequence[str | os.PathLike],
           menu: Menu | Mapping[str, Any] | str | os.PathLike | None = None, *, workers: int = 0,
           transport: str = "ipc", out: str | os.PathLike | None = None, keep_events: bool = True,
           progress: bool = False, heartbeat_s: float | None = None, peer_timeout_s: float | None = None,
           reorder_buffer_batches: int | None = None) -> ReplayResult:
    """Run ``menu`` over ``source``; rates, latency, throughput and (optionally) per-event results.

    >>> import triggeremu
    >>> res = triggeremu.replay(triggeremu.sources.synthetic(20_000, seed=3))
    >>> res.summary["events_in"] == res.summary["events_accepted"] + res.summary["events_rejected"] \\
    ...     + res.summary["events_dropped"]
    True
    >>> "SingleMu22" in res.rates().column("seed").to_pylist()
    True

    ``source``: :func:`triggeremu.sources.root`, ``.synthetic`` or ``.calo`` (or a
    spec dict, or ROOT file path(s)). ``menu``: a path, TOML text, a dict or a
    :class:`~triggeremu.menu.Menu`; None picks the bundled menu for the source
    (:func:`default_menu_for`). ``workers``: 0 runs everything here; N runs the
    source and N map workers as processes joined by ZeroMQ on 127.0.0.1
    (``transport`` ``"ipc"`` or ``"tcp"``), with identical results. ``out``: also
    write per-event results to a ``.parquet`` or ``.root`` file. ``keep_events``:
    keep per-event results in memory for :meth:`ReplayResult.to_arrow` and
    :meth:`ReplayResult.hist` (turn it off for long runs and read ``out`` instead).
    ``heartbeat_s``, ``peer_timeout_s``, ``reorder_buffer_batches``: the liveness and
    memory settings of distributed runs (default: the menu's ``[run]``). A run that
    fails after it started raises with the partial summary attached
    (:func:`triggeremu.pipeline.run_summary_of`); the per-event file it wrote so far is
    kept as ``<name>.partial.<suffix>``.
    """
    from triggeremu.pipeline import run

    spec = as_source(source)
    the_menu = as_menu(menu) if menu is not None else default_menu_for(spec)
    workers = Int(min=0, example=2).check(workers, "workers")
    transport = Choice(("ipc", "tcp")).check(transport, "transport")
    out_path = check_output_path(out, what="out") if out is not None else None
    _check_source_fits_menu(spec, the_menu)
    result = run(spec.to_dict(), menu=the_menu, workers=workers, transport=transport, out=out_path,
                 keep_columns=keep_events, progress=progress, heartbeat_s=heartbeat_s,
                 peer_timeout_s=peer_timeout_s, reorder_buffer_batches=reorder_buffer_batches)
    files = []
    if out_path is not None:
        if out_path.exists():
            files.append(out_path)
        else:
            warnings.warn(f"no per-event file written to {out_path}: the input had no events", UserWarning,
                          stacklevel=2)
    result.summary["menu_definition"] = the_menu.to_dict()  # what ran, as data (the report reads it)
    if result.summary["events_in"] == 0:
        warnings.warn("the input has no events: every count and rate in the summary is zero", UserWarning,
                      stacklevel=2)
    return ReplayResult(summary=result.summary, menu=the_menu, source=spec, files=files,
                        fixed_types=dict(result.fixed_types), _events=result.columns if keep_events else None)


@dataclass
class ReplayResult:
    """What :func:`replay` returns: the summary, the seeds' rates, and per-event results.

    ``summary`` is the run summary (the dict ``triggeremu replay --json`` writes);
    ``files`` the files written (``out``); ``fixed_types`` maps raw fixed-point output
    columns to their type (``ad_score`` -> ``ap_ufixed<18,14>``).
    """

    summary: dict[str, Any]
    menu: Menu
    source: SourceSpec
    files: list[Path] = field(default_factory=list)
    fixed_types: dict[str, str] = field(default_factory=dict)
    _events: dict[str, np.ndarray] | None = field(default=None, repr=False)

    def rates(self):
        """One row per seed: definition, prescale, count and rates in kHz (a :class:`pyarrow.Table`,
        ``.to_pandas()`` for a DataFrame).

        >>> import triggeremu
        >>> t = triggeremu.replay(triggeremu.sources.synthetic(10_000)).rates()
        >>> t.column_names[:4]
        ['seed', 'definition', 'prescale', 'count']
        """
        import pyarrow as pa

        defs = self.summary.get("seed_definitions", {})
        names = list(self.summary["seeds"])
        cols: dict[str, list[Any]] = {
            "seed": names,
            "definition": [defs.get(n, {}).get("definition", "") for n in names],
            "prescale": [int(defs.get(n, {}).get("prescale", 1)) for n in names],
        }
        for c in _RATE_COLUMNS:
            cols[c] = [self.summary["seeds"][n][c] for n in names]
        return pa.table(cols)

    def _kept(self) -> dict[str, np.ndarray]:
        if self._events is None:
            msg = "per-event results were not kept (keep_events=False); read the out= file instead"
            raise UserError(msg)
        return self._events

    def to_arrow(self):
        """Per-event results as a :class:`pyarrow.Table`, with the Parquet output's columns and metadata.

        >>> import triggeremu
        >>> t = triggeremu.replay(triggeremu.sources.synthetic(5_000)).to_arrow()
        >>> t.num_rows, t.column_names[:3]
        (5000, ['orbit', 'bx', 'event'])
        """
        import pyarrow as pa

        kept = self._kept()
        seeds = self.menu.seed_names
        if not kept:
            return pa.table({})
        decision = {k: kept[k] for k in (*DECISION_COLUMNS, *_TIMING) if k in kept}
        skip = {*DETECTOR_PAYLOADS, "seed_bits", "seed_bits_prescaled", *decision}
        outputs = {k: v for k, v in kept.items() if k not in skip}
        return event_table(outputs, kept["seed_bits"], kept["seed_bits_prescaled"], decision, seeds,
                           fixed_types=self.fixed_types)

    def to_pandas(self):
        """Per-event results as a :class:`pandas.DataFrame` (needs pandas; vectors become arrays per row)."""
        try:
            import pandas  # noqa: F401
        except ImportError:
            msg = "to_pandas() needs pandas: pip install pandas (or use to_arrow())"
            raise UserError(msg) from None
        return self.to_arrow().to_pandas()

    def hist(self, column: str, *, bins: int | None = None, label: int | None = None):
        """A :class:`hist.Hist` of one per-event column over the valid events.

        Integer columns get one bin per value when they span at most 1024 values
        (else ``bins`` regular bins, default 100); ``column[i]`` picks element i of a
        vector column; ``label`` keeps only events with that truth label (0
        background, 1 signal: synthetic sources with a signal fraction).

        >>> import triggeremu
        >>> h = triggeremu.replay(triggeremu.sources.synthetic(5_000)).hist("ad_score")
        >>> int(h.sum(flow=True))
        5000
        """
        try:
            import hist
        except ImportError:
            msg = "hist() needs the hist package: pip install 'triggeremu[plots]'"
            raise UserError(msg) from None
        kept = self._kept()
        name, _, idx = column.partition("[")
        if name not in kept or name in ("seed_bits", "seed_bits_prescaled"):
            have = sorted(k for k in kept if k not in ("seed_bits", "seed_bits_prescaled", *DETECTOR_PAYLOADS))
            msg = f"no per-event column {name!r}; columns: {have}"
            raise UserError(msg)
        v = kept[name]
        if idx:
            v = v[:, int(idx.rstrip("]"))]
        if v.ndim != 1:
            msg = f"column {name!r} holds {v.shape[1]} values per event; pick one with {name}[i]"
            raise UserError(msg)
        keep = kept["bad_input"] == 0 if "bad_input" in kept else np.ones(len(v), dtype=bool)
        if label is not None:
            if "label" not in kept:
                msg = "label= needs truth labels: a synthetic source with signal_fraction > 0"
                raise UserError(msg)
            keep &= kept["label"] == label
        v = v[keep]
        title = column if name not in self.fixed_types else f"{column} ({self.fixed_types[name]}, raw)"
        if v.size == 0:
            return hist.Hist(hist.axis.Regular(bins or 100, 0, 1, label=title))
        lo, hi = float(v.min()), float(v.max())
        if np.issubdtype(v.dtype, np.integer) and hi - lo < 1024 and bins is None:
            h = hist.Hist(hist.axis.Integer(int(lo), int(hi) + 1, label=title))
        else:
            top = float(np.nextafter(hi, np.inf)) if hi > lo else lo + 1.0  # the largest value in the last bin
            h = hist.Hist(hist.axis.Regular(bins or 100, lo, top, label=title))
        h.fill(v)
        return h
