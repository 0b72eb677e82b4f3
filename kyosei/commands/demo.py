"""``kyosei demo``: the README's main job — results for the default comparison, then the dashboard.

If ``results/default_comparison`` does not hold the default comparison yet (the
shrinking town under the baseline and three 重層 packages, 10 replicates, 20 years),
it is run first with a progress bar — a partial set from an interrupted demo is
resumed, not redone — and then the dashboard serves it on 127.0.0.1. Next to it the
demo runs a small design (``experiments/default_design.toml``: a Latin hypercube over
three town parameters, 24 small runs, about a tenth of the comparison's time) into
``results/default_design``, so the Explore page shows sensitivity on a fresh machine.
Results made by another version of the code are kept as they are; the current code's
results go to folders named after its version instead, and those are what the
dashboard opens.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..progress import add_quiet, wanted

if TYPE_CHECKING:  # the experiments package is heavy: imported by the handler only
    from experiments.spec import Experiment

EXPERIMENTS_DIR = Path(__file__).resolve().parents[2] / "experiments"
DEFAULT_EXPERIMENT = EXPERIMENTS_DIR / "default_comparison.toml"
#: The demo's experiments, in the order they run: the comparison, then the small design.
DEMO_EXPERIMENTS = ("default_comparison", "default_design")

#: CPU seconds per million resident-months of the full model (one 20-year run of the
#: 30,000-resident small_town, warm-up included, took 4-5 s of CPU on the 2-core
#: development VM, 2026-12; benchmarks/README.md has the details). Only for the estimate
#: printed before a long run; a busy machine takes up to three times as long.
SECONDS_PER_M_RESIDENT_MONTHS = 0.6
BUSY_FACTOR = 3


def estimate_minutes(experiment: Experiment, runs: int, workers: int) -> tuple[float, float]:
    """(quick, busy) minutes for ``runs`` runs of ``experiment`` on ``workers`` processes."""
    from scenarios import load_town

    months_per_run = []
    for town in experiment.towns:
        params = load_town(town)
        months = 12 * experiment.years + params.switches.warmup_months
        people = params.town.population / experiment.scale
        months_per_run.append(people * months)
    mean = sum(months_per_run) / len(months_per_run)
    seconds = runs * mean / 1e6 * SECONDS_PER_M_RESIDENT_MONTHS / max(1, workers)
    return seconds / 60.0, BUSY_FACTOR * seconds / 60.0


def port_taken_message(host: str, port: int, command: str) -> str:
    """What to do when ``host:port`` is taken, for ``kyosei COMMAND`` and ``make demo``."""
    other = 8800 if port != 8800 else 8801
    hint = f"kyosei {command} --port {other}"
    if command == "demo":
        hint += f" (or: make demo PORT={other})"
    return f"port {port}: something already listens on {host}:{port}; choose another, e.g. {hint}"


def _experiment_file(name: str = "default_comparison") -> Path:
    """A shipped demo experiment (also when installed outside the source tree)."""
    path = EXPERIMENTS_DIR / f"{name}.toml"
    if path.exists():
        return path
    from importlib.resources import files

    return Path(str(files("experiments") / f"{name}.toml"))


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``kyosei demo``."""
    from dashboards.server import DEFAULT_HOST, DEFAULT_PORT

    p = sub.add_parser(
        "demo",
        help="run the default comparison if its results are missing, then serve the dashboard",
    )
    p.add_argument(
        "--results",
        type=Path,
        default=Path("results"),
        help="folder of results sets (default: results/)",
    )
    p.add_argument("--workers", type=int, help="local worker processes (default: one per CPU)")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on ({DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT})")
    p.add_argument(
        "--no-serve",
        action="store_true",
        help="only make sure the results exist; do not start the dashboard",
    )
    add_quiet(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run what is missing, then serve until Ctrl+C."""
    from dashboards import server
    from experiments import provenance
    from experiments.spec import load_experiment
    from experiments.sweep import run_experiment, store_status

    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not allowed: a port from 1 to 65535")
    if args.results.exists() and not args.results.is_dir():
        raise UsageError(
            f"--results {args.results}: a folder is needed (a file of that name exists)"
        )
    if not args.no_serve:
        server.check_host(args.host)
    if not args.no_serve and server.port_in_use(args.host, args.port):
        raise UsageError(port_taken_message(args.host, args.port, "demo"))
    outs = []
    for name in DEMO_EXPERIMENTS:
        experiment = load_experiment(_experiment_file(name))
        out = args.results / name
        status = store_status(experiment, out)
        if status == "other":  # made by other code: keep it, run anew
            version = provenance.code_version().split("+")[-1][:12]
            out = args.results / f"{name}-{version}"
            status = store_status(experiment, out)
        if status != "complete":
            _announce(experiment, out, status, args.workers)
        summary = run_experiment(experiment, out, workers=args.workers, progress=wanted(args.quiet))
        if summary.ran:
            print(
                f"ran {summary.ran} runs ({summary.ok} ok, {summary.failed} failed) "
                f"in {summary.wall_s:.0f} s into {out}"
            )
        else:
            print(f"results already in {out} ({summary.skipped} runs)")
        outs.append(out)
    if args.no_serve:
        return 0
    # The folder of sets, unless this code's results sit in version-named folders next to
    # older ones: then the comparison alone (the one the user came for).
    fresh = all(out.name in DEMO_EXPERIMENTS for out in outs)
    server.serve(args.results if fresh else outs[0], args.host, args.port)
    return 0


def _announce(experiment: Experiment, out: Path, status: str, workers: int | None) -> None:
    """Say what is about to run and roughly how long it takes, before it starts."""
    import os

    from experiments.designs import design_points
    from experiments.store import ResultsStore

    points = len(design_points(experiment)) if experiment.uncertainties else 1
    planned = len(experiment.towns) * len(experiment.policies) * experiment.replications * points
    runs = ResultsStore(out).counts()["to_do"] if status == "partial" else planned
    procs = workers or os.cpu_count() or 1
    quick, busy = estimate_minutes(experiment, runs, procs)
    what = "the default comparison" if experiment.name == "default_comparison" else "a small design"
    print(
        f"running {what}: {runs} runs of {experiment.years} years "
        f"on {procs} worker process(es), about {max(1, round(quick))}-{max(2, round(busy))} "
        f"minutes on this machine (first time only; an interrupted run resumes) into {out}",
        flush=True,
    )
