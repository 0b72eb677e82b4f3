"""Scenario discovery: PRIM on a store written by the real writer finds a planted rule."""

import importlib.util
from dataclasses import replace

import numpy as np
import pytest

from experiments.discovery import discover
from experiments.run import run_one
from experiments.spec import parse_experiment
from experiments.store import ResultsStore
from experiments.sweep import run_experiment
from kyosei.cli import main

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("ema_workbench") is None,
        reason="the EMA Workbench is not installed (pip install 'kyosei[ema]'; make test does)",
    ),
]

TEXT = """
[experiment]
name = "planted"
root_seed = 3
replications = 1
years = 1
scale = 40
towns = ["small_town"]
policies = ["baseline"]

[design]
kind = "latin_hypercube"
samples = 60

[uncertainties]
"demography.tfr" = { min = 1.1, max = 1.6 }
"policy.outreach.intensity" = { min = 0, max = 4 }

[levers]
"policy.one_stop.enabled" = [false, true]

[outcomes]
metrics = ["unmet_share"]
"""


def planted(tfr: float, one_stop: bool) -> float:
    """The rule PRIM should find: unmet need is high where tfr < 1.3 and no one-stop desk."""
    return 0.05 if tfr < 1.3 and not one_stop else 0.01


class Planted:
    """A backend whose runs are one real run's output, with unmet_share set by the rule."""

    description = "planted rule"
    workers = 1

    def __init__(self):
        self.template = None

    def map_unordered(self, specs):
        for spec in specs:
            if self.template is None:
                self.template = run_one(spec)
            inputs = dict(spec.inputs)
            value = planted(inputs["demography.tfr"], inputs["policy.one_stop.enabled"])
            ts = self.template.timeseries.copy()
            ts["unmet_share"] = value
            yield replace(self.template, run_id=spec.run_id, timeseries=ts)

    def close(self):
        pass


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planted")
    path = folder / "planted.toml"
    path.write_text(TEXT)
    run_experiment(path, folder / "out", backend=Planted(), progress=False)
    return ResultsStore(folder / "out")


def test_prim_finds_the_planted_box(store):
    assert store.counts()["ok"] == 120
    loose = discover(store, "unmet_share", above=0.03)  # default: density ≥ 0.8
    assert loose.coverage >= 0.9
    assert loose.density >= 0.8
    found = discover(store, "unmet_share", above=0.03, min_density=0.95)
    assert found.month == 12
    runs = store.runs()
    truth = [
        planted(t, o) > 0.03
        for t, o in zip(runs["demography.tfr"], runs["policy.one_stop.enabled"], strict=True)
    ]
    assert found.cases == sum(truth)
    assert found.coverage >= 0.9
    assert found.density >= 0.95
    limits = found.limits.set_index("parameter")
    assert set(limits.index) == {"demography.tfr", "policy.one_stop.enabled"}
    assert limits.loc["policy.one_stop.enabled", "box"] == "false"
    assert 1.25 <= limits.loc["demography.tfr", "hi"] <= 1.35
    assert limits.loc["demography.tfr", "lo"] == pytest.approx(runs["demography.tfr"].min())
    assert np.all(np.diff(found.trajectory["mass"].to_numpy()) <= 1e-12)  # a peeling trajectory


def test_below_finds_the_complement_and_bad_thresholds_are_refused(store, capsys):
    found = discover(store, "unmet_share", below=0.03)
    assert found.density >= 0.8
    assert main(["discover", str(store.path), "--metric", "unmet_share", "--above", "0.2"]) == 2
    assert "no run has unmet_share > 0.2" in capsys.readouterr().err
    assert main(["discover", str(store.path), "--metric", "unmet_share"]) == 2
    assert "exactly one of --above or --below" in capsys.readouterr().err


def test_cli_prints_the_box_coverage_and_density(store, capsys):
    # --year is a calendar year, like the store's year column (month 12 is in the 2nd year).
    last_year = int(store.timeseries(["year"], months=[12])["year"].iloc[0])
    args = ["discover", str(store.path), "--metric", "unmet_share", "--year", str(last_year)]
    assert main([*args, "--above", "0.03", "--density", "0.95"]) == 0
    out = capsys.readouterr().out
    assert "unmet_share > 0.03 at month 12" in out
    assert "coverage" in out
    assert "density" in out
    assert "demography.tfr" in out
    assert "policy.one_stop.enabled" in out
    assert "policy.outreach.intensity" not in out
    with pytest.raises(SystemExit) as exit_:  # argparse: one of --year and --month
        main([*args, "--above", "0.03", "--month", "12"])
    assert exit_.value.code == 2


def test_year_is_a_calendar_year_read_at_its_last_month(store, capsys):
    ts = store.timeseries(["year"], runs=store.runs()["run_id"][:1])
    first = int(ts["year"].iloc[0])
    assert store.month_of_year(first) == int(ts.loc[ts["year"] == first, "month"].max())
    assert store.month_of_year(first + 1) == 12
    args = ["discover", str(store.path), "--metric", "unmet_share", "--above", "0.03"]
    assert main([*args, "--year", "1"]) == 2  # years from the start are not calendar years
    err = capsys.readouterr().err
    assert f"a calendar year from {first} to {first + 1}" in err


def test_the_experiment_is_what_the_store_ran():
    # The fixture's text is a valid experiment (guards the test against silent changes).
    assert parse_experiment(TEXT, file="planted.toml").design.samples == 60
