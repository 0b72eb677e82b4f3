"""Births' sweeps give the same women, partners and chances on both paths."""

from __future__ import annotations

import numpy as np
import pytest

from model import demography_kernels, kernels
from model.births import ASFR_WIDTH, FERTILE_BELOW, FERTILE_FROM, N_ASFR
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


@pytest.mark.parametrize(("n", "partnered_share", "ratio"), [
    (80_000, 0.6, 0.023), (0, 0.5, 0.023), (1, 1.0, 0.023), (500, 0.0, 0.023),
    (5_000, 1.0, 0.0), (5_000, 0.5, 1.0),
])  # fmt: skip
def test_birth_chances_are_the_same_on_both_paths(monkeypatch, n, partnered_share, ratio):
    """Whole bands of partnered women only, of unpartnered only, and mixed ones."""
    gen = np.random.default_rng(n + 11)
    age_m = gen.integers(0, MAX_AGE_M + 1, 3 * n + 1).astype(np.int16)
    fertile = np.flatnonzero((age_m // 12 >= FERTILE_FROM) & (age_m // 12 < FERTILE_BELOW))
    women = np.sort(gen.choice(fertile, size=min(n, fertile.size), replace=False))
    partnered = gen.random(women.size) < partnered_share
    asfr = gen.random(MAX_AGE_M // 12 + 1) * 0.02
    args = (women, partnered, age_m, asfr, ratio, FERTILE_FROM, ASFR_WIDTH, N_ASFR)
    runs = []
    for flag in (False, True):
        monkeypatch.setattr(kernels, "USE_NUMBA", flag)
        runs.append(demography_kernels.birth_chances(*args))
    (years_a, prob_a), (years_b, prob_b) = runs
    assert years_a.dtype == years_b.dtype == age_m.dtype
    assert prob_a.dtype == prob_b.dtype == np.float64
    assert years_a.tobytes() == years_b.tobytes()
    assert prob_a.tobytes() == prob_b.tobytes()
    if n >= 80_000:
        # Each band keeps its expected births: the rescaling only moves them between women.
        band = (years_a - FERTILE_FROM) // ASFR_WIDTH
        kept = np.bincount(band, weights=prob_a, minlength=N_ASFR)
        want = np.bincount(band, weights=asfr[years_a], minlength=N_ASFR)
        np.testing.assert_allclose(kept, want, rtol=1e-9)
        unpartnered = np.bincount(band, weights=prob_a * ~partnered, minlength=N_ASFR)
        np.testing.assert_allclose(unpartnered, ratio * want, rtol=1e-9)
