"""Every bad input is answered with exit 2 and one short line; nothing is written (issue 19)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from kyosei.cli import MESSAGE_LIMIT, main
from model import CommunityModel, Scenario
from model.parameters import ParameterError
from model.scenario import InterventionSpec, PolicyPackage
from tests.experiment_files import write_experiment

TOWN = "[town]\npopulation = 500\nhouseholds = 200\ndistricts = 1\narea_km2 = 2.0\n"


def _refused(capsys, args: list[str], *needles: str) -> str:
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("kyosei: error: ")
    assert len(err.strip()) <= MESSAGE_LIMIT
    assert "\n" not in err.strip()
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err
    return err


def _policy(tmp_path: Path, body: str, name: str = "p.toml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("outreach", "nan"),
        ("outreach", "inf"),
        ("outreach", "-inf"),
        ("outreach", "-1"),
        ("cafe_agreement", "1e300"),
        ("funding", "1e300"),
        ("platform", "5000"),
    ],
)
def test_intensity_that_is_not_finite_or_too_large_is_refused(tmp_path, capsys, kind, value):
    policy = _policy(tmp_path, f'[[intervention]]\nkind = "{kind}"\nintensity = {value}\n')
    out = tmp_path / "out"
    _refused(
        capsys,
        ["run", "district", "--policy", str(policy), "--out", str(out)],
        "intervention[0].intensity",
        str(policy),
    )
    assert not out.exists()


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e300, -1.0])
def test_intensity_checked_however_the_component_is_built(value):
    spec = InterventionSpec("cafe_agreement", intensity=value)
    scenario = Scenario("x", policy=PolicyPackage("p", interventions=(spec,)), scale=100)
    with pytest.raises(ParameterError, match=r"cafe_agreement\.intensity"):
        CommunityModel(scenario, seed=1)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_parameters_that_are_not_finite_are_refused(tmp_path, capsys, value):
    _refused(
        capsys,
        ["run", "district", "--set", f"demography.tfr={value}", "--out", str(tmp_path / "o")],
        "demography.tfr",
    )


def test_odd_values_in_files_and_arguments_exit_2(tmp_path, capsys):
    out = str(tmp_path / "out")
    kind = _policy(tmp_path, "[[intervention]]\nkind = []\n", "kind.toml")
    _refused(capsys, ["run", "district", "--policy", str(kind), "--out", out], "kind")
    nest = _policy(tmp_path, "[town]\npopulation = " + "[" * 500 + "]" * 500 + "\n", "n.toml")
    _refused(capsys, ["run", str(nest), "--out", out], "nested", "n.toml")
    digits = "9" * 400
    err = _refused(
        capsys,
        ["run", "district", "--set", f"demography.tfr={digits}", "--out", out],
        "demography.tfr",
    )
    assert digits not in err
    big = _policy(tmp_path, TOWN.replace("500", str(2**63 - 1), 1), "big.toml")
    _refused(capsys, ["run", str(big), "--out", out], "town.population", "big.toml")
    base = _policy(tmp_path, 'base = "' + "a" * 100_000 + '"\n', "base.toml")
    _refused(capsys, ["run", str(base), "--out", out], "base.toml")
    bad_sel = _policy(
        tmp_path, '[[intervention]]\nkind = "outreach"\neligibility = [1]\n', "e.toml"
    )
    _refused(capsys, ["run", "district", "--policy", str(bad_sel), "--out", out], "eligibility")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["kind.toml", "n.toml", "big.toml", "base.toml", "e.toml"]
    )


def test_a_town_that_cannot_fit_is_refused_up_front_with_the_estimate(tmp_path, capsys):
    town = _policy(
        tmp_path,
        "[town]\npopulation = 5000000\nhouseholds = 2000000\ndistricts = 10\narea_km2 = 100.0\n",
        "big_city.toml",
    )
    started = time.perf_counter()
    err = _refused(
        capsys,
        ["run", str(town), "--scale", "1", "--out", str(tmp_path / "o")],
        "big_city.toml",
        "town.population",
        "5,000,000",
        "GB",
        "--scale 5 or more",
    )
    assert time.perf_counter() - started < 5
    assert "min" in err
    assert (
        main(["run", str(town), "--scale", "10000", "--years", "1", "--out", str(tmp_path / "o")])
        == 0
    )


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
def test_connect_timeout_must_be_a_finite_positive_number(tmp_path, capsys, value):
    exp = write_experiment(tmp_path)
    _refused(
        capsys,
        ["sweep", str(exp), "--connect-timeout", value, "--out", str(tmp_path / "o")],
        "--connect-timeout",
    )
    assert not (tmp_path / "o").exists()


def test_dry_run_of_a_million_samples_answers_quickly_and_a_sweep_of_them_is_refused(
    tmp_path, capsys
):
    exp = write_experiment(
        tmp_path, design='kind = "latin_hypercube"\nsamples = 1000000', replications=1
    )
    started = time.perf_counter()
    assert main(["sweep", str(exp), "--dry-run"]) == 0
    assert time.perf_counter() - started < 10
    assert "1000000 runs" in capsys.readouterr().out
    _refused(capsys, ["sweep", str(exp), "--out", str(tmp_path / "o")], "design.samples")
    assert not (tmp_path / "o").exists()


def test_slurm_without_sbatch_exits_2_and_creates_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    exp = write_experiment(tmp_path)
    out = tmp_path / "o"
    _refused(capsys, ["sweep", str(exp), "--cluster", "slurm", "--out", str(out)], "sbatch")
    assert not out.exists()


def test_a_file_with_a_byte_order_mark_is_read(tmp_path, capsys):
    town = tmp_path / "notepad.toml"
    town.write_bytes(("\ufeff" + TOWN).encode("utf-8"))
    policy = tmp_path / "pol.toml"
    policy.write_bytes('\ufeff[[intervention]]\nkind = "outreach"\n'.encode())
    out = tmp_path / "o"
    assert main(["run", str(town), "--policy", str(policy), "--years", "1", "--out", str(out)]) == 0
    exp = write_experiment(tmp_path)
    exp.write_bytes(b"\xef\xbb\xbf" + exp.read_bytes())
    assert main(["sweep", str(exp), "--dry-run"]) == 0


def test_an_empty_policy_file_is_refused(tmp_path, capsys):
    empty = _policy(tmp_path, "", "empty.toml")
    _refused(
        capsys,
        ["run", "district", "--policy", str(empty), "--out", str(tmp_path / "o")],
        "empty.toml",
    )
    explicit = _policy(tmp_path, '[policy]\nname = "nothing"\n', "nothing.toml")
    assert (
        main(
            [
                "run",
                "district",
                "--policy",
                str(explicit),
                "--years",
                "1",
                "--scale",
                "50",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 0
    )


@pytest.mark.parametrize("name", ["/abs/path", "../up", "a/b", ".", "..", ".hidden", "x" * 101])
def test_experiment_name_must_stay_inside_results(tmp_path, capsys, name, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exp = write_experiment(tmp_path, name=name)
    _refused(capsys, ["sweep", str(exp)], "experiment.name")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.toml"]


def test_long_values_are_not_echoed_whole(tmp_path, capsys):
    weights = ", ".join(["-1.5"] * 2000)
    town = _policy(tmp_path, TOWN + f"age_weights_male = [{weights}]\n", "w.toml")
    _refused(capsys, ["run", str(town), "--out", str(tmp_path / "o")], "age_weights_male")


def test_scenarios_show_into_a_closed_pipe_ends_quietly():
    # The reader is gone before the first line is written (like `| head` after its lines).
    proc = subprocess.Popen(
        [sys.executable, "-m", "kyosei", "scenarios", "show", "district"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 141  # as other tools stopped by SIGPIPE
    assert b"BrokenPipe" not in err
    assert b"Traceback" not in err


def test_a_broken_pipe_inside_a_command_is_exit_141_without_traceback(monkeypatch, capsys):
    class Gone:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Gone())
    assert main(["scenarios", "show", "district"]) == 141
    assert "Traceback" not in capsys.readouterr().err
