"""The EMA Workbench adapter: EMA's runs are ``kyosei sweep``'s runs, value for value."""

import importlib.util

import numpy as np
import pytest

from experiments.store import ResultsStore
from kyosei.cli import main
from model.parameters import ParameterError

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("ema_workbench") is None,
    reason="the EMA Workbench is not installed (pip install 'kyosei[ema]'; make test installs it)",
)

TOWN, POLICY, SEED, YEARS, SCALE, REPS = "small_town", "baseline", 7, 1, 10, 2
X = {"demography.tfr": (1.1, 1.6), "policy.outreach.start_month": (0, 6)}
L = {"policy.outreach.intensity": (0, 4), "policy.one_stop.enabled": [False, True]}
METRICS = ["unmet_share", "population", "resolved", "hidden"]


def _model():
    from experiments.ema import ema_model

    return ema_model(
        TOWN,
        POLICY,
        uncertainties=X,
        levers=L,
        metrics=METRICS,
        years=YEARS,
        scale=SCALE,
        root_seed=SEED,
        replications=REPS,
    )


@pytest.mark.slow
def test_ema_experiments_equal_kyosei_sweep_value_for_value(tmp_path, capsys):
    from experiments.ema import points, workbench

    ema = workbench()
    model = _model()
    with ema.SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(
            scenarios=8,
            policies=2,
            uncertainty_sampling_kwargs={"rng": 11},  # EMA's own samplers, seeded: a fixed test
            lever_sampling_kwargs={"rng": 12},
        )
    assert len(experiments) == 16
    # The same 16 points as a given design of an experiment file, run by `kyosei sweep`.
    design = points(experiments, model)
    assert list(design.columns) == [*L, *X]
    design.to_parquet(tmp_path / "points.parquet", index=False)
    (tmp_path / "ema.toml").write_text(
        f"""
[experiment]
name = "ema_twin"
root_seed = {SEED}
replications = {REPS}
years = {YEARS}
scale = {SCALE}
towns = ["{TOWN}"]
policies = ["{POLICY}"]

[design]
kind = "given"
file = "points.parquet"

[outcomes]
metrics = {METRICS}
""".replace("'", '"')
    )
    out = tmp_path / "out"
    args = ["sweep", str(tmp_path / "ema.toml"), "--out", str(out), "--workers", "1"]
    assert main([*args, "--no-progress"]) == 0
    capsys.readouterr()
    store = ResultsStore(out)
    assert store.counts()["ok"] == 16 * REPS
    final = store.timeseries(METRICS, months=[12 * YEARS], with_inputs=True)
    for metric in METRICS:
        swept = final.pivot(index="point", columns="replicate", values=metric).sort_index()
        for r in range(REPS):
            np.testing.assert_array_equal(outcomes[f"{metric}_r{r}"], swept[r].to_numpy())
        np.testing.assert_allclose(outcomes[metric], swept.mean(axis=1).to_numpy(), rtol=1e-12)
    # The runs differ between points (the comparison is not between constants).
    assert max(np.unique(outcomes[f"{m}_r0"]).size for m in METRICS) >= 3


def test_outcome_kinds_follow_each_metrics_desired_direction():
    from experiments.ema import workbench
    from model.metrics import METRICS as CATALOGUE

    ScalarOutcome = workbench().ScalarOutcome

    model = _model()
    kinds = {o.name: o.kind for o in model.outcomes}
    assert CATALOGUE["unmet_share"].better == "lower"
    assert kinds["unmet_share"] == ScalarOutcome.MINIMIZE
    assert CATALOGUE["resolved"].better == "higher"
    assert kinds["resolved"] == ScalarOutcome.MAXIMIZE
    assert kinds["population"] == ScalarOutcome.INFO
    assert kinds["unmet_share_r1"] == ScalarOutcome.INFO
    kinds_of = {p.name: type(p).__name__ for p in [*model.uncertainties, *model.levers]}
    assert kinds_of == {
        "demography__tfr": "RealParameter",
        "policy__outreach__start_month": "IntegerParameter",
        "policy__outreach__intensity": "RealParameter",
        "policy__one_stop__enabled": "BooleanParameter",
    }


@pytest.mark.parametrize(
    ("levers", "needle"),
    [
        ({"policy.outreach.intensity": (-3.0, 1.0)}, "from 0 to 100"),
        ({"policy.outreach.intensty": (0.0, 1.0)}, "intensty"),
        ({"policy.one_stop.enabled": (0, 1)}, "a list of values"),
        ({"demography.tfr": [1.2, 1.3]}, "not both"),
    ],
)
def test_bad_levers_are_refused_before_anything_runs(levers, needle):
    from experiments.ema import ema_model

    with pytest.raises(ParameterError, match=needle):
        ema_model(TOWN, POLICY, uncertainties=X, levers=levers, metrics=METRICS, years=1)
