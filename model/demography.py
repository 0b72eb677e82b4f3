"""Demography: aging, deaths, births, migration and household change, one month a step.

Rules, in the order :meth:`model.core.CommunityModel.step` calls them:

1. :func:`age_and_exit` — everyone ages a month; one uniform draw per resident decides
   death (Siler mortality by age and sex, scaled each calendar year so that life
   expectancy follows its input path) and, failing that, moving out of town: an
   *exchange* move (gross turnover between municipalities, replaced below) or a *net*
   move (the town's own net loss by age, e.g. the 18-24 outflow of shrinking towns).
   A household moves when a head/partner moves; young adults living with their parents
   leave on their own.
2. :func:`births` — women 15-49 give birth at age-specific rates scaled to the
   total fertility rate of the calendar year; partnered women bear almost all children
   (non-marital births are about 2 % in Japan). The newborn joins the mother's household.
3. :func:`in_migration` — each household or person that left by exchange is replaced by
   newcomers of the same make-up (ages, sexes, roles), so exchange moves have no net
   effect at any age; then returners (a share of the month's net leavers, aged 25-39),
   other net arrivals (``in_rate``) and foreign net in-migration (the national figure
   scaled to the town) arrive as units: young singles, couples, families, older people.
4. :func:`household_change` — young adults leave home within town; singles partner;
   people retire. Widowhood and elderly living alone follow from deaths.

Rates that change with the calendar (life expectancy, fertility) are read from
piecewise-linear paths by year (:func:`path_value`); a profile with an annual-change
target has its net out-migration scaled once, at build time, so that a cohort-component
projection of its starting population meets the target (:func:`fit_net_out_scale`).

Every stochastic decision has its own named stream (see :mod:`model.streams`).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.stats import poisson

from . import demography_kernels
from .lifetable import TOP
from .parameters import ParameterError, param
from .population import (
    ADULT_AGE,
    AGE_YEARS,
    FACILITY_OLDEST,
    FEMALE,
    LATE_OLD_AGE,
    MALE,
    MAX_AGE,
    OLD_AGE,
    ROLE_CHILD,
    ROLE_HEAD,
    ROLE_PARENT,
    TINY,
)
from .rates import monthly_chance

if TYPE_CHECKING:
    from .core import CommunityModel

MAX_AGE_M = 110 * 12  # everyone dies by 110: the life table's last row
ASFR_BANDS = (15, 20, 25, 30, 35, 40, 45, 50)
FERTILE_FROM, FERTILE_BELOW = ASFR_BANDS[0], ASFR_BANDS[-1]
ASFR_WIDTH = ASFR_BANDS[1] - ASFR_BANDS[0]  # years per fertility band
N_ASFR = len(ASFR_BANDS) - 1
MIGRATION_BANDS = (0, 15, 18, 25, 35, 50, 65, 75)
NET_BANDS = (0, 15, 18, 25, 40, 65, 75)  # net migration by age: 0-14 … 75+
EMPLOYMENT_BANDS = (15, 20, 60, 65, 70, 75)
# Migration band of each completed year of age 0..110 (everyone dies by 110).
NET_BAND_OF_YEAR = np.searchsorted(NET_BANDS, np.arange(MAX_AGE_M // 12 + 1), side="right") - 1
LIFE_TABLE_SOURCE = (
    "[mhlw-life-table-2023] Siler fit: e0 men 81.09, women 87.14; e65 men 19.52, women 24.38"
)
E0_PATH_SOURCE = (
    "[mhlw-life-table-2023] 2023: men 81.09, women 87.14; [ipss-2023-medium] 2070: men 85.89, "
    "women 91.94; linear in between, flat after"
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
    e0_path_years: tuple[float, ...] = param(
        (2023.0, 2070.0),
        unit="calendar years of the life-expectancy path points",
        source=E0_PATH_SOURCE,
        lo=1900,
        hi=2200,
    )
    e0_path_male: tuple[float, ...] = param(
        (81.09, 85.89),
        unit="years at birth, men, at e0_path_years (the gain over the first point is applied)",
        source=E0_PATH_SOURCE,
        lo=0,
        hi=130,
        ja="平均寿命の推移（男性）",
        en="Life expectancy path, men",
    )
    e0_path_female: tuple[float, ...] = param(
        (87.14, 91.94),
        unit="years at birth, women, at e0_path_years (the gain over the first point is applied)",
        source=E0_PATH_SOURCE,
        lo=0,
        hi=130,
        ja="平均寿命の推移（女性）",
        en="Life expectancy path, women",
    )
    tfr: float = param(
        1.20,
        unit="births per woman in tfr_path_years[0]",
        source="[mhlw-vital-2023] 1.20 (2023)",
        lo=0,
        hi=8,
        ja="合計特殊出生率",
        en="Total fertility rate",
    )
    tfr_path_years: tuple[float, ...] = param(
        (2023.0, 2024.0, 2030.0, 2070.0),
        unit="calendar years of the fertility path points",
        source="[mhlw-vital-2023] 2023, 2024 actual; [ipss-2023-medium] 2020s and 2070",
        lo=1900,
        hi=2200,
    )
    tfr_path: tuple[float, ...] = param(
        (1.20, 1.15, 1.25, 1.36),
        unit="national TFR at tfr_path_years; the town's TFR is tfr × path / path[0]",
        source="[mhlw-vital-2023] 1.20 (2023), 1.15 (2024); [ipss-2023-medium] 1.2台 in the "
        "2020s (2030: 1.25 is an assumption inside that range), 1.36 in 2070; flat after",
        lo=0,
        hi=8,
        ja="出生率の推移",
        en="Fertility path",
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
        unit="exchange moves out per person-year, bands 0,15,18,25,35,50,65,75+ (each "
        "replaced by newcomers of the same make-up: no net effect)",
        source="assumption shaped on [mic-migration-2024] (young adults move most)",
        lo=0,
        hi=1,
        length=8,
    )
    out_scale: float = param(
        1.0,
        unit="multiplier on out_rate (turnover between municipalities)",
        source="assumption",
        lo=0,
        hi=10,
        ja="転出入の多さ",
        en="Migration turnover multiplier",
    )
    net_out_rate: tuple[float, ...] = param(
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
        unit="net moves out per person-year, bands 0-14,15-17,18-24,25-39,40-64,65-74,75+ "
        "(scaled to the profile's annual_change_target when change_target_years > 0)",
        source="profile (national-like: none — moves between municipalities cancel nationally)",
        lo=0,
        hi=1,
        length=7,
        ja="転出超過率（年齢別）",
        en="Net out-migration by age",
    )
    return_share: float = param(
        0.0,
        unit="returners aged 25-39 per net leaver (arriving the same month)",
        source="profile",
        lo=0.0,
        hi=1.0,
        ja="Uターン率",
        en="Return migration share",
    )
    in_rate: float = param(
        0.0,
        unit="further net in-migrants per resident-year, arriving as in_unit_shares units",
        source="profile",
        lo=0,
        hi=0.5,
        ja="転入超過率",
        en="Net in-migration rate",
    )
    foreign_net_national: float = param(
        164_000.0,
        unit="foreigners' net entries to Japan per year (held constant after 2040)",
        source="[ipss-2023-medium] about 164,000 a year through 2040; constant after is an "
        "assumption",
        lo=0,
    )
    national_population: float = param(
        123_802_000.0,
        unit="persons (divides the national flow into a rate per resident)",
        source="[stat-jinsui-2024] 123.802 M on 2024-10-01",
        lo=1,
    )
    foreign_share: float = param(
        1.0,
        unit="town's foreign net entries per resident relative to the national rate",
        source="assumption: the town takes its population share of the national flow",
        lo=0,
        hi=20,
        ja="外国人転入超過（全国比）",
        en="Foreign net in-migration vs national",
    )
    foreign_unit_shares: tuple[float, ...] = param(
        (0.55, 0.30, 0.08, 0.07, 0.0),
        unit="share of arriving foreign units: single 18-24, 25-34, family, 35-64, 65+",
        source="assumption: most net entrants are young adults (students, trainees, workers)",
        lo=0,
        length=5,
    )
    return_unit_shares: tuple[float, ...] = param(
        (0.0, 0.6, 0.4, 0.0, 0.0),
        unit="share of returning units: single 18-24, 25-34, family, 35-64, 65+",
        source="assumption: U-turn moves are made at 25-39, alone or with a young family",
        lo=0,
        length=5,
    )
    in_unit_shares: tuple[float, ...] = param(
        (0.24, 0.21, 0.17, 0.32, 0.06),
        unit="share of arriving units: single 18-24, 25-34 (15 % couples), family, 35-64, 65+",
        source="assumption shaped on [mic-migration-2019] age profile",
        lo=0,
        length=5,
    )
    family_parent_gap: int = param(
        22,
        unit="years an arriving family's first adult is older than its children, at least",
        source="assumption: few parents are younger than 22 at a first birth",
        lo=12,
        hi=60,
        ja="転入する家族の子どもと親の年齢差（最小）",
        en="Smallest age gap between an arriving family's parent and children",
    )
    family_child_below: int = param(
        15,
        unit="age (years) below which the children of an arriving family are",
        source="assumption: families move with children of school age or younger",
        lo=1,
        hi=30,
        ja="転入する家族の子どもの年齢（この年齢未満）",
        en="Arriving families' children are younger than this",
    )
    leave_home_rate: float = param(
        0.05,
        unit="per year, adults 18-34 living with parents (besides leaving to partner)",
        source="assumption: set with partner_rate so that households follow the shape of the "
        "[ipss-2024-households] projection (docs/validation.md)",
        lo=0.0,
        hi=1.0,
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
        0.09,
        unit="per year, never-married 22-44 living alone or with parents",
        source="assumption: set with leave_home_rate (see there)",
        lo=0.0,
        hi=1.0,
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
    leave_home_below: int = param(
        35,
        unit="age (years) below which adult children leave the parental home (from 18)",
        source="assumption: set with leave_home_rate",
        lo=19,
        hi=60,
    )
    leave_home_nearby: float = param(
        0.7,
        unit="share of young adults leaving home who stay in their district",
        source="assumption",
        lo=0,
        hi=1,
        ja="離家時に同じ地区に住む割合",
        en="Leaving home nearby",
    )
    partner_from: int = param(
        22,
        unit="age (years) from which never-married residents partner",
        source="assumption",
        lo=15,
        hi=60,
    )
    partner_below: int = param(
        45,
        unit="age (years) below which never-married residents partner",
        source="assumption",
        lo=16,
        hi=80,
    )
    parent_age_gap: int = param(
        30,
        unit="years between children and the parents they move with (the projection's "
        "net migration of under-18s)",
        source="assumption: mean age of mothers at birth ≈ 30-32",
        lo=15,
        hi=50,
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


def monthly_death_table(p: DemographyParams, multiplier: float = 1.0) -> np.ndarray:
    """Probability of dying within the month, indexed ``[sex, age_m]`` (age_m < MAX_AGE_M+1).

    ``multiplier`` scales the hazard at every age (the calendar year's mortality level).
    """
    mid_ages = (np.arange(MAX_AGE_M + 1) + 0.5) / 12.0
    table = np.empty((2, MAX_AGE_M + 1))
    for sex in (MALE, FEMALE):
        table[sex] = -np.expm1(-multiplier * annual_hazard(p, sex, mid_ages) / 12.0)
    table[:, MAX_AGE_M:] = 1.0
    return table


def _e0_of(q: np.ndarray) -> float:
    """Life expectancy (years) of a monthly death-probability row starting at birth."""
    survivors = np.cumprod(1.0 - q)
    alive_at_start = np.concatenate([[1.0], survivors[:-1]])
    return float(((alive_at_start + survivors) / 2.0).sum() / 12.0)


def life_expectancy(
    p: DemographyParams, sex: int, at_age: int = 0, year: float | None = None
) -> float:
    """Expected remaining years at ``at_age`` under the monthly rule the model applies.

    With ``year``, the mortality of that calendar year (see :func:`mortality_multiplier`);
    without, the Siler parameters as written.
    """
    k = 1.0 if year is None else mortality_multiplier(p, year)[sex]
    return _e0_of(monthly_death_table(p, k)[sex, at_age * 12 :])


def path_value(years: tuple[float, ...], values: tuple[float, ...], year: float) -> float:
    """A piecewise-linear path through ``(years, values)``, flat before and after."""
    return float(np.interp(year, years, values))


def check_paths(p: DemographyParams) -> None:
    """Each path has as many values as years, and its years increase."""
    for years_name, value_names in (
        ("e0_path_years", ("e0_path_male", "e0_path_female")),
        ("tfr_path_years", ("tfr_path",)),
    ):
        years = getattr(p, years_name)
        if len(years) == 0 or any(b <= a for a, b in itertools.pairwise(years)):
            raise ParameterError(
                f"demography.{years_name}", list(years), "one or more years in increasing order"
            )
        for name in value_names:
            if len(getattr(p, name)) != len(years):
                raise ParameterError(
                    f"demography.{name}",
                    list(getattr(p, name)),
                    f"one value per year of demography.{years_name} ({len(years)})",
                )


@functools.lru_cache(maxsize=512)
def mortality_multiplier(p: DemographyParams, year: float) -> tuple[float, float]:
    """Hazard multipliers (men, women) that give the life expectancy of calendar ``year``.

    The target is the Siler table's own e0 plus the path's gain since its first point, so a
    profile that changes the Siler parameters keeps its level and still improves.
    """
    out = []
    for sex, path in ((MALE, p.e0_path_male), (FEMALE, p.e0_path_female)):
        gain = path_value(p.e0_path_years, path, year) - path[0]
        if gain == 0.0:
            out.append(1.0)
            continue
        target = _e0_of(monthly_death_table(p)[sex]) + gain
        lo, hi = -6.0, 6.0  # log multiplier; e0 falls as it rises
        for _ in range(60):
            mid = (lo + hi) / 2.0
            e0 = _e0_of(monthly_death_table(p, float(np.exp(mid)))[sex])
            lo, hi = (mid, hi) if e0 > target else (lo, mid)
        out.append(float(np.exp((lo + hi) / 2.0)))
    return out[0], out[1]


def tfr_in(p: DemographyParams, year: float) -> float:
    """The town's total fertility rate in calendar ``year``: ``tfr`` times the path's trend."""
    base = p.tfr_path[0]
    trend = path_value(p.tfr_path_years, p.tfr_path, year) / base if base > 0 else 1.0
    return p.tfr * trend


def _by_band(edges: tuple[int, ...], values: tuple[float, ...], top: int = AGE_YEARS) -> np.ndarray:
    """A lookup table by completed years of age (0..top-1) from banded values."""
    table = np.zeros(top)
    for i, lo in enumerate(edges):
        hi = edges[i + 1] if i + 1 < len(edges) else top
        if i < len(values):
            table[lo:hi] = values[i]
    return table


def _asfr_table(p: DemographyParams, tfr: float) -> np.ndarray:
    asfr_band = np.array(p.asfr_shape) / max(sum(p.asfr_shape), TINY) * tfr / ASFR_WIDTH
    return _by_band(ASFR_BANDS, tuple(asfr_band / 12.0))


@dataclass
class DemographyTables:
    """Lookup tables derived from the parameters (monthly probabilities by age).

    ``death`` and ``asfr`` are those of calendar year ``year``; :meth:`set_year` moves them.
    """

    params: DemographyParams
    death: np.ndarray  # [sex, age_m]
    move_out: np.ndarray  # [age_years], monthly, exchange moves
    net_out: np.ndarray  # [age_years], monthly, net moves
    asfr: np.ndarray  # [age_years], monthly births per woman
    employment: np.ndarray  # [sex, age_years]
    year: float | None = None
    net_out_scale: float = 1.0  # solved to the profile's annual-change target (1 without)

    @classmethod
    def build(
        cls, p: DemographyParams, year: float | None = None, net_out_scale: float = 1.0
    ) -> DemographyTables:
        """Tables for parameters ``p`` in calendar ``year`` (None: the Siler table and ``tfr``)."""
        check_paths(p)
        monthly_out = monthly_chance(np.array(p.out_rate) * p.out_scale)
        monthly_net = monthly_chance(np.array(p.net_out_rate) * net_out_scale)
        employment = np.vstack(
            [
                _by_band(EMPLOYMENT_BANDS, p.employment_male),
                _by_band(EMPLOYMENT_BANDS, p.employment_female),
            ]
        )
        tables = cls(
            params=p,
            death=monthly_death_table(p),
            move_out=_by_band(MIGRATION_BANDS, tuple(monthly_out)),
            net_out=_by_band(NET_BANDS, tuple(monthly_net)),
            asfr=_asfr_table(p, p.tfr),
            employment=employment,
            net_out_scale=net_out_scale,
        )
        if year is not None:
            tables.set_year(year)
        return tables

    def set_year(self, year: float) -> None:
        """Mortality and fertility of calendar ``year`` (no-op if already there)."""
        if self.year == year:
            return
        p = self.params
        km, kf = mortality_multiplier(p, year)
        death = monthly_death_table(p, km)
        if kf != km:
            death[FEMALE] = monthly_death_table(p, kf)[FEMALE]
        self.death = death
        self.asfr = _asfr_table(p, tfr_in(p, year))
        self.year = year


def age_and_exit(model: CommunityModel) -> None:
    """Age everyone by a month; decide deaths and moves out with one draw per resident.

    Below the death probability a draw means death; in the next slice an exchange move
    (replaced by :func:`in_migration`); in the slice after, a net move out (decided once
    per household: a couple shares the rate of its band). Heads and partners decide for
    their household, adult children for themselves; a moving head takes the household
    along. The sweeps over the columns are :func:`model.demography_kernels.age_and_exit_arrays`.
    """
    r = model.residents
    month = model.month
    t = model.demo_tables
    u = model.streams["exit"].uniform(r.pid, month)
    out = demography_kernels.age_and_exit_arrays(
        r.age_m, r.sex, r.role, r.alive, r.hh, u, model.households.n, MAX_AGE_M,
        t.death, t.move_out, t.net_out, NET_BAND_OF_YEAR, TOP,
    )  # fmt: skip
    model.exchange_leavers = out.exchange
    model.net_leavers = out.leavers - out.exchange.size
    model.migration_record.exposure += out.band_exposure
    model.migration_record.out_moves += out.band_out
    year = model.calendar(month - 1)[0]  # the calendar year of the month being lived
    # The life record's tables by (sex, year of age), as LifeRecord.expose/died add them.
    for store, counts in (
        (model.life_record.exposure, out.life_exposure),
        (model.life_record.deaths, out.life_deaths),
    ):
        store.setdefault(year, np.zeros((2, TOP))).ravel()[:] += counts
    model.tally.deaths += out.deaths
    model.tally.out_migrants += out.leavers


@dataclass
class MigrationRecord:
    """Moves by age band (NET_BANDS) and person-months lived, to read net migration by age.

    ``internal_in`` counts exchange replacements, returners and ``in_rate`` arrivals;
    ``foreign_in`` the foreign net entries.
    """

    exposure: np.ndarray = field(default_factory=lambda: np.zeros(len(NET_BANDS)))
    out_moves: np.ndarray = field(default_factory=lambda: np.zeros(len(NET_BANDS)))
    internal_in: np.ndarray = field(default_factory=lambda: np.zeros(len(NET_BANDS)))
    foreign_in: np.ndarray = field(default_factory=lambda: np.zeros(len(NET_BANDS)))

    @staticmethod
    def _count(years: np.ndarray) -> np.ndarray:
        band = np.searchsorted(NET_BANDS, years, side="right") - 1
        return np.bincount(band, minlength=len(NET_BANDS))[: len(NET_BANDS)]

    def expose(self, years: np.ndarray) -> None:
        """One month lived by residents of ages ``years``."""
        self.exposure += self._count(years)

    def out(self, years: np.ndarray) -> None:
        """Residents of ages ``years`` moved out."""
        self.out_moves += self._count(years)

    def arrive(self, years: np.ndarray, *, foreign: bool) -> None:
        """Newcomers of ages ``years`` arrived."""
        target = self.foreign_in if foreign else self.internal_in
        target += self._count(years)

    def net_internal_rate(self) -> np.ndarray:
        """Net internal migration per person-year, by band (positive: the band grows)."""
        years = self.exposure / 12.0
        net = self.internal_in - self.out_moves
        return np.divide(net, years, out=np.zeros(len(NET_BANDS)), where=years > 0)


@dataclass
class FertilityRecord:
    """Births and women-months by mother's 5-year age band, to read the realised TFR."""

    births: np.ndarray = field(default_factory=lambda: np.zeros(7))
    exposure: np.ndarray = field(default_factory=lambda: np.zeros(7))

    def add(self, women_years: np.ndarray, mothers_years: np.ndarray) -> None:
        """Count one month of exposure for ``women_years`` and births to ``mothers_years``."""
        bands = (women_years - FERTILE_FROM) // ASFR_WIDTH
        self.exposure += np.bincount(bands, minlength=N_ASFR)[:N_ASFR]
        mothers = (mothers_years - FERTILE_FROM) // ASFR_WIDTH
        self.births += np.bincount(mothers, minlength=N_ASFR)[:N_ASFR]

    def tfr(self) -> float:
        """Σ over bands of 5 × births per woman-year."""
        rate = np.divide(
            self.births, self.exposure / 12.0, out=np.zeros(N_ASFR), where=self.exposure > 0
        )
        return float(ASFR_WIDTH * rate.sum())


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
    women = np.flatnonzero(
        r.alive & (r.sex == FEMALE) & (years >= FERTILE_FROM) & (years < FERTILE_BELOW)
    )
    if women.size == 0:
        return
    base = model.demo_tables.asfr[years[women]]
    partnered = _partnered_women(model)[women]
    # Partnered women bear almost all children. Rates are rescaled within each 5-year
    # band so that every band keeps its age-specific rate, and so the TFR holds.
    band = (years[women] - FERTILE_FROM) // ASFR_WIDTH
    expected = np.bincount(band, weights=base, minlength=N_ASFR)
    denom_p = np.bincount(band, weights=base * partnered, minlength=N_ASFR)
    denom_u = expected - denom_p
    share_u = np.where(denom_p > 0, p.nonmarital_birth_ratio, 1.0)
    k_p = np.divide((1 - share_u) * expected, denom_p, out=np.zeros(N_ASFR), where=denom_p > 0)
    k_u = np.divide(share_u * expected, denom_u, out=np.zeros(N_ASFR), where=denom_u > 0)
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
    kid_age = (
        gen.random(n) * np.clip(first_age[unit] - parent_gap * 12, 1, child_below * 12)
    ).astype(np.int64)
    age_m = np.select(
        [is_kid, is_partner],
        [kid_age, first_age[unit] - 12 * (2 * first_sex[unit] - 1)],
        first_age[unit],
    )
    sex = np.select(
        [is_kid, is_partner], [gen.integers(0, 2, size=n), 1 - first_sex[unit]], first_sex[unit]
    )
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
    count = int(poisson.ppf(gen.random(), lam))
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
    # The age and status tests first, on every resident; the household's size only for
    # the few who pass them.
    idx = np.flatnonzero(
        r.alive & r.never_married & (years >= p.partner_from) & (years < p.partner_below)
    )
    role = r.role[idx]
    idx = idx[((role == ROLE_HEAD) & (sizes[r.hh[idx]] == 1)) | (role == ROLE_CHILD)]
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
    alone = np.flatnonzero(r.alive & (years >= OLD_AGE))
    alone = alone[sizes[r.hh[alone]] == 1]
    if alone.size == 0:
        return
    # A child's household in town: any resident who grew up in the elder's household.
    child_hh = np.full(model.households.n, -1, dtype=np.int64)
    linked = np.flatnonzero(r.alive & (r.origin_hh >= 0))
    child_hh[r.origin_hh[linked]] = r.hh[linked]
    target = child_hh[r.hh[alone]]
    p_join = np.where(target >= 0, monthly_chance(p.join_family_rate), 0.0)
    fac_rate = np.select(
        [years[alone] >= FACILITY_OLDEST, years[alone] >= LATE_OLD_AGE],
        [p.facility_rate[1], p.facility_rate[0]],
        0.0,
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
    years = np.minimum(r.age_m // 12, MAX_AGE)
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
