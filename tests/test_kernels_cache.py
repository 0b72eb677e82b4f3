"""The compiled kernels' disk cache follows the whole package, not each kernel's file.

A kernel compiles in the constants it reads from other modules: the snapshot's
``_years`` caps ages at ``population.MAX_AGE``. Numba on its own checks a cached kernel
against the kernel's file only, so after an edit of ``population.py`` (or an upgrade
that changed only it) it would load the old cap; ``model.kernels`` stamps the cache
with every file of the package instead. Each check runs in a fresh process on a copy
of the package, with a cache of its own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("numba")

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import numpy as np; from model import snapshot; "
    "print(snapshot.__file__); print(int(snapshot._years(np.array([1500], np.int16))[0]))"
)


def _capped_years(root: Path, cache: Path) -> int:
    """Completed years of a resident aged 1,500 months, by the compiled kernel in ``root``."""
    env = {
        **os.environ,
        "NUMBA_CACHE_DIR": str(cache),
        "KYOSEI_NUMBA": "1",
        "PYTHONPATH": os.pathsep.join([str(root), str(ROOT)]),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    where, years = done.stdout.split()[-2:]
    assert Path(where).resolve().is_relative_to(root)  # the copy ran, not the project
    return int(years)


def _index_files(cache: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in cache.rglob("snapshot._years-*.nbi")}


def test_an_edit_in_another_module_recompiles_the_kernels_that_compiled_it_in(tmp_path):
    copy = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "model", tmp_path / "model", ignore=copy)
    cache = tmp_path / "numba-cache"
    assert _capped_years(tmp_path, cache) == 120
    cached = _index_files(cache)
    assert cached  # the kernel went to the cache
    # Nothing of the source changed (an editor's lock link and a notebook's checkpoint
    # are not source): the next process loads the kernel, its index is not rewritten.
    (tmp_path / "model" / ".#population.py").symlink_to("nowhere@1234")
    (tmp_path / "model" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "model" / ".ipynb_checkpoints" / "population-checkpoint.py").write_text("")
    assert _capped_years(tmp_path, cache) == 120
    assert _index_files(cache) == cached
    # The cap changes in population.py; snapshot.py, the kernel's own file, does not.
    population = tmp_path / "model" / "population.py"
    text = population.read_text(encoding="utf-8")
    assert "MAX_AGE = 120 " in text
    population.write_text(text.replace("MAX_AGE = 120 ", "MAX_AGE = 110 "), encoding="utf-8")
    assert _capped_years(tmp_path, cache) == 110


def test_the_stamp_follows_every_source_file_as_it_is_now(tmp_path, monkeypatch):
    from model import kernels

    monkeypatch.setattr(kernels, "PACKAGE", tmp_path)
    (tmp_path / "a.py").write_text("X = 1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.py").write_text("Y = 2\n")
    first = kernels.package_stamp()
    assert kernels.package_stamp() == first
    (tmp_path / ".#a.py").symlink_to("nowhere")  # not source, and not readable
    (tmp_path / "notes.txt").write_text("not python")
    assert kernels.package_stamp() == first
    (tmp_path / "sub" / "b.py").write_text("Y = 3\n")  # the same size, a new time
    edited = kernels.package_stamp()
    assert edited != first
    (tmp_path / "c.py").write_text("")
    assert kernels.package_stamp() not in (first, edited)


def test_only_real_files_of_the_package_are_stamped():
    from model import kernels

    assert kernels._in_package(str(kernels.PACKAGE / "tabulation.py"))
    assert not kernels._in_package(str(ROOT / "experiments" / "run.py"))
    assert not kernels._in_package("<ipython-input-3-abc>")
    assert not kernels._in_package(str(kernels.PACKAGE / "no_such_module.py"))
