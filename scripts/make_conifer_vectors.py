#!/usr/bin/env python3
"""Make golden vectors for the ACAM from conifer's own C++ emulation (``tests/golden/conifer/``).

For one scikit-learn and one XGBoost ensemble and two ap_fixed precisions, this
trains the model on synthetic data, converts it with conifer, compiles
conifer's ``cpp`` backend (g++, Xilinx ap_types from hls4ml, nlohmann JSON) and
records ``decision_function`` on chosen inputs. Written per case:

- ``<case>.json``: conifer's project JSON (what ``firmware_models.acam.from_conifer`` reads);
- ``<case>.npz``: ``x`` (float64 inputs), ``y_raw`` (int64 outputs as raw integers of the
  score precision: ``y * 2**F``, exact), ``y`` (float64 as conifer returned them);
- ``manifest.json``: tool versions, precisions, shapes, sha256 of every file.

Inputs include every threshold of the model and its neighbours one LSB either side
(the places where ``<=`` vs ``<`` and the threshold quantization matter), plus
random points, some beyond the input range (conifer wraps them).

Run in a separate environment (never needed by the test suite)::

    python3 -m venv /work/venvs/h3a
    /work/venvs/h3a/bin/pip install conifer==1.11 scikit-learn==1.9.1 xgboost-cpu==3.2.0 \
        pandas hls4ml==1.3.0 nlohmann-json==3.12.0
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
from pathlib import Path

import numpy as np

PRECISIONS = ("ap_fixed<18,8>", "ap_fixed<12,4>")
N_FEATURES = 8
N_RANDOM = 1000


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


def _inputs(model_dict, precision: str, rng) -> np.ndarray:
    w, i = (int(v) for v in precision[precision.index("<") + 1 : precision.index(">")].split(",")[:2])
    lsb = 2.0 ** -(w - i)
    rows = [rng.uniform(-3.5, 3.5, size=(N_RANDOM, N_FEATURES)), rng.uniform(-2 ** (i - 1) * 1.5, 2 ** (i - 1) * 1.5, size=(200, N_FEATURES))]
    for per_class in model_dict["trees"]:
        for tree in per_class:
            for f, t in zip(tree["feature"], tree["threshold"]):
                if f < 0:
                    continue
                base = rng.uniform(-3.5, 3.5, size=(3, N_FEATURES))
                for k, d in enumerate((-lsb, 0.0, lsb)):
                    base[k, f] = t + d
                rows.append(base)
    return np.concatenate(rows)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("tests/golden/conifer"))
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    _setup_headers()
    import conifer
    import sklearn
    import xgboost

    rng = np.random.default_rng(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    gxx = subprocess.run(["g++", "--version"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    manifest = {
        "tool": "conifer cpp backend (C++ emulation)",
        "script": "scripts/make_conifer_vectors.py",
        "versions": {
            "conifer": str(conifer.__version__),
            "sklearn": sklearn.__version__,
            "xgboost": xgboost.__version__,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
            "g++": gxx,
        },
        "seed": args.seed,
        "cases": {},
    }
    models = _models(rng)
    with tempfile.TemporaryDirectory() as tmp:
        for mname, (model, kind) in models.items():
            for prec in PRECISIONS:
                tag = prec.replace("ap_fixed<", "apfixed").replace(">", "").replace(",", "_")
                case = f"{mname}_{tag}"
                cfg = conifer.backends.cpp.auto_config()
                cfg["Precision"] = prec
                cfg["OutputDir"] = str(Path(tmp) / case)
                cfg["ProjectName"] = case
                conv = conifer.converters.convert_from_sklearn if kind == "sklearn" else conifer.converters.convert_from_xgboost
                cm = conv(model, cfg)
                cm.compile()
                src_json = Path(cfg["OutputDir"]) / f"{case}.json"
                model_dict = json.loads(src_json.read_text())
                x = _inputs(model_dict, prec, rng)
                y = np.asarray(cm.decision_function(x), dtype=np.float64).reshape(x.shape[0], -1)
                w, i = (int(v) for v in prec[prec.index("<") + 1 : prec.index(">")].split(","))
                scaled = y * 2.0 ** (w - i)
                y_raw = scaled.astype(np.int64)
                if not np.array_equal(y_raw.astype(np.float64), scaled):
                    msg = f"{case}: conifer outputs are not on the {prec} grid"
                    raise RuntimeError(msg)
                shutil.copyfile(src_json, args.out / f"{case}.json")
                np.savez_compressed(args.out / f"{case}.npz", x=x, y=y, y_raw=y_raw)
                manifest["cases"][case] = {
                    "model": type(model).__name__,
                    "library": kind,
                    "precision": prec,
                    "n_events": int(x.shape[0]),
                    "n_outputs": int(y.shape[1]),
                    "files": {
                        f"{case}.json": _sha(args.out / f"{case}.json"),
                        f"{case}.npz": _sha(args.out / f"{case}.npz"),
                    },
                }
                print(f"{case}: {x.shape[0]} events", file=sys.stderr)
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
