"""kyosei new-town writes a profile that runs as written; scenarios show fits 100 columns."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kyosei.cli import main
from kyosei.table import width
from scenarios import load_town, town_names

COLUMNS = 100


def _new(tmp_path, *extra: str):
    out = tmp_path / "minami.toml"
    assert main(["new-town", "minami", "--out", str(out), *extra]) == 0
    return out


@pytest.mark.slow
def test_the_written_profile_runs_as_written_and_with_one_edited_field(tmp_path, capsys):
    out = _new(tmp_path)
    text = out.read_text(encoding="utf-8")
    assert 'base = "small_town"' in text
    for field in ("population", "households", "districts", "area_km2", "in_rate"):
        assert f"\n{field} = " in text
    assert main(["run", str(out), "--years", "1", "--out", str(tmp_path / "as_written")]) == 0
    manifest = json.loads((tmp_path / "as_written" / "manifest.json").read_text())
    assert manifest["parameters"]["town.population"] == 30000
    assert manifest["parameters"]["town.name"] == "minami"

    out.write_text(text.replace("\npopulation = 30000\n", "\npopulation = 45000\n"), "utf-8")
    assert main(["run", str(out), "--years", "1", "--out", str(tmp_path / "edited")]) == 0
    manifest = json.loads((tmp_path / "edited" / "manifest.json").read_text())
    assert manifest["parameters"]["town.population"] == 45000
    capsys.readouterr()


@pytest.mark.parametrize("base", town_names())
def test_every_base_gives_a_profile_equal_to_the_base_but_for_its_name(tmp_path, base):
    out = _new(tmp_path, "--base", base)
    mine, theirs = load_town(out), load_town(base)
    assert mine.town.name == "minami"
    assert mine.town.label_en == "minami"
    assert mine.demography == theirs.demography
    for field in ("population", "households", "districts", "area_km2", "age_weights_female"):
        assert getattr(mine.town, field) == getattr(theirs.town, field)


def test_every_field_is_explained_with_unit_allowed_values_and_source(tmp_path):
    lines = _new(tmp_path).read_text(encoding="utf-8").splitlines()
    assignments = [i for i, ln in enumerate(lines) if " = " in ln and not ln.startswith("#")]
    assert len(assignments) > 15
    for i in assignments[1:]:  # after `base = …`, each field has its three comment lines
        assert lines[i - 3].startswith("# "), lines[i]
        assert "allowed:" in lines[i - 2], lines[i]
        assert lines[i - 1].startswith("#   source: "), lines[i]


def test_an_existing_file_is_never_overwritten(tmp_path, capsys):
    out = tmp_path / "mine.toml"
    out.write_text("# my own notes\n", encoding="utf-8")
    assert main(["new-town", "mine", "--out", str(out)]) == 2
    assert "exists and is not overwritten" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "# my own notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.toml"]  # no temporary left


@pytest.mark.parametrize(
    ("args", "needle"),
    [(["new-town", "a/b"], "name 'a/b'"), (["new-town", "x", "--base", "atlantis"], "atlantis")],
)
def test_bad_name_or_base_exits_2(tmp_path, capsys, args, needle):
    assert main([*args, "--out", str(tmp_path / "x.toml")]) == 2
    assert needle in capsys.readouterr().err
    assert not (tmp_path / "x.toml").exists()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_scenarios_show_and_list_fit_100_columns_by_default(capsys, lang):
    for name in [None, *town_names()]:
        args = ["scenarios"] if name is None else ["scenarios", "show", name]
        assert main([*args, "--lang", lang]) == 0
        out = capsys.readouterr().out
        assert max(width(line) for line in out.splitlines()) <= COLUMNS, name


def test_scenarios_show_wide_is_one_row_per_parameter(capsys):
    assert main(["scenarios", "show", "district", "--format", "wide", "--lang", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    (tfr,) = [ln for ln in lines if ln.startswith("demography.tfr ")]
    assert "births per woman" in tfr
    assert "[mhlw-vital-2023]" in tfr


def test_show_into_a_closed_pipe_ends_quietly():
    result = subprocess.run(
        ["bash", "-c", f"'{sys.executable}' -m kyosei scenarios show okazaki | head -n 3"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert len(result.stdout.splitlines()) == 3
    assert result.stderr == ""
