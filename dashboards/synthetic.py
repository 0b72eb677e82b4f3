"""A genuine results store filled with made-up outputs, for the dashboard's tests and benchmark.

The folder is written by the experiments writer from a real plan (so its layout,
manifest and run ids are exactly what ``kyosei sweep`` writes), but each run's
outputs are smooth trends plus noise instead of a model run: a 1,000-run set takes a
few seconds instead of hours, and the tests do not depend on the model's numbers.
Never use it for anything a person reads as a result.

Noise is drawn from a generator seeded by the run's seed, shared between arms, so
paired differences behave as they do with common random numbers.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.plan import make_plan
from experiments.run import OK, RunResult, RunSpec
from experiments.spec import parse_experiment
from experiments.writer import StoreWriter

# Made-up packages: (name, Japanese label, English label, effect size, components).
PACKAGES = (
    ("baseline", "現状維持（縦割り）", "Baseline (siloed counters)", 0.0, ()),
    ("synthetic_outreach", "アウトリーチ（試験用）", "Outreach (test data)", 0.5, ("outreach",)),
    (
        "synthetic_jusou",
        "重層的支援（試験用）",
        "Multi-layered support (test data)",
        1.0,
        ("consultation", "outreach", "participation"),
    ),
    ("synthetic_venues", "居場所づくり（試験用）", "Venues (test data)", 0.3, ("community",)),
)
COMPONENT_LABELS = {
    "consultation": ("包括的相談支援", "One-stop consultation"),
    "outreach": ("アウトリーチ", "Outreach"),
    "participation": ("参加支援", "Participation support"),
    "community": ("地域づくり", "Community building"),
}
AGE_GROUPS = ("0_17", "18_39", "40_64", "65_74", "75plus")


def _policy_files(folder: Path, n_packages: int) -> list[str]:
    """Write the made-up policy packages (no components: outputs are faked anyway)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, ja, en, _, _ in PACKAGES[:n_packages]:
        if name == "baseline":
            paths.append("baseline")
            continue
        path = folder / f"{name}.toml"
        path.write_text(
            f'[policy]\nname = "{name}"\nlabel_ja = "{ja}"\nlabel_en = "{en}"\n', encoding="utf-8"
        )
        paths.append(str(path))
    return paths


def experiment_text(
    policies: list[str],
    replications: int,
    years: int,
    *,
    town: str = "district",
    sweep: int = 0,
    name: str = "synthetic",
) -> str:
    """The experiment file of a synthetic set (``sweep`` > 0 adds a Latin-hypercube design)."""
    quoted = ", ".join(f'"{p}"' for p in policies)
    text = f"""
        [experiment]
        name = "{name}"
        root_seed = 7
        replications = {replications}
        years = {years}
        scale = 10
        towns = ["{town}"]
        policies = [{quoted}]
        reference = "baseline"
        """
    if sweep:
        text += f"""
        [design]
        kind = "latin_hypercube"
        samples = {sweep}

        [uncertainties]
        "demography.tfr" = {{ min = 1.0, max = 1.8 }}
        "demography.in_rate" = {{ min = 0.01, max = 0.03 }}
        """
    return textwrap.dedent(text)


def fake_outputs(
    spec: RunSpec, effect: float, components: tuple[str, ...], districts: int = 4
) -> RunResult:
    """Plausible-looking outputs of one run (see the module docstring)."""
    months = np.arange(spec.months + 1)
    years = months / 12.0
    gen = np.random.default_rng([spec.seed, spec.point])  # shared between arms: CRN-like
    own = np.random.default_rng([spec.seed, spec.point, int(effect * 1000)])
    inputs = dict(spec.inputs)
    tfr = float(inputs.get("demography.tfr", 1.3))
    in_rate = float(inputs.get("demography.in_rate", 0.02))
    walk = np.cumsum(gen.normal(0, 1, months.size)) / np.sqrt(months.size)
    pop0 = 20_000.0
    pop = pop0 * (1 + (-0.012 + 0.02 * (tfr - 1.3) + 0.5 * (in_rate - 0.02)) * years) + 60 * walk
    aging = 0.30 + 0.004 * years + 0.002 * walk
    ramp = np.clip(years / 2.0, 0, 1) * effect
    unmet_share = np.clip(
        0.045 + 0.0012 * years - 0.012 * ramp + 0.002 * walk + own.normal(0, 4e-4, months.size),
        0,
        1,
    )
    iso = np.clip(0.11 + 0.001 * years - 0.015 * ramp + 0.003 * walk, 0, 1)
    volunteers = 900 - 12 * years + 120 * ramp + 15 * walk
    demand = 40_000 + 900 * years
    supply = 36_000 - 500 * years + 5000 * ramp + 300 * walk
    cost_total = np.where(years > 0, 1.2e6 * effect * (1 + 0.01 * years), 0.0)
    ts = pd.DataFrame(
        {
            "month": months.astype(np.int64),
            "year": years,
            "population": pop,
            "aging_rate": aging,
            "in_need": pop * 0.12,
            "unmet": pop * unmet_share,
            "unmet_share": unmet_share,
            "hidden": pop * unmet_share * 0.4,
            "isolation_rate": iso,
            "participation_rate": 0.2 + 0.05 * ramp,
            "volunteers": volunteers,
            "tanite_demand_hours": demand,
            "tanite_supply_hours": supply,
            "tanite_balance_hours": supply - demand,
            "cost_national": cost_total * 0.45,
            "cost_prefecture": cost_total * 0.25,
            "cost_municipality": cost_total * 0.2,
            "cost_insurance": cost_total * 0.05,
            "cost_private": cost_total * 0.05,
            "cost_total": cost_total,
            "reconnected": np.where(
                years > 0, 4.0 + 6.0 * ramp + own.uniform(0, 1, months.size), 0
            ),
            "unmet_gini_districts": 0.12 + 0.01 * walk - 0.02 * ramp,
            "unmet_rate_single_elderly": np.clip(0.5 - 0.15 * ramp + 0.02 * walk, 0, 1),
        }
    )
    for i, group in enumerate(AGE_GROUPS):
        ts[f"unmet_rate_{group}"] = np.clip(0.25 + 0.06 * i - 0.1 * ramp + 0.02 * walk, 0, 1)
    d = np.arange(districts)
    frames = []
    for m in months[::12] if spec.months > 24 else months:
        r = float(np.clip(m / 24.0, 0, 1)) * effect
        frames.append(
            pd.DataFrame(
                {
                    "month": np.full(districts, m, dtype=np.int64),
                    "district": d.astype(np.int64),
                    "population": pop[m] / districts * (1 + 0.1 * (d - d.mean())),
                    "unmet_rate": 0.3 + 0.05 * d - 0.08 * r + gen.normal(0, 0.01, districts),
                    "isolation_rate": 0.1 + 0.01 * d - 0.02 * r,
                    "tanite_balance_hours": (supply[m] - demand[m]) / districts + 500 * (d - 1.5),
                }
            )
        )
    timeline = [
        {
            "kind": c,
            "label_ja": COMPONENT_LABELS[c][0],
            "label_en": COMPONENT_LABELS[c][1],
            "start_month": 12 * i,
            "end_month": None,
            "intensity": 1.0,
            "eligibility": "all",
        }
        for i, c in enumerate(components)
    ]
    return RunResult(
        spec.run_id,
        OK,
        wall_s=0.01,
        started="2025-01-01T00:00:00+00:00",
        finished="2025-01-01T00:00:01+00:00",
        worker="synthetic",
        timeseries=ts,
        districts=pd.concat(frames, ignore_index=True),
        timeline=timeline,
    )


def write_synthetic(
    out: str | Path,
    *,
    packages: int = 3,
    replications: int = 5,
    years: int = 20,
    sweep: int = 0,
    town: str = "small_town",
    name: str | None = None,
) -> Path:
    """Write a synthetic results set to ``out``; returns the folder.

    ``packages`` arms (2–4) × ``replications`` (× ``sweep`` design points when > 0).
    """
    out = Path(out)
    policies = _policy_files(out.parent / f"_{out.name}_policies", packages)
    text = experiment_text(
        policies, replications, years, town=town, sweep=sweep, name=name or out.name
    )
    experiment = parse_experiment(text, file=str(out.parent / f"{out.name}.toml"))
    plan = make_plan(experiment)
    from scenarios import load_town

    n_districts = load_town(town).town.districts
    effects = {Path(p).stem: (e, c) for p, (_, _, _, e, c) in zip(policies, PACKAGES, strict=False)}
    writer = StoreWriter(out, plan, batch_runs=256, flush_seconds=3600)
    writer.open()
    for spec in writer.todo():
        effect, components = effects[Path(spec.policy).stem]
        writer.add(fake_outputs(spec, effect, components, n_districts))
    writer.flush()
    writer.close({"synthetic": True})
    return out
