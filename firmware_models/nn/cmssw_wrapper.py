"""CMSSW hls4mlEmulator wrapper folders (AXOL1TL, CICADA, TOPO, jet taggers) as one bit-exact model.

CMSSW loads each cms-hls4ml network through a small C++ class deriving from
``hls4mlEmulator::Model`` (``prepare_input(std::any)``, ``predict()``,
``read_result(std::any)``; hls4mlEmulatorExtras ``emulator.h``). The folder holds that
class's ``.cpp`` (``GTADModel_emulator_vN.cpp``, ``caloADModel_*.cpp``,
``topo_emulator_*.cpp``, ``TOoLLiP_emulator_vN.cpp``, ``L1TSC4NGJetModel_emulator_v0.cpp``),
its constants header (``scales.h``, ``scaling.h``) and the hls4ml network (``NN/`` or the
folder itself). :func:`read_wrapper` reads the class with :mod:`.cmssw_cpp` and recognises,
method by method, what it computes:

- ``prepare_input``: ``T* p = std::any_cast<T*>(input)`` and a loop
  ``m[i] = std::any_cast<T>(p[i])`` (the wrapper input: ``T`` raw mantissas), then either
  nothing (:class:`~.cmssw_scaling.CopyInput`) or a call ``_scale(m, s)`` whose loop is
  AXOL1TL's ``(x - offset) >> shift`` (:class:`~.cmssw_scaling.OffsetShiftScaling`) or
  TOPO's ``static_cast<input_t>((double)(x - bias) / norm)``
  (:class:`~.cmssw_scaling.AffineDoubleScaling`);
- ``predict``: one call of the network's top function on members, and optionally
  ``loss = _computeLoss(out)`` whose body is either the squares summed through
  ``nnet::reduce<T, N, nnet::Op_add<T>>`` in ``T`` (AXOL1TL v1-v4; the head of
  :func:`firmware_models.nn.scores.sum_mu2_head`) or ``loss = out[k]`` (v5, v6: the network
  output itself, assigned to the loss type);
- ``read_result``: a ``std::pair`` of arrays / values or one array, filled from members.

Anything else is refused with :class:`~firmware_models.errors.ModelFormatError` naming the
method, the statement found and the supported forms. :class:`WrapperModel` then runs
scaling -> network -> score; ``predict_raw(x)`` takes the wrapper's input as raw mantissas
(AXOL1TL: the 57 ap_fixed<18,13> values CMSSW passes, see :mod:`.cmssw_l1`) and returns the
network's output ports by name, ``score`` (the loss, or the single value the wrapper
returns) and, with ``intermediates=True``, ``scaled_input``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType, cast
from firmware_models.fixed.exact import convert_exact
from firmware_models.nn import cmssw_cpp as cpp
from firmware_models.nn.cmssw_scaling import (
    AffineDoubleScaling,
    CopyInput,
    OffsetShiftScaling,
    offset_raw,
    shift_int,
)

__all__ = ["WrapperSpec", "WrapperModel", "read_wrapper", "load_wrapper", "is_wrapper_folder", "SUPPORTED"]

BASE_CLASS = "hls4mlEmulator::Model"
SUPPORTED = (
    "prepare_input: copy of the std::any input array, optionally followed by a scaling method whose loop is "
    "'T0 t0 = x[i] - off[i]; T1 t1 = t0 >> shift[i]; y[i] = t1;' (AXOL1TL) or "
    "'double t0 = x[i] - bias[i]; double t1 = t0 / norm[i]; y[i] = static_cast<T>(t1);' (TOPO); "
    "predict: the top function on members, optionally 'loss = f(out)' with f = squares summed by "
    "nnet::reduce<T, N, nnet::Op_add<T>> or 'loss = out[k]'; read_result: one array or a std::pair of "
    "arrays/values copied from members"
)

_ID = r"[A-Za-z_]\w*"
_QID = rf"(?:{_ID}::)*{_ID}"
_TYPE = rf"{_QID}(?:\s*<[^;]*?>)?"
_ENUM_N = {"AP_SAT": 0, "AP_SAT_ZERO": 1, "AP_SAT_SYM": 2, "AP_WRAP": 3, "AP_WRAP_SM": 4}
_INT_TYPES = ("int", "unsigned", "unsigned int", "short", "long", "long long", "size_t", "int32_t", "int64_t")


# ----------------------------------------------------------------------------- description
@dataclass(frozen=True)
class ResultField:
    """One part of ``read_result``: ``field`` ('' for a plain array, 'first', 'second') <- member."""

    field: str
    member: str
    type: FixedType
    size: int | None          # None: one value (``= member[index]``)
    index: int = 0


@dataclass(frozen=True)
class ScoreSpec:
    """The wrapper's loss: ``kind`` 'sum_squares' or 'output', read from member ``source``."""

    kind: str
    source: str
    source_type: FixedType
    type: FixedType                     # the loss member's type
    n: int = 0                          # sum_squares: number of terms
    index: int = 0                      # output: the element used
    square_type: FixedType | None = None


@dataclass(frozen=True)
class WrapperSpec:
    """What a wrapper folder computes, read from its source (see the module docstring)."""

    folder: Path
    cpp: Path
    class_name: str
    network_dir: Path
    top: str
    top_params: tuple[tuple[str, FixedType, int], ...]    # (name, type, size) in argument order
    call_args: tuple[str, ...]                            # members passed to the top function
    input_type: FixedType
    input_size: int
    input_member: str
    scaling: OffsetShiftScaling | AffineDoubleScaling | CopyInput
    network_input_member: str
    score: ScoreSpec | None
    result: tuple[ResultField, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def kind(self) -> str:
        return self.scaling.kind

    def describe(self) -> dict[str, Any]:
        return {"folder": str(self.folder), "wrapper": self.cpp.name, "class": self.class_name,
                "network": str(self.network_dir), "top": self.top, "input_type": str(self.input_type),
                "input_size": self.input_size, "scaling": self.scaling.describe(),
                "score": None if self.score is None else {"kind": self.score.kind, "type": str(self.score.type)},
                "read_result": [(r.field or "array", r.member, str(r.type), r.size) for r in self.result]}


def _fixed(text: str, decl: cpp.Declarations, what: str) -> FixedType:
    t = decl.resolve_type(text)
    # an ap_o_mode enum name in the N position (CICADA: ap_ufixed<16,8,AP_RND,AP_SAT,AP_SAT>) is its value
    t = re.sub(r",\s*(AP_SAT_ZERO|AP_SAT_SYM|AP_SAT|AP_WRAP_SM|AP_WRAP)\s*>$",
               lambda m: f",{_ENUM_N[m.group(1)]}>", t) if t.count(",") >= 4 else t
    try:
        return FixedType.parse(t)
    except ModelFormatError as err:
        msg = f"{what}: type {text!r} (= {t!r}) is not an ap_fixed/ap_int type: {err}"
        raise ModelFormatError(msg) from err


# ----------------------------------------------------------------------------- recognising the class
class _Reader:
    def __init__(self, folder: Path, cpp_path: Path) -> None:
        self.folder, self.path = folder, cpp_path
        self.text = cpp.read_text(cpp_path)
        self.decl = cpp.read_headers(cpp_path, root=folder)
        self.name, self.body = cpp.find_class(self.text, BASE_CLASS)
        self.members = self._members()

    def where(self, method: str) -> str:
        return f"{self.path.name} {self.name}::{method}"

    def _members(self) -> dict[str, tuple[str, str | None]]:
        """Data members declared in the class body (outside method bodies): name -> (type, size or None)."""
        flat, depth, buf = [], 0, []
        for ch in self.body:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                continue
            if depth == 0:
                buf.append(ch)
        flat = "".join(buf)
        flat = re.sub(r"\b(?:private|public|protected)\s*:", ";", flat)
        out = {}
        for stmt in flat.split(";"):
            s = " ".join(stmt.split())
            m = re.fullmatch(rf"(?:mutable )?({_TYPE}) ({_ID})(?: ?\[ ?([^\]]+?) ?\])?", s)
            if m and "(" not in s:
                out[m.group(2)] = (m.group(1), m.group(3))
        return out

    def definition(self, name: str) -> tuple[str, str, str] | None:
        """(return type, parameter list, body) of method ``name``, defined in the class or as ``Class::name``."""
        for text, prefix in ((self.body, ""), (self.text, rf"{re.escape(self.name)}\s*::\s*")):
            m = re.search(rf"(?:\b(?:virtual|static|inline)\s+)*({_TYPE})\s+{prefix}{re.escape(name)}\s*\(([^;{{}}]*)\)"
                          rf"\s*(?:const\s*)?(?:override\s*)?\{{", text)
            if m:
                close = cpp.matching_brace(text, m.end() - 1)
                return m.group(1), m.group(2), text[m.end():close]
        return None

    def method(self, name: str) -> list[cpp.Statement]:
        found = self.definition(name)
        body = None if found is None else found[2]
        if body is None:
            msg = f"{self.path.name}: class {self.name} has no method {name}(); a wrapper defines {SUPPORTED}"
            raise ModelFormatError(msg)
        return cpp.statements(body)

    def member_type(self, name: str, method: str) -> tuple[FixedType, int | None]:
        if name not in self.members:
            msg = f"{self.where(method)}: {name!r} is not a data member of {self.name} ({sorted(self.members)})"
            raise ModelFormatError(msg)
        t, size = self.members[name]
        return _fixed(t, self.decl, f"member {name}"), (None if size is None else self.decl.int_value(size))

    def refuse(self, method: str, stmt: str, expected: str):
        msg = (f"{self.where(method)}: unrecognised statement {stmt!r}; expected {expected}. "
               f"Supported wrappers: {SUPPORTED}")
        return ModelFormatError(msg)


def _loop_var(stmt: cpp.Statement) -> tuple[str | None, str | None]:
    if len(stmt.loops) > 1:
        return "", ""
    return stmt.loops[0] if stmt.loops else (None, None)


def _prepare_input(r: _Reader) -> tuple[FixedType, int, str, str | None]:
    """(input type, size, member filled, scaling method call or None)."""
    stmts = r.method("prepare_input")
    expected = "'T* p = std::any_cast<T*>(input);', a loop 'm[i] = std::any_cast<T>(p[i]);', optionally 'f(m, s);'"
    if len(stmts) not in (2, 3):
        raise r.refuse("prepare_input", " ; ".join(s.text for s in stmts), expected)
    m0 = re.fullmatch(rf"({_TYPE}) ?\* ?({_ID}) = std::any_cast<({_TYPE}) ?\*>\(({_ID})\)", stmts[0].text)
    if not m0:
        raise r.refuse("prepare_input", stmts[0].text, expected)
    in_t, ptr = m0.group(1), m0.group(2)
    var, bound = _loop_var(stmts[1])
    m1 = re.fullmatch(rf"({_ID})\[{var}\] = (?:std::any_cast<({_TYPE})>\()?{ptr}\[{var}\]\)?", stmts[1].text) \
        if var else None
    if not m1:
        raise r.refuse("prepare_input", stmts[1].text, expected)
    if m1.group(2) is not None and " ".join(m1.group(2).split()) != " ".join(in_t.split()):
        raise r.refuse("prepare_input", stmts[1].text, f"an any_cast to the input type {in_t}")
    call = None
    if len(stmts) == 3:
        m2 = re.fullmatch(rf"(?:this->)?({_ID})\(({_ID}), ?({_ID})\)", stmts[2].text)
        if not m2 or m2.group(2) != m1.group(1):
            raise r.refuse("prepare_input", stmts[2].text, f"a scaling call 'f({m1.group(1)}, scaled)'")
        call = stmts[2].text
    return _fixed(in_t, r.decl, "wrapper input"), r.decl.int_value(bound), m1.group(1), call


def _const_array(r: _Reader, name: str, n: int, what: str) -> tuple[str, list[Fraction]]:
    key = name.split("::")[-1]
    arr = r.decl.arrays.get(key)
    if arr is None:
        msg = (f"{r.path.name}: the {what} array {name!r} is not defined with an initializer in the wrapper or "
               f"the headers it includes ({', '.join(p.name for p in r.decl.files)})")
        raise ModelFormatError(msg)
    size = r.decl.int_value(arr.size) if arr.size else len(arr.values)
    if size != n or len(arr.values) not in (n,):
        msg = (f"{arr.where}: {what} array {key}[{arr.size}] has {len(arr.values)} initializers; "
               f"the scaling loop runs over {n}")
        raise ModelFormatError(msg)
    return arr.type, [cpp.parse_number(v) for v in arr.values]


def _scaling(r: _Reader, call: str, in_t: FixedType, n: int, src_member: str):
    m = re.fullmatch(rf"(?:this->)?({_ID})\(({_ID}), ?({_ID})\)", call)
    name, dst = m.group(1), m.group(3)
    found = r.definition(name)
    if found is None:
        msg = f"{r.where('prepare_input')}: calls {name}() which is not defined in class {r.name}"
        raise ModelFormatError(msg)
    _, sig, body = found
    params = [p.strip() for p in sig.split(",")]
    pnames = []
    for p in params:
        pm = re.fullmatch(rf"({_TYPE})\s+({_ID})\s*\[[^\]]*\]", " ".join(p.split()))
        if not pm:
            raise r.refuse(name, sig, "parameters 'T x[N], U y[N]'")
        pnames.append((pm.group(2), pm.group(1)))
    (xn, _xt), (yn, yt) = pnames
    out_t, out_n = r.member_type(dst, name)
    stmts = cpp.statements(body)
    texts = [s.text for s in stmts]
    var, bound = _loop_var(stmts[0]) if stmts else (None, None)
    if len(stmts) != 3 or not var or any(s.loops != stmts[0].loops for s in stmts) \
            or r.decl.int_value(bound) != n:
        raise r.refuse(name, " ; ".join(texts), f"three statements in one loop over the {n} inputs")
    ns = rf"(?:{_ID}::)*"
    a = re.fullmatch(rf"({_TYPE}) ({_ID}) = {xn}\[{var}\] - {ns}({_ID})\[{var}\]", texts[0])
    if a and a.group(1) not in ("double", "float"):
        b = re.fullmatch(rf"({_TYPE}) ({_ID}) = {a.group(2)} >> {ns}({_ID})\[{var}\]", texts[1])
        c = re.fullmatch(rf"{yn}\[{var}\] = {b.group(2)}" if b else "$^", texts[2])
        if not (b and c):
            raise r.refuse(name, texts[1] if not b else texts[2],
                           f"'T1 t1 = {a.group(2)} >> shift[{var}];' then '{yn}[{var}] = t1;'")
        off_type_text, off_vals = _const_array(r, a.group(3), n, "offset")
        sh_type_text, sh_vals = _const_array(r, b.group(3), n, "shift")
        off_t = _fixed(off_type_text, r.decl, "offset")
        sh_t = None if sh_type_text in _INT_TYPES else _fixed(sh_type_text, r.decl, "shift")
        t0, t1 = _fixed(a.group(1), r.decl, "tmp0"), _fixed(b.group(1), r.decl, "tmp1")
        y_t = _fixed(yt, r.decl, "scaled output")
        if y_t != out_t:
            msg = f"{r.where(name)}: its output parameter is {y_t} but member {dst} is {out_t}"
            raise ModelFormatError(msg)
        return OffsetShiftScaling(in_t, off_t, tuple(offset_raw(v, off_t) for v in off_vals),
                                  tuple(shift_int(v, sh_t) for v in sh_vals), t0, t1, out_t), dst
    a = re.fullmatch(rf"double ({_ID}) = {xn}\[{var}\] - {ns}({_ID})\[{var}\]", texts[0])
    if a:
        b = re.fullmatch(rf"double ({_ID}) = {a.group(1)} / {ns}({_ID})\[{var}\]", texts[1])
        c = re.fullmatch(rf"{yn}\[{var}\] = (?:static_cast<({_TYPE})>\(|\(({_TYPE})\) ?\(?)?{b.group(1)}\)?"
                         if b else "$^", texts[2])
        if not (b and c):
            raise r.refuse(name, texts[1] if not b else texts[2],
                           f"'double t1 = {a.group(1)} / norm[{var}];' then '{yn}[{var}] = static_cast<T>(t1);'")
        cast_to = c.group(1) or c.group(2)
        y_t = _fixed(yt, r.decl, "scaled output")
        if cast_to is not None and _fixed(cast_to, r.decl, "static_cast") != y_t:
            msg = f"{r.where(name)}: the cast to {cast_to} differs from the output type {y_t}; not supported"
            raise ModelFormatError(msg)
        b_type, b_vals = _const_array(r, a.group(2), n, "bias")
        n_type, n_vals = _const_array(r, b.group(2), n, "norm")
        if b_type not in _INT_TYPES or any(v.denominator != 1 for v in b_vals):
            msg = f"{r.where(name)}: bias array {a.group(2)} is {b_type}; only integer biases are supported"
            raise ModelFormatError(msg)
        if n_type not in _INT_TYPES + ("double",):
            msg = f"{r.where(name)}: norm array {b.group(2)} is {n_type}; supported: int or double"
            raise ModelFormatError(msg)
        if n_type in _INT_TYPES and any(v.denominator != 1 for v in n_vals):
            msg = f"{r.where(name)}: int norm array {b.group(2)} has non-integer initializers"
            raise ModelFormatError(msg)
        return AffineDoubleScaling(in_t, tuple(int(v) for v in b_vals), tuple(float(v) for v in n_vals), out_t), dst
    raise r.refuse(name, texts[0],
                   f"'T0 t0 = {xn}[{var}] - offsets[{var}];' or 'double t0 = {xn}[{var}] - bias[{var}];'")


def _top_signature(r: _Reader, top: str) -> tuple[tuple[str, FixedType, int], ...]:
    for path in r.decl.files:
        text = cpp.read_text(path)
        m = re.search(rf"\bvoid\s+{re.escape(top)}\s*\(([^)]*)\)\s*;", text)
        if m:
            out = []
            for p in cpp.split_top_level(m.group(1), ","):
                pm = re.fullmatch(rf"({_TYPE})\s+({_ID})\s*\[([^\]]+)\]", " ".join(p.split()))
                if not pm:
                    msg = f"{path.name}: top function {top}: parameter {p.strip()!r} is not 'T name[N]'"
                    raise ModelFormatError(msg)
                out.append((pm.group(2), _fixed(pm.group(1), r.decl, f"{top} parameter {pm.group(2)}"),
                            r.decl.int_value(pm.group(3))))
            return tuple(out)
    msg = (f"{r.path.name}: predict() calls {top}(), but no header the wrapper includes "
           f"({', '.join(p.name for p in r.decl.files)}) declares 'void {top}(...);'")
    raise ModelFormatError(msg)


def _predict(r: _Reader) -> tuple[str, tuple[str, ...], str | None, str | None]:
    """(top function, member arguments, loss member, loss method call or None)."""
    stmts = r.method("predict")
    expected = "'top(in, out...);' optionally followed by 'loss = f(out);'"
    if len(stmts) not in (1, 2):
        raise r.refuse("predict", " ; ".join(s.text for s in stmts), expected)
    m = re.fullmatch(rf"(?:{_ID}::)*({_ID})\(([^()]*)\)", stmts[0].text)
    if not m:
        raise r.refuse("predict", stmts[0].text, expected)
    args = tuple(a.strip() for a in m.group(2).split(","))
    if not all(re.fullmatch(_ID, a) for a in args):
        raise r.refuse("predict", stmts[0].text, "members as the top function's arguments")
    loss = call = None
    if len(stmts) == 2:
        m2 = re.fullmatch(rf"({_ID}) = (?:this->)?({_ID})\(({_ID})\)", stmts[1].text)
        if not m2:
            raise r.refuse("predict", stmts[1].text, "'loss = f(out);'")
        loss, call = m2.group(1), stmts[1].text
    return m.group(1), args, loss, call


def _score(r: _Reader, loss: str, call: str) -> ScoreSpec:
    m = re.fullmatch(rf"({_ID}) = (?:this->)?({_ID})\(({_ID})\)", call)
    fname, src = m.group(2), m.group(3)
    loss_t, _ = r.member_type(loss, "predict")
    src_t, src_n = r.member_type(src, "predict")
    found = r.definition(fname)
    if found is None:
        msg = f"{r.where('predict')}: calls {fname}() which is not defined in class {r.name}"
        raise ModelFormatError(msg)
    ret_text, sig, body = found
    ret_t = _fixed(ret_text, r.decl, f"{fname} return type")
    pm = re.fullmatch(rf"({_TYPE})\s+({_ID})\s*\[[^\]]*\]", " ".join(sig.split()))
    if not pm:
        raise r.refuse(fname, sig, "one parameter 'T out[N]'")
    p = pm.group(2)
    texts = [s.text for s in cpp.statements(body)]
    local = {}
    for t in texts:
        d = re.fullmatch(rf"({_TYPE}) ({_ID})(?: ?\[ ?([^\]]+?) ?\])?", t)
        if d and not t.startswith("return") and "=" not in t and not t.startswith("nnet::Op_add"):
            local[d.group(2)] = (d.group(1), d.group(3))
    rest = [t for t in texts if not (re.fullmatch(rf"({_TYPE}) ({_ID})(?: ?\[ ?([^\]]+?) ?\])?", t)
                                      and "=" not in t and not t.startswith("return"))]
    rest = [t for t in rest if not re.fullmatch(rf"nnet::Op_add<({_TYPE})> ({_ID})", t)]
    if len(rest) == 2:   # loss = p[k]; return loss;
        a = re.fullmatch(rf"({_ID}) = {p}\[(\d+)\]", rest[0])
        b = re.fullmatch(rf"return ({_ID})", rest[1])
        if a and b and a.group(1) == b.group(1) and a.group(1) in local:
            var_t = _fixed(local[a.group(1)][0], r.decl, f"{fname} local {a.group(1)}")
            if var_t != ret_t or ret_t != loss_t:
                msg = f"{r.where(fname)}: loss types differ ({var_t}, {ret_t}, {loss_t}); not supported"
                raise ModelFormatError(msg)
            return ScoreSpec("output", src, src_t, loss_t, index=int(a.group(2)))
    if len(rest) == 3:   # squares[i] = p[i] * p[i]; s = nnet::reduce<T, N, nnet::Op_add<T>>(squares, op); return s;
        sq = re.fullmatch(rf"({_ID})\[({_ID})\] = {p}\[\2\] \* {p}\[\2\]", rest[0])
        red = re.fullmatch(rf"({_ID}) = nnet::reduce<({_TYPE}), ?([^,<>]+), ?nnet::Op_add<({_TYPE})> ?>\(({_ID}), ?"
                           rf"({_ID})\)", rest[1])
        ret = re.fullmatch(rf"return ({_ID})", rest[2])
        if sq and red and ret and red.group(1) == ret.group(1) and red.group(5) == sq.group(1) \
                and sq.group(1) in local and red.group(1) in local:
            sq_t = _fixed(local[sq.group(1)][0], r.decl, f"{fname} local {sq.group(1)}")
            red_t = _fixed(red.group(2), r.decl, "nnet::reduce type")
            add_t = _fixed(red.group(4), r.decl, "nnet::Op_add type")
            sum_t = _fixed(local[red.group(1)][0], r.decl, f"{fname} local {red.group(1)}")
            n = r.decl.int_value(red.group(3))
            if len({sq_t, red_t, add_t, sum_t, ret_t, loss_t}) != 1:
                msg = (f"{r.where(fname)}: squares {sq_t}, reduce {red_t}, Op_add {add_t}, sum {sum_t}, return "
                       f"{ret_t} and loss {loss_t} differ; only one type throughout is supported")
                raise ModelFormatError(msg)
            if src_n is not None and n > src_n:
                msg = f"{r.where(fname)}: sums {n} squares of the {src_n} outputs"
                raise ModelFormatError(msg)
            return ScoreSpec("sum_squares", src, src_t, loss_t, n=n, square_type=sq_t)
    msg = (f"{r.where(fname)}: unrecognised loss computation {' ; '.join(texts)!r}; supported: squares summed "
           f"through nnet::reduce<T, N, nnet::Op_add<T>>, or 'loss = out[k]; return loss;'")
    raise ModelFormatError(msg)


def _read_result(r: _Reader) -> tuple[ResultField, ...]:
    stmts = r.method("read_result")
    if not stmts:
        raise r.refuse("read_result", "", "a cast of the std::any result and copies from members")
    head = stmts[0].text
    m = re.fullmatch(rf"(.+?) ?\* ?({_ID}) = std::any_cast<(.+)\*>\(({_ID})\)", head)
    if not m:
        raise r.refuse("read_result", head, "'T* p = std::any_cast<T*>(result);'")
    target, ptr = " ".join(m.group(1).split()), m.group(2)
    pair = re.fullmatch(r"std::pair ?<(.*)>", target)
    fields_t: dict[str, tuple[str, int | None]] = {}
    if pair:
        parts = cpp.split_top_level(pair.group(1), ",")
        if len(parts) != 2:
            raise r.refuse("read_result", head, "std::pair<A, B>")
        for name, part in zip(("first", "second"), parts, strict=True):
            a = re.fullmatch(r"\s*std::array ?<(.+), ?([^,<>]+?)\s*>\s*", part)
            fields_t[name] = (a.group(1), r.decl.int_value(a.group(2))) if a else (part.strip(), None)
    else:
        fields_t[""] = (target, -1)
    out = []
    for st in stmts[1:]:
        var, bound = _loop_var(st)
        if var:
            a = re.fullmatch(rf"{ptr}(?:->(first|second))?\[{var}\] = ({_ID})\[{var}\]", st.text)
            if not a:
                raise r.refuse("read_result", st.text, f"'{ptr}->first[{var}] = member[{var}];'")
            key = a.group(1) or ""
            t, size = fields_t[key]
            n = r.decl.int_value(bound)
            if size not in (-1, None) and size != n:
                msg = f"{r.where('read_result')}: copies {n} values into a std::array of {size}"
                raise ModelFormatError(msg)
            out.append(ResultField(key, a.group(2), _fixed(t, r.decl, f"read_result {key or 'array'}"), n))
        else:
            a = re.fullmatch(rf"{ptr}->(first|second) = ({_ID})(?:\[(\d+)\])?", st.text)
            if not a:
                raise r.refuse("read_result", st.text, f"'{ptr}->second = member;'")
            t, size = fields_t[a.group(1)]
            out.append(ResultField(a.group(1), a.group(2), _fixed(t, r.decl, f"read_result {a.group(1)}"), None,
                                   int(a.group(3) or 0)))
    if not out:
        raise r.refuse("read_result", head, "copies of members into the result")
    return tuple(out)


def _find_cpp(folder: Path) -> list[Path]:
    """The .cpp files in ``folder`` that define a class deriving from hls4mlEmulator::Model."""
    found = []
    for p in sorted(folder.glob("*.cpp")):
        try:
            text = p.read_text(errors="replace")
        except OSError:
            continue
        if BASE_CLASS in text and re.search(r"\bcreate_model\s*\(", text):
            found.append(p)
    return found


def is_wrapper_folder(path: str | Path) -> bool:
    """True when ``path`` is a folder whose top level holds an hls4mlEmulator::Model wrapper .cpp."""
    p = Path(path)
    return p.is_dir() and bool(_find_cpp(p))


def read_wrapper(folder: str | Path) -> WrapperSpec:
    """Read a CMSSW wrapper folder's class and constants (no network is loaded)."""
    folder = Path(folder)
    if not folder.is_dir():
        msg = f"{folder} is not a folder; give a CMSSW hls4mlEmulator wrapper folder (e.g. AXOL1TL_v4/)"
        raise ModelFormatError(msg)
    cands = _find_cpp(folder)
    if len(cands) != 1:
        msg = (f"{folder}: expected one .cpp defining a class derived from {BASE_CLASS} with create_model(), "
               f"found {len(cands)}{': ' + ', '.join(p.name for p in cands) if cands else ''}")
        raise ModelFormatError(msg)
    r = _Reader(folder, cands[0])
    in_t, in_n, in_member, scale_call = _prepare_input(r)
    member_t, member_n = r.member_type(in_member, "prepare_input")
    if member_n is not None and member_n < in_n:
        msg = f"{r.where('prepare_input')}: copies {in_n} values into {in_member}[{member_n}]"
        raise ModelFormatError(msg)
    if scale_call is None:
        scaling, net_in = CopyInput(in_t, member_t, in_n), in_member
    else:
        if member_t != in_t:
            msg = f"{r.where('prepare_input')}: member {in_member} is {member_t}, the input {in_t}; not supported"
            raise ModelFormatError(msg)
        scaling, net_in = _scaling(r, scale_call, in_t, in_n, in_member)
    top, args, loss, loss_call = _predict(r)
    params = _top_signature(r, top)
    if len(params) != len(args):
        msg = f"{r.where('predict')}: {top}() takes {len(params)} arguments, the wrapper passes {len(args)}"
        raise ModelFormatError(msg)
    for a, (pname, ptype, psize) in zip(args, params, strict=True):
        mt, _ = r.member_type(a, "predict")
        if mt != ptype:
            msg = f"{r.where('predict')}: member {a} is {mt} but {top}'s parameter {pname} is {ptype}"
            raise ModelFormatError(msg)
    if args[0] != net_in:
        msg = f"{r.where('predict')}: {top}() gets {args[0]} first, prepare_input fills {net_in}"
        raise ModelFormatError(msg)
    score = _score(r, loss, loss_call) if loss is not None else None
    result = _read_result(r)
    net_dir = _network_dir(folder, top, r)
    return WrapperSpec(folder, r.path, r.name, net_dir, top, params, args, in_t, in_n, in_member, scaling, net_in,
                       score, result)


def _network_dir(folder: Path, top: str, r: _Reader) -> Path:
    """The folder holding the .cpp that defines the top function (NN/ or the wrapper folder)."""
    for sub in [folder / "NN", folder, *sorted(p for p in folder.iterdir() if p.is_dir())]:
        if not sub.is_dir():
            continue
        for p in sorted(sub.glob("*.cpp")):
            if p == r.path:
                continue
            try:
                text = cpp.strip_comments(p.read_text(errors="replace"))
            except OSError:
                continue
            if re.search(rf"\bvoid\s+{re.escape(top)}\s*\([^;]*?\)\s*\{{", text):
                return sub
    msg = f"{folder}: no .cpp in NN/ or the folder defines the top function {top}() that predict() calls"
    raise ModelFormatError(msg)


# ----------------------------------------------------------------------------- the model
class WrapperModel:
    """A wrapper folder as one model: ``predict_raw(x)`` -> dict of raw outputs (see the module docstring)."""

    def __init__(self, spec: WrapperSpec, network) -> None:
        self.spec, self.network = spec, network
        self.source = str(spec.folder)
        self._out_names = _output_ports(network)
        n_in = len(_input_ports(network))
        if n_in != 1:
            msg = f"{spec.folder}: the wrapper feeds one input array, but the network has {n_in} input ports"
            raise ModelFormatError(msg)
        outs = spec.call_args[1:]
        if len(outs) != len(self._out_names):
            msg = (f"{spec.folder}: {spec.top}() writes {len(outs)} outputs, the loaded network has "
                   f"{len(self._out_names)} ({', '.join(self._out_names)})")
            raise ModelFormatError(msg)
        #: wrapper member -> network output port name: the port whose C++ argument is the top function's
        #: parameter at the member's position in the call (by position where ports carry no argument name)
        by_arg = {getattr(p, "arg", None): getattr(p, "name", p) for p in getattr(network, "output_ports", [])}
        params = [name for name, _, _ in spec.top_params[1:]]
        self.member_port = {m: by_arg.get(pn, default)
                            for m, pn, default in zip(outs, params, self._out_names, strict=True)}
        self._score_fn = self._score_head()

    # -- ports
    @property
    def input_type(self) -> FixedType:
        return self.spec.input_type

    @property
    def n_inputs(self) -> int:
        return self.spec.input_size

    @property
    def output_name(self) -> str:
        """The network's first output port (the encoder output of an AD wrapper)."""
        return self._out_names[0]

    @property
    def layers(self) -> list:
        """The network's layers (for timing estimators and reports)."""
        return list(getattr(self.network, "layers", []))

    @property
    def output_types(self) -> dict[str, FixedType]:
        out = {name: _port_type(self.network, name) for name in self._out_names}
        st = self.score_type
        if st is not None:
            out["score"] = st
        return out

    @property
    def score_type(self) -> FixedType | None:
        if self.spec.score is not None:
            return self.spec.score.type
        single = self._single_result()
        return None if single is None else single.type

    def _single_result(self) -> ResultField | None:
        res = self.spec.result
        if len(res) == 1 and (res[0].size in (None, 1)):
            return res[0]
        return None

    def _score_head(self):
        sc = self.spec.score
        if sc is None:
            return None
        if sc.kind == "sum_squares":
            from firmware_models.nn.scores import sum_mu2_head

            return sum_mu2_head(sc.source_type, sc.type, name="score", columns=slice(0, sc.n))
        return None

    # -- running
    def scale(self, x, *, reference: bool = False) -> np.ndarray:
        """Raw network-input values for raw wrapper inputs ``x`` (n_events, n_inputs)."""
        return self.spec.scaling.apply_reference(x) if reference else self.spec.scaling.apply(x)

    def score_from(self, outputs: dict[str, np.ndarray], *, reference: bool = False) -> np.ndarray | None:
        """The wrapper's score computed from the network's raw outputs (by port name)."""
        sc = self.spec.score
        if sc is None:
            single = self._single_result()
            if single is None:
                return None
            arr = outputs[self.member_port[single.member]]
            return _assign(arr[:, single.index] if arr.ndim == 2 else arr, _port_type(self.network,
                           self.member_port[single.member]), single.type, reference)
        src = np.asarray(outputs[self.member_port[sc.source]])
        if sc.kind == "sum_squares":
            head = self._score_fn
            return head.compute_reference(src) if reference else head.compute(src)
        return _assign(src[:, sc.index], sc.source_type, sc.type, reference)

    def predict_raw(self, x, *, reference: bool = False, intermediates: bool = False) -> dict[str, np.ndarray]:
        """Network output ports by name plus ``score`` (and ``scaled_input`` with ``intermediates``)."""
        if isinstance(x, dict):
            if len(x) != 1:
                msg = f"{self.spec.folder}: the wrapper takes one input array, got {sorted(x)}"
                raise ModelFormatError(msg)
            (x,) = x.values()
        scaled = self.scale(x, reference=reference)
        out = _run_network(self.network, scaled, reference)
        res = {name: np.asarray(out[name]) for name in self._out_names}
        score = self.score_from(res, reference=reference)
        if score is not None:
            res["score"] = np.asarray(score, dtype=np.int64)
        if intermediates:
            res["scaled_input"] = scaled
        return res

    def read_result(self, out: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray]]:
        """The parts ``read_result`` fills, as (field, raw array) from a :meth:`predict_raw` result."""
        parts = []
        for f in self.spec.result:
            if self.spec.score is not None and f.member not in self.member_port:
                arr = out["score"]
                src_t = self.spec.score.type
            else:
                name = self.member_port[f.member]
                arr, src_t = np.asarray(out[name]), _port_type(self.network, name)
                arr = arr[:, :f.size] if f.size is not None else arr[:, f.index]
            parts.append((f.field or "result", _assign(arr, src_t, f.type, False)))
        return parts

    def describe(self) -> dict[str, Any]:
        return self.spec.describe()

    def describe_ports(self) -> dict[str, list[dict]]:
        """The wrapper's input (what prepare_input takes) and its outputs (network ports, score)."""
        inputs = [{"name": "input", "shape": [self.n_inputs], "type": str(self.input_type),
                   "arg": f"{self.spec.class_name}::prepare_input"}]
        outputs = [{"name": name, "type": str(t)} for name, t in self.output_types.items()]
        return {"inputs": inputs, "outputs": outputs}

    def __repr__(self) -> str:
        return f"WrapperModel({self.source!r}: {self.spec.class_name}, {self.spec.kind} -> {self.spec.top})"


def _assign(arr, src: FixedType, dst: FixedType, reference: bool) -> np.ndarray:
    a = np.asarray(arr)
    if src == dst:
        return a.astype(np.int64, copy=False)
    if reference:
        f = src.fractional
        return np.array([convert_exact(int(v), -f, dst) for v in a.reshape(-1).tolist()],
                        dtype=np.int64).reshape(a.shape)
    return cast(a.astype(np.int64, copy=False), src, dst)


# ----------------------------------------------------------------------------- network adapter
def _input_ports(net) -> list:
    ports = getattr(net, "input_ports", None)
    if ports is not None:
        return list(ports)
    return [("input", net.input_type, net.n_inputs)]


def _output_ports(net) -> list[str]:
    ports = getattr(net, "output_ports", None)
    if ports is not None:
        return [getattr(p, "name", p) for p in ports]
    return [net.output_name]


def _port_type(net, name: str) -> FixedType:
    return net.output_types[name]


def _run_network(net, scaled: np.ndarray, reference: bool) -> dict[str, np.ndarray]:
    return net.predict_raw(scaled, reference=reference)


def load_wrapper(folder: str | Path) -> WrapperModel:
    """Read a wrapper folder and load its network: the model CMSSW's wrapper computes."""
    spec = read_wrapper(folder)
    from firmware_models.nn import load_hls4ml_project

    try:
        net = load_hls4ml_project(spec.network_dir)
    except ModelFormatError as err:
        err.add_note(f"while loading the network of wrapper {spec.cpp} ({spec.top} in {spec.network_dir})")
        raise
    _check_network(spec, net)
    return WrapperModel(spec, net)


def _check_network(spec: WrapperSpec, net) -> None:
    pname, ptype, psize = spec.top_params[0]
    ports = _input_ports(net)
    it = getattr(ports[0], "type", None) if ports and not isinstance(ports[0], tuple) else net.input_type
    if it is not None and it != ptype:
        msg = f"{spec.folder}: {spec.top}'s input {pname} is {ptype}, the loaded network's input is {it}"
        raise ModelFormatError(msg)
