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
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from kyosei.errors import UsageError

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


def part_files(root: Path, table: str) -> dict[str, Path]:
    """Finished part files of ``table``, by batch id (temporary files are not parts)."""
    folder = root / table
    if not folder.is_dir():
        return {}
    return {
        p.name[len(PART_PREFIX) : -len(".parquet")]: p
        for p in sorted(folder.glob(f"{PART_PREFIX}*.parquet"))
    }


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
        return part_files(self.path, "runs")

    def runs(self, status: str | None = None) -> pd.DataFrame:
        """One row per run (inputs, seed, status, error, wall time), in plan order.

        ``status`` keeps only ``"ok"``, ``"failed"`` or ``"lost"`` runs.
        """
        parts = self._committed()
        if not parts:
            return pd.DataFrame(columns=[*RUN_KEYS, *self.input_columns(), *RUN_STATUS])
        df = ds.dataset(list(map(str, parts.values())), format="parquet").to_table().to_pandas()
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
        committed = self._committed()
        files = [p for b, p in part_files(self.path, table).items() if b in committed]
        ok_runs = self.runs(status="ok")
        wanted = set(ok_runs["run_id"]) if runs is None else set(runs) & set(ok_runs["run_id"])
        if not files or not wanted:
            return pd.DataFrame(columns=[*keys, *(columns or [])])
        dataset = ds.dataset([str(f) for f in files], format="parquet")
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
            where = where & pc.field("month").isin(pa.array(sorted(set(months)), pa.int64()))
        if extra is not None:
            where = where & extra
        df = dataset.to_table(columns=selected, filter=where).to_pandas()
        order = dict(zip(ok_runs["run_id"], ok_runs["run_index"], strict=True))
        df["_order"] = df["run_id"].map(order)
        sort_keys = ["_order", *[k for k in keys if k != "run_id"]]
        return df.sort_values(sort_keys).drop(columns="_order").reset_index(drop=True)

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
        names = ds.dataset(str(files[0]), format="parquet").schema.names
        return [n for n in names if n not in ("run_id", "month", "year")]

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
