"""Sweeps into the results store: same results on any worker count, resumable, never mixed."""

import dataclasses
import json

import pandas as pd
import pyarrow.dataset as ds
import pytest

from experiments.plan import make_plan
from experiments.spec import load_experiment
from experiments.store import ResultsStore
from experiments.sweep import run_experiment, store_status
from kyosei.errors import UsageError
from model import InterventionSpec, PolicyPackage

from .experiment_files import comparable_runs, folder_files, write_experiment


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """One uncompromised sweep in this process, for comparisons."""
    folder = tmp_path_factory.mktemp("reference")
    path = write_experiment(folder, replications=2, levers='"demography.out_scale" = [0.8, 1.2]')
    run_experiment(path, folder / "out", workers=1, progress=False)
    return path, ResultsStore(folder / "out")


def test_two_local_processes_give_the_results_of_one(reference, tmp_path):
    path, one = reference
    summary = run_experiment(
        path, tmp_path / "two", workers=2, progress=False, batch_runs=1, compact_parts=0
    )
    assert summary.ok == summary.planned == 12
    two = ResultsStore(tmp_path / "two")
    pd.testing.assert_frame_equal(comparable_runs(one.runs()), comparable_runs(two.runs()))
    pd.testing.assert_frame_equal(one.timeseries(), two.timeseries())
    pd.testing.assert_frame_equal(one.districts(), two.districts())
    assert len(list((tmp_path / "two" / "runs").glob("part-*.parquet"))) == 12  # one per batch


def test_runs_are_written_as_they_finish(tmp_path):
    path = write_experiment(tmp_path, replications=2)
    out = tmp_path / "out"
    seen = []

    def check(result):
        seen.append(len(ResultsStore(out).runs()))

    run_experiment(path, out, workers=1, progress=False, flush_seconds=0, on_result=check)
    assert seen == [1, 2, 3, 4, 5, 6]


def test_rerun_skips_what_is_done_and_writes_nothing_new(reference, tmp_path):
    path, _ = reference
    out = tmp_path / "out"
    run_experiment(path, out, workers=1, progress=False)
    parts = {p: p.stat().st_mtime_ns for p in (out / "timeseries").iterdir()}
    again = run_experiment(path, out, workers=1, progress=False)
    assert (again.skipped, again.ran) == (12, 0)
    assert {p: p.stat().st_mtime_ns for p in (out / "timeseries").iterdir()} == parts
    assert len(json.loads((out / "manifest.json").read_text())["sweeps"]) == 2


def test_changed_experiment_or_code_is_refused_and_folder_untouched(reference, tmp_path):
    path, _ = reference
    out = tmp_path / "out"
    run_experiment(path, out, workers=1, progress=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    changed = tmp_path / "changed.toml"
    changed.write_text(path.read_text().replace("max = 1.6", "max = 1.7"))
    with pytest.raises(UsageError, match="different experiment"):
        run_experiment(changed, out, workers=1, progress=False)
    exp = load_experiment(path)
    with pytest.raises(UsageError, match="code version"):
        run_experiment(exp, out, workers=1, progress=False, plan=make_plan(exp, "other-code"))
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_more_replications_extend_the_store_and_keep_old_runs(reference, tmp_path):
    path, one = reference
    out = tmp_path / "out"
    run_experiment(path, out, workers=1, progress=False)
    more = tmp_path / "more.toml"
    more.write_text(path.read_text().replace("replications = 2", "replications = 3"))
    summary = run_experiment(more, out, workers=1, progress=False)
    assert (summary.skipped, summary.ran) == (12, 6)
    runs = ResultsStore(out).runs()
    assert sorted(runs["replicate"].unique()) == [0, 1, 2]
    old = runs[runs["replicate"] < 2]
    pd.testing.assert_frame_equal(comparable_runs(old), comparable_runs(one.runs()))
    fewer = tmp_path / "fewer.toml"
    fewer.write_text(path.read_text().replace("replications = 2", "replications = 1"))
    with pytest.raises(UsageError, match="replications"):
        run_experiment(fewer, out, workers=1, progress=False)


def test_a_failed_run_is_recorded_and_the_sweep_goes_on(tmp_path):
    path = write_experiment(tmp_path, replications=2)
    exp = load_experiment(path)
    plan = make_plan(exp)
    broken = PolicyPackage(name="broken", interventions=(InterventionSpec("no_such_kind"),))
    bad = plan.runs[2]
    plan.runs[2] = dataclasses.replace(
        bad, scenario=dataclasses.replace(bad.scenario, policy=broken)
    )
    out = tmp_path / "out"
    summary = run_experiment(exp, out, workers=2, progress=False, plan=plan)
    assert (summary.ok, summary.failed) == (5, 1)
    runs = ResultsStore(out).runs()
    failed = runs[runs["status"] == "failed"]
    assert list(failed["run_id"]) == [bad.run_id]
    assert "no_such_kind" in failed["error"].iloc[0]
    assert runs.loc[runs["status"] == "ok", "error"].isna().all()
    assert bad.run_id not in set(ResultsStore(out).timeseries()["run_id"])
    # A rerun does not repeat a deterministic failure...
    assert run_experiment(exp, out, workers=1, progress=False, plan=plan).ran == 0
    # ...unless asked to; once it succeeds the store holds one row for it, status ok.
    fixed = run_experiment(exp, out, workers=1, progress=False, retry_failed=True)
    assert (fixed.ran, fixed.ok) == (1, 1)
    raw = pd.read_parquet(out / "runs")
    assert len(raw) == 6
    assert raw["run_id"].is_unique
    assert (raw["status"] == "ok").all()


def test_leftovers_of_a_killed_batch_are_ignored_then_cleared(reference, tmp_path):
    path, one = reference
    out = tmp_path / "out"
    run_experiment(path, out, workers=1, progress=False)
    # A batch whose data parts were written but whose runs part (commit) never was:
    orphan = one.timeseries().head(5).assign(run_id="0000000000000000")
    orphan.to_parquet(out / "timeseries" / "part-orphan.parquet", index=False)
    (out / "districts" / ".part-x.parquet.abc.tmp").write_bytes(b"torn")
    store = ResultsStore(out)
    assert "0000000000000000" not in set(store.timeseries()["run_id"])
    pd.testing.assert_frame_equal(store.timeseries(), one.timeseries())
    run_experiment(path, out, workers=1, progress=False)
    assert not (out / "timeseries" / "part-orphan.parquet").exists()
    assert not list(out.rglob("*.tmp"))


def test_the_store_is_plain_parquet_with_a_manifest(reference):
    path, store = reference
    runs = ds.dataset(store.path / "runs", format="parquet").to_table().to_pandas()
    ts = ds.dataset(store.path / "timeseries", format="parquet").to_table().to_pandas()
    assert len(runs) == 12
    assert set(ts["run_id"]) == set(runs["run_id"])
    assert {
        "run_id",
        "arm",
        "town",
        "policy",
        "point",
        "replicate",
        "seed",
        "status",
        "error",
    } <= set(runs.columns)
    assert {"demography.tfr", "demography.out_scale", "wall_s"} <= set(runs.columns)
    manifest = json.loads((store.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["experiment_text"] == path.read_text()
    assert manifest["root_seed"] == 5
    assert manifest["experiment"]["replications"] == 2
    assert {"code_version", "git_commit", "packages", "machine", "created"} <= set(manifest)
    assert "numpy" in manifest["packages"]
    assert (store.path / "experiment.toml").read_text() == path.read_text()
    assert len(store.design()) == 3


def test_reader_selects_columns_runs_and_months(reference):
    _, store = reference
    first = store.runs()["run_id"].iloc[0]
    ts = store.timeseries(["population"], runs=[first], months=[0, 12])
    assert list(ts.columns) == ["run_id", "month", "population"]
    assert list(ts["month"]) == [0, 12]
    wide = store.timeseries(["population"], with_inputs=True)
    assert {"arm", "replicate", "demography.tfr"} <= set(wide.columns)
    assert len(store.districts(months=[24])) == 12  # one district, one row per run
    assert store.timeline().empty  # baseline: no interventions
    assert store.counts() == {"planned": 12, "ok": 12, "failed": 0, "lost": 0, "to_do": 0}
    with pytest.raises(UsageError, match="happiness"):
        store.timeseries(["happiness"])


def test_a_folder_that_is_not_a_store_is_refused(reference, tmp_path):
    path, _ = reference
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="not a Kyosei results folder"):
        run_experiment(path, tmp_path, workers=1, progress=False)
    assert folder_files(tmp_path) == ["notes.txt"]
    with pytest.raises(UsageError, match="no manifest"):
        ResultsStore(tmp_path)


def test_store_status_says_whether_a_sweep_is_needed(reference, tmp_path):
    path, _ = reference
    out = tmp_path / "out"
    assert store_status(path, out) == "missing"
    run_experiment(path, out, workers=1, progress=False)
    assert store_status(path, out) == "complete"
    more = tmp_path / "more.toml"
    more.write_text(path.read_text().replace("replications = 2", "replications = 3"))
    assert store_status(more, out) == "partial"
    changed = tmp_path / "changed.toml"
    changed.write_text(path.read_text().replace("max = 1.6", "max = 1.7"))
    assert store_status(changed, out) == "other"


def test_a_worker_with_other_code_refuses_its_run_which_is_retried_later(tmp_path):
    path = write_experiment(tmp_path, replications=1)
    exp = load_experiment(path)
    plan = make_plan(exp)
    assert plan.runs[0].source  # the planning code's digest travels with every run
    stale = plan.runs[1]
    plan.runs[1] = dataclasses.replace(stale, source="000000000000")
    out = tmp_path / "out"
    summary = run_experiment(exp, out, workers=2, progress=False, plan=plan)
    assert (summary.ok, summary.lost) == (2, 1)
    lost = ResultsStore(out).runs(status="lost")
    assert list(lost["run_id"]) == [stale.run_id]
    assert "differ" in lost["error"].iloc[0]
    retried = run_experiment(exp, out, workers=1, progress=False)
    assert (retried.ran, retried.ok) == (1, 1)
    assert ResultsStore(out).counts()["lost"] == 0
