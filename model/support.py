"""Consultation counters (Mesa agents) and the way residents reach them.

In the siloed baseline (縦割り) each daily-life area has four field counters — the
地域包括支援センター for elderly care and counters for disability, child-rearing and
hardship (自立相談支援). A counter has staff, a monthly intake capacity and a queue.
It takes cases of its own field only: a case that also concerns another field, or
that came to the wrong counter, is referred on — with a delay and a chance that the
person gives up on the way (たらい回し). Social withdrawal belongs to no field: the
hardship counter takes it on only sometimes.

Residents reach a counter by one of the routes in :data:`ROUTES`: on their own
(help-seeking depends on capacity — lowered by dementia, withdrawal and isolation,
see :func:`help_seeking_capacity` — severity, stigma by field, a nudge from ties, and
discouragement after earlier drop-outs), referred on by
another counter, brought by a 民生委員, a venue, outreach or a household assessment,
or in a crisis.

Policy components change this machinery (see :mod:`model.interventions`): with a
one-stop counter any counter takes any field; with multi-agency collaboration
compound cases get a joint plan within the coordinators' capacity.

All queue state lives in resident columns (``case_*``), so queues survive
compaction and forks, and serving order is by arrival month then by resident id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from mesa.agentset import AbstractAgentSet

from . import kernels
from .needs import CARE, N_FIELDS, POVERTY, WITHDRAWAL
from .parameters import param
from .population import (
    CASE_NONE,
    CASE_QUEUED,
    CASE_REFERRED,
    EPS,
    MAX_SEVERITY,
    N_NEEDS,
    OLD_AGE,
    Residents,
    hidden_needs,
    unmet_needs,
)
from .rows import Column, RowAgent
from .support_kernels import (
    _seek_chances,
    caseloads,
    household_members,
    supports_given,
)

if TYPE_CHECKING:
    from .core import CommunityModel

ROUTES = ("self", "referral", "minsei", "venue", "outreach", "crisis", "household")
SELF, REFERRAL, MINSEI, VENUE, OUTREACH, CRISIS, HOUSEHOLD = range(len(ROUTES))
ACCOMPANIED = (MINSEI, VENUE, OUTREACH, HOUSEHOLD)
# Whether each route is ACCOMPANIED, by route: a lookup instead of np.isin's set logic.
_IS_ACCOMPANIED = np.isin(np.arange(len(ROUTES)), ACCOMPANIED)
COUNTER_LABELS_JA = ("地域包括支援センター", "障害者相談支援", "子育て相談", "自立相談支援")
WAIT_BINS = (0, 3, 6, 12, 24)  # months from onset to support: 0-2, 3-5, 6-11, 12-23, 24+
COUNTER_OFFSET_KM = 0.3  # where counters are drawn around their district centre
STAFF_PER = 20_000  # staff_per_20k is given per this many residents
LONG_AGO = 120  # months: a case first seen "long ago" (a sentinel)


@dataclass(frozen=True)
class SupportParams:
    """Counters, help-seeking, referrals and drop-outs."""

    staff_per_20k: tuple[float, ...] = param(
        (7.3, 3.0, 2.5, 2.5),
        unit="staff per 20,000 residents: care, disability, child, hardship",
        source="[mhlw-kaigo-bukai-117] 包括 ≈ 7.3 staff per centre, [mhlw-kaigo-bukai-116] "
        "1 centre per 20-23k; others assumption",
        lo=0,
        length=4,
        ja="相談員数（2万人あたり）",
        en="Counter staff per 20k",
    )
    intake_per_worker: float = param(
        2.5,
        unit="new cases assessed per worker-month",
        source="assumption",
        lo=0,
        hi=100,
        ja="相談員1人あたり月間新規受付",
        en="Intake per worker-month",
    )
    caseload_per_worker: tuple[float, ...] = param(
        (250.0, 120.0, 60.0, 50.0),
        unit="ongoing cases a worker can carry, by field",
        source="assumption",
        lo=1,
        length=4,
    )
    seek_base: tuple[float, ...] = param(
        (0.20, 0.10, 0.15, 0.07, 0.03),
        unit="per month, by need (care … hardship, withdrawal)",
        source="assumption (stigma is highest for hardship and withdrawal)",
        lo=0,
        hi=1,
        length=5,
        ja="自ら相談する確率（月）",
        en="Monthly help-seeking",
    )
    seek_severity: tuple[float, ...] = param(
        (0.5, 1.0, 1.6), unit="multiplier by severity 1-3", source="assumption", lo=0, length=3
    )
    never_seek_share: float = param(
        0.0,
        unit="extra share of residents who never go to a counter themselves, for any reason",
        source="assumption: 0, since who cannot seek help now follows from dementia, "
        "withdrawal and isolation (help_seeking_capacity); kept for sensitivity, range 0-0.3",
        lo=0,
        hi=1,
        ja="自ら相談に行けない人の割合",
        en="Share who cannot seek help",
    )
    capacity_dementia: float = param(
        0.2,
        unit="multiplier on help-seeking capacity of people 65+ in the moderate or heavy care "
        "band (the model's stand-in for dementia)",
        source="assumption ([seed-deck] p.20: 自ら相談に行く力がない人; [mhlw-dementia-2024] "
        "dementia 12.3 % of 65+, the band holds ≈ 9 %); sensitivity range 0-0.5",
        lo=0,
        hi=1,
    )
    capacity_withdrawal: float = param(
        0.3,
        unit="multiplier on help-seeking capacity of a withdrawn person (any need)",
        source="assumption ([cao-kodomo-wakamono-2022]: most withdrawn young people do not want "
        "to use support agencies, figures unverified); sensitivity range 0.1-0.6",
        lo=0,
        hi=1,
    )
    capacity_isolated: float = param(
        0.5,
        unit="multiplier on help-seeking capacity of a person with no ties",
        source="assumption ([cas-kodoku-2022]: lonely often 19.5 % with no one to consult "
        "vs 3.2 % with someone); sensitivity range 0.2-1",
        lo=0,
        hi=1,
    )
    nudge: float = param(
        0.6,
        unit="added share of help-seeking for residents with ties",
        source="assumption (someone who nudges them)",
        lo=0,
        hi=5,
    )
    discouragement: float = param(
        0.5,
        unit="multiplier on help-seeking per earlier drop-out",
        source="assumption",
        lo=0,
        hi=1,
    )
    referral_dropout: float = param(
        0.30,
        unit="share giving up on each referral (たらい回し)",
        source="assumption; sensitivity range 0.1-0.5 ([mhlw-gyosei-review-2024]: about 36 % of "
        "自立相談 new consultations end with advice or information only, an upper reference)",
        lo=0,
        hi=1,
        ja="たらい回しでの脱落率",
        en="Drop-out per referral",
    )
    referral_delay: int = param(1, unit="months a referral takes", source="assumption", lo=0, hi=24)
    give_up_waiting: float = param(
        0.04, unit="per month in a queue", source="assumption", lo=0, hi=1
    )
    mention_other: float = param(
        0.5,
        unit="chance a person raises their other unmet needs too, not only the main one",
        source="assumption",
        lo=0,
        hi=1,
    )
    detect_other: float = param(
        0.30,
        unit="chance a siloed counter notices a need the person did not raise",
        source="assumption; sensitivity range 0.1-0.5",
        lo=0,
        hi=1,
    )
    detect_household: float = param(
        0.10,
        unit="chance a siloed counter looks at the rest of the household",
        source="assumption",
        lo=0,
        hi=1,
    )
    withdrawal_taken: float = param(
        0.30,
        unit="chance the siloed hardship counter takes on a withdrawal case",
        source="assumption (制度の狭間); sensitivity range 0.1-0.6 ([diamond-8050-2021]: 92 % "
        "of Tokyo's 包括 know of withdrawn residents, 3.9 % newly find one in a month)",
        lo=0,
        hi=1,
    )
    detect_other_one_stop: float = param(
        0.90,
        unit="chance a one-stop counter notices another field's need",
        source="assumption (Okazaki ふくサポ)",
        lo=0,
        hi=1,
    )
    detect_household_joint: float = param(
        0.70,
        unit="chance a joint plan looks at the whole household",
        source="assumption (重層的支援会議)",
        lo=0,
        hi=1,
    )
    joint_improvement: float = param(
        1.3,
        unit="multiplier on improvement for cases with a joint plan",
        source="assumption",
        lo=0,
        hi=5,
    )
    give_up_accompanied: float = param(
        0.3,
        unit="multiplier on giving up while waiting for residents someone brought "
        "(民生委員, venue, outreach, household) or with a joint plan",
        source="assumption: being accompanied keeps people in the queue (range 0.1-1)",
        lo=0,
        hi=1,
        ja="同行時の待機離脱の倍率",
        en="Giving up while waiting, accompanied",
    )
    one_stop_extra_cost: float = param(
        0.5,
        unit="extra assessment cost (cases) per unmet need beyond the first, at a one-stop counter",
        source="assumption: a whole-person assessment of a compound case takes longer (range 0-2)",
        lo=0,
        hi=5,
        ja="ワンストップ窓口の複合課題の追加負担",
        en="One-stop extra cost per extra need",
    )
    dropout_joint: float = param(
        0.1,
        unit="multiplier on dropping out of a referral with a joint plan",
        source="assumption: a joint plan hands the case over in person (range 0-0.5)",
        lo=0,
        hi=1,
        ja="支援会議ありの紹介途中離脱の倍率",
        en="Referral drop-out with a joint plan",
    )
    dropout_accompanied: float = param(
        0.5,
        unit="multiplier on dropping out of a referral for residents someone brought",
        source="assumption: someone who brought them follows up (range 0.2-1)",
        lo=0,
        hi=1,
        ja="同行時の紹介途中離脱の倍率",
        en="Referral drop-out, accompanied",
    )
    dropouts_counted: int = param(
        10,
        unit="most drop-outs a resident's record counts (discouragement stops growing)",
        source="assumption",
        lo=1,
        hi=100,
        ja="数える途中離脱の上限",
        en="Drop-outs counted at most",
    )
    seek_capacity_min: float = param(
        0.2,
        unit="lowest personal capacity to seek help of those who do seek "
        "(each draws from here to 1)",
        source="assumption: capacity varies widely between people (range 0-0.5)",
        lo=0,
        hi=1,
        ja="相談する力の最小値",
        en="Lowest capacity to seek help",
    )


class Counter(RowAgent):
    """A consultation counter of one field in one district: a Mesa agent viewing one row.

    ``number`` is its stable id (``index[district, field]``): the value residents'
    ``case_counter`` holds and the row of its state in the arrays of
    :class:`SupportSystem` (each attribute below reads and writes that row, see
    :class:`~model.rows.Column`), so the month's intake works on whole arrays. Counters
    never close; all of them are Mesa's set of ``Counter`` agents (:attr:`SupportSystem.agents`).

    Attributes:
        field: 0 care (包括), 1 disability, 2 child-rearing, 3 hardship.
        district: Daily-life area it serves.
        staff: Caseworkers (people, not scaled).
        served: Cases assessed so far.
        served_this_month: Cases assessed this month.
        spent_this_month: Capacity used this month (compound cases cost more).
        capacity_this_month: Capacity this month, with the balance carried over.
        credit: Balance carried over: unused capacity (≤ a month's) or overdraft.
        x, y: Position on the map (km).
    """

    field = Column()
    district = Column()
    staff = Column()
    served = Column()
    served_this_month = Column()
    spent_this_month = Column()
    capacity_this_month = Column()
    credit = Column()

    def __init__(self, model: CommunityModel, system: SupportSystem, number: int) -> None:
        super().__init__(model, system, number)
        cx, cy = model.town_map.centres[self.district]
        middle = (N_FIELDS - 1) / 2
        self.x = float(cx) + COUNTER_OFFSET_KM * (self.field - middle)
        self.y = float(cy) - COUNTER_OFFSET_KM

    @property
    def label_ja(self) -> str:
        """The counter's name in Japanese."""
        return COUNTER_LABELS_JA[self.field]

    def monthly_capacity(self) -> float:
        """New cases (simulated residents) this counter can assess this month."""
        return float(self.system.monthly_capacity()[self.number])


class SupportSystem:
    """The counters of the town and the monthly flow of cases through them.

    Each counter's state is a row of the arrays ``field``, ``district``, ``staff``,
    ``served``, ``served_this_month``, ``spent_this_month``, ``capacity_this_month`` and
    ``credit``; :attr:`counters` holds the :class:`Counter` agents by number.
    """

    def __init__(self, model: CommunityModel) -> None:
        self.model = model
        p = model.params.support
        pop_d = (
            np.bincount(
                model.residents.district[model.residents.alive], minlength=model.n_districts
            )
            * model.scale
        )
        n = model.n_districts * N_FIELDS
        self.index = np.arange(n, dtype=np.int64).reshape(model.n_districts, N_FIELDS)
        self.district, self.field = (a.ravel() for a in np.indices(self.index.shape))
        self.staff = np.array(p.staff_per_20k, dtype=float)[self.field] * pop_d[self.district]
        self.staff /= STAFF_PER
        self.served = np.zeros(n, dtype=np.int64)
        self.served_this_month = np.zeros(n, dtype=np.int64)
        self.spent_this_month = np.zeros(n)
        self.capacity_this_month = np.zeros(n)
        self.credit = np.zeros(n)
        self.counters: tuple[Counter, ...] = tuple(Counter(model, self, c) for c in range(n))
        self.waits: list[np.ndarray] = []
        self.quality = np.ones((model.n_districts, N_FIELDS))

    def reset_month(self) -> None:
        """Zero this month's counts: waits of the cases assessed, each counter's cases and load."""
        self.waits.clear()
        self.served_this_month[:] = 0
        self.spent_this_month[:] = 0.0

    @property
    def agents(self) -> AbstractAgentSet[Counter]:
        """All counters: Mesa's set of :class:`Counter` agents of the model."""
        return self.model.agents_by_type[Counter]

    def monthly_capacity(self) -> np.ndarray:
        """New cases (simulated residents) each counter can assess this month."""
        p = self.model.params.support
        return (self.staff + self.model.levers.extra_staff) * p.intake_per_worker / self.model.scale

    # ---- arrivals -----------------------------------------------------------------------
    def enqueue(self, idx: np.ndarray, need: np.ndarray, route: int, *, due: int = 0) -> None:
        """Put residents ``idx`` in the queue of their district's counter for ``need``."""
        if idx.size == 0:
            return
        r = self.model.residents
        month = self.model.month
        field = np.where(need == WITHDRAWAL, POVERTY, need)
        r.case_counter[idx] = self.index[r.district[idx], field]
        # The main need, and sometimes everything else that weighs on them.
        unmet = unmet_needs(r, idx)
        mentions = self.model.streams["mention"].uniform(r.pid[idx], month)
        mentions = mentions < self.model.params.support.mention_other
        main = (1 << need).astype(np.uint8)
        r.case_fields[idx] = main | np.where(mentions, _bits(unmet), 0).astype(np.uint8)
        r.case_route[idx] = route
        r.case_joint[idx] = False
        if due > 0:
            r.case_state[idx] = CASE_REFERRED
            r.case_due[idx] = month + due
        else:
            r.case_state[idx] = CASE_QUEUED
            r.case_since[idx] = month
        r.known[need, idx] = True
        self.model.tally.arrivals[route] += idx.size
        poverty = need == POVERTY
        self.model.tally.poverty_consultations += int(poverty.sum())

    def salient_unmet(self, idx: np.ndarray) -> np.ndarray:
        """The most severe unmet need of each resident (lowest index on ties), or -1."""
        r = self.model.residents
        unmet = np.where(r.supported[:, idx], 0, r.sev[:, idx]).astype(np.int16)
        best = unmet.argmax(axis=0)
        return np.where(unmet.max(axis=0) > 0, best, -1)

    def bring(self, idx: np.ndarray, route: int) -> np.ndarray:
        """Residents found by others (民生委員, venues, outreach) are referred to a counter.

        Returns the residents actually referred (those not already in a case and with an
        unmet need).
        """
        r = self.model.residents
        idx = idx[(r.case_state[idx] == CASE_NONE) & r.alive[idx]]
        need = self.salient_unmet(idx)
        idx, need = idx[need >= 0], need[need >= 0]
        self.enqueue(idx, need, route, due=1)
        return idx

    def emergency(self, idx: np.ndarray) -> None:
        """A crisis brings residents straight to the front of a counter's queue."""
        r = self.model.residents
        idx = idx[(r.case_state[idx] == CASE_NONE) & r.alive[idx]]
        need = self.salient_unmet(idx)
        idx, need = idx[need >= 0], need[need >= 0]
        self.enqueue(idx, need, CRISIS)
        r.case_since[idx] = self.model.month - LONG_AGO  # seen first

    def seek_help(self) -> None:
        """Residents with unmet needs the system does not know come forward on their own.

        Each of them goes with a chance that is their help-seeking capacity (ties count
        as any tie outside the household, work included) times the stigma of their most
        severe unmet need, its severity, a nudge from ties and discouragement after
        earlier drop-outs.
        """
        model = self.model
        r, p = model.residents, model.params.support
        # NumPy's passes over whole rows, not a compiled loop: a loop that reads the five
        # fields of each resident in turn took twice as long (1.2 against 0.6 ms at Okazaki).
        seeking = hidden_any(r)
        seeking &= r.alive
        seeking &= r.case_state == CASE_NONE
        idx = np.flatnonzero(seeking)
        if idx.size == 0:
            return
        if kernels.USE_NUMBA:
            need, prob = _seek_chances(model, idx)
        else:
            has_ties = r.ties[:, idx].sum(axis=0, dtype=np.int16) > 0
            need = self.salient_unmet(idx)
            sev = np.clip(r.sev[need, idx], 1, MAX_SEVERITY)
            prob = np.asarray(p.seek_base)[need] * help_seeking_capacity(model, idx, has_ties)
            prob *= np.asarray(p.seek_severity)[sev - 1]
            prob *= 1.0 + p.nudge * has_ties
        prob *= p.discouragement ** r.dropouts[idx]
        go = model.streams["seek_help"].bernoulli(r.pid[idx], prob, model.month)
        self.enqueue(idx[go], need[go], SELF)

    def arrive_referrals(self) -> None:
        """Referrals whose delay is over join their counter's queue."""
        r = self.model.residents
        due = np.flatnonzero(r.case_state == CASE_REFERRED)
        due = due[r.case_due[due] <= self.model.month]
        r.case_state[due] = CASE_QUEUED
        r.case_since[due] = self.model.month

    # ---- serving ------------------------------------------------------------------------
    def serve(self) -> None:
        """Each counter assesses its queue up to capacity; outcomes follow the silo rules."""
        model = self.model
        r, p = model.residents, model.params.support
        month = model.month
        stream = model.streams["counter"]
        queued = np.flatnonzero(r.case_state == CASE_QUEUED)
        queued = queued[r.alive[queued]]
        # Some give up while waiting (less so when someone brought them).
        if queued.size:
            accompanied = _IS_ACCOMPANIED[r.case_route[queued]] | r.case_joint[queued]
            quit_p = np.where(accompanied, p.give_up_accompanied, 1.0) * p.give_up_waiting
            waited = r.case_since[queued] < month
            quits = waited & stream.bernoulli(r.pid[queued], quit_p, month, k=0)
            self._drop(queued[quits])
            queued = queued[~quits]
        if queued.size == 0:
            self._record_quality()
            return
        order = np.lexsort((r.pid[queued], r.case_since[queued], r.case_counter[queued]))
        queued = queued[order]
        counters = r.case_counter[queued].astype(np.int64)
        cost = np.ones(queued.size)
        one_stop = self._one_stop(queued)
        if one_stop.any():  # a whole-person assessment takes longer for compound cases
            n_unmet = unmet_needs(r, queued).sum(axis=0)
            extra = p.one_stop_extra_cost * np.maximum(n_unmet - 1, 0)
            cost += np.where(one_stop, extra, 0.0)
        monthly = self.monthly_capacity()
        capacity = monthly + self.credit
        self.capacity_this_month[:] = capacity
        start = np.searchsorted(counters, counters, side="left")
        used = np.cumsum(cost)
        used -= np.concatenate([[0.0], used])[start]
        # A case is taken on while the counter's balance is positive before it, so a
        # counter with 0.47 simulated residents of capacity a month (4.7 people at scale
        # 10) takes a case at once and pays it back over the next months — as the 1:1
        # town serves its 4.7 people a month as they come — rather than saving up.
        served_mask = used - cost < capacity[counters] - EPS
        served = queued[served_mask]
        spent = np.bincount(
            counters[served_mask], weights=cost[served_mask], minlength=len(self.counters)
        )
        # Unused capacity is kept up to one month's worth; an overdraft is repaid.
        self.credit[:] = np.minimum(capacity - spent, monthly)
        self.served_this_month[:] = np.bincount(counters[served_mask], minlength=len(self.counters))
        self.spent_this_month[:] = spent
        self.served += self.served_this_month
        model.tally.served += served.size
        self._assess(served)
        self._record_quality()

    def _assess(self, idx: np.ndarray) -> None:
        """Outcome of an assessment: support, referral on, or nothing to do."""
        if idx.size == 0:
            return
        model = self.model
        r, p = model.residents, model.params.support
        month = model.month
        stream = model.streams["counter"]
        field_here = self.field[r.case_counter[idx]]
        unmet = unmet_needs(r, idx)
        bits = (r.case_fields[idx][None, :] >> np.arange(N_NEEDS)[:, None].astype(np.uint8)) & 1
        brought = unmet & (bits > 0)
        one_stop = self._one_stop(idx)
        detect = np.where(one_stop, p.detect_other_one_stop, p.detect_other)
        noticed = stream.uniform(r.pid[idx], month, k=1) < detect
        brought |= unmet & noticed[None, :]
        r.known[:, idx] |= brought
        joint = self._joint_plans(idx, brought)
        # Which needs are taken on here: all of them at a one-stop counter, else only
        # the counter's own field.
        cols = np.arange(idx.size)
        taken = np.where(one_stop[None, :], brought, False)
        taken[field_here, cols] |= brought[field_here, cols]
        # Withdrawal belongs to no field: the siloed hardship counter takes it sometimes.
        whole_person = one_stop | joint
        w_case = brought[WITHDRAWAL] & ((field_here == POVERTY) | whole_person)
        w_accept = np.where(whole_person, 1.0, p.withdrawal_taken)
        w_ok = stream.uniform(r.pid[idx], month, k=2) < w_accept
        taken[WITHDRAWAL] = w_case & w_ok
        self._support(idx, taken)
        r.case_joint[idx] = joint
        # What remains goes on to another counter (silo) — or is left unmet.
        rest = brought & ~taken
        rest[WITHDRAWAL] &= ~w_case  # a refused withdrawal case is not referred again
        has_rest = rest.any(axis=0)
        done = idx[~has_rest]
        r.case_state[done] = CASE_NONE
        self._refer_on(idx[has_rest], rest[:, has_rest], joint[has_rest])
        self._household_assessment(idx, joint)

    def _joint_plans(self, idx: np.ndarray, brought: np.ndarray) -> np.ndarray:
        """Compound cases get a joint plan while the coordinators have capacity.

        Compound: needs in two or more fields, or a withdrawal (no field owns it). A case
        that already has a plan keeps it when it moves on; new plans use capacity.
        """
        r = self.model.residents
        compound = (brought[:N_FIELDS].sum(axis=0) >= 2) | brought[WITHDRAWAL]
        joint = r.case_joint[idx].copy()
        levers = self.model.levers
        if levers.joint_for is None or levers.joint_capacity <= 0:
            return joint
        compound &= levers.joint_for[idx] & ~joint
        if not compound.any():
            return joint
        gen = self.model.streams["joint_capacity"].generator(self.model.month)
        available = int(_round_at_random(np.array([levers.joint_capacity]), gen)[0])
        take = np.flatnonzero(compound)[:available]
        joint[take] = True
        self.model.tally.joint_plans += take.size
        return joint

    def _support(self, idx: np.ndarray, taken: np.ndarray) -> None:
        """Start support for the needs in ``taken`` (needs × residents)."""
        model = self.model
        r = model.residents
        month = model.month
        rows, cols = np.nonzero(taken)
        if rows.size == 0:
            return
        people = idx[cols]
        r.supported[rows, people] = True
        r.known[rows, people] = True
        waits = month - r.onset_m[rows, people].astype(np.int64)
        self.waits.append(np.maximum(waits, 0))
        model.tally.supported_new += rows.size
        pov = people[rows == POVERTY]
        if pov.size:
            ages = r.age_m[pov] // 12
            share = np.where(ages >= OLD_AGE, *model.params.needs.assistance_share[::-1])
            on_pa = model.streams["assistance"].uniform(r.pid[pov], month) < share
            on_pa &= not model.frozen  # the stock is held in a frozen town
            r.assistance[pov[on_pa]] = True
        model.on_supported(np.unique(people))

    def _refer_on(self, idx: np.ndarray, rest: np.ndarray, joint: np.ndarray) -> None:
        """Send remaining needs to their field's counter; some people drop out on the way."""
        if idx.size == 0:
            return
        model = self.model
        r, p = model.residents, model.params.support
        need = rest.argmax(axis=0)
        accompanied = _IS_ACCOMPANIED[r.case_route[idx]]
        drop_p = (
            p.referral_dropout
            * np.where(joint, p.dropout_joint, 1.0)
            * np.where(accompanied, p.dropout_accompanied, 1.0)
        )
        drops = model.streams["counter"].uniform(r.pid[idx], model.month, k=3) < drop_p
        model.tally.referrals += idx.size
        model.tally.referral_dropouts += int(drops.sum())
        self._drop(idx[drops])
        keep = ~drops
        target = np.where(need == WITHDRAWAL, POVERTY, need)[keep]
        moving = idx[keep]
        r.case_counter[moving] = self.index[r.district[moving], target]
        r.case_fields[moving] = _bits(rest[:, keep])
        r.case_route[moving] = REFERRAL
        r.case_state[moving] = CASE_REFERRED
        r.case_due[moving] = model.month + p.referral_delay

    def _household_assessment(self, idx: np.ndarray, joint: np.ndarray) -> None:
        """Looking at the whole household finds other members' hidden needs (8050)."""
        model = self.model
        r, p = model.residents, model.params.support
        look = np.where(joint, p.detect_household_joint, p.detect_household)
        looks = model.streams["counter"].uniform(r.pid[idx], model.month, k=4) < look
        households = r.hh[idx[looks]]  # marked below, so repeats do no harm
        if households.size == 0:
            return
        in_hh = np.zeros(model.households.n, dtype=bool)
        in_hh[households] = True
        found = household_members(r.hh, in_hh, r.alive, r.case_state, CASE_NONE)
        self.bring(found[hidden_needs(r, found).any(axis=0)], HOUSEHOLD)

    def _one_stop(self, idx: np.ndarray) -> np.ndarray:
        """Which of the residents ``idx`` a one-stop counter serves this month."""
        one_stop_for = self.model.levers.one_stop_for
        if one_stop_for is None:
            return np.zeros(idx.size, dtype=bool)
        return one_stop_for[idx]

    def _drop(self, idx: np.ndarray) -> None:
        r = self.model.residents
        r.case_state[idx] = CASE_NONE
        r.case_joint[idx] = False
        r.dropouts[idx] = np.minimum(
            r.dropouts[idx] + 1, self.model.params.support.dropouts_counted
        )
        self.model.tally.dropouts += idx.size

    # ---- load and quality ---------------------------------------------------------------
    def _record_quality(self) -> None:
        """Support quality per district and field: 1 unless the caseload exceeds capacity."""
        model = self.model
        p = model.params.support
        loads = caseloads(model)
        for f in range(N_FIELDS):
            load = loads[:, f]
            staff = self.staff[self.index[:, f]]
            carry = staff * p.caseload_per_worker[f] / model.scale
            self.quality[:, f] = np.minimum(
                1.0, np.divide(carry, load, out=np.ones_like(carry), where=load > 0)
            )

    def caseload_per_worker(self) -> float:
        """Supported residents (people) per caseworker across all counters."""
        r = self.model.residents
        supported = supports_given(r.alive, r.supported) * self.model.scale
        extra = self.model.levers.extra_staff
        staff = float(np.cumsum(self.staff + extra)[-1])  # summed in order of number
        return supported / staff if staff else 0.0


def _round_at_random(capacity: np.ndarray, gen: np.random.Generator) -> np.ndarray:
    """Whole cases from fractional capacity: the fraction is one more case with its chance.

    A counter whose capacity is 0.47 simulated residents a month (4.7 people at scale 10)
    serves one with chance 0.47 every month, as the 1:1 town serves 4.7 people a month on
    average — rather than saving up for two months and serving a batch of ten at once.
    """
    whole = np.floor(capacity)
    return whole + (gen.random(capacity.size) < capacity - whole)


def help_seeking_capacity(
    model: CommunityModel, idx: np.ndarray, has_ties: np.ndarray
) -> np.ndarray:
    """Capacity of residents ``idx`` to seek help on their own this month (0..1).

    A personal trait (drawn once) lowered by what takes the capacity away (seed p.20:
    自ら相談に行く力がない人): dementia (people 65+ in the moderate or heavy care band),
    social withdrawal, and having no ties. Stigma, which differs by field, is in
    ``seek_base``; a nudge from ties and discouragement after drop-outs act on top.
    """
    r, p = model.residents, model.params.support
    cap = r.seek_cap[idx].astype(float)
    dementia = (r.age_m[idx] >= OLD_AGE * 12) & (r.sev[CARE, idx] >= 2)
    cap *= np.where(dementia, p.capacity_dementia, 1.0)
    cap *= np.where(r.sev[WITHDRAWAL, idx] > 0, p.capacity_withdrawal, 1.0)
    return cap * np.where(has_ties, 1.0, p.capacity_isolated)


def _bits(mask: np.ndarray) -> np.ndarray:
    """Bit mask (uint8) per column of a needs × residents boolean array."""
    weights = (1 << np.arange(mask.shape[0])).astype(np.uint8)
    return (mask.astype(np.uint8) * weights[:, None]).sum(axis=0).astype(np.uint8)


def hidden_any(r: Residents) -> np.ndarray:
    """Residents with a hidden need (``hidden_needs(r).any(axis=0)``), need by need.

    A row at a time (each is contiguous) and ``known | supported < sev > 0`` for
    "exists and neither supported nor known": fewer and faster passes than the 2-D form.
    """
    sev, supported, known = r.sev, r.supported, r.known
    out = np.less(supported[0] | known[0], sev[0] > 0)
    for k in range(1, sev.shape[0]):
        out |= np.less(supported[k] | known[k], sev[k] > 0)
    return out
