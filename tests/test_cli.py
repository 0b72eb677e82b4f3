"""The command line: outputs written completely, bad input refused with exit code 2."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kyosei.cli import main


def test_run_writes_timeseries_districts_and_manifest(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(
        ["run", "district", "--years", "2", "--seed", "3", "--scale", "4", "--out", str(out)]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "Population" in text
    assert "Aging rate" in text
    assert "Households" in text
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert list(ts["month"]) == list(range(25))
    districts = pd.read_parquet(out / "districts.parquet")
    assert set(districts["district"]) == {0}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 3
    assert manifest["scale"] == 4.0
    assert manifest["years"] == 2
    assert manifest["parameters"]["town.population"] == 20000
    assert "numpy" in manifest["packages"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp leftovers


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "atlantis"], "atlantis"),
        (["run", "district", "--years", "0"], "--years"),
        (["run", "district", "--scale", "0.5"], "scale"),
        (["run", "district", "--set", "demography.tfr=-2"], "demography.tfr"),
        (["run", "district", "--set", "nonsense"], "--set"),
        (["run", "district", "--policy", "no_such_policy"], "no_such_policy"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_writes_nothing(tmp_path, capsys, args, needle):
    out = tmp_path / "never"
    assert main([*args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert needle in err
    assert "error" in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_bad_scenario_file_exit_2_names_file_and_field(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[town]\npopulation = -10\nhouseholds = 1\ndistricts = 1\narea_km2 = 1.0\n")
    assert main(["run", str(bad), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err
    assert "town.population" in err
    assert "-10" in err
    assert not (tmp_path / "x").exists()


def test_a_long_folder_keeps_the_file_name_in_the_message(tmp_path, capsys):
    """A long path loses its start, not the file's name (parallel workers' folders are long)."""
    deep = tmp_path / ("folder" * 25)
    deep.mkdir()
    bad = deep / "bad_profile.toml"
    bad.write_text("[town]\npopulation = -10\nhouseholds = 1\ndistricts = 1\narea_km2 = 1.0\n")
    assert main(["run", str(bad), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert f"{'folder' * 2}/bad_profile.toml: field 'town.population' = -10" in err
    assert "…" in err


def test_scenarios_lists_profiles_and_packages(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for name in ("okazaki", "small_town", "depopulating_village", "district", "baseline"):
        assert name in out


def test_scenarios_show_prints_units_and_sources(capsys):
    assert main(["scenarios", "show", "okazaki", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "demography.tfr" in out
    assert "385676" in out
    assert "calibration.md" not in out
    # every cited key is listed once below the table with its title
    assert "[mhlw-vital-2023] 1.20" in out
    assert "\n  [mhlw-vital-2023] Vital statistics (2023 final, 2024 preliminary)" in out
    assert main(["scenarios", "show", "okazaki", "--lang", "ja"]) == 0
    out = capsys.readouterr().out
    assert "\n  [mhlw-vital-2023] 人口動態統計（2023年確定数・2024年概数）" in out


def test_console_script_entry_point(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "kyosei", "run", "atlantis"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 2
    assert "atlantis" in result.stderr


@pytest.mark.slow
def test_run_with_a_policy_pairs_seeds_into_a_results_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from experiments.store import ResultsStore

    out = tmp_path / "paired"
    args = ["run", "district", "--policy", "outreach", "--years", "1", "--scale", "40"]
    assert main([*args, "--replicates", "2", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "paired difference (90% interval, 2 seeds)" in text
    store = ResultsStore(out)  # the folder kyosei analyze and the dashboard open
    runs = store.runs(status="ok")
    assert sorted(runs["arm"]) == ["district/baseline"] * 2 + ["district/outreach"] * 2
    # Replicate r of both arms shares its seed (common random numbers).
    seeds = runs.groupby("replicate")["seed"].nunique()
    assert (seeds == 1).all()
    assert main(["analyze", str(out)]) == 0
    one = tmp_path / "one"
    assert main([*args, "--replicates", "1", "--out", str(one)]) == 0
    assert "ONE seed" in capsys.readouterr().out
