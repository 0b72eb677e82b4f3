"""The compiled month of ties and its NumPy twin give bit-identical results.

``ties.update`` (tie loss and formation, the kin recount, people reconnected,
loneliness) and ``ties.stamp_taking_part`` are run both ways on copies of the same
town — as built, with every tie count and need scrambled, with everyone departed —
and compared array by array; the scalar rate rule is checked against the column one,
and a short run of the small town is made both ways and compared output by output.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from model import CommunityModel, kernels, ties, ties_kernels
from model.population import AGE_YEARS, TIE_KINDS
from model.streams import Streams
from scenarios import load_scenario

pytestmark = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="Numba is not installed")


@pytest.fixture(scope="module")
def town() -> CommunityModel:
    """The small town after a short warm-up and three months."""
    scenario = load_scenario(
        "small_town", "jusou_full", scale=10.0, overrides={"switches.warmup_months": 3}
    )
    return CommunityModel(scenario, seed=11).run(3)


@pytest.fixture
def numpy_path(monkeypatch):
    """A switch between the two paths for one test."""

    def use(flag: bool) -> None:
        monkeypatch.setattr(kernels, "USE_NUMBA", flag)

    return use


def _both_ways(model: CommunityModel, numpy_path, step) -> list[CommunityModel]:
    done = []
    for flag in (False, True):
        numpy_path(flag)
        twin = copy.deepcopy(model)
        twin.snap = type(model.snap)(twin)
        step(twin)
        done.append(twin)
    return done


def _scrambled(model: CommunityModel, seed: int) -> CommunityModel:
    """``model`` with random tie counts (0..8), needs and participation."""
    m = copy.deepcopy(model)
    r, gen = m.residents, np.random.default_rng(seed)
    r.ties[:] = gen.integers(0, ties.MAX_TIES + 1, size=r.ties.shape)
    r.ties[:, gen.random(r.n) < 0.3] = 0  # many isolated, to be reconnected
    r.sev[:] = np.where(gen.random(r.sev.shape) < 0.1, gen.integers(1, 4, r.sev.shape), 0)
    r.volunteer[:] = gen.random(r.n) < 0.2
    r.working[:] = gen.random(r.n) < 0.5
    r.lonely[:] = gen.random(r.n) < 0.3
    r.arrival_m[:] = gen.integers(-60, m.month + 1, r.n)
    r.alive &= gen.random(r.n) < 0.95
    return m


def _same_state(a: CommunityModel, b: CommunityModel) -> None:
    ra, rb = a.residents, b.residents
    for name in ("ties", "lonely", "last_part_m"):
        assert getattr(ra, name).tobytes() == getattr(rb, name).tobytes(), name
    assert a.tally.reconnected == b.tally.reconnected


@pytest.mark.parametrize("case", ["as_built", "scrambled", "all_departed", "month_of_kin"])
def test_a_month_of_ties_is_the_same_on_both_paths(town, numpy_path, case):
    model = town
    if case == "scrambled":
        model = _scrambled(town, 1)
    elif case == "all_departed":
        model = copy.deepcopy(town)
        model.residents.alive[:] = False
    elif case == "month_of_kin":
        model = _scrambled(town, 2)
        model.month += 7  # another twelfth of the town is recounted, trends move on
    before = model.residents.ties.copy()
    a, b = _both_ways(model, numpy_path, ties.update)
    _same_state(a, b)
    reconnected = a.tally.reconnected - model.tally.reconnected
    changed = (a.residents.ties != before).any(axis=0)
    alive = model.residents.alive
    if case == "all_departed":
        assert reconnected == 0
        assert not (a.residents.ties[1:] != before[1:]).any()  # only kin are recounted
    else:
        assert changed[alive].sum() > 50
    if case == "scrambled":
        assert reconnected > 0
    assert a.residents.ties.min() >= 0
    assert a.residents.ties.max() <= ties.MAX_TIES


def test_taking_part_is_stamped_the_same_on_both_paths(town, numpy_path):
    model = _scrambled(town, 3)
    model.month += 1
    a, b = _both_ways(model, numpy_path, ties.stamp_taking_part)
    _same_state(a, b)
    stamped = a.residents.last_part_m == model.month
    assert stamped.any()
    assert np.array_equal(
        stamped, ties.taking_part(model) | (model.residents.last_part_m == model.month)
    )


def test_one_draw_is_the_streams_uniform(numpy_path):
    keys = Streams(3)["keys"].keys(np.arange(2_000, dtype=np.uint64), 0)
    for salt in (0, 1, 2**63 + 12345, 2**64 - 1):
        numpy_path(False)
        expected = kernels.uniform(keys, salt)
        one = np.array([ties_kernels._uniform_one(k, np.uint64(salt)) for k in keys])
        assert one.tobytes() == expected.tobytes()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_scalar_rate_rule_is_the_column_rule(town, dtype):
    model = _scrambled(town, 4)
    r = model.residents
    part = ties.taking_part(model)
    in_need = (r.sev > 0).any(axis=0)
    gain, loss = ties.rates(model, part, in_need, dtype)
    assert gain.dtype == loss.dtype == dtype
    neighbour, other = ties.rate_table(model.params.ties, model.month, dtype)
    assert neighbour.size == 2 * AGE_YEARS
    years = model.snap.years
    newcomer = (model.month - r.arrival_m) < model.params.ties.newcomer_months
    assert newcomer.any()
    assert not newcomer.all()
    g, h = np.zeros(len(TIE_KINDS), dtype), np.zeros(len(TIE_KINDS), dtype)
    for i in np.flatnonzero(r.alive)[::7]:
        ties.resident_rates(
            neighbour, other, int(years[i]), newcomer[i], r.working[i], part[i], in_need[i], g, h
        )
        assert g.tobytes() == gain[:, i].tobytes()
        assert h.tobytes() == loss[:, i].tobytes()
    assert gain[ties.KIN].max() == loss[ties.KIN].max() == 0.0
    assert (gain[ties.ISSUE] > 0).sum() < (gain[ties.INTEREST] > 0).sum()


def test_a_short_run_gives_the_same_ties_on_both_paths(numpy_path):
    scenario = load_scenario(
        "small_town", "jusou_full", scale=20.0, overrides={"switches.warmup_months": 4}
    )
    runs = []
    for flag in (False, True):
        numpy_path(flag)
        model = CommunityModel(scenario, seed=6).run(14)
        runs.append(model)
    a, b = runs
    assert a.recorder.timeseries().equals(b.recorder.timeseries())
    assert a.residents.ties.tobytes() == b.residents.ties.tobytes()
    assert a.residents.lonely.tobytes() == b.residents.lonely.tobytes()
    assert a.residents.last_part_m.tobytes() == b.residents.last_part_m.tobytes()
