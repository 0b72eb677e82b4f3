"""The record phase's tabulation gives the same counts on its compiled and NumPy paths.

:func:`model.tabulation.tabulate` counts the month's residents for every reporter in one
pass (compiled) or in masks and ``bincount`` (NumPy). Both are run on the same towns —
as the model leaves them, with their columns scrambled, with everyone dead, and with
nobody in the arrays — and a short run is made both ways and compared output by output.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from model import CommunityModel, kernels, tabulation, volunteers
from model.reports import counts
from scenarios import load_scenario

pytestmark = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="Numba is not installed")


@pytest.fixture
def numpy_path(monkeypatch):
    """A context switch between the two paths for one test."""

    def use(flag: bool) -> None:
        monkeypatch.setattr(kernels, "USE_NUMBA", flag)

    return use


def _town(months: int = 6) -> CommunityModel:
    scenario = load_scenario(
        "small_town", "jusou_full", scale=20.0, overrides={"switches.warmup_months": 6}
    )
    return CommunityModel(scenario, seed=7).run(months)


def _both(model: CommunityModel, use) -> tuple[tabulation.Counts, tabulation.Counts]:
    use(False)
    plain = tabulation.tabulate(model)
    use(True)
    return plain, tabulation.tabulate(model)


def test_counts_of_a_town_are_the_same_on_both_paths(numpy_path):
    model = _town()
    plain, compiled = _both(model, numpy_path)
    assert plain.same(compiled)
    alive = int(model.residents.alive.sum())
    assert int(compiled.district[tabulation.D_POP].sum()) == alive
    assert int(compiled.by_sex_year.sum()) == alive
    assert compiled.town[tabulation.T_KAYOI] > 0  # the venue branch was exercised


def test_scrambled_columns_give_the_same_counts_on_both_paths(numpy_path):
    """Random needs, support, ties, venues, ages and deaths: every branch of the loop."""
    model = _town(2)
    r, gen = model.residents, np.random.default_rng(11)
    n = r.n
    alone_at_snapshot = model.snap.alone.copy()
    r.sev[:] = gen.choice(4, size=(r.sev.shape[0], n), p=[0.6, 0.2, 0.15, 0.05])
    r.supported[:] = gen.random(r.supported.shape) < 0.4
    r.known[:] = gen.random(r.known.shape) < 0.5
    r.ties[:] = gen.choice(3, size=r.ties.shape, p=[0.5, 0.3, 0.2])
    r.case_state[:] = gen.choice(3, size=n, p=[0.8, 0.1, 0.1])
    r.alive[:] = gen.random(n) < 0.9  # some dead after the snapshot: home but not alive
    r.never_married[:] = gen.random(n) < 0.5
    r.lonely[:] = gen.random(n) < 0.2
    r.minsei[:] = gen.random(n) < 0.05
    r.volunteer[:] = gen.random(n) < 0.1
    r.last_part_m[:] = model.month - gen.integers(0, 24, n)
    r.last_vol_m[:] = model.month - gen.integers(0, 24, n)
    n_venues = len(model.venues.venues)
    r.venue[:] = np.where(gen.random(n) < 0.3, gen.integers(0, n_venues, n), -1)
    r.org[:] = np.where(gen.random(n) < 0.2, 0, -1)
    plain, compiled = _both(model, numpy_path)
    assert plain.same(compiled)
    # Volunteers' demand read from the tabulation equals its own pass over the town.
    for flag in (False, True):
        numpy_path(flag)
        own = volunteers.demand_supply(model)
        read = volunteers.demand_supply(model, compiled)
        assert all(np.array_equal(a, b) for a, b in zip(own, read, strict=True))
    assert compiled.district[tabulation.D_ALONE_OLD_CARE].sum() > 0
    assert (alone_at_snapshot & ~r.alive).any()  # alone by the snapshot, dead since
    t = compiled.town
    for name in ("T_8050", "T_DOUBLE_CARE", "T_ISOLATED_IN_NEED", "T_KAYOI_WOMEN"):
        assert t[getattr(tabulation, name)] > 0, name
    # With the community mechanisms switched off nobody counts as isolated, on both paths.
    switches = replace(model.params.switches, community=False)
    model.params = replace(model.params, switches=switches)
    plain, compiled = _both(model, numpy_path)
    assert plain.same(compiled)
    assert compiled.town[tabulation.T_ISOLATED_IN_NEED] == 0
    assert compiled.district[tabulation.D_ISO_ADULT].sum() == 0


def test_all_dead_and_empty_give_the_same_counts_on_both_paths(numpy_path):
    model = _town(1)
    model.residents.alive[:] = False
    plain, compiled = _both(model, numpy_path)
    assert plain.same(compiled)
    assert compiled.district[tabulation.D_POP].sum() == 0
    model.residents.keep(np.zeros(model.residents.n, bool))  # nobody in the arrays
    model.households.keep(np.zeros(model.households.n, bool))
    model.snap = type(model.snap)(model)
    plain, compiled = _both(model, numpy_path)
    assert plain.same(compiled)
    assert not compiled.district.any()
    assert not compiled.town.any()


def test_the_reporters_share_one_tabulation_a_month_and_stay_pure():
    """Within one record() the counts are computed once; outside it, afresh each call."""
    model = _town(1)
    recorder = model.recorder
    seen = []
    recorder.reporters.insert(0, lambda m: (seen.append(counts(m)), ({}, {}))[1])
    recorder.reporters.append(lambda m: (seen.append(counts(m)), ({}, {}))[1])
    recorder.record(model)
    assert seen[0] is seen[1]
    assert counts(model) is not counts(model)
    assert counts(model).same(seen[0])


def test_a_short_run_gives_the_same_outputs_on_both_paths(numpy_path):
    frames = []
    for flag in (False, True):
        numpy_path(flag)
        model = _town(8)
        frames.append((model.recorder.timeseries(), model.recorder.districts()))
    (town_a, district_a), (town_b, district_b) = frames
    assert town_a.equals(town_b)
    assert district_a.equals(district_b)
