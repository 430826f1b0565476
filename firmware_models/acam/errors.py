"""Errors of the ACAM model beyond :mod:`firmware_models.errors`.

:class:`AcamInputError` is raised for input arrays the ACAM cannot search (wrong
shape, values outside the n-bit code range, NaN). It is a
:class:`~firmware_models.errors.ModelError`, so the ``triggeremu`` CLI reports it
as one line and exit status 2.
"""

from __future__ import annotations

from firmware_models.errors import ModelError

__all__ = ["AcamInputError"]


class AcamInputError(ModelError, ValueError):
    """An input batch does not fit the table (shape, dtype, code range); the message says the fix."""
