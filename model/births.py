"""Births: women 15-49 give birth at rates that keep the calendar year's fertility.

:func:`births` is the month's second demographic phase (see :mod:`model.demography`):
age-specific rates scaled to the total fertility rate of the calendar year; partnered
women bear almost all children (non-marital births are about 2 % in Japan). The newborn
joins the mother's household. :class:`FertilityRecord` keeps births and women-months by
the mother's 5-year band, to read the realised TFR back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from . import demography_kernels
from .population import FEMALE, MALE, ROLE_CHILD

if TYPE_CHECKING:
    from .core import CommunityModel

ASFR_BANDS = (15, 20, 25, 30, 35, 40, 45, 50)
FERTILE_FROM, FERTILE_BELOW = ASFR_BANDS[0], ASFR_BANDS[-1]
ASFR_WIDTH = ASFR_BANDS[1] - ASFR_BANDS[0]  # years per fertility band
N_ASFR = len(ASFR_BANDS) - 1


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


def births(model: CommunityModel) -> None:
    """Women 15-49 give birth at rates that keep the TFR; newborns join their household."""
    r, p = model.residents, model.params.demography
    # The women 15-49 and which of them share a household with a partner (a head/partner
    # of the other sex), in one sweep over the columns.
    women, partnered = demography_kernels.fertile_women(
        r.age_m, r.sex, r.role, r.alive, r.hh, model.households.n, FERTILE_FROM, FERTILE_BELOW
    )
    if women.size == 0:
        return
    # Partnered women bear almost all children. Rates are rescaled within each 5-year
    # band so that every band keeps its age-specific rate, and so the TFR holds.
    women_years, prob = demography_kernels.birth_chances(
        women, partnered, r.age_m, model.demo_tables.asfr, p.nonmarital_birth_ratio,
        FERTILE_FROM, ASFR_WIDTH, N_ASFR,
    )  # fmt: skip
    stream = model.streams["births"]
    mothers = women[stream.bernoulli(r.pid[women], prob, model.month)]
    model.fertility_record.add(women_years, r.age_m[mothers] // 12)
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
