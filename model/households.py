"""Household change within town: leaving home, partnering, older people's moves, work.

:func:`household_change` is the month's last demographic phase (see
:mod:`model.demography`): young adults leave home within town; singles partner; older
people living alone move in with a child's family or into a care facility; once a year,
work status follows the employment rate of one's age and sex. Widowhood and elderly
living alone follow from deaths.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import households_kernels
from .population import (
    ADULT_AGE,
    FACILITY_OLDEST,
    FEMALE,
    LATE_OLD_AGE,
    MALE,
    MAX_AGE,
    ROLE_CHILD,
    ROLE_HEAD,
    ROLE_PARENT,
)
from .rates import monthly_chance

if TYPE_CHECKING:
    from .core import CommunityModel


def household_change(model: CommunityModel) -> None:
    """Young adults leave home within town; singles partner; elders move; work follows age."""
    r, p = model.residents, model.params.demography
    month = model.month
    years = r.age_m // 12
    # Living members per household, counted once and kept up to date as people move.
    sizes = model.household_sizes()
    # Leaving home (within town): adult children 18-34.
    young = (years >= ADULT_AGE) & (years < p.leave_home_below)
    candidates = np.flatnonzero(r.alive & (r.role == ROLE_CHILD) & young)
    monthly = monthly_chance(p.leave_home_rate)
    stream = model.streams["leave_home"]
    leavers = candidates[stream.bernoulli(r.pid[candidates], monthly, month)]
    if leavers.size:
        gen = stream.generator(month)
        districts = np.where(
            gen.random(leavers.size) < p.leave_home_nearby,
            r.district[leavers],
            model.pick_districts(leavers.size, gen),
        ).astype(np.int16)
        first = model.new_households(districts, r.pid[leavers], gen)
        sizes = _moved(sizes, r.hh[leavers], model.households.n)
        r.origin_hh[leavers] = r.hh[leavers]
        r.hh[leavers] = first + np.arange(leavers.size, dtype=np.int32)
        sizes[first:] = 1
        r.district[leavers] = districts
        r.role[leavers] = ROLE_HEAD
        model.on_left_home(leavers)
    # Household sizes after leaving home, and again after partnering (a child who leaves
    # to live with a partner can leave a widowed parent living alone).
    sizes = _partnering(model, years, sizes)
    _elderly_moves(model, years, sizes)
    if month % 12 == 0:
        update_employment(model)


def _moved(sizes: np.ndarray, left: np.ndarray, n_hh: int) -> np.ndarray:
    """``sizes`` grown to ``n_hh`` households, less one member per entry of ``left``."""
    out = np.zeros(n_hh, dtype=sizes.dtype)
    out[: sizes.size] = sizes
    np.subtract.at(out, left, 1)
    return out


def _partnering(model: CommunityModel, years: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Never-married men and women 22-44 living alone or with their parents pair up by age.

    She moves in with him if he lives alone, he with her if she does; two who both live
    with their parents leave home together into a new household in his district. Returns
    the household sizes after the moves.
    """
    r, p = model.residents, model.params.demography
    idx = households_kernels.partner_candidates(
        r.alive, r.never_married, years, r.role, r.hh, sizes, p.partner_from, p.partner_below
    )
    if idx.size == 0:
        return sizes
    monthly = monthly_chance(p.partner_rate)
    ready = idx[model.streams["partner"].bernoulli(r.pid[idx], monthly, model.month)]
    men = ready[r.sex[ready] == MALE]
    women = ready[r.sex[ready] == FEMALE]
    k = min(men.size, women.size)
    if k == 0:
        return sizes
    # Pair by age rank (ties broken by identity so the order is reproducible).
    men = men[np.lexsort((r.pid[men], r.age_m[men]))][:k]
    women = women[np.lexsort((r.pid[women], r.age_m[women]))][:k]
    he_alone = r.role[men] == ROLE_HEAD
    she_alone = r.role[women] == ROLE_HEAD
    both_home = ~he_alone & ~she_alone
    if both_home.any():
        gen = model.streams["partner"].generator(model.month)
        first = model.new_households(r.district[men[both_home]], r.pid[men[both_home]], gen)
        new_hh = first + np.arange(int(both_home.sum()), dtype=np.int32)
    # Where the couple will live: his home, hers, or a new one.
    home = np.where(he_alone, r.hh[men], np.where(she_alone, r.hh[women], -1))
    if both_home.any():
        home[both_home] = new_hh
    district = model.households.district[home]
    leaving = np.concatenate([men[~he_alone], women[~she_alone]])
    sizes = _moved(sizes, np.concatenate([r.hh[men], r.hh[women]]), model.households.n)
    np.add.at(sizes, home, 2)
    r.origin_hh[leaving] = r.hh[leaving]
    for people in (men, women):
        r.hh[people] = home
        r.district[people] = district
        r.role[people] = ROLE_HEAD
        r.never_married[people] = False
    if leaving.size:
        model.on_left_home(leaving)
    return sizes


def _elderly_moves(model: CommunityModel, years: np.ndarray, sizes: np.ndarray) -> None:
    """Older people living alone move in with a child's family or into a care facility.

    Care facilities are one institutional household per district: their residents stay
    in the population (as in the census) but no longer live alone at home.
    """
    r, p = model.residents, model.params.demography
    # With each household, a child's household in town: that of a resident who grew up
    # in it (the last of them by index).
    alone, child_hh = households_kernels.elders_alone(
        r.alive, years, r.hh, r.origin_hh, sizes, model.households.n
    )
    if alone.size == 0:
        return
    target = child_hh[r.hh[alone]]
    p_join = np.where(target >= 0, monthly_chance(p.join_family_rate), 0.0)
    elder_years = years[alone]
    fac_rate = np.where(
        elder_years >= FACILITY_OLDEST,
        p.facility_rate[1],
        np.where(elder_years >= LATE_OLD_AGE, p.facility_rate[0], 0.0),
    )
    p_fac = monthly_chance(fac_rate)
    u = model.streams["elderly_moves"].uniform(r.pid[alone], model.month)
    joins = u < p_join
    enters = ~joins & (u < p_join + p_fac)
    movers = alone[joins]
    r.hh[movers] = target[joins]
    r.district[movers] = model.households.district[target[joins]]
    r.role[movers] = ROLE_PARENT
    model.move_to_facility(alone[enters])


def update_employment(model: CommunityModel) -> None:
    """Once a year, work status follows the employment rate of one's age and sex.

    Each person keeps one lifelong propensity, so the same people stay in work from year
    to year and leave it as the rate for their age falls (retirement).
    """
    r = model.residents
    r.working[:] = r.alive & _in_work(model, r.pid, r.sex, r.age_m)


def employ_newcomers(model: CommunityModel, new: slice) -> None:
    """Newcomers who move in are in work or not by the same rule, from the day they arrive.

    Without it they would all count as out of work until the next yearly update: no
    colleagues on arrival and the poverty onset of adults out of work.
    """
    r = model.residents
    r.working[new] = _in_work(model, r.pid[new], r.sex[new], r.age_m[new])


def _in_work(
    model: CommunityModel, pid: np.ndarray, sex: np.ndarray, age_m: np.ndarray
) -> np.ndarray:
    """Whether each person's lifelong propensity is below the employment rate of their age."""
    rate = model.demo_tables.employment[sex, np.minimum(age_m // 12, MAX_AGE)]
    return model.streams["employment"].uniform(pid, 0) < rate
