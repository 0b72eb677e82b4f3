"""Choose the backend from ``--workers`` / ``--cluster`` and connect to it.

``--cluster`` takes

* ``tcp://HOST:PORT`` — a running Dask scheduler (``dask scheduler`` + ``dask worker``);
* ``local:N`` — a Dask ``LocalCluster`` of N single-threaded worker processes on
  127.0.0.1, started for this sweep and stopped after it;
* ``slurm`` — a dask-jobqueue ``SLURMCluster``: each SLURM job runs ``processes``
  single-threaded workers; options (queue, cores, memory, walltime, jobs, …) come from
  :class:`SlurmOptions`. Jobs are scaled adaptively (``min_jobs``–``jobs``) and their
  workers retire before the walltime, so jobs that end are replaced and the sweep goes on
  (``docs/slurm.md``). :func:`slurm_job_script` renders the job script without
  submitting anything (``kyosei sweep … --cluster slurm --print-job-script``).

Anything wrong — an unknown form, a scheduler that does not answer, one with no
workers — raises :class:`~model.errors.UsageError` before anything is written.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
from dataclasses import dataclass
from typing import Any

from model.errors import UsageError

from .backends import Backend, DaskBackend, InProcess, LocalProcesses

# The scheduler's own HTTP server (metrics; Kyosei starts no Dask dashboard): on this
# machine only, on a free port. Left unset, Dask binds port 8787, and a second sweep or test
# cluster on the machine finds it taken.
DASK_HTTP = "127.0.0.1:0"
ALLOWED = "tcp://HOST:PORT (a running Dask scheduler), local:N (N local Dask workers) or slurm"
_TCP = re.compile(r"^tcp://(?P<host>[^:/\s]+|\[[0-9a-fA-F:]+\]):(?P<port>\d{1,5})$")


@dataclass(frozen=True)
class SlurmOptions:
    """Settings of the SLURM jobs that host Dask workers (see dask-jobqueue)."""

    queue: str | None = None
    account: str | None = None
    cores: int = 4
    processes: int | None = (
        None  # workers per job; default one per core (the model is single-threaded)
    )
    memory: str = "8GB"
    walltime: str = "01:00:00"
    jobs: int = 1  # the most jobs at once (adaptive scaling between min_jobs and this)
    interface: str | None = None
    job_extra: tuple[str, ...] = ()
    min_jobs: int = 1  # jobs kept running while there is work (replaced at walltime)
    lifetime: str | None = None  # worker lifetime; default LIFETIME_SHARE of the walltime

    def lifetimes(self) -> tuple[str, str]:
        """Worker lifetime and stagger, e.g. ``("3060s", "180s")`` for a one-hour walltime.

        A worker retires gracefully at its lifetime (± the stagger, so a job's workers do
        not all leave at once): its tasks move to other workers before SLURM kills the
        job at walltime, and adaptive scaling submits a new job in its place.
        """
        seconds = walltime_seconds(self.walltime)
        lifetime = self.lifetime or f"{round(LIFETIME_SHARE * seconds)}s"
        return lifetime, f"{round(STAGGER_SHARE * seconds)}s"

    def job_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``SLURMCluster`` / ``SLURMJob``."""
        if self.cores < 1 or self.jobs < 1:
            raise UsageError(
                f"--slurm-cores and --slurm-jobs must be ≥ 1 (got {self.cores}, {self.jobs})"
            )
        if not 0 <= self.min_jobs <= self.jobs:
            raise UsageError(
                f"--slurm-min-jobs {self.min_jobs} is not allowed: from 0 to --slurm-jobs "
                f"({self.jobs})"
            )
        lifetime, stagger = self.lifetimes()
        return {
            "queue": self.queue,
            "account": self.account,
            "cores": self.cores,
            "processes": self.processes or self.cores,
            "memory": self.memory,
            "walltime": self.walltime,
            "interface": self.interface,
            "job_extra_directives": list(self.job_extra),
            "worker_extra_args": ["--lifetime", lifetime, "--lifetime-stagger", stagger],
            "python": sys.executable,
            "job_name": "kyosei",
        }


LIFETIME_SHARE = 0.85  # a worker retires at 85 % of the job's walltime …
STAGGER_SHARE = 0.05  # … ± 5 %, leaving time to hand its tasks over before SLURM kills it
_WALLTIME = re.compile(r"^(?:(?P<d>\d+)-)?(?P<a>\d+)(?::(?P<b>\d+))?(?::(?P<c>\d+))?$")


def walltime_seconds(text: str) -> int:
    """SLURM's walltime forms (``MM``, ``MM:SS``, ``HH:MM:SS``, ``D-HH[:MM[:SS]]``) in seconds."""
    match = _WALLTIME.match(text.strip())
    if not match:
        raise UsageError(
            f"--slurm-walltime {text!r} is not allowed: HH:MM:SS, MM:SS, MM or D-HH:MM:SS"
        )
    parts = [int(p) for p in (match["a"], match["b"], match["c"]) if p is not None]
    if match["d"] is not None:  # D-HH, D-HH:MM, D-HH:MM:SS
        parts += [0] * (3 - len(parts))
        seconds = int(match["d"]) * 86400 + parts[0] * 3600 + parts[1] * 60 + parts[2]
    elif len(parts) == 1:  # minutes
        seconds = parts[0] * 60
    elif len(parts) == 2:  # minutes:seconds
        seconds = parts[0] * 60 + parts[1]
    else:
        seconds = parts[0] * 3600 + parts[1] * 60 + parts[2]
    if seconds < 60:
        raise UsageError(f"--slurm-walltime {text!r} is not allowed: at least one minute")
    return seconds


def scale_adaptively(cluster: Any, options: SlurmOptions) -> None:
    """Let the cluster keep ``min_jobs``–``jobs`` jobs, replacing those that end.

    ``adapt`` (rather than a fixed ``scale``) is what submits a new job when one reaches
    its walltime or is preempted, so a sweep longer than a job's walltime goes on.
    """
    cluster.adapt(minimum_jobs=options.min_jobs, maximum_jobs=options.jobs)


def slurm_job_script(options: SlurmOptions, scheduler: str = "tcp://SCHEDULER:8786") -> str:
    """The batch script each SLURM job would run (nothing is submitted or started)."""
    from dask_jobqueue.slurm import SLURMJob

    job = SLURMJob(scheduler=scheduler, name="kyosei-worker", **options.job_kwargs())
    return str(job.job_script())


def parse_cluster(text: str) -> tuple[str, Any]:
    """``("tcp", address)``, ``("local", n)`` or ``("slurm", None)``; UsageError otherwise."""
    text = text.strip()
    if text == "slurm":
        return "slurm", None
    if text.startswith("local:"):
        n = text.removeprefix("local:")
        if not n.isdigit() or not 1 <= int(n) <= 1024:
            raise UsageError(
                f"--cluster {text!r}: local:N needs N from 1 to 1024; allowed: {ALLOWED}"
            )
        return "local", int(n)
    match = _TCP.match(text)
    if match and 1 <= int(match["port"]) <= 65535:
        return "tcp", text
    raise UsageError(f"--cluster {text!r} is not allowed: {ALLOWED}")


def open_backend(
    workers: int | None = None,
    cluster: str | None = None,
    *,
    timeout: float = 10.0,
    slurm: SlurmOptions | None = None,
) -> Backend:
    """The backend for these command-line choices (default: one process per CPU)."""
    if cluster is None:
        n = workers if workers is not None else (os.cpu_count() or 1)
        if n < 1:
            raise UsageError(f"--workers {n} is not allowed: a whole number ≥ 1")
        return InProcess() if n == 1 else LocalProcesses(n)
    if workers is not None:
        raise UsageError("give either --workers (local processes) or --cluster, not both")
    kind, arg = parse_cluster(cluster)
    from distributed import Client

    if kind == "tcp":
        try:
            client = Client(arg, timeout=f"{timeout}s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise UsageError(
                f"--cluster {arg}: no Dask scheduler answered within {timeout:g} s ({exc}); "
                "start one with 'dask scheduler' and 'dask worker', or check the address"
            ) from None
        _wait_for_workers(client, arg, timeout)
        return DaskBackend(client, description=f"Dask scheduler {arg}")
    if kind == "local":
        from distributed import LocalCluster

        local = LocalCluster(
            n_workers=arg,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=DASK_HTTP,
            silence_logs=logging.ERROR,
        )
        return DaskBackend(
            Client(local, set_as_default=False), local, f"Dask LocalCluster, {arg} workers"
        )
    if shutil.which("sbatch") is None:
        raise UsageError(
            "--cluster slurm: no 'sbatch' command on this machine; run the sweep on a SLURM "
            "login node, or use --workers N or --cluster local:N here"
        )
    from dask_jobqueue import SLURMCluster

    options = slurm or SlurmOptions()
    slurm_cluster = SLURMCluster(**options.job_kwargs())
    scale_adaptively(slurm_cluster, options)
    client = Client(slurm_cluster, set_as_default=False)
    return DaskBackend(
        client,
        slurm_cluster,
        f"SLURM, {options.min_jobs}–{options.jobs} job(s) × {options.cores} cores",
    )


def _wait_for_workers(client: Any, address: str, timeout: float) -> None:
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError):
        client.close()
        raise UsageError(
            f"--cluster {address}: the scheduler has no workers after {timeout:g} s; "
            "start some with 'dask worker " + address + "'"
        ) from None
