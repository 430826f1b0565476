"""ECON-T regression cases cut from the upstream test-vector history (tests/data/econt_upstream).

Each case is a slice of an upstream data set of cmantill/econt_test-vectors (the
files the public ECONT_Emulator wrote, so another tool's output), gzip'd, with the
sha256 of the original files in MANIFEST.json. Three kinds:

- ``exact``: the model must reproduce ``testOutput.csv`` bit for bit (buffer
  overflow past the 400-word memory, production channel-map order, idle_pattern);
- ``inconsistent``: the committed init.yaml cannot have produced the committed
  output; the case fails as-is and is exact with ``generated_with`` (the registers the
  output was written with, the provenance in the manifest's ``reason``);
- ``emulator_bug``: the output predates an upstream emulator fix; it is exact after
  applying that old behaviour to the model's packets (see :func:`_pre_357cfef`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from firmware_models.econt import EcontChip, load_init_yaml
from firmware_models.econt.algorithms.best_choice import TC_PER_LINK
from firmware_models.econt.vectors import RX_COLUMNS, TX_COLUMNS, read_words_csv

DATA = Path(__file__).resolve().parent / "data" / "econt_upstream"
MANIFEST = json.loads((DATA / "MANIFEST.json").read_text())
CASES = {c["name"]: c for c in MANIFEST["cases"]}


def _by_kind(kind):
    return sorted(name for name, c in CASES.items() if c["kind"] == kind)


def _load(name):
    d = DATA / name
    cfg = load_init_yaml(d / "init.yaml.gz")
    rx = read_words_csv(d / "testInput.csv.gz", RX_COLUMNS)
    ref = read_words_csv(d / "testOutput.csv.gz", TX_COLUMNS)
    return cfg, rx, ref


def _run(cfg, rx):
    """Run the chip; a buffer-overflow warning must come exactly when words were lost."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = EcontChip(cfg).run(rx)
    overflow = [w for w in caught if issubclass(w.category, RuntimeWarning) and "buffer overflow" in str(w.message)]
    assert len(overflow) == len(caught), [str(w.message) for w in caught]
    assert bool(overflow) == bool(out.lost_words.sum()), "overflow warning and lost_words disagree"
    return out


def _message(name, ours, ref, limit=5):
    bad = np.argwhere(ours != ref)
    lines = [f"{name}: {len(bad)} of {ref.size} words differ"]
    lines += [f"  BX {b} link {k}: model {int(ours[b, k]):08x} vector {int(ref[b, k]):08x}" for b, k in bad[:limit]]
    return "\n".join(lines)


def test_manifest_rows_and_provenance():
    """Every case holds exactly the rows its manifest names, from the full upstream files."""
    for name, case in CASES.items():
        _, rx, ref = _load(name)
        lo, hi = case["rows_kept"]
        assert (lo, len(rx), len(ref)) == (0, hi, hi), name
        assert case["commit"].startswith(("37a3450",)) and len(case["commit"]) == 40
        for info in case["files"].values():
            assert len(info["sha256"]) == 64 and info["bytes"] > 0


@pytest.mark.parametrize("name", _by_kind("exact"))
def test_upstream_case_bit_exact(name):
    cfg, rx, ref = _load(name)
    ours = _run(cfg, rx).tx
    np.testing.assert_array_equal(ours, ref, err_msg=_message(name, ours, ref))


def test_buffer_overflow_counts_lost_words():
    """T1 = 450 > 400: the vector is reproduced only with the 400-word memory losing words, and they are counted."""
    cfg, rx, ref = _load("mrlbuf_t1_450")
    out = _run(cfg, rx)
    np.testing.assert_array_equal(out.tx, ref)
    lost = np.flatnonzero(out.lost_words)
    assert lost.size > 0 and int(out.lost_words.sum()) > 0
    # words are lost only while the buffer is past its top, and it has drained by the last kept row
    assert np.all(out.occupancy[lost - 1] + out.packet_words[lost] > 400)
    assert out.occupancy[-1] == 0


@pytest.mark.parametrize("name", _by_kind("inconsistent"))
def test_upstream_inconsistent_case(name):
    """The committed yaml does not give the committed output; the registers named in the manifest do."""
    case = CASES[name]
    cfg, rx, ref = _load(name)
    as_is = _run(cfg, rx).tx
    assert np.count_nonzero(as_is != ref) > 0, f"{name} now matches as-is: drop it from the inconsistent cases"
    changes = {k: (tuple(v) if isinstance(v, list) else v) for k, v in case["generated_with"].items()}
    ours = _run(cfg.replace(**changes), rx).tx
    np.testing.assert_array_equal(ours, ref, err_msg=_message(name, ours, ref))


def _pre_357cfef(tx_row, n_links):
    """A best-choice packet as ECONT_Emulator wrote it before 357cfef: codes equal to 0 left out.

    Formatter.py before that commit kept ``CHARGEQ[CHARGEQ>0]``, so a selected cell of
    charge 0 sent no 7-bit code; the packet is then zero-padded to 16 bits (and the
    read-out of 2 x links words ends inside that padding).
    """
    n_tc = TC_PER_LINK[n_links]
    if n_tc < 8:
        msg = "the pre-357cfef rewrite is spelled for packets with a 48-bit map (8 or more cells)"
        raise ValueError(msg)
    bits = "".join(f"{int(w):032b}" for w in tx_row[:n_links])
    start = 4 + 8 + 48
    codes = [bits[start + 7 * i: start + 7 * (i + 1)] for i in range(n_tc)]
    kept = bits[:start] + "".join(c for c in codes if c != "0000000")
    kept = kept.ljust(len(bits), "0")
    return [int(kept[32 * k: 32 * (k + 1)], 2) for k in range(n_links)]


def test_upstream_case_from_before_emulator_fix():
    name = "rand_bc_10etx"
    cfg, rx, ref = _load(name)
    ours = _run(cfg, rx).tx.copy()
    bad_rows = np.unique(np.argwhere(ours != ref)[:, 0])
    assert bad_rows.size > 0
    for r in bad_rows:
        ours[r, : cfg.n_links] = _pre_357cfef(ours[r], cfg.n_links)
    np.testing.assert_array_equal(ours, ref, err_msg=_message(name, ours, ref))


def test_data_files_are_small():
    total = sum(p.stat().st_size for p in DATA.rglob("*") if p.is_file())
    assert total < 1_500_000, f"tests/data/econt_upstream holds {total} bytes; keep it under 1.5 MB"


def test_manifest_sha_matches_kept_rows_when_full():
    """Where every row was kept, the gzip'd file is the upstream file byte for byte."""
    for name, case in CASES.items():
        info = case["files"]["init.yaml"]
        raw = gzip.decompress((DATA / name / "init.yaml.gz").read_bytes())
        assert hashlib.sha256(raw).hexdigest() == info["sha256"], name


def test_cli_reports_lost_words(tmp_path, capsys):
    """``triggeremu econt`` on an overflowing case: output words exact, lost words in the JSON summary."""
    from triggeremu.cli import main

    d = DATA / "fillbuf_t1_505"
    out_csv = tmp_path / "out.csv"
    with pytest.warns(RuntimeWarning, match="buffer overflow"):
        rc = main(["econt", "--config", str(d / "init.yaml.gz"), "--input", str(d / "testInput.csv.gz"),
                   "--output", str(out_csv), "--json"])
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["buffer_lost_words"] > 0
    np.testing.assert_array_equal(read_words_csv(out_csv, TX_COLUMNS), read_words_csv(d / "testOutput.csv.gz", TX_COLUMNS))
