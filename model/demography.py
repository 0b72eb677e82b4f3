"""Demography: aging, deaths, births, migration and household change, one month a step.

Rules, in the order :meth:`model.core.CommunityModel.step` calls them:

1. :func:`age_and_exit` — everyone ages a month; one uniform draw per resident decides
   death (Siler mortality by age and sex) and, failing that, moving out of town
   (a household moves when a head/partner moves; young adults living with their
   parents leave on their own — the 18-24 outflow of Japanese towns).
2. :func:`births` — women 15-49 give birth at age-specific rates scaled to the
   total fertility rate; partnered women bear almost all children (non-marital
   births are about 2 % in Japan). The newborn joins the mother's household.
3. :func:`in_migration` — newcomers arrive as single young adults or young families.
4. :func:`household_change` — young adults leave home within town; singles partner;
   people retire. Widowhood and elderly living alone follow from deaths.

Every stochastic decision has its own named stream (see :mod:`model.streams`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.stats import poisson

from .parameters import param
from .population import FEMALE, MALE, ROLE_CHILD, ROLE_HEAD, ROLE_PARENT
from .rates import monthly_chance

if TYPE_CHECKING:
    from .core import CommunityModel

MAX_AGE_M = 110 * 12  # everyone dies by 110: the life table's last row
ASFR_BANDS = (15, 20, 25, 30, 35, 40, 45, 50)
MIGRATION_BANDS = (0, 15, 18, 25, 35, 50, 65, 75)
EMPLOYMENT_BANDS = (15, 20, 60, 65, 70, 75)
LIFE_TABLE_SOURCE = (
    "Siler fit to [mhlw-life-table-2023]: e0 men 81.09, women 87.14; e65 men 19.52, women 24.38"
)


@dataclass(frozen=True)
class DemographyParams:
    """Mortality, fertility, migration and household formation."""

    # Siler hazard (per year): a1·exp(-b1·x) + a2 + a3·exp(b3·x)
    mort_infant_male: float = param(0.0025, unit="/yr at birth", source=LIFE_TABLE_SOURCE, lo=0)
    mort_infant_female: float = param(0.0022, unit="/yr at birth", source=LIFE_TABLE_SOURCE, lo=0)
    mort_infant_decay: float = param(1.5, unit="/yr", source=LIFE_TABLE_SOURCE, lo=0)
    mort_background: float = param(0.0002, unit="/yr", source=LIFE_TABLE_SOURCE, lo=0)
    mort_gompertz_a_male: float = param(
        1.0956e-05, unit="/yr at age 0", source=LIFE_TABLE_SOURCE, lo=0
    )
    mort_gompertz_a_female: float = param(
        3.3437e-06, unit="/yr at age 0", source=LIFE_TABLE_SOURCE, lo=0
    )
    mort_gompertz_b_male: float = param(0.104882, unit="/yr of age", source=LIFE_TABLE_SOURCE, lo=0)
    mort_gompertz_b_female: float = param(
        0.111753, unit="/yr of age", source=LIFE_TABLE_SOURCE, lo=0
    )
    tfr: float = param(
        1.20,
        unit="births per woman",
        source="[mhlw-vital-2023] 合計特殊出生率 1.20 (2023)",
        lo=0,
        hi=8,
        ja="合計特殊出生率",
        en="Total fertility rate",
    )
    asfr_shape: tuple[float, ...] = param(
        (0.008, 0.080, 0.270, 0.370, 0.220, 0.050, 0.002),
        unit="share of lifetime births per band 15-19..45-49",
        source="assumption shaped on [mhlw-vital-2023] (peak 30-34)",
        lo=0,
        length=7,
    )
    nonmarital_birth_ratio: float = param(
        0.02,
        unit="births to unpartnered women / all births",
        source="assumption ([mhlw-vital-2023] about 2 % of births are non-marital)",
        lo=0.0,
        hi=1.0,
    )
    male_birth_share: float = param(
        0.512,
        unit="share of births",
        source="[mhlw-vital-2023] sex ratio at birth ≈ 105",
        lo=0.0,
        hi=1.0,
    )
    out_rate: tuple[float, ...] = param(
        (0.016, 0.010, 0.075, 0.045, 0.020, 0.010, 0.007, 0.010),
        unit="moves out per person-year, bands 0,15,18,25,35,50,65,75+",
        source="assumption shaped on [mic-migration-2024] (young adults move most)",
        lo=0,
        hi=1,
        length=8,
    )
    out_scale: float = param(
        1.0,
        unit="multiplier on out_rate",
        source="profile calibration to its annual change",
        lo=0,
        hi=10,
        ja="転出の強さ",
        en="Out-migration multiplier",
    )
    in_rate: float = param(
        0.030,
        unit="in-migrants per resident-year",
        source="profile calibration",
        lo=0,
        hi=0.5,
        ja="転入率",
        en="In-migration rate",
    )
    in_unit_shares: tuple[float, ...] = param(
        (0.24, 0.21, 0.17, 0.32, 0.06),
        unit="share of arriving units: single 18-24, 25-34 (15 % couples), family, 35-64, 65+",
        source="assumption shaped on [mic-migration-2019] age profile",
        lo=0,
        length=5,
    )
    leave_home_rate: float = param(
        0.08, unit="per year, adults 18-34 living with parents", source="assumption", lo=0.0, hi=1.0
    )
    join_family_rate: float = param(
        0.08,
        unit="per year, elderly 65+ living alone with a child's household in town",
        source="assumption",
        lo=0.0,
        hi=1.0,
    )
    facility_rate: tuple[float, ...] = param(
        (0.04, 0.12),
        unit="per year, elderly living alone aged 75-84, 85+",
        source="assumption (about 4 % of 65+ live in care facilities)",
        lo=0,
        hi=1,
        length=2,
    )
    partner_rate: float = param(
        0.06, unit="per year, singles 22-44", source="assumption", lo=0.0, hi=1.0
    )
    employment_male: tuple[float, ...] = param(
        (0.15, 0.90, 0.80, 0.55, 0.35, 0.10),
        unit="share employed, bands 15,20,60,65,70,75+",
        source="assumption shaped on 労働力調査",
        lo=0,
        hi=1,
        length=6,
    )
    employment_female: tuple[float, ...] = param(
        (0.15, 0.75, 0.62, 0.40, 0.22, 0.05),
        unit="share employed, bands 15,20,60,65,70,75+",
        source="assumption shaped on 労働力調査",
        lo=0,
        hi=1,
        length=6,
    )


def annual_hazard(p: DemographyParams, sex: int, age_years: np.ndarray) -> np.ndarray:
    """Siler mortality hazard per year at exact ages ``age_years``."""
    a1 = p.mort_infant_male if sex == MALE else p.mort_infant_female
    a3 = p.mort_gompertz_a_male if sex == MALE else p.mort_gompertz_a_female
    b3 = p.mort_gompertz_b_male if sex == MALE else p.mort_gompertz_b_female
    return (
        a1 * np.exp(-p.mort_infant_decay * age_years)
        + p.mort_background
        + a3 * np.exp(b3 * age_years)
    )


def monthly_death_table(p: DemographyParams) -> np.ndarray:
    """Probability of dying within the month, indexed ``[sex, age_m]`` (age_m < MAX_AGE_M+1)."""
    mid_ages = (np.arange(MAX_AGE_M + 1) + 0.5) / 12.0
    table = np.empty((2, MAX_AGE_M + 1))
    for sex in (MALE, FEMALE):
        table[sex] = -np.expm1(-annual_hazard(p, sex, mid_ages) / 12.0)
    table[:, MAX_AGE_M:] = 1.0
    return table


def life_expectancy(p: DemographyParams, sex: int, at_age: int = 0) -> float:
    """Expected remaining years at ``at_age`` under the monthly rule the model applies."""
    q = monthly_death_table(p)[sex, at_age * 12 :]
    survivors = np.cumprod(1.0 - q)
    alive_at_start = np.concatenate([[1.0], survivors[:-1]])
    return float(((alive_at_start + survivors) / 2.0).sum() / 12.0)


def _by_band(edges: tuple[int, ...], values: tuple[float, ...], top: int = 121) -> np.ndarray:
    """A lookup table by completed years of age (0..top-1) from banded values."""
    table = np.zeros(top)
    for i, lo in enumerate(edges):
        hi = edges[i + 1] if i + 1 < len(edges) else top
        if i < len(values):
            table[lo:hi] = values[i]
    return table


@dataclass
class DemographyTables:
    """Lookup tables derived once from the parameters (monthly probabilities by age)."""

    death: np.ndarray  # [sex, age_m]
    move_out: np.ndarray  # [age_years], monthly
    asfr: np.ndarray  # [age_years], monthly births per woman
    employment: np.ndarray  # [sex, age_years]

    @classmethod
    def build(cls, p: DemographyParams) -> DemographyTables:
        """Tables for parameters ``p``."""
        rate = np.array(p.out_rate) * p.out_scale
        monthly_out = monthly_chance(rate)
        asfr_band = np.array(p.asfr_shape) / max(sum(p.asfr_shape), 1e-12) * p.tfr / 5.0
        employment = np.vstack(
            [
                _by_band(EMPLOYMENT_BANDS, p.employment_male),
                _by_band(EMPLOYMENT_BANDS, p.employment_female),
            ]
        )
        return cls(
            death=monthly_death_table(p),
            move_out=_by_band(MIGRATION_BANDS, tuple(monthly_out)),
            asfr=_by_band(ASFR_BANDS, tuple(asfr_band / 12.0)),
            employment=employment,
        )


def age_and_exit(model: CommunityModel, mortality_multiplier: np.ndarray | None) -> None:
    """Age everyone by a month; decide deaths and moves out with one draw per resident."""
    r = model.residents
    month = model.month
    alive = r.alive
    np.add(r.age_m, 1, out=r.age_m, where=alive)
    np.minimum(r.age_m, MAX_AGE_M, out=r.age_m)
    t = model.demo_tables
    q_death = t.death[r.sex, r.age_m]
    if mortality_multiplier is not None:
        q_death = np.minimum(q_death * mortality_multiplier, 1.0)
    years = r.age_m // 12
    # Heads and partners decide for their household; adult children decide for themselves.
    mover = (r.role == ROLE_HEAD) | ((r.role == ROLE_CHILD) & (years >= 18))
    q_out = np.where(mover, t.move_out[years], 0.0)
    u = model.streams["exit"].uniform(r.pid, month)
    dies = alive & (u < q_death)
    moves = alive & ~dies & (u < q_death + q_out)
    # A moving head takes the household along: everyone in it who is not dying.
    head_moves = moves & (r.role == ROLE_HEAD)
    hh_moves = np.zeros(model.households.n, dtype=bool)
    hh_moves[r.hh[head_moves]] = True
    leaves = alive & ~dies & (moves | hh_moves[r.hh])
    r.alive[dies | leaves] = False
    model.tally.deaths += int(dies.sum())
    model.tally.out_migrants += int(leaves.sum())


@dataclass
class FertilityRecord:
    """Births and women-months by mother's 5-year age band, to read the realised TFR."""

    births: np.ndarray = field(default_factory=lambda: np.zeros(7))
    exposure: np.ndarray = field(default_factory=lambda: np.zeros(7))

    def add(self, women_years: np.ndarray, mothers_years: np.ndarray) -> None:
        """Count one month of exposure for ``women_years`` and births to ``mothers_years``."""
        self.exposure += np.bincount((women_years - 15) // 5, minlength=7)[:7]
        self.births += np.bincount((mothers_years - 15) // 5, minlength=7)[:7]

    def tfr(self) -> float:
        """Σ over bands of 5 × births per woman-year."""
        rate = np.divide(
            self.births, self.exposure / 12.0, out=np.zeros(7), where=self.exposure > 0
        )
        return float(5.0 * rate.sum())


def _partnered_women(model: CommunityModel) -> np.ndarray:
    """Women who share a household with a partner (a head/partner of the other sex)."""
    r = model.residents
    heads = r.alive & (r.role == ROLE_HEAD)
    men_per_hh = np.bincount(r.hh[heads & (r.sex == MALE)], minlength=model.households.n)
    return heads & (r.sex == FEMALE) & (men_per_hh[r.hh] > 0)


def births(model: CommunityModel) -> None:
    """Women 15-49 give birth at rates that keep the TFR; newborns join their household."""
    r, p = model.residents, model.params.demography
    years = r.age_m // 12
    women = np.flatnonzero(r.alive & (r.sex == FEMALE) & (years >= 15) & (years < 50))
    if women.size == 0:
        return
    base = model.demo_tables.asfr[years[women]]
    partnered = _partnered_women(model)[women]
    # Partnered women bear almost all children. Rates are rescaled within each 5-year
    # band so that every band keeps its age-specific rate, and so the TFR holds.
    band = (years[women] - 15) // 5
    expected = np.bincount(band, weights=base, minlength=7)
    denom_p = np.bincount(band, weights=base * partnered, minlength=7)
    denom_u = expected - denom_p
    share_u = np.where(denom_p > 0, p.nonmarital_birth_ratio, 1.0)
    k_p = np.divide((1 - share_u) * expected, denom_p, out=np.zeros(7), where=denom_p > 0)
    k_u = np.divide(share_u * expected, denom_u, out=np.zeros(7), where=denom_u > 0)
    prob = np.minimum(base * np.where(partnered, k_p[band], k_u[band]), 1.0)
    stream = model.streams["births"]
    mothers = women[stream.bernoulli(r.pid[women], prob, model.month)]
    model.fertility_record.add(years[women], years[mothers])
    n = mothers.size
    if n == 0:
        return
    pids = stream.keys(r.pid[mothers], model.month, k=1)
    sex = np.where(stream.uniform(pids, model.month, k=2) < p.male_birth_share, MALE, FEMALE)
    new = model.residents.append(
        n,
        pid=pids,
        age_m=0,
        sex=sex,
        hh=model.residents.hh[mothers],
        district=model.residents.district[mothers],
        role=ROLE_CHILD,
        arrival_m=model.month,
    )
    model.tally.births += n
    model.on_new_residents(new, newborn=True)


# Arriving units: (youngest, oldest) age of the adults in years, and adults per unit.
UNIT_AGES = ((18, 25), (25, 35), (27, 45), (35, 65), (65, 85))
UNIT_COUPLE_SHARE = (0.0, 0.15, 1.0, 0.5, 0.5)
FAMILY = 2  # index of the unit type that brings children
KIDS = (1, 2, 3)
KIDS_P = (0.45, 0.42, 0.13)


def in_migration(model: CommunityModel) -> None:
    """Newcomers arrive as units: young singles, couples, families, middle-aged, elderly."""
    p = model.params.demography
    stream = model.streams["in_migration"]
    gen = stream.generator(model.month)
    shares = np.asarray(p.in_unit_shares) / sum(p.in_unit_shares)
    adults_per_unit = 1.0 + np.asarray(UNIT_COUPLE_SHARE)
    kids_mean = float(np.dot(KIDS, KIDS_P))
    mean_size = float(np.dot(shares, adults_per_unit)) + shares[FAMILY] * kids_mean
    # Expected arrivals scale with the current population; the count is drawn by
    # inversion so that arms with nearly equal populations draw nearly equal counts.
    lam = p.in_rate / 12.0 * model.residents.count() / mean_size
    units = int(poisson.ppf(gen.random(), lam)) if lam > 0 else 0
    if units == 0:
        return
    kind = gen.choice(len(shares), size=units, p=shares)
    lo = np.array([a for a, _ in UNIT_AGES])[kind] * 12
    hi = np.array([b for _, b in UNIT_AGES])[kind] * 12
    first_age = lo + (gen.random(units) * (hi - lo)).astype(np.int64)
    couple = gen.random(units) < np.asarray(UNIT_COUPLE_SHARE)[kind]
    kids = np.where(kind == FAMILY, gen.choice(KIDS, size=units, p=KIDS_P), 0)
    size = 1 + couple + kids
    unit = np.repeat(np.arange(units), size)
    pos = np.arange(int(size.sum())) - np.repeat(np.cumsum(size) - size, size)
    n = unit.size
    is_partner = couple[unit] & (pos == 1)
    is_kid = pos >= 1 + couple[unit]
    first_sex = gen.integers(0, 2, size=units)
    kid_age = (gen.random(n) * np.clip(first_age[unit] - 22 * 12, 1, 15 * 12)).astype(np.int64)
    age_m = np.select(
        [is_kid, is_partner],
        [kid_age, first_age[unit] - 12 * (2 * first_sex[unit] - 1)],
        first_age[unit],
    )
    sex = np.select(
        [is_kid, is_partner], [gen.integers(0, 2, size=n), 1 - first_sex[unit]], first_sex[unit]
    )
    role = np.where(is_kid, ROLE_CHILD, ROLE_HEAD)
    pids = stream.keys(np.arange(n, dtype=np.uint64), model.month, k=1)
    districts = model.pick_districts(units, gen)
    first_hh = model.new_households(districts, pids[np.cumsum(size) - size], gen)
    new = model.residents.append(
        n,
        pid=pids,
        age_m=age_m,
        sex=sex,
        role=role,
        hh=first_hh + unit,
        district=districts[unit],
        never_married=is_kid | ~(couple[unit] | (kind[unit] == len(shares) - 1)),
        arrival_m=model.month,
    )
    model.tally.in_migrants += n
    model.on_new_residents(new, newborn=False)


def household_change(model: CommunityModel) -> None:
    """Young adults leave home within town; singles partner; elders move; work follows age."""
    r, p = model.residents, model.params.demography
    month = model.month
    years = r.age_m // 12
    # Leaving home (within town): adult children 18-34.
    candidates = np.flatnonzero(r.alive & (r.role == ROLE_CHILD) & (years >= 18) & (years < 35))
    monthly = monthly_chance(p.leave_home_rate)
    stream = model.streams["leave_home"]
    leavers = candidates[stream.bernoulli(r.pid[candidates], monthly, month)]
    if leavers.size:
        gen = stream.generator(month)
        districts = np.where(
            gen.random(leavers.size) < 0.7,
            r.district[leavers],
            model.pick_districts(leavers.size, gen),
        ).astype(np.int16)
        first = model.new_households(districts, r.pid[leavers], gen)
        r.origin_hh[leavers] = r.hh[leavers]
        r.hh[leavers] = first + np.arange(leavers.size, dtype=np.int32)
        r.district[leavers] = districts
        r.role[leavers] = ROLE_HEAD
        model.on_left_home(leavers)
    # Household sizes after leaving home; partnering (ages 22-44) does not change whether
    # an older person lives alone, so both rules can share them.
    sizes = model.household_sizes()
    _partnering(model, sizes)
    _elderly_moves(model, sizes)
    if month % 12 == 0:
        update_employment(model)


def _partnering(model: CommunityModel, sizes: np.ndarray) -> None:
    """Single men and women 22-44 living alone pair up by age; she moves in with him."""
    r, p = model.residents, model.params.demography
    years = r.age_m // 12
    single = r.alive & (r.role == ROLE_HEAD) & r.never_married & (years >= 22) & (years < 45)
    if not single.any():
        return
    single &= sizes[r.hh] == 1
    idx = np.flatnonzero(single)
    monthly = monthly_chance(p.partner_rate)
    ready = idx[model.streams["partner"].bernoulli(r.pid[idx], monthly, model.month)]
    men = ready[r.sex[ready] == MALE]
    women = ready[r.sex[ready] == FEMALE]
    k = min(men.size, women.size)
    if k == 0:
        return
    # Pair by age rank (ties broken by identity so the order is reproducible).
    men = men[np.lexsort((r.pid[men], r.age_m[men]))][:k]
    women = women[np.lexsort((r.pid[women], r.age_m[women]))][:k]
    r.hh[women] = r.hh[men]
    r.district[women] = r.district[men]
    r.never_married[men] = False
    r.never_married[women] = False


def _elderly_moves(model: CommunityModel, sizes: np.ndarray) -> None:
    """Older people living alone move in with a child's family or into a care facility.

    Care facilities are one institutional household per district: their residents stay
    in the population (as in the census) but no longer live alone at home.
    """
    r, p = model.residents, model.params.demography
    years = r.age_m // 12
    alone = np.flatnonzero(r.alive & (years >= 65) & (sizes[r.hh] == 1))
    if alone.size == 0:
        return
    # A child's household in town: any resident who grew up in the elder's household.
    child_hh = np.full(model.households.n, -1, dtype=np.int64)
    linked = np.flatnonzero(r.alive & (r.origin_hh >= 0))
    child_hh[r.origin_hh[linked]] = r.hh[linked]
    target = child_hh[r.hh[alone]]
    p_join = np.where(target >= 0, monthly_chance(p.join_family_rate), 0.0)
    fac_rate = np.select(
        [years[alone] >= 85, years[alone] >= 75], [p.facility_rate[1], p.facility_rate[0]], 0.0
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
    years = np.minimum(r.age_m // 12, 120)
    rate = model.demo_tables.employment[r.sex, years]
    propensity = model.streams["employment"].uniform(r.pid, 0)
    r.working[:] = r.alive & (propensity < rate)


__all__ = [
    "DemographyParams",
    "DemographyTables",
    "age_and_exit",
    "annual_hazard",
    "births",
    "household_change",
    "in_migration",
    "life_expectancy",
    "monthly_death_table",
]
