"""Analysis: common random numbers, bands, paired effects, replication advice, sensitivity."""

import numpy as np
import pytest

from experiments import analysis
from experiments.sensitivity import sensitivity
from experiments.store import ResultsStore
from experiments.sweep import run_experiment
from kyosei.cli import main
from model.metrics import METRICS
from scenarios import policy_names

from .experiment_files import write_experiment

PAIRED = """
[experiment]
name = "paired"
root_seed = 3
replications = 12
years = 5
scale = 10
towns = ["district"]
policies = ["baseline"]

[levers]
"demography.in_rate" = [0.015, 0.02]
"""


@pytest.fixture(scope="module")
def paired(tmp_path_factory):
    """Two arms (in-migration 1.5 % vs 2 % a year), 12 replicates on shared seeds."""
    folder = tmp_path_factory.mktemp("paired")
    path = folder / "paired.toml"
    path.write_text(PAIRED)
    run_experiment(path, folder / "out", workers=2, progress=False)
    return ResultsStore(folder / "out")


def test_common_random_numbers_cut_the_variance_of_the_difference(paired):
    # Stated claim: pairing the arms by seed (common random numbers) gives a paired
    # difference in population after 5 years with less than half the variance of the same
    # difference between runs of different seeds, and less than either arm's own variance.
    # (Moves between towns are now replaced in
    # kind, so each arm varies less across seeds than it once did, and the ratio to one
    # arm's variance is 0.5-0.8 rather than the 0.04 of the frozen demography.)
    diff = analysis.paired_differences(paired, "population", month=60)
    row = diff.iloc[0]
    assert row["n"] == 12
    assert row["var_diff"] < min(row["var_arm"], row["var_reference"])
    assert row["variance_ratio"] < 1.0
    # Negative control: pairing replicate r with replicate r+1 (different seeds) loses it.
    final = analysis.outcomes(paired, "population", 60)
    arm, ref = paired.arms()[1], paired.arms()[0]
    a = final[final["arm"] == arm].sort_values("replicate")["population"].to_numpy()
    b = final[final["arm"] == ref].sort_values("replicate")["population"].to_numpy()
    shifted = a - np.roll(b, 1)
    assert np.var(a - b, ddof=1) < 0.5 * np.var(shifted, ddof=1)
    assert np.var(a - b, ddof=1) == pytest.approx(row["var_diff"])


def test_more_in_migration_raises_population_with_an_interval_that_excludes_zero(paired):
    row = analysis.paired_differences(paired, "population", month=60, level=0.9).iloc[0]
    assert row["arm"].endswith("[demography.in_rate=0.02]")
    assert row["reference"].endswith("[demography.in_rate=0.015]")
    assert 0 < row["lo"] < row["mean_diff"] < row["hi"]
    over_time = analysis.paired_differences(paired, "population", over_time=True)
    assert list(over_time["month"]) == list(range(61))
    assert over_time["mean_diff"].iloc[0] == 0  # month 0: both arms start identical


def test_quantile_bands_per_arm_and_month(paired):
    bands = analysis.quantile_bands(paired, ["population", "aging_rate"])
    assert set(bands["arm"]) == set(paired.arms())
    assert len(bands) == 2 * 61 * 2  # arms × months × metrics
    assert (bands["n"] == 12).all()
    assert (bands["lo"] <= bands["median"]).all()
    assert (bands["median"] <= bands["hi"]).all()
    last = bands[(bands["month"] == 60) & (bands["metric"] == "population")]
    final = analysis.outcomes(paired, "population", 60)
    for r in last.itertuples():
        values = final.loc[final["arm"] == r.arm, "population"]
        assert r.median == pytest.approx(values.median())
        assert r.lo == pytest.approx(values.quantile(0.1))


def test_replication_advisor_halves_the_interval_with_four_times_the_replicates(paired):
    advice = analysis.replication_advice(paired, "population", month=60, level=0.9)
    arm = paired.arms()[1]
    rows = advice[advice["arm"] == arm].set_index("replicates")
    assert bool(rows.loc[12, "current"])
    diff = analysis.paired_differences(paired, "population", month=60, level=0.9).iloc[0]
    assert rows.loc[12, "half_width"] == pytest.approx((diff["hi"] - diff["lo"]) / 2)
    ratio = rows.loc[48, "half_width"] / rows.loc[12, "half_width"]
    assert 0.4 < ratio < 0.5  # 1/2 with the t factor shrinking a little too
    text = analysis.advice_text(advice, arm, 0.9)
    assert "With 12 replicates" in text
    assert "48 would halve it" in text
    sd = diff["sd_diff"]
    target = rows.loc[12, "half_width"] / 2
    n = analysis.replicates_for(sd, target, 0.9)
    assert analysis.half_width(sd, n, 0.9) <= target < analysis.half_width(sd, n - 1, 0.9)


@pytest.mark.parametrize(
    ("design", "method", "indices"),
    [
        ('kind = "morris"\nsamples = 4\nlevels = 4', "morris", {"mu_star", "mu", "sigma"}),
        ('kind = "sobol"\nsamples = 8', "sobol", {"S1", "ST"}),
        ('kind = "latin_hypercube"\nsamples = 8', "spearman", {"rho"}),
    ],
)
def test_sensitivity_indices_with_intervals(tmp_path, design, method, indices):
    path = write_experiment(
        tmp_path,
        replications=1,
        design=design,
        uncertainties='"demography.tfr" = { min = 1.0, max = 1.8 }\n'
        '"demography.in_rate" = { min = 0.005, max = 0.05 }',
    )
    run_experiment(path, tmp_path / "out", workers=2, progress=False)
    store = ResultsStore(tmp_path / "out")
    table = sensitivity(store, "population")
    rows = table[table["method"] == method]
    assert set(rows["index"]) == indices
    assert set(rows["parameter"]) == {"demography.tfr", "demography.in_rate"}
    with_ci = rows.dropna(subset=["lo"])
    assert not with_ci.empty
    assert (with_ci["lo"] <= with_ci["value"]).all()
    assert (with_ci["value"] <= with_ci["hi"]).all()
    noise = table[table["index"] == "noise_share"]
    assert len(noise) == 1
    # Over 2 years at 1:20, in-migration (0.5–5 %/yr) moves population far more than fertility.
    main_index = {"morris": "mu_star", "sobol": "ST", "spearman": "rho"}[method]
    effect = rows[rows["index"] == main_index].set_index("parameter")["value"].abs()
    assert effect["demography.in_rate"] > effect["demography.tfr"]
    # Bootstrap draws come from the root seed: the same store gives the same table.
    assert table.equals(sensitivity(store, "population"))


def test_analyze_command_prints_bands_effects_and_advice_and_writes_tables(
    paired, tmp_path, capsys
):
    out = tmp_path / "tables"
    assert main(["analyze", str(paired.path), "--metric", "population", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "median and 10–90 % band" in text
    assert "Paired difference" in text
    assert "would halve it" in text
    assert {p.name for p in out.iterdir()} >= {"bands.parquet", "paired.csv", "advice.parquet"}
    assert main(["analyze", str(paired.path), "--metric", "happiness"]) == 2
    assert "happiness" in capsys.readouterr().err
    assert main(["analyze", str(tmp_path / "nowhere")]) == 2


POLICY_PAIR = """
[experiment]
name = "policy_pair"
root_seed = 3
replications = 8
years = 3
scale = 20
towns = ["district"]
policies = ["baseline", "jusou_full"]
"""


def test_common_random_numbers_with_a_real_policy_package(tmp_path):
    if "jusou_full" not in policy_names() or "unmet" not in METRICS:
        pytest.skip("needs the model's jusou_full package and its unmet-need output")
    path = tmp_path / "pair.toml"
    path.write_text(POLICY_PAIR)
    run_experiment(path, tmp_path / "out", workers=2, progress=False)
    row = analysis.paired_differences(ResultsStore(tmp_path / "out"), "unmet").iloc[0]
    assert row["arm"] == "district/jusou_full"
    assert row["var_diff"] > 0  # the package changes outcomes, so the ratio is not trivial
    # Stated ratio: the paired difference varies less than a fifth as much as either arm.
    assert row["variance_ratio"] < 0.2
