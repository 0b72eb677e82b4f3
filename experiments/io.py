"""Atomic writes: a reader never sees a half-written Parquet or JSON file.

Each file is written to a temporary name in the same folder and then renamed over
the target (``os.replace`` is atomic on POSIX), so a crash or a kill mid-write
leaves either the old file or the new one, never a torn one.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from model.errors import UsageError


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # elsewhere: read it by setting it, then put it back
    os.umask(mask)
    return mask


def honour_umask(path: str | Path, *, folder: bool = False) -> None:
    """Give ``path`` the mode a plain ``open``/``mkdir`` would have.

    ``mkstemp`` and ``mkdtemp`` make 0600/0700 whatever the umask, which would hide
    results from a colleague sharing the folder.
    """
    os.chmod(path, (0o777 if folder else 0o666) & ~current_umask())


def make_build_dir(target: Path) -> Path:
    """A new hidden folder beside ``target`` to fill before swapping it in (umask honoured)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    honour_umask(build, folder=True)
    return build


@contextmanager
def _atomic(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success, sync it and rename it over ``path``.

    On any error the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        honour_umask(tmp)
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_parquet(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` to ``path`` atomically (zstd-compressed Parquet, no index)."""
    with _atomic(path) as tmp:
        df.to_parquet(tmp, index=False, compression="zstd")
    return Path(path)


def write_table(table: pa.Table, path: str | Path) -> Path:
    """Write an Arrow ``table`` to ``path`` atomically (zstd Parquet, its schema kept exactly).

    Use this rather than :func:`write_parquet` when every file of a dataset must share
    one schema (e.g. a text column that happens to be all empty in one part).
    """
    with _atomic(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return Path(path)


def write_json(data: Any, path: str | Path) -> Path:
    """Write ``data`` to ``path`` atomically as UTF-8 JSON (Japanese kept readable)."""
    with _atomic(path) as tmp, tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2, default=str)
    return Path(path)


def write_text(text: str, path: str | Path) -> Path:
    """Write ``text`` to ``path`` atomically as UTF-8."""
    with _atomic(path) as tmp, tmp.open("w", encoding="utf-8") as fh:
        fh.write(text)
    return Path(path)


# The marker of a folder Kyosei wrote: its manifest, with ``kind`` (a run) or ``format``
# (a results store). A folder without it is the user's, and Kyosei never empties it.
MANIFEST = "manifest.json"
RUN_KIND = "kyosei run"
RUN_FILES = frozenset({"timeseries.parquet", "districts.parquet", MANIFEST})


def folder_kind(path: str | Path) -> str:
    """What ``path`` is, without changing anything.

    ``"missing"``, ``"file"`` (not a folder), ``"empty"``, ``"run"`` (a folder written by
    ``kyosei run``), ``"results"`` (a results store) or ``"other"`` (anything else:
    somebody's files).
    """
    p = Path(path)
    if not p.exists():
        return "missing"
    if not p.is_dir():
        return "file"
    if not any(p.iterdir()):
        return "empty"
    try:
        data = json.loads((p / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "other"
    if isinstance(data, dict) and data.get("kind") == RUN_KIND:
        return "run"
    if isinstance(data, dict) and str(data.get("format", "")).startswith("kyosei-results/"):
        return "results"
    return "other"


def _run_files(path: Path) -> set[str]:
    """The names a ``kyosei run`` folder's manifest says it wrote (the standard three)."""
    try:
        data = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        listed = data.get("files") if isinstance(data, dict) else None
    except (OSError, ValueError):
        listed = None
    if isinstance(listed, list) and all(isinstance(n, str) for n in listed):
        return {*listed, MANIFEST}
    return set(RUN_FILES)


def check_run_folder(target: str | Path, *, overwrite: bool, option: str = "--out") -> None:
    """Refuse ``target`` as the output of a run unless replacing it loses nothing of the user's.

    A missing or empty folder is fine. A folder ``kyosei run`` wrote is replaced only with
    ``overwrite`` and only if it holds nothing but the files that run wrote. Anything
    else (a results store, somebody's files, a file) raises :class:`UsageError`.
    """
    p = Path(target)
    kind = folder_kind(p)
    if kind in ("missing", "empty"):
        return
    if kind == "file":
        raise UsageError(f"{option} {_short(p)}: a file of that name exists; give a folder")
    if kind == "results":
        raise UsageError(
            f"{option} {_short(p)}: the folder holds a results set of 'kyosei sweep'; "
            "it is never replaced: give a new or empty folder"
        )
    if kind == "other":
        raise UsageError(
            f"{option} {_short(p)}: the folder is not empty and is not a Kyosei run folder "
            f"(no {MANIFEST} of 'kyosei run'); nothing in it is touched: give a new or empty "
            "folder"
        )
    extra = sorted(n.name for n in p.iterdir() if n.name not in _run_files(p))
    if extra:
        shown = ", ".join(extra[:3]) + (f" and {len(extra) - 3} more" if len(extra) > 3 else "")
        raise UsageError(
            f"{option} {_short(p)}: the Kyosei run folder also holds files Kyosei did not "
            f"write ({shown}); they are never deleted: move them or give another folder"
        )
    if not overwrite:
        raise UsageError(
            f"{option} {_short(p)}: the folder holds an earlier Kyosei run; add --overwrite "
            "to replace it, or give another folder"
        )


def replace_dir(build: Path, target: Path, *, overwrite: bool = False) -> None:
    """Swap a fully written folder ``build`` into place at ``target``.

    ``target`` must be missing, empty, or (with ``overwrite``) a folder of an earlier
    ``kyosei run`` holding only what that run wrote (see :func:`check_run_folder`);
    anything else raises :class:`UsageError` and nothing is changed.
    """
    check_run_folder(target, overwrite=overwrite)
    if not target.exists():
        os.replace(build, target)
        return
    if not any(target.iterdir()):
        os.replace(build, target)  # POSIX: renaming over an empty folder is atomic
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    os.replace(target, aside / target.name)
    try:
        os.replace(build, target)
    except BaseException:
        os.replace(aside / target.name, target)  # put the earlier run back
        aside.rmdir()
        raise
    shutil.rmtree(aside, ignore_errors=True)  # only the earlier run's own files, checked above


def _short(path: Path, limit: int = 200) -> str:
    """``path`` as text, cut to ``limit`` characters for messages."""
    text = str(path)
    return text if len(text) <= limit else text[: limit - 1] + "…"
