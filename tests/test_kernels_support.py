"""The support phases' kernels and their NumPy twins give bit-identical results.

Outreach's contact weights, help-seeking chances and the counters' caseloads are each
run both ways on the same (randomised) town, with empty and extreme inputs, and a short
run with every component on narrowed eligibility and both shocks is made both ways and
compared output by output. Also: the levers of a neutral month are shared and read-only,
and the districts a rule reaches are those a full count finds.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import CommunityModel, kernels, support
from model.interventions import outreach
from model.interventions.base import districts_reached
from model.levers import Levers
from model.population import CASE_NONE, hidden_needs
from scenarios import load_scenario

pytestmark = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="Numba is not installed")


@pytest.fixture
def numpy_path(monkeypatch):
    """A switch between the two paths for one test."""

    def use(flag: bool) -> None:
        monkeypatch.setattr(kernels, "USE_NUMBA", flag)

    return use


@pytest.fixture(scope="module")
def town() -> CommunityModel:
    """A small town a few months into ``jusou_full``, its needs and ties randomised."""
    scenario = load_scenario(
        "small_town", "jusou_full", scale=10.0, overrides={"switches.warmup_months": 3}
    )
    model = CommunityModel(scenario, seed=7).run(2)
    r = model.residents
    gen = np.random.default_rng(11)
    n = r.n
    r.sev[:] = gen.integers(0, 4, size=(5, n)) * (gen.random((5, n)) < 0.3)
    r.supported[:] = gen.random((5, n)) < 0.3
    r.known[:] = gen.random((5, n)) < 0.3
    r.ties[:] = gen.integers(0, 3, size=(5, n)) * (gen.random((5, n)) < 0.5)
    r.dropouts[:] = gen.integers(0, 5, size=n)
    r.assistance[:] = gen.random(n) < 0.1
    r.last_part_m[:] = gen.integers(-20, 3, size=n)
    r.venue[:] = np.where(gen.random(n) < 0.5, -1, 0)
    r.alive[:] = gen.random(n) < 0.95
    model.snap = type(model.snap)(model)  # a fresh view of the changed town
    return model


def _both(numpy_path, fn):
    out = []
    for flag in (False, True):
        numpy_path(flag)
        out.append(fn())
    return out


def _same(a, b) -> bool:
    return all(
        np.asarray(x).tobytes() == np.asarray(y).tobytes() for x, y in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("share", [0.0, 0.4, 1.0])
def test_contact_weights_are_the_same_on_both_paths(numpy_path, town, share):
    r = town.residents
    gen = np.random.default_rng(3)
    eligible = (gen.random(r.n) < share) & town.snap.home
    fill = gen.random(town.n_districts)
    priority = (4.0, 2.0, 4.0, 0.3)
    a, b = _both(numpy_path, lambda: outreach.contact_weights(town, eligible, fill, priority))
    assert _same(a, b)
    w_eligible, idx, weight = a
    assert w_eligible.size == np.count_nonzero(eligible)
    assert np.all(eligible[idx])
    worth = eligible & (town.snap.isolated | hidden_needs(r).any(axis=0))
    assert b[1].tolist() == np.flatnonzero(worth).tolist()  # the compiled path's own list
    if share:
        assert idx.size > 0
        assert np.all(weight >= 1.0)
        assert np.unique(w_eligible).size > 3  # the priorities really vary


def test_caseloads_are_the_same_on_both_paths(numpy_path, town):
    a, b = _both(numpy_path, lambda: support.caseloads(town))
    assert a.tobytes() == b.tobytes()
    r = town.residents
    hardship = r.alive & r.supported[3] & ~r.assistance
    assert a[:, 3].sum() == np.count_nonzero(hardship)
    assert a[:, 0].sum() == np.count_nonzero(r.alive & r.supported[0])
    alive = r.alive.copy()
    r.alive[:] = False
    try:
        dead = _both(numpy_path, lambda: support.caseloads(town))
    finally:
        r.alive[:] = alive
    assert dead[0].tobytes() == dead[1].tobytes()
    assert dead[0].sum() == 0


def test_help_seeking_chances_are_the_same_on_both_paths(numpy_path, town):
    """The compiled chances equal the NumPy formula of ``seek_help``, resident by resident."""
    r, p = town.residents, town.params.support
    idx = np.flatnonzero(r.alive & (r.case_state == CASE_NONE) & hidden_needs(r).any(axis=0))
    assert idx.size > 50
    need, prob = support._seek_chances(town, idx)
    has_ties = r.ties[:, idx].sum(axis=0, dtype=np.int16) > 0
    want_need = town.support.salient_unmet(idx)
    sev = np.clip(r.sev[want_need, idx], 1, 3)
    want = np.asarray(p.seek_base)[want_need] * support.help_seeking_capacity(town, idx, has_ties)
    want *= np.asarray(p.seek_severity)[sev - 1]
    want *= 1.0 + p.nudge * has_ties
    assert need.tobytes() == want_need.tobytes()
    assert prob.tobytes() == want.tobytes()
    empty = support._seek_chances(town, idx[:0])
    assert empty[0].size == 0
    assert empty[1].size == 0


def test_districts_reached_are_those_a_full_count_finds():
    gen = np.random.default_rng(5)

    class Town:
        n_districts = 7

    for n, share in ((0, 0.5), (10, 0.5), (50_000, 0.0), (50_000, 1e-4), (50_000, 0.9)):
        district = gen.integers(0, 6, size=n).astype(np.int16)  # district 6 is empty
        mask = gen.random(n) < share
        counts = np.bincount(district[mask], minlength=7)
        got = districts_reached(mask, district, Town())  # type: ignore[arg-type]
        assert got.tolist() == np.flatnonzero(counts).tolist()


def test_a_neutral_month_shares_read_only_ones_and_a_boost_gets_its_own():
    a, b = Levers.neutral(10, 4), Levers.neutral(6, 4)
    assert np.all(a.join_boost == 1.0)
    assert a.join_boost.size == 10
    assert b.join_boost.size == 6
    with pytest.raises(ValueError, match="read-only"):
        a.join_boost[0] = 2.0  # nobody can change every later month's levers by accident
    who = np.zeros(10, dtype=bool)
    who[[1, 3]] = True
    a.boost_joining(who, 2.0)
    a.boost_joining(who[::-1].copy(), 3.0)
    assert a.join_boost.tolist() == [1.0, 2.0, 1.0, 2.0, 1.0, 1.0, 3.0, 1.0, 3.0, 1.0]
    assert np.all(Levers.neutral(10, 4).join_boost == 1.0)


def test_a_run_with_narrow_eligibility_and_shocks_is_the_same_on_both_paths(numpy_path):
    overrides = {
        "switches.warmup_months": 4,
        "policy.one_stop.eligibility": "elderly",
        "policy.multi_agency.eligibility": "isolated",
        "policy.outreach.eligibility": "single_elderly",
        "policy.participation.eligibility": "families_with_children",
        "policy.community_building.eligibility": "elderly",
        "policy.platform.intensity": 40.0,
        "shocks.pandemic_start": 16,
        "shocks.transport_cut_start": 18,
    }
    scenario = load_scenario("small_town", "jusou_full", scale=10.0, overrides=overrides)
    frames = []
    for flag in (False, True):
        numpy_path(flag)
        model = CommunityModel(scenario, seed=9).run(20)
        frames.append((model.recorder.timeseries(), model.recorder.districts()))
    (town_a, district_a), (town_b, district_b) = frames
    assert town_a.equals(town_b)
    assert district_a.equals(district_b)
    assert town_a["outreach_referrals"].sum() > 0


@pytest.mark.parametrize("marked_share", [0.0, 0.01, 1.0])
def test_household_members_are_the_same_on_both_paths(numpy_path, town, marked_share):
    r = town.residents
    gen = np.random.default_rng(5)
    marked = gen.random(town.households.n) < marked_share
    state = gen.integers(0, 3, r.n).astype(r.case_state.dtype)
    a, b = _both(
        numpy_path, lambda: support.household_members(r.hh, marked, r.alive, state, CASE_NONE)
    )
    assert a.dtype == b.dtype
    assert a.tobytes() == b.tobytes()
    want = np.flatnonzero(marked[r.hh] & r.alive & (state == CASE_NONE))
    assert np.array_equal(b, want)
    if marked_share == 0.01:
        assert 0 < b.size < r.n
        assert marked[r.hh[b]].all()
        assert (state[b] == CASE_NONE).all()


def test_household_members_in_a_small_world(numpy_path):
    """Four people in three households, worked by hand: only the marked, living, caseless.

    Household 1 is not marked (and its member has died); person 0 has a case at first.
    """
    hh = np.array([0, 0, 1, 2], np.int32)
    marked = np.array([True, False, True])
    alive = np.array([True, True, False, True])
    state = np.array([CASE_NONE, CASE_NONE, CASE_NONE, CASE_NONE], np.int8)
    state[0] = CASE_NONE + 1
    for flag in (False, True):
        numpy_path(flag)
        assert support.household_members(hh, marked, alive, state, CASE_NONE).tolist() == [1, 3]
        state[0] = CASE_NONE
        found = support.household_members(hh, marked, alive, state, CASE_NONE)
        assert found.tolist() == [0, 1, 3]
        state[0] = CASE_NONE + 1


def test_supports_given_are_the_same_on_both_paths(numpy_path, town):
    from model.needs import N_FIELDS

    r = town.residents
    a, b = _both(numpy_path, lambda: support.supports_given(r.alive, r.supported))
    assert a == b == int(sum(np.count_nonzero(r.alive & r.supported[f]) for f in range(N_FIELDS)))
    assert 0 < a < np.count_nonzero(r.supported)  # the dead and withdrawal are not counted
