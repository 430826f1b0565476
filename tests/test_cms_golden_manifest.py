"""The committed CMS golden vectors are what their manifest says they are.

``tests/golden/cms/`` holds one ``<FOLDER>.npz`` per cms-hls4ml network folder, made
by ``scripts/make_cms_golden.py`` from the upstream emulators compiled with g++, and
``MANIFEST.json``. These tests need neither g++ nor hls4ml: they check that every
.npz is the file the manifest hashed, that its arrays have the recorded names,
shapes, dtypes and raw ranges, and -- when ``../shared/models/cms-hls4ml`` is there --
that the upstream files the vectors were built from are unchanged. (Comparing the
Python emulators against these vectors is done elsewhere.)
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

GOLDEN = Path(__file__).parent / "golden" / "cms"
MANIFEST = GOLDEN / "MANIFEST.json"
_REPO = Path(__file__).resolve().parents[1]


def _models_dir() -> Path | None:
    env = os.environ.get("TRIGGEREMU_CMS_MODELS")
    cands = [Path(env)] if env else [b / "shared" / "models" / "cms-hls4ml" for b in (_REPO.parent, _REPO.parent.parent)]
    return next((c for c in cands if c.is_dir()), None)


def _manifest() -> dict:
    if not MANIFEST.is_file():
        pytest.skip(f"{MANIFEST} missing: run scripts/make_cms_golden.py")
    return json.loads(MANIFEST.read_text())


def _folders() -> list[str]:
    if not MANIFEST.is_file():
        return []
    return sorted(json.loads(MANIFEST.read_text())["folders"])


def _sha256(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_manifest_lists_every_npz():
    man = _manifest()
    on_disk = sorted(p.name for p in GOLDEN.glob("*.npz"))
    listed = sorted(e["npz"]["file"] for e in man["folders"].values())
    assert on_disk == listed
    assert man["folders"], "no folder in the manifest"


def test_committed_size_budget():
    _manifest()
    total = sum(p.stat().st_size for p in GOLDEN.iterdir() if p.is_file())
    assert total < 12.5 * 1024 * 1024, f"tests/golden/cms is {total / 2**20:.1f} MiB, over the ~12 MiB budget"


@pytest.mark.parametrize("folder", _folders())
def test_npz_sha256(folder):
    entry = _manifest()["folders"][folder]
    path = GOLDEN / entry["npz"]["file"]
    assert path.is_file(), f"{path} listed in the manifest but missing"
    assert _sha256(path) == entry["npz"]["sha256"], f"{path.name} changed since the manifest was written"
    assert path.stat().st_size == entry["npz"]["bytes"]


@pytest.mark.parametrize("folder", _folders())
def test_arrays_match_manifest(folder):
    entry = _manifest()["folders"][folder]
    with np.load(GOLDEN / entry["npz"]["file"], allow_pickle=False) as z:
        names = sorted(z.files)
        assert names == sorted(entry["arrays"]), f"{folder}: arrays differ from the manifest"
        counts = {s["name"]: s["count"] for s in entry["sets"]}
        for name, meta in entry["arrays"].items():
            a = z[name]
            assert list(a.shape) == meta["shape"], f"{folder}/{name}: shape {a.shape} != {meta['shape']}"
            assert str(a.dtype) == meta["dtype"], f"{folder}/{name}: dtype {a.dtype} != {meta['dtype']}"
            assert meta["type"], f"{folder}/{name}: no fixed-point type recorded"
            if a.size:
                assert meta["min_raw"] <= int(a.min()) and int(a.max()) <= meta["max_raw"], \
                    f"{folder}/{name}: raw values outside {meta['type']}"
            set_name = name.split("__", 1)[0]
            if set_name in counts:
                assert a.shape[0] == counts[set_name], f"{folder}/{name}: {a.shape[0]} rows, set has {counts[set_name]}"


@pytest.mark.parametrize("folder", _folders())
def test_every_set_has_inputs_and_outputs(folder):
    entry = _manifest()["folders"][folder]
    arrays = entry["arrays"]
    for s in entry["sets"]:
        mine = [n for n in arrays if n.startswith(s["name"] + "__")]
        levels = {arrays[n]["level"] for n in mine}
        assert levels == {s["level"]}, f"{folder}/{s['name']}: arrays of levels {levels}"
        if s["level"] == "wrapper":
            assert f"{s['name']}__input" in arrays
            assert any(n == f"{s['name']}__result" or n.startswith(f"{s['name']}__result_") for n in mine)
        else:
            ports = entry["network"]["ports"]
            for p in ports:
                assert f"{s['name']}__{p['name']}" in arrays, f"{folder}/{s['name']}: port {p['name']} not recorded"


@pytest.mark.parametrize("folder", _folders())
def test_upstream_files_unchanged(folder):
    models = _models_dir()
    if models is None:
        pytest.skip("../shared/models/cms-hls4ml absent (set TRIGGEREMU_CMS_MODELS): upstream hashes not checked")
    entry = _manifest()["folders"][folder]
    files = entry["upstream_files_sha256"]
    assert files, f"{folder}: no upstream file recorded"
    changed = []
    for rel, sha in files.items():
        p = models / rel
        if not p.is_file():
            changed.append(f"{rel} (missing)")
        elif _sha256(p) != sha:
            changed.append(rel)
    assert not changed, f"{folder}: upstream files differ from those the vectors were built from: {changed}"
