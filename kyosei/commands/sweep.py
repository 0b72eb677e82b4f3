"""``kyosei sweep EXPERIMENT.toml --out DIR``: run an experiment into a results store.

Runs on local processes by default (``--workers N``, default one per CPU) or on a Dask
cluster (``--cluster tcp://HOST:PORT | local:N | slurm``). A rerun into the same folder
skips the runs already there; a folder holding another experiment is refused.
Everything is checked before anything is written (exit 2 with a message otherwise).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from model.parameters import ParameterError, check_number

from ..errors import UsageError
from ..progress import wanted

if TYPE_CHECKING:  # the experiments package is heavy: the handler imports it
    from experiments.cluster import SlurmOptions


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``kyosei sweep``."""
    p = sub.add_parser(
        "sweep",
        help="run an experiment file (towns × policies × parameters × replicates)",
        description="Run every run of an experiment file into a results folder; "
        "a rerun skips what is done.",
    )
    p.add_argument(
        "experiment",
        type=Path,
        help="experiment file (.toml), e.g. experiments/default_comparison.toml",
    )
    p.add_argument("--out", type=Path, help="results folder (default results/NAME)")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, help="local worker processes (default: one per CPU)")
    where.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="Dask: tcp://HOST:PORT (running scheduler), local:N (LocalCluster) or slurm",
    )
    p.add_argument(
        "--connect-timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds to wait for a Dask scheduler and its first worker (default 10)",
    )
    p.add_argument(
        "--flush-seconds",
        type=float,
        default=2.0,
        metavar="S",
        help="write finished runs to the store at least this often (default 2; 0 = each run)",
    )
    p.add_argument("--retry-failed", action="store_true", help="run failed runs again")
    p.add_argument(
        "--dry-run", action="store_true", help="check the file and print the plan; run nothing"
    )
    p.add_argument(
        "--no-progress",
        "-q",
        "--quiet",
        dest="no_progress",
        action="store_true",
        help="no progress bar (none either when stderr is not a terminal)",
    )
    slurm = p.add_argument_group("SLURM (with --cluster slurm)")
    slurm.add_argument("--slurm-queue", help="partition (#SBATCH -p)")
    slurm.add_argument("--slurm-account", help="account (#SBATCH -A)")
    slurm.add_argument("--slurm-cores", type=int, default=4, help="cores per job (default 4)")
    slurm.add_argument("--slurm-memory", default="8GB", help="memory per job (default 8GB)")
    slurm.add_argument(
        "--slurm-walltime", default="01:00:00", help="walltime per job (default 01:00:00)"
    )
    slurm.add_argument(
        "--slurm-jobs", type=int, default=1, help="most jobs at once (default 1; scaled adaptively)"
    )
    slurm.add_argument(
        "--slurm-min-jobs", type=int, default=1, help="jobs kept while work remains (default 1)"
    )
    slurm.add_argument(
        "--slurm-lifetime",
        help="worker lifetime before it retires, e.g. 50m (default 85 %% of the walltime)",
    )
    slurm.add_argument("--slurm-interface", help="network interface of the workers, e.g. ib0")
    slurm.add_argument(
        "--slurm-directive",
        action="append",
        default=[],
        metavar="TEXT",
        help="extra #SBATCH line, e.g. --slurm-directive='--qos=long' (repeatable)",
    )
    slurm.add_argument(
        "--print-job-script",
        action="store_true",
        help="print the SLURM job script and exit (submits nothing)",
    )
    p.set_defaults(handler=handle)


def slurm_options(args: argparse.Namespace) -> SlurmOptions:
    """The SLURM settings given on the command line."""
    from experiments.cluster import SlurmOptions

    return SlurmOptions(
        queue=args.slurm_queue,
        account=args.slurm_account,
        cores=args.slurm_cores,
        memory=args.slurm_memory,
        walltime=args.slurm_walltime,
        jobs=args.slurm_jobs,
        interface=args.slurm_interface,
        job_extra=tuple(args.slurm_directive),
        min_jobs=args.slurm_min_jobs,
        lifetime=args.slurm_lifetime,
    )


MAX_WORKERS = 1024
MAX_SECONDS = 86_400.0  # a day: the longest sensible wait or flush interval
MAX_RUNS = 200_000  # runs in one sweep (each is planned and checked in memory first)


def check_numbers(args: argparse.Namespace) -> None:
    """Every number on the command line is finite and in range (exit 2 otherwise)."""
    if args.workers is not None:
        check_number("--workers", args.workers, lo=1, hi=MAX_WORKERS, whole=True)
    check_number("--connect-timeout", args.connect_timeout, lo=0.1, hi=MAX_SECONDS, unit="s")
    check_number("--flush-seconds", args.flush_seconds, lo=0.0, hi=MAX_SECONDS, unit="s")
    check_number("--slurm-cores", args.slurm_cores, lo=1, hi=MAX_WORKERS, whole=True)
    check_number("--slurm-jobs", args.slurm_jobs, lo=1, hi=MAX_WORKERS, whole=True)


def handle(args: argparse.Namespace) -> int:
    """Check everything, then run (or print the plan / job script)."""
    from experiments.cluster import slurm_job_script
    from experiments.designs import design_points
    from experiments.plan import arms_of, make_plan
    from experiments.spec import load_experiment
    from experiments.sweep import run_experiment
    from model import budget

    check_numbers(args)
    experiment = load_experiment(args.experiment)
    if args.print_job_script:
        if args.cluster != "slurm":
            raise UsageError("--print-job-script needs --cluster slurm")
        print(slurm_job_script(slurm_options(args)))
        return 0
    out = args.out or Path("results") / experiment.name
    # Count the runs before building any (a design of a million points is counted in a
    # second; building a million scenarios would take many minutes).
    arms = arms_of(experiment)
    points = len(design_points(experiment))
    n_runs = len(arms) * points * experiment.replications
    if args.dry_run:
        print(
            f"{experiment.name}: {len(arms)} arm(s) × {points} design point(s) × "
            f"{experiment.replications} replicate(s) = {n_runs} runs of "
            f"{experiment.years} years; would write to {out}"
        )
        for arm in arms:
            print(f"  {arm.name}  (compared with {arm.reference})")
        if n_runs > MAX_RUNS:
            print(f"  (too many to run at once: at most {MAX_RUNS:,} runs per sweep)")
        return 0
    if n_runs > MAX_RUNS:
        raise ParameterError(
            "design.samples",
            points,
            f"at most {MAX_RUNS:,} runs per sweep (this file makes {n_runs:,}: {len(arms)} "
            f"arm(s) × {points:,} points × {experiment.replications} replicates); split it",
            file=experiment.file,
        )
    plan = make_plan(experiment)
    at_once = min(len(plan.runs), args.workers or os.cpu_count() or 1) if not args.cluster else 1
    towns = {id(s.scenario.params.town): s.scenario for s in plan.runs}
    for scenario in towns.values():
        try:
            budget.check_fits(
                scenario.params.town.population, scenario.scale, experiment.months, at_once
            )
        except ParameterError as err:
            raise err.in_file(experiment.file) from None
    summary = run_experiment(
        experiment,
        out,
        workers=args.workers,
        cluster=args.cluster,
        connect_timeout=args.connect_timeout,
        slurm=slurm_options(args),
        progress=wanted(args.no_progress),
        retry_failed=args.retry_failed,
        flush_seconds=args.flush_seconds,
        plan=plan,
    )
    print(summary.line())
    if summary.failed or summary.lost:
        print(
            f"{summary.failed} failed run(s) are in {out}/runs (column 'error'); "
            f"{summary.lost} lost run(s) will be retried by rerunning the same command."
        )
        return 1
    return 0
