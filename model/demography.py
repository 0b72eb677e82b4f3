"""Demography: aging, deaths, births, migration and household change, one month a step.

Rules, in the order :meth:`model.core.CommunityModel.step` calls them:

1. :func:`age_and_exit` — everyone ages a month; one uniform draw per resident decides
   death (Siler mortality by age and sex, scaled each calendar year so that life
   expectancy follows its input path) and, failing that, moving out of town: an
   *exchange* move (gross turnover between municipalities, replaced below) or a *net*
   move (the town's own net loss by age, e.g. the 18-24 outflow of shrinking towns).
   A household moves when a head/partner moves; young adults living with their parents
   leave on their own.
2. :func:`births` (:mod:`model.births`) — women 15-49 give birth at age-specific rates
   scaled to the total fertility rate of the calendar year; partnered women bear almost
   all children (non-marital births are about 2 % in Japan). The newborn joins the
   mother's household.
3. :func:`in_migration` (:mod:`model.migration`) — each household or person that left
   by exchange is replaced by newcomers of the same make-up (ages, sexes, roles), so
   exchange moves have no net effect at any age; then returners (a share of the month's
   net leavers, aged 25-39), other net arrivals (``in_rate``) and foreign net
   in-migration (the national figure scaled to the town) arrive as units: young
   singles, couples, families, older people.
4. :func:`household_change` (:mod:`model.households`) — young adults leave home within
   town; singles partner; people retire. Widowhood and elderly living alone follow from
   deaths.

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

from . import demography_kernels
from .births import ASFR_BANDS, ASFR_WIDTH, FertilityRecord, births
from .households import employ_newcomers, household_change, update_employment
from .lifetable import TOP
from .migration import (
    FAMILY,
    KIDS,
    KIDS_P,
    UNIT_AGES,
    UNIT_COUPLE_SHARE,
    Units,
    in_migration,
    make_units,
    mean_unit_size,
)
from .parameters import ParameterError, param
from .population import (
    AGE_YEARS,
    FEMALE,
    MALE,
    TINY,
)
from .rates import monthly_chance

if TYPE_CHECKING:
    from .core import CommunityModel

MAX_AGE_M = 110 * 12  # everyone dies by 110: the life table's last row
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
        table[sex] = _monthly_death_row(annual_hazard(p, sex, mid_ages), multiplier)
    return table


def _monthly_death_row(hazard: np.ndarray, multiplier: float) -> np.ndarray:
    """One sex's row of :func:`monthly_death_table` from its hazard at mid-month ages."""
    row = -np.expm1(-multiplier * hazard / 12.0)
    row[MAX_AGE_M:] = 1.0
    return row


def _e0_of(q: np.ndarray) -> float:
    """Life expectancy (years) of a monthly death-probability row starting at birth."""
    return demography_kernels.life_years(q)


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
        # The hazard does not depend on the multiplier: computed once, each step of the
        # search only scales it (the same row monthly_death_table gives, bit for bit).
        hazard = annual_hazard(p, sex, (np.arange(MAX_AGE_M + 1) + 0.5) / 12.0)  # as there
        target = _e0_of(_monthly_death_row(hazard, 1.0)) + gain
        lo, hi = -6.0, 6.0  # log multiplier; e0 falls as it rises
        for _ in range(60):
            mid = (lo + hi) / 2.0
            e0 = _e0_of(_monthly_death_row(hazard, float(np.exp(mid))))
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


__all__ = [
    "FAMILY",
    "KIDS",
    "KIDS_P",
    "UNIT_AGES",
    "UNIT_COUPLE_SHARE",
    "DemographyParams",
    "DemographyTables",
    "FertilityRecord",
    "MigrationRecord",
    "Units",
    "age_and_exit",
    "annual_hazard",
    "births",
    "employ_newcomers",
    "household_change",
    "in_migration",
    "life_expectancy",
    "make_units",
    "mean_unit_size",
    "monthly_death_table",
    "update_employment",
]
