"""A results store checks itself: damage is named, quarantined (never deleted) and re-run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from experiments.store import ResultsStore, check_store
from experiments.sweep import run_experiment
from kyosei.cli import main
from model.errors import UsageError

from .experiment_files import comparable_runs, write_experiment


@pytest.fixture(scope="module")
def intact(tmp_path_factory):
    """An undamaged store of 6 runs in 3 batches of 2 (not compacted)."""
    folder = tmp_path_factory.mktemp("intact")
    exp = write_experiment(folder, replications=2)
    run_experiment(  # batches of exactly 2, however slow the machine (no flush by time)
        exp,
        folder / "out",
        workers=1,
        progress=False,
        batch_runs=2,
        flush_seconds=1e9,
        compact_parts=0,
    )
    return exp, folder / "out"


def _copy(intact, tmp_path: Path) -> Path:
    _, src = intact
    dst = tmp_path / "store"
    shutil.copytree(src, dst)
    return dst


def _first(store: Path, table: str) -> Path:
    return sorted((store / table).glob("part-*.parquet"))[0]


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _drop_rows(path: Path) -> None:  # a part that reads, with fewer rows than its runs need
    df = pd.read_parquet(path)
    df.iloc[: len(df) - 3].to_parquet(path, index=False)


DAMAGE = {
    "truncated timeseries part": ("timeseries", _truncate),
    "empty timeseries part": ("timeseries", _empty),
    "timeseries part missing rows": ("timeseries", _drop_rows),
    "truncated runs part": ("runs", _truncate),
    "truncated districts part": ("districts", _truncate),
}


def _same_as_intact(intact, store: Path) -> None:
    _, src = intact
    good, repaired = ResultsStore(src), ResultsStore(store)
    assert sorted(repaired.runs()["run_id"]) == sorted(good.runs()["run_id"])
    pd.testing.assert_frame_equal(comparable_runs(good.runs()), comparable_runs(repaired.runs()))
    pd.testing.assert_frame_equal(good.timeseries(), repaired.timeseries())
    pd.testing.assert_frame_equal(good.districts(), repaired.districts())
    assert check_store(store).ok


@pytest.mark.parametrize("case", list(DAMAGE))
def test_store_check_names_the_damage_and_repair_plus_resume_restores_it(
    intact, tmp_path, capsys, case
):
    exp, _ = intact
    store = _copy(intact, tmp_path)
    table, damage = DAMAGE[case]
    part = _first(store, table)
    damage(part)
    damaged_bytes = part.read_bytes()
    assert main(["store", "check", str(store)]) == 1
    out = capsys.readouterr().out
    assert f"DAMAGED {table}/{part.name}" in out
    assert "will be re-run" in out
    assert main(["store", "repair", str(store)]) == 0
    assert "quarantine" in capsys.readouterr().out
    kept = list((store / "quarantine").rglob(part.name))
    kept = [p for p in kept if p.parent.name == table]
    assert len(kept) == 1
    assert kept[0].read_bytes() == damaged_bytes  # moved, not deleted or changed
    summary = run_experiment(exp, store, workers=1, progress=False, batch_runs=2)
    assert summary.ran == 2  # exactly the damaged batch
    assert summary.skipped == 4
    _same_as_intact(intact, store)


@pytest.mark.parametrize("case", ["truncated timeseries part", "truncated runs part"])
def test_resume_alone_quarantines_and_reruns_a_damaged_batch(intact, tmp_path, capsys, case):
    exp, _ = intact
    store = _copy(intact, tmp_path)
    table, damage = DAMAGE[case]
    damage(_first(store, table))
    assert main(["sweep", str(exp), "--out", str(store), "--workers", "1", "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert "4 already done, 2 ran" in captured.out
    assert "moved to" in captured.err
    _same_as_intact(intact, store)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_an_unreadable_timeseries_folder_is_named_and_repaired(intact, tmp_path, capsys):
    exp, _ = intact
    store = _copy(intact, tmp_path)
    (store / "timeseries").chmod(0)
    try:
        assert main(["store", "check", str(store)]) == 1
        assert "DAMAGED timeseries/" in capsys.readouterr().out
        assert main(["store", "repair", str(store)]) == 0
    finally:
        for p in [store / "timeseries", *(store / "quarantine").rglob("timeseries")]:
            if p.exists():
                p.chmod(0o755)
    summary = run_experiment(exp, store, workers=1, progress=False, batch_runs=2)
    assert summary.ran == 6
    _same_as_intact(intact, store)


@pytest.mark.parametrize("how", ["file", "link loop"])
def test_a_timeseries_folder_that_cannot_be_listed_is_named_and_repaired(
    intact, tmp_path, capsys, how
):
    exp, _ = intact
    store = _copy(intact, tmp_path)
    shutil.rmtree(store / "timeseries")
    if how == "file":
        (store / "timeseries").write_text("not a folder")
    else:
        (store / "timeseries").symlink_to("timeseries")
    assert main(["store", "check", str(store)]) == 1
    assert "DAMAGED timeseries" in capsys.readouterr().out
    assert main(["store", "repair", str(store)]) == 0
    moved = [p for p in (store / "quarantine").rglob("*") if p.name == "timeseries"]
    assert len(moved) == 1
    assert moved[0].is_symlink() or moved[0].read_text() == "not a folder"
    summary = run_experiment(exp, store, workers=1, progress=False, batch_runs=2)
    assert summary.ran == 6
    _same_as_intact(intact, store)


def test_an_intact_store_checks_clean_and_repair_moves_nothing(intact, tmp_path, capsys):
    store = _copy(intact, tmp_path)
    before = sorted(str(p.relative_to(store)) for p in store.rglob("*"))
    assert main(["store", "check", str(store)]) == 0
    assert "6 of 6 runs intact" in capsys.readouterr().out
    assert main(["store", "repair", str(store)]) == 0
    assert sorted(str(p.relative_to(store)) for p in store.rglob("*")) == before


@pytest.mark.parametrize("case", list(DAMAGE))
def test_analyzing_a_damaged_store_says_which_part_and_exits_2(intact, tmp_path, capsys, case):
    # Also a part that reads but misses rows: analysing it would report an incomplete run.
    store = _copy(intact, tmp_path)
    table, damage = DAMAGE[case]
    part = _first(store, table)
    damage(part)
    assert main(["analyze", str(store)]) == 2
    err = capsys.readouterr().err
    assert "kyosei store check" in err
    assert f"{table}/{part.name}" in err
    assert not err.strip().endswith("…")  # said in full, not clipped


def test_a_sweep_marks_its_store_while_writing_and_a_second_sweep_is_refused(tmp_path):
    exp = write_experiment(tmp_path, replications=1)
    out = tmp_path / "out"
    seen: list[bool] = []

    def during(result):
        seen.append((out / ".writing").exists())
        with pytest.raises(UsageError, match="another sweep is writing"):
            run_experiment(exp, out, workers=1, progress=False)

    run_experiment(exp, out, workers=1, progress=False, on_result=during)
    assert seen == [True, True, True]
    assert not (out / ".writing").exists()
