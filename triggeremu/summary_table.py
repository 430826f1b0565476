"""The human-readable rate table and throughput line printed by ``replay``."""

from __future__ import annotations

from typing import Any

__all__ = ["format_summary"]


def _num(value: Any, fmt: str) -> str:
    """``value`` formatted, or n/a when the run had nothing to measure (None)."""
    return "n/a" if value is None else format(value, fmt)


def format_summary(s: dict[str, Any]) -> str:
    lines = []
    lines.append(
        f"triggeremu: {s['events_in']:,} events from {s.get('layout', '?')} source, "
        f"filling scheme {s['filling_scheme']} ({s['colliding_bunches']} colliding bunches)"
    )
    lines.append(
        f"  accepted {s['events_accepted']:,}   rejected {s['events_rejected']:,}   "
        f"dropped {s['events_dropped']:,}" + (f"  {s['drop_reasons']}" if s.get("drop_reasons") else "")
    )
    lines.append("")
    head = f"{'seed':<22} {'definition':<34} {'ps':>3} {'count':>9} {'rate [kHz]':>20} {'pure':>9} {'prop.':>9} {'after DT':>9}"
    lines.append(head)
    lines.append("-" * len(head))
    defs = s.get("seed_definitions", {})
    for name, r in s["seeds"].items():
        d = defs.get(name, {})
        rate = f"{r['rate_khz']:9.3f} +- {r['rate_err_khz']:7.3f}"
        lines.append(
            f"{name:<22} {d.get('definition', ''):<34.34} {d.get('prescale', 1):>3} {r['count']:>9,} {rate:>20} "
            f"{r['pure_rate_khz']:9.3f} {r['proportional_rate_khz']:9.3f} {r['rate_after_deadtime_khz']:9.3f}"
        )
    lines.append("-" * len(head))
    lines.append(
        f"{'total (OR, after prescale)':<57} {s['total_rate_khz']:20.3f}"
        f"   after deadtime {s['total_rate_after_deadtime_khz']:.3f} kHz (budget {s['l1a_budget_khz']:g} kHz)"
    )
    if s.get("over_l1a_budget"):
        lines.append(
            f"WARNING: the total rate {s['total_rate_khz']:.1f} kHz exceeds the L1A budget of "
            f"{s['l1a_budget_khz']:g} kHz: raise thresholds or prescale seeds"
        )
    if "deadtime_fraction" in s:
        lines.append(f"deadtime fraction {_num(s['deadtime_fraction'], '.3e')}   events over latency budget "
                     f"{s.get('events_over_budget', 0):,}")
    if "latency_ns" in s and s["latency_ns"]:
        lat = s["latency_ns"]
        lines.append(f"chain latency: p50 {_num(lat.get('p50'), '.1f')} ns  p99 {_num(lat.get('p99'), '.1f')} ns  "
                     f"max {_num(lat.get('max'), '.1f')} ns")
    for name, st in (s.get("stages") or {}).items():
        lines.append(
            f"  stage {name:<10} {st.get('latency_cycles', '?')} cycles = {_num(st.get('latency_ns'), '.1f')} ns, "
            f"II {st.get('ii_cycles', '?')} @ {st.get('clock_mhz', '?')} MHz, FIFO high-water "
            f"{st.get('fifo_high_water', 0)}, dropped {st.get('dropped', 0)}"
        )
        if st.get("takes_every_bx") is False:
            lines.append(f"  WARNING: stage {name} CANNOT TAKE EVERY BX: {st['warning']}")
    if s.get("fifo_deadtime_fraction"):
        lines.append(f"deadtime from full FIFOs: {s['fifo_deadtime_fraction']:.3%} of the timed events")
    for name, rep in (s.get("stage_reports") or {}).items():
        if "energy_per_event_nj" in rep:
            lines.append(
                f"  stage {name:<10} energy {rep['energy_per_event_nj']:.2f} nJ/event, "
                f"{rep['energy_total_nj'] / 1e3:.1f} uJ in all ({rep.get('cost_source', '')})"
            )
        if "bits_per_bx" in rep:
            lines.append(
                f"  stage {name:<10} {rep['algorithm']}, {rep['links']} links: {rep['bits_per_bx']:.1f} bits/BX "
                f"vs link budget {rep['link_budget_bits_per_bx']} ({rep['budget_fraction']:.2f}x), truncated "
                f"{rep['truncation_rate']:.2%} of events, buffer high-water {rep['buffer_high_water_words']}"
                f"/{rep['buffer_depth_words']} words"
            )
        off = rep.get("offline") or {}
        if "correlation_mu_vs_acam" in off:
            r = ", ".join(f"{v:.3f}" for v in off["correlation_mu_vs_acam"])
            lines.append(f"  stage {name:<10} decompressed {off['events_used']:,} events: r(mu, ACAM) = {r}")
    lines.append("")
    workers = s.get("workers", 0)
    where = f"{workers} worker(s) over {s.get('transport')}" if workers else "in-process"
    lines.append(
        f"throughput: {s['throughput_events_per_s']:,.0f} events/s ({s['events_in']:,} events in "
        f"{s['wall_s']:.2f} s, {where})"
    )
    if s.get("steady_throughput_events_per_s"):
        lines.append(
            f"            {s['steady_throughput_events_per_s']:,.0f} events/s after the first batch "
            f"(start-up {s['first_batch_s']:.2f} s: imports, processes, JIT compilation on a first run)"
        )
    return "\n".join(lines) + "\n"
