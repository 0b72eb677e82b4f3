"""Kyosei as an EMA Workbench model (optional: ``pip install 'kyosei[ema]'``).

:func:`ema_model` turns a town, a policy package, uncertainties, policy levers and outcome
metrics into an EMA Workbench ``ReplicatorModel``. Its runs are ``kyosei sweep``'s runs:
the same scenario (town parameters and ``policy.<component>.<field>`` settings, checked
exactly as in an experiment file), the same replicate seeds (replicate *r* of every
experiment uses :func:`experiments.seeds.replicate_seed` of the root seed) and the same
months. Each metric becomes

* ``<metric>``: the mean over replicates, an EMA ``ScalarOutcome`` whose kind
  (``MINIMIZE``/``MAXIMIZE``/``INFO``) is the metric's desired direction
  (``model.metrics.Metric.better``), so EMA's optimisers know which way is better;
* ``<metric>_r<r>``: replicate *r*'s value (``INFO``), for comparisons run by run.

Parameter names in EMA must be Python identifiers, so ``policy.outreach.intensity`` is
called ``policy__outreach__intensity`` there (:func:`ema_name`); :func:`points` turns
EMA's experiments table back into Kyosei parameter paths, ready for a ``given`` design
(:func:`experiments.spec.with_points`), so EMA's points can also be run by
``kyosei sweep`` into a resumable results store. Example::

    from ema_workbench import SequentialEvaluator
    from experiments.ema import ema_model

    model = ema_model(
        "small_town",
        "baseline",
        uncertainties={"demography.tfr": (1.1, 1.6)},
        levers={"policy.outreach.intensity": (0, 4), "policy.one_stop.enabled": [False, True]},
        metrics=["unmet_share"],
        years=5,
        replications=2,
    )
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=8, policies=2)
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model import CommunityModel
from model.errors import UsageError
from model.metrics import METRICS
from model.parameters import ParameterError
from scenarios import load_scenario
from scenarios.policy_paths import plain

from .seeds import replicate_seed
from .spec import Experiment, Uncertainty, _parse

REPLICATE = "replicate"  # the keyword each replication passes to the run function


def workbench(prim: bool = False) -> Any:
    """The ``ema_workbench`` module, imported without its notices about optional back-ends.

    ``prim=True`` also imports ``ema_workbench.analysis.prim`` (scenario discovery).

    Raises:
        UsageError: it is not installed (``pip install 'kyosei[ema]'``).
    """
    try:
        with warnings.catch_warnings():
            # "ipyparallel not installed", "altair based interactive inspection not
            # available": parts of the Workbench Kyosei does not use
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("ignore", ImportWarning)
            import ema_workbench

            if prim:
                import ema_workbench.analysis.prim
    except ImportError:
        raise UsageError(
            "the EMA Workbench is not installed: pip install 'kyosei[ema]' (or ema_workbench)"
        ) from None
    return ema_workbench


def ema_name(path: str) -> str:
    """EMA's name of a Kyosei parameter path (dots are not allowed in EMA names)."""
    return path.replace(".", "__")


@dataclass(frozen=True)
class KyoseiRun:
    """The function EMA calls: one run of one scenario and replicate (picklable).

    Attributes:
        town: Town profile name or path.
        policy: Policy package name or path.
        scale: People per simulated resident.
        months: Steps per run.
        root_seed: The seed replicate seeds derive from.
        fixed: Overrides set in every run, by parameter path.
        paths: The varied parameter paths, in the order they are applied (levers, then
            uncertainties, as in a sweep's plan).
        metrics: Metrics returned, read at the last month.
    """

    town: str
    policy: str
    scale: float
    months: int
    root_seed: int
    fixed: tuple[tuple[str, Any], ...]
    paths: tuple[str, ...]
    metrics: tuple[str, ...]

    def __call__(self, **values: Any) -> dict[str, float]:
        """Run replicate ``values["replicate"]`` at the given parameter values."""
        replicate = int(values.pop(REPLICATE))
        overrides = dict(self.fixed)
        for path in self.paths:
            if path in values:
                overrides[path] = plain(values[path])
        scenario = load_scenario(self.town, self.policy, scale=self.scale, overrides=overrides)
        seed = replicate_seed(self.root_seed, replicate)
        model = CommunityModel(scenario, seed=seed).run(self.months)
        ts = model.recorder.timeseries()
        last = ts[ts["month"] == self.months].iloc[0]
        return {m: float(last[m]) for m in self.metrics}


def _range(path: str, spec: Any, where: str) -> dict[str, Any]:
    """A range ``(lo, hi)`` / ``{"min", "max"}`` or a list of values, as experiment-file data."""
    if isinstance(spec, Mapping):
        return dict(spec)
    if isinstance(spec, tuple) and len(spec) == 2:
        return {"min": plain(spec[0]), "max": plain(spec[1])}
    if isinstance(spec, (list, np.ndarray)):
        return {"values": [plain(v) for v in spec]}
    raise ParameterError(
        f"{where}.{path}", spec, "a range (lo, hi) or {'min': …, 'max': …}, or a list of values"
    )


def checked(
    town: str | Path,
    policy: str | Path,
    *,
    uncertainties: Mapping[str, Any],
    levers: Mapping[str, Any] | None = None,
    metrics: Sequence[str],
    years: int,
    scale: float,
    root_seed: int,
    replications: int,
    fixed: Mapping[str, Any] | None = None,
) -> tuple[Experiment, tuple[Uncertainty, ...], tuple[Uncertainty, ...]]:
    """Check everything as an experiment file would be; return it, its X and its L."""
    levers = dict(levers or {})
    both = set(uncertainties) & set(levers)
    if both:
        path = sorted(both)[0]
        raise ParameterError(
            f"levers.{path}", "(listed twice)", "uncertainties or levers, not both"
        )
    ranges = {p: _range(p, s, "uncertainties") for p, s in uncertainties.items()}
    ranges |= {p: _range(p, s, "levers") for p, s in levers.items()}
    data = {
        "experiment": {
            "name": "ema",
            "root_seed": root_seed,
            "replications": replications,
            "years": years,
            "scale": scale,
            "towns": [str(town)],
            "policies": [str(policy)],
        },
        # a full factorial accepts both ranges and lists: it only serves the checks here
        "design": {"kind": "full_factorial" if ranges else "none"},
        "uncertainties": ranges,
        "fixed": dict(fixed or {}),
        "outcomes": {"metrics": list(metrics)},
    }
    experiment = _parse(data, "", "ema", Path.cwd())
    by_path = {u.path: u for u in experiment.uncertainties}
    x = tuple(by_path[p] for p in uncertainties)
    lv = tuple(by_path[p] for p in levers)
    return experiment, x, lv


def _parameter(u: Uncertainty) -> Any:
    ema = workbench()
    name = ema_name(u.path)
    if u.values is not None:
        if set(u.values) == {False, True} and all(isinstance(v, bool) for v in u.values):
            return ema.BooleanParameter(name, variable_name=u.path)
        return ema.CategoricalParameter(name, list(u.values), variable_name=u.path)
    assert u.lo is not None
    assert u.hi is not None
    if u.integer:
        return ema.IntegerParameter(name, round(u.lo), round(u.hi), variable_name=u.path)
    return ema.RealParameter(name, u.lo, u.hi, variable_name=u.path)


def direction(metric: str) -> int:
    """EMA's outcome kind for ``metric``: its desired direction (lower, higher or neither)."""
    ScalarOutcome = workbench().ScalarOutcome

    better = METRICS[metric].better
    if better == "lower":
        return ScalarOutcome.MINIMIZE
    if better == "higher":
        return ScalarOutcome.MAXIMIZE
    return ScalarOutcome.INFO


def ema_model(
    town: str | Path = "district",
    policy: str | Path = "baseline",
    *,
    uncertainties: Mapping[str, Any],
    levers: Mapping[str, Any] | None = None,
    metrics: Sequence[str] = ("unmet_share",),
    years: int = 20,
    scale: float = 1.0,
    root_seed: int = 1,
    replications: int = 1,
    fixed: Mapping[str, Any] | None = None,
    name: str = "kyosei",
) -> Any:
    """An EMA Workbench ``ReplicatorModel`` of Kyosei (see the module docstring).

    Args:
        town: Town profile name or ``.toml`` path.
        policy: Policy package name or ``.toml`` path (the levers change it).
        uncertainties: X by parameter path: ``(lo, hi)``, ``{"min": …, "max": …}`` or a
            list of values (town parameters or ``policy.<component>.<field>``).
        levers: L by parameter path, written the same way; on/off settings as
            ``[False, True]``.
        metrics: Outcome metrics (``model.metrics.METRICS``), read at the last month.
        years: Simulated years per run.
        scale: People per simulated resident.
        root_seed: The seed replicate seeds derive from (as ``[experiment] root_seed``).
        replications: Replicates per experiment.
        fixed: Overrides set in every run.
        name: The EMA model's name (a Python identifier).

    Raises:
        ParameterError: a path, range or value an experiment file would refuse.
    """
    ema = workbench()
    experiment, x, lv = checked(
        town,
        policy,
        uncertainties=uncertainties,
        levers=levers,
        metrics=metrics,
        years=years,
        scale=scale,
        root_seed=root_seed,
        replications=replications,
        fixed=fixed,
    )
    function = KyoseiRun(
        town=experiment.towns[0],
        policy=experiment.policies[0],
        scale=experiment.scale,
        months=experiment.months,
        root_seed=experiment.root_seed,
        fixed=experiment.fixed,
        paths=tuple(u.path for u in (*lv, *x)),
        metrics=experiment.metrics,
    )
    model = ema.ReplicatorModel(name, function=function)
    model.uncertainties = [_parameter(u) for u in x]
    model.levers = [_parameter(u) for u in lv]
    model.replications = [{REPLICATE: r} for r in range(experiment.replications)]
    outcomes = []
    for metric in experiment.metrics:
        outcomes.append(
            ema.ScalarOutcome(metric, kind=direction(metric), variable_name=metric, function=_mean)
        )
        for r in range(experiment.replications):
            outcomes.append(
                ema.ScalarOutcome(
                    f"{metric}_r{r}", variable_name=metric, function=operator.itemgetter(r)
                )
            )
    model.outcomes = outcomes
    return model


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values))


def points(experiments: pd.DataFrame, model: Any) -> pd.DataFrame:
    """EMA's experiments table as a ``given`` design's points (columns = Kyosei paths).

    Rows stay in EMA's order (row *i* is design point *i*); columns are the model's levers,
    then its uncertainties, the order in which :class:`KyoseiRun` applies them.
    """
    out = {}
    for par in [*model.levers, *model.uncertainties]:
        (path,) = par.variable_name
        column = experiments[par.name]
        if isinstance(column.dtype, pd.CategoricalDtype) or column.dtype == object:
            values = [plain(v) for v in column.astype(object)]
            boolean = all(isinstance(v, bool) for v in values)
            out[path] = pd.Series(values, dtype=bool if boolean else object)
        else:
            out[path] = column.to_numpy()
    return pd.DataFrame(out)
