"""The reference ``Venue`` and ``Counter`` agents."""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import mesa

from model.needs import POVERTY, WITHDRAWAL
from model.population import (
    CASE_NONE,
    CASE_QUEUED,
    CASE_REFERRED,
    N_NEEDS,
)
from model.support import ACCOMPANIED, HOUSEHOLD, REFERRAL, VENUE

if TYPE_CHECKING:
    pass


if TYPE_CHECKING:
    from .model import ReferenceModel
    from .resident import Resident


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
        monthly = self.monthly_capacity()
        capacity = monthly + self.credit
        spent = 0
        # As Kyosei's counters: take a case while the balance before it is positive; keep
        # unused capacity up to a month's worth, repay an overdraft.
        while self.queue and spent < capacity - 1e-9:
            spent += 1
            self._assess(self.queue.popleft())
        self.credit = min(capacity - spent, monthly)
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
