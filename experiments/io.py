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


def replace_dir(build: Path, target: Path) -> None:
    """Swap a fully written folder ``build`` into place at ``target``."""
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
        os.replace(build, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(build, target)
