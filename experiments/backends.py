"""Where runs execute: this process, a local process pool, or a Dask cluster.

Every backend calls the same :func:`~experiments.run.run_group` on groups of runs that
share a built town (:func:`~experiments.run.group_runs`; a run that shares nothing is a
group of one) and yields results as runs finish (in any order); the store orders them
by plan position, so results do not depend on the backend or the number of workers. A
worker that dies takes only its own runs down: they come back as ``lost`` results
(retried by the next sweep) while the rest go on.

Local pools use their own multiprocessing context ("forkserver" where the platform has
it, else "spawn"), never the program-wide start method, and never "fork": forking a
process that runs threads (progress bar, Dask client) can deadlock the child.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from .run import RunResult, RunSpec, group_runs, iter_runs, lost, run_group

WINDOW = 256  # Dask tasks in flight at once (submitted as earlier ones finish)
GROUP_RUNS = 8  # most runs handed to a worker at once (runs sharing one built town)
SPREAD = 2  # groups per worker at least, so that the last ones still spread over workers


def group_size(runs: int, workers: int) -> int:
    """Runs per group for ``runs`` runs on ``workers`` workers (1 to :data:`GROUP_RUNS`)."""
    return max(1, min(GROUP_RUNS, -(-runs // max(1, SPREAD * workers))))


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
        """Run ``specs`` in order (runs sharing a town in a row build it once)."""
        for group in group_runs(specs, GROUP_RUNS):
            yield from iter_runs(group)

    def close(self) -> None:
        """Nothing to release."""


def local_context() -> Any:
    """A multiprocessing context for our pool only (forkserver where available)."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" not in methods:
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    # The forkserver imports the model once; every worker (also one replacing a dead
    # worker) is forked from it ready to run, instead of importing it all again.
    preload = ["experiments.run"]
    if threading.current_thread() is threading.main_thread():
        # Linux ties a parent-death signal to the thread that started the child: only a
        # forkserver started by the main thread may end with it (a dashboard job's
        # thread ends long before the server does).
        preload.insert(0, "experiments.forkserver_guard")
    ctx.set_forkserver_preload(preload)
    return ctx


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies (no orphans); False elsewhere.

    A pool worker's parent is the forkserver, which exits as soon as the sweep's process
    is gone (its pipe closes), so a killed sweep takes its workers with it at once.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _exit_when_gone(pid: int) -> None:
    """Block until process ``pid`` has ended, then end this process at once."""
    try:
        fd = os.pidfd_open(pid)  # Linux ≥ 5.3: readable when the process ends
    except (AttributeError, OSError):
        while True:  # elsewhere: look twice a second
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            except PermissionError:
                pass
            time.sleep(0.5)
    else:
        select.select([fd], [], [])
    os._exit(1)


def start_own_session() -> bool:
    """Make this process the leader of a new session (its own CPU share); False if not."""
    try:
        os.setsid()
    except (AttributeError, OSError):  # not POSIX, or already a group leader
        return False
    return True


def _worker_init(sweep_pid: int) -> None:
    """Set up one pool worker: end with the sweep; leave Ctrl+C to the sweep.

    A forkserver worker's parent is the forkserver, which itself stays alive while any
    worker holds its pipe: so each worker also watches the sweep's process and ends the
    moment it is gone (SIGKILL included), instead of finishing its run for nobody.

    Each worker also starts a session of its own: Linux (with ``sched_autogroup``, the
    default of desktop distributions) shares the CPU equally between sessions, so on a
    busy machine the workers of one session together got the time of one program —
    ``--workers 2`` ran hardly faster than ``--workers 1`` (benchmarks/README.md).
    """
    start_own_session()
    die_with_parent()
    threading.Thread(
        target=_exit_when_gone, args=(sweep_pid,), name="kyosei-watch-sweep", daemon=True
    ).start()
    # Ctrl+C reaches the whole terminal process group; the sweep stops the workers
    # itself, so a worker must not die on it mid-run (which would look like a crash).
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class LocalProcesses:
    """A pool of ``workers`` local processes (``--workers N``).

    A worker that dies (killed, out of memory) breaks a ``ProcessPoolExecutor``: every
    run not finished yet fails with it. Those runs are submitted again to a fresh pool,
    up to ``attempts`` times each, so a dead worker costs only the time of its own runs;
    a run that keeps killing its worker comes back ``lost`` after that.
    """

    def __init__(self, workers: int, attempts: int = 3) -> None:
        self.workers = workers
        self.attempts = attempts
        self.description = f"{workers} local processes"
        self.restarts = 0  # pools replaced after a worker died
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=local_context(),
            initializer=_worker_init,
            initargs=(os.getpid(),),
        )

    def map_unordered(self, specs: Sequence[RunSpec]) -> Iterator[RunResult]:
        """Submit every spec; yield results as they complete (retrying after a dead worker)."""
        tries = {spec.run_id: 0 for spec in specs}
        waiting: list[RunSpec] = list(specs)
        while waiting:
            most = group_size(len(waiting), self.workers)
            futures: dict[Future[list[RunResult]], list[RunSpec]] = {
                self._pool.submit(run_group, group): group for group in group_runs(waiting, most)
            }
            waiting = []
            try:
                for future in as_completed(futures):
                    group = futures.pop(future)
                    try:
                        yield from future.result()
                    except BrokenProcessPool as exc:  # a worker died: retry on a new pool
                        for spec in group:
                            tries[spec.run_id] += 1
                            if tries[spec.run_id] >= self.attempts:
                                yield lost(spec, exc)
                            else:
                                waiting.append(spec)
                    except Exception as exc:  # e.g. a result that cannot be unpickled
                        for spec in group:
                            yield lost(spec, exc)
            finally:
                for future in futures:
                    future.cancel()
            if waiting:
                self._replace_pool()

    def _replace_pool(self) -> None:
        self._stop(self._pool)
        self._pool = self._new_pool()
        self.restarts += 1

    @staticmethod
    def _stop(pool: ProcessPoolExecutor) -> None:
        """Cancel what is queued and end the workers now.

        A run in progress is not waited for, so Ctrl+C gives the prompt back at once.
        """
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            if proc.is_alive():
                proc.terminate()
        deadline = time.monotonic() + 2.0
        for proc in processes:
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join(1.0)

    def close(self) -> None:
        """Stop the worker processes."""
        self._stop(self._pool)


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

        # Specs are grouped lazily, window by window: a sweep of 100,000 runs is not
        # hashed all at once before the first task leaves.
        pending = self._groups(specs)
        futures: dict[Any, list[RunSpec]] = {}

        def submit_next() -> Any:
            group = next(pending, None)
            if group is None:
                return None
            first = group[0].run_id
            key = f"kyosei-run-{first}" if len(group) == 1 else f"kyosei-runs-{first}-{len(group)}"
            future = self.client.submit(run_group, group, key=key, pure=False)
            futures[future] = group
            return future

        first = [f for f in (submit_next() for _ in range(self.window)) if f is not None]
        completed = dask_completed(first, loop=self.client.loop)
        try:
            for future in completed:
                group = futures.pop(future)
                try:
                    yield from future.result()
                except Exception as exc:  # KilledWorker after repeated worker deaths, etc.
                    for spec in group:
                        yield lost(spec, exc)
                finally:
                    future.release()
                following = submit_next()
                if following is not None:
                    completed.add(following)
        finally:
            for future in futures:
                future.cancel()

    def _groups(self, specs: Sequence[RunSpec]) -> Iterator[list[RunSpec]]:
        most = group_size(len(specs), self.workers)
        for start in range(0, len(specs), self.window * most):
            yield from group_runs(specs[start : start + self.window * most], most)

    def close(self) -> None:
        """Disconnect; shut down the cluster if this backend started it."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
