"""Local helpers (担い手): volunteers and 民生委員.

Volunteers join at age- and sex-specific rates (highest among men 65-79), stop at a
base rate that rises with burnout (when open venues in the district need more
volunteer hours than there are volunteers) and with old age, and are matched to
venues short of helpers at a rate that coordinators raise.

民生委員 (volunteer welfare commissioners) fill posts set per household by the
guideline. Vacancies are filled from volunteers aged 55-74 at the rate whose balance with term-end
departures is the national record's fill-rate path (−2 pt per 3-year term: later
retirement, weaker 自治会), as far as the pool of candidates allows;
commissioners serve three-year terms and are reappointed below 75. Each month they
visit households — single elderly first — and refer hidden needs they notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import kernels
from . import volunteers_kernels as vk
from .parameters import param
from .population import AGE_YEARS, EPS, MALE, OLD_AGE, PERCENT
from .rates import band_values, monthly_chance
from .support import MINSEI
from .synthesis import largest_remainder
from .tabulation import D_ALONE_OLD_CARE, D_MINSEI, D_VOL, Counts

if TYPE_CHECKING:
    from .core import CommunityModel

VOLUNTEER_BANDS = (10, 20, 40, 60, 65, 80)
# The last band: join_men_65_79 applies below it, quit_80plus from it on (the survey's bands).
OLDEST_BAND = VOLUNTEER_BANDS[-1]
TERM_MONTHS = 36  # 民生委員 serve three-year terms (民生委員法 §10)
JOIN_CAP = 0.99  # yearly joining chances stay below 1 (a numerical guard)
FILL_CAP = 0.999  # the fill path stays below 1, so recruit_rate's f / (1 - f) is finite


@dataclass(frozen=True)
class VolunteerParams:
    """Joining, burning out and matching of volunteers."""

    join: tuple[float, ...] = param(
        (0.066, 0.040, 0.064, 0.077, 0.080, 0.016),
        unit="joins per person-year, ages 10,20,40,60,65,80+",
        source="calibrated: [stat-shakai-seikatsu-2021] ≈ 18 % volunteer in a year; peak men 65-79",
        lo=0,
        hi=1,
        length=6,
        ja="ボランティア参加率（年）",
        en="Volunteer joining (per year)",
    )
    join_men_65_79: float = param(
        1.15,
        unit="multiplier for men 65-79",
        source="[stat-shakai-seikatsu-2021] men 65-79 ≈ 25 %",
        lo=0,
        hi=10,
    )
    quit: float = param(0.030, unit="per month", source="assumption", lo=0, hi=1)
    burnout: float = param(
        1.0,
        unit="added quit multiplier per unit of demand above supply",
        source="assumption",
        lo=0,
        hi=20,
        ja="燃え尽き",
        en="Burnout",
    )
    quit_80plus: float = param(3.0, unit="multiplier at 80+", source="assumption", lo=1, hi=20)
    match: float = param(
        0.25,
        unit="per month, chance a free volunteer is matched to a venue short of helpers",
        source="assumption",
        lo=0,
        hi=1,
        ja="ボランティアと居場所のマッチング率",
        en="Volunteer-venue matching",
    )
    hours_per_month: float = param(
        8.0, unit="hours a volunteer gives per month", source="assumption", lo=0
    )
    everyday_support_hours: float = param(
        4.0,
        unit="hours per month of help (見守り, 生活支援) for each older person living alone "
        "with a care need",
        source="assumption",
        lo=0,
    )
    motivation_exponent: float = param(
        1.5,
        unit="exponent on a uniform draw giving each resident's wish to 'do something' (0..1)",
        source="assumption: most residents have little wish, a few much (range 1-3)",
        lo=0.1,
        hi=10,
        ja="活動意欲の偏り",
        en="Skew of the wish to take part",
    )


@dataclass(frozen=True)
class MinseiParams:
    """民生委員: posts, recruitment, terms and visits."""

    households_per_post: float = param(
        200.0,
        unit="households per post",
        source="[osaka-shakyo-minsei] guideline 120-280 (cities < 100k)",
        lo=10,
        hi=1000,
        ja="民生委員1人あたり世帯数",
        en="Households per commissioner",
    )
    fill_initial: float = param(
        0.917,
        unit="share of posts filled at the start",
        source="[nippon-com-minsei-2026] 91.7 % (FY2025)",
        lo=0,
        hi=1,
    )
    fill_trend: float = param(
        -2.0 / 3.0,
        unit="percentage points per year (the fill-rate path that recruitment follows)",
        source="[yomiuri-minsei-2022] 93.7 % (2022) → [nippon-com-minsei-2026] 91.7 % (2025): "
        "−2 pt per 3-year term; "
        "[mhlw-minsei-2013] 97.9 % (2007) → 97.1 % (2013)",
        lo=-10,
        hi=10,
        ja="民生委員充足率の変化（pt/年）",
        en="民生委員 fill-rate trend (pt/yr)",
    )
    recruit: float = param(
        1.0,
        unit="multiplier on the recruitment that keeps the fill-rate path",
        source="assumption: 1 = the town recruits as the national record (0 = no recruitment)",
        lo=0,
        hi=10,
    )
    reappoint: float = param(
        0.80,
        unit="share reappointed at the end of a 3-year term (below 75)",
        source="[nippon-com-minsei-2026] 31 % of FY2025 appointees were new",
        lo=0,
        hi=1,
    )
    visits_per_month: float = param(
        13.8,
        unit="household visits per commissioner per month",
        source="[nihon1-minsei-2017] 166 visits a year",
        lo=0,
        hi=200,
    )
    detect: tuple[float, ...] = param(
        (0.50, 0.30, 0.30, 0.25, 0.10),
        unit="chance a visit notices a hidden need, by need",
        source="assumption (a withdrawn child stays behind the door)",
        lo=0,
        hi=1,
        length=5,
    )
    visit_weights: tuple[float, ...] = param(
        (4.0, 2.0, 1.0, 0.3),
        unit="relative visit weight of a household: an older person alone, with older people, "
        "with children under 6, other",
        source="assumption: single elderly first, as commissioners' rounds are planned",
        lo=0,
        hi=100,
        length=4,
        ja="民生委員が訪問する世帯の優先度（一人暮らし高齢者・高齢者のいる世帯・未就学児のいる世帯・その他）",
        en="Which households commissioners visit first (older person alone, with older people, "
        "with young children, other)",
    )
    candidate_from: int = param(
        55,
        unit="age (years) from which volunteers are asked to serve as 民生委員",
        source="assumption: most commissioners are in their 60s and 70s "
        "([nippon-com-minsei-2026] 60s 46 %, 70+ 37 %)",
        lo=18,
        hi=100,
        ja="民生委員に推薦される最低年齢",
        en="Youngest age asked to serve as 民生委員",
    )
    age_limit: int = param(
        75,
        unit="age (years) below which commissioners are appointed and reappointed",
        source="assumption: the age limit most towns set for (re)appointment",
        lo=18,
        hi=121,
        ja="民生委員の委嘱・再任の年齢上限（この年齢未満）",
        en="Age limit for appointing and reappointing 民生委員 (below this age)",
    )
    start_below: int = param(
        80,
        unit="age (years) below which residents serve as 民生委員 at the start",
        source="assumption: some commissioners appointed before 75 still serve in their 70s",
        lo=18,
        hi=121,
        ja="開始時の民生委員の年齢上限（この年齢未満）",
        en="Age limit of 民生委員 serving at the start (below this age)",
    )
    start_volunteer_weight: float = param(
        5.0,
        unit="relative chance a volunteer rather than another resident serves at the start",
        source="assumption: commissioners are mostly drawn from residents already active",
        lo=1,
        hi=100,
        ja="開始時の民生委員にボランティアが選ばれやすさ（倍）",
        en="How much likelier a volunteer serves as 民生委員 at the start",
    )


def _banded(years: np.ndarray, values: tuple[float, ...]) -> np.ndarray:
    return band_values(VOLUNTEER_BANDS, values, years)


def initialise(model: CommunityModel) -> None:
    """Volunteers at their steady share; 民生委員 at the profile's fill rate."""
    r, p = model.residents, model.params.volunteers
    years = r.age_m // 12
    join = _banded(years, p.join) * np.where(
        (r.sex == MALE) & (years >= OLD_AGE) & (years < OLDEST_BAND), p.join_men_65_79, 1.0
    )
    stock = (join / 12) / (
        (join / 12) + p.quit * np.where(years >= OLDEST_BAND, p.quit_80plus, 1.0)
    )
    u = model.streams["volunteers_init"].uniform(r.pid, 0)
    home = ~model.households.institution[r.hh]
    r.volunteer[:] = r.alive & home & (u < stock)
    r.last_vol_m[r.volunteer] = 0
    _fill_initial_posts(model)


def _fill_initial_posts(model: CommunityModel, *, only_missing: bool = False) -> None:
    r, p = model.residents, model.params.minsei
    years = r.age_m // 12
    gen = model.streams["minsei_init"].generator(0, k=int(only_missing))
    for d, k in enumerate(filled_at_start(model)):
        if only_missing:
            k -= int(np.count_nonzero(r.alive & r.minsei & (r.district == d)))
        cand = np.flatnonzero(
            r.alive
            & (r.district == d)
            & (years >= p.candidate_from)
            & (years < p.start_below)
            & ~r.minsei
            & ~model.households.institution[r.hh]
        )
        if cand.size == 0 or k <= 0:
            continue
        # Prefer people already volunteering.
        weight = np.where(r.volunteer[cand], p.start_volunteer_weight, 1.0)
        chosen = gen.choice(cand, size=min(k, cand.size), replace=False, p=weight / weight.sum())
        r.minsei[chosen] = True
        r.volunteer[chosen] = True
        r.minsei_since[chosen] = model.month - gen.integers(0, TERM_MONTHS, size=chosen.size)


def join_table(p: VolunteerParams) -> np.ndarray:
    """Monthly chance of starting to volunteer by sex and age: [sex * 121 + years]."""
    years = np.tile(np.arange(AGE_YEARS), 2)
    men = np.repeat([True, False], AGE_YEARS)
    annual = _banded(years, p.join) * np.where(
        men & (years >= OLD_AGE) & (years < OLDEST_BAND), p.join_men_65_79, 1.0
    )
    return monthly_chance(annual, cap=JOIN_CAP)


def update(model: CommunityModel, load: np.ndarray) -> None:
    """Volunteers join, stop and are matched to venues; ``load`` = demand/supply by district."""
    r, p = model.residents, model.params.volunteers
    snap = model.snap
    levers = model.levers
    # Stopping: a base rate raised by burnout (by district) and at 80+ (民生委員 leave by term).
    quit_rates = p.quit * (1 + p.burnout * np.maximum(load - 1.0, 0.0))
    started, staff, free = (vk.turnover if kernels.USE_NUMBA else vk.turnover_numpy)(
        snap.taking_part_draw,
        model.volunteer_join_table,
        snap.sex_age,
        float(levers.volunteer_boost),
        quit_rates,
        r.alive,
        snap.home,
        r.minsei,
        r.volunteer,
        r.vol_venue,
        r.vol_since,
        r.welfare_involved,
        r.last_vol_m,
        snap.years,
        r.district,
        OLDEST_BAND,
        p.quit_80plus * levers.volunteer_quit_factor,
        1.0 * levers.volunteer_quit_factor,
        model.month,
        len(model.venues.venues),
    )
    model.tally.volunteers_started += started
    _match(model, staff, free)
    model.venues.forget_volunteers()


def _match(model: CommunityModel, staff: np.ndarray, free: np.ndarray) -> None:
    """Free volunteers are matched to venues in their district that are short of help.

    ``staff`` is the volunteers helping at each venue, ``free`` the free volunteers.
    """
    r, p = model.residents, model.params.volunteers
    venues = model.venues
    if not venues.venues:
        return
    a = venues.arrays()
    short = np.ceil(a["needed"] - staff - EPS).astype(np.int64)
    short = np.where(a["open"], np.maximum(short, 0), 0)
    if short.sum() == 0:
        return
    ready = free[
        model.streams["volunteer_match"].bernoulli(
            r.pid[free], p.match * model.levers.match_boost, model.month
        )
    ]
    # In each district the n-th ready volunteer (index order) takes its n-th open slot
    # (venue order, one slot per missing helper): both sides ranked within their district
    # by a stable sort, then joined on (district, rank).
    n_d = model.n_districts
    home_d = r.district[ready]
    order = np.argsort(home_d, kind="stable")  # on int16: NumPy's radix sort, the same order
    people, home_d = ready[order], home_d[order].astype(np.int64)
    per_d = np.bincount(home_d, minlength=n_d)
    rank = np.arange(people.size) - (np.cumsum(per_d) - per_d)[home_d]
    wanting = np.flatnonzero(short > 0)
    slots = np.repeat(wanting, short[wanting])
    slot_d = a["district"][slots].astype(np.int64)
    slots = slots[np.argsort(slot_d, kind="stable")]
    n_slots = np.bincount(slot_d, minlength=n_d)
    first_slot = np.cumsum(n_slots) - n_slots
    takes = rank < n_slots[home_d]
    r.vol_venue[people[takes]] = slots[first_slot[home_d[takes]] + rank[takes]]


def demand_supply(
    model: CommunityModel, counts: Counts | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Volunteer hours needed by open venues and vacant 民生委員 posts vs hours available.

    ``counts``: the month's tabulation, if the caller has it (the reporter does), whose
    district rows hold the same three counts as :func:`vk.district_counts`.
    """
    r, p = model.residents, model.params.volunteers
    n_d = model.n_districts
    if counts is None:
        serving, alone_in_need, volunteers = (
            vk.district_counts if kernels.USE_NUMBA else vk.district_counts_numpy
        )(r.alive, r.minsei, r.volunteer, model.snap.alone, r.age_m, r.sev[0], r.district, n_d)
    else:
        d = counts.district
        serving, alone_in_need, volunteers = d[D_MINSEI], d[D_ALONE_OLD_CARE], d[D_VOL]
    demand = np.zeros(n_d)
    if model.venues.venues:
        a = model.venues.arrays()
        demand += (
            np.bincount(a["district"][a["open"]], weights=a["needed"][a["open"]], minlength=n_d)
            * p.hours_per_month
        )
    vacancies = np.maximum(model.minsei_posts() - serving, 0)
    demand += vacancies * p.hours_per_month
    # Everyday mutual help for older people living alone with a care need.
    demand += alone_in_need * p.everyday_support_hours
    supply = volunteers * p.hours_per_month
    return demand, supply


def minsei_update(model: CommunityModel) -> None:
    """Terms end, vacancies are filled from volunteers 55-74, and commissioners visit."""
    r, p = model.residents, model.params.minsei
    month = model.month
    # One pass over the town: commissioners who died or moved away since last month leave
    # their posts; who serves, who could be asked, which households and needs to visit.
    serving, pool, bounds, has_old, has_young, hidden, notice = (
        vk.minsei_pass if kernels.USE_NUMBA else vk.minsei_pass_numpy
    )(
        r.alive,
        r.minsei,
        r.volunteer,
        r.working,
        r.age_m,
        r.district,
        r.hh,
        r.sev,
        r.supported,
        r.known,
        np.asarray(p.detect, dtype=float),
        p.candidate_from,
        p.age_limit,
        model.n_districts,
        model.households.n,
    )
    # End of term (every 36 months of service): reappointment below 75.
    since = r.minsei_since[serving]
    term_end = ((month - since) % TERM_MONTHS == 0) & (month > since)
    stay = model.streams["minsei_term"].uniform(r.pid[serving], month) < p.reappoint
    leaving = term_end & ~(stay & (r.age_m[serving] // 12 < p.age_limit))
    r.minsei[serving[leaving]] = False
    serving = serving[~leaving]
    # What recruitment has to make up for: the departures the commissioners now serving
    # are expected to make over the coming term (not the last term's, which lag behind).
    model.minsei_turnover = expected_turnover(model, serving)
    # Vacancies filled from the pool of volunteers 55-74 (in district order, as drawn).
    posts = model.minsei_posts()
    filled = np.bincount(r.district[serving], minlength=model.n_districts)
    vacancies = np.maximum(posts - filled, 0)
    rate = recruit_rate(p, month, model.minsei_turnover)
    gen = model.streams["minsei_recruit"].generator(month)
    for d in np.flatnonzero(vacancies > 0):
        k = int(gen.binomial(int(vacancies[d]), rate))
        cand = pool[bounds[d] : bounds[d + 1]]
        cand = cand[~r.minsei[cand]]
        if k and cand.size:
            chosen = gen.choice(cand, size=min(k, cand.size), replace=False)
            r.minsei[chosen] = True
            r.minsei_since[chosen] = month
            r.vol_venue[chosen] = -1
            filled[d] += chosen.size
    _visit(model, filled, has_old, has_young, hidden, notice)


def fill_path(p: MinseiParams, month: int) -> float:
    """The fill rate of the national record's path in ``month`` (0 before the start)."""
    year = max(month, 0) / 12.0
    return float(np.clip(p.fill_initial + p.fill_trend / PERCENT * year, 0.0, FILL_CAP))


def start_turnover(p: MinseiParams) -> float:
    """Monthly share of commissioners leaving at term ends (before any is observed)."""
    return (1.0 - p.reappoint) / TERM_MONTHS


def expected_turnover(model: CommunityModel, serving: np.ndarray | None = None) -> float:
    """Monthly share of the serving commissioners expected to leave over the coming term.

    Each commissioner leaves at the end of the term now running unless reappointed
    (chance ``reappoint``, and only below 75 at that term end), or before it by death
    (this year's mortality by age and sex; moves of people 55-79 are rare and left out).
    A term is 36 months, so the expected departures of one term over 36 is the monthly
    share. In a frozen town nobody ages or dies: only term ends count. ``serving``: the
    serving commissioners if the caller has them (index order).
    """
    r, p = model.residents, model.params.minsei
    if serving is None:
        serving = np.flatnonzero(r.alive & r.minsei)
    if serving.size == 0:
        return start_turnover(p)
    to_end = TERM_MONTHS - (model.month - r.minsei_since[serving]) % TERM_MONTHS
    age_m = r.age_m[serving].astype(np.int64)
    if model.params.switches.demography:
        q = model.demo_tables.death[r.sex[serving], age_m]
        survive = (1.0 - q) ** TERM_MONTHS
        age_m = age_m + to_end
    else:
        survive = np.ones(serving.size)
    leave_at_end = np.where(age_m < p.age_limit * 12, 1.0 - p.reappoint, 1.0)
    return float(np.mean(1.0 - survive * (1.0 - leave_at_end)) / TERM_MONTHS)


def recruit_rate(p: MinseiParams, month: int, turnover: float) -> float:
    """Monthly chance a vacant post is filled: the rate whose balance is the fill path.

    Commissioners leave at a monthly share ``d`` (term ends without reappointment, the
    age limit of 75, deaths; ``turnover`` is the town's own, expected over the coming
    term, :func:`expected_turnover`); with vacancies filled at rate ``q`` a month the
    fill rate settles at ``q / (q + d)``, so ``q = d f / (1 - f)`` keeps the record's
    path ``f``. A short pool of candidates pulls the town below it.
    """
    f = fill_path(p, month)
    return float(min(1.0, p.recruit * turnover * f / (1.0 - f)))


def filled_at_start(model: CommunityModel) -> np.ndarray:
    """Filled posts per district at the start: the town's share, by largest remainder."""
    posts = model.minsei_posts()
    total = round(float(posts.sum()) * model.params.minsei.fill_initial)
    return np.minimum(largest_remainder(total, posts.astype(float)), posts).astype(np.int64)


def restore_fill(model: CommunityModel) -> None:
    """Set each district's filled posts to ``fill_initial`` (after the warm-up).

    Commissioners beyond it step down (the most recent appointees first); missing ones
    are appointed from the pool of volunteers 55-79, as at the start.
    """
    r = model.residents
    for d, want in enumerate(filled_at_start(model)):
        serving = np.flatnonzero(r.alive & r.minsei & (r.district == d))
        if serving.size > want:
            order = np.lexsort((r.pid[serving], -r.minsei_since[serving]))
            r.minsei[serving[order[: serving.size - want]]] = False
    _fill_initial_posts(model, only_missing=True)
    model.minsei_turnover = expected_turnover(model)


def _visit(
    model: CommunityModel,
    commissioners: np.ndarray,
    has_old: np.ndarray,
    has_young: np.ndarray,
    idx: np.ndarray,
    notice: np.ndarray,
) -> None:
    """Commissioners visit households, single elderly first, and refer hidden needs.

    ``commissioners`` serve in each district; ``has_old`` and ``has_young`` mark households
    with an older person and with a child under school age; ``idx`` are the residents
    with a hidden need and ``notice`` the best chance a visit notices one of them.
    """
    r, p = model.residents, model.params.minsei
    households = model.households
    alone_old, with_old, with_young, other = (float(w) for w in p.visit_weights)
    weight, w_d = (vk.visit_weights if kernels.USE_NUMBA else vk.visit_weights_numpy)(
        has_old,
        has_young,
        model.snap.sizes,
        households.institution,
        households.district,
        alone_old,
        with_old,
        with_young,
        other,
        model.n_districts,
    )
    visits_d = commissioners * p.visits_per_month * model.levers.minsei_visit_boost
    if idx.size == 0:
        return
    hh = r.hh[idx]
    d = households.district[hh]
    p_visit = np.minimum(1.0, visits_d[d] * weight[hh] / np.maximum(w_d[d], EPS))
    found = model.streams["minsei_visit"].bernoulli(r.pid[idx], p_visit * notice, model.month)
    referred = model.support.bring(idx[found], MINSEI)
    model.tally.minsei_referrals += referred.size
