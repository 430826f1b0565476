"""How messages reach a person: one line per error or warning, wherever it was raised.

:func:`one_line` keeps the first line of a message (a worker's report of a failure
carries its traceback below it). :func:`one_line_warnings` is a context manager that
shows every warning as ``<prefix>: warning: <message>`` on stderr, once per distinct
message; the CLI wraps each command in it, and :func:`in_child_process` installs the
same display in the source and worker processes of a distributed run, so their
warnings read the same.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

__all__ = ["one_line", "one_line_warnings", "in_child_process"]


def one_line(text: str) -> str:
    """The first non-empty line of a message."""
    lines = [ln for ln in str(text).strip().splitlines() if ln.strip()]
    return lines[0].strip() if lines else ""


def _formatter(prefix: str):
    shown: set[str] = set()

    def fmt(message, category, filename, lineno, line=None) -> str:
        text = one_line(str(message))
        if text in shown:  # the same warning from several batches is said once
            return ""
        shown.add(text)
        return f"{prefix}: warning: {text}\n"

    return fmt


@contextlib.contextmanager
def one_line_warnings(prefix: str) -> Iterator[None]:
    """Show warnings as one line each, prefixed, while the block runs. Only the text changes
    (``warnings.formatwarning``): filters, and recorders such as ``pytest.warns`` or
    ``logging.captureWarnings``, see the warnings as before."""
    previous = warnings.formatwarning
    warnings.formatwarning = _formatter(prefix)
    try:
        yield
    finally:
        warnings.formatwarning = previous


def in_child_process(role: str) -> None:
    """In a source or worker process (which lives only for the run): warnings as one line each.
    Does nothing in the main process (where the caller decides how warnings look)."""
    import multiprocessing

    if multiprocessing.parent_process() is not None:
        warnings.formatwarning = _formatter(f"triggeremu ({role})")
