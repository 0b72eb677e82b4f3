"""Period life tables from a run's own deaths and person-months, by age and sex.

:class:`LifeRecord` counts, per calendar year, the deaths and the months lived by
single year of age (0..109) and sex; :func:`period_life_expectancy` turns a year's counts
into a period life table and its expectation of life at a given age. Together they read
back, from simulated events only, the life expectancy the model's mortality produces —
which the calibration compares with the input path, rather than computing it from the
parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

TOP = 110  # single years 0..109; everyone dies by 110


def period_life_expectancy(
    deaths: np.ndarray, exposure_months: np.ndarray, at_age: int = 0
) -> float:
    """Expectation of life at ``at_age`` from deaths and person-months by single year of age.

    Age-specific death rates m_x = deaths / person-years become probabilities of dying within
    the year q_x = 1 − exp(−m_x) (constant hazard within each year of age); those alive at x
    live q_x / m_x of it; the last age is open (its survivors live 1 / m more years).
    Ages with no exposure take the rate of the nearest older
    age that has some (1 at the top), so sparse old ages do not end the table early.
    """
    deaths = np.asarray(deaths, dtype=float)
    years = np.asarray(exposure_months, dtype=float) / 12.0
    m = np.full(deaths.size, np.nan)
    np.divide(deaths, years, out=m, where=years > 0)
    # Fill gaps from above: the last age's rate is "everyone dies".
    m[-1] = m[-1] if np.isfinite(m[-1]) and m[-1] > 0 else np.inf
    for x in range(m.size - 2, -1, -1):
        if not np.isfinite(m[x]):
            m[x] = m[x + 1]
    q = -np.expm1(-m)
    q[-1] = 1.0
    survivors = np.concatenate([[1.0], np.cumprod(1.0 - q)])[: m.size]
    # Person-years lived in each year of age: exact under a constant hazard.
    with np.errstate(divide="ignore", invalid="ignore"):
        lived = np.where(m > 0, q / m, 1.0)
    lived = np.where(np.isfinite(m), lived, 0.5)
    person_years = survivors * lived
    return float(person_years[at_age:].sum() / survivors[at_age])


def _counts(sex: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Residents per (sex, year of age) cell, flattened as ``sex * TOP + age``."""
    cell = sex.astype(np.int64) * TOP + np.minimum(years, TOP - 1)
    return np.bincount(cell, minlength=2 * TOP)[: 2 * TOP]


@dataclass
class LifeRecord:
    """Deaths and person-months by calendar year, sex and single year of age."""

    deaths: dict[int, np.ndarray] = field(default_factory=dict)
    exposure: dict[int, np.ndarray] = field(default_factory=dict)

    def _table(self, store: dict[int, np.ndarray], year: int) -> np.ndarray:
        table = store.get(year)
        if table is None:
            table = store[year] = np.zeros((2, TOP))
        return table

    def expose(self, year: int, sex: np.ndarray, years: np.ndarray) -> None:
        """One month lived by residents of sexes ``sex`` and completed ages ``years``."""
        self._table(self.exposure, year).ravel()[:] += _counts(sex, years)

    def died(self, year: int, sex: np.ndarray, years: np.ndarray) -> None:
        """Deaths of residents of sexes ``sex`` and completed ages ``years``."""
        self._table(self.deaths, year).ravel()[:] += _counts(sex, years)

    def years(self) -> list[int]:
        """Calendar years with recorded exposure."""
        return sorted(self.exposure)

    def life_expectancy(self, sex: int, years: list[int] | None = None, at_age: int = 0) -> float:
        """Period life expectancy of ``sex`` from the pooled counts of calendar ``years``."""
        chosen = self.years() if years is None else years
        deaths = sum((self.deaths.get(y, np.zeros((2, TOP)))[sex] for y in chosen), np.zeros(TOP))
        exposure = sum((self.exposure[y][sex] for y in chosen if y in self.exposure), np.zeros(TOP))
        return period_life_expectancy(deaths, exposure, at_age)
