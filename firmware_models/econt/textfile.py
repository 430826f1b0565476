"""Reading the ECON-T text inputs (register yaml, vector CSV), plain or gzip'd.

The regression cases cut from the upstream test vectors are stored as ``.gz``; both
readers go through :func:`read_text` so a missing or truncated file gives the same
clear error.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from firmware_models.errors import ModelFormatError

__all__ = ["read_text"]


def read_text(path: Path, what: str = "") -> str:
    """The text of ``path`` (decompressed when it ends in ``.gz``); ``what`` names it in the error."""
    try:
        return gzip.decompress(path.read_bytes()).decode() if path.suffix == ".gz" else path.read_text()
    except (OSError, EOFError) as err:
        msg = f"cannot read {what}{path}: {getattr(err, 'strerror', None) or err}"
        raise ModelFormatError(msg) from err
