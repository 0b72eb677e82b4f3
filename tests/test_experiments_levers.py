"""Policy settings as parameters: ``policy.<component>.<field>`` in experiments and overrides."""

from pathlib import Path

import numpy as np
import pytest

from experiments import analysis
from experiments.sensitivity import sensitivity
from experiments.spec import parse_experiment
from experiments.store import ResultsStore
from kyosei.cli import main
from model.interventions.base import REGISTRY
from model.parameters import ParameterError
from scenarios import load_scenario

from .experiment_files import folder_files, write_experiment

SHIPPED = Path(__file__).resolve().parent.parent / "experiments" / "levers_district_lhs.toml"


def test_policy_overrides_set_add_and_remove_components_and_take_numpy_scalars():
    s = load_scenario(
        "district",
        "baseline",
        overrides={
            "policy.outreach.intensity": np.float64(3.5),
            "policy.outreach.start_month": np.int64(6),
            "policy.outreach.detect": 0.5,
            "policy.one_stop.enabled": np.bool_(True),
            "demography.tfr": np.float64(1.3),
        },
    )
    by_kind = {spec.kind: spec for spec in s.policy.interventions}
    assert set(by_kind) == {"outreach", "one_stop"}  # both added to the empty baseline
    assert by_kind["outreach"].intensity == 3.5
    assert by_kind["outreach"].start_month == 6
    assert by_kind["outreach"].options == {"detect": 0.5}
    assert by_kind["one_stop"].intensity == REGISTRY["one_stop"].default_intensity  # its default
    assert s.params.demography.tfr == 1.3
    assert all(type(v) in (bool, int, float) for _, v in s.overrides)  # plain Python values
    full = load_scenario("district", "jusou_full")
    off = load_scenario("district", "jusou_full", overrides={"policy.one_stop.enabled": False})
    kinds = [spec.kind for spec in full.policy.interventions]
    assert [spec.kind for spec in off.policy.interventions] == [k for k in kinds if k != "one_stop"]


@pytest.mark.parametrize(
    ("path", "value", "allowed"),
    [
        (
            "policy.outreach.intensity",
            -3.0,
            "a number from 0 to 100 (outreach workers (CSW, FTE) in the town)",
        ),
        ("policy.outreach.enabled", 1, "true or false"),
        ("policy.outreach.detect", 1.5, "a number from 0 to 1"),
        ("policy.outreach.start_month", 2.5, "a whole number ≥ 0 (months)"),
        ("policy.outreach.eligibility", "cats", "one of all,"),
        ("policy.outreach.colour", 1, "a field of outreach: enabled, intensity"),
        ("policy.teleport.intensity", 1, "a policy component: cafe_agreement"),
    ],
)
def test_bad_policy_settings_are_refused_naming_what_is_allowed(path, value, allowed):
    with pytest.raises(ParameterError) as err:
        load_scenario("district", "baseline", overrides={path: value})
    assert err.value.field == path
    assert err.value.allowed.startswith(allowed)


LHS = """
[experiment]
replications = 1
years = 1
towns = ["district"]
policies = ["baseline"]
[design]
kind = "latin_hypercube"
samples = 4
[uncertainties]
UNCERTAINTY
[levers]
"policy.one_stop.enabled" = { values = [false, true] }
"""


U = "uncertainties.policy.outreach."


@pytest.mark.parametrize(
    ("uncertainty", "field", "needle"),
    [
        ('"policy.outreach.enabled" = { min = 0, max = 1 }', U + "enabled", "under [levers]"),
        ('"policy.outreach.enabled" = { values = [false, true] }', U + "enabled", "under [levers]"),
        (
            '"policy.outreach.eligibility" = { values = ["all", "elderly"] }',
            U + "eligibility",
            "full_factorial",
        ),
        (
            '"policy.outreach.intensity" = { min = -1, max = 10 }',
            U + "intensity.min",
            "from 0 to 100",
        ),
    ],
)
def test_on_off_and_choices_only_as_levers_or_factorial(uncertainty, field, needle):
    with pytest.raises(ParameterError) as err:
        parse_experiment(LHS.replace("UNCERTAINTY", uncertainty), file="x.toml")
    assert err.value.field == field
    assert needle in err.value.allowed
    factorial = LHS.replace('"latin_hypercube"', '"full_factorial"').replace(
        "UNCERTAINTY", '"policy.outreach.eligibility" = { values = ["all", "elderly"] }'
    )
    e = parse_experiment(factorial, file="x.toml")
    assert e.uncertainties[0].values == ("all", "elderly")
    assert e.levers[0].values == (False, True)


def test_a_package_that_lists_a_component_twice_is_refused_naming_both(tmp_path, capsys):
    twice = tmp_path / "twice.toml"
    twice.write_text(
        '[policy]\nname = "twice"\n\n[[intervention]]\nkind = "outreach"\nintensity = 2.0\n\n'
        '[[intervention]]\nkind = "one_stop"\n\n[[intervention]]\nkind = "outreach"\n'
        'eligibility = "elderly"\n'
    )
    path = write_experiment(
        tmp_path, uncertainties='"policy.outreach.intensity" = { min = 0, max = 10 }'
    )
    path.write_text(path.read_text().replace('["baseline"]', '["baseline", "twice.toml"]'))
    before = folder_files(tmp_path)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "uncertainties.policy.outreach.intensity" in err
    assert "twice lists outreach 2 times (intervention[0] and intervention[2])" in err
    assert folder_files(tmp_path) == before


@pytest.mark.slow
def test_shipped_lever_experiment_runs_and_analyze_prints_indices_effects_contrasts(
    tmp_path, capsys
):
    text = SHIPPED.read_text(encoding="utf-8")
    small = (
        text.replace("replications = 3", "replications = 2")
        .replace("years = 10", "years = 1")
        .replace("samples = 16", "samples = 4")
    )
    assert small != text
    path = tmp_path / "levers.toml"
    path.write_text(small, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "2", "--no-progress"]) == 0
    store = ResultsStore(out)
    assert store.counts()["ok"] == 4 * 2 * 2
    off, on = store.arms()
    assert on.endswith("[policy.one_stop.enabled=True]")
    # The one-stop arm really has the component, the other not; both have outreach.
    tl = store.timeline().merge(store.runs()[["run_id", "arm"]], on="run_id")
    assert "one_stop" in set(tl.loc[tl["arm"] == on, "kind"])
    assert "one_stop" not in set(tl.loc[tl["arm"] == off, "kind"])
    design = store.design()
    assert design["policy.outreach.intensity"].between(0, 10).all()

    capsys.readouterr()
    code = main(["analyze", str(out), "--metric", "unmet_share", "--contrast", f"{off}:{on}"])
    assert code == 0
    printed = capsys.readouterr().out
    table = sensitivity(store, "unmet_share")
    pooled = table[table["arm"] == "district/baseline [levers pooled]"]
    names = {
        "policy.outreach.intensity",
        "policy.one_stop.enabled",
        "support.never_seek_share",
        "needs.withdrawal_onset",
    }
    assert set(pooled["parameter"]) == names
    assert pooled["value"].notna().all()
    for name in names:
        assert name in printed
    assert "Sensitivity" in printed
    assert "Main effects" in printed
    assert "Contrasts between arms" in printed

    # The main effect of the lever is, per replicate, the mean over points of on − off.
    final = analysis.outcomes(store, "unmet_share")
    wide = final.pivot_table(index=["replicate", "point"], columns="arm", values="unmet_share")
    per_rep = (wide[on] - wide[off]).groupby("replicate").mean()
    eff = analysis.effects(store, "unmet_share").iloc[0]
    assert eff["factor"] == "policy.one_stop.enabled"
    assert eff["value"] == pytest.approx(per_rep.mean())
    # A contrast is antisymmetric and equals the paired difference from the reference.
    ab = analysis.contrast(store, on, off, "unmet_share").iloc[0]
    ba = analysis.contrast(store, off, on, "unmet_share").iloc[0]
    ref = analysis.paired_differences(store, "unmet_share").iloc[0]
    assert ab["mean_diff"] == pytest.approx(-ba["mean_diff"])
    assert ab["hi"] == pytest.approx(-ba["lo"])
    assert ab["mean_diff"] == pytest.approx(ref["mean_diff"])
    assert ab["lo"] == pytest.approx(ref["lo"])
    assert main(["analyze", str(out), "--contrast", "nope:district"]) == 2


def test_numpy_scalars_from_a_design_tool_give_the_same_scenario_as_python_values():
    plain = load_scenario("district", "baseline", overrides={"demography.tfr": 1.25})
    numpy = load_scenario("district", "baseline", overrides={"demography.tfr": np.float64(1.25)})
    assert plain == numpy
    on = load_scenario("district", "baseline", overrides={"policy.one_stop.enabled": np.bool_(1)})
    assert [spec.kind for spec in on.policy.interventions] == ["one_stop"]


def test_scenarios_show_lists_the_settings_an_experiment_can_vary(capsys):
    assert main(["scenarios", "show", "outreach"]) == 0
    text = capsys.readouterr().out
    assert "policy.outreach.intensity" in text
    assert "a number from 0 to 100 (outreach workers (CSW, FTE) in the town)" in text
    assert "policy.outreach.detect" in text
