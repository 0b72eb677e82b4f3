"""The month's wait statistics from one sort equal NumPy's median, quantile and histogram.

:func:`model.reports.wait_summary` replaces ``np.median``, ``np.quantile`` (default
'linear') and ``np.histogram`` over ``WAIT_BINS`` on the month's whole-month waits. The
outputs must not move by a bit: every statistic is compared with NumPy's own with ``==``
on many drawn sets of waits (sizes 0 to 400, odd and even, ties, a long tail, waits
that sit exactly on the band edges).
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from model.reports import OPEN_EDGE, WAIT_QUANTILE, wait_summary
from model.support import WAIT_BINS

EDGES = (*WAIT_BINS, OPEN_EDGE)


def _numpy(waits: np.ndarray) -> tuple[float, float, float, list[int]]:
    """The statistics as the reporter computed them before (NumPy's functions)."""
    return (
        float(waits.mean()),
        float(np.median(waits)),
        float(np.quantile(waits, WAIT_QUANTILE)),
        np.histogram(waits, bins=EDGES)[0].tolist(),
    )


@settings(max_examples=400, deadline=None)
@given(st.lists(st.integers(0, 600), min_size=1, max_size=400))
def test_one_sort_gives_numpys_statistics_to_the_bit(values):
    waits = np.array(values, dtype=np.int64)
    assert wait_summary(waits) == _numpy(waits)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 600, allow_nan=False), min_size=1, max_size=200))
def test_fractional_waits_give_numpys_statistics_too(values):
    """Not a case of the model (its waits are whole months): the interpolation in floats."""
    waits = np.array(values, dtype=np.float64)
    assert wait_summary(waits) == _numpy(waits)


def test_waits_on_the_band_edges_and_a_long_tail_fall_where_numpy_puts_them():
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 9, 10, 11, 99, 100, 1001):
        edge_values = np.array((*WAIT_BINS, OPEN_EDGE - 1, OPEN_EDGE, OPEN_EDGE + 1))
        on_edges = rng.choice(edge_values, size=n)
        tail = np.floor(rng.exponential(8.0, size=n)).astype(np.int64)
        for waits in (on_edges, tail, np.zeros(n, np.int64)):
            assert wait_summary(waits) == _numpy(waits), n


def test_no_waits_give_nan_statistics_and_empty_bands():
    mean, median, upper, bands = wait_summary(np.empty(0, np.int64))
    assert math.isnan(mean)
    assert math.isnan(median)
    assert math.isnan(upper)
    assert bands == [0] * len(WAIT_BINS)
