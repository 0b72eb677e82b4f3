"""Defects found in review (issue 10): each test failed on the code before its fix."""

from __future__ import annotations

import math

import numpy as np

from dashboards import townmap
from model import CommunityModel
from scenarios import load_scenario

TALLIED = {
    # output column -> (tally counter, index or None, scaled to people)
    "outreach_referrals": ("outreach_found", None, True),
    "supported_linked_to_venues": ("linked_to_venues", None, True),
    "venues_opened_by_policy": ("venues_created_by_policy", None, False),
    "organisations_founded": ("orgs_founded", None, False),
    "organisations_dissolved": ("orgs_dissolved", None, False),
    "volunteers_started": ("volunteers_started", None, True),
    "new_need_care": ("need_onsets", 0, True),
    "new_need_disability": ("need_onsets", 1, True),
    "new_need_childcare": ("need_onsets", 2, True),
    "new_need_poverty": ("need_onsets", 3, True),
    "new_need_withdrawal": ("withdrawal_onsets", None, True),
}


def _model(policy: str = "jusou_full", scale: float = 20.0, **overrides: object) -> CommunityModel:
    return CommunityModel(
        load_scenario("small_town", policy, scale=scale, overrides=overrides), seed=3
    )


def test_venues_opened_and_closed_count_every_venue_of_the_month():
    """Partner cafés and hubs open in the levers phase, before attendance: they count too."""
    model = _model().run(30)
    ts = model.recorder.timeseries().set_index("month")
    opened = np.bincount([v.opened_month for v in model.venues.venues if v.opened_month > 0])
    closed = np.bincount([v.closed_month for v in model.venues.venues if (v.closed_month or 0) > 0])
    for month in range(1, 31):
        assert ts.loc[month, "venues_opened"] == (opened[month] if month < opened.size else 0)
        assert ts.loc[month, "venues_closed"] == (closed[month] if month < closed.size else 0)
    assert ts.loc[12, "venues_opened"] > 0  # the cafés of the package open in month 12


def test_every_tally_counter_is_reported_each_month():
    model = _model(scale=5.0)  # outreach finds someone only at a finer scale
    seen = dict.fromkeys(TALLIED, 0.0)
    for _ in range(36):
        model.step()
        row = model.recorder.last()
        for column, (counter, i, scaled) in TALLIED.items():
            value = getattr(model.tally, counter)
            value = value[i] if i is not None else value
            assert row[column] == value * (model.scale if scaled else 1.0), column
            seen[column] += row[column]
        assert row["outreach_referrals"] == row["arrivals_outreach"]
    never = [c for c, total in seen.items() if total == 0 and c != "organisations_dissolved"]
    assert never == []


def _same(a: dict[str, float], b: dict[str, float]) -> bool:
    return a.keys() == b.keys() and all(
        (math.isnan(x) and math.isnan(b[k])) or x == b[k] for k, x in a.items()
    )


def test_reporters_are_pure():
    """Calling a reporter again gives the same numbers and changes nothing later on."""
    plain, inspected = _model(), _model()
    for _ in range(18):
        plain.step()
        inspected.step()
        for reporter in inspected.recorder.reporters:
            first, _ = reporter(inspected)
            second, _ = reporter(inspected)
            assert _same(first, second), reporter.__name__
    assert plain.recorder.last()["cost_per_reconnected"] > 0
    assert not math.isnan(plain.recorder.last()["wait_mean"])
    a, b = plain.recorder.timeseries(), inspected.recorder.timeseries()
    assert a.equals(b)


def test_the_dashboard_map_is_the_models_map():
    """One town map: the Compare page draws the districts the model placed people in."""
    for seed in (0, 7):
        model = CommunityModel(load_scenario("small_town", scale=200.0), seed=seed)
        drawn = townmap.polygons("small_town")
        assert len(drawn) == len(model.town_map.polygons) == 2
        for mine, theirs in zip(drawn, model.town_map.polygons, strict=True):
            assert np.array_equal(mine, theirs)
        from model.town import town_map

        assert np.array_equal(town_map(model.params.town).centres, model.town_map.centres)


def test_community_building_subsidises_its_budgeted_number_of_venues_and_keeps_them():
    # The subsidy is a budgeted count of venues (natural units), given once and kept: it
    # is not re-drawn every month (which once left about 99 % of venues subsidised).
    model = _model("community_building")
    component = next(i for i in model.interventions if i.spec.kind == "community_building")
    slots = round(component.settings["venues_subsidised"])
    model.run(18)
    before = {v.unique_id for v in model.venues.venues if v.open and v.subsidised}
    for _ in range(24):
        model.run(1)
        open_venues = [v for v in model.venues.venues if v.open and v.kind != 4]
        subsidised = {v.unique_id for v in open_venues if v.subsidised}
        # Filled in the levers phase; a venue that closes later in the month frees its slot.
        full = min(slots, len(open_venues))
        assert full - model.venues.closed_this_month <= len(subsidised) <= full
    still_open = {v.unique_id for v in model.venues.venues if v.open}
    assert before & still_open <= subsidised  # a subsidy, once given, is kept
    assert 0 < slots < len(open_venues)  # the test means something: not every venue
