"""Rates that change with the calendar, migration by age, and the migration fit."""

import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from model import CommunityModel, Params
from model.demography import (
    NET_BANDS,
    DemographyParams,
    DemographyTables,
    life_expectancy,
    tfr_in,
)
from model.parameters import ParameterError, describe, with_overrides
from model.population import FEMALE, MALE
from model.projection import annual_change, fit_net_out_scale
from scenarios import load_scenario

from .conftest import small_town

QUIET_SOCIAL = {"switches.needs": False, "switches.community": False}


@pytest.mark.parametrize(
    ("year", "men", "women"),
    [(2023, 81.09, 87.14), (2070, 85.89, 91.94), (2100, 85.89, 91.94)],
)
def test_life_expectancy_follows_its_path_points(year, men, women):
    p = DemographyParams()
    assert life_expectancy(p, MALE, year=year) == pytest.approx(men, abs=0.01)
    assert life_expectancy(p, FEMALE, year=year) == pytest.approx(women, abs=0.01)


def test_life_expectancy_rises_linearly_between_points():
    p = DemographyParams()
    mid = life_expectancy(p, MALE, year=2046.5)
    assert mid == pytest.approx((81.09 + 85.89) / 2, abs=0.01)
    assert life_expectancy(p, MALE, year=2030) < life_expectancy(p, MALE, year=2031)


def test_a_profile_keeps_its_own_mortality_level_and_gains_the_path():
    heavier = DemographyParams(mort_background=0.002)
    base = life_expectancy(heavier, MALE)
    assert base < 80.0
    assert life_expectancy(heavier, MALE, year=2070) == pytest.approx(base + 4.8, abs=0.01)


def test_fertility_follows_the_path_relative_to_the_towns_own_level():
    p = DemographyParams()
    assert tfr_in(p, 2023) == pytest.approx(1.20)
    assert tfr_in(p, 2024) == pytest.approx(1.15)
    assert tfr_in(p, 2070) == pytest.approx(1.36)
    assert tfr_in(p, 2090) == pytest.approx(1.36)
    okazaki = load_scenario("okazaki").params.demography
    assert tfr_in(okazaki, 2070) == pytest.approx(1.40 * 1.36 / 1.20)


def test_yearly_tables_follow_the_calendar():
    tables = DemographyTables.build(DemographyParams(), year=2024)
    q2024 = tables.death[MALE, 80 * 12]
    births2024 = tables.asfr.sum()
    tables.set_year(2060)
    assert tables.death[MALE, 80 * 12] < q2024
    assert tables.asfr.sum() * 12 == pytest.approx(tfr_in(DemographyParams(), 2060))
    assert tables.asfr.sum() > births2024


def test_the_model_moves_its_tables_each_january():
    model = CommunityModel(small_town(1000, **QUIET_SOCIAL), seed=1)
    assert model.demo_tables.year == 2024
    model.run(12)  # the twelve months of 2024
    assert model.demo_tables.year == 2024
    model.step()  # January 2025
    assert model.demo_tables.year == 2025


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"demography.e0_path_male": [81.0, 82.0, 83.0]}, "demography.e0_path_male"),
        ({"demography.tfr_path_years": [2030.0, 2024.0, 2040.0, 2070.0]}, "tfr_path_years"),
    ],
)
def test_a_path_of_the_wrong_shape_is_refused(overrides, field):
    params = with_overrides(Params(), overrides)
    with pytest.raises(ParameterError, match=field):
        DemographyTables.build(params.demography)


def test_foreign_net_entries_arrive_at_the_national_rate_per_resident():
    """National: 164,000 a year over 123.8 M people; 3 years of a 20,000 town (± 4 SD)."""
    model = CommunityModel(small_town(20_000, **QUIET_SOCIAL), seed=3).run(36)
    arrived = model.migration_record.foreign_in.sum()
    pop = model.recorder.timeseries()["population"].mean()
    expected = 164_000 / 123_802_000 * pop * 3
    assert abs(arrived - expected) < 4 * np.sqrt(expected * 2.2)  # arrivals come in units
    assert model.migration_record.foreign_in[2:4].sum() > 0.8 * arrived  # mostly 18-39


@pytest.mark.slow
def test_national_like_town_has_no_net_internal_migration_at_any_age():
    """Moves between municipalities cancel nationally: ±0.1 %/yr at every age band."""
    scenario = load_scenario("national", scale=5, overrides=QUIET_SOCIAL)
    model = CommunityModel(scenario, seed=2).run(120)
    record = model.migration_record
    assert record.out_moves.sum() > 5_000  # people do move, in both directions
    rate = record.net_internal_rate()
    assert rate.shape == (len(NET_BANDS),)
    assert np.all(np.abs(rate) <= 0.001), rate


@pytest.mark.slow
def test_shrinking_town_loses_its_young_adults_and_gets_some_back():
    scenario = load_scenario("small_town", scale=2, overrides=QUIET_SOCIAL)
    rate = CommunityModel(scenario, seed=2).run(120).migration_record.net_internal_rate()
    youth, returners, old = rate[2], rate[3], rate[5:]
    assert youth < -0.01  # 18-24 leave
    assert returners > 0  # 25-39 partly come back
    assert np.all(np.abs(old) <= 0.001)  # 65+: moves cancel


def test_projection_meets_the_target_with_the_solved_scale():
    town = load_scenario("small_town").params
    scale = fit_net_out_scale(town.demography, town.town)
    assert 0 < scale < 50
    years = town.town.change_target_years
    assert annual_change(town.demography, town.town, years, scale) == pytest.approx(-1.2, abs=1e-3)


def test_a_target_the_rates_cannot_reach_is_refused():
    with pytest.raises(ParameterError, match=r"town\.annual_change_target"):
        CommunityModel(load_scenario("small_town", overrides={"town.annual_change_target": 3.0}))


def test_a_target_without_net_moves_to_scale_is_refused():
    overrides = {"town.change_target_years": 10, "town.annual_change_target": -1.0}
    with pytest.raises(ParameterError, match=r"demography\.net_out_rate"):
        CommunityModel(small_town(1000, **overrides))


def test_every_cited_source_key_is_in_the_sources_file():
    path = Path(__file__).parents[1] / "model" / "sources.toml"
    keys = set(tomllib.loads(path.read_text(encoding="utf-8")))
    for row in describe(Params()):
        for key in re.findall(r"\[([a-z0-9][a-z0-9-]*)\]", str(row["source"])):
            if key != "derived":
                assert key in keys, (row["parameter"], key)
