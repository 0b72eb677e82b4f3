"""The results store of one experiment: its layout and the reader the dashboard uses.

One folder per experiment (see ``docs/results-store.md``)::

    DIR/
      manifest.json              experiment file text and content, seeds, code version, packages
      experiment.toml            the experiment file, verbatim
      design.parquet             design points: point, one column per uncertainty
      parameters.parquet         arm, point, scenario id, every resolved parameter (JSON)
      inputs/                    a copy of every town, policy and experiment file used
      runs/part-BATCH.parquet    one row per run: inputs, seed, status, error, wall time
      timeseries/part-BATCH.parquet   run_id, month, year, one column per metric
      districts/part-BATCH.parquet    run_id, month, district, per-district metrics
      timeline/part-BATCH.parquet     run_id, the interventions of the run

Every file is plain Parquet written atomically, one batch of finished runs at a time.
A batch's ``runs`` part is written last: it is the commit record. Data parts of a
batch without a ``runs`` part (a crash in between) are ignored by this reader and
removed by the next sweep into the folder, so ``runs/`` is the authority on which
runs exist. pandas, polars, DuckDB and R read the folders directly
(``read_parquet('DIR/timeseries/*.parquet')``); join on ``run_id``.

Compaction (:mod:`experiments.compaction`) merges small batches into *compacted*
batches ``part-compact-DIGEST.parquet``, sorted by month with row-group statistics. A
compacted ``runs`` part names, in its Parquet metadata, the batches it replaces; those
are *superseded* from the moment it exists, and readers ignore them even if a crash
left their files behind (:func:`live_parts`), so every run is read exactly once.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from model.errors import UsageError

FORMAT = "kyosei-results/1"
MANIFEST = "manifest.json"
EXPERIMENT_FILE = "experiment.toml"
DESIGN = "design.parquet"
PARAMETERS = "parameters.parquet"
INPUTS = "inputs"
TABLES = ("runs", "timeseries", "districts", "timeline")
PART_PREFIX = "part-"
# Columns of the runs table before the per-experiment input columns.
RUN_KEYS = ["run_id", "run_index", "arm", "town", "policy", "point", "replicate", "seed"]
RUN_STATUS = ["status", "error", "wall_s", "started", "finished", "worker"]
STATUS_ORDER = {"ok": 0, "failed": 1, "lost": 2}
COMPACTED = "compact-"  # batch ids of compacted batches start with this
COMPACTION_KEY = b"kyosei.compaction"  # Parquet metadata of a compacted runs part


def part_files(root: Path, table: str) -> dict[str, Path]:
    """Finished part files of ``table``, by batch id (temporary files are not parts)."""
    folder = root / table
    if not folder.is_dir():
        return {}
    return {
        p.name[len(PART_PREFIX) : -len(".parquet")]: p
        for p in sorted(folder.glob(f"{PART_PREFIX}*.parquet"))
    }


def is_compacted(batch: str) -> bool:
    """Whether ``batch`` is a compacted batch (many runs, sorted by month)."""
    return batch.startswith(COMPACTED)


def compaction_record(path: Path) -> dict[str, Any] | None:
    """The record a compacted ``runs`` part carries (what it replaces, its files' sizes).

    None when the part cannot be read (it is then damaged, see :func:`check_store`).
    """
    try:
        meta = pq.read_schema(path).metadata or {}
        record = json.loads(meta[COMPACTION_KEY]) if COMPACTION_KEY in meta else {}
    except (OSError, ValueError, pa.ArrowException):
        return None
    return record if isinstance(record, dict) else None


def superseded_batches(root: Path) -> set[str]:
    """Batches a committed compaction replaced (files left only by an interrupted one)."""
    parts = part_files(root, "runs")
    gone: set[str] = set()
    for batch, path in parts.items():
        if is_compacted(batch):
            gone |= set((compaction_record(path) or {}).get("replaces", []))
    return gone & set(parts)


def live_parts(root: Path) -> dict[str, Path]:
    """Committed ``runs`` parts whose runs count: every one a compaction has not replaced."""
    parts = part_files(root, "runs")
    gone = superseded_batches(root)
    return {b: p for b, p in parts.items() if b not in gone}


def read_manifest(root: Path) -> dict[str, Any]:
    """The manifest of the store at ``root``; :class:`UsageError` if there is none."""
    path = root / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{root}: not a Kyosei results folder (no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: unreadable manifest ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"{path}: not a Kyosei results manifest (format {FORMAT!r} expected)")
    return data


class ResultsStore:
    """Read an experiment's results (also while its sweep is still writing).

    Every method returns a tidy pandas DataFrame; runs are in plan order and time series
    in (run, month) order, whatever order the runs finished in.

    Attributes:
        path: The results folder.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._manifest = read_manifest(self.path)

    # ---- what the experiment is -------------------------------------------------------
    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest (experiment, seeds, arms, code version, packages, sweeps)."""
        return self._manifest

    def refresh(self) -> ResultsStore:
        """Re-read the manifest (a running sweep updates it); returns self."""
        self._manifest = read_manifest(self.path)
        return self

    @property
    def name(self) -> str:
        """The experiment's name."""
        return str(self._manifest["experiment"]["name"])

    def arms(self) -> list[str]:
        """Arm labels in plan order."""
        return [a["name"] for a in self._manifest["arms"]]

    def reference_of(self, arm: str) -> str:
        """The arm ``arm`` is compared with (same town, the reference policy)."""
        for a in self._manifest["arms"]:
            if a["name"] == arm:
                return str(a["reference"])
        raise UsageError(f"{self.path}: no arm {arm!r}; arms are: {', '.join(self.arms())}")

    def input_columns(self) -> list[str]:
        """Parameter paths that vary between runs (uncertainties, then levers)."""
        return list(self._manifest["input_columns"])

    def design(self) -> pd.DataFrame:
        """The design points (``point`` and one column per uncertainty)."""
        return pd.read_parquet(self.path / DESIGN)

    def parameters(self) -> pd.DataFrame:
        """Every run's fully resolved scenario, one row per arm and design point.

        Columns ``arm, point, scenario`` (its hash, part of each run's identity) and
        ``parameters``: JSON with every parameter value, the policy components and the
        scale. Runs of all replicates of an arm and point share it; join with
        :meth:`runs` on ``arm`` and ``point``.
        """
        path = self.path / PARAMETERS
        if not path.exists():
            return pd.DataFrame(columns=["arm", "point", "scenario", "parameters"])
        return pd.read_parquet(path)

    def planned(self) -> int:
        """How many runs the experiment consists of."""
        return int(self._manifest["n_runs"])

    # ---- what has been run -----------------------------------------------------------------
    def _committed(self) -> dict[str, Path]:
        return live_parts(self.path)

    def runs(self, status: str | None = None) -> pd.DataFrame:
        """One row per run (inputs, seed, status, error, wall time), in plan order.

        ``status`` keeps only ``"ok"``, ``"failed"`` or ``"lost"`` runs.
        """
        for attempt in (1, 2):
            parts = self._committed()
            if not parts:
                return pd.DataFrame(columns=[*RUN_KEYS, *self.input_columns(), *RUN_STATUS])
            try:
                table = ds.dataset(list(map(str, parts.values())), format="parquet").to_table()
                break
            except FileNotFoundError:  # a compaction replaced a part meanwhile: list again
                if attempt == 2:
                    raise
            except (OSError, pa.ArrowException) as exc:
                raise self._damaged("runs", exc) from None
        df = table.to_pandas()
        # A run retried after a failure has an older failed row until that part is
        # rewritten: keep the best (ok before failed before lost), then the newest.
        df["_rank"] = df["status"].map(STATUS_ORDER).fillna(9)
        df = df.sort_values(["run_id", "_rank", "finished"], ascending=[True, True, False])
        df = df.drop_duplicates("run_id").drop(columns="_rank")
        if status is not None:
            df = df[df["status"] == status]
        return df.sort_values("run_index").reset_index(drop=True)

    def _read(
        self,
        table: str,
        columns: Sequence[str] | None,
        keys: list[str],
        runs: Iterable[str] | None,
        months: Iterable[int] | None,
        extra: pc.Expression | None = None,
    ) -> pd.DataFrame:
        runs = None if runs is None else list(runs)
        months = None if months is None else sorted({int(m) for m in months})
        for attempt in (1, 2):
            try:
                return self._read_once(table, columns, keys, runs, months, extra)
            except FileNotFoundError:  # a compaction replaced a part meanwhile: list again
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _read_once(
        self,
        table: str,
        columns: Sequence[str] | None,
        keys: list[str],
        runs: list[str] | None,
        months: list[int] | None,
        extra: pc.Expression | None,
    ) -> pd.DataFrame:
        committed = self._committed()
        files = [p for b, p in part_files(self.path, table).items() if b in committed]
        ok_runs = self.runs(status="ok")
        wanted = set(ok_runs["run_id"]) if runs is None else set(runs) & set(ok_runs["run_id"])
        if not files or not wanted or months == []:
            return pd.DataFrame(columns=[*keys, *(columns or [])])
        try:
            dataset = ds.dataset([str(f) for f in files], format="parquet")
        except FileNotFoundError:
            raise
        except (OSError, pa.ArrowException) as exc:
            raise self._damaged(table, exc) from None
        names = dataset.schema.names
        if columns is not None:
            unknown = [c for c in columns if c not in names]
            if unknown:
                raise UsageError(
                    f"{self.path}/{table}: no column(s) {', '.join(unknown)}; "
                    f"available: {', '.join(n for n in names if n not in keys)}"
                )
            selected = [*keys, *[c for c in columns if c not in keys]]
        else:
            selected = names
        where = pc.field("run_id").isin(pa.array(sorted(wanted), pa.string()))
        if months is not None:
            # A range first: compacted files skip every row group outside it by statistics.
            where = (
                (pc.field("month") >= months[0])
                & (pc.field("month") <= months[-1])
                & pc.field("month").isin(pa.array(months, pa.int64()))
                & where
            )
        if extra is not None:
            where = where & extra
        try:
            df = dataset.to_table(columns=selected, filter=where).to_pandas()
        except FileNotFoundError:
            raise
        except (OSError, pa.ArrowException) as exc:
            raise self._damaged(table, exc) from None
        order = dict(zip(ok_runs["run_id"], ok_runs["run_index"], strict=True))
        df["_order"] = df["run_id"].map(order)
        sort_keys = ["_order", *[k for k in keys if k != "run_id"]]
        return df.sort_values(sort_keys).drop(columns="_order").reset_index(drop=True)

    def _damaged(self, table: str, exc: BaseException) -> UsageError:
        return UsageError(
            f"{self.path}/{table}: a part cannot be read ({_short(exc)}); "
            f"see 'kyosei store check {self.path}'"
        )

    def _with_inputs(self, df: pd.DataFrame) -> pd.DataFrame:
        cols = ["run_id", "arm", "town", "policy", "point", "replicate", "seed"]
        cols += self.input_columns()
        return self.runs(status="ok")[cols].merge(df, on="run_id", how="right")

    def timeseries(
        self,
        columns: Sequence[str] | None = None,
        runs: Iterable[str] | None = None,
        months: Iterable[int] | None = None,
        *,
        with_inputs: bool = False,
    ) -> pd.DataFrame:
        """Town-wide metrics by run and month (only runs that finished ok).

        Args:
            columns: Metric columns to read (``run_id`` and ``month`` always come).
            runs: Keep these run ids only.
            months: Keep these months only.
            with_inputs: Put the run's arm, town, policy, point, replicate, seed and
                input values in front (a join with :meth:`runs`).
        """
        df = self._read("timeseries", columns, ["run_id", "month"], runs, months)
        return self._with_inputs(df) if with_inputs else df

    def districts(
        self,
        columns: Sequence[str] | None = None,
        runs: Iterable[str] | None = None,
        months: Iterable[int] | None = None,
        districts: Iterable[int] | None = None,
        *,
        with_inputs: bool = False,
    ) -> pd.DataFrame:
        """Per-district metrics by run, month and district (see :meth:`timeseries`)."""
        extra = None
        if districts is not None:
            extra = pc.field("district").isin(pa.array(sorted(set(districts)), pa.int64()))
        df = self._read("districts", columns, ["run_id", "month", "district"], runs, months, extra)
        return self._with_inputs(df) if with_inputs else df

    def timeline(self, runs: Iterable[str] | None = None) -> pd.DataFrame:
        """The interventions of each run: kind, labels, start/end month, intensity, eligibility."""
        df = self._read("timeline", None, ["run_id"], runs, None)
        return df

    def metrics(self) -> list[str]:
        """Metric columns of the time-series table (empty until a run has finished)."""
        committed = self._committed()
        files = [p for b, p in part_files(self.path, "timeseries").items() if b in committed]
        if not files:
            return []
        try:
            names = ds.dataset(str(files[0]), format="parquet").schema.names
        except (OSError, pa.ArrowException) as exc:
            raise self._damaged("timeseries", exc) from None
        return [n for n in names if n not in ("run_id", "month", "year", "calendar_month")]

    def month_of_year(self, year: int, option: str = "--year") -> int:
        """The last month whose calendar ``year`` (the ``year`` column) is ``year``.

        Kyosei counts calendar years (``town.start_year`` is the year of month 0), so for
        20-year runs from January 2025, ``2030`` is month 71 (December 2030) and ``2045``
        month 240, the last. :class:`UsageError` when no month of the runs is in that
        year, when the towns of the experiment start in different months (give a month
        instead), or for a store written before calendar time.
        """
        runs = self.runs(status="ok")
        if runs.empty:
            raise UsageError(f"{self.path}: no finished runs yet")
        firsts = runs.drop_duplicates("town")
        ts = self.timeseries(["year"], runs=firsts["run_id"])
        if not pd.api.types.is_integer_dtype(ts["year"]):
            raise UsageError(
                f"{option} {year}: this store was written before calendar time (its year "
                "column counts years from the start); give --month instead"
            )
        found: dict[str, int] = {}
        for run_id, town in zip(firsts["run_id"], firsts["town"], strict=True):
            rows = ts[ts["run_id"] == run_id]
            hit = rows.loc[rows["year"] == year, "month"]
            if hit.empty:
                raise UsageError(
                    f"{option} {year} is not allowed: a calendar year from "
                    f"{int(rows['year'].min())} to {int(rows['year'].max())} (the runs' "
                    f"years; month 0 is in {int(rows['year'].min())})"
                )
            found[str(town)] = int(hit.max())
        if len(set(found.values())) > 1:
            shown = ", ".join(f"{t}: month {m}" for t, m in found.items())
            raise UsageError(
                f"{option} {year}: the towns start in different months ({shown}); "
                "give --month instead"
            )
        return next(iter(found.values()))

    def counts(self) -> dict[str, int]:
        """Runs planned, finished ok, failed and lost, and still to do."""
        runs = self.runs()
        status = runs["status"].value_counts()
        ok, failed, lost = (int(status.get(s, 0)) for s in ("ok", "failed", "lost"))
        return {
            "planned": self.planned(),
            "ok": ok,
            "failed": failed,
            "lost": lost,
            "to_do": max(0, self.planned() - ok - failed),
        }


# ---- a sweep at work -----------------------------------------------------------------------
WRITING = ".writing"  # present while a sweep writes the store: "HOST PID"


def writer_alive(root: str | Path) -> bool:
    """Whether a sweep is writing the store at ``root`` right now.

    The marker names the host and process; a marker left by a killed sweep on this host
    is recognised as stale. A marker from another host counts as alive (it cannot be
    checked from here).
    """
    try:
        host, pid = (Path(root) / WRITING).read_text(encoding="utf-8").split()[:2]
    except (OSError, ValueError):
        return False
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


# ---- integrity: check a store, quarantine what is damaged ----------------------------------
QUARANTINE = "quarantine"


@dataclass
class Damage:
    """One damaged file or folder of a store.

    Attributes:
        path: Path inside the store, e.g. ``timeseries/part-ab12.parquet``.
        problem: What is wrong with it, in a few words.
        batch: The batch whose runs it makes unusable (``""``: a whole table folder).
    """

    path: str
    problem: str
    batch: str = ""


@dataclass
class StoreCheck:
    """What :func:`check_store` found.

    Attributes:
        root: The results folder.
        planned: Runs of the experiment.
        batches: Batches (``runs`` parts) found.
        intact_runs: Run ids held by intact batches, by batch id.
        damaged: Every damaged part or folder.
        rerun: Run ids of damaged batches that could still be read (they will run again).
        unknown_batches: Damaged batches whose ``runs`` part cannot be read (their runs
            are found missing and run again, but cannot be named here).
        superseded: Batches an interrupted compaction replaced but did not delete yet
            (harmless: their runs are in the compacted batch; the next sweep or
            ``kyosei store compact`` deletes them).
        compacted: How many of the batches are compacted.
    """

    root: Path
    planned: int
    batches: int = 0
    intact_runs: dict[str, set[str]] = field(default_factory=dict)
    damaged: list[Damage] = field(default_factory=list)
    rerun: set[str] = field(default_factory=set)
    unknown_batches: set[str] = field(default_factory=set)
    superseded: set[str] = field(default_factory=set)
    compacted: int = 0

    @property
    def ok(self) -> bool:
        """Whether nothing is damaged."""
        return not self.damaged

    def damaged_batches(self) -> set[str]:
        """Batch ids with at least one damaged part."""
        return {d.batch for d in self.damaged if d.batch}

    def will_rerun(self) -> int:
        """How many runs a resume will run again because their batch is damaged."""
        held = sum(len(ids) for ids in self.intact_runs.values())
        return max(len(self.rerun), self.planned - held) if self.damaged else 0

    def lines(self) -> list[str]:
        """A short report, one finding per line."""
        out = [
            f"{self.root}: {self.batches} batch(es) ({self.compacted} compacted), "
            f"{sum(len(v) for v in self.intact_runs.values())} of {self.planned} runs intact"
        ]
        if self.superseded:
            out.append(
                f"  {len(self.superseded)} batch(es) replaced by a compaction that was "
                "interrupted before deleting them (ignored; the next sweep or 'kyosei store "
                "compact' deletes them)"
            )
        for d in self.damaged:
            out.append(f"  DAMAGED {d.path}: {d.problem}")
        if self.damaged:
            ids = sorted(self.rerun)
            shown = ", ".join(i[:12] for i in ids[:6]) + (" …" if len(ids) > 6 else "")
            out.append(
                f"  {self.will_rerun()} run(s) will be re-run after 'kyosei store repair'"
                + (f": {shown}" if ids else "")
                + (
                    f" (+ the runs of {len(self.unknown_batches)} unreadable runs part(s))"
                    if self.unknown_batches
                    else ""
                )
            )
        return out


def _list_parts(root: Path, table: str, check: StoreCheck) -> dict[str, Path] | None:
    """Parts of ``table``, or None (recorded as damage) when its folder cannot be listed."""
    folder = root / table
    if not os.path.lexists(folder):
        return {}
    if not folder.is_dir():  # a file, or a link that leads nowhere
        check.damaged.append(Damage(table, "not a folder"))
        return None
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        check.damaged.append(Damage(f"{table}/", f"folder cannot be read ({exc.strerror})"))
        return None
    return {
        n[len(PART_PREFIX) : -len(".parquet")]: folder / n
        for n in names
        if n.startswith(PART_PREFIX) and n.endswith(".parquet")
    }


def _read_part(path: Path) -> tuple[pa.Table | None, str]:
    """The whole part (every page decoded, so damage anywhere shows), or the problem."""
    try:
        if path.stat().st_size == 0:
            return None, "empty file"
        return pq.read_table(path), ""
    except (OSError, pa.ArrowException) as exc:
        return None, f"unreadable ({_short(exc)})"


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 80 else text[:79] + "…"


def check_store(path: str | Path, *, quick: bool = False) -> StoreCheck:
    """Read every part of the store at ``path`` and say what is damaged; changes nothing.

    A batch is intact when its ``runs`` part reads, and its time-series, district and
    timeline parts read and hold exactly its ok runs, each with one row per month.
    Batches a compaction replaced are skipped (see :attr:`StoreCheck.superseded`).

    ``quick`` (what resuming a sweep does) decodes the small parts whole but checks a
    compacted part by its footer, its size and row count against the compaction's record
    and the run ids it holds, without decoding every metric; ``kyosei store check``
    decodes everything.
    """
    root = Path(path)
    manifest = read_manifest(root)
    months = int(manifest.get("months", 0))
    check = StoreCheck(root, int(manifest.get("n_runs", 0)))
    runs_parts = _list_parts(root, "runs", check)
    data_parts = {t: _list_parts(root, t, check) for t in TABLES[1:]}
    if runs_parts is None:
        check.unknown_batches.add("(runs folder)")
        return check
    records: dict[str, dict[str, Any] | None] = {
        b: compaction_record(p) for b, p in runs_parts.items() if is_compacted(b)
    }
    for record in records.values():
        check.superseded |= set((record or {}).get("replaces", []))
    check.superseded &= set(runs_parts)
    live = {b: p for b, p in runs_parts.items() if b not in check.superseded}
    check.batches = len(live)
    check.compacted = sum(1 for b in live if is_compacted(b))
    for batch, part in live.items():
        table, problem = _read_part(part)
        rel = f"runs/{part.name}"
        if table is None or problem:
            check.damaged.append(Damage(rel, problem, batch))
            check.unknown_batches.add(batch)
            continue
        missing = [c for c in ("run_id", "status") if c not in table.column_names]
        if missing:
            check.damaged.append(Damage(rel, f"no column(s) {', '.join(missing)}", batch))
            check.unknown_batches.add(batch)
            continue
        ids = [str(i) for i in table.column("run_id").to_pylist()]
        status = table.column("status").to_pylist()
        ok_ids = {i for i, s in zip(ids, status, strict=True) if s == "ok"}
        record = records.get(batch) if quick else None
        problems = _batch_problems(batch, ok_ids, data_parts, months, record)
        if len(set(ids)) != len(ids):
            problems.append(Damage(rel, "a run appears twice", batch))
        if problems:
            check.damaged.extend(problems)
            check.rerun |= set(ids)
        else:
            check.intact_runs[batch] = set(ids)
    return check


def _quick_read(path: Path, expected: dict[str, Any] | None) -> tuple[pa.Table | None, str]:
    """The ``run_id`` column of a compacted part, after checking its size and footer."""
    try:
        size = path.stat().st_size
        if expected is not None and size != expected.get("bytes"):
            return None, f"{size} bytes, the compaction wrote {expected.get('bytes')}"
        meta = pq.read_metadata(path)
        if expected is not None and meta.num_rows != expected.get("rows"):
            return None, f"{meta.num_rows} rows, the compaction wrote {expected.get('rows')}"
        return pq.read_table(path, columns=["run_id"], read_dictionary=["run_id"]), ""
    except (OSError, pa.ArrowException) as exc:
        return None, f"unreadable ({_short(exc)})"


def _run_counts(table: pa.Table) -> pd.Series:
    """Rows per run id of ``table`` (without turning millions of ids into Python strings)."""
    column = table.column("run_id")
    if pa.types.is_dictionary(column.type) and column.null_count == 0:
        column = column.unify_dictionaries()
        if column.num_chunks == 0:
            return pd.Series([], dtype="int64")
        values = column.chunk(0).dictionary
        tally = np.zeros(len(values), dtype=np.int64)
        for chunk in column.chunks:
            indices = chunk.indices.to_numpy(zero_copy_only=False).astype(np.int64)
            tally += np.bincount(indices, minlength=len(values))
        seen = tally > 0
        names = np.array(values.to_pylist(), dtype=object)[seen]
        return pd.Series(tally[seen], index=names, dtype="int64")
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    counts = pc.value_counts(column)
    return pd.Series(
        counts.field("counts").to_numpy(), index=counts.field("values").to_pylist(), dtype="int64"
    )


def _batch_problems(
    batch: str,
    ok_ids: set[str],
    data_parts: dict[str, dict[str, Path] | None],
    months: int,
    record: dict[str, Any] | None = None,
) -> list[Damage]:
    """What is wrong with the data parts of one committed batch.

    With the ``record`` of a compaction, its data parts are checked quickly (size, footer,
    row count, run ids); without, they are decoded whole.
    """
    problems: list[Damage] = []
    for table_name, parts in data_parts.items():
        if parts is None:  # the whole folder is unreadable: every batch is damaged
            problems.append(
                Damage(f"{table_name}/part-{batch}.parquet", "in an unreadable folder", batch)
            )
            continue
        part = parts.get(batch)
        rel = f"{table_name}/{PART_PREFIX}{batch}.parquet"
        needed = table_name == "timeline" or bool(ok_ids)
        if part is None:
            if needed:
                problems.append(Damage(rel, "missing (its batch is committed)", batch))
            continue
        if record is not None:
            table, problem = _quick_read(part, record.get("files", {}).get(table_name))
        else:
            table, problem = _read_part(part)
        if table is None:
            problems.append(Damage(rel, problem, batch))
            continue
        if "run_id" not in table.column_names:
            problems.append(Damage(rel, "no run_id column", batch))
            continue
        counts = _run_counts(table)
        present = {str(i) for i in counts.index}
        if table_name == "timeline":
            if not present <= ok_ids:
                problems.append(Damage(rel, "rows of runs that are not ok in its batch", batch))
            continue
        if present != ok_ids:
            problems.append(
                Damage(rel, f"holds {len(present)} run(s), the runs table {len(ok_ids)}", batch)
            )
            continue
        per_month = months + 1
        if table_name == "timeseries":
            wrong = counts[counts != per_month]
        else:
            wrong = counts[counts % per_month != 0]
        if len(wrong):
            problems.append(
                Damage(rel, f"{len(wrong)} run(s) without one row per month ({per_month})", batch)
            )
    return problems


def quarantine(check: StoreCheck) -> Path | None:
    """Move every damaged part (and the other parts of its batch) into ``quarantine/``.

    Nothing is deleted: the files keep their names under ``quarantine/STAMP/TABLE/``.
    An unreadable table folder is moved whole and replaced by an empty one. Returns the
    quarantine folder (None when nothing was damaged).
    """
    if check.ok:
        return None
    root = check.root
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    target = root / QUARANTINE / stamp
    n = 1
    while target.exists():
        n += 1
        target = root / QUARANTINE / f"{stamp}-{n}"
    target.mkdir(parents=True)
    bad_batches = check.damaged_batches()
    for d in check.damaged:
        if d.batch:
            continue
        folder = root / d.path.rstrip("/")
        if os.path.lexists(folder):
            os.replace(folder, target / folder.name)  # the whole table folder
            folder.mkdir()
    for table in TABLES:
        folder = root / table
        if not folder.is_dir():
            continue
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            batch = name[len(PART_PREFIX) : -len(".parquet")]
            if name.startswith(PART_PREFIX) and batch in bad_batches:
                (target / table).mkdir(exist_ok=True)
                os.replace(folder / name, target / table / name)
    return target
