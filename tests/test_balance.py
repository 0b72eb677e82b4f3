"""A start at its own balance: month 0 equals the inputs, and a frozen town stays put.

The stationarity test freezes the town as the warm-up does — no aging, births, deaths,
migration or household change, and no calendar trends — and runs the baseline for 20
years: whatever still drifts would be the start out of balance with the model's rules.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from model import sources
from model.calibration import TARGETS
from model.core import CommunityModel
from model.needs import CARE, DISABILITY, WITHDRAWAL
from model.parameters import describe
from model.scenario import Params
from scenarios import load_scenario

FROZEN = {
    "switches.demography": False,
    "ties.neighbour_trend": 0.0,
    "ties.kin_trend": 0.0,
    "minsei.fill_trend": 0.0,
}
SEEDS = (1, 2, 3, 4, 5)

Job = tuple[str, float, int, int, tuple[tuple[str, object], ...]]


def _run(job: Job) -> pd.DataFrame:
    """One run: (town, scale, seed, months, overrides) -> its monthly outputs."""
    town, scale, seed, months, overrides = job
    scenario = load_scenario(town, scale=scale, overrides=dict(overrides))
    return CommunityModel(scenario, seed=seed).run(months).recorder.timeseries()


def _runs(jobs: list[Job]) -> list[pd.DataFrame]:
    """The runs of ``jobs`` in two worker processes (CI has two cores), in order.

    Each run is seeded, so the outputs are those of running them one after another.
    """
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        return list(pool.map(_run, jobs))


def test_month_zero_has_the_profiles_minsei_fill() -> None:
    scenario = load_scenario("small_town")
    fill = scenario.params.minsei.fill_initial
    for seed in (1, 2):
        ts = CommunityModel(scenario, seed=seed).recorder.timeseries()
        assert abs(float(ts["minsei_fill_rate"].iloc[0]) - fill) <= 0.01


def test_month_zero_has_withdrawal_at_the_balance_of_its_rules() -> None:
    """After the warm-up the withdrawn stock is the count whose onsets and exits balance.

    Spells last about 12 years, longer than the warm-up: without this the stock seeded at
    onset / exit is still falling at month 0 (and 8050 households with it).
    """
    scenario = load_scenario("district", scale=4)
    model = CommunityModel(scenario, seed=3)
    r, t = model.residents, model.needs_tables
    years = r.age_m // 12
    at_risk = r.alive & (years >= 15) & (years < 65)
    withdrawn = at_risk & (r.sev[WITHDRAWAL] > 0)
    exit_p = np.where(r.supported[WITHDRAWAL], t.withdrawal_exit_supported, t.withdrawal_exit)
    x = float(exit_p[withdrawn].mean())
    o = t.withdrawal_onset
    expected = at_risk.sum() * o / (o + x)
    assert abs(int(withdrawn.sum()) - expected) <= 1.0  # the balance, rounded once


def test_chronic_needs_start_at_the_frozen_towns_balance() -> None:
    """Care and disability needs are known and supported at month 0, and stay so.

    In a frozen town they neither start nor end and their support never stops, so that
    is the stock their rules sustain (``needs.balance_chronic``). A long warm-up only
    approaches it: some disabilities were still unmet after 120 months.
    """
    scenario = load_scenario("district", scale=4, overrides=FROZEN)
    model = CommunityModel(scenario, seed=2)
    r = model.residents
    chronic = (r.sev[[CARE, DISABILITY]] > 0) & r.alive
    assert chronic.sum() > 100
    assert (r.supported[[CARE, DISABILITY]] | ~chronic).all()
    model.run(12)
    r = model.residents
    chronic = (r.sev[[CARE, DISABILITY]] > 0) & r.alive
    assert (r.supported[[CARE, DISABILITY]] | ~chronic).all()


@pytest.mark.slow
def test_a_frozen_town_keeps_its_stocks() -> None:
    """Demography and calendar trends off, baseline, small_town, 20 years, 5 seeds.

    Shares within ±1 pt of month 0, counts within ±10 % (means over the seeds). Where a
    stock is many people (unmet share of need, isolation, participation, volunteers,
    memberships, double care) the 20th year is compared with month 0. Two stocks are a
    handful of units in this town — 62 民生委員 posts (one post is 1.6 pt; the 5-seed mean of
    one year has a sampling error of about 1.3 pt) and about 8 households in 8050 — so
    they are compared as the mean of the second decade (years 11-20), where the same
    tolerances are 1.7 and 0.6 sampling errors. 8050 remains noisy (16 %): a miss on it
    alone may be chance; then run more seeds.
    """
    at_year_20 = ("unmet_of_need", "isolation_rate", "participation_rate")
    counts_20 = ("volunteers", "group_members", "double_care")
    second_decade = ("minsei_fill_rate", "hh_8050")
    start: dict[str, list[float]] = {c: [] for c in (*at_year_20, *counts_20, *second_decade)}
    end: dict[str, list[float]] = {c: [] for c in start}
    for ts in _runs([("small_town", 1.0, seed, 12 * 20, tuple(FROZEN.items())) for seed in SEEDS]):
        assert ts["population"].nunique() == 1
        for c in start:
            start[c].append(float(ts[c].iloc[0]))
            window = 120 if c in second_decade else 12  # years 11-20, or the 20th year
            end[c].append(float(ts[c].iloc[-window:].mean()))
    report = {
        c: (round(float(np.mean(start[c])), 4), round(float(np.mean(end[c])), 4)) for c in start
    }
    print(report)  # month 0 and the end, means over the seeds (shown with pytest -s)
    for c in (*at_year_20, "minsei_fill_rate"):
        drift = np.mean(end[c]) - np.mean(start[c])
        assert abs(drift) <= 0.01, f"{c}: {report}"
    for c in (*counts_20, "hh_8050"):
        ratio = np.mean(end[c]) / np.mean(start[c])
        assert abs(ratio - 1.0) <= 0.10, f"{c}: {report}"


def test_every_cited_source_key_is_in_the_sources_file() -> None:
    texts = [row["source"] for row in describe(Params())]
    texts += [t.source for t in TARGETS]
    for key in sources.cited_in(texts):
        sources.lookup(key)


@pytest.mark.slow
def test_scale_ten_gives_the_answers_of_the_one_to_one_town() -> None:
    """``--scale 10`` vs 1:1, 10 years, 5 seeds each: every figure within 3 standard errors.

    small_town, as the issue asks (two worker processes). A smaller town does not
    do: in the 20,000-resident ``district`` profile scale 10 leaves four 民生委員 posts,
    and the fill rate moves in steps of 25 pt.
    """
    names = (
        "population",
        "aging_rate",
        "unmet_of_need",
        "hidden_share",
        "isolation_rate",
        "participation_rate",
        "volunteers_per_1000",
        "minsei_fill_rate",
    )
    jobs: list[Job] = [
        ("small_town", scale, seed, 12 * 10, ()) for scale in (1.0, 10.0) for seed in SEEDS
    ]
    rows = []
    for ts in _runs(jobs):
        last = ts.iloc[-12:]
        last = last.assign(volunteers_per_1000=1000 * last["volunteers"] / last["population"])
        rows.append(last[list(names)].mean().to_numpy())
    a, b = np.asarray(rows[: len(SEEDS)]), np.asarray(rows[len(SEEDS) :])
    se = np.sqrt(a.var(axis=0, ddof=1) / a.shape[0] + b.var(axis=0, ddof=1) / b.shape[0])
    for i, name in enumerate(names):
        print(f"{name}: 1:1 {a[:, i].mean():.4f} vs 1:10 {b[:, i].mean():.4f}, se {se[i]:.4f}")
    for i, name in enumerate(names):
        gap = abs(b[:, i].mean() - a[:, i].mean())
        assert gap <= 3 * se[i], f"{name}: 1:1 {a[:, i].mean():.4f} vs 1:10 {b[:, i].mean():.4f}"
