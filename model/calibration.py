"""Calibration targets: the model's values next to public statistics, with tolerances.

Each :class:`Target` names a public figure, what it counts (its definition, as the
statistic counts it), its year and source keys (``model/sources.toml``), the tolerance
the model must meet, and how to read the model's value from a run: a stock at the
figure's calendar year (month 0 for figures from before the run's start, 2024/1 for the
shipped profiles), a flow over that year, a trend as a trend. :func:`check` runs a town
(by default the national-like profile) and returns one row per target — the table
``kyosei calibrate`` prints. The 民生委員 fill rate of FY2025, the latest record, is the
profiles' starting fill and is checked at month 0.

Tolerances are stated next to their sources: wide where the sources disagree or the
figure is a proxy, tight where the figure is exact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .core import CommunityModel
from .demography import life_expectancy
from .population import FEMALE, MALE, PERCENT
from .scenario import Scenario

Reader = Callable[[CommunityModel, pd.DataFrame], float]


#: The year a target's statistic refers to when a target does not say: the latest year of
#: the 民生委員 record. The run is read at that calendar year (its ``year`` column); a figure
#: of a year before the run's start is compared at the start.
DEFAULT_YEAR = 2025
# Months from the run's first month to the middle of its last year: a run of n months
# reads its last year's mean as of month n - 6.5.
MID_LAST_YEAR = 6.5


@dataclass(frozen=True)
class Target:
    """One public figure the model should reproduce.

    ``definition`` says what is counted, as the statistic counts it; ``year`` is the
    statistic's year (the model is read at that year of the run, or at the start for
    earlier figures); ``source`` cites keys of ``model/sources.toml``.
    """

    name: str
    target: float
    tolerance: float
    unit: str
    source: str
    read: Reader
    definition: str = ""
    year: int = DEFAULT_YEAR

    def passes(self, value: float) -> bool:
        """Whether ``value`` is within the tolerance of the target."""
        return bool(np.isfinite(value) and abs(value - self.target) <= self.tolerance)


def _month_of(year: int, ts: pd.DataFrame) -> int:
    """The run's month of a statistic's year: its first month, or month 0 if earlier."""
    return 12 * max(year - int(ts["year"].iloc[0]), 0)


def _stock(column: str, year: int) -> Reader:
    """A stock (a share of residents) at the statistic's year: its month, else month 0."""

    def read(model: CommunityModel, ts: pd.DataFrame) -> float:
        month = min(_month_of(year, ts), int(ts["month"].max()))
        return float(ts.loc[ts["month"] == month, column].iloc[0])

    return read


def _flow(column: str, year: int) -> Reader:
    """A monthly flow over the statistic's year of the run (the first year if earlier)."""

    def read(model: CommunityModel, ts: pd.DataFrame) -> float:
        first = min(_month_of(year, ts), int(ts["month"].max()) - 12) + 1
        rows = (ts["month"] >= first) & (ts["month"] < first + 12)
        return float(ts.loc[rows, column].mean())

    return read


def _annual_change(column: str) -> Reader:
    """Average annual % change of a column from month 0 to the end."""

    def read(model: CommunityModel, ts: pd.DataFrame) -> float:
        first, last = float(ts[column].iloc[0]), float(ts[column].iloc[-12:].mean())
        years = (len(ts) - MID_LAST_YEAR) / 12.0
        return ((last / first) ** (1.0 / years) - 1.0) * PERCENT if first > 0 else float("nan")

    return read


def _yearly_slope_pt(column: str) -> Reader:
    """Trend of a share, pt per year: least squares over its value at each year's start."""

    def read(model: CommunityModel, ts: pd.DataFrame) -> float:
        yearly = ts.loc[ts["month"] % 12 == 0, ["year", column]]
        if len(yearly) < 2:
            return float("nan")
        return float(np.polyfit(yearly["year"], yearly[column] * PERCENT, 1)[0])

    return read


def _start(column: str) -> Reader:
    def read(model: CommunityModel, ts: pd.DataFrame) -> float:
        return float(ts[column].iloc[0])

    return read


def _e0_gap(sex: int) -> Reader:
    """Period life expectancy of the run's simulated deaths minus the input path's mean.

    Read from deaths and person-months (``model.lifetable``), pooled over the run's years,
    not computed from the parameters; all deaths count, crises included.
    """

    def read(model: CommunityModel, ts: pd.DataFrame) -> float:
        years = model.life_record.years()
        simulated = model.life_record.life_expectancy(sex, years)
        path = np.mean([life_expectancy(model.params.demography, sex, year=y) for y in years])
        return float(simulated - path)

    return read


# 65+ living alone, 高齢社会白書 R6: (2020, 2050) shares by sex; read linearly in between.
ALONE_PROJECTION = {MALE: (15.0, 26.1), FEMALE: (22.1, 29.3)}
PROJECTION_FROM = 2020  # the calendar year of the projection's first share
PROJECTION_YEARS = 30.0  # years from its first share to its last (2050)


def _alone_gap(sex: int) -> Reader:
    """Share of 65+ living alone in the run's last year minus the projection for that year.

    In percentage points; the projection is read linearly between its 2020 and 2050 values.
    """
    column = f"alone_65_{'male' if sex == MALE else 'female'}"
    start, end = ALONE_PROJECTION[sex]

    def read(model: CommunityModel, ts: pd.DataFrame) -> float:
        year = float(ts["year"].iloc[-12:].mean())
        projected = start + (end - start) * (year - PROJECTION_FROM) / PROJECTION_YEARS
        return float(ts[column].iloc[-12:].mean() * PERCENT - projected)

    return read


def _tfr(model: CommunityModel, ts: pd.DataFrame) -> float:
    return float(model.fertility_record.tfr())


TARGETS: tuple[Target, ...] = (
    Target(
        "life expectancy at birth from simulated deaths vs input path, men",
        0.0,
        0.5,
        "years",
        "[mhlw-life-table-2023] 81.09 (2023) rising along [ipss-2023-medium] to 85.89 (2070); "
        "period life table of the run's deaths; ±0.5 (crises add deaths; 1 in 10 sampling)",
        _e0_gap(MALE),
        "period life expectancy at birth from the run's simulated deaths and person-months, "
        "minus that of the input mortality path over the same years",
        2023,
    ),
    Target(
        "life expectancy at birth from simulated deaths vs input path, women",
        0.0,
        0.5,
        "years",
        "[mhlw-life-table-2023] 87.14 (2023) rising along [ipss-2023-medium] to 91.94 (2070); "
        "period life table of the run's deaths; ±0.5",
        _e0_gap(FEMALE),
        "period life expectancy at birth from the run's simulated deaths and person-months, "
        "minus that of the input mortality path over the same years",
        2023,
    ),
    Target(
        "total fertility rate (realised)",
        1.20,
        0.10,
        "births per woman",
        "[mhlw-vital-2023] 1.20 (input 1.20; births drawn per woman)",
        _tfr,
        "sum over 5-year bands of 5 × simulated births per woman-year, over the run",
        2023,
    ),
    Target(
        "aging rate at start",
        0.293,
        0.01,
        "share",
        "[stat-jinsui-2024] 29.3 % (2024)",
        _start("aging_rate"),
        "residents 65+ / all residents (facilities included)",
        2024,
    ),
    Target(
        "65+ men living alone vs projection, last year",
        0.0,
        2.5,
        "pt",
        "[cao-aging-whitepaper-2024] 15.0 % (2020) → 26.1 % (2050), read linearly; an outcome "
        "of the household rules, not imposed; ±2.5 pt (the projection between its end points is "
        "not published here; one town's share varies by about 1 pt)",
        _alone_gap(MALE),
        "men 65+ in a one-person private household / men 65+",
        2020,
    ),
    Target(
        "65+ women living alone vs projection, last year",
        0.0,
        2.5,
        "pt",
        "[cao-aging-whitepaper-2024] 22.1 % (2020) → 29.3 % (2050), read linearly; ±2.5 pt",
        _alone_gap(FEMALE),
        "women 65+ in a one-person private household / women 65+",
        2020,
    ),
    Target(
        "care certification among 65+",
        0.19,
        0.03,
        "share",
        "[mhlw-kaigo-jigyo-2023] 要介護・要支援認定率 19.0 % (Apr 2023); ±3 pt (prefectures "
        "14.6-21.8 %)",
        _stock("share_certified_65", 2023),
        "residents 65+ certified as needing support or care (要支援1-要介護5): a care need "
        "known to the system (applied or found, assessed or supported), care facilities "
        "included / all residents 65+",
        2023,
    ),
    Target(
        "disability",
        0.093,
        0.015,
        "share",
        "[mhlw-shizurasa-2022] 9.3 % (Dec 2022); ±1.5 pt (7.4 % in the 2018 series)",
        _stock("share_disability", 2022),
        "residents with a disability need of any severity (physical, intellectual, mental) "
        "/ all residents",
        2022,
    ),
    Target(
        "public assistance",
        0.0162,
        0.004,
        "share",
        "[mhlw-hihogosha-2024] 1.62 % (Apr 2024); ±0.4 pt",
        _stock("share_assistance", 2024),
        "residents receiving public assistance (生活保護) / all residents",
        2024,
    ),
    Target(
        "withdrawn among 15-64",
        0.020,
        0.005,
        "share",
        "[cao-kodomo-wakamono-2022] 2.02-2.05 % (Nov 2022); ±0.5 pt",
        _stock("share_withdrawn_15_64", 2022),
        "residents 15-64 in social withdrawal (broad definition: out only for hobbies or "
        "errands, or not at all, for 6+ months) / residents 15-64",
        2022,
    ),
    Target(
        "new hardship consultations",
        19.5,
        4.5,
        "per 100k per month",
        "[mhlw-jiritsu-soudan] 15 (FY2015) to 24 (FY2022); the range is the tolerance",
        _flow("poverty_consultations_per_100k", 2022),
        "new cases at the 自立相談支援 counter whose main need is hardship, per 100,000 "
        "residents per month (the run's first year)",
        2022,
    ),
    Target(
        "no face-to-face contact with family or friends (16+)",
        0.092,
        0.03,
        "share",
        "[cao-kodoku-honbu-2024] 9.2 % (2023); ±3 pt (12 % in a research estimate)",
        _stock("isolation_rate", 2023),
        "residents 16+ with no kin, neighbour, interest or issue tie outside the household "
        "(colleagues alone do not count) / residents 16+",
        2023,
    ),
    Target(
        "lonely often or always",
        0.047,
        0.01,
        "share",
        "[cas-kodoku-2022] 4.9 % (2022), 4.8 % (2023), 4.3 % (2024)",
        _stock("lonely_rate", 2023),
        "residents 16+ in the lonely state (a spell that starts and ends at monthly rates, "
        "more often without family or friends) / residents 16+",
        2023,
    ),
    Target(
        "social participation (15+)",
        0.49,
        0.08,
        "share",
        "[cao-kodoku-honbu-2024] 51.8 % / 50.6 % take part in no activity (2023/24); ±8 pt "
        "(definitions differ)",
        _stock("participation_rate", 2023),
        "residents 15+ who attended a venue, belonged to a group or volunteered in the past "
        "12 months / residents 15+",
        2023,
    ),
    Target(
        "通いの場 participation among 65+",
        0.055,
        0.015,
        "share",
        "[mhlw-kaigo-bukai-121] 5-6 % recommended (sources give 2.3-6.2 %)",
        _stock("kayoi_participation_65", 2022),
        "residents 65+ who are regulars of a 通いの場 / residents 65+",
        2022,
    ),
    Target(
        "通いの場 participants aged 75+",
        0.742,
        0.08,
        "share",
        "[mhlw-kaigo-bukai-121] 74.2 % (FY2023)",
        _stock("kayoi_share_75plus", 2023),
        "regulars of 通いの場 aged 75+ / all regulars of 通いの場",
        2023,
    ),
    Target(
        "通いの場 participants who are women",
        0.798,
        0.08,
        "share",
        "[mhlw-kaigo-bukai-121] 79.8 % (FY2023)",
        _stock("kayoi_share_women", 2023),
        "women among the regulars of 通いの場",
        2023,
    ),
    Target(
        "volunteered in the past year (10+)",
        0.18,
        0.04,
        "share",
        "[stat-shakai-seikatsu-2021] 17.8-18.1 % (2021); ±4 pt (26 % before COVID)",
        _stock("volunteer_rate_year", 2021),
        "residents 10+ who volunteered in the past 12 months / residents 10+",
        2021,
    ),
    Target(
        "volunteered in the past year, men 65-79",
        0.25,
        0.06,
        "share",
        "[stat-shakai-seikatsu-2021] 24.7-25.6 %, the highest group (2021)",
        _stock("volunteer_rate_men_65_79", 2021),
        "men 65-79 who volunteered in the past 12 months / men 65-79",
        2021,
    ),
    Target(
        "NPOs per 100k residents",
        40.0,
        8.0,
        "per 100k",
        "[cao-npo-count-2024] ≈ 40 (49,611 in Oct 2024)",
        _stock("npos_per_100k", 2024),
        "certified NPOs (NPO法人) active in the town per 100,000 residents",
        2024,
    ),
    Target(
        "NPO count, annual change",
        -0.7,
        1.5,
        "%/yr",
        "[cao-npo-count-2024] ≈ -0.7 %/yr since FY2017; ±1.5: ~40 NPOs per 100k drift by "
        "chance (SD ≈ 1.5 pt/yr in one 10-year run, ≈ 0.9 in the mean of 3)",
        _annual_change("npos"),
        "average annual % change of the NPO count over the run (a trend, as a trend)",
        2024,
    ),
    Target(
        "民生委員 posts filled",
        0.917,
        0.01,
        "share",
        "[nippon-com-minsei-2026] 91.7 % (FY2025 reappointment); an input: the start is set "
        "to it, so this checks month 0 equals the profile",
        _start("minsei_fill_rate"),
        "民生委員・児童委員 appointed / posts (quota: households per post by the guideline); the "
        "latest record (FY2025) is the profiles' starting fill, so it is read at month 0",
        2025,
    ),
    Target(
        "民生委員 fill rate, change per year",
        -2.0 / 3.0,
        1.0 / 3.0,
        "pt per year",
        "[yomiuri-minsei-2022] 93.7 % (2022) → [nippon-com-minsei-2026] 91.7 % (2025): −2 pt "
        "per 3-year term; [mhlw-minsei-2013] 97.9 % (2007) → 97.1 % (2013): −0.3 pt a year; "
        "the tolerance spans the two",
        _yearly_slope_pt("minsei_fill_rate"),
        "least-squares trend of the fill rate at each year's start over the run, in "
        "percentage points per year (the record: one point per 3-year reappointment)",
        2025,
    ),
)


def check(
    scenario: Scenario,
    *,
    seed: int = 1,
    years: int = 10,
    replicates: int = 3,
    tick: Callable[[], object] | None = None,
) -> pd.DataFrame:
    """Compare the mean of ``replicates`` runs with every public figure: a row per target.

    The runs use seeds ``seed``, ``seed + 1``, ….

    Averaging matters for counts that are small in one town (≈ 40 NPOs per 100k drift by
    chance from year to year). ``tick`` is called after every simulated year of every
    replicate (``replicates * years`` times), e.g. to move a progress bar.
    """
    values: dict[str, list[float]] = {t.name: [] for t in TARGETS}
    for replicate in range(replicates):
        model = CommunityModel(scenario, seed=seed + replicate)
        for _ in range(years):
            model.run(12)
            if tick is not None:
                tick()
        ts = model.recorder.timeseries()
        for t in TARGETS:
            try:
                values[t.name].append(t.read(model, ts))
            except KeyError:  # a part of the model is switched off
                values[t.name].append(float("nan"))
    rows = []
    for t in TARGETS:
        value = float(np.mean(values[t.name]))
        rows.append(
            {
                "target": t.name,
                "model": value,
                "public": t.target,
                "tolerance": t.tolerance,
                "unit": t.unit,
                "year": t.year,
                "pass": t.passes(value),
                "definition": t.definition,
                "source": t.source,
            }
        )
    return pd.DataFrame(rows)
