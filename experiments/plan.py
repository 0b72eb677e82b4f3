"""The plan of an experiment: every run it consists of, with its scenario, seed and identity.

Arms are town × policy package × lever combination; every arm runs at every design
point with every replicate. Runs are ordered replicate-major (all arms and points of
replicate 0, then replicate 1, …) so that a sweep stopped halfway already holds
complete paired comparisons.

A run's identity (``run_id``) is a hash of its arm, design point, replicate, seed, the
fully resolved scenario (every parameter value, the policy components, the scale), the
number of months and the code version. The results store keys everything by it, which
is what lets a rerun skip finished work and refuse to mix results of different inputs.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model import Scenario
from model.parameters import ParameterError, describe
from scenarios import load_scenario

from . import provenance
from .designs import design_points
from .run import RunSpec
from .seeds import replicate_seeds
from .spec import Experiment, digest


@dataclass(frozen=True)
class Arm:
    """One town × policy package × lever combination.

    Attributes:
        name: Label, e.g. ``small_town/outreach`` or ``district/baseline [x=1]``.
        town: Town profile name (or path).
        policy: Policy package name (or path).
        levers: Lever values of this arm, by parameter path.
        reference: Name of the arm this one is compared with (same town, the reference
            policy, the first value of every lever: "doing nothing").
    """

    name: str
    town: str
    policy: str
    levers: tuple[tuple[str, Any], ...]
    reference: str


@dataclass
class Plan:
    """All runs of an experiment, in a stable order."""

    experiment: Experiment
    arms: list[Arm]
    design: pd.DataFrame
    seeds: list[int]
    runs: list[RunSpec]
    code_version: str
    inputs: list[dict[str, str]] = field(default_factory=list)
    resolved: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def input_columns(self) -> list[str]:
        """Parameter paths that vary between runs (uncertainties, then levers)."""
        e = self.experiment
        return [u.path for u in e.uncertainties] + [lv.path for lv in e.levers]


def _label(name: str) -> str:
    """A profile or package name; files are shown by their stem."""
    return Path(name).stem if name.endswith(".toml") else name


def _arm_name(town: str, policy: str, levers: tuple[tuple[str, Any], ...]) -> str:
    name = f"{_label(town)}/{_label(policy)}"
    if levers:
        name += " [" + ", ".join(f"{k}={v}" for k, v in levers) + "]"
    return name


def arms_of(experiment: Experiment) -> list[Arm]:
    """The arms of ``experiment``, towns outermost, then policies, then lever values."""
    arms = []
    lever_combos = list(itertools.product(*[lv.values for lv in experiment.levers]))
    paths = [lv.path for lv in experiment.levers]
    first = tuple(zip(paths, lever_combos[0], strict=True))
    for town in experiment.towns:
        reference = _arm_name(town, experiment.reference, first)
        for policy in experiment.policies:
            for combo in lever_combos:
                levers = tuple(zip(paths, combo, strict=True))
                arms.append(Arm(_arm_name(town, policy, levers), town, policy, levers, reference))
    return arms


def scenario_fingerprint(scenario: Scenario) -> dict[str, Any]:
    """Everything about a scenario that decides a run, as plain data."""
    return {
        "params": {r["parameter"]: r["value"] for r in describe(scenario.params)},
        "policy": scenario.policy.name,
        "interventions": [vars(s) for s in scenario.policy.interventions],
        "scale": scenario.scale,
    }


def _plain(value: Any) -> Any:
    """NumPy scalars → Python scalars (the parameter checker wants int/float/str)."""
    return value.item() if isinstance(value, np.generic) else value


def make_plan(experiment: Experiment, code_version: str | None = None) -> Plan:
    """Expand ``experiment`` into runs; every scenario is built (and so checked) here."""
    code = code_version if code_version is not None else provenance.code_version()
    source = provenance.source_digest()
    arms = arms_of(experiment)
    names = [a.name for a in arms]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ParameterError(
            "experiment.towns",
            list(experiment.towns),
            f"towns and policies whose names differ (arm {twice[0]!r} appears twice)",
            file=experiment.file,
        )
    design = design_points(experiment)
    seeds = replicate_seeds(experiment.root_seed, experiment.replications)
    x_paths = [u.path for u in experiment.uncertainties]
    points: list[tuple[tuple[str, Any], ...]] = [
        tuple((p, _plain(row[p])) for p in x_paths) for _, row in design.iterrows()
    ]
    scenarios: dict[tuple[str, int], tuple[Scenario, str]] = {}
    resolved: list[dict[str, Any]] = []
    for arm in arms:
        for point, x_values in enumerate(points):
            overrides = {**dict(experiment.fixed), **dict(arm.levers), **dict(x_values)}
            scenario = load_scenario(
                arm.town, arm.policy, scale=experiment.scale, overrides=overrides
            )
            resolved_params = scenario_fingerprint(scenario)
            scenarios[arm.name, point] = (scenario, digest(resolved_params))
            resolved.append(
                {
                    "arm": arm.name,
                    "point": point,
                    "scenario": scenarios[arm.name, point][1],
                    "parameters": json.dumps(
                        resolved_params, sort_keys=True, ensure_ascii=False, default=_json
                    ),
                }
            )
    runs: list[RunSpec] = []
    for replicate, seed in enumerate(seeds):
        for point, x_values in enumerate(points):
            for arm in arms:
                scenario, fingerprint = scenarios[arm.name, point]
                run_id = digest(
                    {
                        "arm": arm.name,
                        "point": point,
                        "replicate": replicate,
                        "seed": seed,
                        "months": experiment.months,
                        "scenario": fingerprint,
                        "code": code,
                    }
                )
                runs.append(
                    RunSpec(
                        run_id=run_id,
                        index=len(runs),
                        arm=arm.name,
                        town=_label(arm.town),
                        policy=_label(arm.policy),
                        point=point,
                        replicate=replicate,
                        seed=seed,
                        months=experiment.months,
                        scenario=scenario,
                        inputs=x_values + arm.levers,
                        source=source,
                    )
                )
    resolved_frame = pd.DataFrame(resolved, columns=["arm", "point", "scenario", "parameters"])
    resolved_frame["point"] = resolved_frame["point"].astype(np.int64)
    inputs = provenance.input_files(experiment)
    return Plan(experiment, arms, design, seeds, runs, code, inputs, resolved_frame)


def _json(value: Any) -> Any:
    """Tuples as lists, NumPy scalars as numbers (for the resolved parameters' JSON)."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON-able: {type(value).__name__}")
