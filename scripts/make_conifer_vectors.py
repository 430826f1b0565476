#!/usr/bin/env python3
"""Make golden vectors for the ACAM from conifer's own C++ emulation (``tests/golden/conifer/``).

For one scikit-learn and one XGBoost ensemble and two ap_fixed precisions, plus the
small cases of :data:`EXTRA_CASES` (multi-class GBC and XGBoost softprob, a random
forest, rounding/saturating precisions, the xilinxhls backend unrolled and rolled),
this trains the model on synthetic data, converts it with conifer, compiles conifer's
``cpp`` or ``xilinxhls`` C++ emulation (g++, Xilinx ap_types from hls4ml, nlohmann
JSON) and records ``decision_function`` on chosen inputs. Written per case:

- ``<case>.json``: conifer's project JSON (what ``firmware_models.acam.from_conifer`` reads);
- ``<case>.npz``: ``x`` (float64 inputs), ``y_raw`` (int64 outputs as raw integers of the
  score precision: conifer's float64 ``y * 2**F``, checked exact);
- ``manifest.json``: tool versions, precisions, shapes, sha256 of every file.

Inputs include every threshold of the model and its neighbours half and one input LSB
either side (the places where ``<=`` vs ``<``, the threshold quantization and the input
rounding matter), exact rounding ties, plus random points, some beyond the input range
(conifer wraps or saturates them).

Run in a separate environment (never needed by the test suite)::

    python3 -m venv /work/venvs/h3a
    /work/venvs/h3a/bin/pip install conifer==1.11 scikit-learn==1.9.1 xgboost-cpu==3.2.0 \
        pandas hls4ml==1.3.0 nlohmann-json==3.12.0 onnx skl2onnx
    /work/venvs/h3a/bin/python scripts/make_conifer_vectors.py --out tests/golden/conifer

``XILINX_AP_INCLUDE`` is set to hls4ml's bundled ap_types and ``CPLUS_INCLUDE_PATH``
to the nlohmann-json wheel's headers unless already set.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np

PRECISIONS = ("ap_fixed<18,8>", "ap_fixed<12,4>")
N_FEATURES = 8
N_RANDOM = 1000
N_RANDOM_SMALL = 400

#: Extra cases: (name, model key, backend, config precisions). Small models keep the files small.
#: ``score`` types that saturate (AP_SAT) make the order of conifer's sum visible: cpp and the
#: rolled HLS loop add tree by tree, the unrolled HLS code reduces by a balanced adder tree.
EXTRA_CASES = (
    ("sklearn_gbc3_apfixed18_8", "sklearn_gbc3", "cpp", {"Precision": "ap_fixed<18,8>"}),
    ("xgboost_softprob3_apfixed16_6", "xgboost_softprob3", "cpp", {"Precision": "ap_fixed<16,6>"}),
    ("sklearn_rfc_apfixed16_6", "sklearn_rfc", "cpp", {"Precision": "ap_fixed<16,6>"}),
    ("sklearn_gbc_rnd_sat_10_3", "sklearn_gbc_small", "cpp", {"Precision": "ap_fixed<10,3,AP_RND,AP_SAT>"}),
    (
        "xgboost_reg_hls_unrolled_sat",
        "xgboost_reg_small",
        "xilinxhls",
        {
            "InputPrecision": "ap_fixed<10,3,AP_RND_CONV,AP_SAT_SYM>",
            "ThresholdPrecision": "ap_fixed<12,4,AP_RND>",
            "ScorePrecision": "ap_fixed<10,3,AP_RND,AP_SAT>",
            "Unroll": True,
        },
    ),
    (
        "sklearn_gbc3_hls_rolled_sat",
        "sklearn_gbc3",
        "xilinxhls",
        {"Precision": "ap_fixed<10,3,AP_RND,AP_SAT>", "Unroll": False},
    ),
    ("xgboost_reg_hls_apfixed12_4", "xgboost_reg_small", "xilinxhls", {"Precision": "ap_fixed<12,4>", "Unroll": True}),
    ("onnx_gbc_apfixed16_6", "onnx_gbc_small", "cpp", {"Precision": "ap_fixed<16,6>"}),
)


def _setup_headers() -> None:
    import hls4ml
    import nlohmann_json

    if "XILINX_AP_INCLUDE" not in os.environ:
        os.environ["XILINX_AP_INCLUDE"] = str(Path(hls4ml.__file__).parent / "templates" / "vivado" / "ap_types")
    inc = Path(nlohmann_json.__file__).parent / "include"
    os.environ["CPLUS_INCLUDE_PATH"] = os.pathsep.join(filter(None, [str(inc), os.environ.get("CPLUS_INCLUDE_PATH")]))


def _data(rng):
    x = rng.uniform(-3.5, 3.5, size=(4000, N_FEATURES))
    y = np.sin(x[:, 0]) + 0.5 * x[:, 1] * x[:, 2] - 0.3 * x[:, 3] + rng.normal(0, 0.1, 4000)
    return x, y


def _models(rng):
    # conifer 1.11's sklearn converter reads n_classes_, which GradientBoostingRegressor no
    # longer has: the sklearn case is a binary GradientBoostingClassifier (one output, log-odds init).
    from sklearn.ensemble import GradientBoostingClassifier
    import xgboost as xgb

    x, y = _data(rng)
    skl = GradientBoostingClassifier(n_estimators=40, max_depth=3, learning_rate=0.2, random_state=0).fit(x, y > 0)
    xgbm = xgb.XGBRegressor(n_estimators=40, max_depth=4, learning_rate=0.2, random_state=0, n_jobs=1).fit(x, y)
    return {"sklearn_gbc": (skl, "sklearn"), "xgboost_reg": (xgbm, "xgboost")}


def _extra_models(rng):
    """Small models for :data:`EXTRA_CASES` (features 6 and 7 unused by construction)."""
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
    import xgboost as xgb

    x, y = _data(rng)
    x[:, 6:] = 0.0
    y3 = np.digitize(y, [-0.5, 0.5])
    return {
        "sklearn_gbc3": (GradientBoostingClassifier(n_estimators=8, max_depth=3, learning_rate=0.5, random_state=0).fit(x, y3), "sklearn"),
        "sklearn_gbc_small": (GradientBoostingClassifier(n_estimators=30, max_depth=2, learning_rate=0.5, random_state=0).fit(x, y > 0), "sklearn"),
        "sklearn_rfc": (RandomForestClassifier(n_estimators=6, max_depth=4, random_state=0, n_jobs=1).fit(x, y > 0), "sklearn"),
        "xgboost_softprob3": (
            # base_score=0.5: conifer 1.11 takes the logit of XGBoost >= 3's per-class base margins (NaN when < 0)
            xgb.XGBClassifier(
                n_estimators=8, max_depth=3, learning_rate=0.5, objective="multi:softprob", base_score=0.5, random_state=0, n_jobs=1
            ).fit(x, y3),
            "xgboost",
        ),
        "xgboost_reg_small": (xgb.XGBRegressor(n_estimators=16, max_depth=3, learning_rate=0.5, random_state=0, n_jobs=1).fit(x, 2 * y), "xgboost"),
        # conifer's onnx converter reads a classifier graph (TreeEnsembleClassifier + ZipMap) as skl2onnx writes it
        "onnx_gbc_small": (GradientBoostingClassifier(n_estimators=10, max_depth=3, learning_rate=0.5, random_state=0).fit(x, y > 0.3), "onnx"),
    }


def _lsb(precision: str) -> tuple[float, int]:
    w, i = (int(v) for v in precision[precision.index("<") + 1 : precision.index(">")].split(",")[:2])
    return 2.0 ** -(w - i), i


def _inputs(model_dict, precision: str, rng, n_random: int, probes: tuple) -> np.ndarray:
    lsb, i = _lsb(precision)
    rows = [rng.uniform(-3.5, 3.5, size=(n_random, N_FEATURES)), rng.uniform(-2 ** (i - 1) * 1.5, 2 ** (i - 1) * 1.5, size=(200, N_FEATURES))]
    # exact ties of the rounding modes: odd multiples of half an LSB
    span = int(2 ** (i - 1) / lsb * 1.2)
    rows.append((rng.integers(-span, span, size=(100, N_FEATURES)) + 0.5) * lsb)
    for per_class in model_dict["trees"]:
        for tree in per_class:
            for f, t in zip(tree["feature"], tree["threshold"]):
                if f < 0:
                    continue
                base = rng.uniform(-3.5, 3.5, size=(len(probes), N_FEATURES))
                for k, d in enumerate(probes):
                    base[k, f] = t + d * lsb
                rows.append(base)
    return np.concatenate(rows)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _make_case(conifer, case, model, kind, backend, precisions, tmp: Path, out: Path, rng, small: bool) -> dict:
    """Convert, compile and run one case; write ``<case>.json`` / ``<case>.npz``; its manifest entry."""
    cfg = getattr(conifer.backends, backend).auto_config()
    cfg.update(precisions)
    cfg["OutputDir"] = str(tmp / case)
    cfg["ProjectName"] = case
    if kind == "onnx":
        from skl2onnx import to_onnx

        onx = to_onnx(model, np.zeros((1, N_FEATURES), dtype=np.float32), target_opset={"": 17, "ai.onnx.ml": 3})
        cm = conifer.converters.convert_from_onnx(onx, cfg)
    else:
        conv = conifer.converters.convert_from_sklearn if kind == "sklearn" else conifer.converters.convert_from_xgboost
        cm = conv(model, cfg)
    cm.compile()
    cm.save()  # the model JSON with its config (backend, precisions, unroll), as users keep it
    src_json = Path(cfg["OutputDir"]) / f"{case}.json"
    model_dict = json.loads(src_json.read_text())
    in_prec = precisions.get("InputPrecision", precisions.get("Precision"))
    score_prec = precisions.get("ScorePrecision", precisions.get("Precision"))
    probes = (-1.0, -0.5, 0.0, 0.5, 1.0) if small else (-1.0, 0.0, 1.0)
    x = _inputs(model_dict, in_prec, rng, N_RANDOM_SMALL if small else N_RANDOM, probes)
    y = np.asarray(cm.decision_function(x), dtype=np.float64).reshape(x.shape[0], -1)
    lsb, _ = _lsb(score_prec)
    scaled = y / lsb
    y_raw = scaled.astype(np.int64)
    if not np.array_equal(y_raw.astype(np.float64), scaled):
        msg = f"{case}: conifer outputs are not on the {score_prec} grid"
        raise RuntimeError(msg)
    shutil.copyfile(src_json, out / f"{case}.json")
    np.savez_compressed(out / f"{case}.npz", x=x, y_raw=y_raw)
    return {
        "model": type(model).__name__,
        "library": kind,
        "backend": backend,
        "precision": score_prec,
        "config": precisions,
        "n_events": int(x.shape[0]),
        "n_outputs": int(y.shape[1]),
        "files": {f"{case}.json": _sha(out / f"{case}.json"), f"{case}.npz": _sha(out / f"{case}.npz")},
    }


def _optional_versions(*names: str) -> dict:
    out = {}
    for name in names:
        try:
            out[name] = str(__import__(name).__version__)
        except ImportError:
            continue
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("tests/golden/conifer"))
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--only", nargs="*", default=None, help="regenerate only these cases, keep the others in the manifest")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    _setup_headers()
    import conifer
    import sklearn
    import xgboost

    args.out.mkdir(parents=True, exist_ok=True)
    gxx = subprocess.run(["g++", "--version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    manifest = {
        "tool": "conifer C++ emulation (cpp and xilinxhls backends)",
        "script": "scripts/make_conifer_vectors.py",
        "versions": {
            "conifer": str(conifer.__version__),
            "sklearn": sklearn.__version__,
            "xgboost": xgboost.__version__,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
            "g++": gxx,
            **_optional_versions("onnx", "skl2onnx", "hls4ml"),
        },
        "seed": args.seed,
        "cases": {},
    }
    models = _models(np.random.default_rng(args.seed))
    cases = [
        (f"{m}_{p.replace('ap_fixed<', 'apfixed').replace('>', '').replace(',', '_')}", m, "cpp", {"Precision": p})
        for m in models
        for p in PRECISIONS
    ]
    extra = _extra_models(np.random.default_rng(args.seed + 1))
    models.update(extra)
    cases += list(EXTRA_CASES)
    with tempfile.TemporaryDirectory() as tmp:
        old = json.loads((args.out / "manifest.json").read_text())["cases"] if args.only else {}
        for case, mname, backend, precisions in cases:
            if args.only and case not in args.only:
                if case in old:
                    manifest["cases"][case] = old[case]
                continue
            rng = np.random.default_rng([args.seed, zlib.crc32(case.encode())])  # inputs per case, order-free
            model, kind = models[mname]
            small = mname in extra
            manifest["cases"][case] = _make_case(conifer, case, model, kind, backend, precisions, Path(tmp), args.out, rng, small)
            print(f"{case}: {manifest['cases'][case]['n_events']} events", file=sys.stderr)
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
