"""Errors the command line turns into a clear message and exit code 2.

``UsageError`` lives in :mod:`model.errors` so that every layer can raise it; it is
re-exported here so that ``from kyosei.errors import UsageError`` keeps working.
"""

from __future__ import annotations

from model.errors import UsageError

__all__ = ["UsageError"]
