"""The one front door for model paths: :func:`load` dispatches on what the path is.

:data:`FORMATS` is the table, tried in order; each entry is ``(name, test, load)``:

- ``cmssw-wrapper``: a folder holding a CMSSW ``hls4mlEmulator::Model`` wrapper .cpp
  (AXOL1TL_vN/, CICADA_*, TOPO_*, ...) -> :func:`~.cmssw_wrapper.load_wrapper` (tried
  first: such a folder may also be an hls4ml project, and the wrapper is what CMSSW runs);
- ``hls4ml-project``: any other folder -> :func:`~.hls4ml_project.load_hls4ml_project`;
- ``onnx``: a file (an ONNX model; its loader says so when it is not) ->
  :func:`~.onnx_config.load_onnx` with ``config``.

A new kind of model path is one more row.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from firmware_models.errors import ModelFormatError

__all__ = ["FORMATS", "load", "detect"]


def _wrapper(path: Path, config: Any):
    from firmware_models.nn.cmssw_wrapper import load_wrapper

    return load_wrapper(path)


def _is_wrapper(path: Path) -> bool:
    from firmware_models.nn.cmssw_wrapper import is_wrapper_folder

    return is_wrapper_folder(path)


def _project(path: Path, config: Any):
    from firmware_models.nn.hls4ml_project import load_hls4ml_project

    return load_hls4ml_project(path)


def _onnx(path: Path, config: Any):
    from firmware_models.nn.onnx_config import load_onnx

    return load_onnx(path, config)


#: (name, test(path) -> bool, load(path, config) -> model), tried in order
FORMATS: tuple[tuple[str, Callable[[Path], bool], Callable[[Path, Any], Any]], ...] = (
    ("cmssw-wrapper", _is_wrapper, _wrapper),
    ("hls4ml-project", Path.is_dir, _project),
    ("onnx", Path.is_file, _onnx),
)


def detect(path: str | Path) -> str:
    """The :data:`FORMATS` name of ``path``."""
    p = Path(path)
    for name, test, _ in FORMATS:
        if test(p):
            return name
    what = "does not exist" if not p.exists() else "is neither a folder nor a file"
    msg = (f"model path {p} {what}; give an ONNX file, an hls4ml project folder or a CMSSW wrapper folder "
           f"(known kinds: {', '.join(n for n, _, _ in FORMATS)})")
    raise ModelFormatError(msg)


def load(path: str | Path, *, config: Any = None):
    """Load the model at ``path`` (see :data:`FORMATS`); ``config`` is the hls4ml-style config of an ONNX file."""
    p = Path(path)
    name = detect(p)
    return dict((n, f) for n, _, f in FORMATS)[name](p, config)
