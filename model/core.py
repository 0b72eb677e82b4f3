"""CommunityModel: a town or district, one month per step.

The month is data: :data:`PHASES` lists its phases in order — each with its name, the
mechanism module that owns it and the function that runs it — and
:meth:`CommunityModel.step` runs them one after the other (``time_phases=True`` times
each). ``docs/ODD.md`` (section 3) is generated from the list by
``docs/process_order.py``; a test keeps it current.

This month's levers are one object (:class:`~model.levers.Levers`): the levers phase
makes a neutral one, shocks and policy components change it, and the phases after it
read ``model.levers``. Every month counter is zeroed in one place
(:func:`reset_counters`), by the first phase of the month.

Before month 0 the social system (the phases marked ``warmup``, no demography) runs for
a warm-up so that queues, ties and volunteers start near their own balance. In this
frozen town (and with ``switches.demography`` off) the stocks that only aging and death
balance — care and disability need, which the model never resolves — are held: no new
onsets, since nobody ages or dies; they start known and supported, the balance the
frozen town's rules settle them at (:func:`model.needs.balance_chronic`). After the
warm-up the 民生委員 fill rate is set back to the profile's, and social withdrawal
(spells longer than the warm-up) is set to the balance of its rules. docs/ODD.md
("Warm-up and the frozen town") has each stock's relaxation time.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass

import mesa
import numpy as np
from mesa.experimental.scenarios import Scenario as MesaScenario

from . import (
    budget,
    costs,
    demography,
    kernels,
    needs,
    projection,
    reports,
    shocks,
    ties,
    volunteers,
)
from .interventions.base import REGISTRY, EligibilityRule, Intervention
from .levers import Levers
from .lifetable import LifeRecord
from .organisations import OrganisationSystem
from .outputs import Recorder, Tally
from .parameters import ParameterError
from .population import (
    PER_100K,
    ROLE_PARENT,
    Households,
    Residents,
    ResidentView,
    unmet_needs,
    view,
)
from .scenario import InterventionSpec, Params, Scenario
from .snapshot import Snapshot
from .streams import Streams
from .support import SupportSystem
from .synthesis import build_population, largest_remainder
from .town import TownMap, place_homes, town_map
from .venues import VenueSystem

__all__ = ["PHASES", "CommunityModel", "Levers", "Phase", "calendar_date", "reset_counters"]

STATES = ("connected", "isolated", "in_need", "supported", "volunteer")
CONNECTED, ISOLATED, IN_NEED, SUPPORTED, VOLUNTEER = range(len(STATES))
CAPACITY_HEADROOM = 1.3  # column capacity reserved at the start, per expected resident
MIN_CAPACITY = 1024  # smallest column capacity


@dataclass(frozen=True)
class Phase:
    """One phase of the month.

    Attributes:
        name: Short name (the key of ``CommunityModel.phase_seconds``).
        owner: The mechanism module that owns it (``model.<owner>``).
        run: The function, called with the model.
        what: What happens, one sentence (the ODD's process order is made of these).
        warmup: Runs in the warm-up months too (the social system), not only from month 1.
        switches: Names of ``params.switches`` that must all be on for it to run.
    """

    name: str
    owner: str
    run: Callable[[CommunityModel], None]
    what: str
    warmup: bool = True
    switches: tuple[str, ...] = ()


def reset_counters(model: CommunityModel, *, spending: bool = True) -> None:
    """Zero every month counter of the model: the one place where they are reset.

    The reporters only read them, so a month's outputs can be computed any number of
    times without changing the run. ``spending=False`` keeps the month's spending (month 0
    shows today's budget as a monthly rate after the warm-up's events are forgotten).
    """
    model.tally.reset()
    model.support.reset_month()
    model.venues.reset_month()
    if spending:
        model.ledger.start_month()


def _start(model: CommunityModel) -> None:
    reset_counters(model)
    if model.month > 0:
        model.demo_tables.set_year(model.calendar(model.month - 1)[0])  # the month being lived


def _age_and_exit(model: CommunityModel) -> None:
    demography.age_and_exit(model)


def _snapshot(model: CommunityModel) -> None:
    if model.frozen:
        # A frozen town: time since arrival stands still, as ages do.
        r = model.residents
        np.add(r.arrival_m, 1, out=r.arrival_m, where=r.alive)
    model.snap = Snapshot(model)


def _set_levers(model: CommunityModel) -> None:
    model.levers = Levers.neutral(model.residents.n, len(model.support.counters))
    if model.params.switches.community:
        shocks.apply(model)
    for intervention in model.interventions:
        intervention.prepare(model)
    model.apply_interventions("levers")
    if model.params.switches.community:
        model.isolated = model.snap.isolated
    else:
        model.isolated = np.zeros(model.residents.n, bool)


def _needs(model: CommunityModel) -> None:
    needs.progress(model, model.isolated)


def _ties(model: CommunityModel) -> None:
    ties.update(model)  # who takes part and who is in need are read resident by resident


def _attend(model: CommunityModel) -> None:
    model.venues.attend(model.isolated)


def _organisations(model: CommunityModel) -> None:
    model.organisations.update()


def _volunteers(model: CommunityModel) -> None:
    demand, supply = volunteers.demand_supply(model)
    load = np.divide(demand, supply, out=np.ones_like(demand), where=supply > 0)
    volunteers.update(model, load)


def _staffing(model: CommunityModel) -> None:
    model.venues.staffing()


def _open_venues(model: CommunityModel) -> None:
    model.venues.open_new()


def _minsei(model: CommunityModel) -> None:
    volunteers.minsei_update(model)


def _taking_part(model: CommunityModel) -> None:
    ties.stamp_taking_part(model)


def _notice(model: CommunityModel) -> None:
    if model.params.switches.community:
        model.venues.notice_needs()


def _find(model: CommunityModel) -> None:
    model.apply_interventions("find")


def _seek_help(model: CommunityModel) -> None:
    model.support.seek_help()


def _arrive(model: CommunityModel) -> None:
    model.support.arrive_referrals()


def _serve(model: CommunityModel) -> None:
    model.support.serve()


def _book_costs(model: CommunityModel) -> None:
    for line, yen in costs.baseline_month(model).items():
        model.ledger.spend(line, yen, baseline=True)
    for intervention in model.interventions:
        if intervention.acting:
            for line, yen in intervention.monthly_cost(model).items():
                model.ledger.spend(line, yen)


def _compact(model: CommunityModel) -> None:
    if model.month % 12 == 0:
        model.compact()


def _outcomes(model: CommunityModel) -> None:
    tally = model.tally
    model.ledger.add_outcomes(tally.reconnected * model.scale, tally.resolved * model.scale)


def _record(model: CommunityModel) -> None:
    model.recorder.record(model)


# fmt: off
PHASES: tuple[Phase, ...] = (
    Phase("start", "core", _start,
          "Every month counter is zeroed (event counts, waits, venues opened and closed, "
          "counters' cases, the month's spending); the demographic tables turn to the "
          "calendar year being lived."),
    Phase("deaths_and_moves_out", "demography", _age_and_exit,
          "Everyone ages a month; one draw per resident decides death and, failing that, "
          "moving out.", warmup=False, switches=("demography",)),
    Phase("births", "births", demography.births,
          "Births.", warmup=False, switches=("demography",)),
    Phase("moves_in", "migration", demography.in_migration,
          "Moves in: newcomers arrive, in work or not, with their first ties.", warmup=False,
          switches=("demography",)),
    Phase("households", "households", demography.household_change,
          "Young adults leave home; singles partner; older people living alone move in with "
          "family or into a care facility; once a year, work status follows age.",
          warmup=False, switches=("demography",)),
    Phase("snapshot", "snapshot", _snapshot,
          "The month's shared view of the town (households, ages, isolation at month "
          "start); in a frozen town time since arrival stands still."),
    Phase("levers", "levers", _set_levers,
          "This month's levers start neutral; shocks (pandemic, transport cut) and the "
          "active policy components set them (one-stop rule, joint-plan capacity, extra "
          "staff, boosts)."),
    Phase("needs", "needs", _needs,
          "Onsets by field; withdrawal starts and ends; existing needs escalate, reach "
          "crises, improve or resolve.", switches=("needs",)),
    Phase("ties", "ties", _ties,
          "Ties are lost and formed.", switches=("community",)),
    Phase("venue_attendance", "venues", _attend,
          "Venue regulars stay or stop and newcomers join.", switches=("community",)),
    Phase("organisations", "organisations", _organisations,
          "Residents join and leave groups; NPOs balance their money and may dissolve or be "
          "founded.", switches=("community",)),
    Phase("volunteers", "volunteers", _volunteers,
          "Volunteers start and stop and are matched to venues short of help.",
          switches=("community",)),
    Phase("venue_staffing", "venues", _staffing,
          "Venues count months unstaffed and close.", switches=("community",)),
    Phase("venue_openings", "venues", _open_venues,
          "Residents' groups open new venues.", switches=("community",)),
    Phase("minsei", "volunteers", _minsei,
          "民生委員 terms end, vacancies are filled, and commissioners visit households.",
          switches=("community",)),
    Phase("taking_part", "core", _taking_part,
          "Residents taking part in a venue, group or volunteering are stamped with the "
          "month.", switches=("community",)),
    Phase("venues_notice", "venues", _notice,
          "Venues notice needs of regulars (参加→相談).", switches=("needs",)),
    Phase("outreach", "interventions", _find,
          "Outreach workers contact residents.", switches=("needs",)),
    Phase("seek_help", "support", _seek_help,
          "Residents seek help.", switches=("needs",)),
    Phase("referrals_arrive", "support", _arrive,
          "Referrals arrive at their counter.", switches=("needs",)),
    Phase("counters_serve", "support", _serve,
          "Counters assess their queues up to capacity (support, refer on, or close).",
          switches=("needs",)),
    Phase("costs", "costs", _book_costs,
          "Today's services and the active components book their spending."),
    Phase("compaction", "core", _compact,
          "Once a year departed residents are dropped from the arrays.", warmup=False),
    Phase("outcomes", "costs", _outcomes,
          "The month's people reconnected and needs resolved are added to the cost "
          "ledger's totals.", warmup=False),
    Phase("record", "outputs", _record,
          "The month's outputs are recorded (reporting reads the model and changes "
          "nothing).", warmup=False),
)
# fmt: on


def calendar_date(start_year: int, start_month: int, month: int) -> tuple[int, int]:
    """Calendar ``(year, month 1-12)`` ``month`` months after ``start_year``/``start_month``."""
    year, index = divmod(start_month - 1 + month, 12)
    return start_year + year, index + 1


class CommunityModel(mesa.Model):
    """A town's residents (arrays), organisations (agents) and policies, month by month.

    Attributes:
        scenario: The :class:`~model.scenario.Scenario` this run was built from (town
            profile, policy package, scale): Kyosei's one notion of scenario, in the
            attribute where Mesa keeps a model's scenario (see :attr:`scenario`).
        params: Shortcut for ``scenario.params``.
        scale: People represented by one simulated resident.
        seed: Root seed; every random stream of the run derives from it.
        month: Months elapsed since the start (negative during the warm-up).
        start_year: Calendar year of month 0 (the profile's ``town.start_year``).
        start_month: Calendar month (1-12) of month 0.
        residents: Column store of residents (:class:`~model.population.Residents`).
        households: Column store of households.
        town_map: District centres and borders.
        support: Counters and the flow of cases (:class:`~model.support.SupportSystem`).
        venues: Venues and attendance (:class:`~model.venues.VenueSystem`).
        organisations: NPOs, civic groups and the 社協.
        interventions: Policy components in the run.
        ledger: Spending by funding line and payer.
        streams: Named random streams of this run.
        recorder: Monthly outputs.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        seed: int = 0,
        builder: Callable[[CommunityModel], None] | None = None,
        time_phases: bool = False,
    ) -> None:
        """Build the town of ``scenario`` with root seed ``seed``.

        ``builder`` replaces the synthetic population (used for small hand-built worlds
        in tests and teaching); it must append residents and households to the model.
        With ``time_phases`` the seconds spent in each phase add up in ``phase_seconds``.
        """
        super().__init__(rng=seed)
        self.scenario = scenario if scenario is not None else Scenario()
        self.params: Params = self.scenario.params
        self.scale = float(self.scenario.scale)
        self.seed = int(seed)
        self.start_year = int(self.params.town.start_year)
        self.start_month = int(self.params.town.start_month)
        self.streams = Streams(self.seed)
        self.tally = Tally()
        self.levers = Levers()
        self.isolated = np.zeros(0, bool)  # isolated at month start (set by the levers phase)
        self.phase_seconds: dict[str, float] | None = (
            dict.fromkeys((phase.name for phase in PHASES), 0.0) if time_phases else None
        )
        # The map belongs to the town, not to the run: every seed sees the same districts.
        self.town_map: TownMap = town_map(self.params.town)
        self.n_districts = self.params.town.districts
        # Policy intensities are given per 100k residents of the town at the start.
        self.per_100k = self.params.town.population / PER_100K
        weights = np.array(self.params.town.district_weights or [1.0] * self.n_districts)
        if weights.size != self.n_districts:
            raise ParameterError(
                "town.district_weights",
                list(self.params.town.district_weights),
                f"empty, or one weight per district ({self.n_districts})",
            )
        self._district_p = weights / weights.sum()
        # A profile with an annual-change target has its net out-migration scaled once,
        # from a projection of its starting population (see model.projection).
        net_out_scale = projection.fit_net_out_scale(self.params.demography, self.params.town)
        self.demo_tables = demography.DemographyTables.build(
            self.params.demography, year=self.start_year, net_out_scale=net_out_scale
        )
        self.fertility_record = demography.FertilityRecord()
        self.migration_record = demography.MigrationRecord()
        self.life_record = LifeRecord()
        self.exchange_leavers = np.empty(0, dtype=np.int64)
        self.net_leavers = 0
        self.needs_tables = needs.NeedsTables.build(self.params.needs)
        self.volunteer_join_table = volunteers.join_table(self.params.volunteers)
        budget.check_fits(self.params.town.population, self.scale)  # before any allocation
        n_guess = int(self.params.town.population / self.scale * CAPACITY_HEADROOM)
        self.residents = Residents(capacity=max(MIN_CAPACITY, n_guess))
        self.households = Households(capacity=max(MIN_CAPACITY, n_guess // 2))
        self.interventions: list[Intervention] = []
        self.ledger = costs.Ledger(self.params.costs)
        self.facility_hh = np.empty(0, dtype=np.int64)
        switches = self.params.switches
        self.month = -switches.warmup_months if (switches.needs or switches.community) else 0
        (builder or build_population)(self)
        if self.facility_hh.size == 0:
            self.add_facility_residents(np.empty(0, np.int16), np.empty(0, np.int8), None)
        demography.update_employment(self)
        self.snap = Snapshot(self)
        self._init_personal_traits(slice(0, self.residents.n))
        self._minsei_posts = self._posts_per_district()
        self.minsei_turnover = volunteers.start_turnover(self.params.minsei)
        self.support = SupportSystem(self)
        self.organisations = OrganisationSystem(self)
        self.venues = VenueSystem(self)
        self.levers = Levers.neutral(self.residents.n, len(self.support.counters))
        reporters = [reports.demography]
        synthetic = switches.synthetic_start
        if switches.needs:
            if synthetic:
                needs.initialise(self)
                needs.balance_chronic(self)  # stocks a frozen town settles: at their balance
            reporters.append(reports.needs_and_support)
        if switches.community:
            if synthetic:
                self.organisations.create_initial()
                self.venues.create_initial()
                self.venues.initial_attendance()
                volunteers.initialise(self)
                ties.initialise(self)
            reporters.append(reports.community)
        reporters.append(costs.report)
        self.recorder = Recorder(reporters)
        for spec in self.scenario.policy.interventions:
            self.add_intervention(spec)
        while self.month < 0:  # warm-up: the social system settles, people do not age
            self.month += 1
            self._run_phases(warmup=True)
        if switches.needs and synthetic and switches.warmup_months > 0:
            needs.balance_withdrawal(self)  # a stock slower than the warm-up, at its balance
        if switches.community and synthetic and switches.warmup_months > 0:
            volunteers.restore_fill(self)  # month 0 has the profile's 民生委員 fill rate
        self.ledger.restart()  # the budget's running totals start at month 0
        # Month 0 reports no events: the warm-up's are forgotten.
        reset_counters(self, spending=False)
        self.recorder.record(self)

    @property
    def scenario(self) -> Scenario:
        """The run's :class:`~model.scenario.Scenario`: town profile, policy package, scale.

        Mesa 3.5 keeps a model's parameters in ``model.scenario`` as a
        ``mesa.experimental.scenarios.Scenario`` (keyword parameters plus ``rng``; an
        experimental API). Kyosei's scenario is its own frozen, validated, hashable
        dataclass that experiments compare and copy between processes, so it takes the
        attribute instead: ``model.scenario`` and ``agent.scenario`` (Mesa's shortcut) are
        the Kyosei scenario, and there is no second one.
        """
        return self._kyosei_scenario

    @scenario.setter
    def scenario(self, scenario: Scenario | MesaScenario) -> None:
        # Mesa's constructor stores a placeholder of its own, holding only the seed
        # (which ``seed`` and ``streams`` keep); Kyosei sets its scenario right after.
        if isinstance(scenario, Scenario):
            self._kyosei_scenario = scenario
        elif not isinstance(scenario, MesaScenario):
            raise TypeError(f"a model.scenario.Scenario, not {type(scenario).__name__}")

    # ---- the month -------------------------------------------------------------------
    def step(self) -> None:
        """Advance the town by one month: every phase of :data:`PHASES`, in order."""
        self.month += 1
        self._run_phases(warmup=False)

    def _run_phases(self, *, warmup: bool) -> None:
        switches = self.params.switches
        seconds = self.phase_seconds
        for phase in PHASES:
            if (warmup and not phase.warmup) or not all(
                getattr(switches, s) for s in phase.switches
            ):
                continue
            if seconds is None:
                phase.run(self)
            else:
                t0 = time.perf_counter()
                phase.run(self)
                seconds[phase.name] += time.perf_counter() - t0

    def run(self, months: int) -> CommunityModel:
        """Run ``months`` steps; returns the model for chaining."""
        for _ in range(months):
            self.step()
        return self

    def calendar(self, month: int | None = None) -> tuple[int, int]:
        """Calendar ``(year, month 1-12)`` of model month ``month`` (default: the current one)."""
        return calendar_date(
            self.start_year, self.start_month, self.month if month is None else month
        )

    # ---- helpers used by the subsystems -----------------------------------------------
    @property
    def frozen(self) -> bool:
        """Whether nobody ages, is born, dies or moves (the warm-up, or demography off)."""
        return self.month <= 0 or not self.params.switches.demography

    def household_sizes(self) -> np.ndarray:
        """Living members per household index."""
        r = self.residents
        return kernels.count_by(r.hh, r.alive, self.households.n)

    def pick_districts(self, n: int, gen: np.random.Generator) -> np.ndarray:
        """Districts for ``n`` new households, by the profile's district weights."""
        if self.n_districts == 1:
            return np.zeros(n, dtype=np.int16)
        return gen.choice(self.n_districts, size=n, p=self._district_p).astype(np.int16)

    def place_in_districts(
        self, districts: np.ndarray, gen: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Map positions (x, y in km) inside each given district's cell."""
        xy = place_homes(self.town_map, np.asarray(districts), gen)
        return xy[:, 0].astype(np.float32), xy[:, 1].astype(np.float32)

    def new_households(
        self, districts: np.ndarray, founder_keys: np.ndarray, gen: np.random.Generator
    ) -> int:
        """Create one household per entry of ``districts``; return the first index."""
        keys = self.streams["households"].keys(np.asarray(founder_keys, np.uint64), self.month)
        x, y = self.place_in_districts(np.asarray(districts), gen)
        new = self.households.append(len(districts), key=keys, district=districts, x=x, y=y)
        return new.start

    def add_facility_residents(
        self, age_m: np.ndarray, sex: np.ndarray, gen: np.random.Generator | None
    ) -> None:
        """Create one care facility per district and place the given residents in them."""
        if self.facility_hh.size == 0:
            d = np.arange(self.n_districts, dtype=np.int16)
            c = self.town_map.centres
            keys = self.streams["households"].keys(d.astype(np.uint64), 0, k=99)
            new = self.households.append(
                d.size, key=keys, district=d, x=c[:, 0], y=c[:, 1], institution=True
            )
            self.facility_hh = np.arange(new.start, new.stop)
        if age_m.size == 0 or gen is None:
            return
        district = self.pick_districts(age_m.size, gen)
        pids = self.streams["synthesis"].keys(np.arange(age_m.size, dtype=np.uint64), 0, k=3)
        self.residents.append(
            age_m.size,
            pid=pids,
            age_m=age_m,
            sex=sex,
            hh=self.facility_hh[district],
            district=district,
            role=ROLE_PARENT,
            never_married=False,
        )

    def move_to_facility(self, idx: np.ndarray) -> None:
        """Residents at ``idx`` move into their district's care facility."""
        r = self.residents
        r.hh[idx] = self.facility_hh[r.district[idx]]
        r.role[idx] = ROLE_PARENT
        r.venue[idx] = -1
        r.volunteer[idx] = False
        r.vol_venue[idx] = -1
        if self.params.switches.needs:
            r.sev[needs.CARE, idx] = np.maximum(r.sev[needs.CARE, idx], 1)
            r.supported[needs.CARE, idx] = True
            r.known[needs.CARE, idx] = True
        self.tally.to_facility += idx.size

    def on_new_residents(self, new: slice, *, newborn: bool) -> None:
        """Give residents who just appeared (births, arrivals) their starting attributes."""
        self._init_personal_traits(new)
        if not newborn:
            demography.employ_newcomers(self, new)
            if self.params.switches.community:
                ties.arrive(self, new)

    def on_left_home(self, leavers: np.ndarray) -> None:
        """Residents who just moved out of their parents' home into one of their own."""
        if self.params.switches.community:
            ties.left_home(self, leavers)

    def _init_personal_traits(self, new: slice) -> None:
        """Capacity to seek help (some never go) and wish to 'do something'."""
        r = self.residents
        stream = self.streams["traits"]
        keys = r.pid[new]
        never = stream.uniform(keys, 0, k=0) < self.params.support.never_seek_share
        low = self.params.support.seek_capacity_min
        r.seek_cap[new] = np.where(never, 0.0, low + (1.0 - low) * stream.uniform(keys, 0, k=1))
        r.motivation[new] = (
            stream.uniform(keys, 0, k=2) ** self.params.volunteers.motivation_exponent
        )

    def on_supported(self, idx: np.ndarray) -> None:
        """Residents who just started receiving support (participation support hooks here)."""
        self.residents.welfare_involved[idx] = True
        for intervention in self.interventions:
            if intervention.acting:
                intervention.on_supported(self, idx)

    def support_quality(self, need: int, idx: np.ndarray) -> np.ndarray:
        """How well support in ``need`` reaches residents ``idx`` (0..1, more with a joint plan)."""
        r = self.residents
        q = self.support.quality[r.district[idx], min(need, needs.POVERTY)]
        return q * np.where(r.case_joint[idx], self.params.support.joint_improvement, 1.0)

    def _posts_per_district(self) -> np.ndarray:
        sizes = self.household_sizes()
        home = (sizes > 0) & ~self.households.institution
        hh_d = np.bincount(self.households.district[home], minlength=self.n_districts)
        # The town's posts, shared over districts by largest remainder (at a coarse scale
        # rounding each district on its own would lose or add posts).
        total = max(round(float(hh_d.sum()) / self.params.minsei.households_per_post), 1)
        return np.maximum(largest_remainder(total, hh_d.astype(float)), 1).astype(float)

    def minsei_posts(self) -> np.ndarray:
        """民生委員 posts per district (fixed at the start, as quotas are)."""
        return self._minsei_posts

    def compact(self) -> None:
        """Drop departed residents and empty households; renumber household indices."""
        r = self.residents
        kept = r.alive.copy()
        new_place = np.where(kept, np.cumsum(kept) - 1, -1)
        r.keep(kept)
        for intervention in self.interventions:
            intervention.on_compacted(new_place)
        sizes = np.bincount(r.hh, minlength=self.households.n)
        keep_hh = (sizes > 0) | self.households.institution
        new_index = np.cumsum(keep_hh) - 1
        self.facility_hh = new_index[self.facility_hh]
        r.hh[:] = new_index[r.hh]
        has_origin = r.origin_hh >= 0
        origin_alive = np.zeros(r.n, dtype=bool)
        origin_alive[has_origin] = keep_hh[r.origin_hh[has_origin]]
        r.origin_hh[:] = np.where(origin_alive, new_index[np.maximum(r.origin_hh, 0)], -1)
        self.households.keep(keep_hh)
        self.snap = Snapshot(self)  # indices changed

    # ---- policies ----------------------------------------------------------------------
    def add_intervention(
        self, spec: InterventionSpec | Intervention, eligible: EligibilityRule | None = None
    ) -> Intervention:
        """Add a policy component, also mid-run; it acts from its start month on.

        ``eligible`` (Python only) replaces the named eligibility rule with a callable
        returning a mask of residents the component may reach.
        """
        if isinstance(spec, Intervention):
            intervention = spec
        else:
            if spec.kind not in REGISTRY:
                raise ParameterError("kind", spec.kind, "one of " + ", ".join(sorted(REGISTRY)))
            intervention = REGISTRY[spec.kind](spec, eligible)
        intervention.init(self)
        self.interventions.append(intervention)
        return intervention

    def apply_interventions(self, hook: str) -> None:
        """Apply the acting policy components of ``hook`` ("levers" or "find")."""
        for intervention in self.interventions:
            if intervention.hook == hook and intervention.acting:
                intervention.apply(self)

    def timeline(self) -> list[dict[str, object]]:
        """The run's interventions as rows: kind, labels, start, end, intensity, eligibility."""
        return [
            {
                "kind": iv.kind,
                "label_ja": iv.label_ja,
                "label_en": iv.label_en,
                "start_month": iv.spec.start_month,
                "end_month": iv.spec.end_month,
                "intensity": iv.spec.intensity,
                "eligibility": iv.spec.eligibility,
            }
            for iv in self.interventions
        ]

    def fork(self) -> CommunityModel:
        """An independent copy of the present: both futures can be run side by side."""
        return copy.deepcopy(self)

    # ---- one built town, several policy packages ----------------------------------------
    def with_policy(self, scenario: Scenario, *, fork: bool = True) -> CommunityModel:
        """A fork of this town, just built with no policy component, running ``scenario``'s.

        Sweeps build and warm up a town once for all the policy packages run on the same
        seed: the fork is bit-identical to ``CommunityModel(scenario, seed=self.seed)``
        (tested) because the build reads the policy only to add its components, which
        never act before month 1 (:meth:`Intervention.prepare`), and adding one changes
        nothing in the town (``Intervention.init``). Refused (ValueError) unless this model
        is at month 0 with no component, and ``scenario`` has the same parameters and
        scale. ``fork=False`` gives the town itself the package instead (for its last use).
        """
        if self.month != 0 or self.interventions:
            raise ValueError("with_policy needs a town just built, with no policy component")
        if float(scenario.scale) != self.scale or scenario.params != self.params:
            raise ValueError("with_policy needs the parameters and scale the town was built with")
        model = self.fork() if fork else self
        model.scenario = scenario
        for spec in scenario.policy.interventions:
            model.add_intervention(spec)
        return model

    # ---- inspection --------------------------------------------------------------------
    def resident(self, pid: int) -> ResidentView:
        """A read-only view of the living resident with identity ``pid``."""
        return view(self.residents, self.residents.index_of(pid))

    def sample_residents(self, k: int) -> list[ResidentView]:
        """Views of up to ``k`` living residents (a reproducible sample)."""
        return [view(self.residents, int(i)) for i in self.sample_indices(k)]

    def sample_indices(self, k: int) -> np.ndarray:
        """Array indices of up to ``k`` living residents, the same ones month after month."""
        alive = np.flatnonzero(self.residents.alive)
        keys = self.streams["inspect"].uniform(self.residents.pid[alive], 0)
        return alive[np.argsort(keys)[:k]]

    def resident_states(self, idx: np.ndarray) -> np.ndarray:
        """A state per resident for the live map: index into ``STATES``.

        Volunteer beats supported beats in need (unmet) beats isolated beats connected.
        """
        r = self.residents
        unmet = unmet_needs(r, idx).any(axis=0)
        supported = r.supported[:, idx].any(axis=0)
        isolated = ties.isolated_mask(r.ties[:, idx])
        return np.select(
            [r.volunteer[idx], supported & ~unmet, unmet, isolated],
            [VOLUNTEER, SUPPORTED, IN_NEED, ISOLATED],
            default=CONNECTED,
        )
