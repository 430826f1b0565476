"""Which version of the dense and merge code of hls4ml's ``nnet_utils`` a project folder carries.

A project folder ships its own copy of ``nnet_utils`` (``nn_utils`` in TOPO), and that copy
is the truth for the folder. The copies in the cms-hls4ml folders differ from hls4ml 1.3.0
in a few bodies that change the bits or the reading of the configs:

- ``nnet_dense.h dense``: 1.3.0 calls ``CONFIG_T::template kernel<...>::dense`` (the config's
  ``using kernel``); older copies branch on ``CONFIG_T::strategy`` and let
  ``dense_resource`` pick the resource kernel from the reuse factor;
- ``nnet_merge.h add/subtract/multiply/average/maximum/minimum``: 1.3.0 broadcasts
  (``data1[ii % n_elem1]``), older copies index element-wise (``n_elem`` only); ``average``
  is ``(a + b) * ap_ufixed<1,0>(0.5)`` in 1.3.0 and AXOL1TL v6, ``(a + b) / (res_T)2`` in older
  copies; ``maximum``/``minimum`` cast each side to ``res_T`` (1.3.0) or select the raw
  operands (older: the same bits, since both operands must then share a type);
- ``nnet_merge.h concatenate3d_2``: older copies bound the second input's inner loop by
  ``n_elem1_2`` (reading or leaving values undefined unless both inner sizes agree).

:class:`NnetHeaders` finds a function's body in the folder's headers and classifies it; a
body that matches no known version is refused naming the header and function. Without a
``nnet_utils`` copy (a bare hls4ml 1.3.0 ``firmware/``) the 1.3.0 versions apply.
"""

from __future__ import annotations

import re
from pathlib import Path

from firmware_models.errors import ModelFormatError

__all__ = ["NnetHeaders", "HLS4ML_130"]

#: the versions of hls4ml 1.3.0's own nnet_utils (templates/vivado/nnet_utils)
HLS4ML_130 = {"dense": "kernel_template", "add": "broadcast", "subtract": "broadcast", "multiply": "broadcast",
              "average": "broadcast_half", "maximum": "broadcast_cast", "minimum": "broadcast_cast",
              "concatenate3d": "fixed"}

_HEADER = {"dense": "nnet_dense.h", "add": "nnet_merge.h", "subtract": "nnet_merge.h", "multiply": "nnet_merge.h",
           "average": "nnet_merge.h", "maximum": "nnet_merge.h", "minimum": "nnet_merge.h",
           "concatenate3d": "nnet_merge.h"}


def _normalize(text: str) -> str:
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"#pragma[^\n]*", "", text)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r" (?=\W)|(?<=\W) ", "", text)   # a space only between two word characters


def _bodies(text: str, name: str) -> list[str]:
    """Normalized definitions (signature + body) of every function ``name`` in a normalized header."""
    out = []
    for m in re.finditer(r"(?<![\w:])" + re.escape(name) + r"\(", text):
        depth, i = 0, m.end() - 1
        for i in range(m.end() - 1, len(text)):   # the parameter list
            depth += (text[i] == "(") - (text[i] == ")")
            if depth == 0:
                break
        j = i + 1
        if j >= len(text) or text[j] != "{":
            continue
        depth = 0
        for k in range(j, len(text)):
            depth += (text[k] == "{") - (text[k] == "}")
            if depth == 0:
                out.append(text[m.start():k + 1])
                break
    return out


def _classify(kind: str, body: str) -> str | None:
    if kind == "dense":
        if "CONFIG_T::template kernel<" in body:
            return "kernel_template"
        if "CONFIG_T::strategy==nnet::latency" in body and "dense_resource<" in body:
            return "strategy_branch"
        return None
    if kind == "concatenate3d":
        return "fixed" if "kk<CONFIG_T::n_elem2_2" in body else "inner_n_elem1_2"
    broadcast = "%CONFIG_T::n_elem1]" in body
    plain = "data1[ii]" in body and not broadcast
    if not (broadcast or plain):
        return None
    idx = "broadcast" if broadcast else "elementwise"
    if kind in ("add", "subtract", "multiply"):
        sym = {"add": "+", "subtract": "-", "multiply": "*"}[kind]
        return idx if re.search(r"res\[ii\]=data1\[[^]]*\]" + re.escape(sym) + r"data2\[", body) else None
    if kind == "average":
        if "*ap_ufixed<1,0>(0.5)" in body:
            return idx + "_half"
        if re.search(r"/\(res_T\)2;", body):
            return idx + "_divide"
        return None
    op = ">" if kind == "maximum" else "<"
    if not re.search(r"res\[ii\]=\(data1\[[^]]*\]" + re.escape(op) + r"data2\[", body):
        return None
    return idx + ("_cast" if "static_cast<res_T>" in body else "_select")


class NnetHeaders:
    """The folder's ``nnet_utils`` copy (or none: hls4ml 1.3.0's versions)."""

    def __init__(self, utils_dir: Path | None) -> None:
        self.dir = utils_dir
        self._text: dict[str, str] = {}
        self._memo: dict[str, str] = {}

    def _header(self, name: str) -> str | None:
        if self.dir is None:
            return None
        if name not in self._text:
            p = self.dir / name
            self._text[name] = _normalize(p.read_text(errors="replace")) if p.is_file() else ""
        return self._text[name] or None

    def variant(self, kind: str, layer: str = "") -> str:
        """The version of ``kind``'s body in this folder (see the module docstring)."""
        if kind in self._memo:
            return self._memo[kind]
        header = self._header(_HEADER[kind])
        if header is None:
            v = HLS4ML_130[kind]
        else:
            fn = "dense" if kind == "dense" else kind.replace("concatenate3d", "concatenate3d_2")
            found = [_classify(kind, b) for b in _bodies(header, fn)]
            found = [f for f in found if f is not None]
            if not found:
                msg = (f"layer {layer}: {self.dir / _HEADER[kind]} defines nnet::{fn} in a way this emulator does not "
                       "know (neither hls4ml 1.3.0's nor an older version); its bits cannot be trusted")
                raise ModelFormatError(msg)
            v = found[0]
        self._memo[kind] = v
        return v
