"""The model as a whole: determinism, common random numbers, compaction, inspection."""

import numpy as np
import pandas as pd
import pytest

from model import CommunityModel
from model.population import RESIDENT_COLUMNS, Residents

from .conftest import small_town


def _run(seed: int, months: int = 36, **params: object) -> CommunityModel:
    return CommunityModel(small_town(5000, **params), seed=seed).run(months)


def test_same_seed_gives_bit_identical_outputs():
    a, b = _run(11), _run(11)
    pd.testing.assert_frame_equal(
        a.recorder.timeseries(), b.recorder.timeseries(), check_exact=True
    )
    pd.testing.assert_frame_equal(a.recorder.districts(), b.recorder.districts(), check_exact=True)
    assert np.array_equal(a.residents.pid, b.residents.pid)


def test_different_seeds_give_different_towns():
    a, b = _run(1), _run(2)
    assert not a.recorder.timeseries().equals(b.recorder.timeseries())


def test_a_change_to_one_process_leaves_other_draws_alone():
    """Common random numbers: changing in-migration must not change who dies in month 1."""
    base = CommunityModel(small_town(8000), seed=5)
    varied = CommunityModel(small_town(8000, **{"demography.in_rate": 0.09}), seed=5)
    alive0 = base.residents.alive.copy()
    base.step()
    varied.step()
    n0 = alive0.size
    assert np.array_equal(base.residents.alive[:n0], varied.residents.alive[:n0])
    assert base.tally.deaths == varied.tally.deaths
    assert base.tally.in_migrants != varied.tally.in_migrants


def test_compaction_keeps_tables_consistent(tiny):
    model = tiny(seed=3, population=4000).run(24)
    r = model.residents
    assert r.alive.all()  # compacted at the end of every model year
    model.run(12)
    r = model.residents
    assert r.alive.all()
    assert np.unique(r.pid).size == r.n
    assert (r.hh >= 0).all()
    assert (r.hh < model.households.n).all()
    linked = r.origin_hh[r.origin_hh >= 0]
    assert (linked < model.households.n).all()
    sizes = model.household_sizes()
    assert ((sizes > 0) | model.households.institution).all()


def test_resident_view_reports_the_columns(tiny):
    model = tiny(seed=2)
    r = model.residents
    i = int(np.flatnonzero(r.age_m >= 70 * 12)[0])
    v = model.resident(int(r.pid[i]))
    assert v.pid == int(r.pid[i])
    assert v.age == pytest.approx(r.age_m[i] / 12, abs=0.01)
    assert v.district == r.district[i]
    assert v.household_size == int(((r.hh == r.hh[i]) & r.alive).sum())
    with pytest.raises(KeyError):
        model.resident(123)


def test_sample_of_residents_is_reproducible(tiny):
    a = [v.pid for v in tiny(seed=9).sample_residents(20)]
    b = [v.pid for v in tiny(seed=9).sample_residents(20)]
    assert a == b
    assert len(set(a)) == 20


def test_scale_reports_people_not_agents():
    full = CommunityModel(small_town(20_000), seed=1)
    tenth = CommunityModel(
        small_town(20_000).__class__(name="tenth", params=small_town(20_000).params, scale=10.0),
        seed=1,
    )
    assert tenth.residents.count() == 2000
    assert tenth.recorder.last()["population"] == full.recorder.last()["population"]
    assert abs(tenth.recorder.last()["aging_rate"] - full.recorder.last()["aging_rate"]) < 0.02


def test_every_resident_column_is_declared_once():
    names = [c.name for c in RESIDENT_COLUMNS]
    assert len(names) == len(set(names))
    assert set(names) == set(Residents.__annotations__)


def test_district_map_covers_the_town(tiny):
    model = tiny(districts=4)
    tm = model.town_map
    assert tm.centres.shape == (4, 2)
    hh = model.households
    assert (hh.x >= 0).all()
    assert (hh.x <= tm.side_km).all()
    inside = tm.nearest(np.column_stack([hh.x, hh.y]).astype(float)) == hh.district
    assert inside[~hh.institution].mean() > 0.9  # homes sit in their own district's cell


def test_homes_take_the_draws_a_call_per_district_took():
    """New homes' sites come from one draw of an array of bounds, district by district.

    It must give what a call per district gave (same positions, stream left at the same
    point), with districts of one site (no draw) and of many, in any order.
    """
    from model.town import TownMap, place_homes

    def per_district(town, districts, gen):  # the rule as a loop over districts
        xy = np.empty((districts.size, 2))
        spacing = town.side_km / np.sqrt(max(sum(len(s) for s in town.spots), 1))
        for d in np.unique(districts):
            rows = np.flatnonzero(districts == d)
            sites = town.spots[int(d)]
            xy[rows] = sites[gen.integers(0, len(sites), size=rows.size)]
        xy += gen.normal(0.0, spacing * town.home_jitter, size=xy.shape)
        return np.clip(xy, 0.0, town.side_km)

    rng = np.random.default_rng(0)
    for _ in range(300):
        n = int(rng.integers(1, 8))
        sizes = rng.choice([1, 2, 7, 500, 70_000], size=n)
        spots = [rng.uniform(0.0, 5.0, size=(int(k), 2)) for k in sizes]
        town = TownMap(5.0, np.zeros((n, 2)), [], spots, 0.3)
        districts = rng.integers(0, n, size=int(rng.choice([0, 1, 3, 40]))).astype(np.int16)
        seed = int(rng.integers(0, 2**62))
        gen_a, gen_b = (np.random.Generator(np.random.PCG64(seed)) for _ in range(2))
        assert np.array_equal(
            place_homes(town, districts, gen_a), per_district(town, districts, gen_b)
        )
        assert gen_a.random() == gen_b.random()


def test_fork_gives_an_independent_identical_future(tiny):
    model = tiny(seed=4).run(6)
    fork = model.fork()
    fork.run(12)
    assert model.month == 6  # the original did not move
    model.run(12)
    pd.testing.assert_frame_equal(model.recorder.timeseries(), fork.recorder.timeseries())


def test_model_survives_a_pickle_round_trip(tiny):
    import pickle

    model = tiny(seed=8).run(3)
    clone = pickle.loads(pickle.dumps(model))
    model.run(13)
    clone.run(13)
    pd.testing.assert_frame_equal(model.recorder.timeseries(), clone.recorder.timeseries())


def test_the_district_map_belongs_to_the_town_not_the_seed():
    a = CommunityModel(small_town(3000, districts=3), seed=1).town_map
    b = CommunityModel(small_town(3000, districts=3), seed=2).town_map
    assert np.array_equal(a.centres, b.centres)
    assert all(np.array_equal(p, q) for p, q in zip(a.polygons, b.polygons, strict=True))


def test_outputs_carry_the_calendar_date_of_each_month():
    """Month 0 is the profile's start date; the calendar rolls over at December."""
    model = CommunityModel(small_town(2000, **{"town.start_year": 2030, "town.start_month": 11}))
    ts = model.run(3).recorder.timeseries()
    assert list(ts["month"]) == [0, 1, 2, 3]
    assert list(ts["year"]) == [2030, 2030, 2031, 2031]
    assert list(ts["calendar_month"]) == [11, 12, 1, 2]
    districts = model.recorder.districts()
    assert set(districts.loc[districts["month"] == 2, "year"]) == {2031}
    assert model.calendar() == (2031, 2)


def test_shipped_profiles_start_in_2024():
    from scenarios import load_scenario

    model = CommunityModel(load_scenario("district", "baseline", scale=50))
    assert model.calendar(0) == (2024, 1)
    assert model.calendar(12) == (2025, 1)
