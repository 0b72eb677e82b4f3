"""Shocks: a pandemic-like event and a cut in transport, each with a start month.

A pandemic closes venues for its duration, cuts the income of the NPOs it hits (the
seed: about 85 % of non-profits were heavily affected by COVID-19), pauses their
activities (so activity costs fall too) and makes volunteers stop more often. After it
ends, activity resumes and revenue recovers linearly over ``pandemic_recovery_months``;
most NPOs it folded re-form over those months (``pandemic_refound``). National NPO counts
fell only about 3 % from 2017 to 2023 ([cao-npo-count-2024]), so the loss is small and
temporary. A transport cut shrinks the distance people will travel to a venue from its
start month on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .parameters import param

if TYPE_CHECKING:
    from .core import CommunityModel

SEED_NPO = "[nippon-foundation-covid-2020] ≈ 85 % of non-profits heavily affected"


@dataclass(frozen=True)
class ShockParams:
    """When shocks happen and how hard they hit (negative start = never)."""

    pandemic_start: int = param(
        -1,
        unit="month (-1: no pandemic)",
        source="scenario choice",
        lo=-1,
        hi=1200,
        ja="感染症流行の開始月",
        en="Pandemic start month",
    )
    pandemic_months: int = param(24, unit="months", source="assumption (COVID-19)", lo=1, hi=240)
    pandemic_npo_hit: float = param(
        0.85, unit="share of NPOs heavily affected", source=SEED_NPO, lo=0, hi=1
    )
    pandemic_revenue: float = param(
        0.3,
        unit="lowest income multiplier of an affected NPO (each draws from here to 1)",
        source="assumption",
        lo=0,
        hi=1,
    )
    pandemic_activity: float = param(
        0.4,
        unit="share of an NPO's activity costs still spent while a pandemic pauses activity",
        source="assumption (venues are closed; sensitivity range 0.2-1)",
        lo=0,
        hi=1,
    )
    pandemic_recovery_months: int = param(
        12,
        unit="months for an affected NPO's revenue to return to normal after a pandemic",
        source="assumption: consistent with [cao-npo-count-2024] (≈ −3 % 2017-2023, no collapse); "
        "sensitivity range 0-36",
        lo=0,
        hi=120,
    )
    pandemic_refound: float = param(
        0.8,
        unit="share of the NPOs a pandemic folded that re-form during the recovery",
        source="assumption: consistent with [cao-npo-count-2024] (≈ −3 % 2017-2023 through "
        "COVID-19); sensitivity range 0-1",
        lo=0,
        hi=1,
    )
    pandemic_volunteer_quit: float = param(
        2.0, unit="multiplier on volunteers stopping", source="assumption", lo=1, hi=20
    )
    transport_cut_start: int = param(
        -1,
        unit="month (-1: no cut)",
        source="scenario choice",
        lo=-1,
        hi=1200,
        ja="公共交通縮小の開始月",
        en="Transport cut start month",
    )
    transport_cut_distance: float = param(
        0.5,
        unit="multiplier on the distance people travel to venues",
        source="assumption",
        lo=0.01,
        hi=1,
    )


def apply(model: CommunityModel) -> None:
    """Set this month's shock effects on venues, NPOs and volunteers."""
    p = model.params.shocks
    month = model.month
    on = 0 <= p.pandemic_start <= month < p.pandemic_start + p.pandemic_months
    model.levers.venues_closed = on
    model.levers.volunteer_quit_factor = p.pandemic_volunteer_quit if on else 1.0
    system = model.organisations
    if on and month == p.pandemic_start:
        gen = model.streams["pandemic"].generator(month)
        system.pandemic_hit(gen, p.pandemic_npo_hit, p.pandemic_revenue)
    if p.pandemic_start >= 0:
        system.set_activity(p.pandemic_activity if on else 1.0)
        since_end = month - (p.pandemic_start + p.pandemic_months)
        system.counting_shock_losses = on
        if 0 <= since_end <= p.pandemic_recovery_months:
            left = p.pandemic_recovery_months - since_end + 1
            done = (since_end + 1) / (p.pandemic_recovery_months + 1)
            system.recover_revenue(done)
            # The folded NPOs re-form spread over the recovery months.
            gen = model.streams["pandemic"].generator(month, k=1)
            due = int(gen.binomial(system.shock_losses, 1.0 / left))
            system.shock_losses -= due
            system.refound(int(gen.binomial(due, p.pandemic_refound)), gen)
    cut = 0 <= p.transport_cut_start <= month
    model.levers.distance_scale = p.transport_cut_distance if cut else 1.0
