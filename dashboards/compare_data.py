"""The numbers behind the Compare page, computed from a loaded results set.

Each function takes a :class:`~dashboards.results.Loaded` set and the user's choices
and returns a tidy DataFrame; the figures and the exports are drawn from these, so
what is shown and what is downloaded are the same numbers.

Bands are computed here with NumPy on the set's in-memory time series rather than
with :func:`experiments.analysis.quantile_bands`, which melts every metric of every
run into one long table: on a 1,000-run set that took seconds, and the page must
answer within two. The statistics are the same (median and 10–90 % quantiles over
replicates; paired differences with the interval clustered by replicate of
:func:`experiments.analysis.clustered_mean`; NaN with one replicate).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from experiments.analysis import clustered_mean
from model.metrics import METRICS

from .results import Loaded

# Outcomes a policy officer looks at first, in this order, when the set has them.
HEADLINE = (
    "unmet_share",
    "unmet",
    "hidden",
    "isolation_rate",
    "participation_rate",
    "volunteers",
    "tanite_balance_hours",
    "cost_total",
    "population",
    "aging_rate",
    "single_elderly_share",
)
PAYERS = ("cost_national", "cost_prefecture", "cost_municipality", "cost_insurance")
EQUITY_PREFIX = "unmet_rate_"
EQUITY_ORDER = ("0_17", "18_39", "40_64", "65_74", "75plus", "single_elderly")
MAP_METRICS = ("unmet_rate", "tanite_balance_hours", "isolation_rate", "hidden_rate", "unmet")
BAND = (0.1, 0.9)
LEVEL = 0.9


def default_outcomes(loaded: Loaded, k: int = 4) -> list[str]:
    """Up to ``k`` headline outcomes the set has (the first metrics if none)."""
    found = [m for m in HEADLINE if m in loaded.metrics]
    return (found or [m for m in loaded.metrics if not m.startswith("cost_")])[:k]


def outcome_choices(loaded: Loaded) -> list[str]:
    """Every metric worth plotting: headline ones first, then the catalogue order."""
    head = [m for m in HEADLINE if m in loaded.metrics]
    rest = [m for m in METRICS if m in loaded.metrics and m not in head]
    other = [m for m in loaded.metrics if m not in head and m not in rest]
    return head + rest + other


def run_ids(loaded: Loaded, arm: str) -> list[str]:
    """Ok runs of ``arm`` in plan order."""
    runs = loaded.runs
    return runs.loc[runs["arm"] == arm, "run_id"].tolist()


def _arm_rows(loaded: Loaded, arm: str) -> pd.DataFrame:
    """The time-series rows of ``arm``'s runs, cut once per set and arm (the costly part)."""
    cache = loaded.extra.setdefault("arm_rows", {})
    if arm not in cache:
        ts = loaded.timeseries
        cache[arm] = ts[ts["run_id"].isin(run_ids(loaded, arm))]
    rows: pd.DataFrame = cache[arm]
    return rows


def _matrix(loaded: Loaded, arm: str, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """(months, runs × months values) of ``metric`` for ``arm``'s runs."""
    rows = _arm_rows(loaded, arm)
    months = np.sort(rows["month"].unique())
    n_runs = rows["run_id"].nunique()
    values = rows[metric].to_numpy(float)
    if n_runs and values.size == n_runs * months.size:
        # The store returns rows in (run, month) order: a reshape is the pivot.
        return months, values.reshape(n_runs, months.size)
    wide = rows.pivot_table(index="run_id", columns="month", values=metric, aggfunc="first")
    return wide.columns.to_numpy(), wide.to_numpy(float)


def bands(loaded: Loaded, arms: list[str], metrics: list[str]) -> pd.DataFrame:
    """Median and 10–90 % band over replicates, per arm, metric and month."""
    frames = []
    for arm in arms:
        for metric in metrics:
            if metric not in loaded.metrics:
                continue
            months, m = _matrix(loaded, arm, metric)
            if m.size == 0:
                continue
            with np.errstate(all="ignore"):
                lo, med, hi = np.nanquantile(m, [BAND[0], 0.5, BAND[1]], axis=0)
            frames.append(
                pd.DataFrame(
                    {
                        "arm": arm,
                        "metric": metric,
                        "month": months.astype(np.int64),
                        "year": months / 12.0,
                        "n": m.shape[0],
                        "median": med,
                        "lo": lo,
                        "hi": hi,
                    }
                )
            )
    if not frames:
        return pd.DataFrame(columns=["arm", "metric", "month", "year", "n", "median", "lo", "hi"])
    return pd.concat(frames, ignore_index=True)


def kpi_table(loaded: Loaded, arms: list[str], month: int, metrics: list[str]) -> pd.DataFrame:
    """Value per arm at ``month`` and the paired difference from its reference.

    Pairs are runs of the arm and of its reference at the same design point and
    replicate (the same seed). Columns: ``metric, arm, reference, month, n, median,
    lo_value, hi_value, mean_diff, lo, hi`` (differences are NaN for the reference).
    """
    ts = loaded.timeseries
    at = ts[ts["month"] == month]
    keys = loaded.runs[["run_id", "arm", "point", "replicate"]]
    at = keys.merge(at, on="run_id")
    rows = []
    for metric in metrics:
        if metric not in at.columns:
            continue
        for arm in arms:
            info = loaded.arm(arm)
            mine = at[at["arm"] == arm]
            values = mine[metric].to_numpy(float)
            row: dict[str, object] = {
                "metric": metric,
                "arm": arm,
                "reference": info.reference,
                "month": month,
                "n": int(values.size),
                "median": float(np.nanmedian(values)) if values.size else math.nan,
                "lo_value": float(np.nanquantile(values, BAND[0])) if values.size else math.nan,
                "hi_value": float(np.nanquantile(values, BAND[1])) if values.size else math.nan,
                "mean_diff": math.nan,
                "lo": math.nan,
                "hi": math.nan,
            }
            if info.reference != arm:
                ref = at[at["arm"] == info.reference][["point", "replicate", metric]]
                pairs = mine[["point", "replicate", metric]].merge(
                    ref, on=["point", "replicate"], suffixes=("", "_ref")
                )
                d = (pairs[metric] - pairs[f"{metric}_ref"]).to_numpy(float)
                reps = pairs["replicate"].to_numpy()
                keep = ~np.isnan(d)
                if keep.any():
                    # Cluster-robust by replicate: points of a replicate share its seed.
                    ci = clustered_mean(d[keep], reps[keep], LEVEL)
                    row.update(n=int(keep.sum()), mean_diff=ci["mean"], lo=ci["lo"], hi=ci["hi"])
            rows.append(row)
    return pd.DataFrame(rows)


def costs(loaded: Loaded, arms: list[str]) -> pd.DataFrame:
    """Median monthly and cumulative cost per payer, arm and month (empty without costs)."""
    payers = [p for p in PAYERS if p in loaded.metrics]
    if not payers:
        return pd.DataFrame(columns=["arm", "payer", "month", "year", "monthly", "cumulative"])
    frames = []
    for arm in arms:
        for payer in payers:
            months, m = _matrix(loaded, arm, payer)
            if m.size == 0:
                continue
            m = np.nan_to_num(m)
            frames.append(
                pd.DataFrame(
                    {
                        "arm": arm,
                        "payer": payer,
                        "month": months.astype(np.int64),
                        "year": months / 12.0,
                        "monthly": np.median(m, axis=0),
                        "cumulative": np.median(np.cumsum(m, axis=1), axis=0),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def timeline(loaded: Loaded, arms: list[str]) -> pd.DataFrame:
    """Interventions of each arm (from its first run): kind, labels, start, end, intensity."""
    first = {arm: ids[0] for arm in arms if (ids := run_ids(loaded, arm))}
    columns = ["arm", "kind", "label_ja", "label_en", "start_month", "end_month", "intensity"]
    if not first:
        return pd.DataFrame(columns=columns)
    try:
        tl = loaded.store.timeline(runs=list(first.values()))
    except Exception:  # a set without a timeline table: nothing to draw
        return pd.DataFrame(columns=columns)
    if tl.empty:
        return pd.DataFrame(columns=columns)
    arm_of = {v: k for k, v in first.items()}
    tl = tl.assign(arm=tl["run_id"].map(arm_of))
    end = float(loaded.months)
    tl["end_month"] = pd.to_numeric(tl["end_month"], errors="coerce").fillna(end)
    return tl[columns].reset_index(drop=True)


def map_metrics(loaded: Loaded) -> list[str]:
    """Per-district metrics of the set, the map's usual ones first (cached on the set)."""
    if "district_metrics" not in loaded.extra:
        try:
            sample = loaded.store.districts(runs=run_ids(loaded, loaded.arms[0].name)[:1])
            names = [c for c in sample.columns if c not in ("run_id", "month", "district")]
            months = sorted(int(m) for m in sample["month"].unique())
        except Exception:  # no districts table: the map says so
            names, months = [], []
        first = [m for m in MAP_METRICS if m in names]
        loaded.extra["district_metrics"] = first + [n for n in names if n not in first]
        loaded.extra["district_months"] = months
    return list(loaded.extra["district_metrics"])


def nearest_district_month(loaded: Loaded, month: int) -> int | None:
    """The latest month ≤ ``month`` with per-district outputs (some sets keep fewer)."""
    map_metrics(loaded)
    months = [m for m in loaded.extra.get("district_months", []) if m <= month]
    return months[-1] if months else None


def district_values(loaded: Loaded, arms: list[str], metric: str, month: int) -> pd.DataFrame:
    """Median of ``metric`` per arm and district at (about) ``month``."""
    columns = ["arm", "district", "month", "median"]
    at = nearest_district_month(loaded, month)
    if at is None or metric not in map_metrics(loaded):
        return pd.DataFrame(columns=columns)
    ids = {rid: arm for arm in arms for rid in run_ids(loaded, arm)}
    df = loaded.store.districts([metric], runs=list(ids), months=[at])
    if df.empty:
        return pd.DataFrame(columns=columns)
    df["arm"] = df["run_id"].map(ids)
    out = df.groupby(["arm", "district"], sort=False)[metric].median().reset_index()
    out = out.rename(columns={metric: "median"})
    out["month"] = at
    return out[columns]


def equity(loaded: Loaded, arms: list[str], month: int) -> pd.DataFrame:
    """Unmet share of those in need by group (median, 10–90 %) per arm at ``month``."""
    groups = [g for g in EQUITY_ORDER if f"{EQUITY_PREFIX}{g}" in loaded.metrics]
    groups += [
        m[len(EQUITY_PREFIX) :]
        for m in loaded.metrics
        if m.startswith(EQUITY_PREFIX) and m[len(EQUITY_PREFIX) :] not in groups
    ]
    if not groups:
        return pd.DataFrame(columns=["arm", "group", "metric", "median", "lo", "hi"])
    table = kpi_table(loaded, arms, month, [f"{EQUITY_PREFIX}{g}" for g in groups])
    table["group"] = table["metric"].str[len(EQUITY_PREFIX) :]
    return table.rename(columns={"lo_value": "lo_band", "hi_value": "hi_band"})


def year_to_month(loaded: Loaded, year: float) -> int:
    """The month of ``year`` clipped to the runs' horizon."""
    return int(min(max(round(year * 12), 0), loaded.months))


def shown_data(
    loaded: Loaded, arms: list[str], metrics: list[str], month: int
) -> dict[str, pd.DataFrame]:
    """Every table the page shows for these choices (the CSV/Parquet export)."""
    return {
        "bands": bands(loaded, arms, metrics),
        "kpi": kpi_table(loaded, arms, month, metrics),
        "costs": costs(loaded, arms),
        "timeline": timeline(loaded, arms),
        "equity": equity(loaded, arms, month),
    }


def export_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The shown tables stacked into one long table with a ``table`` column."""
    frames = [df.assign(table=name) for name, df in tables.items() if not df.empty]
    if not frames:
        return pd.DataFrame(columns=["table"])
    out = pd.concat(frames, ignore_index=True, sort=False)
    return out[["table", *[c for c in out.columns if c != "table"]]]
