"""NPOs, civic groups and the 社協 as Mesa agents.

An organisation has members (residents whose ``org`` points to it), funds, and the
venues it runs. NPOs earn grants, members' fees and donations (each NPO its own donor base, so
some run close to the line) and pay a base cost, their activities and their venues. Money
binds: an NPO whose reserves run out stops taking on new venues, and one whose funds stay
below zero (or whose members stay below the minimum) for ``grace_months`` dissolves; its
venues close unless the 社協 takes them over. Funding (:mod:`model.interventions`) tops up
NPOs in deficit first, so it changes which survive. A pandemic cuts revenue and activity
(and so activity costs); revenue recovers over ``shocks.pandemic_recovery_months``.
Civic groups (resident groups, circles, 町内会 activity groups) live on members alone.
New NPOs and groups are founded by motivated residents; in the baseline the NPO count
drifts down slowly, as it has nationally since 2017.

Membership is how most residents take part in community life: members form interest
ties (関心縁), and issue groups bring people with needs together (課題縁).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from mesa.agentset import AbstractAgentSet

from . import kernels
from .organisations_kernels import _membership, _membership_numpy, _release, _release_numpy
from .parameters import param
from .population import AGE_YEARS, PER_100K, by_district
from .rates import band_values
from .rows import Column, RowAgent, grown
from .synthesis import largest_remainder

if TYPE_CHECKING:
    from .core import CommunityModel

KINDS = ("npo", "civic", "shakyo")
MAP_OFFSET_KM = 0.4  # where organisations are drawn, north of their district centre
SPREAD = 7919.0  # a prime: spreads one uniform draw over the members of a pool
MEMBER_BANDS = (15, 40, 60, 80)
ROWS_START = 64  # rows of organisation state allocated at first; doubled when full
# The per-organisation state arrays of OrganisationSystem (one row per organisation number).
STATE = (
    "kind",
    "district",
    "funds",
    "active",
    "issue_group",
    "months_short",
    "revenue_factor",
    "activity_factor",
    "donor_base",
    "pandemic_factor",
    "founded_month",
)


@dataclass(frozen=True)
class OrganisationParams:
    """Numbers, membership and money of NPOs and civic groups."""

    npo_per_100k: float = param(
        40.0,
        unit="NPOs per 100k residents",
        source="[cao-npo-count-2024] ≈ 40 per 100k (49,611 in 2024)",
        lo=0,
        ja="NPO数（10万人あたり）",
        en="NPOs per 100k",
    )
    civic_per_100k: float = param(
        150.0, unit="civic groups per 100k residents", source="assumption", lo=0
    )
    join: tuple[float, ...] = param(
        (0.055, 0.072, 0.095, 0.040),
        unit="joins per person-year, ages 15,40,60,80+",
        source="calibrated: [cao-kodoku-honbu-2024] no social participation ≈ 51 %",
        lo=0,
        hi=1,
        length=4,
    )
    leave: float = param(0.010, unit="per month", source="assumption", lo=0, hi=1)
    closure: tuple[float, ...] = param(
        (0.060, 0.06),
        unit="per year, NPOs and civic groups (a leader retires, the group stops)",
        source="calibrated: [cao-npo-count-2024] NPO count ≈ -0.7 %/yr net",
        lo=0,
        hi=1,
        length=2,
    )
    npo_join_share: float = param(
        0.2,
        unit="share of joiners who join an NPO (rest: civic groups)",
        source="assumption",
        lo=0,
        hi=1,
    )
    min_members: int = param(3, unit="members (people)", source="assumption", lo=1, hi=100)
    grace_months: int = param(
        6, unit="months below minimum before dissolving", source="assumption", lo=1, hi=60
    )
    grant: float = param(30_000, unit="yen per NPO per month", source="assumption", lo=0)
    fee: float = param(1_000, unit="yen per member per month", source="assumption", lo=0)
    donations: float = param(25_000, unit="yen per NPO per month (mean)", source="assumption", lo=0)
    donation_spread: float = param(
        0.6,
        unit="sd of the log of an NPO's donor base (mean 1): how unequal NPOs' donations are",
        source="assumption (NPO revenue is highly unequal); sensitivity range 0-1.5",
        lo=0,
        hi=3,
    )
    cost_base: float = param(45_000, unit="yen per NPO per month", source="assumption", lo=0)
    cost_per_member: float = param(
        800, unit="yen per member per month (activities)", source="assumption", lo=0
    )
    reserve_months: float = param(
        6.0,
        unit="months of costs an NPO keeps; more is spent on its activities",
        source="assumption (non-profits spend their surplus)",
        lo=0,
        hi=120,
    )
    cost_per_venue: float = param(
        10_000, unit="yen per venue run per month", source="assumption", lo=0
    )
    npo_founding: float = param(
        2.2,
        unit="new NPOs per 100k residents per year",
        source="calibrated: [cao-npo-count-2024] net ≈ -0.7 %/yr since 2017",
        lo=0,
    )
    civic_founding: float = param(
        8.0, unit="new civic groups per 100k residents per year", source="assumption", lo=0
    )
    shakyo_takeover: float = param(
        0.3,
        unit="share of a dissolved NPO's venues the 社協 takes over",
        source="assumption",
        lo=0,
        hi=1,
    )
    initial_funds_months: float = param(
        3,
        unit="fewest months of base costs an NPO holds at the start (each draws from here to 12)",
        source="assumption",
        lo=0,
        hi=12,
    )
    new_npo_funds: float = param(
        6,
        unit="months of base costs a newly founded NPO starts with",
        source="assumption",
        lo=0,
        hi=60,
    )
    issue_group_share: float = param(
        0.25,
        unit="share of new groups and NPOs that bring people with the same needs together (課題縁)",
        source="assumption (range 0.1-0.5)",
        lo=0,
        hi=1,
        ja="課題縁の団体の割合",
        en="Share of issue groups",
    )
    founder_motivation: float = param(
        0.7,
        unit="wish to 'do something' (0..1) above which a resident may found a group or NPO",
        source="assumption",
        lo=0,
        hi=1,
    )
    founder_min_age: int = param(
        25,
        unit="age (years) from which a resident may found a group or NPO",
        source="assumption",
        lo=15,
        hi=80,
    )


class Organisation(RowAgent):
    """An NPO, a civic group or the town's 社協: a Mesa agent, a view over one row of state.

    Reading or setting ``org.funds`` reads or sets ``org.system.funds[org.number]``
    (:class:`~model.rows.Column`), so the monthly rules can work on whole arrays.

    ``number`` is the organisation's stable id: 0 for the 社協, then 1, 2, … in order of
    founding, never reused. It is the value residents' ``org`` column holds, the row of
    the organisation's state in the arrays of :class:`OrganisationSystem`, and the key of
    its random draws (so which other organisations exist, or in what order a set holds
    them, changes none of its draws). Mesa's ``unique_id`` is stable too, but it numbers
    counters and venues as well. A dissolved organisation is removed from the model
    (``remove()``); its row stays, inactive.

    Attributes:
        kind: "npo", "civic" or "shakyo".
        district: Home district.
        funds: Money in hand (yen).
        active: False once dissolved.
        issue_group: Brings people with the same needs together (課題縁).
        months_short: Consecutive months below the members or funds minimum.
        revenue_factor: Income multiplier: the organisation's own memory of a pandemic,
            which lowers it and from whose end it recovers over months (a stock, not one
            month's lever, so it is not in ``model.levers``).
        activity_factor: Multiplier of activity costs (lowered while a pandemic lasts).
        donor_base: The NPO's donations relative to the mean.
        pandemic_factor: Revenue multiplier a pandemic left it with.
        founded_month: Model month it was founded.
    """

    district = Column()
    funds = Column()
    active = Column()
    issue_group = Column()
    months_short = Column()
    revenue_factor = Column()
    activity_factor = Column()
    donor_base = Column()
    pandemic_factor = Column()
    founded_month = Column()

    def __init__(self, model: CommunityModel, system: OrganisationSystem, number: int) -> None:
        super().__init__(model, system, number)
        cx, cy = model.town_map.centres[self.district]
        self.x, self.y = float(cx), float(cy) + MAP_OFFSET_KM

    @property
    def kind(self) -> str:
        """The kind: "npo", "civic" or "shakyo"."""
        return KINDS[self.system.kind[self.number]]

    def venues(self) -> list:
        """Open venues this organisation runs."""
        venues = self.model.venues
        return [venues.venues[i] for i in venues.open_numbers(org=self.number).tolist()]

    def dissolve(self, *, members_released: bool = False) -> None:
        """Stop existing: members are released; venues close or pass to the 社協.

        The organisation leaves the model (``remove()``); its row of state stays, inactive.
        ``members_released``: the caller has already set its members' ``org`` to -1 (the
        monthly rule releases all the month's dissolving organisations in one pass).
        """
        model, system = self.model, self.system
        system.active[self.number] = False
        r = model.residents
        if not members_released:
            r.org[r.org == self.number] = -1
        venues = self.venues()
        if venues:  # the stream is keyed by number: one without venues draws nothing
            gen = model.streams["org_dissolve"].generator(model.month, k=self.number)
            for venue in venues:
                if gen.random() < model.params.organisations.shakyo_takeover:
                    venue.operator, venue.org = "shakyo", system.shakyo
                else:
                    venue.close()
        model.tally.orgs_dissolved += 1
        if self.kind == "npo" and system.counting_shock_losses:
            system.shock_losses += 1
        del system.by_number[self.number]
        self.remove()


class OrganisationSystem:
    """All organisations of the town and the monthly membership and money rules.

    Per-organisation state lives in arrays indexed by the organisation's ``number``
    (:class:`Organisation` agents are views over them); the open organisations are
    Mesa's set of :class:`Organisation` agents (:attr:`agents`).
    """

    def __init__(self, model: CommunityModel) -> None:
        self.model = model
        self.n = 0  # organisation numbers given so far (rows in use)
        self.kind = np.zeros(0, dtype=np.int8)  # index into KINDS
        self.district = np.zeros(0, dtype=np.int64)
        self.funds = np.zeros(0)
        self.active = np.zeros(0, dtype=bool)
        self.issue_group = np.zeros(0, dtype=bool)
        self.months_short = np.zeros(0, dtype=np.int64)
        self.revenue_factor = np.zeros(0)
        self.activity_factor = np.zeros(0)
        self.donor_base = np.zeros(0)
        self.pandemic_factor = np.zeros(0)
        self.founded_month = np.zeros(0, dtype=np.int64)
        self.by_number: dict[int, Organisation] = {}  # the open organisations by number
        self.shakyo = self._add("shakyo", 0, 0.0, issue_group=False, donor_base=1.0)
        self.join_table = _banded(np.arange(AGE_YEARS), model.params.organisations.join) / 12
        # NPOs lost while a shock lasts, re-formed as activity resumes (see model.shocks).
        self.counting_shock_losses = False
        self.shock_losses = 0

    @property
    def agents(self) -> AbstractAgentSet[Organisation]:
        """The open organisations: Mesa's set of :class:`Organisation` agents of the model."""
        return self.model.agents_by_type[Organisation]

    def _add(
        self, kind: str, district: int, funds: float, *, issue_group: bool, donor_base: float
    ) -> Organisation:
        """A new row of state and the agent viewing it."""
        number = self.n
        if number == self.kind.size:
            self._grow(max(ROWS_START, 2 * number))
        self.kind[number] = KINDS.index(kind)
        self.district[number] = district
        self.funds[number] = funds
        self.active[number] = True
        self.issue_group[number] = issue_group
        self.months_short[number] = 0
        self.revenue_factor[number] = 1.0
        self.activity_factor[number] = 1.0
        self.donor_base[number] = donor_base
        self.pandemic_factor[number] = 1.0
        self.founded_month[number] = self.model.month
        self.n = number + 1
        org = Organisation(self.model, self, number)
        self.by_number[number] = org
        return org

    def _grow(self, rows: int) -> None:
        for name in STATE:
            setattr(self, name, grown(getattr(self, name), rows))

    def open_mask(self, kind: str) -> np.ndarray:
        """Which organisation numbers (``0 … n-1``) are open organisations of ``kind``."""
        n = self.n
        return self.active[:n] & (self.kind[:n] == KINDS.index(kind))

    def create_initial(self) -> None:
        """NPOs and civic groups in proportion to population.

        The town's expected number is shared out over districts by largest remainder, so
        the start carries no sampling noise.
        """
        model = self.model
        p = model.params.organisations
        r = model.residents
        pop_d = np.bincount(r.district[r.alive], minlength=model.n_districts) * model.scale
        gen = model.streams["orgs_init"].generator(0)
        for kind, rate in (("npo", p.npo_per_100k), ("civic", p.civic_per_100k)):
            total = round(rate * pop_d.sum() / PER_100K)
            for d, count in enumerate(largest_remainder(total, pop_d.astype(float))):
                for _ in range(int(count)):
                    self.found(
                        kind, d, gen, funds=p.cost_base * gen.uniform(p.initial_funds_months, 12)
                    )
        self._initial_members()

    def found(
        self, kind: str, district: int, gen: np.random.Generator, funds: float = 0.0
    ) -> Organisation:
        """A new NPO or civic group (about one NPO in four is an issue group).

        An NPO's donor base is lognormal with mean 1 and log-sd ``donation_spread``.
        """
        p = self.model.params.organisations
        issue_group = bool(gen.random() < p.issue_group_share)
        donor_base = 1.0
        if kind == "npo":
            sd = p.donation_spread
            donor_base = float(np.exp(sd * gen.standard_normal() - sd * sd / 2))
        return self._add(kind, district, funds, issue_group=issue_group, donor_base=donor_base)

    def _initial_members(self) -> None:
        """Members at the steady balance of joining and leaving, by age."""
        model = self.model
        r, p = model.residents, model.params.organisations
        years = r.age_m // 12
        join = _banded(years, p.join) / 12
        # Members also leave when their group closes.
        stock = join / (join + p.leave + float(np.mean(p.closure)) / 12)
        u = model.streams["orgs_init"].uniform(r.pid, 0)
        home = ~model.households.institution[r.hh]
        members = np.flatnonzero(r.alive & home & (u < stock))
        self._assign(members, model.streams["orgs_init"].uniform(r.pid[members], 0, k=1))

    def _assign(self, people: np.ndarray, u: np.ndarray) -> None:
        """People join an open organisation of their district (NPO or civic group).

        ``u`` below ``npo_join_share`` picks an NPO, else a civic group (the other kind
        where the district has none of it); the rest of the draw picks which, spread
        over the district's open ones in order of number.
        """
        model = self.model
        r, p = model.residents, model.params.organisations
        n_d = model.n_districts
        dist = self.district[: self.n]
        # Each kind's open organisations by district (ascending numbers within one).
        pools = []
        for kind in ("npo", "civic"):
            numbers = np.flatnonzero(self.open_mask(kind))
            numbers = numbers[np.argsort(dist[numbers], kind="stable")]
            count = np.bincount(dist[numbers], minlength=n_d)
            pools.append((numbers, count, np.cumsum(count) - count))
        home = r.district[people]
        (npos, n_npo, first_npo), (civics, n_civic, first_civic) = pools
        use_npo = np.where(u < p.npo_join_share, n_npo[home] > 0, n_civic[home] == 0)
        size = np.where(use_npo, n_npo[home], n_civic[home])
        pick = ((u * SPREAD) % 1.0 * size).astype(np.int64)
        for numbers, first, mine in ((npos, first_npo, use_npo), (civics, first_civic, ~use_npo)):
            join = mine & (size > 0)
            r.org[people[join]] = numbers[first[home[join]] + pick[join]]

    def _keen(self) -> list[np.ndarray]:
        """Living residents keen and old enough to found a group or an NPO, by district.

        In index order within each district; whoever is in a group is skipped where they
        are used (``org`` only changes by founding meanwhile).
        """
        model = self.model
        r, p = model.residents, model.params.organisations
        keen = (r.motivation > p.founder_motivation) & (r.age_m >= p.founder_min_age * 12)
        return _by_district(model, r.alive & keen)

    def pick_npo(self, district: int, gen: np.random.Generator) -> Organisation | None:
        """An open NPO of ``district`` with money in hand (to run a new venue), or ``None``.

        Drawn from the NPOs in order of their number.
        """
        n = self.n
        pool = np.flatnonzero(
            self.open_mask("npo") & (self.district[:n] == district) & (self.funds[:n] >= 0)
        )
        return self.by_number[int(pool[int(gen.integers(pool.size))])] if pool.size else None

    def counts(self) -> tuple[int, int]:
        """Open NPOs and civic groups."""
        return (
            int(np.count_nonzero(self.open_mask("npo"))),
            int(np.count_nonzero(self.open_mask("civic"))),
        )

    def update(self) -> None:
        """Members join and leave; money flows; weak organisations dissolve; new ones form."""
        model = self.model
        r, p = model.residents, model.params.organisations
        month = model.month
        snap = model.snap
        n = self.n
        # Members leave in [0, leave) of the group quarter; others join at its top. One pass
        # (compiled or NumPy) also counts the members who stay and the living by district,
        # and finds who could found a group.
        joining, members, living, keen, bounds = (
            _membership if kernels.USE_NUMBA else _membership_numpy
        )(
            snap.taking_part_draw,
            self.join_table,
            snap.years,
            model.levers.join_boost,
            r.alive,
            snap.home,
            r.org,
            r.district,
            r.motivation,
            np.float32(p.founder_motivation),
            r.age_m,
            p.founder_min_age * 12,
            float(p.leave),
            n,
            model.n_districts,
        )
        self._assign(joining, model.streams["org_membership"].uniform(r.pid[joining], month, k=1))
        joined = r.org[joining]
        members += np.bincount(joined[joined >= 0], minlength=n)
        venues = model.venues.run_by(n)
        npo = self.open_mask("npo")
        self._finances(npo, members[npo], venues[npo])
        # One closure draw per organisation number: nobody's draw depends on who else closed.
        closing = model.streams["org_closure"].generator(month).random(n)
        live = npo | self.open_mask("civic")
        short = (members < p.min_members / model.scale) | (npo & (self.funds[:n] < 0))
        months_short = self.months_short[:n]
        months_short[live] = np.where(short[live], months_short[live] + 1, 0)
        closure = np.where(npo, p.closure[0], p.closure[1]) / 12.0
        dissolving = live & ((months_short >= p.grace_months) | (closing < closure))
        numbers = np.flatnonzero(dissolving)
        if numbers.size:
            # All their members are released in one pass, then each closes in order of number.
            (_release if kernels.USE_NUMBA else _release_numpy)(r.org, dissolving)
            for number in numbers:
                self.by_number[int(number)].dissolve(members_released=True)
        pool = [keen[bounds[d] : bounds[d + 1]] for d in range(model.n_districts)]
        self._found_new(living * model.scale, pool)

    def _finances(self, npo: np.ndarray, members: np.ndarray, venues: np.ndarray) -> None:
        """One month of income and costs of the NPOs ``npo`` (a mask over numbers).

        ``members`` and ``venues`` are each NPO's members (simulated residents) and the
        venues it runs. Income is grants, fees and donations; costs a base, activities and
        venues; funds above ``reserve_months`` of costs are spent on activities.
        """
        p = self.model.params.organisations
        people = members * self.model.scale
        donations = p.donations * self.donor_base[: self.n][npo]
        income = (p.grant + p.fee * people + donations) * self.revenue_factor[: self.n][npo]
        activity = (p.cost_per_member * people + p.cost_per_venue * venues) * self.activity_factor[
            : self.n
        ][npo]
        costs = p.cost_base + activity
        funds = self.funds[: self.n]
        funds[npo] = np.minimum(funds[npo] + income - costs, p.reserve_months * costs)

    # ---- shocks (model.shocks) ----------------------------------------------------------
    def pandemic_hit(self, gen: np.random.Generator, share: float, low: float) -> None:
        """A pandemic cuts the revenue of a ``share`` of NPOs to between ``low`` and 1.

        Two draws per organisation number (hit, severity), in order of number.
        """
        n = self.n
        draws = gen.random((n, 2))
        hit = (self.kind[:n] == KINDS.index("npo")) & (draws[:, 0] < share)
        factor = low + (1 - low) * draws[hit, 1]
        self.revenue_factor[:n][hit] = factor
        self.pandemic_factor[:n][hit] = factor

    def set_activity(self, npo_factor: float) -> None:
        """NPOs' activity (and so activity costs) at ``npo_factor``; others' at 1."""
        n = self.n
        self.activity_factor[:n] = np.where(self.kind[:n] == KINDS.index("npo"), npo_factor, 1.0)

    def recover_revenue(self, done: float) -> None:
        """Revenue back from the pandemic's low by the share ``done`` of the way to 1."""
        low = self.pandemic_factor[: self.n]
        self.revenue_factor[: self.n] = low + (1.0 - low) * done

    # ---- founding -----------------------------------------------------------------------
    def _found_new(self, pop_d: np.ndarray, pool: list[np.ndarray]) -> None:
        """New NPOs and civic groups.

        ``pop_d`` is the people living in each district, ``pool`` the living residents keen
        and old enough to found one, by district (whoever is in a group is skipped).
        """
        model = self.model
        p = model.params.organisations
        r = model.residents
        gen = model.streams["org_found"].generator(model.month)
        k = max(1, round(p.min_members / model.scale))
        for d in range(model.n_districts):
            for kind, rate in (
                ("npo", p.npo_founding * model.levers.npo_founding_boost),
                ("civic", p.civic_founding),
            ):
                for _ in range(int(gen.poisson(rate * pop_d[d] / PER_100K / 12))):
                    founders = pool[d][r.org[pool[d]] < 0]
                    if founders.size < k:
                        continue
                    org = self.found(
                        kind, d, gen, funds=p.cost_base * p.new_npo_funds if kind == "npo" else 0.0
                    )
                    r.org[gen.choice(founders, size=k, replace=False)] = org.number
                    model.tally.orgs_founded += 1

    def refound(self, n: int, gen: np.random.Generator) -> int:
        """Re-form up to ``n`` NPOs from motivated residents in no group; returns how many.

        After a shock the people of folded NPOs and the needs they served are still there,
        so groups re-form once activity resumes (in a district drawn by population).
        """
        model = self.model
        p = model.params.organisations
        r = model.residents
        if n <= 0:
            return 0
        pool = self._keen()
        pop_d = np.bincount(r.district[r.alive], minlength=model.n_districts).astype(float)
        k = max(1, round(p.min_members / model.scale))
        made = 0
        for _ in range(n):
            d = int(gen.choice(model.n_districts, p=pop_d / pop_d.sum()))
            founders = pool[d][r.org[pool[d]] < 0]
            if founders.size < k:
                continue
            org = self.found("npo", d, gen, funds=p.cost_base * p.new_npo_funds)
            r.org[gen.choice(founders, size=k, replace=False)] = org.number
            model.tally.orgs_founded += 1
            made += 1
        return made


def _by_district(model: CommunityModel, mask: np.ndarray) -> list[np.ndarray]:
    """Indices of residents in ``mask``, one array per district (in index order)."""
    idx = np.flatnonzero(mask)
    return by_district(idx, model.residents.district[idx], model.n_districts)


def _banded(years: np.ndarray, values: tuple[float, ...]) -> np.ndarray:
    return band_values(MEMBER_BANDS, values, years)
