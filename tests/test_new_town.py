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


def test_counts_become_the_models_parameters_and_back(tmp_path):
    # 包括3か所 × 7 staff, サロン12か所, 60 民生委員 posts in a town of 30,000 / 12,500 households.
    out = _new(
        tmp_path,
        "--counter-staff",
        "21,3,2.5,2.5",
        "--venues",
        "12,30,2,3,0",
        "--minsei-posts",
        "60",
    )
    params = load_town(out)
    assert params.support.staff_per_20k == pytest.approx((14.0, 2.0, 5 / 3, 5 / 3), abs=1e-4)
    assert params.venues.per_100k == pytest.approx((40.0, 100.0, 20 / 3, 10.0, 0.0), abs=1e-4)
    assert params.minsei.households_per_post == pytest.approx(12500 / 60, abs=0.01)
    assert "from your counts: venues salon 12" in out.read_text(encoding="utf-8")
    from scenarios.template import parameters_to_counts

    counts = parameters_to_counts(params)
    assert counts.counter_staff == (21.0, 3.0, 2.5, 2.5)
    assert counts.venues == (12, 30, 2, 3, 0)
    assert counts.minsei_posts == 60


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--venues", "12,30"], "5 counts"),
        (["--venues", "12.5,30,2,3,0"], "counts.venues[0]"),
        (["--counter-staff", "a,b,c,d"], "numbers separated by commas"),
        (["--minsei-posts", "0"], "counts.minsei_posts"),
    ],
)
def test_bad_counts_exit_2_and_write_nothing(tmp_path, capsys, args, needle):
    out = tmp_path / "minami.toml"
    assert main(["new-town", "minami", "--out", str(out), *args]) == 2
    assert needle in capsys.readouterr().err
    assert not out.exists()


def test_the_form_refuses_what_the_loader_refuses_and_keeps_others_files(tmp_path):
    from dashboards import mytown
    from model.errors import UsageError
    from model.parameters import ParameterError

    form = mytown.TownForm(name="minami", town={"population": 30000, "households": 40000})
    with pytest.raises(ParameterError, match="at most the population"):
        mytown.save(tmp_path, form)
    assert not (tmp_path / "towns" / "minami.toml").exists()
    form.town = {"population": 30000, "households": 12000}
    form.components = [("outreach", 3.0, 2023)]  # before the town's start (2024)
    with pytest.raises(ParameterError, match=r"outreach\.start_year"):
        mytown.save(tmp_path, form)
    form.components = [("outreach", 3.0, 2026)]
    saved = mytown.save(tmp_path, form)
    assert load_town(saved.town).town.households == 12000
    assert mytown.save(tmp_path, form) == saved  # its own file: replaced
    (tmp_path / "towns" / "kita.toml").write_text("# mine\n", encoding="utf-8")
    with pytest.raises(UsageError, match="never written over"):
        mytown.save(tmp_path, mytown.TownForm(name="kita"))
    assert (tmp_path / "towns" / "kita.toml").read_text(encoding="utf-8") == "# mine\n"
