"""Trigger rates from per-event seed bits.

Rate of a seed (CMS L1MenuTools): R = N_pass / N_events x n_colliding x f_rev,
statistical error sqrt(N_pass) x scale, with f_rev = 11245.613 Hz and the
colliding-bunch count of the filling scheme. Menu reports:

- rate per seed (before prescale, after prescale, after deadtime),
- pure rate: events where only that seed fired (after prescale),
- proportional rate: each event shares 1 between its N fired seeds (after prescale),
- total rate: events where any seed fired (overlaps counted once).

:class:`RateCounter` accumulates counts batch by batch so a run of any length
needs no per-event memory; :func:`rate_khz` is the formula. The sink feeds it
sparsely (:meth:`RateCounter.add_counts` with the map side's raw counts, then
:meth:`RateCounter.add_fired` with only the events where a prescaled seed fired):
events where nothing fired add nothing but their count, and the per-batch sums run
over the fired rows in the same order, so the totals equal :meth:`RateCounter.add`
on every row bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from streams.clock import F_REV_HZ

__all__ = ["rate_khz", "RateCounter"]


def rate_khz(n_pass: float, n_events: int, n_colliding: int) -> tuple[float, float]:
    """(rate, statistical error) in kHz."""
    if n_events <= 0:
        return 0.0, 0.0
    scale = float(F_REV_HZ) * n_colliding / n_events / 1e3
    return n_pass * scale, float(np.sqrt(n_pass)) * scale


@dataclass
class RateCounter:
    names: list[str]
    n_events: int = 0
    raw: np.ndarray = field(init=False)
    prescaled: np.ndarray = field(init=False)
    accepted: np.ndarray = field(init=False)
    pure: np.ndarray = field(init=False)
    proportional: np.ndarray = field(init=False)
    n_any_raw: int = 0
    n_any: int = 0
    n_any_accepted: int = 0

    def __post_init__(self) -> None:
        k = len(self.names)
        self.raw = np.zeros(k, dtype=np.int64)
        self.prescaled = np.zeros(k, dtype=np.int64)
        self.accepted = np.zeros(k, dtype=np.int64)
        self.pure = np.zeros(k, dtype=np.int64)
        self.proportional = np.zeros(k, dtype=np.float64)

    def add(self, raw: np.ndarray, prescaled: np.ndarray, accepted_mask: np.ndarray) -> None:
        """Count one batch of valid events.

        raw, prescaled: (N, k) bool seed bits before/after prescale;
        accepted_mask: (N,) bool, the L1A after trigger rules and losses.
        """
        self.n_events += raw.shape[0]
        self.raw += raw.sum(axis=0)
        self.prescaled += prescaled.sum(axis=0)
        self.accepted += (prescaled & accepted_mask[:, None]).sum(axis=0)
        n_fired = prescaled.sum(axis=1)
        self.pure += (prescaled & (n_fired == 1)[:, None]).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(n_fired > 0, 1.0 / np.maximum(n_fired, 1), 0.0)
        self.proportional += (prescaled * share[:, None]).sum(axis=0)
        self.n_any_raw += int(raw.any(axis=1).sum())
        self.n_any += int((n_fired > 0).sum())
        self.n_any_accepted += int(accepted_mask.sum())

    def add_counts(self, n_valid: int, raw_counts: np.ndarray, n_any_raw: int) -> None:
        """The before-prescale part of :meth:`add`, from counts made on the map side."""
        self.n_events += int(n_valid)
        self.raw += raw_counts
        self.n_any_raw += int(n_any_raw)

    def add_fired(self, prescaled: np.ndarray, accepted_mask: np.ndarray) -> None:
        """The after-prescale part of :meth:`add`, for the rows of one batch where a
        prescaled seed fired, in BX order (other valid rows contribute zero)."""
        self.prescaled += prescaled.sum(axis=0)
        self.accepted += (prescaled & accepted_mask[:, None]).sum(axis=0)
        n_fired = prescaled.sum(axis=1)
        self.pure += (prescaled & (n_fired == 1)[:, None]).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(n_fired > 0, 1.0 / np.maximum(n_fired, 1), 0.0)
        self.proportional += (prescaled * share[:, None]).sum(axis=0)
        self.n_any += int((n_fired > 0).sum())
        self.n_any_accepted += int(accepted_mask.sum())

    def table(self, n_colliding: int) -> dict:
        """The ``seeds`` and total-rate part of the run summary."""
        seeds = {}
        for j, name in enumerate(self.names):
            r, e = rate_khz(self.raw[j], self.n_events, n_colliding)
            rp, ep = rate_khz(self.prescaled[j], self.n_events, n_colliding)
            ra, _ = rate_khz(self.accepted[j], self.n_events, n_colliding)
            pure, _ = rate_khz(self.pure[j], self.n_events, n_colliding)
            prop, _ = rate_khz(self.proportional[j], self.n_events, n_colliding)
            seeds[name] = {
                "count": int(self.raw[j]),
                "rate_khz": r,
                "rate_err_khz": e,
                "count_prescaled": int(self.prescaled[j]),
                "rate_prescaled_khz": rp,
                "rate_prescaled_err_khz": ep,
                "rate_after_deadtime_khz": ra,
                "pure_rate_khz": pure,
                "proportional_rate_khz": prop,
            }
        total, total_err = rate_khz(self.n_any, self.n_events, n_colliding)
        total_raw, _ = rate_khz(self.n_any_raw, self.n_events, n_colliding)
        acc, acc_err = rate_khz(self.n_any_accepted, self.n_events, n_colliding)
        return {
            "seeds": seeds,
            "total_rate_khz": total,
            "total_rate_err_khz": total_err,
            "total_rate_before_prescale_khz": total_raw,
            "total_rate_after_deadtime_khz": acc,
            "total_rate_after_deadtime_err_khz": acc_err,
        }
