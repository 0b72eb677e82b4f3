"""Runs that differ only in their policy share one built, warmed-up town, bit-identically.

A sweep builds and warms up a town once for all the policy packages run on one seed
(``CommunityModel.with_policy``, ``experiments.run.run_group``); every output must equal
that of a fresh build of the same run, for every registered policy component.
"""

import dataclasses
import logging
import os

import pandas as pd
import pytest

from experiments.backends import DaskBackend, LocalProcesses, group_size
from experiments.cluster import DASK_HTTP
from experiments.plan import make_plan
from experiments.run import build_key, group_runs, run_group, run_one
from experiments.spec import load_experiment
from experiments.store import ResultsStore
from experiments.sweep import run_experiment
from model import CommunityModel, InterventionSpec, PolicyPackage
from model.interventions.base import REGISTRY
from scenarios import load_scenario

from .experiment_files import comparable_runs

SEED = 11
MONTHS = 18  # past the shipped packages' start (month 12): every component acts


def _every_component(start_month: int = 1) -> PolicyPackage:
    """One package holding every registered component, acting from ``start_month``."""
    return PolicyPackage(
        name="everything",
        interventions=tuple(
            InterventionSpec(kind, start_month=start_month, intensity=cls.default_intensity)
            for kind, cls in sorted(REGISTRY.items())
        ),
    )


def _outputs(model: CommunityModel) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    return model.recorder.timeseries(), model.recorder.districts(), model.timeline()


def _assert_same(a, b) -> None:
    pd.testing.assert_frame_equal(a[0], b[0], check_exact=True)
    pd.testing.assert_frame_equal(a[1], b[1], check_exact=True)
    assert a[2] == b[2]


@pytest.mark.slow
def test_forks_of_one_town_equal_fresh_builds_for_every_policy_component():
    base = load_scenario("district", "baseline", scale=20)
    scenarios = [
        base,
        load_scenario("district", "jusou_full", scale=20),
        dataclasses.replace(base, policy=_every_component()),
        # a policy lever: the same package at another intensity
        load_scenario("district", "outreach", scale=20, overrides={"policy.outreach.intensity": 9}),
    ]
    town = CommunityModel(dataclasses.replace(base, policy=PolicyPackage()), seed=SEED)
    forks = [town.with_policy(s) for s in scenarios[:-1]]
    forks.append(town.with_policy(scenarios[-1], fork=False))  # its last use: the town itself
    series = []
    for scenario, fork in zip(scenarios, forks, strict=True):
        fresh = CommunityModel(scenario, seed=SEED).run(MONTHS)
        _assert_same(_outputs(fork.run(MONTHS)), _outputs(fresh))
        series.append(fresh.recorder.timeseries())
    # The packages did act: their runs differ from the baseline's (so equality means something).
    for other in series[1:]:
        assert not other.equals(series[0])


def test_a_package_from_month_0_acts_from_month_1_and_shares_the_town():
    """No component acts in the warm-up: every package starts from the same month 0."""
    base = load_scenario("district", "baseline", scale=20)
    early = dataclasses.replace(base, policy=_every_component(start_month=0))
    fresh = CommunityModel(early, seed=SEED)
    baseline = CommunityModel(base, seed=SEED)
    pd.testing.assert_frame_equal(
        fresh.recorder.timeseries(), baseline.recorder.timeseries(), check_exact=True
    )
    town = CommunityModel(dataclasses.replace(base, policy=PolicyPackage()), seed=SEED)
    _assert_same(_outputs(town.with_policy(early).run(3)), _outputs(fresh.run(3)))
    # and the components did act from month 1 (so equality above means something)
    assert not fresh.recorder.timeseries().equals(baseline.run(3).recorder.timeseries())


def test_a_town_is_shared_only_when_nothing_can_differ():
    base = load_scenario("district", "baseline", scale=20)
    town = CommunityModel(dataclasses.replace(base, policy=PolicyPackage()), seed=SEED)
    other = load_scenario("district", "baseline", scale=20, overrides={"demography.tfr": 1.4})
    with pytest.raises(ValueError, match="parameters"):
        town.with_policy(other)
    with pytest.raises(ValueError, match="parameters"):
        town.with_policy(dataclasses.replace(base, scale=10))
    with_package = town.with_policy(load_scenario("district", "outreach", scale=20))
    with pytest.raises(ValueError, match="just built"):
        with_package.with_policy(base)
    town.step()
    with pytest.raises(ValueError, match="just built"):
        town.with_policy(base)


def _experiment(folder, policies: str, replications: int = 2, extra: str = "") -> object:
    path = folder / "exp.toml"
    path.write_text(
        f"""
[experiment]
name = "shared"
root_seed = 5
replications = {replications}
years = 1
scale = 20
towns = ["district"]
policies = [{policies}]
{extra}
""",
        encoding="utf-8",
    )
    return load_experiment(path)


@pytest.mark.slow
def test_runs_of_one_seed_and_parameters_are_grouped_and_equal_fresh_builds(tmp_path):
    experiment = _experiment(tmp_path, '"baseline", "outreach", "one_stop"')
    plan = make_plan(experiment)
    keys = [build_key(spec) for spec in plan.runs]
    # Replicate-major order: the three packages of replicate 0, then of replicate 1.
    assert keys[0] == keys[1] == keys[2] != keys[3] == keys[4] == keys[5]
    groups = group_runs(plan.runs, 8)
    assert [len(g) for g in groups] == [3, 3]
    assert [len(g) for g in group_runs(plan.runs, 2)] == [2, 1, 2, 1]
    shared = [r for group in groups for r in run_group(group)]
    for spec, result in zip(plan.runs, shared, strict=True):
        fresh = run_one(spec)  # a group of one: a fresh build, as before
        assert result.status == fresh.status == "ok"
        assert result.run_id == spec.run_id
        _assert_same(
            (result.timeseries, result.districts, result.timeline),
            (fresh.timeseries, fresh.districts, fresh.timeline),
        )


def test_a_package_acting_from_month_0_is_shared(tmp_path):
    package = tmp_path / "early.toml"
    package.write_text(
        '[policy]\nname = "early"\n\n[[intervention]]\nkind = "outreach"\nstart_month = 0\n'
        "intensity = 2\n",
        encoding="utf-8",
    )
    plan = make_plan(_experiment(tmp_path, f'"baseline", "{package}"', replications=1))
    assert build_key(plan.runs[0]) == build_key(plan.runs[1])
    assert [len(g) for g in group_runs(plan.runs, 8)] == [2]


def test_group_sizes_keep_work_spread_over_the_workers():
    assert group_size(6, 2) == 2
    assert group_size(1000, 2) == 8
    assert group_size(3, 4) == 1


@pytest.fixture(scope="module")
def in_process(tmp_path_factory):
    """6 runs (3 packages × 2 replicates) in this process; on 2 workers: groups of 2."""
    folder = tmp_path_factory.mktemp("shared")
    experiment = _experiment(folder, '"baseline", "outreach", "jusou_full"')
    summary = run_experiment(experiment, folder / "one", workers=1, progress=False)
    assert summary.ok == 6
    return experiment, ResultsStore(folder / "one")


def _assert_same_store(store: ResultsStore, reference: ResultsStore) -> None:
    pd.testing.assert_frame_equal(comparable_runs(store.runs()), comparable_runs(reference.runs()))
    pd.testing.assert_frame_equal(store.timeseries(), reference.timeseries())
    pd.testing.assert_frame_equal(store.districts(), reference.districts())
    pd.testing.assert_frame_equal(store.timeline(), reference.timeline())


@pytest.mark.slow
def test_grouped_runs_on_two_local_processes_equal_one_process(in_process, tmp_path):
    experiment, reference = in_process
    summary = run_experiment(experiment, tmp_path / "two", workers=2, progress=False)
    assert summary.ok == 6
    _assert_same_store(ResultsStore(tmp_path / "two"), reference)


@pytest.mark.slow
@pytest.mark.distributed
def test_grouped_runs_on_dask_workers_equal_one_process(in_process, tmp_path):
    from distributed import Client, LocalCluster

    experiment, reference = in_process
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=DASK_HTTP,
        silence_logs=logging.ERROR,
    )
    client = Client(cluster, set_as_default=False)
    backend = DaskBackend(client, cluster, "LocalCluster")
    try:
        summary = run_experiment(experiment, tmp_path / "dask", backend=backend, progress=False)
    finally:
        backend.close()
    assert summary.ok == 6
    _assert_same_store(ResultsStore(tmp_path / "dask"), reference)


@pytest.mark.slow
def test_pool_workers_run_in_sessions_of_their_own():
    # Linux shares the CPU between sessions: workers of one session would share one share.
    backend = LocalProcesses(2)
    try:
        sessions = {backend._pool.submit(os.getsid, 0).result() for _ in range(4)}
    finally:
        backend.close()
    assert os.getsid(0) not in sessions
