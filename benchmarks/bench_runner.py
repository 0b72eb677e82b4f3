"""Benchmark the experiments runner: overhead, speed-up from 1 to 2 workers, a 1,000-run sweep.

What it measures, on the ``district`` profile (20,000 residents at scale 1, 20 years):

1. **Runner overhead** — the same ``--sample`` runs as a plain loop over
   ``CommunityModel(...).run()`` versus as a sweep in this process (``--workers 1``:
   planning, ``run_one``, Parquet writes, manifest). Overhead = sweep / loop − 1.
2. **Speed-up** — the same runs with 2 local processes (pool start-up included), and on
   a Dask ``LocalCluster`` of 2 workers.
3. **The 1,000-run sweep** with 2 workers: run in full with ``--runs 1000`` (the
   default), or ``--extrapolate`` to time ``--sample`` runs and scale up (say so when
   reporting).

Usage::

    python benchmarks/bench_runner.py                     # everything (~10 min with the
                                                          # demography-only model)
    python benchmarks/bench_runner.py --extrapolate       # quick: extrapolate the sweep
    python benchmarks/bench_runner.py --json runner.json  # also save the numbers

The numbers, the machine and the date go into ``benchmarks/README.md`` (runner section).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXPERIMENT = """
[experiment]
name = "bench_runner"
root_seed = 1
replications = {replications}
years = {years}
scale = {scale}
towns = ["district"]
policies = ["baseline"]

[design]
kind = "latin_hypercube"
samples = {points}

[uncertainties]
"demography.tfr" = {{ min = 1.1, max = 1.6 }}
"""


def experiment_file(folder: Path, runs: int, years: int, scale: float) -> Path:
    """An LHS sweep of ``runs`` runs: 10 replicates per design point (fewer if runs < 10)."""
    replications = min(10, runs)
    points = max(1, runs // replications)
    path = folder / f"bench_{runs}.toml"
    path.write_text(
        EXPERIMENT.format(replications=replications, years=years, scale=scale, points=points)
    )
    return path


def plain_loop(path: Path, part: int = 0, parts: int = 1) -> tuple[float, int]:
    """Seconds to run the experiment's runs (every ``parts``-th) as a bare loop over the model."""
    from experiments.plan import make_plan
    from experiments.spec import load_experiment
    from model import CommunityModel

    plan = make_plan(load_experiment(path))
    specs = plan.runs[part::parts]
    t0 = time.perf_counter()
    for spec in specs:
        model = CommunityModel(spec.scenario, seed=spec.seed).run(spec.months)
        model.recorder.timeseries()
        model.recorder.districts()
    return time.perf_counter() - t0, len(specs)


def machine_ceiling(path: Path, workers: int) -> float:
    """Seconds for ``workers`` bare processes, no runner, each looping over its share.

    This is the best any runner could do on this machine right now: on a VM whose cores
    are shared (or busy with other work) it is well below ``workers``× the single speed.
    """
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import bench_runner as b; "
        "from pathlib import Path; "
        "print(json.dumps(b.plain_loop(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))"
    )
    here = str(Path(__file__).resolve().parent)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, here, str(path), str(i), str(workers)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(workers)
    ]
    # The slowest child's loop time: import start-up is left out, so this is the pure
    # compute ceiling (a runner pays its start-up on top).
    return max(float(json.loads(proc.communicate()[0])[0]) for proc in procs)


def sweep(path: Path, out: Path, **kwargs: object) -> dict[str, float]:
    """Seconds for a whole sweep (plan, run, write), and the runs' own model seconds."""
    from experiments.sweep import run_experiment

    t0 = time.perf_counter()
    summary = run_experiment(path, out, progress=False, **kwargs)  # type: ignore[arg-type]
    total = time.perf_counter() - t0
    if summary.ok != summary.planned:
        raise SystemExit(f"benchmark sweep had {summary.failed} failed / {summary.lost} lost runs")
    return {"total_s": total, "model_s": summary.model_s, "runs": summary.ran}


def main() -> int:
    """Run the measurements and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=40, help="runs for overhead and speed-up")
    parser.add_argument("--runs", type=int, default=1000, help="runs of the big sweep")
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--extrapolate", action="store_true", help="time --sample runs, scale up")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster row")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()

    from experiments import provenance

    results: dict[str, object] = {
        "date": dt.date.today().isoformat(),
        "machine": provenance.machine(),
        "code_version": provenance.code_version(),
        "profile": f"district, scale {args.scale:g}, {args.years} years",
        "load_average_before": os.getloadavg(),
    }
    with tempfile.TemporaryDirectory(prefix="kyosei-bench-") as tmp:
        folder = Path(tmp)
        sample = experiment_file(folder, args.sample, args.years, args.scale)
        loop_s, n = plain_loop(sample)
        ceiling_s = machine_ceiling(sample, args.workers)
        results["ceiling_s"] = ceiling_s
        results["ceiling_speedup"] = loop_s / ceiling_s
        one = sweep(sample, folder / "one", workers=1)
        two = sweep(sample, folder / "two", workers=args.workers)
        results["sample_runs"] = n
        results["loop_s"] = loop_s
        results["sweep_1_worker_s"] = one["total_s"]
        # Overhead from the sweep's own accounting (same process, same minutes, so load
        # from other programs cancels out): everything that is not a run's model time.
        results["overhead"] = one["total_s"] / one["model_s"] - 1
        results["overhead_vs_loop"] = one["total_s"] / loop_s - 1
        results[f"sweep_{args.workers}_workers_s"] = two["total_s"]
        results["speedup"] = one["total_s"] / two["total_s"]
        if not args.no_dask:
            dask = sweep(sample, folder / "dask", cluster=f"local:{args.workers}")
            results["dask_local_s"] = dask["total_s"]
            results["dask_speedup"] = one["total_s"] / dask["total_s"]
        if args.extrapolate:
            results["big_sweep_s"] = two["total_s"] * args.runs / n
            results["big_sweep_method"] = f"extrapolated from {n} runs"
        else:
            big = experiment_file(folder, args.runs, args.years, args.scale)
            measured = sweep(big, folder / "big", workers=args.workers)
            results["big_sweep_s"] = measured["total_s"]
            results["big_sweep_method"] = f"measured, {measured['runs']:.0f} runs"
    results["big_sweep_runs"] = args.runs
    results["load_average_after"] = os.getloadavg()

    w = args.workers
    print(f"\nRunner benchmark — {results['profile']} — {results['date']}")
    print(f"machine: {results['machine']}; code {results['code_version']}")
    print(
        f"load average before/after: {results['load_average_before']} / "
        f"{results['load_average_after']}\n"
    )
    print("| measurement | value |")
    print("|---|---|")
    print(f"| plain loop, {n} runs | {loop_s:.1f} s ({loop_s / n:.2f} s/run) |")
    print(f"| sweep, 1 worker (in process) | {one['total_s']:.1f} s |")
    print(f"| runner overhead (sweep total / Σ model time − 1) | {results['overhead']:+.1%} |")
    print(f"| sweep vs the separate plain loop | {results['overhead_vs_loop']:+.1%} |")
    print(f"| sweep, {w} local processes | {two['total_s']:.1f} s |")
    print(
        f"| {w} bare processes, no runner (machine ceiling) | {ceiling_s:.1f} s "
        f"({results['ceiling_speedup']:.2f}×) |"
    )
    print(
        f"| speed-up 1 → {w} workers | {results['speedup']:.2f}× "
        f"({results['speedup'] / results['ceiling_speedup']:.0%} of the ceiling) |"
    )
    if "dask_local_s" in results:
        print(
            f"| sweep, Dask LocalCluster {w} workers | {results['dask_local_s']:.1f} s "
            f"({results['dask_speedup']:.2f}×) |"
        )
    big_s = float(results["big_sweep_s"])  # type: ignore[arg-type]
    print(
        f"| {args.runs}-run sweep, {w} workers | {big_s / 60:.1f} min "
        f"({results['big_sweep_method']}) |"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
