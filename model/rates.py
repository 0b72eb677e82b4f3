"""Yearly chances (as parameters are written) turned into the model's monthly ones."""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import special


def monthly_chance(annual: np.ndarray | float, cap: float = 0.999) -> np.ndarray:
    """The monthly chance that compounds to ``annual`` over twelve months.

    Yearly chances are capped just below 1 (``cap``) so a rate of 1 ("everyone within
    the year") stays a finite monthly hazard rather than an error.
    """
    return -np.expm1(np.log1p(-np.clip(annual, 0.0, cap)) / 12.0)


def band_values(
    edges: tuple[int, ...] | np.ndarray,
    values: tuple[float, ...],
    years: np.ndarray,
    *,
    zero_below: bool = True,
) -> np.ndarray:
    """The value of each age's band: ``values[i]`` for ``edges[i] <= years < edges[i + 1]``.

    Ages past the last edge take the last value; ages below the first edge take 0 (with
    ``zero_below``) or the first value. The one age-band lookup of the model.
    """
    idx = np.clip(np.searchsorted(edges, years, side="right") - 1, 0, len(values) - 1)
    banded = np.asarray(values)[idx]
    return np.where(years < edges[0], 0.0, banded) if zero_below else banded


def poisson_quantile(q: float, lam: float) -> int:
    """The smallest ``k`` with P(X <= k) >= ``q`` for X ~ Poisson(``lam``), ``lam`` > 0.

    The same integer as ``scipy.stats.poisson.ppf(q, lam)`` for 0 < q < 1 (its own two
    special functions, called directly: the distribution's generic wrapper costs about
    170 µs a call, this a few); ``q`` = 0 gives 0 rather than SciPy's -1.
    """
    if q <= 0.0:
        return 0
    k = math.ceil(special.pdtrik(q, lam))
    below = max(k - 1, 0)
    return below if special.pdtr(below, lam) >= q else k


def poisson_capped(u: np.ndarray, lam: float, cap: int) -> np.ndarray:
    """``min(X, cap)`` for X ~ Poisson(``lam``), one per uniform of ``u``, by inversion.

    X is the smallest ``k`` with ``u < P(X <= k)``, so ``min(X, cap)`` counts the ``k``
    below ``cap`` with ``P(X <= k) <= u``. Per-resident uniforms (:mod:`model.streams`)
    then give each resident their own count, whoever else arrives that month.
    """
    return np.searchsorted(_poisson_cdf(float(lam), int(cap)), u, side="right")


@functools.lru_cache(maxsize=64)
def _poisson_cdf(lam: float, cap: int) -> np.ndarray:
    """P(X <= k) for k = 0 .. cap - 1 (kept: the same few means every month)."""
    cdf = special.pdtr(np.arange(cap), lam)
    cdf.flags.writeable = False
    return cdf
