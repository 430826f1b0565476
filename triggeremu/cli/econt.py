"""``triggeremu econt``: run the ECON-T model over test-vector files.

    triggeremu econt --config init.yaml --input testInput.csv --output out.csv [--json]

Reads the chip registers (:func:`firmware_models.econt.load_init_yaml`) and the
e-link words (``RX_DATA_0..11``), runs a fresh :class:`~firmware_models.econt.EcontChip`
and writes ``TX_DATA_0..12`` in the vectors' CSV format (row ``b`` = input row ``b``,
the vectors' alignment; the chip's latency is reported separately). A short
summary goes to stderr, or as JSON to stdout with ``--json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = subparsers.add_parser("econt", help="run the HGCAL ECON-T model on test-vector CSV files",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", required=True, type=Path, help="chip registers (init.yaml)")
    p.add_argument("--input", required=True, type=Path, help="e-link words CSV (RX_DATA_0..11, hex)")
    p.add_argument("--output", required=True, type=Path, help="output CSV to write (TX_DATA_0..12, hex)")
    p.add_argument("--json", action="store_true", help="print the run summary as JSON on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from firmware_models.econt import EcontChip, load_init_yaml, read_words_csv, write_words_csv
    from firmware_models.econt.vectors import RX_COLUMNS, TX_COLUMNS
    from triggeremu.errors import InputFileError

    cfg = load_init_yaml(args.config)
    rx = read_words_csv(args.input, RX_COLUMNS)
    chip = EcontChip(cfg)
    out = chip.run(rx)
    try:
        write_words_csv(args.output, out.tx, TX_COLUMNS)
    except OSError as err:
        msg = f"cannot write {args.output}: {err.strerror}"
        raise InputFileError(msg) from err
    summary = {
        "bx": int(len(rx)),
        "algorithm": cfg.algorithm.name.lower(),
        "links": cfg.n_links,
        "register_dialect": cfg.dialect,
        "truncated_bx": int(out.truncated.sum()),
        "buffer_high_water_words": chip.buffer_high_water,
        "buffer_lost_words": int(out.lost_words.sum()) if out.lost_words is not None else 0,
        "mean_packet_bits": float(np.mean(out.packet_bits)) if len(rx) else 0.0,
        "link_budget_bits_per_bx": 32 * cfg.n_links,
        "latency_bx": chip.latency_bx,
        "block_latencies_bx": chip.block_latencies,
        "unexpected_headers": out.unexpected_headers,
        "output": str(args.output),
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(
            f"econt: {summary['bx']} BX, {summary['algorithm']} on {cfg.n_links} links, "
            f"{summary['truncated_bx']} truncated, buffer high-water {summary['buffer_high_water_words']} words "
            f"({summary['buffer_lost_words']} lost), "
            f"latency {summary['latency_bx']} BX -> {args.output}",
            file=sys.stderr,
        )
    return 0
