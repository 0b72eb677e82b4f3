"""The organisations', volunteers' and 民生委員's kernels and their NumPy twins agree exactly.

Each kernel is run both ways on the same random columns (and on empty, all-dead and
edge cases), and a short run of the small town is made both ways and compared output
by output.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import CommunityModel, kernels, volunteers
from model import organisations_kernels as ok
from model import volunteers_kernels as vk
from model.population import AGE_YEARS, EPS
from scenarios import load_scenario

pytestmark = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="Numba is not installed")

SIZES = (0, 1, 7, 5_000)


def _town(n: int, seed: int, *, all_dead: bool = False) -> dict[str, np.ndarray]:
    """Random resident columns of the dtypes the model uses."""
    rng = np.random.default_rng(seed)
    alive = np.zeros(n, bool) if all_dead else rng.random(n) < 0.9
    return {
        "draw": rng.random(n),
        "age_m": rng.integers(0, 1200, n).astype(np.int16),
        "sex": rng.integers(0, 2, n).astype(np.int8),
        "alive": alive,
        "home": alive & (rng.random(n) < 0.95),
        "org": np.where(rng.random(n) < 0.5, rng.integers(0, 30, n), -1).astype(np.int32),
        "district": rng.integers(0, 4, n).astype(np.int16),
        "hh": rng.integers(0, max(1, n // 2), n).astype(np.int32),
        "motivation": rng.random(n).astype(np.float32),
        "volunteer": rng.random(n) < 0.3,
        "minsei": rng.random(n) < 0.05,
        "working": rng.random(n) < 0.4,
        "vol_venue": np.where(rng.random(n) < 0.3, rng.integers(0, 9, n), -1).astype(np.int32),
        # Needs × residents are views of wider storage in the model (not contiguous).
        "sev": (rng.integers(0, 4, (5, n + 3)) * (rng.random((5, n + 3)) < 0.2)).astype(np.int8)[
            :, :n
        ],
        "supported": (rng.random((5, n + 3)) < 0.5)[:, :n],
        "known": (rng.random((5, n + 3)) < 0.5)[:, :n],
    }


def _same(a, b) -> None:
    a = a if isinstance(a, tuple) else (a,)
    b = b if isinstance(b, tuple) else (b,)
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        x, y = np.asarray(x), np.asarray(y)
        assert x.shape == y.shape
        assert x.tobytes() == y.tobytes()


def _both(compiled, twin, town: dict[str, np.ndarray], args) -> None:
    """Run both on copies of ``town`` (``args`` builds the arguments); outputs and columns agree."""
    a, b = {k: v.copy() for k, v in town.items()}, {k: v.copy() for k, v in town.items()}
    _same(compiled(*args(a)), twin(*args(b)))
    for name in town:
        assert a[name].tobytes() == b[name].tobytes(), name


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("all_dead", [False, True])
def test_membership_and_release_agree(n, all_dead):
    town = _town(n, n + 1, all_dead=all_dead)
    table = np.random.default_rng(2).random(AGE_YEARS) * 0.3
    boost = np.random.default_rng(3).random(n) * 2
    years = (town["age_m"] // 12).astype(np.int16)
    for leave, keen in ((0.0, 0.0), (0.01, 0.7), (0.25, 1.0), (0.01, float(np.float32(0.7)))):
        _both(
            ok._membership,
            ok._membership_numpy,
            town,
            lambda t, leave=leave, keen=keen: (
                t["draw"],
                table,
                years,
                boost,
                t["alive"],
                t["home"],
                t["org"],
                t["district"],
                t["motivation"],
                np.float32(keen),
                t["age_m"],
                300,
                leave,
                30,
                4,
            ),
        )
    dissolving = np.random.default_rng(4).random(30) < 0.3
    _both(ok._release, ok._release_numpy, town, lambda t: (t["org"], dissolving))


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("all_dead", [False, True])
def test_volunteer_kernels_agree(n, all_dead):
    town = _town(n, n + 7, all_dead=all_dead)
    town["vol_since"] = np.zeros(n, np.int16)
    town["welfare"] = np.zeros(n, bool)
    town["last_vol_m"] = np.full(n, -32768, np.int16)
    alone = town["home"] & (np.random.default_rng(5).random(n) < 0.3)
    years = (town["age_m"] // 12).astype(np.int16)
    sex_age = town["sex"].astype(np.intp) * AGE_YEARS + years
    table = np.random.default_rng(6).random(2 * AGE_YEARS) * 0.3
    _both(
        vk.district_counts,
        vk.district_counts_numpy,
        town,
        lambda t: (
            t["alive"],
            t["minsei"],
            t["volunteer"],
            alone,
            t["age_m"],
            t["sev"][0],
            t["district"],
            4,
        ),
    )
    quit_rates = np.array([0.03, 0.2, 0.0, 0.24])
    for n_venues in (0, 9):
        town["vol_venue"][town["vol_venue"] >= n_venues] = -1
        _both(
            vk.turnover,
            vk.turnover_numpy,
            town,
            lambda t, n_venues=n_venues: (
                t["draw"],
                table,
                sex_age,
                1.3,
                quit_rates,
                t["alive"],
                t["home"],
                t["minsei"],
                t["volunteer"],
                t["vol_venue"],
                t["vol_since"],
                t["welfare"],
                t["last_vol_m"],
                years,
                t["district"],
                80,
                3.0 * 1.7,
                1.0 * 1.7,
                5,
                n_venues,
            ),
        )


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("all_dead", [False, True])
def test_minsei_kernels_agree(n, all_dead):
    town = _town(n, n + 11, all_dead=all_dead)
    n_hh = max(1, n // 2)
    detect = np.array([0.5, 0.3, 0.3, 0.25, 0.1])
    out = []
    for compiled in (True, False):
        t = dict(town, minsei=town["minsei"].copy())  # the one column it changes
        fn = vk.minsei_pass if compiled else vk.minsei_pass_numpy
        result = fn(
            t["alive"],
            t["minsei"],
            t["volunteer"],
            t["working"],
            t["age_m"],
            t["district"],
            t["hh"],
            t["sev"],
            t["supported"],
            t["known"],
            detect,
            55,
            75,
            4,
            n_hh,
        )
        serving, pool, bounds, *rest = result
        by_d = [pool[bounds[d] : bounds[d + 1]].tolist() for d in range(4)]
        out.append((serving, *rest, t["minsei"], by_d))
    (*arrays_a, by_a), (*arrays_b, by_b) = out
    _same(tuple(arrays_a), tuple(arrays_b))
    assert by_a == by_b
    rng = np.random.default_rng(n)
    sizes = rng.integers(0, 4, n_hh)
    institution = rng.random(n_hh) < 0.05
    hh_district = rng.integers(0, 4, n_hh).astype(np.int16)
    has_old, has_young = rng.random(n_hh) < 0.4, rng.random(n_hh) < 0.2
    args = (has_old, has_young, sizes, institution, hh_district, 4.0, 2.0, 1.0, 0.3, 4)
    _same(vk.visit_weights(*args), vk.visit_weights_numpy(*args))


def test_a_short_run_gives_the_same_outputs_on_both_paths(monkeypatch):
    scenario = load_scenario(
        "small_town",
        "jusou_full",
        scale=10.0,
        overrides={"switches.warmup_months": 6, "organisations.closure": [0.3, 0.3]},
    )
    frames = []
    for flag in (False, True):
        monkeypatch.setattr(kernels, "USE_NUMBA", flag)
        model = CommunityModel(scenario, seed=6).run(12)
        frames.append((model.recorder.timeseries(), model.recorder.districts()))
    (town_a, district_a), (town_b, district_b) = frames
    assert town_a.equals(town_b)
    assert district_a.equals(district_b)
    assert town_a["organisations_dissolved"].sum() > 0
    assert town_a["minsei_referrals"].sum() > 0


def test_volunteers_are_matched_in_district_and_index_order():
    """The n-th ready volunteer of a district takes its n-th slot (venue order).

    The rule written out district by district (the form it had as a loop) against the
    model's ranked join, on a town where every venue is short of all its helpers.
    """
    scenario = load_scenario(
        "small_town", "jusou_full", scale=5.0, overrides={"switches.warmup_months": 3}
    )
    model = CommunityModel(scenario, seed=4).run(2)
    r, a = model.residents, model.venues.arrays()
    free = np.flatnonzero(r.alive & r.volunteer & ~r.minsei)
    staff = np.zeros(len(model.venues.venues))
    r.vol_venue[free] = -1
    before = r.vol_venue.copy()
    volunteers._match(model, staff, free)
    p = model.params.volunteers
    ready = free[
        model.streams["volunteer_match"].bernoulli(
            r.pid[free], p.match * model.levers.match_boost, model.month
        )
    ]
    short = np.where(a["open"], np.maximum(np.ceil(a["needed"] - EPS), 0), 0).astype(int)
    expected = before.copy()
    for d in np.unique(r.district[ready]):
        people = ready[r.district[ready] == d]
        here = np.flatnonzero((a["district"] == d) & (short > 0))
        slots = np.repeat(here, short[here])
        k = min(people.size, slots.size)
        expected[people[:k]] = slots[:k]
    assert np.array_equal(r.vol_venue, expected)
    assert (r.vol_venue[ready] >= 0).sum() > 0
    # Some districts have more ready volunteers than slots: the last ones stay free.
    assert (r.vol_venue[ready] < 0).any()
