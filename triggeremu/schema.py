"""Declared configuration schemas: typed keys with units, ranges, defaults and documentation.

A :class:`Section` lists the :class:`Key` s one TOML table may hold (a menu section
such as ``[run]``, or the ``[[stages]]`` table of one stage kind, declared in that
stage's module). :meth:`Section.validate` checks a table against it before anything
runs and returns the normalised table:

- unknown keys are refused with the closest known spelling;
- required keys must be there; keys with a default are filled in;
- a number written as a string (``"12.5us"``, ``"22"``) is refused, never coerced;
- numbers must be finite and inside their range, choices one of the listed values;
- paths are resolved against the menu's directory (``base_dir``) and must exist.

Every problem is a :class:`~triggeremu.errors.ConfigError` naming where it is
(``menu.toml [run] latency_budget_ns``), what was found and the fix. The value
types also check command-line flags (:func:`arg_type`), so a flag and the menu key
it mirrors take the same values. :func:`reference_markdown` renders the sections
as the menu-key reference (``triggeremu menu --reference``, ``docs/menu-reference.md``).

Shared key groups are defined once here: :data:`STAGE_KEYS` (``kind``, ``name``),
:data:`CLOCK_KEYS` (``clock_mhz``, ``latency_cycles``, ``ii_cycles``) and
:data:`FIFO_KEYS` (``fifo_depth``, ``overflow``).
"""

from __future__ import annotations

import argparse
import difflib
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from triggeremu.errors import ConfigError

__all__ = [
    "Key",
    "Section",
    "ValueType",
    "Int",
    "Float",
    "Bool",
    "Str",
    "Choice",
    "PathValue",
    "StrList",
    "Table",
    "OneOf",
    "STAGE_KEYS",
    "CLOCK_KEYS",
    "FIFO_KEYS",
    "resolve_path",
    "closest",
    "arg_type",
    "reference_markdown",
]

_MISSING = object()


def closest(name: str, known: Sequence[str]) -> str:
    """' (did you mean X?)' for the closest known spelling, or ''."""
    near = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean {near[0]!r}?)" if near else ""


def resolve_path(value: str | os.PathLike, base_dir: Path | None) -> Path:
    """A path from a menu: ``~`` expanded, relative paths taken from the menu's directory."""
    p = Path(os.fspath(value)).expanduser()
    if p.is_absolute() or base_dir is None:
        return p if p.is_absolute() else Path.cwd() / p
    return Path(base_dir) / p


# ------------------------------------------------------------------ value types
class ValueType:
    """A kind of value: ``check`` returns the normalised value or raises ConfigError."""

    def check(self, value: Any, where: str, *, base_dir: Path | None = None) -> Any:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


def _bad(where: str, value: Any, problem: str, fix: str = "") -> ConfigError:
    return ConfigError(f"{where} = {value!r}: {problem}" + (f"; {fix}" if fix else ""))


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _string_for_number(where: str, value: str, kind: str, unit: str, example: Any) -> ConfigError:
    key = where.rsplit(" ", 1)[-1]
    if _looks_numeric(value):
        fix = f"write {key} = {value.strip()} without quotes"
    else:
        ex = f" (e.g. {key} = {example!r})" if example is not None else ""
        fix = f"write the number{f' of {unit}' if unit else ''} without quotes or units{ex}"
    return _bad(where, value, f"must be {kind}, not a string", fix)


@dataclass(frozen=True)
class Int(ValueType):
    min: int | None = None
    max: int | None = None
    unit: str = ""
    example: int | None = None

    def check(self, value, where, *, base_dir=None):
        if isinstance(value, str):
            raise _string_for_number(where, value, "an integer", self.unit, self.example)
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                raise _bad(where, value, "must be an integer", f"write {int(value)} without the decimal point")
            raise _bad(where, value, f"must be an integer{_range(self.min, self.max, self.unit)}")
        _in_range(value, where, self.min, self.max, self.unit, self.example)
        return int(value)

    def describe(self):
        return f"integer{_range(self.min, self.max, self.unit)}"


@dataclass(frozen=True)
class Float(ValueType):
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    unit: str = ""
    example: float | None = None

    def check(self, value, where, *, base_dir=None):
        if isinstance(value, str):
            raise _string_for_number(where, value, "a number", self.unit, self.example)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _bad(where, value, f"must be a number{_range(self.min, self.max, self.unit, self.min_exclusive)}")
        v = float(value)
        if not math.isfinite(v):
            raise _bad(where, value, "must be a finite number")
        if self.min_exclusive and self.min is not None and v <= self.min:
            raise _bad(where, value, f"must be > {_g(self.min)}{_u(self.unit)}", _example(where, self.example))
        _in_range(v, where, None if self.min_exclusive else self.min, self.max, self.unit, self.example)
        return v

    def describe(self):
        return f"number{_range(self.min, self.max, self.unit, self.min_exclusive)}"


def _u(unit: str) -> str:
    return f" {unit}" if unit else ""


def _g(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else f"{v:g}"


def _range(lo, hi, unit, lo_exclusive=False) -> str:
    op = ">" if lo_exclusive else ">="
    if lo is not None and hi is not None:
        return f" in [{_g(lo)}, {_g(hi)}]{_u(unit)}" if not lo_exclusive else f" in ({_g(lo)}, {_g(hi)}]{_u(unit)}"
    if lo is not None:
        return f" {op} {_g(lo)}{_u(unit)}"
    if hi is not None:
        return f" <= {_g(hi)}{_u(unit)}"
    return f" ({unit})" if unit else ""


def _example(where: str, example: Any) -> str:
    if example is None:
        return ""
    key = where.rsplit(" ", 1)[-1]
    return f"e.g. {key} {example!r}" if key.startswith("--") else f"e.g. {key} = {example!r}"


def _in_range(v, where, lo, hi, unit, example=None) -> None:
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise _bad(where, v, f"must be{_range(lo, hi, unit)}", _example(where, example))


@dataclass(frozen=True)
class Bool(ValueType):
    def check(self, value, where, *, base_dir=None):
        if not isinstance(value, bool):
            hint = f"write {str(value).lower()} without quotes" if str(value).lower() in ("true", "false") else \
                "write true or false"
            raise _bad(where, value, "must be true or false", hint)
        return value

    def describe(self):
        return "true or false"


@dataclass(frozen=True)
class Str(ValueType):
    nonempty: bool = True

    def check(self, value, where, *, base_dir=None):
        if not isinstance(value, str):
            raise _bad(where, value, "must be a string (in quotes)")
        if self.nonempty and not value.strip():
            raise _bad(where, value, "must not be empty")
        return value

    def describe(self):
        return "string"


@dataclass(frozen=True)
class Choice(ValueType):
    choices: tuple[Any, ...]
    aliases: Mapping[Any, Any] = field(default_factory=dict)

    def check(self, value, where, *, base_dir=None):
        if value in self.choices:
            return value
        if value in self.aliases:
            return self.aliases[value]
        shown = ", ".join(repr(c) for c in self.choices)
        near = closest(value, [str(c) for c in self.choices]) if isinstance(value, str) else ""
        raise _bad(where, value, f"is not one of {shown}{near}")

    def describe(self):
        return "one of " + ", ".join(_toml(c) for c in self.choices)


@dataclass(frozen=True)
class PathValue(ValueType):
    """A file or directory path, relative to the menu's directory; must exist (and a file must not be empty)."""

    kind: str = "file"  # "file" | "dir" | "file_or_dir"
    suffixes: tuple[str, ...] = ()

    def check(self, value, where, *, base_dir=None):
        if not isinstance(value, (str, os.PathLike)) or not str(value).strip():
            raise _bad(where, value, "must be a path (a string)")
        p = resolve_path(value, base_dir)
        what = {"file": "a file", "dir": "a directory", "file_or_dir": "a file or directory"}[self.kind]
        rel = f" (relative paths start at {base_dir})" if base_dir is not None and not Path(str(value)).is_absolute() \
            else ""
        if not p.exists():
            raise _bad(where, str(value), f"{p} does not exist{rel}", f"give the path of {what}")
        if self.kind == "file" and not p.is_file():
            raise _bad(where, str(value), f"{p} is not a file", f"give the path of {what}")
        if self.kind == "dir" and not p.is_dir():
            raise _bad(where, str(value), f"{p} is not a directory", f"give the path of {what}")
        if p.is_file() and p.stat().st_size == 0:
            raise _bad(where, str(value), f"{p} is empty (0 bytes)", "give a complete file (was it truncated?)")
        if p.is_file() and self.suffixes and p.suffix.lower() not in self.suffixes:
            raise _bad(where, str(value), f"{p.name} is not a {' or '.join(self.suffixes)} file")
        return str(p.resolve())

    def describe(self):
        what = {"file": "file", "dir": "directory", "file_or_dir": "file or directory"}[self.kind]
        suf = f" ({', '.join(self.suffixes)})" if self.suffixes else ""
        return f"path of a {what}{suf}, relative to the menu"


@dataclass(frozen=True)
class StrList(ValueType):
    def check(self, value, where, *, base_dir=None):
        if isinstance(value, str):
            raise _bad(where, value, "must be a list of strings", f'write [{value!r}]'.replace("'", '"'))
        if not isinstance(value, (list, tuple)) or not all(isinstance(x, str) and x for x in value):
            raise _bad(where, value, "must be a list of non-empty strings")
        return list(value)

    def describe(self):
        return "list of strings"


@dataclass(frozen=True)
class Table(ValueType):
    """A table ``name = value``; ``keys`` restricts the names, ``value`` checks each value."""

    value: ValueType
    keys: tuple[str, ...] = ()
    nonempty: bool = True

    def check(self, value, where, *, base_dir=None):
        if not isinstance(value, Mapping):
            raise _bad(where, value, f"must be a table of name = {self.value.describe()}")
        if self.nonempty and not value:
            raise _bad(where, value, "must not be empty")
        out = {}
        for k, v in value.items():
            if self.keys and k not in self.keys:
                msg = f"{where}: unknown name {k!r}{closest(k, self.keys)}; known names are {list(self.keys)}"
                raise ConfigError(msg)
            out[str(k)] = self.value.check(v, f"{where}.{k}", base_dir=base_dir)
        return out

    def describe(self):
        names = " (names: see below)" if self.keys else ""
        return f"table of name = {self.value.describe()}{names}"


@dataclass(frozen=True)
class OneOf(ValueType):
    """The first of several types that accepts the value (e.g. a name or a number)."""

    types: tuple[ValueType, ...]

    def check(self, value, where, *, base_dir=None):
        for t in self.types:
            try:
                return t.check(value, where, base_dir=base_dir)
            except ConfigError:
                continue
        names = [str(c) for t in self.types if isinstance(t, Choice) for c in t.choices]
        near = closest(value, names) if isinstance(value, str) else ""
        msg = f"{where} = {value!r}: is not {' or '.join(t.describe() for t in self.types)}{near}"
        raise ConfigError(msg)

    def describe(self):
        return " or ".join(t.describe() for t in self.types)


# ------------------------------------------------------------------ keys and sections
@dataclass(frozen=True)
class Key:
    """One key of a section: its value type, documentation, default and unit."""

    name: str
    type: ValueType
    doc: str
    default: Any = None  # None: absent unless given (``default_doc`` says what that means)
    required: bool = False
    default_doc: str | None = None

    def with_(self, **changes: Any) -> Key:
        return replace(self, **changes)

    def default_text(self) -> str:
        if self.required:
            return "required"
        if self.default_doc is not None:
            return self.default_doc
        if self.default is None:
            return "-"
        return _toml(self.default)


def _toml(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    return repr(v)


@dataclass(frozen=True)
class Section:
    """The keys one TOML table may hold, with optional cross-key ``checks(table, where)``."""

    title: str
    keys: tuple[Key, ...]
    doc: str = ""
    checks: tuple[Callable[[dict[str, Any], str], None], ...] = ()
    fill_defaults: bool = True
    notes: str = ""

    def __post_init__(self) -> None:
        names = [k.name for k in self.keys]
        if len(set(names)) != len(names):
            msg = f"schema {self.title}: duplicate keys {sorted({n for n in names if names.count(n) > 1})}"
            raise ValueError(msg)

    @property
    def names(self) -> list[str]:
        return [k.name for k in self.keys]

    def key(self, name: str) -> Key:
        for k in self.keys:
            if k.name == name:
                return k
        raise KeyError(name)

    def validate(self, table: Any, *, where: str, base_dir: Path | None = None) -> dict[str, Any]:
        """The checked, normalised table (defaults filled); ConfigError on the first problem."""
        if not isinstance(table, Mapping):
            msg = f"{where} must be a table (key = value lines), got {type(table).__name__} {table!r}"
            raise ConfigError(msg)
        names = self.names
        unknown = [k for k in table if k not in names]
        if unknown:
            k = unknown[0]
            msg = f"{where}: unknown key {k!r}{closest(str(k), names)}; known keys are {names}"
            raise ConfigError(msg)
        out: dict[str, Any] = {}
        for key in self.keys:
            if key.name in table:
                out[key.name] = key.type.check(table[key.name], f"{where} {key.name}", base_dir=base_dir)
            elif key.required:
                msg = f"{where}: {key.name} is required ({key.doc})"
                raise ConfigError(msg)
            elif self.fill_defaults and key.default is not None:
                out[key.name] = key.default
        for check in self.checks:
            check(out, where)
        return out

    def extended(self, title: str, keys: Sequence[Key], *, doc: str = "", **kw: Any) -> Section:
        return Section(title, (*self.keys, *keys), doc=doc or self.doc, **kw)


def arg_type(vtype: ValueType, flag: str) -> Callable[[str], Any]:
    """An argparse ``type=`` from a value type: the flag takes what the menu key takes."""

    def parse(text: str) -> Any:
        value: Any = text
        if isinstance(vtype, Int):
            try:
                value = int(text)
            except ValueError:
                raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        elif isinstance(vtype, Float):
            try:
                value = float(text)
            except ValueError:
                raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        try:
            return vtype.check(value, flag)
        except ConfigError as err:
            raise argparse.ArgumentTypeError(str(err).split(": ", 1)[-1]) from None

    parse.__name__ = vtype.describe()
    return parse


# ------------------------------------------------------------------ shared key groups
STAGE_KEYS = (
    Key("kind", Str(), "which block this stage runs", required=True),
    Key("name", Str(), "unique stage name; prefixes the stage's output columns", default_doc="the kind"),
)

CLOCK_KEYS = (
    Key("clock_mhz", Float(min=0, min_exclusive=True, unit="MHz", example=200.0), "the block's clock"),
    Key("latency_cycles", Int(min=0, unit="cycles", example=2),
        "latency in clock cycles (explicit timing; overrides the estimator)"),
    Key("ii_cycles", Int(min=1, unit="cycles", example=1),
        "initiation interval: cycles between two accepted events", default_doc="1 with latency_cycles"),
)

FIFO_KEYS = (
    Key("fifo_depth", Int(min=0, unit="events", example=16), "depth of the block's input FIFO", default=16),
    Key("overflow", Choice(("drop", "backpressure")),
        "a full FIFO drops the event, or holds the upstream block (the first block always drops)",
        default="drop"),
)


# ------------------------------------------------------------------ the reference
def reference_markdown(parts: Sequence[tuple[Section, str]], *, intro: str = "") -> str:
    """Markdown tables of ``(section, heading level marks)`` pairs: key, type, default, meaning."""
    lines = [intro.rstrip(), ""] if intro else []
    for section, level in parts:
        lines += [f"{level} {section.title}", ""]
        if section.doc:
            lines += [section.doc.strip(), ""]
        lines += ["| key | value | default | meaning |", "|---|---|---|---|"]
        for k in section.keys:
            doc = k.doc.replace("|", "\\|")
            lines.append(f"| `{k.name}` | {k.type.describe()} | {k.default_text()} | {doc} |")
        if section.notes:
            lines += ["", section.notes.strip()]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
