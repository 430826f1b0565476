"""Replay of the real ROOT files people have: every relevant file of scikit-hep-testdata
0.3.12, the CMS NanoAOD files of ../shared/data, and (when present) newer real files.

Each readable file is checked against values computed here from the raw branches
(uproot arrays, ``library="np"``) with the plain-Python reference of
``test_root_source.reference_row`` (written from docs/design.md's field table alone); each
refused file must fail with the documented error class and a message naming what the
file holds and how to map it.

Files beyond scikit-hep-testdata 0.3.12 (newer releases download them at run time,
which fails offline) are looked for in ../shared/data and in the directory named by
``TRIGGEREMU_TESTDATA``; their tests skip when they are absent:
``cmsopendata2015_ttbar_19980_NANOAOD_RNTupleImporter_rntuple_v1-0-0-1.root`` (NanoAOD
as RNTuple), ``Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root`` (muons
only, RNTuple) and ``nanoAOD_2015_CMS_Open_Data_ttbar.root`` (2015 Open Data NanoAOD),
all from github.com/scikit-hep/scikit-hep-testdata ``src/skhep_testdata/data``.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from pathlib import Path

import awkward as ak
import numpy as np
import pytest
import uproot
from test_root_source import _ptetaphi_from_p, read_all, reference_nano, reference_row

from streams.errors import MissingBranchError, SourceError
from streams.root_source import BadInputWarning, MissingCollectionWarning, RootSource

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
#: newer scikit-hep-testdata files the pinned wheel lacks (provenance in SOURCE.md there)
BUNDLED = Path(__file__).resolve().parent / "data" / "root"


def _data(name: str) -> Path:
    """A real test file: tests/data/root, scikit-hep-testdata's data directory, ../shared/data, or
    $TRIGGEREMU_TESTDATA; skip with a message when none has it."""
    dirs = [BUNDLED, SHARED_DATA]
    try:
        import skhep_testdata

        dirs.insert(0, Path(skhep_testdata.__file__).parent / "data")
    except ImportError:
        pass
    if os.environ.get("TRIGGEREMU_TESTDATA"):
        dirs.append(Path(os.environ["TRIGGEREMU_TESTDATA"]))
    for d in dirs:
        if (d / name).is_file():
            return d / name
    pytest.skip(f"{name} is in none of {[str(d) for d in dirs]} (tests/data/root, scikit-hep-testdata 0.3.12, ../shared/data, "
                "$TRIGGEREMU_TESTDATA)")


def _quiet_source(*args, **kwargs) -> RootSource:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingCollectionWarning)
        return RootSource(*args, **kwargs)


# ------------------------------------------------------------------ Px/Py/Pz/E
def _hzz_reference(path: Path, n: int) -> np.ndarray:
    with uproot.open(path) as f:
        raw = f["events"].arrays(library="np", entry_stop=n)
    kinds = {"Electron": "eg", "Photon": "eg", "Muon": "mu", "Jet": "jet"}
    rows = []
    for ev in range(n):
        objects: dict[str, list] = {"eg": [], "mu": [], "jet": []}
        for p, kind in kinds.items():
            px, py, pz = (raw[f"{p}_{c}"][ev] for c in ("Px", "Py", "Pz"))
            objects[kind] += [_ptetaphi_from_p(float(a), float(b), float(c)) for a, b, c in zip(px, py, pz, strict=True)]
        mpx, mpy = float(raw["MET_px"][ev]), float(raw["MET_py"][ev])
        rows.append(reference_row(objects, (math.hypot(mpx, mpy), math.atan2(mpy, mpx)))[0])
    return np.array(rows, dtype=np.int32)


@pytest.mark.parametrize("codec", ["lz4", "lzma", "zlib", "zstd", "uncompressed"])
def test_hzz_every_compression_matches_reference(codec):
    path = _data(f"uproot-HZZ-{codec}.root")
    with RootSource(path, entry_stop=120) as src:
        assert src.layout == "pxpypze" and src.n_events == 120
        cols = read_all(src)
    np.testing.assert_array_equal(cols["l1_inputs"], _hzz_reference(path, 120))


def test_chunks_across_many_baskets_give_the_same_events(tmp_path):
    """The testdata files hold one basket per branch, so the real HZZ events are rewritten
    in 13 baskets of 190 events; chunks of 97 then cross basket boundaries."""
    path = _data("uproot-HZZ.root")
    names = [f"{p}_{c}" for p in ("Electron", "Photon", "Muon", "Jet") for c in ("Px", "Py", "Pz", "E")]
    with uproot.open(path) as f:
        raw = f["events"].arrays([*names, "MET_px", "MET_py"])
    many = tmp_path / "hzz_baskets.root"
    with uproot.recreate(many) as f:
        tree = f.mktree("events", {k: raw[k].type.content for k in raw.fields})
        for start in range(0, 2421, 190):
            tree.extend({k: raw[k][start:start + 190] for k in raw.fields})
    with uproot.open(many) as f:
        assert f["events"]["Jet_Px"].num_baskets == 13
    whole = read_all(RootSource(many))
    pieces = read_all(RootSource(many, chunk_events=97, batch_events=500))
    for k in ("orbit", "bx", "event", "l1_inputs", "bad_input"):
        np.testing.assert_array_equal(pieces[k], whole[k])
    np.testing.assert_array_equal(whole["event"], np.arange(2421))
    np.testing.assert_array_equal(whole["l1_inputs"], _hzz_reference(path, 2421))


def test_several_files_replay_in_order():
    a, b = _data("uproot-HZZ.root"), _data("uproot-HZZ-zlib.root")
    src = RootSource([a, b], chunk_events=1000)
    assert src.n_events == 2 * 2421
    cols = read_all(src)
    ref = _hzz_reference(a, 2421)
    np.testing.assert_array_equal(cols["l1_inputs"], np.concatenate([ref, ref]))
    np.testing.assert_array_equal(cols["event"], np.arange(2 * 2421))


def test_cli_replays_several_files_and_accounts_for_every_event(tmp_path):
    from triggeremu.cli import main

    a, b = _data("uproot-HZZ.root"), _data("uproot-HZZ-lz4.root")
    js = tmp_path / "s.json"
    assert main(["replay", str(a), str(b), "--json", str(js), "--quiet"]) == 0
    s = json.loads(js.read_text())
    assert s["layout"] == "pxpypze" and s["events_in"] == 2 * 2421
    assert s["events_in"] == s["events_accepted"] + s["events_rejected"] + s["events_dropped"]
    assert s["layout_detail"]["files"] == [str(a), str(b)]


def test_tlorentzvector_objects_match_reference():
    """uproot-HZZ-objects.root: std::vector<TLorentzVector> jetp4, muonp4 ... and a TVector2
    MET, found by type; the reference reads the vector members with uproot directly."""
    path = _data("uproot-HZZ-objects.root")
    src = RootSource(path, entry_stop=300)
    assert src.layout == "p4" and src.layout_detail["missing"] == []
    assert src.layout_detail["branches"]["jet"] == {"p4": "jetp4"}
    assert src.layout_detail["branches"]["met"] == {"p4": "MET"}
    cols = read_all(src)
    with uproot.open(path) as f:
        raw = f["events"].arrays(["electronp4", "photonp4", "muonp4", "jetp4", "MET"], entry_stop=300)
    rows = []
    for ev in range(300):
        objects: dict[str, list] = {"eg": [], "mu": [], "jet": []}
        for b, kind in (("electronp4", "eg"), ("photonp4", "eg"), ("muonp4", "mu"), ("jetp4", "jet")):
            objects[kind] += [_ptetaphi_from_p(v["fP"]["fX"], v["fP"]["fY"], v["fP"]["fZ"]) for v in raw[b][ev].to_list()]
        mx, my = float(raw["MET"][ev]["fX"]), float(raw["MET"][ev]["fY"])
        rows.append(reference_row(objects, (math.hypot(mx, my), math.atan2(my, mx)))[0])
    ref = np.array(rows, dtype=np.int32)
    np.testing.assert_array_equal(cols["l1_inputs"], ref)
    assert (ref[:, 15] > 0).mean() > 0.5


def test_p4_branch_map_and_a_p4_branch_of_the_wrong_type():
    path = _data("uproot-HZZ-objects.root")
    src = _quiet_source(path, branch_map={"mu_p4": "muonp4"}, tree="events", entry_stop=50)
    assert src.layout_detail["branches"]["mu"] == {"p4": "muonp4"}
    ref = read_all(RootSource(path, entry_stop=50))["l1_inputs"]
    np.testing.assert_array_equal(read_all(src)["l1_inputs"], ref)
    bad = RootSource(path, branch_map={"jet_p4": "jetbtag"}, entry_stop=50)
    with pytest.raises(SourceError, match="'jetbtag' has type .*TLorentzVector, TVector3 or TVector2"):
        read_all(bad)


@pytest.mark.slow
def test_one_tlorentzvector_per_jet_is_left_to_branch_map():
    """uproot-issue96.root: jet1P4, jet2P4 (one TLorentzVector each) beside jet1TrksP4 (the
    jet's tracks): ambiguous, so it is refused, and mapped as two one-object branches."""
    path = _data("uproot-issue96.root")
    with pytest.raises(MissingBranchError, match="jet1P4"):
        RootSource(path)
    src = _quiet_source(path, tree="tree", branch_map={"jet_p4": ["jet1P4", "jet2P4"]})
    assert src.layout == "custom" and src.layout_detail["branches"]["jet"] == {"p4": ["jet1P4", "jet2P4"]}
    cols = read_all(src)
    with uproot.open(path) as f:
        raw = f["tree"].arrays(["jet1P4", "jet2P4"], entry_stop=src.n_events)
    rows = []
    for ev in range(src.n_events):
        jets = [_ptetaphi_from_p(v["fP"]["fX"], v["fP"]["fY"], v["fP"]["fZ"])
                for v in (raw["jet1P4"][ev].to_list(), raw["jet2P4"][ev].to_list())]
        rows.append(reference_row({"jet": jets}, (0.0, 0.0))[0])
    ref = np.array(rows, dtype=np.int32)
    np.testing.assert_array_equal(cols["l1_inputs"], ref)
    assert (ref[:, 30] > 0).any()  # second jet slot filled somewhere


# ------------------------------------------------------------------ split-object layouts
def test_bacon_ntuple_matches_reference():
    """BaconAna (uproot-mc10events.root): split objects, jets AK4CHS, MET in Info."""
    path = _data("uproot-mc10events.root")
    src = RootSource(path)
    assert src.layout == "bacon" and src.n_events == 10 and src.layout_detail["missing"] == []
    assert src.layout_detail["branches"]["met"] == {"pt": "Info/pfMET", "phi": "Info/pfMETphi"}
    cols = read_all(src)
    branches = [f"{p}/{p}.{q}" for p in ("Electron", "Photon", "Muon", "AK4CHS") for q in ("pt", "eta", "phi")]
    with uproot.open(path) as f:
        raw = f["Events"].arrays([*branches, "Info/pfMET", "Info/pfMETphi"], library="np")
    rows = []
    for ev in range(10):
        objects: dict[str, list] = {"eg": [], "mu": [], "jet": []}
        for p, kind in (("Electron", "eg"), ("Photon", "eg"), ("Muon", "mu"), ("AK4CHS", "jet")):
            cols_ = [raw[f"{p}/{p}.{q}"][ev] for q in ("pt", "eta", "phi")]
            objects[kind] += [tuple(float(c[i]) for c in cols_) for i in range(len(cols_[0]))]
        rows.append(reference_row(objects, (float(raw["Info/pfMET"][ev]), float(raw["Info/pfMETphi"][ev])))[0])
    ref = np.array(rows, dtype=np.int32)
    np.testing.assert_array_equal(cols["l1_inputs"], ref)
    assert (ref[:, 27] > 0).all() and (ref[:, 3] > 0).any()


def test_delphes_file_with_jets_only():
    """uproot-issue513.root: real Delphes output whose card wrote Jet but no leptons or MET;
    the split branches are Jet/Jet.PT beside Jet/Jet.fBits and TRefArray members."""
    path = _data("uproot-issue513.root")
    with pytest.warns(MissingCollectionWarning, match="electron, photon, muon, missing-ET"):
        src = RootSource(path)
    assert src.layout == "delphes" and src.layout_detail["tree"] == "Delphes"
    assert src.layout_detail["branches"] == {"jet": {"pt": "Jet/Jet.PT", "eta": "Jet/Jet.Eta", "phi": "Jet/Jet.Phi"}}
    cols = read_all(src)
    with uproot.open(path) as f:
        raw = f["Delphes"].arrays(["Jet/Jet.PT", "Jet/Jet.Eta", "Jet/Jet.Phi"], library="np")
    rows = [reference_row({"jet": [(float(a), float(b), float(c)) for a, b, c in
                                   zip(*(raw[f"Jet/Jet.{q}"][ev] for q in ("PT", "Eta", "Phi")), strict=True)]},
                          (0.0, 0.0))[0] for ev in range(10)]
    np.testing.assert_array_equal(cols["l1_inputs"], np.array(rows, dtype=np.int32))
    assert (cols["l1_inputs"][:, 27] > 0).all()


def test_delphes_phase2_card_names(tmp_path):
    """The CMS Phase-II Delphes card writes JetPUPPI, MuonTight/MuonLoose, PhotonTight,
    ElectronMedium, PuppiMissingET (TreeWriter branches); the real nano_dy objects are
    written under those names."""
    nano = SHARED_DATA / "nano_dy.root"
    if not nano.is_file():
        pytest.skip(f"{nano} is absent (../shared not beside the checkout)")
    names = {"Jet": "JetPUPPI", "Muon": "MuonTight", "Electron": "ElectronMedium", "Photon": "PhotonTight"}
    with uproot.open(nano) as f:
        raw = f["Events"].arrays([f"{p}_{q}" for p in names for q in ("pt", "eta", "phi")] + ["PuppiMET_pt", "PuppiMET_phi"])
    data = {f"{d}.{dq}": raw[f"{p}_{q}"] for p, d in names.items() for q, dq in (("pt", "PT"), ("eta", "Eta"), ("phi", "Phi"))}
    data["MuonLoose.PT"] = data["MuonTight.PT"]  # a second muon collection: the first listed name wins
    data["MuonLoose.Eta"], data["MuonLoose.Phi"] = data["MuonTight.Eta"], data["MuonTight.Phi"]
    data["PuppiMissingET.MET"] = ak.unflatten(raw["PuppiMET_pt"], 1)
    data["PuppiMissingET.Phi"] = ak.unflatten(raw["PuppiMET_phi"], 1)
    path = tmp_path / "phase2.root"
    with uproot.recreate(path) as f:
        f.mktree("Delphes", {k: v.type.content for k, v in data.items()})
        f["Delphes"].extend(data)
    src = RootSource(path)
    assert src.layout == "delphes" and src.layout_detail["missing"] == []
    assert src.layout_detail["branches"]["mu"]["pt"] == "MuonTight.PT"
    ref, bad = reference_nano(nano, 40, met="PuppiMET")
    np.testing.assert_array_equal(read_all(src)["l1_inputs"], ref)
    assert not bad.any()


def test_cli_counts_nan_and_inf_events_as_dropped(tmp_path):
    """Real nano_dy objects with NaN put into one jet eta and inf into one MET: the replay
    drops exactly those events with reason nan_input and accounts for every event."""
    from triggeremu.cli import main

    nano = SHARED_DATA / "nano_dy.root"
    if not nano.is_file():
        pytest.skip(f"{nano} is absent (../shared not beside the checkout)")
    path = tmp_path / "nan.root"
    _rewrite_nano(nano, path, {})
    with uproot.open(path) as f:
        raw = f["Events"].arrays()
    out = {k: raw[k] for k in raw.fields if not k.startswith("n")}
    counts = ak.to_numpy(ak.num(out["Jet_eta"]))
    ev_jet = int(np.flatnonzero(counts >= 2)[5])
    flat = ak.to_numpy(ak.flatten(out["Jet_eta"])).copy()
    flat[int(counts[:ev_jet].sum()) + 1] = np.nan
    out["Jet_eta"] = ak.unflatten(flat, counts)
    met = ak.to_numpy(out["MET_phi"]).copy()
    ev_met = 7 if ev_jet != 7 else 8
    met[ev_met] = np.inf
    out["MET_phi"] = met
    with uproot.recreate(path) as f:
        f.mktree("Events", {k: (v.dtype if isinstance(v, np.ndarray) else v.type.content) for k, v in out.items()})
        f["Events"].extend(out)
    js = tmp_path / "s.json"
    with pytest.warns(BadInputWarning, match="2 of 40 events have NaN/inf"):
        assert main(["replay", str(path), "--json", str(js), "--quiet"]) == 0
    s = json.loads(js.read_text())
    assert s["events_in"] == 40 and s["drop_reasons"]["nan_input"] == 2
    assert s["events_in"] == s["events_accepted"] + s["events_rejected"] + s["events_dropped"]


# ------------------------------------------------------------------ NanoAOD variants
def _rewrite_nano(src: Path, dst: Path, rename: dict[str, str], drop: tuple[str, ...] = ()) -> None:
    """A TTree copy of the real nano_dy Events with some collections renamed or dropped
    (the spelling of NanoAOD v15, a PuppiMET-only skim, a skim without e/gamma)."""
    prefixes = ("Jet", "Muon", "Electron", "Photon", "MET", "PuppiMET")
    with uproot.open(src) as f:
        t = f["Events"]
        names = [f"{p}_{q}" for p in prefixes for q in ("pt", "eta", "phi") if f"{p}_{q}" in t.keys()]
        raw = t.arrays(names)
    out = {f"{rename.get(p, p)}_{q}": raw[f"{p}_{q}"] for p in prefixes if p not in drop
           for q in ("pt", "eta", "phi") if f"{p}_{q}" in raw.fields}
    with uproot.recreate(dst) as f:
        f.mktree("Events", {k: v.type.content for k, v in out.items()})
        f["Events"].extend(out)


@pytest.mark.parametrize(("rename", "drop", "met", "missing"), [
    ({"MET": "PFMET"}, (), "PFMET", []),                     # NanoAOD v15 spelling
    ({}, ("MET",), "PuppiMET", []),                          # PuppiMET only
    ({}, ("Photon", "Electron"), "MET", ["ele", "pho"]),     # skim without e/gamma
])
def test_nanoaod_variants(tmp_path, rename, drop, met, missing):
    nano = SHARED_DATA / "nano_dy.root"
    if not nano.is_file():
        pytest.skip(f"{nano} is absent (../shared not beside the checkout)")
    path = tmp_path / "variant.root"
    _rewrite_nano(nano, path, rename, drop)
    src = _quiet_source(path)
    assert src.layout == "nanoaod" and src.layout_detail["missing"] == missing
    assert src.layout_detail["branches"]["met"] == {"pt": f"{met}_pt", "phi": f"{met}_phi"}
    prefixes = tuple(p for p in ("Electron", "Photon", "Muon", "Jet") if p not in drop)
    ref, bad = reference_nano(path, 40, prefixes=prefixes, met=met)
    cols = read_all(src)
    np.testing.assert_array_equal(cols["l1_inputs"], ref)
    np.testing.assert_array_equal(cols["bad_input"], bad)


@pytest.mark.parametrize(("name", "n", "prefixes", "missing"), [
    ("cmsopendata2015_ttbar_19980_NANOAOD_RNTupleImporter_rntuple_v1-0-0-1.root", 10,
     ("Electron", "Photon", "Muon", "Jet"), []),
    ("nanoAOD_2015_CMS_Open_Data_ttbar.root", 200, ("Electron", "Photon", "Muon", "Jet"), []),
])
def test_newer_nanoaod_files(name, n, prefixes, missing):
    path = _data(name)
    src = _quiet_source(path)
    assert src.layout == "nanoaod" and src.n_events == n and src.layout_detail["missing"] == missing
    ref, bad = reference_nano(path, n, prefixes=prefixes)
    cols = read_all(src)
    np.testing.assert_array_equal(cols["l1_inputs"], ref)
    np.testing.assert_array_equal(cols["bad_input"], bad)


def test_rntuple_muons_only():
    path = _data("Run2012BC_DoubleMuParked_Muons_1000evts_rntuple_v1-0-0-0.root")
    with pytest.warns(MissingCollectionWarning, match="electron, photon, jet, missing-ET"):
        src = RootSource(path, chunk_events=333)
    assert src.layout == "nanoaod" and src.layout_detail["tree_kind"] == "ROOT::RNTuple"
    cols = read_all(src)
    with uproot.open(path) as f:
        raw = f["Events"].arrays(["Muon_pt", "Muon_eta", "Muon_phi"])
    rows = [reference_row({"mu": list(zip(*(raw[f"Muon_{q}"][ev].to_list() for q in ("pt", "eta", "phi")),
                                          strict=True))}, (0.0, 0.0))[0] for ev in range(1000)]
    np.testing.assert_array_equal(cols["l1_inputs"], np.array(rows, dtype=np.int32))


# ------------------------------------------------------------------ refusals
@pytest.mark.parametrize(("name", "error", "fragments"), [
    ("uproot-small-dy-withoffsets.root", MissingBranchError,
     ["Jet_pt without Jet_eta, Jet_phi", "MET_pt without MET_phi", "[source.branch_map]"]),
    ("uproot-ntpl001_staff.root", SourceError, ["'Staff'", "pre-1.0 RNTuple format", "ROOT >= 6.34"]),
    ("uproot-histograms.root", MissingBranchError, ["holds no TTree or RNTuple", "TH1F"]),
    ("uproot-issue74.root", MissingBranchError, ["tree 'Events' (TTree) has 12 branches", "MyEvent/bees"]),
    ("uproot-issue-172.root", MissingBranchError, ["rec_part_px", "jet_pt = \"MyJet_pt\""]),
    ("uproot-nesteddirs.root", MissingBranchError, ["'one/two/tree'", "'three/tree'", "'one/tree'"]),
    ("uproot-Zmumu.root", MissingBranchError, ["'pt1'", "'eta1'", "--tree"]),
    ("uproot-issue501.root", MissingBranchError, ["tree 'T' (TTree) has 1 branches"]),  # a leaf uproot cannot type
])
def test_files_without_l1_objects_are_refused_with_a_clear_message(name, error, fragments):
    path = _data(name)
    with pytest.raises(error) as info:
        RootSource(path)
    msg = str(info.value)
    for frag in fragments:
        assert frag in msg, (frag, msg)
    assert "\n" not in msg and len(msg) < 3000
