"""Facts about the town that many rules need in the same month, computed once.

A :class:`Snapshot` is taken after the month's demography; each fact is computed on
first use and then shared (ages in years, who lives at home, household sizes and
compositions). Deaths in crises later in the month leave it slightly stale for the
rest of that month, which no rule depends on. The facts that are one pass over the
residents (years, the sex-age index, at home, alone) are compiled loops when Numba is
on, with their NumPy twins.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from . import kernels
from .population import ADULT_AGE, AGE_YEARS, MAX_AGE
from .ties import isolated

if TYPE_CHECKING:
    from .core import CommunityModel


# Where each process's events fall in ``Snapshot.taking_part_draw``.
PART_VENUE, PART_GROUP, PART_VOLUNTEER = 0.0, 0.25, 0.5


# The equity outputs' age groups, 0-17, 18-39, 40-64, 65-74 and 75+, by year of age.
_AGE_GROUP_STARTS = np.array([18, 40, 65, 75])
AGE_GROUP_OF_YEAR = np.searchsorted(_AGE_GROUP_STARTS, np.arange(AGE_YEARS), side="right")
N_AGE_GROUPS = _AGE_GROUP_STARTS.size + 1


class Snapshot:
    """Lazily computed per-month facts of ``model``."""

    def __init__(self, model: CommunityModel) -> None:
        self.model = model
        self.r = model.residents

    @cached_property
    def years(self) -> np.ndarray:
        """Completed years of age, capped at ``MAX_AGE`` (int16)."""
        return (_years if kernels.USE_NUMBA else years_numpy)(self.r.age_m)

    @cached_property
    def sex_age(self) -> np.ndarray:
        """Index into tables laid out as [sex, years] and flattened (sex * 121 + years)."""
        return (_sex_age if kernels.USE_NUMBA else sex_age_numpy)(self.r.sex, self.years)

    @cached_property
    def age_group(self) -> np.ndarray:
        """Age group index for the equity outputs: 0-17, 18-39, 40-64, 65-74, 75+."""
        return AGE_GROUP_OF_YEAR[self.years]

    @cached_property
    def home(self) -> np.ndarray:
        """Living residents in private households (not in a care facility)."""
        r = self.r
        return (_home if kernels.USE_NUMBA else home_numpy)(
            r.alive, self.model.households.institution, r.hh
        )

    @cached_property
    def sizes(self) -> np.ndarray:
        """Living members per household."""
        return self.count_per_household(self.r.alive)

    def count_per_household(self, mask: np.ndarray) -> np.ndarray:
        """Residents in ``mask`` per household."""
        return kernels.count_by(self.r.hh, mask, self.model.households.n)

    @cached_property
    def kids_under_12(self) -> np.ndarray:
        """Children under 12 per household."""
        return self.count_per_household(self.r.alive & (self.years < 12))

    @cached_property
    def adults(self) -> np.ndarray:
        """Adults (18+) per household."""
        return self.count_per_household(self.r.alive & (self.years >= ADULT_AGE))

    @cached_property
    def newborn(self) -> np.ndarray:
        """Households with a baby born this month."""
        r = self.r
        return self.count_per_household(r.alive & (r.age_m == 0)) > 0

    @cached_property
    def with_kids(self) -> np.ndarray:
        """Residents whose household has a child under 12."""
        return self.kids_under_12[self.r.hh] > 0

    @cached_property
    def single_parent(self) -> np.ndarray:
        """Residents of a household with a child under 12 and one adult."""
        return self.with_kids & (self.adults[self.r.hh] == 1)

    @cached_property
    def isolated(self) -> np.ndarray:
        """Living residents with no family or friend outside the household (month start)."""
        return isolated(self.model)

    @cached_property
    def taking_part_draw(self) -> np.ndarray:
        """One uniform draw per resident for the month's joining and leaving.

        Venues, groups and volunteering each use their own quarter of [0, 1) (see
        ``PART_*``): every event keeps its probability (all are below 1/4), and one
        draw replaces three passes over the town.
        """
        return self.model.streams["taking_part"].uniform(self.r.pid, self.model.month)

    @cached_property
    def alone(self) -> np.ndarray:
        """Living residents who live alone (at home)."""
        return (_alone if kernels.USE_NUMBA else alone_numpy)(self.home, self.sizes, self.r.hh)


# ---- the facts that are one pass over the residents: compiled, and their NumPy twins --
# Each NumPy expression makes two or three passes and temporaries over the town; the
# compiled loop one (Okazaki's 385k residents: ``home`` 0.80 → 0.29 ms, ``alone`` 1.00 →
# 0.40, ``sex_age`` 0.42 → 0.15, ``years`` 0.19 → 0.07). Integers and booleans only, so
# both give the same arrays (tests/test_snapshot.py).
def years_numpy(age_m: np.ndarray) -> np.ndarray:
    """Completed years of age ``age_m // 12``, capped at ``MAX_AGE``, as int16."""
    return np.minimum(age_m // 12, MAX_AGE).astype(np.int16)


@kernels.jit
def _years(age_m: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    out = np.empty(age_m.size, np.int16)
    for i in range(age_m.size):
        out[i] = min(age_m[i] // 12, MAX_AGE)
    return out


def sex_age_numpy(sex: np.ndarray, years: np.ndarray) -> np.ndarray:
    """``sex * AGE_YEARS + years`` as intp (the flattened [sex, years] index)."""
    return sex.astype(np.intp) * AGE_YEARS + years


@kernels.jit
def _sex_age(sex: np.ndarray, years: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    out = np.empty(sex.size, np.intp)
    for i in range(sex.size):
        out[i] = np.intp(sex[i]) * AGE_YEARS + years[i]
    return out


def home_numpy(alive: np.ndarray, institution: np.ndarray, hh: np.ndarray) -> np.ndarray:
    """Living residents whose household is not a care facility."""
    return alive & ~institution[hh]


@kernels.jit
def _home(
    alive: np.ndarray, institution: np.ndarray, hh: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    out = np.empty(alive.size, np.bool_)
    for i in range(alive.size):
        out[i] = alive[i] and not institution[hh[i]]
    return out


def alone_numpy(home: np.ndarray, sizes: np.ndarray, hh: np.ndarray) -> np.ndarray:
    """Residents at ``home`` whose household has one living member."""
    return home & (sizes[hh] == 1)


@kernels.jit
def _alone(
    home: np.ndarray, sizes: np.ndarray, hh: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    out = np.empty(home.size, np.bool_)
    for i in range(home.size):
        out[i] = home[i] and sizes[hh[i]] == 1
    return out
