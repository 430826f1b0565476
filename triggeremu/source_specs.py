"""Typed event sources for :func:`triggeremu.replay`: ``root``, ``synthetic`` and ``calo``.

Each constructor checks its arguments at once (a missing file, a negative count or
an unknown filling scheme is a :class:`~triggeremu.errors.ConfigError` before any
run) and returns a :class:`SourceSpec`: picklable data naming the source and its
options, the same for a run in this process or on worker processes.
:meth:`SourceSpec.to_dict` gives the plain spec dict that
:func:`triggeremu.sources.open_source` and :func:`triggeremu.pipeline.run` take;
:func:`as_source` accepts a SourceSpec, such a dict, or file path(s).

The options of each kind are declared once, as :class:`~triggeremu.schema.Section` s
(:data:`SOURCE_KINDS`), and the CLI builds its sources through the same functions.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from triggeremu.errors import ConfigError
from triggeremu.schema import Bool, Float, Int, Key, Section, Str, StrList, closest

__all__ = ["SourceSpec", "root", "synthetic", "calo", "as_source", "with_generated_columns", "SOURCE_KINDS"]


def _scheme_key() -> Key:
    from triggeremu.menu import _Scheme

    return Key("scheme", _Scheme(), "filling scheme (overrides the menu's [run] filling_scheme)",
               default_doc="the menu's")


def _branch_map_key() -> Key:
    from triggeremu.menu import SOURCE

    return SOURCE.key("branch_map")


_BATCH = Key("batch_events", Int(min=1, unit="events"), "events per batch", default_doc="the menu's batch_orbits")
_GENERATED = (
    Key("n_events", Int(min=1, unit="events", example=100_000), "how many events", required=True),
    Key("seed", Int(min=0, example=0), "random seed (the same seed gives the same events)", default=0),
    Key("signal_fraction", Float(min=0, max=1, example=1e-3),
        "fraction of signal-like events (truth in the label column)", default=0.0),
    Key("pileup_mean", Float(min=0, example=60.0), "Poisson pileup mean per BX", default_doc="no pileup"),
    _BATCH,
)


_REGIONS = Key("regions", Bool(), "also make the 252 `calo_regions` region ETs (CICADA's input, streams.regions); "
               "set by itself when a stage reads them (e.g. a CICADA folder)", default_doc="false")


def _kind_key(kind: str) -> Key:
    return Key("kind", Str(), f'"{kind}"', required=True)


#: the declared options of each source kind
SOURCE_KINDS: dict[str, Section] = {
    "synthetic": Section("synthetic", (_kind_key("synthetic"), *_GENERATED, _REGIONS, _scheme_key()),
                         doc="Background-like L1 events (the 57 hardware-unit inputs)."),
    "calo": Section("calo", (_kind_key("calo"), *_GENERATED, _REGIONS, _scheme_key()),
                    doc="Synthetic calorimeter showers (48 calo_cells; l1_inputs are zero)."),
    "root": Section("root", (
        _kind_key("root"),
        Key("paths", StrList(), "ROOT files (local paths or URLs uproot can open)", required=True),
        Key("tree", Str(), "tree or RNTuple name", default_doc="detected"),
        Key("entry_stop", Int(min=1, unit="events", example=100_000), "stop after this many events",
            default_doc="every event"),
        _branch_map_key(),
        Key("passthrough", StrList(), "per-event branches copied into the output"),
        _BATCH,
        Key("chunk_events", Int(min=1, unit="events"), "events read from the file at a time", default_doc="100000"),
        _scheme_key(),
    ), doc="Events of ROOT files (NanoAOD, Px/Py/Pz/E, Delphes; TTree or RNTuple)."),
}


@dataclass(frozen=True)
class SourceSpec:
    """A checked description of an event source (build it with :func:`root`, :func:`synthetic`, :func:`calo`)."""

    kind: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The plain spec dict (``{"kind": ..., **options}``) the pipeline takes."""
        return {"kind": self.kind, **dict(self.options)}

    @property
    def n_events(self) -> int | None:
        """Events a generated source makes (None for files: known once they are opened)."""
        return self.options.get("n_events")

    def __repr__(self) -> str:
        return f"SourceSpec(kind={self.kind!r}, options={dict(self.options)!r})"


def _check(spec: dict[str, Any]) -> SourceSpec:
    kind = spec.get("kind")
    if kind not in SOURCE_KINDS:
        near = closest(kind, list(SOURCE_KINDS)) if isinstance(kind, str) else ""
        msg = f"unknown source kind {kind!r}{near}; use one of {list(SOURCE_KINDS)}"
        raise ConfigError(msg)
    checked = SOURCE_KINDS[kind].validate(spec, where=f"source {kind}")
    if kind == "root":
        checked["paths"] = [_input_path(p) for p in checked["paths"]]
        if not checked["paths"]:
            msg = "source root: give at least one ROOT file"
            raise ConfigError(msg)
    checked.pop("kind")
    return SourceSpec(kind, checked)


def _input_path(p: str) -> str:
    if "://" in p:  # a URL (root://, https://): uproot opens it, nothing to check here
        return p
    path = os.path.abspath(os.path.expanduser(p))
    if not os.path.exists(path):
        msg = f"input file {p!r} does not exist ({path}); give the path of a ROOT file"
        raise ConfigError(msg)
    if os.path.isdir(path):
        msg = f"input {p!r} is a directory; give the ROOT files in it (e.g. {os.path.join(p, '*.root')})"
        raise ConfigError(msg)
    return path


def _opts(**kw: Any) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


def root(paths: str | os.PathLike | Sequence[str | os.PathLike], *, tree: str | None = None,
         max_events: int | None = None, branch_map: Mapping[str, Any] | None = None,
         passthrough: Sequence[str] | None = None, scheme: str | None = None) -> SourceSpec:
    """Events of one or more ROOT files, read in chunks (TTree or RNTuple).

    >>> import triggeremu
    >>> from skhep_testdata import data_path
    >>> src = triggeremu.sources.root(data_path("uproot-HZZ.root"), max_events=500)
    >>> src.kind, src.options["entry_stop"]
    ('root', 500)

    ``tree`` is detected when not given; ``branch_map`` (quantity = branch) and
    ``passthrough`` (branches copied into the output) are those of the menu's
    ``[source]`` (see ``docs/menu-reference.md``); given here they win.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    spec = _opts(kind="root", paths=[os.fspath(p) for p in paths], tree=tree, entry_stop=max_events,
                 branch_map=None if branch_map is None else dict(branch_map),
                 passthrough=None if passthrough is None else list(passthrough), scheme=scheme)
    return _check(spec)


def synthetic(n: int, *, seed: int = 0, signal_fraction: float = 0.0, pileup: float | None = None,
              scheme: str | None = None, regions: bool | None = None) -> SourceSpec:
    """``n`` synthetic background-like L1 events (signal-like ones with ``signal_fraction``; the 252
    ``calo_regions`` ETs too with ``regions=True``).

    >>> import triggeremu
    >>> triggeremu.sources.synthetic(10_000, seed=1).n_events
    10000
    """
    return _check(_opts(kind="synthetic", n_events=n, seed=seed, signal_fraction=signal_fraction,
                        pileup_mean=pileup, scheme=scheme, regions=regions))


def calo(n: int, *, seed: int = 0, signal_fraction: float = 0.0, pileup: float | None = None,
         scheme: str | None = None, regions: bool | None = None) -> SourceSpec:
    """``n`` synthetic calorimeter-shower events: 48 ``calo_cells`` per event for the ECON-T and
    ACAM stages (the ``l1_inputs`` are zero, so object seeds never fire: use a calo menu); the 252
    ``calo_regions`` too with ``regions=True`` (the shower in one region, for CICADA).

    >>> import triggeremu
    >>> triggeremu.sources.calo(2_000).kind
    'calo'
    """
    return _check(_opts(kind="calo", n_events=n, seed=seed, signal_fraction=signal_fraction, pileup_mean=pileup,
                        scheme=scheme, regions=regions))


def as_source(source: SourceSpec | Mapping[str, Any] | str | os.PathLike | Sequence[str | os.PathLike]
              ) -> SourceSpec:
    """A :class:`SourceSpec` from a SourceSpec, a spec dict (``{"kind": "synthetic", "n_events": ...}``)
    or ROOT file path(s)."""
    if isinstance(source, SourceSpec):
        return source
    if isinstance(source, Mapping):
        return _check(dict(source))
    if isinstance(source, (str, os.PathLike)) or (
            isinstance(source, Sequence) and source and all(isinstance(p, (str, os.PathLike)) for p in source)):
        return root(source)
    msg = (f"a source is triggeremu.sources.root(...), .synthetic(n) or .calo(n), a spec dict or ROOT file "
           f"path(s); got {type(source).__name__}")
    raise ConfigError(msg)


#: columns a generated source makes only on request: column -> the option that asks for it
_ON_REQUEST = {"calo_regions": "regions"}


def with_generated_columns(spec: dict[str, Any], needed: Iterable[str]) -> dict[str, Any]:
    """``spec`` with the options that make a synthetic or calo source produce the on-request columns in
    ``needed`` (the columns the menu's stages read, e.g. ``calo_regions`` for CICADA); other specs as given."""
    if spec.get("kind") not in ("synthetic", "calo"):
        return spec
    extra = {opt: True for col, opt in _ON_REQUEST.items() if col in set(needed) and not spec.get(opt)}
    return {**spec, **extra} if extra else spec
