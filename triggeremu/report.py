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
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from streams.clock import BX_PERIOD_FS, FS_PER_NS
from triggeremu.errors import InputFileError

__all__ = ["write_report", "load_run", "RUN_FILES"]

RUN_FILES = ("summary.json", "decisions.parquet")


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

    src = summary.get("menu")
    try:
        menu = load_menu(src if src and Path(src).is_file() else None)
    except ConfigError:
        return []
    return list(menu.seeds)


def _pick_orbit(orbit: np.ndarray, weight: np.ndarray) -> int:
    """The orbit with the largest total weight (the first orbit when all weights are 0)."""
    uo, inv = np.unique(orbit, return_inverse=True)
    w = np.bincount(inv, weights=weight.astype(np.float64), minlength=uo.size)
    return int(uo[int(np.argmax(w))]) if w.max() > 0 else int(uo[0])


def _timing_plots(out: Path, summary: dict[str, Any], cols: dict[str, np.ndarray]) -> list[Path]:
    from triggeremu import plots

    stages = summary.get("stages") or {}
    if "seq_done_fs" not in cols or not stages:
        return []
    names = list(stages)
    done, start, fifo = cols["seq_done_fs"], cols["seq_start_fs"], cols["seq_fifo"]
    if done.shape[1] != len(names):
        msg = f"decisions.parquet has timing for {done.shape[1]} stages, summary.json names {names}"
        raise InputFileError(msg)
    t0 = (cols["orbit"].astype(np.int64) * 3564 + cols["bx"].astype(np.int64)) * BX_PERIOD_FS
    arrival = np.column_stack([t0, done[:, :-1]])
    residence = {n: (done[start[:, j] >= 0, j] - arrival[start[:, j] >= 0, j]) / FS_PER_NS
                 for j, n in enumerate(names)}
    lat = cols["seq_latency_fs"]
    chain = lat[lat >= 0] / FS_PER_NS
    budget = summary.get("latency_budget_ns")
    paths = [plots.plot_latency(out / "latency.png", residence, chain, budget_ns=budget)]
    occ = np.where(fifo >= 0, fifo, 0).sum(axis=1)
    orb = _pick_orbit(cols["orbit"], occ)
    sel = cols["orbit"] == orb
    paths.append(plots.plot_fifo_orbit(
        out / "fifo_orbit.png", cols["bx"][sel], {n: fifo[sel, j] for j, n in enumerate(names)},
        {n: int(stages[n].get("fifo_depth", -1)) for n in names if "fifo_depth" in stages[n]}, orbit=orb,
    ))
    return paths


def write_report(run_dir: str | Path, *, out_dir: str | Path | None = None,
                 target_rate_khz: float | None = None) -> list[Path]:
    """Write the report PNGs of a run directory; returns their paths."""
    from triggeremu import plots
    from triggeremu.calibrate import rate_curve, working_point

    summary, cols = load_run(run_dir)
    out = Path(out_dir) if out_dir is not None else Path(run_dir)
    paths: list[Path] = []
    budget = summary.get("l1a_budget_khz")
    if summary.get("seeds"):
        paths.append(plots.plot_seed_rates(out / "seed_rates.png", summary["seeds"], budget_khz=budget,
                                           total_khz=summary.get("total_rate_khz")))
    n = len(cols.get("event", []))
    if n == 0:
        return paths
    valid = cols["bad_input"] == 0 if "bad_input" in cols else np.ones(n, dtype=bool)
    label = cols.get("label")
    n_coll = int(summary.get("colliding_bunches", 1))
    for seed in _menu_seeds(summary):
        if seed.column is None or seed.column not in cols or cols[seed.column].ndim != 1:
            continue
        s = cols[seed.column][valid]
        bkg, sig = s, None
        if label is not None:
            lab = label[valid]
            bkg, sig = s[lab == 0], s[lab == 1]
        curve = rate_curve(s, n_colliding=n_coll)  # zero-bias denominator: every valid event
        target = target_rate_khz if target_rate_khz is not None else None
        marks = []
        if target is not None:
            wp = working_point(curve, target)
            marks.append((target, wp.threshold, wp.rate_khz))
        else:  # no target: the menu's threshold and the rate it achieves
            i = int(np.searchsorted(curve.thresholds, seed.threshold))
            marks.append((None, seed.threshold, float(curve.rate_khz[min(i, curve.thresholds.size - 1)])))
        paths.append(plots.plot_rate_vs_threshold(
            out / f"rate_vs_threshold_{seed.name}.png", curve.thresholds, curve.rate_khz, curve.rate_err_khz,
            title=f"{seed.name}: {seed.column}", unit="raw integer", targets=marks, budget_khz=budget,
        ))
        paths.append(plots.plot_score_distributions(
            out / f"scores_{seed.name}.png", bkg, sig if sig is not None and sig.size else None,
            title=f"{seed.name}: {seed.column}", unit="raw integer", thresholds=[m[1] for m in marks],
        ))
    paths += _timing_plots(out, summary, cols)
    seeds = [k[: -len("__prescaled")] for k in cols if k.endswith("__prescaled")]
    if seeds and "accepted" in cols:
        lost = cols["lost"].astype(bool) if "lost" in cols else np.zeros(n, dtype=bool)
        request = np.column_stack([cols[f"{s}__prescaled"] for s in seeds]).any(axis=1) & ~lost & valid
        accepted = cols["accepted"].astype(bool)
        vetoed = request & ~accepted
        orb = _pick_orbit(cols["orbit"], vetoed.astype(np.int64) * 2 + lost)
        sel = cols["orbit"] == orb
        paths.append(plots.plot_bx_pattern(
            out / "bx_pattern.png", cols["bx"][sel],
            {"L1A requested": request[sel], "accepted": accepted[sel], "vetoed (trigger rules)": vetoed[sel],
             "lost (FIFO / budget / bad input)": (lost | ~valid)[sel]},
            orbit=orb,
        ))
    return paths
