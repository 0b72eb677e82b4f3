"""Shared fixtures: small towns and hand-built worlds, and the browser tests' server.

Small towns and hand-built worlds run in well under a second; the served dashboard and
the headless Chromium of the browser tests are described in ``tests/browser.py``.

``make test`` runs the tests in two processes (pytest-xdist, ``-n 2 --dist loadfile``);
:func:`pytest_collection_modifyitems` orders them for it. Every test is independent of
the others: its files in ``tmp_path``, its servers on free ports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from model import CommunityModel, Params, Scenario
from model.town import TownParams
from scenarios import load_scenario


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist: the modules with slow tests first (the order within each is kept).

    ``--dist loadfile`` runs each module on one worker, in order, so a module-scoped
    fixture (a served dashboard, a results store) is built once and a module's tests may
    share it; ``--no-loadscope-reorder`` hands the modules out in this order. With the
    slow modules first, the run ends on quick ones and both workers finish at about the
    same time. Without xdist nothing changes.
    """
    if not hasattr(config, "workerinput"):
        return
    slow = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in slow)  # stable


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """A failing test's report says how the dashboards it used are doing (browser tests).

    A page that waits for an answer in vain may have lost its server or its tab; the
    report then says whether the server still runs (or how it ended and what it printed)
    and which tabs crashed.
    """
    report = yield
    if report.failed and report.when == "call" and "browser" in item.keywords:
        from tests.browser import CRASHED, SERVERS, server_state

        for url, proc in SERVERS.items():
            report.sections.append((f"dashboard {url}", server_state(proc)))
        if CRASHED:
            report.sections.append(("crashed tabs", "\n".join(CRASHED)))
            CRASHED.clear()
    return report


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


@pytest.fixture(scope="module")
def server(results_root: Path) -> Iterator[str]:
    """The dashboard served over the module's ``results_root`` (one server per module)."""
    from tests.browser import start_server, stop_checked

    proc, url = start_server(results_root)
    yield url
    stop_checked(proc)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium per module (skipped where there is none)."""
    from tests.browser import CHROMIUM, launch

    if not Path(CHROMIUM).exists():  # pragma: no cover - machines without the browser
        pytest.skip("no /usr/bin/chromium (make browser-deps)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
