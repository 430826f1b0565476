"""A reader for the C++ subset hls4ml projects are written in: tokens, comments, the preprocessor.

:func:`read_file` turns a source file into :class:`Token` s the way g++ sees them when it
compiles CMSSW's emulator: comments removed (``//`` lines and ``/* */`` blocks; the
trailing ``// name`` comment hls4ml writes after each layer call is kept aside, see
:attr:`Source.trailing`), line continuations joined, ``#if`` / ``#ifdef`` / ``#ifndef`` /
``#elif`` / ``#else`` / ``#endif`` evaluated (no macro is predefined: not
``__SYNTHESIS__``, not ``LOAD_WEIGHTS_FROM_TXT``), ``#define`` recorded and object-like and
function-like macros expanded in the code, ``#include "..."`` followed through a resolver
the caller gives (system headers and hls4ml's own ``nnet_utils`` library are not read),
``#pragma`` dropped. :mod:`~firmware_models.nn.cpp_decls` reads declarations from the tokens;
:func:`eval_int` evaluates integer constant expressions (the preprocessor's ``#if`` and
every array size, struct field and template argument).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from firmware_models.errors import ModelFormatError

__all__ = ["Token", "Source", "Macro", "read_file", "tokenize", "eval_int", "CppError", "join_tokens",
           "split_top", "BUILTIN_FUNCTIONS"]


class CppError(ModelFormatError):
    """Source the reader cannot follow (a malformed directive, an expression it cannot evaluate)."""


@dataclass(frozen=True)
class Token:
    kind: str      # "id", "num", "str", "chr", "op"
    text: str
    file: str
    line: int

    def __repr__(self) -> str:
        return f"{self.text!r}@{Path(self.file).name}:{self.line}"


@dataclass
class Macro:
    name: str
    body: list[Token]
    params: list[str] | None = None   # None: object-like


@dataclass
class Source:
    """The tokens of one file with its includes expanded, and the comments g++ discards.

    ``trailing[(file, line)]`` is the text of a ``//`` comment that follows code on that
    line; ``comments[(file, line)]`` every ``//`` comment (whole-line ones too).
    """

    tokens: list[Token] = field(default_factory=list)
    trailing: dict[tuple[str, int], str] = field(default_factory=dict)
    comments: dict[tuple[str, int], str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


_OPS = ("...", "<<=", ">>=", "::", "->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=", "-=", "*=", "/=",
        "%=", "&=", "|=", "^=", "++", "--", "##")
_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r\f\v]+)
  | (?P<id>[A-Za-z_]\w*)
  | (?P<num>(?:0[xX][0-9a-fA-F']+|(?:\d[\d']*\.?[\d']*|\.\d[\d']*)(?:[eE][+-]?\d+)?)[uUlLfF]*)
  | (?P<str>"(?:\\.|[^"\\])*")
  | (?P<chr>'(?:\\.|[^'\\])*')
  | (?P<op>""" + "|".join(re.escape(o) for o in _OPS) + r"""|[^\w\s])
""", re.X)

#: integer functions the expression evaluator knows (nnet_common.h's macros and constexpr helpers)
BUILTIN_FUNCTIONS: dict[str, Callable] = {
    "DIV_ROUNDUP": lambda n, d: -(-n // d),
    "MIN": min, "MAX": max, "AP_MAX": max, "AP_MIN": min,
    "ceillog2": lambda x: (x - 1).bit_length() if x > 1 else 0,
    "floorlog2": lambda x: x.bit_length() - 1 if x > 0 else 0,
    "pow2": lambda x: 1 << x,
}


def _strip_comments(text: str, fname: str, src: Source) -> str:
    """Remove comments (keeping newlines so lines still count), recording ``//`` comments by line."""
    out, i, n, line = [], 0, len(text), 1
    code_on_line = False
    while i < n:
        c = text[i]
        if c == "\n":
            out.append(c)
            line += 1
            code_on_line = False
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            body = text[i + 2:j].strip()
            src.comments[(fname, line)] = body
            if code_on_line:
                src.trailing[(fname, line)] = body
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            chunk = text[i:j]
            out.append(" " + "\n" * chunk.count("\n"))
            line += chunk.count("\n")
            i = j
        elif c in "\"'":
            m = re.compile(r'"(?:\\.|[^"\\\n])*"' if c == '"' else r"'(?:\\.|[^'\\\n])*'").match(text, i)
            j = m.end() if m else i + 1
            out.append(text[i:j])
            code_on_line = True
            i = j
        else:
            if not c.isspace():
                code_on_line = True
            out.append(c)
            i += 1
    return "".join(out)


def tokenize(text: str, fname: str = "<text>", first_line: int = 1) -> list[Token]:
    toks, pos, line = [], 0, first_line
    for m in _TOKEN.finditer(text):
        if m.start() != pos:  # a character no rule matched cannot occur: op matches any non-space
            pass
        pos = m.end()
        kind = m.lastgroup
        if kind == "ws":
            continue
        toks.append(Token(kind, m.group(), fname, line))
    return toks


def join_tokens(toks: Sequence[Token]) -> str:
    """Tokens as one normalized string (no spaces except between two identifiers/numbers)."""
    out = []
    for t in toks:
        if out and out[-1][-1:].isalnum() | (out[-1][-1:] == "_") and (t.text[0].isalnum() or t.text[0] == "_"):
            out.append(" ")
        out.append(t.text)
    return "".join(out)


def split_top(toks: Sequence[Token], sep: str = ",", *, angle: bool = False) -> list[list[Token]]:
    """Split at ``sep`` outside brackets (and outside ``<...>`` when ``angle``)."""
    parts, cur, depth = [], [], 0
    for t in toks:
        if t.text in "([{" or (angle and t.text == "<"):
            depth += 1
        elif t.text in ")]}" or (angle and t.text == ">"):
            depth -= 1
        elif angle and t.text == ">>":
            depth -= 2
        if t.text == sep and depth == 0:
            parts.append(cur)
            cur = []
        else:
            cur.append(t)
    if cur or parts:
        parts.append(cur)
    return parts


# --------------------------------------------------------------------------- expressions
class _Expr:
    """Precedence-climbing evaluator of C integer constant expressions over tokens."""

    _BIN = [("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", ">", "<=", ">="), ("<<", ">>"),
            ("+", "-"), ("*", "/", "%")]

    def __init__(self, toks: Sequence[Token], lookup: Callable[[str], int | None], where: str) -> None:
        self.t = [t for t in toks]
        self.i = 0
        self.lookup = lookup
        self.where = where

    def fail(self, why: str):
        text = join_tokens(self.t)
        msg = f"{self.where}: cannot evaluate {text!r} as an integer constant ({why})"
        raise CppError(msg)

    def peek(self) -> str | None:
        return self.t[self.i].text if self.i < len(self.t) else None

    def take(self) -> Token:
        if self.i >= len(self.t):
            self.fail("unexpected end")
        self.i += 1
        return self.t[self.i - 1]

    def parse(self):
        v = self.ternary()
        if self.i != len(self.t):
            self.fail(f"unexpected {self.t[self.i].text!r}")
        return v

    def ternary(self):
        c = self.binary(0)
        if self.peek() == "?":
            self.take()
            a = self.ternary()
            if self.take().text != ":":
                self.fail("':' expected")
            b = self.ternary()
            return a if c else b
        return c

    def binary(self, level: int):
        if level == len(self._BIN):
            return self.unary()
        v = self.binary(level + 1)
        while self.peek() in self._BIN[level]:
            op = self.take().text
            w = self.binary(level + 1)
            v = self._apply(op, v, w)
        return v

    def _apply(self, op: str, a, b):
        if op in ("/", "%"):
            if b == 0:
                self.fail("division by zero")
            if isinstance(a, float) or isinstance(b, float):
                return a / b if op == "/" else a % b
            q = abs(a) // abs(b)
            q = -q if (a < 0) != (b < 0) else q   # C truncates toward zero
            return q if op == "/" else a - q * b
        return {"||": lambda: int(bool(a) or bool(b)), "&&": lambda: int(bool(a) and bool(b)),
                "|": lambda: a | b, "^": lambda: a ^ b, "&": lambda: a & b, "==": lambda: int(a == b),
                "!=": lambda: int(a != b), "<": lambda: int(a < b), ">": lambda: int(a > b),
                "<=": lambda: int(a <= b), ">=": lambda: int(a >= b), "<<": lambda: a << b, ">>": lambda: a >> b,
                "+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b}[op]()

    def unary(self):
        p = self.peek()
        if p in ("-", "+", "!", "~"):
            self.take()
            v = self.unary()
            return {"-": -v, "+": v, "!": int(not v), "~": ~v}[p]
        if p == "(":
            # a C cast (int)x / (unsigned)x, else a parenthesized expression
            j = self.i + 1
            while j < len(self.t) and self.t[j].kind == "id" and self.t[j].text in _CAST_WORDS:
                j += 1
            if j > self.i + 1 and j < len(self.t) and self.t[j].text == ")":
                self.i = j + 1
                return self.unary()
            self.take()
            v = self.ternary()
            if self.take().text != ")":
                self.fail("')' expected")
            return v
        return self.primary()

    def primary(self):
        t = self.take()
        if t.kind == "num":
            return parse_number(t.text, self.where)
        if t.kind == "chr":
            body = t.text[1:-1]
            return ord(body.encode().decode("unicode_escape")) if body else 0
        if t.kind != "id":
            self.fail(f"unexpected {t.text!r}")
        name = t.text
        if name in ("static_cast", "reinterpret_cast") and self.peek() == "<":
            depth = 0
            while True:
                s = self.take().text
                depth += (s == "<") - (s == ">") - 2 * (s == ">>")
                if depth <= 0:
                    break
            return self.primary_paren()
        while self.peek() == "::":   # qualified name: nnet::io_parallel, ns::N
            self.take()
            name = name + "::" + self.take().text
        if name in ("true", "false"):
            return int(name == "true")
        if self.peek() == "(":
            base = name.split("::")[-1]
            if base in ("sizeof",):
                self.fail("sizeof is not supported")
            args = self.call_args()
            fn = BUILTIN_FUNCTIONS.get(base)
            if fn is None:
                self.fail(f"unknown function {name}")
            return fn(*args)
        v = self.lookup(name)
        if v is None:
            v = self.lookup(name.split("::")[-1]) if "::" in name else None
        if v is None:
            self.fail(f"{name} is not a known constant")
        return v

    def primary_paren(self):
        if self.take().text != "(":
            self.fail("'(' expected")
        v = self.ternary()
        if self.take().text != ")":
            self.fail("')' expected")
        return v

    def call_args(self) -> list:
        self.take()  # (
        depth, start, parts = 0, self.i, []
        while True:
            t = self.take()
            if t.text == "(":
                depth += 1
            elif t.text == ")":
                if depth == 0:
                    parts.append(self.t[start:self.i - 1])
                    break
                depth -= 1
            elif t.text == "," and depth == 0:
                parts.append(self.t[start:self.i - 1])
                start = self.i
        return [_Expr(p, self.lookup, self.where).parse() for p in parts if p]


_CAST_WORDS = {"int", "unsigned", "long", "short", "signed", "char", "bool", "size_t", "const"}


def parse_number(text: str, where: str = ""):
    """A C/C++ numeric literal: int (any base, suffixes) or float (``f`` suffix: rounded to float)."""
    s = text.replace("'", "")
    low = s.lower()
    try:
        if low.startswith("0x"):
            return int(low.rstrip("ul"), 16)
        if re.fullmatch(r"\d+[ul]*", low):
            digits = low.rstrip("ul")
            return int(digits, 8) if len(digits) > 1 and digits.startswith("0") else int(digits)
        if low.endswith("f"):
            import numpy as np

            return float(np.float32(float(low[:-1])))
        return float(low.rstrip("l"))
    except ValueError as exc:
        msg = f"{where}: {text!r} is not a number literal"
        raise CppError(msg) from exc


def eval_int(toks: Sequence[Token], lookup: Callable[[str], int | None], where: str) -> int:
    """Evaluate an integer constant expression (identifiers through ``lookup``; None = unknown)."""
    if not toks:
        msg = f"{where}: empty expression"
        raise CppError(msg)
    v = _Expr(toks, lookup, where).parse()
    if isinstance(v, float):
        if v != int(v):
            msg = f"{where}: {join_tokens(toks)!r} is not an integer"
            raise CppError(msg)
        v = int(v)
    return v


# --------------------------------------------------------------------------- preprocessor
class _Preprocessor:
    def __init__(self, resolve: Callable[[str, Path], Path | None], macros: dict[str, Macro] | None) -> None:
        self.resolve = resolve
        self.macros: dict[str, Macro] = macros if macros is not None else {}
        self.seen: set[Path] = set()

    def run(self, path: Path, src: Source) -> None:
        path = Path(path)
        if path in self.seen and self._guarded(path):
            return
        self.seen.add(path)
        try:
            text = path.read_text(errors="replace")
        except OSError as exc:
            msg = f"cannot read {path}: {exc.strerror}"
            raise CppError(msg) from exc
        fname = str(path)
        src.files.append(fname)
        text = _strip_comments(text.replace("\r\n", "\n"), fname, src)
        stack: list[list[bool]] = []   # [active now, some branch taken]
        lines = text.split("\n")
        pending: list[tuple[str, int]] = []
        carry, carry_line = "", 0
        for k, raw in enumerate(lines, start=1):
            if raw.rstrip().endswith("\\"):   # line continuation: join with the next line
                if not carry:
                    carry_line = k
                carry += raw.rstrip()[:-1] + " "
                continue
            if carry:
                raw, k, carry = carry + raw, carry_line, ""
            s = raw.strip()
            active = all(f[0] for f in stack)
            if s.startswith("#"):
                if pending:
                    self._emit(pending, fname, src)
                    pending = []
                self._directive(s[1:].strip(), stack, active, path, src, fname, k)
            elif active and s:
                pending.append((raw, k))
        if pending:
            self._emit(pending, fname, src)
        if stack:
            msg = f"{path}: #if without #endif"
            raise CppError(msg)

    def _guarded(self, path: Path) -> bool:
        return True  # a file is read once per translation unit (include guards / #pragma once)

    def _emit(self, lines: list[tuple[str, int]], fname: str, src: Source) -> None:
        toks: list[Token] = []
        for raw, k in lines:
            toks.extend(tokenize(raw, fname, k))
        src.tokens.extend(self.expand(toks))

    def _directive(self, d: str, stack, active: bool, path: Path, src: Source, fname: str, line: int) -> None:
        m = re.match(r"(\w+)\s*(.*)$", d, re.S)
        if not m:
            return
        word, rest = m.group(1), m.group(2).strip()
        if word in ("if", "ifdef", "ifndef"):
            if not active:
                stack.append([False, True])
                return
            if word == "ifdef":
                cond = rest.split()[0] in self.macros if rest else False
            elif word == "ifndef":
                cond = rest.split()[0] not in self.macros if rest else True
            else:
                cond = self._cond(rest, fname, line)
            stack.append([bool(cond), bool(cond)])
        elif word == "elif":
            if not stack:
                return
            top = stack[-1]
            outer = all(f[0] for f in stack[:-1])
            if top[1] or not outer:
                top[0] = False
            else:
                top[0] = bool(self._cond(rest, fname, line))
                top[1] = top[0]
        elif word == "else":
            if stack:
                top = stack[-1]
                top[0] = not top[1] and all(f[0] for f in stack[:-1])
                top[1] = True
        elif word == "endif":
            if stack:
                stack.pop()
        elif not active:
            return
        elif word == "define":
            self._define(rest, fname, line)
        elif word == "undef":
            self.macros.pop(rest.split()[0] if rest else "", None)
        elif word == "include":
            inc = re.match(r'"([^"]+)"', rest)
            if inc:
                target = self.resolve(inc.group(1), path)
                if target is not None:
                    self.run(target, src)
        # pragma, error, warning, line: nothing the emulation depends on

    def _define(self, rest: str, fname: str, line: int) -> None:
        m = re.match(r"([A-Za-z_]\w*)(\(([^)]*)\))?\s*(.*)$", rest, re.S)
        if not m:
            return
        name, params, body = m.group(1), m.group(3), m.group(4)
        plist = None if m.group(2) is None else [p.strip() for p in params.split(",") if p.strip()]
        self.macros[name] = Macro(name, tokenize(body, fname, line), plist)

    def _cond(self, text: str, fname: str, line: int) -> int:
        toks = tokenize(text, fname, line)
        out: list[Token] = []
        i = 0
        while i < len(toks):   # defined(X) / defined X before macro expansion
            t = toks[i]
            if t.text == "defined":
                if i + 1 < len(toks) and toks[i + 1].text == "(":
                    name, i = toks[i + 2].text, i + 4
                else:
                    name, i = toks[i + 1].text, i + 2
                out.append(Token("num", "1" if name in self.macros else "0", fname, line))
                continue
            out.append(t)
            i += 1
        expanded = self.expand(out)
        # identifiers left after expansion are 0 in #if
        return eval_int(expanded, lambda name: 0, f"{fname}:{line} #if")

    def expand(self, toks: list[Token], busy: frozenset = frozenset()) -> list[Token]:
        out: list[Token] = []
        i = 0
        while i < len(toks):
            t = toks[i]
            mac = self.macros.get(t.text) if t.kind == "id" and t.text not in busy else None
            if mac is None:
                out.append(t)
                i += 1
                continue
            if mac.params is None:
                body = [Token(b.kind, b.text, t.file, t.line) for b in mac.body]
                out.extend(self.expand(body, busy | {t.text}))
                i += 1
                continue
            if i + 1 >= len(toks) or toks[i + 1].text != "(":
                out.append(t)
                i += 1
                continue
            depth, j, args, cur = 0, i + 2, [], []
            while j < len(toks):
                s = toks[j].text
                if s == "(":
                    depth += 1
                elif s == ")":
                    if depth == 0:
                        break
                    depth -= 1
                if s == "," and depth == 0:
                    args.append(cur)
                    cur = []
                else:
                    cur.append(toks[j])
                j += 1
            args.append(cur)
            sub = dict(zip(mac.params, args))
            body = []
            for b in mac.body:
                if b.kind == "id" and b.text in sub:
                    body.extend(sub[b.text])
                else:
                    body.append(Token(b.kind, b.text, t.file, t.line))
            out.extend(self.expand(body, busy | {t.text}))
            i = j + 1
        return out


def read_file(path, resolve: Callable[[str, Path], Path | None], *, macros: dict[str, Macro] | None = None,
              src: Source | None = None) -> Source:
    """Tokens of ``path`` after preprocessing (includes through ``resolve(name, including_file)``)."""
    src = src if src is not None else Source()
    _Preprocessor(resolve, macros).run(Path(path), src)
    return src
