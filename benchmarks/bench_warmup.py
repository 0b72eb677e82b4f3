"""The start and the warm-up: how long the build takes, and how long each stock needs to settle.

Two measurements (each in fresh Python processes, the load average printed before and
after)::

    python benchmarks/bench_warmup.py build --old /tmp/warm-old   # Okazaki 1:1, jusou_full
    python benchmarks/bench_warmup.py relax --warmup 0            # small_town, frozen

``build`` times ``CommunityModel(okazaki, jusou_full, seed=1)`` split into the town's
synthesis (everything but the warm-up months) and the warm-up months phase by phase
(``time_phases=True``); with ``--old DIR`` the same build of an older checkout runs first
in the same script (this interpreter, ``PYTHONPATH=DIR``).

``relax`` freezes the town as the stationarity test does (demography and calendar
trends off, ``tests/test_balance.py``), starts it with ``--warmup`` months (0: straight
from the synthetic draws and the analytic starts), records 20 years for each seed and
reports, for each stock the warm-up settles, its value at month 0, its long-run level
(the mean of years 11-20 over the seeds) and its relaxation time: the first month from
which the seeds' mean (a 12-month moving mean) stays within the issue-13 tolerance of the
long-run level (±1 pt for shares, ±10 % for counts), or within two standard errors of
a year's mean where chance alone spreads wider (stocks of a handful of units). The
table goes into
``benchmarks/README.md`` and the ODD's warm-up section.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FROZEN = {
    "switches.demography": False,
    "ties.neighbour_trend": 0.0,
    "ties.kin_trend": 0.0,
    "minsei.fill_trend": 0.0,
}
#: (output, kind): "share" within ±1 pt, "count" within ±10 %.
STOCKS = (
    ("queue", "count"),
    ("isolation_rate", "share"),
    ("lonely_rate", "share"),
    ("participation_rate", "share"),
    ("group_members", "count"),
    ("venue_regulars", "count"),
    ("volunteers", "count"),
    ("minsei_fill_rate", "share"),
    ("share_withdrawn_15_64", "share"),
    ("hh_8050", "count"),
    ("double_care", "count"),
    ("unmet_of_need", "share"),
    ("hidden_share", "share"),
)

BUILD = textwrap.dedent(
    """
    import json, time
    from model import CommunityModel
    from scenarios import load_scenario

    scenario = load_scenario("okazaki", "jusou_full")
    t0 = time.perf_counter()
    model = CommunityModel(scenario, seed=1, time_phases=True)
    total = time.perf_counter() - t0
    phases = {k: v for k, v in model.phase_seconds.items() if v > 0}
    out = {"build_s": total, "warmup_s": sum(phases.values()), "phases": phases,
           "months": int(scenario.params.switches.warmup_months),
           "residents": int(model.residents.alive.sum())}
    print(json.dumps(out))
    """
)


def load() -> str:
    """The load average, as ``uptime`` prints it."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def build(checkout: Path) -> dict:
    """The Okazaki build of ``checkout`` in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run(
        [sys.executable, "-c", BUILD],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _frozen_run(job: tuple[str, float, int, int, int]) -> dict[str, list[float]]:
    town, scale, seed, warmup, months = job
    from model import CommunityModel
    from scenarios import load_scenario

    overrides = {**FROZEN, "switches.warmup_months": warmup}
    scenario = load_scenario(town, scale=scale, overrides=overrides)
    ts = CommunityModel(scenario, seed=seed).run(months).recorder.timeseries()
    return {name: ts[name].astype(float).tolist() for name, _ in STOCKS}


def relax(town: str, scale: float, seeds: int, warmup: int, years: int) -> list[dict]:
    """One row per stock: month 0, long-run level, tolerance and relaxation months."""
    import numpy as np

    months = 12 * years
    jobs = [(town, scale, seed, warmup, months) for seed in range(1, seeds + 1)]
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        runs = list(pool.map(_frozen_run, jobs))
    rows = []
    for name, kind in STOCKS:
        per_seed = np.asarray([run[name] for run in runs])
        series = per_seed.mean(axis=0)
        level = float(series[-(months // 2) :].mean())
        tol = 0.01 if kind == "share" else 0.10 * abs(level)
        smooth = np.convolve(series, np.ones(12) / 12, mode="valid")  # month m: m..m+11
        # The chance spread of the seeds' mean of one year (years 11-20): where it is wider
        # than the tolerance (a stock of a handful of units) the criterion is 2 of them.
        years_late = per_seed[:, -(months // 2) :].reshape(len(runs), -1, 12).mean(axis=2)
        noise = float(years_late.std(axis=0, ddof=1).mean() / np.sqrt(len(runs)))
        outside = np.flatnonzero(np.abs(smooth - level) > max(tol, 2 * noise))
        settled = 0 if outside.size == 0 else int(outside[-1]) + 1
        rows.append(
            {
                "stock": name,
                "month_0": float(series[0]),
                "year_1": float(series[1:13].mean()),
                "level": level,
                "tolerance": tol,
                "noise": 2 * noise,
                "months": settled,
            }
        )
    return rows


def main() -> None:
    """Run one measurement and print its table (markdown)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    b = sub.add_parser("build", help="Okazaki 1:1 build + warm-up seconds")
    b.add_argument("--old", type=Path, help="checkout of an older commit, timed first")
    r = sub.add_parser("relax", help="relaxation time of each stock in a frozen town")
    r.add_argument("--town", default="small_town")
    r.add_argument("--scale", type=float, default=1.0)
    r.add_argument("--seeds", type=int, default=5)
    r.add_argument("--warmup", type=int, default=0)
    r.add_argument("--years", type=int, default=20)
    args = parser.parse_args()
    print(f"load average before: {load()}")
    if args.what == "build":
        trees = ([("old", args.old)] if args.old else []) + [("this tree", ROOT)]
        results = [(name, build(path)) for name, path in trees]
        print(f"load average after: {load()}")
        print("| tree | warm-up months | build + warm-up (s) | synthesis (s) | warm-up (s) |")
        print("|---|---|---|---|---|")
        for name, res in results:
            synthesis = res["build_s"] - res["warmup_s"]
            print(
                f"| {name} | {res['months']} | {res['build_s']:.2f} | {synthesis:.2f} | "
                f"{res['warmup_s']:.2f} |"
            )
        for name, res in results:
            n = max(res["months"], 1)
            print(f"\n{name}: warm-up ms per month by phase")
            for phase, s in sorted(res["phases"].items(), key=lambda kv: -kv[1]):
                print(f"  {phase}: {1000 * s / n:.1f}")
        return
    rows = relax(args.town, args.scale, args.seeds, args.warmup, args.years)
    print(f"load average after: {load()}")
    print(
        f"{args.town} at scale {args.scale:g}, frozen, warm-up {args.warmup} months, "
        f"seeds 1-{args.seeds}, {args.years} years"
    )
    print(
        "| stock | month 0 | year 1 | long-run level (years 11-20) | tolerance | "
        "2 SE of a year | months to settle |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| `{row['stock']}` | {row['month_0']:.4g} | {row['year_1']:.4g} | "
            f"{row['level']:.4g} | {row['tolerance']:.3g} | {row['noise']:.3g} | "
            f"{row['months']} |"
        )


if __name__ == "__main__":
    main()
