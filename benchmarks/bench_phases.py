"""Time the month phase by phase, and against an older commit, in one run.

Okazaki at 1:1 with ``jusou_full``: build (with the warm-up), then ``--years`` of
monthly steps. Each measurement runs in a fresh Python process, one after the other.
With ``--old DIR`` (a checkout of an older commit, e.g. ``git worktree add /tmp/old
ebf23ef``) the same run is timed there too, with this interpreter. Usage::

    python benchmarks/bench_phases.py --old /tmp/old --years 5

The per-phase table goes into ``benchmarks/README.md`` ("Per-phase times").
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = textwrap.dedent(
    """
    import json, sys, time
    from model import CommunityModel
    from scenarios import load_scenario

    years, timed = int(sys.argv[1]), sys.argv[2] == "1"
    scenario = load_scenario("okazaki", "jusou_full")
    t0 = time.perf_counter()
    kwargs = {"time_phases": True} if timed else {}
    model = CommunityModel(scenario, seed=1, **kwargs)
    build = time.perf_counter() - t0
    if timed:
        model.phase_seconds = dict.fromkeys(model.phase_seconds, 0.0)
    t1, c1 = time.perf_counter(), time.process_time()
    model.run(12 * years)
    months = time.perf_counter() - t1
    cpu = time.process_time() - c1  # on a shared machine the fairer comparison
    out = {
        "build_s": build, "months_s": months, "months_cpu_s": cpu,
        "residents": int(model.residents.alive.sum()),
    }
    if timed:
        out["phases"] = model.phase_seconds
    print(json.dumps(out))
    """
)


def measure(checkout: Path, years: int, timed: bool) -> dict:
    """One run in a fresh process with ``checkout`` first on the path."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(years), "1" if timed else "0"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Run the old commit (if given) and this tree, one after the other; print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, help="checkout of an older commit")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    rows = []
    for _ in range(args.rounds):
        if args.old:
            rows.append(("old", measure(args.old, args.years, timed=False)))
        rows.append(("new", measure(ROOT, args.years, timed=False)))
        rows.append(("new, phases timed", measure(ROOT, args.years, timed=True)))
    months = 12 * args.years
    print(
        "| tree | build + warm-up (s) | months (s) | ms per month | "
        "CPU ms per month | residents at end |"
    )
    print("|---|---|---|---|---|---|")
    for name, r in rows:
        print(
            f"| {name} | {r['build_s']:.1f} | {r['months_s']:.1f} | "
            f"{1000 * r['months_s'] / months:.0f} | {1000 * r['months_cpu_s'] / months:.0f} | "
            f"{r['residents']:,} |"
        )
    timed = [r for name, r in rows if "phases" in r]
    if timed:
        phases = timed[-1]["phases"]
        total = sum(phases.values())
        print()
        print("| phase | ms per month | share |")
        print("|---|---|---|")
        for name, s in phases.items():
            print(f"| `{name}` | {1000 * s / months:.1f} | {100 * s / total:.0f} % |")
        print(f"| total | {1000 * total / months:.1f} | 100 % |")


if __name__ == "__main__":
    main()
