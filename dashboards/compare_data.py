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
import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pandas.api.types import is_integer_dtype

from experiments.analysis import clustered_mean
from model.metrics import METRICS

from .results import Loaded

if TYPE_CHECKING:
    from .set_summary import Summary

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
# Who pays, in budget order; 寄附・民間 (donors) last. Together they make ``cost_total``.
PAYERS = (
    "cost_national",
    "cost_prefecture",
    "cost_municipality",
    "cost_insurance",
    "cost_private",
)
TOTAL = "cost_total"
# Anything the payer columns do not cover (an older set without donors): one honest row.
OTHER = "cost_other"
YEN_MAN = 1e4  # 万円
YEN_OKU = 1e8  # 億円
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


def _summary(loaded: Loaded) -> Summary | None:
    """The set's precomputed tables (:mod:`dashboards.set_summary`), when it has them."""
    found: Summary | None = loaded.extra.get("summary")
    return found


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
    months, _, values = _matrix_ids(loaded, arm, metric)
    return months, values


def _matrix_ids(loaded: Loaded, arm: str, metric: str) -> tuple[np.ndarray, list[str], np.ndarray]:
    """(months, run ids of the rows, runs × months values) of ``metric`` for ``arm``."""
    rows = _arm_rows(loaded, arm)
    layout = loaded.extra.setdefault("arm_layout", {})
    if arm not in layout:  # months and run ids of the arm's rows, found once
        layout[arm] = (
            np.sort(rows["month"].unique()),
            [str(i) for i in pd.unique(rows["run_id"])],  # in row order
        )
    months, ids = layout[arm]
    values = rows[metric].to_numpy(float)
    if ids and values.size == len(ids) * months.size:
        # The store returns rows in (run, month) order: a reshape is the pivot.
        return months, ids, values.reshape(len(ids), months.size)
    wide = rows.pivot_table(index="run_id", columns="month", values=metric, aggfunc="first")
    return wide.columns.to_numpy(), [str(i) for i in wide.index], wide.to_numpy(float)


def calendar_start(loaded: Loaded, arm: str) -> float:
    """Month 0 of ``arm``'s runs as a decimal calendar year (2025.0 is January 2025).

    0.0 for a set written before calendar time (its ``year`` column counts from the start).
    """
    cache = loaded.extra.setdefault("calendar_start", {})
    if arm not in cache:
        cache[arm] = _calendar_start(loaded, arm)
    start: float = cache[arm]
    return start


def _calendar_start(loaded: Loaded, arm: str) -> float:
    known = getattr(_summary(loaded), "meta", {}).get("calendar_start", {})
    if arm in known:  # stored with the set's summary
        return float(known[arm])
    if loaded.data is not None:  # the time series is in memory already
        rows = _arm_rows(loaded, arm)
    else:  # one row of one run (a set with a summary is shown without its time series)
        rows = loaded.store.timeseries(runs=run_ids(loaded, arm)[:1], months=[0])
    first = rows[rows["month"] == 0].head(1)
    if first.empty or "calendar_month" not in rows or not is_integer_dtype(rows["year"]):
        return 0.0
    return float(first["year"].iloc[0]) + (float(first["calendar_month"].iloc[0]) - 1) / 12.0


def bands(loaded: Loaded, arms: list[str], metrics: list[str]) -> pd.DataFrame:
    """Median and 10–90 % band over replicates, per arm, metric and month.

    ``year`` is the decimal calendar year of the month (2030.5 is July 2030), like the
    store's ``year`` column and the Live page.
    """
    if (s := _summary(loaded)) is not None:
        return s.bands(arms, [m for m in metrics if m in loaded.metrics])
    return compute_bands(loaded, arms, metrics)


def quantiles(m: np.ndarray, qs: list[float]) -> np.ndarray:
    """``np.nanquantile`` over axis 0 (the plain quantile when nothing is missing: same numbers)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if not np.isnan(m).any():
            return np.quantile(m, qs, axis=0)
        return np.nanquantile(m, qs, axis=0)


def compute_bands(loaded: Loaded, arms: list[str], metrics: list[str]) -> pd.DataFrame:
    """:func:`bands` from the set's time series (the precomputed summary stores its result)."""
    frames = []
    for arm in arms:
        start = calendar_start(loaded, arm)
        for metric in metrics:
            if metric not in loaded.metrics:
                continue
            months, m = _matrix(loaded, arm, metric)
            if m.size == 0:
                continue
            lo, med, hi = quantiles(m, [BAND[0], 0.5, BAND[1]])
            frames.append(
                pd.DataFrame(
                    {
                        "arm": arm,
                        "metric": metric,
                        "month": months.astype(np.int64),
                        "year": start + months / 12.0,
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


def verdict(metric: str, lo: float, hi: float) -> str:
    """``better``, ``worse`` or ``none`` from a paired interval and the metric's direction.

    ``none`` when the interval spans 0 (or is missing); for a metric with no desired
    direction, ``up`` or ``down``.
    """
    if lo != lo or hi != hi:
        return ""
    if lo <= 0 <= hi:
        return "none"
    up = lo > 0
    m = METRICS.get(metric)
    better = m.better if m is not None else ""
    if better == "higher":
        return "better" if up else "worse"
    if better == "lower":
        return "worse" if up else "better"
    return "up" if up else "down"


def kpi_table(loaded: Loaded, arms: list[str], month: int, metrics: list[str]) -> pd.DataFrame:
    """Value per arm at ``month`` and the paired difference from its reference.

    Pairs are runs of the arm and of its reference at the same design point and
    replicate (the same seed). Columns: ``metric, arm, reference, month, n, median,
    lo_value, hi_value, mean_diff, lo, hi, verdict`` (differences are NaN and the
    verdict empty for the reference; see :func:`verdict`).
    """
    if (s := _summary(loaded)) is not None and s.has_month(month):
        return s.kpi(arms, month, [m for m in metrics if m in loaded.metrics])
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
            row["verdict"] = verdict(metric, float(row["lo"]), float(row["hi"]))  # type: ignore[arg-type]
            rows.append(row)
    return pd.DataFrame(rows)


def _run_totals(loaded: Loaded, arm: str, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """(yearly sums: runs × years, horizon sums per run) of a monthly flow, months 1…end.

    Cached per set, arm and metric: the budget, the cost chart and the 要旨 all ask.
    """
    cache = loaded.extra.setdefault("run_totals", {})
    if (arm, metric) not in cache:
        months, m = _matrix(loaded, arm, metric)
        cache[(arm, metric)] = _yearly(loaded, months, m)
    out: tuple[np.ndarray, np.ndarray] = cache[(arm, metric)]
    return out


def _yearly(loaded: Loaded, months: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m = np.nan_to_num(m)
    keep = months >= 1
    m, months = m[:, keep], months[keep]
    years = max(1, math.ceil(loaded.months / 12))
    yearly = np.zeros((m.shape[0], years))
    idx = np.clip((months - 1) // 12, 0, years - 1).astype(int)
    for y in range(years):  # year y holds months 12y+1 … 12y+12
        yearly[:, y] = m[:, idx == y].sum(axis=1)
    return yearly, m.sum(axis=1)


def budget_payers(loaded: Loaded) -> list[str]:
    """The payer rows of the budget: the set's payer columns, plus a residual if needed."""
    payers = [p for p in PAYERS if p in loaded.metrics]
    if TOTAL in loaded.metrics and payers:
        total = np.nan_to_num(loaded.timeseries[TOTAL].to_numpy(float)).sum()
        parts = sum(np.nan_to_num(loaded.timeseries[p].to_numpy(float)).sum() for p in payers)
        if abs(total - parts) > 1e-6 * max(abs(total), 1.0):
            payers.append(OTHER)
    return payers


def _payer_matrix(loaded: Loaded, arm: str, payer: str) -> tuple[np.ndarray, np.ndarray]:
    if payer != OTHER:
        return _run_totals(loaded, arm, payer)
    yearly, total = _run_totals(loaded, arm, TOTAL)
    for p in PAYERS:
        if p in loaded.metrics:
            y, t = _run_totals(loaded, arm, p)
            yearly, total = yearly - y, total - t
    return yearly, total


def costs(loaded: Loaded, arms: list[str]) -> pd.DataFrame:
    """Cost per year and payer (mean over replicates, yen), with the running total.

    Means, not medians: means add up, so the payer rows of a year sum to its total.
    Columns: ``arm, payer, year, yearly, cumulative``.
    """
    if (s := _summary(loaded)) is not None:
        return s.by_arm("costs", arms)
    columns = ["arm", "payer", "year", "yearly", "cumulative"]
    payers = budget_payers(loaded)
    frames = []
    for arm in arms:
        for payer in payers:
            yearly, _ = _payer_matrix(loaded, arm, payer)
            if yearly.size == 0:
                continue
            mean = yearly.mean(axis=0)
            frames.append(
                pd.DataFrame(
                    {
                        "arm": arm,
                        "payer": payer,
                        "year": np.arange(1, mean.size + 1),
                        "yearly": mean,
                        "cumulative": np.cumsum(mean),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def budget(loaded: Loaded, arms: list[str]) -> pd.DataFrame:
    """The budget of each package over the whole horizon, by payer, with its increment.

    One row per arm and payer (and a ``cost_total`` row that is their sum): ``per_year``
    (mean yen a year), ``total`` (yen over the horizon), and for arms with a reference,
    ``increment`` — the paired mean difference of the horizon total from the reference
    (same design point and replicate) — with its 90 % interval ``inc_lo``/``inc_hi``.
    Means over replicates, so payer rows add up to the total row exactly.
    """
    if (s := _summary(loaded)) is not None:
        return s.by_arm("budget", arms)
    columns = [
        "arm",
        "reference",
        "payer",
        "n",
        "per_year",
        "total",
        "increment",
        "inc_lo",
        "inc_hi",
    ]
    payers = budget_payers(loaded)
    if not payers:
        return pd.DataFrame(columns=columns)
    years = loaded.months / 12.0
    keys = loaded.runs.set_index("run_id")[["point", "replicate"]]
    rows = []
    for arm in arms:
        ref = loaded.arm(arm).reference
        sums: dict[str, np.ndarray] = {}
        ref_sums: dict[str, np.ndarray] = {}
        for payer in payers:
            sums[payer] = _payer_matrix(loaded, arm, payer)[1]
            if ref != arm:
                ref_sums[payer] = _payer_matrix(loaded, ref, payer)[1]
        sums[TOTAL] = np.sum([sums[p] for p in payers], axis=0)
        if ref != arm:
            ref_sums[TOTAL] = np.sum([ref_sums[p] for p in payers], axis=0)
        mine = keys.loc[_ids_in_rows(loaded, arm)].reset_index(drop=True)
        theirs = keys.loc[_ids_in_rows(loaded, ref)].reset_index(drop=True) if ref != arm else None
        for payer in [*payers, TOTAL]:
            total = sums[payer]
            row: dict[str, object] = {
                "arm": arm,
                "reference": ref,
                "payer": payer,
                "n": int(total.size),
                "per_year": float(total.mean() / years) if total.size and years else math.nan,
                "total": float(total.mean()) if total.size else math.nan,
                "increment": math.nan,
                "inc_lo": math.nan,
                "inc_hi": math.nan,
            }
            if theirs is not None:
                a = mine.assign(v=total)
                b = theirs.assign(v=ref_sums[payer])
                d = a.merge(b, on=["point", "replicate"], suffixes=("", "_ref"))
                diff = (d["v"] - d["v_ref"]).to_numpy(float)
                if diff.size:
                    # Cluster-robust by replicate: points of a replicate share its seed.
                    ci = clustered_mean(diff, d["replicate"].to_numpy(), LEVEL)
                    row.update(increment=ci["mean"], inc_lo=ci["lo"], inc_hi=ci["hi"])
            rows.append(row)
    out = pd.DataFrame(rows, columns=columns)
    out.attrs["years"] = years
    return out


def _ids_in_rows(loaded: Loaded, arm: str) -> list[str]:
    """Run ids of ``arm`` in the order of :func:`_matrix`'s rows (cached per arm)."""
    cache = loaded.extra.setdefault("row_ids", {})
    if arm not in cache:
        metric = TOTAL if TOTAL in loaded.metrics else loaded.metrics[0]
        cache[arm] = _matrix_ids(loaded, arm, metric)[1]
    ids: list[str] = cache[arm]
    return ids


def cost_per_reconnected(loaded: Loaded, arms: list[str]) -> pd.DataFrame:
    """Cost per person reconnected over the horizon, and per extra person vs the reference.

    ``per_person``: mean total cost ÷ mean people reconnected (yen); ``per_extra``: the
    mean increment of cost ÷ the mean increment of people reconnected (NaN when the
    package reconnects no more people than its reference).
    """
    if (s := _summary(loaded)) is not None:
        return s.by_arm("per_person", arms)
    columns = ["arm", "reconnected", "per_person", "extra", "per_extra"]
    if TOTAL not in loaded.metrics or "reconnected" not in loaded.metrics:
        return pd.DataFrame(columns=columns)
    rows = []
    for arm in arms:
        ref = loaded.arm(arm).reference
        cost = _run_totals(loaded, arm, TOTAL)[1].mean()
        people = _run_totals(loaded, arm, "reconnected")[1].mean()
        extra = per_extra = math.nan
        if ref != arm:
            extra = people - _run_totals(loaded, ref, "reconnected")[1].mean()
            d_cost = cost - _run_totals(loaded, ref, TOTAL)[1].mean()
            per_extra = d_cost / extra if extra > 0 else math.nan
        rows.append(
            {
                "arm": arm,
                "reconnected": float(people),
                "per_person": float(cost / people) if people > 0 else math.nan,
                "extra": float(extra),
                "per_extra": float(per_extra),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def timeline(loaded: Loaded, arms: list[str]) -> pd.DataFrame:
    """Interventions of each arm (from its first run): kind, labels, start, end, intensity."""
    if (s := _summary(loaded)) is not None:
        return s.by_arm("timeline", arms)
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
    cache = loaded.extra.setdefault("district_values", {})
    if (metric, at) not in cache:  # every arm at once: another choice of packages is free
        ids = {rid: a.name for a in loaded.arms for rid in run_ids(loaded, a.name)}
        df = loaded.store.districts([metric], runs=list(ids), months=[at])
        if not df.empty:
            df["arm"] = df["run_id"].map(ids)
            df = df.groupby(["arm", "district"], sort=False)[metric].median().reset_index()
            df = df.rename(columns={metric: "median"})
            df["month"] = at
            df = df[columns]
        cache[(metric, at)] = df
    found: pd.DataFrame = cache[(metric, at)]
    if found.empty:
        return pd.DataFrame(columns=columns)
    parts = [found[found["arm"] == arm] for arm in arms]
    return pd.concat(parts, ignore_index=True)


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
        "budget": budget(loaded, arms),
        "per_person": cost_per_reconnected(loaded, arms),
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
