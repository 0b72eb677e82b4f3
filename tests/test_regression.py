"""Regression baseline: exact hashes of every output series, tolerance summary, negative control.

* Exact: the fixed short runs of ``tests/regression/runs.py`` must give the SHA-256 of
  every output series stored in ``tests/regression/hashes.json``. This applies where
  NumPy, SciPy, Python (major.minor) and the platform equal the recorded ones; elsewhere
  it is skipped, with the reason, and the tolerance summary is the check.
* Tolerance summary (the fallback, run everywhere): ten-year means within 2 % / 0.005.
* Negative control: a 10 % change of each parameter the runs exercise (listed in
  ``tests/regression/knobs.json`` and ``docs/regression-baseline.md``) changes a hash.
  Each changed run stops at its first month that differs (``runs.differs``); that this
  gives the answer of comparing every hash is checked here too.

Regenerate with ``python -m tests.regression.update`` (``--list`` for the parameter list)
when a change to the outputs is intended; it prints which series changed.
"""

import functools
import json

import pytest

from .regression import summary
from .regression.parameters import detected, knobs, nudge, value_in
from .regression.runs import CASES, differs, environment, run, scenario, series_hashes
from .regression.update import HASHES, KNOBS, changed_series

STORED = json.loads(HASHES.read_text())
LISTED = json.loads(KNOBS.read_text())


@functools.cache
def _outputs(name: str):
    return run(scenario(CASES[name]))


@functools.cache
def _hashes(name: str) -> dict[str, str]:
    return series_hashes(*_outputs(name))


class _Fresh(dict):
    """Outputs of the unchanged runs, each computed when first needed."""

    def __missing__(self, name: str):
        return _outputs(name)


@pytest.mark.parametrize("name", list(CASES))
def test_every_output_series_matches_its_stored_hash(name):
    recorded = STORED["environment"]
    if recorded != environment():
        pytest.skip(
            f"exact hashes were recorded with {recorded}, this is {environment()}: "
            "the tolerance summary applies"
        )
    changed = changed_series({name: STORED["cases"][name]}, {name: _hashes(name)})
    assert changed == [], "intended? run python -m tests.regression.update"


def test_the_runs_cover_referrals_joint_plans_and_costs():
    """The series the baseline must cover move in the fixed runs, so their hashes mean something."""
    siloed = _outputs("small_town/baseline+more_needs")[0]
    jusou = _outputs("small_town/jusou_full+more_needs")[0]
    for column in ("referrals", "referral_dropouts", "arrivals_venue", "arrivals_household"):
        assert siloed[column].sum() > 0, column
    for column in ("joint_plans", "arrivals_outreach", "outreach_referrals"):
        assert jusou[column].sum() > 0, column
    for column in ("cost_total", "cost_per_reconnected", "cost_per_resolved"):
        assert jusou[column].iloc[-1] > 0, column


@pytest.mark.slow
@pytest.mark.parametrize("name", list(summary.CASES))
def test_fixed_runs_match_the_stored_summary(name):
    stored = json.loads(summary.BASELINE.read_text())[name]
    fresh = summary.summarise(*summary.CASES[name])
    assert summary.mismatches(fresh, stored) == []


@pytest.mark.slow
def test_negative_control_a_perturbed_model_fails_the_summary():
    stored = json.loads(summary.BASELINE.read_text())["district/baseline"]
    perturbed = summary.summarise(
        *summary.CASES["district/baseline"], **{"needs.escalation": [0.039, 0.0195, 0.065, 0.052]}
    )
    assert summary.mismatches(perturbed, stored) != []


def test_every_declared_parameter_is_in_the_list():
    """A parameter added or removed needs ``python -m tests.regression.update --list``."""
    assert sorted(k.name for k in knobs()) == sorted(LISTED)


def test_the_parameters_the_old_baseline_missed_are_exercised():
    assert LISTED["support.referral_dropout"]["exercised"]
    assert LISTED["venues.notice"]["exercised"]


@pytest.mark.parametrize("name", list(CASES))
def test_an_unchanged_run_does_not_differ_in_any_month(name):
    """``differs`` finds no change in a run of the same scenario, month by month.

    So a row, once recorded, is not changed later (the row seen at month t is the row of the
    finished run), and the row comparison has no false alarm: a knob it reports changed
    is a knob whose hashes change.
    """
    assert not differs(scenario(CASES[name]), _outputs(name))


@pytest.mark.slow
def test_stopping_at_the_first_differing_month_gives_the_answer_of_every_hash():
    """A parameter whose change shows late in the run (month 32 of 36 when this was written).

    Both ways say it changed: the row comparison month by month, and the hash of every
    series of the whole run.
    """
    (knob,) = [k for k in knobs() if k.name == "platform.volunteer_share"]
    name = "small_town/jusou_full+more_needs"
    new = nudge(value_in(CASES[name], knob), knob)
    changed = scenario(CASES[name], options={(str(knob.component), str(knob.option)): new})
    assert differs(changed, _outputs(name))
    assert series_hashes(*run(changed)) != _hashes(name)


EXERCISED = [k for k in knobs() if LISTED.get(k.name, {}).get("exercised")]


@pytest.mark.slow
@pytest.mark.parametrize("knob", EXERCISED, ids=[k.name for k in EXERCISED])
def test_a_ten_percent_change_is_detected(knob):
    assert detected(knob, _Fresh(), first=LISTED[knob.name]["exercised"]) != ""
