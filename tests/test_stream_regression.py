"""Per-event outputs pinned to the commit before the stream rework (329655f).

The stream rework (issue 11) moved the per-event work (seed bits, input scaling,
counters) from the sink to the map side, bounded the sink's memory and reworked the
transport. None of that may change a single per-event output or summary count. The
pins in ``tests/data/stream_pins.json`` were written by this module's ``--write``
mode on 329655f (``git worktree add /tmp/base 329655f``; ``cd /tmp/base;
PYTHONPATH=. python3 /path/to/tests/test_stream_regression.py --write OUT.json``)
*before* any change: a SHA-256 of every Parquet column of a seeded run, and every
count and rate of its summary (timing, paths and onnxruntime floats left out).

Each case runs in-process and with two workers; both must equal the pins. Columns
added after 329655f (e.g. ``input_anomaly``) are not pinned, and are allowed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

HERE = Path(__file__).resolve().parent
PINS = HERE / "data" / "stream_pins.json"
#: ../shared beside the checkout (as tests/conftest.py), or $TRIGGEREMU_SHARED
SHARED = Path(os.environ["TRIGGEREMU_SHARED"]) if "TRIGGEREMU_SHARED" in os.environ else HERE.parents[1] / "shared"
NANO_DY = SHARED / "data" / "nano_dy.root"

# a menu that exercises prescale counters (2 and 3), FIFO drops (a 20 MHz block with a
# 4-deep FIFO behind a 40 MHz beam) and per-event timing columns in the Parquet
PRESCALE_MENU = """
[run]
filling_scheme = "25ns_2748b"
latency_budget_ns = 12500.0
l1a_budget_khz = 750.0
trigger_rules = [[1, 3], [2, 25], [3, 100], [4, 240]]
batch_orbits = 2

[[stages]]
kind = "nn"
name = "ad"
clock_mhz = 20.0
latency_cycles = 3
ii_cycles = 1
fifo_depth = 4

[[seeds]]
name = "SingleMu10"
object = "muon"
threshold_gev = 10.0
prescale = 2

[[seeds]]
name = "SingleJet60"
object = "jet"
threshold_gev = 60.0
max_abs_eta = 2.4
prescale = 3

[[seeds]]
name = "HTT200er"
object = "ht"
threshold_gev = 200.0
max_abs_eta = 2.4

[[seeds]]
name = "ETM50"
object = "met"
threshold_gev = 50.0
prescale = 0

[[seeds]]
name = "AD"
column = "ad_score"
working_points = { a = 2151, b = 1500 }
"""

ACAM_MENU = """
[run]
filling_scheme = "25ns_2748b"
batch_orbits = 1
[[stages]]
kind = "acam"
name = "acam"
[[seeds]]
name = "Latent0"
column = "acam_latent[0]"
threshold = 0
[[seeds]]
name = "Latent2"
column = "acam_latent[2]"
threshold = 40
"""

#: name -> (source spec, menu text or None for the bundled default)
CASES = {
    "default_synthetic": ({"kind": "synthetic", "n_events": 40_000, "seed": 11, "signal_fraction": 0.02,
                           "pileup_mean": 60.0}, None),
    "prescale_fifo_synthetic": ({"kind": "synthetic", "n_events": 30_000, "seed": 5, "signal_fraction": 0.01},
                                PRESCALE_MENU),
    "acam_calo": ({"kind": "calo", "n_events": 8_000, "seed": 4}, ACAM_MENU),
    "root_nano_dy": ({"kind": "root", "paths": [str(NANO_DY)]}, None),
}
#: summary keys that are not a function of the input (clocks, paths, the run's own settings)
_UNPINNED = ("wall_s", "throughput", "first_batch_s", "steady_throughput", "menu", "source", "workers",
             "transport", "model", "config", "table", "offline", "stage_reports.acam.table_summary")


def column_digest(col: pa.ChunkedArray) -> str:
    """SHA-256 of a column's values (fixed-size lists flattened), dtype and shape."""
    arr = col.combine_chunks()
    if pa.types.is_fixed_size_list(arr.type):
        width = arr.type.list_size
        values = arr.flatten().to_numpy(zero_copy_only=False).reshape(len(arr), width)
    else:
        values = arr.to_numpy(zero_copy_only=False)
    h = hashlib.sha256()
    h.update(f"{values.dtype.str}{values.shape}".encode())
    h.update(np.ascontiguousarray(values).tobytes())
    return h.hexdigest()


def _flatten(obj, prefix=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    else:
        yield prefix, obj


def pinned_summary(summary: dict) -> dict:
    out = {}
    for key, value in _flatten(summary):
        if any(key == u or key.startswith(u + ".") or u in key.split(".") for u in _UNPINNED):
            continue
        if "throughput" in key or "wall" in key or not _is_number(value):
            continue
        out[key] = json.loads(json.dumps(value, default=lambda o: o.item()))
    return out


def _is_number(value) -> bool:
    """Counts, rates, flags and lists of them are pinned; prose (conventions, hints) is not."""
    if isinstance(value, (list, tuple)):
        return all(_is_number(v) for v in value)
    return isinstance(value, (bool, int, float, np.integer, np.floating))


def run_case(name: str, tmp: Path, *, workers: int = 0) -> tuple[dict[str, str], dict]:
    from triggeremu.pipeline import run

    spec, menu_text = CASES[name]
    menu = None
    if menu_text is not None:
        menu = tmp / f"{name}.toml"
        menu.write_text(menu_text)
    out = tmp / f"{name}-{workers}.parquet"
    res = run(dict(spec), menu_path=menu, out=out, workers=workers)
    table = pq.read_table(out)
    digests = {c: column_digest(table.column(c)) for c in table.column_names}
    return digests, pinned_summary(res.summary)


def _load_pins() -> dict:
    if not PINS.is_file():
        pytest.fail(f"{PINS} is missing: it holds the outputs pinned on 329655f")
    return json.loads(PINS.read_text())


_RUNS = [(name, 0) for name in sorted(CASES)] + [
    ("default_synthetic", 2),
    pytest.param("prescale_fifo_synthetic", 2, marks=pytest.mark.slow),
    pytest.param("acam_calo", 2, marks=pytest.mark.slow),
    pytest.param("root_nano_dy", 2, marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("name", "workers"), _RUNS)
def test_outputs_equal_the_pins_of_329655f(name, workers, tmp_path):
    if name == "root_nano_dy" and not NANO_DY.is_file():
        pytest.skip(f"shared test data not found: {NANO_DY}")
    pins = _load_pins()[name]
    digests, summary = run_case(name, tmp_path, workers=workers)
    missing = sorted(set(pins["columns"]) - set(digests))
    assert not missing, f"columns of 329655f no longer written: {missing}"
    changed = sorted(c for c in pins["columns"] if digests[c] != pins["columns"][c])
    assert not changed, f"per-event columns differ from 329655f: {changed}"
    gone = sorted(set(pins["summary"]) - set(summary))
    assert not gone, f"summary keys of 329655f no longer reported: {gone}"
    diff = {k: (summary[k], v) for k, v in pins["summary"].items() if summary[k] != v}
    assert not diff, f"summary values (now, pinned) differ from 329655f: {diff}"


def _write(path: Path) -> None:
    import tempfile

    pins = {"_provenance": "written by tests/test_stream_regression.py --write on commit 329655f, in-process"}
    with tempfile.TemporaryDirectory() as tmp:
        for name in CASES:
            digests, summary = run_case(name, Path(tmp))
            pins[name] = {"columns": digests, "summary": summary}
    path.write_text(json.dumps(pins, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":  # pragma: no cover - the pin writer, run once on 329655f
    if len(sys.argv) != 3 or sys.argv[1] != "--write":
        sys.exit("usage: python3 tests/test_stream_regression.py --write OUT.json")
    _write(Path(sys.argv[2]))
