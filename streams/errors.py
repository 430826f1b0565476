"""Errors raised by sources and transport, each with a message that names the fix.

The ``triggeremu`` CLI turns any :class:`StreamError` into exit status 2 and one
line on stderr. Subclasses refine the builtin they are closest to.
"""

from __future__ import annotations

__all__ = ["StreamError", "SourceError", "MissingBranchError", "TransportError", "StreamIntegrityError"]


class StreamError(Exception):
    """Base of all errors from :mod:`streams`."""


class SourceError(StreamError, OSError):
    """An input file is missing, not ROOT, truncated, or lacks what the source needs."""


class MissingBranchError(StreamError, KeyError):
    """A tree or branch is not in the file; the message lists the ones that exist."""

    def __str__(self) -> str:  # KeyError quotes its message; we want it plain
        return str(self.args[0]) if self.args else ""


class TransportError(StreamError, RuntimeError):
    """A worker died, a peer timed out, or a stranger joined the run."""


class StreamIntegrityError(TransportError):
    """Batches were lost or duplicated; the message names sequence numbers and orbit ranges."""
