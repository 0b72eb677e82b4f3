"""Analysis of a results store: bands over replicates, paired policy effects, replication advice.

Every function takes a :class:`~experiments.store.ResultsStore` and returns a tidy
pandas DataFrame (one observation per row), ready for plots, notebooks, polars, DuckDB
or R. Sensitivity indices are in :mod:`experiments.sensitivity`.

Paired differences are what common random numbers buy: replicate *r* of an arm and of
its reference ran on the same seed, at the same design point, so subtracting them
removes the noise both share. The interval is a Student-t interval over the pairs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from model.errors import UsageError
from model.metrics import METRICS

from .store import ResultsStore

PAIR_KEYS = ["point", "replicate"]


def _metrics(store: ResultsStore, metrics: str | Sequence[str] | None) -> list[str]:
    if metrics is None:
        return [m for m in store.manifest["metrics"] if m in store.metrics()] or store.metrics()
    return [metrics] if isinstance(metrics, str) else list(metrics)


def _month(store: ResultsStore, month: int | None) -> int:
    last = int(store.manifest["months"])
    if month is None:
        return last
    if not 0 <= month <= last:
        raise UsageError(f"--month {month} is not allowed: a month from 0 to {last}")
    return month


def outcomes(
    store: ResultsStore, metrics: str | Sequence[str] | None = None, month: int | None = None
) -> pd.DataFrame:
    """One row per finished run: its arm, point, replicate, inputs and metric values at ``month``.

    ``month`` defaults to the last month of the runs.
    """
    names = _metrics(store, metrics)
    ts = store.timeseries(names, months=[_month(store, month)], with_inputs=True)
    return ts.reset_index(drop=True)


def quantile_bands(
    store: ResultsStore,
    metrics: str | Sequence[str] | None = None,
    *,
    by: Sequence[str] = ("arm",),
    band: tuple[float, float] = (0.1, 0.9),
    districts: bool = False,
) -> pd.DataFrame:
    """Median and a quantile band (10–90 % by default) over replicates, per month.

    Returns columns ``*by, month, metric, n, mean, median, lo, hi`` (``district`` too
    with ``districts=True``). ``by=("arm", "point")`` gives one band per design point.
    """
    names = _metrics(store, metrics)
    keys = [*by, "month"] + (["district"] if districts else [])
    if districts:
        frame = store.districts(names, with_inputs=True)
    else:
        frame = store.timeseries(names, with_inputs=True)
    if frame.empty:
        return pd.DataFrame(columns=[*keys, "metric", "n", "mean", "median", "lo", "hi"])
    long = frame.melt(id_vars=keys, value_vars=names, var_name="metric")
    grouped = long.groupby([*keys, "metric"], sort=False)["value"]
    out = grouped.agg(n="count", mean="mean", median="median").reset_index()
    out["lo"] = grouped.quantile(band[0]).to_numpy()
    out["hi"] = grouped.quantile(band[1]).to_numpy()
    return out.sort_values([*keys, "metric"], kind="stable").reset_index(drop=True)


def _pairs(frame: pd.DataFrame, store: ResultsStore, extra_keys: list[str]) -> pd.DataFrame:
    """Join every run with its reference arm's run on the same point and replicate."""
    refs = {arm: store.reference_of(arm) for arm in frame["arm"].unique()}
    left = frame[frame["arm"].map(refs) != frame["arm"]].copy()
    left["reference"] = left["arm"].map(refs)
    right = frame.rename(columns={"arm": "reference"})
    keys = ["reference", *PAIR_KEYS, *extra_keys]
    return left.merge(right, on=keys, suffixes=("", "_ref"))


def paired_differences(
    store: ResultsStore,
    metrics: str | Sequence[str] | None = None,
    *,
    month: int | None = None,
    level: float = 0.9,
    over_time: bool = False,
) -> pd.DataFrame:
    """Each arm minus its reference, paired by design point and replicate (same seed).

    Returns, per arm and metric (and month with ``over_time=True``): ``n`` pairs,
    ``mean_arm``, ``mean_reference``, ``mean_diff`` with the ``level`` t-interval
    ``lo``–``hi``, ``sd_diff``, the variances of the difference and of each arm, and
    ``variance_ratio`` = var(difference) / min(var(arm), var(reference)) — how much of
    the noise common random numbers removed (1 would mean none).
    """
    names = _metrics(store, metrics)
    if over_time:
        frame = store.timeseries(names, with_inputs=True)
    else:
        frame = outcomes(store, names, month)
    columns = ["arm", "reference", "metric", "month", "n", "mean_arm", "mean_reference"]
    columns += ["mean_diff", "lo", "hi", "sd_diff", "var_diff", "var_arm", "var_reference"]
    columns += ["variance_ratio"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    pairs = _pairs(frame[["arm", *PAIR_KEYS, "month", *names]], store, ["month"])
    rows = []
    for (arm, reference, m), group in pairs.groupby(["arm", "reference", "month"], sort=False):
        for name in names:
            a, b = group[name].to_numpy(float), group[f"{name}_ref"].to_numpy(float)
            d = a - b
            n = d.size
            var_d = float(np.var(d, ddof=1)) if n > 1 else math.nan
            var_a = float(np.var(a, ddof=1)) if n > 1 else math.nan
            var_b = float(np.var(b, ddof=1)) if n > 1 else math.nan
            half = half_width(math.sqrt(var_d), n, level) if n > 1 else math.nan
            smaller = min(var_a, var_b)
            rows.append(
                {
                    "arm": arm,
                    "reference": reference,
                    "metric": name,
                    "month": int(m),  # type: ignore[call-overload]
                    "n": n,
                    "mean_arm": float(a.mean()),
                    "mean_reference": float(b.mean()),
                    "mean_diff": float(d.mean()),
                    "lo": float(d.mean()) - half,
                    "hi": float(d.mean()) + half,
                    "sd_diff": math.sqrt(var_d) if n > 1 else math.nan,
                    "var_diff": var_d,
                    "var_arm": var_a,
                    "var_reference": var_b,
                    "variance_ratio": var_d / smaller if smaller > 0 else math.nan,
                }
            )
    return pd.DataFrame(rows, columns=columns)


def half_width(sd: float, n: int, level: float = 0.9) -> float:
    """Half-width of the ``level`` t-interval of a mean of ``n`` values with spread ``sd``."""
    if n < 2:
        return math.inf
    return float(stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n))


def replication_advice(
    store: ResultsStore,
    metric: str,
    *,
    arm: str | None = None,
    month: int | None = None,
    level: float = 0.9,
    replicates: Sequence[int] = (5, 10, 20, 40, 80, 160),
) -> pd.DataFrame:
    """How the interval of an effect narrows with more replicates.

    For each arm (or ``arm``) compared with its reference, the observed spread of the
    paired differences gives the interval's half-width for other numbers of replicates
    (per design point): ``arm, reference, metric, month, replicates, half_width,
    current`` (``current`` marks the number the store has). For a reference arm itself
    the spread of its own values is used (the interval of its mean).
    """
    m = _month(store, month)
    diffs = paired_differences(store, metric, month=m, level=level)
    points = max(1, len(store.design()))
    current = int(store.manifest["replications"])
    frames = []
    arms = [arm] if arm is not None else diffs["arm"].tolist() or store.arms()
    if arm is not None and arm not in store.arms():
        raise UsageError(f"no arm {arm!r}; arms are: {', '.join(store.arms())}")
    for name in arms:
        row = diffs[diffs["arm"] == name]
        if not row.empty:
            sd, reference = float(row["sd_diff"].iloc[0]), str(row["reference"].iloc[0])
        else:  # the reference itself: the spread of its own values
            own = outcomes(store, metric, m)
            values = own.loc[own["arm"] == name, metric].to_numpy(float)
            sd, reference = (float(np.std(values, ddof=1)) if values.size > 1 else math.nan), ""
        counts = sorted({*replicates, current, 4 * current})
        frames.append(
            pd.DataFrame(
                {
                    "arm": name,
                    "reference": reference,
                    "metric": metric,
                    "month": m,
                    "replicates": counts,
                    "half_width": [half_width(sd, r * points, level) for r in counts],
                    "current": [r == current for r in counts],
                }
            )
        )
    if not frames:
        return pd.DataFrame(
            columns=["arm", "reference", "metric", "month", "replicates", "half_width", "current"]
        )
    return pd.concat(frames, ignore_index=True)


def replicates_for(sd: float, target: float, level: float = 0.9, points: int = 1) -> int:
    """Replicates (per design point) for a ``level`` interval of ±``target`` around a mean."""
    if not sd > 0 or not target > 0:
        return 2
    z = stats.norm.ppf(0.5 + level / 2)
    n = max(2, math.ceil((z * sd / target) ** 2))
    while half_width(sd, n, level) > target:  # t is wider than z for small n
        n += 1
    return max(2, math.ceil(n / points))


def format_delta(metric: str, value: float) -> str:
    """A difference in the metric's unit: shares in percentage points, people as counts."""
    m = METRICS.get(metric)
    if value != value:
        return "—"
    if m is not None and m.unit == "share":
        return f"{value * 100:.2f} pt"
    if m is not None and m.unit == "yen":
        return f"{value / 1e4:,.0f} 万円"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.3g}"


def advice_text(advice: pd.DataFrame, arm: str, level: float = 0.9) -> str:
    """One sentence from :func:`replication_advice` rows of ``arm``."""
    rows = advice[advice["arm"] == arm].sort_values("replicates")
    if rows.empty:
        return f"{arm}: no finished runs yet."
    now = rows[rows["current"]].iloc[0]
    metric = str(now["metric"])
    n_now, h_now = int(now["replicates"]), float(now["half_width"])
    quad = rows[rows["replicates"] == 4 * n_now]
    what = (
        f"the effect of {arm} (vs {now['reference']})" if now["reference"] else f"the mean of {arm}"
    )
    text = (
        f"With {n_now} replicates the {level:.0%} interval of {what} on {metric} at month "
        f"{int(now['month'])} is ±{format_delta(metric, h_now)}"
    )
    if not quad.empty:
        quarter = format_delta(metric, float(quad["half_width"].iloc[0]))
        text += f"; {4 * n_now} would halve it (±{quarter})"
    else:
        text += f"; {4 * n_now} would about halve it"
    return text + "."
