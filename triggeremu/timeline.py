"""The sink's view of time: the stage timing scan and the trigger rules, together.

:class:`Timeline` owns one :class:`~triggeremu.sequencer.Sequencer` (FIFOs, II,
latency budget over the menu's stages) and one
:class:`~triggeremu.trigger_rules.TriggerRules`, both fed in BX order, and turns
their results into what the sink needs: which events were lost and why, which
L1A requests were vetoed, and the summary keys (``deadtime_fraction``,
``events_over_budget``, ``stages``, ``latency_ns``). A menu with no firmware
stages has no timing scan: nothing is lost to FIFOs and the chain latency is
not reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from triggeremu.menu import Menu
from triggeremu.sequencer import Sequencer, TimingResult, timing_summary
from triggeremu.stages.base import Stage
from triggeremu.trigger_rules import TriggerRules

__all__ = ["Timeline"]


class Timeline:
    def __init__(self, menu: Menu, stages: Sequence[Stage]) -> None:
        self.sequencer = Sequencer.from_stages(stages, latency_budget_ns=menu.latency_budget_ns) if stages else None
        self.rules = TriggerRules(menu.trigger_rules)
        self.latency_budget_ns = menu.latency_budget_ns

    def feed(self, cols: dict[str, np.ndarray], valid: np.ndarray) -> TimingResult:
        """Time the valid events of one batch; invalid ones are not timed."""
        if self.sequencer is None:
            n = len(valid)
            return TimingResult(columns={}, lost=np.zeros(n, dtype=bool), loss_counts={})
        return self.sequencer.feed(cols, valid)

    def apply_trigger_rules(self, cols: dict[str, np.ndarray], request: np.ndarray) -> np.ndarray:
        return self.rules.apply(cols["orbit"], cols["bx"], request).vetoed

    def summary(self) -> dict[str, Any]:
        if self.sequencer is None:
            rs = self.rules.summary()
            return {"deadtime_fraction": rs["deadtime_fraction"], "trigger_rules": rs, "events_over_budget": 0,
                    "stages": {}, "latency_ns": {}, "latency_budget_ns": self.latency_budget_ns}
        out = timing_summary(self.sequencer, self.rules)
        out["latency_budget_ns"] = self.latency_budget_ns
        return out
