"""``kyosei run TOWN``: run one town under one policy package and write its outputs.

Without a policy (the baseline), one run: a start-vs-end summary, and
``timeseries.parquet``, ``districts.parquet`` and ``manifest.json`` in the output folder.

With ``--policy`` (a package with interventions), a small paired comparison: the package
and the baseline on the same ``--replicates`` seeds (3 by default; common random
numbers), written as a results set by the experiments' runner — the folder that
``kyosei sweep`` writes, so ``kyosei analyze`` and the dashboard open it — and printed
as paired mean differences with their 90 % intervals. With one replicate the table says
it shows one seed, not an effect. The folder appears complete or not at all.
"""

from __future__ import annotations

import argparse
import re
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..progress import add_quiet, bar, wanted
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
    p.add_argument(
        "--replicates",
        type=int,
        default=REPLICATES,
        help=f"paired seeds with --policy (default {REPLICATES}; 1 shows one seed, not an effect)",
    )
    p.set_defaults(handler=handle)


REPLICATES = 3
LEVEL = 0.9


def check_run_arguments(args: argparse.Namespace) -> Scenario:
    """Validate every input before anything runs; returns the scenario."""
    from model import budget
    from model.parameters import ParameterError, check_number, check_whole
    from scenarios import load_scenario

    check_whole("--years", args.years, lo=1, hi=100, unit="years")
    check_whole("--seed", args.seed, lo=0, hi=2**63 - 1)
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
    from model import CommunityModel
    from model.errors import UsageError

    scenario = check_run_arguments(args)
    out = args.out or default_out(scenario, args)
    if args.policy != "baseline":
        # A package against the baseline is a results set: the sweep's folder rules hold
        # (a foreign folder is refused, the same comparison resumes, another is refused).
        if any(item.strip().startswith("policy.") for item in args.set):
            raise UsageError(
                "--set policy.…: with --policy it would change the baseline arm too; write the "
                "setting into a policy file ('kyosei scenarios show POLICY' lists the paths)"
            )
        return compare(args, scenario, out)
    io.check_run_folder(out, overwrite=args.overwrite)  # before any work, and again at the end
    with bar(args.years, "run", unit="yr", quiet=args.quiet) as years:
        started = time.perf_counter()
        model = CommunityModel(scenario, seed=args.seed)
        for _ in range(args.years):
            model.run(12)
            years.update(1)
        wall = time.perf_counter() - started
    runs = {scenario.policy.name: model}
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


def experiment_text(args: argparse.Namespace, out: Path) -> str:
    """The experiment of a ``kyosei run --policy``: baseline and the package, paired seeds."""
    import json

    def q(text: object) -> str:
        return json.dumps(str(text), ensure_ascii=False)  # a TOML basic string

    town = str(Path(args.town).resolve()) if str(args.town).endswith(".toml") else args.town
    policy = args.policy
    if str(policy).endswith(".toml"):
        policy = str(Path(policy).resolve())
    lines = [
        "# Written by kyosei run --policy: the package against the baseline on paired seeds.",
        "[experiment]",
        f"name = {q(out.name)}",
        f"root_seed = {int(args.seed)}",
        f"replications = {int(args.replicates)}",
        f"years = {int(args.years)}",
        f"scale = {float(args.scale)!r}",
        f"towns = [{q(town)}]",
        f'policies = ["baseline", {q(policy)}]',
        'reference = "baseline"',
    ]
    if args.set:
        lines.append("[fixed]")
        for item in args.set:
            key, _, raw = item.partition("=")
            lines.append(f"{q(key.strip())} = {_toml_value(raw.strip())}")
    return "\n".join(lines) + "\n"


def _toml_value(raw: str) -> str:
    """``raw`` as a TOML value: as written when it parses, else as a string."""
    import json
    import tomllib

    try:
        tomllib.loads(f"v = {raw}")
    except tomllib.TOMLDecodeError:
        return json.dumps(raw, ensure_ascii=False)
    return raw


def compare(args: argparse.Namespace, scenario: Scenario, out: Path) -> int:
    """The package against the baseline on ``--replicates`` paired seeds, as a results set."""
    from experiments.spec import parse_experiment
    from experiments.store import ResultsStore
    from experiments.sweep import run_experiment
    from model.parameters import check_whole

    check_whole("--replicates", args.replicates, lo=1, hi=1000)
    text = experiment_text(args, out)
    experiment = parse_experiment(text, file=f"{out.name}.toml")  # raises on bad input
    started = time.perf_counter()
    workers = compare_workers(scenario, args.years, 2 * args.replicates)
    run_experiment(experiment, out, workers=workers, progress=wanted(args.quiet))
    wall = time.perf_counter() - started
    store = ResultsStore(out)
    print(paired_table(store, args.years, args.replicates))
    print(
        f"\nwrote {out}/ (a results set: open it with 'kyosei analyze {out}' or"
        f" 'kyosei dashboard --results {out}') in {wall:.1f} s"
    )
    return 0


# Starting worker processes costs seconds; a comparison whose runs the estimate puts
# under this many seconds in all runs in this process instead (a small town answers at once).
PROCESSES_WORTH_S = 5.0


def compare_workers(scenario: Scenario, years: int, runs: int) -> int:
    """Processes for ``runs`` runs of ``scenario``: 1 (this process) for small work, else 2."""
    import os

    from model.budget import estimate

    need = estimate(scenario.params.town.population, scenario.scale, 12 * years)
    if need.seconds * runs < PROCESSES_WORTH_S:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def paired_table(store: Any, years: int, replicates: int) -> str:
    """Baseline and package means with the paired mean difference and its 90 % interval.

    Costs are totals over the run; every other metric is its value in the last month.
    Pairs are the replicates (the same seed in both arms).
    """
    import math

    import numpy as np

    from experiments.analysis import half_width
    from model.metrics import METRICS

    runs = store.runs(status="ok")
    ts = store.timeseries()
    last = int(ts["month"].max())
    arms = list(dict.fromkeys(runs["arm"]))
    ref = next(a for a in arms if a.endswith("/baseline"))
    arm = next(a for a in arms if a != ref)
    keyed = ts.merge(runs[["run_id", "arm", "replicate"]], on="run_id")
    columns = [k for k in COMPARE if k in ts.columns]
    end = keyed[keyed["month"] == last]
    total = keyed[keyed["month"] >= 1].groupby(["arm", "replicate"])[columns].sum().reset_index()
    rows = []
    for key in columns:
        frame = total if key in CUMULATIVE else end
        a = frame[frame["arm"] == arm].set_index("replicate")[key]
        b = frame[frame["arm"] == ref].set_index("replicate")[key]
        d = (a - b).dropna().to_numpy(float)
        m = METRICS[key]
        label = f"{m.en} ({m.ja})" + (f", {years}-yr total" if key in CUMULATIVE else "")
        if d.size > 1:
            half = half_width(float(np.std(d, ddof=1)), d.size, LEVEL)
            mean = float(d.mean())
            diff = f"{_delta(m, mean)} [{_delta(m, mean - half)}, {_delta(m, mean + half)}]"
        else:
            diff = _delta(m, float(d.mean())) if d.size else "—"
            if not math.isfinite(float(d.mean()) if d.size else math.nan):
                diff = "—"
        rows.append([label, m.format(float(b.mean())), m.format(float(a.mean())), diff])
    if replicates > 1:
        head = f"paired difference ({LEVEL:.0%} interval, {replicates} seeds)"
        note = (
            f"Means over {replicates} paired seeds (common random numbers); the interval is the"
            f" {LEVEL:.0%} t-interval of the paired differences. Shares differ in percentage"
            " points (pt)."
        )
    else:
        head = "difference (ONE seed)"
        note = (
            "ONE SEED: a single pair of runs, not an effect estimate; its difference is mostly"
            f" chance. Use --replicates {REPLICATES} or more for an interval."
        )
    header = ["metric", f"{ref} (yr {years})", f"{arm} (yr {years})", head]
    return render(header, rows, right=(1, 2, 3)) + "\n" + note


def _delta(m: Any, value: float) -> str:
    """A signed difference; shares in percentage points."""
    if value != value:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    if m.unit == "share":
        return f"{sign}{abs(value) * 100:.2f} pt"
    return sign + m.format(abs(value))


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
