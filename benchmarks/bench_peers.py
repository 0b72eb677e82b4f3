"""Kyosei beside its peers in one run: a Starsim model of the same size and the per-agent reference.

Usage (needs the ``bench`` extra: ``pip install -e '.[bench]'`` for Starsim)::

    python benchmarks/bench_peers.py                 # Okazaki 1:1, 20 years; reference 2 years
    python benchmarks/bench_peers.py --years 5       # shorter
    python benchmarks/bench_peers.py --json out.json # also save the numbers

What runs, one after the other in the same minutes (so that load from other programs on a
shared machine falls on all of them alike; the load average is printed before and after):

1. **Kyosei**: Okazaki at 1:1 (385,676 residents), ``jusou_full``, every subsystem on, in a
   fresh process (:func:`bench_model.measure`): build + warm-up, the months, peak memory.
2. **Starsim** (3.7, an array-based ABM framework with Numba kernels): the same number of
   agents for the same months at a monthly step, with births, deaths, a random network of
   10 contacts per agent and one SIS infection — in a fresh process, its JIT compiled
   first on a small sim (compilation is not in its time).
3. **The per-agent Mesa reference** (``benchmarks/reference``) and Kyosei side by side at
   20,000 residents (:func:`bench_vs_agents.side_by_side`), ``--ref-reps`` repetitions
   (seeds 1, 2, …; 3 by default) pooled into one ratio, each repetition's also printed.

Resident-steps (agent-steps) = Σ over the months of the living residents (agents);
the rates are resident-steps ÷ the time of the months (build excluded).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

STARSIM = textwrap.dedent(
    """
    import json, resource, sys, time
    import numpy as np
    import starsim as ss
    ss.options(verbose=0)
    n, years = int(sys.argv[1]), int(sys.argv[2])

    def make(n, years):
        return ss.Sim(
            n_agents=n, start=2000, stop=2000 + years, dt=ss.months(1), rand_seed=1,
            demographics=[ss.Births(birth_rate=ss.peryear(7)),
                          ss.Deaths(death_rate=ss.peryear(11))],
            networks=ss.RandomNet(n_contacts=10),
            diseases=ss.SIS(beta=ss.peryear(0.05)),
        )

    make(2000, 1).run()  # compile the Numba kernels first
    t0 = time.perf_counter()
    sim = make(n, years)
    sim.init()
    t1 = time.perf_counter()
    sim.run()
    t2 = time.perf_counter()
    alive = np.asarray(sim.results.n_alive, dtype=float)
    print(json.dumps({
        "version": ss.__version__,
        "agents_start": float(alive[0]), "agents_end": float(alive[-1]),
        "init_s": t1 - t0, "run_s": t2 - t1,
        "agent_steps_per_s": float(alive[1:].sum()) / (t2 - t1),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))
    """
)


def starsim(n: int, years: int) -> dict[str, float]:
    """Starsim's numbers for ``n`` agents over ``years`` (fresh process)."""
    env = {**os.environ, "STARSIM_INSTALL_FONTS": "0"}
    out = subprocess.run(
        [sys.executable, "-c", STARSIM, str(n), str(years)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def load() -> str:
    """The 1-, 5- and 15-minute load averages, as ``uptime`` prints them."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    """Run the three and print their rates and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=20, help="years of the Okazaki runs")
    parser.add_argument("--ref-years", type=int, default=2, help="years of the 20k comparison")
    parser.add_argument(
        "--ref-reps", type=int, default=3, help="repetitions (seeds 1, 2, …) of the 20k comparison"
    )
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()
    from bench_model import measure

    results: dict[str, object] = {
        "machine": f"{platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
    }
    print(results["machine"])
    print(f"load average before: {load()}", flush=True)
    k = measure(("okazaki", None, "jusou_full", args.years, "all"))
    results["kyosei"] = k
    print(
        f"Kyosei okazaki 1:1 jusou_full {args.years} y: {k['residents_start']:,} → "
        f"{k['residents_end']:,}; build + warm-up {k['init_s']:.1f} s, months {k['run_s']:.1f} s, "
        f"{k['resident_steps_per_s'] / 1e6:.2f} M resident-steps/s, {k['peak_rss_mb']:.0f} MB "
        f"(load {load()})",
        flush=True,
    )
    s = starsim(int(k["residents_start"]), args.years)
    results["starsim"] = s
    print(
        f"Starsim {s['version']} {s['agents_start']:,.0f} agents {args.years} y monthly: "
        f"build {s['init_s']:.1f} s, months {s['run_s']:.1f} s, "
        f"{s['agent_steps_per_s'] / 1e6:.2f} M agent-steps/s, {s['peak_rss_mb']:.0f} MB "
        f"(load {load()})",
        flush=True,
    )
    from bench_vs_agents import side_by_side

    # Kyosei's side of the 20k comparison is under half a second a repetition, so one
    # repetition's ratio moves by ±10 % with the machine; the ratio pools several (seeds
    # 1, 2, …): all resident-steps over all run time, each side's own, as bench_vs_agents.
    reps = [side_by_side(args.ref_years, seed) for seed in range(1, args.ref_reps + 1)]
    steps = {m: sum(float(r["resident_steps"][m]) for r in reps) for m in ("kyosei", "reference")}
    run_s = {m: sum(float(r["run_s"][m]) for r in reps) for m in ("kyosei", "reference")}
    rates = {m: steps[m] / run_s[m] for m in steps}
    each = [
        r["resident_steps_per_s"]["kyosei"] / r["resident_steps_per_s"]["reference"] for r in reps
    ]
    months = reps[0]["months"]
    results["reference_20k"] = {
        "months": months,
        "repetitions": len(reps),
        "rates": rates,
        "run_s": run_s,
        "ratio_each": each,
    }
    ratio_ref = rates["kyosei"] / rates["reference"]
    ratio_ss = float(k["resident_steps_per_s"]) / s["agent_steps_per_s"]
    results["ratio_starsim"] = ratio_ss
    results["ratio_reference_20k"] = ratio_ref
    print(
        f"20k district, {months} months × {len(reps)} repetitions: "
        f"Kyosei {rates['kyosei'] / 1e6:.2f} M, per-agent reference "
        f"{rates['reference'] / 1e3:.0f} k resident-steps/s; each repetition's ratio "
        + ", ".join(f"{x:.1f}×" for x in each)
        + f" (load {load()})"
    )
    print(f"Kyosei ÷ Starsim (agent-steps/s, same run): {ratio_ss:.2f}×  (target ≥ 2.7×)")
    print(f"Kyosei ÷ per-agent reference at 20k, pooled: {ratio_ref:.1f}×  (target ≥ 50×)")
    print(f"load average after: {load()}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
