"""Compaction: merge many small batches of a results store into a few large Parquet files.

A sweep writes one small batch (a ``runs`` part and its data parts) every few seconds;
after thousands of them every read opens thousands of files. Compaction rewrites a group
of batches as one *compacted batch* ``compact-DIGEST`` (files
``TABLE/part-compact-DIGEST.parquet``), laid out for the reads Kyosei makes:

* time-series and district rows sorted by month, then by run (plan order), then
  district, in row groups of about :data:`ROW_GROUP_ROWS` rows: the row-group
  statistics of ``month`` let a reader of one month skip every other row group, and
  Parquet's column layout lets it read one metric without the others;
* the runs table one row per run (the best row: ok before failed before lost), in plan
  order.

It is atomic at every step. The new data files are written first (each to a temporary
name, fsynced, renamed); without their ``runs`` part they are the leftovers of an
interrupted write, which readers ignore and the next writer removes. The new ``runs``
part is the commit: its Parquet metadata (:data:`~experiments.store.COMPACTION_KEY`)
names the batches it replaces, and from that moment readers ignore those (they are
*superseded*). Only then are the replaced batches' files deleted. A crash anywhere leaves
a readable store holding every run exactly once; the next sweep, ``kyosei store
compact`` or compaction finishes the clean-up.

Memory stays bounded whatever the store's size: rows are streamed a record batch at a
time into one spool file per row group (Arrow IPC, in a hidden ``.compact-*.tmp`` folder
of the store), and each row group is sorted and written on its own.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from model.errors import UsageError

from . import io
from .spec import digest
from .store import (
    COMPACTED,
    COMPACTION_KEY,
    PART_PREFIX,
    STATUS_ORDER,
    TABLES,
    is_compacted,
    live_parts,
    part_files,
    read_manifest,
    superseded_batches,
)

ROW_GROUP_ROWS = 32_768  # rows per row group of a compacted data file (about)
TARGET_RUNS = 10_000  # runs per compacted batch (about one 20-year 10k-run file)
COMPACT_PARTS = 64  # a sweep compacts once this many small batches have piled up
READ_ROWS = 65_536  # rows per record batch read from a source part
SORT_KEYS = {"timeseries": ["month"], "districts": ["month"], "timeline": []}
EXTRA_KEYS = {"timeseries": [], "districts": ["district"], "timeline": []}

# Tests interrupt a compaction between its steps with this hook (step name, detail).
_step: Callable[[str, str], None] = lambda step, detail: None  # noqa: E731


def small_batches(root: Path) -> list[str]:
    """Live batches that are not compacted, in name order."""
    return [b for b in live_parts(root) if not is_compacted(b)]


def finish_interrupted(root: Path) -> list[str]:
    """Delete the files of batches a committed compaction replaced; returns their ids.

    A compaction deletes them itself; they remain only after a crash in its last step.
    """
    gone = sorted(superseded_batches(root))
    for batch in gone:
        _drop_batch(root, batch)
    return gone


def _drop_batch(root: Path, batch: str) -> None:
    name = f"{PART_PREFIX}{batch}.parquet"
    for table in (*TABLES[1:], TABLES[0]):  # the commit record last
        (root / table / name).unlink(missing_ok=True)
        _step("drop", f"{table}/{name}")


def plan_groups(
    root: Path, *, small_only: bool = False, target_runs: int = TARGET_RUNS
) -> list[list[str]]:
    """Groups of live batches to compact together, each holding about ``target_runs`` runs.

    Small batches always take part; compacted batches holding less than half the target
    are merged too unless ``small_only``. A group of one already-compacted batch is left
    alone.
    """
    live = live_parts(root)
    sizes: dict[str, int] = {}
    for batch, path in live.items():
        try:
            sizes[batch] = pq.read_metadata(path).num_rows
        except (OSError, pa.ArrowException):
            continue  # a damaged part: 'kyosei store check' names it; never compact it
    candidates = [
        b
        for b in sorted(sizes)
        if not is_compacted(b) or (not small_only and sizes[b] < target_runs // 2)
    ]
    # Compacted batches first, so a part-filled one is topped up rather than copied around.
    candidates.sort(key=lambda b: (not is_compacted(b), b))
    groups: list[list[str]] = []
    current: list[str] = []
    held = 0
    for b in candidates:
        if current and held + sizes[b] > target_runs:
            groups.append(current)
            current, held = [], 0
        current.append(b)
        held += sizes[b]
    if current:
        groups.append(current)
    return [g for g in groups if len(g) > 1 or not is_compacted(g[0])]


def compact(
    path: str | Path, *, small_only: bool = False, target_runs: int = TARGET_RUNS
) -> list[str]:
    """Compact the store at ``path``; returns the new compacted batch ids.

    Finishes an interrupted compaction first. Every run keeps its values exactly; only
    the files and the row order within them change.
    """
    root = Path(path)
    manifest = read_manifest(root)
    months = int(manifest.get("months", 0))
    finish_interrupted(root)
    made = []
    for group in plan_groups(root, small_only=small_only, target_runs=target_runs):
        made.append(compact_batches(root, group, months))
    return made


def compact_batches(root: Path, batches: Sequence[str], months: int) -> str:
    """Rewrite ``batches`` as one compacted batch (see the module docstring); its id."""
    runs_parts = part_files(root, "runs")
    tables = []
    for b in batches:
        table = pq.read_table(runs_parts[b])
        tables.append(table.append_column("_batch", pa.array([b] * table.num_rows, pa.string())))
    schema = _plain(tables[0].schema.remove(tables[0].schema.get_field_index("_batch")))
    runs = pa.concat_tables(tables, promote_options="default").to_pandas()
    runs["_rank"] = runs["status"].map(STATUS_ORDER).fillna(9)
    runs = runs.sort_values(["run_id", "_rank", "finished"], ascending=[True, True, False])
    runs = runs.drop_duplicates("run_id").sort_values("run_index", kind="stable")
    batch_id = f"{COMPACTED}{digest(sorted(runs['run_id']))}"
    name = f"{PART_PREFIX}{batch_id}.parquet"
    if (root / "runs" / name).exists() or batch_id in batches:
        raise UsageError(f"{root}: batch {batch_id} exists already; run 'kyosei store check'")
    order = dict(zip(runs["run_id"], runs["run_index"], strict=True))
    # Data rows come from the batch whose runs row was kept (one copy of every run).
    source: dict[str, list[str]] = {}
    for run_id, b, status in zip(runs["run_id"], runs["_batch"], runs["status"], strict=True):
        if status == "ok":
            source.setdefault(b, []).append(run_id)
    files: dict[str, dict[str, int]] = {}
    spool = Path(tempfile.mkdtemp(prefix=".compact-", suffix=".tmp", dir=root))
    try:
        for table in TABLES[1:]:
            written = _compact_table(root, table, batches, source, order, months, spool, name)
            if written is not None:
                files[table] = written
                _step("data", f"{table}/{name}")
    finally:
        shutil.rmtree(spool, ignore_errors=True)
    record = {"replaces": sorted(batches), "runs": len(runs), "files": files}
    out = pa.Table.from_pandas(
        runs.drop(columns=["_rank", "_batch"]), schema=schema, preserve_index=False
    )
    meta = {**(schema.metadata or {}), COMPACTION_KEY: json.dumps(record).encode()}
    io.write_table(out.replace_schema_metadata(meta), root / "runs" / name)
    _step("commit", f"runs/{name}")
    for b in batches:
        _drop_batch(root, b)
    return batch_id


def _plain(schema: pa.Schema) -> pa.Schema:
    """``schema`` without pandas' metadata (row order and index change in a compacted file)."""
    meta = {k: v for k, v in (schema.metadata or {}).items() if k != b"pandas"}
    return schema.with_metadata(meta) if meta else schema.remove_metadata()


def _compact_table(
    root: Path,
    table: str,
    batches: Sequence[str],
    source: dict[str, list[str]],
    order: dict[str, int],
    months: int,
    spool: Path,
    name: str,
) -> dict[str, int] | None:
    """Write the compacted file of ``table``; its rows and bytes (None: no source part)."""
    parts = part_files(root, table)
    present = [(b, parts[b]) for b in batches if b in parts]
    if not present:
        return None
    # One source open at a time: a reader keeps its buffers while it is open.
    schema = _plain(pq.read_schema(present[0][1]))
    if table == "timeline":
        pieces = [_only(pq.read_table(p), source.get(b, []), schema) for b, p in present]
        merged = pa.concat_tables(pieces) if pieces else schema.empty_table()
        merged = merged.take(_sort_indices(merged, table, order))
        with io._atomic(root / table / name) as tmp:
            pq.write_table(merged, tmp, compression="zstd")
        return {"rows": merged.num_rows, "bytes": (root / table / name).stat().st_size}
    rows = sum(pq.read_metadata(p).num_rows for _, p in present)
    per_month = max(1, rows // max(1, months + 1))
    span = max(1, ROW_GROUP_ROWS // per_month)  # months per row group
    writers: dict[int, pa.ipc.RecordBatchFileWriter] = {}
    for b, path in present:
        keep = pa.array(source.get(b, []), pa.string())
        with pq.ParquetFile(path) as reader:
            for batch in reader.iter_batches(batch_size=READ_ROWS):
                chunk = _only(pa.Table.from_batches([batch]), keep, schema)
                if chunk.num_rows == 0:
                    continue
                group = pc.divide(chunk.column("month"), span)
                for g in np.unique(group.to_numpy()):
                    piece = chunk.filter(pc.equal(group, g))
                    if g not in writers:
                        writers[g] = pa.ipc.new_file(str(spool / f"{table}-{g}.arrow"), schema)
                    writers[g].write_table(piece)
    for w in writers.values():
        w.close()
    total = 0
    with (
        io._atomic(root / table / name) as tmp,
        pq.ParquetWriter(tmp, schema, compression="zstd") as out,
    ):
        for g in sorted(writers):
            with pa.OSFile(str(spool / f"{table}-{g}.arrow")) as src:
                group_table = pa.ipc.open_file(src).read_all()
            sorted_table = group_table.take(_sort_indices(group_table, table, order))
            out.write_table(sorted_table, row_group_size=max(1, sorted_table.num_rows))
            total += sorted_table.num_rows
            del group_table, sorted_table
            (spool / f"{table}-{g}.arrow").unlink()
            pa.default_memory_pool().release_unused()  # keep the peak that of one group
    return {"rows": total, "bytes": (root / table / name).stat().st_size}


def _only(table: pa.Table, keep: Any, schema: pa.Schema) -> pa.Table:
    """The rows of ``table`` whose run is in ``keep``, cast to ``schema``."""
    mask = pc.is_in(table.column("run_id"), value_set=pa.array(keep, pa.string()))
    table = table.filter(mask).select(schema.names)
    if table.schema.remove_metadata() != schema.remove_metadata():
        try:
            table = table.cast(schema)
        except (pa.ArrowException, ValueError) as exc:
            raise UsageError(f"parts of the store have different columns ({exc})") from None
    return table.replace_schema_metadata(schema.metadata)


def _sort_indices(table: pa.Table, name: str, order: dict[str, int]) -> np.ndarray:
    """Row order: month (time tables), then the run's plan order, then district."""
    run = pd.Series(table.column("run_id").to_numpy(zero_copy_only=False)).map(order)
    keys = [table.column(k).to_numpy() for k in reversed(EXTRA_KEYS[name])]
    keys.append(run.to_numpy())
    keys += [table.column(k).to_numpy() for k in SORT_KEYS[name]]
    if not len(table):
        return np.zeros(0, dtype=np.int64)
    return np.lexsort(keys)


def compaction_needed(root: Path, threshold: int = COMPACT_PARTS) -> bool:
    """Whether ``threshold`` or more small batches have piled up."""
    return len(small_batches(root)) >= threshold


def spool_leftovers(root: Path) -> list[Path]:
    """Spool folders left by a compaction that was killed (safe to delete)."""
    return [p for p in root.glob(".compact-*.tmp") if p.is_dir()]


def clear_spools(root: Path) -> None:
    """Remove the spool folders of killed compactions."""
    for p in spool_leftovers(root):
        shutil.rmtree(p, ignore_errors=True)


__all__ = [
    "COMPACT_PARTS",
    "ROW_GROUP_ROWS",
    "TARGET_RUNS",
    "clear_spools",
    "compact",
    "compact_batches",
    "compaction_needed",
    "finish_interrupted",
    "plan_groups",
    "small_batches",
]
