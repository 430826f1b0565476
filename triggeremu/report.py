"""The run report: PNG plots from a run directory written by ``triggeremu replay --run-dir``.

A run directory holds ``summary.json`` (the run summary) and ``decisions.parquet``
(per-event results: ``orbit``, ``bx``, ``event``, seed bits ``<seed>`` and
``<seed>__prescaled``, ``accepted``, ``lost``, stage outputs, and the sequencer's
timing columns ``seq_*`` of :data:`triggeremu.sequencer.TIMING_COLUMNS`).
:func:`write_report` writes, beside them:

- ``seed_rates.png``: rate, pure rate and rate after deadtime per seed, L1A budget;
- ``rate_vs_threshold_<seed>.png`` and ``scores_<seed>.png`` for every seed that
  thresholds a stage column (background vs signal when the source had labels);
- ``latency.png``: residence per stage and chain latency against the budget;
- ``fifo_orbit.png``: FIFO occupancy over the busiest orbit;
- ``bx_pattern.png``: colliding, requested, accepted, vetoed (trigger rules) and lost
  BX over the orbit with the most vetoes and losses (the trains show as blocks).

An L1A request is an event with any seed firing after prescale that was not lost;
a veto is a request that was not accepted (the trigger rules).

Memory stays bounded whatever the run's length: :func:`write_report` streams
``decisions.parquet`` in batches of at most :data:`BATCH_ROWS` rows, reading only the
columns a plot needs, twice: the first pass counts each score value (per label),
the per-orbit weights that pick the orbits to draw, and the ranges of the latency
histograms; the second fills those histograms and keeps the rows of the two
chosen orbits. :func:`load_run` reads a whole (small) run into memory instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from streams.clock import BX_PERIOD_FS, FS_PER_NS
from triggeremu.errors import InputFileError

__all__ = ["write_report", "load_run", "RUN_FILES", "BATCH_ROWS"]

RUN_FILES = ("summary.json", "decisions.parquet")
#: rows per batch read from decisions.parquet by write_report
BATCH_ROWS = 65_536


def load_run(run_dir: str | Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(summary, per-event columns) of a run directory; 2-D arrays for list columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    run_dir = Path(run_dir)
    missing = [f for f in RUN_FILES if not (run_dir / f).is_file()]
    if missing:
        have = sorted(p.name for p in run_dir.iterdir()) if run_dir.is_dir() else []
        msg = (f"{run_dir} is not a run directory: {missing} missing (it has {have}); "
               "write one with: triggeremu replay ... --run-dir DIR")
        raise InputFileError(msg)
    try:
        summary = json.loads((run_dir / "summary.json").read_text())
    except json.JSONDecodeError as err:
        msg = f"{run_dir / 'summary.json'} is not valid JSON ({err}); rewrite it with triggeremu replay --run-dir"
        raise InputFileError(msg) from None
    try:
        table = pq.read_table(run_dir / "decisions.parquet")
    except (pa.ArrowInvalid, OSError) as err:
        msg = f"{run_dir / 'decisions.parquet'} cannot be read as Parquet: {err}"
        raise InputFileError(msg) from None
    cols: dict[str, np.ndarray] = {}
    for name in table.column_names:
        col = table.column(name).combine_chunks()
        if pa.types.is_fixed_size_list(col.type):
            width = col.type.list_size
            cols[name] = col.flatten().to_numpy(zero_copy_only=False).reshape(len(col), width)
        else:
            cols[name] = col.to_numpy(zero_copy_only=False)
    return summary, cols


def _menu_seeds(summary: dict[str, Any]) -> list[Any]:
    """Seeds of the run's menu (column seeds are needed for score plots); [] if unreadable."""
    from triggeremu.errors import ConfigError
    from triggeremu.menu import load_menu

    from triggeremu.menu import as_menu

    src = summary.get("menu")
    try:
        if isinstance(summary.get("menu_definition"), dict):  # the run's menu as data (replay writes it)
            menu = as_menu(summary["menu_definition"])
        else:
            menu = load_menu(src if src and Path(src).is_file() else None)
    except ConfigError:
        return []
    return list(menu.seeds)


def _check_run_dir(run_dir: Path) -> dict[str, Any]:
    missing = [f for f in RUN_FILES if not (run_dir / f).is_file()]
    if missing:
        have = sorted(p.name for p in run_dir.iterdir()) if run_dir.is_dir() else []
        msg = (f"{run_dir} is not a run directory: {missing} missing (it has {have}); "
               "write one with: triggeremu replay ... --run-dir DIR")
        raise InputFileError(msg)
    try:
        return json.loads((run_dir / "summary.json").read_text())
    except json.JSONDecodeError as err:
        msg = f"{run_dir / 'summary.json'} is not valid JSON ({err}); rewrite it with triggeremu replay --run-dir"
        raise InputFileError(msg) from None


class _Counts:
    """Occurrences of each distinct value, merged batch by batch (memory: the distinct values)."""

    def __init__(self) -> None:
        self.values = np.zeros(0, dtype=np.int64)
        self.counts = np.zeros(0, dtype=np.int64)

    def add(self, v: np.ndarray, weights: np.ndarray | None = None) -> None:
        if v.size == 0:
            return
        allv = np.concatenate([self.values, v.astype(self.values.dtype if v.dtype.kind in "iub" else v.dtype)])
        w = np.concatenate([self.counts, np.ones(v.size, np.int64) if weights is None else weights.astype(np.int64)])
        self.values, inv = np.unique(allv, return_inverse=True)
        self.counts = np.bincount(inv, weights=w, minlength=self.values.size).astype(np.int64)

    def argmax(self) -> int | None:
        if self.values.size == 0:
            return None
        return int(self.values[int(np.argmax(self.counts))]) if self.counts.max() > 0 else int(self.values[0])


class _RunStream:
    """``decisions.parquet`` read in bounded batches (only the columns asked for)."""

    def __init__(self, path: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            self.file = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as err:
            msg = f"{path} cannot be read as Parquet: {err}"
            raise InputFileError(msg) from None
        self.path = path
        self.names = self.file.schema_arrow.names

    def batches(self, columns: list[str]):
        import pyarrow as pa

        cols = [c for c in dict.fromkeys(columns) if c in self.names]
        try:
            for batch in self.file.iter_batches(batch_size=BATCH_ROWS, columns=cols):
                out = {}
                for name, col in zip(batch.schema.names, batch.columns, strict=True):
                    if pa.types.is_fixed_size_list(col.type):
                        out[name] = col.flatten().to_numpy(zero_copy_only=False).reshape(len(col), col.type.list_size)
                    else:
                        out[name] = col.to_numpy(zero_copy_only=False)
                yield out
        except (pa.ArrowInvalid, OSError) as err:
            msg = f"{self.path} cannot be read as Parquet: {err}"
            raise InputFileError(msg) from None


def _score_hist(counts: _Counts, lo: float, hi: float, unit: str):
    import hist

    integer = counts.values.dtype.kind in "iu" and hi - lo <= 200
    nb = int(hi - lo) if integer else 60
    h = hist.Hist.new.Reg(max(nb, 1), lo, hi, label=f"score ({unit})", overflow=True, underflow=True).Double()
    h.fill(counts.values.astype(np.float64), weight=counts.counts.astype(np.float64))
    return h


def write_report(run_dir: str | Path, *, out_dir: str | Path | None = None,
                 target_rate_khz: float | None = None) -> list[Path]:
    """Write the report PNGs of a run directory (streaming its Parquet file); returns their paths."""
    from triggeremu import plots
    from triggeremu.calibrate import rate_curve_from_counts, working_point

    run_dir = Path(run_dir)
    summary = _check_run_dir(run_dir)
    plots.require_plots()
    stream = _RunStream(run_dir / "decisions.parquet")
    out = Path(out_dir) if out_dir is not None else run_dir
    paths: list[Path] = []
    budget = summary.get("l1a_budget_khz")
    if summary.get("seeds"):
        paths.append(plots.plot_seed_rates(out / "seed_rates.png", summary["seeds"], budget_khz=budget,
                                           total_khz=summary.get("total_rate_khz")))
    if stream.file.metadata.num_rows == 0:
        return paths
    n_coll = int(summary.get("colliding_bunches", 1))
    seeds = [s for s in _menu_seeds(summary) if s.column is not None and s.column in stream.names]
    prescaled = [k for k in stream.names if k.endswith("__prescaled")]
    stages = list(summary.get("stages") or {})
    timing = "seq_done_fs" in stream.names and bool(stages)
    has_label = "label" in stream.names

    # pass 1: score counts per label, per-orbit weights, latency ranges
    scores = {s.column: {None: _Counts(), 0: _Counts(), 1: _Counts()} for s in seeds}
    fifo_w, bx_w = _Counts(), _Counts()
    lo_hi: dict[str, list[float]] = {}
    need = ["orbit", "bx", "bad_input", "label", "lost", "accepted", *scores, *prescaled]
    if timing:
        need += ["seq_done_fs", "seq_start_fs", "seq_fifo", "seq_latency_fs"]
    for b in stream.batches(need):
        n = len(b["orbit"])
        valid = b["bad_input"] == 0 if "bad_input" in b else np.ones(n, dtype=bool)
        for col, by_label in scores.items():
            v = b[col][valid]
            if v.ndim != 1:
                continue
            by_label[None].add(v)
            if has_label:
                lab = b["label"][valid]
                by_label[0].add(v[lab == 0])
                by_label[1].add(v[lab == 1])
        if timing:
            if b["seq_done_fs"].shape[1] != len(stages):
                msg = f"decisions.parquet has timing for {b['seq_done_fs'].shape[1]} stages, summary.json names {stages}"
                raise InputFileError(msg)
            fifo = b["seq_fifo"]
            fifo_w.add(b["orbit"].astype(np.int64), np.where(fifo >= 0, fifo, 0).sum(axis=1))
            for name, v in _residences(b, stages).items():
                if v.size:
                    r = lo_hi.setdefault(name, [np.inf, -np.inf])
                    r[0], r[1] = min(r[0], float(v.min())), max(r[1], float(v.max()))
        if prescaled and "accepted" in b:
            request, vetoed, lost = _requests(b, prescaled, valid)
            bx_w.add(b["orbit"].astype(np.int64), vetoed.astype(np.int64) * 2 + lost)

    for seed in seeds:
        by_label = scores[seed.column]
        if by_label[None].values.size == 0:
            continue
        allc = by_label[None]
        curve = rate_curve_from_counts(allc.values, allc.counts, n_colliding=n_coll)  # zero-bias denominator
        if target_rate_khz is not None:
            wp = working_point(curve, target_rate_khz)
            marks = [(target_rate_khz, wp.threshold, wp.rate_khz)]
        else:  # no target: the menu's threshold and the rate it achieves
            i = min(int(np.searchsorted(curve.thresholds, seed.threshold)), curve.thresholds.size - 1)
            marks = [(None, seed.threshold, float(curve.rate_khz[i]))]
        paths.append(plots.plot_rate_vs_threshold(
            out / f"rate_vs_threshold_{seed.name}.png", curve.thresholds, curve.rate_khz, curve.rate_err_khz,
            title=f"{seed.name}: {seed.column}", unit="raw integer", targets=marks, budget_khz=budget,
        ))
        lo, hi = float(allc.values[0]), float(allc.values[-1]) + 1
        bkg, sig = (by_label[0], by_label[1]) if has_label else (allc, None)
        paths.append(plots.plot_score_hists(
            out / f"scores_{seed.name}.png", _score_hist(bkg, lo, hi, "raw integer"), int(bkg.counts.sum()),
            _score_hist(sig, lo, hi, "raw integer") if sig is not None and sig.counts.sum() else None,
            int(sig.counts.sum()) if sig is not None else 0,
            title=f"{seed.name}: {seed.column}", thresholds=[m[1] for m in marks],
        ))

    # pass 2: latency histograms and the rows of the chosen orbits
    fifo_orbit, bx_orbit = fifo_w.argmax(), bx_w.argmax()
    lat_hists = _latency_hists(lo_hi, summary, stages) if timing else {}
    rows: dict[str, list[dict[str, np.ndarray]]] = {"fifo": [], "bx": []}
    if timing or bx_orbit is not None:
        for b in stream.batches(need):
            valid = b["bad_input"] == 0 if "bad_input" in b else np.ones(len(b["orbit"]), dtype=bool)
            if timing:
                for name, v in _residences(b, stages).items():
                    lat_hists[name].fill(v)
                sel = b["orbit"] == fifo_orbit
                if sel.any():
                    rows["fifo"].append({"bx": b["bx"][sel], "fifo": b["seq_fifo"][sel]})
            if bx_orbit is not None:
                sel = b["orbit"] == bx_orbit
                if sel.any():
                    request, vetoed, lost = _requests(b, prescaled, valid)
                    rows["bx"].append({"bx": b["bx"][sel], "request": request[sel], "accepted": b["accepted"][sel].astype(bool),
                                       "vetoed": vetoed[sel], "lost": (lost | ~valid)[sel]})
    if timing:
        chain = lat_hists.pop("chain")
        paths.append(plots.plot_latency(out / "latency.png", lat_hists, chain,
                                        budget_ns=summary.get("latency_budget_ns"), stats=_latency_stats(summary)))
        f = _cat(rows["fifo"])
        if f:
            paths.append(plots.plot_fifo_orbit(
                out / "fifo_orbit.png", f["bx"], {n: f["fifo"][:, j] for j, n in enumerate(stages)},
                {n: int(summary["stages"][n].get("fifo_depth", -1)) for n in stages
                 if "fifo_depth" in summary["stages"][n]}, orbit=fifo_orbit,
            ))
    r = _cat(rows["bx"])
    if r:
        paths.append(plots.plot_bx_pattern(
            out / "bx_pattern.png", r["bx"],
            {"L1A requested": r["request"], "accepted": r["accepted"], "vetoed (trigger rules)": r["vetoed"],
             "lost (FIFO / budget / bad input)": r["lost"]},
            orbit=bx_orbit,
        ))
    return paths


def _cat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]} if parts else {}


def _requests(b: dict[str, np.ndarray], prescaled: list[str], valid: np.ndarray):
    n = len(b["orbit"])
    lost = b["lost"].astype(bool) if "lost" in b else np.zeros(n, dtype=bool)
    request = np.column_stack([b[s] for s in prescaled]).any(axis=1) & ~lost & valid
    vetoed = request & ~b["accepted"].astype(bool)
    return request, vetoed, lost


def _residences(b: dict[str, np.ndarray], stages: list[str]) -> dict[str, np.ndarray]:
    """Per-stage residence (arrival to hand-over) and chain latency of one batch, in ns."""
    done, start = b["seq_done_fs"], b["seq_start_fs"]
    t0 = (b["orbit"].astype(np.int64) * 3564 + b["bx"].astype(np.int64)) * BX_PERIOD_FS
    arrival = np.column_stack([t0, done[:, :-1]])
    out = {n: (done[start[:, j] >= 0, j] - arrival[start[:, j] >= 0, j]) / FS_PER_NS for j, n in enumerate(stages)}
    lat = b["seq_latency_fs"]
    out["chain"] = lat[lat >= 0] / FS_PER_NS
    return out


def _latency_hists(lo_hi: dict[str, list[float]], summary: dict[str, Any], stages: list[str]) -> dict[str, Any]:
    import hist

    budget = summary.get("latency_budget_ns") or 0.0
    out = {}
    for name in [*stages, "chain"]:
        lo, hi = lo_hi.get(name, [0.0, 1.0])
        if name == "chain":
            hi = max(hi, budget)
        top = hi + max(1.0, 0.02 * (hi - lo))
        out[name] = hist.Hist.new.Reg(80, lo, top, label="ns", overflow=True, underflow=True).Int64()
    return out


def _latency_stats(summary: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """(p50, max) in ns per stage residence and for the chain, as the summary measured them (exact)."""
    out = {n: ((st.get("residence_ns") or {}).get("p50"), (st.get("residence_ns") or {}).get("max"))
           for n, st in (summary.get("stages") or {}).items()}
    lat = summary.get("latency_ns") or {}
    out["chain"] = (lat.get("p50"), lat.get("max"))
    return out
