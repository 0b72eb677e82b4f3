"""A cohort-component projection of a profile's starting population, and the migration fit.

The projection applies the model's own rates to expected counts by single year of age and
sex, one calendar year a step: the year's mortality and fertility (the same tables the
agent model uses), net moves out by age, returners, further net arrivals and foreign net
entries (with the age make-up of the model's arriving units). Exchange moves cancel and
are left out. It is used for one thing: a profile that states an annual change
(``town.annual_change_target`` over ``town.change_target_years``) has its net
out-migration (``demography.net_out_rate``) scaled by the factor that makes this
projection meet the target — solved once, at build time, and the same for every seed.
The agent model then runs with that factor; it is not corrected afterwards.
"""

from __future__ import annotations

import functools

import numpy as np

from .demography import (
    MAX_AGE_M,
    NET_BANDS,
    DemographyParams,
    DemographyTables,
    _by_band,
    make_units,
)
from .parameters import ParameterError
from .population import ADULT_AGE, FEMALE, MALE, PERCENT, TINY
from .town import TownParams, starting_pyramid

TOP = MAX_AGE_M // 12  # ages 0..TOP-1; nobody lives to TOP
RATE_CAP = 0.999  # keeps log1p(-rate) finite
FIT_MAX = 50.0  # largest net-out factor tried


@functools.lru_cache(maxsize=64)
def _unit_ages(shares: tuple[float, ...], parent_gap: int, child_below: int) -> np.ndarray:
    """Age-sex make-up of arriving units (share per [sex, age]) from a large fixed sample."""
    if sum(shares) <= 0:
        return np.zeros((2, TOP))
    units = make_units(
        np.random.default_rng(12345),
        shares,
        20_000,
        parent_gap=parent_gap,
        child_below=child_below,
    )
    years = np.minimum(units.age_m // 12, TOP - 1)
    out = np.zeros((2, TOP))
    np.add.at(out, (units.sex, years), 1.0)
    return out / out.sum()


def _survival(tables: DemographyTables) -> np.ndarray:
    """Probability of surviving the next 12 months from each completed age, [sex, age]."""
    q = tables.death[:, : TOP * 12].reshape(2, TOP, 12)
    return np.exp(np.log1p(-np.minimum(q, 1.0 - TINY)).sum(axis=2))


def project(
    demo: DemographyParams, town: TownParams, years: int, net_out_scale: float = 1.0
) -> np.ndarray:
    """Expected population at the start of each of ``years + 1`` calendar years (relative)."""
    start = starting_pyramid(town)[:, :TOP]
    pop = np.zeros((2, TOP))
    pop[:, : start.shape[1]] = start / start.sum()
    net_rate = _by_band(NET_BANDS, demo.net_out_rate, top=TOP) * net_out_scale
    # Children move with their parents (a household moves at its head's rate): give each
    # age under 18 the rate of parents about 30 years older.
    gap = demo.parent_age_gap
    net_rate[:ADULT_AGE] = net_rate[gap : gap + ADULT_AGE]
    family = (demo.family_parent_gap, demo.family_child_below)
    returners = _unit_ages(demo.return_unit_shares, *family)
    further = _unit_ages(demo.in_unit_shares, *family)
    foreign = _unit_ages(demo.foreign_unit_shares, *family)
    foreign_rate = demo.foreign_net_national / demo.national_population * demo.foreign_share
    tables = DemographyTables.build(demo)
    totals = [pop.sum()]
    for step in range(years):
        tables.set_year(town.start_year + step)
        survive = _survival(tables)
        births = float((pop[FEMALE] * tables.asfr[:TOP] * 12.0).sum())
        leavers = pop * -np.expm1(np.log1p(-np.minimum(net_rate, RATE_CAP)))
        total = pop.sum()
        arrivals = (
            returners * demo.return_share * leavers.sum()
            + further * demo.in_rate * total
            + foreign * foreign_rate * total
        )
        stay = (pop - leavers + arrivals) * survive
        nxt = np.zeros_like(pop)
        nxt[:, 1:] = stay[:, :-1]
        infant = float(np.sqrt(survive[:, 0].mean()))  # born mid-year on average
        nxt[MALE, 0] = births * demo.male_birth_share * infant
        nxt[FEMALE, 0] = births * (1.0 - demo.male_birth_share) * infant
        pop = nxt
        totals.append(pop.sum())
    return np.asarray(totals)


def annual_change(demo: DemographyParams, town: TownParams, years: int, scale: float) -> float:
    """Mean annual % change of the projection over ``years``."""
    totals = project(demo, town, years, scale)
    return float(((totals[-1] / totals[0]) ** (1.0 / years) - 1.0) * PERCENT)


@functools.lru_cache(maxsize=64)
def fit_net_out_scale(demo: DemographyParams, town: TownParams) -> float:
    """The factor on ``net_out_rate`` that meets the town's annual-change target.

    Returns 1.0 when the profile states no target (``change_target_years`` = 0).
    """
    years = town.change_target_years
    if years <= 0:
        return 1.0
    target = town.annual_change_target
    if not any(demo.net_out_rate):
        raise ParameterError(
            "demography.net_out_rate",
            list(demo.net_out_rate),
            "a net out-migration by age (some value > 0) to scale to town.annual_change_target",
        )
    hi_change = annual_change(demo, town, years, 0.0)
    lo_change = annual_change(demo, town, years, FIT_MAX)
    if not lo_change <= target <= hi_change:
        raise ParameterError(
            "town.annual_change_target",
            target,
            f"between {lo_change:.2f} and {hi_change:.2f} %/yr for this profile "
            "(its births, deaths and arrivals with no net moves out give the upper end)",
        )
    lo, hi = 0.0, FIT_MAX
    for _ in range(40):
        mid = (lo + hi) / 2.0
        if annual_change(demo, town, years, mid) > target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2.0
