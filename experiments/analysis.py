"""Analysis of a results store: bands over replicates, paired policy effects, replication advice.

Every function takes a :class:`~experiments.store.ResultsStore` and returns a tidy
pandas DataFrame (one observation per row), ready for plots, notebooks, polars, DuckDB
or R. Sensitivity indices are in :mod:`experiments.sensitivity`.

Paired differences are what common random numbers buy: replicate *r* of an arm and of
its reference ran on the same seed, at the same design point, so subtracting them
removes the noise both share.

Replicate *r* also has the same seed at *every* design point, so the differences of one
replicate are correlated across points (what the seed does to one point it tends to do
to all). Intervals are therefore cluster-robust by replicate: the differences are first
averaged over the points of each replicate, and the Student-t interval is taken over
those replicate means (``R − 1`` degrees of freedom). Treating points × replicates as
independent pairs would make the interval several times too narrow. The variance ratio
and the replication advice use the same replicate means; with one replicate there is
nothing to tell noise from effect, and they say so (NaN, "not enough replicates").
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from model.errors import UsageError
from model.metrics import METRICS
from model.parameters import clip

from .store import ResultsStore

PAIR_KEYS = ["point", "replicate"]
BAND_ROWS = 500_000  # metric values per chunk of months in quantile_bands (~4 MB)


def _metrics(store: ResultsStore, metrics: str | Sequence[str] | None) -> list[str]:
    if metrics is None:
        return [m for m in store.manifest["metrics"] if m in store.metrics()] or store.metrics()
    return [metrics] if isinstance(metrics, str) else list(metrics)


def _month(store: ResultsStore, month: int | None) -> int:
    last = int(store.manifest["months"])
    if month is None:
        return last
    if not 0 <= month <= last:
        raise UsageError(f"--month {clip(str(month), 20)} is not allowed: a month from 0 to {last}")
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
    empty = pd.DataFrame(columns=[*keys, "metric", "n", "mean", "median", "lo", "hi"])
    runs = store.runs(status="ok")
    if runs.empty:
        return empty
    inputs = runs[["run_id", *[k for k in dict.fromkeys(by) if k != "month"]]]
    # A few months at a time (months are group keys, so no group spans two chunks): the
    # memory stays that of one chunk, whatever the number of runs.
    per_run = 1
    if districts:  # rows per run and month: the districts of the first run
        per_run = max(1, len(store.districts(runs=runs["run_id"][:1], months=[0])))
    per_month = len(runs) * per_run
    step = max(1, BAND_ROWS // max(1, per_month * len(names)))
    last = int(store.manifest["months"])
    pieces = []
    for first in range(0, last + 1, step):
        months = range(first, min(last, first + step - 1) + 1)
        if districts:
            frame = store.districts(names, months=months)
        else:
            frame = store.timeseries(names, months=months)
        if frame.empty:
            continue
        frame = inputs.merge(frame, on="run_id", how="right")
        long = frame.melt(id_vars=keys, value_vars=names, var_name="metric")
        del frame
        grouped = long.groupby([*keys, "metric"], sort=False)["value"]
        out = grouped.agg(n="count", mean="mean", median="median").reset_index()
        out["lo"] = grouped.quantile(band[0]).to_numpy()
        out["hi"] = grouped.quantile(band[1]).to_numpy()
        pieces.append(out)
    if not pieces:
        return empty
    out = pd.concat(pieces, ignore_index=True)
    return out.sort_values([*keys, "metric"], kind="stable").reset_index(drop=True)


def _pairs(frame: pd.DataFrame, store: ResultsStore, extra_keys: list[str]) -> pd.DataFrame:
    """Join every run with its reference arm's run on the same point and replicate."""
    refs = {arm: store.reference_of(arm) for arm in frame["arm"].unique()}
    left = frame[frame["arm"].map(refs) != frame["arm"]].copy()
    left["reference"] = left["arm"].map(refs)
    right = frame.rename(columns={"arm": "reference"})
    keys = ["reference", *PAIR_KEYS, *extra_keys]
    return left.merge(right, on=keys, suffixes=("", "_ref"))


def clustered_mean(
    values: np.ndarray, replicates: np.ndarray, level: float = 0.9
) -> dict[str, float]:
    """Mean of ``values`` with a ``level`` t-interval clustered by replicate.

    ``values`` are observations (e.g. paired differences at every design point) and
    ``replicates`` the replicate each came from. The values of each replicate are averaged
    first; the estimate is the mean of those ``R`` replicate means and the interval a
    Student-t interval over them (``R − 1`` degrees of freedom), which stays honest when
    values of one replicate share noise. Returns ``mean``, ``lo``, ``hi``, ``half``,
    ``sd_replicate`` (spread of the replicate means, ``ddof=1``) and ``replicates`` (R);
    with fewer than two replicates the spread and interval are NaN.
    """
    v = np.asarray(values, dtype=float)
    c = np.asarray(replicates)
    keep = ~np.isnan(v)
    v, c = v[keep], c[keep]
    if v.size == 0:
        nan = math.nan
        return {
            "mean": nan,
            "lo": nan,
            "hi": nan,
            "half": nan,
            "sd_replicate": nan,
            "replicates": 0,
        }
    labels, inverse = np.unique(c, return_inverse=True)
    means = np.bincount(inverse, weights=v) / np.bincount(inverse)
    r = int(labels.size)
    mean = float(means.mean())
    sd = float(np.std(means, ddof=1)) if r > 1 else math.nan
    half = half_width(sd, r, level) if r > 1 else math.nan
    return {
        "mean": mean,
        "lo": mean - half,
        "hi": mean + half,
        "half": half,
        "sd_replicate": sd,
        "replicates": r,
    }


def _replicate_means(values: np.ndarray, replicates: np.ndarray) -> np.ndarray:
    """Mean of ``values`` within each replicate (sorted by replicate)."""
    _, inverse = np.unique(replicates, return_inverse=True)
    return np.bincount(inverse, weights=values) / np.bincount(inverse)


def _var(values: np.ndarray) -> float:
    return float(np.var(values, ddof=1)) if values.size > 1 else math.nan


PAIRED_COLUMNS = [
    "arm",
    "reference",
    "metric",
    "month",
    "n",
    "replicates",
    "mean_arm",
    "mean_reference",
    "mean_diff",
    "lo",
    "hi",
    "sd_diff",
    "sd_replicate",
    "var_diff",
    "var_arm",
    "var_reference",
    "variance_ratio",
]


def paired_stats(
    a: np.ndarray, b: np.ndarray, replicates: np.ndarray, level: float = 0.9
) -> dict[str, float]:
    """Statistics of the paired differences ``a − b`` (pairs share a seed), by replicate.

    ``mean_diff``, ``lo``, ``hi`` and ``sd_replicate`` are :func:`clustered_mean` of the
    differences; ``sd_diff`` is the spread of single differences (descriptive);
    ``var_diff``, ``var_arm`` and ``var_reference`` are variances over replicates of the
    replicate means (``ddof=1``) — the noise in each mean — and ``variance_ratio`` =
    var_diff / min(var_arm, var_reference): how much of it common random numbers removed.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b, reps = a[keep], b[keep], np.asarray(replicates)[keep]
    d = a - b
    ci = clustered_mean(d, reps, level)
    if d.size:
        var_d, var_a, var_b = (_var(_replicate_means(x, reps)) for x in (d, a, b))
    else:
        var_d = var_a = var_b = math.nan
    smaller = min(var_a, var_b)
    return {
        "n": int(d.size),
        "replicates": int(ci["replicates"]),
        "mean_arm": float(a.mean()) if a.size else math.nan,
        "mean_reference": float(b.mean()) if b.size else math.nan,
        "mean_diff": ci["mean"],
        "lo": ci["lo"],
        "hi": ci["hi"],
        "sd_diff": float(np.std(d, ddof=1)) if d.size > 1 else math.nan,
        "sd_replicate": ci["sd_replicate"],
        "var_diff": var_d,
        "var_arm": var_a,
        "var_reference": var_b,
        "variance_ratio": var_d / smaller if smaller > 0 else math.nan,
    }


def paired_differences(
    store: ResultsStore,
    metrics: str | Sequence[str] | None = None,
    *,
    month: int | None = None,
    level: float = 0.9,
    over_time: bool = False,
) -> pd.DataFrame:
    """Each arm minus its reference, paired by design point and replicate (same seed).

    Returns, per arm and metric (and month with ``over_time=True``) the columns of
    :func:`paired_stats`: ``n`` pairs, ``replicates``, ``mean_arm``, ``mean_reference``,
    ``mean_diff`` with its ``level`` interval ``lo``–``hi`` (cluster-robust by replicate),
    the spreads and variances, and ``variance_ratio`` (1 would mean CRN removed nothing).
    """
    names = _metrics(store, metrics)
    if over_time:
        frame = store.timeseries(names, with_inputs=True)
    else:
        frame = outcomes(store, names, month)
    if frame.empty:
        return pd.DataFrame(columns=PAIRED_COLUMNS)
    pairs = _pairs(frame[["arm", *PAIR_KEYS, "month", *names]], store, ["month"])
    return _paired_table(pairs, names, level)


def _paired_table(pairs: pd.DataFrame, names: list[str], level: float) -> pd.DataFrame:
    rows = []
    for (arm, reference, m), group in pairs.groupby(["arm", "reference", "month"], sort=False):
        reps = group["replicate"].to_numpy()
        for name in names:
            a, b = group[name].to_numpy(float), group[f"{name}_ref"].to_numpy(float)
            rows.append(
                {
                    "arm": arm,
                    "reference": reference,
                    "metric": name,
                    "month": int(m),  # type: ignore[call-overload]
                    **paired_stats(a, b, reps, level),
                }
            )
    return pd.DataFrame(rows, columns=PAIRED_COLUMNS)


def find_arm(store: ResultsStore, text: str) -> str:
    """The arm named ``text``: its full name, or a part of it that only one arm has."""
    arms = store.arms()
    if text in arms:
        return text
    matches = [a for a in arms if text in a]
    if len(matches) == 1:
        return matches[0]
    what = "matches several arms" if matches else "is not an arm"
    raise UsageError(f"{text!r} {what}; arms are: {'; '.join(arms)}")


def contrast(
    store: ResultsStore,
    arm: str,
    reference: str,
    metrics: str | Sequence[str] | None = None,
    *,
    month: int | None = None,
    level: float = 0.9,
    over_time: bool = False,
) -> pd.DataFrame:
    """``arm`` minus ``reference`` for any two arms, paired by design point and replicate.

    Arms may be given by full name or by a part only one arm has. Same columns as
    :func:`paired_differences`.
    """
    a, b = find_arm(store, arm), find_arm(store, reference)
    if a == b:
        raise UsageError(f"--contrast {arm}:{reference}: the two sides are the same arm ({a})")
    names = _metrics(store, metrics)
    if over_time:
        frame = store.timeseries(names, with_inputs=True)
    else:
        frame = outcomes(store, names, month)
    if frame.empty:
        return pd.DataFrame(columns=PAIRED_COLUMNS)
    cols = ["arm", *PAIR_KEYS, "month", *names]
    left = frame.loc[frame["arm"] == a, cols].assign(reference=b)
    right = frame.loc[frame["arm"] == b, cols].rename(columns={"arm": "reference"})
    pairs = left.merge(right, on=["reference", *PAIR_KEYS, "month"], suffixes=("", "_ref"))
    return _paired_table(pairs, names, level)


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
    replicate means of the paired differences (averaged over the design points, see
    :func:`clustered_mean`) gives the interval's half-width for other numbers of
    replicates: ``arm, reference, metric, month, replicates, half_width, current``
    (``current`` marks the number the store has); the half-width at R replicates is
    ``t(R − 1) · sd_replicate / √R``. For a reference arm itself the spread of its own
    replicate means is used (the interval of its mean). With one replicate the spread is
    unknown and every half-width is NaN.
    """
    m = _month(store, month)
    diffs = paired_differences(store, metric, month=m, level=level)
    current = int(store.manifest["replications"])
    frames = []
    arms = [arm] if arm is not None else diffs["arm"].tolist() or store.arms()
    if arm is not None and arm not in store.arms():
        raise UsageError(f"no arm {arm!r}; arms are: {', '.join(store.arms())}")
    for name in arms:
        row = diffs[diffs["arm"] == name]
        if not row.empty:
            sd, reference = float(row["sd_replicate"].iloc[0]), str(row["reference"].iloc[0])
        else:  # the reference itself: the spread of its own replicate means
            own = outcomes(store, metric, m)
            mine = own[own["arm"] == name]
            values = mine[metric].to_numpy(float)
            sd = clustered_mean(values, mine["replicate"].to_numpy(), level)["sd_replicate"]
            reference = ""
        counts = sorted({*replicates, current, 4 * current})
        frames.append(
            pd.DataFrame(
                {
                    "arm": name,
                    "reference": reference,
                    "metric": metric,
                    "month": m,
                    "replicates": counts,
                    "half_width": [
                        half_width(sd, r, level) if sd == sd else math.nan for r in counts
                    ],
                    "current": [r == current for r in counts],
                }
            )
        )
    if not frames:
        return pd.DataFrame(
            columns=["arm", "reference", "metric", "month", "replicates", "half_width", "current"]
        )
    return pd.concat(frames, ignore_index=True)


def replicates_for(sd: float, target: float, level: float = 0.9) -> int:
    """Replicates for a ``level`` interval of ±``target``, from ``sd`` of replicate means.

    ``sd`` is the spread of one replicate's mean (``sd_replicate``): design points within a
    replicate share its seed, so adding points does not replace adding replicates.
    """
    if not sd > 0 or not target > 0:
        return 2
    z = stats.norm.ppf(0.5 + level / 2)
    n = max(2, math.ceil((z * sd / target) ** 2))
    while half_width(sd, n, level) > target:  # t is wider than z for small n
        n += 1
    return n


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
    if h_now != h_now:
        return (
            f"With {n_now} replicate{'s' if n_now != 1 else ''}, not enough replicates to tell "
            f"how precise {what} on {metric} is: run at least 2 (more replications)."
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


EFFECT_COLUMNS = [
    "metric",
    "month",
    "effect",
    "factor",
    "level",
    "baseline_level",
    "value",
    "lo",
    "hi",
    "replicates",
]


def factors(store: ResultsStore) -> dict[str, list[object]]:
    """The experiment's discrete factors and their levels (first level = the baseline).

    Levers, uncertainties of a full-factorial design, and ``town`` / ``policy`` when the
    experiment has more than one.
    """
    manifest = store.manifest
    exp = manifest["experiment"]
    out: dict[str, list[object]] = {}
    if len(exp["towns"]) > 1:
        out["town"] = list(dict.fromkeys(a["town"] for a in manifest["arms"]))
    if len(exp["policies"]) > 1:
        out["policy"] = list(dict.fromkeys(a["policy"] for a in manifest["arms"]))
    if manifest["design"] == "full_factorial":
        design = store.design()
        for u in exp["uncertainties"]:
            out[u["path"]] = list(dict.fromkeys(design[u["path"]].tolist()))
    for lever in exp["levers"]:
        out[lever["path"]] = list(lever["values"])
    return {k: v for k, v in out.items() if len(v) > 1}


def effects(
    store: ResultsStore,
    metric: str,
    *,
    month: int | None = None,
    level: float = 0.9,
) -> pd.DataFrame:
    """Main effects and two-way interactions of the discrete factors (see :func:`factors`).

    A *main effect* of level ``l`` of factor F is the mean outcome at F = ``l`` minus the
    mean at F's first level, averaged over everything else the experiment varies. A
    *two-way interaction* of F = ``f`` and G = ``g`` is (effect of ``f`` at G = ``g``) −
    (effect of ``f`` at G's first level): zero when the two act independently. Both are
    computed within each replicate (all runs of a replicate share its seed) and the
    ``level`` t-interval is taken over replicates, so it is cluster-robust by replicate.
    Columns: ``metric, month, effect`` (``main`` | ``interaction``), ``factor, level,
    baseline_level, value, lo, hi, replicates``.
    """
    levels = factors(store)
    if not levels:
        return pd.DataFrame(columns=EFFECT_COLUMNS)
    frame = outcomes(store, metric, month)
    if frame.empty:
        return pd.DataFrame(columns=EFFECT_COLUMNS)
    m = int(frame["month"].iloc[0])
    arms = {a["name"]: a for a in store.manifest["arms"]}
    for name in levels:
        if name in ("town", "policy"):
            frame[name] = frame["arm"].map(lambda arm, key=name: arms[arm][key])
    rows: list[dict[str, object]] = []

    def add(effect: str, factor: str, lvl: str, base: str, per_rep: pd.Series) -> None:
        ci = clustered_mean(per_rep.to_numpy(float), per_rep.index.to_numpy(), level)
        rows.append(
            {
                "metric": metric,
                "month": m,
                "effect": effect,
                "factor": factor,
                "level": lvl,
                "baseline_level": base,
                "value": ci["mean"],
                "lo": ci["lo"],
                "hi": ci["hi"],
                "replicates": ci["replicates"],
            }
        )

    names = list(levels)
    for name in names:
        means = frame.groupby(["replicate", name])[metric].mean().unstack(name)
        first = levels[name][0]
        for lvl in levels[name][1:]:
            if lvl in means and first in means:
                add("main", name, str(lvl), str(first), means[lvl] - means[first])
    for i, f in enumerate(names):
        for g in names[i + 1 :]:
            cells = frame.groupby(["replicate", f, g])[metric].mean()
            f0, g0 = levels[f][0], levels[g][0]
            for fl in levels[f][1:]:
                for gl in levels[g][1:]:
                    try:
                        per_rep = (
                            cells.xs((fl, gl), level=(f, g))
                            - cells.xs((f0, gl), level=(f, g))
                            - cells.xs((fl, g0), level=(f, g))
                            + cells.xs((f0, g0), level=(f, g))
                        )
                    except KeyError:
                        continue
                    add("interaction", f"{f} × {g}", f"{fl} × {gl}", f"{f0} × {g0}", per_rep)
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)
