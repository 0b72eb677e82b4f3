"""The tolerance summary: the fallback of the exact baseline where floating point may differ.

Ten-year runs of a district and a small town (seed 1, 1:4): the mean of a few headline
outputs over the last two years. The tolerance (2 % relative, 0.005 absolute for shares)
absorbs last-bit floating-point differences between NumPy releases or machines, which
can change a draw and the path after it, but not a change in behaviour.
Regenerated with the exact hashes by ``python -m tests.regression.update``.
"""

from __future__ import annotations

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
REL, ABS = 0.02, 0.005


def summarise(town: str, policy: str, **overrides: object) -> dict[str, float]:
    """Mean of each metric over the last two years of the fixed run."""
    scenario = load_scenario(town, policy, scale=SCALE, overrides=overrides)
    ts = CommunityModel(scenario, seed=SEED).run(12 * YEARS).recorder.timeseries()
    tail = ts[ts["month"] > 12 * (YEARS - 2)]
    return {m: float(tail[m].mean()) for m in METRICS}


def mismatches(fresh: dict[str, float], stored: dict[str, float]) -> list[str]:
    """Metrics outside the tolerance, as readable lines."""
    out = []
    for metric, expected in stored.items():
        got = fresh[metric]
        if abs(got - expected) > max(REL * abs(expected), ABS):
            out.append(f"{metric}: stored {expected:.6g}, now {got:.6g}")
    return out
