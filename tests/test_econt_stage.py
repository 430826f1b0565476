"""The ``econt`` stage and the ``triggeremu econt`` command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from firmware_models.econt import EcontChip, EcontConfig
from firmware_models.econt.elinks import pack_rx_words
from streams.calo import SyntheticCaloSource
from streams.errors import StreamIntegrityError
from triggeremu.cli import main
from triggeremu.errors import ConfigError
from triggeremu.stages import build_stage
from triggeremu.stages.econt import cells_to_codes

VECTORS = Path(__file__).resolve().parents[2] / "shared" / "vectors" / "econt"


def _stage(**cfg):
    return build_stage({"kind": "econt", "name": "econt", **cfg}, base_dir=Path("."))


def test_stage_equals_chip_over_every_bx_with_zero_fill():
    """Events on BX 5, 6 and 40: the stage's rows equal a chip run over BX 0..40 with zero cells between."""
    cfg = dict(algorithm="threshold_sum", n_links=2, threshold=10, buff_t1=60, buff_t2=50, buff_t3=4)
    stage = _stage(**cfg)
    rng = np.random.default_rng(1)
    cells = rng.integers(0, 4000, size=(3, 48)).astype(np.uint32)
    bx = np.array([5, 6, 40], dtype=np.uint16)
    out = stage.process({"orbit": np.ones(3, dtype=np.uint32), "bx": bx, "calo_cells": cells})
    chip = EcontChip(stage.config)
    codes = np.zeros((3564 + 41, 48), dtype=np.int64)  # one orbit of warm-up, then orbit 1 BX 0..40
    codes[3564 + bx.astype(int)] = cells_to_codes(cells, stage.config)
    ref = chip.run(pack_rx_words(codes, np.arange(len(codes)) % 3564))
    rows = 3564 + bx.astype(int)
    np.testing.assert_array_equal(out["econt_words"], ref.tx[rows])
    np.testing.assert_array_equal(out["econt_truncated"], ref.truncated[rows])
    np.testing.assert_array_equal(out["econt_occupancy"], ref.occupancy[rows])


def test_stage_summary_and_batches_in_order():
    src = SyntheticCaloSource(3000, seed=3, pileup_mean=60, batch_events=1000)
    stage = _stage(algorithm="best_choice", n_links=3)
    for batch in src:
        out = stage.process(batch)
        assert out["econt_words"].shape == (len(batch["bx"]), 13) and out["econt_words"].dtype == np.uint32
    s = stage.summary({})
    assert s["events"] == 3000 and s["truncation_rate"] == 0.0
    assert s["bits_per_bx"] == 90.0 and s["link_budget_bits_per_bx"] == 96  # 6 cells: 4+8+36+42 bits
    assert stage.timing().latency_cycles == 17
    with pytest.raises(StreamIntegrityError, match="is not after the last one"):
        stage.process(next(iter(src)))


def test_stage_config_errors():
    with pytest.raises(ConfigError, match="unknown key"):
        _stage(algoritm="best_choice")
    with pytest.raises(ConfigError, match="algorithm = 'bc': is not one of"):
        _stage(algorithm="bc")
    with pytest.raises(ConfigError, match=r"n_links = 14: must be in \[1, 13\]"):
        _stage(n_links=14)


def test_cli_writes_vector_format(tmp_path, capsys):
    if not VECTORS.is_dir():
        pytest.skip(f"ECON-T test vectors not found at {VECTORS}")
    ds = VECTORS / "mcDataset" / "BC_4eTx"
    out = tmp_path / "out.csv"
    rc = main(["econt", "--config", str(ds / "init.yaml"), "--input", str(VECTORS / "mcDataset" / "testInput.csv"),
               "--output", str(out), "--json"])
    assert rc == 0
    assert out.read_text() == (ds / "testOutput.csv").read_text()
    assert json.loads(capsys.readouterr().out)["links"] == 4


def test_cli_bad_config_exits_2(tmp_path, capsys):
    bad = tmp_path / "init.yaml"
    bad.write_text("Algorithm:\n  Global:\n    select: 9\n")
    inp = tmp_path / "in.csv"
    inp.write_text(",".join(f"RX_DATA_{i}" for i in range(12)) + "\n")
    rc = main(["econt", "--config", str(bad), "--input", str(inp), "--output", str(tmp_path / "o.csv")])
    assert rc == 2
    assert "algorithm = 9 is out of range" in capsys.readouterr().err


def test_default_config_runs_all_algorithms():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 128, size=(50, 48))
    for algo in range(5):
        out = EcontChip(EcontConfig(algorithm=algo, stc_type=0)).run(pack_rx_words(codes, np.arange(50)))
        assert out.tx.shape == (50, 13) and not out.tx[:, 2:].any()  # 2 links by default


def test_buffer_overflow_words_are_counted_and_warned_once():
    """buff_t1 above the 400-word buffer: packets written past the top are lost; the stage counts them
    (the same count as the chip's own ``lost_words``) and warns once per run, naming the fix."""
    cfg = dict(algorithm="threshold_sum", threshold=10, n_links=1, buff_t1=600, buff_t2=600, buff_t3=0)
    stage = _stage(**cfg)
    n = 60
    cells = np.full((n, 48), 3000, dtype=np.uint32)
    bx = np.arange(100, 100 + n, dtype=np.uint16)
    batch = {"orbit": np.ones(n, dtype=np.uint32), "bx": bx, "calo_cells": cells}
    with pytest.warns(RuntimeWarning, match=r"buffer overflowed .* set buff_t1 <= 400"):
        stage.process(batch)
    chip = EcontChip(stage.config)
    codes = np.zeros((3564 + 100 + n, 48), dtype=np.int64)
    codes[3564 + bx.astype(int)] = cells_to_codes(cells, stage.config)
    with pytest.warns(RuntimeWarning):
        ref = chip.run(pack_rx_words(codes, np.arange(len(codes)) % 3564))
    s = stage.summary({})
    assert s["buffer_lost_words"] == int(ref.lost_words.sum()) > 0
    assert s["events_with_lost_words"] == int(np.count_nonzero(ref.lost_words[3564 + bx.astype(int)])) > 0
