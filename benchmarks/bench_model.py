"""Benchmark Kyosei's model: resident-steps per second, wall time and peak memory.

Each measurement runs in a fresh Python process so that its peak memory (maximum
resident set size) is its own. Usage::

    python benchmarks/bench_model.py                 # the standard table
    python benchmarks/bench_model.py --only okazaki  # one row
    python benchmarks/bench_model.py --json out.json # also save the numbers

The numbers, the machine and the date go into ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name -> (town profile, population override or None, policy, years, parts)
# parts: "demography" (issue 2), "needs" (+ needs and counters, issue 3),
# "all" (+ ties, venues, volunteers, 民生委員, NPOs, issue 4).
CASES = {
    "demography 20k": ("national", 20_000, "baseline", 20, "demography"),
    "demography 100k": ("national", 100_000, "baseline", 20, "demography"),
    "demography okazaki 385k": ("okazaki", None, "baseline", 20, "demography"),
    "needs+counters okazaki 385k": ("okazaki", None, "baseline", 20, "needs"),
    "full model 20k": ("national", 20_000, "baseline", 20, "all"),
    "full model 100k": ("national", 100_000, "baseline", 20, "all"),
    "full model okazaki 385k": ("okazaki", None, "baseline", 20, "all"),
    "full model okazaki 385k, jusou_full": ("okazaki", None, "jusou_full", 20, "all"),
}

CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    town, population, policy, years, parts = json.loads(sys.argv[1])
    from model import CommunityModel
    from scenarios import load_scenario
    overrides = {}
    if population:
        overrides = {"town.population": population, "town.households": round(population / 2.3),
                     "town.districts": max(1, round(population / 20000))}
    if parts == "demography":
        overrides.update({"switches.needs": False, "switches.community": False})
    elif parts == "needs":
        overrides.update({"switches.community": False})
    scenario = load_scenario(town, policy, overrides=overrides)
    t0 = time.perf_counter()
    model = CommunityModel(scenario, seed=1)
    t1 = time.perf_counter()
    model.run(12 * years)
    t2 = time.perf_counter()
    ts = model.recorder.timeseries()
    resident_steps = float(ts["population"].iloc[1:].sum()) / model.scale
    print(json.dumps({
        "residents_start": int(ts["population"].iloc[0]),
        "residents_end": int(ts["population"].iloc[-1]),
        "init_s": t1 - t0, "run_s": t2 - t1, "total_s": t2 - t0,
        "resident_steps_per_s": resident_steps / (t2 - t1),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))
    """
)


def measure(case: tuple) -> dict:
    """Run one case in a fresh interpreter and return its numbers."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(case)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only cases whose name contains this text")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    results = {}
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    print(
        "| case | residents (start → end) | total time (s) | resident-steps/s | peak memory (MB) |"
    )
    print("|---|---|---|---|---|")
    for name, case in CASES.items():
        if args.only and args.only not in name:
            continue
        r = measure(case)
        results[name] = r
        print(
            f"| {name} | {r['residents_start']:,} → {r['residents_end']:,} | "
            f"{r['total_s']:.1f} (build + warm-up {r['init_s']:.1f}) | "
            f"{r['resident_steps_per_s'] / 1e6:.2f} M | {r['peak_rss_mb']:.0f} |",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
