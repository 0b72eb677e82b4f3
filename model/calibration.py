"""Calibration targets: the model's values next to public statistics, with tolerances.

Each :class:`Target` names a public figure, the source it comes from (cited by its key
in ``model/sources.toml``), the tolerance the model must meet, and how to read the
model's value from a run. :func:`check` runs a town (by default the national-like
profile) and returns one row per target — the table ``kyosei calibrate`` prints.

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
from .population import FEMALE, MALE
from .scenario import Scenario

Reader = Callable[[CommunityModel, pd.DataFrame], float]


@dataclass(frozen=True)
class Target:
    """One public figure the model should reproduce."""

    name: str
    target: float
    tolerance: float
    unit: str
    source: str
    read: Reader

    def passes(self, value: float) -> bool:
        """Whether ``value`` is within the tolerance of the target."""
        return bool(np.isfinite(value) and abs(value - self.target) <= self.tolerance)


def _mean(column: str, first_year: int = 1) -> Reader:
    """Mean of a time-series column over the run's years ``first_year``.. (monthly rows)."""

    def read(model: CommunityModel, ts: pd.DataFrame) -> float:
        return float(ts.loc[ts["month"] >= 12 * first_year - 11, column].mean())

    return read


def _start(column: str) -> Reader:
    def read(model: CommunityModel, ts: pd.DataFrame) -> float:
        return float(ts[column].iloc[0])

    return read


def _annual_change(column: str) -> Reader:
    """Average annual % change of a column from month 0 to the end."""

    def read(model: CommunityModel, ts: pd.DataFrame) -> float:
        first, last = float(ts[column].iloc[0]), float(ts[column].iloc[-12:].mean())
        years = (len(ts) - 6.5) / 12.0
        return ((last / first) ** (1.0 / years) - 1.0) * 100.0 if first > 0 else float("nan")

    return read


def _slope_pt(column: str) -> Reader:
    """Least-squares trend of a share, in percentage points per year."""

    def read(model: CommunityModel, ts: pd.DataFrame) -> float:
        return float(np.polyfit(ts["year"], ts[column] * 100.0, 1)[0])

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


def _alone_gap(sex: int) -> Reader:
    """Share of 65+ living alone in the run's last year minus the projection for that year.

    In percentage points; the projection is read linearly between its 2020 and 2050 values.
    """
    column = f"alone_65_{'male' if sex == MALE else 'female'}"
    start, end = ALONE_PROJECTION[sex]

    def read(model: CommunityModel, ts: pd.DataFrame) -> float:
        year = float(ts["year"].iloc[-12:].mean())
        projected = start + (end - start) * (year - 2020) / 30.0
        return float(ts[column].iloc[-12:].mean() * 100.0 - projected)

    return read


def _tfr(model: CommunityModel, ts: pd.DataFrame) -> float:
    return float(model.fertility_record.tfr())


PCT = 100.0

TARGETS: tuple[Target, ...] = (
    Target(
        "life expectancy at birth from simulated deaths vs input path, men",
        0.0,
        0.5,
        "years",
        "[mhlw-life-table-2023] 81.09 (2023) rising along [ipss-2023-medium] to 85.89 (2070); "
        "period life table of the run's deaths; ±0.5 (crises add deaths; 1 in 10 sampling)",
        _e0_gap(MALE),
    ),
    Target(
        "life expectancy at birth from simulated deaths vs input path, women",
        0.0,
        0.5,
        "years",
        "[mhlw-life-table-2023] 87.14 (2023) rising along [ipss-2023-medium] to 91.94 (2070); "
        "period life table of the run's deaths; ±0.5",
        _e0_gap(FEMALE),
    ),
    Target(
        "total fertility rate (realised)",
        1.20,
        0.10,
        "births per woman",
        "[mhlw-vital-2023] 1.20 (input 1.20; births drawn per woman)",
        _tfr,
    ),
    Target(
        "aging rate at start",
        0.293,
        0.01,
        "share",
        "[stat-jinsui-2024] 29.3 % (2024)",
        _start("aging_rate"),
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
    ),
    Target(
        "65+ women living alone vs projection, last year",
        0.0,
        2.5,
        "pt",
        "[cao-aging-whitepaper-2024] 22.1 % (2020) → 29.3 % (2050), read linearly; ±2.5 pt",
        _alone_gap(FEMALE),
    ),
    Target(
        "care need among 65+",
        0.19,
        0.03,
        "share",
        "[mhlw-kaigo-jigyo-2023] 要介護認定率 19.0 % (2023); ±3 pt (prefectures 14.6-21.8 %)",
        _mean("share_care_65"),
    ),
    Target(
        "disability",
        0.093,
        0.015,
        "share",
        "[mhlw-shizurasa-2022] 9.3 % (2022); ±1.5 pt (7.4 % in 2018 series)",
        _mean("share_disability"),
    ),
    Target(
        "public assistance",
        0.0162,
        0.004,
        "share",
        "[mhlw-hihogosha-2024] 1.62 % (2024); ±0.4 pt",
        _mean("share_assistance"),
    ),
    Target(
        "withdrawn among 15-64",
        0.020,
        0.005,
        "share",
        "[cao-kodomo-wakamono-2022] 2.02-2.05 % (2022); ±0.5 pt",
        _mean("share_withdrawn_15_64"),
    ),
    Target(
        "new hardship consultations",
        19.5,
        4.5,
        "per 100k per month",
        "[mhlw-jiritsu-soudan] 15 (FY2015) to 24 (FY2022); the range is the tolerance",
        _mean("poverty_consultations_per_100k"),
    ),
    Target(
        "no contact outside the household (16+)",
        0.092,
        0.03,
        "share",
        "[cao-kodoku-honbu-2024] 9.2 % (2023); ±3 pt (12 % in [mhlw-isolation-research])",
        _mean("isolation_rate"),
    ),
    Target(
        "lonely often or always",
        0.047,
        0.01,
        "share",
        "[cas-kodoku-2022] 4.3-4.9 % (2022-24)",
        _mean("lonely_rate"),
    ),
    Target(
        "social participation (15+)",
        0.49,
        0.08,
        "share",
        "[cao-kodoku-honbu-2024] 51.8 % / 50.6 % take part in no activity (2023/24); "
        "±8 pt (definitions differ)",
        _mean("participation_rate"),
    ),
    Target(
        "通いの場 participation among 65+",
        0.055,
        0.015,
        "share",
        "[mhlw-sogo-jigyo-2022] 5-6 % (sources give 2.3-6.2 %, [mhlw-kaigo-bukai-121])",
        _mean("kayoi_participation_65"),
    ),
    Target(
        "通いの場 participants aged 75+",
        0.742,
        0.08,
        "share",
        "[mhlw-kaigo-bukai-121] 74.2 % (FY2023)",
        _mean("kayoi_share_75plus"),
    ),
    Target(
        "通いの場 participants who are women",
        0.798,
        0.08,
        "share",
        "[mhlw-kaigo-bukai-121] 79.8 %",
        _mean("kayoi_share_women"),
    ),
    Target(
        "volunteered in the past year (10+)",
        0.18,
        0.04,
        "share",
        "[stat-shakai-seikatsu-2021] 17.8-18.1 % (2021); ±4 pt (26 % before COVID)",
        _mean("volunteer_rate_year"),
    ),
    Target(
        "volunteered in the past year, men 65-79",
        0.25,
        0.06,
        "share",
        "[stat-shakai-seikatsu-2021] 24.7-25.6 %, the highest group",
        _mean("volunteer_rate_men_65_79"),
    ),
    Target(
        "NPOs per 100k residents",
        40.0,
        8.0,
        "per 100k",
        "[cao-npo-count-2024] ≈ 40 (2024)",
        _mean("npos_per_100k"),
    ),
    Target(
        "NPO count, annual change",
        -0.7,
        1.5,
        "%/yr",
        "[cao-npo-count-2024] ≈ -0.7 %/yr since FY2017; ±1.5: ~40 NPOs per 100k drift by chance "
        "(SD ≈ 1.5 pt/yr in one 10-year run, ≈ 0.9 in the mean of 3)",
        _annual_change("npos"),
    ),
    Target(
        "民生委員 posts filled",
        0.917,
        0.03,
        "share",
        "[nippon-com-minsei-2026] 91.7 % (FY2025)",
        _mean("minsei_fill_rate"),
    ),
    Target(
        "民生委員 fill rate trend",
        -0.6,
        0.5,
        "pt per year",
        "[nippon-com-minsei-2026] -0.5 pt/yr (2016-25), -0.7 (2022-25)",
        _slope_pt("minsei_fill_rate"),
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
                "pass": t.passes(value),
                "source": t.source,
            }
        )
    return pd.DataFrame(rows)
