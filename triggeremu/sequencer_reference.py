"""Plain-Python twins of the sequencer kernels, for tests on small cases.

- :func:`cycle_level` simulates the chain one clock edge at a time (the union of
  the edges of every stage's clock), with explicit FIFOs, engines and output
  queues, as a hardware designer would draw them. It shares no code with the
  ordered scan of :mod:`triggeremu._sequencer_kernels`; a property test says the
  two give the same start, hand-over, FIFO occupancy, drops and latency.
- :func:`brute_force_rules` applies trigger rules by counting accepted L1As in
  every window explicitly.

Conventions of the cycle model (the scan implements the same ones):

- At one instant, stages are processed from the last to the first, so a
  downstream FIFO slot freed at time T is visible to the upstream at T, and a
  refusal at T blocks the upstream at T ("departure before arrival").
- At its edge a stage first starts one event (the FIFO head, or, if the FIFO is
  empty, the first arrival), if its engine is free (II elapsed) and its output is
  not held; then it admits the other arrivals into the FIFO in order while there
  is room. An arrival that cannot be admitted is dropped (policy ``drop``, or any
  policy at the first stage: the beam cannot wait) or, under ``backpressure``,
  stays in the upstream output queue, which blocks the upstream from starting
  new events; the events already inside the upstream pipeline queue behind it.
- An arrival between two edges is latched at the next edge without taking a slot.
"""

from __future__ import annotations

from collections import deque

import numpy as np

__all__ = ["cycle_level", "brute_force_rules"]


def cycle_level(
    bx_time: np.ndarray,
    lat_cycles: np.ndarray,
    ii_cycles: np.ndarray,
    period_fs: list[int],
    depth: list[int],
    backpressure: list[bool],
    budget_fs: int = -1,
) -> dict[str, np.ndarray]:
    """Simulate a chain clock edge by clock edge. ``lat_cycles``/``ii_cycles`` are (N, S)."""
    n, n_st = lat_cycles.shape
    start = np.full((n, n_st), -1, dtype=np.int64)
    done = np.full((n, n_st), -1, dtype=np.int64)
    fifo_occ = np.full((n, n_st), -1, dtype=np.int64)
    latency = np.full(n, -1, dtype=np.int64)
    drop_stage = np.full(n, -1, dtype=np.int64)

    fifos: list[deque[int]] = [deque() for _ in range(n_st)]
    next_free = [None] * n_st
    # per stage: events started and not yet handed over, in order: [event, ready_time, refused]
    outq: list[deque[list]] = [deque() for _ in range(n_st)]
    last_h = [None] * n_st  # hand-over time of the last event that left each stage
    pending = deque(range(n))  # events not yet taken by stage 0
    finished = 0

    def arrival(s: int, item: list) -> int:
        prev = last_h[s - 1]
        return item[1] if prev is None else max(item[1], prev)

    t_now = int(bx_time[0]) if n else 0
    t_now -= t_now % 1  # integer
    # clock edges: step every stage's clock from just before the first event
    edge_next = [(-(-t_now // p)) * p for p in period_fs]
    guard = 0
    while finished < n:
        guard += 1
        if guard > 50_000_000:
            msg = "cycle-level reference did not finish; is a stage stuck?"
            raise RuntimeError(msg)
        T = min(edge_next)
        for s in reversed(range(n_st)):
            if edge_next[s] != T:
                continue
            edge_next[s] += period_fs[s]
            # the last stage retires finished events in order
            if s == n_st - 1:
                while outq[s] and outq[s][0][1] <= T:
                    k, ready, _ = outq[s].popleft()
                    c = ready if last_h[s] is None else max(ready, last_h[s])
                    last_h[s] = c
                    done[k, s] = c
                    latency[k] = c - int(bx_time[k])
                    finished += 1
            # arrivals available at this edge, in order
            cands: list[tuple[int, int, list | None]] = []  # (event, arrival time, upstream item)
            if s == 0:
                for k in pending:
                    if bx_time[k] <= T:
                        cands.append((k, int(bx_time[k]), None))
                    else:
                        break
            else:
                for item in outq[s - 1]:
                    # only the head may be refused; later items queue behind it
                    if item[1] <= T:
                        cands.append((item[0], -1, item))
                    else:
                        break

            def take(idx: int) -> tuple[int, int]:
                """Remove candidate idx (always the first remaining) from upstream; its hand-over time."""
                k, a, item = cands[idx]
                if s == 0:
                    pending.popleft()
                    return k, a
                up = outq[s - 1].popleft()
                h = T if up[2] else arrival(s, up)
                last_h[s - 1] = h
                done[k, s - 1] = h
                return k, h

            ci = 0
            held = bool(outq[s]) and outq[s][0][2]
            engine_free = next_free[s] is None or T >= next_free[s]
            if engine_free and not held:
                started = None
                if fifos[s]:
                    started = fifos[s].popleft()
                elif ci < len(cands):
                    started, _ = take(ci)
                    ci += 1
                    fifo_occ[started, s] = len(fifos[s])
                if started is not None:
                    start[started, s] = T
                    next_free[s] = T + int(ii_cycles[started, s]) * period_fs[s]
                    outq[s].append([started, T + int(lat_cycles[started, s]) * period_fs[s], False])
            while ci < len(cands):
                if len(fifos[s]) < depth[s]:
                    k, _ = take(ci)
                    ci += 1
                    fifos[s].append(k)
                    fifo_occ[k, s] = len(fifos[s])
                elif not backpressure[s] or s == 0:
                    k, _ = take(ci)
                    ci += 1
                    drop_stage[k] = s
                    finished += 1
                else:
                    cands[ci][2][2] = True  # refused: held in the upstream output
                    break
    over = (latency > budget_fs) & (latency >= 0) if budget_fs >= 0 else np.zeros(n, dtype=bool)
    return {
        "start": start,
        "done": done,
        "fifo": fifo_occ,
        "latency": latency,
        "drop_stage": drop_stage,
        "over_budget": over,
    }


def brute_force_rules(abs_bx: np.ndarray, request: np.ndarray, rules: list[tuple[int, int]]) -> np.ndarray:
    """Which rule vetoed each request (uint8: 0 = none, r + 1 = rule r, the first in order
    that forbids it): a request is vetoed if accepting it would put more than n L1As in
    some window of w consecutive BX, counting the L1As accepted so far."""
    accepted: list[int] = []
    vetoed = np.zeros(len(abs_bx), dtype=np.uint8)
    for k, (t, req) in enumerate(zip(abs_bx.tolist(), request.tolist(), strict=True)):
        if not req:
            continue
        by = 0
        for r, (n_max, w) in enumerate(rules):
            # every window [x, x + w - 1] that contains t
            for x in range(t - w + 1, t + 1):
                inside = sum(1 for p in accepted if x <= p <= x + w - 1) + 1
                if inside > n_max:
                    by = r + 1
                    break
            if by:
                break
        if by:
            vetoed[k] = by
        else:
            accepted.append(t)
    return vetoed
