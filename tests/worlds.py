"""Small hand-built worlds for exact tests: every resident and need is set by the test."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from model import CommunityModel, Params
from model.parameters import with_overrides
from model.population import FEMALE, MALE, ROLE_CHILD, ROLE_HEAD

from .conftest import hand_built

QUIET = {
    # Nothing happens unless the test makes it happen.
    "switches.synthetic_start": False,
    "switches.warmup_months": 0,
    "demography.tfr": 0.0,
    "demography.in_rate": 0.0,
    "demography.out_scale": 0.0,
    "demography.leave_home_rate": 0.0,
    "demography.partner_rate": 0.0,
    "demography.join_family_rate": 0.0,
    "demography.facility_rate": [0.0, 0.0],
    "needs.care_onset_65": 0.0,
    "needs.disability_onset": [0.0] * 5,
    "needs.childcare_onset": 0.0,
    "needs.childcare_at_birth": 0.0,
    "needs.poverty_onset": [0.0] * 4,
    "needs.withdrawal_onset": 0.0,
    "needs.withdrawal_exit": 0.0,
    "needs.escalation": [0.0] * 4,
    "needs.improvement": [0.0] * 4,
    "needs.crisis": 0.0,
    "support.give_up_waiting": 0.0,
    "volunteers.join": [0.0] * 6,
    "organisations.npo_founding": 0.0,
    "organisations.civic_founding": 0.0,
    "venues.open_rate": [0.0] * 5,
    "venues.close_rate": 0.0,
    "minsei.recruit": 0.0,
}


def quiet_params(**overrides: object) -> Params:
    """Parameters under which a hand-built world only changes as the test directs."""
    return with_overrides(Params(), {**QUIET, **overrides})


def people(rows: list[dict[str, object]]) -> dict[str, np.ndarray]:
    """Resident columns from a list of dicts (age in years, sex, hh, role, …)."""
    cols: dict[str, list[object]] = {"age_m": [], "sex": [], "hh": [], "role": []}
    extra = sorted({k for row in rows for k in row} - {"age", "sex", "hh", "role"})
    for name in extra:
        cols[name] = []
    for row in rows:
        cols["age_m"].append(int(row["age"]) * 12 + 6)  # type: ignore[call-overload]
        cols["sex"].append(row.get("sex", MALE))
        cols["hh"].append(row["hh"])
        cols["role"].append(row.get("role", ROLE_HEAD))
        for name in extra:
            cols[name].append(row.get(name, 0))
    return {k: np.asarray(v) for k, v in cols.items()}


def world(rows: list[dict[str, object]], **overrides: object) -> CommunityModel:
    """A quiet hand-built model with the given residents (households from their ``hh``)."""
    cols = people(rows)
    n_hh = int(cols["hh"].max()) + 1
    model = hand_built(cols, n_hh, params=quiet_params(**overrides))
    return model


def set_need(
    model: CommunityModel,
    i: int,
    need: int,
    sev: int,
    *,
    known: bool = False,
    supported: bool = False,
) -> None:
    """Give resident ``i`` a need of severity ``sev`` that began this month."""
    r = model.residents
    r.sev[need, i] = sev
    r.onset_m[need, i] = model.month
    r.known[need, i] = known
    r.supported[need, i] = supported


__all__ = [
    "FEMALE",
    "MALE",
    "ROLE_CHILD",
    "ROLE_HEAD",
    "people",
    "quiet_params",
    "replace",
    "set_need",
    "world",
]
