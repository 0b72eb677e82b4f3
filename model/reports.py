"""Reporters: the month's outputs, town-wide and per district, computed from the columns.

Each reporter returns ``(town, district)``: scalars and per-district arrays (see
:mod:`model.outputs`). Counts of people are multiplied by the scale; rates are
shares. Labels and units of every name live in :mod:`model.metrics`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import needs, ties, volunteers
from .needs import CARE, DISABILITY, WITHDRAWAL
from .outputs import Report, share
from .population import AGE_YEARS, LATE_OLD_AGE, NEEDS, OLD_AGE, PER_100K
from .support import ROUTES, WAIT_BINS
from .venues import KAYOI, KINDS

if TYPE_CHECKING:
    from .core import CommunityModel

# Statistical definitions the outputs are measured by (structure, not behaviour).
WORKING_AGE = 15  # 生産年齢人口 15-64; 年少人口 is 0-14
SURVEY_ADULT_AGE = 16  # the isolation survey asks people 16+ ([cas-kodoku-2022])
VOLUNTEER_SURVEY_AGE = 10  # 社会生活基本調査 counts volunteering from age 10
YOUNG_OLD_END = 80  # men 65-79, the survey's band of the most active volunteers
WAIT_QUANTILE = 0.9  # the reported upper wait: its 90th percentile
OPEN_EDGE = 10_000  # months: upper edge of the last, open wait band (a sentinel)
# Codes and bits of a :func:`tabulate` table (flag i is bit i).
BOTH = 0b11  # both of the first two flags set
FOURTH_BIT = 3  # the fourth flag

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


def demography(model: CommunityModel) -> Report:
    """Population, aging, households and the month's demographic events."""
    r = model.residents
    k = model.scale
    alive = r.alive
    years = model.snap.years
    n_d = model.n_districts
    sizes = model.snap.sizes
    by_year = np.bincount(years[alive], minlength=AGE_YEARS)  # one pass for the age shares
    pop = int(by_year.sum())
    old = alive & (years >= OLD_AGE)
    n_old = int(by_year[OLD_AGE:].sum())
    alone_old = old & model.snap.alone
    home_hh = (sizes > 0) & ~model.households.institution
    n_hh = int(np.count_nonzero(home_hh))
    at_home = model.snap.home
    men = r.sex == 0
    t = model.tally
    town = {
        "population": pop * k,
        "households": n_hh * k,
        "mean_household_size": share(np.count_nonzero(at_home), n_hh),
        "aging_rate": share(n_old, pop),
        "share_75plus": share(by_year[LATE_OLD_AGE:].sum(), pop),
        "share_0_14": share(by_year[:WORKING_AGE].sum(), pop),
        "single_elderly": np.count_nonzero(alone_old) * k,
        "single_elderly_share": share(np.count_nonzero(alone_old), n_old),
        "alone_65_male": share(np.count_nonzero(alone_old & men), np.count_nonzero(old & men)),
        "alone_65_female": share(np.count_nonzero(alone_old & ~men), np.count_nonzero(old & ~men)),
        "in_facility": np.count_nonzero(alive & ~at_home) * k,
        "births": t.births * k,
        "deaths": t.deaths * k,
        "in_migrants": t.in_migrants * k,
        "out_migrants": t.out_migrants * k,
        "to_facility": t.to_facility * k,
    }
    d = r.district[alive]
    pop_d = np.bincount(d, minlength=n_d)
    old_d = np.bincount(r.district[old], minlength=n_d)
    district = {
        "population": pop_d * k,
        "aging_rate": np.divide(old_d, pop_d, out=np.zeros(n_d), where=pop_d > 0),
        "households": np.bincount(model.households.district[home_hh], minlength=n_d) * k,
        "single_elderly": np.bincount(r.district[alone_old], minlength=n_d) * k,
    }
    return town, district


def tabulate(keys: np.ndarray, n_keys: int, alive: np.ndarray, *flags: np.ndarray) -> np.ndarray:
    """Living residents counted by key (0..n_keys-1) and by combination of ``flags``.

    Returns an array ``[n_keys, 2**len(flags)]``: column ``c`` counts residents whose
    flags spell ``c`` in binary (flag i is bit i). One ``bincount`` over everyone, instead
    of a masked gather and a count per flag.
    """
    n_codes = 1 << len(flags)
    code = np.zeros(keys.size, dtype=np.uint8)
    for bit, flag in enumerate(flags):
        code |= flag.view(np.uint8) << np.uint8(bit)
    code[~alive] = n_codes  # the dead go to an extra column, dropped below
    key = keys.astype(np.intp) * (n_codes + 1)
    key += code
    table = np.bincount(key, minlength=n_keys * (n_codes + 1))
    return table.reshape(n_keys, n_codes + 1)[:, :n_codes]


def with_bit(table: np.ndarray, bit: int) -> np.ndarray:
    """Sum over the columns of a :func:`tabulate` table whose code has ``bit`` set."""
    cols = [c for c in range(table.shape[1]) if c >> bit & 1]
    return table[:, cols].sum(axis=1)


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
    r = model.residents
    k = model.scale
    n_d = model.n_districts
    alive = r.alive
    years = model.snap.years
    pop = np.count_nonzero(alive)
    has = (r.sev > 0) & alive
    unmet_by = has & ~r.supported
    in_need = np.bitwise_or.reduce(has, axis=0)
    unmet = np.bitwise_or.reduce(unmet_by, axis=0)
    # Hidden: in unmet need, and none of the unmet needs ever came forward.
    hidden = unmet & ~np.bitwise_or.reduce(unmet_by & r.known, axis=0)
    comp = needs.compound(model)
    iso = ties.isolated(model) if model.params.switches.community else np.zeros(r.n, bool)
    old = alive & (years >= OLD_AGE)
    working_age = alive & (years >= WORKING_AGE) & (years < OLD_AGE)
    t = model.tally
    town: dict[str, float] = {}
    for f, name in enumerate(NEEDS):
        town[f"need_{name}"] = np.count_nonzero(has[f]) * k
        town[f"unmet_{name}"] = np.count_nonzero(unmet_by[f]) * k
    town.update(
        {
            "share_care_65": share(np.count_nonzero(has[CARE] & old), np.count_nonzero(old)),
            # Certified (要介護・要支援認定): 65+ whose care need the system knows — they
            # applied or were found, and are assessed or supported (facilities included).
            "share_certified_65": share(
                np.count_nonzero(has[CARE] & (r.known[CARE] | r.supported[CARE]) & old),
                np.count_nonzero(old),
            ),
            "share_disability": share(np.count_nonzero(has[DISABILITY]), pop),
            "share_assistance": share(np.count_nonzero(r.assistance & alive), pop),
            "share_withdrawn_15_64": share(
                np.count_nonzero(has[WITHDRAWAL] & working_age), np.count_nonzero(working_age)
            ),
            "in_need": np.count_nonzero(in_need) * k,
            "in_need_share": share(np.count_nonzero(in_need), pop),
            "unmet": np.count_nonzero(unmet) * k,
            "unmet_share": share(np.count_nonzero(unmet), pop),
            "unmet_of_need": share(np.count_nonzero(unmet), np.count_nonzero(in_need)),
            "hidden": np.count_nonzero(hidden) * k,
            "hidden_share": share(np.count_nonzero(hidden), pop),
            "hh_8050": np.count_nonzero(comp["hh_8050"]) * k,
            "double_care": np.count_nonzero(comp["double_care"]) * k,
            "multi_field": np.count_nonzero(comp["multi_field"]) * k,
            "isolated_in_need": np.count_nonzero(iso & in_need) * k,
            "crises": sum(t.crises) * k,
            "crisis_deaths": t.crisis_deaths * k,
            "resolved": t.resolved * k,
            "served": t.served * k,
            "supported_new": t.supported_new * k,
            "referrals": t.referrals * k,
            "referral_dropouts": t.referral_dropouts * k,
            "dropouts": t.dropouts * k,
            "joint_plans": t.joint_plans * k,
            "queue": np.count_nonzero(alive & (r.case_state > 0)) * k,
            "poverty_consultations_per_100k": share(t.poverty_consultations * PER_100K, pop),
            "caseload_per_worker": model.support.caseload_per_worker(),
        }
    )
    for route, name in enumerate(ROUTES):
        town[f"arrivals_{name}"] = t.arrivals[route] * k
    # New needs this month by field (withdrawal has its own rule and counter).
    for f, name in enumerate(NEEDS[:WITHDRAWAL]):
        town[f"new_need_{name}"] = t.need_onsets[f] * k
    town["new_need_withdrawal"] = t.withdrawal_onsets * k
    town["outreach_referrals"] = t.outreach_found * k
    waits = np.concatenate(model.support.waits) if model.support.waits else np.empty(0)
    town["wait_mean"] = float(waits.mean()) if waits.size else float("nan")
    town["wait_median"] = float(np.median(waits)) if waits.size else float("nan")
    town["wait_p90"] = float(np.quantile(waits, WAIT_QUANTILE)) if waits.size else float("nan")
    edges = (*WAIT_BINS, OPEN_EDGE)
    counts = np.histogram(waits, bins=edges)[0] if waits.size else np.zeros(len(WAIT_BINS))
    for lo, hi, c in zip(WAIT_BINS, (*WAIT_BINS[1:], None), counts, strict=True):
        town[f"wait_{lo}_{hi - 1}" if hi else f"wait_{lo}plus"] = float(c) * k
    # Who is left behind: the unmet share of those in need, by age group and for older
    # people living alone (one tabulation: group x in need x unmet).
    by_age = tabulate(model.snap.age_group, len(AGE_GROUPS), alive, in_need, unmet)
    for g, (_, _, name) in enumerate(AGE_GROUPS):
        town[f"unmet_rate_{name}"] = share(by_age[g, BOTH], by_age[g, 1] + by_age[g, BOTH])
    single_old = in_need & old & model.snap.alone
    town["unmet_rate_single_elderly"] = share(
        np.count_nonzero(unmet & single_old), np.count_nonzero(single_old)
    )
    # By district, in one tabulation: in need, unmet, hidden, waiting.
    table = tabulate(r.district, n_d, alive, in_need, unmet, hidden, r.case_state > 0)
    pop_d = table.sum(axis=1).astype(float)
    unmet_d, hidden_d = with_bit(table, 1), with_bit(table, 2)
    unmet_rate_d = np.divide(unmet_d, pop_d, out=np.zeros(n_d), where=pop_d > 0)
    town["unmet_gini_districts"] = _gini(unmet_rate_d, pop_d)
    district = {
        "in_need": with_bit(table, 0) * k,
        "unmet": unmet_d * k,
        "hidden": hidden_d * k,
        "unmet_rate": unmet_rate_d,
        "hidden_rate": np.divide(hidden_d, pop_d, out=np.zeros(n_d), where=pop_d > 0),
        "queue": with_bit(table, FOURTH_BIT) * k,
    }
    return town, district


def community(model: CommunityModel) -> Report:
    """Ties and isolation, participation, venues, NPOs, volunteers and 担い手 balance."""
    r = model.residents
    k = model.scale
    n_d = model.n_districts
    alive = r.alive
    years = model.snap.years
    month = model.month
    adults = alive & (years >= SURVEY_ADULT_AGE)
    iso = ties.isolated(model)
    n_adults = np.count_nonzero(adults)
    iso_share = share(np.count_nonzero(iso & adults), n_adults)
    # In the last 12 months (this one included).
    part = alive & (years >= WORKING_AGE) & (r.last_part_m > month - 12)
    vol_year = alive & (years >= VOLUNTEER_SURVEY_AGE) & (r.last_vol_m > month - 12)
    men_65_79 = alive & (r.sex == 0) & (years >= OLD_AGE) & (years < YOUNG_OLD_END)
    old = alive & (years >= OLD_AGE)
    a = model.venues.arrays() if model.venues.venues else None
    kayoi = np.zeros(r.n, dtype=bool)
    if a is not None:
        attending = alive & (r.venue >= 0)
        kayoi[attending] = a["kind"][r.venue[attending]] == KAYOI
    npo, civic = model.organisations.counts()
    demand, supply = volunteers.demand_supply(model)
    posts = model.minsei_posts()
    filled = np.bincount(r.district[alive & r.minsei], minlength=n_d)
    pop = np.count_nonzero(alive)
    town: dict[str, float] = {
        "isolated": np.count_nonzero(iso & adults) * k,
        "isolation_rate": iso_share,
        "no_one_to_rely_on_rate": share(
            np.count_nonzero(iso & adults & model.snap.alone), n_adults
        ),
        "lonely_rate": share(np.count_nonzero(adults & r.lonely), n_adults),
        "participation_rate": share(
            np.count_nonzero(part), np.count_nonzero(alive & (years >= WORKING_AGE))
        ),
        "kayoi_participation_65": share(np.count_nonzero(kayoi & old), np.count_nonzero(old)),
        "kayoi_share_75plus": share(
            np.count_nonzero(kayoi & (years >= LATE_OLD_AGE)), np.count_nonzero(kayoi)
        ),
        "kayoi_share_women": share(np.count_nonzero(kayoi & (r.sex == 1)), np.count_nonzero(kayoi)),
        "venue_regulars": np.count_nonzero(alive & (r.venue >= 0)) * k,
        "venues_open": float(model.venues.open_count()),
        "venues_opened": float(model.venues.opened_this_month),
        "venues_closed": float(model.venues.closed_this_month),
        "npos": float(npo),
        "npos_per_100k": share(npo * PER_100K, pop * k),
        "civic_groups": float(civic),
        "group_members": np.count_nonzero(alive & (r.org >= 0)) * k,
        "volunteers": np.count_nonzero(alive & r.volunteer) * k,
        "volunteer_rate_year": share(
            np.count_nonzero(vol_year), np.count_nonzero(alive & (years >= VOLUNTEER_SURVEY_AGE))
        ),
        "volunteer_rate_men_65_79": share(
            np.count_nonzero(vol_year & men_65_79), np.count_nonzero(men_65_79)
        ),
        "minsei_posts": float(posts.sum()) * k,
        "minsei_filled": float(filled.sum()) * k,
        "minsei_fill_rate": share(float(filled.sum()), float(posts.sum())),
        "tanite_demand_hours": float(demand.sum()) * k,
        "tanite_supply_hours": float(supply.sum()) * k,
        "tanite_balance_hours": float(supply.sum() - demand.sum()) * k,
        "venue_referrals": model.tally.venue_referrals * k,
        "minsei_referrals": model.tally.minsei_referrals * k,
        "volunteers_started": model.tally.volunteers_started * k,
        "supported_linked_to_venues": model.tally.linked_to_venues * k,
        "venues_opened_by_policy": float(model.tally.venues_created_by_policy),
        "organisations_founded": float(model.tally.orgs_founded),
        "organisations_dissolved": float(model.tally.orgs_dissolved),
    }
    volunteers_by_year = np.bincount(years[alive & r.volunteer], minlength=AGE_YEARS)
    for lo, hi, name in VOLUNTEER_AGE_GROUPS:
        town[f"volunteers_{name}"] = volunteers_by_year[lo:hi].sum() * k
    if a is not None:
        for kind, name in enumerate(KINDS):
            town[f"venues_open_{name}"] = float(((a["kind"] == kind) & a["open"]).sum())
    # By district, in one tabulation: adult, isolated (adult), taking part, volunteer.
    table = tabulate(r.district, n_d, alive, adults, iso & adults, part, r.volunteer)
    pop_d = table.sum(axis=1)
    adults_d = with_bit(table, 0)
    district = {
        "isolation_rate": np.divide(
            with_bit(table, 1), adults_d, out=np.zeros(n_d), where=adults_d > 0
        ),
        "participation_rate": np.divide(
            with_bit(table, 2), pop_d, out=np.zeros(n_d), where=pop_d > 0
        ),
        "venues_open": np.bincount(
            [v.district for v in model.venues.venues if v.open], minlength=n_d
        ).astype(float),
        "volunteers": with_bit(table, FOURTH_BIT) * k,
        "tanite_demand_hours": demand * k,
        "tanite_supply_hours": supply * k,
        "tanite_balance_hours": (supply - demand) * k,
        "minsei_fill_rate": np.divide(filled, posts, out=np.zeros(n_d), where=posts > 0),
    }
    return town, district
