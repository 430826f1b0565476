"""Loader 1: an hls4ml project folder, as its authors ship it -> :class:`~firmware_models.nn.model.NNModel`.

Accepted layouts: ``<output_dir>/firmware/`` (hls4ml writes it, any project name, Vivado or
Vitis, io_parallel or io_stream) or a bare folder holding the top ``.cpp`` (the cms-hls4ml
folders: ``AXOL1TL_vN/NN``, ``CICADA_v1``, ``TOPO_.../NN``). The folder is read with the
C++-subset reader (:mod:`.cpp_reader`, :mod:`.cpp_decls`) the way g++ compiles CMSSW's
emulator (:data:`~firmware_models.nn.model.CONVENTIONS` ``preprocessor``): comments and
inactive ``#if`` branches are ignored, so commented-out or ``#ifdef``'d weight loaders are
not live code; sizes may be macros, products, ``static const`` or ``constexpr``
expressions; types, configs and weights are found in whatever header defines them
(``defines.h``, ``parameters.h``, ``weights/*.h``, one ``weights.h``), in any namespace.

The top function is the function of a ``.cpp`` in the folder whose body calls layers. Its
array (or ``hls::stream``) arguments are the ports, in argument order: inputs are the
arguments no layer writes, outputs the ones a layer writes; weight arrays passed as
arguments (hls4ml's BramFactor) are weights, not data. Each call in the body becomes one
graph node through its kind's builder in :mod:`firmware_models.nn.registry` (named by the
``// name`` comment hls4ml writes after it); ``auto&`` aliases are followed; hls4ml's
C-simulation helpers (``load_weights_from_txt``, ``save_layer_output``, ``convert_data``)
move no data and are skipped. Weights come from a live ``load_weights_from_txt`` (the
``weights/*.txt`` file) or else from the array's initializer; either way each decimal
literal is read as a double and assigned to the weight type. The folder's own
``nnet_utils`` copy decides where versions differ (:mod:`.nnet_headers`).

Anything it cannot model raises :class:`~firmware_models.errors.ModelFormatError` naming
the layer, what it is and what is supported.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from firmware_models.errors import ModelFormatError
from firmware_models.fixed import FixedType, quantize
from firmware_models.nn import registry
from firmware_models.nn.cpp_decls import Call, Declarations, Function, number_list, read_declarations, statements
from firmware_models.nn.cpp_reader import CppError, Source, Token, eval_int, join_tokens, read_file, split_top
from firmware_models.nn.graph import Graph, Port, size_of
from firmware_models.nn.model import NNModel
from firmware_models.nn.nnet_headers import NnetHeaders

__all__ = ["load_hls4ml_project", "resource_order", "ProjectReader"]

#: calls in a top function that move no data between layers: weight loading, and what hls4ml's writer adds
#: under #ifndef __SYNTHESIS__ for hls_model.trace() (writer/vivado_writer.py write_project_cpp)
_CSIM_HELPERS = ("load_weights_from_txt", "load_compressed_weights_from_txt", "load_exponent_weights_from_txt",
                 "convert_data", "save_layer_output", "print_result")
_FIXED_NAMES = ("ap_fixed", "ap_ufixed", "ap_int", "ap_uint")


def resource_order(kernel: str, n_in: int, n_out: int, rf: int):
    """Order of product additions per output in hls4ml's resource kernels (see ``layers.dense``)."""
    from firmware_models.nn.layers.dense import resource_order as _ro

    return _ro(kernel, n_in, n_out, rf)


class Config:
    """A config struct of ``parameters.h``: integer fields, type fields, template aliases."""

    def __init__(self, reader: ProjectReader, struct, layer: str) -> None:
        self.reader, self.struct, self.layer = reader, struct, layer
        self._values: dict[str, int] = {}

    @property
    def base(self) -> str:
        return self.struct.base

    def has(self, name: str) -> bool:
        return name in self.struct.fields

    def _lookup(self, name: str):
        base = name.split("::")[-1]
        if base in self.struct.fields and not name.startswith("nnet::"):
            return self.int(base)
        return self.reader.decls.const(name)

    def int(self, name: str, default=None) -> int:
        if name in self._values:
            return self._values[name]
        toks = self.struct.fields.get(name)
        if toks is None:
            if default is None:
                msg = f"layer {self.layer}: config {self.struct.name} has no field {name}"
                raise ModelFormatError(msg)
            return default
        v = eval_int(toks, self._lookup, f"layer {self.layer}: config {self.struct.name}::{name}")
        self._values[name] = v
        return v

    def text(self, name: str) -> str | None:
        toks = self.struct.fields.get(name)
        return None if toks is None else join_tokens(toks)

    def number(self, name: str, default: float) -> float:
        """A numeric field (``static constexpr float exp_scale = 1.0``, ``const slope_t cfg::slope = 0.2``)."""
        toks = self.struct.fields.get(name)
        if toks is None:
            return default
        return self.reader.number(join_tokens(toks), self.layer, f"{self.struct.name}::{name}")

    def member_type(self, name: str) -> FixedType | None:
        """The declared type of a ``static const T name;`` member (defined out of the struct), or None."""
        toks = self.struct.members.get(name)
        return None if toks is None else self.reader.type_tokens(toks, self.layer)

    def type(self, name: str, default: str | None = None) -> FixedType:
        toks = self.struct.typedefs.get(name)
        if toks is None:
            if default is None:
                msg = f"layer {self.layer}: config {self.struct.name} has no typedef {name}"
                raise ModelFormatError(msg)
            return self.reader.type(default, self.layer)
        return self.reader.type_tokens(toks, self.layer)

    def using(self, name: str) -> str | None:
        """The template a ``using name = nnet::[product::]X<...>`` alias names (``X``), or None."""
        toks = self.struct.usings.get(name)
        if toks is None:
            return None
        ids = []
        for t in toks:
            if t.text == "<":
                break
            if t.kind == "id":
                ids.append(t.text)
        return ids[-1] if ids else None


class ProjectReader:
    """A project folder's top function, declarations and weights (the builders' ``ctx``)."""

    def __init__(self, root: Path, nnet_utils: Path | None = None) -> None:
        self.root = root
        self.fw = root / "firmware" if (root / "firmware").is_dir() else root
        self.utils_dir: Path | None = None
        self.headers = NnetHeaders(None)
        self.top, self.decls, self.src = self._find_top()
        if nnet_utils is not None:
            if not (Path(nnet_utils) / "nnet_common.h").is_file():
                msg = (f"nnet_utils={nnet_utils} holds no nnet_common.h; give the nnet_utils folder the project "
                       "compiles with")
                raise ModelFormatError(msg)
            self.utils_dir = Path(nnet_utils)
        self.headers = NnetHeaders(self.utils_dir)
        self.loads: dict[str, tuple[str, str, list]] = {}
        self._types: dict[str, FixedType] = {}

    # ---------------------------------------------------------------- reading
    def _resolve(self, name: str, including: Path) -> Path | None:
        for base in (including.parent, self.fw, self.root, self.fw.parent):
            p = (base / name).resolve()
            if p.is_file():
                if p.name.startswith("nnet_") and p.name != "nnet_code_gen.h":
                    # hls4ml's library (nnet_utils): its version is read by nnet_headers, not as project code
                    if self.utils_dir is None:
                        self.utils_dir = p.parent
                    return None
                return p
        return None

    def _read_unit(self, cpp: Path) -> tuple[Declarations, Source]:
        src = read_file(cpp.resolve(), self._resolve)
        return read_declarations(src), src

    def _find_top(self) -> tuple[Function, Declarations, Source]:
        if not self.fw.is_dir():
            msg = f"{self.root} is not a directory; pass an hls4ml project folder (the output_dir, its firmware/, " \
                  "or a folder holding the top .cpp)"
            raise ModelFormatError(msg)
        found, seen = [], []
        for cpp in sorted(self.fw.glob("*.cpp")):
            try:
                text = cpp.read_text(errors="replace")
            except OSError:
                continue
            if "::" not in text:
                continue
            try:
                decls, src = self._read_unit(cpp)
            except CppError:
                continue
            seen.append(cpp.name)
            for fns in decls.functions.values():
                for fn in fns:
                    if fn.file == str(cpp.resolve()) and self._calls_layers(fn, decls, src):
                        found.append((fn, decls, src, cpp))
        if not found:
            hint = ""
            subs = [p.name for p in self.fw.iterdir() if p.is_dir() and list(p.glob("*.cpp"))] \
                if self.fw.is_dir() else []
            if subs:
                hint = (f"; the network may be in a subfolder: {', '.join(sorted(subs))} (a CMSSW emulator wrapper "
                        "folder keeps it in NN/)")
            msg = (f"{self.fw}: no top function (a .cpp with a function that calls nnet:: layers) among "
                   f"{seen or 'no .cpp files'}; is this an hls4ml project?{hint}")
            raise ModelFormatError(msg)
        if len(found) > 1:
            named = [f for f in found if f[0].name == f[3].stem]
            if len(named) == 1:
                found = named
            else:
                msg = (f"{self.fw}: several functions call layers ({', '.join(f[0].name for f in found)}); "
                       "pass a folder with one network")
                raise ModelFormatError(msg)
        fn, decls, src, _ = found[0]
        return fn, decls, src

    @staticmethod
    def _calls_layers(fn: Function, decls: Declarations, src: Source) -> bool:
        for st in statements(fn.body, src.trailing):
            if st.kind == "call" and st.call.namespace.split("::")[-1:] == ["nnet"] \
                    and st.call.function not in _CSIM_HELPERS:
                return True
            if st.kind == "call" and st.call.function in decls.functions and \
                    any(f.file.endswith("nnet_code_gen.h") for f in decls.functions[st.call.function]):
                return True
        return False

    # ---------------------------------------------------------------- the builders' interface
    def type(self, text: str, layer: str) -> FixedType:
        """The fixed-point type a type name or spelling denotes (typedefs followed)."""
        key = text
        if key in self._types:
            return self._types[key]
        from firmware_models.nn.cpp_reader import tokenize

        t = self.type_tokens(tokenize(text, "<type>"), layer)
        self._types[key] = t
        return t

    def type_tokens(self, toks: list[Token], layer: str, _depth: int = 0) -> FixedType:
        toks = [t for t in toks if t.text not in ("typename", "const", "volatile")]
        text = join_tokens(toks)
        if _depth > 32:
            msg = f"layer {layer}: typedef cycle at {text}"
            raise ModelFormatError(msg)
        # drop namespace qualifiers
        while len(toks) >= 2 and toks[1].text == "::" and (toks[0].text in self.decls.namespaces or
                                                           toks[0].text in ("nnet", "hls4ml")):
            toks = toks[2:]
        if len(toks) == 1 and toks[0].kind == "id" and toks[0].text in self.decls.typedefs:
            return self.type_tokens(self.decls.typedefs[toks[0].text], layer, _depth + 1)
        if toks and toks[0].text == "array" and len(toks) > 2 and toks[1].text == "<":
            # io_stream packs values in nnet::array<T, N*k> (nnet_utils/nnet_types.h); the arithmetic is on T
            inner = split_top(toks[2:-1], ",", angle=True)[0]
            return self.type_tokens(inner, layer, _depth + 1)
        if toks and toks[0].text in _FIXED_NAMES and len(toks) > 2 and toks[1].text == "<":
            parts = split_top(toks[2:-1], ",", angle=True)
            vals = []
            for k, part in enumerate(parts):
                if k in (0, 1, 4):
                    try:
                        vals.append(str(eval_int(part, self.decls.const, f"layer {layer}: type {text}")))
                    except CppError as exc:
                        msg = f"layer {layer}: type {text}: {exc}"
                        raise ModelFormatError(msg) from exc
                else:
                    vals.append(join_tokens(part).split("::")[-1])
            text = f"{toks[0].text}<{','.join(vals)}>"
        try:
            return FixedType.parse(text)
        except ModelFormatError as exc:
            msg = f"layer {layer}: type {join_tokens(toks)!r} is not a fixed-point type this emulator models ({exc})"
            raise ModelFormatError(msg) from exc

    def config(self, name: str, layer: str) -> Config:
        st = self.decls.structs.get(self.decls.unqualify(name))
        if st is None:
            msg = f"layer {layer}: config struct {name} not found in the project's headers (parameters.h)"
            raise ModelFormatError(msg)
        return Config(self, st, layer)

    def number(self, arg: str, layer: str, what: str) -> float:
        from firmware_models.nn.cpp_reader import parse_number, tokenize

        toks = tokenize(arg, "<arg>")
        sign = 1
        while toks and toks[0].text in "+-":
            sign = -sign if toks[0].text == "-" else sign
            toks = toks[1:]
        if len(toks) == 1 and toks[0].kind == "num":
            return sign * parse_number(toks[0].text, f"layer {layer}")
        try:
            return sign * eval_int(toks, self.decls.const, f"layer {layer}")
        except CppError as exc:
            msg = f"layer {layer}: {what} {arg!r} is not a number literal"
            raise ModelFormatError(msg) from exc

    def variant(self, kind: str, layer: str) -> str:
        return self.headers.variant(kind, layer)

    def activation_variant(self):
        """The folder's ``nnet_activation.h`` generation (hls4ml 1.3.0's without a nnet_utils copy)."""
        from firmware_models.nn.nnet_variants import DEFAULT_VARIANT, as_variant, detect_variant

        if getattr(self, "_act_variant", None) is None:
            header = self.utils_dir / "nnet_activation.h" if self.utils_dir is not None else None
            self._act_variant = detect_variant(header.read_text(errors="replace"), source=str(header)) \
                if header is not None and header.is_file() else as_variant(DEFAULT_VARIANT)
        return self._act_variant

    def function(self, name: str) -> list[Function]:
        return self.decls.functions.get(self.decls.unqualify(name).split("::")[-1], [])

    def comments(self) -> dict:
        return self.src.comments

    def is_weight(self, var: str) -> bool:
        return var in self.loads or var in self.decls.arrays

    def weights(self, var: str, layer: str) -> tuple[np.ndarray, FixedType]:
        """Raw weight values (flat) and their type: a live .txt loader, else the array's initializer."""
        var = self.decls.unqualify(var)
        arr = self.decls.arrays.get(var)
        if var in self.loads:
            tname, fname, size_toks = self.loads[var]
            t = self.type(tname, layer)
            vals = self._txt_values(fname, layer)
            size = eval_int(size_toks or arr.size, self.decls.const, f"layer {layer}: {var}")
            where = f"weights/{fname}"
        elif arr is not None and arr.init is not None:
            t = self.type_tokens(arr.type, layer)
            try:
                vals = number_list(arr.init, f"{arr.file}:{arr.line} {var}")
                size = eval_int(arr.size, self.decls.const, f"layer {layer}: {var}")
            except CppError as exc:
                raise ModelFormatError(str(exc)) from exc
            where = Path(arr.file).name
        else:
            state = f"declared without values ({Path(arr.file).name}:{arr.line})" if arr is not None else \
                f"not defined in the project's headers (e.g. weights/{var}.h)"
            msg = (f"layer {layer}: weights {var} are neither loaded by the top function (load_weights_from_txt) "
                   f"nor given values: {state}; pass a complete project folder (weights/*.h, weights.h or "
                   "weights/*.txt)")
            raise ModelFormatError(msg)
        if len(vals) != size:
            msg = f"layer {layer}: {where} holds {len(vals)} values, the firmware expects {size}"
            raise ModelFormatError(msg)
        return quantize(np.array(vals, dtype=np.float64), t, context=f"layer {layer} {var}"), t

    def _txt_values(self, fname: str, layer: str) -> list[float]:
        for base in (self.fw / "weights", self.root / "weights", self.fw):
            p = base / fname
            if p.is_file():
                text = p.read_text()
                line = text.splitlines()[0] if text.strip() else ""
                try:
                    return [float(tok) for tok in line.split(",") if tok.strip()]
                except ValueError as exc:
                    msg = f"{p}: not a comma-separated list of decimal numbers ({exc})"
                    raise ModelFormatError(msg) from exc
        msg = f"layer {layer}: the top function loads weights/{fname}, which is not in {self.fw / 'weights'}"
        raise ModelFormatError(msg)


def _layer_name(call: Call, used: set[str]) -> str:
    words = call.comment.split()
    name = words[0] if len(words) == 1 else ""
    if not name or not all(c.isalnum() or c in "_-." for c in name):
        name = call.args[-1] if call.args else call.function
    base, k = name, 1
    while name in used:
        k += 1
        name = f"{base}_{k}"
    used.add(name)
    return name


def _build_graph(prj: ProjectReader) -> Graph:
    top, decls = prj.top, prj.decls
    stmts = statements(top.body, prj.src.trailing)
    for st in stmts:   # live weight loaders (after the preprocessor: only those g++ compiles)
        c = st.call
        if st.kind == "call" and c.function == "load_weights_from_txt" and len(c.args) >= 2 and c.targs:
            fname = c.args[1].strip('"')
            prj.loads[decls.unqualify(c.args[0])] = (c.targs[0], fname, c.targ_tokens[1] if len(c.targs) > 1 else [])
    where = f"{prj.fw}: top function {top.name}"
    params = [p for p in top.params if not prj.is_weight(p.name)]
    alias: dict[str, str] = {}
    declared: dict[str, tuple[int | None, FixedType | None]] = {}

    def size_of_dims(dims, name: str) -> int | None:
        if not dims:
            return None
        n = 1
        for d in dims:
            try:
                n *= eval_int(d, decls.const, f"{where}: size of {name}")
            except CppError as exc:
                raise ModelFormatError(str(exc)) from exc
        return n

    for p in params:
        declared[p.name] = (size_of_dims(p.dims, p.name), prj.type_tokens(p.type, p.name))
    nodes, used = [], set()
    for st in stmts:
        if st.kind == "decl" and st.decl_type:
            if st.decl_dims or st.tokens[0].text == "hls":   # an array, or an hls::stream of io_stream
                try:
                    t = prj.type_tokens(st.decl_type, st.decl_name)
                except ModelFormatError:
                    t = None
                declared[st.decl_name] = (size_of_dims(st.decl_dims, st.decl_name), t)
            continue
        if st.kind == "alias":
            alias[st.decl_name] = alias.get(st.alias_of, st.alias_of)
            continue
        if st.kind != "call":
            continue
        c = st.call
        if c.function in _CSIM_HELPERS or c.namespace.startswith("std"):
            continue
        c.args = [alias.get(a, a) for a in c.args]
        if c.namespace == "nnet" and c.function == "clone_stream":
            # io_stream fan-out: each copy carries the source's values (clone_stream<data_T, res_T, N>); with one
            # pack type on both sides the copies are the same tensor
            if len(c.targs) < 2 or c.targs[0] != c.targs[1]:
                msg = f"{where}: clone_stream<{', '.join(c.targs)}> changes the pack type; not supported"
                raise ModelFormatError(msg)
            for a in c.args[1:]:
                alias[a] = c.args[0]
            continue
        c.name = _layer_name(c, used)
        spec = registry.for_call(c, prj, layer=c.name)
        node = spec.build_hls4ml(c, prj)
        nodes.append(node)
    if not nodes:
        msg = f"{where} calls no layers"
        raise ModelFormatError(msg)
    written = {n.output for n in nodes}
    read_by = {}
    for n in nodes:
        for t, shape in zip(n.inputs, n.in_shapes):
            read_by.setdefault(t, shape)
    producer = {n.output: n for n in nodes}
    inputs, outputs = [], []
    for p in params:
        size, t = declared[p.name]
        if p.name in written:
            n = producer[p.name]
            shape = n.out_shape
            if size is not None and size != size_of(shape):
                msg = f"{where}: output {p.name} holds {size} values, layer {n.name!r} writes {size_of(shape)}"
                raise ModelFormatError(msg)
            outputs.append(Port(n.name, tuple(shape), t, p.name))
        elif p.name in read_by:
            shape = read_by[p.name] if size is None or size == size_of(read_by[p.name]) else (size,)
            inputs.append(Port(p.name, tuple(shape), t, p.name))
        else:
            msg = f"{where}: argument {p.name} is neither read nor written by a layer"
            raise ModelFormatError(msg)
    for n in nodes:   # tensors declared with a size must agree with the layer that writes them
        size, t = declared.get(n.output, (None, None))
        if size is not None and size != n.n_out:
            msg = f"{where}: {n.output} is declared with {size} values, layer {n.name!r} writes {n.n_out}"
            raise ModelFormatError(msg)
    return Graph(inputs, outputs, nodes, source=str(prj.root))


def load_hls4ml_project(path, *, nnet_utils=None) -> NNModel:
    """An :class:`NNModel` from an hls4ml project folder (see the module docstring).

    ``nnet_utils``: the ``nnet_utils`` folder the project compiles with, when it is not inside
    the project (found through its includes); without either, hls4ml 1.3.0's versions apply.
    """
    root = Path(path)
    if not root.is_dir():
        msg = f"{root} is not a directory; pass the hls4ml output_dir (which holds firmware/) or the folder with the " \
              "top .cpp"
        raise ModelFormatError(msg)
    prj = ProjectReader(root, None if nnet_utils is None else Path(nnet_utils))
    model = NNModel(_build_graph(prj), source=str(root))
    model.project = prj
    return model
