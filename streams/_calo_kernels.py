"""Numba kernels of the synthetic calorimeter source, and their plain-Python twin.

:func:`fill_showers` fills a preallocated ``(n, 48)`` uint32 array of cell ADC
counts (plus label and true energy per event) for events
``first_event .. first_event+n-1``. Each event draws its random numbers from
its own SplitMix64 stream keyed by ``(seed, event)``, so the content of an event
never depends on the batch it falls in. :func:`fill_showers_reference` is a
plain-Python twin of the same model (Python integers for the generator,
:mod:`math` for the functions); a property test checks that both give identical
counts. The physics model and the meaning of each parameter are documented in
:mod:`streams.calo`; the parameter vector layout is ``P_*`` below.

Numerical conventions kept identical between the twins: the log-gamma function
is our own Stirling series (CPython's ``math.lgamma`` and libm's differ in the
last bits); normal deviates come from a 65536-entry float32 quantile table
indexed by 16-bit lanes of the generator output; the normal CDF is a table with
linear interpolation (:func:`phi_table`); the EM longitudinal containment is a
table in the gamma shape ``a`` (:func:`long_table`) while the shifted signal
showers evaluate the incomplete gamma function directly; energies become counts
by ``floor(E * COUNTS_PER_GEV)`` saturated at ``2**22 - 1``.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from firmware_models.jit import JIT_OPTIONS as _JIT

__all__ = ["N_PARAMS", "event_key", "fill_showers", "fill_showers_reference", "long_table", "phi_table"]

# one place for the jit options of this module

_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_MASK64 = 0xFFFFFFFFFFFFFFFF

# parameter vector layout (float64), filled by streams.calo.ShowerParams.as_array
P_E_LO, P_E_HI, P_SIGNAL_FRACTION, P_EC, P_B, P_TMAX_SIGMA = 0, 1, 2, 3, 4, 5
P_EDGE0 = 6  # 4 layer boundaries in X0: 6..9
P_PITCH0 = 10  # 3 cell pitches (cm): 10..12
P_CORE0 = 13  # 3 core widths (cm): 13..15
P_TAIL0 = 16  # 3 tail widths (cm): 16..18
P_CORE_FRACTION, P_IMPACT_HALF, P_STOCH = 19, 20, 21
P_NOISE0 = 22  # 3 noise sigmas (GeV): 22..24
P_PU_MEAN0 = 25  # 3 pileup means per interaction (GeV): 25..27
P_PU_HIT = 28
P_HAD_B, P_HAD_T0_MAX, P_HAD_WIDTH, P_HAD_VISIBLE = 29, 30, 31, 32
P_COUNTS_PER_GEV, P_MAX_COUNT = 33, 34
P_LTAB_A0, P_LTAB_STEP = 35, 36  # grid of the longitudinal table in the gamma shape a
N_PARAMS = 37
N_LTAB = 4096

N_LAYERS = 3
GRID = 4
N_CELLS = N_LAYERS * GRID * GRID
_CHUNK = 2048


# --------------------------------------------------------------------------
# numba kernels
# --------------------------------------------------------------------------
@numba.njit(**_JIT)
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_M1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_M2)
    return z ^ (z >> np.uint64(31))


@numba.njit(**_JIT)
def _next(state):
    state = state + np.uint64(_GOLDEN)
    return state, _mix(state)


@numba.njit(**_JIT)
def _uniform(v):
    return np.float64(v >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@numba.njit(**_JIT)
def _lgamma(a):
    # Stirling series after shifting the argument above 8 (a > 0)
    shift = 0.0
    while a < 8.0:
        shift += math.log(a)
        a += 1.0
    inv = 1.0 / a
    inv2 = inv * inv
    series = inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 / 1680.0)))
    return (a - 0.5) * math.log(a) - a + 0.9189385332046728 + series - shift


@numba.njit(**_JIT)
def _gammainc(a, lgam_a, x):
    # regularized lower incomplete gamma P(a, x), lgam_a = log Gamma(a):
    # series below a+1, continued fraction above (the textbook split)
    if x <= 0.0:
        return 0.0
    lognorm = -x + a * math.log(x) - lgam_a
    if x < a + 1.0:
        ap = a
        term = 1.0 / a
        total = term
        for _ in range(500):
            ap += 1.0
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return total * math.exp(lognorm)
    tiny = 1e-300
    b = x + 1.0 - a
    c = 1.0 / tiny
    d = 1.0 / b
    h = d
    for i in range(1, 500):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        if abs(d) < tiny:
            d = tiny
        c = b + an / c
        if abs(c) < tiny:
            c = tiny
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return 1.0 - math.exp(lognorm) * h


PHI_STEPS_PER_UNIT = 512
PHI_RANGE = 8.0


def phi_table() -> np.ndarray:
    """Standard normal CDF at z = -8 + k/512, k = 0..8192 (linear interpolation between)."""
    z = -PHI_RANGE + np.arange(int(2 * PHI_RANGE * PHI_STEPS_PER_UNIT) + 1) / PHI_STEPS_PER_UNIT
    return np.array([0.5 * (1.0 + math.erf(v * 0.7071067811865476)) for v in z])


@numba.njit(**_JIT)
def _phi(z, ptab):
    # normal CDF from the table, linear interpolation (error < 2e-7)
    if z <= -PHI_RANGE:
        return 0.0
    if z >= PHI_RANGE:
        return 1.0
    pos = (z + PHI_RANGE) * PHI_STEPS_PER_UNIT
    i = int(pos)
    f = pos - i
    return ptab[i] + f * (ptab[i + 1] - ptab[i])


@numba.njit(**_JIT)
def _fill_long_table(p, out):
    b = p[P_B]
    for i in range(out.shape[0]):
        a = p[P_LTAB_A0] + i * p[P_LTAB_STEP]
        lgam_a = _lgamma(a)
        for k in range(out.shape[1]):
            out[i, k] = _gammainc(a, lgam_a, b * p[P_EDGE0 + k])


def long_table(p: np.ndarray) -> np.ndarray:
    """Longitudinal containment P(a, b * edge_k) of EM showers at the 4 layer edges, for
    ``N_LTAB`` values of the gamma shape ``a = P_LTAB_A0 + i * P_LTAB_STEP`` (linear
    interpolation between; error below 1e-7)."""
    out = np.empty((N_LTAB, N_LAYERS + 1))
    _fill_long_table(p, out)
    return out


@numba.njit(**_JIT)
def _one_event(key, n_pu, p, table, ptab, ltab, row, fx, fy, cdf):
    """Fill ``row`` (48 uint32) for one event; return (label, true energy GeV)."""
    state = key
    state, v = _next(state)
    is_signal = _uniform(v) < p[P_SIGNAL_FRACTION]
    state, v = _next(state)
    energy = p[P_E_LO] * math.exp(_uniform(v) * math.log(p[P_E_HI] / p[P_E_LO]))
    state, v = _next(state)
    x0 = (2.0 * _uniform(v) - 1.0) * p[P_IMPACT_HALF]
    state, v = _next(state)
    y0 = (2.0 * _uniform(v) - 1.0) * p[P_IMPACT_HALF]
    state, v = _next(state)
    c_type = -0.5 if (v >> np.uint64(63)) == np.uint64(0) else 0.5  # electron / photon
    z_t = table[np.int64(v & np.uint64(0xFFFF))]
    state, v = _next(state)
    u_t0 = _uniform(v)

    b = p[P_B]
    width = 1.0
    t0 = 0.0
    visible = energy
    if is_signal:
        b = p[P_HAD_B]
        width = p[P_HAD_WIDTH]
        t0 = u_t0 * p[P_HAD_T0_MAX]
        visible = energy * p[P_HAD_VISIBLE]
    tmax = math.log(energy / p[P_EC]) + c_type + p[P_TMAX_SIGMA] * z_t
    if tmax < 0.5:
        tmax = 0.5
    a = 1.0 + b * tmax
    if is_signal:  # shifted start: compute the longitudinal CDF at the layer edges directly
        lgam_a = _lgamma(a)
        for k in range(N_LAYERS + 1):
            cdf[k] = _gammainc(a, lgam_a, b * max(p[P_EDGE0 + k] - t0, 0.0))
    else:  # EM shower: interpolate the table (linear in a)
        pos = (a - p[P_LTAB_A0]) / p[P_LTAB_STEP]
        pos = min(max(pos, 0.0), N_LTAB - 1.0)
        i = min(int(pos), N_LTAB - 2)
        f = pos - i
        for k in range(N_LAYERS + 1):
            cdf[k] = ltab[i, k] + f * (ltab[i + 1, k] - ltab[i, k])

    lane = 4
    word = np.uint64(0)
    for layer in range(N_LAYERS):
        e_layer = visible * (cdf[layer + 1] - cdf[layer])
        pitch = p[P_PITCH0 + layer]
        sc = p[P_CORE0 + layer] * width
        st = p[P_TAIL0 + layer] * width
        for i in range(GRID + 1):  # Phi at the 5 cell edges, per axis and component
            edge = (i - 2) * pitch
            fx[0, i] = _phi((edge - x0) / sc, ptab)
            fx[1, i] = _phi((edge - x0) / st, ptab)
            fy[0, i] = _phi((edge - y0) / sc, ptab)
            fy[1, i] = _phi((edge - y0) / st, ptab)
        for i in range(GRID):  # edge values -> share of each cell column/row
            for comp in range(2):
                fx[comp, i] = fx[comp, i + 1] - fx[comp, i]
                fy[comp, i] = fy[comp, i + 1] - fy[comp, i]
        pu_mean = n_pu * p[P_PU_MEAN0 + layer]
        noise = p[P_NOISE0 + layer]
        var_fixed = noise * noise + 2.0 * pu_mean * p[P_PU_HIT]
        pc = p[P_CORE_FRACTION]
        pt = 1.0 - pc
        stoch2 = p[P_STOCH] * p[P_STOCH]
        cpg = p[P_COUNTS_PER_GEV]
        max_count = p[P_MAX_COUNT]
        base = layer * GRID * GRID
        for iy in range(GRID):
            wc = e_layer * pc * fy[0, iy]
            wt = e_layer * pt * fy[1, iy]
            for ix in range(GRID):
                e = wc * fx[0, ix] + wt * fx[1, ix]
                if lane == 4:
                    state, word = _next(state)
                    lane = 0
                z = table[np.int64(word & np.uint64(0xFFFF))]
                word = word >> np.uint64(16)
                lane += 1
                q = (e + pu_mean + math.sqrt(stoch2 * e + var_fixed) * z) * cpg
                if q <= 0.0:
                    row[base + iy * GRID + ix] = 0
                elif q >= max_count:
                    row[base + iy * GRID + ix] = np.uint32(max_count)
                else:
                    row[base + iy * GRID + ix] = np.uint32(np.int64(q))  # floor: q > 0
    return (1 if is_signal else 0), energy


@numba.njit(**_JIT)
def _fill_chunk(keys, pileup, p, table, ptab, ltab, cells, label, energy, start, stop):
    fx = np.empty((2, GRID + 1))
    fy = np.empty((2, GRID + 1))
    cdf = np.empty(N_LAYERS + 1)
    for i in range(start, stop):
        lab, e = _one_event(keys[i], np.float64(pileup[i]), p, table, ptab, ltab, cells[i], fx, fy, cdf)
        label[i] = lab
        energy[i] = e


@numba.njit(parallel=True, **_JIT)
def _fill_parallel(keys, pileup, p, table, ptab, ltab, cells, label, energy):
    n = keys.size
    n_chunks = (n + _CHUNK - 1) // _CHUNK
    for c in numba.prange(n_chunks):
        _fill_chunk(keys, pileup, p, table, ptab, ltab, cells, label, energy, c * _CHUNK, min(n, (c + 1) * _CHUNK))


def event_key(seed: int, events: np.ndarray) -> np.ndarray:
    """Per-event generator key: SplitMix64 finalizer of (event, seed) (uint64)."""
    with np.errstate(over="ignore"):
        s = np.uint64(_mix_int((seed & _MASK64) ^ 0x5CA1AB1E))
        z = events.astype(np.uint64) * np.uint64(_GOLDEN) ^ s
        z = (z ^ (z >> np.uint64(30))) * np.uint64(_M1)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(_M2)
        return z ^ (z >> np.uint64(31))


def fill_showers(keys, pileup, params, table, ptab, ltab, cells, label, energy) -> None:
    """Fill ``cells`` (n, 48) uint32, ``label`` (n,) int8 and ``energy`` (n,) float64 in place.

    ``keys`` (n,) uint64 from :func:`event_key`; ``pileup`` (n,) pileup counts;
    ``params`` the float64 vector of :meth:`streams.calo.ShowerParams.as_array`;
    ``table`` the 65536 normal quantiles; ``ptab`` the :func:`phi_table`; ``ltab`` the
    :func:`long_table` of ``params``. Callers
    validate dtypes and contiguity.
    """
    _fill_parallel(keys, pileup, params, table, ptab, ltab, cells, label, energy)


# --------------------------------------------------------------------------
# plain-Python reference twin (same model, no numba)
# --------------------------------------------------------------------------
def _mix_int(z: int) -> int:
    z = ((z ^ (z >> 30)) * _M1) & _MASK64
    z = ((z ^ (z >> 27)) * _M2) & _MASK64
    return z ^ (z >> 31)


def fill_showers_reference(keys, pileup, params, table, ptab, ltab, cells, label, energy) -> None:
    """Plain-Python twin of :func:`fill_showers` (slow; for tests)."""
    p = [float(v) for v in params]
    gammainc, lgamma = _gammainc.py_func, _lgamma.py_func  # the jitted functions' Python source

    def phi(z):
        return _phi.py_func(z, ptab)

    for i in range(len(keys)):
        state = int(keys[i])
        draws = []
        for _ in range(6):
            state = (state + _GOLDEN) & _MASK64
            draws.append(_mix_int(state))

        def uni(v):
            return float(v >> 11) * (1.0 / 9007199254740992.0)

        is_signal = uni(draws[0]) < p[P_SIGNAL_FRACTION]
        e_true = p[P_E_LO] * math.exp(uni(draws[1]) * math.log(p[P_E_HI] / p[P_E_LO]))
        x0 = (2.0 * uni(draws[2]) - 1.0) * p[P_IMPACT_HALF]
        y0 = (2.0 * uni(draws[3]) - 1.0) * p[P_IMPACT_HALF]
        c_type = -0.5 if draws[4] >> 63 == 0 else 0.5
        z_t = float(table[draws[4] & 0xFFFF])
        b, width, t0, visible = p[P_B], 1.0, 0.0, e_true
        if is_signal:
            b, width = p[P_HAD_B], p[P_HAD_WIDTH]
            t0 = uni(draws[5]) * p[P_HAD_T0_MAX]
            visible = e_true * p[P_HAD_VISIBLE]
        tmax = max(math.log(e_true / p[P_EC]) + c_type + p[P_TMAX_SIGMA] * z_t, 0.5)
        a = 1.0 + b * tmax
        if is_signal:
            lgam_a = lgamma(a)
            cdf = [gammainc(a, lgam_a, b * max(p[P_EDGE0 + k] - t0, 0.0)) for k in range(N_LAYERS + 1)]
        else:
            pos = min(max((a - p[P_LTAB_A0]) / p[P_LTAB_STEP], 0.0), N_LTAB - 1.0)
            j = min(int(pos), N_LTAB - 2)
            f = pos - j
            cdf = [float(ltab[j, k]) + f * (float(ltab[j + 1, k]) - float(ltab[j, k])) for k in range(N_LAYERS + 1)]
        normals = []
        for _ in range(N_CELLS // 4):
            state = (state + _GOLDEN) & _MASK64
            w = _mix_int(state)
            normals.extend(float(table[(w >> (16 * k)) & 0xFFFF]) for k in range(4))
        n_pu = float(pileup[i])
        for layer in range(N_LAYERS):
            e_layer = visible * (cdf[layer + 1] - cdf[layer])
            pitch = p[P_PITCH0 + layer]
            sc, st = p[P_CORE0 + layer] * width, p[P_TAIL0 + layer] * width

            def frac(c, s, k, pitch=pitch):
                return phi(((k - 1) * pitch - c) / s) - phi(((k - 2) * pitch - c) / s)

            pu_mean = n_pu * p[P_PU_MEAN0 + layer]
            var_fixed = p[P_NOISE0 + layer] * p[P_NOISE0 + layer] + 2.0 * pu_mean * p[P_PU_HIT]
            pc = p[P_CORE_FRACTION]
            for iy in range(GRID):
                for ix in range(GRID):
                    cell = layer * GRID * GRID + iy * GRID + ix
                    core = e_layer * pc * frac(y0, sc, iy) * frac(x0, sc, ix)
                    tail = e_layer * (1.0 - pc) * frac(y0, st, iy) * frac(x0, st, ix)
                    e = core + tail
                    sigma = math.sqrt(p[P_STOCH] * p[P_STOCH] * e + var_fixed)
                    counts = (e + pu_mean + sigma * normals[cell]) * p[P_COUNTS_PER_GEV]
                    cells[i, cell] = 0 if counts <= 0.0 else min(math.floor(counts), int(p[P_MAX_COUNT]))
        label[i] = 1 if is_signal else 0
        energy[i] = e_true
