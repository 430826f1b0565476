"""The trigger menu: seeds, thresholds, prescales and run settings, from TOML.

A menu file holds the whole run description::

    [run]
    filling_scheme = "25ns_2748b"     # or design_2808b, single_train, all, a file
    latency_budget_ns = 12500          # Phase-2: 12.5 us = 500 BX
    l1a_budget_khz = 750
    trigger_rules = [[1, 3], [2, 25], [3, 100], [4, 240]]   # [count, window] pairs; [] for none

    [source]                           # optional, for ROOT replay
    tree = "Events"                    # default: detected
    passthrough = ["L1_SingleMu22"]    # per-event branches copied into the output
    [source.branch_map]                # explicit branches, overriding layout detection
    jet_pt = "MyJet_pt"                # keys: streams.root_layouts.BRANCH_MAP_KEYS
    jet_eta = "MyJet_eta"
    jet_phi = "MyJet_phi"

    [[stages]]                         # firmware blocks, in chain order (see triggeremu.stages)
    kind = "nn"
    name = "ad"

    [[seeds]]                          # a classic object seed, threshold in GeV
    name = "SingleMu22"
    object = "muon"                    # muon | egamma | jet | ht | met
    threshold_gev = 22.0
    max_abs_eta = 2.4                  # optional
    prescale = 1                       # 0 disables the seed; N keeps every N-th firing

    [[seeds]]                          # a threshold on an integer stage output
    name = "AD"
    column = "ad_score"
    working_points = { loose = 100, nominal = 200 }   # -> seeds AD_loose, AD_nominal

A column seed fires when the raw integer ``value >= threshold``; a
working-point table expands into one seed per point. Object seeds compare
hardware integers, converting the GeV threshold exactly once
(:func:`streams.hwunits.gev_to_hw_threshold`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from triggeremu.errors import ConfigError

__all__ = ["Seed", "Menu", "load_menu", "default_menu_path", "OBJECT_KINDS", "RUN3_TRIGGER_RULES"]

OBJECT_KINDS = ("muon", "egamma", "jet", "ht", "met")
RUN3_TRIGGER_RULES = ((1, 3), (2, 25), (3, 100), (4, 240))

_SEED_KEYS = {"name", "object", "threshold_gev", "max_abs_eta", "prescale", "column", "threshold",
              "working_points", "ht_jet_min_gev", "description"}
_SOURCE_KEYS = {"tree", "branch_map", "passthrough"}
_RUN_KEYS = {"filling_scheme", "latency_budget_ns", "l1a_budget_khz", "trigger_rules", "batch_orbits"}
#: [run] keys of the stream (liveness, reorder-buffer bound, input anomalies); defaults in Menu
_STREAM_RUN_KEYS = {"heartbeat_s", "peer_timeout_s", "reorder_buffer_batches", "drop_input_anomalies"}


@dataclass(frozen=True)
class Seed:
    name: str
    object: str | None = None  # classic object seed
    threshold_gev: float | None = None
    max_abs_eta: float | None = None
    ht_jet_min_gev: float = 30.0
    column: str | None = None  # column seed
    threshold: int | None = None
    prescale: int = 1
    description: str = ""

    @property
    def kind(self) -> str:
        return "object" if self.object is not None else "column"

    def describe(self) -> str:
        if self.object is not None:
            eta = f", |eta|<{self.max_abs_eta}" if self.max_abs_eta is not None else ""
            return f"{self.object} pT >= {self.threshold_gev:g} GeV{eta}"
        return f"{self.column} >= {self.threshold}"


@dataclass(frozen=True)
class Menu:
    seeds: tuple[Seed, ...]
    stages: tuple[dict[str, Any], ...] = ()
    filling_scheme: str = "25ns_2748b"
    latency_budget_ns: float = 12500.0
    l1a_budget_khz: float = 750.0
    trigger_rules: tuple[tuple[int, int], ...] = RUN3_TRIGGER_RULES
    batch_orbits: int = 4
    root_options: dict[str, Any] = field(default_factory=dict)  # [source]: tree, branch_map, passthrough
    # the stream: heartbeat period and peer timeout (s), reorder-buffer bound (0: automatic),
    # and whether events with an input anomaly are dropped
    heartbeat_s: float = 1.0
    peer_timeout_s: float = 5.0
    reorder_buffer_batches: int = 0
    drop_input_anomalies: bool = False
    source: str = "<built-in>"
    base_dir: Path = field(default_factory=Path.cwd)

    @property
    def seed_names(self) -> list[str]:
        return [s.name for s in self.seeds]


def default_menu_path() -> Path:
    return Path(str(resources.files("triggeremu") / "data" / "default_menu.toml"))


def load_menu(path: str | Path | None = None) -> Menu:
    """Read and validate a menu TOML file (the bundled default when ``path`` is None)."""
    path = Path(path) if path is not None else default_menu_path()
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        msg = f"menu file {str(path)!r} does not exist; omit --menu to use the bundled default"
        raise ConfigError(msg) from None
    except tomllib.TOMLDecodeError as err:
        msg = f"menu file {path} is not valid TOML: {err}"
        raise ConfigError(msg) from None
    return parse_menu(raw, source=str(path), base_dir=path.resolve().parent)


def parse_menu(raw: dict[str, Any], *, source: str = "<dict>", base_dir: Path | None = None) -> Menu:
    unknown_top = set(raw) - {"run", "source", "stages", "seeds"}
    if unknown_top:
        msg = f"{source}: unknown section(s) {sorted(unknown_top)}; a menu has [run], [source], [[stages]] and [[seeds]]"
        raise ConfigError(msg)
    root_options = dict(raw.get("source", {}))
    unknown = set(root_options) - _SOURCE_KEYS
    if unknown:
        msg = f"{source}: unknown key(s) {sorted(unknown)} in [source]; known keys are {sorted(_SOURCE_KEYS)}"
        raise ConfigError(msg)
    if "branch_map" in root_options and not isinstance(root_options["branch_map"], dict):
        msg = f"{source}: [source] branch_map must be a table of quantity = branch name (e.g. jet_pt = \"MyJet_pt\")"
        raise ConfigError(msg)
    if "passthrough" in root_options:
        pt = root_options["passthrough"]
        if not isinstance(pt, list) or not all(isinstance(x, str) for x in pt):
            msg = f"{source}: [source] passthrough must be a list of branch names"
            raise ConfigError(msg)
    run = dict(raw.get("run", {}))
    unknown = set(run) - _RUN_KEYS - _STREAM_RUN_KEYS
    if unknown:
        msg = f"{source}: unknown key(s) {sorted(unknown)} in [run]; known keys are {sorted(_RUN_KEYS | _STREAM_RUN_KEYS)}"
        raise ConfigError(msg)
    rules = run.get("trigger_rules", RUN3_TRIGGER_RULES)
    try:
        rules_t = tuple((int(c), int(w)) for c, w in rules)
    except (TypeError, ValueError):
        msg = f"{source}: trigger_rules must be a list of [count, window] pairs, got {rules!r}"
        raise ConfigError(msg) from None
    for c, w in rules_t:
        if c < 1 or w < 1:
            msg = f"{source}: trigger rule [{c}, {w}] must have count >= 1 and window >= 1 BX"
            raise ConfigError(msg)
    stream = _stream_options(run, source)
    seeds: list[Seed] = []
    for i, s in enumerate(raw.get("seeds", [])):
        seeds.extend(_parse_seed(s, i, source))
    if not seeds:
        msg = f"{source}: the menu has no [[seeds]]; add at least one seed"
        raise ConfigError(msg)
    names = [s.name for s in seeds]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        msg = f"{source}: seed name(s) {dup} used more than once; seed names must be unique"
        raise ConfigError(msg)
    stages = tuple(dict(st) for st in raw.get("stages", []))
    for i, st in enumerate(stages):
        if "kind" not in st:
            msg = f"{source}: [[stages]] entry {i} has no 'kind'"
            raise ConfigError(msg)
        st.setdefault("name", st["kind"])
    snames = [st["name"] for st in stages]
    if len(set(snames)) != len(snames):
        msg = f"{source}: stage names {snames} are not unique; give each [[stages]] a distinct name"
        raise ConfigError(msg)
    return Menu(
        seeds=tuple(seeds),
        stages=stages,
        filling_scheme=str(run.get("filling_scheme", "25ns_2748b")),
        latency_budget_ns=float(run.get("latency_budget_ns", 12500.0)),
        l1a_budget_khz=float(run.get("l1a_budget_khz", 750.0)),
        trigger_rules=rules_t,
        batch_orbits=int(run.get("batch_orbits", 4)),
        root_options=root_options,
        **stream,
        source=source,
        base_dir=base_dir or Path.cwd(),
    )


def _stream_options(run: dict[str, Any], source: str) -> dict[str, Any]:
    """The stream keys of [run], checked (see the module docstring)."""
    out: dict[str, Any] = {}
    for key in ("heartbeat_s", "peer_timeout_s"):
        if key in run:
            v = run[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
                msg = f"{source}: [run] {key} must be a positive number of seconds, got {v!r}"
                raise ConfigError(msg)
            out[key] = float(v)
    hb, to = out.get("heartbeat_s", 1.0), out.get("peer_timeout_s", 5.0)
    if to < 2 * hb:
        msg = (f"{source}: [run] peer_timeout_s ({to:g} s) must be at least twice heartbeat_s ({hb:g} s), "
               "or a peer that is alive is taken for dead")
        raise ConfigError(msg)
    if "reorder_buffer_batches" in run:
        v = run["reorder_buffer_batches"]
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            msg = f"{source}: [run] reorder_buffer_batches must be an integer >= 0 (0: automatic), got {v!r}"
            raise ConfigError(msg)
        out["reorder_buffer_batches"] = v
    if "drop_input_anomalies" in run:
        v = run["drop_input_anomalies"]
        if not isinstance(v, bool):
            msg = f"{source}: [run] drop_input_anomalies must be true or false, got {v!r}"
            raise ConfigError(msg)
        out["drop_input_anomalies"] = v
    return out


def _parse_seed(s: dict[str, Any], i: int, source: str) -> list[Seed]:
    where = f"{source}: seed {s.get('name', f'#{i}')!r}"
    unknown = set(s) - _SEED_KEYS
    if unknown:
        msg = f"{where}: unknown key(s) {sorted(unknown)}; known keys are {sorted(_SEED_KEYS)}"
        raise ConfigError(msg)
    if "name" not in s:
        msg = f"{source}: seed #{i} has no name"
        raise ConfigError(msg)
    prescale = s.get("prescale", 1)
    if not isinstance(prescale, int) or prescale < 0:
        msg = f"{where}: prescale must be an integer >= 0 (0 disables the seed), got {prescale!r}"
        raise ConfigError(msg)
    common = {"prescale": prescale, "description": str(s.get("description", ""))}
    if "object" in s:
        if s["object"] not in OBJECT_KINDS:
            msg = f"{where}: object {s['object']!r} is not one of {list(OBJECT_KINDS)}"
            raise ConfigError(msg)
        if "threshold_gev" not in s:
            msg = f"{where}: an object seed needs threshold_gev"
            raise ConfigError(msg)
        return [Seed(name=s["name"], object=s["object"], threshold_gev=float(s["threshold_gev"]),
                     max_abs_eta=s.get("max_abs_eta"), ht_jet_min_gev=float(s.get("ht_jet_min_gev", 30.0)),
                     **common)]
    if "column" in s:
        if "working_points" in s:
            wps = s["working_points"]
            if not isinstance(wps, dict) or not wps:
                msg = f"{where}: working_points must be a table name = integer threshold"
                raise ConfigError(msg)
            return [Seed(name=f"{s['name']}_{wp}", column=s["column"], threshold=_int_threshold(t, where), **common)
                    for wp, t in wps.items()]
        if "threshold" not in s:
            msg = f"{where}: a column seed needs an integer threshold or a working_points table"
            raise ConfigError(msg)
        return [Seed(name=s["name"], column=s["column"], threshold=_int_threshold(s["threshold"], where), **common)]
    msg = f"{where}: give either object (+ threshold_gev) or column (+ threshold / working_points)"
    raise ConfigError(msg)


def _int_threshold(t: Any, where: str) -> int:
    if isinstance(t, bool) or not isinstance(t, int):
        msg = f"{where}: thresholds on stage outputs are raw integers, got {t!r}"
        raise ConfigError(msg)
    return t
