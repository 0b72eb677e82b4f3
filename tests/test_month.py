"""The month as data: the ordered phases, their timing, the month's levers, one reset."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

import numpy as np

from model import CommunityModel, InterventionSpec
from model.core import PHASES, reset_counters
from model.levers import Levers

from .conftest import small_town

ROOT = Path(__file__).resolve().parent.parent


def _load_doc_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_odd_process_order_is_generated_from_the_phases():
    """docs/ODD.md section 3 lists exactly model.core.PHASES, in order."""
    module = _load_doc_script("process_order")
    text = module.ODD.read_text(encoding="utf-8")
    assert module.render(text) == text, "run: python docs/process_order.py"
    for phase in PHASES:
        assert f"`{phase.name}`" in text


def test_phases_have_unique_names_and_owners_that_are_model_modules():
    names = [phase.name for phase in PHASES]
    assert len(set(names)) == len(names)
    for phase in PHASES:
        assert importlib.util.find_spec(f"model.{phase.owner}") is not None, phase.owner
    assert names[0] == "start"
    assert names[-1] == "record"


def test_timed_phases_add_up_and_do_not_change_the_run():
    scenario = small_town(1500)
    timed = CommunityModel(scenario, seed=3, time_phases=True).run(3)
    plain = CommunityModel(scenario, seed=3).run(3)
    assert plain.phase_seconds is None
    seconds = timed.phase_seconds
    assert seconds is not None
    assert list(seconds) == [phase.name for phase in PHASES]
    assert all(s >= 0 for s in seconds.values())
    assert seconds["needs"] > 0
    assert seconds["counters_serve"] > 0
    assert seconds["record"] > 0
    a, b = timed.recorder.timeseries(), plain.recorder.timeseries()
    assert a.equals(b)


def test_levers_start_neutral_each_month_and_policies_set_them():
    scenario = small_town(1500)
    model = CommunityModel(scenario, seed=2)
    model.step()
    neutral = Levers.neutral(model.residents.n, len(model.support.counters))
    assert model.levers.one_stop_for is None
    assert model.levers.joint_capacity == 0.0
    assert np.array_equal(model.levers.extra_staff, neutral.extra_staff)
    model.add_intervention(InterventionSpec("one_stop", start_month=0, intensity=4.0))
    model.add_intervention(InterventionSpec("multi_agency", start_month=0, intensity=1.0))
    model.step()
    levers = model.levers
    assert levers.one_stop_for is not None
    assert levers.one_stop_for.any()
    assert levers.joint_capacity > 0
    assert np.isclose(levers.extra_staff.sum(), 4.0)
    # A month after the components end, the levers are neutral again.
    for iv in model.interventions:
        iv.spec = dataclasses.replace(iv.spec, end_month=model.month + 1)
    model.step()
    assert model.levers.one_stop_for is None
    assert model.levers.joint_capacity == 0.0
    assert model.levers.extra_staff.sum() == 0.0


def test_one_reset_zeroes_every_month_counter_and_keeps_spending_when_asked():
    model = CommunityModel(small_town(1500), seed=4).run(2)
    model.tally.births = 5
    model.venues.opened_this_month = 3
    model.support.counters[0].served_this_month = 7
    model.support.waits.append(np.array([1, 2]))
    spent = model.ledger.month_baseline
    assert spent > 0
    reset_counters(model, spending=False)
    assert model.tally.births == 0
    assert model.venues.opened_this_month == 0
    assert model.support.counters[0].served_this_month == 0
    assert model.support.waits == []
    assert model.ledger.month_baseline == spent
    reset_counters(model)
    assert model.ledger.month_baseline == 0.0
