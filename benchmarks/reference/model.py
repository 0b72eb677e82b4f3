"""The reference ``ReferenceModel``: builds the agents from a Kyosei month 0 and runs them."""

from __future__ import annotations

import math
from copy import deepcopy
from typing import TYPE_CHECKING

import mesa
import numpy as np

from model.core import calendar_date
from model.demography import (
    FAMILY,
    KIDS,
    KIDS_P,
    UNIT_AGES,
    UNIT_COUPLE_SHARE,
    mean_unit_size,
)
from model.needs import CARE, N_FIELDS, POVERTY, WITHDRAWAL
from model.population import (
    CASE_NONE,
    CASE_QUEUED,
    FEMALE,
    MALE,
    N_NEEDS,
    ROLE_CHILD,
    ROLE_HEAD,
)
from model.support import CRISIS
from model.ties import (
    KIN,
    MAX_TIES,
    NEIGHBOUR,
    WORK,
    kin_contact_share,
    lonely_rates,
    rate_table,
)
from model.town import place_homes
from model.venues import KINDS

if TYPE_CHECKING:
    from model.core import CommunityModel
from .common import COPIED_COLUMNS, Household, Tally, _monthly
from .places import Counter, Venue
from .resident import Resident


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
        # Mortality and fertility follow the calendar year, as Kyosei's do (see step).
        self.demo_tables = deepcopy(demo)
        self.start_year, self.start_month = source.start_year, source.start_month
        self.death = demo.death.tolist()
        self.move_out = demo.move_out.tolist()
        self.net_out = demo.net_out.tolist()
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
        self.lonely_recover, self.lonely_onset_isolated, self.lonely_onset = lonely_rates(p.ties)
        self.tie_gain, self.tie_loss = [0.0] * 5, [0.0] * 5  # scratch: one resident's rates

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
            person.lonely = col["lonely"][j]
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
        year = calendar_date(self.start_year, self.start_month, self.month - 1)[0]
        if year != self.demo_tables.year:  # the month being lived, as Kyosei's start phase
            self.demo_tables.set_year(year)
            self.death = self.demo_tables.death.tolist()
            self.asfr = self.demo_tables.asfr.tolist()
        self.tally = Tally()
        self.closed_venues = 0
        self.partner_market = []
        self.exchange_leavers: list[list[tuple[int, int, int, bool]]] = []
        self.net_leavers = 0
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
        # Kyosei's tie rates of the month (``ties.rate_table``; per resident by
        # ``ties.resident_rates``) and its kin contact share.
        neighbour, other = rate_table(p.ties, self.month)
        self.tie_neighbour, self.tie_other = neighbour.tolist(), other.tolist()
        self.kin_contact = kin_contact_share(p.ties, self.month)

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
        """Kyosei's moves in (``model.migration``); newcomers act from next month.

        Each household or adult child that left by exchange this month is replaced by
        newcomers of the same make-up, then returners (a share of the net leavers),
        further net arrivals and foreign net entries arrive as units.
        """
        p = self.params.demography
        for group in self.exchange_leavers:
            household = self.new_household(self.pick_district())
            for age_m, sex, role, never_married in group:
                self._newcomer(household, age_m, sex, role, never_married)
        n = len(self.agents_by_type[Resident])
        self._arrive_units(p.return_share * self.net_leavers, p.return_unit_shares)
        self._arrive_units(p.in_rate / 12.0 * n, p.in_unit_shares)
        foreign = p.foreign_net_national / p.national_population * p.foreign_share
        self._arrive_units(foreign / 12.0 * n, p.foreign_unit_shares)

    def _arrive_units(self, persons: float, shares: tuple[float, ...]) -> None:
        """About ``persons`` newcomers (expected) as units of kinds ``shares``."""
        if persons <= 0 or sum(shares) <= 0:
            return
        p = self.params.demography
        weights = [w / sum(shares) for w in shares]
        rand = self.random.random
        for _ in range(int(self.rng.poisson(persons / mean_unit_size(shares)))):
            kind = self.random.choices(range(len(weights)), weights=weights)[0]
            lo, hi = UNIT_AGES[kind]
            first_age = lo * 12 + int(rand() * (hi - lo) * 12)
            couple = rand() < UNIT_COUPLE_SHARE[kind]
            kids = self.random.choices(KIDS, weights=KIDS_P)[0] if kind == FAMILY else 0
            first_sex = self.random.randrange(2)
            household = self.new_household(self.pick_district())
            single = not (couple or kind == len(weights) - 1)
            people = [(first_age, first_sex, ROLE_HEAD, single)]
            if couple:
                people.append(
                    (first_age - 12 * (2 * first_sex - 1), 1 - first_sex, ROLE_HEAD, False)
                )
            span = min(max(first_age - p.family_parent_gap * 12, 1), p.family_child_below * 12)
            for _ in range(kids):
                people.append((int(rand() * span), self.random.randrange(2), ROLE_CHILD, True))
            for age_m, sex, role, never_married in people:
                self._newcomer(household, age_m, sex, role, never_married)

    def _newcomer(
        self, household: Household, age_m: int, sex: int, role: int, never_married: bool
    ) -> None:
        """One person moves in: in work or not by age and sex, with a newcomer's ties."""
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
        rate = self.employment[sex][min(age_m // 12, 120)]
        person.working = person.work_propensity < rate
        self._arrival_ties(person)
        self.tally.in_migrants += 1

    def _arrival_ties(self, person: Resident) -> None:
        """A newcomer's few local ties and loneliness (Kyosei's ``ties.arrive``)."""
        p = self.params.ties
        if person.working:
            person.ties[WORK] = min(int(self.rng.poisson(p.arrival_work_ties)), MAX_TIES)
        person.ties[NEIGHBOUR] = min(int(self.rng.poisson(p.arrival_neighbour_ties)), MAX_TIES)
        person.ties[KIN] = int(self.random.random() < p.arrive_near_kin)
        share = p.lonely_isolated if person.isolated() else p.lonely_connected
        person.lonely = self.random.random() < share

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
        pop = in_need = unmet = hidden = queue = isolated = lonely = regulars = volunteers = 0
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
            isolated += person.isolated()
            lonely += person.lonely
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
                "lonely": lonely,
                "reconnected": t.reconnected,
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
