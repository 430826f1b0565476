"""The 57 AXOL1TL inputs as CMSSW's ``AXOL1TLCondition`` builds them from the uGT objects.

CMSSW ``L1Trigger/L1TGlobal/src/AXOL1TLCondition.cc``, ``evaluateCondition`` (read at
cms-sw/cmssw 7e8b8f0f and in the later version that caches the model and reads muons at
the vertex), fills ``inputtype ADModelInput[57]`` with ``typedef ap_fixed<18, 13>
inputtype`` and passes it to the wrapper's ``prepare_input``:

- blocks in this order: the ET sum (3 values), 4 e/gammas (12), 4 muons (12), 10 jets
  (30); every slot starts at 0 (``std::fill(..., fillzero)``) so absent objects are zeros;
- each object is ``(hwPt() / 2, hwEta(), hwPhi())`` -- ``hwPt()`` is an ``int`` and
  ``/ 2`` is C++ integer division (an odd hwPt loses its half: 7 -> 3), done *before* the
  assignment to ap_fixed<18,13>; the three ints are then assigned exactly (they fit);
- the ET sum is the ``EtSum`` of type ``kMissingEt`` (ETM): ``(hwPt()/2, 0, hwPhi())``,
  its eta left at 0;
- e/gammas and jets: the first 4 / 10 candidates of the uGT's collections (the code
  notes it assumes they are pT-sorted, as Layer-2 sends them);
- muons: the first 4 uGMT muons, ``hwPt()/2`` with ``hwEtaAtVtx()`` and ``hwPhiAtVtx()``
  (the coordinates extrapolated to the vertex; the 7e8b8f0f version used ``hwEta()``
  and ``hwPhi()``, at the muon system). Both are in the same units (eta LSB 0.010875,
  576 phi bins per turn).
- the score CMSSW cuts on is ``loss.to_float() * 16.0`` with ``losstype =
  ap_ufixed<18, 14>`` (4 fraction bits): the raw mantissa of the wrapper's loss, compared
  ``>=`` with the menu's ``minAXOL1TLThreshold`` -- so a working point is a raw threshold.

:func:`axol1tl_condition_inputs` maps the ``l1_inputs`` hardware codes (the layout of
:mod:`streams.hwunits`: the same four blocks in the same order, each ``(pt, eta, phi)``
code, zero-padded, MET eta 0; muon eta/phi codes come from the object's direction at the
vertex) to those 57 raw ``ap_fixed<18,13>`` mantissas: ``(pt // 2) << 5`` for the pT
columns, ``code << 5`` for eta and phi. A test checks that the layout here is the one
:mod:`streams.hwunits` writes.
"""

from __future__ import annotations

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType
from firmware_models.jit import jit

__all__ = ["AXOL1TL_INPUT_TYPE", "CMSSW_BLOCKS", "CMSSW_LAYOUT", "PT_COLUMNS", "axol1tl_condition_inputs",
           "CMSSW_SCORE_NOTE"]

#: ``typedef ap_fixed<18, 13> inputtype`` of AXOL1TLCondition.cc
AXOL1TL_INPUT_TYPE = FixedType(18, 13)
#: (block, number of objects) in ADModelInput order: EtSum (ETM), EGamma, Muon, Jet
CMSSW_BLOCKS = (("met", 1), ("eg", 4), ("mu", 4), ("jet", 10))


def _layout() -> tuple[str, ...]:
    names = []
    for key, count in CMSSW_BLOCKS:
        for i in range(count):
            prefix = key if count == 1 else f"{key}{i}"
            names += [f"{prefix}_pt", f"{prefix}_eta", f"{prefix}_phi"]
    return tuple(names)


#: the 57 input names in ADModelInput order
CMSSW_LAYOUT = _layout()
#: indices of the hwPt()/2 columns
PT_COLUMNS = np.array([i for i, n in enumerate(CMSSW_LAYOUT) if n.endswith("_pt")], dtype=np.int64)
CMSSW_SCORE_NOTE = ("AXOL1TLCondition.cc: score = loss.to_float() * 16.0, loss an ap_ufixed<18,14>: the raw "
                    "loss mantissa, cut with >= minAXOL1TLThreshold")


def axol1tl_condition_inputs(l1_codes) -> np.ndarray:
    """Raw ap_fixed<18,13> mantissas (n_events, 57) of ADModelInput for hardware-code ``l1_inputs``.

    ``l1_codes`` (n_events, 57) integer codes in :data:`CMSSW_LAYOUT` order (hwPt, hwEta,
    hwPhi per object, MET eta 0). pT columns become ``hwPt // 2`` (C++ ``int / 2`` on
    non-negative codes), then every value is assigned to ap_fixed<18,13> (exact for the
    code ranges; wrapped like the C++ assignment otherwise).
    """
    x = np.asarray(l1_codes)
    if x.ndim != 2 or x.shape[1] != len(CMSSW_LAYOUT) or x.dtype.kind not in "iu":
        msg = (f"AXOL1TL inputs need integer hardware codes of shape (n_events, {len(CMSSW_LAYOUT)}), "
               f"got {x.dtype} {x.shape}")
        raise ModelFormatError(msg)
    v = np.ascontiguousarray(x)
    is_pt = np.zeros(v.shape[1], dtype=np.bool_)
    is_pt[PT_COLUMNS] = True
    t = AXOL1TL_INPUT_TYPE
    out = np.empty(v.shape, dtype=np.int64)
    if _build_kernel(v, is_pt, t.fractional, t.width, out):
        msg = "AXOL1TL inputs: a pT code is negative; hardware pT codes are unsigned"
        raise ModelFormatError(msg)
    return out


@jit
def _build_kernel(codes, is_pt, frac, width, out):
    """out = wrap_W((pt ? code // 2 : code) << frac); returns True if a pT code is negative."""
    n, m = codes.shape
    half = np.int64(1) << (width - 1)
    mask = (np.int64(1) << width) - 1
    bad = False
    for i in range(n):
        for j in range(m):
            c = np.int64(codes[i, j])
            if is_pt[j]:
                if c < 0:
                    bad = True
                c = c >> 1                      # C++ int / 2 on a non-negative code
            r = ((c << frac) + half) & mask     # two's-complement wrap into the width
            out[i, j] = r - half
    return bad


def axol1tl_condition_inputs_reference(l1_codes) -> np.ndarray:
    """Plain-Python twin of :func:`axol1tl_condition_inputs` (one value at a time)."""
    from firmware_models.fixed.exact import overflow_exact

    pt_cols = set(PT_COLUMNS.tolist())
    rows = []
    for row in np.asarray(l1_codes).tolist():
        vals = []
        for j, c in enumerate(row):
            value = (abs(c) // 2) * (1 if c >= 0 else -1) if j in pt_cols else int(c)   # C++ int / 2: toward zero
            vals.append(overflow_exact(value << AXOL1TL_INPUT_TYPE.fractional, AXOL1TL_INPUT_TYPE))
        rows.append(vals)
    return np.array(rows, dtype=np.int64).reshape(np.shape(l1_codes))
