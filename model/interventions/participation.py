"""II. 参加支援: after consultation, people are linked to places and roles.

When eligible residents start receiving support, participation-support staff link
them to a venue near home (相談→参加), within the staff's monthly capacity, and offer
some of those with mild needs a role as a volunteer — supporters and supported as
one cycle (支え手・受け手の循環). While the component runs, supported residents also
join venues and groups more readily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ..venues import CAFE
from .base import Intervention, register

if TYPE_CHECKING:
    from ..core import CommunityModel


@register
class Participation(Intervention):
    """Link supported residents to venues and roles."""

    kind = "participation"
    label_ja = "参加支援（相談から居場所・役割へ）"
    label_en = "Participation support"
    intensity_unit = "参加支援 workers (FTE) in the town"
    default_intensity = 1.0
    intensity_range = (0.0, 50.0)
    intensity_source = (
        "assumption: one worker, as Okazaki contracts 参加支援 to 社協 CSWs alongside their "
        "outreach ([seed-deck] p.20); range 0-50"
    )
    options: ClassVar[dict[str, tuple[float, float, float]]] = {
        "links_per_worker": (20.0, 0.0, 1000.0),  # people linked a month
        "role_share": (0.15, 0.0, 1.0),  # of those linked, offered a volunteer role
        "join_boost": (2.0, 1.0, 20.0),  # venue and group joining of supported residents
    }

    def staff(self, model: CommunityModel) -> float:
        """Participation-support staff in the town (people)."""
        return self.intensity

    def apply(self, model: CommunityModel) -> None:
        """Supported residents join venues and groups more readily this month."""
        supported = self.reach & model.residents.supported.any(axis=0)
        model.levers.boost_joining(supported, self.settings["join_boost"])

    def on_supported(self, model: CommunityModel, idx: np.ndarray) -> None:
        """Link newly supported eligible residents to a venue and, some, to a role."""
        if not model.params.switches.community or not model.venues.venues:
            return
        r = model.residents
        idx = idx[self.reach[idx] & model.snap.home[idx] & (r.venue[idx] < 0)]
        capacity = round(self.staff(model) * self.settings["links_per_worker"] / model.scale)
        if idx.size == 0 or capacity <= 0:
            return
        idx = idx[np.argsort(r.pid[idx], kind="stable")][:capacity]
        venues = model.venues
        a = venues.arrays()
        rates = venues.join_rates(idx, np.zeros(idx.size, dtype=bool))
        # The kind that suits them best; anyone can go to a café or a hub.
        kind = np.where(rates.max(axis=0) > 0, rates.argmax(axis=0), CAFE)
        stream = model.streams["participation"]
        u = stream.uniform(r.pid[idx], model.month, k=0)
        joined = venues.place(idx, kind, u, a, a["open"], habit=False)
        model.tally.linked_to_venues += joined.size
        mild = r.sev[:, joined].max(axis=0) <= 1
        role = mild & (
            stream.uniform(r.pid[joined], model.month, k=1) < self.settings["role_share"]
        )
        r.volunteer[joined[role]] = True
        r.vol_since[joined[role]] = model.month
        model.tally.volunteers_started += int(np.count_nonzero(role))

    def monthly_cost(self, model: CommunityModel) -> dict[str, float]:
        """Staff pay, on the new functions' additional funding (追加財源)."""
        return {"new_functions": self.staff(model) * model.params.costs.salary_month}
