"""The numba kernels behind :mod:`streams.hwunits`, each with its plain twin.

Module-level free functions over arrays and scalars writing into preallocated
outputs; :data:`JIT_OPTIONS` is the one place that holds the jit options for the
kernels of :mod:`streams` (:mod:`streams.synthetic` reuses :func:`quantize_scalar`,
:func:`push_topk` and :func:`write_topk` inside its generator). Twins:
:func:`quantize_scalar` <-> ``FieldSpec.quantize`` (NumPy), :func:`select_objects`
<-> :func:`select_objects_reference` (sorted()), :func:`nonfinite_kernel` <-> a
Python loop (tests/test_hwunits.py), :func:`anomaly_kernel` <->
:func:`anomaly_reference`; :func:`block_kernel` (one pass per object block: codes,
non-finite count, anomaly bits, top-k) <-> those kernels composed
(:func:`streams.hwunits.build_l1_inputs_reference`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numba
import numpy as np

from firmware_models.jit import JIT_OPTIONS

__all__ = [
    "JIT_OPTIONS",
    "quantize_scalar",
    "quantize_kernel",
    "nonfinite_kernel",
    "push_topk",
    "write_topk",
    "select_objects",
    "select_objects_reference",
    "anomaly_kernel",
    "anomaly_reference",
    "block_kernel",
    "object_codes",
    "NONFINITE",
    "NEGATIVE_PT",
    "NEGATIVE_MET",
    "ETA_OUT_OF_RANGE",
    "PHI_OUT_OF_RANGE",
    "SATURATED",
]

#: bits of the per-event ``input_anomaly`` flags (names in :data:`streams.hwunits.ANOMALY_KINDS`)
NEGATIVE_PT = 1
NEGATIVE_MET = 2
ETA_OUT_OF_RANGE = 4
PHI_OUT_OF_RANGE = 8
SATURATED = 16


@numba.jit(**JIT_OPTIONS)
def _code(idx, offset, lo, hi, period):
    """The code of ``idx = floor(v / lsb)`` of a finite v (see :func:`quantize_scalar`)."""
    if period > 0:
        if 0.0 <= idx < period:  # already in the first turn (the common case)
            return np.int64(idx)
        if -period <= idx < 0.0:  # one turn below (phi in [-pi, 0)): what fmod + period gives
            return np.int64(idx) + period
        if not np.isfinite(idx):  # v / lsb overflowed: no meaningful angle
            return 0
        r = np.fmod(idx, np.float64(period))  # exact on integer-valued floats
        if r < 0:
            r += period
        return np.int64(r)
    idx = idx + offset
    if idx < lo:
        return lo
    if idx > hi:
        return hi
    return np.int64(idx)


@numba.jit(**JIT_OPTIONS)
def quantize_scalar(v, lsb, offset, lo, hi, period):
    """Code of one value: floor(v / lsb) mod period (period > 0), else
    clip(floor(v / lsb) + offset, lo, hi); non-finite v gives 0 (callers flag it).
    Shared by the vector kernel below and the synthetic generator."""
    if not np.isfinite(v):
        return 0
    return _code(np.floor(v / lsb), offset, lo, hi, period)


@numba.jit(**JIT_OPTIONS)
def quantize_kernel(x, lsb, offset, lo, hi, period, out):
    """out[i] = quantize_scalar(x[i], ...) over a 1-D array."""
    for i in range(x.size):
        out[i] = quantize_scalar(x[i], lsb, offset, lo, hi, period)


@numba.jit(**JIT_OPTIONS)
def nonfinite_kernel(off, pt, eta, phi, out):
    """out[ev] += number of objects of event ev with a NaN/inf pt, eta or phi."""
    for ev in range(off.size - 1):
        c = 0
        for j in range(off[ev], off[ev + 1]):
            if not (np.isfinite(pt[j]) and np.isfinite(eta[j]) and np.isfinite(phi[j])):
                c += 1
        out[ev] += c


@numba.jit(**JIT_OPTIONS)
def push_topk(best, m, k, p, e, f):
    """Insert object (pT code p, eta e, phi f) into ``best`` (k x 3, the m objects kept
    so far, pT descending); returns the new m. Stable: an object never passes one of
    equal pT kept before it. Code 0 is left out."""
    if p <= 0 or (m == k and p <= best[k - 1, 0]):
        return m
    pos = m if m < k else k - 1
    while pos > 0 and best[pos - 1, 0] < p:
        best[pos, 0] = best[pos - 1, 0]
        best[pos, 1] = best[pos - 1, 1]
        best[pos, 2] = best[pos - 1, 2]
        pos -= 1
    best[pos, 0] = p
    best[pos, 1] = e
    best[pos, 2] = f
    return m + 1 if m < k else m


@numba.jit(**JIT_OPTIONS)
def write_topk(best, m, out, ev, col0):
    """Write the m kept objects as (pt, eta, phi) triples from column col0 of row ev."""
    for i in range(m):
        out[ev, col0 + 3 * i] = best[i, 0]
        out[ev, col0 + 3 * i + 1] = best[i, 1]
        out[ev, col0 + 3 * i + 2] = best[i, 2]


@numba.jit(**JIT_OPTIONS)
def _select_kernel(off_a, pt_a, eta_a, phi_a, off_b, pt_b, eta_b, phi_b, k, col0, out):
    """Per event: the top-k objects of collections a then b, see :func:`push_topk`."""
    best = np.empty((k, 3), dtype=np.int64)
    for ev in range(out.shape[0]):
        m = 0
        for j in range(off_a[ev], off_a[ev + 1]):
            m = push_topk(best, m, k, pt_a[j], eta_a[j], phi_a[j])
        for j in range(off_b[ev], off_b[ev + 1]):
            m = push_topk(best, m, k, pt_b[j], eta_b[j], phi_b[j])
        write_topk(best, m, out, ev, col0)


def select_objects(collections: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
                   k: int, col0: int, out: np.ndarray) -> None:
    """Fill ``out[:, col0:col0+3k]`` with the top-``k`` objects of one or two coded
    collections ``(offsets, pt_code, eta_code, phi_code)`` (fast kernel)."""
    if not 1 <= len(collections) <= 2:
        msg = f"select_objects merges one or two collections, got {len(collections)}"
        raise ValueError(msg)
    n = out.shape[0]
    if out.dtype != np.int32 or not out.flags.c_contiguous:
        msg = "select_objects needs a C-contiguous int32 output array"
        raise ValueError(msg)
    cols = list(collections)
    if len(cols) == 1:
        e = np.zeros(0, dtype=np.int32)
        cols.append((np.zeros(n + 1, dtype=np.int64), e, e, e))
    args = []
    for off, pt, eta, phi in cols:
        if off.size != n + 1:
            msg = f"collection offsets cover {off.size - 1} events, output has {n}"
            raise ValueError(msg)
        args += [np.ascontiguousarray(off, dtype=np.int64)]
        args += [np.ascontiguousarray(a, dtype=np.int32) for a in (pt, eta, phi)]
    _select_kernel(*args, k, col0, out)


def select_objects_reference(collections, k: int, col0: int, out: np.ndarray) -> None:
    """Plain-Python twin of :func:`select_objects` (sorted() is stable)."""
    n = out.shape[0]
    for ev in range(n):
        cands = []
        for off, pt, eta, phi in collections:
            for j in range(int(off[ev]), int(off[ev + 1])):
                if pt[j] > 0:
                    cands.append((int(pt[j]), int(eta[j]), int(phi[j])))
        cands.sort(key=lambda c: -c[0])
        for i, (p, e, f) in enumerate(cands[:k]):
            out[ev, col0 + 3 * i: col0 + 3 * i + 3] = (p, e, f)


@numba.jit(**JIT_OPTIONS)
def _anomaly_bits(p, e, q, neg_bit, pt_lsb, pt_off, pt_hi, eta_lsb, eta_lo, eta_hi, has_eta, phi_max):
    """The anomaly bits of one object (finite values; see :func:`anomaly_kernel`)."""
    f = 0
    if p < 0.0:
        f |= neg_bit
    elif np.floor(p / pt_lsb) + pt_off > pt_hi:
        f |= SATURATED
    if has_eta:
        ie = np.floor(e / eta_lsb)
        if ie < eta_lo or ie > eta_hi:
            f |= ETA_OUT_OF_RANGE
    if abs(q) > phi_max:
        f |= PHI_OUT_OF_RANGE
    return f


@numba.jit(**JIT_OPTIONS)
def anomaly_kernel(off, pt, eta, phi, neg_bit, pt_lsb, pt_off, pt_hi, eta_lsb, eta_lo, eta_hi, has_eta, phi_max,
                   out):
    """out[ev] |= the anomaly bits of every object of event ev with finite pt, eta, phi:
    ``neg_bit`` if pT < 0; SATURATED if pT's code is clipped at the top of its field;
    ETA_OUT_OF_RANGE if eta's code is outside its field; PHI_OUT_OF_RANGE if |phi| >
    phi_max. Objects with NaN/inf are the business of ``bad_input``."""
    for ev in range(off.size - 1):
        f = 0
        for j in range(off[ev], off[ev + 1]):
            p, e, q = pt[j], eta[j], phi[j]
            if np.isfinite(p) and np.isfinite(e) and np.isfinite(q):
                f |= _anomaly_bits(p, e, q, neg_bit, pt_lsb, pt_off, pt_hi, eta_lsb, eta_lo, eta_hi, has_eta,
                                   phi_max)
        out[ev] |= f


def anomaly_reference(off, pt, eta, phi, neg_bit, pt_lsb, pt_off, pt_hi, eta_lsb, eta_lo, eta_hi, has_eta, phi_max,
                      out) -> None:
    """Plain-Python twin of :func:`anomaly_kernel`."""
    import math

    for ev in range(len(off) - 1):
        for j in range(int(off[ev]), int(off[ev + 1])):
            p, e, q = float(pt[j]), float(eta[j]), float(phi[j])
            if not all(math.isfinite(x) for x in (p, e, q)):
                continue
            ip, ie = p / pt_lsb, e / eta_lsb  # may overflow to +-inf: beyond any field
            if p < 0:
                out[ev] |= neg_bit
            elif not math.isfinite(ip) or math.floor(ip) + pt_off > pt_hi:
                out[ev] |= SATURATED
            if has_eta and not (math.isfinite(ie) and eta_lo <= math.floor(ie) <= eta_hi):
                out[ev] |= ETA_OUT_OF_RANGE
            if abs(q) > phi_max:
                out[ev] |= PHI_OUT_OF_RANGE


#: object flag of :func:`object_codes`: a NaN/inf among its pt, eta, phi (not an anomaly bit)
NONFINITE = 128


@numba.jit(**JIT_OPTIONS)
def object_codes(pt, eta, phi, pp, ep, fp, neg_bit, phi_max, pc, ec, fc, flags):
    """One pass over the objects of a collection: the pt/eta/phi codes (exactly
    :func:`quantize_scalar` with field parameters pp/ep/fp: lsb, offset, lo, hi, period)
    and per object the anomaly bits of :func:`anomaly_kernel`, or NONFINITE, in
    ``flags``. One division per value (the code and the saturation test share it)."""
    p_lsb, p_off, p_lo, p_hi, p_per = pp[0], np.int64(pp[1]), np.int64(pp[2]), np.int64(pp[3]), np.int64(pp[4])
    e_lsb, e_off, e_lo, e_hi, e_per = ep[0], np.int64(ep[1]), np.int64(ep[2]), np.int64(ep[3]), np.int64(ep[4])
    f_lsb, f_off, f_lo, f_hi, f_per = fp[0], np.int64(fp[1]), np.int64(fp[2]), np.int64(fp[3]), np.int64(fp[4])
    for j in range(pt.size):
        p, e, q = np.float64(pt[j]), np.float64(eta[j]), np.float64(phi[j])
        f = 0
        ip = np.floor(p / p_lsb)
        ie = np.floor(e / e_lsb)
        iq = np.floor(q / f_lsb)
        fin_p, fin_e, fin_q = np.isfinite(p), np.isfinite(e), np.isfinite(q)
        pc[j] = _code(ip, p_off, p_lo, p_hi, p_per) if fin_p else 0
        ec[j] = _code(ie, e_off, e_lo, e_hi, e_per) if fin_e else 0
        fc[j] = _code(iq, f_off, f_lo, f_hi, f_per) if fin_q else 0
        if fin_p and fin_e and fin_q:
            if p < 0.0:
                f |= neg_bit
            elif ip + p_off > p_hi:
                f |= SATURATED
            if ie < e_lo or ie > e_hi:
                f |= ETA_OUT_OF_RANGE
            if abs(q) > phi_max:
                f |= PHI_OUT_OF_RANGE
        else:
            f = NONFINITE
        flags[j] = f


@numba.jit(**JIT_OPTIONS)
def block_kernel(off_a, pc_a, ec_a, fc_a, fl_a, off_b, pc_b, ec_b, fc_b, fl_b, k, col0, out, nonfinite, anomaly):
    """Per event: the top-k objects of collections a then b by pT code (codes and flags
    from :func:`object_codes`; :func:`push_topk`, :func:`write_topk` from column col0),
    the count of objects with a NaN/inf value added to ``nonfinite``, and the OR of
    their anomaly bits into ``anomaly``."""
    best = np.empty((k, 3), dtype=np.int64)
    for ev in range(out.shape[0]):
        m = 0
        bad = 0
        f = 0
        for j in range(off_a[ev], off_a[ev + 1]):
            g = fl_a[j]
            if g == NONFINITE:
                bad += 1
            else:
                f |= g
            m = push_topk(best, m, k, pc_a[j], ec_a[j], fc_a[j])
        for j in range(off_b[ev], off_b[ev + 1]):
            g = fl_b[j]
            if g == NONFINITE:
                bad += 1
            else:
                f |= g
            m = push_topk(best, m, k, pc_b[j], ec_b[j], fc_b[j])
        write_topk(best, m, out, ev, col0)
        nonfinite[ev] += bad
        anomaly[ev] |= f
