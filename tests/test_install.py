"""The install and the first hour: packaging without warnings, make demo PORT=, the estimate."""

from __future__ import annotations

import socket
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from experiments.spec import load_experiment
from kyosei.cli import main
from kyosei.commands import demo

ROOT = Path(__file__).resolve().parent.parent


def _listening_socket() -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s


def test_pyproject_uses_the_current_metadata_forms():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["license"] == "MIT"  # an SPDX expression, not a table
    assert meta["project"]["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").is_file()
    assert "setuptools>=77" in meta["build-system"]["requires"]
    dev = meta["project"]["optional-dependencies"]["dev"]
    runtime = " ".join(meta["project"]["dependencies"])
    for tool in ("pytest", "playwright", "ruff", "mypy", "hypothesis"):
        assert any(d.startswith(tool) for d in dev)
        assert tool not in runtime  # the runtime install carries no development tools


@pytest.mark.slow
def test_wheel_builds_without_a_warning_and_carries_the_data_files(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    output = result.stdout + result.stderr
    backend = [ln for ln in output.splitlines() if "Warning" in ln or "would be ignored" in ln]
    assert backend == []
    (wheel,) = tmp_path.glob("kyosei-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in (
        "model/sources.toml",
        "scenarios/towns/small_town.toml",
        "scenarios/policies/jusou_full.toml",
        "experiments/default_comparison.toml",
        "dashboards/plotly_chart.vue",
        "dashboards/assets/custom.js",
    ):
        assert data in names
    assert not any(n.startswith(("tests/", "benchmarks/")) or "__pycache__" in n for n in names)


def test_port_in_use_says_how_to_choose_another_for_both_commands(tmp_path, capsys):
    s = _listening_socket()
    port = s.getsockname()[1]
    try:
        code = main(["demo", "--port", str(port), "--results", str(tmp_path / "r")])
    finally:
        s.close()
    assert code == 2
    err = capsys.readouterr().err
    assert f"127.0.0.1:{port}" in err
    assert "kyosei demo --port" in err
    assert "make demo PORT=" in err
    assert not (tmp_path / "r").exists()  # nothing ran, nothing written


@pytest.mark.slow
def test_make_demo_passes_port_through_to_the_command(tmp_path):
    """``make demo PORT=N`` reaches ``kyosei demo --port N`` (a taken port proves it)."""
    runtime = ROOT / ".venv" / ".installed-runtime"
    if not runtime.exists():
        pytest.skip("the runtime stamp .venv/.installed-runtime is made by make demo/make test")
    s = _listening_socket()
    port = s.getsockname()[1]
    try:
        result = subprocess.run(
            ["make", "-s", "-o", str(runtime), "demo", f"PORT={port}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        s.close()
    assert result.returncode != 0
    assert f"127.0.0.1:{port}" in result.stderr
    dry = subprocess.run(
        ["make", "-n", "-o", str(runtime), "demo", "PORT=8801"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "kyosei demo --port 8801" in dry.stdout


def test_estimate_scales_with_runs_and_workers_and_is_said_before_running(tmp_path, capsys):
    experiment = load_experiment(ROOT / "experiments" / "default_comparison.toml")
    quick, busy = demo.estimate_minutes(experiment, 40, 2)
    assert 0 < quick < busy
    assert demo.estimate_minutes(experiment, 80, 2)[0] == pytest.approx(2 * quick)
    assert demo.estimate_minutes(experiment, 40, 4)[0] == pytest.approx(quick / 2)
    demo._announce(experiment, tmp_path / "out", "missing", 2)
    out = capsys.readouterr().out
    assert "40 runs of 20 years" in out
    assert "minutes" in out
