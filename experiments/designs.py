"""Design points: the values of the uncertainties (X) each run is given.

* ``none`` — one point, no uncertain parameters.
* ``full_factorial`` — every combination of each uncertainty's ``values`` (or of
  ``levels`` evenly spaced values across its ``min``–``max`` range).
* ``latin_hypercube`` — ``samples`` points, one per stratum of every range
  (``scipy.stats.qmc.LatinHypercube``).
* ``sobol`` — Saltelli's scheme for Sobol indices (``SALib.sample.sobol``):
  ``samples × (D + 2)`` points, or ``samples × (2D + 2)`` with second-order indices.
* ``morris`` — ``samples`` one-at-a-time trajectories on a ``levels`` grid
  (``SALib.sample.morris``): ``samples × (D + 1)`` points.
* ``given`` — points made elsewhere: the rows of a CSV or Parquet ``file`` (one column
  per parameter path), or of a DataFrame (:func:`experiments.spec.with_points`).

The sampler's random numbers come from a generator derived from the experiment's root
seed (never the global NumPy state), so the same file gives the same points anywhere.
Sobol and Morris analyses need the points in the sampler's order: point *i* is row *i*.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from .seeds import design_rng
from .spec import Experiment, Uncertainty


def salib_problem(uncertainties: tuple[Uncertainty, ...]) -> dict[str, Any]:
    """The SALib ``problem`` mapping of the ranges (names and bounds)."""
    return {
        "num_vars": len(uncertainties),
        "names": [u.path for u in uncertainties],
        "bounds": [[u.lo, u.hi] for u in uncertainties],
    }


def design_points(experiment: Experiment) -> pd.DataFrame:
    """One row per design point (``point`` = 0, 1, …), one column per uncertainty."""
    us = experiment.uncertainties
    d = experiment.design
    if d.kind == "none" or not us:
        return pd.DataFrame({"point": [0]})
    if d.kind == "given":  # points made elsewhere, in their order
        frame = pd.DataFrame([list(p) for p in d.points], columns=list(d.columns))
        frame.insert(0, "point", np.arange(len(frame), dtype=np.int64))
        return frame
    rng = design_rng(experiment.root_seed)
    if d.kind == "full_factorial":
        axes = [
            list(u.values) if u.values is not None else list(np.linspace(u.lo, u.hi, d.levels))  # type: ignore[arg-type]
            for u in us
        ]
        rows: list[list[Any]] = [list(combo) for combo in itertools.product(*axes)]
        frame = pd.DataFrame(rows, columns=[u.path for u in us])
    else:
        if d.kind == "latin_hypercube":
            unit = qmc.LatinHypercube(d=len(us), rng=rng).random(d.samples)
            lo = np.array([u.lo for u in us], dtype=float)
            hi = np.array([u.hi for u in us], dtype=float)
            matrix = lo + unit * (hi - lo)
        elif d.kind == "sobol":
            from SALib.sample import sobol

            matrix = sobol.sample(
                salib_problem(us), d.samples, calc_second_order=d.second_order, seed=rng
            )
        elif d.kind == "morris":
            from SALib.sample import morris

            matrix = morris.sample(salib_problem(us), d.samples, num_levels=d.levels, seed=rng)
        else:  # pragma: no cover - the spec parser refuses unknown designs
            raise ValueError(d.kind)
        frame = pd.DataFrame(matrix, columns=[u.path for u in us])
    for u in us:
        if u.integer:
            frame[u.path] = frame[u.path].round().astype(np.int64)
        elif u.values is None:
            frame[u.path] = frame[u.path].astype(float)
    frame.insert(0, "point", np.arange(len(frame), dtype=np.int64))
    return frame
