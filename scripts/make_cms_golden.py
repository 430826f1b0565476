"""Golden vectors from the real CMS L1 network emulators (cms-hls4ml), compiled with g++.

For every folder of ``../shared/models/cms-hls4ml`` (or ``--models DIR``) this script
compiles the upstream CMSSW emulator class (``hls4mlEmulator::Model`` subclass) and the
hls4ml network with the harness of ``scripts/cms_golden_harness.py`` against the
ap_types that hls4ml 1.3.0 bundles, runs seeded input sets through it and writes

- ``tests/golden/cms/<FOLDER>.npz``: raw integers (two's-complement mantissas) of every
  input, the wrapper's scaled network input (where it has one) and every result field,
  keyed ``<set>__<array>``, plus ``scales__<name>`` (the wrapper's scale arrays as
  compiled);
- ``tests/golden/cms/MANIFEST.json``: per folder the upstream repository and commit
  (``SOURCE.md``), the sha256 of every upstream file the compiler read, compiler and
  flags, ap_types source and sha256, each array's shape/dtype/fixed-point type/field,
  the sets (seed, count, what they exercise), cross-level checks, the C++ throughput
  of the -O3 build, and the sha256 of the .npz.

Sets (all seeded; the seed of set k of a folder is ``BASE_SEED + 100*k``):

- ``physics`` (wrapper level): inputs as CMSSW builds them. AXOL1TL: 57 ap_fixed<18,13> =
  [MET, 4 e/gamma, 4 muons, 10 jets] x (hwPt/2, hwEta, hwPhi) (L1TGlobal
  AXOL1TLCondition.cc), pT-ordered, absent objects 0, MET eta 0; the first events come
  from the NanoAOD files in ``../shared/data`` converted to hardware units, the rest are
  drawn (falling pT, each field's hardware range). CICADA: 252 10-bit region ETs, index
  14*iPhi + iEta. TOPO: 20 ap_fixed<23,23> hardware integers [MET pt, MET phi, 2 muons,
  4 jets] x (hwPt, hwEta, hwPhi). Jet taggers: constituent features (see the generator).
- ``edge`` (wrapper level): per feature, every rounding tie of the wrapper's scaling,
  one LSB either side, saturation and wrap boundaries, extremes of the input type,
  zeros, and a sweep of the feature's hardware range; features are independent, so
  one event carries an edge value in every column.
- ``network_uniform`` (network level): raw values uniform over each input port type,
  plus rows at the extremes.

Optional extras: g++ and hls4ml==1.3.0 (the ``golden`` extra) or ``--ap-types`` (the
ap_types directory or the hls4ml wheel). Run::

    python scripts/make_cms_golden.py [--folders A B ...] [--out DIR] [--jobs 1|2]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import platform
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

# scripts/ is on sys.path when this file is run as a script
import cms_golden_harness as H

BASE_SEED = 20250617
REPO = Path(__file__).resolve().parents[1]
OUT_DEFAULT = REPO / "tests" / "golden" / "cms"
SIZE_BUDGET = 12 * 1024 * 1024

# events per set, by folder family (sized so the committed total stays under ~12 MB)
COUNTS = {
    "AXOL1TL": {"physics": 4000, "network_uniform": 2000},
    "TOPO": {"physics": 4000, "network_uniform": 2000},
    "CICADA": {"physics": 2000, "network_uniform": 600},
    "L1TSC4NGJetModel": {"physics": 1500, "network_uniform": 300},
    "TOoLLiP": {"physics": 2000, "network_uniform": 800},
}

TWO_PI = 2 * math.pi


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def family(folder: str) -> str:
    for fam in COUNTS:
        if folder.startswith(fam):
            return fam
    msg = f"{folder}: unknown model family (known: {', '.join(COUNTS)})"
    raise H.HarnessError(msg)


# ======================================================================================
# AXOL1TL: 57 inputs as L1TGlobal AXOL1TLCondition.cc builds them
#
# [MET(pt, eta=0, phi), EG1..4, MU1..4, JET1..10] x (hwPt()/2, hwEta(), hwPhi()), int
# division (hwPt >= 0, so floor), pT-ordered as the uGT receives them, absent = 0.
# Muons: hwEtaAtVtx()/hwPhiAtVtx() in the newest versions (hwEta()/hwPhi() earlier);
# both are 9-bit signed eta (LSB 0.010875) and 10-bit phi (0..575).

_AXO_FIELDS = (["met"] + ["eg"] * 4 + ["mu"] * 4 + ["jet"] * 10)
_HW = {  # (hwPt max, eta min, eta max, phi bins)
    "met": (4095, 0, 0, 144),
    "eg": (511, -128, 127, 144),
    "mu": (511, -256, 255, 576),
    "jet": (2047, -128, 127, 144),
}


def _falling_pt(rng, n, *, soft, hard, frac_hard):
    pt = rng.exponential(soft, n)
    h = rng.random(n) < frac_hard
    pt[h] = rng.exponential(hard, int(h.sum())) + soft
    return pt


def _axo_event_from_objects(met, egs, mus, jets):
    """met = (hwPt, hwPhi); others lists of (hwPt, hwEta, hwPhi), any order -> 57 ints."""
    row = [met[0] // 2, 0, met[1]]
    for objs, nmax in ((egs, 4), (mus, 4), (jets, 10)):
        objs = sorted(objs, key=lambda o: -o[0])[:nmax]
        for k in range(nmax):
            if k < len(objs):
                pt, eta, phi = objs[k]
                row += [pt // 2, eta, phi]
            else:
                row += [0, 0, 0]
    return row


def _phi_hw(phi, bins):
    return int(math.floor(((phi % TWO_PI) / TWO_PI) * bins)) % bins


def axo_nanoaod_events() -> list[list[int]]:
    """The NanoAOD files' events as AXOL1TL inputs (offline objects in hardware units)."""
    try:
        import uproot
    except ImportError:
        return []
    data = REPO.parent / "shared" / "data"
    if not data.is_dir():
        data = REPO.parent.parent / "shared" / "data"
    rows = []
    for name in ("nano_dy.root", "nano_dimuon.root"):
        path = data / name
        if not path.is_file():
            continue
        t = uproot.open(path)["Events"]
        a = t.arrays(["MET_pt", "MET_phi", "Jet_pt", "Jet_eta", "Jet_phi", "Muon_pt", "Muon_eta", "Muon_phi",
                      "Electron_pt", "Electron_eta", "Electron_phi", "Photon_pt", "Photon_eta", "Photon_phi"],
                     library="np")
        for i in range(len(a["MET_pt"])):
            met = (min(4095, int(a["MET_pt"][i] / 0.5)), _phi_hw(a["MET_phi"][i], 144))
            egs = [(min(511, int(p / 0.5)), int(np.clip(round(e / 0.0435), -128, 127)), _phi_hw(f, 144))
                   for coll in ("Electron", "Photon")
                   for p, e, f in zip(a[f"{coll}_pt"][i], a[f"{coll}_eta"][i], a[f"{coll}_phi"][i])]
            mus = [(min(511, int(p / 0.5) + 1), int(np.clip(round(e / 0.010875), -256, 255)), _phi_hw(f, 576))
                   for p, e, f in zip(a["Muon_pt"][i], a["Muon_eta"][i], a["Muon_phi"][i])]
            jets = [(min(2047, int(p / 0.5)), int(np.clip(round(e / 0.0435), -128, 127)), _phi_hw(f, 144))
                    for p, e, f in zip(a["Jet_pt"][i], a["Jet_eta"][i], a["Jet_phi"][i])]
            rows.append(_axo_event_from_objects(met, egs, mus, jets))
    return rows


def axo_physics(n: int, rng) -> tuple[np.ndarray, int]:
    rows = axo_nanoaod_events()
    n_nano = len(rows)
    while len(rows) < n:
        met_pt = _falling_pt(rng, 1, soft=20.0, hard=150.0, frac_hard=0.05)[0]
        met = (min(4095, int(met_pt / 0.5)), int(rng.integers(0, 144)))
        n_eg = min(int(rng.poisson(1.2)), 8)
        n_mu = min(int(rng.poisson(0.4)) + (int(rng.integers(2, 6)) if rng.random() < 0.05 else 0), 8)
        n_jet = min(int(rng.poisson(4.0)), 14)
        egs = [(min(511, int(p / 0.5)), int(round(rng.uniform(-2.5, 2.5) / 0.0435)), int(rng.integers(0, 144)))
               for p in _falling_pt(rng, n_eg, soft=12.0, hard=60.0, frac_hard=0.1) + 2.0]
        mus = [(min(511, int(p / 0.5) + 1), int(round(rng.uniform(-2.45, 2.45) / 0.010875)), int(rng.integers(0, 576)))
               for p in _falling_pt(rng, n_mu, soft=8.0, hard=50.0, frac_hard=0.1) + 2.0]
        jets = [(min(2047, int(p / 0.5)), int(round(rng.uniform(-4.7, 4.7) / 0.0435)), int(rng.integers(0, 144)))
                for p in _falling_pt(rng, n_jet, soft=25.0, hard=200.0, frac_hard=0.05) + 5.0]
        if rng.random() < 0.01:  # saturated objects
            if jets:
                jets[0] = (2047, jets[0][1], jets[0][2])
            if egs:
                egs[0] = (511, egs[0][1], egs[0][2])
            met = (4095, met[1])
        rows.append(_axo_event_from_objects(met, egs, mus, jets))
    x = np.array(rows[:n], dtype=np.int64)
    return x * 32, n_nano  # ap_fixed<18,13>: 5 fractional bits


def _wrap(v: int, w: int) -> int:
    m = 1 << w
    v &= m - 1
    return v - m if v >= m >> 1 else v


def axo_scale_ref(x32: int, off32: int, shift: int, w_u: int = 18) -> int:
    """(x - offset) >> shift in ap_fixed<18,13> raw units (1/32), before the input_t cast.

    Used only to place edge inputs; the golden values come from the compiled wrapper.
    """
    t = _wrap(x32 - off32, w_u)
    return t >> shift if shift >= 0 else _wrap(t << -shift, w_u)


def _columns(cols: list[list[int]]) -> np.ndarray:
    """Per-feature value lists side by side, each sorted and repeated cyclically to the longest.

    Sorted columns keep the committed file small (they compress ~3x better than shuffled
    ones); every value of every list appears at least once.
    """
    length = max(len(c) for c in cols)
    x = np.empty((length, len(cols)), dtype=np.int64)
    for j, c in enumerate(cols):
        x[:, j] = np.resize(np.array(sorted(c), dtype=np.int64), length)
    return x


def axo_edge(built: H.Built, rng) -> tuple[np.ndarray, dict]:
    u = built.wrapper_input_type
    t = built.scaled_input_type
    sc = built.scales()
    off_t, off_raw = sc["ad_offsets"]
    sh_t, sh_raw = sc["ad_shift"]
    fu = u.frac_bits
    ft = t.frac_bits
    umin, umax = u.min_raw, u.max_raw
    cols = []
    stats = {"ties": 0, "tie_neighbours": 0, "saturation": 0, "sub_wrap": 0, "shift_wrap": 0, "sweep": 0,
             "extremes": 0}
    for i in range(len(off_raw)):
        off = off_raw[i] << (fu - off_t.frac_bits) if fu >= off_t.frac_bits else off_raw[i] >> (off_t.frac_bits - fu)
        s = sh_raw[i] >> sh_t.frac_bits if sh_t.frac_bits else sh_raw[i]
        vals: set[int] = set()

        def from_y(y32, tag, s=s, off=off, vals=vals):
            """x with (x - off) >> s == y32 (both choices of the dropped bits)."""
            if s >= 0:
                cands = [(y32 << s) + off, (y32 << s) + off + (1 << s) - 1]
            elif y32 % (1 << -s) == 0:
                cands = [(y32 >> -s) + off]
            else:
                cands = []
            for x in cands:
                if umin <= x <= umax and axo_scale_ref(x, off, s) == y32:
                    if x not in vals:
                        stats[tag] += 1
                    vals.add(x)

        # input_t range in raw units of the unscaled type (1/2^fu)
        if ft <= fu:
            d = fu - ft
            lo_y, hi_y = t.min_raw << d, t.max_raw << d
            if d > 0:  # ties of the rounding into input_t (RND_CONV etc.), one LSB either side
                half = 1 << (d - 1)
                for k in range((lo_y >> d) - 2, (hi_y >> d) + 3):
                    y = (k << d) + half
                    from_y(y, "ties")
                    from_y(y - 1, "tie_neighbours")
                    from_y(y + 1, "tie_neighbours")
        else:
            d = ft - fu
            lo_y, hi_y = -((-t.min_raw) >> d), t.max_raw >> d
        for y in (lo_y - 2, lo_y - 1, lo_y, lo_y + 1, hi_y - 1, hi_y, hi_y + 1, hi_y + 2,
                  hi_y + (1 << max(0, fu - ft)), lo_y - (1 << max(0, fu - ft))):
            from_y(y, "saturation")
        # the subtraction wrapping in ap_fixed<18,13>
        for x in (umin, umin + 1, umin + off - 1, umin + off, umin + off + 1,
                  umax, umax - 1, umax + off - 1, umax + off, umax + off + 1):
            if umin <= x <= umax:
                if x not in vals:
                    stats["sub_wrap"] += 1
                vals.add(x)
        # a negative shift is a left shift that wraps in ap_fixed<18,13>
        if s < 0:
            lim = 1 << (u.width - 1 - (-s))
            for tmp in (lim - 1, lim, lim + 1, -lim, -lim - 1, -lim + 1):
                x = tmp + off
                if umin <= x <= umax:
                    if x not in vals:
                        stats["shift_wrap"] += 1
                    vals.add(x)
        # extremes of the unscaled type and zeros
        for x in (umin, umin + 1, -1, 0, 1, umax - 1, umax, 1 << fu, -(1 << fu)):
            if x not in vals:
                stats["extremes"] += 1
            vals.add(x)
        # every integer of the field's hardware range (what CMSSW passes), 16 beyond
        kind = _AXO_FIELDS[i // 3]
        comp = i % 3
        hwpt, emin, emax, nphi = _HW[kind]
        lo, hi = [(0, hwpt // 2), (emin, emax), (0, nphi - 1)][comp]
        for v in range(lo - 16, hi + 17):
            x = v << fu
            if umin <= x <= umax:
                if x not in vals:
                    stats["sweep"] += 1
                vals.add(x)
        cols.append(sorted(vals))
    x = _columns(cols)
    structured = np.array([[0] * 57, [umax] * 57, [umin] * 57, [1 << fu] * 57, [-(1 << fu)] * 57,
                           [off_raw[i] << (fu - off_t.frac_bits) for i in range(57)]], dtype=np.int64)
    return np.concatenate([structured, x]), stats


# ======================================================================================
# TOPO_HHbbWW_1mu: 20 hardware integers in ap_fixed<23,23>
# Layout of the development L1TGlobal TOPOCondition.cc that feeds a 20-input model:
# [MET hwPt, MET hwPhi, MU1 (hwPt, hwEta, hwPhi), MU2 (...), JET1..4 (hwPt, hwEta, hwPhi)]
# (no hwPt/2 here); the newer 21-input condition (HT + 2 x 4 muon fields + 4 jets) is
# for later models. The wrapper scales with double (x - bias) / norm -> input_t.

_TOPO_FIELDS = [("met", 0), ("met", 2)] + [("mu", c) for _ in range(2) for c in range(3)] + \
    [("jet", c) for _ in range(4) for c in range(3)]


def topo_physics(n: int, rng) -> np.ndarray:
    rows = []
    for _ in range(n):
        met_pt = _falling_pt(rng, 1, soft=25.0, hard=150.0, frac_hard=0.1)[0]
        row = [min(4095, int(met_pt / 0.5)), int(rng.integers(0, 144))]
        n_mu = 1 + int(rng.poisson(0.3)) if rng.random() < 0.9 else 0
        mus = sorted(((min(511, int(p / 0.5) + 1), int(round(rng.uniform(-2.45, 2.45) / 0.010875)),
                       int(rng.integers(0, 576)))
                      for p in _falling_pt(rng, n_mu, soft=10.0, hard=60.0, frac_hard=0.2) + 3.0), reverse=True)
        n_jet = min(int(rng.poisson(4.5)), 10)
        jets = sorted(((min(2047, int(p / 0.5)), int(round(rng.uniform(-2.5, 2.5) / 0.0435)),
                        int(rng.integers(0, 144)))
                       for p in _falling_pt(rng, n_jet, soft=30.0, hard=150.0, frac_hard=0.2) + 10.0), reverse=True)
        for objs, k in ((mus, 2), (jets, 4)):
            for j in range(k):
                row += list(objs[j]) if j < len(objs) else [0, 0, 0]
        rows.append(row)
    return np.array(rows, dtype=np.int64)  # ap_fixed<23,23>: integers, raw = value


def topo_edge(built: H.Built, rng) -> tuple[np.ndarray, dict]:
    u = built.wrapper_input_type
    t = built.scaled_input_type
    sc = built.scales()
    norm = sc["norm"][1]
    bias = sc["bias"][1]
    span = (t.max_raw - t.min_raw + 1) >> t.frac_bits  # 64 for ap_fixed<16,6>
    stats = {"wrap_boundaries": 0, "extremes": 0, "sweep": 0, "lsb_grid": 0}
    cols = []
    for i in range(len(norm)):
        vals: set[int] = set()

        def add(x, tag, vals=vals):
            if u.min_raw <= x <= u.max_raw:
                if x not in vals:
                    stats[tag] += 1
                vals.add(x)

        nrm, b = norm[i], bias[i]
        for k in range(-4, 5):  # (x - b) / n crossing the wrap points of input_t (+-32 + k*64)
            edge = b + (k * span + span // 2) * nrm
            for dx in (-nrm, -1, 0, 1, nrm):
                add(edge + dx, "wrap_boundaries")
        for x in (u.min_raw, u.min_raw + 1, -1, 0, 1, u.max_raw - 1, u.max_raw, b, b - 1, b + 1):
            add(x, "extremes")
        for x in range(b - 3 * nrm, b + 3 * nrm + 1, max(1, nrm // 8)):  # multiples of n/8 about the bias
            add(x, "lsb_grid")
        kind, comp = _TOPO_FIELDS[i]
        hwpt, emin, emax, nphi = _HW[kind]
        lo, hi = [(0, hwpt), (emin, emax), (0, nphi - 1)][comp]
        for x in range(lo - 16, hi + 17):
            add(x, "sweep")
        cols.append(sorted(vals))
    x = _columns(cols)
    structured = np.array([[0] * 20, [u.max_raw] * 20, [u.min_raw] * 20, bias, [b + n for b, n in zip(bias, norm)]],
                          dtype=np.int64)
    return np.concatenate([structured, x]), stats


# ======================================================================================
# CICADA: 252 region ETs (10 bits, LSB 0.5 GeV), index 14*iPhi + iEta (L1TCaloSummary.cc:
# modelInput[14 * gctPhi + (gctEta - 4)] = region.et())


def cicada_physics(n: int, rng) -> np.ndarray:
    x = np.zeros((n, 18, 14), dtype=np.int64)
    for e in range(n):
        lam = rng.uniform(0.2, 3.0)
        eta_w = 1.0 + 0.6 * np.abs(np.arange(14) - 6.5) / 6.5  # busier forward
        x[e] = rng.poisson(lam * eta_w[None, :] * np.ones((18, 1)))
        for _ in range(int(rng.poisson(1.5))):
            et = 20 + rng.exponential(60.0) if rng.random() < 0.9 else rng.uniform(200, 1400)
            ip, ie = int(rng.integers(0, 18)), int(rng.integers(0, 14))
            x[e, ip, ie] += int(0.6 * et)
            for dp in (-1, 0, 1):
                for de in (-1, 0, 1):
                    if (dp or de) and 0 <= ie + de < 14:
                        x[e, (ip + dp) % 18, ie + de] += int(0.05 * et * rng.uniform(0.2, 1.8))
        if rng.random() < 0.02:
            x[e, int(rng.integers(0, 18)), int(rng.integers(0, 14))] = 1023
    return np.clip(x, 0, 1023).reshape(n, 252)


def cicada_edge(built: H.Built, rng) -> tuple[np.ndarray, dict]:
    t = built.wrapper_input_type
    lo, hi = t.min_raw, t.max_raw
    rows = [np.full(252, v) for v in (lo, lo + 1, 2, 511, 512, hi - 1, hi)]
    for k in range(252):  # one saturated region at every position
        r = np.zeros(252, dtype=np.int64)
        r[k] = hi
        rows.append(r)
    for k in rng.choice(252, 40, replace=False):  # one LSB at a random position
        r = np.zeros(252, dtype=np.int64)
        r[k] = 1
        rows.append(r)
    chk = (np.add.outer(np.arange(18), np.arange(14)) % 2).reshape(252)
    rows += [chk * hi, (1 - chk) * hi, np.where(np.arange(252) % 14 < 7, hi, 0), np.where(np.arange(252) < 126, hi, 0)]
    picks = np.array([lo, lo + 1, 2, 255, 256, 511, 512, hi - 1, hi])
    for _ in range(200):
        rows.append(rng.choice(picks, 252))
    x = np.array(rows, dtype=np.int64)
    return x, {"uniform_rows": 7, "single_saturated_region": 252, "single_lsb": 40, "patterns": 4,
               "random_extremes": 200}


# ======================================================================================
# Jet taggers. L1TSC4NGJetModel: 16 constituents x 20 features as L1TSC4NGJetID.cc fills
# them (pt, pt_rel, log pt, deta, dphi, mass, 8 particle-ID one-hots, z0, dxy, is_filled,
# puppi weight, emID, track quality), zero rows for absent constituents, pT-ordered.
# TOoLLiP: 10 constituents x 14 (v1, v2) or 13 (v3) features of ap_fixed<16,6> /
# ap_fixed<12,6>; the folder does not document them, so the physics set draws generic
# constituent-like features (a falling pT-like column, angle-like columns, one-hot and
# small-integer columns), zero for absent constituents.


def _quantize(v: np.ndarray, t: H.FixedType) -> np.ndarray:
    raw = np.floor(v * (1 << t.frac_bits)).astype(np.int64)
    return np.clip(raw, t.min_raw, t.max_raw)


def sc4ng_physics(n: int, rng, t: H.FixedType, n_part: int = 16, n_feat: int = 20) -> np.ndarray:
    x = np.zeros((n, n_part, n_feat))
    masses = [0.0, 0.005, 0.005, 0.105, 0.105, 0.5, 0.13, 0.13]
    charged = [False, True, True, True, True, False, True, True]
    for e in range(n):
        jet_pt = 20 + rng.exponential(60.0)
        k = int(np.clip(rng.poisson(4 + jet_pt / 25), 1, n_part + 4))
        pts = np.sort(rng.dirichlet(np.ones(k) * 0.7) * jet_pt)[::-1][:n_part]
        pts = np.floor(pts * 4) / 4  # l1ct pt_t: 0.25 GeV
        for j, pt in enumerate(pts):
            pid = int(rng.choice(8, p=[0.25, 0.03, 0.03, 0.01, 0.01, 0.17, 0.25, 0.25]))
            f = np.zeros(n_feat)
            f[0] = pt
            f[1] = pt / jet_pt
            f[2] = math.log(max(pt, 0.25))
            f[3] = round(rng.normal(0, 0.12) / (math.pi / 720))
            f[4] = round(rng.normal(0, 0.12) / (math.pi / 720))
            f[5] = masses[pid]
            f[6 + pid] = 1
            if charged[pid]:
                f[14] = int(rng.normal(0, 80))
                f[15] = int(np.clip(rng.normal(0, 10), -128, 127))
                f[19] = int(rng.integers(0, 8))
            else:
                f[17] = int(rng.integers(0, 257))
                f[18] = int(rng.integers(0, 4))
            f[16] = 1
            x[e, j] = f
    return _quantize(x.reshape(n, n_part * n_feat), t)


def toollip_physics(n: int, rng, t: H.FixedType, n_part: int, n_feat: int) -> np.ndarray:
    x = np.zeros((n, n_part, n_feat))
    for e in range(n):
        k = int(np.clip(rng.poisson(6), 1, n_part))
        jet_pt = 20 + rng.exponential(40.0)
        pts = np.sort(rng.dirichlet(np.ones(k)) * jet_pt)[::-1]
        for j in range(k):
            f = np.empty(n_feat)
            f[0] = pts[j] / 8.0
            f[1:3] = rng.normal(0, 0.2, 2)  # angle-like
            f[3] = rng.exponential(1.0) * rng.choice([-1, 1])  # impact-parameter-like
            f[4] = rng.normal(0, 2.0)
            for c in range(5, n_feat):
                r = (c - 5) % 3
                f[c] = (rng.random() < 0.3) if r == 0 else (rng.integers(0, 8) if r == 1 else rng.normal(0, 1.5))
            x[e, j] = f
    return _quantize(x.reshape(n, n_part * n_feat), t)


def generic_edge(built: H.Built, rng, n_random: int = 300) -> tuple[np.ndarray, dict]:
    t = built.wrapper_input_type
    n = int(built.describe["wrapper_input"]["count"])
    lo, hi = t.min_raw, t.max_raw
    one = 1 << t.frac_bits if t.frac_bits < t.width else 1
    picks = sorted({lo, lo + 1, -1 if t.signed else 0, 0, 1, hi - 1, hi, one, -one if t.signed else one})
    rows = [np.full(n, v) for v in picks]
    rows += [np.where(np.arange(n) % 2 == 0, hi, lo), np.where(np.arange(n) % 2 == 0, lo, hi)]
    for _ in range(n_random):
        rows.append(rng.choice(picks, n))
    return np.array(rows, dtype=np.int64), {"uniform_rows": len(picks), "alternating": 2, "random_extremes": n_random}


# ======================================================================================
# network level: uniform raw values over each input port type


def network_uniform(built: H.Built, n: int, rng) -> np.ndarray:
    types = [t for _, c, t in built.ports(output=False) for _ in range(c)]
    lo = np.array([t.min_raw for t in types])
    hi = np.array([t.max_raw for t in types])
    x = rng.integers(lo, hi + 1, size=(n, len(types)), endpoint=False)
    extremes = np.array([lo, hi, np.zeros_like(lo), np.maximum(lo, -1), np.minimum(hi, 1),
                         np.where(np.arange(len(types)) % 2 == 0, hi, lo)])
    return np.concatenate([extremes, x]).astype(np.int64)


# ======================================================================================
# driver


def _sha256(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """np.savez_compressed-compatible, but byte-for-byte reproducible (fixed zip timestamps)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name in sorted(arrays):
            buf = io.BytesIO()
            a = arrays[name]
            # column-major: a feature's values sit together and deflate better (np.load reads either)
            a = np.asfortranarray(a) if a.ndim == 2 else np.ascontiguousarray(a)
            np.lib.format.write_array(buf, a, allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, buf.getvalue(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def parse_source_md(models: Path) -> dict[str, str]:
    out = {}
    src = models / "SOURCE.md"
    if src.is_file():
        for line in src.read_text().splitlines():
            parts = line.strip().lstrip("-").split()
            if len(parts) == 2 and len(parts[1]) == 40 and all(c in "0123456789abcdef" for c in parts[1]):
                out[parts[0]] = parts[1]
    return out


def _cast(a: np.ndarray, t: H.FixedType) -> np.ndarray:
    a = np.asarray(a, dtype=np.int64)
    if a.size and (a.min() < t.min_raw or a.max() > t.max_raw):
        msg = f"raw values outside {t.text}: {a.min()}..{a.max()}"
        raise H.HarnessError(msg)
    return a.astype(t.dtype())


def _match_fields_to_ports(built: H.Built) -> dict[str, str]:
    """Wrapper result field -> network output port, matched by (count, type) when unique."""
    ports = built.ports(output=True)
    out = {}
    for name, count, t in built.result_fields():
        cands = [p for p, c, pt in ports if c == count and pt == t]
        if len(cands) == 1:
            out[name] = cands[0]
    return out


def throughput(built: H.Built, x: np.ndarray, level: str) -> dict:
    r = H.run(built, x, level=level)
    reps = max(3, min(50, math.ceil(2.0 / max(r.seconds, 1e-6))))
    eps = H.bench(built, x, level=level, repeats=reps)
    return {"events_per_s": round(eps, 1), "events": int(x.shape[0]), "repeats": reps}


def make_folder(folder: str, args, models: Path, source_commits: dict[str, str]) -> dict:
    fam = family(folder)
    t0 = time.monotonic()
    _log(f"[{folder}] building (-O3) ...")
    built = H.build(folder, models_dir=models, ap_types=args.ap_types, build_dir=args.build_dir,
                    jobs=args.jobs, log=_log)
    _log(f"[{folder}] built in {built.compile_seconds:.0f} s{' (cached)' if built.cached else ''}")
    lay = built.layout
    counts = COUNTS[fam]
    u = built.wrapper_input_type
    seeds = {name: BASE_SEED + 100 * k for k, name in enumerate(("physics", "edge", "network_uniform"))}
    rng = {k: np.random.default_rng(v) for k, v in seeds.items()}
    sets: list[dict] = []
    inputs: dict[str, tuple[str, np.ndarray]] = {}

    if fam == "AXOL1TL":
        x, n_nano = axo_physics(counts["physics"], rng["physics"])
        inputs["physics"] = ("wrapper", x)
        sets.append({"name": "physics", "seed": seeds["physics"], "count": len(x), "level": "wrapper",
                     "exercises": f"57 ap_fixed<18,13> as L1TGlobal AXOL1TLCondition builds them: [MET, 4 e/gamma, "
                                  f"4 muons, 10 jets] x (hwPt/2 (int division), hwEta, hwPhi), pT-ordered, absent "
                                  f"objects 0, MET eta 0; events 0..{n_nano - 1} are the NanoAOD files of "
                                  f"../shared/data in hardware units (offline objects), the rest drawn: falling pT, "
                                  f"Poisson multiplicities, eta/phi over each field's hardware range, 1% saturated"})
        x, st = axo_edge(built, rng["edge"])
        inputs["edge"] = ("wrapper", x)
        sets.append({"name": "edge", "seed": seeds["edge"], "count": len(x), "level": "wrapper",
                     "exercises": "per feature (columns independent): every tie of the rounding of (x - offset) >> "
                                  "shift into input_t and one LSB either side, with both choices of the bits the "
                                  "shift drops; input_t saturation at both ends; ap_fixed<18,13> wrap of x - offset "
                                  "and of the left shift of a negative shift; extremes of ap_fixed<18,13>; every "
                                  "integer of the field's hardware range +-16; rows 0-5: all 0, all max, all min, "
                                  "all +1, all -1, x = offset",
                     "values_per_kind": st})
    elif fam == "TOPO":
        x = topo_physics(counts["physics"], rng["physics"])
        inputs["physics"] = ("wrapper", x)
        sets.append({"name": "physics", "seed": seeds["physics"], "count": len(x), "level": "wrapper",
                     "exercises": "20 ap_fixed<23,23> hardware integers [MET hwPt, MET hwPhi, 2 muons x (hwPt, hwEta, "
                                  "hwPhi), 4 jets x (hwPt, hwEta, hwPhi)] (layout of the 20-input L1TGlobal "
                                  "TOPOCondition), pT-ordered, absent 0, >=1 muon in 90% of events"})
        x, st = topo_edge(built, rng["edge"])
        inputs["edge"] = ("wrapper", x)
        sets.append({"name": "edge", "seed": seeds["edge"], "count": len(x), "level": "wrapper",
                     "exercises": "per feature: (x - bias) / norm on and +-1 (and +-norm) about every wrap point of "
                                  "ap_fixed<16,6> for k = -4..4 periods; the n/8 grid about the bias; extremes of "
                                  "ap_fixed<23,23>; the hardware range +-16; rows 0-4: 0, max, min, bias, bias+norm",
                     "values_per_kind": st})
    else:
        if fam == "CICADA":
            x = cicada_physics(counts["physics"], rng["physics"])
            what = ("252 10-bit region ETs, index 14*iPhi + iEta (L1TCaloSummary.cc), Poisson pileup busier "
                    "forward, Poisson(1.5) jets spread over 3x3 regions (phi wraps), 2% with a saturated region")
            ex = cicada_edge(built, rng["edge"])
        elif fam == "L1TSC4NGJetModel":
            x = sc4ng_physics(counts["physics"], rng["physics"], u)
            what = ("16 constituents x 20 features in L1TSC4NGJetID.cc order (pt [0.25 GeV], pt/jet pt, log pt, "
                    "deta, dphi [hw units pi/720], mass by ID, 8 ID one-hots, z0, dxy, is_filled, puppi weight, "
                    "emID, quality), pT-ordered, absent constituents 0, floored to input_t")
            ex = generic_edge(built, rng["edge"])
        else:
            n_in = int(built.describe["wrapper_input"]["count"])
            n_part = 10
            x = toollip_physics(counts["physics"], rng["physics"], u, n_part, n_in // n_part)
            what = (f"{n_part} constituents x {n_in // n_part} generic constituent-like features (the folder does "
                    f"not document them): pT-like, angle-like, impact-parameter-like, one-hot and small-integer "
                    f"columns, absent constituents 0, floored to input_t")
            ex = generic_edge(built, rng["edge"])
        inputs["physics"] = ("wrapper", x)
        sets.append({"name": "physics", "seed": seeds["physics"], "count": len(x), "level": "wrapper",
                     "exercises": what})
        inputs["edge"] = ("wrapper", ex[0])
        sets.append({"name": "edge", "seed": seeds["edge"], "count": len(ex[0]), "level": "wrapper",
                     "exercises": "extremes of the input type (min, min+1, -1, 0, +1, 1.0, max-1, max) as whole rows, "
                                  "alternating rows and random mixtures" +
                                  ("; one saturated region at each of the 252 positions, single-LSB regions, "
                                   "checkerboards and halves" if fam == "CICADA" else ""),
                     "values_per_kind": ex[1]})
    xn = network_uniform(built, counts["network_uniform"], rng["network_uniform"])
    inputs["network_uniform"] = ("network", xn)
    sets.append({"name": "network_uniform", "seed": seeds["network_uniform"], "count": len(xn), "level": "network",
                 "exercises": "raw values uniform over each input port type of the hls4ml top function; rows 0-5: "
                              "all min, all max, 0, -1 LSB, +1 LSB, alternating max/min"})

    arrays: dict[str, np.ndarray] = {}
    meta: dict[str, dict] = {}
    checks: dict[str, str] = {}
    in_types_net = built.ports(output=False)
    field_port = _match_fields_to_ports(built)

    def put(key, a, t, fld, level):
        arrays[key] = _cast(a, t)
        meta[key] = {"shape": list(arrays[key].shape), "dtype": str(arrays[key].dtype), "type": t.text,
                     "frac_bits": t.frac_bits, "min_raw": t.min_raw, "max_raw": t.max_raw,
                     "field": fld, "level": level}

    for sname, (level, x) in inputs.items():
        _log(f"[{folder}] {sname}: {len(x)} events at {level} level")
        r = H.run(built, x, level=level)
        if level == "wrapper":
            put(f"{sname}__input", x, u, f"prepare_input({lay.input_type}*): element i of the {x.shape[1]}-array "
                f"(CMSSW's input)", "wrapper")
            if r.scaled_input is not None:
                put(f"{sname}__scaled_input", r.scaled_input, built.scaled_input_type,
                    f"{lay.wrapper_class}::{lay.scaled_member[0]} after prepare_input (the wrapper's own scaling; "
                    f"the network's input)", "wrapper")
                net_in = r.scaled_input
            else:
                net_in = x
            for name, count, t in built.result_fields():
                what = (f"read_result({lay.result_type}*): element i of the result array" if lay.result_is_pointer
                        else f"read_result(std::pair*): .{name}" + (f" (std::array of {count})" if count > 1 else ""))
                key = f"{sname}__result" if lay.result_is_pointer else f"{sname}__result_{name.replace('.', '_')}"
                put(key, r.outputs[name], t, what, "wrapper")
            # the network level on the same events: the top function on the wrapper's scaled input
            rn = H.run(built, net_in, level="network")
            same = [f for f, p in field_port.items() if np.array_equal(rn.outputs[p], r.outputs[f])]
            diff = [f for f, p in field_port.items() if f not in same]
            checks[sname] = (f"network level ({lay.top}) run on the {'scaled ' if r.scaled_input is not None else ''}"
                             f"inputs of this set: port(s) {', '.join(field_port[f] for f in same) or '-'} identical "
                             f"to result field(s) {', '.join(same) or '-'} for all {len(x)} events"
                             + (f"; DIFFERENT: {diff}" if diff else ""))
            if diff:
                msg = f"{folder} {sname}: network level differs from the wrapper's result for {diff}"
                raise H.HarnessError(msg)
        else:
            k = 0
            for pname, count, t in in_types_net:
                put(f"{sname}__{pname}", x[:, k:k + count], t, f"{lay.top} input port {pname}", "network")
                k += count
            for pname, _count, t in built.ports(output=True):
                put(f"{sname}__{pname}", r.outputs[pname], t, f"{lay.top} output port {pname}", "network")
    for sname, (t, raw) in built.scales().items():
        put(f"scales__{sname}", np.array(raw), t, f"{sname}[] of {lay.scales_header.name} as compiled (raw of "
            f"{t.text}; after that type's conversion of the literals)", "wrapper")

    _log(f"[{folder}] throughput (-O3) ...")
    tp_w = throughput(built, inputs["physics"][1], "wrapper")
    net_phys = arrays.get("physics__scaled_input", inputs["physics"][1])
    tp_n = throughput(built, np.asarray(net_phys, dtype=np.int64), "network")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    npz = out / f"{folder}.npz"
    write_npz(npz, arrays)

    fam_repo = next((k for k in source_commits if folder.startswith(k)), None)
    deps = sorted(built.deps)
    upstream_files = {str(p.relative_to(models)): _sha256(p) for p in deps if models in p.parents}
    ap = built.ap_types
    ap_files = {str(p.relative_to(ap)): _sha256(p) for p in deps if ap in p.parents}
    entry = {
        "folder": folder,
        "upstream": {"repository": f"https://github.com/cms-hls4ml/{fam_repo}" if fam_repo else None,
                     "commit": source_commits.get(fam_repo) if fam_repo else None,
                     "extras_commit": source_commits.get("hls4mlEmulatorExtras"),
                     "source": "SOURCE.md of the models folder"},
        "upstream_files_sha256": upstream_files,
        "build": {
            "compiler": built.compiler,
            "cxxflags": list(built.cxxflags),
            "include_dirs": [_rel(f[2:], models, ap) for f in built.include_flags],
            "translation_units": ["harness.cpp (ours: #includes " + lay.wrapper.name + " unchanged)"]
                                 + [str(s.relative_to(models)) for s in lay.sources],
            "ap_types": {"source": f"hls4ml {H.hls4ml_version_of(ap) or '?'} (hls4ml/templates/vivado/ap_types)",
                         "ap_fixed_h_sha256": _sha256(ap / "ap_fixed.h"), "files_read_sha256": ap_files},
            "harness_fixes": lay.harness_fixes,
            "private_member_access": (f"{lay.wrapper_class}::{lay.scaled_member[0]} is private; read through a "
                                      f"pointer-to-member formed in an explicit template instantiation (access "
                                      f"checking does not apply there: C++17 [temp.explicit]/14), no "
                                      f"-Dprivate=public, no upstream change"
                                      if lay.scaled_member else None),
        },
        "wrapper": {"file": str(lay.wrapper.relative_to(models)), "class": lay.wrapper_class,
                    "prepare_input_any_cast": f"{lay.input_type}*", "read_result_any_cast": f"{lay.result_type}*",
                    "input": {"count": int(built.describe["wrapper_input"]["count"]), **u.as_dict()},
                    "scaled_input": (None if built.scaled_input_type is None else
                                     {"member": lay.scaled_member[0], "count": int(built.describe["scaled_input"]["count"]),
                                      **built.scaled_input_type.as_dict()}),
                    "result_fields": [{"name": n, "count": c, **t.as_dict()} for n, c, t in built.result_fields()]},
        "network": {"header": str(lay.header.relative_to(models)),
                    "top": f"{lay.top_namespace}::{lay.top}" if lay.top_namespace else lay.top,
                    "ports": [{"name": p.name, "direction": "out" if p.output else "in", "size_expr": p.size,
                               "count": int(d["count"]), **H.FixedType.from_json(d["type"]).as_dict()}
                              for p, d in zip(lay.ports, built.describe["ports"])],
                    "result_field_to_port": field_port},
        "scales": {n: {"type": t.text, "raw": raw} for n, (t, raw) in built.scales().items()},
        "weights": weights_h_vs_txt(deps, models),
        "sets": sets,
        "arrays": meta,
        "checks": checks,
        "throughput_O3": {"wrapper": tp_w, "network": tp_n,
                          "note": "prepare_input+predict+read_result (wrapper) or the top function (network) in a "
                                  "loop over the physics set, best of the repeats, single thread, on a shared "
                                  f"{platform.machine()} machine ({_cpu_name()})"},
        "npz": {"file": npz.name, "sha256": _sha256(npz), "bytes": npz.stat().st_size},
    }
    _log(f"[{folder}] done in {time.monotonic() - t0:.0f} s: {npz.stat().st_size / 1024:.0f} KiB, "
         f"wrapper {tp_w['events_per_s']:.0f} ev/s, network {tp_n['events_per_s']:.0f} ev/s")
    return entry


def _numbers_in_braces(text: str) -> np.ndarray | None:
    import re
    m = re.search(r"=\s*\{(.*?)\}\s*;", text, re.S)
    if m is None:
        return None
    try:
        return np.array([float(v) for v in m.group(1).replace("\n", " ").split(",") if v.strip()])
    except ValueError:
        return None


def weights_h_vs_txt(deps: list[Path], models: Path) -> dict:
    """Compare each weights/*.h the build read with its weights/*.txt sibling, value by value.

    The emulators load weights from the .h (LOAD_WEIGHTS_FROM_TXT and
    __HLS4ML_LOAD_TXT_WEIGHTS__ are not defined in CMSSW's build); a loader reading the
    .txt files must know where they disagree.
    """
    compared, differ = [], []
    for h in deps:
        if h.suffix != ".h" or h.parent.name != "weights" or models not in h.parents:
            continue
        t = h.with_suffix(".txt")
        if not t.is_file():
            continue
        hv = _numbers_in_braces(h.read_text())
        try:
            tv = np.array([float(v) for v in t.read_text().replace("\n", " ").split(",") if v.strip()])
        except ValueError:
            tv = None
        if hv is None or tv is None:
            continue
        rel = str(h.relative_to(models))
        compared.append(rel)
        if hv.shape != tv.shape or not np.array_equal(hv, tv):
            n_diff = int((hv != tv).sum()) if hv.shape == tv.shape else None
            differ.append({"h": rel, "txt": str(t.relative_to(models)), "values": int(hv.size),
                           "values_differing": n_diff})
    return {"weights_loaded_from": "weights/*.h (compiled in; no txt loading in this build)",
            "h_files_with_txt_sibling": len(compared), "txt_differs_from_h": differ}


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _rel(p: str, models: Path, ap: Path) -> str:
    path = Path(p)
    if models in path.parents or path == models:
        return f"<models>/{path.relative_to(models)}"
    if ap in path.parents or path == ap:
        return "<hls4ml>/templates/vivado/ap_types"
    return str(path)


def list_folders(models: Path) -> list[str]:
    return sorted(p.name for p in models.iterdir()
                  if p.is_dir() and p.name != "hls4mlEmulatorExtras" and (p / "Makefile").is_file())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", type=Path, default=None, help="cms-hls4ml folders (default ../shared/models/cms-hls4ml)")
    ap.add_argument("--ap-types", default=None, help="hls4ml's templates/vivado/ap_types, or the hls4ml 1.3.0 wheel")
    ap.add_argument("--build-dir", type=Path, default=None, help="build cache (default $TMPDIR/triggeremu-cms-golden-UID)")
    ap.add_argument("--out", type=Path, default=OUT_DEFAULT)
    ap.add_argument("--folders", nargs="*", default=None, help="subset of folders (default: all)")
    ap.add_argument("--jobs", type=int, default=1, choices=(1, 2), help="parallel compiles (machine is shared)")
    args = ap.parse_args(argv)
    models = (args.models or H.default_models_dir()).resolve()
    if not models.is_dir():
        _log(f"error: models folder {models} not found; pass --models DIR")
        return 2
    try:
        ap_dir = H.find_ap_types(args.ap_types)
    except H.HarnessError as exc:
        _log(f"error: {exc}")
        return 2
    version = H.hls4ml_version_of(ap_dir)
    if version not in (None, "1.3.0"):
        _log(f"warning: ap_types from hls4ml {version}, the golden vectors are specified for 1.3.0")
    commits = parse_source_md(models)
    folders = args.folders or list_folders(models)
    manifest_path = Path(args.out) / "MANIFEST.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {"folders": {}}
    manifest.update({
        "generator": "scripts/make_cms_golden.py (harness: scripts/cms_golden_harness.py)",
        "raw_convention": ("every value is the raw integer of its fixed-point type: the bits of the ap_fixed/ap_int "
                           "(.range() into ap_uint<W>) as a two's-complement (signed types) or unsigned integer; "
                           "value = raw / 2^frac_bits"),
        "npz_layout": "<set>__input, <set>__scaled_input, <set>__result (read_result into an array) or "
                      "<set>__result_first / <set>__result_second (into a std::pair) (wrapper level); "
                      "<set>__<port> (network level); scales__<name>. 2-d arrays are (events, values), "
                      "stored column-major",
        "models_source_md_sha256": _sha256(models / "SOURCE.md") if (models / "SOURCE.md").is_file() else None,
        "python": platform.python_version(), "numpy": np.__version__,
    })
    failed = manifest.setdefault("failed", {})
    for folder in folders:
        try:
            manifest["folders"][folder] = make_folder(folder, args, models, commits)
            failed.pop(folder, None)
        except H.HarnessError as exc:
            _log(f"[{folder}] FAILED: {exc}")
            failed[folder] = str(exc)
            manifest["folders"].pop(folder, None)
        manifest_path.parent.mkdir(parents=True, exist_ok=True)
        manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=False) + "\n")
    total = sum(p.stat().st_size for p in Path(args.out).glob("*") if p.is_file())
    _log(f"total under {args.out}: {total / 1024 / 1024:.2f} MiB ({len(manifest['folders'])} folders, "
         f"{len(failed)} failed)")
    if total > SIZE_BUDGET:
        _log(f"warning: over the {SIZE_BUDGET / 1024 / 1024:.0f} MiB budget")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
