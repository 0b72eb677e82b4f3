"""Moves into town: exchange replacements, returners, net arrivals and foreign entries.

:func:`in_migration` is the month's third demographic phase (see :mod:`model.demography`):
each household or person that left by exchange is replaced by newcomers of the same
make-up (ages, sexes, roles), so exchange moves have no net effect at any age; then
returners (a share of the month's net leavers, aged 25-39), other net arrivals
(``in_rate``) and foreign net in-migration (the national figure scaled to the town)
arrive as units: young singles, couples, families, older people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .population import ROLE_CHILD, ROLE_HEAD, TINY
from .rates import poisson_quantile

if TYPE_CHECKING:
    from .core import CommunityModel

# Arriving units: (youngest, oldest) age of the adults in years, and adults per unit.
UNIT_AGES = ((18, 25), (25, 35), (27, 45), (35, 65), (65, 85))
UNIT_COUPLE_SHARE = (0.0, 0.15, 1.0, 0.5, 0.5)
FAMILY = 2  # index of the unit type that brings children
KIDS = (1, 2, 3)
KIDS_P = (0.45, 0.42, 0.13)
# The same as arrays, made once (make_units runs three times a month).
_UNIT_LO_M = np.array([a for a, _ in UNIT_AGES]) * 12
_UNIT_HI_M = np.array([b for _, b in UNIT_AGES]) * 12
_UNIT_COUPLE = np.asarray(UNIT_COUPLE_SHARE)


@dataclass
class Units:
    """Arriving units laid out one row per person (see :func:`make_units`)."""

    unit: np.ndarray  # unit index of each person
    size: np.ndarray  # persons per unit
    age_m: np.ndarray
    sex: np.ndarray
    role: np.ndarray
    never_married: np.ndarray


def mean_unit_size(shares: tuple[float, ...]) -> float:
    """Expected persons per arriving unit for unit-kind ``shares``."""
    w = np.asarray(shares, dtype=float) / max(sum(shares), TINY)
    kids_mean = float(np.dot(KIDS, KIDS_P))
    return float(np.dot(w, 1.0 + np.asarray(UNIT_COUPLE_SHARE))) + float(w[FAMILY]) * kids_mean


def make_units(
    gen: np.random.Generator,
    shares: tuple[float, ...],
    units: int,
    *,
    parent_gap: int,
    child_below: int,
) -> Units:
    """``units`` arriving units of kinds drawn by ``shares``: singles, couples, families.

    A family's children are at least ``parent_gap`` years younger than its first adult
    and younger than ``child_below`` (both in years).
    """
    w = np.asarray(shares, dtype=float) / sum(shares)
    kind = gen.choice(len(w), size=units, p=w)
    lo, hi = _UNIT_LO_M[kind], _UNIT_HI_M[kind]
    first_age = lo + (gen.random(units) * (hi - lo)).astype(np.int64)
    couple = gen.random(units) < _UNIT_COUPLE[kind]
    kids = np.where(kind == FAMILY, gen.choice(KIDS, size=units, p=KIDS_P), 0)
    size = 1 + couple + kids
    unit = np.repeat(np.arange(units), size)
    pos = np.arange(int(size.sum())) - np.repeat(np.cumsum(size) - size, size)
    n = unit.size
    is_partner = couple[unit] & (pos == 1)
    is_kid = pos >= 1 + couple[unit]
    first_sex = gen.integers(0, 2, size=units)
    kid_age = (
        gen.random(n) * np.clip(first_age[unit] - parent_gap * 12, 1, child_below * 12)
    ).astype(np.int64)
    # Kids first, then partners, then the first adult (nested where: np.select's order).
    adult_age = first_age[unit]
    age_m = np.where(
        is_kid, kid_age, np.where(is_partner, adult_age - 12 * (2 * first_sex[unit] - 1), adult_age)
    )
    kid_sex = gen.integers(0, 2, size=n)
    sex = np.where(is_kid, kid_sex, np.where(is_partner, 1 - first_sex[unit], first_sex[unit]))
    role = np.where(is_kid, ROLE_CHILD, ROLE_HEAD).astype(np.int8)
    never_married = is_kid | ~(couple[unit] | (kind[unit] == len(w) - 1))
    return Units(unit, size, age_m, sex, role, never_married)


def _settle(
    model: CommunityModel,
    units: Units,
    pids: np.ndarray,
    gen: np.random.Generator,
    *,
    foreign: bool,
) -> None:
    """Newcomers ``units`` move into new households of the town."""
    n = units.unit.size
    if n == 0:
        return
    n_units = units.size.size
    districts = model.pick_districts(n_units, gen)
    first_hh = model.new_households(districts, pids[np.cumsum(units.size) - units.size], gen)
    new = model.residents.append(
        n,
        pid=pids,
        age_m=units.age_m,
        sex=units.sex,
        role=units.role,
        hh=first_hh + units.unit,
        district=districts[units.unit],
        never_married=units.never_married,
        arrival_m=model.month,
    )
    model.tally.in_migrants += n
    model.migration_record.arrive(units.age_m // 12, foreign=foreign)
    model.on_new_residents(new, newborn=False)


def _replace_exchange_leavers(model: CommunityModel) -> None:
    """Each household (or adult child) that left by exchange is replaced by its like."""
    r = model.residents
    left = model.exchange_leavers
    if left.size == 0:
        return
    # A household whose head moved arrives whole; an adult child who moved on their own
    # arrives alone, as the head of a new household.
    head_moved = np.zeros(model.households.n, dtype=bool)
    head_moved[r.hh[left[r.role[left] == ROLE_HEAD]]] = True
    group = np.where(head_moved[r.hh[left]], r.hh[left], model.households.n + left)
    order = np.argsort(group, kind="stable")
    _, unit, size = np.unique(group[order], return_inverse=True, return_counts=True)
    order = left[order]
    role = np.where(head_moved[r.hh[order]], r.role[order], ROLE_HEAD).astype(np.int8)
    units = Units(
        unit, size, r.age_m[order].copy(), r.sex[order].copy(), role, r.never_married[order].copy()
    )
    stream = model.streams["in_migration"]
    pids = stream.keys(r.pid[order], model.month, k=3)
    _settle(model, units, pids, stream.generator(model.month, k=3), foreign=False)


def _arrive_units(
    model: CommunityModel, persons: float, shares: tuple[float, ...], k: int, *, foreign: bool
) -> None:
    """About ``persons`` newcomers (expected) arrive as units of kinds ``shares``."""
    if persons <= 0 or sum(shares) <= 0:
        return
    stream = model.streams["in_migration"]
    gen = stream.generator(model.month, k=k)
    # The count is drawn by inversion so that arms with nearly equal populations draw
    # nearly equal counts (common random numbers).
    lam = persons / mean_unit_size(shares)
    count = poisson_quantile(gen.random(), lam)
    if count == 0:
        return
    p = model.params.demography
    units = make_units(
        gen, shares, count, parent_gap=p.family_parent_gap, child_below=p.family_child_below
    )
    pids = stream.keys(np.arange(units.unit.size, dtype=np.uint64), model.month, k=k)
    _settle(model, units, pids, gen, foreign=foreign)


def in_migration(model: CommunityModel) -> None:
    """Exchange replacements, returners, further net arrivals and foreign net entries."""
    p = model.params.demography
    _replace_exchange_leavers(model)
    n = model.residents.count()
    _arrive_units(
        model, p.return_share * model.net_leavers, p.return_unit_shares, k=4, foreign=False
    )
    _arrive_units(model, p.in_rate / 12.0 * n, p.in_unit_shares, k=5, foreign=False)
    foreign_rate = p.foreign_net_national / p.national_population * p.foreign_share
    _arrive_units(model, foreign_rate / 12.0 * n, p.foreign_unit_shares, k=6, foreign=True)
