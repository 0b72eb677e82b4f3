"""Run an experiment into its results store: the one entry point for the CLI and notebooks.

Order of work, chosen so that bad input never leaves anything behind:

1. read and check the experiment file and build every scenario (the plan);
2. check the results folder (a different experiment or code version is refused);
3. connect to the backend (a scheduler that does not answer is refused);
4. only then create or resume the folder, skip what is done, run the rest, write each
   batch of finished runs as it arrives, and record the sweep in the manifest.

Example::

    from experiments.sweep import run_experiment
    summary = run_experiment("experiments/sweep_district_lhs.toml", "results/lhs", workers=2)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from . import provenance
from .backends import Backend
from .cluster import SlurmOptions, open_backend
from .compaction import COMPACT_PARTS
from .plan import Plan, make_plan
from .progress import Progress
from .run import FAILED, LOST, OK, RunResult
from .spec import Experiment, load_experiment
from .store import MANIFEST, ResultsStore, read_manifest
from .writer import StoreWriter


@dataclass
class SweepSummary:
    """What one sweep did.

    Attributes:
        out: The results folder.
        planned: Runs in the experiment.
        skipped: Runs already done before this sweep.
        ran: Runs executed now.
        ok: Of those, finished ok.
        failed: Of those, the model raised (recorded with the error).
        lost: Of those, the worker died (retried by the next sweep).
        wall_s: Seconds from the first submission to the last write.
        model_s: Sum of the runs' own wall times.
        backend: Where the runs executed.
        workers: Parallel workers (threads across a Dask cluster).
    """

    out: str
    planned: int
    skipped: int
    ran: int = 0
    ok: int = 0
    failed: int = 0
    lost: int = 0
    wall_s: float = 0.0
    model_s: float = 0.0
    backend: str = ""
    workers: int = 1

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for the manifest)."""
        return asdict(self)

    def line(self) -> str:
        """One line for the terminal."""
        return (
            f"{self.planned} runs: {self.skipped} already done, {self.ran} ran "
            f"({self.ok} ok, {self.failed} failed, {self.lost} lost) in {self.wall_s:.1f} s "
            f"on {self.backend} → {self.out}"
        )


def store_status(experiment: Experiment | str | Path, out: str | Path) -> str:
    """What ``out`` holds for ``experiment`` with the current code, without writing anything.

    ``"missing"`` (no results folder), ``"complete"`` (every run done), ``"partial"``
    (a sweep would resume it) or ``"other"`` (another experiment, code version or changed
    town/policy file: a sweep into it would be refused). ``kyosei demo`` uses it to decide
    whether to run.
    """
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    root = Path(out)
    if not (root / MANIFEST).exists():
        return "missing"
    manifest = read_manifest(root)
    if (
        manifest.get("identity") != experiment.identity()
        or manifest.get("code_version") != provenance.code_version()
        or int(manifest.get("replications", 0)) > experiment.replications
        or provenance.changed_inputs(manifest.get("inputs", []), provenance.input_files(experiment))
    ):
        return "other"
    if int(manifest.get("replications", 0)) < experiment.replications:
        return "partial"  # a sweep would extend it
    return "complete" if ResultsStore(root).counts()["to_do"] == 0 else "partial"


def run_experiment(
    experiment: Experiment | str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    cluster: str | None = None,
    backend: Backend | None = None,
    connect_timeout: float = 10.0,
    slurm: SlurmOptions | None = None,
    progress: bool = True,
    retry_failed: bool = False,
    batch_runs: int = 64,
    flush_seconds: float = 2.0,
    compact_parts: int = COMPACT_PARTS,
    on_result: Callable[[RunResult], None] | None = None,
    plan: Plan | None = None,
) -> SweepSummary:
    """Run every run of ``experiment`` that ``out`` does not hold yet.

    Args:
        experiment: An experiment file path or a parsed :class:`Experiment`.
        out: The results folder (created, or resumed if it holds this experiment).
        workers: Local processes (default: one per CPU; 1 runs in this process).
        cluster: ``tcp://HOST:PORT``, ``local:N`` or ``slurm`` (see :mod:`experiments.cluster`).
        backend: An already open backend (the caller closes it); overrides the two above.
        connect_timeout: Seconds to wait for a Dask scheduler and its first worker.
        slurm: Job settings for ``cluster="slurm"``.
        progress: Show a progress bar on stderr.
        retry_failed: Run again runs that failed before (lost runs are always retried).
        batch_runs: Write at most this many runs per part file.
        flush_seconds: Write what has finished at least this often.
        compact_parts: Compact once this many small parts have piled up, and at the end
            (0: never; ``kyosei store compact`` can do it later).
        on_result: Called with each result after it is buffered (tests, notebooks).
        plan: A prepared plan of ``experiment`` (tests use it to alter runs).
    """
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    plan = plan or make_plan(experiment)
    writer = StoreWriter(
        out,
        plan,
        retry_failed=retry_failed,
        batch_runs=batch_runs,
        flush_seconds=flush_seconds,
        compact_parts=compact_parts,
    )
    own_backend = backend is None
    if backend is None:
        backend = open_backend(workers, cluster, timeout=connect_timeout, slurm=slurm)
    try:
        writer.open()
        if writer.repaired is not None:
            print(
                f"{out}: {len(writer.repaired.damaged)} damaged part(s) moved to "
                f"{writer.quarantined}; their runs are run again",
                file=sys.stderr,
            )
        todo = writer.todo()
        summary = SweepSummary(
            out=str(out),
            planned=len(plan.runs),
            skipped=len(plan.runs) - len(todo),
            backend=backend.description,
            workers=backend.workers,
        )
        record = {"started": provenance.now(), "code_version": plan.code_version}
        bar = Progress(
            len(plan.runs), summary.skipped, experiment.name, enabled=progress and bool(todo)
        )
        t0 = time.perf_counter()
        try:
            for result in backend.map_unordered(todo):
                writer.add(result)
                summary.ran += 1
                summary.model_s += result.wall_s
                if result.status == OK:
                    summary.ok += 1
                elif result.status == FAILED:
                    summary.failed += 1
                elif result.status == LOST:
                    summary.lost += 1
                bar.update(result)
                if on_result is not None:
                    on_result(result)
        finally:
            # Whatever stops the loop (Ctrl-C included), finished runs are kept.
            writer.flush()
            bar.close()
        summary.wall_s = time.perf_counter() - t0
        writer.close({**record, "finished": provenance.now(), **summary.as_dict()})
        return summary
    finally:
        writer.release()
        if own_backend:
            backend.close()
