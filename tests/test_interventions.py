"""Policy components: no-reach packages change nothing; each acts in the seed's direction."""

from dataclasses import replace
from functools import cache

import pandas as pd
import pytest

from kyosei.cli import main
from model import CommunityModel, InterventionSpec, PolicyPackage
from model.costs import PAYERS, CostParams, payer_shares
from model.interventions import REGISTRY
from model.needs import CARE, POVERTY
from scenarios import load_policy, policy_names

from .conftest import small_town
from .worlds import set_need, world

ALL_KINDS = sorted(REGISTRY)


def _run(package: PolicyPackage, seed: int = 3, months: int = 36, population: int = 6000):
    scenario = replace(small_town(population), policy=package)
    return CommunityModel(scenario, seed=seed).run(months)


def _package(*specs: InterventionSpec) -> PolicyPackage:
    return PolicyPackage(name="test", interventions=specs)


def _frames(model: CommunityModel) -> tuple[pd.DataFrame, pd.DataFrame]:
    return model.recorder.timeseries(), model.recorder.districts()


@pytest.mark.parametrize("how", ["zero_intensity", "nobody_eligible"])
def test_a_package_that_reaches_nobody_is_bit_identical_to_the_baseline(how):
    specs = [
        InterventionSpec(
            kind,
            start_month=0,
            intensity=0.0 if how == "zero_intensity" else 5.0,
            eligibility="none" if how == "nobody_eligible" else "all",
        )
        for kind in ALL_KINDS
    ]
    base = _frames(_run(PolicyPackage.baseline()))
    inert = _frames(_run(_package(*specs)))
    pd.testing.assert_frame_equal(base[0], inert[0], check_exact=True)
    pd.testing.assert_frame_equal(base[1], inert[1], check_exact=True)


def test_the_full_package_does_change_the_run():  # the negative control of the test above
    base = _run(PolicyPackage.baseline()).recorder.timeseries()
    full = _run(load_policy("jusou_full")).recorder.timeseries()
    assert not base.equals(full)


def test_an_intervention_started_mid_run_changes_nothing_before_its_start():
    start = 18
    base = _run(PolicyPackage.baseline()).recorder.timeseries()
    late = _run(load_policy_at("jusou_full", start)).recorder.timeseries()
    before = base["month"] < start
    pd.testing.assert_frame_equal(base[before], late[before], check_exact=True)
    assert not base[~before].equals(late[~before])


def load_policy_at(name: str, start: int) -> PolicyPackage:
    package = load_policy(name)
    specs = tuple(replace(s, start_month=start) for s in package.interventions)
    return replace(package, interventions=specs)


def test_switching_on_mid_run_from_python_matches_a_scheduled_start():
    """Switched on after month 11 (it acts from the next month, 12) = scheduled for 12."""
    spec = InterventionSpec("outreach", start_month=12, intensity=5.0)
    scheduled = _run(_package(spec)).recorder.timeseries()
    live = CommunityModel(small_town(6000), seed=3).run(11)
    live.add_intervention(spec)
    live.run(25)
    pd.testing.assert_frame_equal(scheduled, live.recorder.timeseries(), check_exact=True)


def test_timeline_lists_the_components():
    model = _run(load_policy("jusou_full"), months=1)
    kinds = [row["kind"] for row in model.timeline()]
    assert kinds == [s.kind for s in load_policy("jusou_full").interventions]
    assert all(row["start_month"] == 12 for row in model.timeline())


# ---- directions, on paired seeds ------------------------------------------------------

SEEDS = (1, 2, 3)


@cache
def _baseline(seed: int, months: int, population: int) -> pd.DataFrame:
    return _run(PolicyPackage.baseline(), seed, months, population).recorder.timeseries()


def _paired(
    kind: str,
    column: str,
    *,
    intensity: float,
    months: int = 72,
    population: int = 15_000,
    window: tuple[int, int] = (24, 73),
    options: dict | None = None,
) -> list[float]:
    """Per seed: mean of ``column`` over ``window`` with the component minus without it."""
    spec = InterventionSpec(kind, start_month=12, intensity=intensity, options=options or {})
    diffs = []
    for seed in SEEDS:
        base = _baseline(seed, months, population)
        arm = _run(_package(spec), seed, months, population).recorder.timeseries()
        w = (base["month"] >= window[0]) & (base["month"] < window[1])
        diffs.append(float(arm.loc[w, column].mean() - base.loc[w, column].mean()))
    return diffs


@pytest.mark.slow
def test_outreach_lowers_hidden_need():
    diffs = _paired("outreach", "hidden", intensity=1.5)
    assert all(d < 0 for d in diffs)


def _compound_world(*specs: InterventionSpec) -> CommunityModel:
    """200 people each with an elderly-care and a hardship need, all coming forward now."""
    m = world(
        [{"age": 75, "hh": i} for i in range(200)],
        **{
            "support.seek_base": [1.0] * 5,
            "support.seek_severity": [1.0] * 3,
            "support.mention_other": 1.0,
            "support.capacity_dementia": 1.0,
            "support.capacity_withdrawal": 1.0,
            "support.capacity_isolated": 1.0,
            "support.staff_per_20k": [1e6] * 4,
            "switches.community": False,
        },
    )
    for spec in specs:
        m.add_intervention(spec)
    m.residents.seek_cap[:] = 1.0
    for i in range(200):
        set_need(m, i, CARE, 3)
        set_need(m, i, POVERTY, 2)
    return m.run(3)


def test_one_stop_removes_dropouts_of_compound_cases():
    silo = _compound_world().recorder.timeseries()
    one_stop = _compound_world(InterventionSpec("one_stop", intensity=1.0)).recorder.timeseries()
    assert silo["referral_dropouts"].sum() >= 40  # たらい回し: about 30 % of 200 referrals
    assert one_stop["referral_dropouts"].sum() == 0
    assert one_stop["unmet"].iloc[-1] < silo["unmet"].iloc[-1]


def test_multi_agency_gives_joint_plans_and_fewer_dropouts():
    silo = _compound_world().recorder.timeseries()
    joint = _compound_world(InterventionSpec("multi_agency", intensity=50.0)).recorder.timeseries()
    assert joint["joint_plans"].sum() == 200
    assert joint["referral_dropouts"].sum() <= 0.2 * silo["referral_dropouts"].sum()


def test_multi_agency_is_limited_by_coordinator_capacity():
    spec = InterventionSpec("multi_agency", intensity=1.0, options={"cases_per_coordinator": 1})
    m = _compound_world(spec)
    # 200 residents: 0.002 coordinators per 100k x 1 case a month -> capacity far below need.
    assert m.recorder.timeseries()["joint_plans"].sum() < 200


@pytest.mark.slow
def test_participation_support_links_people_to_venues():
    diffs = _paired("participation", "venue_regulars", intensity=1.2)
    assert all(d > 0 for d in diffs)


@pytest.mark.slow
def test_community_building_keeps_more_venues_open():
    diffs = _paired("community_building", "venues_open", intensity=1.2)
    assert all(d > 0 for d in diffs)


@pytest.mark.slow
def test_platforms_raise_venues_and_volunteers():
    venues = _paired("platform", "venues_open", intensity=24.0)
    volunteers = _paired("platform", "volunteers", intensity=24.0)
    assert all(d > 0 for d in venues)
    assert all(d > 0 for d in volunteers)


@pytest.mark.slow
def test_partner_cafes_add_venues_without_volunteers():
    diffs = _paired("cafe_agreement", "venues_open", intensity=1.5)
    assert all(d >= 1 for d in diffs)


@pytest.mark.slow
def test_funding_keeps_npos_through_a_pandemic():  # the older, single-seed version
    shock = {"shocks.pandemic_start": 12, "shocks.pandemic_months": 24}
    spec = InterventionSpec("funding", start_month=12, intensity=24_000_000.0)
    counts = []
    for package in (PolicyPackage.baseline(), _package(spec)):
        scenario = replace(small_town(40_000, **shock), policy=package)
        counts.append(
            CommunityModel(scenario, seed=2).run(60).recorder.timeseries()["npos"].iloc[-1]
        )
    assert counts[1] > counts[0]


# ---- costs ------------------------------------------------------------------------------

SEED_TABLE = {  # seed slide 16, FY2021: 国, 都道府県, 市町村, 1号保険料, 2号保険料
    "care_prevention": (25, 12.5, 12.5, 23, 27),
    "care_life_support": (38.5, 19.25, 19.25, 23, 0),
    "disability_centre": (50, 25, 25, 0, 0),
    "child_hub": (100 / 3, 100 / 3, 100 / 3, 0, 0),
    "poverty_mutual_aid": (50, 0, 50, 0, 0),
}


@pytest.mark.parametrize("line", list(SEED_TABLE))
def test_cost_shares_match_the_seed_table(line):
    shares = payer_shares(CostParams(), line) * 100
    assert shares[:5] == pytest.approx(SEED_TABLE[line])
    assert shares[5] == 0


@pytest.mark.parametrize(
    "line",
    [f.name for f in CostParams.__dataclass_fields__.values() if isinstance(f.default, tuple)],
)
def test_every_funding_line_adds_up_to_one(line):
    assert payer_shares(CostParams(), line).sum() == pytest.approx(1.0)
    assert len(payer_shares(CostParams(), line)) == len(PAYERS)


def test_costs_are_booked_by_payer_and_add_up():
    ts = _run(load_policy("jusou_full"), months=24).recorder.timeseries()
    payers = [
        "cost_national",
        "cost_prefecture",
        "cost_municipality",
        "cost_insurance",
        "cost_private",
    ]
    assert (ts[payers].sum(axis=1) - ts["cost_total"]).abs().max() < 1e-6
    assert (ts.loc[ts["month"] < 12, "cost_policy"] == 0).all()
    assert (ts.loc[ts["month"] >= 12, "cost_policy"] > 0).all()
    assert (ts["cost_total"] - ts["cost_baseline"] - ts["cost_policy"]).abs().max() < 1e-6
    # Cumulative totals count the simulated months 1-N (month 0 shows today's monthly rate).
    months = ts["month"] >= 1
    assert ts["cost_cumulative"].iloc[-1] == pytest.approx(ts.loc[months, "cost_total"].sum())
    assert ts["cost_cumulative"].iloc[0] == 0
    assert ts["cost_policy_cumulative"].iloc[-1] == pytest.approx(
        ts.loc[months, "cost_policy"].sum()
    )


def test_the_baseline_is_costed_by_payer_from_todays_services():
    """Counters' staff at the salary figure, 民生委員 allowances, today's venue grants."""
    model = _run(PolicyPackage.baseline(), months=2)
    c = model.params.costs
    ts = model.recorder.timeseries()
    staff = sum(counter.staff for counter in model.support.counters)
    r = model.residents
    minsei = int((r.alive & r.minsei).sum()) * model.scale
    venues = sum(1 for v in model.venues.venues if v.open and v.kind in (0, 1, 2))
    expected = staff * c.salary_month + minsei * c.minsei_allowance_year / 12
    expected += venues * c.venue_grant_month
    last = ts.iloc[-1]
    assert last["cost_policy"] == 0
    assert last["cost_baseline"] == pytest.approx(expected)
    assert last["cost_total"] == pytest.approx(expected)
    assert last["cost_prefecture"] >= minsei * c.minsei_allowance_year / 12  # 民生委員法 §26
    assert last["cost_insurance_1"] > 0  # 包括 staff and 通いの場 grants


@pytest.mark.parametrize("name", policy_names())
def test_every_shipped_package_runs(name):
    model = _run(load_policy(name), months=15, population=3000)
    assert model.recorder.last()["population"] > 0


def test_cli_prints_the_package_side_by_side_with_the_baseline(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(
        [
            "run",
            "small_town",
            "--policy",
            "jusou_full",
            "--years",
            "2",
            "--scale",
            "5",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    for label in (
        "baseline",
        "jusou_full",
        "Unmet need",
        "Hidden need",
        "Isolation rate",
        "Volunteers",
        "Venues open",
        "Cost to national government",
        "Cost to prefecture",
        "Cost to municipality",
        "Cost to insurance premiums",
    ):
        assert label in text
    # With a package, the run is a paired comparison written as a results set.
    from experiments.store import ResultsStore

    assert len(ResultsStore(out).runs(status="ok")) == 6  # 2 arms × 3 paired seeds
