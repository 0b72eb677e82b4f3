"""Kyosei's model: a Mesa model of a shrinking, aging town and its support system.

The public entry points are :class:`CommunityModel` and :class:`Scenario`; scenario
files are read by :mod:`scenarios`.
"""

from .core import CommunityModel
from .parameters import ParameterError
from .scenario import InterventionSpec, Params, PolicyPackage, Scenario

__all__ = [
    "CommunityModel",
    "InterventionSpec",
    "ParameterError",
    "Params",
    "PolicyPackage",
    "Scenario",
]
