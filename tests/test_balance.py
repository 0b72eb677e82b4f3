"""A start at its own balance: month 0 equals the inputs, and a frozen town stays put.

The stationarity test freezes the town as the warm-up does — no aging, births, deaths,
migration or household change, and no calendar trends — and runs the baseline for 20
years: whatever still drifts would be the start out of balance with the model's rules.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import sources
from model.calibration import TARGETS
from model.core import CommunityModel
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


def test_month_zero_has_the_profiles_minsei_fill() -> None:
    scenario = load_scenario("small_town")
    fill = scenario.params.minsei.fill_initial
    for seed in (1, 2):
        ts = CommunityModel(scenario, seed=seed).recorder.timeseries()
        assert abs(float(ts["minsei_fill_rate"].iloc[0]) - fill) <= 0.01


@pytest.mark.slow
def test_a_frozen_town_keeps_its_stocks() -> None:
    scenario = load_scenario("small_town", overrides=FROZEN)
    shares = ("unmet_of_need", "isolation_rate", "participation_rate", "minsei_fill_rate")
    counts = ("volunteers", "double_care")
    start: dict[str, list[float]] = {c: [] for c in (*shares, *counts, "hh_8050")}
    end: dict[str, list[float]] = {c: [] for c in start}
    for seed in SEEDS:
        ts = CommunityModel(scenario, seed=seed).run(12 * 20).recorder.timeseries()
        assert ts["population"].nunique() == 1
        for c in start:
            start[c].append(float(ts[c].iloc[0]))
            end[c].append(float(ts[c].iloc[-12:].mean()))  # the 20th year
    for c in shares:
        drift = np.mean(end[c]) - np.mean(start[c])
        assert abs(drift) <= 0.01, f"{c}: {np.mean(start[c]):.4f} -> {np.mean(end[c]):.4f}"
    for c in counts:
        ratio = np.mean(end[c]) / np.mean(start[c])
        assert abs(ratio - 1.0) <= 0.10, f"{c}: {np.mean(start[c]):.1f} -> {np.mean(end[c]):.1f}"
    # 8050 households are about ten in this town: ±10 % is below the sampling noise of
    # five runs, so the check is 3 standard errors of the difference of the means.
    a, b = np.asarray(start["hh_8050"]), np.asarray(end["hh_8050"])
    se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    assert abs(b.mean() - a.mean()) <= 3 * max(se, 1.0)


def test_every_cited_source_key_is_in_the_sources_file() -> None:
    texts = [row["source"] for row in describe(Params())]
    texts += [t.source for t in TARGETS]
    for key in sources.cited_in(texts):
        sources.lookup(key)


@pytest.mark.slow
def test_scale_ten_gives_the_answers_of_the_one_to_one_town() -> None:
    """``--scale 10`` vs 1:1, 10 years, 5 seeds each: every figure within 3 standard errors.

    small_town, as the issue asks (about 40 s on two cores). A smaller town does not
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
    runs: dict[float, np.ndarray] = {}
    for scale in (1.0, 10.0):
        rows = []
        for seed in SEEDS:
            model = CommunityModel(load_scenario("small_town", scale=scale), seed=seed)
            last = model.run(12 * 10).recorder.timeseries().iloc[-12:]
            last = last.assign(volunteers_per_1000=1000 * last["volunteers"] / last["population"])
            rows.append(last[list(names)].mean().to_numpy())
        runs[scale] = np.asarray(rows)
    a, b = runs[1.0], runs[10.0]
    se = np.sqrt(a.var(axis=0, ddof=1) / a.shape[0] + b.var(axis=0, ddof=1) / b.shape[0])
    for i, name in enumerate(names):
        gap = abs(b[:, i].mean() - a[:, i].mean())
        assert gap <= 3 * se[i], f"{name}: 1:1 {a[:, i].mean():.4f} vs 1:10 {b[:, i].mean():.4f}"
