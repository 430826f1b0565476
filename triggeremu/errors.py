"""Errors the user can fix. The CLI prints their message and exits with status 2.

Each message names what was expected, what was found, and the fix (e.g. the
trees or branches that do exist). Subclasses refine the builtin they are
closest to, so library callers can catch either.
"""

from __future__ import annotations

__all__ = ["UserError", "InputFileError", "ConfigError"]


class UserError(Exception):
    """A problem with the user's input or configuration, with a message that says the fix."""


class InputFileError(UserError, OSError):
    """An input file is missing, unreadable, not the expected format or lacks what we need."""


class ConfigError(UserError, ValueError):
    """A configuration (menu, pipeline, model config) is invalid."""
