"""ECON-T model throughput: BX per second per module, each algorithm, batches of full orbits.

Run: ``python3 -m pytest bench/bench_econt.py --benchmark-enable`` (on one core:
``taskset -c 0 ...``; on a loaded machine add ``--benchmark-timer=time.process_time``
to time the process's own CPU rather than the wall clock). Input: the public ttbar
vectors' orbit (../shared/vectors/econt/mcDataset/testInput.csv) tiled to 10 orbits
(35 640 BX), one chip per algorithm, warm JIT.

Anchors, side by side in this process:

- the issue's target of 1 M BX/s on one core for threshold-sum and best-choice;
- the plain block chain the fused kernels replace (front end -> algorithm ->
  formatter, :meth:`EcontChip.reference_frames`, then the same buffer): its rate is
  measured in ``test_econt_block_chain_bx_per_second`` and the fused chip's speed-up
  over it is printed.

Each benchmark asserts its result: the fused chip's first orbit equals the vectors
word for word (the autoencoder's latent bits excepted: there the header and module
sum are checked), and the block chain's frames equal the fused chip's frames.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from firmware_models.econt import EcontChip, load_init_yaml, read_words_csv
from firmware_models.econt.buffer import BufferState, run_buffer
from firmware_models.econt.elinks import bx_counter, bx_tag5
from firmware_models.econt.vectors import RX_COLUMNS, TX_COLUMNS

VECTORS = Path(__file__).resolve().parents[2] / "shared" / "vectors" / "econt" / "mcDataset"
TARGET_BX_PER_S = 1_000_000
N_ORBITS = 10
SETS = ["TS_Thr47_4eTx_MRL", "BC_4eTx", "STC_type0_eTx2", "RPT_13eTx", "AE"]
_FUSED_RATE: dict[str, float] = {}


def _inputs(name):
    if not VECTORS.is_dir():
        pytest.skip(f"ECON-T test vectors not found at {VECTORS}")
    cfg = load_init_yaml(VECTORS / name / "init.yaml")
    rx = read_words_csv(VECTORS / "testInput.csv", RX_COLUMNS)
    ref = read_words_csv(VECTORS / name / "testOutput.csv", TX_COLUMNS)
    return cfg, rx, ref, np.tile(rx, (N_ORBITS, 1))


@pytest.mark.parametrize("name", SETS)
def test_econt_bx_per_second(benchmark, name, capsys):
    cfg, rx, ref, batch = _inputs(name)
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
        _FUSED_RATE[name] = rate
        with capsys.disabled():
            print(f"\n[econt bench] {name}: {rate / 1e6:.3f} M BX/s per module "
                  f"({rate / TARGET_BX_PER_S:.2f} x the 1 M BX/s target)")


@pytest.mark.parametrize("name", SETS)
def test_econt_block_chain_bx_per_second(benchmark, name, capsys):
    cfg, _, _, batch = _inputs(name)
    chip = EcontChip(cfg)
    words = batch.astype(np.int64)
    zero = np.zeros(len(batch), dtype=bool)
    tag5 = bx_tag5(bx_counter(words[:, 0] >> 28, 0)[0])
    chip.reference_frames(words[:100], zero[:100], tag5[:100])  # warm the JIT

    def run():
        frames, _ = chip.reference_frames(words, zero, tag5)
        run_buffer(frames, n_links=cfg.n_links, t1=cfg.buff_t1, t2=cfg.buff_t2, t3=cfg.buff_t3, state=BufferState())
        return frames

    frames = benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=1)
    fused, _ = chip.fused_frames(batch, zero, tag5)
    np.testing.assert_array_equal(frames.words, fused.words)
    np.testing.assert_array_equal(frames.numw, fused.numw)
    if benchmark.stats is not None:
        rate = len(batch) / benchmark.stats.stats.min
        fast = _FUSED_RATE.get(name)
        ratio = f"; fused chip {fast / rate:.1f} x faster" if fast else ""
        with capsys.disabled():
            print(f"\n[econt bench] {name} block chain: {rate / 1e6:.3f} M BX/s per module{ratio}")
