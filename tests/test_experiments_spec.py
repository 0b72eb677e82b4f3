"""Experiment files, designs, seeds and plans: what runs, with which inputs and seeds."""

from pathlib import Path

import numpy as np
import pytest

from experiments.designs import design_points
from experiments.plan import make_plan
from experiments.seeds import replicate_seed, replicate_seeds
from experiments.spec import load_experiment, parse_experiment
from model.parameters import ParameterError
from scenarios import policy_names

from .experiment_files import write_experiment

SHIPPED = Path(__file__).resolve().parent.parent / "experiments"


def test_lhs_points_cover_every_stratum_within_the_ranges(tmp_path):
    exp = load_experiment(
        write_experiment(
            tmp_path,
            design='kind = "latin_hypercube"\nsamples = 10',
            uncertainties='"demography.tfr" = { min = 1.0, max = 2.0 }\n'
            "demography.in_rate = { min = 0.01, max = 0.03 }",  # nested-table form
        )
    )
    points = design_points(exp)
    assert list(points.columns) == ["point", "demography.tfr", "demography.in_rate"]
    assert list(points["point"]) == list(range(10))
    strata = np.floor((points["demography.tfr"] - 1.0) / 0.1).astype(int)
    assert sorted(strata) == list(range(10))  # one point per tenth of the range
    assert points["demography.in_rate"].between(0.01, 0.03).all()
    # Same file, same points (the sampler draws from the root seed, not global state).
    assert points.equals(design_points(load_experiment(tmp_path / "exp.toml")))


def test_full_factorial_takes_every_combination(tmp_path):
    exp = load_experiment(
        write_experiment(
            tmp_path,
            design='kind = "full_factorial"\nlevels = 3',
            uncertainties='"demography.tfr" = { values = [1.2, 1.4] }\n'
            '"demography.in_rate" = { min = 0.01, max = 0.03 }',
        )
    )
    points = design_points(exp)
    assert len(points) == 6
    assert sorted(set(points["demography.in_rate"])) == pytest.approx([0.01, 0.02, 0.03])


@pytest.mark.parametrize(
    ("design", "expected"),
    [
        ('kind = "sobol"\nsamples = 8', 8 * (2 + 2)),
        ('kind = "sobol"\nsamples = 8\nsecond_order = true', 8 * (2 * 2 + 2)),
        ('kind = "morris"\nsamples = 5\nlevels = 4', 5 * (2 + 1)),
    ],
)
def test_salib_designs_have_the_sizes_their_analyses_need(tmp_path, design, expected):
    exp = load_experiment(
        write_experiment(
            tmp_path,
            design=design,
            uncertainties='"demography.tfr" = { min = 1.0, max = 2.0 }\n'
            '"demography.in_rate" = { min = 0.01, max = 0.03 }',
        )
    )
    points = design_points(exp)
    assert len(points) == expected
    assert points["demography.tfr"].between(1.0, 2.0).all()


def test_replicate_seeds_are_shared_across_arms_and_points_and_stable_when_extended(tmp_path):
    exp = load_experiment(
        write_experiment(
            tmp_path,
            replications=3,
            levers='"demography.out_scale" = [0.8, 1.2]',
        )
    )
    plan = make_plan(exp, code_version="test")
    assert len(plan.arms) == 2
    assert len(plan.runs) == 2 * 3 * 3  # arms × points × replicates
    by_replicate: dict[int, set[int]] = {}
    for run in plan.runs:
        by_replicate.setdefault(run.replicate, set()).add(run.seed)
    assert all(len(seeds) == 1 for seeds in by_replicate.values())  # CRN: one seed per replicate
    assert len({s for seeds in by_replicate.values() for s in seeds}) == 3
    # Adding replicates leaves the old seeds (and so the old runs) as they were.
    assert replicate_seeds(5, 5)[:3] == replicate_seeds(5, 3)
    assert all(0 <= replicate_seed(5, r) < 2**63 for r in range(50))


def test_plan_is_replicate_major_with_unique_ids_that_depend_on_code_version(tmp_path):
    exp = load_experiment(write_experiment(tmp_path, levers='"demography.out_scale" = [0.8, 1.2]'))
    plan = make_plan(exp, code_version="A")
    assert [r.replicate for r in plan.runs] == sorted(r.replicate for r in plan.runs)
    assert len({r.run_id for r in plan.runs}) == len(plan.runs)
    other = make_plan(exp, code_version="B")
    assert not {r.run_id for r in plan.runs} & {r.run_id for r in other.runs}
    again = make_plan(load_experiment(tmp_path / "exp.toml"), code_version="A")
    assert [r.run_id for r in again.runs] == [r.run_id for r in plan.runs]
    # The scenario each run carries has the design point and lever values applied.
    run = plan.runs[-1]
    inputs = dict(run.inputs)
    assert run.scenario.params.demography.tfr == pytest.approx(inputs["demography.tfr"])
    assert run.scenario.params.demography.out_scale == inputs["demography.out_scale"]
    assert plan.arms[1].reference == plan.arms[0].name


def test_shipped_example_experiments_parse_and_plan():
    for name in ("sweep_district_lhs", "sensitivity_district_morris", "sensitivity_district_sobol"):
        exp = load_experiment(SHIPPED / f"{name}.toml")
        plan = make_plan(exp, code_version="test")
        assert len(plan.runs) == len(plan.design) * exp.replications * len(plan.arms)
    exp = load_experiment(SHIPPED / "sensitivity_district_sobol.toml")
    assert exp.design.kind == "sobol"


def test_default_comparison_is_small_town_four_packages_or_names_the_missing_one():
    path = SHIPPED / "default_comparison.toml"
    text = path.read_text(encoding="utf-8")
    assert 'towns = ["small_town"]' in text
    assert 'policies = ["baseline", "jusou_full", "outreach", "one_stop"]' in text
    missing = [p for p in ("jusou_full", "outreach", "one_stop") if p not in policy_names()]
    if missing:  # until the lead's policy packages exist: a clear error naming the first
        with pytest.raises(ParameterError) as info:
            load_experiment(path)
        assert info.value.file == str(path)
        assert info.value.field.startswith("experiment.policies[")
        assert info.value.value == missing[0]
    else:
        exp = load_experiment(path)
        assert exp.replications == 10
        assert exp.years == 20
        assert exp.scale == 1.0
        assert len(make_plan(exp, code_version="test").runs) == 40


BAD = [
    (
        '"demography.tfx" = { min = 1.0, max = 2.0 }',
        "uncertainties.demography.tfx",
        "demography.tfr",
    ),
    (
        '"demography.tfr" = { min = 2.0, max = 1.0 }',
        "uncertainties.demography.tfr.min",
        "at most max",
    ),
    ('"demography.tfr" = { min = 1.0, max = 99.0 }', "uncertainties.demography.tfr.max", "99"),
    ('"demography.tfr" = { min = 1.0 }', "uncertainties.demography.tfr.max", "(missing)"),
    ('"demography.tfr" = 1.3', "uncertainties.demography.tfr", "range"),
]


@pytest.mark.parametrize(("uncertainties", "field", "needle"), BAD)
def test_bad_uncertainties_name_the_file_and_field(tmp_path, uncertainties, field, needle):
    path = write_experiment(tmp_path, uncertainties=uncertainties)
    with pytest.raises(ParameterError) as info:
        load_experiment(path)
    assert info.value.file == str(path)
    assert info.value.field == field
    assert needle in str(info.value)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("replications = 2", "replications = 0", "experiment.replications"),
        ('kind = "latin_hypercube"', 'kind = "taguchi"', "design.kind"),
        ('towns = ["district"]', 'towns = ["atlantis"]', "experiment.towns[0]"),
        ('policies = ["baseline"]', 'policies = ["no_such"]', "experiment.policies[0]"),
        ("years = 2", "yeers = 2", "experiment.yeers"),
        ("samples = 3", "samples = 6", "design.samples"),  # with kind = sobol below
        ("[levers]", "[leverz]", "leverz"),
    ],
)
def test_bad_fields_name_the_file_and_field(tmp_path, old, new, field):
    path = write_experiment(tmp_path)
    text = path.read_text().replace(old, new)
    if field == "design.samples":
        text = text.replace('kind = "latin_hypercube"', 'kind = "sobol"')
    path.write_text(text)
    with pytest.raises(ParameterError) as info:
        load_experiment(path)
    assert info.value.file == str(path)
    assert info.value.field == field


def test_unknown_metric_and_overlapping_sections_are_refused(tmp_path):
    path = write_experiment(tmp_path, extra='[outcomes]\nmetrics = ["happiness"]')
    with pytest.raises(ParameterError, match=r"outcomes\.metrics"):
        load_experiment(path)
    path = write_experiment(tmp_path, levers='"demography.tfr" = [1.2, 1.3]')
    with pytest.raises(ParameterError, match="also in"):
        load_experiment(path)


def test_invalid_toml_is_reported_with_the_file():
    with pytest.raises(ParameterError, match="valid TOML") as info:
        parse_experiment("[experiment\nname=", file="broken.toml")
    assert info.value.file == "broken.toml"
