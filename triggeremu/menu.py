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

Every key is declared once, with its type, unit, range and default, in the
:class:`~triggeremu.schema.Section` s below (:data:`RUN`, :data:`SOURCE`,
:data:`SEED`; each stage kind declares its own in its module), and the whole menu
is checked before anything runs: :func:`parse_menu` raises one
:class:`~triggeremu.errors.ConfigError` naming the key and the fix. The reference
of every key is generated from these declarations (``triggeremu menu --reference``,
``docs/menu-reference.md``).

A :class:`Menu` comes from a path, a TOML string, a dict or another Menu
(:func:`as_menu`); :meth:`Menu.to_dict` gives its checked contents as plain data
(paths absolute), which is how a menu travels to worker processes.
"""

from __future__ import annotations

import copy
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from triggeremu.errors import ConfigError
from triggeremu.schema import (
    Bool,
    Choice,
    Float,
    Int,
    Key,
    OneOf,
    Section,
    Str,
    StrList,
    Table,
    ValueType,
    closest,
    resolve_path,
)

__all__ = [
    "Seed",
    "Menu",
    "load_menu",
    "parse_menu",
    "as_menu",
    "default_menu_path",
    "calo_menu_path",
    "OBJECT_KINDS",
    "RUN3_TRIGGER_RULES",
    "RUN",
    "SOURCE",
    "SEED",
    "SECTIONS",
]

OBJECT_KINDS = ("muon", "egamma", "jet", "ht", "met")
RUN3_TRIGGER_RULES = ((1, 3), (2, 25), (3, 100), (4, 240))
SCHEME_NAMES = ("25ns_2748b", "design_2808b", "single_train", "all", "default")
SOURCE_COLUMNS = ("label", "pileup", "bad_input", "l1_inputs", "calo_cells", "calo_regions")


class _Scheme(ValueType):
    """A filling-scheme name, or the path of a file listing the filled BX (relative to the menu)."""

    def check(self, value, where, *, base_dir=None):
        if not isinstance(value, str) or not value.strip():
            msg = f"{where} = {value!r}: must be a scheme name (in quotes) or the path of a file listing filled BX"
            raise ConfigError(msg)
        if value in SCHEME_NAMES:
            return value
        p = resolve_path(value, base_dir)
        if p.is_file():
            return str(p.resolve())
        msg = (f"{where} = {value!r}: unknown filling scheme{closest(value, SCHEME_NAMES)}; use one of "
               f"{list(SCHEME_NAMES[:4])} or the path of a file listing the filled BX (no such file: {p})")
        raise ConfigError(msg)

    def describe(self):
        return '"25ns_2748b", "design_2808b", "single_train", "all" or the path of a file listing filled BX'


class _Rules(ValueType):
    """Trigger rules: a list of [count, window] pairs (at most count L1As in any window BX)."""

    def check(self, value, where, *, base_dir=None):
        fix = "write [[count, window], ...], e.g. [[1, 3], [2, 25]], or [] for none"
        if not isinstance(value, (list, tuple)):
            msg = f"{where} = {value!r}: must be a list of [count, window] pairs; {fix}"
            raise ConfigError(msg)
        out = []
        for pair in value:
            ok = isinstance(pair, (list, tuple)) and len(pair) == 2 and all(
                isinstance(x, int) and not isinstance(x, bool) for x in pair)
            if not ok:
                msg = f"{where}: {pair!r} is not a [count, window] pair of integers; {fix}"
                raise ConfigError(msg)
            c, w = pair
            if c < 1 or w < 1:
                msg = f"{where}: trigger rule [{c}, {w}] must have count >= 1 and window >= 1 BX"
                raise ConfigError(msg)
            out.append([int(c), int(w)])
        return out

    def describe(self):
        return "list of `[count, window]` integer pairs (window in BX)"


def _run_checks(run: dict[str, Any], where: str) -> None:
    if run["peer_timeout_s"] < 2 * run["heartbeat_s"]:
        msg = (f"{where}: peer_timeout_s = {run['peer_timeout_s']:g} s must be at least twice heartbeat_s = "
               f"{run['heartbeat_s']:g} s, or a peer that is alive is taken for dead")
        raise ConfigError(msg)


RUN = Section(
    "[run]",
    (
        Key("filling_scheme", _Scheme(), "which BX of the orbit hold colliding bunches; events go to them in order",
            default="25ns_2748b"),
        Key("latency_budget_ns", Float(min=0, min_exclusive=True, unit="ns", example=12500.0),
            "events whose chain latency exceeds it are lost (reason over_latency_budget); Phase-2: 12.5 us",
            default=12500.0),
        Key("l1a_budget_khz", Float(min=0, min_exclusive=True, unit="kHz", example=750.0),
            "L1 accept budget the total rate is compared with (Run 3: 100-110, Phase-2: 750)", default=750.0),
        Key("trigger_rules", _Rules(), "at most `count` L1As in any `window` consecutive BX",
            default=[list(r) for r in RUN3_TRIGGER_RULES]),
        Key("batch_orbits", Int(min=1, unit="orbits", example=4), "orbits per batch (the unit on the wire)",
            default=4),
        Key("heartbeat_s", Float(min=0, min_exclusive=True, unit="s", example=1.0),
            "distributed runs: seconds between liveness messages of each process", default=1.0),
        Key("peer_timeout_s", Float(min=0, min_exclusive=True, unit="s", example=5.0),
            "distributed runs: a process silent this long is dead (a worker's batches go to the others; "
            "a lost source or sink ends the run with an error); at least twice heartbeat_s",
            default=5.0),
        Key("reorder_buffer_batches", Int(min=0, unit="batches", example=0),
            "distributed runs: batches the sink may hold out of order before the source waits "
            "(0: 4 x workers x credits, at least 8)", default=0),
        Key("drop_input_anomalies", Bool(),
            "events with an input anomaly (negative pT or MET, eta beyond its field, |phi| > pi, a saturated "
            "code) are dropped, with a reason, instead of scored; they are counted per kind either way",
            default=False),
    ),
    doc="Run settings. Every key is optional.",
    checks=(_run_checks,),
)


def _branch_map_keys() -> tuple[str, ...]:
    from streams.root_layouts import BRANCH_MAP_KEYS

    return tuple(BRANCH_MAP_KEYS)


SOURCE = Section(
    "[source]",
    (
        Key("tree", Str(), "tree or RNTuple name", default_doc="detected"),
        Key("branch_map", Table(OneOf((Str(), StrList())), keys=_branch_map_keys()),
            "explicit branches per quantity, replacing layout detection for their group "
            "(a list of scalar branches gives one object each)"),
        Key("passthrough", StrList(), "per-event branches of the file copied into the output"),
    ),
    doc="Options of ROOT replay (ignored by the synthetic sources). Command-line options (e.g. `--tree`) win.",
    notes="`branch_map` names: " + ", ".join(f"`{k}`" for k in _branch_map_keys()) + ".",
)


def _seed_checks(s: dict[str, Any], where: str) -> None:
    is_obj, is_col = "object" in s, "column" in s
    if is_obj == is_col:
        msg = f"{where}: give either object (+ threshold_gev) or column (+ threshold or working_points)"
        raise ConfigError(msg)
    if is_obj:
        if "threshold_gev" not in s:
            msg = f"{where}: an object seed needs threshold_gev (e.g. threshold_gev = 22.0)"
            raise ConfigError(msg)
        wrong = [k for k in ("threshold", "working_points") if k in s]
        if s["object"] != "ht" and "ht_jet_min_gev" in s:
            wrong.append("ht_jet_min_gev")
    else:
        if ("threshold" in s) == ("working_points" in s):
            msg = f"{where}: a column seed needs an integer threshold or a working_points table (one of them)"
            raise ConfigError(msg)
        wrong = [k for k in ("threshold_gev", "max_abs_eta", "ht_jet_min_gev") if k in s]
    if wrong:
        kind = f"object seed ({s['object']})" if is_obj else "column seed"
        msg = f"{where}: {wrong} do not apply to a {kind}; remove them"
        raise ConfigError(msg)


class _RawInt(Int):
    def check(self, value, where, *, base_dir=None):
        if isinstance(value, float) or isinstance(value, bool):
            msg = f"{where} = {value!r}: thresholds on stage outputs are raw integers (value >= threshold)"
            raise ConfigError(msg)
        return super().check(value, where, base_dir=base_dir)


SEED = Section(
    "[[seeds]]",
    (
        Key("name", Str(), "unique seed name (working points append _<point>)", required=True),
        Key("object", Choice(OBJECT_KINDS), "object seed: the L1 object it cuts on"),
        Key("threshold_gev", Float(min=0, unit="GeV", example=22.0),
            "object seed: pT threshold (HT for ht), converted once to hardware units"),
        Key("max_abs_eta", Float(min=0, min_exclusive=True, example=2.4), "object seed: |eta| cut",
            default_doc="none"),
        Key("ht_jet_min_gev", Float(min=0, unit="GeV", example=30.0), "ht seed: jets below it are not summed",
            default_doc="30.0"),
        Key("column", Str(), "column seed: an integer stage output, `name[i]` picks element i of a vector"),
        Key("threshold", _RawInt(), "column seed: fires when the raw integer value >= threshold"),
        Key("working_points", Table(_RawInt()), "column seed: name = raw threshold; one seed per point"),
        Key("prescale", Int(min=0, example=1), "0 disables the seed; N keeps every N-th firing in BX order",
            default=1),
        Key("description", Str(nonempty=False), "free text", default=""),
    ),
    doc="One table per seed: an object seed (`object` + `threshold_gev`) or a column seed "
        "(`column` + `threshold` or `working_points`).",
    checks=(_seed_checks,),
)

SECTIONS = {"run": RUN, "source": SOURCE, "seeds": SEED}


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
    """A checked trigger menu.

    Build one with :func:`as_menu` (from a path, a TOML string, a dict or a Menu)::

        >>> from triggeremu.menu import as_menu
        >>> menu = as_menu('[[seeds]]\\nname = "SingleMu22"\\nobject = "muon"\\nthreshold_gev = 22.0\\n')
        >>> menu.seed_names
        ['SingleMu22']
        >>> as_menu(menu.to_dict()) == menu
        True
    """

    seeds: tuple[Seed, ...]
    stages: tuple[dict[str, Any], ...] = ()
    filling_scheme: str = "25ns_2748b"
    latency_budget_ns: float = 12500.0
    l1a_budget_khz: float = 750.0
    trigger_rules: tuple[tuple[int, int], ...] = RUN3_TRIGGER_RULES
    batch_orbits: int = 4
    root_options: dict[str, Any] = field(default_factory=dict)  # [source]: tree, branch_map, passthrough
    source: str = field(default="<built-in>", compare=False)
    base_dir: Path = field(default_factory=Path.cwd, compare=False)
    # the stream: heartbeat period and peer timeout (s), reorder-buffer bound (0: automatic),
    # and whether events with an input anomaly are dropped
    heartbeat_s: float = 1.0
    peer_timeout_s: float = 5.0
    reorder_buffer_batches: int = 0
    drop_input_anomalies: bool = False

    @property
    def seed_names(self) -> list[str]:
        return [s.name for s in self.seeds]

    def to_dict(self) -> dict[str, Any]:
        """The menu as plain TOML-like data (``run``, ``source``, ``stages``, ``seeds``; paths absolute,
        working points expanded): ``as_menu(menu.to_dict()) == menu``, on this machine, without the file."""
        run = {"filling_scheme": self.filling_scheme, "latency_budget_ns": float(self.latency_budget_ns),
               "l1a_budget_khz": float(self.l1a_budget_khz), "trigger_rules": [list(r) for r in self.trigger_rules],
               "batch_orbits": int(self.batch_orbits), "heartbeat_s": float(self.heartbeat_s),
               "peer_timeout_s": float(self.peer_timeout_s),
               "reorder_buffer_batches": int(self.reorder_buffer_batches),
               "drop_input_anomalies": bool(self.drop_input_anomalies)}
        if run["filling_scheme"] not in SCHEME_NAMES:  # a file: absolute, so it is found from anywhere
            run["filling_scheme"] = str(resolve_path(run["filling_scheme"], self.base_dir).resolve())
        return copy.deepcopy({"run": run, "source": dict(self.root_options), "stages": [dict(st) for st in self.stages],
                              "seeds": [_seed_dict(s) for s in self.seeds]})


def default_menu_path() -> Path:
    """The bundled default menu (classic seeds and the bundled anomaly-detection encoder)."""
    return Path(str(resources.files("triggeremu") / "data" / "default_menu.toml"))


def calo_menu_path() -> Path:
    """The bundled calorimeter menu (ECON-T and ACAM on calo_cells; used for ``--calo`` without ``--menu``)."""
    return Path(str(resources.files("triggeremu") / "data" / "calo_menu.toml"))


def load_menu(path: str | os.PathLike | None = None) -> Menu:
    """Read and check a menu TOML file (the bundled default when ``path`` is None)."""
    path = Path(path) if path is not None else default_menu_path()
    try:
        text = path.read_text()
    except FileNotFoundError:
        msg = f"menu file {str(path)!r} does not exist; omit --menu to use the bundled default"
        raise ConfigError(msg) from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as err:
        msg = f"menu file {str(path)!r} cannot be read as text ({err.__class__.__name__}); give a TOML file"
        raise ConfigError(msg) from None
    return _parse_text(text, source=str(path), base_dir=path.resolve().parent)


def _parse_text(text: str, *, source: str, base_dir: Path) -> Menu:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        msg = f"menu {source} is not valid TOML: {err}"
        raise ConfigError(msg) from None
    return parse_menu(raw, source=source, base_dir=base_dir)


def as_menu(menu: Menu | Mapping[str, Any] | str | os.PathLike | None = None, *,
            base_dir: str | os.PathLike | None = None) -> Menu:
    """A :class:`Menu` from a Menu, a dict (TOML-like), a TOML string or a path (None: the bundled default).

    A string holding a newline or ``=`` is TOML text; any other string is a path.
    Relative paths inside a dict or a string are taken from ``base_dir`` (default:
    the working directory)."""
    if menu is None or isinstance(menu, os.PathLike):
        return load_menu(menu)
    if isinstance(menu, Menu):
        return menu
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    if isinstance(menu, Mapping):
        return parse_menu(dict(menu), source="<dict>", base_dir=base)
    if isinstance(menu, str):
        if "\n" in menu or "=" in menu:
            return _parse_text(menu, source="<string>", base_dir=base)
        return load_menu(menu)
    msg = f"a menu is a path, a TOML string, a dict or a Menu; got {type(menu).__name__}"
    raise ConfigError(msg)


def parse_menu(raw: Mapping[str, Any], *, source: str = "<dict>", base_dir: Path | None = None) -> Menu:
    """Check a parsed menu against the declared sections and stage kinds; a :class:`Menu`."""
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    top = ("run", "source", "stages", "seeds")
    unknown_top = [k for k in raw if k not in top]
    if unknown_top:
        msg = (f"{source}: unknown section(s) {sorted(unknown_top)}{closest(unknown_top[0], top)}; "
               "a menu has [run], [source], [[stages]] and [[seeds]]")
        raise ConfigError(msg)
    run = RUN.validate(raw.get("run", {}), where=f"{source} [run]", base_dir=base)
    root_options = SOURCE.validate(raw.get("source", {}), where=f"{source} [source]", base_dir=base)
    stages = _parse_stages(raw.get("stages", []), source, base)
    seeds_raw = raw.get("seeds", [])
    if not isinstance(seeds_raw, list):
        msg = f"{source}: seeds must be [[seeds]] tables (an array of tables)"
        raise ConfigError(msg)
    checked_seeds = [SEED.validate(s, where=f"{source} seed {_label(s, i)}", base_dir=base)
                     for i, s in enumerate(seeds_raw)]
    seeds: list[Seed] = []
    for s in checked_seeds:
        seeds.extend(_expand_seed(s))
    if not seeds:
        msg = f"{source}: the menu has no [[seeds]]; add at least one seed"
        raise ConfigError(msg)
    names = [s.name for s in seeds]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        msg = f"{source}: seed name(s) {dup} used more than once; seed names must be unique"
        raise ConfigError(msg)
    _check_columns(seeds, stages, root_options, source)
    return Menu(
        seeds=tuple(seeds),
        stages=tuple(stages),
        filling_scheme=run["filling_scheme"],
        latency_budget_ns=run["latency_budget_ns"],
        l1a_budget_khz=run["l1a_budget_khz"],
        trigger_rules=tuple((c, w) for c, w in run["trigger_rules"]),
        batch_orbits=run["batch_orbits"],
        root_options=root_options,
        source=source,
        base_dir=base,
        heartbeat_s=run["heartbeat_s"],
        peer_timeout_s=run["peer_timeout_s"],
        reorder_buffer_batches=run["reorder_buffer_batches"],
        drop_input_anomalies=run["drop_input_anomalies"],
    )


def _seed_dict(s: Seed) -> dict[str, Any]:
    d: dict[str, Any] = {"name": s.name, "prescale": s.prescale, "description": s.description}
    if s.object is not None:
        d.update(object=s.object, threshold_gev=float(s.threshold_gev))
        if s.max_abs_eta is not None:
            d["max_abs_eta"] = float(s.max_abs_eta)
        if s.object == "ht":
            d["ht_jet_min_gev"] = float(s.ht_jet_min_gev)
    else:
        d.update(column=s.column, threshold=int(s.threshold))
    return d


def _label(table: Any, i: int) -> str:
    name = table.get("name") if isinstance(table, Mapping) else None
    return repr(name) if isinstance(name, str) else f"#{i + 1}"


def _parse_stages(raw: Any, source: str, base: Path) -> list[dict[str, Any]]:
    from triggeremu.stages import validate_stage

    if not isinstance(raw, list):
        msg = f"{source}: stages must be [[stages]] tables (an array of tables)"
        raise ConfigError(msg)
    stages = [validate_stage(st, where=f"{source} [[stages]] {_label(st, i)}", base_dir=base)
              for i, st in enumerate(raw)]
    snames = [st["name"] for st in stages]
    if len(set(snames)) != len(snames):
        msg = f"{source}: stage names {snames} are not unique; give each [[stages]] a distinct name"
        raise ConfigError(msg)
    return stages


def _expand_seed(s: dict[str, Any]) -> list[Seed]:
    common = {"prescale": s["prescale"], "description": s["description"]}
    if "object" in s:
        return [Seed(name=s["name"], object=s["object"], threshold_gev=s["threshold_gev"],
                     max_abs_eta=s.get("max_abs_eta"), ht_jet_min_gev=s.get("ht_jet_min_gev", 30.0), **common)]
    if "working_points" in s:
        return [Seed(name=f"{s['name']}_{wp}", column=s["column"], threshold=t, **common)
                for wp, t in s["working_points"].items()]
    return [Seed(name=s["name"], column=s["column"], threshold=s["threshold"], **common)]


def _check_columns(seeds: list[Seed], stages: list[dict[str, Any]], root_options: dict[str, Any],
                   source: str) -> None:
    """Column seeds read a column some stage (or the source) writes: caught before the run."""
    from triggeremu.stages import stage_outputs

    known: dict[str, str] = {c: "the source" for c in (*SOURCE_COLUMNS, *root_options.get("passthrough", ()))}
    for st in stages:
        for c in stage_outputs(st):
            known[c] = f"stage {st['name']!r}"
    for seed in seeds:
        if seed.column is None:
            continue
        name, _, idx = seed.column.partition("[")
        if idx and (not idx.endswith("]") or not idx[:-1].isdigit()):
            msg = f"{source} seed {seed.name!r}: column {seed.column!r} must index a vector with an integer, e.g. {name}[0]"
            raise ConfigError(msg)
        if name not in known:
            stage_cols = sorted(c for c, w in known.items() if w != "the source")
            msg = (f"{source} seed {seed.name!r}: column {name!r} is written by no stage{closest(name, list(known))}; "
                   f"the stages write {stage_cols}: add the stage to [[stages]] or fix the column name")
            raise ConfigError(msg)
