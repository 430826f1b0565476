"""``triggeremu nn``: run the bit-exact encoder on a file of raw integer inputs, or print its timing.

::

    triggeremu nn MODEL [--config CFG] --inputs X.npy|X.npz --out Y.npz [--l1-units] [--timing] [--json]

``MODEL`` is an ONNX file (with an AD config or hls4ml-style JSON/YAML config, found
beside it as ``<stem>.json`` / ``config.json`` when ``--config`` is not given) or an
hls4ml project folder as its authors ship it; ``default`` names the shipped model.
``X.npy`` is a 2-D integer array (n_events, n_inputs) of input mantissas of the model's
input type -- for a model with several input ports, every port flattened and
concatenated in the top function's argument order -- or ``X.npz`` holds one integer
array per input port, keyed by port name (``--l1-units``: hardware-unit L1 inputs,
scaled with the config's ``input_scaling`` first). ``Y.npz`` receives one int64 array
per output port (keyed by the name of the layer that writes it) and per score, and
``__types__``, a JSON string mapping each of them to its fixed-point type; ``--json``
also lists the model's input and output ports (name, shape, type, C++ argument). ``--timing`` prints latency (cycles,
ns), II, clock and where those numbers come from (see :mod:`triggeremu.stages.nn`).
Loading uses :func:`triggeremu.stages.nn.load_ad_model`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from firmware_models.fixed import RawRangeError
from firmware_models.timing_estimate import check_ii_vs_bx
from triggeremu.errors import InputFileError, UserError
from triggeremu.stages.nn import load_ad_model, model_timing

__all__ = ["register"]


def register(subparsers) -> None:
    p = subparsers.add_parser("nn", help="run the bit-exact NN encoder on integer inputs; print its timing",
                              description=__doc__.split("::")[0].strip())
    p.add_argument("model", help="ONNX file, hls4ml project directory, or 'default' (the shipped AD model)")
    p.add_argument("--config", type=Path, help="AD config / hls4ml-style JSON config for an ONNX model")
    p.add_argument("--inputs", type=Path, help="2-D integer .npy of input mantissas (n_events, n_inputs), or an .npz "
                   "with one array per input port")
    p.add_argument("--out", type=Path, help="output .npz (one int64 array per output)")
    p.add_argument("--l1-units", action="store_true", help="inputs are L1 hardware units: apply input_scaling")
    p.add_argument("--timing", action="store_true", help="print latency, II, clock and their source")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.set_defaults(func=_run)


def _load_inputs(path: Path):
    try:
        x = np.load(path, allow_pickle=False)
        if isinstance(x, np.lib.npyio.NpzFile):
            with x:
                arrays = {k: x[k] for k in x.files}
            bad = [k for k, v in arrays.items() if v.ndim < 2 or v.dtype.kind not in "iu"]
            if bad or not arrays:
                msg = (f"--inputs {path}: an .npz needs one integer array (n_events, ...) per input port; "
                       f"{', '.join(bad) or 'no arrays'} is not")
                raise InputFileError(msg)
            return arrays
    except FileNotFoundError as err:
        msg = f"--inputs {path}: no such file"
        raise InputFileError(msg) from err
    except (OSError, ValueError) as err:
        msg = f"--inputs {path}: not a NumPy .npy array without objects ({err})"
        raise InputFileError(msg) from err
    if not isinstance(x, np.ndarray) or x.ndim != 2 or x.dtype.kind not in "iu":
        shape = getattr(x, "shape", None)
        dtype = getattr(x, "dtype", type(x).__name__)
        msg = (f"--inputs {path}: expected a 2-D integer array (n_events, n_inputs) of raw input mantissas, "
               f"got dtype {dtype} shape {shape}; quantize floats first (firmware_models.fixed.quantize)")
        raise InputFileError(msg)
    return x


def _run(args: argparse.Namespace) -> int:
    if args.inputs is None and not args.timing:
        msg = "give --inputs X.npy --out Y.npz, or --timing (or both)"
        raise UserError(msg)
    if args.inputs is not None and args.out is None:
        msg = "--inputs needs --out Y.npz for the outputs"
        raise UserError(msg)
    ad = load_ad_model(None if args.model == "default" else Path(args.model), args.config)
    report: dict = {"model": str(ad.path), "ports": ad.model.describe_ports()}
    if args.inputs is not None:
        x = _load_inputs(args.inputs)
        if args.l1_units:
            if isinstance(x, dict):
                msg = "--l1-units takes the 2-D .npy of L1 hardware units, not an .npz"
                raise UserError(msg)
            if ad.offsets is None:
                msg = f"--l1-units: the config of {ad.path} has no input_scaling"
                raise UserError(msg)
            x = ad.scaled_inputs(x)
        try:
            out = ad.model.predict_raw(x)
        except RawRangeError as err:
            if args.l1_units or ad.offsets is None:
                raise
            msg = f"{err} (if these are L1 hardware units, add --l1-units to apply the config's input_scaling)"
            raise UserError(msg) from err
        types = {k: str(v) for k, v in ad.model.output_types.items()}
        arrays = {k: np.asarray(v, dtype=np.int64) for k, v in out.items()}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        np.savez(args.out, __types__=np.array(json.dumps(types)), **arrays)
        report["outputs"] = {k: {"type": types[k], "shape": list(v.shape)} for k, v in arrays.items()}
        n_events = int(next(iter(arrays.values())).shape[0])
        report["events"] = n_events
        print(f"triggeremu nn: {n_events} events -> {args.out} ({', '.join(arrays)})", file=sys.stderr)
    if args.timing:
        timing = model_timing(ad)
        report["timing"] = {**timing.to_dict(), "ii_vs_bx": check_ii_vs_bx(timing)}
        if not args.json:
            print(f"latency: {timing.latency_cycles} cycles = {timing.latency_ns:g} ns")
            print(f"II:      {timing.ii_cycles} cycles = {timing.ii_fs / 1e6:g} ns")
            print(f"clock:   {timing.clock_mhz:g} MHz")
            print(f"source:  {timing.source}")
            warning = report["timing"]["ii_vs_bx"]
            if warning:
                print(f"warning: {warning}")
    if args.json:
        print(json.dumps(report, indent=1))
    return 0
