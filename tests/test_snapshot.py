"""The month's snapshot computes each fact when it is first read, not before."""

from __future__ import annotations

import numpy as np
import pytest

from model import kernels
from model.snapshot import Snapshot


@pytest.mark.parametrize("compiled", [False, True])
def test_a_fact_read_later_sees_the_deaths_in_between(tiny, monkeypatch, compiled):
    """``home`` read in the needs phase leaves ``sizes`` and ``alone`` to their first reader.

    Crisis deaths fall between the needs phase (which reads ``home``) and the volunteers
    (who read ``alone``): a partner who dies in a crisis leaves the other living alone for
    the rest of the month. Outputs depend on this order, so a change of speed must keep it.
    """
    if compiled and not kernels.HAVE_NUMBA:
        pytest.skip("Numba is not installed")
    monkeypatch.setattr(kernels, "USE_NUMBA", compiled)
    model = tiny(seed=3)
    r = model.residents
    snap = Snapshot(model)
    home = snap.home.copy()
    sizes_now = np.bincount(r.hh[r.alive], minlength=model.households.n)
    # Households of two at home: one member dies after ``home`` was read.
    pairs = np.flatnonzero(home & (sizes_now[r.hh] == 2))
    first_of_pair = pairs[np.unique(r.hh[pairs], return_index=True)[1]][:20]
    assert first_of_pair.size == 20
    r.alive[first_of_pair] = False
    partners = np.flatnonzero(home & np.isin(r.hh, r.hh[first_of_pair]) & r.alive)
    assert partners.size == first_of_pair.size
    assert (snap.sizes[r.hh[partners]] == 1).all()
    assert snap.alone[partners].all()
    assert snap.home[first_of_pair].all()  # ``home`` itself was fixed when first read
    np.testing.assert_array_equal(snap.alone, snap.home & (snap.sizes[r.hh] == 1))


@pytest.mark.parametrize(("n", "n_hh"), [(0, 0), (1, 1), (50_000, 20_000)])
def test_one_pass_facts_are_the_same_on_both_paths(n, n_hh):
    """Ages in years, the sex-age index, who is at home and who lives alone: both paths."""
    if not kernels.HAVE_NUMBA:
        pytest.skip("Numba is not installed")
    from model import snapshot as sn
    from model.population import AGE_YEARS, MAX_AGE

    gen = np.random.default_rng(n)
    age_m = gen.integers(0, 12 * (MAX_AGE + 5), n).astype(np.int16)  # some past the cap
    sex = gen.integers(0, 2, n).astype(np.int8)
    alive = gen.random(n) < 0.9
    hh = gen.integers(0, max(n_hh, 1), n).astype(np.int32)
    institution = gen.random(max(n_hh, 1)) < 0.05
    sizes = np.bincount(hh[alive], minlength=max(n_hh, 1))
    years_a = sn.years_numpy(age_m)
    home_a = sn.home_numpy(alive, institution, hh)
    twins = (years_a, sn.sex_age_numpy(sex, years_a), home_a, sn.alone_numpy(home_a, sizes, hh))
    years_b = sn._years(age_m)
    home_b = sn._home(alive, institution, hh)
    compiled = (years_b, sn._sex_age(sex, years_b), home_b, sn._alone(home_b, sizes, hh))
    out = (twins, compiled)
    for a, b in zip(*out, strict=True):
        assert a.dtype == b.dtype
        assert a.tobytes() == b.tobytes()
    years, sex_age, home, alone = out[1]
    assert years.dtype == np.int16
    assert (years <= MAX_AGE).all()
    np.testing.assert_array_equal(years, np.minimum(age_m.astype(np.int64) // 12, MAX_AGE))
    np.testing.assert_array_equal(sex_age, sex.astype(np.int64) * AGE_YEARS + years)
    np.testing.assert_array_equal(home, alive & ~institution[hh])
    np.testing.assert_array_equal(alone, home & (sizes[hh] == 1))
    if n >= 50_000:
        assert (age_m // 12 > MAX_AGE).any()  # the cap is exercised
        assert 0 < alone.sum() < home.sum() < alive.sum()


def test_one_pass_facts_in_a_small_world():
    """Three households worked by hand: a facility, a couple, one person alone."""
    if not kernels.HAVE_NUMBA:
        pytest.skip("Numba is not installed")
    from model import snapshot as sn

    alive = np.array([True, True, True, False, True])
    hh = np.array([0, 1, 1, 2, 2], np.int32)  # 0 a facility; 2's first member has died
    institution = np.array([True, False, False])
    sizes = np.bincount(hh[alive], minlength=3)
    home = sn._home(alive, institution, hh)
    assert home.tolist() == [False, True, True, False, True]
    assert sn._alone(home, sizes, hh).tolist() == [False, False, False, False, True]
    assert sn._years(np.array([0, 11, 12, 1500], np.int16)).tolist() == [0, 0, 1, 120]
    years = np.array([3, 120], np.int16)
    assert sn._sex_age(np.array([0, 1], np.int8), years).tolist() == [3, 241]
