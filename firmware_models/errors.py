"""Errors raised while loading or configuring hardware models.

The ``triggeremu`` CLI turns any :class:`ModelError` into exit status 2 and one
line on stderr. Messages name the layer/register/type at fault and the fix.
"""

from __future__ import annotations

__all__ = ["ModelError", "UnsupportedTypeError", "ModelFormatError"]


class ModelError(Exception):
    """Base of all errors from :mod:`firmware_models`."""


class UnsupportedTypeError(ModelError, ValueError):
    """A fixed-point type or width the fast path cannot compute exactly (names layer and type)."""


class ModelFormatError(ModelError, ValueError):
    """A model file, project directory or register file is malformed or unsupported."""
