"""Numba kernels of the sequencer and the trigger rules (the one place for jit options).

Module-level free functions over arrays and scalars, writing into preallocated
outputs; all state lives in arrays owned by the caller, so a run can be cut into
batches anywhere. The public wrappers (:class:`triggeremu.sequencer.Sequencer`,
:class:`triggeremu.trigger_rules.TriggerRules`) validate dtypes and shapes and
hold the state. The plain-Python twins that check these kernels are in
:mod:`triggeremu.sequencer_reference` (a cycle-level simulator, written from the
same rules but stepping one clock edge at a time, and a brute-force rule checker).

Timing model (all times integer femtoseconds; see :mod:`triggeremu.sequencer`):
for event k at stage s with clock period P, latency L_k and II_k cycles,

- entry edge   e = ceil(a / P) * P, a = arrival (BX time, or hand-over from s-1);
- start        t = first edge >= max(e, previous start + previous II) that is not
                   inside a *blocked window* of the stage (its output held by a
                   full downstream FIFO under back-pressure);
- FIFO         the event waits in the input FIFO during [e, t); it is refused when
                   t > e and ``depth`` events are already waiting at e;
- completion   c = max(t + L_k * P, hand-over time of the previous event) (in order);
- hand-over    h = c, or, when the next stage refuses it under back-pressure, the
                   time a slot frees there; the stage is blocked during [e', h).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from firmware_models.jit import JIT_OPTIONS

__all__ = [
    "JIT_OPTIONS",
    "POLICY_DROP",
    "POLICY_BACKPRESSURE",
    "STATUS_OK",
    "STATUS_DROPPED",
    "STATUS_OVER_BUDGET",
    "STATUS_NOT_TIMED",
    "scan_chain",
    "apply_rules",
    "residence_hist",
    "HIST_RES_FS",
]

POLICY_DROP = 0
POLICY_BACKPRESSURE = 1

STATUS_OK = 0
STATUS_DROPPED = 1  # refused by a full FIFO (drop policy, or back-pressure at the first stage)
STATUS_OVER_BUDGET = 2  # completed, but after the latency budget: lost
STATUS_NOT_TIMED = 3  # masked out by the caller (e.g. NaN input): never entered the chain

_NEVER = -(1 << 62)  # "long ago": start/hand-over state before the first event


@nb.njit(**JIT_OPTIONS)
def _ceil_to(x, period):
    q = x // period
    if q * period < x:
        q += 1
    return q * period


@nb.njit(**JIT_OPTIONS)
def _wrap(i, cap):
    """i mod cap for 0 <= i < 2 * cap (ring indices), without a division."""
    return i - cap if i >= cap else i


@nb.njit(**JIT_OPTIONS)
def _ceil_from(x, period, edge):
    """ceil(x / period) * period, given a known edge <= x + period (fast path: a few
    additions instead of a 64-bit division when x is a few periods after ``edge``)."""
    if x <= edge:
        if x > edge - period:
            return edge
        return _ceil_to(x, period)
    for _ in range(32):
        edge += period
        if edge >= x:
            return edge
    return _ceil_to(x, period)


@nb.njit(**JIT_OPTIONS)
def scan_chain(
    orbit,  # (N,) uint32
    bx,  # (N,) uint16; (orbit, bx) strictly increasing over timed events
    bx_period_fs,  # int64
    timed,  # (N,) bool: False -> skipped (STATUS_NOT_TIMED)
    lat_cycles,  # (N, S) int64, may be a zero-stride broadcast
    ii_cycles,  # (N, S) int64, may be a zero-stride broadcast
    period_fs,  # (S,) int64
    depth,  # (S,) int64
    policy,  # (S,) int8
    budget_fs,  # int64; < 0 means no budget
    k0,  # first event to process (resume point)
    # --- state, mutated ---
    next_free,  # (S,) earliest next start allowed by II
    last_handoff,  # (S,) hand-over time of the last event that started at the stage
    q_start,  # (S, qcap) ring of start times of events waiting in the FIFO
    q_head,  # (S,)
    q_size,  # (S,)
    w_lo,  # (S, wcap) ring of blocked windows [lo, hi) of each stage
    w_hi,  # (S, wcap)
    w_head,  # (S,)
    w_size,  # (S,)
    high_water,  # (S,)
    drops,  # (S,)
    counters,  # (3,): [events timed, events over budget, BX time of the last timed event]
    last_edge,  # (S,) the last entry edge computed at each stage (fast ceil)
    maxes,  # (1 + S,): largest chain latency, largest residence at each stage
    # --- outputs ---
    start_out,  # (N, S) int64, -1 where not reached
    done_out,  # (N, S) int64 hand-over times, -1 where not reached
    fifo_out,  # (N, S) int32 FIFO occupancy just after the event's entry, -1 where not reached
    latency_out,  # (N,) int64, -1 unless the event completed the chain
    status_out,  # (N,) uint8
    drop_stage_out,  # (N,) int16, -1 unless dropped
):
    """Scan events k0.. in order. Returns N when done; k < N to resume at k after
    growing the window rings; -(k + 1) if event k is not after the previous timed
    event (out of BX order). The state is untouched for the event returned."""
    n = orbit.shape[0]
    n_st = period_fs.shape[0]
    qcap = q_start.shape[1]
    wcap = w_lo.shape[1]
    for k in range(k0, n):
        for s in range(n_st):
            start_out[k, s] = -1
            done_out[k, s] = -1
            fifo_out[k, s] = -1
        latency_out[k] = -1
        drop_stage_out[k] = -1
        if not timed[k]:
            status_out[k] = STATUS_NOT_TIMED
            continue
        t0 = (np.int64(orbit[k]) * 3564 + np.int64(bx[k])) * bx_period_fs
        if t0 <= counters[2]:
            return -(k + 1)
        for s in range(n_st):
            if w_size[s] == wcap:
                return k
        counters[0] += 1
        counters[2] = t0
        a = t0
        status = STATUS_OK
        for s in range(n_st):
            p = period_fs[s]
            e = _ceil_from(a, p, last_edge[s])
            last_edge[s] = e
            # candidate start: the engine is free again, and the stage is not blocked
            t = e
            if next_free[s] > t:
                t = next_free[s]
            # windows ending by t are over for this and every later event: forget them
            while w_size[s] > 0 and w_hi[s, w_head[s]] <= t:
                w_head[s] = _wrap(w_head[s] + 1, wcap)
                w_size[s] -= 1
            # skip the windows t falls into (read only: the event may still be dropped)
            h = w_head[s]
            for _ in range(w_size[s]):
                if w_lo[s, h] > t:
                    break
                if w_hi[s, h] > t:
                    t = _ceil_to(w_hi[s, h], p)
                h = _wrap(h + 1, wcap)
            # FIFO admission at the entry edge: waiting = events whose start is after e
            while q_size[s] > 0 and q_start[s, q_head[s]] <= e:
                q_head[s] = _wrap(q_head[s] + 1, qcap)
                q_size[s] -= 1
            if t > e and q_size[s] >= depth[s]:
                if policy[s] == POLICY_DROP or s == 0:
                    drops[s] += 1
                    status = STATUS_DROPPED
                    drop_stage_out[k] = s
                    break
                # back-pressure: wait in stage s-1's output until a slot frees here
                if depth[s] == 0:
                    free_at = t
                else:
                    free_at = q_start[s, q_head[s]]
                    q_head[s] = _wrap(q_head[s] + 1, qcap)
                    q_size[s] -= 1
                u = s - 1
                wt = _wrap(w_head[u] + w_size[u], wcap)
                w_lo[u, wt] = e
                w_hi[u, wt] = free_at
                w_size[u] += 1
                last_handoff[u] = free_at
                arr_u = t0 if u == 0 else done_out[k, u - 1]
                if free_at - arr_u > maxes[1 + u]:
                    maxes[1 + u] = free_at - arr_u
                done_out[k, u] = free_at
                e = free_at
            occ = q_size[s]
            if t > e:
                qt = _wrap(q_head[s] + q_size[s], qcap)
                q_start[s, qt] = t
                q_size[s] += 1
                occ += 1
            if occ > high_water[s]:
                high_water[s] = occ
            fifo_out[k, s] = occ
            start_out[k, s] = t
            next_free[s] = t + ii_cycles[k, s] * p
            c = t + lat_cycles[k, s] * p
            if last_handoff[s] > c:
                c = last_handoff[s]
            last_handoff[s] = c
            done_out[k, s] = c
            if c - a > maxes[1 + s]:
                maxes[1 + s] = c - a
            a = c
        if status == STATUS_OK:
            lat = a - t0
            if lat > maxes[0]:
                maxes[0] = lat
            latency_out[k] = lat
            if budget_fs >= 0 and lat > budget_fs:
                status = STATUS_OVER_BUDGET
                counters[1] += 1
        status_out[k] = status
    return n


@nb.njit(**JIT_OPTIONS)
def apply_rules(
    abs_bx,  # (N,) int64 absolute BX number (orbit * 3564 + bx), nondecreasing
    request,  # (N,) bool: an L1A is requested at this BX
    counts,  # (R,) int64: rule r allows at most counts[r] L1As ...
    windows,  # (R,) int64: ... in any windows[r] consecutive BX
    history,  # (H,) int64 ring of the last H accepted L1A BX numbers, H = max(counts)
    hist_state,  # (2,) int64: [head (index of the newest), size]
    vetoed_out,  # (N,) uint8: 0 = not vetoed, r + 1 = the request was vetoed by rule r (the first that forbids it)
    blocked_out,  # (N,) bool: an L1A at this BX would be vetoed (deadtime)
):
    """Veto L1A requests that break a rule; mark every BX inside deadtime.

    An L1A at BX t is allowed iff, for every rule (n, w), the n-th previous
    accepted L1A is at least w BX back (t - p_n >= w), or fewer than n exist.
    A vetoed request records the first rule, in the menu's order, that forbids it.
    """
    cap = history.shape[0]
    n_rules = counts.shape[0]
    for k in range(abs_bx.shape[0]):
        t = abs_bx[k]
        rule = 0
        for r in range(n_rules):
            m = counts[r]
            if hist_state[1] >= m:
                idx = (hist_state[0] - (m - 1)) % cap
                if t - history[idx] < windows[r]:
                    rule = r + 1
                    break
        blocked = rule > 0
        blocked_out[k] = blocked
        vetoed_out[k] = rule if request[k] else 0
        if request[k] and not blocked and cap > 0:
            head = (hist_state[0] + 1) % cap
            history[head] = t
            hist_state[0] = head
            if hist_state[1] < cap:
                hist_state[1] += 1


#: bin width of the latency histograms (a compile-time constant: no division at run time)
HIST_RES_FS = 10_000


@nb.njit(**JIT_OPTIONS)
def residence_hist(orbit, bx, bx_period_fs, start, done, status, hist):
    """Count chain latencies into hist[0] and stage residences (arrival to hand-over)
    into hist[1 + s], bin ceil(v / HIST_RES_FS); hist must be wide enough for the
    maxima the scan recorded."""
    n, n_st = start.shape
    for k in range(n):
        if status[k] == STATUS_NOT_TIMED:
            continue
        t0 = (np.int64(orbit[k]) * 3564 + np.int64(bx[k])) * bx_period_fs
        a = t0
        for s in range(n_st):
            if start[k, s] < 0:
                break
            r = done[k, s] - a
            hist[1 + s, (r + HIST_RES_FS - 1) // HIST_RES_FS] += 1
            a = done[k, s]
        if status[k] == STATUS_OK or status[k] == STATUS_OVER_BUDGET:
            lat = done[k, n_st - 1] - t0
            hist[0, (lat + HIST_RES_FS - 1) // HIST_RES_FS] += 1
