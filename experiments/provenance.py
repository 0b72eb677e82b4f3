"""Where a result came from: code version, commit, package versions, machine, time."""

from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

PACKAGES = ("kyosei", "mesa", "numpy", "scipy", "pandas", "pyarrow", "dask", "distributed")
REPO_ROOT = Path(__file__).resolve().parent.parent


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


def code_version() -> str:
    """Kyosei's version plus commit: the part of a run's identity that is code."""
    from kyosei import __version__

    commit = git_commit()
    return f"{__version__}+{commit}" if commit else __version__


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
        "packages": package_versions(),
        "machine": machine(),
        "created": now(),
    }
