"""Rate calibration: the threshold that gives a target rate, working points, efficiency, ROC.

Pure functions of plain arrays (per-event integer scores, truth labels), so they
are testable without the pipeline; :mod:`triggeremu.cli.calibrate` runs the
pipeline to get the scores. Exact on integer scores: the candidate thresholds are
the distinct scores (plus one above the largest, where the rate is zero), an event
passes when ``score >= threshold`` (the decision rule of column seeds in
:mod:`triggeremu.decisions`), and each candidate's pass count comes from one sort.

Rate (CMS L1MenuTools, as :func:`triggeremu.rates.rate_khz`): R = N_pass / N_events
x n_colliding x f_rev, f_rev = 11245.613 Hz, error sqrt(N_pass) x the same scale.
The working point for a target is the threshold whose rate is closest to it; on a
tie, the higher threshold (the lower rate). With signal: efficiency = the fraction of
signal events passing (binomial error), and the ROC curve (FPR = background pass
fraction, TPR = signal pass fraction); the AD literature quotes TPR at FPR = 1e-5
(Govorkova et al. 2022), which needs at least 1e5 background events to resolve.

:func:`seed_scores` turns a menu seed into per-event scores: the stage column of
a column seed, or, for a classic object seed, the largest hardware pT among the
objects inside the seed's eta range (the HT sum for an HT seed), so that
``score >= hw threshold`` is exactly the seed's decision.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from streams import hwunits
from streams.clock import F_REV_HZ
from triggeremu.errors import ConfigError

__all__ = [
    "RateCurve",
    "WorkingPoint",
    "Roc",
    "rate_curve",
    "rate_curve_from_counts",
    "working_point",
    "working_points",
    "roc_curve",
    "tpr_at_fpr",
    "seed_scores",
    "SeedScores",
    "AD_FPR",
]

AD_FPR = 1e-5  # FPR at which the AD literature quotes the TPR


def _as_scores(x: Any, what: str) -> np.ndarray:
    a = np.asarray(x)
    if a.ndim != 1:
        msg = f"{what} must be one score per event (1-D), got shape {a.shape}"
        raise ConfigError(msg)
    if a.size == 0:
        msg = f"{what} is empty: there are no events to calibrate on"
        raise ConfigError(msg)
    if np.issubdtype(a.dtype, np.floating) and not np.isfinite(a).all():
        msg = f"{what} holds {int((~np.isfinite(a)).sum())} NaN/inf value(s); drop those events first"
        raise ConfigError(msg)
    if not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating) or a.dtype == bool):
        msg = f"{what} must be numbers, got dtype {a.dtype}"
        raise ConfigError(msg)
    return a.astype(np.int64) if a.dtype == bool else a


def _above(sorted_scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """How many scores are >= each threshold (sorted_scores ascending)."""
    return sorted_scores.size - np.searchsorted(sorted_scores, thresholds, side="left")


def _candidates(*sorted_arrays: np.ndarray) -> np.ndarray:
    u = np.unique(np.concatenate(sorted_arrays))
    top = u[-1] + 1 if np.issubdtype(u.dtype, np.integer) else np.nextafter(u[-1], np.inf)
    return np.append(u, top)


@dataclass(frozen=True)
class RateCurve:
    """Rate at every candidate threshold (ascending thresholds, descending rates)."""

    thresholds: np.ndarray
    n_pass: np.ndarray
    n_events: int
    n_colliding: int

    @property
    def scale_khz(self) -> float:
        """kHz per passing event: n_colliding x f_rev / N_events / 1000."""
        return float(F_REV_HZ) * self.n_colliding / self.n_events / 1e3

    @property
    def rate_khz(self) -> np.ndarray:
        return self.n_pass * self.scale_khz

    @property
    def rate_err_khz(self) -> np.ndarray:
        return np.sqrt(self.n_pass) * self.scale_khz


def rate_curve(scores: Any, *, n_colliding: int, n_events: int | None = None) -> RateCurve:
    """Rate for every distinct threshold of ``scores`` (pass: score >= threshold).

    ``n_events`` is the zero-bias denominator (default: ``len(scores)``).
    """
    s = np.sort(_as_scores(scores, "scores"))
    n = s.size if n_events is None else int(n_events)
    if n < s.size:
        msg = f"n_events ({n}) is smaller than the number of scores ({s.size})"
        raise ConfigError(msg)
    if n_colliding < 1:
        msg = f"n_colliding must be >= 1 bunch, got {n_colliding}"
        raise ConfigError(msg)
    thr = _candidates(s)
    return RateCurve(thresholds=thr, n_pass=_above(s, thr).astype(np.int64), n_events=n, n_colliding=n_colliding)


def rate_curve_from_counts(values: Any, counts: Any, *, n_colliding: int, n_events: int | None = None) -> RateCurve:
    """:func:`rate_curve` of a sample given as distinct ``values`` (ascending) and how often each occurs:
    the same curve, from a histogram a long run can accumulate in bounded memory."""
    v = _as_scores(values, "values")
    c = np.asarray(counts, dtype=np.int64)
    if c.shape != v.shape or (c < 0).any() or (v.size > 1 and not (np.diff(v) > 0).all()):
        msg = "values must be distinct and ascending, with one non-negative count each"
        raise ConfigError(msg)
    total = int(c.sum())
    n = total if n_events is None else int(n_events)
    if n < total or n_colliding < 1:
        msg = f"n_events ({n}) must be >= the counted events ({total}) and n_colliding >= 1"
        raise ConfigError(msg)
    thr = _candidates(v)
    n_pass = np.append(np.cumsum(c[::-1])[::-1], 0).astype(np.int64)  # >= each value, and 0 above the top
    return RateCurve(thresholds=thr, n_pass=n_pass, n_events=n, n_colliding=n_colliding)


@dataclass(frozen=True)
class WorkingPoint:
    target_khz: float
    threshold: int | float
    n_pass: int
    rate_khz: float
    rate_err_khz: float
    efficiency: float | None = None
    efficiency_err: float | None = None
    threshold_physical: float | None = None  # e.g. GeV for object seeds

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["threshold"] = d["threshold"].item() if hasattr(d["threshold"], "item") else d["threshold"]
        return d


def working_point(curve: RateCurve, target_khz: float) -> WorkingPoint:
    """The threshold whose rate is closest to ``target_khz`` (tie: the higher threshold)."""
    if not math.isfinite(target_khz) or target_khz < 0:
        msg = f"target rate must be a finite number of kHz >= 0, got {target_khz!r}"
        raise ConfigError(msg)
    diff = np.abs(curve.rate_khz - target_khz)
    i = diff.size - 1 - int(np.argmin(diff[::-1]))  # last minimum: highest threshold
    return WorkingPoint(
        target_khz=float(target_khz),
        threshold=curve.thresholds[i].item(),
        n_pass=int(curve.n_pass[i]),
        rate_khz=float(curve.rate_khz[i]),
        rate_err_khz=float(curve.rate_err_khz[i]),
    )


def _efficiency(signal_sorted: np.ndarray, threshold: float) -> tuple[float, float]:
    n = signal_sorted.size
    k = int(_above(signal_sorted, np.array([threshold]))[0])
    eff = k / n
    return eff, math.sqrt(eff * (1.0 - eff) / n)


def working_points(
    scores: Any,
    targets_khz: Sequence[float],
    *,
    n_colliding: int,
    n_events: int | None = None,
    signal_scores: Any | None = None,
) -> list[WorkingPoint]:
    """A working point per target rate, with the signal efficiency when signal is given."""
    curve = rate_curve(scores, n_colliding=n_colliding, n_events=n_events)
    sig = None if signal_scores is None else np.sort(_as_scores(signal_scores, "signal scores"))
    crossing_khz = float(F_REV_HZ) * n_colliding / 1e3  # every colliding crossing fires
    out = []
    for t in targets_khz:
        if float(t) < curve.scale_khz:
            need = math.ceil(crossing_khz / float(t)) if float(t) > 0 else None
            warnings.warn(
                f"target {float(t):g} kHz is below the rate of one event of this sample ({curve.scale_khz:.3g} kHz "
                f"with {curve.n_events} events): the threshold is not resolved; use at least {need} events",
                RuntimeWarning, stacklevel=2)
        elif float(t) > crossing_khz:
            warnings.warn(
                f"target {float(t):g} kHz is above the colliding-crossing rate ({crossing_khz:.6g} kHz for "
                f"{n_colliding} bunches): no threshold reaches it; the lowest threshold is given", RuntimeWarning,
                stacklevel=2)
        wp = working_point(curve, float(t))
        if sig is not None:
            eff, err = _efficiency(sig, wp.threshold)
            wp = WorkingPoint(**{**asdict(wp), "efficiency": eff, "efficiency_err": err})
        out.append(wp)
    return out


@dataclass(frozen=True)
class Roc:
    thresholds: np.ndarray  # ascending
    fpr: np.ndarray  # descending
    tpr: np.ndarray
    n_background: int
    n_signal: int

    @property
    def auc(self) -> float:
        """Area under the curve (trapezoids over the exact points, FPR from 0 to 1)."""
        x = np.concatenate([[1.0], self.fpr, [0.0]])[::-1]
        y = np.concatenate([[1.0], self.tpr, [0.0]])[::-1]
        return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))


def roc_curve(background_scores: Any, signal_scores: Any) -> Roc:
    """Exact ROC: FPR and TPR at every distinct threshold of either sample."""
    b = np.sort(_as_scores(background_scores, "background scores"))
    s = np.sort(_as_scores(signal_scores, "signal scores"))
    thr = _candidates(b, s)
    return Roc(thresholds=thr, fpr=_above(b, thr) / b.size, tpr=_above(s, thr) / s.size,
               n_background=b.size, n_signal=s.size)


def tpr_at_fpr(roc: Roc, fpr: float = AD_FPR) -> dict[str, float]:
    """Largest TPR among thresholds with FPR <= ``fpr`` (and that threshold, its FPR).

    Warns when the background sample is too small to resolve ``fpr`` (fewer than
    1 / fpr events): the value is then the TPR with no background passing at all.
    """
    if roc.n_background * fpr < 1:
        warnings.warn(
            f"FPR {fpr:g} needs at least {math.ceil(1 / fpr)} background events to resolve, got "
            f"{roc.n_background}; the TPR given is at FPR = 0 (no background event passes)",
            RuntimeWarning,
            stacklevel=2,
        )
    ok = np.flatnonzero(roc.fpr <= fpr)  # thresholds ascending, so FPR descending: the first is best
    i = int(ok[0])
    return {"fpr_target": fpr, "tpr": float(roc.tpr[i]), "fpr": float(roc.fpr[i]),
            "threshold": roc.thresholds[i].item()}


# -- scores of menu seeds ---------------------------------------------------------
@dataclass(frozen=True)
class SeedScores:
    scores: np.ndarray  # int64 per event
    unit: str  # "raw" (column seeds) or the hardware pT field ("muon_pt", "jet_pt", ...)

    def physical(self, threshold: int) -> float | None:
        """The threshold in GeV for object seeds (lower edge of the code's bin)."""
        if self.unit == "raw":
            return None
        field = hwunits.FIELDS[self.unit]
        return float((threshold - field.offset) * field.lsb)


_OBJ = {"muon": ("mu", "muon_pt", "muon_eta"), "egamma": ("eg", "egamma_pt", "calo_eta"),
        "jet": ("jet", "jet_pt", "calo_eta"), "ht": ("jet", "jet_pt", "calo_eta"), "met": ("met", "met_pt", None)}


def seed_scores(cols: Mapping[str, np.ndarray], seed: Any) -> SeedScores:
    """Per-event scores of a menu seed such that ``score >= threshold`` is its decision."""
    if seed.object is None:
        if seed.column not in cols:
            msg = (f"seed {seed.name!r} reads column {seed.column!r}, which the run did not produce; "
                   f"columns: {sorted(k for k in cols if k not in ('l1_inputs', 'calo_cells'))}")
            raise ConfigError(msg)
        v = np.asarray(cols[seed.column])
        if v.ndim != 1:
            msg = f"seed {seed.name!r}: column {seed.column!r} holds a vector per event; a seed needs one number"
            raise ConfigError(msg)
        return SeedScores(scores=v.astype(np.int64) if np.issubdtype(v.dtype, np.integer) else v, unit="raw")
    if seed.object not in _OBJ:
        msg = f"seed {seed.name!r}: object {seed.object!r} unknown; known: {sorted(_OBJ)}"
        raise ConfigError(msg)
    key, pt_field, eta_field = _OBJ[seed.object]
    block = np.asarray(cols["l1_inputs"])[:, hwunits.SLICES[key]]
    pt = block[:, 0::3].astype(np.int64)
    eta = block[:, 1::3]
    ok = np.ones(pt.shape, dtype=bool)
    if seed.max_abs_eta is not None and eta_field is not None:
        ok = np.abs(eta).astype(np.float64) * hwunits.FIELDS[eta_field].lsb <= seed.max_abs_eta
    if seed.object == "ht":
        jet_min = hwunits.gev_to_hw_threshold("jet_pt", seed.ht_jet_min_gev)
        return SeedScores(scores=np.where(ok & (pt >= jet_min), pt, 0).sum(axis=1), unit=pt_field)
    return SeedScores(scores=np.where(ok, pt, 0).max(axis=1), unit=pt_field)
