"""Towns from real age tables: the 住民基本台帳 / e-Stat CSV layout, round trip and bad files."""

import re
from pathlib import Path

import numpy as np
import pytest

from model import CommunityModel
from model.agetable import read_age_table
from model.errors import UsageError
from model.town import NATIONAL_FEMALE, NATIONAL_MALE, TOP_AGE, starting_pyramid
from scenarios import load_scenario

TOWNS = Path(__file__).resolve().parents[1] / "scenarios" / "towns"
QUIET_SOCIAL = {"switches.needs": False, "switches.community": False}
GOOD = """年齢,総数,男,女
総数,"1,010",500,510
0～4歳,100,50,50
5-9,120,60,60
10歳,30,10,20
11～99歳,"700",360,340
100歳以上,60,20,40
"""


def _profile(folder: Path, table: str, population: int = 1010) -> Path:
    (folder / "ages.csv").write_text(table, encoding="utf-8")
    path = folder / "mytown.toml"
    path.write_text(
        "[town]\n"
        f"population = {population}\nhouseholds = {population // 2}\n"
        'districts = 1\narea_km2 = 10.0\nage_table = "ages.csv"\n',
        encoding="utf-8",
    )
    return path


def test_the_layout_reads_bands_single_years_and_an_open_top(tmp_path):
    _profile(tmp_path, GOOD)
    rows = read_age_table(tmp_path / "ages.csv")
    assert rows.tolist() == [
        [0, 4, 50, 50],
        [5, 9, 60, 60],
        [10, 10, 10, 20],
        [11, 99, 360, 340],
        [100, -1, 20, 40],
    ]


def test_round_trip_month_0_pyramid_equals_the_table_at_scale_1(tmp_path):
    scenario = load_scenario(_profile(tmp_path, GOOD), scale=1, overrides=QUIET_SOCIAL)
    model = CommunityModel(scenario, seed=3)
    r = model.residents
    years = r.age_m[r.alive] // 12
    sex = r.sex[r.alive]
    for first, last, men, women in read_age_table(tmp_path / "ages.csv"):
        top = TOP_AGE if last == -1 else last + 1
        band = (years >= first) & (years < top)
        assert np.count_nonzero(band & (sex == 0)) == men, (first, last)
        assert np.count_nonzero(band & (sex == 1)) == women, (first, last)
    assert model.recorder.last()["population"] == 1010


def test_akita_like_profile_starts_from_its_table():
    model = CommunityModel(load_scenario("akita_like", scale=1, overrides=QUIET_SOCIAL), seed=1)
    row = model.recorder.last()
    assert row["population"] == 30_000
    assert row["share_0_14"] == pytest.approx(0.090, abs=0.001)
    assert row["aging_rate"] == pytest.approx(0.395, abs=0.001)


def test_the_shipped_national_table_is_the_default_structure():
    national = load_scenario("national").params.town
    from_table = load_scenario(
        "national", overrides={"town.age_table": str(TOWNS / "national_2024_ages.csv")}
    ).params.town
    a, b = starting_pyramid(national), starting_pyramid(from_table)
    assert np.allclose(a / a.sum(), b / b.sum())
    rows = read_age_table(TOWNS / "national_2024_ages.csv")
    assert rows[:, 2].tolist() == [round(v * 1e6) for v in NATIONAL_MALE]
    assert rows[:, 3].tolist() == [round(v * 1e6) for v in NATIONAL_FEMALE]


@pytest.mark.parametrize(
    ("bad", "good", "where"),
    [
        ("0～4歳,100,50,50", "0～4歳,100,5O,50", "row 3, column '男'"),  # letter O
        ("5-9,120,60,60", "6-9,120,60,60", "row 4, column '年齢'"),  # a gap at 5
        ("10歳,30,10,20", "10歳,31,10,20", "row 5, column '総数'"),  # total ≠ men + women
        ('11～99歳,"700",360,340', "11～99歳,700,360", "row 6, column"),  # a missing cell
        ("100歳以上,60,20,40", "100歳以上,60,20,40\n101,1,1,0", "row 8, column '年齢'"),
        ("0～4歳,100,50,50", "赤ちゃん,100,50,50", "row 3, column '年齢'"),
    ],
)
def test_a_malformed_table_names_its_row_and_column(tmp_path, bad, good, where):
    text = GOOD.replace(bad, good)
    assert text != GOOD
    with pytest.raises(UsageError, match=re.escape("ages.csv: " + where)):
        load_scenario(_profile(tmp_path, text))


def test_a_table_without_the_sex_columns_is_refused(tmp_path):
    with pytest.raises(UsageError, match="column '男'"):
        load_scenario(_profile(tmp_path, "年齢,総数\n0～4歳,100\n"))


def test_a_missing_table_is_refused(tmp_path):
    path = _profile(tmp_path, GOOD)
    (tmp_path / "ages.csv").unlink()
    with pytest.raises(UsageError, match=r"ages\.csv: the age table cannot be read"):
        load_scenario(path)


@pytest.mark.slow
def test_akita_like_town_meets_its_stated_30_year_decline_within_2_points():
    """The profile states −1.8 %/yr over 30 years (−42.0 %); 3 seeds at 1:3, demography only."""
    scenario = load_scenario("akita_like", scale=3, overrides=QUIET_SOCIAL)
    town = scenario.params.town
    stated = ((1 + town.annual_change_target / 100) ** town.change_target_years - 1) * 100
    declines = []
    for seed in (1, 2, 3):
        pop = CommunityModel(scenario, seed=seed).run(12 * 30).recorder.timeseries()["population"]
        declines.append((pop.iloc[-1] / pop.iloc[0] - 1) * 100)
    assert abs(np.mean(declines) - stated) <= 2.0, (declines, stated)
