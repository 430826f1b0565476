"""The sink's view of time: the stage timing scan and the trigger rules, together.

:class:`Timeline` owns one :class:`~triggeremu.sequencer.Sequencer` (FIFOs, II,
latency budget over the menu's stages) and one
:class:`~triggeremu.trigger_rules.TriggerRules`, both fed in BX order, and turns
their results into what the sink needs: which events were lost and why, which
L1A requests were vetoed, and the summary keys (``deadtime_fraction``,
``events_over_budget``, ``stages``, ``latency_ns``). A menu with no firmware
stages has no timing scan: nothing is lost to FIFOs and the chain latency is
not reported.

Each stage's entry also says whether the block keeps up with the beam
(:func:`bx_capacity`): ``ii_ns``, ``takes_every_bx`` (II <= the 24.95 ns bunch
spacing), ``bx_per_event`` (the fewest bunch crossings between two events it can
start), ``fifo_deadtime_fraction`` (the timed events its full FIFO dropped) and, for
a block that cannot take every BX, a plain ``warning``; ``timing_warnings`` collects
them and ``fifo_deadtime_fraction`` at the top is the fraction of timed events lost to
any FIFO.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from firmware_models.timing_estimate import check_ii_vs_bx
from streams.clock import BX_PERIOD_FS
from triggeremu.menu import Menu
from triggeremu.sequencer import Sequencer, TimingResult, timing_summary
from triggeremu.stages.base import Stage
from triggeremu.trigger_rules import TriggerRules

__all__ = ["Timeline", "bx_capacity"]


def bx_capacity(stage_timing, timing_row: dict[str, Any], events_timed: int) -> dict[str, Any]:
    """Whether a block (its :class:`~firmware_models.timing.BlockTiming`) can take every BX, and what its
    FIFO lost (from the scan's ``stages`` row of it)."""
    ii_fs = stage_timing.ii_fs
    every = ii_fs <= BX_PERIOD_FS
    dropped = int(timing_row.get("dropped", 0))
    out = {"ii_ns": ii_fs / 1e6, "takes_every_bx": every, "bx_per_event": -(-ii_fs // BX_PERIOD_FS),
           "fifo_deadtime_fraction": dropped / events_timed if events_timed else 0.0}
    if not every:
        out["warning"] = (
            f"II {ii_fs / 1e6:.2f} ns > the {BX_PERIOD_FS / 1e6:.2f} ns bunch spacing: the block cannot take every "
            f"BX (at most one event every {out['bx_per_event']} BX); FIFO high-water "
            f"{timing_row.get('fifo_high_water', 0)}/{stage_timing.fifo_depth}, {dropped:,} events dropped "
            f"({out['fifo_deadtime_fraction']:.2%} of those timed) under overflow = {stage_timing.overflow!r}")
        out["ii_vs_bx"] = check_ii_vs_bx(stage_timing)
    return out


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
        """Per event, the trigger rule that vetoed its L1A request (uint8: 0 = none, r + 1 = rule r)."""
        return self.rules.apply(cols["orbit"], cols["bx"], request).vetoed_by

    def summary(self) -> dict[str, Any]:
        if self.sequencer is None:
            rs = self.rules.summary()
            return {"deadtime_fraction": rs["deadtime_fraction"], "trigger_rules": rs, "events_over_budget": 0,
                    "stages": {}, "latency_ns": {}, "latency_budget_ns": self.latency_budget_ns}
        out = timing_summary(self.sequencer, self.rules)
        out["latency_budget_ns"] = self.latency_budget_ns
        timed = int(out.get("events_timed", 0))
        warnings, lost = [], 0
        for st in self.sequencer.stages:
            row = out["stages"][st.name]
            row.update(bx_capacity(st.timing, row, timed))
            lost += int(row.get("dropped", 0))
            if "warning" in row:
                warnings.append(f"stage {st.name}: {row['warning']}")
        out["fifo_deadtime_fraction"] = lost / timed if timed else 0.0
        out["timing_warnings"] = warnings
        return out
