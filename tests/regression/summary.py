"""Regenerate the regression baseline when a model change is intended.

Run ``python -m tests.regression.make_baseline``.

It writes ``tests/regression/baseline.json``: summary outputs of a few fixed runs. The
regression test compares fresh runs with it; commit the new file with the change that
explains why the numbers moved.
"""

from __future__ import annotations

import json
from pathlib import Path

from model import CommunityModel
from scenarios import load_scenario

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "baseline.json"
CASES = {
    "district/baseline": ("district", "baseline"),
    "district/jusou_full": ("district", "jusou_full"),
    "small_town/baseline": ("small_town", "baseline"),
}
METRICS = (
    "population",
    "aging_rate",
    "households",
    "single_elderly_share",
    "in_need_share",
    "unmet_of_need",
    "hidden_share",
    "isolation_rate",
    "participation_rate",
    "volunteers",
    "venues_open",
    "npos",
    "minsei_fill_rate",
    "share_care_65",
    "share_assistance",
    "crises",
    "wait_mean",
)
YEARS, SEED, SCALE = 10, 1, 4.0


def summarise(town: str, policy: str, **overrides: object) -> dict[str, float]:
    """Mean of each metric over the last two years of the fixed run."""
    scenario = load_scenario(town, policy, scale=SCALE, overrides=overrides)
    ts = CommunityModel(scenario, seed=SEED).run(12 * YEARS).recorder.timeseries()
    tail = ts[ts["month"] > 12 * (YEARS - 2)]
    return {m: float(tail[m].mean()) for m in METRICS}


def main() -> None:
    data = {name: summarise(*case) for name, case in CASES.items()}
    BASELINE.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(f"wrote {BASELINE}")


if __name__ == "__main__":
    main()
