"""What goes into a run: all parameters, the policy package and the scale.

A :class:`Scenario` is a town profile (its :class:`Params`) combined with a policy
package (a list of :class:`InterventionSpec`) and a scale (one simulated resident
stands for ``scale`` people). Scenario files (TOML) are read by
:mod:`scenarios.loader`; in Python a scenario can also be built directly::

    Scenario(name="demo", params=Params(), policy=PolicyPackage.baseline())
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .costs import CostParams
from .demography import DemographyParams
from .needs import NeedsParams
from .organisations import OrganisationParams
from .parameters import check_number, param, validate
from .shocks import ShockParams
from .support import SupportParams
from .ties import TiesParams
from .town import TownParams
from .venues import VenueParams
from .volunteers import MinseiParams, VolunteerParams


@dataclass(frozen=True)
class Switches:
    """Which parts of the model run (for benchmarks, teaching and focused tests)."""

    needs: bool = param(True, unit="", source="model option: needs and counters")
    community: bool = param(
        True, unit="", source="model option: ties, venues, volunteers, 民生委員, NPOs"
    )
    demography: bool = param(
        True,
        unit="",
        source="model option: aging, births, deaths, migration and household change "
        "(off for a frozen town, as in the warm-up: the stationarity test)",
    )
    synthetic_start: bool = param(
        True,
        unit="",
        source="model option: draw starting needs, ties, volunteers, groups and venues "
        "(off for hand-built worlds that set their own)",
    )
    warmup_months: int = param(
        48,
        unit="months",
        lo=0,
        hi=240,
        source="model option: months the social system settles before month 0 (the "
        "slowest stock left to it, isolation, needs about 42: docs/ODD.md, warm-up)",
    )


@dataclass(frozen=True)
class Params:
    """All model parameters, one section per subsystem."""

    town: TownParams = field(default_factory=TownParams)
    demography: DemographyParams = field(default_factory=DemographyParams)
    needs: NeedsParams = field(default_factory=NeedsParams)
    support: SupportParams = field(default_factory=SupportParams)
    ties: TiesParams = field(default_factory=TiesParams)
    venues: VenueParams = field(default_factory=VenueParams)
    volunteers: VolunteerParams = field(default_factory=VolunteerParams)
    minsei: MinseiParams = field(default_factory=MinseiParams)
    organisations: OrganisationParams = field(default_factory=OrganisationParams)
    shocks: ShockParams = field(default_factory=ShockParams)
    costs: CostParams = field(default_factory=CostParams)
    switches: Switches = field(default_factory=Switches)


@dataclass(frozen=True)
class InterventionSpec:
    """One policy component as written in a policy package file.

    Attributes:
        kind: Registered intervention name (e.g. ``"outreach"``).
        start_month: First month it acts (0 = from the start of the run).
        end_month: Month it stops acting (exclusive); ``None`` runs to the end.
        intensity: Size of the effort in the component's own unit (staff, venues, ...).
        eligibility: Named rule for who can be reached (``"all"``, ``"none"``, ...).
        options: Component-specific settings.
    """

    kind: str
    start_month: int = 0
    end_month: int | None = None
    intensity: float = 1.0
    eligibility: str = "all"
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PolicyPackage:
    """A named set of interventions (a 重層 package or the baseline)."""

    name: str = "baseline"
    label_ja: str = "現状維持（縦割り）"
    label_en: str = "Baseline (siloed counters)"
    interventions: tuple[InterventionSpec, ...] = ()

    @classmethod
    def baseline(cls) -> PolicyPackage:
        """No interventions: the siloed system as it is."""
        return cls()


@dataclass(frozen=True)
class Scenario:
    """A town profile, a policy package and a scale: everything a run needs but the seed."""

    name: str = "scenario"
    params: Params = field(default_factory=Params)
    policy: PolicyPackage = field(default_factory=PolicyPackage.baseline)
    scale: float = 1.0
    overrides: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        check_number("scale", self.scale, lo=1, hi=10_000, unit="people per agent")
        validate(self.params)
