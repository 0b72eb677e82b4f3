"""``kyosei run TOWN``: run one town under one policy package and write its outputs.

Prints a summary (start vs end; with a policy package, side by side with the baseline
on the same seed) and writes ``timeseries.parquet``, ``districts.parquet`` and
``manifest.json`` into the output folder. The folder appears complete or not at all.
"""

from __future__ import annotations

import argparse
import re
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..progress import add_quiet, bar
from ..table import render

# The model, the scenarios and the experiments package import NumPy, pandas and Mesa:
# the handler imports them, so that building the parser (kyosei --help) stays quick.
if TYPE_CHECKING:
    import pandas as pd

    from model import CommunityModel, Scenario

SUMMARY = ["population", "aging_rate", "households", "single_elderly", "single_elderly_share"]


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """``--set demography.tfr=1.4`` → ``{"demography.tfr": 1.4}`` (TOML value syntax)."""
    import tomllib

    from model.parameters import ParameterError

    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ParameterError("--set", item, "PARAMETER=VALUE, e.g. demography.tfr=1.4")
        try:
            out[key.strip()] = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            out[key.strip()] = raw.strip()
    return out


def add_run_arguments(p: argparse.ArgumentParser) -> None:
    """Arguments shared by commands that run one town (run, calibrate)."""
    p.add_argument("town", help="a town profile name (see 'kyosei scenarios') or a .toml file")
    p.add_argument("--policy", default="baseline", help="policy package name or .toml file")
    p.add_argument("--years", type=int, default=20, help="years to simulate (default 20)")
    p.add_argument("--seed", type=int, default=1, help="root random seed (default 1)")
    p.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="people per simulated resident, e.g. 10 for a quick demo (default 1)",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PARAM=VALUE",
        help="override a parameter, e.g. --set demography.tfr=1.4",
    )


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``kyosei run``."""
    p = sub.add_parser("run", help="run one town under one policy package")
    add_run_arguments(p)
    p.add_argument(
        "--out",
        type=Path,
        help="output folder (default runs/TOWN-POLICY-YEARSy-scaleS-seedN); a folder "
        "holding anything but an earlier run is refused",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the output folder if it holds an earlier 'kyosei run'",
    )
    add_quiet(p)
    p.set_defaults(handler=handle)


def check_run_arguments(args: argparse.Namespace) -> Scenario:
    """Validate every input before anything runs; returns the scenario."""
    from model import budget
    from model.parameters import ParameterError, check_number
    from scenarios import load_scenario

    if not 1 <= args.years <= 100:
        raise ParameterError("--years", args.years, "a whole number of years from 1 to 100")
    if not 0 <= args.seed < 2**63:
        raise ParameterError("--seed", args.seed, "a whole number from 0 to 2**63-1")
    check_number("--scale", args.scale, lo=1, hi=10_000, unit="people per simulated resident")
    scenario = load_scenario(
        args.town, args.policy, scale=args.scale, overrides=parse_overrides(args.set)
    )
    try:
        budget.check_fits(scenario.params.town.population, scenario.scale, 12 * args.years)
    except ParameterError as err:
        raise err.in_file(str(args.town)) from None
    return scenario


def handle(args: argparse.Namespace) -> int:
    """Run, print the summary, write the outputs."""
    from experiments import io
    from model import CommunityModel, Scenario

    scenario = check_run_arguments(args)
    out = args.out or default_out(scenario, args)
    io.check_run_folder(out, overwrite=args.overwrite)  # before any work, and again at the end
    arms = 2 if scenario.policy.interventions else 1
    with bar(arms * args.years, "run", unit="yr", quiet=args.quiet) as years:

        def simulate(s: Scenario) -> CommunityModel:
            model = CommunityModel(s, seed=args.seed)
            for _ in range(args.years):
                model.run(12)
                years.update(1)
            return model

        started = time.perf_counter()
        model = simulate(scenario)
        wall = time.perf_counter() - started
        runs = {scenario.policy.name: model}
        if scenario.policy.interventions:
            base = Scenario(
                scenario.name, scenario.params, scale=scenario.scale, overrides=scenario.overrides
            )
            runs = {"baseline": simulate(base), **runs}
    print(summary_table(runs, args.years))
    _write(out, model, scenario, args, wall)
    print(f"\nwrote {out}/ (timeseries.parquet, districts.parquet, manifest.json) in {wall:.1f} s")
    return 0


def default_out(scenario: Scenario, args: argparse.Namespace) -> Path:
    """``runs/TOWN-POLICY-YEARSy-scaleS-seedN``: reruns with other settings never collide."""
    parts = [
        scenario.params.town.name,
        scenario.policy.name,
        f"{args.years}y",
        f"scale{scenario.scale:g}",
        f"seed{args.seed}",
    ]
    name = "-".join(re.sub(r"[^\w.-]+", "_", part).strip("._") or "x" for part in parts)
    return Path("runs") / name[:200]


def summary_table(runs: dict[str, CommunityModel], years: int) -> str:
    """Start vs end for one run; end values side by side (with differences) for several."""
    from model.metrics import METRICS

    names = list(runs)
    first = runs[names[0]].recorder.timeseries()
    start, end = (_date(first, row) for row in (0, -1))
    rows = []
    if len(names) == 1:
        for key in SUMMARY:
            m = METRICS[key]
            rows.append(
                [f"{m.en} ({m.ja})", m.format(first[key].iloc[0]), m.format(first[key].iloc[-1])]
            )
        return render(["metric", start, f"{end} ({years} yr)"], rows, right=(1, 2))
    frames = {n: runs[n].recorder.timeseries() for n in names}
    for key in summary_metrics(runs):
        m = METRICS[key]
        if key in CUMULATIVE:
            ends = [frames[n][key].sum() for n in names]
            label = f"{m.en} ({m.ja}), {years}-yr total"
        else:
            ends = [frames[n][key].iloc[-1] for n in names]
            label = f"{m.en} ({m.ja})"
        diff = ends[-1] - ends[0]
        rows.append([label, *[m.format(v) for v in ends], _signed(m, diff)])
    header = ["metric", *[f"{n} ({end})" for n in names], "difference"]
    return render(header, rows, right=tuple(range(1, len(names) + 2)))


def _date(ts: pd.DataFrame, row: int) -> str:
    """The calendar date of a time-series row, e.g. ``2034/01``."""
    return f"{int(ts['year'].iloc[row])}/{int(ts['calendar_month'].iloc[row]):02d}"


def summary_metrics(runs: dict[str, CommunityModel]) -> list[str]:
    """The side-by-side metrics available in these runs."""
    columns = next(iter(runs.values())).recorder.last()
    return [k for k in COMPARE if k in columns]


COMPARE = [
    "population",
    "aging_rate",
    "unmet",
    "unmet_of_need",
    "hidden",
    "isolation_rate",
    "participation_rate",
    "volunteers",
    "venues_open",
    "npos",
    "minsei_fill_rate",
    "cost_national",
    "cost_prefecture",
    "cost_municipality",
    "cost_insurance",
    "cost_private",
    "cost_total",
    "cost_baseline",
    "cost_policy",
]
# Costs are summed over the run; everything else is the value in the last month.
CUMULATIVE = {name for name in COMPARE if name.startswith("cost_")}


def _signed(m: Any, diff: float) -> str:
    text = m.format(abs(diff))
    return ("+" if diff > 0 else "−" if diff < 0 else "±") + text


def _write(
    out: Path, model: CommunityModel, scenario: Scenario, args: argparse.Namespace, wall: float
) -> None:
    from experiments import io

    build = io.make_build_dir(out)
    try:
        _fill(build, model, scenario, args, wall)
        io.replace_dir(build, out, overwrite=args.overwrite)
    finally:
        shutil.rmtree(build, ignore_errors=True)


def _fill(
    build: Path, model: CommunityModel, scenario: Scenario, args: argparse.Namespace, wall: float
) -> None:
    from experiments import io, provenance
    from model.parameters import describe

    io.write_parquet(model.recorder.timeseries(), build / "timeseries.parquet")
    io.write_parquet(model.recorder.districts(), build / "districts.parquet")
    manifest = {
        "kind": io.RUN_KIND,
        "files": sorted(io.RUN_FILES),
        "town": args.town,
        "policy": args.policy,
        "years": args.years,
        "seed": args.seed,
        "scale": scenario.scale,
        "overrides": dict(scenario.overrides),
        "interventions": [vars(s) for s in scenario.policy.interventions],
        "parameters": {r["parameter"]: r["value"] for r in describe(scenario.params)},
        "wall_seconds": round(wall, 3),
        **provenance.stamp(),
    }
    io.write_json(manifest, build / "manifest.json")
