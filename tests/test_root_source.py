"""Tests of streams.root_source on real files (scikit-hep-testdata, CMS NanoAOD in
../shared/data) and on files written here with uproot (Delphes-like, RNTuple, NaN).

The 57-value inputs are checked against a reference computed in this file with plain
Python loops from the raw branches (uproot, library="np"), from the field spec of
docs/design.md alone: code = floor(x / lsb) (+1 for muon pT), saturated, phi mod 2pi,
objects ordered by pT code (stable, electrons before photons), code-0 objects left out.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import awkward as ak
import numpy as np
import pytest
import uproot

from streams.clock import FillingScheme, assign_bx
from streams.errors import MissingBranchError, SourceError
from streams.root_source import BadInputWarning, MissingCollectionWarning, RootSource
from streams.schema import concat_columns
from streams.sourcebase import SourceOptionError

# ------------------------------------------------------------------ reference
PHI_CALO, PHI_MU = 2 * math.pi / 144, 2 * math.pi / 576
#          pT bits, pT offset, eta LSB, eta bits, phi LSB, phi codes
SPEC = {"eg": (9, 0, 0.0435, 8, PHI_CALO, 144), "mu": (9, 1, 0.010875, 9, PHI_MU, 576),
        "jet": (11, 0, 0.0435, 8, PHI_CALO, 144)}
SLOTS = (("eg", 3, 4), ("mu", 15, 4), ("jet", 27, 10))


def _sat(code: int, bits: int, signed: bool) -> int:
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    return min(max(code, lo), hi)


def reference_row(objects: dict[str, list[tuple[float, float, float]]], met: tuple[float, float]):
    """(57 ints, bad) for one event; ``objects['eg']`` lists electrons then photons."""
    values = [v for objs in objects.values() for o in objs for v in o] + list(met)
    if not all(math.isfinite(v) for v in values):
        return [0] * 57, 1
    row = [0] * 57
    row[0] = _sat(math.floor(met[0] / 0.5), 12, False)
    row[2] = math.floor(met[1] / PHI_CALO) % 144
    for kind, start, count in SLOTS:
        bits, offset, eta_lsb, eta_bits, phi_lsb, n_phi = SPEC[kind]
        coded = []
        for pt, eta, phi in objects.get(kind, []):
            c = (_sat(math.floor(pt / 0.5) + offset, bits, False), _sat(math.floor(eta / eta_lsb), eta_bits, True),
                 math.floor(phi / phi_lsb) % n_phi)
            if c[0] > 0:
                coded.append(c)
        coded.sort(key=lambda c: -c[0])
        for i, c in enumerate(coded[:count]):
            row[start + 3 * i: start + 3 * i + 3] = c
    return row, 0


def _ptetaphi_from_p(px: float, py: float, pz: float) -> tuple[float, float, float]:
    pt = math.hypot(px, py)
    return pt, (math.asinh(pz / pt) if pt > 0 else 0.0), math.atan2(py, px)


def reference_nano(path, n, prefixes=("Electron", "Photon", "Muon", "Jet"), met="MET", sep="_",
                   q=("pt", "eta", "phi"), tree="Events"):
    names = {"Electron": "eg", "Photon": "eg", "Muon": "mu", "Jet": "jet"}
    with uproot.open(path) as f:
        t = f[tree]
        branches = [f"{p}{sep}{x}" for p in prefixes for x in q] + [f"{met}{sep}{q[0] if met != 'MissingET' else 'MET'}",
                                                                     f"{met}{sep}{q[2]}"]
        raw = {b: t[b].array(entry_stop=n, library="np") for b in branches}  # per branch: fast on RNTuple too
    rows, bad = [], []
    for ev in range(n):
        objects: dict[str, list] = {"eg": [], "mu": [], "jet": []}
        for p in prefixes:
            cols = [raw[f"{p}{sep}{x}"][ev] for x in q]
            objects[names[p]] += [tuple(float(c[i]) for c in cols) for i in range(len(cols[0]))]
        m_pt, m_phi = raw[branches[-2]][ev], raw[branches[-1]][ev]
        if np.ndim(m_pt):  # Delphes MissingET: a list with one entry
            m_pt, m_phi = m_pt[0], m_phi[0]
        r, b = reference_row(objects, (float(m_pt), float(m_phi)))
        rows.append(r)
        bad.append(b)
    return np.array(rows, dtype=np.int32), np.array(bad, dtype=np.uint8)


def read_all(src) -> dict[str, np.ndarray]:
    return concat_columns(list(src))


# ------------------------------------------------------------------ real files
@pytest.mark.parametrize("name", ["nano_dy.root", "nano_dimuon.root"])
def test_nanoaod_matches_reference(shared_data, name):
    path = shared_data / name
    src = RootSource(path, passthrough=["L1_SingleMu22", "L1_SingleJet180"])
    assert src.layout == "nanoaod" and src.n_events == 40
    detail = src.layout_detail
    assert detail["tree"] == "Events" and detail["tree_kind"] == "TTree" and detail["missing"] == []
    assert detail["branches"]["jet"] == {"pt": "Jet_pt", "eta": "Jet_eta", "phi": "Jet_phi"}
    assert detail["branches"]["met"] == {"pt": "MET_pt", "phi": "MET_phi"}
    cols = read_all(src)
    ref, bad = reference_nano(path, 40)
    np.testing.assert_array_equal(cols["l1_inputs"], ref)
    np.testing.assert_array_equal(cols["bad_input"], bad)
    assert (ref[:, 27] > 0).mean() > 0.9  # nearly every event has a jet: not a comparison of zeros
    with uproot.open(path) as f:
        raw = f["Events"].arrays(["L1_SingleMu22", "L1_SingleJet180"], library="np")
    for k, v in raw.items():
        assert cols[k].dtype == np.uint8
        np.testing.assert_array_equal(cols[k], v.astype(np.uint8))


def test_hzz_pxpypze_matches_reference(hzz_path):
    src = RootSource(hzz_path)
    assert src.layout == "pxpypze" and src.n_events == 2421
    assert src.layout_detail["tree"] == "events"
    cols = read_all(src)
    n = 300
    with uproot.open(hzz_path) as f:
        raw = f["events"].arrays(library="np", entry_stop=n)
    names = {"Electron": "eg", "Photon": "eg", "Muon": "mu", "Jet": "jet"}
    rows = []
    for ev in range(n):
        objects: dict[str, list] = {"eg": [], "mu": [], "jet": []}
        for p in ("Electron", "Photon", "Muon", "Jet"):
            px, py, pz = (raw[f"{p}_{c}"][ev] for c in ("Px", "Py", "Pz"))
            objects[names[p]] += [_ptetaphi_from_p(float(a), float(b), float(c)) for a, b, c in zip(px, py, pz, strict=True)]
        mpx, mpy = float(raw["MET_px"][ev]), float(raw["MET_py"][ev])
        rows.append(reference_row(objects, (math.hypot(mpx, mpy), math.atan2(mpy, mpx)))[0])
    np.testing.assert_array_equal(cols["l1_inputs"][:n], np.array(rows, dtype=np.int32))
    assert (cols["l1_inputs"][:n, 15] > 0).mean() > 0.5  # H -> ZZ -> 4l: muons present


def test_zmumu_needs_a_branch_map(zmumu_path):
    with pytest.raises(MissingBranchError) as info:
        RootSource(zmumu_path)
    msg = str(info.value)
    assert "no usable branches" in msg and "'events'" in msg and "branch_map" in msg
    assert "pt1" in msg  # closest existing names are listed
    bmap = {"mu_pt": ["pt1", "pt2"], "mu_eta": ["eta1", "eta2"], "mu_phi": ["phi1", "phi2"]}
    with pytest.warns(MissingCollectionWarning, match="electron, photon, jet, missing-ET"):
        src = RootSource(zmumu_path, branch_map=bmap)
    assert src.layout == "custom" and src.n_events == 2304
    cols = read_all(src)
    with uproot.open(zmumu_path) as f:
        raw = f["events"].arrays(["pt1", "eta1", "phi1", "pt2", "eta2", "phi2"], library="np")
    rows = [reference_row({"mu": [tuple(float(raw[f"{q}{i}"][ev]) for q in ("pt", "eta", "phi")) for i in (1, 2)]},
                          (0.0, 0.0))[0] for ev in range(2304)]
    np.testing.assert_array_equal(cols["l1_inputs"], np.array(rows, dtype=np.int32))
    assert (cols["l1_inputs"][:, 18] > 0).all()  # two muons in every event


def test_branch_map_overrides_detection(shared_data):
    path = shared_data / "nano_dy.root"
    src = RootSource(path, branch_map={"met_pt": "PuppiMET_pt", "met_phi": "PuppiMET_phi"})
    assert src.layout == "nanoaod"
    assert src.layout_detail["branches"]["met"] == {"pt": "PuppiMET_pt", "phi": "PuppiMET_phi"}
    with uproot.open(path) as f:
        raw = f["Events"].arrays(["PuppiMET_pt", "PuppiMET_phi"], library="np")
    l1 = read_all(src)["l1_inputs"]
    assert l1[:, 0].tolist() == [math.floor(float(v) / 0.5) for v in raw["PuppiMET_pt"]]
    assert l1[:, 2].tolist() == [math.floor(float(v) / PHI_CALO) % 144 for v in raw["PuppiMET_phi"]]


@pytest.fixture
def small_nano(write_nano, nano_columns):
    """A 40-event NanoAOD-like file with PuppiMET and two L1 bits (bool, one jagged)."""
    cols = nano_columns(40, seed=21)
    rng = np.random.default_rng(21)
    cols["PuppiMET_pt"] = rng.exponential(20.0, 40).astype(np.float32)
    cols["PuppiMET_phi"] = rng.uniform(-3, 3, 40).astype(np.float32)
    cols["L1_SingleMu22"] = rng.random(40) < 0.3
    cols["L1_Counts"] = rng.integers(0, 5, 40).astype(np.int32)
    return write_nano("small_nano.root", cols)


@pytest.mark.parametrize(
    ("bmap", "err", "match"),
    [
        ({"jets_pt": "Jet_pt"}, SourceOptionError, "unknown key"),
        ({"jet_pt": "Jet_pt", "jet_eta": "Jet_eta"}, SourceOptionError, "give all of jet_pt/jet_eta/jet_phi"),
        ({"jet_pt": "Jet_ptt", "jet_eta": "Jet_eta", "jet_phi": "Jet_phi"}, MissingBranchError,
         r"names \['Jet_ptt'\], not in tree 'Events'.*closest first\): \['Jet_pt'"),
        ({"met_pt": ["MET_pt", "PuppiMET_pt"], "met_phi": ["MET_phi", "PuppiMET_phi"]}, SourceOptionError,
         "one value per event"),
    ],
)
def test_bad_branch_maps(small_nano, bmap, err, match):
    with pytest.raises(err, match=match):
        RootSource(small_nano, branch_map=bmap)


def test_passthrough(small_nano):
    with RootSource(small_nano, passthrough=["L1_SingleMu22", "L1_Counts"]) as src:
        cols = read_all(src)
    with uproot.open(small_nano) as f:
        raw = f["Events"].arrays(["L1_SingleMu22", "L1_Counts"], library="np")
    assert cols["L1_SingleMu22"].dtype == np.uint8
    np.testing.assert_array_equal(cols["L1_SingleMu22"], raw["L1_SingleMu22"].astype(np.uint8))
    np.testing.assert_array_equal(cols["L1_Counts"], raw["L1_Counts"])
    with pytest.raises(MissingBranchError, match=r"'L1_SingleMu222x' is not in .*\['L1_SingleMu22'"):
        RootSource(small_nano, passthrough=["L1_SingleMu222x"])
    with pytest.raises(SourceOptionError, match="one number or bool per event"):
        RootSource(small_nano, passthrough=["Jet_pt"])
    with pytest.raises(SourceOptionError, match="overwrite"):
        RootSource(small_nano, passthrough=["event"])


def test_files_in_sequence_and_entry_stop(write_nano, nano_columns):
    paths = [write_nano(f"seq{i}.root", nano_columns(40, seed=30 + i)) for i in range(2)]
    one = [read_all(RootSource(p))["l1_inputs"] for p in paths]
    both = read_all(RootSource(paths, batch_events=7))
    np.testing.assert_array_equal(both["l1_inputs"], np.concatenate(one))
    np.testing.assert_array_equal(both["event"], np.arange(80, dtype=np.uint64))
    capped = RootSource(paths, entry_stop=50)
    assert capped.n_events == 50
    np.testing.assert_array_equal(read_all(capped)["l1_inputs"], np.concatenate(one)[:50])
    source = RootSource(paths)
    first, second = read_all(source), read_all(source)  # a source can be read twice
    np.testing.assert_array_equal(first["l1_inputs"], second["l1_inputs"])


def test_second_file_must_match(write_nano, nano_columns):
    good = write_nano("good.root", nano_columns(10, seed=1))
    other = write_nano("other.root", {k: v for k, v in nano_columns(10, seed=2).items() if not k.startswith("Muon")})
    with pytest.raises(MissingBranchError, match=r"lacks branches \['Muon_pt', 'Muon_eta', 'Muon_phi'\]"):
        RootSource([good, other])


# ------------------------------------------------------------------ written here
def test_chunking_invariance(write_nano, nano_columns):
    path = write_nano("chunks.root", nano_columns(5000, seed=3))
    scheme = FillingScheme.single_train(72)
    outs = []
    for chunk, batch in [(100_000, None), (1000, 333), (777, 5000), (10_000, 4096)]:
        src = RootSource(path, chunk_events=chunk, batch_events=batch, scheme=scheme)
        batches = list(src)
        size = batch or 4 * 72
        assert [len(b["event"]) for b in batches[:-1]] == [size] * (len(batches) - 1)
        outs.append(concat_columns(batches))
    for other in outs[1:]:
        assert set(other) == set(outs[0])
        for k in outs[0]:
            np.testing.assert_array_equal(other[k], outs[0][k], err_msg=k)
    orbit, bx, event = assign_bx(0, 5000, scheme)
    np.testing.assert_array_equal(outs[0]["orbit"], orbit)
    np.testing.assert_array_equal(outs[0]["bx"], bx)
    ref, _ = reference_nano(path, 500)
    np.testing.assert_array_equal(outs[0]["l1_inputs"][:500], ref)


def test_rntuple_matches_ttree(write_nano, nano_columns):
    cols = nano_columns(3000, seed=5)
    tt = read_all(RootSource(write_nano("tt.root", cols)))
    src = RootSource(write_nano("rn.root", cols, rntuple=True), chunk_events=700)
    assert src.layout == "nanoaod" and src.layout_detail["tree_kind"] == "ROOT::RNTuple"
    rn = read_all(src)
    np.testing.assert_array_equal(rn["l1_inputs"], tt["l1_inputs"])
    assert (tt["l1_inputs"][:, 27] > 0).mean() > 0.9


def test_rntuple_collection_fields(tmp_path, nano_columns):
    """RNTuple NanoAOD spelling: a collection field ``Jet`` with subfields ``pt`` ..."""
    cols = nano_columns(500, seed=6)
    data = {c: ak.zip({q: cols[f"{c}_{q}"] for q in ("pt", "eta", "phi")})
            for c in ("Jet", "Muon", "Electron", "Photon")}
    data["MET_pt"], data["MET_phi"] = cols["MET_pt"], cols["MET_phi"]
    path = tmp_path / "rn_records.root"
    with uproot.recreate(path) as f:
        f["Events"] = ak.Array(data)
    src = RootSource(path)
    assert src.layout_detail["branches"]["jet"] == {"pt": "Jet.pt", "eta": "Jet.eta", "phi": "Jet.phi"}
    flat_path = tmp_path / "flat.root"
    with uproot.recreate(flat_path) as f:
        f.mktree("Events", {k: v.type.content if isinstance(v, ak.Array) else v.dtype for k, v in cols.items()})
        f["Events"].extend(cols)
    np.testing.assert_array_equal(read_all(src)["l1_inputs"], read_all(RootSource(flat_path))["l1_inputs"])


def _write_delphes(path: Path, cols: dict, with_leptons: bool = True) -> None:
    names = {"Jet": "Jet"} if not with_leptons else {"Jet": "Jet", "Electron": "Electron", "Muon": "Muon",
                                                       "Photon": "Photon"}
    data = {}
    for c in names:
        for q, dq in (("pt", "PT"), ("eta", "Eta"), ("phi", "Phi")):
            data[f"{c}.{dq}"] = cols[f"{c}_{q}"]
    one = ak.unflatten(np.ones(len(cols["MET_pt"]), dtype=np.int64), 1)
    data["MissingET.MET"] = ak.unflatten(cols["MET_pt"], one[:, 0])
    data["MissingET.Phi"] = ak.unflatten(cols["MET_phi"], one[:, 0])
    with uproot.recreate(path) as f:
        f.mktree("Delphes", {k: v.type.content for k, v in data.items()})
        f["Delphes"].extend(data)


def test_delphes_layout(tmp_path, nano_columns):
    cols = nano_columns(400, seed=8)
    path = tmp_path / "delphes.root"
    _write_delphes(path, cols)
    src = RootSource(path)
    assert src.layout == "delphes" and src.layout_detail["tree"] == "Delphes"
    assert src.layout_detail["branches"]["met"] == {"pt": "MissingET.MET", "phi": "MissingET.Phi"}
    ref, _ = reference_nano(path, 400, sep=".", q=("PT", "Eta", "Phi"), met="MissingET", tree="Delphes")
    np.testing.assert_array_equal(read_all(src)["l1_inputs"], ref)


def test_missing_collections_warn_and_zero_fill(tmp_path, nano_columns):
    cols = nano_columns(300, seed=9, collections=("Jet",))
    path = tmp_path / "delphes_jets.root"
    _write_delphes(path, cols, with_leptons=False)
    with pytest.warns(MissingCollectionWarning, match="no electron, photon, muon collection"):
        src = RootSource(path)
    assert src.layout_detail["missing"] == ["ele", "pho", "mu"]
    l1 = read_all(src)["l1_inputs"]
    assert not l1[:, 3:27].any() and l1[:, 27:].any()


def test_nan_and_inf_flag_events(write_nano, nano_columns):
    cols = nano_columns(2000, seed=11)
    flat_eta = ak.to_numpy(ak.flatten(cols["Jet_eta"])).copy()
    counts = ak.to_numpy(ak.num(cols["Jet_eta"]))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    with_jets = np.flatnonzero(counts >= 2)
    ev_a, ev_b = int(with_jets[3]), int(with_jets[10])
    flat_eta[starts[ev_a] + 1] = np.nan  # second jet of one event
    cols["Jet_eta"] = ak.unflatten(flat_eta, counts)
    met = cols["MET_pt"].copy()
    met[ev_b] = np.inf
    cols["MET_pt"] = met
    flat_mu_phi = ak.to_numpy(ak.flatten(cols["Muon_phi"])).copy()
    mu_counts = ak.to_numpy(ak.num(cols["Muon_phi"]))
    ev_c = int(np.flatnonzero(mu_counts >= 1)[20])
    flat_mu_phi[int(np.concatenate([[0], np.cumsum(mu_counts)])[ev_c])] = -np.inf
    cols["Muon_phi"] = ak.unflatten(flat_mu_phi, mu_counts)
    path = write_nano("nan.root", cols)
    src = RootSource(path, chunk_events=900)
    with pytest.warns(BadInputWarning, match="3 of 2000 events have NaN/inf"):
        out = read_all(src)
    assert src.n_bad_input == 3
    bad = sorted({ev_a, ev_b, ev_c})
    assert np.flatnonzero(out["bad_input"]).tolist() == bad
    assert not out["l1_inputs"][bad].any()
    ref, ref_bad = reference_nano(path, 2000)
    np.testing.assert_array_equal(out["l1_inputs"], ref)
    np.testing.assert_array_equal(out["bad_input"], ref_bad)


def test_nan_in_energy_of_cartesian_layout(tmp_path):
    path = tmp_path / "p4.root"
    e = ak.Array([[50.0, 20.0], [30.0], [np.nan]])
    px, py, pz = ak.Array([[30.0, 5.0], [10.0], [3.0]]), ak.Array([[0.0, 5.0], [10.0], [4.0]]), ak.Array([[1.0, 0.0], [0.0], [0.0]])
    with uproot.recreate(path) as f:
        f["events"] = {"Jet_Px": px, "Jet_Py": py, "Jet_Pz": pz, "Jet_E": e, "MET_px": np.array([1.0, np.nan, 0.0]),
                       "MET_py": np.array([0.0, 0.0, 0.0])}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingCollectionWarning)
        src = RootSource(path)
    assert src.layout == "pxpypze"
    with pytest.warns(BadInputWarning, match="2 of 3"):
        out = read_all(src)
    assert out["bad_input"].tolist() == [0, 1, 1]
    ref = reference_row({"jet": [_ptetaphi_from_p(30.0, 0.0, 1.0), _ptetaphi_from_p(5.0, 5.0, 0.0)]}, (1.0, 0.0))[0]
    assert out["l1_inputs"][0].tolist() == ref


# ------------------------------------------------------------------ bad input
def test_missing_file(tmp_path):
    with pytest.raises(SourceError, match="does not exist"):
        RootSource(tmp_path / "nope.root")
    with pytest.raises(SourceError, match="not a file"):
        RootSource(tmp_path)
    with pytest.raises(SourceOptionError, match="at least one file"):
        RootSource([])


def test_not_root(tmp_path):
    path = tmp_path / "text.root"
    path.write_text("run,event\n1,2\n")
    with pytest.raises(SourceError, match=r"is not a ROOT file \(it starts with b'run,'"):
        RootSource(path)


def test_truncated(write_nano, nano_columns, tmp_path):
    path = write_nano("full.root", nano_columns(20_000, seed=1))
    data = path.read_bytes()
    for frac in (0.9, 0.3, 0.001):
        cut = tmp_path / f"cut_{frac}.root"
        cut.write_bytes(data[: int(len(data) * frac)])
        with pytest.raises(SourceError, match="truncated"):
            RootSource(cut)


def test_damaged_basket_fails_on_read(write_nano, nano_columns, tmp_path):
    path = write_nano("full.root", nano_columns(20_000, seed=2))
    with uproot.open(path) as f:
        seek = int(f["Events"]["Jet_pt"].member("fBasketSeek")[0])
    data = bytearray(path.read_bytes())
    data[seek + 80: seek + 400] = bytes(320)  # zero the compressed payload of the first Jet_pt basket
    bad = tmp_path / "damaged.root"
    bad.write_bytes(bytes(data))
    src = RootSource(bad)
    with pytest.raises(SourceError, match="truncated or damaged"):
        read_all(src)


def test_missing_tree(small_nano, tmp_path):
    with pytest.raises(MissingBranchError, match=r"tree 'Evnts' is not in .*trees there: \['Events'\]"):
        RootSource(small_nano, tree="Evnts")
    path = tmp_path / "hist.root"
    with uproot.recreate(path) as f:
        f["h"] = np.histogram(np.arange(10.0), bins=5)
    with pytest.raises(MissingBranchError, match="holds no TTree or RNTuple; it holds .*TH1D"):
        RootSource(path)


def test_detection_on_branch_lists():
    """Spellings no file here has: real Delphes nests branches (``Jet/Jet.PT``); CMSSW's
    RNTuple NanoAOD names the record inside a collection ``_0`` (``Jet._0.pt``)."""
    from streams.root_layouts import resolve_layout

    delphes = ["Event", "Jet", "Jet/Jet.fUniqueID", "Jet/Jet.PT", "Jet/Jet.Eta", "Jet/Jet.Phi", "Muon",
               "Muon/Muon.PT", "Muon/Muon.Eta", "Muon/Muon.Phi", "MissingET", "MissingET/MissingET.MET",
               "MissingET/MissingET.Phi", "MissingET/MissingET.Eta"]
    plan = resolve_layout(delphes)
    assert plan.layout == "delphes" and plan.missing == ("ele", "pho")
    assert plan.groups["jet"].branches == {"pt": ("Jet/Jet.PT",), "eta": ("Jet/Jet.Eta",), "phi": ("Jet/Jet.Phi",)}
    assert plan.groups["met"].branches == {"pt": ("MissingET/MissingET.MET",), "phi": ("MissingET/MissingET.Phi",)}
    rntuple = ["Jet", "Jet._0", "Jet._0.pt", "Jet._0.eta", "Jet._0.phi", "MET", "MET.pt", "MET.phi"]
    plan = resolve_layout(rntuple)
    assert plan.layout == "nanoaod"
    assert plan.groups["jet"].branches["pt"] == ("Jet._0.pt",)
    assert plan.groups["met"].branches == {"pt": ("MET.pt",), "phi": ("MET.phi",)}
    assert resolve_layout(["run", "event", "nJet"]) is None
