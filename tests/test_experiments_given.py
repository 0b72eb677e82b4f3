"""A ``given`` design: points made elsewhere (CSV, Parquet or a DataFrame), resumable, hashed."""

import json

import numpy as np
import pandas as pd
import pytest

from experiments.spec import load_experiment, parse_experiment, with_points
from experiments.store import ResultsStore
from experiments.sweep import run_experiment
from kyosei.cli import main
from model.parameters import ParameterError

from .experiment_files import folder_files

TEXT = """
[experiment]
name = "given"
root_seed = 5
replications = 2
years = 1
scale = 20
towns = ["district"]
policies = ["baseline"]

DESIGN
"""

POINTS = pd.DataFrame(
    {
        "demography.tfr": [1.2, 1.5, 1.35],
        "policy.outreach.intensity": [0.0, 4.0, 8.0],
        "policy.one_stop.enabled": [False, True, True],
    }
)


def _write(tmp_path, suffix=".csv", points=POINTS):
    data = tmp_path / f"points{suffix}"
    if suffix == ".csv":
        points.to_csv(data, index=False)
    else:
        points.to_parquet(data, index=False)
    path = tmp_path / "given.toml"
    path.write_text(TEXT.replace("DESIGN", f'[design]\nkind = "given"\nfile = "{data.name}"'))
    return path, data


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_points_from_a_file_run_resume_and_are_hashed(tmp_path, capsys, suffix):
    path, data = _write(tmp_path, suffix)
    out = tmp_path / "out"
    args = ["sweep", str(path), "--out", str(out), "--workers", "1", "--no-progress"]
    assert main(args) == 0
    store = ResultsStore(out)
    assert store.counts()["ok"] == 3 * 2
    design = store.design()
    assert list(design["point"]) == [0, 1, 2]
    pd.testing.assert_frame_equal(design.drop(columns="point"), POINTS, check_dtype=False)
    params = store.parameters()
    resolved = [json.loads(p) for p in params.sort_values("point")["parameters"]]
    tfr = [r["params"]["demography.tfr"] for r in resolved]
    assert tfr == pytest.approx(POINTS["demography.tfr"].tolist())
    (entry,) = [e for e in store.manifest["inputs"] if e["role"] == "design"]
    assert (out / entry["copy"]).read_bytes() == data.read_bytes()
    assert main(args) == 0  # resume: nothing to do
    assert "0 ran" in capsys.readouterr().out
    # Editing the points file is refused, naming it, and nothing is written.
    changed = POINTS.assign(**{"demography.tfr": [1.2, 1.5, 1.4]})
    _write(tmp_path, suffix, changed)
    before = folder_files(out)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"design file {data}" in err
    assert folder_files(out) == before


def test_a_dataframe_of_numpy_values_gives_the_same_runs_as_the_file(tmp_path):
    path, _ = _write(tmp_path)
    run_experiment(path, tmp_path / "from_file", workers=1, progress=False)
    base = parse_experiment(TEXT.replace("DESIGN", ""), file="api")
    frame = pd.DataFrame(
        {
            "demography.tfr": np.array([1.2, 1.5, 1.35]),
            "policy.outreach.intensity": np.array([0.0, 4.0, 8.0]),
            "policy.one_stop.enabled": np.array([False, True, True], dtype=np.bool_),
        }
    )
    experiment = with_points(base, frame)
    run_experiment(experiment, tmp_path / "from_frame", workers=1, progress=False)
    a = ResultsStore(tmp_path / "from_file").runs().sort_values("run_index")
    b = ResultsStore(tmp_path / "from_frame").runs().sort_values("run_index")
    assert a["run_id"].tolist() == b["run_id"].tolist()  # same scenarios, seeds, code
    ts_a = (
        ResultsStore(tmp_path / "from_file").timeseries(["unmet"]).sort_values(["run_id", "month"])
    )
    ts_b = (
        ResultsStore(tmp_path / "from_frame").timeseries(["unmet"]).sort_values(["run_id", "month"])
    )
    pd.testing.assert_frame_equal(ts_a.reset_index(drop=True), ts_b.reset_index(drop=True))


F = "design.file"


@pytest.mark.parametrize(
    ("points", "field", "needle"),
    [
        (
            POINTS.rename(columns={"demography.tfr": "demography.tfx"}),
            F + "[demography.tfx]",
            "did you mean",
        ),
        (
            POINTS.assign(**{"policy.outreach.intensity": [0.0, -3.0, 1.0]}),
            F + "[policy.outreach.intensity]",
            "from 0 to 100",
        ),
        (
            POINTS.assign(**{"demography.tfr": [1.2, None, 1.3]}),
            F + "[demography.tfr]",
            "a value in every row",
        ),
    ],
)
def test_bad_points_are_refused_naming_the_column(tmp_path, points, field, needle):
    path, _ = _write(tmp_path, points=points)
    with pytest.raises(ParameterError) as err:
        load_experiment(path)
    assert err.value.field == field
    assert needle in err.value.allowed
    assert err.value.file == str(path)


def test_given_design_needs_a_file_and_no_uncertainties(tmp_path):
    with pytest.raises(ParameterError, match=r"design\.file"):
        parse_experiment(TEXT.replace("DESIGN", '[design]\nkind = "given"'), file="x.toml")
    path, data = _write(tmp_path)
    text = (
        path.read_text() + '\n[uncertainties]\n"demography.in_rate" = { min = 0.01, max = 0.02 }\n'
    )
    with pytest.raises(ParameterError, match="no \\[uncertainties\\] with a given design"):
        parse_experiment(text, file=str(path), base_dir=tmp_path)
    xlsx = path.read_text().replace(data.name, "points.xlsx")
    with pytest.raises(ParameterError, match=r"a \.csv or \.parquet file"):
        parse_experiment(xlsx, file="x.toml", base_dir=tmp_path)
