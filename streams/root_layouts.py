"""The ROOT file layouts :class:`streams.root_source.RootSource` knows, as data, and
how a tree's branch names are matched against them.

A *group* is one physics collection the L1 input needs: ``ele``, ``pho``, ``mu``,
``jet`` (per-event lists of objects) or ``met`` (one value per event). A group is
read either as (pt, eta, phi) or as (px, py, pz[, e]) -- MET as (pt, phi) or
(px, py). Each layout lists, per group, alternative spellings tried in order (the
first complete one wins), and the tree names it usually lives in:

- ``nanoaod``: CMS NanoAOD, tree ``Events``: ``Jet_pt/eta/phi``, ``Muon_*``,
  ``Electron_*``, ``Photon_*``, ``MET_pt/phi`` or else ``PuppiMET_pt/phi``; the
  RNTuple spelling ``Jet.pt`` (a collection field ``Jet`` with subfield ``pt``) too.
- ``pxpypze``: Cartesian four-vectors as in scikit-hep-testdata ``uproot-HZZ.root``:
  ``Jet_Px/Py/Pz/E``, ``Muon_*``, ``Electron_*``, ``Photon_*``, ``MET_px/py``.
- ``delphes``: Delphes output, tree ``Delphes``: ``Jet.PT/Eta/Phi``, ``Electron.*``,
  ``Muon.*``, ``Photon.*``, ``MissingET.MET/Phi`` (branch names may be nested, e.g.
  ``Jet/Jet.PT``; the last path component is matched).

A user ``branch_map`` (keys in :data:`BRANCH_MAP_KEYS`, e.g. ``{"jet_pt": "MyJet_pt",
"met_pt": "L1MET_pt", ...}``) replaces whole groups; a value may also be a list of
scalar branches, one per object (e.g. ``{"mu_pt": ["pt1", "pt2"], ...}`` for
uproot-Zmumu.root's fixed two muons).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from streams.errors import MissingBranchError
from streams.sourcebase import SourceOptionError

__all__ = [
    "GROUPS",
    "OBJECT_GROUPS",
    "QUANTITIES",
    "BRANCH_MAP_KEYS",
    "Layout",
    "LAYOUTS",
    "GroupPlan",
    "ReadPlan",
    "resolve_layout",
    "plan_from_branch_map",
    "closest_names",
    "short_name",
    "expected_names",
    "GROUP_TITLES",
]

OBJECT_GROUPS = ("ele", "pho", "mu", "jet")
GROUPS = (*OBJECT_GROUPS, "met")
GROUP_TITLES = {"ele": "electron", "pho": "photon", "mu": "muon", "jet": "jet", "met": "missing-ET"}
#: the quantity sets a group may be read as, in preference order
QUANTITIES = {
    "ele": (("pt", "eta", "phi"), ("px", "py", "pz", "e")),
    "pho": (("pt", "eta", "phi"), ("px", "py", "pz", "e")),
    "mu": (("pt", "eta", "phi"), ("px", "py", "pz", "e")),
    "jet": (("pt", "eta", "phi"), ("px", "py", "pz", "e")),
    "met": (("pt", "phi"), ("px", "py")),
}
#: quantities that may be absent from a quantity set (E is read only to flag NaN/inf)
OPTIONAL = {"e"}
BRANCH_MAP_KEYS = tuple(sorted({f"{g}_{q}" for g, sets in QUANTITIES.items() for qs in sets for q in qs}))


@dataclass(frozen=True)
class Layout:
    name: str
    trees: tuple[str, ...]
    #: group -> alternatives, each a mapping quantity -> branch name
    groups: Mapping[str, tuple[Mapping[str, str], ...]] = field(repr=False)


def _ptetaphi(prefix: str, sep: str, pt: str = "pt", eta: str = "eta", phi: str = "phi") -> dict[str, str]:
    return {"pt": f"{prefix}{sep}{pt}", "eta": f"{prefix}{sep}{eta}", "phi": f"{prefix}{sep}{phi}"}


def _pxpypze(prefix: str) -> dict[str, str]:
    return {"px": f"{prefix}_Px", "py": f"{prefix}_Py", "pz": f"{prefix}_Pz", "e": f"{prefix}_E"}


_NANO_PREFIX = {"ele": "Electron", "pho": "Photon", "mu": "Muon", "jet": "Jet"}

LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "nanoaod",
        ("Events",),
        {
            **{g: (_ptetaphi(p, "_"), _ptetaphi(p, ".")) for g, p in _NANO_PREFIX.items()},
            "met": ({"pt": "MET_pt", "phi": "MET_phi"}, {"pt": "PuppiMET_pt", "phi": "PuppiMET_phi"},
                    {"pt": "MET.pt", "phi": "MET.phi"}, {"pt": "PuppiMET.pt", "phi": "PuppiMET.phi"}),
        },
    ),
    Layout(
        "pxpypze",
        ("events", "Events"),
        {**{g: (_pxpypze(p),) for g, p in _NANO_PREFIX.items()}, "met": ({"px": "MET_px", "py": "MET_py"},)},
    ),
    Layout(
        "delphes",
        ("Delphes",),
        {
            **{g: (_ptetaphi(p, ".", "PT", "Eta", "Phi"),) for g, p in _NANO_PREFIX.items()},
            "met": ({"pt": "MissingET.MET", "phi": "MissingET.Phi"},),
        },
    ),
)


@dataclass(frozen=True)
class GroupPlan:
    """How one group is read: quantity -> branch key(s) as the tree spells them."""

    group: str
    branches: Mapping[str, tuple[str, ...]]  # one key, or several scalar branches (one per object)

    @property
    def cartesian(self) -> bool:
        return "px" in self.branches

    def keys(self) -> list[str]:
        return [k for ks in self.branches.values() for k in ks]


@dataclass(frozen=True)
class ReadPlan:
    """What to read from a tree: the layout name, a plan per found group, the groups that
    are absent (zero-filled), and passthrough branches."""

    layout: str
    groups: Mapping[str, GroupPlan]
    missing: tuple[str, ...]
    passthrough: tuple[str, ...] = ()

    def keys(self) -> list[str]:
        out: list[str] = []
        for plan in self.groups.values():
            out += [k for k in plan.keys() if k not in out]
        return out + [p for p in self.passthrough if p not in out]

    def detail(self) -> dict[str, object]:
        return {
            "layout": self.layout,
            "branches": {g: {q: list(ks) if len(ks) > 1 else ks[0] for q, ks in p.branches.items()}
                         for g, p in self.groups.items()},
            "missing": list(self.missing),
            "passthrough": list(self.passthrough),
        }


def short_name(key: str) -> str:
    """Last path component of a nested branch key (``Jet/Jet.PT`` -> ``Jet.PT``)."""
    return key.rsplit("/", 1)[-1]


def _index(keys: Iterable[str]) -> dict[str, str]:
    """Name -> key as the tree spells it, for full keys, their last component, and
    RNTuple collection subfields without ROOT's item-field name (``Jet._0.pt`` ->
    ``Jet.pt``; CMSSW's RNTuple NanoAOD writes a vector of a record named ``_0``)."""
    idx: dict[str, str] = {}
    for k in keys:
        idx.setdefault(k, k)
        idx.setdefault(short_name(k), k)
        if "._0." in k:
            idx.setdefault(k.replace("._0.", "."), k)
    return idx


def _resolve_group(group: str, alternatives: Sequence[Mapping[str, str]], idx: Mapping[str, str]) -> GroupPlan | None:
    for alt in alternatives:
        found = {q: (idx[name],) for q, name in alt.items() if name in idx}
        if all(q in found for q in alt if q not in OPTIONAL):
            return GroupPlan(group, found)
    return None


def resolve_layout(keys: Sequence[str]) -> ReadPlan | None:
    """The layout with the most groups found among ``keys`` (ties: order of
    :data:`LAYOUTS`), or None when no layout finds any group."""
    idx = _index(keys)
    best: ReadPlan | None = None
    for layout in LAYOUTS:
        plans = {}
        for g in GROUPS:
            plan = _resolve_group(g, layout.groups[g], idx)
            if plan is not None:
                plans[g] = plan
        if plans and (best is None or len(plans) > len(best.groups)):
            best = ReadPlan(layout.name, plans, tuple(g for g in GROUPS if g not in plans))
    return best


def closest_names(wanted: Iterable[str], keys: Sequence[str], limit: int = 12) -> list[str]:
    """Up to ``limit`` of ``keys``, the ones most similar to any of ``wanted`` first."""
    wanted = list(wanted)

    def score(k: str) -> float:
        s = short_name(k).lower()
        return max(difflib.SequenceMatcher(None, s, w.lower()).ratio() for w in wanted)

    return sorted(keys, key=lambda k: -score(k))[:limit]


def expected_names() -> list[str]:
    """Every branch name any layout looks for (for 'did you mean' lists)."""
    return sorted({n for lay in LAYOUTS for alts in lay.groups.values() for alt in alts for n in alt.values()})


def plan_from_branch_map(branch_map: Mapping[str, str | Sequence[str]], keys: Sequence[str],
                         *, where: str) -> dict[str, GroupPlan]:
    """Group plans for the groups a user ``branch_map`` names; each named group must be
    complete (all of one quantity set) and every branch must exist in ``keys``."""
    unknown = sorted(k for k in branch_map if k not in BRANCH_MAP_KEYS)
    if unknown:
        msg = f"branch_map has unknown key(s) {unknown}; valid keys are {list(BRANCH_MAP_KEYS)}"
        raise SourceOptionError(msg)
    idx = _index(keys)
    plans: dict[str, GroupPlan] = {}
    for g in GROUPS:
        given = {k.split("_", 1)[1]: v for k, v in branch_map.items() if k.split("_", 1)[0] == g}
        if not given:
            continue
        qset = next((qs for qs in QUANTITIES[g] if set(given) <= set(qs)
                     and all(q in given for q in qs if q not in OPTIONAL)), None)
        if qset is None:
            options = " or ".join("/".join(f"{g}_{q}" for q in qs) for qs in QUANTITIES[g])
            msg = f"branch_map gives {sorted(f'{g}_{q}' for q in given)} for the {GROUP_TITLES[g]} group; give all of {options}"
            raise SourceOptionError(msg)
        resolved: dict[str, tuple[str, ...]] = {}
        for q, value in given.items():
            names = (value,) if isinstance(value, str) else tuple(value)
            if not names or not all(isinstance(n, str) for n in names):
                msg = f"branch_map[{g + '_' + q!r}] must be a branch name or a list of branch names, got {value!r}"
                raise SourceOptionError(msg)
            absent = [n for n in names if n not in idx]
            if absent:
                near = closest_names(absent, keys)
                msg = (f"branch_map[{g + '_' + q!r}] names {absent}, not in {where}; "
                       f"branches there (closest first): {near}{' ...' if len(keys) > len(near) else ''}")
                raise MissingBranchError(msg)
            resolved[q] = tuple(idx[n] for n in names)
        if g == "met" and any(len(v) > 1 for v in resolved.values()):
            msg = "branch_map: missing ET is one value per event; give one branch per met_* key"
            raise SourceOptionError(msg)
        counts = {len(v) for v in resolved.values()}
        if len(counts) != 1:
            msg = f"branch_map for the {GROUP_TITLES[g]} group lists different numbers of branches per quantity: {dict(given)}"
            raise SourceOptionError(msg)
        plans[g] = GroupPlan(g, resolved)
    return plans
