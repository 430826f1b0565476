"""Faults in whole runs: real processes, real ZeroMQ sockets on 127.0.0.1, the CLI.

- a worker SIGKILLed or SIGSTOPped mid-stream: the run completes, per-event outputs
  identical to a clean run, the summary records the fault and the re-dispatch;
- the source SIGKILLed: exit 2, a summary with ``"complete": false`` and exact counts
  (events read = events with results + events never processed, with orbit ranges), the
  partial Parquet holding exactly the events with results;
- Ctrl-C (SIGINT to a ``python -m triggeremu replay`` process): exit 130, the same;
- a run directory is written fresh, never mixed with an old one.

Mid-stream is observed from outside: the Parquet writer's temporary file appears with
the first written batch. Every wait has a deadline.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from triggeremu.cli import main
from triggeremu.pipeline import partial_path, run, run_summary_of

ROOT = Path(__file__).resolve().parents[1]
FAST = ["--heartbeat-s", "0.2", "--peer-timeout-s", "1.5"]
#: summary keys that depend on the run, not on the events
_RUN_KEYS = {"wall_s", "throughput_events_per_s", "first_batch_s", "steady_throughput_events_per_s", "workers",
             "transport", "transport_stats", "source"}


def _wait(cond, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = cond()
        if got:
            return got
        time.sleep(0.02)
    pytest.fail(f"timed out after {seconds} s waiting for {what}")


def _started(out: Path):
    """The writer's temporary file: the first batch has been written."""
    return next(iter(out.parent.glob(f".{out.stem}.tmp-*{out.suffix}")), None)


def _child(name: str):
    return next((p for p in multiprocessing.active_children() if p.name == name), None)


def _tables_equal(a: Path, b: Path) -> None:
    ta, tb = pq.read_table(a), pq.read_table(b)
    assert ta.column_names == tb.column_names
    for name in ta.column_names:
        np.testing.assert_array_equal(ta.column(name).to_numpy(), tb.column(name).to_numpy(), err_msg=name)


class _Background(threading.Thread):
    def __init__(self, fn, *args, **kw):
        super().__init__(daemon=True)
        self.fn, self.args, self.kw = fn, args, kw
        self.result = self.error = None

    def run(self):
        try:
            self.result = self.fn(*self.args, **self.kw)
        except BaseException as err:  # noqa: BLE001 - inspected by the test
            self.error = err


N = 1_000_000


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean") / "d.parquet"
    summary = run({"kind": "synthetic", "n_events": N, "seed": 4}, out=out).summary
    return out, summary


@pytest.mark.parametrize("sig", [signal.SIGKILL, pytest.param(signal.SIGSTOP, marks=pytest.mark.slow)])
def test_worker_fault_mid_run_leaves_outputs_identical(sig, tmp_path, clean_run):
    ref_out, ref = clean_run
    from streams.transport import TransportStats

    out = tmp_path / "d.parquet"
    stats = TransportStats()
    job = _Background(run, {"kind": "synthetic", "n_events": N, "seed": 4}, out=out, workers=2,
                      heartbeat_s=0.2, peer_timeout_s=1.5, stats=stats)
    job.start()
    # both workers have answered (a worker gets the plain peer timeout once it is warm)
    _wait(lambda: (len(stats.per_worker) == 2 and all(stats.per_worker)) or not job.is_alive(), 120,
          "a result from each worker")
    assert job.is_alive(), f"the run ended before both workers answered: {job.error}"
    victim = _wait(lambda: _child("triggeremu-worker-1"), 10, "worker 1")
    os.kill(victim.pid, sig)
    done_before = stats.per_worker[1]
    job.join(120)
    assert not job.is_alive() and job.error is None, job.error
    s = job.result.summary
    _tables_equal(ref_out, out)
    assert {k: v for k, v in s.items() if k not in _RUN_KEYS} == {k: v for k, v in ref.items() if k not in _RUN_KEYS}
    assert s["complete"] is True and s["events_never_processed"] == 0
    faults = s["transport_stats"]["worker_faults"]
    if sig == signal.SIGSTOP and not faults:
        # frozen while it held nothing, and the run ended within the peer timeout: it
        # did nothing after the freeze and lost nothing (detection: tests/test_transport.py)
        assert s["transport_stats"]["per_worker"][1] <= done_before + 2
        return
    assert [f["worker"] for f in faults] == [1]
    assert ("SIGKILL" if sig == signal.SIGKILL else "silent") in faults[0]["reason"]
    moved = {r["seq"] for r in s["transport_stats"]["redispatched"]}
    assert set(faults[0]["seqs"]) <= moved


def test_source_killed_mid_run_exits_2_with_exact_counts(tmp_path):
    out, js = tmp_path / "d.parquet", tmp_path / "s.json"
    args = ["replay", "--synthetic", "3000000", "--workers", "2", "--out", str(out), "--json", str(js), "--quiet",
            *FAST]
    job = _Background(main, args)
    job.start()
    _wait(lambda: _started(out), 120, "the first written batch")
    os.kill(_wait(lambda: _child("triggeremu-source"), 10, "the source").pid, signal.SIGKILL)
    job.join(60)
    assert not job.is_alive()
    assert job.result == 2
    s = json.loads(js.read_text())
    assert s["complete"] is False and "source process" in s["reason"]
    assert s["events_read"] == s["events_with_results"] + s["events_never_processed"]
    assert s["events_never_processed"] == sum(p["n_events"] for p in s["never_processed"])
    assert s["events_never_read"] == 3_000_000 - s["events_read"]
    assert s["events_in"] == s["events_with_results"] == s["events_accepted"] + s["events_rejected"] + \
        s["events_dropped"]
    for p in s["never_processed"]:
        assert p["first_orbit"] <= p["last_orbit"]
    kept = partial_path(out)
    assert not out.exists() and kept.exists() and s["partial_output"] == str(kept)
    t = pq.read_table(kept)
    assert t.num_rows == s["events_with_results"]
    np.testing.assert_array_equal(t.column("event").to_numpy(), np.arange(t.num_rows))


@pytest.mark.parametrize("workers", [0, pytest.param(2, marks=pytest.mark.slow)])
def test_ctrl_c_writes_a_partial_summary(tmp_path, workers):
    out, js = tmp_path / "d.parquet", tmp_path / "s.json"
    cmd = [sys.executable, "-m", "triggeremu", "replay", "--synthetic", "20000000", "--workers", str(workers),
           "--out", str(out), "--json", str(js), "--quiet"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait(lambda: _started(out) or proc.poll() is not None, 120, "the first written batch")
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err.decode()
    s = json.loads(js.read_text())
    assert s["complete"] is False and s["reason"] == "interrupted (Ctrl-C)"
    assert s["events_read"] == s["events_with_results"] + s["events_never_processed"]
    assert pq.read_table(partial_path(out)).num_rows == s["events_with_results"]
    assert not out.exists()


def test_run_dir_is_fresh(tmp_path, capsys):
    rd = tmp_path / "run"
    assert main(["replay", "--synthetic", "5000", "--run-dir", str(rd), "--quiet"]) == 0
    first = json.loads((rd / "summary.json").read_text())
    assert main(["replay", "--synthetic", "6000", "--run-dir", str(rd), "--quiet"]) == 2
    assert "already holds files" in capsys.readouterr().err
    assert json.loads((rd / "summary.json").read_text()) == first
    (rd / "notes.txt").write_text("mine")
    assert main(["replay", "--synthetic", "6000", "--run-dir", str(rd), "--overwrite", "--quiet"]) == 2
    assert "notes.txt" in capsys.readouterr().err
    (rd / "notes.txt").unlink()
    assert main(["replay", "--synthetic", "6000", "--run-dir", str(rd), "--overwrite", "--quiet"]) == 0
    assert json.loads((rd / "summary.json").read_text())["events_in"] == 6000
    assert pq.read_table(rd / "decisions.parquet").num_rows == 6000
    assert sorted(p.name for p in rd.iterdir()) == ["decisions.parquet", "summary.json"]


def test_error_mid_run_carries_the_partial_summary(tmp_path, nano_columns):
    """A ROOT file damaged after its first baskets: the error is the reader's own, and it
    carries what was done."""
    import awkward as ak
    import uproot

    from streams.errors import SourceError

    src = tmp_path / "t.root"
    parts = [nano_columns(20000, seed=s) for s in range(6)]
    with uproot.recreate(src) as f:
        f.mktree("Events", {k: (v.dtype if isinstance(v, np.ndarray) else ak.Array(v).type.content)
                            for k, v in parts[0].items()})
        for p in parts:
            f["Events"].extend({k: (v if isinstance(v, np.ndarray) else ak.Array(v)) for k, v in p.items()})
    data = bytearray(src.read_bytes())
    cut = len(data) * 3 // 4
    data[cut:cut + 65536] = os.urandom(65536)  # damage the later baskets
    src.write_bytes(bytes(data))
    try:
        run({"kind": "root", "paths": [str(src)], "chunk_events": 20000})
    except SourceError as err:
        s = run_summary_of(err)
        assert s is not None and s["complete"] is False and "SourceError" in s["reason"]
        assert s["events_read"] == s["events_with_results"] + s["events_never_processed"]
        assert s["events_never_read"] == 120000 - s["events_read"]
    else:
        pytest.skip("the damaged bytes fell where uproot does not read")
