"""Kyosei's model: a Mesa model of a shrinking, aging town and its support system.

The public entry points are :class:`CommunityModel` and :class:`Scenario`; scenario
files are read by :mod:`scenarios`.

The names below are imported on first use, so that importing a light module of the
package (``model.errors``, ``model.sources``, ``model.parameters``) does not load Mesa,
NumPy or SciPy: ``kyosei --help`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core import CommunityModel
    from .parameters import ParameterError
    from .scenario import InterventionSpec, Params, PolicyPackage, Scenario

_WHERE = {
    "CommunityModel": ".core",
    "InterventionSpec": ".scenario",
    "ParameterError": ".parameters",
    "Params": ".scenario",
    "PolicyPackage": ".scenario",
    "Scenario": ".scenario",
}

__all__ = [
    "CommunityModel",
    "InterventionSpec",
    "ParameterError",
    "Params",
    "PolicyPackage",
    "Scenario",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name], __name__), name)
    globals()[name] = value
    return value
