"""Real-data sanity check: emulated classic seeds vs the L1 decision bits recorded in NanoAOD.

CMS NanoAOD files carry the real L1 decision of every seed as a boolean branch
(``L1_SingleMu22``, ...). :func:`compare_with_recorded` replays a file through the
project's own path -- :class:`streams.root_source.RootSource` turns the *offline*
objects (``Muon_pt``, ``Jet_pt``, ...) into L1 hardware units, and
:func:`triggeremu.decisions.seed_bits` evaluates the seeds -- and compares each
seed, event by event, with the recorded bit of the same name, read with uproot
directly.

Offline objects are not L1 objects: offline muons have a better pT resolution than
L1 muons, offline jets are calibrated differently and include particles the
calorimeter trigger does not see, the L1 seeds have quality and eta requirements we
do not model, and the recorded bit also depends on prescales and masks of that run.
Agreement is therefore a sanity check of the units and the seed logic (a seed
threshold off by a factor two, or a wrong eta unit, would show), not a target.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from triggeremu.errors import InputFileError
from triggeremu.menu import Menu, Seed

__all__ = ["DEFAULT_SEEDS", "CAVEAT", "compare_with_recorded", "format_comparison"]

CAVEAT = (
    "offline objects are not L1 objects (resolution, calibration, quality and isolation requirements, "
    "prescales and masks of the run differ): this agreement is a sanity check, not a target"
)

#: classic seeds named as the CMS L1 seeds they approximate (the recorded bit is "L1_" + name)
DEFAULT_SEEDS: tuple[Seed, ...] = (
    Seed(name="SingleMu22", object="muon", threshold_gev=22.0),
    Seed(name="SingleMu25", object="muon", threshold_gev=25.0),
    Seed(name="SingleEG36er2p5", object="egamma", threshold_gev=36.0, max_abs_eta=2.5),
    Seed(name="SingleJet180", object="jet", threshold_gev=180.0),
    Seed(name="SingleJet120", object="jet", threshold_gev=120.0),
    Seed(name="HTT360er", object="ht", threshold_gev=360.0, max_abs_eta=2.4),
    Seed(name="ETM120", object="met", threshold_gev=120.0),
)


def _emulated(path: Path, seeds: Sequence[Seed]) -> tuple[np.ndarray, np.ndarray, str]:
    """(seed bits (N, k), entry numbers (N,), layout) from the project's ROOT reader."""
    from streams.root_source import RootSource
    from triggeremu.decisions import seed_bits

    src = RootSource(str(path))
    menu = Menu(seeds=tuple(seeds))
    bits, events = [], []
    for cols in src:
        b = seed_bits(cols, menu)
        if "bad_input" in cols:
            b &= (cols["bad_input"] == 0)[:, None]
        bits.append(b)
        events.append(cols["event"].astype(np.int64))
    if not bits:
        msg = f"{path}: no events to compare"
        raise InputFileError(msg)
    return np.concatenate(bits), np.concatenate(events), str(getattr(src, "layout", "?"))


def _recorded(path: Path, names: list[str]) -> tuple[dict[str, np.ndarray], list[str]]:
    import uproot

    with uproot.open(path) as f:
        if "Events" not in f:
            msg = f"{path}: no 'Events' tree (found {sorted(k.split(';')[0] for k in f.keys())}); is it NanoAOD?"
            raise InputFileError(msg)
        tree = f["Events"]
        have = set(tree.keys())
        found = [n for n in names if n in have]
        out = tree.arrays(found, library="np") if found else {}
        missing = [n for n in names if n not in have]
        l1 = sorted(k for k in have if k.startswith("L1_"))
    hints = [f"{m} (closest: {difflib.get_close_matches(m, l1, n=3)})" for m in missing]
    return {k: np.asarray(v, dtype=bool) for k, v in out.items()}, hints


def compare_with_recorded(path: str | Path, *, seeds: Sequence[Seed] = DEFAULT_SEEDS) -> dict[str, Any]:
    """Per seed: events, emulated and recorded counts, both/only-one counts, agreement fraction."""
    path = Path(path)
    if not path.is_file():
        msg = f"{path} does not exist; give a CMS NanoAOD file with L1_* decision branches"
        raise InputFileError(msg)
    bits, events, layout = _emulated(path, seeds)
    recorded, missing = _recorded(path, [f"L1_{s.name}" for s in seeds])
    out: dict[str, Any] = {"file": str(path), "layout": layout, "n_events": int(events.size), "caveat": CAVEAT,
                           "missing_bits": missing, "seeds": {}}
    for j, s in enumerate(seeds):
        rec = recorded.get(f"L1_{s.name}")
        if rec is None:
            continue
        rec = rec[events]  # entries in the order the reader delivered them
        emu = bits[:, j]
        out["seeds"][s.name] = {
            "definition": s.describe(),
            "recorded_bit": f"L1_{s.name}",
            "emulated": int(emu.sum()),
            "recorded": int(rec.sum()),
            "both": int((emu & rec).sum()),
            "emulated_only": int((emu & ~rec).sum()),
            "recorded_only": int((~emu & rec).sum()),
            "agreement": float((emu == rec).mean()),
        }
    agree = [v["agreement"] * out["n_events"] for v in out["seeds"].values()]
    out["overall_agreement"] = sum(agree) / (out["n_events"] * len(agree)) if agree else None
    return out


def format_comparison(res: dict[str, Any]) -> str:
    lines = [f"{res['file']}: {res['n_events']} events ({res['layout']})",
             f"{'seed':<18}{'emulated':>9}{'recorded':>9}{'both':>6}{'emu only':>9}{'rec only':>9}{'agree':>8}"]
    for name, v in res["seeds"].items():
        lines.append(f"{name:<18}{v['emulated']:>9}{v['recorded']:>9}{v['both']:>6}{v['emulated_only']:>9}"
                     f"{v['recorded_only']:>9}{v['agreement']:>8.3f}")
    if res["missing_bits"]:
        lines.append("not in the file: " + "; ".join(res["missing_bits"]))
    lines.append(f"note: {res['caveat']}")
    return "\n".join(lines) + "\n"
