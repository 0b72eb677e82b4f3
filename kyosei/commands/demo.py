"""``kyosei demo``: the README's main job — results for the default comparison, then the dashboard.

If ``results/default_comparison`` does not hold the default comparison yet (the
shrinking town under the baseline and three 重層 packages, 10 replicates, 20 years),
it is run first with a progress bar — a partial set from an interrupted demo is
resumed, not redone — and then the dashboard serves it on 127.0.0.1. Results made by
another version of the code are kept as they are; the current code's results go to a
folder named after its version instead, and that is what the dashboard opens.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from model.errors import UsageError

DEFAULT_EXPERIMENT = Path(__file__).resolve().parents[2] / "experiments" / "default_comparison.toml"


def _experiment_file() -> Path:
    """The shipped default comparison (also when installed outside the source tree)."""
    if DEFAULT_EXPERIMENT.exists():
        return DEFAULT_EXPERIMENT
    from importlib.resources import files

    return Path(str(files("experiments") / "default_comparison.toml"))


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
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run what is missing, then serve until Ctrl+C."""
    from dashboards import server
    from experiments import provenance
    from experiments.sweep import run_experiment, store_status

    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not allowed: a port from 1 to 65535")
    if args.results.exists() and not args.results.is_dir():
        raise UsageError(
            f"--results {args.results}: a folder is needed (a file of that name exists)"
        )
    if not args.no_serve and server.port_in_use(args.host, args.port):
        raise UsageError(
            f"--port {args.port}: something already listens on {args.host}:{args.port}; "
            "give another --port"
        )
    experiment = _experiment_file()
    out = args.results / "default_comparison"
    if store_status(experiment, out) == "other":  # made by other code: keep it, run anew
        out = args.results / f"default_comparison-{provenance.code_version().split('+')[-1][:12]}"
    summary = run_experiment(experiment, out, workers=args.workers, progress=True)
    if summary.ran:
        print(
            f"ran {summary.ran} runs ({summary.ok} ok, {summary.failed} failed) "
            f"in {summary.wall_s:.0f} s into {out}"
        )
    else:
        print(f"results already in {out} ({summary.skipped} runs)")
    if args.no_serve:
        return 0
    server.serve(out if out.name != "default_comparison" else args.results, args.host, args.port)
    return 0
