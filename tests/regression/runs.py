"""The fixed runs of the exact regression baseline, and the hash of each output series.

Short runs (seed 1, 36 months after the warm-up (`switches.warmup_months`)) of the small town: the
baseline, the full 重層 package, the full package with a pandemic and a transport cut
(1 simulated resident per 10 people), and the baseline and the full package in a town
where needs arise four times as often and people mention their other needs more
(1 per 2 people under the baseline, 1 per 4 under the package), and the baseline in a
town of frequent, often fatal crises (1 per 4 people). Needs that come in
more often make the counters' rarer rules —
referrals between counters, drop-outs on the way, outreach finds, joint plans — act
often enough that a 10 % change of their parameters shows in a short run. Together
the runs cover the referral, joint-plan and cost outputs.

Every output series (each column of ``recorder.timeseries()`` and of
``recorder.districts()``) is hashed with SHA-256 over its float64 values, so any change
to any number, however small, changes a hash.

The negative control asks only *whether* a changed run's hashes differ from the
unchanged run's; :func:`differs` answers that without always running all 36 months: a
row, once recorded, never changes (``tests/test_regression.py`` checks it), so the first
month whose town-wide row differs from the unchanged run's settles it. Only a run whose
town-wide rows all agree is compared hash by hash.
"""

from __future__ import annotations

import hashlib
import platform
import sys
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy

from model import CommunityModel
from model.scenario import InterventionSpec, Scenario
from scenarios import load_scenario

SEED = 1
MONTHS = 36
# Needs four times as common, and other needs mentioned more often at a counter.
MORE_NEEDS: dict[str, Any] = {
    "needs.care_onset_65": 0.01,
    "needs.disability_onset": [0.0044, 0.0072, 0.0108, 0.0288, 0.054],
    "needs.poverty_onset": [0.012, 0.0088, 0.0112, 0.012],
    "needs.withdrawal_onset": 0.0088,
    "support.mention_other": 0.9,
}

# Crises at top severity ten times as common, most of them ending in death, needs escalating
# five times as fast: a month with crisis deaths in every fixed run of this case.
CRISES: dict[str, Any] = {
    "needs.crisis": 0.4,
    "needs.crisis_death": [0.5, 0.3, 0.2, 0.2],
    "needs.escalation": [0.15, 0.15, 0.15, 0.15],
}


@dataclass(frozen=True)
class Case:
    """One fixed run: a town, a policy package and parameter overrides."""

    town: str
    policy: str
    overrides: dict[str, Any] = field(default_factory=dict)
    scale: float = 10.0


CASES: dict[str, Case] = {
    "small_town/baseline": Case("small_town", "baseline"),
    "small_town/jusou_full": Case("small_town", "jusou_full"),
    "small_town/jusou_full+shocks": Case(
        "small_town",
        "jusou_full",
        {
            "shocks.pandemic_start": 6,
            "shocks.pandemic_months": 6,
            "shocks.transport_cut_start": 18,
        },
    ),
    # 1:2, not 1:4: since help-seeking follows capacity (dementia, withdrawal, isolation),
    # referrals are rarer, and at 1:4 a 10 % change of referral_dropout went unseen.
    "small_town/baseline+more_needs": Case("small_town", "baseline", MORE_NEEDS, 2.0),
    "small_town/jusou_full+more_needs": Case("small_town", "jusou_full", MORE_NEEDS, 4.0),
    # Crises ten times as common and far more often fatal: some 140 crisis deaths in the
    # 36 months, where the runs above have none, so that the order of the month around
    # them (who lives alone after a partner's death, emergency referrals) is held too.
    "small_town/baseline+crises": Case("small_town", "baseline", CRISES, 4.0),
}


def scenario(
    case: Case,
    overrides: dict[str, Any] | None = None,
    options: dict[tuple[str, str], float] | None = None,
) -> Scenario:
    """The case's scenario, with extra parameter ``overrides`` and component ``options``.

    ``options`` maps (component kind, option name) to a value; the name ``"intensity"``
    sets the component's intensity.
    """
    sc = load_scenario(
        case.town, case.policy, scale=case.scale, overrides={**case.overrides, **(overrides or {})}
    )
    if not options:
        return sc
    specs: list[InterventionSpec] = []
    for spec in sc.policy.interventions:
        new = spec
        for (kind, name), value in options.items():
            if kind != spec.kind:
                continue
            if name == "intensity":
                new = replace(new, intensity=value)
            else:
                new = replace(new, options={**new.options, name: value})
        specs.append(new)
    return replace(sc, policy=replace(sc.policy, interventions=tuple(specs)))


Outputs = tuple[pd.DataFrame, pd.DataFrame]


def run(sc: Scenario) -> Outputs:
    """Town-wide and per-district outputs of the fixed run of ``sc``."""
    model = CommunityModel(sc, seed=SEED).run(MONTHS)
    return model.recorder.timeseries(), model.recorder.districts()


def same_row(row: dict[str, float], expected: pd.Series) -> bool:
    """Whether a recorded town-wide row equals ``expected`` as the hashes see it.

    The values are compared as float64 with every NaN equal and -0.0 equal to 0.0, which
    is exactly what :func:`_digest` leaves of them: a row that differs here makes the hash
    of at least one series differ.
    """
    if row.keys() != set(expected.index):
        return False
    got = np.array([row[c] for c in expected.index], dtype=np.float64)
    return np.array_equal(got, expected.to_numpy(dtype=np.float64), equal_nan=True)


def differs(sc: Scenario, reference: Outputs) -> bool:
    """Whether the fixed run of ``sc`` changes the hash of any series of ``reference``.

    ``reference`` is the outputs of the unchanged run (:func:`run`). The run goes month by
    month and stops at the first town-wide row that differs from the reference's row of
    that month; if none does, every series' hash is compared, as the exact test does.
    Same answer as comparing :func:`series_hashes` of the whole run, sooner.
    """
    town = reference[0]
    model = CommunityModel(sc, seed=SEED)
    for month in range(MONTHS + 1):
        if month:
            model.step()
        if not same_row(model.recorder.last(), town.iloc[month]):
            return True
    outputs = model.recorder.timeseries(), model.recorder.districts()
    return series_hashes(*outputs) != series_hashes(*reference)


def _digest(values: np.ndarray) -> str:
    x = np.ascontiguousarray(values, dtype=np.float64)
    x = np.where(np.isnan(x), np.nan, x)  # one bit pattern for every NaN
    x = np.where(x == 0.0, 0.0, x)  # and one for zero (-0.0 == 0.0)
    return hashlib.sha256(x.tobytes()).hexdigest()


def series_hashes(town: pd.DataFrame, districts: pd.DataFrame) -> dict[str, str]:
    """SHA-256 of every output series: ``town/<column>`` and ``district/<column>``."""
    out = {f"town/{c}": _digest(town[c].to_numpy(dtype=float)) for c in town.columns}
    out.update(
        {f"district/{c}": _digest(districts[c].to_numpy(dtype=float)) for c in districts.columns}
    )
    return dict(sorted(out.items()))


def case_hashes(
    case: Case,
    overrides: dict[str, Any] | None = None,
    options: dict[tuple[str, str], float] | None = None,
) -> dict[str, str]:
    """Hashes of every output series of ``case`` (optionally perturbed)."""
    return series_hashes(*run(scenario(case, overrides, options)))


def environment() -> dict[str, str]:
    """What the exact hashes depend on besides the code: NumPy, SciPy, Python, machine.

    Exact comparison applies only where every entry equals the recorded one; elsewhere
    floating-point results may differ in the last bit and the tolerance summary applies.
    """
    return {
        "numpy": ".".join(np.__version__.split(".")[:2]),
        "scipy": ".".join(scipy.__version__.split(".")[:2]),
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "platform": f"{sys.platform}-{platform.machine()}",
    }
