"""Make the activation/softmax golden vectors from hls4ml's own C++, compiled with g++.

For hls4ml 1.3.0's ``nnet_utils/nnet_activation.h`` (from the wheel) and for every
distinct ``nnet_activation.h`` in ``shared/models/cms-hls4ml/*`` (each header generation
of :mod:`firmware_models.nn.nnet_variants` once, from the first folder carrying it), this
compiles one harness (``scripts/activation_golden_cpp.py``) against that header and hls4ml
1.3.0's bundled ``ap_types``, runs every case of ``scripts/activation_golden_cases.py`` on
seeded inputs and writes raw integers to ``tests/golden/activations/<variant>.npz`` with a
``manifest.json`` (tool versions, header sha256 and the folders sharing it, types, file
sha256). The tests read only those files (no g++ at test time).

    python3 scripts/make_activation_golden.py [--wheel /tmp/dl/hls4ml-1.3.0-py3-none-any.whl]
        [--models ../shared/models/cms-hls4ml] [--out tests/golden/activations]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from activation_golden_cases import cases_for, inputs_for, softmax_inputs  # noqa: E402
from activation_golden_cpp import compile_and_run, translation_unit  # noqa: E402

from firmware_models.fixed import FixedType  # noqa: E402
from firmware_models.nn.nnet_variants import detect_variant  # noqa: E402

SEED = 20260417


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _headers(models: Path) -> dict[str, dict]:
    """sha256 -> {path, folders} of every nnet_activation.h under models/ (sorted by folder)."""
    out: dict[str, dict] = {}
    for h in sorted(models.glob("*/**/nnet_activation.h")):
        sha = _sha(h)
        folder = h.relative_to(models).parts[0]
        entry = out.setdefault(sha, {"path": h, "folders": []})
        if folder not in entry["folders"]:
            entry["folders"].append(folder)
    return out


def _small(a: np.ndarray) -> np.ndarray:
    """The narrowest integer dtype holding ``a`` (the tests widen to int64)."""
    a = np.asarray(a, dtype=np.int64)
    for dt in (np.int8, np.int16, np.int32):
        if a.size == 0 or (a.min() >= np.iinfo(dt).min and a.max() <= np.iinfo(dt).max):
            return a.astype(dt)
    return a


def _write_inputs(cases, work: Path, rng) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    per_type: dict = {}
    for k, c in enumerate(cases):
        if c["func"] == "table":
            continue
        if c["func"] == "softmax":  # one input set per (type, size), shared by the implementations
            n_in = c["n_slice"] * c["n_outer"] * c["n_inner"]
            key = per_type.get((c["in_t"], n_in))
            if key is None:
                key = per_type[(c["in_t"], n_in)] = f"s{len(per_type)}"
                arrays[key] = softmax_inputs(c["in_t"], n_in, rng)
            x = arrays[key]
        else:
            key = per_type.get(c["in_t"])
            if key is None:
                key = per_type[c["in_t"]] = f"x{len(per_type)}"
                arrays[key] = inputs_for(c["in_t"], rng)
            x = arrays[key]
            if c["func"] == "prelu":
                n = len(c["alphas"])
                x = x[: len(x) // n * n]
        c["input"] = key
        x.astype(np.int64).tofile(work / f"in_{k}.bin")
        if c["func"] == "unary_lut":
            t = FixedType.parse(c["table_t"])
            tab = np.random.default_rng(c["table_seed"]).integers(t.min_raw, t.max_raw, c["table_size"],
                                                                    endpoint=True)
            arrays[f"tab_{k}"] = tab
            tab.astype(np.int64).tofile(work / f"tab_{k}.bin")
    return arrays


def run_variant(v, nnet_dir: Path, ap_types: Path, work: Path) -> tuple[list[dict], dict[str, np.ndarray]]:
    cases = cases_for(v)
    rng = np.random.default_rng(SEED)
    arrays = _write_inputs(cases, work, rng)
    compile_and_run(translation_unit(cases, v), work, nnet_dir, ap_types)
    for k, c in enumerate(cases):
        arrays[f"out_{k}"] = np.fromfile(work / f"out_{k}.bin", dtype=np.int64)
        if c["func"] == "softmax" and c["implementation"] != "argmax":
            arrays[f"et_{k}"] = np.fromfile(work / f"et_{k}.bin", dtype=np.int64)
            arrays[f"it_{k}"] = np.fromfile(work / f"it_{k}.bin", dtype=np.int64)
    return cases, arrays


def _dump(manifest: dict) -> str:
    """The manifest as JSON with one case per line (small, and diffs stay readable)."""
    head = {k: v for k, v in manifest.items() if k != "variants"}
    lines = ["{", *(f" {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()), ' "variants": {']
    names = list(manifest["variants"])
    for n, name in enumerate(names):
        e = manifest["variants"][name]
        meta = {k: v for k, v in e.items() if k != "cases"}
        lines.append(f"  {json.dumps(name)}: {json.dumps(meta)[:-1]}, \"cases\": [")
        lines += [f"   {json.dumps(c, separators=(',', ':'))}{',' if i < len(e['cases']) - 1 else ''}"
                  for i, c in enumerate(e["cases"])]
        lines.append("  ]}" + ("," if n < len(names) - 1 else ""))
    lines += [" }", "}"]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=Path, default=Path("/tmp/dl/hls4ml-1.3.0-py3-none-any.whl"))
    ap.add_argument("--models", type=Path, default=ROOT.parent / "shared" / "models" / "cms-hls4ml")
    ap.add_argument("--out", type=Path, default=ROOT / "tests" / "golden" / "activations")
    ap.add_argument("--only", default=None, help="run one variant (by name) only")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    gxx = subprocess.run(["g++", "--version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    manifest = {"generator": "scripts/make_activation_golden.py", "seed": SEED, "gxx": gxx,
                "flags": "-O3 -std=c++17", "hls4ml_wheel": args.wheel.name, "hls4ml_wheel_sha256": _sha(args.wheel),
                "ap_types": "hls4ml 1.3.0 templates/vivado/ap_types", "numpy": np.__version__, "variants": {}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with zipfile.ZipFile(args.wheel) as z:
            for name in z.namelist():
                if name.startswith(("hls4ml/templates/vivado/ap_types/", "hls4ml/templates/vivado/nnet_utils/")):
                    z.extract(name, tmp)
        vivado = tmp / "hls4ml" / "templates" / "vivado"
        ap_types = vivado / "ap_types"
        wheel_h = vivado / "nnet_utils" / "nnet_activation.h"
        sources = {_sha(wheel_h): {"path": wheel_h, "folders": ["hls4ml-1.3.0 wheel"]}}
        for sha, e in _headers(args.models).items():
            sources.setdefault(sha, {"path": e["path"], "folders": []})["folders"] += e["folders"]
        for sha, e in sources.items():
            v = detect_variant(e["path"].read_text(errors="replace"))
            if args.only and v.name != args.only:
                continue
            work = tmp / f"work_{sha[:8]}"
            work.mkdir()
            print(f"{v.name}: {e['path']} ({', '.join(e['folders'])})", file=sys.stderr)
            cases, arrays = run_variant(v, e["path"].parent, ap_types, work)
            npz = args.out / f"{v.name}.npz"
            np.savez_compressed(npz, **{k: _small(a) for k, a in arrays.items()})
            manifest["variants"][v.name] = {
                "header_sha256": sha, "header_from": str(e["path"].relative_to(tmp if e["path"].is_relative_to(tmp)
                                                                              else args.models)),
                "folders": e["folders"], "file": npz.name, "sha256": _sha(npz), "cases": cases}
    mpath = args.out / "manifest.json"
    if args.only and mpath.exists():
        old = json.loads(mpath.read_text())
        old["variants"].update(manifest["variants"])
        manifest["variants"] = old["variants"]
    mpath.write_text(_dump(manifest))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
