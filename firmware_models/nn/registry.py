"""One record per layer kind: the extension point of the NN encoder.

A :class:`KindSpec` says everything the emulator knows about a kind:

- ``kernel(node, xs) -> y``: the fast bit-exact kernel, ``xs`` one int64 array
  ``(n_events, size)`` per input, ``y`` int64 ``(n_events, n_out)``;
- ``reference(node, xs) -> y``: its plain twin, one event at a time in Python ints
  (``xs`` a list of lists of ints per input, ``y`` a list of ints);
- ``nnet_functions``: the hls4ml ``nnet::`` functions a project's top function calls for
  it, and ``build_hls4ml(call, ctx) -> Node``: how the project loader makes the node from
  that call (``ctx`` is the project reader, see :mod:`~firmware_models.nn.hls4ml_project`);
  ``matches(call, ctx)`` for kinds called by another name (project-generated code such as
  da4ml's ``<project>::dense_da_N``);
- ``onnx_ops`` and ``build_onnx(item, ctx) -> Node``: the same for the ONNX + config route
  (:mod:`~firmware_models.nn.onnx_config`);
- ``timing(desc) -> (latency, ii)``: latency and II in cycles of the 5 ns reference clock for
  the node's plain description (``Node.describe()``), with ``timing_rule`` saying the rule
  and where it comes from (:mod:`firmware_models.timing_estimate` iterates the graph over it);
- ``convention``: the hls4ml C++ semantics the bits depend on, with the upstream file.

The families live one module each in :mod:`firmware_models.nn.layers` (listed there
explicitly); a new kind is a new record in one of them, or a new module plus one line.
Asking for a kind, function or op nobody registered raises :class:`UnsupportedLayerError`
naming it, the layer and what is supported -- nothing falls through to another kernel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from firmware_models.errors import ModelFormatError

__all__ = ["KindSpec", "UnsupportedLayerError", "register", "get", "kinds", "for_nnet", "for_call", "for_onnx",
           "nnet_functions", "onnx_ops", "conventions", "timing_rules"]


class UnsupportedLayerError(ModelFormatError):
    """A layer kind, hls4ml function or ONNX op that no registered kind handles."""


@dataclass(frozen=True)
class KindSpec:
    """Everything about one layer kind (see the module docstring)."""

    kind: str
    kernel: Callable
    reference: Callable
    timing: Callable
    timing_rule: str
    convention: str
    nnet_functions: tuple[str, ...] = ()
    build_hls4ml: Callable | None = None
    matches: Callable | None = None
    onnx_ops: tuple[str, ...] = ()
    build_onnx: Callable | None = None
    #: (min, max) number of input tensors
    arity: tuple[int, int] = (1, 1)
    #: element-wise kinds (output i depends on input i only; the fused path may absorb relu/linear)
    elementwise: bool = False
    extra: dict = field(default_factory=dict)


_KINDS: dict[str, KindSpec] = {}
_NNET: dict[str, str] = {}
_ONNX: dict[str, str] = {}


def register(spec: KindSpec) -> KindSpec:
    """Add a kind; its nnet functions and ONNX ops must not be claimed by another kind."""
    if spec.kind in _KINDS:
        msg = f"layer kind {spec.kind!r} is registered twice"
        raise ValueError(msg)
    for fn in spec.nnet_functions:
        if fn in _NNET:
            msg = f"nnet::{fn} is claimed by kinds {_NNET[fn]!r} and {spec.kind!r}"
            raise ValueError(msg)
    for op in spec.onnx_ops:
        if op in _ONNX:
            msg = f"ONNX op {op} is claimed by kinds {_ONNX[op]!r} and {spec.kind!r}"
            raise ValueError(msg)
    _KINDS[spec.kind] = spec
    _NNET.update({fn: spec.kind for fn in spec.nnet_functions})
    _ONNX.update({op: spec.kind for op in spec.onnx_ops})
    return spec


def _load() -> None:
    if not _KINDS:
        import firmware_models.nn.layers  # noqa: F401  (registers the families)


def kinds() -> list[str]:
    _load()
    return sorted(_KINDS)


def get(kind: str, *, layer: str = "") -> KindSpec:
    """The record of ``kind``; an unknown kind is refused naming it, the layer and the supported list."""
    _load()
    spec = _KINDS.get(kind)
    if spec is None:
        where = f"layer {layer!r}: " if layer else ""
        msg = f"{where}kind {kind!r} is not supported; supported kinds: {', '.join(sorted(_KINDS))}"
        raise UnsupportedLayerError(msg)
    return spec


def nnet_functions() -> list[str]:
    _load()
    return sorted(_NNET)


def onnx_ops() -> list[str]:
    _load()
    return sorted(_ONNX)


def for_nnet(function: str, *, layer: str = "", hint: str = "") -> KindSpec:
    """The kind an ``nnet::<function>`` call maps to, or :class:`UnsupportedLayerError`."""
    _load()
    kind = _NNET.get(function)
    if kind is None:
        msg = (f"layer {layer}: nnet::{function} is not supported; supported layers: "
               f"{', '.join(sorted(_NNET))}{hint}")
        raise UnsupportedLayerError(msg)
    return _KINDS[kind]


def for_call(call, ctx, *, layer: str = "") -> KindSpec:
    """The kind of a top-function call: ``nnet::`` functions by name, others by ``matches``."""
    _load()
    if call.namespace == "nnet":
        return for_nnet(call.function, layer=layer)
    for spec in _KINDS.values():
        if spec.matches is not None and spec.matches(call, ctx):
            return spec
    msg = (f"layer {layer}: {call.qualified} is neither an nnet:: layer nor project code this emulator reads "
           f"(supported: nnet::{', nnet::'.join(sorted(_NNET))}, and da4ml straight-line dense code)")
    raise UnsupportedLayerError(msg)


def for_onnx(op: str, *, node: str = "", hint: str = "") -> KindSpec:
    _load()
    kind = _ONNX.get(op)
    if kind is None:
        msg = f"node {node}: ONNX op {op} is not supported; supported: {', '.join(sorted(_ONNX))}{hint}"
        raise UnsupportedLayerError(msg)
    return _KINDS[kind]


def conventions() -> dict[str, str]:
    """kind -> the hls4ml semantics its kernel reproduces."""
    _load()
    return {k: s.convention for k, s in sorted(_KINDS.items())}


def timing_rules() -> dict[str, str]:
    _load()
    return {k: s.timing_rule for k, s in sorted(_KINDS.items())}
