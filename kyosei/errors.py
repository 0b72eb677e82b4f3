"""Errors the command line turns into a clear message and exit code 2."""

from __future__ import annotations


class UsageError(ValueError):
    """Bad input from the user that is not a parameter value (e.g. an unusable folder)."""
