"""A real Dask scheduler and two workers on 127.0.0.1.

Same results as local; a worker killed mid-sweep costs nothing: every run arrives once.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments.cluster import DASK_HTTP
from experiments.store import ResultsStore
from experiments.sweep import run_experiment

from .experiment_files import comparable_runs, write_experiment

pytestmark = pytest.mark.distributed


def _dask_cli(*args: str) -> list[str]:
    """The ``dask`` command of this environment (the module form if the script is missing)."""
    script = Path(sys.executable).with_name("dask")
    if script.exists():
        return [str(script), *args]
    module = {
        "scheduler": "distributed.cli.dask_scheduler",
        "worker": "distributed.cli.dask_worker",
    }
    return [sys.executable, "-m", module[args[0]], *args[1:]]


@pytest.fixture
def dask_cluster(tmp_path):
    """``dask scheduler`` + two single-threaded ``dask worker`` processes.

    No nanny, so a killed worker stays dead. Yields (address, {name: worker process}).
    """
    scheduler_file = tmp_path / "scheduler.json"
    common = ["--no-dashboard", "--dashboard-address", DASK_HTTP]  # metrics: loopback, free port
    procs: list[subprocess.Popen] = []
    log = (tmp_path / "dask.log").open("w")
    try:
        procs.append(
            subprocess.Popen(
                _dask_cli(
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--scheduler-file",
                    str(scheduler_file),
                    *common,
                ),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        address = json.loads(scheduler_file.read_text())["address"]
        workers = {}
        for name in ("w1", "w2"):
            workers[name] = subprocess.Popen(
                _dask_cli(
                    "worker",
                    address,
                    "--name",
                    name,
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--host",
                    "127.0.0.1",
                    "--local-directory",
                    str(tmp_path / name),
                    *common,
                ),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            procs.append(workers[name])
        from distributed import Client

        with Client(address, timeout="30s", set_as_default=False) as client:
            client.wait_for_workers(2, timeout=60)
        yield address, workers
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()
        shutil.rmtree(tmp_path / "w1", ignore_errors=True)
        shutil.rmtree(tmp_path / "w2", ignore_errors=True)


@pytest.fixture(scope="module")
def local_reference(tmp_path_factory):
    folder = tmp_path_factory.mktemp("local")
    path = write_experiment(folder, replications=6, years=4, scale=20)  # 18 runs
    run_experiment(path, folder / "out", workers=1, progress=False)
    return path, ResultsStore(folder / "out")


def test_dask_scheduler_and_two_workers_give_the_local_results(
    dask_cluster, local_reference, tmp_path
):
    address, _ = dask_cluster
    path, local = local_reference
    summary = run_experiment(path, tmp_path / "dask", cluster=address, progress=False)
    assert summary.ok == summary.planned == 18
    assert summary.workers == 2
    remote = ResultsStore(tmp_path / "dask")
    pd.testing.assert_frame_equal(comparable_runs(remote.runs()), comparable_runs(local.runs()))
    pd.testing.assert_frame_equal(remote.timeseries(), local.timeseries())
    pd.testing.assert_frame_equal(remote.districts(), local.districts())
    # Both workers took part (runs record host:pid of the process that ran them).
    pids = {w.split(":")[-1] for w in remote.runs()["worker"]}
    assert len(pids) == 2
    assert str(os.getpid()) not in pids


def test_a_worker_killed_mid_sweep_loses_no_run_and_duplicates_none(
    dask_cluster, local_reference, tmp_path
):
    address, workers = dask_cluster
    path, local = local_reference
    seen: list[str] = []

    def kill_after_three(result):
        seen.append(result.run_id)
        if len(seen) == 3:
            os.kill(workers["w1"].pid, signal.SIGKILL)

    summary = run_experiment(
        path, tmp_path / "dask", cluster=address, progress=False, on_result=kill_after_three
    )
    assert workers["w1"].wait(timeout=10) == -signal.SIGKILL
    assert summary.ok == summary.planned == 18
    assert summary.lost == summary.failed == 0
    assert len(seen) == len(set(seen)) == 18  # each run delivered exactly once
    remote = ResultsStore(tmp_path / "dask")
    raw = pd.read_parquet(tmp_path / "dask" / "runs")
    assert len(raw) == 18
    assert raw["run_id"].is_unique
    # The surviving worker did most of the sweep (w1 died early, with work queued).
    by_w2 = remote.runs()["worker"].str.endswith(f":{workers['w2'].pid}").sum()
    assert by_w2 > 9
    pd.testing.assert_frame_equal(comparable_runs(remote.runs()), comparable_runs(local.runs()))
    pd.testing.assert_frame_equal(remote.timeseries(), local.timeseries())


@pytest.mark.distributed
def test_a_local_cluster_listens_on_loopback_only_and_a_taken_8787_does_not_matter() -> None:
    # Dask's default HTTP port taken (another sweep, a notebook): the sweep's cluster starts
    # without a word (warnings are errors here) and keeps every port on 127.0.0.1.
    from experiments.cluster import open_backend

    with socket.socket() as busy:
        with contextlib.suppress(OSError):  # already taken by someone else: as good
            busy.bind(("127.0.0.1", 8787))
            busy.listen()
        backend = open_backend(cluster="local:1")
        try:
            scheduler = backend.cluster.scheduler
            assert scheduler.http_server.address == "127.0.0.1"
            assert scheduler.http_server.port != 8787
            assert backend.client.scheduler.address.startswith("tcp://127.0.0.1:")
        finally:
            backend.close()
