"""The 重層 policy components as interventions, registered by name."""

from .base import ELIGIBILITY_RULES, REGISTRY, Intervention, register

__all__ = ["ELIGIBILITY_RULES", "REGISTRY", "Intervention", "register"]
