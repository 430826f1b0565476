"""Build and run the real CMS L1 network emulators (cms-hls4ml) with g++, bit for bit.

This module is the C++ side of ``scripts/make_cms_golden.py`` and the helper that
benchmarks import to run the upstream emulators next to the Python ones. It never
copies upstream code: it reads a cms-hls4ml folder in place (``../shared/models/
cms-hls4ml/<FOLDER>`` by default), works out from the folder's own files what to
compile, writes a harness of ours into a build directory outside git, and compiles
the two together against the ap_types that hls4ml 1.3.0 bundles.

What is read from a folder (nothing is hard-coded per model):

- ``Makefile``: the objects of the ``.so`` target; the wrapper object is replaced by
  the harness (which ``#include``s the wrapper .cpp unchanged), every other object
  is compiled as its own translation unit from the .cpp the Makefile's pattern
  rules pick (``%.o: NN/%.cpp`` before ``%.o: %.cpp``); ``-I$(CURDIR)/...`` entries.
- the wrapper .cpp (the ``hls4mlEmulator::Model`` subclass CMSSW loads): its class,
  ``using namespace``, the type ``prepare_input`` any_casts its argument to and the
  type ``read_result`` any_casts to, and whether it keeps a ``_scaled_input``.
- the network header the wrapper includes first: the hls4ml top function, its
  namespace and every port in argument order (names ending in ``_out`` are
  outputs), with the array sizes written as the header writes them.
- ``scales.h`` / ``scaling.h`` when present: every array it declares, dumped raw
  from the compiled program (``ad_offsets``/``ad_shift``, ``norm``/``bias``) so
  that callers see the values after their own type's conversion.

The harness (C++ text below, ours) has four modes, all on int64 raw values
(two's-complement mantissas; ``.range()`` into ``ap_uint<W>`` and sign-extended;
widths above 64 are refused at compile time):

- ``describe``: JSON with every field's width/integer bits/sign/modes, the
  network ports and the scale arrays;
- ``wrapper IN OUT``: per event ``prepare_input(T*)`` with exactly the type the
  wrapper any_casts, ``predict()``, ``read_result(R*)`` with exactly its result
  type; records the wrapper's scaled network input (when it has one) and every
  result field. The scaled input is a private member: it is read through a
  pointer-to-member formed in an explicit template instantiation (where access
  checking does not apply, C++17 [temp.explicit]/14), not with ``-Dprivate=public``;
- ``network IN OUT``: calls the hls4ml top function directly with every port;
- ``bench IN REPEATS LEVEL``: the timed loop only; best-of events/s.

Public API (for benchmarks; essentials positional, options keyword-only)::

    from cms_golden_harness import build, run, bench, discover, find_ap_types

    built = build("AXOL1TL_v4", models_dir=None, ap_types=None, build_dir=None,
                  jobs=1, cxxflags=DEFAULT_CXXFLAGS)          # -> Built (cached)
    res = run(built, inputs, level="wrapper")                 # -> RunResult
    res.outputs        # dict: field name -> int64 array (n_events, count)
    res.scaled_input   # int64 (n_events, n) or None (wrapper level only)
    res.seconds        # wall time of the compute loop (no I/O, no conversion)
    eps = bench(built, inputs, level="wrapper", repeats=5)    # events/s, best of

``inputs`` is an integer array ``(n_events, n_inputs)`` of raw values of the
wrapper's input type (``level="wrapper"``) or of the network's input ports
concatenated in argument order (``level="network"``); values outside the type
raise ``ValueError``. ``build`` takes a folder name or path; the binary is cached
under ``build_dir`` (default ``$TMPDIR/triggeremu-cms-golden-<uid>``) by a key
over the harness text, the flags, the compiler and every file of the folder and of
ap_types, so a second call costs nothing. ``Built.describe`` has the field types;
``Built.deps`` lists every file the compiler read (from ``-MMD``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shlex
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "DEFAULT_CXXFLAGS",
    "Built",
    "FixedType",
    "Layout",
    "RunResult",
    "bench",
    "build",
    "default_models_dir",
    "discover",
    "find_ap_types",
    "gxx_version",
    "run",
]

# The flags CMSSW's hls4ml externals build with (hls4mlEmulatorExtras Makefile:
# CXXFLAGS := -O3 -fPIC -std=c++17); the models' own Makefiles add none.
DEFAULT_CXXFLAGS = ("-O3", "-fPIC", "-std=c++17")
_REPO = Path(__file__).resolve().parents[1]
_EXTRAS = "hls4mlEmulatorExtras"


class HarnessError(RuntimeError):
    """A folder could not be understood, compiled or run; the message says which and why."""


# --------------------------------------------------------------------------------------
# fixed-point types as the compiled program reports them


@dataclass(frozen=True)
class FixedType:
    """One ap_fixed / ap_ufixed / ap_int / ap_uint (or C int) type, as compiled."""

    width: int
    iwidth: int
    signed: bool
    is_int: bool
    qmode: str
    omode: str
    nsat: int
    text: str

    @property
    def frac_bits(self) -> int:
        return self.width - self.iwidth

    @property
    def min_raw(self) -> int:
        return -(1 << (self.width - 1)) if self.signed else 0

    @property
    def max_raw(self) -> int:
        return (1 << (self.width - 1)) - 1 if self.signed else (1 << self.width) - 1

    def dtype(self) -> np.dtype:
        """The smallest NumPy integer dtype that holds every raw value of the type."""
        for dt in (np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64):
            info = np.iinfo(dt)
            if info.min <= self.min_raw and self.max_raw <= info.max:
                return np.dtype(dt)
        msg = f"{self.text}: no integer dtype holds {self.min_raw}..{self.max_raw}"
        raise HarnessError(msg)

    @classmethod
    def from_json(cls, d: dict) -> FixedType:
        return cls(int(d["w"]), int(d["i"]), bool(d["s"]), bool(d["int"]), d["q"], d["o"], int(d["n"]), d["t"])

    def as_dict(self) -> dict:
        return {"type": self.text, "width": self.width, "integer_bits": self.iwidth,
                "frac_bits": self.frac_bits, "signed": self.signed, "rounding": self.qmode,
                "overflow": self.omode, "sat_bits": self.nsat, "min_raw": self.min_raw,
                "max_raw": self.max_raw}


# --------------------------------------------------------------------------------------
# reading a folder


@dataclass
class Port:
    name: str
    ctype: str
    size: str
    output: bool


@dataclass
class Layout:
    """What to compile for one cms-hls4ml folder and how to call it (parsed, not hard-coded)."""

    name: str
    path: Path
    wrapper: Path
    wrapper_class: str
    wrapper_namespace: str
    input_type: str
    result_type: str
    result_is_pointer: bool
    scaled_member: tuple[str, str, str] | None  # (member, element type, size expr)
    header: Path
    top: str
    top_namespace: str
    ports: list[Port]
    sources: list[Path]
    include_dirs: list[Path]
    scales_header: Path | None
    scale_arrays: list[tuple[str, str, str]]  # (qualified name, element type, size expr)
    preincludes: list[Path] = field(default_factory=list)
    harness_fixes: list[str] = field(default_factory=list)


def default_models_dir() -> Path:
    """``../shared/models/cms-hls4ml`` next to the checkout (worktrees live one level deeper)."""
    for base in (_REPO.parent, _REPO.parent.parent):
        cand = base / "shared" / "models" / "cms-hls4ml"
        if cand.is_dir():
            return cand
    return _REPO.parent / "shared" / "models" / "cms-hls4ml"


def _strip_comments(text: str) -> str:
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            out.append(" ")
            i = n if j < 0 else j + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _split_top(params: str) -> list[str]:
    parts, depth, cur = [], 0, []
    for c in params:
        if c in "<([":
            depth += 1
        elif c in ">)]":
            depth -= 1
        if c == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    if "".join(cur).strip():
        parts.append("".join(cur))
    return [p.strip() for p in parts]


def _one(pattern: str, text: str, what: str, where: Path, flags: int = 0) -> re.Match:
    found = list(re.finditer(pattern, text, flags))
    if len(found) != 1:
        msg = f"{where}: expected one {what}, found {len(found)} (pattern {pattern!r})"
        raise HarnessError(msg)
    return found[0]


def _namespace_of(text: str, pos: int) -> str:
    """The innermost ``namespace X {`` still open at ``pos`` ('' for the global one)."""
    stack: list[str | None] = []
    for m in re.finditer(r"namespace\s+(\w+)\s*\{|\{|\}", text[:pos]):
        tok = m.group(0)
        if tok == "}":
            if stack:
                stack.pop()
        elif tok == "{":
            stack.append(None)
        else:
            stack.append(m.group(1))
    names = [s for s in stack if s]
    return names[-1] if names else ""


def discover(folder: str | Path, *, models_dir: str | Path | None = None) -> Layout:
    """Parse one cms-hls4ml folder into a :class:`Layout` (raises HarnessError with the reason)."""
    path = Path(folder)
    if not path.is_dir():
        path = Path(models_dir or default_models_dir()) / str(folder)
    if not path.is_dir():
        msg = f"cms-hls4ml folder {folder!r} not found (looked in {path.parent}); pass --models DIR"
        raise HarnessError(msg)
    path = path.resolve()
    name = path.name
    mk_path = path / "Makefile"
    mk = mk_path.read_text()
    target = _one(r"^(\S+\.so)\s*:\s*(.*)$", mk, "'.so:' target", mk_path, re.M)
    objects = target.group(2).split()
    rules = re.findall(r"^%\.o\s*:\s*(\S*)%\.cpp", mk, re.M)

    wrapper = None
    for cpp in sorted(path.glob("*.cpp")):
        if re.search(r"public\s+hls4mlEmulator::Model", cpp.read_text()):
            if wrapper is not None:
                msg = f"{path}: two hls4mlEmulator::Model wrappers ({wrapper.name}, {cpp.name})"
                raise HarnessError(msg)
            wrapper = cpp
    if wrapper is None:
        msg = f"{path}: no .cpp defines a class deriving from hls4mlEmulator::Model"
        raise HarnessError(msg)

    sources = []
    for obj in objects:
        stem = obj[:-2]
        if stem == wrapper.stem:
            continue
        for prefix in rules:
            cand = path / f"{prefix}{stem}.cpp"
            if cand.is_file():
                sources.append(cand)
                break
        else:
            msg = f"{mk_path}: no source for object {obj} under the rules {rules}"
            raise HarnessError(msg)

    wtext = _strip_comments(wrapper.read_text())
    cls = _one(r"class\s+(\w+)\s*:\s*public\s+hls4mlEmulator::Model", wtext, "wrapper class", wrapper).group(1)
    wns = _one(r"using\s+namespace\s+(\w+)\s*;", wtext, "'using namespace'", wrapper).group(1)
    in_t = _one(r"std::any_cast<\s*([^<>]*?)\s*\*\s*>\s*\(\s*input\s*\)", wtext,
                "any_cast of the prepare_input argument", wrapper).group(1)
    res_t = _one(r"std::any_cast<\s*(.+?)\s*\*\s*>\s*\(\s*result\s*\)", wtext,
                 "any_cast of the read_result argument", wrapper).group(1)
    res_is_ptr = re.fullmatch(r"[\w:]+", res_t) is not None
    sm = re.search(r"\b([\w:]+)\s+_scaled_input\s*\[\s*([^\]]+?)\s*\]\s*;", wtext)
    scaled = ("_scaled_input", sm.group(1), sm.group(2)) if sm else None

    first_inc = re.search(r'#\s*include\s+"([^"]+)"', wtext)
    if first_inc is None:
        msg = f"{wrapper}: no #include \"...\" naming the network header"
        raise HarnessError(msg)
    header = (wrapper.parent / first_inc.group(1)).resolve()
    htext = _strip_comments(header.read_text())
    proto = _one(r"void\s+(\w+)\s*\(([^()]*)\)\s*;", htext, "top-function prototype", header)
    top = proto.group(1)
    top_ns = _namespace_of(htext, proto.start())
    ports = []
    for p in _split_top(proto.group(2)):
        m = re.fullmatch(r"(.+?)\s+(\w+)\s*\[\s*(.+?)\s*\]", " ".join(p.split()))
        if m is None:
            msg = f"{header}: cannot parse port {p!r} of {top}"
            raise HarnessError(msg)
        ports.append(Port(m.group(2), m.group(1), m.group(3), m.group(2).endswith("_out")))
    if not any(p.output for p in ports) or all(p.output for p in ports):
        msg = f"{header}: {top} needs input and output ports, got {[p.name for p in ports]}"
        raise HarnessError(msg)
    if res_is_ptr and sum(p.output for p in ports) != 1:
        msg = f"{wrapper}: read_result takes {res_t}* but the network has several outputs"
        raise HarnessError(msg)

    scales_header = None
    scale_arrays = []
    for cand in ("scales.h", "scaling.h"):
        if (path / cand).is_file():
            scales_header = path / cand
            stext = _strip_comments(scales_header.read_text())
            for m in re.finditer(r"(?:static\s+)?(?:const\s+)?([\w:<>, ]+?)\s+(\w+)\s*\[\s*([^\]]+?)\s*\]\s*=", stext):
                sns = _namespace_of(stext, m.start())
                qname = f"{sns}::{m.group(2)}" if sns else m.group(2)
                scale_arrays.append((qname, " ".join(m.group(1).split()), m.group(3)))

    inc = [path]
    if (path / "NN").is_dir():
        inc.append(path / "NN")
    for m in re.finditer(r"-I\$\(CURDIR\)/(\S+)", mk):
        d = (path / m.group(1)).resolve()
        if d.is_dir() and d not in inc:
            inc.append(d)

    return Layout(name, path, wrapper, cls, wns, in_t, res_t, res_is_ptr, scaled, header, top, top_ns,
                  ports, sources, inc, scales_header, scale_arrays)


def _fix_for(lay: Layout, stderr: str) -> tuple[Path, str] | None:
    """A harness-side fix for a known compile error of the wrapper TU, or None.

    Upstream files are never edited; the fix is an extra #include before the wrapper.
    """
    # hls4ml >= 0.8 nnet_common.h: nnet::reduce names pow2()/floorlog2(), which that
    # version declares in nnet_helpers.h. A wrapper that includes nnet_common.h and nothing
    # that pulls nnet_helpers.h in does not compile with g++.
    if "floorlog2" not in stderr or "must be available" not in stderr:
        return None
    m = re.search(r'#\s*include\s+"([^"]*nnet_common\.h)"', lay.wrapper.read_text())
    if m is None:
        return None
    helpers = (lay.wrapper.parent / m.group(1)).resolve().parent / "nnet_helpers.h"
    if not helpers.is_file() or "floorlog2" not in helpers.read_text():
        return None
    first = next((ln.strip() for ln in stderr.splitlines() if "error:" in ln), "")
    why = (f"{lay.wrapper.name} includes {m.group(1)}, whose nnet::reduce calls pow2()/floorlog2(); "
           f"nothing the wrapper includes declares them (they live in nnet_helpers.h), so g++ stops: "
           f"{first.split('error:', 1)[-1].strip()}. Harness-side fix: #include "
           f"\"{helpers.relative_to(lay.path)}\" before the wrapper (no flag changed, upstream untouched)")
    return helpers, why


# --------------------------------------------------------------------------------------
# the harness (ours)

_HARNESS = r"""// Harness generated by triggeremu scripts/cms_golden_harness.py for @FOLDER@.
// Our code; the upstream wrapper is #included below exactly as shipped.
#include <any>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>
#include "ap_fixed.h"
#include "ap_int.h"
@PREINCLUDES@
#include "@WRAPPER@"

namespace hx {

template <class T> struct TI { static constexpr bool known = false; };
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N> struct TI<ap_fixed<W, I, Q, O, N>> {
  static constexpr bool known = true, s = true, isint = false; static constexpr int w = W, i = I, q = Q, o = O, n = N; };
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N> struct TI<ap_ufixed<W, I, Q, O, N>> {
  static constexpr bool known = true, s = false, isint = false; static constexpr int w = W, i = I, q = Q, o = O, n = N; };
template <int W> struct TI<ap_int<W>> {
  static constexpr bool known = true, s = true, isint = true; static constexpr int w = W, i = W, q = AP_TRN, o = AP_WRAP, n = 0; };
template <int W> struct TI<ap_uint<W>> {
  static constexpr bool known = true, s = false, isint = true; static constexpr int w = W, i = W, q = AP_TRN, o = AP_WRAP, n = 0; };
template <> struct TI<int> {
  static constexpr bool known = true, s = true, isint = true; static constexpr int w = 32, i = 32, q = AP_TRN, o = AP_WRAP, n = 0; };

template <class T> int64_t raw_get(const T& v) {
  static_assert(TI<T>::known, "field of a type the harness does not know (ap_fixed/ap_ufixed/ap_int/ap_uint/int)");
  static_assert(TI<T>::w <= 64, "raw extraction is exact up to 64 bits only: refusing a wider field");
  constexpr int W = TI<T>::w;
  ap_uint<W> bits = v.range(W - 1, 0);
  uint64_t u = bits.to_uint64();
  if (TI<T>::s && W < 64 && ((u >> (W - 1)) & 1ULL)) u |= (~0ULL) << W;
  return (int64_t)u;
}
template <> int64_t raw_get<int>(const int& v) { return (int64_t)v; }

template <class T> bool raw_set(T& v, int64_t r) {
  static_assert(TI<T>::known && TI<T>::w <= 64, "input of an unsupported type or wider than 64 bits");
  constexpr int W = TI<T>::w;
  ap_uint<W> bits = (unsigned long long)r;
  v.range(W - 1, 0) = bits;
  return raw_get(v) == r;
}

inline const char* qname(int q) {
  switch (q) { case AP_RND: return "AP_RND"; case AP_RND_ZERO: return "AP_RND_ZERO";
    case AP_RND_MIN_INF: return "AP_RND_MIN_INF"; case AP_RND_INF: return "AP_RND_INF";
    case AP_RND_CONV: return "AP_RND_CONV"; case AP_TRN: return "AP_TRN"; default: return "AP_TRN_ZERO"; } }
inline const char* oname(int o) {
  switch (o) { case AP_SAT: return "AP_SAT"; case AP_SAT_ZERO: return "AP_SAT_ZERO";
    case AP_SAT_SYM: return "AP_SAT_SYM"; case AP_WRAP: return "AP_WRAP"; default: return "AP_WRAP_SM"; } }

template <class T> std::string tjson() {
  typedef TI<T> t;
  std::string txt;
  if (std::is_same<T, int>::value) txt = "int";
  else if (t::isint) txt = std::string(t::s ? "ap_int<" : "ap_uint<") + std::to_string(t::w) + ">";
  else {
    txt = std::string(t::s ? "ap_fixed<" : "ap_ufixed<") + std::to_string(t::w) + "," + std::to_string(t::i);
    if (t::q != AP_TRN || t::o != AP_WRAP || t::n != 0) txt += std::string(",") + qname(t::q);
    if (t::o != AP_WRAP || t::n != 0) txt += std::string(",") + oname(t::o);
    if (t::n != 0) txt += "," + std::to_string(t::n);
    txt += ">";
  }
  return "{\"w\":" + std::to_string(t::w) + ",\"i\":" + std::to_string(t::i) + ",\"s\":" + (t::s ? "true" : "false") +
         ",\"int\":" + (t::isint ? "true" : "false") + ",\"q\":\"" + qname(t::q) + "\",\"o\":\"" + oname(t::o) +
         "\",\"n\":" + std::to_string(t::n) + ",\"t\":\"" + txt + "\"}";
}

// flattening of read_result objects: scalars, std::array, std::pair
template <class T> struct Flat {
  static constexpr size_t count = 1;
  static void put(const T& v, int64_t*& p) { *p++ = raw_get(v); }
  static void desc(std::string& out, const std::string& name) {
    out += (out.empty() ? "" : ",") + std::string("{\"name\":\"") + name + "\",\"count\":1,\"type\":" + tjson<T>() + "}"; }
};
template <class T, size_t N> struct Flat<std::array<T, N>> {
  static constexpr size_t count = N * Flat<T>::count;
  static void put(const std::array<T, N>& a, int64_t*& p) { for (size_t k = 0; k < N; ++k) Flat<T>::put(a[k], p); }
  static void desc(std::string& out, const std::string& name) {
    static_assert(Flat<T>::count == 1, "arrays of aggregates are not supported");
    out += (out.empty() ? "" : ",") + std::string("{\"name\":\"") + name + "\",\"count\":" + std::to_string(N) +
           ",\"type\":" + tjson<T>() + "}"; }
};
template <class A, class B> struct Flat<std::pair<A, B>> {
  static constexpr size_t count = Flat<A>::count + Flat<B>::count;
  static void put(const std::pair<A, B>& v, int64_t*& p) { Flat<A>::put(v.first, p); Flat<B>::put(v.second, p); }
  static void desc(std::string& out, const std::string& name) {
    Flat<A>::desc(out, name.empty() ? "first" : name + ".first");
    Flat<B>::desc(out, name.empty() ? "second" : name + ".second"); }
};

}  // namespace hx

// ---- what this folder's wrapper takes and returns (parsed from its source) ----
typedef @INPUT_T@ HxIn;
static const int HX_NIN = (int)(@NIN@);
@RESULT_DECL@
@SCALED_DECL@

static std::vector<int64_t> read_rows(const char* path, long long& n, long long& cols) {
  FILE* f = std::fopen(path, "rb");
  if (!f) { std::perror(path); std::exit(2); }
  long long hdr[2];
  if (std::fread(hdr, 8, 2, f) != 2) { std::fprintf(stderr, "%s: short header\n", path); std::exit(2); }
  n = hdr[0]; cols = hdr[1];
  std::vector<int64_t> v((size_t)(n * cols));
  if (n * cols && std::fread(v.data(), 8, v.size(), f) != v.size()) { std::fprintf(stderr, "%s: short data\n", path); std::exit(2); }
  std::fclose(f);
  return v;
}

static void write_rows(const char* path, const std::vector<int64_t>& v, long long n, long long cols) {
  FILE* f = std::fopen(path, "wb");
  if (!f) { std::perror(path); std::exit(2); }
  long long hdr[2] = {n, cols};
  std::fwrite(hdr, 8, 2, f);
  if (!v.empty()) std::fwrite(v.data(), 8, v.size(), f);
  std::fclose(f);
}

static void bad_input(long long e, long long c) {
  std::fprintf(stderr, "input row %lld column %lld: raw value outside the input type\n", e, c);
  std::exit(3);
}

// ---- wrapper level --------------------------------------------------------------------
static double wrapper_loop(hlsx_model_t* model, const std::vector<HxIn>& in, long long n, std::vector<HxRes>& res,
                           std::vector<int64_t>* scaled_raw) {
  auto t0 = std::chrono::steady_clock::now();
  for (long long e = 0; e < n; ++e) {
    model->prepare_input((HxIn*)&in[(size_t)(e * HX_NIN)]);
    model->predict();
    HX_READ_RESULT(model, res, e);
    HX_GRAB_SCALED(model, scaled_raw, e);
  }
  auto t1 = std::chrono::steady_clock::now();
  return std::chrono::duration<double>(t1 - t0).count();
}

static std::vector<HxIn> typed_inputs(const std::vector<int64_t>& raw, long long n, long long cols) {
  if (cols != HX_NIN) { std::fprintf(stderr, "wrapper input has %lld columns, wrapper takes %d\n", cols, HX_NIN); std::exit(3); }
  std::vector<HxIn> in((size_t)(n * HX_NIN));
  for (long long e = 0; e < n; ++e)
    for (int c = 0; c < HX_NIN; ++c)
      if (!hx::raw_set(in[(size_t)(e * HX_NIN + c)], raw[(size_t)(e * HX_NIN + c)])) bad_input(e, c);
  return in;
}

// ---- network level --------------------------------------------------------------------
struct HxNetEvent {
@NET_FIELDS@
};
static const int HX_NET_NIN = @NET_NIN@;
static const int HX_NET_NOUT = @NET_NOUT@;

static bool net_set(HxNetEvent& ev, const int64_t* r) {
  bool ok = true; int k = 0;
@NET_SET@
  return ok;
}
static void net_get(const HxNetEvent& ev, int64_t* r) {
  int k = 0;
@NET_GET@
}
static double network_loop(std::vector<HxNetEvent>& evs) {
  auto t0 = std::chrono::steady_clock::now();
  for (size_t e = 0; e < evs.size(); ++e) {
    HxNetEvent& ev = evs[e];
    @TOP_CALL@;
  }
  auto t1 = std::chrono::steady_clock::now();
  return std::chrono::duration<double>(t1 - t0).count();
}
static std::vector<HxNetEvent> typed_net(const std::vector<int64_t>& raw, long long n, long long cols) {
  if (cols != HX_NET_NIN) { std::fprintf(stderr, "network input has %lld columns, ports take %d\n", cols, HX_NET_NIN); std::exit(3); }
  std::vector<HxNetEvent> evs((size_t)n);
  for (long long e = 0; e < n; ++e)
    if (!net_set(evs[(size_t)e], &raw[(size_t)(e * cols)])) bad_input(e, -1);
  return evs;
}

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "describe") {
    std::string res;
    HX_RESULT_DESC(res);
    std::string ports;
@NET_DESC@
    std::string scales;
@SCALES_DESC@
    std::printf("{\"wrapper_input\":{\"count\":%d,\"type\":%s},\"scaled_input\":%s,\"result\":[%s],"
                "\"ports\":[%s],\"scales\":[%s]}\n",
                HX_NIN, hx::tjson<HxIn>().c_str(), HX_SCALED_DESC().c_str(), res.c_str(), ports.c_str(), scales.c_str());
    return 0;
  }
  if (argc < 4) { std::fprintf(stderr, "usage: %s describe | wrapper IN OUT | network IN OUT | bench IN REPEATS wrapper|network\n", argv[0]); return 2; }
  long long n, cols;
  std::vector<int64_t> raw = read_rows(argv[2], n, cols);
  if (mode == "wrapper" || (mode == "bench" && argc > 4 && std::string(argv[4]) == "wrapper")) {
    std::vector<HxIn> in = typed_inputs(raw, n, cols);
    hlsx_model_t* model = create_model();
    std::vector<HxRes> res((size_t)n * HX_RES_SLOTS);
    if (mode == "bench") {
      int reps = std::atoi(argv[3]);
      double best = 1e300;
      for (int r = 0; r < reps; ++r) { double s = wrapper_loop(model, in, n, res, nullptr); if (s < best) best = s; }
      std::vector<int64_t> flat((size_t)n * HX_RES_COUNT);
      int64_t* p = flat.data(); long long chk = 0;
      for (long long e = 0; e < n; ++e) HX_FLAT_RESULT(res, e, p);
      for (auto x : flat) chk += x;
      std::printf("{\"events\":%lld,\"best_s\":%.9g,\"checksum\":%lld}\n", n, best, chk);
      destroy_model(model);
      return 0;
    }
    std::vector<int64_t> scaled((size_t)n * HX_SCALED_COUNT);
    double secs = wrapper_loop(model, in, n, res, &scaled);
    destroy_model(model);
    const long long ocols = HX_SCALED_COUNT + HX_RES_COUNT;
    std::vector<int64_t> out((size_t)(n * ocols));
    for (long long e = 0; e < n; ++e) {
      int64_t* p = &out[(size_t)(e * ocols)];
      for (int k = 0; k < HX_SCALED_COUNT; ++k) *p++ = scaled[(size_t)(e * HX_SCALED_COUNT + k)];
      HX_FLAT_RESULT(res, e, p);
    }
    write_rows(argv[3], out, n, ocols);
    std::printf("{\"events\":%lld,\"seconds\":%.9g}\n", n, secs);
    return 0;
  }
  if (mode == "network" || mode == "bench") {
    std::vector<HxNetEvent> evs = typed_net(raw, n, cols);
    if (mode == "bench") {
      int reps = std::atoi(argv[3]);
      double best = 1e300;
      for (int r = 0; r < reps; ++r) { double s = network_loop(evs); if (s < best) best = s; }
      long long chk = 0; std::vector<int64_t> o(HX_NET_NOUT > 0 ? HX_NET_NOUT : 1);
      for (auto& ev : evs) { net_get(ev, o.data()); for (int k = 0; k < HX_NET_NOUT; ++k) chk += o[k]; }
      std::printf("{\"events\":%lld,\"best_s\":%.9g,\"checksum\":%lld}\n", n, best, chk);
      return 0;
    }
    double secs = network_loop(evs);
    std::vector<int64_t> out((size_t)(n * HX_NET_NOUT));
    for (long long e = 0; e < n; ++e) net_get(evs[(size_t)e], &out[(size_t)(e * HX_NET_NOUT)]);
    write_rows(argv[3], out, n, HX_NET_NOUT);
    std::printf("{\"events\":%lld,\"seconds\":%.9g}\n", n, secs);
    return 0;
  }
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 2;
}
"""


def harness_source(lay: Layout) -> str:
    """The C++ text of the harness for one folder (ours; the wrapper is #included as is)."""
    if lay.result_is_pointer:
        out_port = next(p for p in lay.ports if p.output)
        result_decl = f"""typedef {lay.result_type} HxRes;
static const int HX_RES_SLOTS = (int)({out_port.size});
static const int HX_RES_COUNT = HX_RES_SLOTS;
#define HX_READ_RESULT(m, res, e) (m)->read_result((HxRes*)&(res)[(size_t)((e) * HX_RES_SLOTS)])
#define HX_FLAT_RESULT(res, e, p) for (int k_ = 0; k_ < HX_RES_SLOTS; ++k_) *(p)++ = hx::raw_get((res)[(size_t)((e) * HX_RES_SLOTS + k_)])
#define HX_RESULT_DESC(s) (s) = std::string("{{\\"name\\":\\"result\\",\\"count\\":") + std::to_string(HX_RES_SLOTS) + ",\\"type\\":" + hx::tjson<HxRes>() + "}}"
"""
    else:
        result_decl = f"""typedef {lay.result_type} HxRes;
static const int HX_RES_SLOTS = 1;
static const int HX_RES_COUNT = (int)hx::Flat<HxRes>::count;
#define HX_READ_RESULT(m, res, e) (m)->read_result(&(res)[(size_t)(e)])
#define HX_FLAT_RESULT(res, e, p) hx::Flat<HxRes>::put((res)[(size_t)(e)], (p))
#define HX_RESULT_DESC(s) hx::Flat<HxRes>::desc((s), "")
"""
    result_decl += "typedef hls4mlEmulator::Model hlsx_model_t;\n"
    if lay.scaled_member:
        member, et, size = lay.scaled_member
        scaled_decl = f"""// read the wrapper's private scaled input through a pointer-to-member named in an
// explicit instantiation (access checking does not apply there: C++17 [temp.explicit]/14)
typedef {et} HxScaledT;
static const int HX_SCALED_COUNT = (int)({size});
struct HxScaledTag {{ typedef HxScaledT ({lay.wrapper_class}::*type)[HX_SCALED_COUNT]; friend type hx_member(HxScaledTag); }};
template <class Tag, typename Tag::type M> struct HxRob {{ friend typename Tag::type hx_member(Tag) {{ return M; }} }};
template struct HxRob<HxScaledTag, &{lay.wrapper_class}::{member}>;
#define HX_GRAB_SCALED(m, out, e) if (out) {{ {lay.wrapper_class}* w_ = static_cast<{lay.wrapper_class}*>(m); \\
  for (int k_ = 0; k_ < HX_SCALED_COUNT; ++k_) (*(out))[(size_t)((e) * HX_SCALED_COUNT + k_)] = hx::raw_get((w_->*hx_member(HxScaledTag()))[k_]); }}
static std::string HX_SCALED_DESC() {{ return "{{\\"count\\":" + std::to_string(HX_SCALED_COUNT) + ",\\"type\\":" + hx::tjson<HxScaledT>() + "}}"; }}
"""
    else:
        scaled_decl = """static const int HX_SCALED_COUNT = 0;
#define HX_GRAB_SCALED(m, out, e) (void)0
static std::string HX_SCALED_DESC() { return "null"; }
"""
    qual = f"{lay.top_namespace}::" if lay.top_namespace else ""
    fields, sets, gets, descs, args = [], [], [], [], []
    nin, nout = [], []
    for k, p in enumerate(lay.ports):
        ct = p.ctype if "::" in p.ctype or not lay.top_namespace else f"{lay.top_namespace}::{p.ctype}"
        size = f"({p.size})"
        fields.append(f"  {ct} p{k}[{size}];")
        args.append(f"ev.p{k}")
        (nout if p.output else nin).append(size)
        if not p.output:
            sets.append(f"  for (int j = 0; j < {size}; ++j) ok = hx::raw_set(ev.p{k}[j], r[k++]) && ok;")
        else:
            gets.append(f"  for (int j = 0; j < {size}; ++j) r[k++] = hx::raw_get(ev.p{k}[j]);")
        descs.append(f'    ports += std::string(ports.empty() ? "" : ",") + "{{\\"name\\":\\"{p.name}\\",\\"output\\":'
                     f'{"true" if p.output else "false"},\\"count\\":" + std::to_string({size}) + ",\\"type\\":" '
                     f'+ hx::tjson<std::remove_reference<decltype(((HxNetEvent*)nullptr)->p{k}[0])>::type>() + "}}";')
    sdescs = []
    for qname, _et, size in lay.scale_arrays:
        short = qname.rsplit("::", 1)[-1]
        sdescs.append(
            f'    {{ std::string v; for (int j = 0; j < (int)({size}); ++j) v += (j ? "," : "") + std::to_string(hx::raw_get({qname}[j]));\n'
            f'      scales += std::string(scales.empty() ? "" : ",") + "{{\\"name\\":\\"{short}\\",\\"count\\":" + std::to_string((int)({size})) + ",\\"type\\":"'
            f' + hx::tjson<std::remove_cv<std::remove_reference<decltype({qname}[0])>::type>::type>() + ",\\"raw\\":[" + v + "]}}"; }}')
    pre = "\n".join(f'#include "{p}"' for p in lay.preincludes)
    text = _HARNESS
    for key, val in {
        "@FOLDER@": lay.name,
        "@PREINCLUDES@": pre,
        "@WRAPPER@": str(lay.wrapper),
        "@INPUT_T@": lay.input_type,
        "@NIN@": _input_count(lay),
        "@RESULT_DECL@": result_decl,
        "@SCALED_DECL@": scaled_decl,
        "@NET_FIELDS@": "\n".join(fields),
        "@NET_NIN@": " + ".join(nin) or "0",
        "@NET_NOUT@": " + ".join(nout) or "0",
        "@NET_SET@": "\n".join(sets),
        "@NET_GET@": "\n".join(gets),
        "@TOP_CALL@": f"{qual}{lay.top}({', '.join(args)})",
        "@NET_DESC@": "\n".join(descs),
        "@SCALES_DESC@": "\n".join(sdescs),
    }.items():
        text = text.replace(key, val)
    return text


def _input_count(lay: Layout) -> str:
    ins = [p for p in lay.ports if not p.output]
    if len(ins) != 1:
        msg = f"{lay.wrapper}: wrapper over a network with {len(ins)} inputs is not supported"
        raise HarnessError(msg)
    return ins[0].size


# --------------------------------------------------------------------------------------
# building


def find_ap_types(ap_types: str | Path | None = None) -> Path:
    """The ap_types directory hls4ml 1.3.0 ships (``hls4ml/templates/vivado/ap_types``).

    ``ap_types`` may be that directory, an hls4ml package directory, or the hls4ml
    wheel (``.whl``, unpacked into the build cache). Without it, the installed hls4ml
    is located without importing it (``pip install 'triggeremu[golden]'``).
    """
    if ap_types is not None:
        p = Path(ap_types)
        if p.suffix == ".whl":
            import zipfile
            dest = _default_build_dir() / f"wheel-{_sha256_file(p)[:12]}"
            if not (dest / "hls4ml").is_dir():
                with zipfile.ZipFile(p) as z:
                    z.extractall(dest, [n for n in z.namelist() if "/templates/vivado/ap_types/" in n
                                        or n.endswith(".dist-info/METADATA")])
            p = dest / "hls4ml" / "templates" / "vivado" / "ap_types"
        elif (p / "templates" / "vivado" / "ap_types").is_dir():
            p = p / "templates" / "vivado" / "ap_types"
        if not (p / "ap_fixed.h").is_file():
            msg = f"{ap_types}: no ap_fixed.h there (give hls4ml's templates/vivado/ap_types, or the hls4ml wheel)"
            raise HarnessError(msg)
        return p.resolve()
    spec = importlib.util.find_spec("hls4ml")
    if spec is None or not spec.submodule_search_locations:
        msg = ("hls4ml is not installed: pip install 'hls4ml==1.3.0' (the 'golden' extra) in a venv, "
               "or pass --ap-types DIR (hls4ml/templates/vivado/ap_types, or the hls4ml wheel)")
        raise HarnessError(msg)
    p = Path(next(iter(spec.submodule_search_locations))) / "templates" / "vivado" / "ap_types"
    if not (p / "ap_fixed.h").is_file():
        msg = f"installed hls4ml at {p.parents[2]} has no templates/vivado/ap_types"
        raise HarnessError(msg)
    return p.resolve()


def hls4ml_version_of(ap_types: Path) -> str | None:
    """The hls4ml version that ships ``ap_types`` (from its dist-info), if it can be told."""
    pkg = ap_types.parents[2]
    for meta in sorted(pkg.parent.glob("hls4ml-*.dist-info/METADATA")):
        for line in meta.read_text().splitlines():
            if line.startswith("Version:"):
                return line.split(":", 1)[1].strip()
    return None


def gxx_version(cxx: str = "g++") -> str:
    try:
        out = subprocess.run([cxx, "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        msg = f"{cxx} not usable ({exc}); install g++ (the golden vectors are made with g++ 12)"
        raise HarnessError(msg) from exc
    return out.splitlines()[0].strip()


def _sha256_file(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _default_build_dir() -> Path:
    return Path(os.environ.get("TRIGGEREMU_CMS_BUILD", Path(tempfile.gettempdir()) / f"triggeremu-cms-golden-{os.getuid()}"))


@dataclass
class Built:
    """A compiled harness for one folder."""

    layout: Layout
    binary: Path
    describe: dict
    cxxflags: tuple[str, ...]
    include_flags: list[str]
    compiler: str
    ap_types: Path
    deps: list[Path]
    compile_seconds: float
    cached: bool

    @property
    def wrapper_input_type(self) -> FixedType:
        return FixedType.from_json(self.describe["wrapper_input"]["type"])

    @property
    def scaled_input_type(self) -> FixedType | None:
        s = self.describe["scaled_input"]
        return None if s is None else FixedType.from_json(s["type"])

    def result_fields(self) -> list[tuple[str, int, FixedType]]:
        return [(f["name"], int(f["count"]), FixedType.from_json(f["type"])) for f in self.describe["result"]]

    def ports(self, *, output: bool) -> list[tuple[str, int, FixedType]]:
        return [(p["name"], int(p["count"]), FixedType.from_json(p["type"]))
                for p in self.describe["ports"] if bool(p["output"]) == output]

    def scales(self) -> dict[str, tuple[FixedType, list[int]]]:
        return {s["name"]: (FixedType.from_json(s["type"]), [int(v) for v in s["raw"]]) for s in self.describe["scales"]}


def _tree_files(d: Path) -> list[Path]:
    return sorted(p for p in d.rglob("*") if p.is_file())


def build(folder: str | Path, *, models_dir: str | Path | None = None, ap_types: str | Path | None = None,
          build_dir: str | Path | None = None, jobs: int = 1, cxxflags: tuple[str, ...] = DEFAULT_CXXFLAGS,
          cxx: str = "g++", log=None) -> Built:
    """Compile (or reuse) the harness for one folder; see the module docstring."""
    import time
    from concurrent.futures import ThreadPoolExecutor

    lay = discover(folder, models_dir=models_dir)
    ap = find_ap_types(ap_types)
    extras = lay.path.parent / _EXTRAS / "include" / "hls4ml"
    if not (extras / "emulator.h").is_file():
        msg = f"{extras}/emulator.h missing: the {_EXTRAS} folder must sit next to {lay.name}"
        raise HarnessError(msg)
    incs = [f"-I{d}" for d in lay.include_dirs] + [f"-I{ap}", f"-I{extras}"]
    src = harness_source(lay)
    compiler = gxx_version(cxx)
    key = hashlib.sha256()
    for part in (src, " ".join(cxxflags), " ".join(incs), compiler):
        key.update(part.encode())
        key.update(b"\0")
    for d in (lay.path, ap, extras):
        for p in _tree_files(d):
            key.update(str(p).encode())
            key.update(hashlib.sha256(p.read_bytes()).digest())
    out = Path(build_dir or _default_build_dir()) / f"{lay.name}-{key.hexdigest()[:16]}"
    binary = out / "harness"
    meta = out / "build.json"
    if binary.is_file() and meta.is_file():
        info = json.loads(meta.read_text())
        lay.preincludes = [Path(p) for p in info.get("preincludes", [])]
        lay.harness_fixes = list(info.get("harness_fixes", []))
        return Built(lay, binary, info["describe"], tuple(cxxflags), incs, compiler, ap,
                     [Path(p) for p in info["deps"]], float(info["compile_seconds"]), True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "harness.cpp").write_text(src)
    units = [(out / "harness.cpp", out / "harness.o")] + [
        (s, out / f"{s.stem}.o") for s in lay.sources]

    def compile_one(unit):
        s, o = unit
        cmd = [cxx, *cxxflags, *incs, "-MMD", "-MF", str(o.with_suffix(".d")), "-c", str(s), "-o", str(o)]
        if log:
            log(f"  g++ {s.name} ({lay.name})")
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=out)
        if r.returncode != 0 and s.name == "harness.cpp":
            fix = _fix_for(lay, r.stderr)
            if fix is not None:
                lay.preincludes.append(fix[0])
                lay.harness_fixes.append(fix[1])
                s.write_text(harness_source(lay))
                if log:
                    log(f"  {lay.name}: wrapper needs a harness-side include ({fix[0].name}); retrying")
                r = subprocess.run(cmd, capture_output=True, text=True, cwd=out)
        if r.returncode != 0:
            msg = f"{lay.name}: compiling {s} failed:\n$ {shlex.join(cmd)}\n{r.stderr[-6000:]}"
            raise HarnessError(msg)

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        list(ex.map(compile_one, units))
    link = [cxx, *cxxflags, *(str(o) for _, o in units), "-o", str(binary)]
    r = subprocess.run(link, capture_output=True, text=True, cwd=out)
    if r.returncode != 0:
        msg = f"{lay.name}: link failed:\n$ {shlex.join(link)}\n{r.stderr[-6000:]}"
        raise HarnessError(msg)
    secs = time.monotonic() - t0
    deps: set[Path] = set()
    for _, o in units:
        text = o.with_suffix(".d").read_text().replace("\\\n", " ")
        for tok in text.split(":", 1)[1].split():
            deps.add(Path(tok).resolve())
    deps.discard((out / "harness.cpp").resolve())
    r = subprocess.run([str(binary), "describe"], capture_output=True, text=True)
    if r.returncode != 0:
        msg = f"{lay.name}: describe failed: {r.stderr}"
        raise HarnessError(msg)
    desc = json.loads(r.stdout)
    meta.write_text(json.dumps({"describe": desc, "deps": sorted(map(str, deps)), "compile_seconds": secs,
                                "preincludes": [str(p) for p in lay.preincludes],
                                "harness_fixes": lay.harness_fixes}))
    return Built(lay, binary, desc, tuple(cxxflags), incs, compiler, ap, sorted(deps), secs, False)


# --------------------------------------------------------------------------------------
# running


@dataclass
class RunResult:
    outputs: dict[str, np.ndarray]
    scaled_input: np.ndarray | None
    seconds: float
    events: int

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")


def _as_built(b: Built | str | Path, **kw) -> Built:
    return b if isinstance(b, Built) else build(b, **kw)


def _in_types(b: Built, level: str) -> list[FixedType]:
    if level == "wrapper":
        return [b.wrapper_input_type] * int(b.describe["wrapper_input"]["count"])
    if level == "network":
        return [t for _, n, t in b.ports(output=False) for _ in range(n)]
    msg = f"level must be 'wrapper' or 'network', not {level!r}"
    raise ValueError(msg)


def _write_inputs(path: Path, b: Built, inputs: np.ndarray, level: str) -> int:
    x = np.asarray(inputs)
    if x.ndim != 2 or not np.issubdtype(x.dtype, np.integer):
        msg = f"inputs must be a 2-d integer array of raw values, got {x.dtype} {x.shape}"
        raise ValueError(msg)
    types = _in_types(b, level)
    if x.shape[1] != len(types):
        msg = f"{b.layout.name} {level} level takes {len(types)} raw inputs per event, got {x.shape[1]}"
        raise ValueError(msg)
    lo = np.array([t.min_raw for t in types], dtype=np.int64)
    hi = np.array([t.max_raw for t in types], dtype=np.int64)
    x64 = x.astype(np.int64)
    bad = np.argwhere((x64 < lo) | (x64 > hi))
    if len(bad):
        e, c = bad[0]
        msg = (f"{b.layout.name} {level} input [{e}, {c}] = {x64[e, c]} is outside {types[c].text} "
               f"(raw {types[c].min_raw}..{types[c].max_raw})")
        raise ValueError(msg)
    with open(path, "wb") as f:
        np.array(x64.shape, dtype=np.int64).tofile(f)
        np.ascontiguousarray(x64).tofile(f)
    return x64.shape[0]


def run(built: Built | str | Path, inputs: np.ndarray, *, level: str = "wrapper", **build_kw) -> RunResult:
    """Run the compiled upstream emulator on raw integer inputs; see the module docstring."""
    b = _as_built(built, **build_kw)
    with tempfile.TemporaryDirectory(prefix="cmsgold-") as td:
        fin, fout = Path(td) / "in.bin", Path(td) / "out.bin"
        n = _write_inputs(fin, b, inputs, level)
        r = subprocess.run([str(b.binary), level, str(fin), str(fout)], capture_output=True, text=True)
        if r.returncode != 0:
            msg = f"{b.layout.name} {level} run failed (rc {r.returncode}): {r.stderr.strip()}"
            raise HarnessError(msg)
        info = json.loads(r.stdout)
        raw = np.fromfile(fout, dtype=np.int64)
    rows, cols = int(raw[0]), int(raw[1])
    data = raw[2:].reshape(rows, cols)
    outputs: dict[str, np.ndarray] = {}
    scaled = None
    k = 0
    if level == "wrapper":
        s = b.describe["scaled_input"]
        if s is not None:
            scaled = data[:, :s["count"]]
            k = s["count"]
        fields = b.result_fields()
    else:
        fields = b.ports(output=True)
    for name, count, _t in fields:
        outputs[name] = data[:, k:k + count]
        k += count
    if k != cols:
        msg = f"{b.layout.name}: output has {cols} columns, the description accounts for {k}"
        raise HarnessError(msg)
    return RunResult(outputs, scaled, float(info["seconds"]), n)


def bench(built: Built | str | Path, inputs: np.ndarray, *, level: str = "wrapper", repeats: int = 5,
          **build_kw) -> float:
    """Events/s of the compiled emulator's compute loop (best of ``repeats`` passes over ``inputs``)."""
    b = _as_built(built, **build_kw)
    with tempfile.TemporaryDirectory(prefix="cmsgold-") as td:
        fin = Path(td) / "in.bin"
        n = _write_inputs(fin, b, inputs, level)
        r = subprocess.run([str(b.binary), "bench", str(fin), str(int(repeats)), level],
                           capture_output=True, text=True)
        if r.returncode != 0:
            msg = f"{b.layout.name} bench failed (rc {r.returncode}): {r.stderr.strip()}"
            raise HarnessError(msg)
    info = json.loads(r.stdout)
    return n / float(info["best_s"]) if float(info["best_s"]) > 0 else float("inf")
