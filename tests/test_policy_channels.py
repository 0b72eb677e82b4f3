"""Each component at its default (natural-unit) intensity, on paired seeds, and NPO money.

Paired design: the same seed with and without the component (common random numbers), ten
replicates; the difference in the target outcome's mean over months 24-47 must have the
sign the seed claims, with the 90 % paired t-interval excluding 0.
"""

from dataclasses import replace
from functools import cache

import numpy as np
import pandas as pd
import pytest

from model import CommunityModel, InterventionSpec, PolicyPackage
from model.interventions import REGISTRY

from .conftest import small_town

POPULATION, MONTHS, WINDOW = 8000, 48, 24
SEEDS = range(1, 11)
T_90_9DF = 1.833  # two-sided 90 % t quantile, 9 degrees of freedom

# (component, target outcome, the sign the seed claims)
CLAIMS = [
    ("one_stop", "unmet", -1),
    ("multi_agency", "unmet", -1),
    ("outreach", "hidden", -1),
    ("outreach", "isolated", -1),  # 継続的支援 links the isolated to venues
    ("participation", "venue_regulars", +1),
    ("community_building", "venues_open", +1),
    ("platform", "volunteers", +1),
    ("cafe_agreement", "venues_open", +1),
]


@cache
def _series(kind: str | None, seed: int) -> pd.DataFrame:
    if kind is None:
        package = PolicyPackage.baseline()
    else:
        spec = InterventionSpec(kind, start_month=12, intensity=REGISTRY[kind].default_intensity)
        package = PolicyPackage(name=kind, interventions=(spec,))
    scenario = replace(small_town(POPULATION), policy=package)
    return CommunityModel(scenario, seed=seed).run(MONTHS).recorder.timeseries()


def _interval(diffs: np.ndarray) -> tuple[float, float, float]:
    mean = float(diffs.mean())
    half = T_90_9DF * float(diffs.std(ddof=1)) / np.sqrt(diffs.size)
    return mean, mean - half, mean + half


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "column", "sign"), CLAIMS)
def test_each_component_at_its_default_moves_its_target_the_claimed_way(kind, column, sign):
    diffs = []
    for seed in SEEDS:
        base, arm = _series(None, seed), _series(kind, seed)
        w = base["month"] >= WINDOW
        diffs.append(arm.loc[w, column].mean() - base.loc[w, column].mean())
    mean, lo, hi = _interval(np.asarray(diffs))
    assert sign * mean > 0, (kind, column, mean, lo, hi)
    assert (lo > 0) if sign > 0 else (hi < 0), (kind, column, mean, lo, hi)


def test_every_component_declares_a_default_inside_its_range_and_a_source():
    for cls in REGISTRY.values():
        lo, hi = cls.intensity_range
        assert lo <= cls.default_intensity <= hi
        assert cls.intensity_unit
        assert cls.intensity_source
        assert "per 100k" not in cls.intensity_unit
        assert "per district" not in cls.intensity_unit


def test_outreach_follows_a_caseload_for_months_within_its_capacity():
    spec = InterventionSpec("outreach", start_month=12, intensity=2.0)
    scenario = replace(small_town(POPULATION), policy=PolicyPackage("o", interventions=(spec,)))
    model = CommunityModel(scenario, seed=1).run(24)
    outreach = model.interventions[0]
    s = outreach.settings
    assert outreach.case_pid.size > 0
    assert outreach.case_pid.size <= 2.0 * s["caseload_per_worker"] / model.scale
    ages = model.month - outreach.case_since
    assert ages.max() >= 2  # followed over several months, not one knock on the door
    assert ages.max() < s["follow_months"] + 1
    assert np.unique(outreach.case_pid).size == outreach.case_pid.size


def test_outreach_cases_follow_their_residents_through_the_yearly_compaction():
    """After a compaction every case sits on its resident's new row.

    The caseload is then the one found by identity: the rows of the residents with those
    pids, less those who died before it.
    """
    spec = InterventionSpec("outreach", start_month=12, intensity=2.0)
    scenario = replace(small_town(POPULATION), policy=PolicyPackage("o", interventions=(spec,)))
    model = CommunityModel(scenario, seed=1).run(23)
    outreach = model.interventions[0]
    r = model.residents
    before = dict(zip(outreach.case_pid.tolist(), outreach.case_idx.tolist(), strict=True))
    few = outreach.case_idx[: max(1, outreach.case_idx.size // 4)]
    r.alive[few] = False  # a few die before the compaction
    gone = set(r.pid[few].tolist())
    rows_before = r.n
    model.compact()
    assert r.n < rows_before  # the rows did move
    assert set(outreach.case_pid.tolist()) == set(before) - gone
    assert np.array_equal(r.pid[outreach.case_idx], outreach.case_pid)
    pairs = zip(outreach.case_pid.tolist(), outreach.case_idx.tolist(), strict=True)
    assert any(before[pid] != idx for pid, idx in pairs)


# ---- NPO money and shocks ------------------------------------------------------------

PANDEMIC = {"shocks.pandemic_start": 12, "shocks.pandemic_months": 24}
NPO_SEEDS = (1, 2, 3, 4)


def _npos(seed: int, months: int, package: PolicyPackage | None = None, **over) -> np.ndarray:
    scenario = small_town(20_000, **over)
    if package is not None:
        scenario = replace(scenario, policy=package)
    ts = CommunityModel(scenario, seed=seed).run(months).recorder.timeseries()
    return ts["npos"].to_numpy()


@pytest.mark.slow
def test_funding_keeps_npos_alive_under_a_revenue_shock():
    """Revenue cut with no re-forming: the fund tops up NPOs in deficit, so more survive."""
    shock = {**PANDEMIC, "shocks.pandemic_refound": 0.0}
    spec = InterventionSpec("funding", start_month=12, intensity=3_000_000.0)
    fund = PolicyPackage(name="funding", interventions=(spec,))
    without = np.array([_npos(s, 48, **shock)[36:].mean() for s in NPO_SEEDS])
    with_fund = np.array([_npos(s, 48, fund, **shock)[36:].mean() for s in NPO_SEEDS])
    assert (with_fund >= without).all()
    assert with_fund.mean() - without.mean() >= 0.5  # measured ≈ +1.2 NPOs of ≈ 7.5


@pytest.mark.slow
def test_a_pandemic_npo_loss_recovers_within_the_stated_period():
    """Pandemic months 12-35; revenue recovers over 12 months; by month 48 the loss is gone."""
    base = np.array([_npos(s, 48) for s in NPO_SEEDS])
    shock = np.array([_npos(s, 48, **PANDEMIC) for s in NPO_SEEDS])
    trough = shock[:, 36].mean() - base[:, 36].mean()
    after = shock[:, 48].mean() - base[:, 48].mean()
    assert trough < 0  # the pandemic does cost NPOs
    assert abs(after) <= 0.1 * base[:, 48].mean()  # back within 10 % of the baseline


# ---- the 縦割り parameters across their stated sensitivity ranges -----------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "value"),
    [("referral_dropout", 0.1), ("detect_other", 0.5), ("withdrawal_taken", 0.6)],
)
def test_one_stop_lowers_unmet_need_at_the_unfavourable_end_of_each_silo_range(name, value):
    """Fewer drop-outs, better siloed detection, more withdrawal taken: one-stop still helps."""
    spec = InterventionSpec("one_stop", start_month=12, intensity=2.0)
    diffs = []
    for seed in range(1, 6):
        runs = []
        for package in (PolicyPackage.baseline(), PolicyPackage("one_stop", interventions=(spec,))):
            scenario = replace(small_town(POPULATION, **{f"support.{name}": value}), policy=package)
            ts = CommunityModel(scenario, seed=seed).run(MONTHS).recorder.timeseries()
            runs.append(ts.loc[ts["month"] >= WINDOW, "unmet"].mean())
        diffs.append(runs[1] - runs[0])
    assert max(diffs) < 0, diffs
