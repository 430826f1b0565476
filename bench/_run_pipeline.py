"""One pipeline run in a fresh process, for bench/bench_pipeline.py (prints one JSON line).

``python3 bench/_run_pipeline.py --tree CHECKOUT --events N [--kind synthetic|calo]
[--menu FILE] [--workers W] [--rss]`` imports triggeremu from ``CHECKOUT`` (the working
tree, or a checkout of an earlier commit such as the landed 329655f), runs a small
warm-up (JIT caches, imports), then the timed run, and prints events/s (whole run and
after the first batch), wall and CPU seconds of this process and its children, the
event counts (so two trees can be checked to give the same results), and with
``--rss`` the peak of the summed resident memory of this process and all its
descendants, sampled every 0.1 s from /proc.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _pss_bytes(pid: int) -> int:
    """Proportional set size: pages shared between processes counted once over all."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class _RssSampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.peak_pss = 0
        self.peak_procs = 0
        self.stop = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self.stop.is_set():
            pids = _descendants(me)
            total = sum(_rss_bytes(p) for p in pids)
            if total > self.peak:
                self.peak, self.peak_procs = total, len(pids)
            self.peak_pss = max(self.peak_pss, sum(_pss_bytes(p) for p in pids))
            self.stop.wait(0.1)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--tree", required=True)
    p.add_argument("--events", type=int, required=True)
    p.add_argument("--kind", default="synthetic", choices=("synthetic", "calo", "root"))
    p.add_argument("--path", help="ROOT file for --kind root")
    p.add_argument("--menu")
    p.add_argument("--workers", type=int, default=0)
    p.add_argument("--rss", action="store_true")
    args = p.parse_args()
    sys.path.insert(0, os.path.abspath(args.tree))
    from triggeremu.pipeline import run

    spec = ({"kind": "root", "paths": [args.path]} if args.kind == "root" else
            {"kind": args.kind, "n_events": args.events, "seed": 0})
    warm = dict(spec, n_events=20_000) if args.kind != "root" else dict(spec, entry_stop=20_000)
    run(warm, menu_path=args.menu)  # JIT caches and imports, in-process
    sampler = _RssSampler() if args.rss else None
    if sampler is not None:
        sampler.start()
    c0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    s = run(spec, menu_path=args.menu, workers=args.workers).summary
    wall = time.perf_counter() - t0
    c1, ch = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    if sampler is not None:
        sampler.stop.set()
        sampler.join()
    counts = {k: s[k] for k in ("events_in", "events_accepted", "events_rejected", "events_dropped")}
    counts["seeds"] = {k: v["count"] for k, v in s["seeds"].items()}
    print(json.dumps({
        "tree": args.tree, "workers": args.workers, "events": s["events_in"], "wall_s": wall,
        "events_per_s": s["events_in"] / wall, "steady_events_per_s": s["steady_throughput_events_per_s"],
        "first_batch_s": s["first_batch_s"],
        "cpu_s": (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime) + ch.ru_utime + ch.ru_stime,
        "peak_rss_bytes": sampler.peak if sampler else None, "peak_rss_procs": sampler.peak_procs if sampler else None,
        "peak_pss_bytes": sampler.peak_pss if sampler else None,
        "counts": counts,
    }))


if __name__ == "__main__":
    main()
