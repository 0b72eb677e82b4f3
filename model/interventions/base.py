"""Interventions: policy components as objects with a time window, intensity and rules.

Every 重層 component is an :class:`Intervention` subclass registered by name. An
intervention is built from an :class:`~model.scenario.InterventionSpec` (a start
month, an optional end month, an intensity, an eligibility rule and options) and
follows the lifecycle ``init`` (once, when added) → ``apply`` (each month it is
active, at its point in the step) → ``cost`` (each month it is active).

Interventions can be added to a running model (``model.add_intervention``) — the
workshop switches policies on mid-run. Each draws only from its own random stream,
so an intervention that reaches nobody leaves the run bit-identical to the baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ..parameters import ParameterError, check_number
from ..population import ADULT_AGE, OLD_AGE
from ..scenario import InterventionSpec
from ..ties import isolated

if TYPE_CHECKING:
    from ..core import CommunityModel

EligibilityRule = Callable[["CommunityModel"], np.ndarray]

FIRST_CHUNK = 4096  # residents districts_reached looks at first (the chunk then doubles)


def districts_reached(mask: np.ndarray, district: np.ndarray, model: CommunityModel) -> np.ndarray:
    """Districts (ascending) with at least one resident in ``mask``.

    Looks at the residents in growing chunks and stops once every district is seen, which
    for most rules happens in the first chunk: a pass over the whole town only when some
    district has nobody in ``mask``.
    """
    present = np.zeros(model.n_districts, dtype=bool)
    start, size = 0, FIRST_CHUNK
    while start < mask.size:
        stop = min(start + size, mask.size)
        present[district[start:stop][mask[start:stop]]] = True
        if present.all():
            break
        start, size = stop, 2 * size
    return np.flatnonzero(present)


def _all(model: CommunityModel) -> np.ndarray:
    return model.residents.alive


def _none(model: CommunityModel) -> np.ndarray:
    return np.zeros(model.residents.n, dtype=bool)


def _elderly(model: CommunityModel) -> np.ndarray:
    r = model.residents
    return r.alive & (r.age_m >= OLD_AGE * 12)


def _single_elderly(model: CommunityModel) -> np.ndarray:
    r = model.residents
    sizes = model.household_sizes()
    return r.alive & (r.age_m >= OLD_AGE * 12) & (sizes[r.hh] == 1)


def _isolated(model: CommunityModel) -> np.ndarray:
    return isolated(model)


def _families(model: CommunityModel) -> np.ndarray:
    r = model.residents
    young = np.bincount(r.hh[r.alive & (r.age_m < ADULT_AGE * 12)], minlength=model.households.n)
    return r.alive & (young[r.hh] > 0)


ELIGIBILITY_RULES: dict[str, EligibilityRule] = {
    "all": _all,
    "none": _none,
    "elderly": _elderly,
    "single_elderly": _single_elderly,
    "isolated": _isolated,
    "families_with_children": _families,
}


class Intervention:
    """Base class: a time window, an intensity, an eligibility rule and a cost rule.

    Subclasses set the class attributes and override :meth:`apply` (and, when they
    spend money, :meth:`monthly_cost`).

    Attributes:
        spec: What the policy file (or the caller) asked for.
        eligible: Rule returning a mask of residents the intervention may reach.
    """

    kind: ClassVar[str] = ""
    label_ja: ClassVar[str] = ""
    label_en: ClassVar[str] = ""
    intensity_unit: ClassVar[str] = ""
    # The intensity a municipality budgets, in ``intensity_unit``: the default is the size
    # of a real programme (``intensity_source`` cites it), within ``intensity_range``.
    default_intensity: ClassVar[float] = 1.0
    # Finite: a typo like 1e300 is refused instead of running for hours.
    intensity_range: ClassVar[tuple[float, float]] = (0.0, 100_000.0)
    intensity_source: ClassVar[str] = "assumption"
    # Component settings a policy file may give: name -> (default, lowest, highest).
    options: ClassVar[dict[str, tuple[float, float, float]]] = {}
    # When in the month the component acts: "levers" (sets this month's switches and
    # capacities) or "find" (reaches residents before they seek help); see core.py.
    hook: ClassVar[str] = "levers"

    def __init__(self, spec: InterventionSpec, eligible: EligibilityRule | None = None) -> None:
        check_number(
            f"{spec.kind}.intensity",
            spec.intensity,
            lo=self.intensity_range[0],
            hi=self.intensity_range[1],
            unit=self.intensity_unit,
        )
        self.spec = spec
        self.mask: np.ndarray | None = None
        self.eligible: EligibilityRule = eligible or ELIGIBILITY_RULES[spec.eligibility]
        # Components with the same named rule share its mask each month (a callable given
        # instead is evaluated for this component alone).
        self._rule: str | None = spec.eligibility if eligible is None else None
        self._shared: list[np.ndarray | None] = [None, None]  # this month's mask, districts
        self.settings = {
            name: float(spec.options.get(name, default))
            for name, (default, _, _) in self.options.items()
        }

    @classmethod
    def check_options(cls, spec: InterventionSpec, where: str) -> None:
        """Reject unknown or out-of-range options of ``spec`` (named by ``where``)."""
        for key, value in spec.options.items():
            if key not in cls.options:
                known = ", ".join(sorted(cls.options)) or "(none)"
                raise ParameterError(
                    f"{where}.options.{key}", value, f"an option of {cls.kind}: {known}"
                )
            _, lo, hi = cls.options[key]
            check_number(f"{where}.options.{key}", value, lo=lo, hi=hi)

    @classmethod
    def check_intensity(cls, value: float, where: str) -> None:
        """Reject an intensity outside the component's declared range."""
        lo, hi = cls.intensity_range
        if not lo <= value <= hi:
            raise ParameterError(
                f"{where}.intensity", value, f"{cls.intensity_unit} from {lo:g} to {hi:g}"
            )

    def active(self, month: int) -> bool:
        """Whether ``month`` is inside the component's time window."""
        end = self.spec.end_month
        return month >= self.spec.start_month and (end is None or month < end)

    @property
    def intensity(self) -> float:
        """Size of the effort, in ``intensity_unit``."""
        return self.spec.intensity

    def prepare(self, model: CommunityModel) -> bool:
        """Decide, at the start of a month, whom the component can reach.

        Returns whether it acts this month: a simulated month (from month 1; the warm-up
        before month 0 is the town before any policy), inside its window, with a positive
        intensity, and with at least one eligible resident. A component that reaches
        nobody does nothing at all — no draws, no levers, no cost — so the run stays
        bit-identical to one without it.
        """
        self.mask = None
        self._shared = [None, None]
        # Never in the warm-up (months ≤ 0): every package starts from the same month 0.
        if model.month < 1 or not self.active(model.month) or self.intensity <= 0:
            return False
        # Every component prepares before any acts, so a rule gives all of them the same
        # mask: it is evaluated once a month (``model.levers`` is new each month).
        shared = model.levers.reach.get(self._rule) if self._rule is not None else None
        if shared is None:
            mask = self.eligible(model)
            shared = [mask if mask.any() else None, None]
            if self._rule is not None:
                model.levers.reach[self._rule] = shared
        self._shared = shared
        if shared[0] is None:
            return False
        self.mask = shared[0]
        return True

    @property
    def reach(self) -> np.ndarray:
        """Mask of the residents the component can reach this month (while acting)."""
        if self.mask is None:
            raise RuntimeError(f"{self.kind} is not acting this month")
        return self.mask

    def reach_districts(self, model: CommunityModel) -> np.ndarray:
        """Districts with at least one resident the component can reach this month."""
        districts = self._shared[1]
        if districts is None:  # first asked this month by a component of this rule
            districts = districts_reached(self.reach, model.residents.district, model)
            self._shared[1] = districts
        return districts

    @property
    def acting(self) -> bool:
        """Whether the component acts this month (after :meth:`prepare`)."""
        return self.mask is not None

    def init(self, model: CommunityModel) -> None:
        """Called once when the intervention joins the model (must not change the town)."""

    def apply(self, model: CommunityModel) -> None:
        """Act on the model for one month (only called while acting; ``self.mask`` is set)."""

    def on_supported(self, model: CommunityModel, idx: np.ndarray) -> None:
        """Called while acting when residents ``idx`` start receiving support."""

    def on_compacted(self, new_index: np.ndarray) -> None:
        """Called after the yearly compaction, acting or not, with the residents' new rows.

        Resident ``i`` is now at ``new_index[i]`` (-1 if dropped); components that keep
        resident indices map them.
        """

    def monthly_cost(self, model: CommunityModel) -> dict[str, float]:
        """Yen spent this month (while acting), by funding line (see :mod:`model.costs`)."""
        return {}


REGISTRY: dict[str, type[Intervention]] = {}


def register[T: type[Intervention]](cls: T) -> T:
    """Class decorator: make an intervention available by its ``kind`` name."""
    if not cls.kind or cls.kind in REGISTRY:
        raise ValueError(f"intervention kind {cls.kind!r} is empty or registered twice")
    REGISTRY[cls.kind] = cls
    return cls
