"""Trigger rules: the L1A spacing limits that protect the front-end buffers, and deadtime.

CMS Run 3 rules: at most 1 L1A in 3 consecutive BX, 2 in 25, 3 in 100, 4 in 240.
An L1A at absolute BX t is allowed iff, for every rule (n, w), the n-th previous
*accepted* L1A is at least w BX back (t - p_n >= w), or fewer than n L1As exist
yet. This is how CMSSW reads them (L1Trigger/PrefireAnalysis/plugins/
TriggerRulePrefireVetoFilter.cc: ``eventHistory[n-1] == w`` is the closest
allowed, ``< w`` "impossible"). Phase-2 rules are not public, so rules are
configurable, including none.

:class:`TriggerRules` applies them in BX order over absolute BX numbers
(``orbit * 3564 + bx``), carrying the L1A history across batches; it returns the
vetoed requests and the BX in deadtime (an L1A there would be vetoed). The scan is
the numba kernel :func:`triggeremu._sequencer_kernels.apply_rules`; its brute-force
twin is :func:`triggeremu.sequencer_reference.brute_force_rules`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from streams.clock import BX_PER_ORBIT
from streams.errors import StreamIntegrityError
from triggeremu import _sequencer_kernels as _k
from triggeremu.errors import ConfigError

__all__ = ["RUN3_RULES", "RULES_SOURCE", "MAX_RULES", "TriggerRules", "RuleResult", "absolute_bx"]

RUN3_RULES: tuple[tuple[int, int], ...] = ((1, 3), (2, 25), (3, 100), (4, 240))
#: most rules a menu may list: ``vetoed_by`` codes 1..MAX_RULES name a rule, 255 is the latency budget
MAX_RULES = 250
RULES_SOURCE = "cmssw L1Trigger/PrefireAnalysis/plugins/TriggerRulePrefireVetoFilter.cc (allowed iff t - p_n >= w)"


def absolute_bx(orbit: np.ndarray, bx: np.ndarray) -> np.ndarray:
    """orbit * 3564 + bx as int64."""
    return orbit.astype(np.int64) * BX_PER_ORBIT + bx.astype(np.int64)


@dataclass
class RuleResult:
    vetoed_by: np.ndarray  # (N,) uint8: 0 = not vetoed, r + 1 = the request was vetoed by rule r (menu order)
    blocked: np.ndarray  # (N,) bool: this BX is in deadtime (an L1A would be vetoed)

    @property
    def vetoed(self) -> np.ndarray:
        """(N,) bool: requested, but vetoed by a rule."""
        return self.vetoed_by != 0


class TriggerRules:
    """Trigger rules applied in BX order, state carried across batches."""

    def __init__(self, rules: Sequence[Sequence[int]] = RUN3_RULES) -> None:
        parsed = []
        for r in rules:
            try:
                n, w = (int(x) for x in r)
            except (TypeError, ValueError):
                msg = f"a trigger rule is a (count, window) pair of integers, got {r!r}"
                raise ConfigError(msg) from None
            if n < 1 or w < 1:
                msg = f"trigger rule ({n}, {w}): count and window must be >= 1 (at most count L1As in window BX)"
                raise ConfigError(msg)
            parsed.append((n, w))
        if len(parsed) > MAX_RULES:
            msg = f"{len(parsed)} trigger rules given; at most {MAX_RULES} (the per-event vetoed_by code is one byte)"
            raise ConfigError(msg)
        self.rules = tuple(parsed)
        self._counts = np.array([n for n, _ in parsed], dtype=np.int64)
        self._windows = np.array([w for _, w in parsed], dtype=np.int64)
        self._history = np.zeros(int(self._counts.max()) if parsed else 0, dtype=np.int64)
        self._hist_state = np.array([-1, 0], dtype=np.int64)
        self._last_bx = -1
        self.n_bx = 0
        self.n_requested = 0
        self.n_vetoed = 0
        self.n_blocked = 0

    def apply(self, orbit: np.ndarray, bx: np.ndarray, request: np.ndarray) -> RuleResult:
        """Apply the rules to one batch of BX in order; ``request`` marks L1A requests."""
        t = absolute_bx(np.asarray(orbit), np.asarray(bx))
        req = np.ascontiguousarray(request, dtype=bool)
        if req.shape != t.shape:
            msg = f"request mask has shape {req.shape}, the batch has {t.shape[0]} events"
            raise ConfigError(msg)
        if t.size:
            if t[0] <= self._last_bx or (np.diff(t) <= 0).any():
                msg = (
                    "trigger rules need BX in increasing order across batches, one event per BX; "
                    "restore the order first (triggeremu.order.restore_order)"
                )
                raise StreamIntegrityError(msg)
            self._last_bx = int(t[-1])
        vetoed_by = np.empty(t.size, dtype=np.uint8)
        blocked = np.empty(t.size, dtype=bool)
        _k.apply_rules(t, req, self._counts, self._windows, self._history, self._hist_state, vetoed_by, blocked)
        self.n_bx += int(t.size)
        self.n_requested += int(req.sum())
        self.n_vetoed += int(np.count_nonzero(vetoed_by))
        self.n_blocked += int(blocked.sum())
        return RuleResult(vetoed_by=vetoed_by, blocked=blocked)

    def summary(self) -> dict[str, Any]:
        """Counts and the deadtime fraction (BX in deadtime over BX seen)."""
        return {
            "rules": [list(r) for r in self.rules],
            "rules_source": RULES_SOURCE,
            "bx_seen": self.n_bx,
            "bx_in_deadtime": self.n_blocked,
            "deadtime_fraction": self.n_blocked / self.n_bx if self.n_bx else 0.0,
            "l1a_requested": self.n_requested,
            "l1a_vetoed": self.n_vetoed,
            "vetoed_fraction_of_requests": self.n_vetoed / self.n_requested if self.n_requested else 0.0,
        }
