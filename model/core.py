"""CommunityModel: a town or district, one month per step.

The step order is written once, here, as a short list of calls; each call is a
vectorised rule over the residents' columns or a pass over the organisations
(Mesa agents). See ``docs/ODD.md`` for the full description.

Step order (one month):

1. demography — age, deaths and moves out; births; moves in; household change
2. bookkeeping — once a year, drop departed residents and empty households
3. outputs — record the month's town-wide and per-district metrics
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import mesa
import numpy as np

from . import demography
from .interventions.base import REGISTRY, EligibilityRule, Intervention
from .outputs import Recorder, Tally
from .parameters import ParameterError
from .population import ROLE_PARENT, Households, Residents, ResidentView, view
from .scenario import InterventionSpec, Params, Scenario
from .streams import Streams
from .synthesis import build_population
from .town import TownMap, layout, place_homes


class CommunityModel(mesa.Model):
    """A town's residents (arrays), organisations (agents) and policies, month by month.

    Attributes:
        inputs: The :class:`~model.scenario.Scenario` this run was built from.
        params: Shortcut for ``inputs.params``.
        scale: People represented by one simulated resident.
        seed: Root seed; every random stream of the run derives from it.
        month: Months elapsed since the start (0 before the first step).
        residents: Column store of residents (:class:`~model.population.Residents`).
        households: Column store of households.
        town_map: District centres and borders.
        streams: Named random streams of this run.
        recorder: Monthly outputs.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        seed: int = 0,
        builder: Callable[[CommunityModel], None] | None = None,
    ) -> None:
        """Build the town of ``scenario`` with root seed ``seed``.

        ``builder`` replaces the synthetic population (used for small hand-built worlds
        in tests and teaching); it must append residents and households to the model.
        """
        super().__init__(rng=seed)
        self.inputs = scenario if scenario is not None else Scenario()
        self.params: Params = self.inputs.params
        self.scale = float(self.inputs.scale)
        self.seed = int(seed)
        self.month = 0
        self.streams = Streams(self.seed)
        self.tally = Tally()
        self.town_map: TownMap = layout(self.params.town, self.streams)
        self.n_districts = self.params.town.districts
        weights = np.array(self.params.town.district_weights or [1.0] * self.n_districts)
        if weights.size != self.n_districts:
            raise ParameterError(
                "town.district_weights",
                list(self.params.town.district_weights),
                f"empty, or one weight per district ({self.n_districts})",
            )
        self._district_p = weights / weights.sum()
        self.demo_tables = demography.DemographyTables.build(self.params.demography)
        self.residents = Residents(
            capacity=max(1024, int(self.params.town.population / self.scale * 1.3))
        )
        self.households = Households(
            capacity=max(1024, int(self.params.town.households / self.scale * 1.3))
        )
        self.recorder = Recorder([demography.report])
        self.interventions: list[Intervention] = []
        self.facility_hh = np.empty(0, dtype=np.int64)
        (builder or build_population)(self)
        if self.facility_hh.size == 0:
            self.add_facility_residents(np.empty(0, np.int16), np.empty(0, np.int8), None)
        demography._update_employment(self)
        for spec in self.inputs.policy.interventions:
            self.add_intervention(spec)
        self.recorder.record(self)

    # ---- the month -------------------------------------------------------------------
    def step(self) -> None:
        """Advance the town by one month (see the module docstring for the order)."""
        self.month += 1
        self.tally.reset()
        demography.age_and_exit(self, None)
        demography.births(self)
        demography.in_migration(self)
        demography.household_change(self)
        if self.month % 12 == 0:
            self.compact()
        self.recorder.record(self)

    def run(self, months: int) -> CommunityModel:
        """Run ``months`` steps; returns the model for chaining."""
        for _ in range(months):
            self.step()
        return self

    # ---- helpers used by the subsystems -----------------------------------------------
    def unit_size(self) -> float:
        """People per simulated resident (the scale)."""
        return self.scale

    def population_now(self) -> int:
        """Living simulated residents."""
        return self.residents.count()

    def household_sizes(self) -> np.ndarray:
        """Living members per household index."""
        r = self.residents
        return np.bincount(r.hh[r.alive], minlength=self.households.n)

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
        self.tally.to_facility += idx.size

    def on_new_residents(self, new: slice, *, newborn: bool) -> None:
        """Give residents who just appeared (births, arrivals) their starting attributes."""

    def compact(self) -> None:
        """Drop departed residents and empty households; renumber household indices."""
        r = self.residents
        r.keep(r.alive.copy())
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

    def _apply_interventions(self, hook: str) -> None:
        for intervention in self.interventions:
            if intervention.hook == hook and intervention.active(self.month):
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

    # ---- inspection --------------------------------------------------------------------
    def resident(self, pid: int) -> ResidentView:
        """A read-only view of the living resident with identity ``pid``."""
        return view(self.residents, self.residents.index_of(pid))

    def sample_residents(self, k: int) -> list[ResidentView]:
        """Views of up to ``k`` living residents (a reproducible sample)."""
        alive = np.flatnonzero(self.residents.alive)
        keys = self.streams["inspect"].uniform(self.residents.pid[alive], self.month)
        return [view(self.residents, int(i)) for i in alive[np.argsort(keys)[:k]]]
