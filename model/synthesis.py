"""Build the town's starting population: residents by age and sex, grouped into households.

The profile gives the population, the number of households and the age structure.
People are grouped in this order, each step matching partners, parents and children
by age (see :func:`match_by_age`):

1. older people (65+) who live alone, at the profile's shares by sex;
2. couples, at age-specific partnering shares;
3. children under 18 in sibling groups, placed with a couple or a single mother;
4. unmarried adult children who live with their parents (the pool for 8050 cases);
5. widowed older people who live with a married child (three generations);
6. everyone else lives alone.

Then the number of couples is corrected once so that the household count matches
the profile exactly, households are spread over districts and placed on the map, and
independent adults get a link to their parents' household when it is in town (kin).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .agetable import year_weights
from .population import (
    ADULT_AGE,
    FACILITY_OLDEST,
    FEMALE,
    LATE_OLD_AGE,
    MALE,
    OLD_AGE,
    ROLE_CHILD,
    ROLE_HEAD,
    ROLE_PARENT,
)
from .rates import band_values
from .town import TownParams, age_cells

if TYPE_CHECKING:
    from .core import CommunityModel

# Share of people partnered by age (years), before the household-count correction.
# Assumption shaped on the 国勢調査 marital-status profile (about 70-75 % at 40-64).
_PARTNER_AGES = (18, 25, 30, 35, 40, 65, 75, 85)
_PARTNER_SHARE = (0.04, 0.32, 0.58, 0.70, 0.80, 0.86, 0.78, 0.50)
# Share living in care facilities at the start, ages 85+ and 75-84 (assumption: about
# 4 % of people 65+ live in facilities in Japan, most of them very old).
_FACILITY_SHARE = (0.15, 0.03)
# How living alone rises with age past 65, per sex (men, women): relative slope per year
# on a base of 0.6 (assumption shaped on the 国勢調査 one-person households by age).
_ALONE_AGE_SLOPE = (0.0, 0.03)
LONG_AGO = -30_000  # arrival month of residents who have always lived here
# Share of unpartnered adults living with their parents, by age (assumption).
_WITH_PARENTS_AGES = (18, 25, 35, 45, 60)
_WITH_PARENTS_SHARE = (0.75, 0.55, 0.45, 0.40, 0.0)


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer counts proportional to ``weights`` that sum exactly to ``total``."""
    w = np.asarray(weights, dtype=float)
    if w.sum() <= 0:
        raise ValueError("age weights must not all be zero")
    exact = total * w / w.sum()
    counts = np.floor(exact).astype(np.int64)
    short = total - int(counts.sum())
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:short]] += 1
    return counts


def match_by_age(
    want_age: np.ndarray, pool_age: np.ndarray, gen: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Pair each wish with a distinct pool member of about the wished age.

    Returns ``(wish_index, pool_index)`` for the pairs made: wishes are taken in age
    order and each gets the nearest free member at or above its rank, so age gaps
    stay close to the wish where the pool is dense. Unmatched wishes are dropped.
    """
    k = min(want_age.size, pool_age.size)
    if k == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    jitter = gen.random(want_age.size)
    wish_order = np.lexsort((jitter, want_age))
    if want_age.size > k:  # more wishes than pool members: keep a random subset
        wish_order = np.sort(gen.permutation(wish_order)[:k])
        wish_order = wish_order[np.lexsort((jitter[wish_order], want_age[wish_order]))]
    pool_order = np.lexsort((gen.random(pool_age.size), pool_age))
    sorted_pool = pool_age[pool_order]
    pos = np.searchsorted(sorted_pool, want_age[wish_order])
    i = np.arange(pos.size)
    pos = np.maximum.accumulate(pos - i) + i  # strictly increasing: distinct members
    pos = np.minimum(pos, pool_age.size - pos.size + i)
    return wish_order, pool_order[pos]


def _by_age(
    ages_years: np.ndarray, edges: tuple[int, ...], shares: tuple[float, ...]
) -> np.ndarray:
    return band_values(edges, shares, ages_years)


class _Builder:
    """Working state while households are formed (indices into the new residents)."""

    def __init__(self, age_m: np.ndarray, sex: np.ndarray, gen: np.random.Generator) -> None:
        self.age_m = age_m
        self.years = age_m // 12
        self.sex = sex
        self.gen = gen
        self.hh = np.full(age_m.size, -1, dtype=np.int64)
        self.role = np.full(age_m.size, ROLE_HEAD, dtype=np.int8)
        self.partnered = np.zeros(age_m.size, dtype=bool)
        self.n_hh = 0

    def new_households(self, heads: np.ndarray) -> np.ndarray:
        ids = np.arange(self.n_hh, self.n_hh + heads.size)
        self.hh[heads] = ids
        self.n_hh += heads.size
        return ids

    def free(self, mask: np.ndarray) -> np.ndarray:
        return np.flatnonzero(mask & (self.hh < 0))


def build_population(model: CommunityModel) -> None:
    """Create the initial residents and households of ``model`` from its town profile."""
    tp = model.params.town
    gen = model.streams["synthesis"].generator(0)
    n = max(1, round(tp.population / model.scale))
    n_hh_target = max(1, round(tp.households / model.scale))

    # 1. Ages and sexes: exact totals per age band and sex by largest remainder (so a town
    # at scale 1 has exactly its age table), then ages spread within each band.
    cells = age_cells(tp)
    counts = largest_remainder(n, np.array([c.weight for c in cells]))
    sexes, ages = [], []
    for cell, k in zip(cells, counts, strict=True):
        if k == 0:
            continue
        years, weights = year_weights(cell.first, cell.last, tp.open_band_decay)
        year = years[gen.choice(years.size, size=k, p=weights)] if years.size > 1 else years
        ages.append(np.broadcast_to(year, (k,)) * 12 + gen.integers(0, 12, size=k))
        sexes.append(np.full(k, cell.sex))
    all_sex = np.concatenate(sexes).astype(np.int8)
    all_age = np.concatenate(ages).astype(np.int64)
    # Some of the oldest live in care facilities, outside private households.
    all_years = all_age // 12
    p_facility = np.select(
        [all_years >= FACILITY_OLDEST, all_years >= LATE_OLD_AGE], list(_FACILITY_SHARE), 0.0
    )
    in_facility = gen.random(n) < p_facility
    age_m, sex = all_age[~in_facility], all_sex[~in_facility]
    n = age_m.size
    b = _Builder(age_m, sex, gen)
    years = b.years

    # 2. Older people living alone: women more often with age (widowhood); men about
    # equally at every age past 65 (the 国勢調査 pattern: widowers are fewer, and the
    # never-married men who live alone are younger).
    old = years >= OLD_AGE
    for s, share in ((MALE, tp.alone_65_male), (FEMALE, tp.alone_65_female)):
        slope = _ALONE_AGE_SLOPE[s]
        age_factor = tp.alone_age_base + slope * np.clip(years - OLD_AGE, 0, tp.alone_age_span)
        group = old & (sex == s)
        if group.any():
            scale = share / age_factor[group].mean()
            p_alone = np.minimum(age_factor * scale, 1.0)
            alone = group & (gen.random(n) < p_alone)
            b.new_households(np.flatnonzero(alone))

    # 3. Couples: women matched to men about two years older.
    p_partner = _by_age(years, _PARTNER_AGES, _PARTNER_SHARE)
    wants = b.free((gen.random(n) < p_partner) & (years >= ADULT_AGE))
    women = wants[sex[wants] == FEMALE]
    men = wants[sex[wants] == MALE]
    wi, mi = match_by_age(age_m[women] + tp.partner_gap_months, age_m[men], gen)
    wives, husbands = women[wi], men[mi]
    couple_hh = b.new_households(husbands)
    b.hh[wives] = couple_hh
    b.partnered[wives] = b.partnered[husbands] = True

    # 4. Children under 18 in sibling groups, placed with a couple or a single mother.
    children = np.flatnonzero(years < ADULT_AGE)
    sib_key = years[children] + gen.random(children.size) * tp.sibling_spread
    children = children[np.argsort(sib_key, kind="stable")]
    shares = np.asarray(tp.sibling_shares, dtype=float)
    group_sizes = np.arange(1, shares.size + 1)
    sizes = gen.choice(group_sizes, size=children.size, p=shares / shares.sum())
    cuts = np.cumsum(sizes)
    bounds = np.unique(np.concatenate([[0], cuts[cuts <= children.size], [children.size]]))
    starts, ends = bounds[:-1], bounds[1:]  # no groups at all when there are no children
    group_of = np.repeat(np.arange(starts.size), ends - starts)
    eldest = np.zeros(starts.size, dtype=np.int64)
    np.maximum.at(eldest, group_of, age_m[children])
    want_mother = eldest + gen.integers(
        tp.mother_age_from * 12, tp.mother_age_below * 12, size=starts.size
    )
    single_parent = gen.random(starts.size) < tp.single_parent_share
    # Two-parent families: mother among wives; one-parent: an unpartnered woman 20-55.
    mothers_pool = wives[(years[wives] >= tp.mothers_from) & (years[wives] < tp.mothers_below)]
    fi, mi = match_by_age(want_mother[~single_parent], age_m[mothers_pool], gen)
    family_groups = np.flatnonzero(~single_parent)[fi]
    group_hh = np.full(starts.size, -1, dtype=np.int64)
    group_hh[family_groups] = b.hh[mothers_pool[mi]]
    lone_age = (years >= tp.mothers_from) & (years < tp.mothers_below)
    lone_pool = b.free((sex == FEMALE) & lone_age & ~b.partnered)
    si, li = match_by_age(want_mother[single_parent], age_m[lone_pool], gen)
    lone_groups = np.flatnonzero(single_parent)[si]
    lone_mothers = lone_pool[li]
    group_hh[lone_groups] = b.new_households(lone_mothers)
    unplaced = group_hh < 0  # too few parents of the right age: join any couple
    if unplaced.any() and couple_hh.size:
        group_hh[unplaced] = gen.choice(couple_hh, size=int(unplaced.sum()))
    placed = group_hh[group_of] >= 0
    b.hh[children[placed]] = group_hh[group_of][placed]
    b.role[children[placed]] = ROLE_CHILD

    # 5. Unmarried adult children living with their parents (couples or widowed elders).
    p_home = _by_age(years, _WITH_PARENTS_AGES, _WITH_PARENTS_SHARE)
    adult_kids = b.free((years >= ADULT_AGE) & ~b.partnered & (gen.random(n) < p_home))
    widowed = b.free((years >= tp.widowed_from) & ~b.partnered)
    parent_units = np.concatenate([wives, widowed])
    gap = model.params.demography.parent_age_gap * 12
    ci, pi = match_by_age(age_m[adult_kids] + gap, age_m[parent_units], gen)
    kids_home, parents = adult_kids[ci], parent_units[pi]
    widowed_with_kid = parents[b.hh[parents] < 0]
    b.new_households(widowed_with_kid)
    b.hh[kids_home] = b.hh[parents]
    b.role[kids_home] = ROLE_CHILD

    # 6. Remaining widowed elders live with a married child's family (three generations).
    elders = b.free((years >= tp.widowed_from) & ~b.partnered)
    families = wives[(years[wives] >= tp.host_elders_from) & (years[wives] < OLD_AGE)]
    ei, fi2 = match_by_age(age_m[elders] - gap, age_m[families], gen)
    b.hh[elders[ei]] = b.hh[families[fi2]]
    b.role[elders[ei]] = ROLE_PARENT

    # 7. Everyone else lives alone.
    b.new_households(b.free(np.ones(n, dtype=bool)))

    # 8. Match the profile's household count by splitting or forming childless couples.
    _correct_household_count(b, n_hh_target, husbands, wives, tp)

    _install(model, b, gen)
    model.add_facility_residents(all_age[in_facility], all_sex[in_facility], gen)


def _correct_household_count(
    b: _Builder, target: int, husbands: np.ndarray, wives: np.ndarray, tp: TownParams
) -> None:
    """Split childless couples (one more household each) or pair singles (one fewer)."""
    sizes = np.bincount(b.hh, minlength=b.n_hh)
    excess = b.n_hh - target
    if excess < 0:  # too few households: split childless couples of working age
        still = b.hh[wives] == b.hh[husbands]
        childless = still & (sizes[b.hh[husbands]] == 2) & (b.years[wives] < OLD_AGE)
        cand = np.flatnonzero(childless)
        split = b.gen.permutation(cand)[:-excess]
        b.new_households(wives[split])
        b.partnered[wives[split]] = b.partnered[husbands[split]] = False
    elif excess > 0:  # too many: pair working-age singles living alone
        working_age = (b.years >= tp.pair_singles_from) & (b.years < tp.pair_singles_below)
        alone = (sizes[b.hh] == 1) & working_age & ~b.partnered
        men = np.flatnonzero(alone & (b.sex == MALE))
        women = np.flatnonzero(alone & (b.sex == FEMALE))
        wi, mi = match_by_age(b.age_m[women] + tp.partner_gap_months, b.age_m[men], b.gen)
        wi, mi = wi[:excess], mi[:excess]
        b.hh[women[wi]] = b.hh[men[mi]]
        b.partnered[women[wi]] = b.partnered[men[mi]] = True
    # Renumber households densely (some became empty).
    _, b.hh = np.unique(b.hh, return_inverse=True)
    b.n_hh = int(b.hh.max()) + 1


def _install(model: CommunityModel, b: _Builder, gen: np.random.Generator) -> None:
    """Write the built population into the model's tables, with districts and kin links."""
    n = b.age_m.size
    stream = model.streams["synthesis"]
    pids = stream.keys(np.arange(n, dtype=np.uint64), 0, k=1)
    hh_keys = stream.keys(np.arange(b.n_hh, dtype=np.uint64), 0, k=2)
    districts = model.pick_districts(b.n_hh, gen)
    x, y = model.place_in_districts(districts, gen)
    model.households.append(b.n_hh, key=hh_keys, district=districts, x=x, y=y)
    # Some households moved in during the last few years (mostly young): newcomers
    # have fewer local ties, as the ones who arrive during the run will.
    tp = model.params.town
    recent = gen.random(b.n_hh) < tp.recent_share
    head_age = np.zeros(b.n_hh, dtype=np.int64)
    np.maximum.at(head_age, b.hh, b.years)
    recent &= head_age < tp.recent_head_below
    # Long-standing residents carry LONG_AGO; recent arrivals the month they came.
    arrived = np.where(
        recent, model.month - gen.integers(0, tp.recent_months, size=b.n_hh), LONG_AGO
    )
    model.residents.append(
        n,
        pid=pids,
        age_m=b.age_m.astype(np.int16),
        sex=b.sex,
        hh=b.hh.astype(np.int32),
        district=districts[b.hh],
        role=b.role,
        never_married=~b.partnered & ~((b.years >= OLD_AGE) & (b.role != ROLE_CHILD)),
        arrival_m=arrived[b.hh].astype(np.int16),
    )
    # Kin: independent adults 25-64 whose parents' household is in town.
    r = model.residents
    sizes = np.bincount(b.hh, minlength=b.n_hh)
    independent = np.flatnonzero(
        (r.role == ROLE_HEAD)
        & (b.years >= tp.kin_from)
        & (b.years < OLD_AGE)
        & (gen.random(n) < model.params.town.kin_in_town)
    )
    elders = np.flatnonzero((r.role == ROLE_HEAD) & (b.years >= tp.kin_parents_from))
    if elders.size and independent.size:
        order = np.argsort(b.age_m[elders], kind="stable")
        jitter = tp.kin_gap_jitter_months
        gap = model.params.demography.parent_age_gap * 12
        want = b.age_m[independent] + gap + gen.integers(-jitter, jitter + 1, size=independent.size)
        pos = np.clip(np.searchsorted(b.age_m[elders][order], want), 0, elders.size - 1)
        parent_hh = b.hh[elders[order][pos]]
        ok = parent_hh != b.hh[independent]
        r.origin_hh[independent[ok]] = parent_hh[ok]
    del sizes
