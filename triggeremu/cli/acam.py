"""``triggeremu acam``: evaluate a tabularized tree ensemble on the ACAM model.

``triggeremu acam MODEL --inputs X.npy --out Y.npz [--mode ideal|nested|physical
--sigma S --seed K] [--bits N] [--float-inputs] [--timing PRESET] [--json]``

MODEL is a saved table (``.npz`` from :func:`firmware_models.acam.save`), an
XGBoost JSON model, a conifer JSON model or an X-TIME row table (``.npy``).
Inputs are integer codes, shape (n_events, n_features); with
``--float-inputs`` they are quantized with the table's quantizer first (the
way conifer models are fed). Output ``.npz``: ``raw`` (int64, the leaf type's
mantissas), ``value`` (float64), ``leaf_type``, per-tree ``false_matches``,
``misses``, ``multiple_matches``, ``no_match``; a JSON summary (table, stats,
timing and energy) goes to stdout with ``--json``, else one line to stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from triggeremu.errors import InputFileError, UserError
from triggeremu.schema import Float, Int, arg_type

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = subparsers.add_parser("acam", help="evaluate a tree ensemble on the analog CAM model")
    p.add_argument("model", type=Path, help="table .npz, XGBoost .json, conifer .json or X-TIME .npy")
    p.add_argument("--inputs", type=Path, required=True, help="input codes, .npy of shape (n_events, n_features)")
    p.add_argument("--out", type=Path, required=True, help="output .npz")
    p.add_argument("--mode", choices=("ideal", "nested", "physical"), default="ideal")
    # the same value types as the acam stage's menu keys (triggeremu.stages.acam.SCHEMA)
    p.add_argument("--sigma", type=arg_type(Float(min=0, unit="cell LSB"), "--sigma"), default=0.0,
                   help="threshold spread in cell LSB (physical mode)")
    p.add_argument("--seed", type=arg_type(Int(min=0), "--seed"), default=0, help="seed of the physical chip's variation")
    p.add_argument("--bits", type=arg_type(Int(min=1, max=32, unit="bits"), "--bits"), default=None,
                   help="input code width (XGBoost: default 16, X-TIME: default 8)")
    p.add_argument("--multi-match", choices=("sum", "first"), default="sum")
    p.add_argument("--float-inputs", action="store_true", help="inputs are floats: quantize with the table's quantizer")
    p.add_argument("--timing", default="seed-2026", help="timing preset, or 'stages' for the per-stage estimate")
    p.add_argument("--json", action="store_true", help="print the run summary as JSON on stdout")
    p.set_defaults(func=run)


def _load_model(path: Path, bits: int | None):
    from firmware_models import acam

    if not path.is_file():
        msg = f"model file {str(path)!r} not found"
        raise InputFileError(msg)
    suffix = path.suffix.lower()
    if suffix == ".npz":
        if bits is not None:
            msg = "--bits does not apply to a saved table (.npz): its width is fixed when it was built"
            raise UserError(msg)
        return acam.load(path)
    if suffix == ".npy":
        return acam.from_xtime(path, n_bits=bits if bits is not None else 8)
    if suffix == ".json":
        try:
            doc = json.loads(path.read_text())
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            msg = f"{path} is not JSON ({err})"
            raise InputFileError(msg) from None
        if isinstance(doc, dict) and "learner" in doc:
            return acam.from_xgboost(doc, n_bits=bits if bits is not None else 16)
        if isinstance(doc, dict) and "trees" in doc and "init_predict" in doc:
            return acam.from_conifer(doc, n_bits=bits)
        msg = f"{path}: JSON is neither an XGBoost model (key 'learner') nor a conifer model (keys 'trees', 'init_predict')"
        raise InputFileError(msg)
    msg = f"{path}: unknown model format {suffix!r}; expected .npz (table), .json (XGBoost/conifer) or .npy (X-TIME)"
    raise InputFileError(msg)


def run(args) -> int:
    from firmware_models import acam

    table = _load_model(args.model, args.bits)
    if not args.inputs.is_file():
        msg = f"inputs file {str(args.inputs)!r} not found"
        raise InputFileError(msg)
    try:
        x = np.load(args.inputs, allow_pickle=False)
    except ValueError as err:
        msg = f"{args.inputs} is not a plain .npy array ({err})"
        raise InputFileError(msg) from None
    if args.float_inputs:
        x = table.quantize_inputs(x)
    raw = table.predict_raw(x, mode=args.mode, sigma=args.sigma, seed=args.seed, multi_match=args.multi_match)
    stats = table.stats
    cost = acam.timing.estimate(table) if args.timing == "stages" else acam.timing.preset(args.timing)
    out = args.out if args.out.suffix == ".npz" else args.out.with_name(args.out.name + ".npz")
    np.savez_compressed(
        out,
        raw=raw,
        value=raw * (2.0 ** -table.leaf_type.fractional),
        leaf_type=np.array(str(table.leaf_type)),
        false_matches=stats.false_matches,
        misses=stats.misses,
        multiple_matches=stats.multiple_matches,
        no_match=stats.no_match,
    )
    summary = {
        "model": str(args.model),
        "mode": args.mode,
        "sigma": args.sigma,
        "seed": args.seed,
        "table": table.summary(),
        "stats": stats.totals(),
        "timing": cost.block_timing().to_dict(),
        "energy_per_event_nj": cost.energy_per_event_nj,
        "energy_total_nj": cost.energy_per_event_nj * raw.shape[0],
        "area_mm2": cost.area_mm2,
        "out": str(out),
    }
    if args.json:
        json.dump(summary, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        s = stats.totals()
        print(
            f"acam: {raw.shape[0]} events, {table.n_trees} trees, {table.n_rows} rows, mode {args.mode}; "
            f"false matches {s['false_matches']}, misses {s['misses']}, multiple {s['multiple_matches']}, "
            f"no match {s['no_match']}; {cost.energy_per_event_nj:g} nJ/event ({cost.source}) -> {out}",
            file=sys.stderr,
        )
    return 0
