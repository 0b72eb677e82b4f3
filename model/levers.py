"""This month's levers: one object the levers phase fills and later phases read.

At the start of the levers phase (see ``model.core.PHASES``) the model replaces
``model.levers`` with a neutral :class:`Levers`; shocks and the active policy components
then change it, and the phases that follow read it. Nothing else holds a lever, so
nothing has to be reset by hand: a month that sets no lever leaves every one neutral.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Levers:
    """This month's settings that shocks and policy components may change.

    Attributes:
        join_boost: Multiplier on joining venues and groups, per resident.
        volunteer_boost: Multiplier on starting to volunteer.
        volunteer_quit_factor: Multiplier on volunteers stopping (a pandemic raises it).
        match_boost: Multiplier on matching free volunteers to venues.
        open_boost: Multiplier on residents' groups opening venues.
        npo_founding_boost: Multiplier on NPOs being founded.
        minsei_visit_boost: Multiplier on 民生委員 visits.
        one_stop_for: Residents a one-stop counter serves (None: nobody).
        joint_for: Residents eligible for joint plans (None: nobody).
        joint_capacity: Joint plans this month (simulated residents).
        extra_staff: Caseworkers (FTE) added to each counter, by counter number.
        venues_closed: Venues are closed (a pandemic).
        distance_scale: Multiplier on the distance people travel to venues (a transport cut).
    """

    join_boost: np.ndarray = field(default_factory=lambda: np.ones(0))
    volunteer_boost: float = 1.0
    volunteer_quit_factor: float = 1.0
    match_boost: float = 1.0
    open_boost: float = 1.0
    npo_founding_boost: float = 1.0
    minsei_visit_boost: float = 1.0
    one_stop_for: np.ndarray | None = None
    joint_for: np.ndarray | None = None
    joint_capacity: float = 0.0
    extra_staff: np.ndarray = field(default_factory=lambda: np.zeros(0))
    venues_closed: bool = False
    distance_scale: float = 1.0

    @classmethod
    def neutral(cls, residents: int, counters: int) -> Levers:
        """Levers that change nothing, for ``residents`` residents and ``counters`` counters."""
        return cls(join_boost=np.ones(residents), extra_staff=np.zeros(counters))
