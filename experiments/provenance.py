"""Where a result came from: code version, commit, package versions, machine, time."""

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

PACKAGES = ("kyosei", "mesa", "numpy", "scipy", "pandas", "pyarrow", "dask", "distributed")
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
    """Installed versions of the packages that decide a result."""
    found = {}
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
