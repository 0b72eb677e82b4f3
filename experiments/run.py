"""One run: a pure, picklable function from a :class:`RunSpec` to a :class:`RunResult`.

``run_one`` is what every backend executes — in this process, in a local process pool
or on a Dask worker — so results cannot depend on where a run happened. It returns
plain data (DataFrames and lists), never the model: a model holds hundreds of
thousands of residents and is not what the results store keeps. It never raises for
a failing model: the error is returned in the result so that one bad run does not stop
a sweep of a thousand.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from model import CommunityModel, Scenario

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
        model = CommunityModel(spec.scenario, seed=spec.seed).run(spec.months)
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
