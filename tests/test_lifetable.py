"""Period life tables from simulated deaths and person-months."""

import numpy as np
import pytest

from model import CommunityModel
from model.demography import DemographyParams, life_expectancy, monthly_death_table
from model.lifetable import TOP, LifeRecord, period_life_expectancy
from model.population import FEMALE, MALE
from scenarios import load_scenario

QUIET_SOCIAL = {"switches.needs": False, "switches.community": False}


def test_a_constant_hazard_gives_its_known_life_expectancy():
    m = 0.02
    exposure = np.full(TOP, 12_000.0)  # 1,000 person-years at every age
    deaths = exposure / 12.0 * m
    # The last age is open (its survivors live 1/m more years), so e0 = 1/m exactly.
    assert period_life_expectancy(deaths, exposure) == pytest.approx(1 / m, rel=1e-9)


def test_the_life_table_of_the_models_own_rates_gives_its_life_expectancy():
    """Exact expected deaths of the monthly table in, the table's e0 out (± 0.05 years)."""
    p = DemographyParams()
    q = monthly_death_table(p)[MALE, : TOP * 12].reshape(TOP, 12)
    m = -np.log1p(-q).mean(axis=1) * 12.0  # the yearly hazard at each age
    exposure = np.full(TOP, 12.0)
    assert period_life_expectancy(m * exposure / 12.0, exposure) == pytest.approx(
        life_expectancy(p, MALE), abs=0.05
    )


def test_ages_nobody_reached_take_the_rate_of_the_next_older_age():
    deaths = np.array([1.0, 0.0, 0.0, 1.0] + [0.0] * (TOP - 4))
    exposure = np.array([120.0, 0.0, 0.0, 12.0] + [0.0] * (TOP - 4))
    # Age 0: m = 0.1; ages 1-3: m = 1; ages 4+: everyone dies (no exposure above).
    e0 = period_life_expectancy(deaths, exposure)
    assert 1.0 < e0 < 2.5


def test_the_record_counts_every_death_and_every_month_lived():
    model = CommunityModel(load_scenario("district", scale=10, overrides=QUIET_SOCIAL), seed=1)
    model.run(24)
    record: LifeRecord = model.life_record
    assert record.years() == [2024, 2025]
    deaths = sum(record.deaths[y].sum() for y in record.years())
    assert deaths == model.recorder.timeseries()["deaths"].sum() / model.scale
    lived = sum(record.exposure[y].sum() for y in record.years())
    assert lived == pytest.approx(
        model.recorder.timeseries()["population"].iloc[:-1].sum() / 10, rel=0.02
    )


@pytest.mark.slow
def test_life_expectancy_from_simulated_deaths_follows_the_input_path():
    """National-like town at 1:2 (50,000 residents), 2024-2033, demography only.

    The period life table of simulated deaths pooled over the ten years is compared with the
    mean of the input path over those years: within 0.3 years for each sex.
    """
    scenario = load_scenario("national", scale=2, overrides=QUIET_SOCIAL)
    model = CommunityModel(scenario, seed=4).run(120)
    p = scenario.params.demography
    years = model.life_record.years()
    assert years[0] == 2024
    for sex in (MALE, FEMALE):
        expected = np.mean([life_expectancy(p, sex, year=y) for y in years])
        simulated = model.life_record.life_expectancy(sex)
        assert abs(simulated - expected) <= 0.3, (sex, simulated, expected)
