"""Per-arm summaries of a results set, computed once and kept beside it, keyed by its content.

The Compare page shows, for the packages and outcomes a user picks, the median and
10–90 % band of every outcome, the KPI table with paired differences and verdicts at
each year, the cost by payer and year, the budget with its increments, the cost per
person reconnected and the intervention timeline. Every one of those numbers depends
only on the arm it is about (and its reference), never on which other arms are shown,
so they are computed here once for every arm, outcome and year of the set, and a
selection change only picks rows out of these tables instead of recomputing them from
every run.

The tables are written as Parquet into ``SET/.kyosei-summary/KEY/``, where ``KEY`` is a
hash of the set's content: its manifest, the list of its finished-ok runs (with when
each finished) and the names and sizes of its data parts. A set that gains runs, or is
rewritten or repaired, gets a new key and a new summary (so does one whose parts were
compacted: it is summarised once more). A set opened again (another
session, after a restart) reads the summary instead of its time series. When the
folder cannot be written (a read-only share) the summary lives in memory only.

The numbers are those of the functions of :mod:`dashboards.compare_data` applied to all
arms at once (tested to be equal), so the page, the exports and the brief agree.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from experiments.analysis import clustered_mean
from experiments.store import part_files

from . import compare_data as cd
from .results import Loaded

FOLDER = ".kyosei-summary"
# Raise when what is stored changes: older summaries are then recomputed.
VERSION = 3  # 2: bands' year is the calendar year; 3: each arm's calendar start in meta
TABLES = ("bands", "kpi", "costs", "budget", "per_person", "timeline")
KPI_COLUMNS = [
    "metric",
    "arm",
    "reference",
    "month",
    "n",
    "median",
    "lo_value",
    "hi_value",
    "mean_diff",
    "lo",
    "hi",
    "verdict",
]


def content_key(path: Path, manifest: dict[str, Any], runs: pd.DataFrame) -> str:
    """A hash of what the set holds (the summary's key).

    Its manifest, its ok runs (id, when finished) and the names and sizes of its data
    parts (so a part replaced or damaged since is noticed).
    """
    h = hashlib.sha256()
    h.update(f"kyosei-summary/{VERSION}\n".encode())
    h.update(json.dumps(manifest, sort_keys=True, default=str).encode())
    cols = [c for c in ("run_id", "finished") if c in runs.columns]
    for row in sorted(map(tuple, runs[cols].astype(str).to_numpy())):
        h.update(("\t".join(row) + "\n").encode())
    for table in ("timeseries", "districts", "timeline"):
        for batch, part in sorted(part_files(Path(path), table).items()):
            try:
                size = part.stat().st_size
            except OSError:
                size = -1
            h.update(f"{table}\t{batch}\t{size}\n".encode())
    return h.hexdigest()[:24]


def kpi_months(months: int) -> list[int]:
    """The months of the year slider (0, 12, … and the horizon)."""
    return sorted({min(12 * y, months) for y in range(months // 12 + 1)} | {months})


class Summary:
    """The precomputed tables of one set, answering the page's questions by lookup."""

    def __init__(self, tables: dict[str, pd.DataFrame], meta: dict[str, Any]) -> None:
        self.tables = tables
        self.meta = meta
        self.years = float(meta["months"]) / 12.0
        # Row positions by key (no frames cut up front: a 1,000-run set has thousands).
        self._bands: dict[Any, Any] = tables["bands"].groupby(["arm", "metric"], sort=False).indices
        self._kpi: dict[Any, Any] = (
            tables["kpi"].groupby(["month", "metric", "arm"], sort=False).indices
        )
        self._months = {int(m) for m in tables["kpi"]["month"].unique()}

    @staticmethod
    def _pick(positions: dict[Any, Any], keys: list[Any], df: pd.DataFrame) -> pd.DataFrame:
        found = [np.asarray(positions[k]) for k in keys if k in positions]
        rows = np.concatenate(found) if found else np.empty(0, dtype=np.int64)
        return df.iloc[rows].reset_index(drop=True)

    def bands(self, arms: list[str], metrics: list[str]) -> pd.DataFrame:
        """:func:`compare_data.bands` of these arms and metrics."""
        return self._pick(
            self._bands, [(a, m) for a in arms for m in metrics], self.tables["bands"]
        )

    def has_month(self, month: int) -> bool:
        """Whether the KPI table of ``month`` is stored (the year slider's months are)."""
        return month in self._months

    def kpi(self, arms: list[str], month: int, metrics: list[str]) -> pd.DataFrame:
        """:func:`compare_data.kpi_table` of these arms, month and metrics."""
        keys = [(month, m, a) for m in metrics for a in arms]
        out = self._pick(self._kpi, keys, self.tables["kpi"])
        return out if not out.empty else pd.DataFrame(columns=KPI_COLUMNS)

    def by_arm(self, table: str, arms: list[str]) -> pd.DataFrame:
        """The rows of ``table`` (costs, budget, per_person, timeline) of these arms."""
        df = self.tables[table]
        if df.empty:
            return df.reset_index(drop=True)
        order = {a: i for i, a in enumerate(arms)}
        rows = df[df["arm"].isin(order)]
        if table == "timeline":  # in the store's order, as read
            return rows.reset_index(drop=True)
        rank = rows["arm"].map(order).to_numpy()
        out = rows.iloc[np.argsort(rank, kind="stable")].reset_index(drop=True)
        if table == "budget":
            out.attrs["years"] = self.years
        return out


# ---- computing ------------------------------------------------------------------------------
def _bands_all(loaded: Loaded) -> pd.DataFrame:
    return cd.compute_bands(loaded, [arm.name for arm in loaded.arms], list(loaded.metrics))


def _clustered_columns(
    d: np.ndarray, reps: np.ndarray, level: float
) -> list[dict[str, float] | None]:
    """:func:`experiments.analysis.clustered_mean` of each column of ``d`` (pairs × months).

    Columns without a missing value are done together, with the same operations in the
    same order as the one-column function (so the same numbers); the others one by one.
    None for a column with no value.
    """
    out: list[dict[str, float] | None] = [None] * d.shape[1]
    full = ~np.isnan(d).any(axis=0)
    if full.any() and d.shape[0]:
        labels, inverse = np.unique(reps, return_inverse=True)
        r = int(labels.size)
        block = d[:, full]
        k = block.shape[1]
        idx = (inverse[None, :] + r * np.arange(k)[:, None]).ravel()
        sums = np.bincount(idx, weights=block.T.ravel(), minlength=r * k).reshape(k, r)
        counts = np.bincount(inverse, minlength=r)
        means = sums / counts
        mean = means.mean(axis=1)
        if r > 1:
            sd = np.std(means, axis=1, ddof=1)
            tq = stats.t.ppf(0.5 + level / 2, r - 1)
            half = tq * sd / math.sqrt(r)
        else:
            half = np.full(k, math.nan)
        for j, col in enumerate(np.flatnonzero(full)):
            out[col] = {
                "mean": float(mean[j]),
                "lo": float(mean[j]) - float(half[j]),
                "hi": float(mean[j]) + float(half[j]),
            }
    for col in np.flatnonzero(~full):
        keep = ~np.isnan(d[:, col])
        if keep.any():
            out[col] = clustered_mean(d[keep, col], reps[keep], level)
    return out


def _kpi_all(loaded: Loaded, months: list[int]) -> pd.DataFrame:
    """:func:`compare_data.kpi_table` for every arm, metric and month in ``months``."""
    keys = loaded.runs.set_index("run_id")[["point", "replicate"]]
    rows: list[dict[str, object]] = []
    for metric in loaded.metrics:
        cache: dict[str, tuple[np.ndarray, list[str], np.ndarray]] = {}

        def matrix(
            arm: str,
            cache: dict[str, tuple[np.ndarray, list[str], np.ndarray]] = cache,
            metric: str = metric,
        ) -> tuple[np.ndarray, list[str], np.ndarray]:
            if arm not in cache:
                cache[arm] = cd._matrix_ids(loaded, arm, metric)
            return cache[arm]

        for info in loaded.arms:
            arm, ref = info.name, info.reference
            mon, ids, m = matrix(arm)
            col = {int(x): i for i, x in enumerate(mon)}
            cols = [col.get(mo, -1) for mo in months]
            have = [c for c in cols if c >= 0]
            sub = m[:, have] if have else np.empty((m.shape[0], 0))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                med = np.nanmedian(sub, axis=0) if sub.size else np.full(len(have), math.nan)
            lo_v, hi_v = (
                cd.quantiles(sub, [cd.BAND[0], cd.BAND[1]])
                if sub.size
                else np.full((2, len(have)), math.nan)
            )
            paired = None
            if ref != arm:
                rmon, rids, rm = matrix(ref)
                rcol = {int(x): i for i, x in enumerate(rmon)}
                mine = keys.loc[ids]
                where = {
                    (p, r): i
                    for i, (p, r) in enumerate(keys.loc[rids].itertuples(index=False, name=None))
                }
                ia, ib = [], []
                for i, pr in enumerate(mine.itertuples(index=False, name=None)):
                    if pr in where:
                        ia.append(i)
                        ib.append(where[pr])
                reps = mine["replicate"].to_numpy()[ia]
                paired = (np.asarray(ia, int), np.asarray(ib, int), reps, rcol, rm)
            cis: dict[int, dict[str, float] | None] = {}
            counts: dict[int, int] = {}
            if paired is not None:
                ia_, ib_, reps, rcol, rm = paired
                pairs_at = zip(months, cols, strict=True)
                both = [(mo, c) for mo, c in pairs_at if c >= 0 and mo in rcol]
                if both:
                    d = (
                        m[np.ix_(ia_, [c for _, c in both])]
                        - rm[np.ix_(ib_, [rcol[mo] for mo, _ in both])]
                    )
                    found = _clustered_columns(d, reps, cd.LEVEL)
                    for j, (mo, _) in enumerate(both):
                        cis[mo] = found[j]
                        counts[mo] = int((~np.isnan(d[:, j])).sum())
            k = 0
            for mo, c in zip(months, cols, strict=True):
                row: dict[str, object] = {
                    "metric": metric,
                    "arm": arm,
                    "reference": ref,
                    "month": mo,
                    "n": 0,
                    "median": math.nan,
                    "lo_value": math.nan,
                    "hi_value": math.nan,
                    "mean_diff": math.nan,
                    "lo": math.nan,
                    "hi": math.nan,
                }
                if c >= 0:
                    row.update(
                        n=int(m.shape[0]),
                        median=float(med[k]),
                        lo_value=float(lo_v[k]),
                        hi_value=float(hi_v[k]),
                    )
                    k += 1
                    ci = cis.get(mo)
                    if ci is not None:
                        row.update(n=counts[mo], mean_diff=ci["mean"], lo=ci["lo"], hi=ci["hi"])
                row["verdict"] = cd.verdict(metric, float(row["lo"]), float(row["hi"]))  # type: ignore[arg-type]
                rows.append(row)
    return pd.DataFrame(rows, columns=KPI_COLUMNS)


def compute(loaded: Loaded) -> Summary:
    """Every table of the summary, from the set's time series (all arms, metrics, years)."""
    arms = [a.name for a in loaded.arms]
    tables = {
        "bands": _bands_all(loaded),
        "kpi": _kpi_all(loaded, kpi_months(loaded.months)),
        "costs": cd.costs(loaded, arms),
        "budget": cd.budget(loaded, arms),
        "per_person": cd.cost_per_reconnected(loaded, arms),
        "timeline": cd.timeline(loaded, arms),
    }
    meta = {
        "version": VERSION,
        "metrics": list(loaded.metrics),
        "months": int(loaded.months),
        # the band chart's x axis starts here; without it the first chart read the series
        "calendar_start": {arm: cd.calendar_start(loaded, arm) for arm in arms},
    }
    return Summary(tables, meta)


# ---- on disk --------------------------------------------------------------------------------
def folder_of(path: Path, key: str) -> Path:
    """Where the summary of this content is stored."""
    return Path(path) / FOLDER / key


def read(path: Path, key: str) -> Summary | None:
    """The stored summary of this content, or None (missing, older version, unreadable)."""
    where = folder_of(path, key)
    try:
        meta = json.loads((where / "meta.json").read_text(encoding="utf-8"))
        if meta.get("version") != VERSION:
            return None
        tables = {t: pd.read_parquet(where / f"{t}.parquet") for t in TABLES}
    except Exception:  # missing or half-copied: computed again
        return None
    return Summary(tables, meta)


def write(path: Path, key: str, summary: Summary) -> bool:
    """Store ``summary`` under the set (atomically); False when the folder is not writable.

    Older summaries of the same set (other keys) are removed: they describe content the
    set no longer has. Nothing outside ``SET/.kyosei-summary/`` is touched.
    """
    base = Path(path) / FOLDER
    try:
        base.mkdir(exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=base))
        for name, df in summary.tables.items():
            out = df.copy()
            for c in out.columns:
                if out[c].dtype == object:
                    out[c] = out[c].astype("string")
            out.to_parquet(tmp / f"{name}.parquet", index=False)
        (tmp / "meta.json").write_text(json.dumps(summary.meta), encoding="utf-8")
        final = base / key
        if final.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            os.replace(tmp, final)
        for old in base.iterdir():
            if old.name != key and not old.name.startswith(".tmp-"):
                shutil.rmtree(old, ignore_errors=True)
    except OSError:
        return False
    return True
