"""PNG plots of rates, scores, latency, FIFOs and the accepted-BX pattern.

Plain functions of arrays that each write one PNG (matplotlib, Agg backend, the
mplhep CMS style, histograms filled with ``hist``). :mod:`triggeremu.report`
reads a run directory and calls them; :mod:`triggeremu.cli.calibrate` calls
:func:`plot_calibration`. matplotlib, mplhep and hist are the ``plots`` extra;
:func:`_mpl` says how to install them when they are missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from streams.clock import BX_PER_ORBIT

__all__ = [
    "require_plots",
    "plot_rate_vs_threshold",
    "plot_score_distributions",
    "plot_score_hists",
    "plot_roc",
    "plot_latency",
    "plot_fifo_orbit",
    "plot_bx_pattern",
    "plot_seed_rates",
    "plot_calibration",
]

_LABEL = "triggeremu emulation"


def require_plots() -> None:
    """Check, before a run, that the ``plots`` extra is installed; a UserError saying how otherwise."""
    try:
        import hist  # noqa: F401
        import matplotlib  # noqa: F401
        import mplhep  # noqa: F401
    except ImportError as err:
        from triggeremu.errors import UserError

        msg = f"plots need matplotlib, mplhep and hist ({err.name} is missing): pip install 'triggeremu[plots]'"
        raise UserError(msg) from None


def _mpl():
    """matplotlib.pyplot with the Agg backend and the mplhep style; a clear error if absent."""
    require_plots()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import mplhep

    plt.style.use(mplhep.style.CMS)
    return plt


def _finish(fig, ax, path: Path) -> Path:
    ax.text(0.0, 1.01, _LABEL, transform=ax.transAxes, fontsize=14, style="italic", va="bottom")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


def _hist1d(values: np.ndarray, bins: int, lo: float, hi: float, label: str):
    import hist

    h = hist.Hist.new.Reg(bins, lo, hi, label=label, overflow=True, underflow=True).Int64()
    h.fill(values)
    return h


def plot_rate_vs_threshold(path: Path, thresholds: np.ndarray, rate_khz: np.ndarray, rate_err_khz: np.ndarray, *,
                           title: str, unit: str, targets: Sequence[tuple[float, Any, float]] = (),
                           budget_khz: float | None = None) -> Path:
    """Rate (log) vs threshold with its error band; ``targets`` as (target rate or None, threshold, achieved
    rate): a dashed line at the target, a point at the achieved rate."""
    plt = _mpl()
    fig, ax = plt.subplots(figsize=(10, 7))
    ok = rate_khz > 0
    floor = float(rate_khz[ok].min()) / 3 if ok.any() else 1e-3
    ax.step(thresholds[ok], rate_khz[ok], where="post", color="C0", label="rate")
    ax.fill_between(thresholds[ok], np.maximum(rate_khz[ok] - rate_err_khz[ok], floor),
                    rate_khz[ok] + rate_err_khz[ok], step="post", alpha=0.3, color="C0", label="stat. error")
    for i, (target, thr, achieved) in enumerate(targets):
        if target is not None:
            ax.axhline(target, color=f"C{1 + i}", ls="--", label=f"target {target:g} kHz")
        ax.plot([thr], [achieved], "o", color=f"C{1 + i}", label=f"achieved {achieved:.3g} kHz at threshold {thr}")
    if budget_khz:
        ax.axhline(budget_khz, color="k", ls=":", label=f"L1A budget {budget_khz:g} kHz")
    ax.set_yscale("log")
    ax.set_ylim(bottom=floor)
    ax.set_xlabel(f"threshold ({unit})")
    ax.set_ylabel("rate [kHz]")
    ax.set_title(title, fontsize=16, loc="right")
    ax.legend(fontsize=13)
    return _finish(fig, ax, path)


def plot_score_distributions(path: Path, background: np.ndarray, signal: np.ndarray | None, *, title: str,
                             unit: str, thresholds: Sequence[Any] = ()) -> Path:
    """Normalized score histograms, background vs signal, with threshold lines (from per-event arrays)."""
    allv = background if signal is None else np.concatenate([background, signal])
    lo, hi = float(allv.min()), float(allv.max()) + 1
    # integer scores over a small range: one bin per value
    nb = int(hi - lo) if np.issubdtype(allv.dtype, np.integer) and hi - lo <= 200 else 60
    hb = _hist1d(background, nb, lo, hi, f"score ({unit})")
    hs = _hist1d(signal, nb, lo, hi, f"score ({unit})") if signal is not None and signal.size else None
    return plot_score_hists(path, hb, background.size, hs, 0 if signal is None else signal.size, title=title,
                            thresholds=thresholds)


def plot_score_hists(path: Path, background, n_background: int, signal, n_signal: int, *, title: str,
                     thresholds: Sequence[Any] = ()) -> Path:
    """Normalized score histograms (``hist.Hist``), background vs signal, with threshold lines."""
    plt = _mpl()
    fig, ax = plt.subplots(figsize=(10, 7))
    background.plot1d(ax=ax, density=True, label=f"background ({n_background})", histtype="fill", alpha=0.5)
    if signal is not None:
        signal.plot1d(ax=ax, density=True, label=f"signal ({n_signal})", histtype="step", lw=2)
    for thr in thresholds:
        ax.axvline(float(thr), color="k", ls="--", lw=1)
    ax.set_yscale("log")
    ax.set_ylabel("fraction of events / bin width")
    ax.set_title(title, fontsize=16, loc="right")
    ax.legend(fontsize=13)
    return _finish(fig, ax, path)


def plot_roc(path: Path, fpr: np.ndarray, tpr: np.ndarray, *, title: str, fpr_mark: float, tpr_mark: float) -> Path:
    plt = _mpl()
    fig, ax = plt.subplots(figsize=(9, 7))
    ok = fpr > 0
    ax.step(fpr[ok], tpr[ok], where="post", label="ROC")
    ax.axvline(fpr_mark, color="C1", ls="--", label=f"FPR {fpr_mark:g}: TPR {tpr_mark:.3f}")
    ax.set_xscale("log")
    ax.set_xlabel("false positive rate (background)")
    ax.set_ylabel("true positive rate (signal)")
    ax.set_title(title, fontsize=16, loc="right")
    ax.legend(fontsize=13)
    return _finish(fig, ax, path)


def plot_latency(path: Path, residence_ns: dict[str, Any], chain_ns: Any, *, budget_ns: float | None,
                 stats: dict[str, tuple[Any, Any]] | None = None) -> Path:
    """Per-stage residence (arrival to hand-over) and chain latency, with the budget.

    Each entry is an array of ns or a filled ``hist.Hist``; ``stats`` gives (p50, max) per
    name for the legend (computed from the arrays when absent)."""
    plt = _mpl()
    n = len(residence_ns) + 1
    fig, axes = plt.subplots(n, 1, figsize=(10, 3.2 * n), squeeze=False)
    axes = axes[:, 0]
    stats = dict(stats or {})
    for ax, (name, v) in zip(axes, [*residence_ns.items(), ("chain", chain_ns)], strict=True):
        if isinstance(v, np.ndarray):
            if v.size == 0:
                ax.text(0.5, 0.5, f"{name}: no events", transform=ax.transAxes, ha="center")
                continue
            stats.setdefault(name, (float(np.median(v)), float(v.max())))
            hi = max(float(v.max()), budget_ns or 0.0) if name == "chain" else float(v.max())
            lo = float(v.min())
            h = _hist1d(v, 80, lo, hi + max(1.0, 0.02 * (hi - lo)), "ns")
        else:
            h = v
            if h.sum(flow=True) == 0:
                ax.text(0.5, 0.5, f"{name}: no events", transform=ax.transAxes, ha="center")
                continue
        p50, vmax = stats.get(name, (None, None))
        label = name if p50 is None else f"{name}: p50 {p50:.1f} ns, max {vmax:.1f} ns"
        h.plot1d(ax=ax, histtype="fill", alpha=0.6, label=label)
        if name == "chain" and budget_ns:
            over = int(h[complex(0, budget_ns):].sum(flow=True)) if not isinstance(v, np.ndarray) \
                else int((v > budget_ns).sum())
            ax.axvline(budget_ns, color="r", ls="--", label=f"budget {budget_ns:g} ns ({over} over)")
        ax.set_yscale("log")
        ax.set_ylabel("events")
        ax.set_xlabel(f"{'latency' if name == 'chain' else 'residence in ' + name} [ns]", fontsize=16)
        ax.legend(fontsize=12)
    fig.tight_layout()
    return _finish(fig, axes[0], path)


def plot_fifo_orbit(path: Path, bx: np.ndarray, fifo: dict[str, np.ndarray], depth: dict[str, int], *,
                    orbit: int) -> Path:
    """FIFO occupancy at each event's entry, per stage, over one orbit."""
    plt = _mpl()
    fig, ax = plt.subplots(figsize=(14, 6))
    for i, (name, occ) in enumerate(fifo.items()):
        ok = occ >= 0
        ax.step(bx[ok], occ[ok], where="post", color=f"C{i}", label=f"{name} (depth {depth.get(name, '?')})")
        if name in depth:
            ax.axhline(depth[name], color=f"C{i}", ls=":", lw=1)
    ax.set_xlim(0, BX_PER_ORBIT)
    ax.set_xlabel(f"BX in orbit {orbit}")
    ax.set_ylabel("FIFO occupancy at entry")
    ax.legend(fontsize=12, ncols=2)
    return _finish(fig, ax, path)


def plot_bx_pattern(path: Path, bx: np.ndarray, rows: dict[str, np.ndarray], *, orbit: int) -> Path:
    """A raster over one orbit: which BX collide, request an L1A, are accepted, vetoed, lost."""
    plt = _mpl()
    fig, ax = plt.subplots(figsize=(14, 1.0 + 0.7 * (len(rows) + 1)))
    names = ["colliding", *rows]
    colors = ["0.6", "C0", "C2", "C3", "C1", "C4"]
    ax.vlines(bx, -0.35, 0.35, color=colors[0], lw=0.4)
    for i, (name, mask) in enumerate(rows.items(), start=1):
        ax.vlines(bx[mask], i - 0.35, i + 0.35, color=colors[i % len(colors)], lw=1.0)
        names[i] = f"{name} ({int(mask.sum())})"
    ax.set_yticks(range(len(names)), names, fontsize=13)
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.set_xlim(0, BX_PER_ORBIT)
    ax.set_xlabel(f"BX in orbit {orbit}")
    ax.invert_yaxis()
    return _finish(fig, ax, path)


def plot_seed_rates(path: Path, seeds: dict[str, dict[str, float]], *, budget_khz: float | None,
                    total_khz: float | None) -> Path:
    """Rate, pure rate and rate after deadtime per seed (bars, log), with the L1A budget."""
    plt = _mpl()
    names = list(seeds)
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(max(8, 1.4 * len(names) + 3), 7))
    for j, (key, label) in enumerate([("rate_khz", "rate"), ("pure_rate_khz", "pure"),
                                      ("rate_after_deadtime_khz", "after deadtime")]):
        vals = np.array([seeds[n].get(key) or 0.0 for n in names], dtype=float)
        errs = np.array([seeds[n].get("rate_err_khz", 0.0) if key == "rate_khz" else 0.0 for n in names])
        ax.bar(x + (j - 1) * 0.27, vals, 0.27, yerr=errs, label=label)
    if budget_khz:
        ax.axhline(budget_khz, color="k", ls=":", label=f"L1A budget {budget_khz:g} kHz")
    if total_khz:
        ax.axhline(total_khz, color="C3", ls="--", label=f"total {total_khz:.3g} kHz")
    ax.set_xticks(x, names, rotation=30, ha="right", fontsize=13)
    ax.set_yscale("log")
    ax.set_ylabel("rate [kHz]")
    ax.legend(fontsize=12)
    return _finish(fig, ax, path)


def plot_calibration(out_dir: Path, background: np.ndarray, signal: np.ndarray | None, wps: Sequence[Any], *,
                     n_colliding: int, seed: str, unit: str) -> list[Path]:
    """Rate vs threshold with the working points, score distributions, and the ROC with signal."""
    from triggeremu.calibrate import AD_FPR, rate_curve, roc_curve

    out_dir = Path(out_dir)
    curve = rate_curve(background, n_colliding=n_colliding)
    paths = [plot_rate_vs_threshold(out_dir / f"rate_vs_threshold_{seed}.png", curve.thresholds, curve.rate_khz,
                                    curve.rate_err_khz, title=seed, unit=unit,
                                    targets=[(w.target_khz, w.threshold, w.rate_khz) for w in wps])]
    paths.append(plot_score_distributions(out_dir / f"scores_{seed}.png", background, signal, title=seed, unit=unit,
                                          thresholds=[w.threshold for w in wps]))
    if signal is not None and signal.size:
        roc = roc_curve(background, signal)
        ok = roc.fpr <= AD_FPR
        paths.append(plot_roc(out_dir / f"roc_{seed}.png", roc.fpr, roc.tpr, title=seed, fpr_mark=AD_FPR,
                              tpr_mark=float(roc.tpr[ok][0])))
    return paths
