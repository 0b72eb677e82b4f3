"""Compaction of a results store: same values, few files sorted by month, atomic at every step."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from experiments import analysis, compaction
from experiments.store import ResultsStore, check_store, live_parts
from experiments.sweep import run_experiment
from kyosei.cli import main

from .experiment_files import comparable_runs, write_experiment

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """6 runs of 2 years in 6 small batches, compaction off (what an older Kyosei wrote)."""
    folder = tmp_path_factory.mktemp("small")
    exp = write_experiment(folder, replications=2)
    run_experiment(exp, folder / "out", workers=1, progress=False, batch_runs=1, compact_parts=0)
    return exp, folder / "out"


def _copy(small, tmp_path: Path) -> Path:
    dst = tmp_path / "store"
    shutil.copytree(small[1], dst)
    return dst


def _reads(path: Path) -> dict[str, pd.DataFrame]:
    store = ResultsStore(path)
    return {
        "runs": comparable_runs(store.runs()),
        "timeseries": store.timeseries(),
        "districts": store.districts(),
        "timeline": store.timeline(),
        "month 12": store.timeseries(["population", "aging_rate"], months=[12]),
    }


def _assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        pd.testing.assert_frame_equal(a[key], b[key], obj=key)


def _exactly_once(path: Path) -> None:
    """Every planned run once in the runs table and once per month in the time series."""
    store = ResultsStore(path)
    runs = store.runs()
    assert runs["run_id"].is_unique
    assert len(runs) == store.planned()
    ts = store.timeseries(["population"])
    assert not ts.duplicated(["run_id", "month"]).any()
    assert len(ts) == len(runs) * (store.manifest["months"] + 1)


def test_compaction_keeps_every_value_and_sorts_by_month(small, tmp_path, monkeypatch, capsys):
    store = _copy(small, tmp_path)
    before = _reads(store)
    assert len(live_parts(store)) == 6
    monkeypatch.setattr(compaction, "ROW_GROUP_ROWS", 40)  # several row groups in a tiny store
    assert main(["store", "compact", str(store)]) == 0
    assert "6 batch(es) compacted into 1" in capsys.readouterr().out
    for table in ("runs", "timeseries", "districts", "timeline"):
        names = [p.name for p in (store / table).iterdir()]
        assert len(names) == 1, (table, names)
        assert names[0].startswith("part-compact-"), (table, names)
    _assert_same(before, _reads(store))
    _exactly_once(store)
    assert check_store(store).ok
    # The time series file is sorted by month, in row groups whose month ranges do not
    # overlap: a reader of one month skips the others by their statistics.
    part = next((store / "timeseries").iterdir())
    meta = pq.read_metadata(part)
    assert meta.num_row_groups > 1
    month = pq.ParquetFile(part).schema_arrow.get_field_index("month")
    ranges = [
        (
            meta.row_group(i).column(month).statistics.min,
            meta.row_group(i).column(month).statistics.max,
        )
        for i in range(meta.num_row_groups)
    ]
    assert all(hi < lo2 for (_, hi), (lo2, _) in itertools.pairwise(ranges))
    dataset = ds.dataset(part, format="parquet")
    fragments = list(
        next(iter(dataset.get_fragments())).split_by_row_group(ds.field("month") == 12)
    )
    assert len(fragments) == 1  # one row group holds month 12
    # Reading one metric at one month reads that column only, and the same values.
    one = ResultsStore(store).timeseries(["population"], months=[12])
    assert list(one.columns) == ["run_id", "month", "population"]
    pd.testing.assert_series_equal(one["population"], before["month 12"]["population"])
    # A second compaction has nothing to do and changes nothing.
    stamp = {p: p.stat().st_mtime_ns for p in store.rglob("*.parquet")}
    assert main(["store", "compact", str(store)]) == 0
    assert "nothing to compact" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in store.rglob("*.parquet")} == stamp


def test_a_long_sweep_compacts_as_it_goes(tmp_path):
    exp = write_experiment(tmp_path, replications=3)
    out = tmp_path / "out"
    seen: list[tuple[int, int]] = []

    def count(result):
        batches = live_parts(out)
        seen.append((sum(1 for b in batches if b.startswith("compact-")), len(batches)))

    run_experiment(
        exp, out, workers=1, progress=False, batch_runs=1, compact_parts=3, on_result=count
    )
    assert max(n for n, _ in seen) >= 1  # compacted while running
    assert max(total - n for n, total in seen) < 3  # never three small batches left lying
    assert [p.name[5:12] for p in (out / "timeseries").iterdir()] == ["compact"]
    _exactly_once(out)
    assert check_store(out).ok


KILL = """
import os, sys
from experiments import analysis, compaction
calls = 0
def step(name, detail):
    global calls
    calls += 1
    if calls == int(sys.argv[2]):
        os._exit(9)  # a kill: no clean-up, no finally
compaction._step = step
compaction.compact(sys.argv[1])
print(calls)
"""


def _compact_killed_at(store: Path, step: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", KILL, str(store), str(step)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
@pytest.mark.parametrize("step", [1, 2, 3, 4, 5, 6, 16, 28])
def test_a_compaction_killed_at_any_step_leaves_every_run_exactly_once(small, tmp_path, step):
    exp, _ = small
    store = _copy(small, tmp_path)
    before = _reads(store)
    # Steps: 3 data files written, the runs part (commit), then 6 batches × 4 files deleted.
    done = _compact_killed_at(store, step)
    assert done.returncode == 9, done.stderr
    _assert_same(before, _reads(store))
    _exactly_once(store)
    check = check_store(store)
    assert check.ok, check.lines()
    assert bool(check.superseded) == (4 <= step < 28)  # the commit happened, clean-up did not
    # The next sweep into the folder finishes the job, runs nothing, and holds each run once.
    summary = run_experiment(exp, store, workers=1, progress=False)
    assert (summary.skipped, summary.ran) == (6, 0)
    assert [b[:8] for b in live_parts(store)] == ["compact-"]
    assert len(list((store / "runs").iterdir())) == 1
    assert not list(store.glob(".compact-*"))
    assert not list(store.rglob("*.tmp"))
    _assert_same(before, _reads(store))


def test_the_step_count_of_the_kill_test_is_right(small, tmp_path):
    store = _copy(small, tmp_path)
    done = _compact_killed_at(store, 10_000)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) == 3 + 1 + 6 * 4


def test_a_damaged_compacted_file_is_quarantined_and_its_runs_named(small, tmp_path, capsys):
    exp, _ = small
    store = _copy(small, tmp_path)
    before = _reads(store)
    compaction.compact(store)
    ids = sorted(ResultsStore(store).runs()["run_id"])
    part = next((store / "timeseries").iterdir())
    data = part.read_bytes()
    part.write_bytes(data[: len(data) // 2])
    assert not check_store(store, quick=True).ok  # a resume notices it too
    assert main(["store", "check", str(store)]) == 1
    out = capsys.readouterr().out
    assert f"DAMAGED timeseries/{part.name}" in out
    assert "6 run(s) will be re-run" in out
    assert all(i[:12] in out for i in ids)
    assert main(["store", "repair", str(store)]) == 0
    capsys.readouterr()
    kept = [p for p in (store / "quarantine").rglob(part.name) if p.parent.name == "timeseries"]
    assert len(kept) == 1
    assert kept[0].read_bytes() == data[: len(data) // 2]
    summary = run_experiment(exp, store, workers=1, progress=False)
    assert (summary.skipped, summary.ran) == (0, 6)
    _assert_same(before, _reads(store))
    assert check_store(store).ok


def test_a_compacted_file_of_the_wrong_size_is_damaged_on_resume(small, tmp_path):
    store = _copy(small, tmp_path)
    compaction.compact(store)
    part = next((store / "districts").iterdir())
    with part.open("ab") as fh:
        fh.write(b"\0" * 10)  # the size the compaction recorded names it first
    check = check_store(store, quick=True)
    assert [d.path for d in check.damaged] == [f"districts/{part.name}"]
    assert "bytes" in check.damaged[0].problem


@pytest.mark.parametrize("districts", [False, True])
def test_quantile_bands_read_a_few_months_at_a_time_and_give_the_same_bands(
    small, monkeypatch, districts
):
    store = ResultsStore(small[1])
    names = ["population", "aging_rate"]
    keys = ["arm", "month"] + (["district"] if districts else [])
    read = store.districts if districts else store.timeseries
    long = read(names, with_inputs=True).melt(id_vars=keys, value_vars=names, var_name="metric")
    grouped = long.groupby([*keys, "metric"])["value"]
    expected = grouped.agg(n="count", mean="mean", median="median").reset_index()
    expected["lo"] = grouped.quantile(0.1).to_numpy()
    expected["hi"] = grouped.quantile(0.9).to_numpy()
    monkeypatch.setattr(analysis, "BAND_ROWS", 30)  # two or three months per read
    got = analysis.quantile_bands(store, names, districts=districts)
    places = long["district"].nunique() if districts else 1
    assert len(got) == len(expected) == (store.manifest["months"] + 1) * 2 * places
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
