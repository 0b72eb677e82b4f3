"""Household change's picks (partnering singles, elders alone) are the same on both paths."""

from __future__ import annotations

import numpy as np
import pytest

from model import households_kernels, kernels
from model.population import MAX_AGE, OLD_AGE, ROLE_CHILD, ROLE_HEAD, ROLE_PARENT

pytestmark = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="Numba is not installed")

PARTNER_FROM, PARTNER_BELOW = 22, 45  # any band works; these are the model's defaults


def _world(n: int, n_hh: int, alive_share: float, linked_share: float):
    """Residents' columns in the model's dtypes, and household sizes counted from them."""
    gen = np.random.default_rng(n + n_hh)
    alive = gen.random(n) < alive_share
    years = gen.integers(0, MAX_AGE + 1, n).astype(np.int16)
    role = gen.integers(0, 3, n).astype(np.int8)
    hh = gen.integers(0, max(n_hh, 1), n).astype(np.int32)
    origin = gen.integers(0, max(n_hh, 1), n).astype(np.int32)
    origin_hh = np.where(gen.random(n) < linked_share, origin, -1).astype(np.int32)
    never_married = gen.random(n) < 0.5
    sizes = np.bincount(hh[alive], minlength=n_hh).astype(np.int64)
    return alive, never_married, years, role, hh, origin_hh, sizes


def _both(monkeypatch, fn, *args):
    runs = []
    for flag in (False, True):
        monkeypatch.setattr(kernels, "USE_NUMBA", flag)
        runs.append(fn(*args))
    return runs


@pytest.mark.parametrize(("n", "n_hh", "alive_share", "linked_share"), [
    (60_000, 40_000, 0.95, 0.3), (0, 0, 1.0, 0.0), (2_000, 700, 0.0, 0.5),
    (3_000, 1, 1.0, 1.0), (5_000, 4_000, 1.0, 1.0),
])  # fmt: skip
def test_household_picks_are_the_same_on_both_paths(
    monkeypatch, n, n_hh, alive_share, linked_share
):
    alive, never_married, years, role, hh, origin_hh, sizes = _world(
        n, n_hh, alive_share, linked_share
    )
    numpy_idx, compiled_idx = _both(
        monkeypatch, households_kernels.partner_candidates,
        alive, never_married, years, role, hh, sizes, PARTNER_FROM, PARTNER_BELOW,
    )  # fmt: skip
    assert numpy_idx.dtype == compiled_idx.dtype
    assert numpy_idx.tobytes() == compiled_idx.tobytes()
    (alone_a, child_a), (alone_b, child_b) = _both(
        monkeypatch, households_kernels.elders_alone, alive, years, hh, origin_hh, sizes, n_hh
    )
    assert alone_a.dtype == alone_b.dtype
    assert child_a.dtype == child_b.dtype
    assert alone_a.tobytes() == alone_b.tobytes()
    assert child_a.tobytes() == child_b.tobytes()
    if n >= 50_000:
        # A world where every rule is exercised: picks, and homes children grew up in
        # with more than one of them (the last one by index is kept).
        assert 0 < numpy_idx.size < n
        assert 0 < alone_a.size < n
        linked = alive & (origin_hh >= 0)
        assert np.bincount(origin_hh[linked], minlength=n_hh).max() > 1


def test_household_picks_in_a_small_world(monkeypatch):
    """Six residents, worked by hand: who may partner, who lives alone, children's homes."""
    alive = np.array([1, 1, 1, 1, 0, 1], bool)
    never_married = np.array([1, 1, 1, 0, 1, 1], bool)
    years = np.array([30, 30, 30, 30, 30, OLD_AGE], np.int16)
    role = np.array([ROLE_HEAD, ROLE_HEAD, ROLE_CHILD, ROLE_CHILD, ROLE_CHILD, ROLE_PARENT])
    role = role.astype(np.int8)
    hh = np.array([0, 1, 1, 2, 2, 3], np.int32)
    origin_hh = np.array([3, -1, 3, 0, 1, -1], np.int32)
    sizes = np.bincount(hh[alive], minlength=4)
    for compiled in (False, True):
        monkeypatch.setattr(kernels, "USE_NUMBA", compiled)
        # 0 heads a one-person home; 1 heads a home of two; 2 is a child at home; 3 has
        # married; 4 has died.
        idx = households_kernels.partner_candidates(
            alive, never_married, years, role, hh, sizes, PARTNER_FROM, PARTNER_BELOW
        )
        alone, child_hh = households_kernels.elders_alone(alive, years, hh, origin_hh, sizes, 4)
        assert idx.tolist() == [0, 2]
        assert alone.tolist() == [5]  # 65 and alone in household 3; 0 is alone but 30
        # Household 3's children live in households 0 and 1: the later one (resident 2)
        # is kept; household 0's child lives in 2; household 1's only child has died.
        assert child_hh.tolist() == [2, -1, -1, 1]
