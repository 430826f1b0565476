"""Declarations of the hls4ml C++ subset, read from preprocessed tokens (:mod:`.cpp_reader`).

:func:`read_declarations` walks the top level of a translation unit (namespaces opened and
closed, ``extern "C"`` blocks, classes skipped) and records:

- ``typedef T name;`` and ``using name = T;`` (:attr:`Declarations.typedefs`);
- integer constants: ``static const int N = expr;``, ``constexpr``, ``const``, ``enum``
  members and ``#define`` s (:meth:`Declarations.const`, evaluated lazily, so a size may be a
  macro, a product or another constant);
- ``struct name : base { ... };`` config structs (:class:`Struct`: static fields, typedefs,
  ``using product = ...`` / ``using kernel = ...`` templates);
- arrays ``T name[expr] = {...};`` and ``T name[expr];`` (weights: :class:`Array`);
- function definitions (:class:`Function`: template parameters, parameters, body tokens);
- class (template) definitions, kept as tokens (:attr:`Declarations.classes`: hls4ml's
  generated ``nnet_code_gen.h`` holds its conv fill-buffer code as such classes).

:func:`statements` splits a function body into :class:`Statement` s (declarations, calls with
their trailing ``// name`` comment, ``auto&`` aliases, assignments) for the project loader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from firmware_models.nn.cpp_reader import CppError, Macro, Source, Token, eval_int, join_tokens, parse_number, \
    split_top

__all__ = ["Declarations", "Struct", "Array", "Function", "Param", "Statement", "Call", "read_declarations",
           "read_source", "statements", "parse_call", "ENUM_CONSTANTS"]

#: enumerators of hls4ml's nnet_common.h / ap_decl.h the configs and types use
ENUM_CONSTANTS = {
    "io_parallel": 0, "io_stream": 1,
    "latency": 0, "resource": 1, "resource_unrolled": 2, "distributed_arithmetic": 3,
    "AP_SAT": 0, "AP_SAT_ZERO": 1, "AP_SAT_SYM": 2, "AP_WRAP": 3, "AP_WRAP_SM": 4,
    "AP_RND": 0, "AP_RND_ZERO": 1, "AP_RND_MIN_INF": 2, "AP_RND_INF": 3, "AP_RND_CONV": 4, "AP_TRN": 5,
    "AP_TRN_ZERO": 6,
}


@dataclass
class Struct:
    name: str
    base: str
    fields: dict[str, list[Token]] = field(default_factory=dict)
    typedefs: dict[str, list[Token]] = field(default_factory=dict)
    usings: dict[str, list[Token]] = field(default_factory=dict)   # template aliases: product, kernel
    members: dict[str, list[Token]] = field(default_factory=dict)  # static const T name; (value defined outside)


@dataclass
class Array:
    name: str
    type: list[Token]
    size: list[Token]
    init: list[Token] | None
    file: str
    line: int


@dataclass
class Param:
    type: list[Token]
    name: str
    dims: list[list[Token]]
    stream: bool = False
    reference: bool = False


@dataclass
class Function:
    name: str
    namespace: str
    template: list[str]
    params: list[Param]
    body: list[Token]
    file: str
    line: int = 0    # of the function's name (its body's comments follow it)


@dataclass
class Call:
    """``ns::function<targs>(args);`` with its trailing comment (hls4ml's layer name)."""

    namespace: str
    function: str
    targs: list[str]
    targ_tokens: list[list[Token]]
    args: list[str]
    arg_tokens: list[list[Token]]
    comment: str
    file: str
    line: int
    name: str = ""

    @property
    def qualified(self) -> str:
        return f"{self.namespace}::{self.function}" if self.namespace else self.function


@dataclass
class Statement:
    kind: str     # "call", "decl", "alias", "assign", "other"
    tokens: list[Token]
    call: Call | None = None
    decl_type: list[Token] | None = None
    decl_name: str = ""
    decl_dims: list[list[Token]] = field(default_factory=list)
    decl_init: list[Token] | None = None
    alias_of: str = ""


@dataclass
class Declarations:
    typedefs: dict[str, list[Token]] = field(default_factory=dict)
    consts: dict[str, list[Token]] = field(default_factory=dict)
    structs: dict[str, Struct] = field(default_factory=dict)
    arrays: dict[str, Array] = field(default_factory=dict)
    functions: dict[str, list[Function]] = field(default_factory=dict)
    #: class/struct templates and classes (hls4ml's generated nnet_code_gen.h fill-buffer classes):
    #: name -> (template parameters, base, body tokens)
    classes: dict[str, tuple[list[str], str, list[Token]]] = field(default_factory=dict)
    namespaces: set[str] = field(default_factory=set)
    macros: dict[str, Macro] = field(default_factory=dict)
    _values: dict[str, int] = field(default_factory=dict)

    def const(self, name: str, *, _busy: frozenset = frozenset()) -> int | None:
        """Value of an integer constant (constants, enums, object-like macros), or None."""
        name = self.unqualify(name)
        if name in self._values:
            return self._values[name]
        toks = self.consts.get(name)
        if toks is None and name in self.macros and self.macros[name].params is None:
            toks = self.macros[name].body
        if toks is None:
            return ENUM_CONSTANTS.get(name)
        if name in _busy:
            return None
        v = eval_int(toks, lambda n: self.const(n, _busy=_busy | {name}), f"constant {name}")
        self._values[name] = v
        return v

    def unqualify(self, name: str) -> str:
        """Drop the project's namespaces (and nnet::) from a qualified name."""
        parts = name.split("::")
        while len(parts) > 1 and (parts[0] in self.namespaces or parts[0] in ("nnet", "")):
            parts = parts[1:]
        return "::".join(parts)


def _match(toks: Sequence[Token], i: int, close: str) -> int:
    """Index just past the bracket closing toks[i] (which opens one of ( [ { <)."""
    open_ = toks[i].text
    depth = 0
    for j in range(i, len(toks)):
        s = toks[j].text
        if s == open_:
            depth += 1
        elif s == close:
            depth -= 1
            if depth == 0:
                return j + 1
        elif close == ">" and s == ">>":
            depth -= 2
            if depth <= 0:
                return j + 1
    msg = f"{toks[i].file}:{toks[i].line}: unbalanced {open_!r}"
    raise CppError(msg)


def _skip_statement(toks, i: int) -> int:
    """Past the next ``;`` at bracket depth 0, or past a balanced ``{...}`` (and a ``;`` after it)."""
    depth = 0
    while i < len(toks):
        s = toks[i].text
        if s in "([":
            depth += 1
        elif s in ")]":
            depth -= 1
        elif s == "{" and depth == 0:
            j = _match(toks, i, "}")
            if j < len(toks) and toks[j].text == ";":
                j += 1
            return j
        elif s == ";" and depth == 0:
            return i + 1
        i += 1
    return i


def _template_params(toks: list[Token]) -> list[str]:
    names = []
    for part in split_top(toks, ",", angle=True):
        ids = [t.text for t in part if t.kind == "id" and t.text not in ("class", "typename", "int", "unsigned",
                                                                        "bool", "ap_q_mode", "ap_o_mode")]
        names.append(ids[-1] if ids else "")
    return names


def _params(toks: list[Token]) -> list[Param]:
    out = []
    for part in split_top(toks, ",", angle=True):
        if not part:
            continue
        dims, k = [], len(part)
        while k > 0 and part[k - 1].text == "]":   # name[dim][dim]
            j = k - 1
            depth = 0
            while j >= 0:
                if part[j].text == "]":
                    depth += 1
                elif part[j].text == "[":
                    depth -= 1
                    if depth == 0:
                        break
                j -= 1
            dims.insert(0, part[j + 1:k - 1])
            k = j
        name_tok = part[k - 1] if k > 0 else None
        if name_tok is None or name_tok.kind != "id":
            continue
        tpart = part[:k - 1]
        ref = bool(tpart) and tpart[-1].text == "&"
        if ref:
            tpart = tpart[:-1]
        tpart = [t for t in tpart if t.text not in ("const",)]
        stream = bool(tpart) and join_tokens(tpart).startswith("hls::stream")
        if stream:  # hls::stream<T>: the element type
            lt = next(i for i, t in enumerate(tpart) if t.text == "<")
            tpart = tpart[lt + 1:_match(tpart, lt, ">") - 1]
        out.append(Param(tpart, name_tok.text, dims, stream, ref))
    return out


def read_declarations(src: Source, decls: Declarations | None = None, *, own_files: set[str] | None = None,
                      macros: dict[str, Macro] | None = None) -> Declarations:
    """The top-level declarations of a preprocessed translation unit."""
    d = decls if decls is not None else Declarations()
    if macros:
        d.macros.update(macros)
    toks = src.tokens
    ns: list[str] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        s = t.text
        if s == "namespace" and i + 1 < len(toks):
            j = i + 1
            names = []
            while j < len(toks) and toks[j].text not in ("{", ";", "="):
                if toks[j].kind == "id":
                    names.append(toks[j].text)
                j += 1
            if j < len(toks) and toks[j].text == "{":
                d.namespaces.update(names)
                ns.append("::".join(names) or "<anon>")
                i = j + 1
            else:
                i = j + 1
            continue
        if s == "}":
            if ns:
                ns.pop()
            i += 1
            continue
        if s == "extern" and i + 2 < len(toks) and toks[i + 1].kind == "str" and toks[i + 2].text == "{":
            ns.append("<extern>")
            i += 3
            continue
        if s in (";",):
            i += 1
            continue
        try:
            i = _declaration(toks, i, d, "::".join(n for n in ns if not n.startswith("<")))
        except CppError:
            i = _skip_statement(toks, i)
    return d


def _declaration(toks: list[Token], i: int, d: Declarations, namespace: str) -> int:
    s = toks[i].text
    template: list[str] = []
    if s == "template" and i + 1 < len(toks) and toks[i + 1].text == "<":
        end = _match(toks, i + 1, ">")
        template = _template_params(toks[i + 2:end - 1])
        i = end
        s = toks[i].text if i < len(toks) else ""
    if s == "typedef":
        end = _skip_statement(toks, i)
        body = toks[i + 1:end - 1]
        if body and body[-1].kind == "id":
            d.typedefs[body[-1].text] = body[:-1]
        return end
    if s == "using":
        end = _skip_statement(toks, i)
        body = toks[i + 1:end - 1]
        if len(body) >= 3 and body[1].text == "=" and body[0].kind == "id":
            d.typedefs[body[0].text] = body[2:]
        return end
    if s in ("struct", "class", "union") and i + 1 < len(toks):
        j = i + 1
        while j < len(toks) and toks[j].text not in ("{", ";"):
            j += 1
        if j >= len(toks) or toks[j].text == ";":
            return j + 1
        end = _match(toks, j, "}")
        head = toks[i + 1:j]
        name = head[0].text if head else ""
        base = ""
        if ":" in [h.text for h in head]:
            k = [h.text for h in head].index(":")
            base = join_tokens([h for h in head[k + 1:] if h.text not in ("public",)])
        if s == "struct" and not template:
            d.structs[name] = _struct(name, base, toks[j + 1:end - 1])
        else:
            d.classes[name] = (template, base, toks[j + 1:end - 1])
        if end < len(toks) and toks[end].text == ";":
            end += 1
        return end
    if s == "enum":
        j = i + 1
        while j < len(toks) and toks[j].text not in ("{", ";"):
            j += 1
        if j < len(toks) and toks[j].text == "{":
            end = _match(toks, j, "}")
            nxt = 0
            for part in split_top(toks[j + 1:end - 1], ","):
                if not part:
                    continue
                if len(part) >= 3 and part[1].text == "=":
                    d.consts[part[0].text] = part[2:]
                    try:
                        nxt = d.const(part[0].text) + 1
                    except CppError:
                        nxt = 0
                else:
                    d.consts[part[0].text] = [Token("num", str(nxt), part[0].file, part[0].line)]
                    nxt += 1
            return _skip_statement(toks, end) if end < len(toks) and toks[end].text != ";" else end + 1
        return j + 1
    # a variable, constant, array or function
    end = _skip_statement(toks, i)
    stmt = toks[i:end]
    texts = [t.text for t in stmt]
    paren = texts.index("(") if "(" in texts else -1
    brace = texts.index("{") if "{" in texts else -1
    eq = texts.index("=") if "=" in texts else -1
    if paren > 0 and stmt[paren - 1].kind == "id" and (eq < 0 or paren < eq) and \
            stmt[paren - 1].text not in ("sizeof",):
        close = _match(stmt, paren, ")")
        if close < len(stmt) and stmt[close].text in ("{", "const") and brace >= 0:
            b = texts.index("{", close)
            body_end = _match(stmt, b, "}")
            fn = Function(stmt[paren - 1].text, namespace, template, _params(stmt[paren + 1:close - 1]),
                          stmt[b + 1:body_end - 1], stmt[0].file, stmt[paren - 1].line)
            d.functions.setdefault(fn.name, []).append(fn)
        return end
    quals = {"static", "const", "constexpr", "extern", "inline", "volatile"}
    k = 0
    while k < len(stmt) and stmt[k].text in quals:
        k += 1
    decl = stmt[k:-1] if stmt and stmt[-1].text == ";" else stmt[k:]
    dtexts = [t.text for t in decl]
    e = dtexts.index("=") if "=" in dtexts else len(decl)
    lhs, rhs = decl[:e], decl[e + 1:] if e < len(decl) else None
    if "[" in [t.text for t in lhs]:
        b = [t.text for t in lhs].index("[")
        if b >= 1 and lhs[b - 1].kind == "id":
            close = _match(lhs, b, "]")
            init = None
            if rhs is not None and rhs and rhs[0].text == "{":
                init = rhs[1:_match(rhs, 0, "}") - 1]
            name = lhs[b - 1].text
            if name not in d.arrays or init is not None:   # a definition with values beats an extern
                d.arrays[name] = Array(name, lhs[:b - 1], lhs[b + 1:close - 1], init, lhs[0].file, lhs[0].line)
        return end
    lt = [t.text for t in lhs]
    if rhs is not None and len(lhs) >= 3 and lt[-2] == "::" and lhs[-3].text in d.structs:
        d.structs[lhs[-3].text].fields[lhs[-1].text] = list(rhs)   # const slope_t config4::slope = 0.2;
        return end
    if rhs is not None and lhs and lhs[-1].kind == "id" and {"const", "constexpr"} & set(texts[:k]):
        d.consts[lhs[-1].text] = list(rhs)
    return end


def _struct(name: str, base: str, body: list[Token]) -> Struct:
    st = Struct(name, base)
    i = 0
    while i < len(body):
        s = body[i].text
        template = False
        if s == "template" and i + 1 < len(body) and body[i + 1].text == "<":
            i = _match(body, i + 1, ">")
            template = True
            s = body[i].text if i < len(body) else ""
        end = _skip_statement(body, i)
        stmt = body[i:end - 1] if end <= len(body) and body[end - 1].text == ";" else body[i:end]
        texts = [t.text for t in stmt]
        if s == "typedef" and stmt and stmt[-1].kind == "id":
            st.typedefs[stmt[-1].text] = stmt[1:-1]
        elif s == "using" and len(stmt) >= 3 and stmt[2].text == "=":
            (st.usings if template else st.typedefs)[stmt[1].text] = stmt[3:]
        elif "=" in texts and "(" not in texts[:texts.index("=")]:
            e = texts.index("=")
            if e >= 1 and stmt[e - 1].kind == "id":
                st.fields[stmt[e - 1].text] = stmt[e + 1:]
        elif s == "static" and len(stmt) >= 3 and stmt[-1].kind == "id" and "(" not in texts:
            st.members[stmt[-1].text] = [t for t in stmt[1:-1] if t.text not in ("const", "constexpr")]
        i = end
    return st


# --------------------------------------------------------------------------- function bodies
def parse_call(toks: list[Token], trailing: dict) -> Call | None:
    """``a::b::f<targs>(args)`` (the whole statement, without the ``;``), or None."""
    i, names = 0, []
    while i < len(toks) and toks[i].kind == "id":
        names.append(toks[i].text)
        i += 1
        if i < len(toks) and toks[i].text == "::":
            i += 1
            if i < len(toks) and toks[i].text == "template":
                i += 1
            continue
        break
    if not names or i >= len(toks):
        return None
    targs: list[list[Token]] = []
    if toks[i].text == "<":
        end = _match(toks, i, ">")
        targs = split_top(toks[i + 1:end - 1], ",", angle=True)
        i = end
    if i >= len(toks) or toks[i].text != "(":
        return None
    end = _match(toks, i, ")")
    if end != len(toks):
        return None
    args = split_top(toks[i + 1:end - 1], ",", angle=False) if end - 1 > i + 1 else []
    last = toks[-1]
    comment = trailing.get((last.file, last.line), "")
    return Call(namespace="::".join(names[:-1]), function=names[-1], targs=[join_tokens(a) for a in targs],
                targ_tokens=targs, args=[join_tokens(a) for a in args], arg_tokens=args, comment=comment,
                file=last.file, line=last.line)


def statements(body: list[Token], trailing: dict) -> list[Statement]:
    """The statements of a function body, flattened (``if``/``for`` heads dropped, blocks opened)."""
    out: list[Statement] = []
    i = 0
    while i < len(body):
        s = body[i].text
        if s in ("{", "}", ";"):
            i += 1
            continue
        if s in ("if", "for", "while", "switch") and i + 1 < len(body) and body[i + 1].text == "(":
            i = _match(body, i + 1, ")")
            continue
        if s in ("else", "do"):
            i += 1
            continue
        j, depth = i, 0
        while j < len(body):
            c = body[j].text
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
            if (c == ";" and depth == 0) or depth < 0:
                break
            j += 1
        stmt = body[i:j]
        i = j + 1
        out.append(_classify(stmt, trailing, body[j] if j < len(body) else stmt[-1]))
    return out


def _classify(stmt: list[Token], trailing: dict, end_tok: Token) -> Statement:
    texts = [t.text for t in stmt]
    call = parse_call(stmt, {}) if stmt and stmt[0].kind == "id" else None
    if call is not None:
        call.comment = trailing.get((end_tok.file, end_tok.line), "")
        return Statement("call", stmt, call=call)
    if "=" in texts:
        e = texts.index("=")
        lhs = stmt[:e]
        lt = [t.text for t in lhs]
        if "&" in lt and len(lhs) >= 2 and lhs[-1].kind == "id" and len(stmt) == e + 2 and stmt[e + 1].kind == "id":
            return Statement("alias", stmt, decl_name=lhs[-1].text, alias_of=stmt[e + 1].text)
        if lhs and lhs[-1].kind == "id" and len(lhs) >= 2:
            return Statement("decl", stmt, decl_type=[t for t in lhs[:-1] if t.text not in ("static", "const")],
                             decl_name=lhs[-1].text, decl_init=stmt[e + 1:])
        return Statement("assign", stmt)
    if len(stmt) >= 2 and "[" in texts:
        b = texts.index("[")
        if b >= 2 and stmt[b - 1].kind == "id":
            dims, k = [], b
            while k < len(stmt) and stmt[k].text == "[":
                close = _match(stmt, k, "]")
                dims.append(stmt[k + 1:close - 1])
                k = close
            return Statement("decl", stmt, decl_type=stmt[:b - 1], decl_name=stmt[b - 1].text, decl_dims=dims)
    if len(stmt) >= 2 and stmt[0].text == "hls" and "stream" in texts:
        # hls::stream<T> name("name");  /  hls::stream<T> name;
        lt = texts.index("<")
        close = _match(stmt, lt, ">")
        if close < len(stmt) and stmt[close].kind == "id":
            return Statement("decl", stmt, decl_type=stmt[lt + 1:close - 1], decl_name=stmt[close].text,
                             decl_dims=[])
    return Statement("other", stmt)


def number_list(toks: Sequence[Token], where: str) -> list[float | int]:
    """The values of a 1-D initializer ``{a, -b, c}`` (contents only), as C++ literals."""
    vals = []
    for part in split_top(list(toks), ","):
        if not part:
            continue
        sign = 1
        k = 0
        while k < len(part) and part[k].text in "+-":
            sign = -sign if part[k].text == "-" else sign
            k += 1
        if k != len(part) - 1 or part[k].kind != "num":
            msg = f"{where}: initializer element {join_tokens(part)!r} is not a number literal"
            raise CppError(msg)
        v = parse_number(part[k].text, where)
        vals.append(sign * v)
    return vals


def read_source(path, *, include_dirs=(), skip=lambda p: False) -> tuple[Declarations, Source]:
    """Declarations and tokens of one C++ file, includes followed through its folder and ``include_dirs``.

    ``skip(path)`` names included files not to read (e.g. hls4ml's nnet_utils library headers).
    For readers beside the project loader: a CMSSW wrapper's ``scales.h``, a testbench.
    """
    from pathlib import Path

    from firmware_models.nn.cpp_reader import read_file

    dirs = [Path(d) for d in include_dirs]

    def resolve(name: str, including: Path):
        for base in (including.parent, *dirs):
            p = (base / name).resolve()
            if p.is_file():
                return None if skip(p) else p
        return None

    src = read_file(Path(path).resolve(), resolve)
    return read_declarations(src), src
