"""Where a result came from: code version, commit, package versions, machine, time, inputs.

Input files are recorded by content: every town, policy and experiment file a sweep
read has its SHA-256 in the manifest and a copy in the store's ``inputs/`` folder, so a
folder says exactly what produced it and a rerun whose inputs changed is refused.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import platform
import subprocess
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

# Packages whose version can shape a result (the model, its numbers, sampling, analysis,
# storage, scheduling).
PACKAGES = (
    "kyosei",
    "mesa",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "SALib",
    "networkx",
    "dask",
    "distributed",
    "dask-jobqueue",
)
REPO_ROOT = Path(__file__).resolve().parent.parent
# The source folders whose content decides a run's result.
SOURCE_DIRS = ("model", "scenarios", "experiments")


@cache
def git_commit() -> str:
    """The source tree's commit (with ``+dirty`` when it has uncommitted changes), or ``""``."""
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return head + ("+dirty" if dirty else "")


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that decide a result (and Python's)."""
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


@cache
def source_digest() -> str:
    """Hash of the model, scenario and experiment sources (``.py`` and ``.toml``) as loaded.

    Content-based, so it is the same for the same code on any machine (a Dask worker with
    an installed copy, a git checkout) and changes with any edit, committed or not.
    """
    h = hashlib.sha256()
    for folder in SOURCE_DIRS:
        root = REPO_ROOT / folder
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".toml") and path.is_file():
                h.update(path.relative_to(REPO_ROOT).as_posix().encode())
                h.update(b"\0")
                h.update(path.read_bytes())
                h.update(b"\0")
    return h.hexdigest()[:12]


def package_version() -> str:
    """The installed Kyosei's version (``0.0.0+source`` for a tree that is not installed).

    Read from the package metadata, as ``kyosei.__version__`` is, without importing the
    command line package (experiments sit below it).
    """
    try:
        return version("kyosei")
    except PackageNotFoundError:
        return "0.0.0+source"


def code_version() -> str:
    """Kyosei's version plus commit: the part of a run's identity that is code.

    An uncommitted tree (``+dirty``) also carries :func:`source_digest`, so results of
    two different uncommitted states are never taken for each other.
    """
    base = package_version()
    commit = git_commit()
    if not commit:
        return base
    if commit.endswith("+dirty"):
        return f"{base}+{commit}.{source_digest()}"
    return f"{base}+{commit}"


def machine() -> dict[str, Any]:
    """The machine a run happened on (for reading timings, not for identity)."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "hostname": platform.node(),
    }


def now() -> str:
    """The current time in ISO 8601 with time zone."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def stamp() -> dict[str, Any]:
    """Everything above, as one mapping for a manifest."""
    return {
        "code_version": code_version(),
        "git_commit": git_commit(),
        "source_digest": source_digest(),
        "packages": package_versions(),
        "machine": machine(),
        "created": now(),
    }


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes (hex)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def input_files(experiment: Any) -> list[dict[str, str]]:
    """Every file an experiment reads, with its content hash.

    One entry per file: ``role`` (``experiment`` | ``town`` | ``policy`` | ``design``),
    ``name`` (as the experiment file names it; a town's ``base`` profiles get the name of
    the town that uses them plus ``<base>``), ``path`` and ``sha256``.
    """
    from scenarios.loader import policy_file, town_files

    out: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(role: str, name: str, path: Path) -> None:
        key = (role, str(path.resolve()))
        if key in seen:
            return
        seen.add(key)
        out.append({"role": role, "name": name, "path": str(path), "sha256": file_sha256(path)})

    if experiment.file and Path(experiment.file).is_file():
        add("experiment", Path(experiment.file).name, Path(experiment.file))
    for town in experiment.towns:
        for i, path in enumerate(town_files(town)):
            add("town", str(town) if i == 0 else f"{town} <base {path.stem}>", path)
    for policy in experiment.policies:
        add("policy", str(policy), policy_file(policy))
    given = getattr(experiment.design, "file", "")
    if given and Path(given).is_file():
        add("design", given, Path(given))
    return out


def changed_inputs(recorded: list[dict[str, str]], current: list[dict[str, str]]) -> list[str]:
    """Town, policy and design files whose content differs from what a store recorded.

    The experiment file itself is compared by its parsed content (the experiment's
    identity) instead, so that raising ``replications`` can extend a folder.
    """
    before = {(e["role"], e["name"]): e for e in recorded if e["role"] != "experiment"}
    changed = []
    for entry in current:
        old = before.get((entry["role"], entry["name"]))
        if old is not None and old["sha256"] != entry["sha256"]:
            changed.append(
                f"{entry['role']} file {entry['path']} (sha256 {old['sha256'][:12]} then, "
                f"{entry['sha256'][:12]} now)"
            )
    return changed
