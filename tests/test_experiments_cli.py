"""``kyosei sweep``: bad input refused with exit 2 and nothing written; a killed sweep resumes."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments.store import ResultsStore
from experiments.sweep import run_experiment
from kyosei.cli import main

from .experiment_files import comparable_runs, folder_files, write_experiment


def _free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


BAD_FILES = [
    ('"demography.tfx" = { min = 1.0, max = 2.0 }', "", "uncertainties.demography.tfx"),
    ('"demography.tfr" = { min = 1.6, max = 1.1 }', "", "uncertainties.demography.tfr.min"),
    (None, ('kind = "latin_hypercube"', 'kind = "taguchi"'), "design.kind"),
    (None, ("replications = 2", "replications = 0"), "experiment.replications"),
    (None, ('towns = ["district"]', 'towns = ["atlantis"]'), "experiment.towns[0]"),
    (None, ('policies = ["baseline"]', 'policies = ["nope"]'), "experiment.policies[0]"),
]


@pytest.mark.parametrize(("uncertainties", "edit", "field"), BAD_FILES)
def test_bad_experiment_file_exits_2_naming_file_and_field_and_writes_nothing(
    tmp_path, capsys, uncertainties, edit, field
):
    kwargs = {"uncertainties": uncertainties} if uncertainties else {}
    path = write_experiment(tmp_path, **kwargs)
    if edit:
        path.write_text(path.read_text().replace(*edit))
    before = folder_files(tmp_path)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err
    assert field in err
    assert "is not allowed" in err
    assert folder_files(tmp_path) == before


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--cluster", "tcp://127.0.0.1:{port}", "--connect-timeout", "1"], "no Dask scheduler"),
        (["--cluster", "pbs://nowhere"], "not allowed"),
        (["--cluster", "local:0"], "local:N"),
        (["--workers", "0"], "--workers"),
        (["--cluster", "local:2", "--workers", "2"], "not allowed with"),
    ],
)
def test_bad_cluster_or_workers_exit_2_and_write_nothing(tmp_path, capsys, args, needle):
    path = write_experiment(tmp_path)
    args = [a.replace("{port}", str(_free_port())) for a in args]
    out = tmp_path / "out"
    try:
        code = main(["sweep", str(path), "--out", str(out), *args])
    except SystemExit as exc:  # argparse refuses mutually exclusive options itself
        code = exc.code
    assert code == 2
    assert needle in capsys.readouterr().err
    assert not out.exists()


def test_folder_of_another_experiment_is_refused_with_exit_2(tmp_path, capsys):
    path = write_experiment(tmp_path)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    other = write_experiment(tmp_path, file="other.toml", replications=2, years=3)
    assert main(["sweep", str(other), "--out", str(out), "--workers", "1"]) == 2
    assert "different experiment" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path, capsys):
    path = write_experiment(tmp_path, levers='"demography.out_scale" = [0.8, 1.2]')
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "2 arm(s) × 3 design point(s) × 2 replicate(s) = 12 runs" in text
    assert not (tmp_path / "out").exists()


def test_slurm_job_script_is_rendered_without_a_cluster(tmp_path, capsys):
    path = write_experiment(tmp_path)
    args = ["sweep", str(path), "--cluster", "slurm", "--print-job-script"]
    args += ["--slurm-queue", "short", "--slurm-cores", "8", "--slurm-memory", "16GB"]
    args += ["--slurm-walltime", "02:30:00", "--slurm-account", "kyosei-lab"]
    args += ["--slurm-directive=--qos=long", "--out", str(tmp_path / "out")]
    assert main(args) == 0
    script = capsys.readouterr().out
    assert "#SBATCH -p short" in script
    assert "#SBATCH -A kyosei-lab" in script
    assert "#SBATCH --cpus-per-task=8" in script
    assert "#SBATCH -t 02:30:00" in script
    assert "#SBATCH --qos=long" in script
    assert sys.executable in script  # workers run this environment's Python
    assert "--nthreads 1" in script
    assert "--nworkers 8" in script
    assert not (tmp_path / "out").exists()


def test_sweep_killed_with_sigkill_resumes_without_losing_or_duplicating_runs(tmp_path):
    path = write_experiment(tmp_path, replications=8, years=4, scale=20)  # 24 runs
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "kyosei", "sweep", str(path), "--out", str(out)]
    command += ["--workers", "2", "--no-progress", "--flush-seconds", "0"]
    # A new session, so that the pool's worker processes can be cleaned up afterwards.
    proc = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            parts = list((out / "runs").glob("part-*.parquet")) if out.exists() else []
            if len(parts) >= 4 or proc.poll() is not None:
                break
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)  # the sweep process only, mid-sweep
        proc.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # its orphaned pool workers, if any
    assert proc.returncode == -signal.SIGKILL
    done_before = len(ResultsStore(out).runs())
    assert 4 <= done_before < 24  # it really was killed halfway

    summary = run_experiment(path, out, workers=2, progress=False)
    assert summary.skipped == done_before
    assert summary.ran == 24 - done_before
    resumed = ResultsStore(out)
    raw_runs = pd.read_parquet(out / "runs")
    assert len(raw_runs) == 24
    assert raw_runs["run_id"].is_unique
    raw_ts = pd.read_parquet(out / "timeseries")
    assert not raw_ts.duplicated(["run_id", "month"]).any()
    assert set(raw_ts["run_id"]) == set(raw_runs["run_id"])

    run_experiment(path, tmp_path / "whole", workers=1, progress=False)
    whole = ResultsStore(tmp_path / "whole")
    pd.testing.assert_frame_equal(comparable_runs(resumed.runs()), comparable_runs(whole.runs()))
    pd.testing.assert_frame_equal(resumed.timeseries(), whole.timeseries())
    pd.testing.assert_frame_equal(resumed.districts(), whole.districts())
    assert not list(Path(out).rglob("*.tmp"))
