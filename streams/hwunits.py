"""L1 objects in hardware units, and the 57-value anomaly-detection input vector.

Defines the field table :data:`FIELDS` (bit width, signedness, LSB, offset of every
quantity the uGT receives), the conversion of physical values (GeV, eta, phi in
radians) to those integer codes, the GeV -> code thresholds seeds compare against
(:func:`gev_to_hw_threshold`), and :func:`build_l1_inputs`, which turns jagged
object collections into the (N, 57) int32 ``l1_inputs`` column of
:mod:`streams.schema` (its numba kernels live in :mod:`streams.hwkernels`). The
sources (:mod:`streams.synthetic`, :mod:`streams.root_source`) call it;
:mod:`triggeremu.decisions` reads :data:`SLICES` and :data:`FIELDS` for classic seeds.

Numbers: docs/design.md "L1 objects in hardware units" (uGT firmware spec); the calo
LSBs are the constants ``kGTEtLSB = 0.5``, ``kGTEtaLSB = 0.0435`` of CMSSW
``L1Trigger/L1TCalorimeter/src/CaloTools.cc`` (CMSSW writes ``kGTPhiLSB = 0.0435``
as a rounded 2pi/144; here phi uses 2pi/144 exactly, 144 codes per turn).

Conventions (as data in :data:`CONVENTIONS`):

- ``code = floor(x / lsb) + offset`` computed in float64 (float32 inputs are widened
  exactly first). Floor of pT / LSB is what the L1 calorimeter trigger does for
  energies; for eta and phi it is the index of the bin that holds the value.
- Non-angular fields saturate at their width: unsigned 0..2^bits-1, signed (two's
  complement) -2^(bits-1)..2^(bits-1)-1.
- Angles are periodic: phi is taken modulo 2pi, i.e. ``code = floor(phi / lsb) mod
  n_bins`` (0..143 for calo and MET phi, 0..575 for muon phi), reduced exactly with
  fmod; they never saturate (a finite |phi| so large that phi / lsb overflows gets 0).
- Muon pT: ``code = floor(pT / 0.5) + 1`` so that pT = (code - 1) x 0.5 GeV and code 0
  means "no muon" (uGMT convention).
- The vector: MET (pT, eta = 0, phi), 4 e/gamma (electrons and photons merged), 4
  muons, 10 jets, each (pT, eta, phi), zero-padded. Objects are ordered by pT *code*,
  highest first; ties keep input order (for e/gamma: all electrons, in file order,
  before all photons). An object whose pT code is 0 cannot be told from padding and is
  left out (so a zero pT always comes with zero eta and phi); MET is always written.
- An event with NaN or inf in any pT/eta/phi of any object (or its MET) gets
  ``bad_input = 1`` and an all-zero row; it is never converted to numbers.
- Input anomalies (:data:`ANOMALY_KINDS`, the ``input_anomaly`` bit flags of
  :func:`build_l1_inputs`): finite values the conversion coerces are flagged per event,
  per kind, over every object of the input collections (kept in the vector or not):
  ``negative_pt`` (coded 0, the object vanishes), ``negative_met`` (coded 0),
  ``eta_out_of_range`` (beyond the eta field: saturated), ``phi_out_of_range`` (|phi| >
  pi, beyond float32's pi: wrapped), ``saturated`` (a pT or MET code clipped at its
  field's top). The codes are the same whether or not they are counted; the run
  summary counts events per kind (``input_anomalies``) and the menu's ``[run]
  drop_input_anomalies = true`` drops them (reason ``input_anomaly:<first kind>``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from streams.hwkernels import (
    ETA_OUT_OF_RANGE,
    NEGATIVE_MET,
    NEGATIVE_PT,
    PHI_OUT_OF_RANGE,
    SATURATED,
    anomaly_kernel,
    block_kernel,
    object_codes,
    nonfinite_kernel,
    quantize_kernel,
    select_objects,
)
from streams.schema import N_L1_INPUTS

__all__ = [
    "FieldSpec",
    "FIELDS",
    "OBJECT_FIELDS",
    "CONVENTIONS",
    "L1_INPUT_BLOCKS",
    "L1_INPUT_NAMES",
    "SLICES",
    "Objects",
    "to_hw",
    "from_hw",
    "gev_to_hw_threshold",
    "field_params",
    "quantize_fast",
    "build_l1_inputs",
    "build_l1_inputs_reference",
    "ANOMALY_KINDS",
    "ANOMALY_BITS",
    "PHI_LIMIT",
    "input_anomalies",
]

#: what the conversion coerces, counted per kind (bits of the ``input_anomaly`` column):
#: a negative object pT (coded 0, so the object is dropped), a negative MET (coded 0), an
#: eta beyond its field (saturated), |phi| beyond pi (wrapped), a pT or MET code clipped
#: at the top of its field
ANOMALY_KINDS = ("negative_pt", "negative_met", "eta_out_of_range", "phi_out_of_range", "saturated")
ANOMALY_BITS = dict(zip(ANOMALY_KINDS, (NEGATIVE_PT, NEGATIVE_MET, ETA_OUT_OF_RANGE, PHI_OUT_OF_RANGE, SATURATED),
                        strict=True))
#: |phi| above this is non-physical (pi, plus room for pi stored as float32: 3.1415927)
PHI_LIMIT = math.pi * (1 + 1e-6)

_TWO_PI = 2.0 * math.pi


@dataclass(frozen=True)
class FieldSpec:
    """One hardware field: ``code = floor(x / lsb) + offset``, saturated or periodic."""

    name: str
    bits: int
    signed: bool
    lsb: float
    offset: int = 0
    #: angles: number of codes per 2pi turn; the code wraps modulo this instead of saturating
    period_codes: int | None = None

    @property
    def lo(self) -> int:
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def hi(self) -> int:
        if self.period_codes is not None:
            return self.period_codes - 1
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1

    def quantize(self, x: np.ndarray) -> np.ndarray:
        """Codes (int32) of finite values; raises ``ValueError`` on NaN/inf."""
        x = np.asarray(x, dtype=np.float64)
        if not np.isfinite(x).all():
            bad = int(np.count_nonzero(~np.isfinite(x)))
            msg = (
                f"{self.name}: {bad} value(s) are NaN or inf and have no hardware code; "
                "filter them first (build_l1_inputs flags such events as bad_input)"
            )
            raise ValueError(msg)
        return _quantize_finite(self, x)

    def physical(self, code: np.ndarray) -> np.ndarray:
        """Lower edge of each code's bin, in physical units (float64)."""
        return (np.asarray(code, dtype=np.float64) - self.offset) * self.lsb


def _quantize_finite(spec: FieldSpec, x: np.ndarray) -> np.ndarray:
    """:meth:`FieldSpec.quantize` without the finiteness check (x float64, finite)."""
    with np.errstate(over="ignore"):  # |x| near the float64 limit: x / lsb -> inf
        idx = np.floor(x / spec.lsb)
    if spec.period_codes is not None:
        n = spec.period_codes
        finite = np.isfinite(idx)
        r = np.fmod(np.where(finite, idx, 0.0), n)  # exact on integer-valued floats
        r = np.where(r < 0, r + n, r)
        return np.where(finite, r, 0).astype(np.int32)
    return np.clip(idx + spec.offset, spec.lo, spec.hi).astype(np.int32)


_CALO_PHI_LSB = _TWO_PI / 144
_MUON_PHI_LSB = _TWO_PI / 576

#: every hardware field, by name (docs/design.md "L1 objects in hardware units")
FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("egamma_pt", 9, False, 0.5),
        FieldSpec("tau_pt", 9, False, 0.5),
        FieldSpec("jet_pt", 11, False, 0.5),
        FieldSpec("muon_pt", 9, False, 0.5, offset=1),
        FieldSpec("met_pt", 12, False, 0.5),
        FieldSpec("calo_eta", 8, True, 0.0435),
        FieldSpec("calo_phi", 8, False, _CALO_PHI_LSB, period_codes=144),
        FieldSpec("muon_eta", 9, True, 0.010875),
        FieldSpec("muon_phi", 10, False, _MUON_PHI_LSB, period_codes=576),
        FieldSpec("met_phi", 8, False, _CALO_PHI_LSB, period_codes=144),
    )
}

#: object kind -> (pT field, eta field or None, phi field)
OBJECT_FIELDS: dict[str, tuple[str, str | None, str]] = {
    "egamma": ("egamma_pt", "calo_eta", "calo_phi"),
    "tau": ("tau_pt", "calo_eta", "calo_phi"),
    "jet": ("jet_pt", "calo_eta", "calo_phi"),
    "muon": ("muon_pt", "muon_eta", "muon_phi"),
    "met": ("met_pt", None, "met_phi"),
}

#: the conventions golden values depend on, with the upstream source that defines them
CONVENTIONS = {
    "rounding": "floor(x / lsb) + offset, in float64",
    "overflow": "saturate to the field width (signed: two's complement range)",
    "angles": "phi modulo 2pi: floor(phi / lsb) mod codes_per_turn (exact fmod)",
    "muon_pt": "code = floor(pT / 0.5) + 1, pT = (code - 1) x 0.5, code 0 = no muon",
    "order": "pT code descending, ties keep input order (electrons before photons)",
    "zero_pt": "objects with pT code 0 are left out (zero-padded slot)",
    "thresholds": "gev_to_hw_threshold: ceil(gev / lsb) + offset, exact rational, not clamped",
    "source": ("CMSSW L1Trigger/L1TCalorimeter/src/CaloTools.cc: kGTEtLSB = 0.5, kGTEtaLSB = 0.0435; "
               "uGT/uGMT object formats (docs/design.md 'L1 objects in hardware units')"),
}

#: (slice key, object kind, number of objects) in vector order
L1_INPUT_BLOCKS: tuple[tuple[str, str, int], ...] = (
    ("met", "met", 1),
    ("eg", "egamma", 4),
    ("mu", "muon", 4),
    ("jet", "jet", 10),
)


def _layout() -> tuple[tuple[str, ...], dict[str, slice]]:
    names: list[str] = []
    slices: dict[str, slice] = {}
    for key, _kind, count in L1_INPUT_BLOCKS:
        start = len(names)
        for i in range(count):
            prefix = key if count == 1 else f"{key}{i}"
            names += [f"{prefix}_pt", f"{prefix}_eta", f"{prefix}_phi"]
        slices[key] = slice(start, len(names))
    return tuple(names), slices


#: the 57 column names: met_pt, met_eta, met_phi, eg0_pt, ..., mu3_phi, jet0_pt, ..., jet9_phi
L1_INPUT_NAMES, SLICES = _layout()
if len(L1_INPUT_NAMES) != N_L1_INPUTS:  # pragma: no cover - guards an edit of the table
    raise RuntimeError(f"L1 input layout has {len(L1_INPUT_NAMES)} values, schema says {N_L1_INPUTS}")

_THRESHOLD_ALIASES = {
    "eg": "egamma_pt",
    "egamma": "egamma_pt",
    "tau": "tau_pt",
    "jet": "jet_pt",
    "ht": "jet_pt",
    "mu": "muon_pt",
    "muon": "muon_pt",
    "met": "met_pt",
}


def _field(name: str) -> FieldSpec:
    try:
        return FIELDS[name]
    except KeyError:
        msg = f"unknown hardware field {name!r}; known fields are {sorted(FIELDS)}"
        raise KeyError(msg) from None


def to_hw(field: str, values: np.ndarray) -> np.ndarray:
    """Codes (int32) of physical values for one field of :data:`FIELDS`."""
    return _field(field).quantize(values)


def from_hw(field: str, codes: np.ndarray) -> np.ndarray:
    """Physical value (lower bin edge, float64) of codes for one field."""
    return _field(field).physical(codes)


def gev_to_hw_threshold(kind: str, gev: float) -> int:
    """Smallest code ``thr`` with ``code >= thr  <=>  physical pT >= gev``.

    ``kind`` is a pT field name (``"jet_pt"``, ``"muon_pt"``, ...) or an object name
    (``"jet"``, ``"mu"``, ``"eg"``, ``"met"``; ``"ht"`` uses the jet pT scale, as an HT
    sum of jet codes). Physical pT is ``(code - offset) x lsb``, so for muons
    ``(code - 1) x 0.5 >= gev``. Exact: ``ceil(gev / lsb) + offset`` in rational
    arithmetic on the float ``gev``. Not clamped to the field width, so the same
    threshold serves sums of codes; a single object never reaches a threshold above
    its largest code.
    """
    spec = _field(_THRESHOLD_ALIASES.get(kind, kind))
    if not spec.name.endswith("_pt"):
        msg = f"gev_to_hw_threshold needs a pT field, got {spec.name!r}; use one of {sorted(_THRESHOLD_ALIASES)}"
        raise ValueError(msg)
    if not math.isfinite(gev) or gev < 0:
        msg = f"threshold {gev!r} GeV for {kind!r} must be a finite number >= 0"
        raise ValueError(msg)
    ratio = Fraction(gev) / Fraction(spec.lsb)
    return int(math.ceil(ratio)) + spec.offset


# --------------------------------------------------------------------- collections
@dataclass(frozen=True)
class Objects:
    """A jagged collection over N events: ``offsets`` (N+1, int64, offsets[0] may be
    non-zero) and flat float32/float64 arrays ``pt``, ``eta``, ``phi`` (at least
    offsets[-1] long). float32 values are widened exactly to float64 before dividing."""

    offsets: np.ndarray
    pt: np.ndarray
    eta: np.ndarray
    phi: np.ndarray

    def __post_init__(self) -> None:
        off = np.ascontiguousarray(self.offsets, dtype=np.int64)
        if off.ndim != 1 or off.size == 0 or off[0] < 0 or np.any(off[1:] < off[:-1]):
            msg = "Objects.offsets must be a 1-D, non-decreasing array of N+1 offsets >= 0"
            raise ValueError(msg)
        object.__setattr__(self, "offsets", off)
        for name in ("pt", "eta", "phi"):
            arr = np.ascontiguousarray(getattr(self, name))
            if arr.dtype not in (np.float32, np.float64):
                arr = arr.astype(np.float64)
            if arr.ndim != 1 or arr.size < off[-1]:
                msg = f"Objects.{name} has {arr.size} values, offsets need {int(off[-1])}"
                raise ValueError(msg)
            object.__setattr__(self, name, arr)

    @property
    def n_events(self) -> int:
        return self.offsets.size - 1

    @classmethod
    def empty(cls, n_events: int) -> Objects:
        z = np.zeros(0)
        return cls(np.zeros(n_events + 1, dtype=np.int64), z, z, z)

    @classmethod
    def from_lists(cls, pt: Sequence[Sequence[float]], eta: Sequence[Sequence[float]],
                   phi: Sequence[Sequence[float]]) -> Objects:
        """From per-event Python lists (tests, small inputs)."""
        counts = [len(p) for p in pt]
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        flat = [np.array([v for ev in col for v in ev], dtype=np.float64) for col in (pt, eta, phi)]
        return cls(offsets, *flat)

    def nonfinite_per_event(self) -> np.ndarray:
        """Number of objects with a NaN/inf pt, eta or phi, per event (int64)."""
        out = np.zeros(self.n_events, dtype=np.int64)
        nonfinite_kernel(self.offsets, self.pt, self.eta, self.phi, out)
        return out


def _codes(objs: Objects, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """pt, eta, phi codes of every object (non-finite values coded as 0)."""
    return tuple(quantize_fast(FIELDS[f], x)  # type: ignore[return-value]
                 for f, x in zip(OBJECT_FIELDS[kind], (objs.pt, objs.eta, objs.phi), strict=True))


# --------------------------------------------------------------------- fast paths
def field_params(spec: FieldSpec) -> tuple[float, int, int, int, int]:
    """``(lsb, offset, lo, hi, period)`` of a field, the arguments of :func:`quantize_scalar`
    (period 0 for saturating fields)."""
    return spec.lsb, spec.offset, spec.lo, spec.hi, spec.period_codes or 0


def quantize_fast(spec: FieldSpec, x: np.ndarray) -> np.ndarray:
    """Codes (int32) of ``x`` for ``spec`` (fast kernel; NaN/inf give 0, no error).
    Twin: :meth:`FieldSpec.quantize` on finite values."""
    x = np.ascontiguousarray(x)
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float64)
    out = np.empty(x.shape, dtype=np.int32)
    quantize_kernel(x.reshape(-1), *field_params(spec), out.reshape(-1))
    return out


def input_anomalies(kind: str, objs: Objects, out: np.ndarray) -> None:
    """OR the :data:`ANOMALY_BITS` of every object of ``objs`` (an object kind of
    :data:`OBJECT_FIELDS`, or ``"met"`` with MET as one object per event) into ``out``
    (N,) uint8, from the physical values the conversion coerces (finite values only)."""
    pt_f, eta_f, _ = OBJECT_FIELDS[kind]
    p = FIELDS[pt_f]
    e = FIELDS[eta_f] if eta_f is not None else FIELDS["calo_eta"]
    neg = NEGATIVE_MET if kind == "met" else NEGATIVE_PT
    anomaly_kernel(objs.offsets, objs.pt, objs.eta, objs.phi, neg, p.lsb, p.offset, p.hi, e.lsb, e.lo, e.hi,
                   eta_f is not None, PHI_LIMIT, out)


def build_l1_inputs(
    n_events: int,
    *,
    egamma: Sequence[Objects] = (),
    muon: Objects | None = None,
    jet: Objects | None = None,
    met_pt: np.ndarray | None = None,
    met_phi: np.ndarray | None = None,
    anomaly: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The (N, 57) int32 L1 input vector and the (N,) uint8 ``bad_input`` flags.

    ``egamma`` holds one or two collections merged in the given order (electrons, then
    photons); an absent collection (None / empty sequence) gives zero slots. Rows of
    events with NaN/inf anywhere in their objects or MET are all zero with bad = 1.
    ``anomaly`` ((N,) uint8): the :data:`ANOMALY_BITS` of every object and the MET are
    OR-ed into it (see :func:`input_anomalies`); the codes are the same with or without.

    Each collection is one pass of :func:`streams.hwkernels.object_codes` (codes and
    flags) and each object block one pass of :func:`streams.hwkernels.block_kernel`
    (top-k, counts); the composition of the separate kernels, one pass per quantity, is
    :func:`build_l1_inputs_reference`.
    """
    out = np.zeros((n_events, N_L1_INPUTS), dtype=np.int32)
    nonfinite = np.zeros(n_events, dtype=np.int64)
    flags = np.zeros(n_events, dtype=np.uint8) if anomaly is None else anomaly
    if flags.shape != (n_events,) or flags.dtype != np.uint8:
        msg = f"anomaly must be a (n_events,) uint8 array, got {flags.dtype} {flags.shape}"
        raise ValueError(msg)
    groups = _groups(n_events, egamma, muon, jet)
    for key, kind, count in L1_INPUT_BLOCKS:
        colls = groups.get(kind)
        if not colls:
            continue
        if len(colls) == 1:
            e = np.zeros(0, dtype=np.float64)
            colls = [colls[0], Objects(np.zeros(n_events + 1, dtype=np.int64), e, e, e)]
        pp, ep, fp = (np.array(field_params(FIELDS[f]), dtype=np.float64) for f in OBJECT_FIELDS[kind])
        coded = []
        for c in colls:
            sub = _rebased(c)
            size = int(sub.offsets[-1])
            pc, ec, fc = (np.empty(size, dtype=np.int32) for _ in range(3))
            fl = np.empty(size, dtype=np.uint8)
            object_codes(sub.pt[:size], sub.eta[:size], sub.phi[:size], pp, ep, fp, NEGATIVE_PT, PHI_LIMIT,
                         pc, ec, fc, fl)
            coded.append((sub.offsets, pc, ec, fc, fl))
        block_kernel(*coded[0], *coded[1], count, SLICES[key].start, out, nonfinite, flags)
    _met_into(n_events, met_pt, met_phi, out, nonfinite, flags)
    bad = nonfinite > 0
    out[bad] = 0
    return out, bad.astype(np.uint8)


def _groups(n_events: int, egamma, muon, jet) -> dict[str, list[Objects]]:
    if len(egamma) > 2:
        msg = f"egamma takes at most two collections (electrons, photons), got {len(egamma)}"
        raise ValueError(msg)
    groups = {"egamma": list(egamma), "muon": [muon] if muon is not None else [],
              "jet": [jet] if jet is not None else []}
    for kind, colls in groups.items():
        for objs in colls:
            if objs.n_events != n_events:
                msg = f"{kind} collection covers {objs.n_events} events, expected {n_events}"
                raise ValueError(msg)
    return groups


def _rebased(objs: Objects) -> Objects:
    lo, hi = objs.offsets[0], objs.offsets[-1]
    if lo == 0:
        return objs
    return Objects(objs.offsets - lo, objs.pt[lo:hi], objs.eta[lo:hi], objs.phi[lo:hi])


def _met_into(n_events, met_pt, met_phi, out, nonfinite, flags) -> None:
    if met_pt is None and met_phi is None:
        return
    mp = np.zeros(n_events) if met_pt is None else np.asarray(met_pt, dtype=np.float64)
    mf = np.zeros(n_events) if met_phi is None else np.asarray(met_phi, dtype=np.float64)
    if mp.shape != (n_events,) or mf.shape != (n_events,):
        msg = f"MET arrays must have shape ({n_events},), got {mp.shape} and {mf.shape}"
        raise ValueError(msg)
    ok = np.isfinite(mp) & np.isfinite(mf)
    nonfinite += ~ok
    met = Objects(np.arange(n_events + 1, dtype=np.int64), mp, np.zeros(n_events), mf)
    input_anomalies("met", met, flags)
    s = SLICES["met"].start
    out[:, s] = quantize_fast(FIELDS["met_pt"], mp)
    out[:, s + 2] = quantize_fast(FIELDS["met_phi"], mf)


def build_l1_inputs_reference(
    n_events: int,
    *,
    egamma: Sequence[Objects] = (),
    muon: Objects | None = None,
    jet: Objects | None = None,
    met_pt: np.ndarray | None = None,
    met_phi: np.ndarray | None = None,
    anomaly: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`build_l1_inputs` from the separate kernels, one array pass each
    (non-finite count, anomaly bits, codes, top-k selection): the fused kernel's twin."""
    out = np.zeros((n_events, N_L1_INPUTS), dtype=np.int32)
    nonfinite = np.zeros(n_events, dtype=np.int64)
    flags = np.zeros(n_events, dtype=np.uint8) if anomaly is None else anomaly
    for key, kind, count in L1_INPUT_BLOCKS:
        coded = []
        for objs in _groups(n_events, egamma, muon, jet).get(kind, []):
            nonfinite += objs.nonfinite_per_event()
            input_anomalies(kind, objs, flags)
            sub = _rebased(objs)
            coded.append((sub.offsets, *_codes(sub, kind)))
        if coded:
            select_objects(coded, count, SLICES[key].start, out)
    _met_into(n_events, met_pt, met_phi, out, nonfinite, flags)
    bad = nonfinite > 0
    out[bad] = 0
    return out, bad.astype(np.uint8)
