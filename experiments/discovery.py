"""Scenario discovery: which town conditions and policy settings lead to an outcome (PRIM).

The user names an outcome of interest — e.g. ``unmet_share`` above 0.03 in year 20 — and
PRIM (the patient rule induction method, as implemented in the EMA Workbench,
``ema_workbench.analysis.prim``; optional extra ``kyosei[ema]``) searches the runs of a
results store for a *box*: ranges of the uncertainties and levers (and the town and policy
package, when a store has several) inside which that outcome is common.

A box is judged by

* **coverage** — the share of all runs with the outcome that fall inside the box;
* **density** — the share of runs inside the box that have the outcome;
* **mass** — the share of all runs inside the box.

PRIM peels the box step by step (coverage falls, density rises); :func:`discover` picks,
on that trajectory, the box of highest coverage whose density reaches ``min_density``
(or the densest one, if none does) and returns it with the whole trajectory.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.errors import UsageError

from . import analysis
from .store import ResultsStore

NOMINAL = ("town", "policy")  # arm columns offered to PRIM when a store has several values


@dataclass
class Discovery:
    """A box found by PRIM.

    Attributes:
        metric: The metric of the outcome of interest.
        month: The month it is read at.
        rule: The outcome in words, e.g. ``unmet_share > 0.03``.
        runs: Runs analysed.
        cases: Runs with the outcome.
        coverage: Share of the cases inside the box.
        density: Share of the runs inside the box that are cases.
        mass: Share of all runs inside the box.
        limits: One row per restricted parameter: ``parameter``, ``box`` (its range or
            values in the box) and ``full`` (its range or values over all runs), plus
            ``lo``/``hi`` for numbers.
        trajectory: PRIM's peeling trajectory (``coverage, density, mass, res_dim, n``).
        chosen: The row of ``trajectory`` the box is.
    """

    metric: str
    month: int
    rule: str
    runs: int
    cases: int
    coverage: float
    density: float
    mass: float
    limits: pd.DataFrame
    trajectory: pd.DataFrame
    chosen: int

    def lines(self) -> list[str]:
        """The result in words, for the terminal."""
        share = self.cases / self.runs if self.runs else math.nan
        out = [
            f"{self.rule} at month {self.month}: {self.cases} of {self.runs} runs ({share:.0%})",
            f"box {self.chosen} of PRIM's {len(self.trajectory)}-step trajectory: coverage "
            f"{self.coverage:.0%}, density {self.density:.0%}, mass {self.mass:.0%}",
        ]
        if self.limits.empty:
            out.append("no restriction: the outcome is not concentrated in any box")
        return out


def outcome_frame(
    store: ResultsStore, metric: str, month: int | None
) -> tuple[pd.DataFrame, np.ndarray, int]:
    """PRIM's inputs: one row per finished run (its varied inputs) and the metric's values."""
    available = store.metrics()
    if metric not in available:
        raise UsageError(f"--metric {metric!r} is not allowed: one of {', '.join(available)}")
    frame = analysis.outcomes(store, [metric], month)
    if frame.empty:
        raise UsageError(f"{store.path}: no finished runs yet")
    used = int(frame["month"].iloc[0])
    columns = [c for c in store.input_columns() if frame[c].nunique() > 1]
    columns += [c for c in NOMINAL if frame[c].nunique() > 1]
    if not columns:
        raise UsageError(
            f"{store.path}: nothing varies between its runs (no uncertainties, levers, "
            "several towns or policies) for PRIM to restrict"
        )
    x = pd.DataFrame(index=frame.index)
    for c in columns:
        col = frame[c]
        if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
            # on/off settings and names as categories (PRIM peels them value by value)
            x[c] = col.map(lambda v: str(v).lower() if isinstance(v, bool) else str(v))
        elif pd.api.types.is_integer_dtype(col):
            x[c] = col.astype(np.int64)
        else:
            x[c] = col.astype(np.float64)
    return x.reset_index(drop=True), frame[metric].to_numpy(dtype=float), used


def discover(
    store: ResultsStore,
    metric: str,
    *,
    month: int | None = None,
    above: float | None = None,
    below: float | None = None,
    min_density: float = 0.8,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> Discovery:
    """Find the box of runs where ``metric`` is above ``above`` (or below ``below``).

    Args:
        store: A results store.
        metric: A metric of its time series.
        month: The month to read (default: the last).
        above: The outcome of interest is ``metric > above`` …
        below: … or ``metric < below`` (exactly one of the two).
        min_density: The least density of the box chosen on PRIM's trajectory.
        peel_alpha: Share of runs PRIM peels off per step.
        mass_min: The smallest box PRIM considers (share of runs).
    """
    if (above is None) == (below is None):
        raise UsageError("name the outcome with exactly one of --above or --below")
    if not 0 < min_density <= 1:
        raise UsageError(f"--density {min_density} is not allowed: a share above 0, at most 1")
    x, values, used = outcome_frame(store, metric, month)
    y = values > above if above is not None else values < below
    rule = f"{metric} > {above:g}" if above is not None else f"{metric} < {below:g}"
    cases = int(y.sum())
    if cases == 0 or cases == len(y):
        lo, hi = np.nanmin(values), np.nanmax(values)
        what = "no run" if cases == 0 else "every run"
        raise UsageError(
            f"{what} has {rule} at month {used} (values from {lo:.4g} to {hi:.4g}): "
            "choose a threshold between them"
        )
    from .ema import workbench

    prim_module = workbench(prim=True).analysis.prim
    with warnings.catch_warnings():
        # the Workbench's own use of pandas features pandas plans to change: not the user's
        for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
            warnings.simplefilter("ignore", category)
        prim = prim_module.Prim(x, y, peel_alpha=peel_alpha, mass_min=mass_min)
        box = prim.find_box()
    trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim", "n"]].copy()
    dense = trajectory[trajectory["density"] >= min_density]
    chosen = int(dense["coverage"].idxmax() if len(dense) else trajectory["density"].idxmax())
    stats = trajectory.loc[chosen]
    return Discovery(
        metric=metric,
        month=used,
        rule=rule,
        runs=len(y),
        cases=cases,
        coverage=float(stats["coverage"]),
        density=float(stats["density"]),
        mass=float(stats["mass"]),
        limits=_limits(box.box_lims[chosen], prim.box_init),
        trajectory=trajectory.reset_index(drop=True),
        chosen=chosen,
    )


def _limits(lims: pd.DataFrame, full: pd.DataFrame) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for column in full.columns:
        lo, hi = lims[column].iloc[0], lims[column].iloc[1]
        flo, fhi = full[column].iloc[0], full[column].iloc[1]
        if isinstance(lo, set):
            if lo == flo:
                continue
            rows.append(
                {
                    "parameter": column,
                    "box": ", ".join(sorted(map(str, lo))),
                    "full": ", ".join(sorted(map(str, flo))),
                    "lo": math.nan,
                    "hi": math.nan,
                }
            )
            continue
        if lo == flo and hi == fhi:
            continue
        rows.append(
            {
                "parameter": column,
                "box": f"{lo:.4g} – {hi:.4g}",
                "full": f"{flo:.4g} – {fhi:.4g}",
                "lo": float(lo),
                "hi": float(hi),
            }
        )
    return pd.DataFrame(rows, columns=["parameter", "box", "full", "lo", "hi"])
