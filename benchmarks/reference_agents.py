"""Kyosei's rules written the usual Mesa way, one Python object per resident (issue 5).

Kyosei keeps residents as NumPy columns and applies each rule to all of them at
once. This module is the yardstick for that choice: the same rules, written as an
idiomatic Mesa 3.5 model — ``Resident`` agents with a ``step()`` called in random
order by ``shuffle_do``, and ``Venue`` and ``Counter`` agents with their own
``step()``. ``benchmarks/bench_vs_agents.py`` runs both side by side in one process.

**Same start, same parameters, same tables.** :class:`ReferenceModel` is built from a
Kyosei :class:`~model.core.CommunityModel` at month 0: the same residents (age, sex,
household, role, needs with severity/known/supported, case and queue, ties, venue,
volunteering, group membership), households (district, map position, care
facilities), venues (kind, position, capacity, volunteers needed, staffing record)
and counters (field, staff, carried intake credit). Probabilities come from Kyosei's
own parameter tables (``DemographyTables``, ``NeedsTables``, the venue, volunteer and
group join tables), converted to Python lists.

**Different random numbers.** Draws come from Mesa's seeded generators
(``self.random``, ``model.rng``; never the global state), not from Kyosei's
counter-based streams, and agents act one after another in shuffled order rather
than all at once. The two models agree in distribution, not draw for draw.

Rules implemented, by Kyosei module:

* demography (``model/demography.py``): aging; death by the Siler monthly table;
  moving out by age (a moving head takes the household along; adult children leave
  alone) — one draw for both, as in Kyosei; births to women 15-49 by the ASFR scaled
  to the TFR, rescaled within each 5-year band so that partnered women bear all but
  the non-marital share; in-migration of singles, couples, families, middle-aged and
  elderly units (same unit table); leaving home 18-34; partnering of singles 22-44 by
  age rank; elderly living alone joining a child's household or entering the
  district's care facility; yearly employment from a lifelong propensity.
* needs (``model/needs.py``): onset in the four fields by age, sex and household
  (children under 12, single parents, newborns, living alone, out of work);
  withdrawal 15-64; escalation (isolated ×, venue regulars ×, supported ×),
  improvement scaled by support quality, resolution, crises with death and
  emergencies.
* support (``model/support.py``): help-seeking (capacity, severity, ties nudge,
  discouragement); siloed counters with monthly intake capacity, carried credit and
  a FIFO queue (emergencies first), giving up while waiting, assessment of the own
  field, the hardship counter taking withdrawal sometimes, detection of other needs,
  referral on with delay and drop-out (たらい回し), household assessment; support
  quality from caseload.
* venues (``model/venues.py``): regulars stop (more when far), residents consider a
  kind by age/sex table and pick an open venue with room by distance, a first visit
  becomes a habit by distance; staffing, closure after months unstaffed or by the
  base rate; staff notice regulars' hidden needs; new venues open where free
  volunteers can run them.
* volunteers (``model/volunteers.py``): join by age/sex, stop with burnout and at
  80+, free volunteers matched to venues short of help.
* ties (``model/ties.py``): one tie lost or gained per month by the same hazards;
  kin ties recounted yearly.
* groups (``model/organisations.py``, membership only): a resident joins a group by
  age and leaves at the leave rate plus the groups' closure rate.

Left out: 民生委員 (terms, recruitment, visits; serving commissioners start as plain
volunteers), organisations as agents (NPO finances, founding, dissolution,
issue groups), shocks, policy interventions and their costs, joint plans and
one-stop counters (baseline policy only), the waiting-time and equity outputs, the
yearly compaction (here departed agents are simply removed). Kyosei runs all of
these in the side-by-side runs (its 民生委員 make no visits there, so that queues stay
comparable), so the measured speed ratio understates the gap.

Differences of order: each resident does its whole month in one ``step()``
(demography, needs, ties, groups, venue, volunteering, help-seeking), then partners
are matched, newcomers arrive (they act from the next month), venues step (match
volunteers, staffing, noticing) and counters step (referrals arrive, queue served).
Month-level facts that Kyosei takes mid-month (birth-rate rescaling, volunteer
demand/supply, support quality) are taken in one pass at the start of the month.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import mesa
import numpy as np

from model.demography import _FAMILY, _KIDS, _KIDS_P, _UNIT_AGES, _UNIT_COUPLE_SHARE, MAX_AGE_M
from model.needs import CARE, DISABILITY, N_FIELDS, POVERTY, WITHDRAWAL
from model.population import (
    CASE_NONE,
    CASE_QUEUED,
    CASE_REFERRED,
    FEMALE,
    MALE,
    N_NEEDS,
    ROLE_CHILD,
    ROLE_HEAD,
    ROLE_PARENT,
)
from model.support import ACCOMPANIED, CRISIS, HOUSEHOLD, REFERRAL, SELF, VENUE
from model.ties import ISSUE, KIN, MAX_TIES, NEIGHBOUR, NEIGHBOUR_BANDS, WORK
from model.town import place_homes
from model.venues import KINDS

if TYPE_CHECKING:
    from model.core import CommunityModel

CHILDCARE = 2
INTEREST = 3
OTHER_KINDS = (NEIGHBOUR, WORK, INTEREST, ISSUE)  # kinds that are lost and gained monthly
UNDER_12_M, ADULT_M = 12 * 12, 18 * 12
# Kyosei's resident columns a reference resident starts from.
COPIED_COLUMNS = (
    *("pid", "age_m", "sex", "hh", "role", "never_married", "origin_hh", "working"),
    *("arrival_m", "sev", "onset_m", "supported", "known", "assistance", "seek_cap"),
    *("dropouts", "case_state", "case_counter", "case_since", "case_due", "case_fields"),
    *("case_route", "ties", "venue", "org", "volunteer", "vol_venue"),
)


def _monthly(annual: float) -> float:
    """Monthly probability for an annual one (the conversion Kyosei uses)."""
    return -math.expm1(math.log1p(-min(annual, 0.999)) / 12.0)


@dataclass
class Tally:
    """Events of the current month (simulated residents)."""

    births: int = 0
    deaths: int = 0
    crisis_deaths: int = 0
    in_migrants: int = 0
    out_migrants: int = 0
    to_facility: int = 0
    arrivals: list[int] = field(default_factory=lambda: [0] * 7)
    served: int = 0
    supported_new: int = 0
    referrals: int = 0
    dropouts: int = 0
    venue_referrals: int = 0
    resolved: int = 0


class Household:
    """A home. Not an agent: households do nothing on their own in Kyosei either.

    Attributes:
        district: Daily-life area.
        x, y: Map position (km).
        institution: A care facility (one per district).
        members: Residents living here now.
        children_out: Residents who grew up here and left home (kin; where an elder
            living alone may move in). Departed ones are skipped when read.
    """

    __slots__ = ("children_out", "district", "institution", "members", "x", "y")

    def __init__(self, district: int, x: float, y: float, institution: bool = False) -> None:
        self.district = district
        self.x, self.y = x, y
        self.institution = institution
        self.members: list[Resident] = []
        self.children_out: list[Resident] = []


class Resident(mesa.Agent):
    """One person. ``step()`` is their whole month: demography, needs, community, help.

    Attributes mirror Kyosei's resident columns (``model/population.py``); lists of
    five hold the needs in the order of ``model.population.NEEDS`` and the ties in the
    order of ``TIE_KINDS``. ``venue``, ``vol_venue`` and ``counter`` hold agents.
    """

    model: ReferenceModel

    def __init__(
        self,
        model: ReferenceModel,
        *,
        pid: int,
        age_m: int,
        sex: int,
        household: Household,
        role: int,
        never_married: bool = True,
        arrival_m: int = 0,
        working: bool = False,
    ) -> None:
        super().__init__(model)
        self.pid = pid
        self.age_m = age_m
        self.sex = sex
        self.household = household
        household.members.append(self)
        self.role = role
        self.never_married = never_married
        self.arrival_m = arrival_m
        self.working = working
        self.alive = True
        self.origin: Household | None = None
        self.work_propensity = self.random.random()  # lifelong: works while below the rate
        never_seeks = self.random.random() < model.params.support.never_seek_share
        self.seek_cap = 0.0 if never_seeks else 0.2 + 0.8 * self.random.random()
        self.sev = [0] * N_NEEDS
        self.onset_m = [-1] * N_NEEDS
        self.supported = [False] * N_NEEDS
        self.known = [False] * N_NEEDS
        self.assistance = False
        self.dropouts = 0
        self.case_state = CASE_NONE
        self.counter: Counter | None = None
        self.case_since = 0
        self.case_due = 0
        self.case_fields = 0
        self.case_route = SELF
        self.ties = [0] * 5
        self.venue: Venue | None = None
        self.in_group = False
        self.volunteer = False
        self.vol_venue: Venue | None = None

    @property
    def district(self) -> int:
        """Daily-life area of the home."""
        return self.household.district

    # ---- the month ------------------------------------------------------------------
    def step(self) -> None:
        """One month of this resident's life, in Kyosei's order of subsystems."""
        if self._age_and_exit():
            return
        years = self.age_m // 12
        if self.sex == FEMALE and 15 <= years < 50:
            self._maybe_give_birth(years)
        self._household_change(years)
        home = not self.household.institution
        isolated = not any(self.ties)
        attending = self.venue is not None
        self._needs(years, home, isolated, attending)
        if not self.alive:
            return
        taking_part = attending or self.in_group or self.volunteer
        self._update_ties(years, taking_part)
        self._update_group(years, home)
        self._attend_venue(years, home, isolated)
        self._update_volunteering(years, home)
        self._seek_help()

    # ---- demography -----------------------------------------------------------------
    def _age_and_exit(self) -> bool:
        """Age a month; one draw decides death and, failing that, moving out."""
        m = self.model
        self.age_m = min(self.age_m + 1, MAX_AGE_M)
        years = self.age_m // 12
        q_death = m.death[self.sex][self.age_m]
        mover = self.role == ROLE_HEAD or (self.role == ROLE_CHILD and years >= 18)
        q_out = m.move_out[years] if mover else 0.0
        u = self.random.random()
        if u < q_death:
            self.die()
            return True
        if u < q_death + q_out:
            if self.role == ROLE_HEAD:  # the head takes the household along
                for member in list(self.household.members):
                    member.leave_town()
            else:
                self.leave_town()
            return True
        return False

    def die(self) -> None:
        """Die (counted) and leave the model."""
        self.model.tally.deaths += 1
        self._exit()

    def leave_town(self) -> None:
        """Move out of town (counted) and leave the model."""
        self.model.tally.out_migrants += 1
        self._exit()

    def _exit(self) -> None:
        self.alive = False
        self.household.members.remove(self)
        if self.venue is not None:
            self.venue.attendees.discard(self)
        if self.vol_venue is not None:
            self.vol_venue.helpers.discard(self)
        self.remove()  # queues and lists that still hold this resident skip it later

    def partnered(self) -> bool:
        """A head who shares the household with a male head/partner."""
        return self.role == ROLE_HEAD and any(
            o.role == ROLE_HEAD and o.sex == MALE for o in self.household.members
        )

    def _maybe_give_birth(self, years: int) -> None:
        m = self.model
        band = (years - 15) // 5
        k = m.birth_k_partnered[band] if self.partnered() else m.birth_k_single[band]
        if self.random.random() < min(m.asfr[years] * k, 1.0):
            male = self.random.random() < m.params.demography.male_birth_share
            Resident(
                m,
                pid=m.new_pid(),
                age_m=0,
                sex=MALE if male else FEMALE,
                household=self.household,
                role=ROLE_CHILD,
                arrival_m=m.month,
            )
            m.tally.births += 1

    def _household_change(self, years: int) -> None:
        """Leave home, look for a partner, move in with family or into a facility."""
        m = self.model
        if self.role == ROLE_CHILD and 18 <= years < 35:
            if self.random.random() < m.leave_home_p:
                self._leave_home()
        elif (
            self.role == ROLE_HEAD
            and self.never_married
            and 22 <= years < 45
            and len(self.household.members) == 1
            and self.random.random() < m.partner_p
        ):
            m.partner_market.append(self)
        if years >= 65 and len(self.household.members) == 1 and not self.household.institution:
            self._elderly_move(years)
        if m.month % 12 == 0:
            self.working = self.work_propensity < m.employment[self.sex][min(years, 120)]

    def move_to(self, household: Household) -> None:
        """Change household (the venue, ties and case go along)."""
        self.household.members.remove(self)
        household.members.append(self)
        self.household = household

    def _leave_home(self) -> None:
        m = self.model
        same = self.random.random() < 0.7
        district = self.household.district if same else m.pick_district()
        self.origin = self.household
        self.household.children_out.append(self)
        self.move_to(m.new_household(district))
        self.role = ROLE_HEAD

    def _elderly_move(self, years: int) -> None:
        m = self.model
        p = m.params.demography
        target = next((c.household for c in self.household.children_out if c.alive), None)
        p_join = m.join_family_p if target is not None else 0.0
        rate = p.facility_rate[1] if years >= 85 else p.facility_rate[0] if years >= 75 else 0.0
        u = self.random.random()
        if target is not None and u < p_join:
            self.move_to(target)
            self.role = ROLE_PARENT
        elif u < p_join + _monthly(rate):
            self._enter_facility()

    def _enter_facility(self) -> None:
        m = self.model
        self.move_to(m.facilities[self.district])
        self.role = ROLE_PARENT
        self.stop_attending()
        self.volunteer = False
        self.leave_vol_venue()
        self.sev[CARE] = max(self.sev[CARE], 1)
        self.supported[CARE] = True
        self.known[CARE] = True
        m.tally.to_facility += 1

    # ---- needs ----------------------------------------------------------------------
    def _needs(self, years: int, home: bool, isolated: bool, attending: bool) -> None:
        if home:
            self._onset(years)
        sev = self.sev
        if 15 <= years < 65:
            self._withdrawal()
        elif sev[WITHDRAWAL] and years >= 65:
            self.end_need(WITHDRAWAL)  # the statistic covers 15-64
        if sev[0] or sev[1] or sev[2] or sev[3]:
            self._change(years, isolated, attending)

    def _onset(self, years: int) -> None:
        """New needs in the four fields (Kyosei's ``needs.onset_rates``)."""
        m = self.model
        p, t = m.params.needs, m.needs_t
        rand = self.random.random
        sev = self.sev
        members = self.household.members
        kids = adults = 0
        newborn = False
        for o in members:
            if o.age_m < UNDER_12_M:
                kids += 1
                newborn = newborn or o.age_m == 0
            elif o.age_m >= ADULT_M:
                adults += 1
        single_parent = kids > 0 and adults == 1
        if sev[CARE] == 0 and years >= 55 and rand() < m.care_onset[self.sex][years]:
            self._start_need(CARE)
        if sev[DISABILITY] == 0 and rand() < m.disability_onset[years]:
            self._start_need(DISABILITY)
        if sev[CHILDCARE] == 0:
            female = self.sex == FEMALE
            parent = (
                self.role == ROLE_HEAD and years >= 18 and kids > 0 and (female or single_parent)
            )
            mother = newborn and female and 15 <= years < 50
            if parent or mother:
                rate = t.childcare_single if single_parent else t.childcare
                if mother:
                    rate = max(rate, p.childcare_at_birth)
                if rand() < rate:
                    self._start_need(CHILDCARE)
        if sev[POVERTY] == 0 and years >= 18:
            rate = m.poverty_onset[years]
            if 20 <= years < 65 and not self.working:
                rate *= p.poverty_not_working
            if single_parent and self.role == ROLE_HEAD:
                rate *= p.poverty_single_parent
            if years >= 65 and len(members) == 1:
                rate *= p.poverty_alone_elderly
            if rand() < min(rate, 0.5):
                self._start_need(POVERTY)

    def _start_need(self, need: int) -> None:
        self.sev[need] = 1
        self.onset_m[need] = self.model.month

    def _withdrawal(self) -> None:
        t = self.model.needs_t
        u = self.random.random()
        if self.sev[WITHDRAWAL] == 0:
            if u < t.withdrawal_onset:
                self._start_need(WITHDRAWAL)
        else:
            exit_p = (
                t.withdrawal_exit_supported if self.supported[WITHDRAWAL] else t.withdrawal_exit
            )
            if u < exit_p:
                self.end_need(WITHDRAWAL)

    def _change(self, years: int, isolated: bool, attending: bool) -> None:
        """Escalation, improvement, resolution and crises: one draw per field in need."""
        m = self.model
        p = m.params.needs
        esc_mult = (p.escalation_isolated if isolated else 1.0) * (
            p.escalation_attending if attending else 1.0
        )
        quality = m.quality[self.district]
        crisis_any = False
        for f in range(N_FIELDS):
            sev = self.sev[f]
            if sev == 0:
                continue
            w = self.random.random()
            sup = self.supported[f]
            if sup:
                imp = p.improvement[f]
                if f == POVERTY and self.assistance:
                    imp = p.improvement_assistance
                imp *= quality[f]
                res = 0.0
                esc = p.escalation[f] * esc_mult * p.escalation_supported
            else:
                imp = 0.0
                res = p.resolution_unsupported[f] if sev == 1 else 0.0
                if f == DISABILITY and years < 65 and sev == 1:
                    res = m.needs_t.disability_recovery
                esc = p.escalation[f] * esc_mult
            if w < imp + res:  # bottom of the draw: better
                if sev > 1:
                    self.sev[f] = sev - 1
                elif f == CARE or (f == DISABILITY and not (res > 0 and years < 65)):
                    pass  # maintained, not resolved
                else:
                    self.end_need(f)
            elif sev == 3 and not sup:  # top severity, unmet: crisis or nothing
                if w >= 1.0 - p.crisis:
                    if (w - (1.0 - p.crisis)) / p.crisis < p.crisis_death[f]:
                        m.tally.crisis_deaths += 1
                        self.die()
                        return
                    crisis_any = True
            elif sev < 3 and w >= 1.0 - esc:
                self.sev[f] = sev + 1
        if crisis_any and self.random.random() < p.crisis_known:
            m.emergency(self)

    def end_need(self, need: int) -> None:
        """A need ends: severity, support and knowledge are cleared."""
        if self.supported[need]:
            self.model.tally.resolved += 1
        self.sev[need] = 0
        self.supported[need] = False
        self.known[need] = False
        self.onset_m[need] = -1
        if need == POVERTY:
            self.assistance = False

    def salient_unmet(self) -> int:
        """The most severe unmet need (lowest index on ties), or -1."""
        best, best_sev = -1, 0
        for i in range(N_NEEDS):
            s = self.sev[i]
            if s > best_sev and not self.supported[i]:
                best, best_sev = i, s
        return best

    def has_hidden_need(self) -> bool:
        """An unmet need no counter knows of."""
        return any(
            self.sev[i] and not self.supported[i] and not self.known[i] for i in range(N_NEEDS)
        )

    # ---- community ------------------------------------------------------------------
    def _update_ties(self, years: int, taking_part: bool) -> None:
        """Lose or gain one tie with one draw (Kyosei's ``ties.update``)."""
        m = self.model
        p = m.params.ties
        t = self.ties
        in_need = any(self.sev)
        work_loss = p.work_loss[0] if self.working else p.work_loss[1]
        interest_loss = p.interest_loss[0] if taking_part else p.interest_loss[1]
        loss = (
            t[NEIGHBOUR] * p.neighbour_loss,
            t[WORK] * work_loss,
            t[INTEREST] * interest_loss,
            t[ISSUE] * p.issue_loss,
        )
        hazard = sum(loss)
        p_loss = hazard / (1.0 + hazard)
        neighbour = m.neighbour_gain[years]
        if m.month - self.arrival_m < 36:
            neighbour *= p.newcomer_factor
        gain_by = (
            neighbour,
            p.work_gain if self.working else 0.0,
            p.interest_gain if taking_part else 0.0,
            p.issue_gain if taking_part and in_need else 0.0,
        )
        gain = sum(gain_by) if max(t) < MAX_TIES else 0.0
        p_gain = min(gain / (1.0 + gain), 1.0 - p_loss)
        u = self.random.random()
        if u < p_loss:
            kind = _pick(OTHER_KINDS, loss, u / p_loss * hazard)
            if t[kind] > 0:
                t[kind] -= 1
        elif u >= 1.0 - p_gain:
            t[_pick(OTHER_KINDS, gain_by, (1.0 - u) / p_gain * gain)] += 1
        if m.month % 12 == 0:
            self._recount_kin()

    def _recount_kin(self) -> None:
        """Kin households in town kept in regular contact with (0..3), once a year."""
        m = self.model
        children = sum(1 for c in self.household.children_out if c.alive)
        parents = 1 if self.origin is not None and self.origin.members else 0
        keeps = self.random.random() < m.kin_contact
        self.ties[KIN] = min(children + parents, 3) if keeps else 0

    def _update_group(self, years: int, home: bool) -> None:
        m = self.model
        u = self.random.random()
        if self.in_group:
            if u < m.group_leave:
                self.in_group = False
        elif home and u > 1.0 - m.group_join[years]:
            self.in_group = True

    def _attend_venue(self, years: int, home: bool, isolated: bool) -> None:
        """Regulars stay or stop; others may try a venue of a kind that suits them."""
        m = self.model
        p = m.params.venues
        venue = self.venue
        if venue is not None:
            far = 1.0 - math.exp(-self.distance_to(venue) / m.walk_km)
            if not venue.open or self.random.random() < p.quit * (1.0 + far):
                self.stop_attending()
        if self.venue is not None or not home:
            return
        sex_age = self.sex * 121 + years
        factor = p.join_isolated if isolated else 1.0
        u = self.random.random()
        if u >= m.venue_join_total[sex_age] * factor:
            return
        cum = 0.0
        for kind, rates in enumerate(m.venue_join):
            cum += rates[sex_age] * factor
            if cum > u:
                self._try_venue(kind)
                return

    def _try_venue(self, kind: int) -> None:
        """Pick an open venue of ``kind`` with room, nearer ones more likely; maybe stay."""
        m = self.model
        options = [
            v
            for v in m.venues_by_district[self.district]
            if v.open and v.kind == kind and len(v.attendees) < v.capacity
        ]
        if not options:
            return
        pulls = [math.exp(-self.distance_to(v) / m.walk_km) for v in options]
        target = self.random.random() * sum(pulls)
        chosen, pull = options[-1], pulls[-1]
        cum = 0.0
        for venue, weight in zip(options, pulls, strict=True):
            cum += weight
            if cum >= target:
                chosen, pull = venue, weight
                break
        if self.random.random() < pull:  # a first visit becomes a habit if it is near
            self.venue = chosen
            chosen.attendees.add(self)

    def distance_to(self, venue: Venue) -> float:
        """Km from home to ``venue``."""
        return math.hypot(self.household.x - venue.x, self.household.y - venue.y)

    def stop_attending(self) -> None:
        """Stop going to one's venue."""
        if self.venue is not None:
            self.venue.attendees.discard(self)
            self.venue = None

    def leave_vol_venue(self) -> None:
        """Stop helping at a venue."""
        if self.vol_venue is not None:
            self.vol_venue.helpers.discard(self)
            self.vol_venue = None

    def _update_volunteering(self, years: int, home: bool) -> None:
        m = self.model
        p = m.params.volunteers
        u = self.random.random()
        if not self.volunteer:
            if home and u < m.volunteer_join[self.sex * 121 + years]:
                self.volunteer = True
        else:
            load = m.volunteer_load[self.district]
            quit_p = p.quit * (1.0 + p.burnout * max(load - 1.0, 0.0))
            if years >= 80:
                quit_p *= p.quit_80plus
            if u < quit_p:
                self.volunteer = False
                self.leave_vol_venue()
        if self.volunteer and self.vol_venue is None and self.random.random() < p.match:
            m.ready_volunteers[self.district].append(self)

    # ---- help -----------------------------------------------------------------------
    def _seek_help(self) -> None:
        """Come forward with an unmet need no counter knows (Kyosei's ``seek_help``)."""
        if self.case_state != CASE_NONE or not self.has_hidden_need():
            return
        m = self.model
        p = m.params.support
        need = self.salient_unmet()
        sev = min(max(self.sev[need], 1), 3)
        prob = p.seek_base[need] * self.seek_cap * p.seek_severity[sev - 1]
        if any(self.ties):
            prob *= 1.0 + p.nudge
        prob *= p.discouragement**self.dropouts
        if self.random.random() < prob:
            m.counter_for(self.district, need).enqueue(self, need, SELF)

    def drop_out(self) -> None:
        """Give up on the case (waiting too long, or on a referral)."""
        self.case_state = CASE_NONE
        self.dropouts = min(self.dropouts + 1, 10)
        self.model.tally.dropouts += 1


def _pick(kinds: tuple[int, ...], weights: tuple[float, ...], pos: float) -> int:
    """The kind whose cumulative weight band contains ``pos``."""
    cum = 0.0
    for kind, w in zip(kinds, weights, strict=True):
        cum += w
        if pos < cum:
            return kind
    return kinds[-1]


class Venue(mesa.Agent):
    """A venue (居場所) with a capacity of regulars and the volunteers it needs.

    Attributes:
        kind: Index into ``model.venues.KINDS``.
        district, x, y: Where it is.
        capacity: Regulars at most (simulated residents).
        volunteers_needed: Helpers it needs to run (simulated residents).
        open: Running or closed for good.
        unstaffed_months: Consecutive months short of helpers.
        attendees, helpers: Residents who come regularly / help run it.
    """

    model: ReferenceModel

    def __init__(
        self,
        model: ReferenceModel,
        *,
        kind: int,
        district: int,
        x: float,
        y: float,
        capacity: int,
        volunteers_needed: float,
    ) -> None:
        super().__init__(model)
        self.kind = kind
        self.district = district
        self.x, self.y = x, y
        self.capacity = capacity
        self.volunteers_needed = volunteers_needed
        self.open = True
        self.unstaffed_months = 0
        self.attendees: set[Resident] = set()
        self.helpers: set[Resident] = set()

    def step(self) -> None:
        """Take on free volunteers, check staffing (maybe close), notice hidden needs."""
        if not self.open:
            return
        self._recruit()
        self._check_staffing()
        if self.open:
            self._notice_needs()

    def _short(self) -> int:
        return math.ceil(self.volunteers_needed - len(self.helpers) - 1e-9)

    def _recruit(self) -> None:
        ready = self.model.ready_volunteers[self.district]
        while self._short() > 0 and ready:
            person = ready.pop(0)
            if person.alive and person.volunteer and person.vol_venue is None:
                person.vol_venue = self
                self.helpers.add(person)

    def _check_staffing(self) -> None:
        p = self.model.params.venues
        short = len(self.helpers) + 1e-9 < self.volunteers_needed
        self.unstaffed_months = self.unstaffed_months + 1 if short else 0
        if self.unstaffed_months >= p.close_after or self.random.random() < p.close_rate / 12.0:
            self.close()

    def close(self) -> None:
        """Stop running: regulars and helpers are released."""
        self.open = False
        for person in list(self.attendees):
            person.venue = None
        for person in list(self.helpers):
            person.vol_venue = None
        self.attendees.clear()
        self.helpers.clear()
        self.model.closed_venues += 1

    def _notice_needs(self) -> None:
        """参加→相談: staff notice regulars' hidden needs and bring them to a counter."""
        m = self.model
        prob = m.params.venues.notice * (1.0 if self.unstaffed_months == 0 else 0.3)
        for person in list(self.attendees):
            if person.has_hidden_need() and self.random.random() < prob and m.bring(person, VENUE):
                m.tally.venue_referrals += 1


class Counter(mesa.Agent):
    """A siloed consultation counter: one field, one district, a monthly intake capacity.

    Attributes:
        field: 0 care, 1 disability, 2 child-rearing, 3 hardship.
        district: Area served.
        staff: Caseworkers (people).
        credit: Unused capacity carried to next month (at most one case).
        queue: Residents waiting to be assessed, first come first served.
        incoming: Referrals on their way (they join the queue when due).
        served_this_month, capacity_this_month: For checks and reports.
    """

    model: ReferenceModel

    def __init__(
        self, model: ReferenceModel, *, field: int, district: int, staff: float, credit: float
    ) -> None:
        super().__init__(model)
        self.field = field
        self.district = district
        self.staff = staff
        self.credit = credit
        self.queue: deque[Resident] = deque()
        self.incoming: list[Resident] = []
        self.served_this_month = 0
        self.capacity_this_month = 0.0

    def monthly_capacity(self) -> float:
        """New cases this counter can assess in a month (simulated residents)."""
        return self.staff * self.model.params.support.intake_per_worker / self.model.scale

    def enqueue(
        self, person: Resident, need: int, route: int, *, due: int = 0, front: bool = False
    ) -> None:
        """Open a case for ``need``: queue now, or arrive in ``due`` months (referral)."""
        m = self.model
        person.counter = self
        fields = 1 << need
        if self.random.random() < m.params.support.mention_other:  # raises the rest too
            for i in range(N_NEEDS):
                if person.sev[i] and not person.supported[i]:
                    fields |= 1 << i
        person.case_fields = fields
        person.case_route = route
        person.known[need] = True
        m.tally.arrivals[route] += 1
        if due > 0:
            person.case_state = CASE_REFERRED
            person.case_due = m.month + due
            self.incoming.append(person)
        else:
            person.case_state = CASE_QUEUED
            person.case_since = m.month - 120 if front else m.month
            if front:
                self.queue.appendleft(person)
            else:
                self.queue.append(person)

    def _holds(self, person: Resident, state: int) -> bool:
        return person.alive and person.case_state == state and person.counter is self

    def step(self) -> None:
        """Referrals arrive; some give up waiting; the queue is served up to capacity."""
        m = self.model
        p = m.params.support
        month = m.month
        on_the_way = []
        for person in self.incoming:
            if not self._holds(person, CASE_REFERRED):
                continue
            if person.case_due <= month:
                person.case_state = CASE_QUEUED
                person.case_since = month
                self.queue.append(person)
            else:
                on_the_way.append(person)
        self.incoming = on_the_way
        waiting: deque[Resident] = deque()
        for person in self.queue:
            if not self._holds(person, CASE_QUEUED):
                continue
            if person.case_since < month:
                quit_p = p.give_up_waiting * (0.3 if person.case_route in ACCOMPANIED else 1.0)
                if self.random.random() < quit_p:
                    person.drop_out()
                    continue
            waiting.append(person)
        self.queue = waiting
        capacity = self.monthly_capacity() + self.credit
        spent = 0
        while self.queue and spent + 1 <= capacity + 1e-9:
            spent += 1
            self._assess(self.queue.popleft())
        self.credit = min(capacity - spent, 1.0) if spent < capacity else 0.0
        self.capacity_this_month = capacity
        self.served_this_month = spent
        m.tally.served += spent

    def _assess(self, person: Resident) -> None:
        """Support the own field's need; refer the rest on (silo); look at the household."""
        m = self.model
        p = m.params.support
        noticed = self.random.random() < p.detect_other
        brought = [
            bool(person.sev[i])
            and not person.supported[i]
            and (noticed or bool(person.case_fields >> i & 1))
            for i in range(N_NEEDS)
        ]
        taken = [False] * N_NEEDS
        taken[self.field] = brought[self.field]
        w_case = brought[WITHDRAWAL] and self.field == POVERTY
        taken[WITHDRAWAL] = w_case and self.random.random() < p.withdrawal_taken
        for i in range(N_NEEDS):
            if brought[i]:
                person.known[i] = True
            if taken[i]:
                self._support(person, i)
        rest = [brought[i] and not taken[i] for i in range(N_NEEDS)]
        if w_case:
            rest[WITHDRAWAL] = False  # a refused withdrawal case is not referred again
        if any(rest):
            self._refer_on(person, rest)
        else:
            person.case_state = CASE_NONE
        if self.random.random() < p.detect_household:
            for other in list(person.household.members):
                if other.case_state == CASE_NONE and other.has_hidden_need():
                    m.bring(other, HOUSEHOLD)

    def _support(self, person: Resident, need: int) -> None:
        m = self.model
        person.supported[need] = True
        person.known[need] = True
        m.tally.supported_new += 1
        if need == POVERTY:
            share = m.params.needs.assistance_share[1 if person.age_m >= 65 * 12 else 0]
            if self.random.random() < share:
                person.assistance = True

    def _refer_on(self, person: Resident, rest: list[bool]) -> None:
        m = self.model
        p = m.params.support
        m.tally.referrals += 1
        drop_p = p.referral_dropout * (0.5 if person.case_route in ACCOMPANIED else 1.0)
        if self.random.random() < drop_p:
            person.drop_out()
            return
        need = rest.index(True)
        target = m.counter_for(person.district, need)
        person.counter = target
        person.case_fields = sum(1 << i for i in range(N_NEEDS) if rest[i])
        person.case_route = REFERRAL
        person.case_state = CASE_REFERRED
        person.case_due = m.month + p.referral_delay
        target.incoming.append(person)


class ReferenceModel(mesa.Model):
    """Kyosei's rules as per-agent Mesa code, started from a Kyosei model's month 0.

    Attributes:
        params: The Kyosei parameters (``source.params``).
        scale: People per simulated resident.
        month: Months since the start.
        tally: This month's events.
        records: One dict of outputs per month (month 0 first).
    """

    def __init__(self, source: CommunityModel, *, seed: int = 1) -> None:
        """Copy ``source``'s town (at month 0) into agents; ``seed`` seeds Mesa's generators."""
        super().__init__(rng=seed)
        self.params = source.params
        self.scale = float(source.scale)
        self.month = source.month
        self.town_map = source.town_map
        self.n_districts = source.n_districts
        weights = list(self.params.town.district_weights or [1.0] * self.n_districts)
        self.district_weights = [w / sum(weights) for w in weights]
        self.tally = Tally()
        self.records: list[dict[str, float]] = []
        self.closed_venues = 0
        self._build_tables(source)
        self._copy_town(source)
        self._next_pid = int(source.residents.pid.max()) + 1 if source.residents.n else 1
        self.partner_market: list[Resident] = []
        self.ready_volunteers: list[list[Resident]] = [[] for _ in range(self.n_districts)]
        self._month_facts()
        self._record()

    # ---- set-up ----------------------------------------------------------------------
    def _build_tables(self, source: CommunityModel) -> None:
        """Kyosei's lookup tables, as Python lists (fast to index one element at a time)."""
        p = self.params
        demo = source.demo_tables
        self.death = demo.death.tolist()
        self.move_out = demo.move_out.tolist()
        self.asfr = demo.asfr.tolist()
        self.employment = demo.employment.tolist()
        self.leave_home_p = _monthly(p.demography.leave_home_rate)
        self.partner_p = _monthly(p.demography.partner_rate)
        self.join_family_p = _monthly(p.demography.join_family_rate)
        self.needs_t = source.needs_tables
        self.care_onset = self.needs_t.care.tolist()
        self.disability_onset = self.needs_t.disability.tolist()
        self.poverty_onset = self.needs_t.poverty.tolist()
        self.venue_join = source.venues.join_table.tolist()  # [kind][sex * 121 + years]
        self.venue_join_total = source.venues.join_table.sum(axis=0).tolist()
        self.walk_km = p.venues.distance_km
        self.volunteer_join = source.volunteer_join_table.tolist()
        self.group_join = source.organisations.join_table.tolist()
        org = p.organisations
        self.group_leave = org.leave + float(np.mean(org.closure)) / 12.0
        edges = np.searchsorted(NEIGHBOUR_BANDS, np.arange(121), "right") - 1
        self.neighbour_by_age = np.asarray(p.ties.neighbour_gain)[edges].tolist()

    def _copy_town(self, source: CommunityModel) -> None:
        """Households, venues, counters and living residents of ``source``, as objects."""
        h = source.households
        self.households = [
            Household(int(d), float(x), float(y), bool(inst))
            for d, x, y, inst in zip(
                h.district.tolist(), h.x.tolist(), h.y.tolist(), h.institution.tolist(), strict=True
            )
        ]
        self.facilities = {
            self.households[i].district: self.households[i] for i in source.facility_hh.tolist()
        }
        venues = [
            Venue(
                self,
                kind=v.kind,
                district=v.district,
                x=v.x,
                y=v.y,
                capacity=v.capacity,
                volunteers_needed=v.volunteers_needed,
            )
            for v in source.venues.venues
        ]
        for copy, original in zip(venues, source.venues.venues, strict=True):
            copy.open = original.open
            copy.unstaffed_months = original.unstaffed_months
        self.venues_by_district: list[list[Venue]] = [[] for _ in range(self.n_districts)]
        for v in venues:
            self.venues_by_district[v.district].append(v)
        counters = [
            Counter(self, field=c.field, district=c.district, staff=c.staff, credit=c.credit)
            for c in source.support.counters
        ]
        self.counter_index = [
            [counters[int(source.support.index[d, f])] for f in range(N_FIELDS)]
            for d in range(self.n_districts)
        ]
        self._copy_residents(source, venues, counters)

    def _copy_residents(
        self, source: CommunityModel, venues: list[Venue], counters: list[Counter]
    ) -> None:
        r = source.residents
        alive = np.flatnonzero(r.alive)
        col = {name: getattr(r, name)[..., alive].tolist() for name in COPIED_COLUMNS}
        queued: list[tuple[int, int, Resident]] = []
        for j in range(alive.size):
            person = Resident(
                self,
                pid=col["pid"][j],
                age_m=col["age_m"][j],
                sex=col["sex"][j],
                household=self.households[col["hh"][j]],
                role=col["role"][j],
                never_married=col["never_married"][j],
                arrival_m=col["arrival_m"][j],
                working=col["working"][j],
            )
            # A propensity to work consistent with the status Kyosei gave them.
            rate = self.employment[person.sex][min(person.age_m // 12, 120)]
            u = person.work_propensity
            person.work_propensity = u * rate if person.working else rate + u * (1.0 - rate)
            person.seek_cap = col["seek_cap"][j]
            person.assistance = col["assistance"][j]
            person.dropouts = col["dropouts"][j]
            for name in ("sev", "onset_m", "supported", "known", "ties"):
                setattr(person, name, [row[j] for row in col[name]])
            origin = col["origin_hh"][j]
            if origin >= 0:
                person.origin = self.households[origin]
                person.origin.children_out.append(person)
            if col["venue"][j] >= 0:
                person.venue = venues[col["venue"][j]]
                person.venue.attendees.add(person)
            person.in_group = col["org"][j] >= 0
            person.volunteer = col["volunteer"][j]
            if col["vol_venue"][j] >= 0:
                person.vol_venue = venues[col["vol_venue"][j]]
                person.vol_venue.helpers.add(person)
            state = col["case_state"][j]
            if state != CASE_NONE:
                person.case_state = state
                person.counter = counters[col["case_counter"][j]]
                person.case_since = col["case_since"][j]
                person.case_due = col["case_due"][j]
                person.case_fields = col["case_fields"][j]
                person.case_route = col["case_route"][j]
                if state == CASE_QUEUED:
                    queued.append((person.case_since, person.pid, person))
                else:
                    person.counter.incoming.append(person)
        for _, _, person in sorted(queued, key=lambda q: (q[0], q[1])):  # Kyosei's serving order
            assert person.counter is not None
            person.counter.queue.append(person)

    # ---- helpers used by the agents ------------------------------------------------------
    def new_pid(self) -> int:
        """A fresh identity for a newborn or newcomer."""
        self._next_pid += 1
        return self._next_pid

    def pick_district(self) -> int:
        """A district for a new household, by the profile's district weights."""
        if self.n_districts == 1:
            return 0
        return self.random.choices(range(self.n_districts), weights=self.district_weights)[0]

    def new_household(self, district: int) -> Household:
        """A new household at a home site in ``district`` (Kyosei's ``place_homes``)."""
        xy = place_homes(self.town_map, np.array([district]), self.rng)[0]
        household = Household(district, float(xy[0]), float(xy[1]))
        self.households.append(household)
        return household

    def counter_for(self, district: int, need: int) -> Counter:
        """The siloed counter for ``need`` (withdrawal goes to hardship) in ``district``."""
        return self.counter_index[district][POVERTY if need == WITHDRAWAL else need]

    def bring(self, person: Resident, route: int) -> bool:
        """Someone found ``person`` and refers them on (arrives next month)."""
        if not person.alive or person.case_state != CASE_NONE:
            return False
        need = person.salient_unmet()
        if need < 0:
            return False
        self.counter_for(person.district, need).enqueue(person, need, route, due=1)
        return True

    def emergency(self, person: Resident) -> None:
        """A crisis brings ``person`` to the front of a counter's queue."""
        if person.case_state != CASE_NONE:
            return
        need = person.salient_unmet()
        if need >= 0:
            self.counter_for(person.district, need).enqueue(person, need, CRISIS, front=True)

    # ---- the month --------------------------------------------------------------------
    def step(self) -> None:
        """One month: residents, partner matching, newcomers, venues, counters, outputs."""
        self.month += 1
        self.tally = Tally()
        self.closed_venues = 0
        self.partner_market = []
        self.ready_volunteers = [[] for _ in range(self.n_districts)]
        self._month_facts()
        self.agents_by_type[Resident].shuffle_do("step")
        self._match_partners()
        self._in_migration()
        if Venue in self.agents_by_type:
            self.agents_by_type[Venue].do("step")
        self._open_new_venues()
        self.agents_by_type[Counter].do("step")
        self._record()

    def run(self, months: int) -> ReferenceModel:
        """Run ``months`` steps; returns the model."""
        for _ in range(months):
            self.step()
        return self

    def _month_facts(self) -> None:
        """One pass over residents for the month-level facts the rules need.

        Birth rates rescaled by partnership within 5-year bands (so the TFR holds),
        volunteer demand/supply by district (burnout), support quality by district and
        field (caseload against staff), population by district (new venues).
        """
        p = self.params
        n_d = self.n_districts
        expected = [0.0] * 7
        partnered = [0.0] * 7
        pop = [0] * n_d
        volunteers = [0] * n_d
        alone_in_need = [0] * n_d
        supported = [[0] * N_FIELDS for _ in range(n_d)]
        for person in self.agents_by_type[Resident]:
            d = person.household.district
            pop[d] += 1
            years = person.age_m // 12
            if person.sex == FEMALE and 15 <= years < 50:
                band = (years - 15) // 5
                expected[band] += self.asfr[years]
                if person.partnered():
                    partnered[band] += self.asfr[years]
            if person.volunteer:
                volunteers[d] += 1
            if (
                years >= 65
                and person.sev[CARE]
                and len(person.household.members) == 1
                and not person.household.institution
            ):
                alone_in_need[d] += 1
            for f in range(N_FIELDS):
                if person.supported[f]:
                    supported[d][f] += 1
        share_u = p.demography.nonmarital_birth_ratio
        self.birth_k_partnered = [
            (1 - share_u) * e / dp if dp > 0 else 0.0
            for e, dp in zip(expected, partnered, strict=True)
        ]
        self.birth_k_single = [
            (share_u if dp > 0 else 1.0) * e / (e - dp) if e - dp > 0 else 0.0
            for e, dp in zip(expected, partnered, strict=True)
        ]
        self.pop_by_district = pop
        vp = p.volunteers
        demand = [alone_in_need[d] * vp.everyday_support_hours for d in range(n_d)]
        for venues in self.venues_by_district:
            for v in venues:
                if v.open:
                    demand[v.district] += v.volunteers_needed * vp.hours_per_month
        self.volunteer_load = [
            demand[d] / (volunteers[d] * vp.hours_per_month) if volunteers[d] else 1.0
            for d in range(n_d)
        ]
        sp = p.support
        self.quality = [
            [
                min(1.0, c.staff * sp.caseload_per_worker[f] / self.scale / supported[d][f])
                if supported[d][f]
                else 1.0
                for f, c in enumerate(self.counter_index[d])
            ]
            for d in range(n_d)
        ]
        year = max(self.month, 0) / 12.0
        trend = (1 + p.ties.neighbour_trend / 100.0) ** year
        self.neighbour_gain = [g * trend for g in self.neighbour_by_age]
        self.kin_contact = p.ties.kin_contact * (1 + p.ties.kin_trend / 100.0) ** year

    def _match_partners(self) -> None:
        """Singles who looked for a partner this month pair up by age; she moves in."""
        ready = [
            s
            for s in self.partner_market
            if s.alive and s.role == ROLE_HEAD and len(s.household.members) == 1
        ]
        men = sorted((s for s in ready if s.sex == MALE), key=lambda s: (s.age_m, s.pid))
        women = sorted((s for s in ready if s.sex == FEMALE), key=lambda s: (s.age_m, s.pid))
        for man, woman in zip(men, women, strict=False):
            woman.move_to(man.household)
            man.never_married = woman.never_married = False

    def _in_migration(self) -> None:
        """Newcomer units arrive (Kyosei's unit table); they act from next month."""
        p = self.params.demography
        shares = np.asarray(p.in_unit_shares) / sum(p.in_unit_shares)
        per_unit = 1.0 + np.asarray(_UNIT_COUPLE_SHARE)
        mean_size = float(shares @ per_unit) + shares[_FAMILY] * float(np.dot(_KIDS, _KIDS_P))
        lam = p.in_rate / 12.0 * len(self.agents_by_type[Resident]) / mean_size
        rand = self.random.random
        for _ in range(int(self.rng.poisson(lam)) if lam > 0 else 0):
            kind = self.random.choices(range(len(shares)), weights=shares.tolist())[0]
            lo, hi = _UNIT_AGES[kind]
            first_age = lo * 12 + int(rand() * (hi - lo) * 12)
            couple = rand() < _UNIT_COUPLE_SHARE[kind]
            kids = self.random.choices(_KIDS, weights=_KIDS_P)[0] if kind == _FAMILY else 0
            first_sex = self.random.randrange(2)
            household = self.new_household(self.pick_district())
            single = not (couple or kind == len(shares) - 1)
            people = [(first_age, first_sex, ROLE_HEAD, single)]
            if couple:
                people.append(
                    (first_age - 12 * (2 * first_sex - 1), 1 - first_sex, ROLE_HEAD, False)
                )
            span = min(max(first_age - 22 * 12, 1), 15 * 12)
            for _ in range(kids):
                people.append((int(rand() * span), self.random.randrange(2), ROLE_CHILD, True))
            for age_m, sex, role, never_married in people:
                person = Resident(
                    self,
                    pid=self.new_pid(),
                    age_m=age_m,
                    sex=sex,
                    household=household,
                    role=role,
                    never_married=never_married,
                    arrival_m=self.month,
                )
                person.ties[NEIGHBOUR] = min(int(self.rng.poisson(0.5)), MAX_TIES)
                person.ties[KIN] = int(rand() < self.params.ties.arrive_near_kin)
                self.tally.in_migrants += 1

    def _open_new_venues(self) -> None:
        """Residents' groups open venues where free volunteers can run them."""
        p = self.params.venues
        for d in range(self.n_districts):
            free: list[Resident] | None = None
            for kind in range(len(KINDS)):
                lam = p.open_rate[kind] * self.pop_by_district[d] * self.scale / 100_000 / 12
                for _ in range(int(self.rng.poisson(lam)) if lam > 0 else 0):
                    if free is None:
                        free = sorted(
                            (
                                r
                                for r in self.agents_by_type[Resident]
                                if r.volunteer and r.vol_venue is None and r.district == d
                            ),
                            key=lambda r: r.pid,
                        )
                    need = p.volunteers_needed[kind] / self.scale
                    if len(free) + 1e-9 < need:
                        continue
                    x, y = place_homes(self.town_map, np.array([d]), self.rng)[0]
                    venue = Venue(
                        self,
                        kind=kind,
                        district=d,
                        x=float(x),
                        y=float(y),
                        capacity=max(1, round(p.capacity[kind] / self.scale)),
                        volunteers_needed=need,
                    )
                    self.venues_by_district[d].append(venue)
                    founders, free = free[: math.ceil(need)], free[math.ceil(need) :]
                    for person in founders:
                        person.vol_venue = venue
                        venue.helpers.add(person)

    def _record(self) -> None:
        """The month's outputs, in one pass (as Kyosei's reporters define them)."""
        residents = self.agents_by_type.get(Resident, ())
        pop = in_need = unmet = hidden = queue = isolated = regulars = volunteers = 0
        for person in residents:
            pop += 1
            if any(person.sev):
                in_need += 1
                any_unmet = False
                known_unmet = False
                for i in range(N_NEEDS):
                    if person.sev[i] and not person.supported[i]:
                        any_unmet = True
                        known_unmet = known_unmet or person.known[i]
                unmet += any_unmet
                hidden += any_unmet and not known_unmet
            queue += person.case_state != CASE_NONE
            isolated += not any(person.ties)
            regulars += person.venue is not None
            volunteers += person.volunteer
        counters = self.agents_by_type.get(Counter, ())
        t = self.tally
        self.records.append(
            {
                "month": self.month,
                "population": pop,
                "births": t.births,
                "deaths": t.deaths,
                "in_migrants": t.in_migrants,
                "out_migrants": t.out_migrants,
                "to_facility": t.to_facility,
                "in_need": in_need,
                "unmet": unmet,
                "hidden": hidden,
                "queue": queue,
                "isolated": isolated,
                "venue_regulars": regulars,
                "volunteers": volunteers,
                "venues_open": sum(
                    1 for venues in self.venues_by_district for v in venues if v.open
                ),
                "served": t.served,
                "referrals": t.referrals,
                "dropouts": t.dropouts,
                "over_capacity": max(
                    (c.served_this_month - c.capacity_this_month for c in counters), default=0.0
                ),
            }
        )
