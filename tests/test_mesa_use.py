"""What Kyosei takes from Mesa: the scenario attribute, agent sets, a seeded rng never drawn."""

import pytest
from mesa.experimental.scenarios import Scenario as MesaScenario

from model import CommunityModel, Scenario
from model.organisations import Organisation
from model.support import Counter

from .conftest import small_town


@pytest.fixture(scope="module")
def model() -> CommunityModel:
    return CommunityModel(small_town(2000), seed=7).run(3)


def test_the_scenario_is_kyoseis_in_mesas_attribute(model: CommunityModel) -> None:
    assert isinstance(model.scenario, Scenario)
    assert model.params is model.scenario.params
    org = next(iter(model.organisations.agents))
    assert org.scenario is model.scenario  # Mesa's agent shortcut reaches the same one
    assert not hasattr(model, "inputs")
    model.scenario = MesaScenario(rng=7)  # Mesa's own placeholder is not kept
    assert isinstance(model.scenario, Scenario)
    with pytest.raises(TypeError, match=r"model\.scenario\.Scenario"):
        model.scenario = {"seed": 7}


def test_mesas_rng_is_seeded_and_never_drawn(model: CommunityModel) -> None:
    """The named streams are the only source of randomness (docs/ODD.md, Stochasticity)."""
    assert model.rng.bit_generator.state == model._rng  # the state Mesa seeded it with
    assert model.random.getstate() == type(model.random)(7).getstate()


def test_organisations_and_counters_are_mesas_agent_sets(model: CommunityModel) -> None:
    assert set(model.organisations.agents) == set(model.organisations.by_number.values())
    assert list(model.support.agents) == list(model.support.counters)
    assert {type(a) for a in model.agents} >= {Organisation, Counter}


def test_mesas_clock_counts_the_simulated_months(model: CommunityModel) -> None:
    """One clock: Mesa's step counter and time are Kyosei's month.

    The warm-up, numbered ≤ 0, runs before month 0 without Mesa's step.
    """
    assert model.month == model.steps == 3
    assert model.time == 3.0
