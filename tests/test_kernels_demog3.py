"""The fertile-women sweep of births gives the same women and partners on both paths."""

from __future__ import annotations

import numpy as np
import pytest

from model import demography_kernels, kernels
from model.births import FERTILE_BELOW, FERTILE_FROM
from model.demography import MAX_AGE_M

pytestmark = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="Numba is not installed")


@pytest.mark.parametrize(("n", "n_hh", "alive_share"), [
    (50_000, 20_000, 0.95), (0, 0, 1.0), (2_000, 700, 0.0), (3_000, 1, 1.0),
])  # fmt: skip
def test_fertile_women_is_the_same_on_both_paths(monkeypatch, n, n_hh, alive_share):
    gen = np.random.default_rng(n + 3)
    cols = (
        gen.integers(0, MAX_AGE_M + 1, n).astype(np.int16),
        gen.integers(0, 2, n).astype(np.int8),
        gen.integers(0, 3, n).astype(np.int8),
        gen.random(n) < alive_share,
        gen.integers(0, max(n_hh, 1), n).astype(np.int32),
    )
    runs = []
    for flag in (False, True):
        monkeypatch.setattr(kernels, "USE_NUMBA", flag)
        runs.append(demography_kernels.fertile_women(*cols, n_hh, FERTILE_FROM, FERTILE_BELOW))
    (women_a, partnered_a), (women_b, partnered_b) = runs
    assert women_a.tobytes() == women_b.tobytes()
    assert partnered_a.tobytes() == partnered_b.tobytes()
    assert women_a.dtype == women_b.dtype
    assert partnered_a.dtype == partnered_b.dtype
    if n >= 50_000:
        assert partnered_a.any()
        assert not partnered_a.all()
