"""The ROOT file layouts :class:`streams.root_source.RootSource` knows, as data, and
how a tree's branch names are matched against them.

A *group* is one physics collection the L1 input needs: ``ele``, ``pho``, ``mu``,
``jet`` (per-event lists of objects) or ``met`` (one value per event). A group is
read either as (pt, eta, phi) or as (px, py, pz[, e]) -- MET as (pt, phi) or
(px, py). Each layout lists, per group, alternative spellings tried in order (the
first complete one wins), and the tree names it usually lives in:

- ``nanoaod``: CMS NanoAOD, tree ``Events``: ``Jet_pt/eta/phi``, ``Muon_*``,
  ``Electron_*``, ``Photon_*``; MET from ``MET_pt/phi`` (Run 2 and Run 3 up to v14),
  else ``PFMET_pt/phi`` (NanoAOD v15 renamed MET to PFMET: cms-sw/cmssw#44038,
  PhysicsTools/NanoAOD/python/met_cff.py), else ``PuppiMET_pt/phi``; the RNTuple
  spelling ``Jet.pt`` (a collection field ``Jet`` with subfield ``pt``) too.
- ``pxpypze``: Cartesian four-vectors as in scikit-hep-testdata ``uproot-HZZ.root``:
  ``Jet_Px/Py/Pz/E``, ``Muon_*``, ``Electron_*``, ``Photon_*``, ``MET_px/py``.
- ``bacon``: BaconAna ntuples (scikit-hep-testdata ``uproot-mc10events.root``), tree
  ``Events``: split objects ``Electron/Electron.pt``, ``Muon``, ``Photon``, jets from
  ``AK4CHS`` else ``AK4Puppi``, MET from the event-info members ``Info/pfMET``,
  ``Info/pfMETphi`` else ``Info/puppET``, ``Info/puppETphi``.
- ``delphes``: Delphes output, tree ``Delphes``: ``Jet.PT/Eta/Phi``, ``Electron.*``,
  ``Muon.*``, ``Photon.*``, ``MissingET.MET/Phi``. uproot names the split branches
  ``Jet/Jet.PT``; the last path component is matched, and the ``fBits``/``fUniqueID``
  and TRefArray members (``Jet.Constituents``) are never read. Cards that write
  other collection names (the CMS Phase-II card: ``JetPUPPI``, ``MuonTight``,
  ``MuonLoose``, ``PuppiMissingET`` ...) are matched through :data:`DELPHES_NAMES`,
  first name found wins.

- ``p4``: ROOT vector objects, found by type rather than name (:func:`vector_plan`):
  ``std::vector<TLorentzVector>`` branches named ``jet...``, ``muon...``, ``electron...``,
  ``photon...``, and a ``TVector2`` MET, as in scikit-hep-testdata ``uproot-HZZ-objects.root``.
  Tried only on TTrees where no named layout matches.

A tree that matches no layout gets the error of :func:`no_usable_branches` (its closest
branches, the collections it holds only in part, and how to map them).

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
    "name_similarity",
    "short_name",
    "expected_names",
    "GROUP_TITLES",
    "NANO_MET_NAMES",
    "DELPHES_NAMES",
    "partial_matches",
    "vector_plan",
    "no_usable_branches",
]

OBJECT_GROUPS = ("ele", "pho", "mu", "jet")
GROUPS = (*OBJECT_GROUPS, "met")
GROUP_TITLES = {"ele": "electron", "pho": "photon", "mu": "muon", "jet": "jet", "met": "missing-ET"}
#: the quantity sets a group may be read as, in preference order
QUANTITIES = {
    "ele": (("pt", "eta", "phi"), ("px", "py", "pz", "e"), ("p4",)),
    "pho": (("pt", "eta", "phi"), ("px", "py", "pz", "e"), ("p4",)),
    "mu": (("pt", "eta", "phi"), ("px", "py", "pz", "e"), ("p4",)),
    "jet": (("pt", "eta", "phi"), ("px", "py", "pz", "e"), ("p4",)),
    "met": (("pt", "phi"), ("px", "py"), ("p4",)),
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
#: NanoAOD MET collections in preference order (v15 renamed MET to PFMET)
NANO_MET_NAMES = ("MET", "PFMET", "PuppiMET")
#: Delphes collection names per group, in preference order: the default card's names first,
#: then those of the CMS Phase-II card (TreeWriter branches JetPUPPI, MuonTight, MuonLoose,
#: ElectronMedium, PhotonTight, PuppiMissingET; delphes/cards/CMS_PhaseII/*.tcl)
DELPHES_NAMES = {
    "ele": ("Electron", "ElectronMedium", "ElectronTight", "ElectronLoose"),
    "pho": ("Photon", "PhotonTight", "PhotonMedium", "PhotonLoose"),
    "mu": ("Muon", "MuonTight", "MuonMedium", "MuonLoose"),
    "jet": ("Jet", "JetPUPPI"),
    "met": ("MissingET", "PuppiMissingET"),
}

LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "nanoaod",
        ("Events",),
        {
            **{g: (_ptetaphi(p, "_"), _ptetaphi(p, ".")) for g, p in _NANO_PREFIX.items()},
            "met": tuple({"pt": f"{m}{sep}pt", "phi": f"{m}{sep}phi"} for m in NANO_MET_NAMES for sep in "_."),
        },
    ),
    Layout(
        "pxpypze",
        ("events", "Events"),
        {**{g: (_pxpypze(p),) for g, p in _NANO_PREFIX.items()}, "met": ({"px": "MET_px", "py": "MET_py"},)},
    ),
    Layout(
        "bacon",
        ("Events",),
        {
            **{g: (_ptetaphi(p, "."),) for g, p in _NANO_PREFIX.items() if g != "jet"},
            "jet": (_ptetaphi("AK4CHS", "."), _ptetaphi("AK4Puppi", ".")),
            "met": ({"pt": "pfMET", "phi": "pfMETphi"}, {"pt": "puppET", "phi": "puppETphi"}),
        },
    ),
    Layout(
        "delphes",
        ("Delphes",),
        {
            **{g: tuple(_ptetaphi(p, ".", "PT", "Eta", "Phi") for p in DELPHES_NAMES[g]) for g in OBJECT_GROUPS},
            "met": tuple({"pt": f"{m}.MET", "phi": f"{m}.Phi"} for m in DELPHES_NAMES["met"]),
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
        return "px" in self.branches or "p4" in self.branches

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


#: words a ROOT-vector branch name starts with (case-blind), per group, for the ``p4`` layout
_VECTOR_WORDS = {"ele": ("electron", "ele"), "pho": ("photon", "pho", "gamma"), "mu": ("muon", "mu"),
                 "jet": ("jet",), "met": ("met", "missinget")}
#: the ROOT classes a ``p4`` branch of each group may hold (as uproot names the type)
_VECTOR_TYPES = {**{g: ("TLorentzVector",) for g in OBJECT_GROUPS}, "met": ("TVector2", "TLorentzVector", "TVector3")}


def vector_plan(typenames: Mapping[str, str]) -> ReadPlan | None:
    """The ``p4`` layout, for trees of ROOT vector objects (scikit-hep-testdata
    ``uproot-HZZ-objects.root``: ``jetp4``, ``muonp4`` ... as ``std::vector<TLorentzVector>``,
    ``MET`` as ``TVector2``): per group, the branches whose type names one of
    ``_VECTOR_TYPES`` and whose last name component starts with a word of
    ``_VECTOR_WORDS``. One such branch is the group; several branches of one object
    each (``jet1P4``, ``jet2P4``) are the group's objects in name order; any other mix
    (``jet1P4`` beside ``jet1TrksP4``, a list of tracks) is ambiguous and the group is
    left for ``branch_map``, never guessed. None when no group is found."""
    plans: dict[str, GroupPlan] = {}
    for g in GROUPS:
        found = sorted(k for k, tn in typenames.items()
                       if any(t in tn for t in _VECTOR_TYPES[g])
                       and short_name(k).lower().startswith(_VECTOR_WORDS[g]))
        if len(found) == 1 or (found and g != "met" and all(typenames[k] in _VECTOR_TYPES[g] for k in found)):
            plans[g] = GroupPlan(g, {"p4": tuple(found)})
    if not plans:
        return None
    return ReadPlan("p4", plans, tuple(g for g in GROUPS if g not in plans))


def partial_matches(keys: Sequence[str], limit: int = 6) -> list[str]:
    """Spellings of a group that ``keys`` hold only in part, as readable phrases
    (``"Jet_pt without Jet_eta, Jet_phi"``), for error messages: a tree with
    ``Jet_pt`` but no ``Jet_eta`` is close to a layout, and the user should hear which
    branches are lacking. At most ``limit`` phrases, in layout order."""
    idx = _index(keys)
    out: list[str] = []
    for layout in LAYOUTS:
        for g in GROUPS:
            if _resolve_group(g, layout.groups[g], idx) is not None:
                continue
            for alt in layout.groups[g]:
                need = [name for q, name in alt.items() if q not in OPTIONAL]
                have = [idx[n] for n in need if n in idx]
                lack = [n for n in need if n not in idx]
                if have and lack:
                    phrase = f"{', '.join(have)} without {', '.join(lack)}"
                    if phrase not in out:
                        out.append(phrase)
    return out[:limit]


def name_similarity(wanted: Sequence[str], key: str) -> float:
    """Highest similarity (0..1, difflib ratio, case-blind) of a key's last path component
    to any of ``wanted``."""
    s = short_name(key).lower()
    best = 0.0
    for w in wanted:
        m = difflib.SequenceMatcher(None, s, w.lower())
        if m.real_quick_ratio() > best and m.quick_ratio() > best:
            best = max(best, m.ratio())
    return best


def _bigrams(text: str) -> frozenset[str]:
    t = text.lower()
    return frozenset(t[i:i + 2] for i in range(len(t) - 1)) or frozenset((t,))


#: trees with more keys than this are pre-ranked by character-bigram overlap before the
#: (slow) difflib ranking; ATLAS PHYSLITE has thousands of branches
_PRERANK = 96


def closest_names(wanted: Iterable[str], keys: Sequence[str], limit: int = 12) -> list[str]:
    """Up to ``limit`` of ``keys``, the ones most similar to any of ``wanted`` first."""
    wanted = list(wanted)
    pool = list(keys)
    if len(pool) > _PRERANK:
        grams = [_bigrams(w) for w in wanted]

        def overlap(k: str) -> float:
            g = _bigrams(short_name(k))
            return max(len(g & w) / len(g | w) for w in grams)

        pool = sorted(pool, key=lambda k: -overlap(k))[:_PRERANK]
    return sorted(pool, key=lambda k: -name_similarity(wanted, k))[:limit]


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


#: how many trees a "no usable branches" message describes (the most relevant first)
_TREES_IN_MESSAGE = 4


def no_usable_branches(path: str, all_keys: Mapping[str, list[str]], trees: Mapping[str, str],
                        unreadable: Sequence[str]) -> MissingBranchError:
    """The error for a file where no tree has branches of a known layout: the most relevant
    trees (partial layout matches, then the closest branch names) with their closest branches,
    and how to map branches."""
    want = expected_names()
    ranked = []
    for name, keys in all_keys.items():
        partial = partial_matches(keys)
        near = closest_names(want, keys)
        ranked.append((-len(partial), -name_similarity(want, near[0]) if near else 0.0, name, keys, partial, near))
    ranked.sort(key=lambda r: r[:2])
    parts = []
    for _p, _s, name, keys, partial, near in ranked[:_TREES_IN_MESSAGE]:
        part = (f"tree {name!r} ({trees[name]}) has {len(keys)} branches, closest first: {near}"
                f"{' ...' if len(keys) > len(near) else ''}")
        if partial:
            part += f"; it has {'; '.join(partial)}"
        parts.append(part)
    if len(ranked) > _TREES_IN_MESSAGE:
        parts.append(f"{len(ranked) - _TREES_IN_MESSAGE} more trees: {[r[2] for r in ranked[_TREES_IN_MESSAGE:]]}")
    parts += unreadable
    msg = (f"no usable branches in {path!r}: looked for NanoAOD (Jet_pt, Muon_pt, MET_pt ...), "
           f"Px/Py/Pz/E (Jet_Px, MET_px ...), BaconAna (AK4CHS.pt, Info/pfMET ...) or Delphes (Jet.PT, "
           f"MissingET.MET ...) names, each object "
           f"collection as pt, eta and phi (or px, py, pz); {'; '.join(parts)}. Map branches in the menu's "
           f"[source.branch_map] table, e.g. jet_pt = \"MyJet_pt\", jet_eta = \"MyJet_eta\", jet_phi = \"MyJet_phi\" "
           f"(keys: ele_, pho_, mu_, jet_ + pt/eta/phi, px/py/pz/e or p4 for a TLorentzVector branch; "
           f"met_pt/met_phi, met_px/met_py or met_p4), "
           f"and choose the tree with --tree or [source] tree")
    return MissingBranchError(msg)
