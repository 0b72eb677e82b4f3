"""Worker faults stay local: a killed worker costs only its runs; a killed sweep leaves no process.

Real processes only: workers are killed with SIGKILL, the sweep itself is killed with
SIGKILL, and the survivors are looked for in /proc.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments.backends import LocalProcesses
from experiments.store import ResultsStore
from experiments.sweep import run_experiment

from .experiment_files import comparable_runs, write_experiment

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]


def _experiment(folder: Path) -> Path:
    return write_experiment(folder, replications=2, years=3, scale=20)  # 6 short runs


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids += [int(k) for k in (task / "children").read_text().split()]
        except OSError:
            continue
    return kids


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for kid in _children(todo.pop()):
            found.append(kid)
            todo.append(kid)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie has ended; it only waits to be reaped


def _wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_killed_worker_loses_only_its_runs_which_are_retried_once(tmp_path):
    exp = _experiment(tmp_path)
    reference = tmp_path / "one"
    run_experiment(exp, reference, workers=1, progress=False)
    backend = LocalProcesses(2)
    killed: list[int] = []

    def kill_a_worker(result):
        if not killed:
            pid = next(iter(backend._pool._processes))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    out = tmp_path / "two"
    try:
        summary = run_experiment(
            exp, out, backend=backend, progress=False, flush_seconds=0, on_result=kill_a_worker
        )
    finally:
        backend.close()
    assert killed
    assert backend.restarts >= 1
    assert (summary.ok, summary.lost, summary.failed) == (6, 0, 0)
    raw = pd.read_parquet(out / "runs")
    assert raw["run_id"].is_unique
    assert len(raw) == 6
    one, two = ResultsStore(reference), ResultsStore(out)
    pd.testing.assert_frame_equal(comparable_runs(one.runs()), comparable_runs(two.runs()))
    pd.testing.assert_frame_equal(one.timeseries(), two.timeseries())


def _sweep(exp: Path, out: Path) -> subprocess.Popen[bytes]:
    log = out.with_suffix(".log").open("wb")
    try:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kyosei",
                "sweep",
                str(exp),
                "--out",
                str(out),
                "--workers",
                "2",
                "--no-progress",
                "--flush-seconds",
                "0",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    finally:
        log.close()  # the child has its own copy


def _log(out: Path) -> str:
    return out.with_suffix(".log").read_text(errors="replace")


def _workers_of(sweep: subprocess.Popen[bytes]) -> list[int]:
    """Pool workers: the children of the forkserver, itself a child of the sweep."""
    return [w for fs in _children(sweep.pid) for w in _children(fs)]


def test_sigkill_of_one_worker_of_the_cli_sweep_still_exits_0_with_every_run_once(tmp_path):
    exp = _experiment(tmp_path)
    out = tmp_path / "out"
    sweep = _sweep(exp, out)
    try:
        assert _wait_for(lambda: len(_workers_of(sweep)) == 2, 60)
        assert _wait_for(lambda: any((out / "runs").glob("part-*.parquet")), 60)
        os.kill(_workers_of(sweep)[0], signal.SIGKILL)
        sweep.wait(120)
    finally:
        if sweep.poll() is None:
            sweep.kill()
    assert sweep.returncode == 0, _log(out)
    raw = pd.read_parquet(out / "runs")
    assert raw["run_id"].is_unique
    assert len(raw) == 6
    assert (raw["status"] == "ok").all()


def test_sigkill_of_the_sweep_leaves_no_process_after_5_s(tmp_path):
    exp = _experiment(tmp_path)
    out = tmp_path / "out"
    sweep = _sweep(exp, out)
    try:
        assert _wait_for(lambda: len(_workers_of(sweep)) == 2, 60)
        assert _wait_for(lambda: any((out / "runs").glob("part-*.parquet")), 60)  # at work
        family = _descendants(sweep.pid)  # forkserver, resource tracker, workers
        assert len(family) >= 3
        os.kill(sweep.pid, signal.SIGKILL)
        sweep.wait(10)
        assert _wait_for(lambda: not any(_alive(p) for p in family), 5.0), [
            p for p in family if _alive(p)
        ]
    finally:
        if sweep.poll() is None:
            sweep.kill()


def test_ctrl_c_gives_the_prompt_back_quickly_and_keeps_finished_runs(tmp_path):
    exp = write_experiment(tmp_path, replications=2, years=30, scale=20)  # runs of seconds
    out = tmp_path / "out"
    sweep = _sweep(exp, out)
    try:
        assert _wait_for(lambda: len(_workers_of(sweep)) == 2, 60)
        assert _wait_for(lambda: (out / ".writing").exists(), 60)
        family = _descendants(sweep.pid)
        time.sleep(3.0)  # both workers are inside a run now
        started = time.monotonic()
        sweep.send_signal(signal.SIGINT)
        sweep.wait(30)
        took = time.monotonic() - started
    finally:
        if sweep.poll() is None:
            sweep.kill()
    assert sweep.returncode == 130
    assert took < 5.0
    assert _wait_for(lambda: not any(_alive(p) for p in family), 5.0)
