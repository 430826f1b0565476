"""Timing of one hardware block: clock, latency, initiation interval, input FIFO.

A :class:`BlockTiming` is plain data. Where it came from is recorded in
``source`` (``"report:<path>"`` for an imported HLS synthesis report,
``"config"`` for explicit configuration, ``"estimate:<rule>"`` for the topology
estimator, ``"preset:<name>"`` for published figures) so a summary can say how
far to trust it. Latency and II are integers in cycles of ``clock_mhz``;
``latency_fs``/``ii_fs`` give exact integer femtoseconds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction

__all__ = ["BlockTiming", "OverflowPolicy"]

OverflowPolicy = str  # "drop" (count the event as dropped) or "backpressure" (stall upstream)


@dataclass(frozen=True)
class BlockTiming:
    clock_mhz: float
    latency_cycles: int
    ii_cycles: int = 1
    fifo_depth: int = 16
    overflow: OverflowPolicy = "drop"
    source: str = "config"

    def __post_init__(self) -> None:
        if self.clock_mhz <= 0:
            msg = f"clock_mhz must be positive, got {self.clock_mhz}"
            raise ValueError(msg)
        if self.latency_cycles < 0 or self.ii_cycles < 1:
            msg = f"latency_cycles must be >= 0 and ii_cycles >= 1, got {self.latency_cycles}, {self.ii_cycles}"
            raise ValueError(msg)
        if self.fifo_depth < 0:
            msg = f"fifo_depth must be >= 0, got {self.fifo_depth}"
            raise ValueError(msg)
        if self.overflow not in ("drop", "backpressure"):
            msg = f"overflow policy must be 'drop' or 'backpressure', got {self.overflow!r}"
            raise ValueError(msg)

    @property
    def period_fs(self) -> int:
        return round(Fraction(10**9) / Fraction(str(self.clock_mhz)))

    @property
    def latency_fs(self) -> int:
        return self.latency_cycles * self.period_fs

    @property
    def ii_fs(self) -> int:
        return self.ii_cycles * self.period_fs

    @property
    def latency_ns(self) -> float:
        return self.latency_fs / 1e6

    def to_dict(self) -> dict:
        d = asdict(self)
        d["latency_ns"] = self.latency_ns
        d["ii_ns"] = self.ii_fs / 1e6
        return d
