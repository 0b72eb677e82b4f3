"""Benchmark a policy-comparison sweep: 1 vs 2 workers, a shared town vs a build per run.

The sweep is the researcher's usual one: the ``district`` profile (20,000 residents at
scale 1) under several policy packages, replicate r of every package on the same seed.
Runs that share a seed and parameters build and warm up their town once
(:func:`experiments.run.run_group`); ``--per-run`` also times the old way, every run
building its own town (``experiments.backends.GROUP_RUNS = 1``), in the same script run.

Each configuration is a full ``run_experiment`` into a fresh folder (plan, pool
start-up, Parquet writes, compaction, manifest), one after the other in this process;
``uptime`` is printed before and after each, because the machine may be shared. Besides
the wall time it reports Σ of the runs' own times, the parent's CPU seconds (writing the
store, unpickling results, scheduling) and the parent's share of one core.

Usage::

    python benchmarks/bench_sweep.py --years 3 --replications 5 --per-run
    python benchmarks/bench_sweep.py --years 20 --replications 50 --workers 2  # 200 runs

The numbers, the machine and the load go into ``benchmarks/README.md`` (Sweeps section).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POLICIES = ("baseline", "jusou_full", "outreach", "one_stop")

EXPERIMENT = """
[experiment]
name = "bench_sweep"
root_seed = 3
replications = {replications}
years = {years}
scale = {scale}
towns = ["district"]
policies = [{policies}]
reference = "baseline"
"""


def uptime() -> str:
    """The load averages (1, 5, 15 min), as ``uptime`` prints them."""
    out = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    return out.strip().split("load average:")[-1].strip()


def sweep(experiment: Path, out: Path, workers: int, per_run: bool) -> dict[str, object]:
    """One full sweep; its wall time, Σ model time, parent CPU and the load around it."""
    from experiments import backends
    from experiments.sweep import run_experiment

    backends.GROUP_RUNS = 1 if per_run else 8
    load_before = uptime()
    cpu0, t0 = time.process_time(), time.perf_counter()
    summary = run_experiment(experiment, out, workers=workers, progress=False)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    backends.GROUP_RUNS = 8
    return {
        "workers": workers,
        "builds": "one per run" if per_run else "shared by the packages of a seed",
        "runs": summary.ran,
        "ok": summary.ok,
        "wall_s": round(wall, 1),
        "per_run_s": round(wall / max(1, summary.ran), 2),
        "model_s": round(summary.model_s, 1),
        "parent_cpu_s": round(cpu, 1),
        "parent_core_share": round(cpu / wall, 3),
        "load_before": load_before,
        "load_after": uptime(),
    }


def main() -> None:
    """Run the configurations one after the other and print a table (and JSON)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--replications", type=int, default=5)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--policies", default=",".join(POLICIES))
    ap.add_argument("--workers", default="2,1", help="worker counts to run, in order")
    ap.add_argument("--per-run", action="store_true", help="also time one build per run")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    policies = [p.strip() for p in args.policies.split(",") if p.strip()]
    counts = [int(w) for w in args.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="kyosei-bench-sweep-") as tmp:
        folder = Path(tmp)
        experiment = folder / "sweep.toml"
        experiment.write_text(
            EXPERIMENT.format(
                replications=args.replications,
                years=args.years,
                scale=args.scale,
                policies=", ".join(f'"{p}"' for p in policies),
            ),
            encoding="utf-8",
        )
        print(
            f"district at 1:{args.scale:g}, {args.years} years, {len(policies)} packages × "
            f"{args.replications} replicates = {len(policies) * args.replications} runs; "
            f"{os.cpu_count()} CPUs; start {time.strftime('%H:%M:%S', time.gmtime())} UTC",
            flush=True,
        )
        # The pool's forkserver imports the model once per sweep process; started here so
        # that the first configuration does not carry it alone (timed on its own).
        import multiprocessing.forkserver

        from experiments.backends import local_context

        t0 = time.perf_counter()
        ctx = local_context()
        multiprocessing.forkserver.ensure_running()
        first = ctx.Process(target=time.time)  # forked once the imports are done
        first.start()
        first.join()
        print(f"forkserver start (imports the model once): {time.perf_counter() - t0:.1f} s")
        rows = []
        modes = [False, True] if args.per_run else [False]
        for per_run in modes:
            for workers in counts:
                out = folder / f"out-{workers}-{'per_run' if per_run else 'shared'}"
                row = sweep(experiment, out, workers, per_run)
                rows.append(row)
                print(json.dumps(row, ensure_ascii=False), flush=True)
        print(f"end {time.strftime('%H:%M:%S', time.gmtime())} UTC")
        for per_run in modes:
            by = {r["workers"]: r for r in rows if (r["builds"] == "one per run") == per_run}
            if 1 in by and 2 in by:
                speedup = float(by[1]["wall_s"]) / float(by[2]["wall_s"])  # type: ignore[arg-type]
                print(f"speed-up 1 → 2 workers ({by[1]['builds']}): {speedup:.2f}×")
        if args.json:
            args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
