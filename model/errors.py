"""Errors for bad user input that any layer of Kyosei can raise; the command line turns them into exit code 2."""  # noqa: E501

from __future__ import annotations


class UsageError(ValueError):
    """Bad input from the user that is not a parameter value (e.g. an unusable folder)."""
