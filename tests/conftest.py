"""Shared fixtures: small towns and hand-built worlds that run in well under a second."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest

from model import CommunityModel, Params, Scenario
from model.town import TownParams
from scenarios import load_scenario


def small_town(population: int = 4000, districts: int = 2, **params: object) -> Scenario:
    """A national-like town of ``population`` people (overrides as dotted paths)."""
    overrides = {
        "town.population": population,
        "town.households": int(population / 2.3),
        "town.districts": districts,
        **params,
    }
    return load_scenario("national", overrides=overrides)


@pytest.fixture
def tiny() -> Callable[..., CommunityModel]:
    """Factory: a small synthetic town model."""

    def make(seed: int = 1, population: int = 4000, **params: object) -> CommunityModel:
        return CommunityModel(small_town(population, **params), seed=seed)

    return make


def hand_built(
    people: dict[str, np.ndarray],
    n_households: int,
    *,
    seed: int = 1,
    districts: int = 1,
    params: Params | None = None,
) -> CommunityModel:
    """A model whose residents are exactly ``people`` (columns of the resident table)."""
    base = params or Params()
    town = TownParams(
        population=len(people["age_m"]), households=n_households, districts=districts, area_km2=4.0
    )
    scenario = Scenario("hand-built", replace(base, town=town))

    def builder(model: CommunityModel) -> None:
        n = len(people["age_m"])
        gen = np.random.default_rng(0)
        hh_district = np.zeros(n_households, dtype=np.int16)
        if "district" in people:
            hh_district[people["hh"]] = people["district"]
        x, y = model.place_in_districts(hh_district, gen)
        keys = np.arange(1, n_households + 1, dtype=np.uint64) * np.uint64(7919)
        model.households.append(n_households, key=keys, district=hh_district, x=x, y=y)
        pids = np.arange(1, n + 1, dtype=np.uint64) * np.uint64(104729)
        model.residents.append(n, pid=pids, **people)
        if "district" not in people:
            model.residents.district[:] = hh_district[model.residents.hh]

    return CommunityModel(scenario, seed=seed, builder=builder)
