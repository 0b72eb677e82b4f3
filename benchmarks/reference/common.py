"""Shared constants, the month's tally and households of the per-agent reference."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from model.population import TIE_KINDS

if TYPE_CHECKING:
    from .resident import Resident


CHILDCARE = 2
ALL_KINDS = tuple(range(len(TIE_KINDS)))  # tie kinds in Kyosei's order (kin's rates are 0)
UNDER_12_M, ADULT_M = 12 * 12, 18 * 12
# Kyosei's resident columns a reference resident starts from.
COPIED_COLUMNS = (
    *("pid", "age_m", "sex", "hh", "role", "never_married", "origin_hh", "working"),
    *("arrival_m", "sev", "onset_m", "supported", "known", "assistance", "seek_cap"),
    *("dropouts", "case_state", "case_counter", "case_since", "case_due", "case_fields"),
    *("case_route", "ties", "venue", "org", "volunteer", "vol_venue", "lonely"),
)


def _monthly(annual: float) -> float:
    """Monthly probability for an annual one (the conversion Kyosei uses)."""
    return -math.expm1(math.log1p(-min(annual, 0.999)) / 12.0)


@dataclass
class Tally:
    """Events of the current month (simulated residents)."""

    births: int = 0
    deaths: int = 0
    crisis_deaths: int = 0
    in_migrants: int = 0
    out_migrants: int = 0
    to_facility: int = 0
    arrivals: list[int] = field(default_factory=lambda: [0] * 7)
    served: int = 0
    supported_new: int = 0
    referrals: int = 0
    dropouts: int = 0
    venue_referrals: int = 0
    resolved: int = 0
    reconnected: int = 0


class Household:
    """A home. Not an agent: households do nothing on their own in Kyosei either.

    Attributes:
        district: Daily-life area.
        x, y: Map position (km).
        institution: A care facility (one per district).
        members: Residents living here now.
        children_out: Residents who grew up here and left home (kin; where an elder
            living alone may move in). Departed ones are skipped when read.
    """

    __slots__ = ("children_out", "district", "institution", "members", "x", "y")

    def __init__(self, district: int, x: float, y: float, institution: bool = False) -> None:
        self.district = district
        self.x, self.y = x, y
        self.institution = institution
        self.members: list[Resident] = []
        self.children_out: list[Resident] = []


def _pick(kinds: tuple[int, ...], weights: tuple[float, ...], pos: float) -> int:
    """The kind whose cumulative weight band contains ``pos``."""
    cum = 0.0
    for kind, w in zip(kinds, weights, strict=True):
        cum += w
        if pos < cum:
            return kind
    return kinds[-1]
