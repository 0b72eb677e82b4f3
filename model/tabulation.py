"""The month's counts for every reporter, in one pass over the residents.

The reporters (:mod:`model.reports`) need some sixty counts of residents a month: by
district (population, older people, need, unmet and hidden need, the queue, adults,
isolation, taking part, volunteers, 民生委員), by sex and year of age, by age group and
a few dozen town-wide ones (older people living alone, certified care, 8050 households,
double care, 通いの場 regulars ...). :func:`tabulate` counts them all at once into a
:class:`Counts`; the reporters then only add up and divide these integers, so every
share is the same division of the same two integers as before.

Two paths give identical integers: a compiled loop (:func:`_count_loop`: spans of
residents, in parallel where the town is large, then the households) and its NumPy twin
(:func:`_count_numpy`, masks and ``bincount``). ``kernels.USE_NUMBA`` picks one at call time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import kernels, needs
from .needs import (
    CARE,
    CARER_BELOW,
    CARER_FROM,
    CHILD_50S,
    CHILD_50S_BELOW,
    CHILDCARE,
    N_FIELDS,
    PARENT_80S,
    WITHDRAWAL,
)
from .population import (
    AGE_YEARS,
    FEMALE,
    LATE_OLD_AGE,
    MALE,
    N_NEEDS,
    OLD_AGE,
    PRESCHOOL_AGE,
    ROLE_CHILD,
    ROLE_HEAD,
)
from .snapshot import AGE_GROUP_OF_YEAR, N_AGE_GROUPS
from .ties import FRIEND_KINDS, isolated
from .venues import KAYOI

if TYPE_CHECKING:
    from .core import CommunityModel

# Statistical definitions the outputs are measured by (structure, not behaviour); the
# reporters import them from here.
WORKING_AGE = 15  # 生産年齢人口 15-64; 年少人口 is 0-14
SURVEY_ADULT_AGE = 16  # the isolation survey asks people 16+ ([cas-kodoku-2022])
VOLUNTEER_SURVEY_AGE = 10  # 社会生活基本調査 counts volunteering from age 10
YOUNG_OLD_END = 80  # men 65-79, the survey's band of the most active volunteers
PAST_YEAR = 12  # months: "in the past year" counts this month and the 11 before

# Rows of ``Counts.district`` (one column per district): living residents who are ...
(
    D_POP,  # ... alive
    D_OLD,  # ... 65+
    D_ALONE_OLD,  # ... 65+ and living alone
    D_NEED,  # ... in need (any field)
    D_UNMET,  # ... with a need not supported
    D_HIDDEN,  # ... whose unmet needs never came forward
    D_QUEUE,  # ... waiting for or referred to a counter
    D_ADULT,  # ... 16+
    D_ISO_ADULT,  # ... 16+ and isolated
    D_PART,  # ... 15+ and took part in the past year
    D_VOL,  # ... volunteers
    D_MINSEI,  # ... serving as 民生委員
    D_HOUSEHOLDS,  # private households with a living member (not residents)
    D_ALONE_OLD_CARE,  # ... 65+, living alone with a care need by the month's snapshot
    N_DISTRICT_COLUMNS,
) = range(15)

# Entries of ``Counts.town``.
(
    T_HOME,  # residents at home by the month's snapshot (alive then, not in a facility)
    T_FACILITY,  # living residents not at home
    T_ALONE_OLD_MEN,  # living men 65+ living alone
    T_CARE_OLD,  # 65+ with a care need
    T_CERTIFIED_OLD,  # 65+ with a care need known to or supported by a counter
    T_ASSISTANCE,  # living residents on public assistance
    T_WITHDRAWN_WORKING,  # withdrawn and 15-64
    T_ISOLATED_IN_NEED,  # isolated and in need
    T_MULTI_FIELD,  # needs in two or more welfare fields
    T_SINGLE_OLD_NEED,  # in need, 65+ and living alone
    T_SINGLE_OLD_UNMET,  # ... and a need not supported
    T_ISO_ADULT_ALONE,  # 16+, isolated and living alone
    T_LONELY_ADULT,  # 16+ and lonely
    T_VOL_YEAR,  # 10+ and volunteered in the past year
    T_VOL_YEAR_MEN,  # ... men 65-79
    T_KAYOI,  # regulars of a 通いの場
    T_KAYOI_OLD,  # ... 65+
    T_KAYOI_LATE_OLD,  # ... 75+
    T_KAYOI_WOMEN,  # ... women
    T_REGULARS,  # regulars of any venue
    T_MEMBERS,  # members of a group or NPO
    T_8050,  # 8050 households (households, not residents)
    T_DOUBLE_CARE,  # people in double care
    N_TOWN_COUNTS,
) = range(24)

# Rows of ``Counts.needs`` and columns of ``Counts.by_age_group``.
HAS, UNMET = 0, 1


@dataclass
class Counts:
    """The month's counts of residents (simulated, not scaled), all int64.

    ``district``: ``[N_DISTRICT_COLUMNS, districts]``; ``town``: ``[N_TOWN_COUNTS]``;
    ``by_sex_year``: living residents ``[sex, years]``; ``volunteers_by_year``: living
    volunteers by year of age; ``needs``: ``[HAS/UNMET, need]`` living residents with the
    need and with it unsupported; ``by_age_group``: ``[AGE_GROUPS, HAS/UNMET]`` living
    residents in need and in unmet need.
    """

    district: np.ndarray
    town: np.ndarray
    by_sex_year: np.ndarray
    volunteers_by_year: np.ndarray
    needs: np.ndarray
    by_age_group: np.ndarray

    @classmethod
    def zeros(cls, n_districts: int) -> Counts:
        """All counts 0."""
        return cls(
            np.zeros((N_DISTRICT_COLUMNS, n_districts), np.int64),
            np.zeros(N_TOWN_COUNTS, np.int64),
            np.zeros((2, AGE_YEARS), np.int64),
            np.zeros(AGE_YEARS, np.int64),
            np.zeros((2, N_NEEDS), np.int64),
            np.zeros((N_AGE_GROUPS, 2), np.int64),
        )

    def same(self, other: Counts) -> bool:
        """Every count equal (the two paths are compared with this)."""
        return all(
            np.array_equal(getattr(self, name), getattr(other, name))
            for name in self.__dataclass_fields__
        )


def tabulate(model: CommunityModel) -> Counts:
    """Count the month's residents for every reporter (state as it is now).

    Isolation counts only with the community switch on (the needs reporter's
    ``isolated_in_need`` is 0 without it).
    """
    counts = Counts.zeros(model.n_districts)
    (_count_compiled if kernels.USE_NUMBA else _count_numpy)(model, counts)
    return counts


def _count_numpy(model: CommunityModel, c: Counts) -> None:
    """The NumPy twin of :func:`_count_compiled`: masks, ``count_nonzero`` and ``bincount``."""
    r, snap, h = model.residents, model.snap, model.households
    n_d = model.n_districts
    alive, years, district = r.alive, snap.years, r.district
    home, alone = snap.home, snap.alone
    men = alive & (r.sex == MALE)
    old = alive & (years >= OLD_AGE)
    has = (r.sev > 0) & alive
    unmet_by = has & ~r.supported
    in_need = np.bitwise_or.reduce(has, axis=0)
    unmet = np.bitwise_or.reduce(unmet_by, axis=0)
    hidden = unmet & ~np.bitwise_or.reduce(unmet_by & r.known, axis=0)
    community = model.params.switches.community
    iso = isolated(model) if community else np.zeros(r.n, bool)
    adult = alive & (years >= SURVEY_ADULT_AGE)
    month = model.month
    part = alive & (years >= WORKING_AGE) & (r.last_part_m > month - PAST_YEAR)
    vol_year = alive & (years >= VOLUNTEER_SURVEY_AGE) & (r.last_vol_m > month - PAST_YEAR)
    volunteer = alive & r.volunteer
    kayoi = np.zeros(r.n, dtype=bool)
    if model.venues.venues:
        attending = alive & (r.venue >= 0)
        kayoi[attending] = model.venues.arrays()["kind"][r.venue[attending]] == KAYOI

    def by_district(mask: np.ndarray) -> np.ndarray:
        return np.bincount(district[mask], minlength=n_d)

    d = c.district
    d[D_POP] = by_district(alive)
    d[D_OLD] = by_district(old)
    d[D_ALONE_OLD] = by_district(old & alone)
    d[D_NEED] = by_district(in_need)
    d[D_UNMET] = by_district(unmet)
    d[D_HIDDEN] = by_district(hidden)
    d[D_QUEUE] = by_district(alive & (r.case_state > 0))
    d[D_ADULT] = by_district(adult)
    d[D_ISO_ADULT] = by_district(iso & adult)
    d[D_PART] = by_district(part)
    d[D_VOL] = by_district(volunteer)
    d[D_MINSEI] = by_district(alive & r.minsei)
    d[D_HOUSEHOLDS] = np.bincount(h.district[(snap.sizes > 0) & ~h.institution], minlength=n_d)
    # By the snapshot alone (a crisis death later in the month still counts): the demand
    # for everyday help that ``volunteers.demand_supply`` reads.
    d[D_ALONE_OLD_CARE] = by_district(alone & (years >= OLD_AGE) & (r.sev[CARE] > 0))
    comp = needs.compound(model)
    t = c.town
    t[T_HOME] = np.count_nonzero(home)
    t[T_FACILITY] = np.count_nonzero(alive & ~home)
    t[T_ALONE_OLD_MEN] = np.count_nonzero(old & alone & men)
    t[T_CARE_OLD] = np.count_nonzero(has[CARE] & old)
    t[T_CERTIFIED_OLD] = np.count_nonzero(has[CARE] & (r.known[CARE] | r.supported[CARE]) & old)
    t[T_ASSISTANCE] = np.count_nonzero(r.assistance & alive)
    t[T_WITHDRAWN_WORKING] = np.count_nonzero(
        has[WITHDRAWAL] & (years >= WORKING_AGE) & (years < OLD_AGE)
    )
    t[T_ISOLATED_IN_NEED] = np.count_nonzero(iso & in_need)
    t[T_MULTI_FIELD] = np.count_nonzero(comp["multi_field"])
    single_old = in_need & old & alone
    t[T_SINGLE_OLD_NEED] = np.count_nonzero(single_old)
    t[T_SINGLE_OLD_UNMET] = np.count_nonzero(single_old & unmet)
    t[T_ISO_ADULT_ALONE] = np.count_nonzero(iso & adult & alone)
    t[T_LONELY_ADULT] = np.count_nonzero(adult & r.lonely)
    t[T_VOL_YEAR] = np.count_nonzero(vol_year)
    t[T_VOL_YEAR_MEN] = np.count_nonzero(
        vol_year & men & (years >= OLD_AGE) & (years < YOUNG_OLD_END)
    )
    t[T_KAYOI] = np.count_nonzero(kayoi)
    t[T_KAYOI_OLD] = np.count_nonzero(kayoi & (years >= OLD_AGE))
    t[T_KAYOI_LATE_OLD] = np.count_nonzero(kayoi & (years >= LATE_OLD_AGE))
    t[T_KAYOI_WOMEN] = np.count_nonzero(kayoi & (r.sex == FEMALE))
    t[T_REGULARS] = np.count_nonzero(alive & (r.venue >= 0))
    t[T_MEMBERS] = np.count_nonzero(alive & (r.org >= 0))
    t[T_8050] = np.count_nonzero(comp["hh_8050"])
    t[T_DOUBLE_CARE] = np.count_nonzero(comp["double_care"])
    c.by_sex_year[:] = np.bincount(
        r.sex[alive].astype(np.intp) * AGE_YEARS + years[alive], minlength=2 * AGE_YEARS
    ).reshape(2, AGE_YEARS)
    c.volunteers_by_year[:] = np.bincount(years[volunteer], minlength=AGE_YEARS)
    c.needs[HAS] = has.sum(axis=1)
    c.needs[UNMET] = unmet_by.sum(axis=1)
    group = AGE_GROUP_OF_YEAR[years]
    c.by_age_group[:, HAS] = np.bincount(group[in_need], minlength=N_AGE_GROUPS)
    c.by_age_group[:, UNMET] = np.bincount(group[unmet], minlength=N_AGE_GROUPS)


def _count_compiled(model: CommunityModel, c: Counts) -> None:
    """Every count of :class:`Counts`, compiled: spans of residents, then households.

    Each span of residents (:func:`_count_span`, in parallel where the town is large,
    :func:`kernels.over_spans`) counts into arrays of its own, which are added up here;
    integer sums do not depend on the order. The households its residents mark are
    joined (a household is marked if any span marked it), and the compound situations
    are then checked over the residents the spans listed (:func:`_compound_counts`).
    """
    r, snap, h = model.residents, model.snap, model.households
    venues = model.venues.arrays() if model.venues.venues else None
    kinds = venues["kind"] if venues is not None else np.zeros(0, np.int64)
    parts = kernels.spans(r.n)
    maybe_8050, maybe_double = np.empty(r.n, np.int64), np.empty(r.n, np.int64)
    by_span = kernels.over_spans(
        _count_span, parts,
        r.alive, snap.years, r.sex, r.district, r.hh, snap.home, snap.alone, r.sev,
        r.supported, r.known, r.assistance, r.case_state, r.ties,
        model.params.switches.community, r.last_part_m, r.last_vol_m, model.month, r.venue,
        kinds, r.org, r.volunteer, r.lonely, r.minsei, r.role, r.never_married, h.n,
        AGE_GROUP_OF_YEAR, model.n_districts, maybe_8050, maybe_double,
    )  # fmt: skip
    totals = (c.district, c.town, c.by_sex_year, c.volunteers_by_year, c.needs, c.by_age_group)
    marks: tuple[np.ndarray, ...] = ()  # the households marked, joined over the spans
    for span in by_span:
        *counted, parent_80s, under6, care_hh, _, _ = span
        for total, part in zip(totals, counted, strict=True):
            total += part
        if not marks:
            marks = (parent_80s, under6, care_hh)
        else:
            for joined, marked in zip(marks, (parent_80s, under6, care_hh), strict=True):
                joined |= marked
    _households_by_district(snap.sizes, h.institution, h.district, c.district)
    c.town[T_8050], c.town[T_DOUBLE_CARE] = _compound_counts(
        r.hh,
        r.origin_hh,
        kernels.packed(maybe_8050, parts, [span[-2] for span in by_span]),
        kernels.packed(maybe_double, parts, [span[-1] for span in by_span]),
        *marks,
    )


@kernels.jit
def _households_by_district(sizes, institution, hh_district, d):  # pragma: no cover
    """Private households with a living member, by district (``D_HOUSEHOLDS``)."""
    for j in range(sizes.size):
        if sizes[j] > 0 and not institution[j]:
            d[D_HOUSEHOLDS, hh_district[j]] += 1


@kernels.jit
def _compound_counts(
    hh, origin_hh, maybe_8050, maybe_double, parent_80s, under6, care_hh
):  # pragma: no cover - compiled
    """8050 households and people in double care, from the residents who may be in one."""
    hh_8050 = np.zeros(parent_80s.size, np.bool_)
    n_8050 = n_double = 0
    for j in range(maybe_8050.size):
        h = hh[maybe_8050[j]]
        if parent_80s[h] and not hh_8050[h]:
            hh_8050[h] = True
            n_8050 += 1
    for j in range(maybe_double.size):
        i = maybe_double[j]
        h = hh[i]
        o = origin_hh[i]
        if under6[h] and (care_hh[h] or (o >= 0 and care_hh[o])):
            n_double += 1
    return n_8050, n_double


@kernels.jit
def _count_span(
    lo,
    hi,
    alive,
    years,
    sex,
    district,
    hh,
    home,
    alone,
    sev,
    supported,
    known,
    assistance,
    case_state,
    ties,
    community,
    last_part_m,
    last_vol_m,
    month,
    venue,
    venue_kind,
    org,
    volunteer,
    lonely,
    minsei,
    role,
    never_married,
    n_hh,
    age_group_of_year,
    n_districts,
    maybe_8050,
    maybe_double,
):  # pragma: no cover - compiled
    """The counts of residents ``lo`` to ``hi``, into arrays of the span's own.

    The pass also marks the households the compound situations look at (a parent 80+ at
    home, a child under 6, a member with a care need) and lists, from ``maybe_8050[lo]``
    and ``maybe_double[lo]`` on, the residents who may be in one; they are checked once
    every span has marked its households, as ``needs.compound`` defines them. Returns
    the six arrays of :class:`Counts` (all but the 8050 and double-care counts and the
    households), the three household marks and the two list lengths.
    """
    d = np.zeros((N_DISTRICT_COLUMNS, n_districts), np.int64)
    t = np.zeros(N_TOWN_COUNTS, np.int64)
    by_sex_year = np.zeros((2, AGE_YEARS), np.int64)
    volunteers_by_year = np.zeros(AGE_YEARS, np.int64)
    need_counts = np.zeros((2, N_NEEDS), np.int64)
    by_age_group = np.zeros((N_AGE_GROUPS, 2), np.int64)
    parent_80s = np.zeros(n_hh, np.bool_)
    under6 = np.zeros(n_hh, np.bool_)
    care_hh = np.zeros(n_hh, np.bool_)
    n_maybe_8050 = n_maybe_double = 0
    n_kinds = venue_kind.size
    since = month - PAST_YEAR
    # Town-wide counts are kept in locals (registers) and most counts are added as
    # 0/1 rather than branched on: the conditions are too mixed to predict.
    n_home = n_facility = n_alone_old_men = n_care_old = n_certified_old = 0
    n_assistance = n_withdrawn = n_iso_need = n_multi = n_single_need = 0
    n_single_unmet = n_iso_alone = n_lonely = n_vol_year = n_vol_year_men = 0
    n_kayoi = n_kayoi_old = n_kayoi_late_old = n_kayoi_women = n_regulars = 0
    n_members = 0
    # From a start known not to be negative, to an end known to be within the columns:
    # the compiler then drops the negative-index check of every read, as in a loop from
    # 0 (the tabulation at 20k: 262 → 210 µs with the same counts).
    start = max(lo, 0)
    for j in range(min(hi, alive.size) - start):
        i = start + j
        y = years[i]
        h = hh[i]
        at_home = home[i]
        if at_home:
            n_home += 1
            # Alone by the snapshot, whether or not still alive (volunteers' demand).
            if alone[i] and y >= OLD_AGE and sev[CARE, i] > 0:
                d[D_ALONE_OLD_CARE, district[i]] += 1
            if y >= PARENT_80S:
                parent_80s[h] = True
            # 8050: a withdrawn, unmarried child in their 50s (with a parent 80+).
            if (
                y >= CHILD_50S
                and y < CHILD_50S_BELOW
                and sev[WITHDRAWAL, i] > 0
                and never_married[i]
                and role[i] == ROLE_CHILD
            ):
                maybe_8050[lo + n_maybe_8050] = i
                n_maybe_8050 += 1
            # Double care: a parent 25-54 (raising a child under 6 while an elder in the
            # household or in the one they grew up in needs care).
            if (
                y >= CARER_FROM
                and y < CARER_BELOW
                and role[i] == ROLE_HEAD
                and (sex[i] == FEMALE or sev[CHILDCARE, i] > 0)
            ):
                maybe_double[lo + n_maybe_double] = i
                n_maybe_double += 1
        if not alive[i]:
            continue
        if y < PRESCHOOL_AGE:
            under6[h] = True
        if sev[CARE, i] > 0:
            care_hh[h] = True
        s = sex[i]
        k = district[i]
        male = s == MALE
        by_sex_year[s, y] += 1
        old = y >= OLD_AGE
        solo = alone[i]
        d[D_POP, k] += 1
        d[D_OLD, k] += old
        d[D_ALONE_OLD, k] += old & solo
        n_alone_old_men += old & solo & male
        n_facility += not at_home
        ties_out = 0
        if community:
            # Over the module's tuple, not an array argument: the compiler unrolls it
            # (8.2 → 6.8 ms for this pass at Okazaki).
            for kind in FRIEND_KINDS:
                ties_out |= ties[kind, i]
        iso = community & (ties_out == 0)
        # Needs: in need, unmet, hidden (no unmet need ever came forward). Most
        # residents have none and skip this (severities are never negative).
        any_need = 0
        for f in range(N_NEEDS):
            any_need |= sev[f, i]
        if any_need != 0:
            unmet = False
            unmet_known = False
            fields = 0
            for f in range(N_NEEDS):
                has = sev[f, i] > 0
                gap = has & (not supported[f, i])
                need_counts[HAS, f] += has
                need_counts[UNMET, f] += gap
                unmet |= gap
                unmet_known |= gap & known[f, i]
                if f < N_FIELDS:
                    fields += has
            n_multi += fields >= 2
            care_old = old & (sev[CARE, i] > 0)
            n_care_old += care_old
            n_certified_old += care_old & (known[CARE, i] | supported[CARE, i])
            n_withdrawn += (sev[WITHDRAWAL, i] > 0) & (y >= WORKING_AGE) & (y < OLD_AGE)
            g = age_group_of_year[y]
            d[D_NEED, k] += 1
            d[D_UNMET, k] += unmet
            d[D_HIDDEN, k] += unmet & (not unmet_known)
            by_age_group[g, HAS] += 1
            by_age_group[g, UNMET] += unmet
            n_iso_need += iso
            single_old = old & solo
            n_single_need += single_old
            n_single_unmet += single_old & unmet
        n_assistance += assistance[i]
        d[D_QUEUE, k] += case_state[i] > 0
        # Community: isolation and loneliness of adults, taking part, volunteering.
        adult = y >= SURVEY_ADULT_AGE
        d[D_ADULT, k] += adult
        d[D_ISO_ADULT, k] += adult & iso
        n_iso_alone += adult & iso & solo
        n_lonely += adult & lonely[i]
        d[D_PART, k] += (y >= WORKING_AGE) & (last_part_m[i] > since)
        vol_year = (y >= VOLUNTEER_SURVEY_AGE) & (last_vol_m[i] > since)
        n_vol_year += vol_year
        n_vol_year_men += vol_year & male & old & (y < YOUNG_OLD_END)
        v = venue[i]
        if v >= 0:
            n_regulars += 1
            if n_kinds > 0 and venue_kind[v] == KAYOI:
                n_kayoi += 1
                n_kayoi_old += old
                n_kayoi_late_old += y >= LATE_OLD_AGE
                n_kayoi_women += s == FEMALE
        n_members += org[i] >= 0
        if volunteer[i]:
            d[D_VOL, k] += 1
            volunteers_by_year[y] += 1
        d[D_MINSEI, k] += minsei[i]
    t[T_HOME] = n_home
    t[T_FACILITY] = n_facility
    t[T_ALONE_OLD_MEN] = n_alone_old_men
    t[T_CARE_OLD] = n_care_old
    t[T_CERTIFIED_OLD] = n_certified_old
    t[T_ASSISTANCE] = n_assistance
    t[T_WITHDRAWN_WORKING] = n_withdrawn
    t[T_ISOLATED_IN_NEED] = n_iso_need
    t[T_MULTI_FIELD] = n_multi
    t[T_SINGLE_OLD_NEED] = n_single_need
    t[T_SINGLE_OLD_UNMET] = n_single_unmet
    t[T_ISO_ADULT_ALONE] = n_iso_alone
    t[T_LONELY_ADULT] = n_lonely
    t[T_VOL_YEAR] = n_vol_year
    t[T_VOL_YEAR_MEN] = n_vol_year_men
    t[T_KAYOI] = n_kayoi
    t[T_KAYOI_OLD] = n_kayoi_old
    t[T_KAYOI_LATE_OLD] = n_kayoi_late_old
    t[T_KAYOI_WOMEN] = n_kayoi_women
    t[T_REGULARS] = n_regulars
    t[T_MEMBERS] = n_members
    return (
        d,
        t,
        by_sex_year,
        volunteers_by_year,
        need_counts,
        by_age_group,
        parent_80s,
        under6,
        care_hh,
        n_maybe_8050,
        n_maybe_double,
    )
