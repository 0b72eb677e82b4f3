"""Write a sweep's results into its store, a small batch at a time, each file atomically.

Opening a store for writing checks that the folder holds this experiment (or nothing):
a folder made by a different experiment file or a different code version is refused
with a message, never mixed silently. Before anything is written, leftovers of a
killed sweep are cleared: temporary files and data parts whose batch never got its
``runs`` part (the commit record). What is already done is read back, so the sweep
can skip it.

Runs are buffered and flushed as one batch when the batch is full or a few seconds have
passed since the last flush: at most a few seconds of work is lost by a kill, and a
sweep of thousands of sub-second runs does not produce thousands of tiny files.

Batches are compacted (:mod:`experiments.compaction`) while the sweep runs, whenever
``compact_parts`` small batches have piled up, and once more when it ends, so a store
of 100,000 runs is a few large files sorted by month rather than thousands of small ones.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from model.errors import UsageError

from . import compaction, io, provenance
from .plan import Plan
from .run import FAILED, OK, RunResult, RunSpec
from .spec import digest
from .store import (
    DESIGN,
    EXPERIMENT_FILE,
    FORMAT,
    INPUTS,
    MANIFEST,
    PARAMETERS,
    PART_PREFIX,
    TABLES,
    WRITING,
    ResultsStore,
    StoreCheck,
    check_store,
    live_parts,
    part_files,
    quarantine,
    read_manifest,
    writer_alive,
)

TIMELINE_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("kind", pa.string()),
        ("label_ja", pa.string()),
        ("label_en", pa.string()),
        ("start_month", pa.int64()),
        ("end_month", pa.int64()),
        ("intensity", pa.float64()),
        ("eligibility", pa.string()),
    ]
)


def runs_schema(plan: Plan) -> pa.Schema:
    """The runs table's schema: fixed columns, then one column per varying input."""
    fields = [
        ("run_id", pa.string()),
        ("run_index", pa.int64()),
        ("arm", pa.string()),
        ("town", pa.string()),
        ("policy", pa.string()),
        ("point", pa.int64()),
        ("replicate", pa.int64()),
        ("seed", pa.int64()),
    ]
    for path in plan.input_columns:
        values = [dict(spec.inputs)[path] for spec in plan.runs[:1000]]
        kind = pa.array(values).type
        fields.append((path, pa.string() if pa.types.is_nested(kind) else kind))
    fields += [
        ("status", pa.string()),
        ("error", pa.string()),
        ("wall_s", pa.float64()),
        ("started", pa.string()),
        ("finished", pa.string()),
        ("worker", pa.string()),
    ]
    return pa.schema(fields)


def manifest_for(plan: Plan, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """The manifest of ``plan``'s store (keeping the history of earlier sweeps)."""
    e = plan.experiment
    stamp = provenance.stamp()
    return {
        "format": FORMAT,
        "experiment": e.content(),
        "experiment_file": e.file,
        "experiment_text": e.text,
        "identity": e.identity(),
        "root_seed": e.root_seed,
        "replications": e.replications,
        "seeds": plan.seeds,
        "n_runs": len(plan.runs),
        "arms": [
            {
                "name": a.name,
                "town": a.town,
                "policy": a.policy,
                "levers": dict(a.levers),
                "reference": a.reference,
            }
            for a in plan.arms
        ],
        "input_columns": plan.input_columns,
        "design": e.design.kind,
        "months": e.months,
        "metrics": list(e.metrics),
        "code_version": plan.code_version,
        "inputs": [
            {**entry, "copy": f"{INPUTS}/{input_copy_name(entry)}"} for entry in plan.inputs
        ],
        "git_commit": stamp["git_commit"],
        "packages": stamp["packages"],
        "machine": stamp["machine"],
        "created": (previous or {}).get("created", stamp["created"]),
        "updated": stamp["created"],
        "sweeps": list((previous or {}).get("sweeps", [])),
    }


def input_copy_name(entry: dict[str, str]) -> str:
    """File name of an input's copy under ``inputs/``: role, stem and content hash."""
    path = Path(entry["path"])
    return f"{entry['role']}-{path.stem}-{entry['sha256'][:12]}{path.suffix}"


class StoreWriter:
    """Adds finished runs to a results folder; see the module docstring.

    Attributes:
        path: The results folder.
        plan: The experiment's plan.
        done: Run ids that need not run again.
    """

    def __init__(
        self,
        path: str | Path,
        plan: Plan,
        *,
        retry_failed: bool = False,
        batch_runs: int = 64,
        flush_seconds: float = 2.0,
        compact_parts: int = compaction.COMPACT_PARTS,
    ) -> None:
        self.path = Path(path)
        self.compact_parts = compact_parts  # 0: never compact
        self.compaction_error: str | None = None
        self.plan = plan
        self.batch_runs = max(1, batch_runs)
        self.flush_seconds = flush_seconds
        self.schema = runs_schema(plan)
        self._specs = {s.run_id: s for s in plan.runs}
        if len(self._specs) != len(plan.runs):
            raise UsageError(f"{plan.experiment.file}: two runs of the plan have the same identity")
        self._previous = self._check_folder()
        self._buffer: list[RunResult] = []
        self._last_flush = time.monotonic()
        self.done: set[str] = set()
        self._retry_parts: dict[str, set[str]] = {}  # part file -> run ids to drop from it
        self.retry_failed = retry_failed
        self.repaired: StoreCheck | None = None  # what open() found damaged, if anything
        self.quarantined: Path | None = None

    # ---- opening ------------------------------------------------------------------------
    def _check_folder(self) -> dict[str, Any] | None:
        """Refuse a folder holding something else; return its manifest if it is ours."""
        p = self.path
        if p.exists() and not p.is_dir():
            raise UsageError(f"--out {p}: a file of that name exists; give a folder")
        if not p.exists() or not any(p.iterdir()):
            return None
        if not (p / MANIFEST).exists():
            raise UsageError(
                f"--out {p}: the folder is not empty and is not a Kyosei results folder; "
                "give a new or empty folder"
            )
        old = read_manifest(p)
        if writer_alive(p):
            raise UsageError(
                f"--out {p}: another sweep is writing this folder right now "
                f"({(p / WRITING).read_text(encoding='utf-8').strip()}); wait for it to end"
            )
        e = self.plan.experiment
        changed = provenance.changed_inputs(old.get("inputs", []), self.plan.inputs)
        if changed:
            raise UsageError(
                f"{changed[0]} has changed since the folder's results were made; results of "
                f"different inputs are never mixed: give another --out or restore the file "
                f"(copy in {INPUTS}/)"
            )
        if old.get("identity") != e.identity():
            raise UsageError(
                f"--out {p}: results are never mixed; give another --out folder: it holds a "
                f"different experiment "
                f"({old.get('experiment_file') or old['experiment'].get('name')}, identity "
                f"{old.get('identity')}); this file ({e.file or e.name}) has identity "
                f"{e.identity()}"
            )
        if old.get("code_version") != self.plan.code_version:
            raise UsageError(
                f"--out {p}: the folder holds results of code version "
                f"{old.get('code_version')}, this is {self.plan.code_version}. "
                "Results of different code are never mixed: give another --out folder"
            )
        if int(old.get("replications", 0)) > e.replications:
            raise UsageError(
                f"--out {p}: the folder holds {old['replications']} replications, the file asks "
                f"for {e.replications}; raise replications (to extend) or give another folder"
            )
        return old

    def open(self) -> StoreWriter:
        """Create or resume the folder: clear leftovers, read what is done, write the manifest."""
        self.path.mkdir(parents=True, exist_ok=True)
        for table in TABLES:
            (self.path / table).mkdir(exist_ok=True)
        self._clear_leftovers()
        if self._previous is not None:
            # Count only what reads back whole: damaged batches go to quarantine/ (never
            # deleted) and their runs are run again. Compacted files are checked by
            # footer, size, rows and run ids ('kyosei store check' decodes everything).
            check = check_store(self.path, quick=True)
            if not check.ok:
                self.repaired = check
                self.quarantined = quarantine(check)
            self._read_done()
        manifest = manifest_for(self.plan, self._previous)
        io.write_text(f"{socket.gethostname()} {os.getpid()}\n", self.path / WRITING)
        io.write_json(manifest, self.path / MANIFEST)
        io.write_text(self.plan.experiment.text, self.path / EXPERIMENT_FILE)
        io.write_parquet(self.plan.design, self.path / DESIGN)
        io.write_parquet(self.plan.resolved, self.path / PARAMETERS)
        (self.path / INPUTS).mkdir(exist_ok=True)
        for entry in self.plan.inputs:
            copy = self.path / INPUTS / input_copy_name(entry)
            if copy.exists():
                continue
            data = Path(entry["path"]).read_bytes()
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise UsageError(
                    f"{entry['path']}: the {entry['role']} file changed while the sweep was "
                    "starting; run it again"
                )
            with io._atomic(copy) as tmp:  # the exact bytes, whatever the file's format
                tmp.write_bytes(data)
        return self

    def _clear_leftovers(self) -> None:
        compaction.clear_spools(self.path)
        for leftover in self.path.rglob(".*.tmp"):
            if leftover.is_file():
                leftover.unlink(missing_ok=True)
        compaction.finish_interrupted(self.path)  # batches a committed compaction replaced
        committed = part_files(self.path, "runs")
        for table in TABLES[1:]:
            for batch, part in part_files(self.path, table).items():
                if batch not in committed:
                    part.unlink(missing_ok=True)  # a batch killed before its commit record

    def _read_done(self) -> None:
        runs = ResultsStore(self.path).runs()
        status = runs["status"].to_numpy()
        keep = (status == OK) | ((status == FAILED) & (not self.retry_failed))
        self.done |= set(runs["run_id"][keep].astype(str))
        self._find_retry_parts()

    def _find_retry_parts(self) -> None:
        """Failed or lost rows that will be retried, by the part holding them.

        Each is dropped from its part once the retry is committed, so the runs table
        keeps one row per run.
        """
        self._retry_parts = {}
        for part in live_parts(self.path).values():
            table = pd.read_parquet(part, columns=["run_id", "status"])
            ids = set(table.loc[table["status"] != OK, "run_id"])
            if ids - self.done:
                self._retry_parts[str(part)] = ids - self.done

    def todo(self) -> list[RunSpec]:
        """Runs of the plan that are not done yet, in plan order."""
        return [s for s in self.plan.runs if s.run_id not in self.done]

    # ---- adding --------------------------------------------------------------------------
    def add(self, result: RunResult) -> None:
        """Buffer one result; flush when the batch is full or old enough."""
        if result.run_id not in self._specs:
            raise ValueError(f"result for unknown run {result.run_id}")
        if result.run_id in self.done or any(r.run_id == result.run_id for r in self._buffer):
            return  # a duplicate delivery (e.g. a recomputed task) is written once only
        self._buffer.append(result)
        full = len(self._buffer) >= self.batch_runs
        if full or time.monotonic() - self._last_flush >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        """Write the buffered results as one batch (data parts first, the runs part last)."""
        self._last_flush = time.monotonic()
        if not self._buffer:
            return
        batch = self._buffer
        self._buffer = []
        batch_id = digest(sorted(r.run_id for r in batch))
        name = f"{PART_PREFIX}{batch_id}.parquet"
        for table, frames in (
            ("timeseries", [_keyed(r.run_id, r.timeseries) for r in batch]),
            ("districts", [_keyed(r.run_id, r.districts) for r in batch]),
        ):
            present = [f for f in frames if f is not None]
            if present:
                df = pd.concat(present, ignore_index=True)
                io.write_table(
                    pa.Table.from_pandas(df, preserve_index=False), self.path / table / name
                )
        timeline = [{"run_id": r.run_id, **row} for r in batch for row in r.timeline]
        io.write_table(
            pa.Table.from_pylist(timeline, schema=TIMELINE_SCHEMA), self.path / "timeline" / name
        )
        io.write_table(self._runs_table(batch), self.path / "runs" / name)
        ids = {r.run_id for r in batch}
        self.done |= {r.run_id for r in batch if r.status in (OK, FAILED)}
        self._drop_retried(ids)
        if self.compact_parts and compaction.compaction_needed(self.path, self.compact_parts):
            self.compact(small_only=True)

    def compact(self, *, small_only: bool = False) -> list[str]:
        """Compact the store now (see :mod:`experiments.compaction`); new batch ids.

        A compaction that fails (a full disk, say) leaves the store as it was; the sweep
        goes on and :attr:`compaction_error` says why.
        """
        try:
            made = compaction.compact(self.path, small_only=small_only)
        except (OSError, pa.ArrowException, UsageError) as exc:
            self.compaction_error = f"compaction failed: {exc}"
            made = []
        self._find_retry_parts()  # the rows waiting for a retry may be in a new part now
        return made

    def _runs_table(self, batch: list[RunResult]) -> pa.Table:
        rows = []
        for r in batch:
            spec = self._specs[r.run_id]
            inputs = dict(spec.inputs)
            row: dict[str, Any] = {
                "run_id": spec.run_id,
                "run_index": spec.index,
                "arm": spec.arm,
                "town": spec.town,
                "policy": spec.policy,
                "point": spec.point,
                "replicate": spec.replicate,
                "seed": spec.seed,
            }
            for path in self.plan.input_columns:
                v = inputs[path]
                row[path] = str(v) if isinstance(v, tuple) else v
            row.update(
                status=r.status,
                error=r.error,
                wall_s=r.wall_s,
                started=r.started,
                finished=r.finished,
                worker=r.worker,
            )
            rows.append(row)
        return pa.Table.from_pylist(rows, schema=self.schema)

    def _drop_retried(self, ids: set[str]) -> None:
        for part, stale in list(self._retry_parts.items()):
            hit = stale & ids
            if not hit:
                continue
            table = pq.read_table(part)  # its metadata (a compaction's record) is kept
            keep = table.filter(
                pc.invert(pc.is_in(table.column("run_id"), pa.array(sorted(hit), pa.string())))
            )
            if keep.num_rows == 0:
                Path(part).unlink(missing_ok=True)
            else:
                io.write_table(keep, part)
            stale -= hit
            if not stale:
                del self._retry_parts[part]

    def close(self, summary: dict[str, Any]) -> None:
        """Flush what is left, compact, and record this sweep in the manifest."""
        self.flush()
        if self.compact_parts:
            self.compact()
        manifest = read_manifest(self.path)
        manifest["sweeps"].append(summary)
        manifest["updated"] = provenance.now()
        io.write_json(manifest, self.path / MANIFEST)
        self.release()

    def release(self) -> None:
        """Take away the 'being written' marker (also after an interrupted sweep)."""
        marker = self.path / WRITING
        try:
            if marker.read_text(encoding="utf-8").split()[1] == str(os.getpid()):
                marker.unlink()
        except (OSError, IndexError):
            pass


def _keyed(run_id: str, frame: pd.DataFrame | None) -> pd.DataFrame | None:
    """``frame`` with a leading ``run_id`` column (or None when the run produced none)."""
    if frame is None or frame.empty:
        return None
    out = frame.copy()
    out.insert(0, "run_id", run_id)
    return out
