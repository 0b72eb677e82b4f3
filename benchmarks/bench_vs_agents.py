"""Kyosei (NumPy columns) against a per-agent Mesa model of the same rules (issue 5).

Side by side, in one process: each repetition builds a Kyosei ``CommunityModel`` on the
``district`` profile (20,000 residents, baseline policy, every subsystem on; 民生委員
make no visits, see ``KYOSEI_OVERRIDES``) and a :class:`benchmarks.reference.ReferenceModel`
copied from it at month 0, then runs both a year at a time, alternating which goes
first, so that load from other work on the machine falls on both alike. Reported: run
time, resident-steps per second and their ratio, and a few aggregates of both after the
same months (same definitions) to show they model the same town.

``--full`` instead measures Kyosei's full model at 385,676 residents (``okazaki``,
``jusou_full``, 20 years) in a fresh process (``bench_model.measure``: resident-steps/s,
wall time and peak RSS).

Usage::

    python benchmarks/bench_vs_agents.py                # 20k, 5 years × 3 seeds (~1 min)
    python benchmarks/bench_vs_agents.py --years 2 --reps 2
    python benchmarks/bench_vs_agents.py --full         # Okazaki 1:1, 20 years (~1 min)
    python benchmarks/bench_vs_agents.py --json out.json

The numbers, the machine and the date go into ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import mesa  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks.bench_model import measure  # noqa: E402
from benchmarks.reference import ReferenceModel  # noqa: E402
from model import CommunityModel, ties  # noqa: E402
from scenarios import load_scenario  # noqa: E402

FULL_CASE = ("okazaki", None, "jusou_full", 20, "all")  # bench_model's case layout
# The reference leaves out 民生委員 visits; with none in Kyosei either, the two towns'
# queues and hidden need stay comparable. Kyosei still runs the whole 民生委員 rule
# (terms, recruitment, visit weights), so its measured cost is unchanged.
KYOSEI_OVERRIDES = {"minsei.visits_per_month": 0.0}
AGGREGATES = (
    "population",
    "in_need_share",
    "unmet_share",
    "hidden_share",
    "queue",
    "isolated_share",
    "lonely_share",
    "venue_regulars",
    "volunteers",
    "venues_open",
)
SHARES = ("in_need", "unmet", "hidden", "isolated", "lonely")


def machine() -> dict[str, object]:
    """What the numbers were measured on, and how busy it was."""
    return {
        "date": dt.datetime.now().isoformat(timespec="minutes"),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def kyosei_aggregates(model: CommunityModel) -> dict[str, float]:
    """Kyosei's town now, with the definitions ``ReferenceModel._record`` uses."""
    r = model.residents
    alive = r.alive
    has = (r.sev > 0) & alive
    unmet_by = has & ~r.supported
    unmet = unmet_by.any(axis=0)
    return {
        "population": int(alive.sum()),
        "in_need": int(has.any(axis=0).sum()),
        "unmet": int(unmet.sum()),
        "hidden": int((unmet & ~(unmet_by & r.known).any(axis=0)).sum()),
        "queue": int((alive & (r.case_state > 0)).sum()),
        "isolated": int(ties.isolated(model).sum()),  # colleagues do not count
        "lonely": int((alive & r.lonely).sum()),
        "venue_regulars": int((alive & (r.venue >= 0)).sum()),
        "volunteers": int((alive & r.volunteer).sum()),
        "venues_open": model.venues.open_count(),
    }


def with_shares(counts: dict[str, float]) -> dict[str, float]:
    """Counts plus shares of the population for the needs and isolation counts."""
    out = dict(counts)
    for name in SHARES:
        out[f"{name}_share"] = counts[name] / max(counts["population"], 1)
    return out


def side_by_side(years: int, seed: int) -> dict[str, object]:
    """One repetition: both models from the same month-0 town, run a year at a time."""
    scenario = load_scenario("district", "baseline", overrides=KYOSEI_OVERRIDES)
    t0 = time.perf_counter()
    kyosei = CommunityModel(scenario, seed=seed)
    t1 = time.perf_counter()
    reference = ReferenceModel(kyosei, seed=seed)
    t2 = time.perf_counter()
    start = with_shares(kyosei_aggregates(kyosei))
    run_s = {"kyosei": 0.0, "reference": 0.0}
    for year in range(years):
        order = ("kyosei", "reference") if (year + seed) % 2 == 0 else ("reference", "kyosei")
        for name in order:
            model = kyosei if name == "kyosei" else reference
            tic = time.perf_counter()
            model.run(12)
            run_s[name] += time.perf_counter() - tic
    population = kyosei.recorder.timeseries()["population"].to_numpy()
    steps = {
        "kyosei": float(population[1:].sum()) / kyosei.scale,
        "reference": float(sum(rec["population"] for rec in reference.records[1:])),
    }
    result = {
        "seed": seed,
        "months": 12 * years,
        "residents_start": start["population"],
        "init_s": {"kyosei": t1 - t0, "reference": t2 - t1},
        "run_s": run_s,
        "resident_steps": steps,
        "resident_steps_per_s": {k: steps[k] / run_s[k] for k in run_s},
        "start": start,
        "end": {
            "kyosei": with_shares(kyosei_aggregates(kyosei)),
            "reference": with_shares(reference.records[-1]),
        },
        "reference_over_capacity": max(rec["over_capacity"] for rec in reference.records[1:]),
    }
    del kyosei, reference
    gc.collect()
    return result


def _fmt(name: str, value: float, sign: str = "") -> str:
    if name.endswith("_share"):
        return f"{value:{sign}.3f}"
    return f"{value:{sign},.1f}" if abs(value) < 100 else f"{value:{sign},.0f}"


def compare(years: int, reps: int, seed: int) -> dict[str, object]:
    """Run ``reps`` repetitions and print the Markdown tables."""
    info = machine()
    print(
        f"machine: {info['cpus']} CPUs, {info['processor']}, Python {info['python']}, "
        f"NumPy {info['numpy']}, Mesa {info['mesa']}; {info['date']}; "
        f"load average before: {info['load_average']}",
        flush=True,
    )
    runs = []
    print(
        "\n| repetition (seed) | months | Kyosei run (s) | reference run (s) "
        "| Kyosei resident-steps/s | reference resident-steps/s | ratio |"
    )
    print("|---|---|---|---|---|---|---|")
    for rep in range(reps):
        res = side_by_side(years, seed + rep)
        runs.append(res)
        rate = res["resident_steps_per_s"]
        print(
            f"| {rep + 1} ({res['seed']}) | {res['months']} | {res['run_s']['kyosei']:.2f} | "
            f"{res['run_s']['reference']:.1f} | {rate['kyosei'] / 1e6:.2f} M | "
            f"{rate['reference'] / 1e3:.0f} k | **{rate['kyosei'] / rate['reference']:.1f}×** |",
            flush=True,
        )
    total = {
        k: sum(r["resident_steps"][k] for r in runs) / sum(r["run_s"][k] for r in runs)
        for k in ("kyosei", "reference")
    }
    ratio = total["kyosei"] / total["reference"]
    print(
        f"| all | {sum(r['months'] for r in runs)} | "
        f"{sum(r['run_s']['kyosei'] for r in runs):.2f} | "
        f"{sum(r['run_s']['reference'] for r in runs):.1f} | {total['kyosei'] / 1e6:.2f} M | "
        f"{total['reference'] / 1e3:.0f} k | **{ratio:.1f}×** |"
    )
    init = {k: np.mean([r["init_s"][k] for r in runs]) for k in ("kyosei", "reference")}
    print(
        f"\nInit (not in the run time): Kyosei {init['kyosei']:.2f} s (synthesis + warm-up), "
        f"reference {init['reference']:.2f} s (copying Kyosei's month 0 into agents)."
    )
    print(f"\nAfter {runs[0]['months']} months (mean over repetitions; month 0 identical):\n")
    print("| aggregate | month 0 | Kyosei | reference | reference − Kyosei |")
    print("|---|---|---|---|---|")
    for name in AGGREGATES:
        k = float(np.mean([r["end"]["kyosei"][name] for r in runs]))
        ref = float(np.mean([r["end"]["reference"][name] for r in runs]))
        s = float(np.mean([r["start"][name] for r in runs]))
        print(
            f"| {name} | {_fmt(name, s)} | {_fmt(name, k)} | {_fmt(name, ref)} "
            f"| {_fmt(name, ref - k, '+')} |"
        )
    over = max(r["reference_over_capacity"] for r in runs)
    # A counter takes a case while its balance before it is positive, so it may go over
    # by less than one case, repaid the next month (tests/test_reference_agents.py).
    print(
        f"\nReference counters' largest (served − capacity) in any month: {over:.3f} "
        "(< 1: at most part of one case beyond the capacity)"
    )
    after = [round(x, 2) for x in os.getloadavg()]
    print(f"load average after: {after}")
    return {"machine": info, "load_after": after, "runs": runs, "ratio": ratio}


def full_model() -> dict[str, object]:
    """Kyosei's full model at Okazaki 1:1 with every component, in a fresh process."""
    info = machine()
    print(
        f"machine: {info['cpus']} CPUs, Python {info['python']}, NumPy {info['numpy']}; "
        f"{info['date']}; load average before: {info['load_average']}",
        flush=True,
    )
    res = measure(FULL_CASE)
    print("\n| case | residents (start → end) | wall time (s) | resident-steps/s | peak RSS (MB) |")
    print("|---|---|---|---|---|")
    print(
        f"| okazaki, jusou_full, 20 years | {res['residents_start']:,} → "
        f"{res['residents_end']:,} | {res['total_s']:.1f} (init {res['init_s']:.1f}) | "
        f"{res['resident_steps_per_s'] / 1e6:.2f} M | {res['peak_rss_mb']:.0f} |"
    )
    print("targets: ≤ 30 s, ≤ 1.5 GB, ≥ 3 M resident-steps/s")
    after = [round(x, 2) for x in os.getloadavg()]
    print(f"load average after: {after}")
    return {"machine": info, "load_after": after, "full": res}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=5, help="years per side-by-side run")
    parser.add_argument("--reps", type=int, default=3, help="repetitions (seeds seed, seed+1…)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--full", action="store_true", help="Kyosei at 385,676 residents")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()
    out = full_model() if args.full else compare(args.years, args.reps, args.seed)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=float))


if __name__ == "__main__":
    main()
