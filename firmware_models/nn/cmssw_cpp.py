"""The C++ of CMSSW's hls4mlEmulator wrapper folders, read for :mod:`firmware_models.nn.cmssw_wrapper`.

Declarations come from the project's one C++ reader (:mod:`.cpp_reader` preprocesses as g++
does: comments, ``#if``/``#ifdef`` branches, ``#define`` s, ``#include "..."``;
:mod:`.cpp_decls` reads typedefs, integer constants and initialised arrays).
:func:`read_headers` runs it on a wrapper's .cpp with includes followed inside the folder
(system headers, ``emulator.h`` and ``nnet_utils/`` are not read) and gives a
:class:`Declarations` view: :meth:`~Declarations.resolve_type` follows typedef chains,
:meth:`~Declarations.int_value` evaluates a size (``N_INPUT_1_1*N_INPUT_2_1``),
:attr:`~Declarations.arrays` the initialised arrays (``scales.h`` offsets and shifts,
``scaling.h`` biases and norms) with :func:`parse_number` for their literals (the double the
compiler holds, exactly).

The class itself is matched as text, which the recogniser compares with its patterns:
:func:`strip_comments`, :func:`find_class`, :func:`method_body` and :func:`statements`
(whitespace collapsed, ``for`` loops flattened to their body statements, each tagged with
the loop bound). Anything outside this subset is not interpreted: the recogniser refuses
what it does not find, naming the statement it saw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from firmware_models.errors import ModelFormatError
from firmware_models.nn.cpp_decls import read_declarations
from firmware_models.nn.cpp_reader import CppError, eval_int, join_tokens, read_file, split_top, tokenize

__all__ = ["Declarations", "CppArray", "Statement", "strip_comments", "read_headers", "parse_number",
           "find_class", "method_body", "statements", "split_top_level", "read_text", "matching_brace"]

_IDENT = r"[A-Za-z_]\w*"
_QUALIFIED = rf"(?:{_IDENT}::)*{_IDENT}"
_NUMBER = re.compile(r"^([+-]?)\s*(0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[fFuUlL]*$")
#: headers that are not the wrapper's own declarations: libraries and CMSSW's emulator base
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
    """Typedefs, integer constants and initialised arrays of a wrapper's translation unit."""

    decls: Any
    files: list[Path] = field(default_factory=list)
    arrays: dict[str, CppArray] = field(default_factory=dict)

    @property
    def typedefs(self) -> dict[str, str]:
        return {k: join_tokens(v) for k, v in self.decls.typedefs.items()}

    def resolve_type(self, name: str) -> str:
        """A type name with typedef chains followed (``ns::input_t`` -> ``ap_fixed<8,6,...>``)."""
        seen: list[str] = []
        t = "".join(name.split())
        while True:
            key = self.decls.unqualify(t) if re.fullmatch(_QUALIFIED, t) else t
            toks = self.decls.typedefs.get(key)
            if toks is None:
                return t
            if key in seen:
                msg = f"typedef cycle through {' -> '.join(seen + [key])}"
                raise ModelFormatError(msg)
            seen.append(key)
            t = join_tokens(toks)

    def int_value(self, expr: str) -> int:
        """An integer size expression over these constants."""
        toks = tokenize(str(expr), "<size>")
        try:
            return eval_int(toks, self.decls.const, f"size {expr!r}")
        except CppError as err:
            msg = f"size {expr!r}: {err} (not an integer constant of the wrapper or the headers it includes)"
            raise ModelFormatError(msg) from err


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
    """Declarations of ``start`` and every ``#include "..."`` it reaches inside ``root`` (preprocessed)."""
    root = Path(root).resolve()

    def resolve(name: str, including: Path) -> Path | None:
        if Path(name).name in _LIBRARY or "nnet_utils" in name or "nn_utils" in name:
            return None
        for base in (including.parent, root):
            cand = (base / name).resolve()
            if cand.is_file() and (cand == root or root in cand.parents) and not cand.name.startswith("nnet_"):
                return cand
        return None

    macros: dict = {}
    try:
        src = read_file(Path(start).resolve(), resolve, macros=macros)
    except CppError as err:
        msg = f"{Path(start).name}: {err}"
        raise ModelFormatError(msg) from err
    decls = read_declarations(src, macros=macros)
    files = [Path(f) for f in dict.fromkeys(src.files)]
    out = Declarations(decls, files)
    for name, arr in decls.arrays.items():
        if arr.init is None:
            continue
        values = tuple(join_tokens(p) for p in split_top(list(arr.init), ",") if p)
        out.arrays[name] = CppArray(join_tokens(arr.type), join_tokens(arr.size), values,
                                    f"{Path(arr.file).name}:{arr.line}")
    return out


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
