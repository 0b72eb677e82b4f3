"""Sensitivity of an outcome to the uncertainties, with bootstrap intervals.

* Sobol designs → first-order (``S1``) and total (``ST``) indices, and ``S2`` with
  second-order sampling (``SALib.analyze.sobol``);
* Morris designs → ``mu_star`` (mean absolute elementary effect), ``mu`` and ``sigma``
  (``SALib.analyze.morris``);
* Latin hypercube and full factorial designs → Spearman rank correlation of each
  input with the outcome, with a bootstrap interval over design points.

SALib has no notion of replicate noise, so the outcome at a design point is the mean
over its replicates, and one extra row per arm, ``(replicate noise)`` / ``noise_share``,
says how much of the outcome's variance is noise between replicates rather than the
inputs: when it is large, the indices need more replicates before they mean much.

Bootstrap draws come from a generator derived from the experiment's root seed, so
the same store gives the same intervals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from model.errors import UsageError

from .analysis import outcomes
from .seeds import bootstrap_rng, bootstrap_seed
from .store import ResultsStore

COLUMNS = ["arm", "metric", "month", "method", "parameter", "index", "value", "lo", "hi"]


def _problem(store: ResultsStore) -> dict[str, Any]:
    us = store.manifest["experiment"]["uncertainties"]
    return {
        "num_vars": len(us),
        "names": [u["path"] for u in us],
        "bounds": [[u["min"], u["max"]] for u in us],
    }


def sensitivity(
    store: ResultsStore,
    metric: str,
    *,
    month: int | None = None,
    arms: Sequence[str] | None = None,
    level: float = 0.95,
    resamples: int = 1000,
) -> pd.DataFrame:
    """Sensitivity indices of ``metric`` at ``month`` (default: the last), per arm.

    Returns tidy rows ``arm, metric, month, method, parameter, index, value, lo, hi``.
    """
    kind = store.manifest["design"]
    if kind == "none":
        raise UsageError(f"{store.path}: the experiment has no design over uncertainties")
    frame = outcomes(store, metric, month)
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    m = int(frame["month"].iloc[0])
    design = store.design().sort_values("point")
    names = [c for c in design.columns if c != "point"]
    root = int(store.manifest["root_seed"])
    rows: list[dict[str, object]] = []
    for arm in arms or store.arms():
        runs = frame[frame["arm"] == arm]
        if runs.empty:
            continue
        means = runs.groupby("point")[metric].mean()
        if kind in ("sobol", "morris") and len(means) < len(design):
            raise UsageError(
                f"{store.path}: arm {arm} has results for {len(means)} of {len(design)} design "
                f"points; {kind} indices need them all (finish the sweep first)"
            )
        y = means.reindex(design["point"]).to_numpy(float)
        x = design[names].to_numpy(float)
        base = {"arm": arm, "metric": metric, "month": m}
        if kind == "sobol":
            rows += _sobol(store, y, level, resamples, root, base)
        elif kind == "morris":
            rows += _morris(store, x, y, level, resamples, root, base)
        else:
            keep = ~np.isnan(y)
            rows += _spearman(names, x[keep], y[keep], level, resamples, root, base)
        rows.append(
            {
                **base,
                "method": "replicates",  # NaN: not enough replicates to tell
                "parameter": "(replicate noise)",
                "index": "noise_share",
                "value": noise_share(runs, metric),
                "lo": np.nan,
                "hi": np.nan,
            }
        )
    if kind in ("latin_hypercube", "full_factorial"):
        rows += _pooled_levers(store, frame, names, metric, m, level, resamples, root)
    return pd.DataFrame(rows, columns=COLUMNS)


def _pooled_levers(
    store: ResultsStore,
    frame: pd.DataFrame,
    names: list[str],
    metric: str,
    month: int,
    level: float,
    resamples: int,
    root: int,
) -> list[dict[str, object]]:
    """Spearman indices over the uncertainties *and* the levers, pooling each town × policy's arms.

    The levers make arms; pooling the arms of one town and policy package (every lever
    combination at every design point) ranks the levers' influence next to the
    uncertainties'. Rows are labelled ``TOWN/POLICY [levers pooled]``.
    """
    levers = [lv["path"] for lv in store.manifest["experiment"]["levers"]]
    if not levers:
        return []
    arms = store.manifest["arms"]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for a in arms:
        groups.setdefault((a["town"], a["policy"]), []).append(a)
    design = store.design().set_index("point")
    rows: list[dict[str, object]] = []
    for (town, policy), members in groups.items():
        if len(members) < 2:
            continue
        runs = frame[frame["arm"].isin([a["name"] for a in members])]
        means = runs.groupby(["arm", "point"])[metric].mean().reset_index()
        if len(means) < 3:
            continue
        lever_of = {a["name"]: a["levers"] for a in members}
        usable = _numeric_levers(lever_of, levers)
        columns = [
            np.array([float(lever_of[arm][path]) for arm in means["arm"]]) for path in usable
        ]
        x = np.column_stack(
            [design.loc[means["point"], n].to_numpy(float) for n in names] + columns
        )
        label = f"{Path(town).stem}/{Path(policy).stem} [levers pooled]"
        base = {"arm": label, "metric": metric, "month": month}
        y = means[metric].to_numpy(float)
        keep = ~np.isnan(y)
        rows += _spearman([*names, *usable], x[keep], y[keep], level, resamples, root, base)
    return rows


def _numeric_levers(lever_of: dict[str, dict[str, Any]], levers: list[str]) -> list[str]:
    """Levers whose values are numbers or on/off (the ones a rank correlation can use)."""
    out = []
    for path in levers:
        values = [v[path] for v in lever_of.values()]
        if all(isinstance(v, (bool, int, float)) for v in values):
            out.append(path)
    return out


def noise_share(runs: pd.DataFrame, metric: str) -> float:
    """Share of the outcome's variance that lies between replicates of the same point.

    The variance components of a one-way analysis of variance by design point: the
    within-point mean square ``MSW`` (unbiased, ``ddof=1`` per point) estimates the
    replicate noise, ``(MSB − MSW) / n₀`` the variance of the point means; the share is
    noise / (noise + points), from 0 (no noise) to 1 (the inputs explain nothing). NaN when
    no point has two replicates: then there is no telling noise from the inputs' effect.
    """
    y = runs[[metric, "point"]].dropna()
    groups = y.groupby("point")[metric]
    sizes = groups.size().to_numpy(float)
    k, total = sizes.size, float(sizes.sum())
    if k == 0 or total - k < 1:
        return math.nan
    means = groups.mean().to_numpy(float)
    ss_within = float(groups.var(ddof=1).fillna(0.0).to_numpy(float) @ (sizes - 1))
    msw = ss_within / (total - k)
    if k == 1:
        return 1.0 if msw > 0 else 0.0
    grand = float(y[metric].mean())
    msb = float(sizes @ (means - grand) ** 2) / (k - 1)
    n0 = (total - float(sizes @ sizes) / total) / (k - 1)
    between = max(0.0, (msb - msw) / n0)
    if msw + between <= 0:
        return 0.0
    return msw / (msw + between)


def _index(
    base: dict, method: str, parameter: str, index: str, value: float, lo: float, hi: float
) -> dict[str, object]:
    """One row of the tidy index table."""
    row = dict(base)
    row.update(method=method, parameter=parameter, index=index, value=value, lo=lo, hi=hi)
    return row


def _sobol(
    store: ResultsStore, y: np.ndarray, level: float, resamples: int, root: int, base: dict
) -> list[dict[str, object]]:
    from SALib.analyze import sobol

    problem = _problem(store)
    second = bool(store.manifest["experiment"]["design"]["second_order"])
    si = sobol.analyze(
        problem,
        y,
        calc_second_order=second,
        num_resamples=resamples,
        conf_level=level,
        seed=bootstrap_seed(root),  # SALib uses the global NumPy state unless given a seed
    )
    rows = []
    for i, name in enumerate(problem["names"]):
        for index in ("S1", "ST"):
            v, c = float(si[index][i]), float(si[f"{index}_conf"][i])
            rows.append(_index(base, "sobol", name, index, v, v - c, v + c))
    if second:
        names = list(problem["names"])
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                v, c = float(si["S2"][i, j]), float(si["S2_conf"][i, j])
                pair = f"{names[i]} × {names[j]}"
                rows.append(_index(base, "sobol", pair, "S2", v, v - c, v + c))
    return rows


def _morris(
    store: ResultsStore,
    x: np.ndarray,
    y: np.ndarray,
    level: float,
    resamples: int,
    root: int,
    base: dict,
) -> list[dict[str, object]]:
    from SALib.analyze import morris

    problem = _problem(store)
    levels = int(store.manifest["experiment"]["design"]["levels"])
    si = morris.analyze(
        problem,
        x,
        y,
        num_resamples=resamples,
        conf_level=level,
        num_levels=levels,
        seed=bootstrap_rng(root),
    )
    rows = []
    for i, name in enumerate(problem["names"]):
        mu_star, conf = float(si["mu_star"][i]), float(si["mu_star_conf"][i])
        rows.append(
            _index(base, "morris", name, "mu_star", mu_star, mu_star - conf, mu_star + conf)
        )
        for index in ("mu", "sigma"):
            rows.append(_index(base, "morris", name, index, float(si[index][i]), np.nan, np.nan))
    return rows


def _spearman(
    names: list[str],
    x: np.ndarray,
    y: np.ndarray,
    level: float,
    resamples: int,
    root: int,
    base: dict,
) -> list[dict[str, object]]:
    rng = bootstrap_rng(root)
    n = y.size
    rows = []
    draws = rng.integers(0, n, size=(resamples, n)) if n > 2 else None
    y_ranks = stats.rankdata(y[draws], axis=1) if draws is not None else None
    for i, name in enumerate(names):
        rho = _rho(x[:, i], y) if n > 2 else np.nan
        lo = hi = np.nan
        if draws is not None and y_ranks is not None and rho == rho:
            # Every resample at once: Spearman's rho is Pearson's r of the (average) ranks.
            boot = _row_pearson(stats.rankdata(x[draws, i], axis=1), y_ranks)
            if np.isfinite(boot).any():
                lo, hi = np.nanquantile(boot, [0.5 - level / 2, 0.5 + level / 2])
        rows.append(_index(base, "spearman", name, "rho", rho, float(lo), float(hi)))
    return rows


def _row_pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson's r of each row of ``a`` with the same row of ``b``; NaN where one is constant."""
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    den = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))
    out = np.full(a.shape[0], np.nan)
    ok = den > 0
    out[ok] = (a[ok] * b[ok]).sum(axis=1) / den[ok]
    return np.clip(out, -1.0, 1.0)


def _rho(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rho, NaN when one side is constant (a degenerate resample)."""
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return np.nan
    return float(stats.spearmanr(a, b).statistic)
