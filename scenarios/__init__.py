"""Town profiles and policy packages as TOML files, and the loader that checks them."""

from .loader import (
    load_policy,
    load_scenario,
    load_town,
    policy_names,
    town_names,
)

__all__ = ["load_policy", "load_scenario", "load_town", "policy_names", "town_names"]
