"""Reading a tree in chunks (:func:`read_chunks`) and conversion of one chunk read by
uproot (an awkward record array) to L1 columns.

:func:`convert_chunk` follows a :class:`streams.root_layouts.ReadPlan`: each object
group becomes a :class:`streams.hwunits.Objects` (offsets + flat values), MET two
per-event arrays, and :func:`streams.hwunits.build_l1_inputs` makes ``l1_inputs``,
``bad_input`` and ``input_anomaly``; passthrough branches are copied (bool -> uint8). Conventions are
documented in :mod:`streams.root_source`: Px/Py/Pz/E -> pT, eta, phi in float64
(eta 0 when pT = 0), the same for ROOT vector objects (``p4``: TLorentzVector
``fP.fX/fY/fZ``, ``fE``; TVector2 ``fX/fY`` for MET); NaN/inf in px/py/pz/E makes the
object's pT NaN so the event is flagged, never converted; a jagged MET branch (Delphes)
gives its first entry, 0 when empty.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import awkward as ak
import numpy as np
import uproot

from streams.errors import SourceError
from streams.hwunits import Objects, build_l1_inputs
from streams.root_layouts import GroupPlan, ReadPlan

__all__ = ["convert_chunk", "field", "numeric_dtype", "read_chunks", "is_ttree", "VECTOR_MEMBERS"]


def is_ttree(tree) -> bool:
    """A TTree (or TNtuple) as opposed to an RNTuple."""
    return isinstance(tree, uproot.behaviors.TBranch.HasBranches)


def read_chunks(tree, keys: Sequence[str], step: int, stop: int) -> Iterator[Any]:
    """Record arrays of ``keys`` over entries [0, stop) in steps of ``step``. A TTree is
    read with ``iterate``; an RNTuple field by field, since uproot's RNTuple
    ``iterate``/``arrays`` first resolve the whole field tree (6-9 s once per open on a
    1313-field NanoAOD RNTuple, against 0.2 s for the fields we need)."""
    if is_ttree(tree):
        yield from tree.iterate(keys, step_size=step, entry_stop=stop, library="ak")
        return
    for lo in range(0, stop, step):
        hi = min(lo + step, stop)
        yield ak.Array({k: tree[k].array(entry_start=lo, entry_stop=hi) for k in keys})


def numeric_dtype(arr) -> np.dtype | None:
    try:
        prim = ak.to_numpy(ak.flatten(arr, axis=None)[:0]).dtype
    except (ValueError, TypeError):
        return None
    return prim if prim.kind in "fiub" else None


def field(arrays, key: str):
    """One branch of a chunk; RNTuple collection subfields (``Jet.pt``) are navigated."""
    if key in arrays.fields:
        return arrays[key]
    out = arrays
    for part in key.replace("/", ".").split("."):
        if part == "_0" and part not in ak.fields(out):  # RNTuple item field: already unwrapped
            continue
        out = out[part]
    return out


def _floats(values: np.ndarray, key: str) -> np.ndarray:
    if values.dtype.kind == "f":
        return values
    if values.dtype.kind in "iu":
        return values.astype(np.float64)
    msg = f"branch {key!r} holds {values.dtype} values, not numbers; map another branch with branch_map"
    raise SourceError(msg)


def _jagged(arrays, keys: tuple[str, ...], n: int) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, flat float values) of one quantity over n events."""
    if len(keys) > 1:  # several scalar branches, one object each
        cols = [_floats(ak.to_numpy(field(arrays, k)), k) for k in keys]
        flat = np.stack(cols, axis=1).reshape(-1)
        return np.arange(0, n * len(keys) + 1, len(keys), dtype=np.int64), flat
    return _jagged_array(field(arrays, keys[0]), keys[0], n)


def _jagged_array(arr, key: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    if arr.ndim == 1:
        return np.arange(n + 1, dtype=np.int64), _floats(ak.to_numpy(arr), key)
    if arr.ndim != 2:
        msg = f"branch {key!r} has type {arr.type.content}; expected one number or a list of numbers per event"
        raise SourceError(msg)
    layout = ak.to_layout(arr)
    if isinstance(layout, ak.contents.ListOffsetArray) and isinstance(layout.content, ak.contents.NumpyArray) \
            and layout.content.data.ndim == 1 and len(layout) == n:
        # what uproot reads: offsets and values as they are (views, no counting pass)
        off = np.asarray(layout.offsets.data, dtype=np.int64)
        base = int(off[0])
        return off - base, _floats(np.asarray(layout.content.data)[base:int(off[-1])], key)
    counts = ak.to_numpy(ak.num(arr, axis=1)).astype(np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets, _floats(ak.to_numpy(ak.flatten(arr, axis=1)), key)


#: ROOT vector classes as uproot reads them: component -> record path
#: (TLorentzVector: fP, a TVector3 of fX, fY, fZ, and fE; TVector2: fX, fY)
VECTOR_MEMBERS = {
    "TLorentzVector": {"px": ("fP", "fX"), "py": ("fP", "fY"), "pz": ("fP", "fZ"), "e": ("fE",)},
    "TVector3": {"px": ("fX",), "py": ("fY",), "pz": ("fZ",)},
    "TVector2": {"px": ("fX",), "py": ("fY",)},
}


def _vector_components(arr, key: str) -> dict[str, object]:
    """px, py[, pz, e] of a branch of ROOT vector objects (one or a list per event)."""
    fields = set(ak.fields(arr))
    for members in VECTOR_MEMBERS.values():
        if all(path[0] in fields for path in members.values()):
            out = {}
            for q, path in members.items():
                x = arr
                for part in path:
                    x = x[part]
                out[q] = x
            return out
    msg = (f"branch {key!r} has type {arr.type.content}; a p4 branch must hold TLorentzVector, TVector3 or "
           "TVector2 objects (one or a list per event)")
    raise SourceError(msg)


def _group_values(arrays, plan: GroupPlan, n: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    if "p4" in plan.branches:  # ROOT vector objects: one branch, or one branch per object
        keys = plan.branches["p4"]
        if len(keys) == 1:
            parts = {q: _jagged_array(x, keys[0], n)
                     for q, x in _vector_components(field(arrays, keys[0]), keys[0]).items()}
            return parts["px"][0], {q: flat for q, (_off, flat) in parts.items()}
        comps = [_vector_components(field(arrays, k), k) for k in keys]
        vals = {}
        for q in comps[0]:
            cols = []
            for k, c in zip(keys, comps, strict=True):
                if q not in c or c[q].ndim != 1:
                    msg = f"p4 branches {list(keys)} must each hold one vector of the same class per event; {k!r} does not"
                    raise SourceError(msg)
                cols.append(_floats(ak.to_numpy(c[q]), k))
            vals[q] = np.stack(cols, axis=1).reshape(-1)
        return np.arange(0, n * len(keys) + 1, len(keys), dtype=np.int64), vals
    offsets = None
    vals: dict[str, np.ndarray] = {}
    for q, keys in plan.branches.items():
        off, flat = _jagged(arrays, keys, n)
        if offsets is None:
            offsets = off
        elif not np.array_equal(off, offsets):
            first = next(iter(plan.branches.values()))[0]
            msg = f"branches {first!r} and {keys[0]!r} have different numbers of objects per event"
            raise SourceError(msg)
        vals[q] = flat
    return offsets, vals


def _cartesian(v: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    px, py = v["px"].astype(np.float64), v["py"].astype(np.float64)
    pt = np.hypot(px, py)
    phi = np.arctan2(py, px)
    if "pz" not in v:
        return pt, np.zeros_like(pt), phi
    pz = v["pz"].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.where(pt > 0, np.arcsinh(pz / np.where(pt > 0, pt, 1.0)), 0.0)
    bad = ~(np.isfinite(px) & np.isfinite(py) & np.isfinite(pz))
    if "e" in v:
        bad |= ~np.isfinite(v["e"])
    pt[bad] = np.nan  # keeps the event flagged: never a number made from NaN
    return pt, eta, phi


def _objects(arrays, plan: GroupPlan, n: int) -> Objects:
    offsets, v = _group_values(arrays, plan, n)
    if plan.cartesian:
        pt, eta, phi = _cartesian(v)
        return Objects(offsets, pt, eta, phi)
    return Objects(offsets, v["pt"], v["eta"], v["phi"])


def _met(arrays, plan: GroupPlan, n: int) -> tuple[np.ndarray, np.ndarray]:
    offsets, v = _group_values(arrays, plan, n)
    counts = np.diff(offsets)
    has = counts > 0
    first = offsets[:-1]
    out = []
    for q in ("px", "py") if plan.cartesian else ("pt", "phi"):
        x = np.zeros(n, dtype=np.float64)
        x[has] = v[q][first[has]]
        out.append(x)
    if plan.cartesian:
        pt, _eta, phi = _cartesian({"px": out[0], "py": out[1]})
        bad = ~(np.isfinite(out[0]) & np.isfinite(out[1]))
        pt[bad] = np.nan
        return pt, phi
    return out[0], out[1]


def convert_chunk(arrays, plan: ReadPlan, n: int) -> dict[str, np.ndarray]:
    objs = {g: _objects(arrays, plan.groups[g], n) for g in ("ele", "pho", "mu", "jet") if g in plan.groups}
    met_pt = met_phi = None
    if "met" in plan.groups:
        met_pt, met_phi = _met(arrays, plan.groups["met"], n)
    egamma = [objs[g] for g in ("ele", "pho") if g in objs]
    anomaly = np.zeros(n, dtype=np.uint8)
    l1, bad = build_l1_inputs(n, egamma=egamma, muon=objs.get("mu"), jet=objs.get("jet"),
                              met_pt=met_pt, met_phi=met_phi, anomaly=anomaly)
    cols = {"l1_inputs": l1, "bad_input": bad, "input_anomaly": anomaly}
    for name in plan.passthrough:
        v = ak.to_numpy(field(arrays, name))
        cols[name] = v.astype(np.uint8) if v.dtype == np.bool_ else v
    return cols
