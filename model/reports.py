"""Reporters: the month's outputs, town-wide and per district, computed from the columns.

Each reporter returns ``(town, district)``: scalars and per-district arrays (see
:mod:`model.outputs`). Counts of people are multiplied by the scale; rates are
shares. Labels and units of every name live in :mod:`model.metrics`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from . import tabulation, volunteers
from .needs import DISABILITY, WITHDRAWAL
from .outputs import Report, share
from .population import LATE_OLD_AGE, NEEDS, OLD_AGE, PER_100K
from .support import ROUTES, WAIT_BINS
from .tabulation import (
    D_ADULT,
    D_ALONE_OLD,
    D_HIDDEN,
    D_HOUSEHOLDS,
    D_ISO_ADULT,
    D_MINSEI,
    D_NEED,
    D_OLD,
    D_PART,
    D_POP,
    D_QUEUE,
    D_UNMET,
    D_VOL,
    T_8050,
    T_ALONE_OLD_MEN,
    T_ASSISTANCE,
    T_CARE_OLD,
    T_CERTIFIED_OLD,
    T_DOUBLE_CARE,
    T_FACILITY,
    T_HOME,
    T_ISO_ADULT_ALONE,
    T_ISOLATED_IN_NEED,
    T_KAYOI,
    T_KAYOI_LATE_OLD,
    T_KAYOI_OLD,
    T_KAYOI_WOMEN,
    T_LONELY_ADULT,
    T_MEMBERS,
    T_MULTI_FIELD,
    T_REGULARS,
    T_SINGLE_OLD_NEED,
    T_SINGLE_OLD_UNMET,
    T_VOL_YEAR,
    T_VOL_YEAR_MEN,
    T_WITHDRAWN_WORKING,
    VOLUNTEER_SURVEY_AGE,
    WORKING_AGE,
    YOUNG_OLD_END,
    Counts,
)
from .venues import KINDS

if TYPE_CHECKING:
    from .core import CommunityModel

WAIT_QUANTILE = 0.9  # the reported upper wait: its 90th percentile
OPEN_EDGE = 10_000  # months: upper edge of the last, open wait band (a sentinel)

AGE_GROUPS = (
    (0, 18, "0_17"),
    (18, 40, "18_39"),
    (40, 65, "40_64"),
    (65, 75, "65_74"),
    (75, 200, "75plus"),
)
VOLUNTEER_AGE_GROUPS = (
    (VOLUNTEER_SURVEY_AGE, 40, "under_40"),
    (40, OLD_AGE, "40_64"),
    (OLD_AGE, YOUNG_OLD_END, "65_79"),
    (YOUNG_OLD_END, 200, "80plus"),
)


def counts(model: CommunityModel) -> Counts:
    """The month's counts of residents: one tabulation shared by the reporters of a month."""
    recorder = getattr(model, "recorder", None)
    if recorder is None:
        return tabulation.tabulate(model)
    return recorder.shared("counts", lambda: tabulation.tabulate(model))


def _rate(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """``part / whole`` per district, 0 where ``whole`` is 0."""
    return np.divide(part, whole, out=np.zeros(whole.size), where=whole > 0)


def demography(model: CommunityModel) -> Report:
    """Population, aging, households and the month's demographic events."""
    c = counts(model)
    k = model.scale
    men, women = c.by_sex_year.tolist()
    by_year = [a + b for a, b in zip(men, women, strict=True)]
    pop = sum(by_year)
    n_old = sum(by_year[OLD_AGE:])
    d, t = c.district, c.town.tolist()
    n_hh = int(d[D_HOUSEHOLDS].sum())
    alone_old = int(d[D_ALONE_OLD].sum())
    alone_men = t[T_ALONE_OLD_MEN]
    tally = model.tally
    town = {
        "population": pop * k,
        "households": n_hh * k,
        "mean_household_size": share(t[T_HOME], n_hh),
        "aging_rate": share(n_old, pop),
        "share_75plus": share(sum(by_year[LATE_OLD_AGE:]), pop),
        "share_0_14": share(sum(by_year[:WORKING_AGE]), pop),
        "single_elderly": alone_old * k,
        "single_elderly_share": share(alone_old, n_old),
        "alone_65_male": share(alone_men, sum(men[OLD_AGE:])),
        "alone_65_female": share(alone_old - alone_men, sum(women[OLD_AGE:])),
        "in_facility": t[T_FACILITY] * k,
        "births": tally.births * k,
        "deaths": tally.deaths * k,
        "in_migrants": tally.in_migrants * k,
        "out_migrants": tally.out_migrants * k,
        "to_facility": tally.to_facility * k,
    }
    pop_d = d[D_POP]
    district = {
        "population": pop_d * k,
        "aging_rate": _rate(d[D_OLD], pop_d),
        "households": d[D_HOUSEHOLDS] * k,
        "single_elderly": d[D_ALONE_OLD] * k,
    }
    return town, district


def wait_summary(waits: np.ndarray) -> tuple[float, float, float, list[int]]:
    """Mean, median, 90th percentile and counts by ``WAIT_BINS`` of whole-month waits.

    One sort in place of ``np.median``, ``np.quantile`` and ``np.histogram`` (their
    Python layers cost some 0.1 ms a month at 20k residents, a month's 1.5 %), with the
    same results to the bit: the median is the middle value or the mean of the middle
    two; the percentile interpolates linearly as ``np.quantile``'s default does, with
    its operations in its order; a value falls in the band whose lower edge it reaches
    (``OPEN_EDGE`` closes the last). No waits: NaN statistics and zero counts. Waits are
    whole months; any finite numbers give NumPy's results too (NaN would sort last here).
    """
    n = waits.size
    if n == 0:
        return float("nan"), float("nan"), float("nan"), [0] * len(WAIT_BINS)
    ordered = np.sort(waits)
    mean = float(waits.mean())
    mid = n // 2
    pair = float(ordered[mid - 1]) + float(ordered[mid]) if n > 1 else 0.0
    median = float(ordered[mid]) if n % 2 else pair / 2
    at = (n - 1) * WAIT_QUANTILE  # np.quantile's 'linear' virtual index
    if at >= n - 1:
        upper = float(ordered[-1])
    else:
        below = math.floor(at)
        a, b = float(ordered[below]), float(ordered[below + 1])
        gamma, step = at - below, b - a
        upper = b - step * (1 - gamma) if gamma >= 1 / 2 else a + step * gamma
    edges = np.searchsorted(ordered, (*WAIT_BINS, OPEN_EDGE), side="left")
    edges[-1] = np.searchsorted(ordered, OPEN_EDGE, side="right")
    return mean, median, float(upper), np.diff(edges).tolist()


def _gini(values: np.ndarray, weights: np.ndarray) -> float:
    """Population-weighted Gini coefficient of ``values`` (0 = equal everywhere)."""
    if weights.sum() <= 0 or values.size < 2:
        return 0.0
    order = np.argsort(values)
    v, w = values[order], weights[order] / weights.sum()
    mean = float((v * w).sum())
    if mean <= 0:
        return 0.0
    cum_vw = np.cumsum(v * w) / mean
    return float(1.0 - np.sum(w * (cum_vw + np.concatenate([[0.0], cum_vw[:-1]]))))


def needs_and_support(model: CommunityModel) -> Report:
    """Needs by field, compound cases, unmet and hidden need, waits, counters, equity."""
    c = counts(model)
    k = model.scale
    by_year = c.by_sex_year.sum(axis=0).tolist()
    pop = sum(by_year)
    n_old = sum(by_year[OLD_AGE:])
    d, t = c.district, c.town.tolist()
    has, unmet_by = c.needs.tolist()
    in_need = int(d[D_NEED].sum())
    unmet = int(d[D_UNMET].sum())
    hidden = int(d[D_HIDDEN].sum())
    tally = model.tally
    town: dict[str, float] = {}
    for f, name in enumerate(NEEDS):
        town[f"need_{name}"] = has[f] * k
        town[f"unmet_{name}"] = unmet_by[f] * k
    town.update(
        {
            "share_care_65": share(t[T_CARE_OLD], n_old),
            # Certified (要介護・要支援認定): 65+ whose care need the system knows — they
            # applied or were found, and are assessed or supported (facilities included).
            "share_certified_65": share(t[T_CERTIFIED_OLD], n_old),
            "share_disability": share(has[DISABILITY], pop),
            "share_assistance": share(t[T_ASSISTANCE], pop),
            "share_withdrawn_15_64": share(
                t[T_WITHDRAWN_WORKING], sum(by_year[WORKING_AGE:OLD_AGE])
            ),
            "in_need": in_need * k,
            "in_need_share": share(in_need, pop),
            "unmet": unmet * k,
            "unmet_share": share(unmet, pop),
            "unmet_of_need": share(unmet, in_need),
            "hidden": hidden * k,
            "hidden_share": share(hidden, pop),
            "hh_8050": t[T_8050] * k,
            "double_care": t[T_DOUBLE_CARE] * k,
            "multi_field": t[T_MULTI_FIELD] * k,
            "isolated_in_need": t[T_ISOLATED_IN_NEED] * k,
            "crises": sum(tally.crises) * k,
            "crisis_deaths": tally.crisis_deaths * k,
            "resolved": tally.resolved * k,
            "served": tally.served * k,
            "supported_new": tally.supported_new * k,
            "referrals": tally.referrals * k,
            "referral_dropouts": tally.referral_dropouts * k,
            "dropouts": tally.dropouts * k,
            "joint_plans": tally.joint_plans * k,
            "queue": int(d[D_QUEUE].sum()) * k,
            "poverty_consultations_per_100k": share(tally.poverty_consultations * PER_100K, pop),
            "caseload_per_worker": model.support.caseload_per_worker(),
        }
    )
    for route, name in enumerate(ROUTES):
        town[f"arrivals_{name}"] = tally.arrivals[route] * k
    # New needs this month by field (withdrawal has its own rule and counter).
    for f, name in enumerate(NEEDS[:WITHDRAWAL]):
        town[f"new_need_{name}"] = tally.need_onsets[f] * k
    town["new_need_withdrawal"] = tally.withdrawal_onsets * k
    town["outreach_referrals"] = tally.outreach_found * k
    waits = np.concatenate(model.support.waits) if model.support.waits else np.empty(0, np.int64)
    town["wait_mean"], town["wait_median"], town["wait_p90"], hist = wait_summary(waits)
    for lo, hi, n in zip(WAIT_BINS, (*WAIT_BINS[1:], None), hist, strict=True):
        town[f"wait_{lo}_{hi - 1}" if hi else f"wait_{lo}plus"] = float(n) * k
    # Who is left behind: the unmet share of those in need, by age group and for older
    # people living alone.
    for g, (has_g, unmet_g) in enumerate(c.by_age_group.tolist()):
        town[f"unmet_rate_{AGE_GROUPS[g][2]}"] = share(unmet_g, has_g)
    town["unmet_rate_single_elderly"] = share(t[T_SINGLE_OLD_UNMET], t[T_SINGLE_OLD_NEED])
    # By district: in need, unmet, hidden, waiting.
    pop_d = d[D_POP].astype(float)
    unmet_d, hidden_d = d[D_UNMET], d[D_HIDDEN]
    unmet_rate_d = _rate(unmet_d, pop_d)
    town["unmet_gini_districts"] = _gini(unmet_rate_d, pop_d)
    district = {
        "in_need": d[D_NEED] * k,
        "unmet": unmet_d * k,
        "hidden": hidden_d * k,
        "unmet_rate": unmet_rate_d,
        "hidden_rate": _rate(hidden_d, pop_d),
        "queue": d[D_QUEUE] * k,
    }
    return town, district


def community(model: CommunityModel) -> Report:
    """Ties and isolation, participation, venues, NPOs, volunteers and 担い手 balance."""
    c = counts(model)
    k = model.scale
    n_d = model.n_districts
    men, women = c.by_sex_year.tolist()
    by_year = [a + b for a, b in zip(men, women, strict=True)]
    pop = sum(by_year)
    d, t = c.district, c.town.tolist()
    n_adults = int(d[D_ADULT].sum())
    iso_adults = int(d[D_ISO_ADULT].sum())
    a = model.venues.arrays() if model.venues.venues else None
    npo, civic = model.organisations.counts()
    demand, supply = volunteers.demand_supply(model, c)
    posts = model.minsei_posts()
    filled = d[D_MINSEI]
    tally = model.tally
    town: dict[str, float] = {
        "isolated": iso_adults * k,
        "isolation_rate": share(iso_adults, n_adults),
        "no_one_to_rely_on_rate": share(t[T_ISO_ADULT_ALONE], n_adults),
        "lonely_rate": share(t[T_LONELY_ADULT], n_adults),
        "participation_rate": share(int(d[D_PART].sum()), sum(by_year[WORKING_AGE:])),
        "kayoi_participation_65": share(t[T_KAYOI_OLD], sum(by_year[OLD_AGE:])),
        "kayoi_share_75plus": share(t[T_KAYOI_LATE_OLD], t[T_KAYOI]),
        "kayoi_share_women": share(t[T_KAYOI_WOMEN], t[T_KAYOI]),
        "venue_regulars": t[T_REGULARS] * k,
        "venues_open": float(model.venues.open_count()),
        "venues_opened": float(model.venues.opened_this_month),
        "venues_closed": float(model.venues.closed_this_month),
        "npos": float(npo),
        "npos_per_100k": share(npo * PER_100K, pop * k),
        "civic_groups": float(civic),
        "group_members": t[T_MEMBERS] * k,
        "volunteers": int(d[D_VOL].sum()) * k,
        "volunteer_rate_year": share(t[T_VOL_YEAR], sum(by_year[VOLUNTEER_SURVEY_AGE:])),
        "volunteer_rate_men_65_79": share(t[T_VOL_YEAR_MEN], sum(men[OLD_AGE:YOUNG_OLD_END])),
        "minsei_posts": float(posts.sum()) * k,
        "minsei_filled": float(filled.sum()) * k,
        "minsei_fill_rate": share(float(filled.sum()), float(posts.sum())),
        "tanite_demand_hours": float(demand.sum()) * k,
        "tanite_supply_hours": float(supply.sum()) * k,
        "tanite_balance_hours": float(supply.sum() - demand.sum()) * k,
        "venue_referrals": tally.venue_referrals * k,
        "minsei_referrals": tally.minsei_referrals * k,
        "volunteers_started": tally.volunteers_started * k,
        "supported_linked_to_venues": tally.linked_to_venues * k,
        "venues_opened_by_policy": float(tally.venues_created_by_policy),
        "organisations_founded": float(tally.orgs_founded),
        "organisations_dissolved": float(tally.orgs_dissolved),
    }
    volunteers_by_year = c.volunteers_by_year.tolist()
    for lo, hi, name in VOLUNTEER_AGE_GROUPS:
        town[f"volunteers_{name}"] = sum(volunteers_by_year[lo:hi]) * k
    venues_d = np.zeros(n_d)
    if a is not None:
        is_open = a["open"]
        by_kind = np.bincount(a["kind"][is_open], minlength=len(KINDS)).tolist()
        for kind, name in enumerate(KINDS):
            town[f"venues_open_{name}"] = float(by_kind[kind])
        venues_d = np.bincount(a["district"][is_open], minlength=n_d).astype(float)
    district = {
        "isolation_rate": _rate(d[D_ISO_ADULT], d[D_ADULT]),
        "participation_rate": _rate(d[D_PART], d[D_POP]),
        "venues_open": venues_d,
        "volunteers": d[D_VOL] * k,
        "tanite_demand_hours": demand * k,
        "tanite_supply_hours": supply * k,
        "tanite_balance_hours": (supply - demand) * k,
        "minsei_fill_rate": _rate(filled, posts),
    }
    return town, district
