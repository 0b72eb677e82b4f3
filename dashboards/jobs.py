"""Run a new comparison from the browser: runs in worker processes, watched by a thread.

A job writes an experiment file's text (town × packages × replicates), then runs it with
:func:`experiments.sweep.run_experiment` into a new results set of its own: under the
``--results`` folder when that is a folder of sets, beside it when the dashboard was
opened on one set (never inside another set's folder, where it would not be listed).
The runs execute in a pool of worker *processes*
(:class:`experiments.backends.LocalProcesses`): the server process only waits for them
in a background thread, so no page — this user's or anyone else's — stalls while the
town is simulated. Pages read a job's progress from :func:`get`.

Jobs are shared by the whole server process (not per session) so that a refreshed
page still finds its running job.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import textwrap
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from experiments.backends import LocalProcesses
from experiments.spec import parse_experiment
from experiments.store import MANIFEST
from experiments.sweep import run_experiment

MAX_WORKERS = 2


@dataclass
class Job:
    """One comparison being run (or finished).

    Attributes:
        id: Job identity (for the page that started it).
        out: The results set being written.
        total: Runs planned.
        done: Runs finished (ok or not).
        failed: Runs whose model raised.
        status: ``"running"``, ``"done"`` or ``"error"``.
        message: The error when ``status == "error"``.
        beside: The results set the dashboard was opened on, when ``out`` was put
            beside it (see :func:`sets_beside`); empty otherwise.
    """

    id: str
    out: Path
    beside: str = ""
    total: int = 0
    done: int = 0
    failed: int = 0
    status: str = "running"
    message: str = ""
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def fraction(self) -> float:
        """Share of runs done (0–1)."""
        return self.done / self.total if self.total else 0.0


_jobs: dict[str, Job] = {}
_lock = threading.Lock()


def experiment_text(
    name: str, town: str, packages: list[str], replicates: int, years: int, scale: float
) -> str:
    """The experiment file of a browser-started comparison (reference: the first package)."""
    quoted = ", ".join(f'"{p}"' for p in packages)
    return textwrap.dedent(
        f"""\
        # Started from the Kyosei dashboard ("Run new comparison").
        [experiment]
        name = "{name}"
        root_seed = 1
        replications = {int(replicates)}
        years = {int(years)}
        scale = {float(scale)}
        towns = ["{town}"]
        policies = [{quoted}]
        reference = "{packages[0]}"
        """
    )


def _folder_name(town: str) -> str:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(town).stem)
    return f"{safe}-{stamp}"


def home_of(results_root: str | Path) -> Path:
    """The folder that gets a new set: ``results_root``, or its parent if it is itself a set.

    A set's own folder holds only what its sweep wrote; a new comparison started from a
    dashboard opened on that set goes beside it, in a folder of its own.
    """
    root = Path(results_root)
    return root.parent if (root / MANIFEST).exists() else root


def sets_beside(results_root: str | Path) -> list[Path]:
    """Sets this server's jobs started beside the set ``results_root`` (oldest first).

    The dashboard opened on one set lists these too, so a comparison started from the
    browser appears in every session's list (marked while it is being written).
    """
    key = str(Path(results_root))
    with _lock:
        return [j.out for j in _jobs.values() if j.beside == key]


def start(
    results_root: str | Path,
    town: str,
    packages: list[str],
    replicates: int,
    years: int = 10,
    scale: float = 20.0,
    workers: int | None = None,
) -> Job:
    """Check the choices, then start the comparison in the background; returns its job.

    Bad choices raise :class:`model.ParameterError` before anything is written.
    ``baseline`` is put first when it is among the packages (it is the reference).
    """
    packages = list(dict.fromkeys(packages))
    if "baseline" in packages:
        packages.remove("baseline")
        packages.insert(0, "baseline")
    root = home_of(results_root)
    name = _folder_name(town)
    for n in range(2, 1000):  # a new set each time: never resume or refuse someone's folder
        if not (root / name).exists():
            break
        name = f"{_folder_name(town)}-{n}"
    text = experiment_text(name, town, packages, replicates, years, scale)
    experiment = parse_experiment(text, file=f"{name}.toml")  # raises on bad input
    root.mkdir(parents=True, exist_ok=True)
    beside = str(Path(results_root)) if root != Path(results_root) else ""
    job = Job(id=uuid.uuid4().hex[:12], out=root / name, beside=beside)
    job.total = experiment.replications * len(experiment.policies) * len(experiment.towns)
    n = workers or max(1, min(MAX_WORKERS, os.cpu_count() or 1))

    def work() -> None:
        backend = None
        try:
            # Always processes, even one: a run inside the server would hold its GIL.
            backend = LocalProcesses(n)
            summary = run_experiment(
                experiment, job.out, backend=backend, progress=False, on_result=count
            )
            job.failed = summary.failed + summary.lost
            job.status = "done"
        except Exception as exc:  # shown on the page; the server goes on
            job.status, job.message = "error", f"{type(exc).__name__}: {exc}"
        finally:
            if backend is not None:
                backend.close()

    def count(result: object) -> None:
        job.done += 1
        if getattr(result, "status", "ok") != "ok":
            job.failed += 1

    job.thread = threading.Thread(target=work, name=f"kyosei-job-{job.id}", daemon=True)
    with _lock:
        _jobs[job.id] = job
    job.thread.start()
    return job


def get(job_id: str) -> Job | None:
    """The job with this id, if this server started it."""
    with _lock:
        return _jobs.get(job_id)


def wait(job: Job, timeout: float | None = None) -> Job:
    """Block until ``job`` finishes (tests and scripts; pages poll instead)."""
    if job.thread is not None:
        job.thread.join(timeout)
    return job
