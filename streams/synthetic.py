"""A seeded synthetic source of L1 events, fast enough never to be the bottleneck.

:class:`SyntheticL1Source` yields column batches (see :mod:`streams.sourcebase`)
whose ``l1_inputs`` are built in hardware units with the field table and the
ordering rule of :mod:`streams.hwunits` (the same :func:`~streams.hwkernels.quantize_scalar`
and :func:`~streams.hwkernels.push_topk`), inside one numba kernel.

Counter-based randomness: every event draws from its own SplitMix64 stream keyed
by (seed, global event number), so an event has the same content whatever the
batch size. Three independent streams per event: background content, the signal
decision, signal content. Signal objects are *added* to the event's background,
so raising ``signal_fraction`` turns more events into signal (``u < fraction``) and
leaves the background of every other event unchanged.

Background (a rough minimum-bias-like picture; not a physics model): jet count
Poisson with mean 2 + 0.03 x pileup (pileup 0 when no ``pileup_mean``), jet pT
20 GeV x u^(-1/4), i.e. P(pT > x) = (20 GeV / x)^4 (a pT^-5
differential spectrum, so single-object rates at the 2748-bunch scale land near
Run-3 zero-bias values: SingleJet180 about 10 kHz), |eta| < 4.7; e/gamma in 12% of events
(pT 3 + Exp(6) GeV, a second one in 10% of those), muons in 4% (pT 2 + Exp(4) GeV),
|eta| < 2.5 / 2.4; MET = 0.2 x (minus the jet vector sum, from jet phi codes) + noise
of 6 GeV r.m.s. per component (a sum of four uniforms, nearly Gaussian). Signal
(label 1), one of three kinds chosen per event: a muon pair, an e/gamma pair (pT
uniform 20-120 GeV, roughly back to back), or four extra jets of 60-260 GeV (high HT).

Speed and exactness: the jet pT's fourth root is taken with two square roots and a
division instead of libm ``pow``; each event checks with an error bound (a few ulp)
that no code depending on those pT (jet codes, saturation, MET and its phi) could
differ from the definition, and is generated again with ``pow`` otherwise (rare), so
the events are the definition's bit for bit (``generate_l1_batch(..., exact=True)`` is
the definition; a test compares the two). ``input_anomaly`` flags saturated codes (the
only anomaly the generator can make). Any range of events can be made on its own
(:meth:`SyntheticL1Source.make_batch`), which is how distributed runs generate them on
the workers.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numba
import numpy as np

from streams.clock import FillingScheme, assign_bx, poisson_pileup
from streams.hwkernels import JIT_OPTIONS, SATURATED, _code, push_topk, quantize_scalar, write_topk
from streams.hwunits import FIELDS, SLICES, field_params
from streams.schema import N_L1_INPUTS
from streams.sourcebase import SourceOptionError, check_count, default_batch_events

__all__ = ["SyntheticL1Source", "generate_l1_batch", "PARAMS_ORDER"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_STREAM_BACKGROUND = 0x42474E44  # "BGND"
_STREAM_DECISION = 0x53494744  # "SIGD"
_STREAM_SIGNAL = 0x5349474E  # "SIGN"

#: rows of the field-parameter table passed to the kernel
PARAMS_ORDER = ("jet_pt", "calo_eta", "calo_phi", "egamma_pt", "muon_pt", "muon_eta", "muon_phi",
                "met_pt", "met_phi")
_MAX_JETS = 16
#: bit of the ``input_anomaly`` column for a clipped code (streams.hwunits.ANOMALY_BITS)
_SATURATED = np.uint8(SATURATED)


#: cos, sin of the centre of each calo phi bin: the MET recoil uses jet phi codes
_TRIG = np.stack([np.cos((np.arange(144) + 0.5) * 2 * np.pi / 144),
                  np.sin((np.arange(144) + 0.5) * 2 * np.pi / 144)], axis=1)


def _jet_limit(pileup: np.ndarray) -> np.ndarray:
    """exp(-mean jet count) per event, mean = 2 + 0.03 x pileup (vectorized once per batch)."""
    return np.exp(-(2.0 + 0.03 * pileup))


def _param_table() -> np.ndarray:
    return np.array([field_params(FIELDS[name]) for name in PARAMS_ORDER], dtype=np.float64)


_PARAMS = _param_table()
if _PARAMS[0, 0] != 0.5:  # pragma: no cover - guards an edit of the field table (the fast jet check)
    raise RuntimeError("the synthetic generator's fast jet pT check assumes a 0.5 GeV jet pT LSB")


@numba.jit(**JIT_OPTIONS)
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@numba.jit(**JIT_OPTIONS)
def _uniform(state):
    """(new state, u in [0, 1)): one SplitMix64 step."""
    state = state + _GOLDEN
    return state, np.float64(_mix(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@numba.jit(**JIT_OPTIONS)
def _poisson(state, limit):
    """Poisson count with mean -log(limit) (Knuth: multiply uniforms until <= limit)."""
    k = -1
    prod = 1.0
    while prod > limit:
        state, u = _uniform(state)
        prod *= u
        k += 1
    return state, k


@numba.jit(**JIT_OPTIONS)
def _q(params, row, v):
    return quantize_scalar(v, params[row, 0], np.int64(params[row, 1]), np.int64(params[row, 2]),
                           np.int64(params[row, 3]), np.int64(params[row, 4]))


@numba.jit(**JIT_OPTIONS)
def _saturates(params, row, v):
    """True when ``v`` is beyond the top of a saturating field (its code is clipped)."""
    return np.floor(v / params[row, 0]) + params[row, 1] > params[row, 3]


@numba.jit(**JIT_OPTIONS)
def _noise(state):
    """Approximately standard normal: (sum of four uniforms - 2) x sqrt(3) (Irwin-Hall)."""
    acc = 0.0
    for _ in range(4):
        state, u = _uniform(state)
        acc += u
    return state, (acc - 2.0) * 1.7320508075688772


@numba.jit(**JIT_OPTIONS)
def _gauss2(state):
    """Two independent standard normal numbers (Box-Muller)."""
    state, u1 = _uniform(state)
    state, u2 = _uniform(state)
    r = math.sqrt(-2.0 * math.log(1.0 - u1))
    return state, r * math.cos(2.0 * math.pi * u2), r * math.sin(2.0 * math.pi * u2)


@numba.jit(**JIT_OPTIONS)
def _floor_certain(v, err, lsb):
    """True when floor(w / lsb) is the same for every w in [v - err, v + err] (err >= 0
    far above the rounding of v / lsb): v / lsb is more than err / lsb from an integer."""
    x = v / lsb
    d = x - np.floor(x)
    m = err / lsb
    return d > m and d < 1.0 - m


#: relative distance within which the fast jet pT (two sqrt and a division, <= 2 ulp) and
#: the exact one (libm pow, < 1 ulp) always agree, with a wide margin (3 ulp is 7e-16)
_PT_EPS = 4e-15
#: per unit of summed |pT|: how far the fast MET components may be from the exact ones
#: (<= 16 terms of <= 3 ulp each plus the differently rounded partial sums), with margin
_MET_EPS = 1e-13


@numba.jit(inline="always", **JIT_OPTIONS)
def _event(i, ev, key_bg, key_dec, key_sig, sig_fraction, limit, params, trig, col_eg, col_mu, col_jet,
           out, label, anomaly, jets, egs, mus, exact):
    """Generate event ``ev`` into row i. ``exact``: jet pT as ``20 (1 - u)^-1/4`` with libm
    pow, the definition. Otherwise two square roots and a division, within a few ulp: the
    row is kept only when every code that depends on those pT (jet codes, saturation,
    MET, MET phi) is provably the same as the exact one (``_floor_certain`` with the error
    bounds above); returns False when not (the caller generates the event exactly)."""
    two_pi = 2.0 * math.pi
    certain = True
    flags = np.uint8(0)
    for c in range(out.shape[1]):
        out[i, c] = 0
    h = _mix(np.uint64(ev) + np.uint64(1))  # the event counter, hashed once
    st = _mix(key_bg ^ h)
    mj = 0
    me = 0
    mm = 0
    # --- background jets
    st, nj = _poisson(st, limit)
    nj = min(nj, _MAX_JETS)
    mx = 0.0
    my = 0.0
    sum_pt = 0.0
    j_lsb, j_off, j_lo, j_hi = params[0, 0], np.int64(params[0, 1]), np.int64(params[0, 2]), np.int64(params[0, 3])
    for _ in range(nj):
        st, u = _uniform(st)
        if exact:
            pt = 20.0 * (1.0 - u) ** -0.25
        else:
            pt = 20.0 / math.sqrt(math.sqrt(1.0 - u))
        x = pt / j_lsb  # one division: the code, the saturation and the certainty check share it
        fx = np.floor(x)
        if not exact:
            d = x - fx
            m = x * _PT_EPS
            if not (d > m and d < 1.0 - m):
                certain = False
        sum_pt += pt
        if fx + j_off > j_hi:  # _saturates(params, 0, pt)
            flags |= _SATURATED
        st, u = _uniform(st)
        eta = -4.7 + 9.4 * u
        st, u = _uniform(st)
        fc = _q(params, 2, two_pi * u)
        mx -= pt * trig[fc, 0]
        my -= pt * trig[fc, 1]
        # _code(floor(pt / lsb)) is _q(params, 0, pt) for a finite pt
        mj = push_topk(jets, mj, 10, _code(fx, j_off, j_lo, j_hi, 0), _q(params, 1, eta), fc)
    # --- rare leptons
    st, u = _uniform(st)
    n_eg = 0
    if u < 0.12:
        n_eg = 1
        st, u = _uniform(st)
        if u < 0.10:
            n_eg = 2
    for _ in range(n_eg):
        st, u = _uniform(st)
        pt = 3.0 - 6.0 * math.log(1.0 - u)
        if _saturates(params, 3, pt):
            flags |= _SATURATED
        st, u = _uniform(st)
        eta = -2.5 + 5.0 * u
        st, u = _uniform(st)
        me = push_topk(egs, me, 4, _q(params, 3, pt), _q(params, 1, eta), _q(params, 2, two_pi * u))
    st, u = _uniform(st)
    if u < 0.04:
        st, u = _uniform(st)
        pt = 2.0 - 4.0 * math.log(1.0 - u)
        if _saturates(params, 4, pt):
            flags |= _SATURATED
        st, u = _uniform(st)
        eta = -2.4 + 4.8 * u
        st, u = _uniform(st)
        mm = push_topk(mus, mm, 4, _q(params, 4, pt), _q(params, 5, eta), _q(params, 6, two_pi * u))
    st, gx = _noise(st)
    st, gy = _noise(st)
    mx = 0.2 * mx + 6.0 * gx
    my = 0.2 * my + 6.0 * gy
    # --- signal
    _, u = _uniform(_mix(key_dec ^ h))
    if u < sig_fraction:
        label[i] = 1
        ss = _mix(key_sig ^ h)
        ss, u = _uniform(ss)
        kind = min(int(u * 3.0), 2)
        if kind < 2:
            ss, u = _uniform(ss)
            phi1 = two_pi * u
            for leg in range(2):
                ss, u = _uniform(ss)
                pt = 20.0 + 100.0 * u
                ss, u = _uniform(ss)
                ss, g, _g = _gauss2(ss)
                phi = phi1 + leg * (math.pi + 0.3 * g)
                mx -= 0.05 * pt * math.cos(phi)
                my -= 0.05 * pt * math.sin(phi)
                if kind == 0:
                    mm = push_topk(mus, mm, 4, _q(params, 4, pt), _q(params, 5, -2.4 + 4.8 * u),
                                   _q(params, 6, phi))
                else:
                    me = push_topk(egs, me, 4, _q(params, 3, pt), _q(params, 1, -2.5 + 5.0 * u),
                                   _q(params, 2, phi))
        else:
            for _ in range(4):
                ss, u = _uniform(ss)
                pt = 60.0 + 200.0 * u
                if _saturates(params, 0, pt):
                    flags |= _SATURATED
                ss, u = _uniform(ss)
                eta = -2.5 + 5.0 * u
                ss, u = _uniform(ss)
                phi = two_pi * u
                mx -= 0.2 * pt * math.cos(phi)
                my -= 0.2 * pt * math.sin(phi)
                mj = push_topk(jets, mj, 10, _q(params, 0, pt), _q(params, 1, eta), _q(params, 2, phi))
    else:
        label[i] = 0
    met = math.sqrt(mx * mx + my * my)
    phi_met = math.atan2(my, mx)
    if not exact and nj > 0:
        err = _MET_EPS * (sum_pt + abs(mx) + abs(my) + 1.0)
        if met <= 4.0 * err or not _floor_certain(met, err, params[7, 0]) or \
                not _floor_certain(phi_met, 4.0 * err / met + 1e-15, params[8, 0]):
            certain = False
    if _saturates(params, 7, met):
        flags |= _SATURATED
    out[i, 0] = _q(params, 7, met)
    out[i, 2] = _q(params, 8, phi_met)
    write_topk(egs, me, out, i, col_eg)
    write_topk(mus, mm, out, i, col_mu)
    write_topk(jets, mj, out, i, col_jet)
    anomaly[i] = flags
    return certain


@numba.jit(**JIT_OPTIONS)
def _generate_kernel(first_event, key_bg, key_dec, key_sig, sig_fraction, jet_limit, params, trig,
                     col_eg, col_mu, col_jet, out, label, anomaly, exact):
    """Fill rows of ``out`` (N x 57 int32), ``label`` (N int8) and ``anomaly`` (N uint8:
    bit SATURATED when a pT/MET code is clipped at its field's top) for events
    first_event .. first_event + N - 1; ``jet_limit`` (N) is exp(-mean jet count).
    ``exact``: every event by the definition (the twin); otherwise the fast jet pT with
    an exact redo of the rare event whose codes it cannot vouch for. Returns the redos."""
    jets = np.empty((10, 3), dtype=np.int64)
    egs = np.empty((4, 3), dtype=np.int64)
    mus = np.empty((4, 3), dtype=np.int64)
    redone = 0
    for i in range(out.shape[0]):
        ev = first_event + i
        if not _event(i, ev, key_bg, key_dec, key_sig, sig_fraction, jet_limit[i], params, trig, col_eg, col_mu,
                      col_jet, out, label, anomaly, jets, egs, mus, exact):
            _event(i, ev, key_bg, key_dec, key_sig, sig_fraction, jet_limit[i], params, trig, col_eg, col_mu,
                   col_jet, out, label, anomaly, jets, egs, mus, True)
            redone += 1
    return redone


def _key(seed: int, stream: int) -> np.uint64:
    z = (seed * 0x9E3779B97F4A7C15 + stream) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return np.uint64(z ^ (z >> 31))


def generate_l1_batch(first_event: int, n: int, *, seed: int = 0, signal_fraction: float = 0.0,
                      pileup: np.ndarray | None = None, anomaly: np.ndarray | None = None,
                      exact: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``(l1_inputs (n, 57) int32, label (n,) int8)`` of events first_event..+n-1; with
    ``anomaly`` ((n,) uint8) it is filled: bit 4 (saturated) where a pT/MET code is
    clipped. ``exact=True`` computes every jet pT with libm pow (the definition; the
    default fast path gives the same codes, see ``_event``)."""
    out = np.empty((n, N_L1_INPUTS), dtype=np.int32)
    label = np.empty(n, dtype=np.int8)
    flags = np.empty(n, dtype=np.uint8) if anomaly is None else anomaly
    pu = np.zeros(n, dtype=np.float64) if pileup is None else np.asarray(pileup, dtype=np.float64)
    if pu.shape != (n,):
        msg = f"pileup must have one value per event ({n}), got shape {pu.shape}"
        raise SourceOptionError(msg)
    _generate_kernel(first_event, _key(seed, _STREAM_BACKGROUND), _key(seed, _STREAM_DECISION),
                     _key(seed, _STREAM_SIGNAL), float(signal_fraction), _jet_limit(pu), _PARAMS, _TRIG,
                     SLICES["eg"].start, SLICES["mu"].start, SLICES["jet"].start, out, label, flags, bool(exact))
    return out, label


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    return float(value)


class SyntheticL1Source:
    """Seeded background-like L1 events with optional injected signal.

    Iterating yields batches ``dict[str, np.ndarray]``: ``orbit``, ``bx``, ``event``,
    ``l1_inputs`` (N, 57) int32, ``bad_input`` uint8 (zeros), ``input_anomaly`` uint8
    (bit 4: a pT or MET code clipped at its field's top), ``label`` int8 (only when
    ``signal_fraction > 0``), ``pileup`` uint16 (only when ``pileup_mean`` is given;
    :func:`streams.clock.poisson_pileup` per (orbit, bx) with the same seed), ``calo_regions``
    (N, 252) uint16 (only with ``regions=True``: :func:`streams.regions.region_ets` of the event's
    objects and pileup, with the same seed).
    """

    layout = "synthetic"

    def __init__(self, n_events: int, *, seed: int = 0, scheme: FillingScheme | None = None,
                 batch_events: int | None = None, signal_fraction: float = 0.0,
                 pileup_mean: float | None = None, regions: bool = False) -> None:
        self._n = check_count("n_events", n_events)
        self._seed = check_count("seed", seed)
        self._scheme = scheme if scheme is not None else FillingScheme.lhc_25ns_2748()
        self._batch = (default_batch_events(self._scheme) if batch_events is None
                       else check_count("batch_events", batch_events, minimum=1))
        frac = _number(signal_fraction)
        if frac is None or not 0.0 <= frac <= 1.0:
            msg = f"signal_fraction must be a number in [0, 1], got {signal_fraction!r}"
            raise SourceOptionError(msg)
        self._fraction = frac
        mean = None if pileup_mean is None else _number(pileup_mean)
        if pileup_mean is not None and (mean is None or not math.isfinite(mean) or mean < 0):
            msg = f"pileup_mean must be a finite number >= 0 (e.g. 60 for Run 3), got {pileup_mean!r}"
            raise SourceOptionError(msg)
        self._pileup_mean = mean
        self._regions = bool(regions)

    @property
    def n_events(self) -> int:
        return self._n

    @property
    def batch_events(self) -> int:
        return self._batch

    @property
    def scheme(self) -> FillingScheme:
        return self._scheme

    def describe(self) -> dict[str, Any]:
        """Plain, JSON-ready description of the source."""
        return {"layout": self.layout, "n_events": self._n, "seed": self._seed,
                "scheme": self._scheme.name, "batch_events": self._batch,
                "signal_fraction": self._fraction, "pileup_mean": self._pileup_mean, "regions": self._regions}

    def make_batch(self, first_event: int, n: int) -> dict[str, np.ndarray]:
        """Events ``first_event .. first_event+n-1`` as a column dict (the same events as
        in a full pass: randomness is keyed by the event number)."""
        orbit, bx, event = assign_bx(first_event, n, self._scheme)
        pileup = None
        if self._pileup_mean is not None:
            pileup = poisson_pileup(orbit, bx, self._pileup_mean, seed=self._seed)
        anomaly = np.empty(n, dtype=np.uint8)
        l1, label = generate_l1_batch(first_event, n, seed=self._seed, signal_fraction=self._fraction,
                                      pileup=pileup, anomaly=anomaly)
        cols = {"orbit": orbit, "bx": bx, "event": event, "l1_inputs": l1,
                "bad_input": np.zeros(n, dtype=np.uint8), "input_anomaly": anomaly}
        if self._fraction > 0:
            cols["label"] = label
        if pileup is not None:
            cols["pileup"] = pileup
        if self._regions:
            from streams.regions import region_ets

            cols["calo_regions"] = region_ets(l1, event, seed=self._seed, pileup=pileup)
        return cols

    def __iter__(self) -> Iterator[dict[str, np.ndarray]]:
        for start in range(0, self._n, self._batch):
            yield self.make_batch(start, min(self._batch, self._n - start))
