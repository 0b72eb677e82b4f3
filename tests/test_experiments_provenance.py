"""Provenance by content: input hashes and copies, changed inputs refused, resolved parameters."""

import hashlib
import json
from pathlib import Path

import pytest

from experiments.store import ResultsStore
from experiments.sweep import run_experiment, store_status
from kyosei.cli import main
from model.interventions.base import REGISTRY

from .experiment_files import folder_files, write_experiment

POLICY = """
[policy]
name = "my_outreach"

[[intervention]]
kind = "outreach"
start_month = 0
intensity = 4.0
"""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def experiment(tmp_path):
    policy = tmp_path / "my_outreach.toml"
    policy.write_text(POLICY, encoding="utf-8")
    path = write_experiment(
        tmp_path,
        replications=1,
        years=1,
        design='kind = "latin_hypercube"\nsamples = 2',
        levers='"policy.outreach.detect" = [0.3, 0.6]',
    )
    path.write_text(path.read_text().replace('["baseline"]', '["baseline", "my_outreach.toml"]'))
    return path, policy


def test_editing_a_policy_file_between_two_sweeps_into_one_folder_is_refused(
    experiment, tmp_path, capsys
):
    path, policy = experiment
    out = tmp_path / "out"
    args = ["sweep", str(path), "--out", str(out), "--workers", "1", "--no-progress"]
    assert main(args) == 0
    assert main(args) == 0  # unchanged inputs: resumes, nothing to do
    assert "0 ran" in capsys.readouterr().out
    policy.write_text(POLICY.replace("intensity = 4.0", "intensity = 6.0"), encoding="utf-8")
    before = {p: (out / p).read_bytes() for p in folder_files(out)}
    assert store_status(path, out) == "other"
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"policy file {policy}" in err
    assert "has changed since the folder's results were made" in err
    assert "never mixed" in err
    assert {p: (out / p).read_bytes() for p in folder_files(out)} == before  # nothing written
    # Restoring the file makes the folder usable again.
    policy.write_text(POLICY, encoding="utf-8")
    assert store_status(path, out) == "complete"


def test_manifest_records_hashes_copies_packages_and_resolved_parameters(experiment, tmp_path):
    path, _ = experiment
    out = tmp_path / "out"
    run_experiment(path, out, workers=1, progress=False)
    store = ResultsStore(out)
    inputs = store.manifest["inputs"]
    roles = {(e["role"], Path(e["path"]).name) for e in inputs}
    assert ("experiment", path.name) in roles
    assert ("policy", "my_outreach.toml") in roles
    assert ("policy", "baseline.toml") in roles
    assert ("town", "district.toml") in roles
    for entry in inputs:
        assert entry["sha256"] == _sha(Path(entry["path"]))
        copy = out / entry["copy"]
        assert copy.read_bytes() == Path(entry["path"]).read_bytes()
    packages = store.manifest["packages"]
    assert {"SALib", "numpy", "scipy", "pandas", "mesa", "python"} <= set(packages)

    params = store.parameters()
    assert len(params) == len(store.arms()) * len(store.design())
    runs = store.runs().merge(params, on=["arm", "point"])
    assert len(runs) == store.planned()
    design = store.design().set_index("point")
    for row in runs.to_dict("records"):
        resolved = json.loads(row["parameters"])
        assert resolved["params"]["demography.tfr"] == pytest.approx(
            design.loc[row["point"], "demography.tfr"]
        )
        outreach = [i for i in resolved["interventions"] if i["kind"] == "outreach"]
        assert outreach[0]["options"]["detect"] == row["policy.outreach.detect"]  # the lever
        if row["policy"] == "my_outreach":
            assert outreach[0]["intensity"] == 4.0
        else:  # added to the baseline with its defaults
            assert outreach[0]["intensity"] == REGISTRY["outreach"].default_intensity


def test_more_replications_still_extend_a_folder(experiment, tmp_path):
    path, _ = experiment
    out = tmp_path / "out"
    run_experiment(path, out, workers=1, progress=False)
    path.write_text(path.read_text().replace("replications = 1", "replications = 2"))
    summary = run_experiment(path, out, workers=1, progress=False)
    assert summary.skipped == summary.ran == summary.planned // 2
