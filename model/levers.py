"""This month's levers: one object the levers phase fills and later phases read.

At the start of the levers phase (see ``model.core.PHASES``) the model replaces
``model.levers`` with a neutral :class:`Levers`; shocks and the active policy components
then change it, and the phases that follow read it. Nothing else holds a lever, so
nothing has to be reset by hand: a month that sets no lever leaves every one neutral.

A neutral month allocates nothing per resident: ``join_boost`` starts as a read-only
view of ones shared by every month and every model of the process, and a component that
boosts joining gives the month its own array (:meth:`Levers.boost_joining`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

_ones = np.ones(0)  # read-only ones, grown when a town outgrows it (see _neutral_ones)
_ones.flags.writeable = False


def _neutral_ones(n: int) -> np.ndarray:
    """A read-only view of ``n`` ones (shared; never written)."""
    global _ones
    if _ones.size < n:
        _ones = np.ones(max(n, 2 * _ones.size))
        _ones.flags.writeable = False
    return _ones[:n]


@dataclass
class Levers:
    """This month's settings that shocks and policy components may change.

    Attributes:
        join_boost: Multiplier on joining venues and groups, per resident (read-only while
            neutral: change it with :meth:`boost_joining`).
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
        reach: This month's eligibility masks and reached districts by eligibility rule,
            shared by the components with the same rule (see ``Intervention.prepare``).
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
    reach: dict[str, list[np.ndarray | None]] = field(default_factory=dict, repr=False)

    @classmethod
    def neutral(cls, residents: int, counters: int) -> Levers:
        """Levers that change nothing, for ``residents`` residents and ``counters`` counters."""
        return cls(join_boost=_neutral_ones(residents), extra_staff=np.zeros(counters))

    def boost_joining(self, who: np.ndarray, factor: float) -> None:
        """Multiply the joining of residents ``who`` (a mask) by ``factor`` this month."""
        if self.join_boost.flags.writeable:
            np.multiply(self.join_boost, factor, out=self.join_boost, where=who)
        else:  # still the shared neutral ones: 1.0 * factor is factor exactly
            self.join_boost = np.where(who, factor, 1.0)
