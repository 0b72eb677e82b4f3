"""Cluster sweeps that survive walltime: workers retired mid-sweep are replaced (adapt).

A real Dask ``LocalCluster`` on 127.0.0.1 scaled adaptively, as a SLURM cluster is; two of
its workers retire while the sweep runs (as a SLURM job's workers do at their lifetime),
adaptive scaling starts new ones, tasks are submitted in a bounded window, and every run
arrives exactly once.
"""

import logging
import os
import socket

import pandas as pd
import pytest

from experiments.backends import DaskBackend
from experiments.cluster import DASK_HTTP, SlurmOptions, scale_adaptively, walltime_seconds
from experiments.store import ResultsStore
from experiments.sweep import run_experiment
from kyosei.errors import UsageError

from .experiment_files import write_experiment

WINDOW = 3


@pytest.mark.distributed
@pytest.mark.slow
def test_workers_retired_mid_sweep_are_replaced_and_every_run_arrives_once(tmp_path):
    import dask
    from distributed import Client, LocalCluster

    # A SpecCluster forgets a worker that left after this timeout (15 s by default); only
    # then does adaptive scaling start a replacement. Shortened so the test is quick.
    stack = dask.config.set({"distributed.deploy.lost-worker-timeout": "200ms"})
    path = write_experiment(tmp_path, replications=4, years=1, scale=20)  # 3 points × 4 = 12
    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=DASK_HTTP,
        silence_logs=logging.ERROR,
    )
    client = Client(cluster, set_as_default=False)
    cluster.adapt(minimum=2, maximum=2, interval="100ms", wait_count=1)
    backend = DaskBackend(client, cluster, "LocalCluster, adaptive", window=WINDOW)
    seen: list[str] = []
    in_flight: list[int] = []
    retired: list[str] = []

    def retire_some(result):
        seen.append(result.run_id)
        in_flight.append(len(client.futures))
        if len(seen) in (3, 7):
            client.wait_for_workers(2, timeout=60)  # the first one's replacement has arrived
            address = sorted(client.scheduler_info(n_workers=-1)["workers"])[0]
            done = client.retire_workers(workers=[address], close_workers=True)
            if address in done:
                retired.append(address)

    try:
        summary = run_experiment(
            path, tmp_path / "out", backend=backend, progress=False, on_result=retire_some
        )
        client.wait_for_workers(2, timeout=60)  # the second one's replacement
        still = set(client.scheduler_info(n_workers=-1)["workers"])
    finally:
        backend.close()
        stack.__exit__(None, None, None)
    assert len(set(retired)) == 2
    assert summary.ok == summary.planned == 12
    assert summary.lost == summary.failed == 0
    assert len(seen) == len(set(seen)) == 12  # each run delivered exactly once
    raw = pd.read_parquet(tmp_path / "out" / "runs")
    assert len(raw) == 12
    assert raw["run_id"].is_unique
    assert max(in_flight) <= WINDOW  # never more tasks submitted than the window
    # Both retired workers were replaced: two workers at the end, neither a retired one.
    assert len(still) == 2
    assert not (still & set(retired))
    # Every run was computed in a worker process, none in this one. (Which workers took
    # them is the scheduler's choice: a retired worker hands its task to the other, so one
    # worker may run all twelve; asserting a spread made this test flaky.)
    workers = set(ResultsStore(tmp_path / "out").runs()["worker"])
    assert workers
    assert f"{socket.gethostname()}:{os.getpid()}" not in workers


def test_slurm_workers_retire_before_walltime_and_jobs_scale_adaptively():
    options = SlurmOptions(walltime="01:00:00", jobs=8, min_jobs=2)
    assert options.lifetimes() == ("3060s", "180s")  # 85 % ± 5 % of an hour
    args = options.job_kwargs()["worker_extra_args"]
    assert args == ["--lifetime", "3060s", "--lifetime-stagger", "180s"]
    assert SlurmOptions(lifetime="50m").lifetimes()[0] == "50m"
    assert walltime_seconds("2-12") == 2 * 86400 + 12 * 3600
    assert walltime_seconds("90") == 5400
    assert walltime_seconds("01:30") == 90
    with pytest.raises(UsageError, match="--slurm-walltime"):
        walltime_seconds("one hour")
    with pytest.raises(UsageError, match="--slurm-min-jobs 9"):
        SlurmOptions(jobs=8, min_jobs=9).job_kwargs()

    class Recorder:
        def adapt(self, **kwargs):
            self.kwargs = kwargs

    cluster = Recorder()
    scale_adaptively(cluster, options)
    assert cluster.kwargs == {"minimum_jobs": 2, "maximum_jobs": 8}
