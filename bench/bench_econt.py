"""ECON-T model throughput: BX per second per module, each algorithm, batches of full orbits.

Run: ``python3 -m pytest bench/bench_econt.py --benchmark-enable``. Input: the
public ttbar vectors' orbit (../shared/vectors/econt/mcDataset/testInput.csv)
tiled to 10 orbits (35 640 BX), one chip per algorithm, warm JIT. Anchor: the
issue's target of 1 M BX/s on one core for threshold-sum and best-choice; each
benchmark prints BX/s and its ratio to that target, and asserts that the first
orbit of the benchmarked output equals the vectors word for word (the latent bits
of the autoencoder excepted: there the header and module-sum bits are checked).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from firmware_models.econt import EcontChip, load_init_yaml, read_words_csv
from firmware_models.econt.vectors import RX_COLUMNS, TX_COLUMNS

VECTORS = Path(__file__).resolve().parents[2] / "shared" / "vectors" / "econt" / "mcDataset"
TARGET_BX_PER_S = 1_000_000
N_ORBITS = 10
SETS = ["TS_Thr47_4eTx_MRL", "BC_4eTx", "STC_type0_eTx2", "RPT_13eTx", "AE"]


@pytest.mark.parametrize("name", SETS)
def test_econt_bx_per_second(benchmark, name, capsys):
    if not VECTORS.is_dir():
        pytest.skip(f"ECON-T test vectors not found at {VECTORS}")
    cfg = load_init_yaml(VECTORS / name / "init.yaml")
    rx = read_words_csv(VECTORS / "testInput.csv", RX_COLUMNS)
    ref = read_words_csv(VECTORS / name / "testOutput.csv", TX_COLUMNS)
    batch = np.tile(rx, (N_ORBITS, 1))
    EcontChip(cfg).run(rx[:100])  # warm the JIT

    def run():
        return EcontChip(cfg).run(batch)

    out = benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)
    first = out.tx[: len(ref)]
    if name == "AE":
        np.testing.assert_array_equal(first[:, 0] >> 18, ref[:, 0] >> 18)  # 5-bit header + 9-bit module sum
    else:
        np.testing.assert_array_equal(first, ref)
    if benchmark.stats is not None:
        rate = len(batch) / benchmark.stats.stats.min
        with capsys.disabled():
            print(f"\n[econt bench] {name}: {rate / 1e6:.3f} M BX/s per module "
                  f"({rate / TARGET_BX_PER_S:.2f} x the 1 M BX/s target)")
