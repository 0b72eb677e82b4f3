"""Valid small and odd towns run; impossible ones are refused with exit code 2 (issue 19)."""

from __future__ import annotations

import numpy as np
import pytest

from kyosei.cli import main
from model import CommunityModel
from model.parameters import ParameterError
from model.streams import Streams
from model.town import TownParams, _voronoi_cells, layout
from scenarios import load_scenario


def _run(overrides: dict[str, object], *, scale: float = 1.0, months: int = 24) -> CommunityModel:
    scenario = load_scenario("national", overrides=overrides, scale=scale)
    return CommunityModel(scenario, seed=1).run(months)


def _start(model: CommunityModel) -> float:
    return float(model.recorder.timeseries()["population"].iloc[0])


@pytest.mark.parametrize(("people", "households"), [(1, 1), (2, 1), (3, 1), (3, 3)])
def test_towns_of_one_to_three_people_run(people, households):
    model = _run({"town.population": people, "town.households": households, "town.districts": 1})
    assert _start(model) == people
    ts = model.recorder.timeseries()
    assert len(ts) == 25
    assert (ts["population"] >= 0).all()


def test_two_hundred_districts_of_thirty_people_run():
    model = _run(
        {"town.population": 6000, "town.households": 2600, "town.districts": 200}, months=12
    )
    districts = model.recorder.districts()
    assert districts["district"].nunique() == 200
    assert _start(model) == 6000


@pytest.mark.parametrize("band", [0, 3, 6, 13, 17, 19])
@pytest.mark.parametrize("sex", ["male", "female"])
def test_all_age_weight_in_one_band_runs(band, sex):
    one = [0.0] * 20
    one[band] = 1.0
    none = [0.0] * 20
    model = _run(
        {
            "town.population": 400,
            "town.households": 150,
            "town.districts": 2,
            "town.age_weights_male": one if sex == "male" else none,
            "town.age_weights_female": one if sex == "female" else none,
        },
        months=12,
    )
    r = model.residents
    assert _start(model) == 400
    ages = r.age_m[: r.n] // 12
    first = ages[r.arrival_m[: r.n] < 0]  # the starting population (births come later)
    assert first.size > 0
    assert first.min() >= 5 * band


def test_district_at_scale_1000_and_10000_runs(tmp_path):
    for scale in ("1000", "10000"):
        out = tmp_path / scale
        assert main(["run", "district", "--scale", scale, "--years", "2", "--out", str(out)]) == 0
        assert (out / "timeseries.parquet").exists()


def test_district_weights_all_zero_are_refused_with_exit_2(tmp_path, capsys):
    town = tmp_path / "zero.toml"
    town.write_text(
        "[town]\npopulation = 500\nhouseholds = 200\ndistricts = 2\narea_km2 = 5.0\n"
        "district_weights = [0, 0]\n",
        encoding="utf-8",
    )
    assert main(["run", str(town), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "district_weights" in err
    assert "sum must be > 0" in err
    assert str(town) in err
    assert not (tmp_path / "out").exists()


def test_a_huge_area_is_refused_and_the_largest_allowed_map_is_built():
    with pytest.raises(ParameterError, match="area_km2"):
        load_scenario("national", overrides={"town.area_km2": 1e300})
    for districts in (2, 7, 200):
        town = TownParams(districts=districts, area_km2=100_000.0)
        tmap = layout(town, Streams(3))
        assert len(tmap.polygons) == districts
        for poly in tmap.polygons:
            assert np.isfinite(poly).all()
            assert poly.min() >= 0.0
            assert poly.max() <= tmap.side_km


def test_voronoi_cells_of_coinciding_centres_do_not_raise():
    centres = np.array([[1.0, 1.0], [1.0, 1.0], [2.0, 3.0]])
    cells = _voronoi_cells(centres, 4.0)
    assert len(cells) == 3
    assert all(np.isfinite(c).all() for c in cells)
