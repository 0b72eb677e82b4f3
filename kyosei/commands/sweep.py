"""``kyosei sweep EXPERIMENT.toml --out DIR``: run an experiment into a results store.

Runs on local processes by default (``--workers N``, default one per CPU) or on a Dask
cluster (``--cluster tcp://HOST:PORT | local:N | slurm``). A rerun into the same folder
skips the runs already there; a folder holding another experiment is refused.
Everything is checked before anything is written (exit 2 with a message otherwise).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.cluster import SlurmOptions, slurm_job_script
from experiments.plan import make_plan
from experiments.spec import load_experiment
from experiments.sweep import run_experiment

from ..errors import UsageError


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
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
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


def handle(args: argparse.Namespace) -> int:
    """Check everything, then run (or print the plan / job script)."""
    experiment = load_experiment(args.experiment)
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers {args.workers} is not allowed: a whole number ≥ 1")
    if args.print_job_script:
        if args.cluster != "slurm":
            raise UsageError("--print-job-script needs --cluster slurm")
        print(slurm_job_script(slurm_options(args)))
        return 0
    plan = make_plan(experiment)
    out = args.out or Path("results") / experiment.name
    if args.dry_run:
        print(
            f"{experiment.name}: {len(plan.arms)} arm(s) × {len(plan.design)} design point(s) × "
            f"{experiment.replications} replicate(s) = {len(plan.runs)} runs of "
            f"{experiment.years} years; would write to {out}"
        )
        for arm in plan.arms:
            print(f"  {arm.name}  (compared with {arm.reference})")
        return 0
    summary = run_experiment(
        experiment,
        out,
        workers=args.workers,
        cluster=args.cluster,
        connect_timeout=args.connect_timeout,
        slurm=slurm_options(args),
        progress=not args.no_progress,
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
