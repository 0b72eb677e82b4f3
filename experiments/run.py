"""One run: a pure, picklable function from a :class:`RunSpec` to a :class:`RunResult`.

``run_one`` is what every backend executes — in this process, in a local process pool
or on a Dask worker — so results cannot depend on where a run happened. It returns
plain data (DataFrames and lists), never the model: a model holds hundreds of
thousands of residents and is not what the results store keeps. It never raises for
a failing model: the error is returned in the result so that one bad run does not stop
a sweep of a thousand.

Runs that differ only in their policy package share the build: the town's synthesis
and its warm-up before month 0 read the parameters, the scale and the seed, and a
package's components stay idle until their start month. Backends therefore hand a
worker a *group* of such runs (:func:`group_runs`, :func:`run_group`): the town is
built and warmed up once, and each run starts from a fork of it
(:meth:`model.CommunityModel.with_policy`), bit-identical to a fresh build (tested). A
worker holds one built town at a time, whatever the sweep's size.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import socket
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from model import CommunityModel, Scenario, kernels
from model.scenario import PolicyPackage

from .provenance import now, source_digest

OK, FAILED, LOST = "ok", "failed", "lost"


@dataclass(frozen=True)
class RunSpec:
    """Everything one run needs, already checked: the scenario is built, the seed derived.

    Attributes:
        run_id: Hash of the run's inputs, seed and code version (its identity in the store).
        index: Position in the experiment's plan (a stable sort order).
        arm: Town × policy package × lever values, as a label.
        town: Town profile name (or path) of the arm.
        policy: Policy package name (or path) of the arm.
        point: Design point number (0 when there is no design).
        replicate: Replicate number; replicate r has the same seed in every arm and point.
        seed: The model's root seed.
        months: Steps to run.
        scenario: The fully built scenario (parameters, policy package, scale).
        inputs: Values of the uncertainties and levers of this run, by parameter path.
        source: :func:`~experiments.provenance.source_digest` of the code that planned the
            run; a worker whose code differs refuses it (``""``: no check).
    """

    run_id: str
    index: int
    arm: str
    town: str
    policy: str
    point: int
    replicate: int
    seed: int
    months: int
    scenario: Scenario
    inputs: tuple[tuple[str, Any], ...] = ()
    source: str = ""


@dataclass
class RunResult:
    """What one run returns: its outputs, or the error that stopped it.

    Attributes:
        run_id: The :attr:`RunSpec.run_id` it answers.
        status: ``"ok"``, ``"failed"`` (the model raised) or ``"lost"`` (the worker died).
        error: ``None`` when ok; otherwise the exception and where it was raised.
        wall_s: Seconds spent building and running the model.
        started: ISO time the run started.
        finished: ISO time the run finished.
        worker: ``host:pid`` of the process that ran it.
        timeseries: ``model.recorder.timeseries()`` (one row per month) or ``None``.
        districts: ``model.recorder.districts()`` (one row per month and district) or ``None``.
        timeline: ``model.timeline()`` — the interventions of the run.
    """

    run_id: str
    status: str
    error: str | None = None
    wall_s: float = 0.0
    started: str = ""
    finished: str = ""
    worker: str = ""
    timeseries: pd.DataFrame | None = None
    districts: pd.DataFrame | None = None
    timeline: list[dict[str, Any]] = field(default_factory=list)


def run_one(spec: RunSpec) -> RunResult:
    """Build the model of ``spec``, run it, and return its outputs (never the model)."""
    return run_group([spec])[0]


def run_group(specs: Sequence[RunSpec]) -> list[RunResult]:
    """Run ``specs`` one after the other, building each town once for the runs that share it.

    Groups run in the sweep's worker processes, which already fill the cores, so each
    run's passes keep to one thread (the results are the same either way).
    """
    with kernels.threads(1):
        return list(iter_runs(specs))


def iter_runs(specs: Sequence[RunSpec]) -> Iterator[RunResult]:
    """Run ``specs`` in order, yielding each result as it is ready.

    Consecutive runs with the same :func:`build_key` start from one built, warmed-up town
    (forked for all but the last of them); its build is counted in the first run's time.
    """
    keys = [build_key(spec) for spec in specs]
    town: CommunityModel | None = None  # built for keys[i], no policy, not run yet
    for i, spec in enumerate(specs):
        if i == 0 or keys[i] != keys[i - 1]:
            town = None
        again = i + 1 < len(specs) and keys[i + 1] == keys[i]

        def start(spec: RunSpec = spec, again: bool = again) -> CommunityModel:
            nonlocal town
            if town is None and again:
                bare = dataclasses.replace(spec.scenario, policy=PolicyPackage())
                town = CommunityModel(bare, seed=spec.seed)
            if town is None:
                return CommunityModel(spec.scenario, seed=spec.seed)
            model = town.with_policy(spec.scenario, fork=again)
            if not again:
                town = None  # its last use: the town itself runs
            return model

        yield _run(spec, start)


_PARAMS_DIGESTS: dict[int, tuple[Scenario, str]] = {}  # id(scenario) -> (scenario, digest)


def build_key(spec: RunSpec) -> str:
    """What the build and warm-up of ``spec``'s town read, hashed.

    The build reads the parameters (all of them: the hash is of their pickled content),
    the scale, the seed and — only to add them — the policy's components, which never act
    before month 1.
    """
    scenario = spec.scenario
    known = _PARAMS_DIGESTS.get(id(scenario))
    if known is None or known[0] is not scenario:
        text = pickle.dumps((scenario.params, float(scenario.scale)), protocol=5)
        known = (scenario, hashlib.sha256(text).hexdigest())
        if len(_PARAMS_DIGESTS) > 4096:  # a plan's scenarios, not every scenario ever seen
            _PARAMS_DIGESTS.clear()
        _PARAMS_DIGESTS[id(scenario)] = known
    return f"{known[1]}:{int(spec.seed)}"


def group_runs(specs: Sequence[RunSpec], most: int) -> list[list[RunSpec]]:
    """``specs`` in their order, cut into groups of consecutive runs sharing a build key.

    A group holds at most ``most`` runs (so that work still spreads over the workers).
    """
    groups: list[list[RunSpec]] = []
    last: str | None = None
    for spec in specs:
        key = build_key(spec)
        if key == last and len(groups[-1]) < max(1, most):
            groups[-1].append(spec)
        else:
            groups.append([spec])
        last = key
    return groups


def _run(spec: RunSpec, start: Callable[[], CommunityModel]) -> RunResult:
    """One run of ``spec`` from the model ``start()`` builds (or forks); never raises."""
    started = now()
    t0 = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    if spec.source and spec.source != source_digest():
        # Different code on this worker (an edit mid-sweep, a stale cluster install)
        # would silently mix results of two models under one code version.
        return RunResult(
            spec.run_id,
            LOST,
            error=f"this worker's Kyosei sources ({source_digest()}) differ from the "
            f"sweep's ({spec.source}); run the same code everywhere",
            started=started,
            finished=now(),
            worker=worker,
        )
    try:
        model = start().run(spec.months)
        timeseries = model.recorder.timeseries()
        districts = model.recorder.districts()
        timeline = model.timeline()
    except Exception as exc:  # a failing run is data, not the end of the sweep
        return RunResult(
            spec.run_id,
            FAILED,
            error=describe_error(exc),
            wall_s=time.perf_counter() - t0,
            started=started,
            finished=now(),
            worker=worker,
        )
    return RunResult(
        spec.run_id,
        OK,
        wall_s=time.perf_counter() - t0,
        started=started,
        finished=now(),
        worker=worker,
        timeseries=timeseries,
        districts=districts,
        timeline=timeline,
    )


def describe_error(exc: BaseException) -> str:
    """``Type: message (at file:line in function)`` — short enough for a table cell."""
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        text += f" (at {os.path.basename(last.filename)}:{last.lineno} in {last.name})"
    return text


def lost(spec: RunSpec, exc: BaseException) -> RunResult:
    """The result of a run whose worker died or whose result never arrived."""
    return RunResult(spec.run_id, LOST, error=describe_error(exc), started=now(), finished=now())
