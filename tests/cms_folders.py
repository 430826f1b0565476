"""Where the real CMS L1 network folders are (../shared/models/cms-hls4ml), for the wrapper tests.

The folders are test data read in place, never copied into the project. ``TRIGGEREMU_SHARED``
names another shared/ folder (a worktree whose parent has none); tests skip with a message
when the folders are absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("TRIGGEREMU_SHARED", Path(__file__).resolve().parents[2] / "shared"))
CMS = SHARED / "models" / "cms-hls4ml"
GOLDEN = Path(__file__).resolve().parent / "golden" / "cms"

AXOL1TL = ("AXOL1TL_v1", "AXOL1TL_v3", "AXOL1TL_v4", "AXOL1TL_v5", "AXOL1TL_v6")
CICADA_V1 = ("CICADA_v1", "CICADA_v1p1", "CICADA_v1p1p1", "CICADA_v1p1p2")
CICADA_V2 = ("CICADA_v2", "CICADA_v2p1", "CICADA_v2p1p1", "CICADA_v2p1p2", "CICADA_v2p2p0")
TOPO = ("TOPO_HHbbWW_1mu_v1",)
JET_TAGGERS = ("L1TSC4NGJetModel_v0", "TOoLLiP_v1", "TOoLLiP_v2", "TOoLLiP_v3")
ALL = AXOL1TL + CICADA_V1 + CICADA_V2 + TOPO + JET_TAGGERS


def folder(name: str) -> Path:
    """The folder ``name`` of cms-hls4ml, or skip the test."""
    path = CMS / name
    if not path.is_dir():
        pytest.skip(f"CMS network folder {path} absent (set TRIGGEREMU_SHARED to a shared/ that has it)")
    return path
