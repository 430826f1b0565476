"""A small reader for the C++ that CMSSW's hls4mlEmulator wrapper folders are written in.

:mod:`firmware_models.nn.cmssw_wrapper` recognises a wrapper (the class CMSSW loads
through ``hls4mlEmulator::Model``) from its source text; this module gives it the
few C++ constructs those files use, read exactly and nothing more:

- :func:`strip_comments` -- ``//`` and ``/* */`` comments removed (string and
  character literals kept, newlines kept so positions still map to lines);
- :func:`read_headers` -- the ``#include "..."`` closure of a file inside its folder
  (library headers such as ``ap_fixed.h``, ``emulator.h`` and ``nnet_utils/`` are not
  followed), as one :class:`Declarations`: ``typedef T name;`` / ``using name = T;``,
  integer constants (``#define N 57``, ``static const int N = 57;``, ``constexpr``),
  and initialised arrays (``[static] [const] T name[N] = { ... };``);
- :func:`parse_number` -- a C++ numeric literal (``21.``, ``-0.0``, ``15.5``, ``4``,
  ``1e-3``, ``0x1f``, suffixes ``f u l``) as an exact :class:`~fractions.Fraction`
  (the value the compiler's double holds: decimal literals go through ``float``);
- :func:`eval_int` -- a size expression (``N_INPUT_1_1*N_INPUT_2_1``, ``10*13``, ``57``);
- :func:`find_class` / :func:`method_body` / :func:`statements` -- the class deriving
  from a base, a method's brace-matched body, and its statements with whitespace
  collapsed (``for`` loops flattened to their body statements, each tagged with the
  loop bound), which the wrapper recogniser matches against its patterns.

Anything outside this subset is not interpreted: the recogniser refuses what it does
not find, naming the statement it saw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from firmware_models.errors import ModelFormatError

__all__ = ["Declarations", "CppArray", "Statement", "strip_comments", "read_headers", "parse_number", "eval_int",
           "find_class", "method_body", "statements", "split_top_level", "read_text", "matching_brace"]

_IDENT = r"[A-Za-z_]\w*"
_QUALIFIED = rf"(?:{_IDENT}::)*{_IDENT}"
_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*"([^"]+)"', re.M)
_DEFINE = re.compile(rf"^[ \t]*#[ \t]*define[ \t]+({_IDENT})[ \t]+([^\n]+?)[ \t]*$", re.M)
_TYPEDEF = re.compile(r"\btypedef\s+([^;{}]+?)\s+(" + _IDENT + r")\s*;")
_USING = re.compile(r"\busing\s+(" + _IDENT + r")\s*=\s*([^;{}]+?)\s*;")
_CONST_INT = re.compile(r"\b(?:static\s+)?(?:const|constexpr)\s+(?:static\s+)?(?:unsigned\s+|signed\s+)?"
                        r"(?:int|long|short|size_t|unsigned)\s+(" + _IDENT + r")\s*=\s*([^;{}]+?)\s*;")
_ARRAY = re.compile(r"(?:\b(?:static|const|constexpr)\s+)*(" + _QUALIFIED + r"(?:\s*<[^;{}=]*>)?)\s+(" + _IDENT
                    + r")\s*\[\s*([^\]]*)\]\s*=\s*\{")
_NUMBER = re.compile(r"^([+-]?)\s*(0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[fFuUlL]*$")
#: headers of libraries, never part of a wrapper's own declarations
_LIBRARY = ("ap_fixed.h", "ap_int.h", "hls_stream.h", "emulator.h", "hls_math.h")


@dataclass(frozen=True)
class CppArray:
    """An initialised array: element type text, size text and the initializer tokens."""

    type: str
    size: str
    values: tuple[str, ...]
    where: str


@dataclass
class Declarations:
    """Typedefs, integer constants and initialised arrays read from a set of files."""

    typedefs: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    arrays: dict[str, CppArray] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    #: names declared twice with different values (refused only when used)
    conflicts: dict[str, list[str]] = field(default_factory=dict)

    def _put(self, table: dict, name: str, value, where: str) -> None:
        old = table.get(name)
        if old is not None and old != value:
            self.conflicts.setdefault(name, [str(old)]).append(f"{value} ({where})")
        table.setdefault(name, value)

    def add_text(self, text: str, where: str) -> None:
        """Read the declarations of one file's comment-free text."""
        for name, value in _DEFINE.findall(text):
            self._put(self.constants, name, value.strip(), where)
        for value, name in _TYPEDEF.findall(text):
            self._put(self.typedefs, name, " ".join(value.split()), where)
        for name, value in _USING.findall(text):
            if not value.startswith("namespace"):
                self._put(self.typedefs, name, " ".join(value.split()), where)
        for name, value in _CONST_INT.findall(text):
            self._put(self.constants, name, value.strip(), where)
        for m in _ARRAY.finditer(text):
            close = _matching(text, m.end() - 1, "{", "}")
            body = text[m.end():close]
            values = tuple(v for v in (t.strip() for t in split_top_level(body, ",")) if v)
            self._put(self.arrays, m.group(2), CppArray(" ".join(m.group(1).split()), m.group(3).strip(), values,
                                                        where), where)

    def resolve_type(self, name: str) -> str:
        """A type name with typedef chains followed (``ns::input_t`` -> ``ap_fixed<8,6,...>``)."""
        seen = []
        t = " ".join(name.split())
        while True:
            key = t.split("::")[-1] if re.fullmatch(_QUALIFIED, t) else t
            if key not in self.typedefs:
                return t
            if key in self.conflicts:
                msg = f"type {key!r} is declared differently in {', '.join(self.conflicts[key])}"
                raise ModelFormatError(msg)
            if key in seen:
                msg = f"typedef cycle through {' -> '.join(seen + [key])}"
                raise ModelFormatError(msg)
            seen.append(key)
            t = self.typedefs[key]

    def int_value(self, expr: str) -> int:
        """An integer size expression over these constants."""
        return eval_int(expr, self.constants)


def strip_comments(text: str) -> str:
    """``text`` without ``//`` and ``/* */`` comments; literals and newlines are kept."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            end = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, end))
            i = end
        else:
            out.append(c)
            i += 1
    return "".join(out)


def read_text(path: Path) -> str:
    try:
        return strip_comments(Path(path).read_text(errors="replace"))
    except OSError as exc:
        msg = f"cannot read {path}: {exc.strerror}"
        raise ModelFormatError(msg) from exc


def read_headers(start: Path, *, root: Path) -> Declarations:
    """Declarations of ``start`` and every ``#include "..."`` it reaches inside ``root``.

    Includes resolve against the including file's folder, then ``root``; library headers
    (``ap_fixed.h``, ``emulator.h``, anything under ``nnet_utils/``) are not followed.
    """
    decl = Declarations()
    todo, done = [Path(start)], set()
    root = Path(root).resolve()
    while todo:
        path = todo.pop(0).resolve()
        if path in done:
            continue
        done.add(path)
        text = read_text(path)
        decl.files.append(path)
        decl.add_text(text, path.name)
        for inc in _INCLUDE.findall(text):
            if Path(inc).name in _LIBRARY or "nnet_utils" in inc or "nn_utils" in inc:
                continue
            for base in (path.parent, root):
                cand = (base / inc).resolve()
                if cand.is_file() and (cand == root or root in cand.parents):
                    todo.append(cand)
                    break
    return decl


def parse_number(token: str) -> Fraction:
    """Exact value of a C++ numeric literal, as the compiler's double holds it."""
    t = " ".join(str(token).split())
    m = _NUMBER.match(t)
    if not m:
        msg = f"{token!r} is not a numeric literal (expected forms like 4, -2, 15.5, 21., 1e-3, 0x1f)"
        raise ModelFormatError(msg)
    sign, body = m.groups()
    if body[:2] in ("0x", "0X"):
        value = Fraction(int(body, 16))
    elif any(ch in body for ch in ".eE"):
        value = Fraction(float(body))  # a decimal literal is a double: its exact binary value
    else:
        value = Fraction(int(body, 10))
    return -value if sign == "-" else value


_INT_TOKEN = re.compile(rf"\s*(?:(\d+)[uUlL]*|({_QUALIFIED})|([()*+\-/]))")


def eval_int(expr: str, constants: dict[str, str], _depth: int = 0) -> int:
    """Value of an integer expression of literals, named constants, ``( ) * + - /``."""
    if _depth > 32:
        msg = f"integer constant {expr!r} is defined through more than 32 levels (a cycle?)"
        raise ModelFormatError(msg)
    pos, toks = 0, []
    text = str(expr).strip()
    while pos < len(text):
        m = _INT_TOKEN.match(text, pos)
        if not m or m.end() == pos:
            msg = f"cannot read the integer expression {expr!r} (supported: literals, constants, ( ) * + - /)"
            raise ModelFormatError(msg)
        num, name, op = m.groups()
        if num is not None:
            toks.append(num)
        elif name is not None:
            key = name.split("::")[-1]
            if key not in constants:
                msg = f"size {expr!r}: {name!r} is not an integer constant of the wrapper or its headers"
                raise ModelFormatError(msg)
            toks.append(str(eval_int(constants[key], constants, _depth + 1)))
        else:
            toks.append("//" if op == "/" else op)
        pos = m.end()
    try:
        value = eval(" ".join(toks), {"__builtins__": {}}, {})  # noqa: S307 - digits and operators only
    except (SyntaxError, ZeroDivisionError) as exc:
        msg = f"cannot evaluate the integer expression {expr!r}: {exc}"
        raise ModelFormatError(msg) from exc
    return int(value)


def _matching(text: str, open_pos: int, opener: str, closer: str) -> int:
    depth = 0
    for i in range(open_pos, len(text)):
        if text[i] == opener:
            depth += 1
        elif text[i] == closer:
            depth -= 1
            if depth == 0:
                return i
    msg = f"unbalanced {opener}{closer} starting at character {open_pos}"
    raise ModelFormatError(msg)


def matching_brace(text: str, open_pos: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``open_pos``."""
    return _matching(text, open_pos, "{", "}")


def split_top_level(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside ``() [] {} <>`` nesting."""
    parts, depth, start = [], 0, 0
    pairs = {"(": 1, "[": 1, "{": 1, "<": 1, ")": -1, "]": -1, "}": -1, ">": -1}
    for i, ch in enumerate(text):
        if ch in pairs:
            # '>>' and '<<' between operands are shifts, not template brackets
            if ch in "<>" and (text[i - 1:i + 1] in ("<<", ">>") or text[i:i + 2] in ("<<", ">>")):
                if depth == 0 or ch == "<":
                    continue
            depth = max(0, depth + pairs[ch])
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def find_class(text: str, base: str) -> tuple[str, str]:
    """``(name, body)`` of the class deriving (publicly) from ``base``."""
    pat = re.compile(r"\b(?:class|struct)\s+(" + _IDENT + r")\s*(?:final\s*)?:\s*(?:public\s+|virtual\s+)*"
                     + re.escape(base) + r"\s*\{")
    m = pat.search(text)
    if not m:
        msg = f"no class deriving from {base}"
        raise ModelFormatError(msg)
    close = _matching(text, m.end() - 1, "{", "}")
    return m.group(1), text[m.end():close]


def method_body(class_body: str, name: str) -> str | None:
    """Body of the method ``name`` defined in ``class_body`` (None if not defined there)."""
    pat = re.compile(r"\b" + re.escape(name) + r"\s*\(([^;{}]*)\)\s*(?:const\s*)?(?:override\s*)?\{")
    m = pat.search(class_body)
    if not m:
        return None
    close = _matching(class_body, m.end() - 1, "{", "}")
    return class_body[m.end():close]


@dataclass(frozen=True)
class Statement:
    """One statement, whitespace collapsed, with the bounds of the ``for`` loops around it."""

    text: str
    loops: tuple[tuple[str, str], ...] = ()   # (index variable, bound expression), outermost first


_FOR = re.compile(rf"for\s*\(\s*(?:int|unsigned|size_t|unsigned\s+int)\s+({_IDENT})\s*=\s*0\s*;\s*\1\s*<\s*"
                  rf"([^;]+?)\s*;\s*(?:\1\s*\+\+|\+\+\s*\1|\1\s*\+=\s*1)\s*\)")


def statements(body: str, loops: tuple[tuple[str, str], ...] = ()) -> list[Statement]:
    """The statements of a function body; ``for (int i = 0; i < N; i++)`` loops are flattened."""
    out: list[Statement] = []
    text = body.strip()
    pos = 0
    while pos < len(text):
        while pos < len(text) and text[pos] in " \t\r\n;":
            pos += 1
        if pos >= len(text):
            break
        m = _FOR.match(text, pos)
        if m:
            inner = loops + ((m.group(1), " ".join(m.group(2).split())),)
            j = m.end()
            while j < len(text) and text[j].isspace():
                j += 1
            if j < len(text) and text[j] == "{":
                close = _matching(text, j, "{", "}")
                out += statements(text[j + 1:close], inner)
                pos = close + 1
            else:
                end = _statement_end(text, j)
                out += statements(text[j:end + 1], inner)
                pos = end + 1
            continue
        if text[pos] == "{":
            close = _matching(text, pos, "{", "}")
            out += statements(text[pos + 1:close], loops)
            pos = close + 1
            continue
        end = _statement_end(text, pos)
        stmt = " ".join(text[pos:end].split())
        if stmt:
            out.append(Statement(stmt, loops))
        pos = end + 1
    return out


def _statement_end(text: str, pos: int) -> int:
    depth = 0
    for i in range(pos, len(text)):
        ch = text[i]
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        elif ch == ";" and depth <= 0:
            return i
    return len(text)
