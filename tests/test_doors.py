"""Doors found still open while trying every item of issue 19 with the real command line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kyosei.cli import MESSAGE_LIMIT, main


def _refused(capsys: pytest.CaptureFixture[str], args: list[str], *needles: str) -> str:
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("kyosei: error: ")
    assert len(err.strip()) <= MESSAGE_LIMIT
    assert "\n" not in err.strip()
    for needle in needles:
        assert needle in err, err
    return err


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("[policy]\nname = []\n", "policy.name"),
        ('[policy]\nname = "a/b"\n', "policy.name"),
        ('[policy]\nname = ""\n', "policy.name"),
        ('[policy]\nname = "p"\nlabel_ja = 3\n', "policy.label_ja"),
        ('[policy]\nname = "p"\ndescription = { x = 1 }\n', "policy.description"),
    ],
)
def test_policy_names_and_labels_must_be_text(tmp_path: Path, capsys, body: str, field: str):
    policy = tmp_path / "p.toml"
    policy.write_text(body, encoding="utf-8")
    out = tmp_path / "o"
    _refused(
        capsys, ["run", "district", "--policy", str(policy), "--out", str(out)], field, "p.toml"
    )
    assert not out.exists()


def test_a_small_comparison_runs_in_this_process_and_a_large_one_in_processes():
    from kyosei.commands.run import compare_workers
    from scenarios import load_scenario

    small = load_scenario("district", scale=100)
    assert compare_workers(small, years=1, runs=6) == 1
    big = load_scenario("national", scale=1)
    assert compare_workers(big, years=20, runs=6) == min(2, os.cpu_count() or 1)


def test_a_relative_base_is_read_from_the_profiles_folder(tmp_path: Path, monkeypatch, capsys):
    towns = tmp_path / "towns"
    towns.mkdir()
    (towns / "parent.toml").write_text(
        "[town]\npopulation = 500\nhouseholds = 200\ndistricts = 1\narea_km2 = 2.0\n",
        encoding="utf-8",
    )
    (towns / "child.toml").write_text(
        'base = "parent.toml"\n[town]\nname = "child"\n', encoding="utf-8"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # not the profiles' folder
    from scenarios.loader import load_town, town_files

    assert load_town(towns / "child.toml").town.population == 500
    assert town_files(towns / "child.toml") == [towns / "child.toml", towns / "parent.toml"]
    out = tmp_path / "o"
    assert main(["run", str(towns / "child.toml"), "--years", "1", "--out", str(out)]) == 0


@pytest.mark.parametrize("base", ['"nowhere.toml"', '"atlantis"', '"' + "a" * 100_000 + '"'])
def test_a_base_that_is_not_found_is_named_as_the_base_field(tmp_path: Path, capsys, base: str):
    town = tmp_path / "mine.toml"
    town.write_text(f"base = {base}\n", encoding="utf-8")
    _refused(capsys, ["run", str(town), "--out", str(tmp_path / "o")], "mine.toml", "field 'base'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.toml"]


def test_every_written_file_follows_the_umask(tmp_path: Path, monkeypatch):
    """A colleague's dashboard can read what Kyosei writes: 0644 files, 0755 folders."""
    from tests.experiment_files import write_experiment

    monkeypatch.chdir(tmp_path)
    exp = write_experiment(tmp_path, replications=1, years=1)
    old = os.umask(0o022)
    try:
        assert main(["new-town", "minamimachi"]) == 0
        assert main(["sweep", str(exp), "--out", "store", "--workers", "1", "--no-progress"]) == 0
        assert main(["analyze", "store", "--out", "tables"]) == 0
    finally:
        os.umask(old)
    written = [tmp_path / "minamimachi.toml", *(tmp_path / "store").rglob("*")]
    written += list((tmp_path / "tables").rglob("*"))
    assert len(written) > 10
    for path in written:
        want = 0o755 if path.is_dir() else 0o644
        assert path.stat().st_mode & 0o777 == want, (path, oct(path.stat().st_mode))


def test_long_values_of_analyze_and_new_town_are_cut_and_exit_2(
    tmp_path: Path, capsys, monkeypatch
):
    from tests.experiment_files import write_experiment

    monkeypatch.chdir(tmp_path)
    exp = write_experiment(tmp_path, replications=1, years=1)
    assert main(["sweep", str(exp), "--out", "store", "--workers", "1", "--no-progress"]) == 0
    capsys.readouterr()
    digits = "9" * 400
    err = _refused(capsys, ["analyze", "store", "--month", digits], "--month", "from 0 to 12")
    assert digits not in err
    err = _refused(capsys, ["analyze", "store", "--metric", "x" * 5000], "--metric", "one of")
    assert "x" * 100 not in err
    _refused(capsys, ["new-town", "x" * 300], "new-town", "1 to 100")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.toml", "store"]


@pytest.mark.parametrize("host", ["nonsense.invalid", "8.8.8.8", "", "a" * 300])
def test_a_host_that_is_not_this_machines_exits_2_before_any_work(tmp_path: Path, capsys, host):
    for command in (["dashboard"], ["demo", "--results", str(tmp_path / "r")]):
        _refused(capsys, [*command, "--host", host, "--port", "9"], "--host")
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("seed", ["-1", str(2**63)])
def test_calibrate_refuses_a_seed_out_of_range_with_exit_2(capsys, seed: str):
    args = ["calibrate", "district", "--years", "1", "--replicates", "2", "--scale", "5000"]
    _refused(capsys, [*args, "--seed", seed, "--quiet"], "--seed")
