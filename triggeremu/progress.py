"""A small progress bar on stderr for long runs (no dependency).

Shown only when enabled and stderr is a terminal, or when the environment sets
``TRIGGEREMU_PROGRESS=1``; redrawn at most every 0.25 s; silent for runs
shorter than one second.
"""

from __future__ import annotations

import os
import sys
import time

__all__ = ["Progress"]


class Progress:
    def __init__(self, total: int, *, enabled: bool, stream=None) -> None:
        self.stream = stream or sys.stderr
        forced = os.environ.get("TRIGGEREMU_PROGRESS") == "1"
        self.enabled = enabled and (forced or self.stream.isatty())
        self.total = max(int(total), 0)
        self.t0 = time.perf_counter()
        self._last = 0.0
        self._drawn = False

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self._last < 0.25 or now - self.t0 < 1.0:
            return
        self._last = now
        rate = done / (now - self.t0)
        if self.total:
            frac = min(done / self.total, 1.0)
            bar = "#" * int(30 * frac)
            eta = (self.total - done) / rate if rate > 0 else 0.0
            line = f"\r[{bar:<30}] {done:>12,}/{self.total:,} events  {rate / 1e6:6.2f} M ev/s  eta {eta:5.1f} s"
        else:
            line = f"\r{done:>12,} events  {rate / 1e6:6.2f} M ev/s"
        self.stream.write(line)
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
