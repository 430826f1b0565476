"""Whole-pipeline throughput and memory: events/s of ``triggeremu.pipeline.run``, side by side.

Every figure is one run in a fresh process (``bench/_run_pipeline.py``: a warm-up run
first, then the timed one), taken in this one session, so the anchors share the
machine's load. Anchors and targets (issue 11):

- the default menu in-process against the same run on the landed commit 329655f
  (``TRIGGEREMU_BASE=/path/to/checkout`` of it, e.g. ``git worktree add /tmp/base
  329655f``; or a figure measured the same way, ``TRIGGEREMU_BASE_EVENTS_PER_S``):
  target >= 3x. Both trees must give the same event counts;
- ``--workers 2`` against ``--workers 0`` on the calo menu (ACAM on calorimeter showers,
  target >= 1.3x) and on the default menu (target >= 0.9x);
- the summed resident memory (RSS; and PSS, which counts pages the processes share
  once) of the sink, the fork server, the source and the workers during a 20M-event
  ``--workers 2`` run (target < 1 GB = 10^9 bytes), with the in-process run beside it.

Sizes by environment: ``TRIGGEREMU_BENCH_EVENTS`` (default menu, 10M),
``TRIGGEREMU_BENCH_CALO_EVENTS`` (1M), ``TRIGGEREMU_BENCH_RSS_EVENTS`` (20M).
The ROOT replay figure (1M events against uproot alone) is in bench/bench_sources.py.

    python3 -m pytest bench/bench_pipeline.py --benchmark-enable -s   # table on stdout
    python3 bench/bench_pipeline.py                                   # the same, no pytest
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TREE = HERE.parent
N_DEFAULT = int(os.environ.get("TRIGGEREMU_BENCH_EVENTS", 10_000_000))
N_CALO = int(os.environ.get("TRIGGEREMU_BENCH_CALO_EVENTS", 1_000_000))
N_RSS = int(os.environ.get("TRIGGEREMU_BENCH_RSS_EVENTS", 20_000_000))
CALO_MENU = """
[run]
filling_scheme = "25ns_2748b"
[[stages]]
kind = "acam"
name = "acam"
[[seeds]]
name = "Latent0"
column = "acam_latent[0]"
threshold = 0
"""


def drive(tree: Path, events: int, *, workers: int = 0, kind: str = "synthetic", menu: Path | None = None,
          rss: bool = False) -> dict:
    """One run in a fresh process; its JSON line."""
    cmd = [sys.executable, str(HERE / "_run_pipeline.py"), "--tree", str(tree), "--events", str(events),
           "--kind", kind, "--workers", str(workers)]
    if menu is not None:
        cmd += ["--menu", str(menu)]
    if rss:
        cmd.append("--rss")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, timeout=1800, check=False)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _record(benchmark, result: dict, **extra) -> None:
    benchmark.extra_info.update({"events_per_s": round(result["events_per_s"]),
                                 "steady_events_per_s": round(result["steady_events_per_s"] or 0),
                                 "cpu_s": round(result["cpu_s"], 2), "load": _load(), **extra})
    print(f"\n  {json.dumps(benchmark.extra_info)}")


@pytest.fixture(scope="module")
def calo_menu(tmp_path_factory):
    p = tmp_path_factory.mktemp("menus") / "calo.toml"
    p.write_text(CALO_MENU)
    return p


@pytest.mark.benchmark(group="pipeline-in-process")
def test_default_menu_in_process_against_the_landed_commit(benchmark):
    base = os.environ.get("TRIGGEREMU_BASE")
    saved = os.environ.get("TRIGGEREMU_BASE_EVENTS_PER_S")
    if base is None and saved is None:
        pytest.skip("set TRIGGEREMU_BASE to a checkout of 329655f (or TRIGGEREMU_BASE_EVENTS_PER_S)")
    old = drive(Path(base), N_DEFAULT) if base else None
    new = benchmark.pedantic(lambda: drive(TREE, N_DEFAULT), rounds=1, iterations=1)
    if old is not None:
        assert new["counts"] == old["counts"], "the two trees disagree on the same events"
    anchor = old["events_per_s"] if old else float(saved)
    _record(benchmark, new, anchor_events_per_s=round(anchor), ratio=round(new["events_per_s"] / anchor, 2),
            anchor_cpu_s=round(old["cpu_s"], 2) if old else None, target=3.0)


@pytest.mark.benchmark(group="pipeline-workers")
@pytest.mark.parametrize("menu_name", ["calo", "default"])
def test_two_workers_against_in_process(benchmark, menu_name, calo_menu):
    menu, kind, n, target = ((calo_menu, "calo", N_CALO, 1.3) if menu_name == "calo"
                             else (None, "synthetic", N_DEFAULT, 0.9))
    zero = drive(TREE, n, kind=kind, menu=menu)
    two = benchmark.pedantic(lambda: drive(TREE, n, kind=kind, menu=menu, workers=2), rounds=1, iterations=1)
    assert two["counts"] == zero["counts"]
    _record(benchmark, two, anchor_events_per_s=round(zero["events_per_s"]),
            ratio=round(two["events_per_s"] / zero["events_per_s"], 2),
            steady_ratio=round((two["steady_events_per_s"] or 0) / (zero["steady_events_per_s"] or 1), 2),
            anchor_cpu_s=round(zero["cpu_s"], 2), target=target)


@pytest.mark.benchmark(group="pipeline-memory")
def test_memory_of_a_long_distributed_run(benchmark):
    zero = drive(TREE, N_RSS // 4, rss=True)
    two = benchmark.pedantic(lambda: drive(TREE, N_RSS, workers=2, rss=True), rounds=1, iterations=1)
    assert two["events"] == N_RSS
    _record(benchmark, two, peak_rss_mib=round(two["peak_rss_bytes"] / 2**20), processes=two["peak_rss_procs"],
            peak_pss_mib=round(two["peak_pss_bytes"] / 2**20),
            in_process_peak_rss_mib=round(zero["peak_rss_bytes"] / 2**20), in_process_events=zero["events"],
            target_mib=1024)
    assert two["peak_rss_bytes"] < 10**9, f"{two['peak_rss_bytes'] / 2**20:.0f} MiB summed RSS"


if __name__ == "__main__":  # pragma: no cover - the same figures without pytest
    import tempfile

    class _Bench:
        def __init__(self):
            self.extra_info = {}

        def pedantic(self, fn, **_):
            return fn()

    with tempfile.TemporaryDirectory() as tmp:
        calo = Path(tmp) / "calo.toml"
        calo.write_text(CALO_MENU)
        if os.environ.get("TRIGGEREMU_BASE") or os.environ.get("TRIGGEREMU_BASE_EVENTS_PER_S"):
            test_default_menu_in_process_against_the_landed_commit(_Bench())
        for name in ("calo", "default"):
            test_two_workers_against_in_process(_Bench(), name, calo)
        test_memory_of_a_long_distributed_run(_Bench())
