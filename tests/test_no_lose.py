"""Nothing Kyosei did not write is ever deleted or replaced (issue 19, first rule)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from experiments import io
from kyosei.cli import main
from model.errors import UsageError

RUN = ["run", "district", "--years", "1", "--scale", "50"]


def _hashes(root: Path) -> dict[str, str]:
    """Every file under ``root`` by relative path → SHA-256 of its bytes (and its mode)."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            digest = hashlib.sha256(p.read_bytes()).hexdigest()
            out[str(p.relative_to(root))] = f"{digest} {oct(p.stat().st_mode)}"
    return out


def _user_folder(root: Path) -> Path:
    root.mkdir()
    (root / "notes.txt").write_text("my notes, 会議メモ\n", encoding="utf-8")
    (root / "sub").mkdir()
    (root / "sub" / "data.bin").write_bytes(os.urandom(4096))
    (root / "manifest.json").write_text('{"mine": true}', encoding="utf-8")  # not Kyosei's
    return root


def test_run_out_on_a_folder_of_other_files_leaves_them_byte_identical(tmp_path, capsys):
    folder = _user_folder(tmp_path / "mine")
    before = _hashes(folder)
    for extra in ([], ["--overwrite"]):
        assert main([*RUN, "--out", str(folder), *extra]) == 2
        err = capsys.readouterr().err
        assert "not a Kyosei run folder" in err
        assert str(folder) in err
        assert _hashes(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # no build folder left


def test_run_out_on_a_results_store_is_refused(tmp_path, capsys):
    store = tmp_path / "store"
    store.mkdir()
    (store / "manifest.json").write_text(json.dumps({"format": "kyosei-results/1"}))
    (store / "runs").mkdir()
    before = _hashes(store)
    assert main([*RUN, "--out", str(store), "--overwrite"]) == 2
    assert "results set" in capsys.readouterr().err
    assert _hashes(store) == before


def test_replacing_an_earlier_run_needs_overwrite(tmp_path, capsys):
    out = tmp_path / "run"
    assert main([*RUN, "--out", str(out)]) == 0
    first = _hashes(out)
    assert main([*RUN, "--seed", "2", "--out", str(out)]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert _hashes(out) == first
    assert main([*RUN, "--seed", "2", "--out", str(out), "--overwrite"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # the old copy is gone


def test_an_earlier_run_with_a_users_file_added_is_not_replaced(tmp_path, capsys):
    out = tmp_path / "run"
    assert main([*RUN, "--out", str(out)]) == 0
    (out / "my-analysis.xlsx").write_bytes(b"PK\x03\x04 user data")
    before = _hashes(out)
    assert main([*RUN, "--out", str(out), "--overwrite"]) == 2
    assert "my-analysis.xlsx" in capsys.readouterr().err
    assert _hashes(out) == before


def test_an_empty_folder_is_used(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    assert main([*RUN, "--out", str(out)]) == 0
    assert (out / "manifest.json").exists()


def test_default_folder_names_town_policy_years_scale_and_seed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main([*RUN]) == 0
    assert main(["run", "district", "--years", "2", "--scale", "50"]) == 0
    names = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert names == [
        "district-baseline-1y-scale50-seed1",
        "district-baseline-2y-scale50-seed1",
    ]


def test_replace_dir_never_touches_a_foreign_folder(tmp_path):
    target = _user_folder(tmp_path / "target")
    build = tmp_path / "build"
    build.mkdir()
    (build / "manifest.json").write_text("{}")
    before = _hashes(target)
    with pytest.raises(UsageError):
        io.replace_dir(build, target, overwrite=True)
    assert _hashes(target) == before
    assert (build / "manifest.json").exists()


def test_written_files_and_folders_honour_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "run"
        assert main([*RUN, "--out", str(out)]) == 0
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o755
    for p in out.iterdir():
        assert p.stat().st_mode & 0o777 == 0o644, p


def test_sweep_out_on_a_folder_of_other_files_or_a_run_is_refused(tmp_path, capsys):
    from tests.experiment_files import write_experiment

    exp = write_experiment(tmp_path, replications=1, years=1)
    folder = _user_folder(tmp_path / "mine")
    run = tmp_path / "run"
    assert main([*RUN, "--out", str(run)]) == 0
    for target in (folder, run):
        before = _hashes(target)
        assert main(["sweep", str(exp), "--out", str(target), "--workers", "1"]) == 2
        assert str(target) in capsys.readouterr().err
        assert _hashes(target) == before


def test_analyze_out_on_a_folder_of_other_files_leaves_them_byte_identical(tmp_path, capsys):
    from tests.experiment_files import write_experiment

    exp = write_experiment(tmp_path, replications=1, years=1)
    store = tmp_path / "store"
    assert main(["sweep", str(exp), "--out", str(store), "--workers", "1", "--no-progress"]) == 0
    folder = _user_folder(tmp_path / "mine")
    (folder / "bands.csv").write_text("my own table\n", encoding="utf-8")  # a name analyze uses
    before = _hashes(folder)
    assert main(["analyze", str(store), "--out", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "did not write" in err
    assert str(folder) in err
    assert _hashes(folder) == before
    tables = tmp_path / "tables"
    assert main(["analyze", str(store), "--out", str(tables)]) == 0
    assert main(["analyze", str(store), "--out", str(tables)]) == 0  # its own tables: rewritten
    assert (tables / "bands.csv").read_text(encoding="utf-8").startswith("arm,")
    assert main(["analyze", str(store), "--out", str(store)]) == 2  # never into the store
