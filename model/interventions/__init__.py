"""The 重層 policy components as interventions, registered by name.

Importing this package registers every component: ``one_stop``, ``multi_agency``,
``outreach``, ``participation``, ``community_building``, ``platform``,
``cafe_agreement`` and ``funding``.
"""

from . import community, consultation, outreach, participation
from .base import ELIGIBILITY_RULES, REGISTRY, Intervention, register

__all__ = [
    "ELIGIBILITY_RULES",
    "REGISTRY",
    "Intervention",
    "community",
    "consultation",
    "outreach",
    "participation",
    "register",
]
