"""Where runs execute: this process, a local process pool, or a Dask cluster.

Every backend calls the same :func:`~experiments.run.run_one` and yields results as
runs finish (in any order); the store orders them by plan position, so results do not
depend on the backend or the number of workers. A worker that dies takes only its own
runs down: they come back as ``lost`` results (retried by the next sweep) while the
rest go on.

Local pools use their own multiprocessing context ("forkserver" where the platform has
it, else "spawn"), never the program-wide start method, and never "fork": forking a
process that runs threads (progress bar, Dask client) can deadlock the child.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any, Protocol

from .run import RunResult, RunSpec, lost, run_one

WINDOW = 256  # Dask tasks in flight at once (submitted as earlier ones finish)


class Backend(Protocol):
    """Runs many :class:`RunSpec` and yields their results as they finish."""

    @property
    def description(self) -> str:
        """Where the runs execute, for messages and the manifest."""
        ...

    @property
    def workers(self) -> int:
        """How many runs can execute at once."""
        ...

    def map_unordered(self, specs: Sequence[RunSpec]) -> Iterator[RunResult]:
        """Run ``specs``; yield one result per spec, in completion order."""
        ...

    def close(self) -> None:
        """Release processes and connections."""
        ...


class InProcess:
    """Runs one after another in this process (``--workers 1``; no start-up cost)."""

    description = "this process"
    workers = 1

    def map_unordered(self, specs: Sequence[RunSpec]) -> Iterator[RunResult]:
        """Run ``specs`` in order."""
        for spec in specs:
            yield run_one(spec)

    def close(self) -> None:
        """Nothing to release."""


def local_context() -> Any:
    """A multiprocessing context for our pool only (forkserver where available)."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class LocalProcesses:
    """A pool of ``workers`` local processes (``--workers N``)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.description = f"{workers} local processes"
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=local_context())

    def map_unordered(self, specs: Sequence[RunSpec]) -> Iterator[RunResult]:
        """Submit every spec; yield results as they complete."""
        futures: dict[Future[RunResult], RunSpec] = {
            self._pool.submit(run_one, spec): spec for spec in specs
        }
        try:
            for future in as_completed(futures):
                spec = futures.pop(future)
                try:
                    yield future.result()
                except Exception as exc:  # the worker process died (BrokenProcessPool)
                    yield lost(spec, exc)
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        """Stop the worker processes."""
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskBackend:
    """Runs on a Dask cluster through a ``distributed.Client``.

    Each run is one task whose key is its run id: the scheduler recomputes the tasks of
    a worker that dies or retires (a SLURM job reaching its lifetime), and each key's
    result is taken once. At most ``window`` tasks are submitted at a time — one more as
    each finishes — so a sweep of 100,000 runs never holds every pickled scenario in the
    client and the scheduler at once, and workers that join later (adaptive scaling) get
    work as soon as they arrive.
    """

    def __init__(
        self, client: Any, cluster: Any = None, description: str = "", window: int = WINDOW
    ) -> None:
        if window < 1:
            raise ValueError(f"window must be ≥ 1, not {window}")
        self.client = client
        self.cluster = cluster
        self.description = description or f"Dask at {client.scheduler.address}"
        self.window = window

    @property
    def workers(self) -> int:
        """Threads across the cluster's workers right now."""
        info = self.client.scheduler_info(n_workers=-1)["workers"]
        return sum(int(w.get("nthreads", 1)) for w in info.values()) or 1

    def map_unordered(self, specs: Sequence[RunSpec]) -> Iterator[RunResult]:
        """Submit specs as tasks keyed by their run ids, ``window`` at a time; yield results."""
        from distributed import as_completed as dask_completed

        pending = iter(specs)
        futures: dict[Any, RunSpec] = {}

        def submit_next() -> Any:
            spec = next(pending, None)
            if spec is None:
                return None
            key = f"kyosei-run-{spec.run_id}"
            future = self.client.submit(run_one, spec, key=key, pure=False)
            futures[future] = spec
            return future

        first = [f for f in (submit_next() for _ in range(self.window)) if f is not None]
        completed = dask_completed(first, loop=self.client.loop)
        try:
            for future in completed:
                spec = futures.pop(future)
                try:
                    yield future.result()
                except Exception as exc:  # KilledWorker after repeated worker deaths, etc.
                    yield lost(spec, exc)
                finally:
                    future.release()
                following = submit_next()
                if following is not None:
                    completed.add(following)
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        """Disconnect; shut down the cluster if this backend started it."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
