"""Demography: exact accounting, draws that match their probabilities, life expectancy.

Also fertility, and towns that shrink and age at their profiles' rates.
"""

import numpy as np
import pytest
from scipy.stats import poisson

from model import CommunityModel, Params, Scenario
from model.demography import DemographyParams, life_expectancy
from model.parameters import with_overrides
from model.population import FEMALE, MALE, MAX_AGE, ROLE_HEAD
from model.rates import poisson_quantile
from model.ties import WORK
from scenarios import load_scenario

from .conftest import hand_built, small_town

TARGET_E0 = {MALE: 81.09, FEMALE: 87.14}  # 厚労省 簡易生命表 2023


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_population_accounting_is_exact_every_month(tiny, seed):
    model = tiny(seed=seed, population=3000).run(120)
    ts = model.recorder.timeseries()
    pop = ts["population"].to_numpy()
    flows = (ts["births"] - ts["deaths"] + ts["in_migrants"] - ts["out_migrants"]).to_numpy()
    assert np.array_equal(pop[1:], pop[:-1] + flows[1:])
    assert pop[-1] == model.residents.count()
    assert ts["births"].sum() > 0
    assert ts["in_migrants"].sum() > 0


@pytest.mark.parametrize("sex", [MALE, FEMALE])
def test_model_life_table_reproduces_japan_life_expectancy(sex):
    e0 = life_expectancy(DemographyParams(), sex)
    assert abs(e0 - TARGET_E0[sex]) <= 1.0


def _singles(n: int, ages_m: np.ndarray, sexes: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "age_m": ages_m.astype(np.int16),
        "sex": sexes.astype(np.int8),
        "hh": np.arange(n, dtype=np.int32),
        "role": np.full(n, ROLE_HEAD, dtype=np.int8),
    }


def test_deaths_and_moves_match_their_expected_counts():
    """One month in a world of people living alone: deaths and moves vs Σ probabilities."""
    n = 120_000
    gen = np.random.default_rng(0)
    ages = gen.integers(20 * 12, 100 * 12, size=n)
    sexes = gen.integers(0, 2, size=n)
    model = hand_built(_singles(n, ages, sexes), n)
    t = model.demo_tables
    q_death = t.death[sexes, ages + 1]  # everyone ages a month before the draw
    q_move = t.move_out[(ages + 1) // 12]
    model.step()
    for observed, q in ((model.tally.deaths, q_death), (model.tally.out_migrants, q_move)):
        expected, sd = q.sum(), np.sqrt((q * (1 - q)).sum())
        assert abs(observed - expected) < 4 * sd, (observed, expected, sd)


@pytest.mark.slow
def test_simulated_cohort_lives_as_long_as_the_life_table_says():
    """20,000 newborns followed to the last death: mean age at death ≈ e0 (± 4 SE)."""
    n = 20_000
    sexes = np.repeat([MALE, FEMALE], n // 2)
    # Mortality held at the 2023 table (a flat path), so the cohort lives by one table.
    demo = DemographyParams(
        tfr=0.0,
        out_scale=0.0,
        foreign_share=0.0,
        e0_path_years=(2023.0,),
        e0_path_male=(81.09,),
        e0_path_female=(87.14,),
    )
    params = Params(demography=demo)
    model = hand_built(_singles(n, np.zeros(n), sexes), n, params=params)
    age_at_death = np.full(n, np.nan)
    for _ in range(111 * 12):
        r = model.residents
        pids, ages = r.pid[r.alive].copy(), r.age_m[r.alive].copy()
        model.step()
        r = model.residents
        died = ~np.isin(pids, r.pid[r.alive])  # nobody moves: everyone missing has died
        index = (pids[died] // np.uint64(104729) - np.uint64(1)).astype(int)
        age_at_death[index] = (ages[died] + 1) / 12.0
        if r.count() == 0:
            break
    for sex in (MALE, FEMALE):
        ages = age_at_death[sexes == sex]
        assert not np.isnan(ages).any()
        se = ages.std() / np.sqrt(ages.size)
        assert abs(ages.mean() - life_expectancy(demo, sex)) < 4 * se + 0.05


def test_births_match_the_fertility_schedule(tiny):
    """Births in one month vs Σ over women of the monthly age-specific rate (± 4 SD)."""
    model = tiny(population=60_000, **{"demography.tfr": 1.2})
    r = model.residents
    years = (r.age_m + 1) // 12
    women = r.alive & (r.sex == FEMALE)
    p = model.demo_tables.asfr[np.minimum(years[women], 120)]
    model.step()
    expected = p.sum() * (1 - 0.001)  # a few women die first in the same month
    assert abs(model.tally.births - expected) < 4 * np.sqrt(expected)


def test_tfr_scales_births(tiny):
    low = tiny(seed=3, population=20_000, **{"demography.tfr": 0.8}).run(24)
    high = tiny(seed=3, population=20_000, **{"demography.tfr": 1.6}).run(24)
    b_low = low.recorder.timeseries()["births"].sum()
    b_high = high.recorder.timeseries()["births"].sum()
    assert 1.6 < b_high / b_low < 2.5


def test_young_adults_leave_most():
    rates = DemographyParams().out_rate
    assert max(rates) == rates[2]  # the 18-24 band


def _annual_change(ts) -> float:
    pop = ts["population"].to_numpy()
    years = (len(pop) - 1) / 12
    return ((pop[-1] / pop[0]) ** (1 / years) - 1) * 100


@pytest.mark.slow
@pytest.mark.parametrize("town", ["small_town", "depopulating_village"])
def test_town_declines_at_its_target_rate_and_ages(town):
    scenario = load_scenario(town)
    from model import CommunityModel

    ts = CommunityModel(scenario, seed=1).run(240).recorder.timeseries()
    change = _annual_change(ts)
    assert abs(change - scenario.params.town.annual_change_target) <= 0.3
    if town == "small_town":
        assert ts["aging_rate"].iloc[-12:].mean() > ts["aging_rate"].iloc[0] + 0.01


def test_elderly_living_alone_rises_and_households_shrink(tiny):
    ts = tiny(seed=2, population=20_000).run(120).recorder.timeseries()
    assert ts["single_elderly_share"].iloc[-1] > ts["single_elderly_share"].iloc[0]
    assert ts["mean_household_size"].iloc[-1] < ts["mean_household_size"].iloc[0]


def test_initial_households_and_elderly_living_alone_match_the_profile():
    scenario = small_town(40_000)
    from model import CommunityModel

    model = CommunityModel(scenario, seed=4)
    row = model.recorder.last()
    town = scenario.params.town
    assert row["population"] == town.population
    assert row["households"] == town.households
    r = model.residents
    sizes = model.household_sizes()
    home = ~model.households.institution[r.hh]
    for sex, target in ((MALE, town.alone_65_male), (FEMALE, town.alone_65_female)):
        old = r.alive & (r.age_m >= 65 * 12) & (r.sex == sex) & home
        assert abs((sizes[r.hh][old] == 1).mean() - target) < 0.02


def test_new_parameters_take_effect_through_overrides():
    params = with_overrides(Params(), {"demography.tfr": 1.5})
    assert params.demography.tfr == 1.5
    assert Scenario(params=params).params.demography.tfr == 1.5


def test_arrival_counts_are_scipys_poisson_quantiles():
    """``rates.poisson_quantile`` is ``scipy.stats.poisson.ppf`` for 0 < q < 1, exactly.

    Small and large means, quantiles near both ends, and the boundary q = 0.
    """
    rng = np.random.default_rng(5)
    lams = np.concatenate([rng.uniform(1e-3, 5, 400), rng.uniform(5, 2_000, 400)])
    qs = np.concatenate([rng.random(6), [1e-12, 1e-6, 0.5, 1 - 1e-6, 1 - 1e-12]])
    for lam in lams:
        for q in qs:
            assert poisson_quantile(float(q), float(lam)) == int(poisson.ppf(q, lam)), (q, lam)
    assert poisson_quantile(0.0, 3.0) == 0


def test_newcomers_are_in_work_by_the_yearly_rule_from_the_month_they_arrive():
    m = CommunityModel(small_town(6000), seed=4)
    arrived = []
    while m.month < 3:  # months 1-3: no yearly employment update in between
        m.step()
        r = m.residents
        new = np.flatnonzero(r.alive & (r.arrival_m == m.month))
        years = np.minimum(r.age_m[new] // 12, MAX_AGE)
        rate = m.demo_tables.employment[r.sex[new], years]
        propensity = m.streams["employment"].uniform(r.pid[new], 0)
        assert np.array_equal(r.working[new], propensity < rate)
        arrived.append(new)
    newcomers = np.concatenate(arrived)  # rows stay put: no compaction before month 12
    assert newcomers.size > 60
    working = m.residents.working[newcomers]
    assert 0.3 < working.mean() < 0.9  # adults of working age, with their children
    # Colleagues come with work: most of those in work have some, none of the others.
    assert (m.residents.ties[WORK, newcomers[working]] > 0).mean() > 0.5
    assert not m.residents.ties[WORK, newcomers[~working]].any()
