"""The national-like town from its 2024 structure to 2050 and 2070, next to the IPSS projection.

Run ``python docs/validation_run.py [--scale 4] [--seeds 1 2 3]``; it prints the Markdown
table of docs/validation.md. The model is not given any of the IPSS outcome figures it is
compared with here (only the IPSS *assumptions*: life expectancy, fertility and foreigners'
net entries). Takes a few minutes at the default scale.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from model import CommunityModel
from model.demography import life_expectancy
from model.population import FEMALE, MALE
from scenarios import load_scenario

# IPSS 2023 medium (outcomes; from [ipss-2023-medium]), 2024 base 123.802 M ([stat-jinsui-2024]),
# 65+ living alone 2050 ([cao-aging-whitepaper-2024]), households ([ipss-2024-households]).
IPSS = {
    "population 2050 vs 2024": (104.686 / 123.802 - 1) * 100,
    "population 2070 vs 2024": (86.996 / 123.802 - 1) * 100,
    "aging rate 2050": 37.1,
    "aging rate 2070": 38.7,
    "year the 65+ count peaks": 2043,
    "65+ men living alone 2050": 26.1,
    "65+ women living alone 2050": 29.3,
    "year households peak": 2030,
    "mean household size 2050": 1.92,
}
DECIMALS = {"mean household size 2050": 2, "TFR realised 2024-69": 2}


def one_run(scale: float, seed: int, end_year: int = 2070) -> dict[str, float]:
    """The compared figures of one run."""
    scenario = load_scenario("national", scale=scale)
    model = CommunityModel(scenario, seed=seed)
    model.run(12 * (end_year - model.start_year))
    ts = model.recorder.timeseries()
    january = ts[ts["calendar_month"] == 1].set_index("year")
    yearly = ts.groupby("year").mean(numeric_only=True)
    old = yearly["population"] * yearly["aging_rate"]
    p0 = january.loc[2024, "population"]
    life = model.life_record
    return {
        "population 2050 vs 2024": (january.loc[2050, "population"] / p0 - 1) * 100,
        "population 2070 vs 2024": (january.loc[2070, "population"] / p0 - 1) * 100,
        "aging rate 2050": january.loc[2050, "aging_rate"] * 100,
        "aging rate 2070": january.loc[2070, "aging_rate"] * 100,
        "year the 65+ count peaks": float(old.loc[:2069].idxmax()),
        "65+ men living alone 2050": yearly.loc[2050, "alone_65_male"] * 100,
        "65+ women living alone 2050": yearly.loc[2050, "alone_65_female"] * 100,
        "year households peak": float(yearly.loc[:2069, "households"].idxmax()),
        "mean household size 2050": yearly.loc[2050, "mean_household_size"],
        "life expectancy men 2046-50 (simulated deaths)": life.life_expectancy(
            MALE, list(range(2046, 2051))
        ),
        "life expectancy women 2046-50 (simulated deaths)": life.life_expectancy(
            FEMALE, list(range(2046, 2051))
        ),
        "life expectancy men 2046-50 (input path)": np.mean(
            [life_expectancy(scenario.params.demography, MALE, year=y) for y in range(2046, 2051)]
        ),
        "life expectancy women 2046-50 (input path)": np.mean(
            [life_expectancy(scenario.params.demography, FEMALE, year=y) for y in range(2046, 2051)]
        ),
        "TFR realised 2024-69": model.fertility_record.tfr(),
    }


def main() -> None:
    """Run the seeds and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=4.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    started = time.perf_counter()
    runs = {seed: one_run(args.scale, seed) for seed in args.seeds}
    frame = pd.DataFrame(runs)
    rows = ["| figure | " + " | ".join(f"seed {s}" for s in args.seeds) + " | mean | IPSS / 白書 |"]
    rows.append("|---" * (len(args.seeds) + 3) + "|")
    for name, values in frame.iterrows():
        ref = IPSS.get(str(name))
        digits = 0 if "year" in str(name)[:4] else DECIMALS.get(str(name), 1)
        cells = [f"{v:.{digits}f}" for v in values]
        mean = float(np.mean(values))
        ref_text = "—" if ref is None else f"{ref:.{digits}f}"
        mean_text = f"{mean:.{digits}f}"
        rows.append(f"| {name} | " + " | ".join(cells) + f" | {mean_text} | {ref_text} |")
    print("\n".join(rows))
    print(
        f"\n{len(args.seeds)} runs at scale {args.scale:g} in {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
