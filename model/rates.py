"""Yearly chances (as parameters are written) turned into the model's monthly ones."""

from __future__ import annotations

import numpy as np


def monthly_chance(annual: np.ndarray | float, cap: float = 0.999) -> np.ndarray:
    """The monthly chance that compounds to ``annual`` over twelve months.

    Yearly chances are capped just below 1 (``cap``) so a rate of 1 ("everyone within
    the year") stays a finite monthly hazard rather than an error.
    """
    return -np.expm1(np.log1p(-np.clip(annual, 0.0, cap)) / 12.0)
