"""Errors the command line turns into a clear message and exit code 2."""

from __future__ import annotations

from model.errors import UsageError

__all__ = ["UsageError"]
