"""``dense_da``: a Dense layer as the distributed-arithmetic code hls4ml/da4ml generate.

With ``Strategy: distributed_arithmetic`` hls4ml writes each Dense layer as a function in
the project's ``nnet_utils/nnet_code_gen.h`` (``<project>::dense_da_N<inp_t, out_t>(inp,
out)``, AXOL1TL v6): no weights, straight-line code where every statement declares one
variable of an explicit ``ap_fixed`` type from a sum of shifted inputs or earlier
variables (``ap_fixed<16, 5> v3 = bit_shift<-3>(inp[1]) - v2;``), bias constants written
as ``ap_ufixed<1, -1>(0.25)``, and ``out[k] = vN;`` at the end. The code is read, not
assumed: any function of that shape in the folder is accepted.

Semantics, from the folder's headers: ``bit_shift<s>(x)`` (``nnet_function_stubs.h``)
returns ``ap_fixed<b, i+s>`` (``ap_ufixed`` for an unsigned ``x``) holding the same raw
bits, i.e. ``x * 2^s`` exactly; ``+``, ``-``, unary ``-`` and ``*`` of ap_fixed values are
exact (their result types are wide enough, ``ap_fixed_base.h`` RType); ``T(c)`` assigns
the double ``c`` to ``T``; each declaration assigns the exact value to its declared type
(that type's rounding and overflow), and ``out[k] = v`` to ``out_t``.

The fast kernel evaluates the program as linear combinations on int64 (one numba pass
per event, bounds checked when the node is built); the twin evaluates the parsed
expressions in Python ints.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType, quantize
from firmware_models.fixed.exact import convert_exact
from firmware_models.jit import JIT_OPTIONS
from firmware_models.nn.cpp_decls import statements
from firmware_models.nn.cpp_reader import CppError, Token, eval_int, join_tokens, parse_number
from firmware_models.nn.kernels import requant_args, requant_one
from firmware_models.nn.registry import KindSpec, register

__all__ = ["DAProgram", "parse_program"]

_FIXED = ("ap_fixed", "ap_ufixed", "ap_int", "ap_uint")


# ----------------------------------------------------------------------------- parsing
class _Parser:
    def __init__(self, toks: list[Token], ctx, layer: str, slot_of, inp: str) -> None:
        self.t, self.i, self.ctx, self.layer, self.slot_of, self.inp = toks, 0, ctx, layer, slot_of, inp

    def fail(self, why: str):
        msg = f"layer {self.layer}: cannot read {join_tokens(self.t)!r} in the distributed-arithmetic code ({why})"
        raise ModelFormatError(msg)

    def peek(self, k: int = 0) -> str | None:
        return self.t[self.i + k].text if self.i + k < len(self.t) else None

    def take(self) -> Token:
        if self.i >= len(self.t):
            self.fail("unexpected end")
        self.i += 1
        return self.t[self.i - 1]

    def parse(self):
        e = self.expr()
        if self.i != len(self.t):
            self.fail(f"unexpected {self.peek()!r}")
        return e

    def expr(self):
        e = self.term()
        while self.peek() in ("+", "-"):
            op = self.take().text
            e = ("add" if op == "+" else "sub", e, self.term())
        return e

    def term(self):
        e = self.factor()
        while self.peek() == "*":
            self.take()
            e = ("mul", e, self.factor())
        return e

    def factor(self):
        if self.peek() in ("-", "+"):
            op = self.take().text
            f = self.factor()
            return ("neg", f) if op == "-" else f
        return self.primary()

    def _angle(self) -> list[Token]:
        """Tokens between ``<`` and its ``>`` (the opening one taken here)."""
        if self.take().text != "<":
            self.fail("'<' expected")
        depth, start = 1, self.i
        while depth:
            s = self.take().text
            depth += (s == "<") - (s == ">") - 2 * (s == ">>")
        return self.t[start:self.i - 1]

    def primary(self):
        t = self.take()
        if t.text == "(":
            e = self.expr()
            if self.take().text != ")":
                self.fail("')' expected")
            return e
        if t.kind == "num":
            return ("lit", parse_number(t.text, f"layer {self.layer}"))
        if t.kind != "id":
            self.fail(f"unexpected {t.text!r}")
        name = t.text
        while self.peek() == "::":
            self.take()
            name = self.take().text
        if name == "bit_shift":
            s = eval_int(self._angle(), self.ctx.decls.const, f"layer {self.layer}: bit_shift")
            return ("shift", s, self._paren())
        if name in _FIXED and self.peek() == "<":
            targs = self._angle()
            ty = self.ctx.type_tokens([t, Token("op", "<", t.file, t.line), *targs, Token("op", ">", t.file, t.line)],
                                      self.layer)
            return ("cast", ty, self._paren())
        if name == self.inp and self.peek() == "[":
            self.take()
            start = self.i
            while self.peek() != "]":
                self.take()
            k = eval_int(self.t[start:self.i], self.ctx.decls.const, f"layer {self.layer}: index")
            self.take()
            return ("in", k)
        if self.peek() == "(":   # a type name used as a constructor
            try:
                ty = self.ctx.type(name, self.layer)
            except ModelFormatError:
                self.fail(f"unknown function {name}")
            return ("cast", ty, self._paren())
        slot = self.slot_of(name)
        if slot is None:
            self.fail(f"{name} is used before it is declared")
        return ("var", slot)

    def _paren(self):
        if self.take().text != "(":
            self.fail("'(' expected")
        e = self.expr()
        if self.take().text != ")":
            self.fail("')' expected")
        return e


@dataclass
class DAProgram:
    """The parsed function: ``n_in`` inputs, statements ``(dest slot, type, expression)``, ``outputs`` slots."""

    n_in: int
    slot_types: list[FixedType]        # slots 0..n_in-1: inputs (inp_t); then one per statement
    statements: list[tuple[int, FixedType, tuple]]
    outputs: list[int]                  # out[k] -> slot (already cast to out_t by its own statement)
    stages: int                         # da4ml's 'Latency: k' markers (0 when absent)


def _lookup_function(call, ctx):
    fns = [f for f in ctx.function(call.function) if len(f.params) == 2 and all(p.dims for p in f.params)]
    return fns[0] if len(fns) == 1 else None


def parse_program(call, ctx) -> DAProgram:
    """Parse the project function ``call`` names into a :class:`DAProgram`."""
    fn = _lookup_function(call, ctx)
    layer = call.name
    if fn is None:
        msg = f"layer {layer}: no single definition of {call.qualified}(inp[N], out[M]) in the folder"
        raise ModelFormatError(msg)
    bind = dict(zip(fn.template, call.targs))

    def ty(toks):
        text = join_tokens(toks)
        return ctx.type(bind.get(text, text), layer)

    pin, pout = fn.params
    try:
        n_in = eval_int(pin.dims[0], ctx.decls.const, f"layer {layer}")
        n_out = eval_int(pout.dims[0], ctx.decls.const, f"layer {layer}")
    except CppError as exc:
        raise ModelFormatError(str(exc)) from exc
    t_in, t_out = ty(pin.type), ty(pout.type)
    slots: dict[str, int] = {}
    slot_types = [t_in] * n_in
    stmts: list[tuple[int, FixedType, tuple]] = []
    outputs: dict[int, int] = {}
    for st in statements(fn.body, {}):
        toks = st.tokens
        if st.kind == "decl" and st.decl_init is not None and not st.decl_dims:
            dest_t = ctx.type_tokens(st.decl_type, layer)
            e = _Parser(st.decl_init, ctx, layer, slots.get, pin.name).parse()
            slot = len(slot_types)
            slot_types.append(dest_t)
            stmts.append((slot, dest_t, e))
            slots[st.decl_name] = slot
        elif st.kind == "assign" and len(toks) >= 5 and toks[0].text == pout.name and toks[1].text == "[":
            close = [t.text for t in toks].index("]")
            k = eval_int(toks[2:close], ctx.decls.const, f"layer {layer}: out index")
            if toks[close + 1].text != "=":
                msg = f"layer {layer}: {join_tokens(toks)!r} is not an assignment to {pout.name}[k]"
                raise ModelFormatError(msg)
            e = _Parser(toks[close + 2:], ctx, layer, slots.get, pin.name).parse()
            slot = len(slot_types)
            slot_types.append(t_out)
            stmts.append((slot, t_out, e))
            outputs[k] = slot
        elif st.kind == "other" and not toks:
            continue
        else:
            msg = f"layer {layer}: {call.qualified} has a statement this emulator does not read: {join_tokens(toks)!r}"
            raise ModelFormatError(msg)
    missing = [k for k in range(n_out) if k not in outputs]
    if missing:
        msg = f"layer {layer}: {call.qualified} leaves out[{missing[0]}] unassigned (undefined output)"
        raise ModelFormatError(msg)
    import re

    stages = 0
    for (fname, line), text in ctx.comments().items():
        m = re.search(r"Latency:\s*(\d+)", text)
        if m and fname == fn.file and fn.body and fn.line <= line <= fn.body[-1].line:
            stages = max(stages, int(m.group(1)))
    return DAProgram(n_in, slot_types, stmts, [outputs[k] for k in range(n_out)], stages)


# ----------------------------------------------------------------------------- exact evaluation (the twin)
def _eval(e, vals: list[int], types: list[FixedType]) -> tuple[int, int]:
    """(raw, frac): the exact value raw * 2**-frac of an expression."""
    op = e[0]
    if op in ("in", "var"):
        s = e[1]
        return vals[s], types[s].fractional
    if op == "neg":
        r, f = _eval(e[1], vals, types)
        return -r, f
    if op in ("add", "sub"):
        (ra, fa), (rb, fb) = _eval(e[1], vals, types), _eval(e[2], vals, types)
        f = max(fa, fb)
        ra, rb = ra << (f - fa), rb << (f - fb)
        return (ra + rb if op == "add" else ra - rb), f
    if op == "mul":
        (ra, fa), (rb, fb) = _eval(e[1], vals, types), _eval(e[2], vals, types)
        return ra * rb, fa + fb
    if op == "shift":
        r, f = _eval(e[2], vals, types)
        return r, f - e[1]
    if op == "cast":
        t = e[1]
        c = _literal(e[2])
        if c is not None:   # T(c): the C++ literal (a double) assigned to T
            return int(quantize(np.array(c), t)), t.fractional
        r, f = _eval(e[2], vals, types)
        return convert_exact(r, -f, t), t.fractional
    msg = "a bare number in an ap_fixed expression (write it as T(value))"
    raise ModelFormatError(msg)


def _literal(e) -> float | None:
    """The double value of a constant made of number literals (``-0.125``), else None."""
    if e[0] == "lit":
        return float(e[1])
    if e[0] == "neg":
        v = _literal(e[1])
        return None if v is None else -v
    return None


def _run_ref(prog: DAProgram, x: list[int]) -> list[int]:
    vals = [int(v) for v in x] + [0] * len(prog.statements)
    for slot, t, e in prog.statements:
        r, f = _eval(e, vals, prog.slot_types)
        vals[slot] = convert_exact(r, -f, t)
    return [vals[s] for s in prog.outputs]


def _reference(node, xs):
    return _run_ref(node.attrs["program"], xs[0])


# ----------------------------------------------------------------------------- compiled linear form
def _linear(e, types, consts_cache) -> tuple[int, dict[int, int], int]:
    """(F, {slot: coef}, const): value * 2**F = sum coef * raw[slot] + const, or raise _NonLinear."""
    op = e[0]
    if op in ("in", "var"):
        return types[e[1]].fractional, {e[1]: 1}, 0
    if op == "neg":
        f, c, k = _linear(e[1], types, consts_cache)
        return f, {s: -v for s, v in c.items()}, -k
    if op in ("add", "sub"):
        fa, ca, ka = _linear(e[1], types, consts_cache)
        fb, cb, kb = _linear(e[2], types, consts_cache)
        f = max(fa, fb)
        sa, sb = 1 << (f - fa), 1 << (f - fb)
        sign = 1 if op == "add" else -1
        out = {s: v * sa for s, v in ca.items()}
        for s, v in cb.items():
            out[s] = out.get(s, 0) + sign * v * sb
        return f, out, ka * sa + sign * kb * sb
    if op == "shift":
        f, c, k = _linear(e[2], types, consts_cache)
        return f - e[1], c, k
    if op == "mul":
        fa, ca, ka = _linear(e[1], types, consts_cache)
        fb, cb, kb = _linear(e[2], types, consts_cache)
        if ca and cb:
            raise _NonLinear
        if not ca:
            return fa + fb, {s: v * ka for s, v in cb.items()}, ka * kb
        return fa + fb, {s: v * kb for s, v in ca.items()}, ka * kb
    if op == "cast":
        if _literal(e[2]) is None:
            raise _NonLinear
        r, fr = _eval(e, [], types)
        return fr, {}, r
    raise _NonLinear


class _NonLinear(Exception):
    pass


@numba.njit(**JIT_OPTIONS)
def _da_kernel(x, n_slots, ptr, src, coef, const, d, qm, om, wd, sg, lo, hi, dest, outs, out):  # pragma: no cover
    n_ev, n_in = x.shape
    vals = np.empty(n_slots, dtype=np.int64)
    for e in range(n_ev):
        for i in range(n_in):
            vals[i] = x[e, i]
        for k in range(dest.shape[0]):
            acc = const[k]
            for j in range(ptr[k], ptr[k + 1]):
                acc += coef[j] * vals[src[j]]
            vals[dest[k]] = requant_one(acc, d[k], qm[k], om[k], wd[k], sg[k], lo[k], hi[k])
        for j in range(outs.shape[0]):
            out[e, j] = vals[outs[j]]


def _compile(prog: DAProgram):
    """The numba tables of the program, or None when a statement is not linear or may exceed int64."""
    types = prog.slot_types
    bound = [max(abs(t.min_raw), abs(t.max_raw)) for t in types]
    ptr, src, coef, const, d, modes, dest = [0], [], [], [], [], [], []
    try:
        for slot, t, e in prog.statements:
            f, c, k = _linear(e, types, None)
            mag = sum(abs(v) * bound[s] for s, v in c.items()) + abs(k)
            shift = f - t.fractional
            if mag >= 2**62 or (shift < 0 and mag << -shift >= 2**62) or abs(shift) > 62 or t.width > 62 or \
                    t.sat_bits:
                return None
            for s, v in sorted(c.items()):
                if v:
                    src.append(s)
                    coef.append(v)
            ptr.append(len(src))
            const.append(k)
            d.append(shift)
            modes.append(requant_args(t))
            dest.append(slot)
    except _NonLinear:
        return None
    i64 = np.int64
    cols = list(zip(*modes)) if modes else [[]] * 6
    return (len(types), np.array(ptr, i64), np.array(src, i64), np.array(coef, i64), np.array(const, i64),
            np.array(d, i64), np.array(cols[0], i64), np.array(cols[1], i64), np.array(cols[2], i64),
            np.array(cols[3], np.bool_), np.array(cols[4], i64), np.array(cols[5], i64), np.array(dest, i64),
            np.array(prog.outputs, i64))


def _kernel(node, xs):
    x = np.ascontiguousarray(xs[0], dtype=np.int64)
    tables = node.cache.get("tables", False)
    if tables is False:
        tables = node.cache["tables"] = _compile(node.attrs["program"])
    if tables is None:   # a product of two variables, a cast of a variable, or more than 62 bits: exact Python
        prog = node.attrs["program"]
        return np.array([_run_ref(prog, row) for row in x.tolist()], dtype=np.int64).reshape(len(x), node.n_out)
    out = np.empty((x.shape[0], node.n_out), dtype=np.int64)
    _da_kernel(x, *tables, out)
    return out


# ----------------------------------------------------------------------------- registry
def _matches(call, ctx) -> bool:
    return call.namespace != "nnet" and _lookup_function(call, ctx) is not None and \
        any(f.file.endswith(".h") for f in ctx.function(call.function))


def _build(call, ctx):
    from firmware_models.nn.graph import Node

    prog = parse_program(call, ctx)
    types = {"input": ctx.type(call.targs[0], call.name), "result": ctx.type(call.targs[1], call.name)}
    return Node(name=call.name, kind="dense_da", inputs=(call.args[0],), output=call.args[1], types=types,
                attrs={"program": prog, "stages": prog.stages, "function": call.qualified},
                in_shapes=((prog.n_in,),), out_shape=(len(prog.outputs),))


def _timing(desc) -> tuple[int, int]:
    return max(1, int(desc.get("stages", 1))), 1


register(KindSpec(
    kind="dense_da", kernel=_kernel, reference=_reference, timing=_timing,
    timing_rule="k cycles for da4ml's 'Latency: k' adder stages (at least 1; uncalibrated), II 1",
    convention="hls4ml distributed arithmetic (da4ml) code in the project's nnet_utils/nnet_code_gen.h: each "
               "statement assigns the exact value of a sum of bit_shift<s>(x) (nnet_function_stubs.h: same raw bits "
               "in ap_fixed<b, i+s>), earlier variables and T(c) constants to its declared ap_fixed type; "
               "out[k] = v assigns to out_t", matches=_matches, build_hls4ml=_build))
