"""The reference ``Resident`` agent: one person's month, written the usual Mesa way."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa

from model.demography import MAX_AGE_M
from model.needs import CARE, DISABILITY, N_FIELDS, POVERTY, WITHDRAWAL
from model.population import (
    CASE_NONE,
    FEMALE,
    MALE,
    N_NEEDS,
    ROLE_CHILD,
    ROLE_HEAD,
    ROLE_PARENT,
)
from model.support import SELF
from model.ties import FRIEND_KINDS, KIN, MAX_TIES, resident_rates

from .common import (
    ADULT_M,
    ALL_KINDS,
    CHILDCARE,
    UNDER_12_M,
    Household,
    _monthly,
    _pick,
)

if TYPE_CHECKING:
    from .model import ReferenceModel
    from .places import Counter, Venue


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
        low = model.params.support.seek_capacity_min
        self.seek_cap = 0.0 if never_seeks else low + (1.0 - low) * self.random.random()
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
        self.lonely = False
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
        isolated = self.isolated()
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
        head = self.role == ROLE_HEAD
        mover = head or (self.role == ROLE_CHILD and years >= 18)
        q_out = m.move_out[years] if mover else 0.0
        q_net = 0.0
        if mover:  # a net move is decided once per household: its heads share the rate
            heads = sum(x.role == ROLE_HEAD for x in self.household.members) if head else 1
            q_net = m.net_out[years] / max(heads, 1)
        u = self.random.random()
        if u < q_death:
            self.die()
            return True
        if u < q_death + q_out + q_net:
            exchange = u < q_death + q_out  # replaced this month by newcomers of its make-up
            if head:  # the head takes the household along
                members = list(self.household.members)
                if exchange:
                    m.exchange_leavers.append(
                        [(x.age_m, x.sex, x.role, x.never_married) for x in members]
                    )
                for member in members:
                    member.leave_town(exchange=exchange)
            else:  # an adult child moves alone (and is replaced as a household's head)
                if exchange:
                    alone = (self.age_m, self.sex, ROLE_HEAD, self.never_married)
                    m.exchange_leavers.append([alone])
                self.leave_town(exchange=exchange)
            return True
        return False

    def die(self) -> None:
        """Die (counted) and leave the model."""
        self.model.tally.deaths += 1
        self._exit()

    def leave_town(self, *, exchange: bool = True) -> None:
        """Move out of town (counted) and leave the model; a net move is counted apart."""
        self.model.tally.out_migrants += 1
        if not exchange:
            self.model.net_leavers += 1
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
        self.ties[KIN] = int(self.random.random() < m.kin_contact)  # parents stay kin in town

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
    def isolated(self) -> bool:
        """No family or friend outside the household (colleagues do not count)."""
        t = self.ties
        return not any(t[k] for k in FRIEND_KINDS)

    def _update_ties(self, years: int, taking_part: bool) -> None:
        """Lose or gain one tie with one draw, recount kin, loneliness (``ties.update``)."""
        m = self.model
        p = m.params.ties
        t = self.ties
        was_isolated = self.isolated()
        gain, loss = m.tie_gain, m.tie_loss  # this resident's rates, by Kyosei's one rule
        newcomer = m.month - self.arrival_m < p.newcomer_months
        resident_rates(
            m.tie_neighbour, m.tie_other, years, newcomer, self.working, taking_part,
            any(self.sev), gain, loss,
        )  # fmt: skip
        hazard = [t[k] * loss[k] for k in ALL_KINDS]
        total_hazard = sum(hazard)
        p_loss = min(total_hazard, p.loss_max)
        total_gain = sum(gain)
        p_gain = min(total_gain, 1.0 - p_loss)
        u = self.random.random()
        if u < p_loss:
            kind = _pick(ALL_KINDS, hazard, u / p_loss * total_hazard)
            if t[kind] > 0:
                t[kind] -= 1
        elif u >= 1.0 - p_gain:
            kind = _pick(ALL_KINDS, gain, (1.0 - u) / p_gain * total_gain)
            t[kind] = min(t[kind] + 1, MAX_TIES)
        if self.pid % 12 == m.month % 12:  # a twelfth of the town each month
            self._recount_kin()
        now_isolated = self.isolated()
        if was_isolated and not now_isolated:
            m.tally.reconnected += 1
        u = self.random.random()
        if self.lonely:
            self.lonely = u >= m.lonely_recover
        else:
            self.lonely = u < (m.lonely_onset_isolated if now_isolated else m.lonely_onset)

    def _recount_kin(self) -> None:
        """Kin households in town kept in regular contact with, once a year."""
        m = self.model
        children = sum(1 for c in self.household.children_out if c.alive)
        parents = 1 if self.origin is not None and self.origin.members else 0
        keeps = self.random.random() < m.kin_contact
        self.ties[KIN] = min(children + parents, m.params.ties.kin_ties_max) if keeps else 0

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
